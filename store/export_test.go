package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// FailAfter makes Ingest fail after n events were written in its
// transaction, so tests can break a request in the middle.
func (s *Store) FailAfter(n int) { s.failAfter = n }

// DowngradeToSchema9 rewrites a closed file's ledger into the layout of
// schema 9 (events in the timeline under partner 0x00 BE(time) id, the
// events index holding timeline keys, the lifecycle in buckets of its
// own, left empty as ensureLedger would recount them), so tests can
// migrate a file as old builds wrote it.
func DowngradeToSchema9(path string) error {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		if err := createBuckets(tx, bucketTimeline, bucketDaily, bucketItems, bucketLifeDay, bucketLifeMonth); err != nil {
			return err
		}
		tl, evb := tx.Bucket(bucketTimeline), tx.Bucket(bucketEvents)
		c := tx.Bucket(bucketLedger).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			p, sep, rest, ok := splitKey(k)
			if !ok {
				return fmt.Errorf("bad key %q", k)
			}
			if sep != sepDays || len(rest) <= 4 {
				continue
			}
			old := append(append(append([]byte(nil), p...), 0), rest[4:]...)
			if err := tl.Put(old, v); err != nil {
				return err
			}
			if err := evb.Put(rest[12:], old); err != nil {
				return err
			}
		}
		if err := tx.DeleteBucket(bucketLedger); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, be32(9))
	})
}

// SetLedgerBatch sets how many partners the schema 10 migration moves in
// one transaction, so tests cross its batches, and returns the undo.
func SetLedgerBatch(n int) func() {
	old := ledgerBatch
	ledgerBatch = n
	return func() { ledgerBatch = old }
}
