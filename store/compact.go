package store

import (
	"context"
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// A bbolt file never shrinks: pages freed by a commit are kept for later
// ones, and pages filled by keys that arrive in no order (a partner's
// days, ids from a platform) stay a third empty. A backfill, a purge or a
// rebuild (a change of zone or hold, a currency migration) can leave much
// of the file free. Compact gives that space back, as etcd's defrag does
// for the same engine: it copies every bucket into a new file in key
// order, each page full, and puts the copy in place of the file.

// compactTxBytes bounds the keys and values copied in one transaction of
// the new file, so a compaction's memory does not grow with the database.
const compactTxBytes = 8 << 20

// CompactResult is what a compaction did.
type CompactResult struct {
	Before, After int64 // the file's size in bytes
	Keys          int   // keys copied, in every bucket
}

// Compact rewrites the database into a new file beside it with every page
// full and no free pages, checks that the copy holds as many keys in each
// bucket as the original, and renames it over the original. It closes the
// store, successful or not after the copy began: call it on a store
// nothing else uses (the CLI holds the file's lock for that), as its last
// call. Until the rename the original is untouched, and the rename
// replaces it whole, so a crash leaves one or the other, never a mix.
func (s *Store) Compact(ctx context.Context) (CompactResult, error) {
	var res CompactResult
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if s.db.IsReadOnly() {
		return res, errors.New("compact: the database is open read-only")
	}
	st, err := os.Stat(s.path)
	if err != nil {
		return res, fmt.Errorf("compact: %w", err)
	}
	res.Before = st.Size()
	tmp := s.path + ".compacting"
	// A copy left by a compaction that was stopped is of no use: the
	// original was never replaced.
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return res, fmt.Errorf("compact: %w", err)
	}
	s.stopCommitter()
	// The copy then holds the ledger whole and an empty log.
	if err := s.Settle(); err != nil {
		s.db.Close()
		return res, fmt.Errorf("compact %s: %w", s.path, err)
	}
	res.Keys, err = s.compactTo(tmp, st.Mode().Perm())
	if err != nil {
		os.Remove(tmp)
		s.db.Close()
		return res, fmt.Errorf("compact %s: %w", s.path, err)
	}
	if err := s.db.Close(); err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("compact %s: %w", s.path, err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("compact %s: %w", s.path, err)
	}
	if err := syncDir(dirOf(s.path)); err != nil {
		return res, fmt.Errorf("compact %s: the compacted file is in place, but its directory was not synced: %w", s.path, err)
	}
	if st, err := os.Stat(s.path); err == nil {
		res.After = st.Size()
	}
	return res, nil
}

// compactTo copies the database into a new file at path and syncs it,
// then compares every bucket's key count with the original's.
func (s *Store) compactTo(path string, mode os.FileMode) (int, error) {
	dst, err := bolt.Open(path, mode, &bolt.Options{NoSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return 0, err
	}
	defer dst.Close()
	if err := bolt.Compact(dst, s.db, compactTxBytes); err != nil {
		return 0, err
	}
	if err := dst.Sync(); err != nil {
		return 0, err
	}
	want, err := keyCounts(s.db)
	if err != nil {
		return 0, err
	}
	got, err := keyCounts(dst)
	if err != nil {
		return 0, err
	}
	total := 0
	for name, n := range want {
		if got[name] != n {
			return 0, fmt.Errorf("the copy of bucket %s has %d keys, the original %d", name, got[name], n)
		}
		total += n
	}
	if len(got) != len(want) {
		return 0, fmt.Errorf("the copy has %d buckets, the original %d", len(got), len(want))
	}
	return total, dst.Close()
}

// keyCounts returns the number of keys in each top-level bucket (nested
// buckets' keys included).
func keyCounts(db *bolt.DB) (map[string]int, error) {
	out := map[string]int{}
	err := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			out[string(name)] = b.Stats().KeyN
			return nil
		})
	})
	return out, err
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
