package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// Staging. The ledger is partner-first: a month's record and its runs
// sit under the partner, so a batch of 1 000 events of 1 000 partners
// rewrites about 1 000 scattered pages, 4 KB an event, whatever the
// batch. Ingest therefore commits a request's events, once admitted
// (checked, converted, their ids in the events index: see admit), to
// bucketStaged, a short log of appends, and folds the log into the
// ledger in one transaction once it holds foldEvents events: a page of a
// month then takes many events per rewrite. The log is as durable as the
// ledger (same file, same commit), so nothing acknowledged waits in
// memory; a crash leaves it to be folded when the file is next opened.
//
// Every read of the ledger folds the log first (settle), so a reader
// sees every event whose Ingest returned; writers that rewrite the
// ledger (a partner's deletion, a currency migration, a recount) fold
// in their own transaction (foldIn).

// defaultFoldEvents is when the log is folded: enough events that a
// month's page takes several, few enough that the fold's transaction
// (whose pages the file must hold twice until it commits) stays a few
// MB. See README, "ingest".
const defaultFoldEvents = 4096

// keyStaged (meta) is how many events bucketStaged holds, BE uint64.
var keyStaged = []byte("staged")

// errNothingStaged rolls back a fold that found nothing to do.
var errNothingStaged = errors.New("nothing staged")

// stage logs admitted events, or folds the log and them into the ledger
// when they make it foldEvents long.
func (s *Store) stage(tx *bolt.Tx, evs []bot.Event) error {
	meta, st := tx.Bucket(bucketMeta), tx.Bucket(bucketStaged)
	n := stagedCount(meta)
	if n+uint64(len(evs)) >= uint64(s.foldEvents) {
		return s.foldTx(tx, evs)
	}
	seq, err := st.NextSequence()
	if err != nil {
		return err
	}
	// Keys ascend: appended pages stay full.
	st.FillPercent = 1
	if err := st.Put(binary.BigEndian.AppendUint64(nil, seq), encodeStaged(evs)); err != nil {
		return err
	}
	// Under the writer's lock: a fold that follows sees this number (see
	// settle). A rollback leaves it counted, which costs one empty fold.
	s.stageSeq.Add(1)
	return meta.Put(keyStaged, binary.BigEndian.AppendUint64(nil, n+uint64(len(evs))))
}

func stagedCount(meta *bolt.Bucket) uint64 {
	if v := meta.Get(keyStaged); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// foldTx writes the staged events and then more (admitted, not staged)
// into the ledger, in the order they came, and empties the log. With
// nothing to write it returns errNothingStaged.
func (s *Store) foldTx(tx *bolt.Tx, more []bot.Event) error {
	seq := s.stageSeq.Load() // every stage before it committed is in the log
	st := tx.Bucket(bucketStaged)
	var evs []bot.Event
	c := st.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var err error
		if evs, err = decodeStaged(v, evs); err != nil {
			return fmt.Errorf("staged events %x: %w", k, err)
		}
	}
	evs = append(evs, more...)
	if len(evs) == 0 {
		return errNothingStaged
	}
	if err := s.applyLedger(tx, evs); err != nil {
		return err
	}
	for k, _ := c.First(); k != nil; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	tx.OnCommit(func() { s.markFolded(seq) })
	return tx.Bucket(bucketMeta).Delete(keyStaged)
}

// foldIn folds the log inside a writer's transaction that reads or
// rewrites the ledger, so that it works on every admitted event.
func (s *Store) foldIn(tx *bolt.Tx) error {
	if err := s.foldTx(tx, nil); err != nil && !errors.Is(err, errNothingStaged) {
		return fmt.Errorf("fold staged events into the ledger: %w", err)
	}
	return nil
}

// markFolded records that every stage up to seq is in the ledger.
func (s *Store) markFolded(seq uint64) {
	for {
		cur := s.foldedSeq.Load()
		if cur >= seq || s.foldedSeq.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// settle folds the log into the ledger when a stage may not be folded
// yet, so that a read that follows sees every event whose Ingest
// returned. A read-only store cannot fold: it reads the ledger as the
// last read-write open left it (which folds, see migrate).
func (s *Store) settle() error {
	if s.db.IsReadOnly() || s.stageSeq.Load() <= s.foldedSeq.Load() {
		return nil
	}
	return s.Settle()
}

// viewLedger is db.View for reads of the ledger: it settles first.
func (s *Store) viewLedger(fn func(*bolt.Tx) error) error {
	if err := s.settle(); err != nil {
		return err
	}
	return s.db.View(fn)
}

// Settle folds the events staged by Ingest into the ledger now. Reads do
// it themselves; this is for a caller that wants the work done before
// it measures or hands the file on.
func (s *Store) Settle() error {
	if s.db.IsReadOnly() {
		return nil
	}
	var seq uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		seq = s.stageSeq.Load()
		return s.foldTx(tx, nil)
	})
	switch {
	case errors.Is(err, errNothingStaged):
		// Marked only here, where the transaction did nothing else: in
		// another one, an earlier fold may yet roll back.
		s.markFolded(seq)
		return nil
	case err != nil:
		return fmt.Errorf("fold staged events into the ledger: %w", err)
	}
	return nil
}

// Staged returns how many events are staged and not yet folded into the
// ledger (a gauge for operators: it stays under the fold size, 4 096,
// and drops to zero at the first read after ingest stops).
func (s *Store) Staged() int {
	var n uint64
	_ = s.db.View(func(tx *bolt.Tx) error {
		if meta := tx.Bucket(bucketMeta); meta != nil {
			n = stagedCount(meta)
		}
		return nil
	})
	return int(n)
}

// A staged record holds a request's admitted events, each as its partner
// (after its length as a uvarint) and then as a month record keeps an
// event (appendEvents).
func encodeStaged(evs []bot.Event) []byte {
	b := make([]byte, 0, len(evs)*48)
	for i := range evs {
		e := &evs[i]
		b = binary.AppendUvarint(b, uint64(len(e.Partner)))
		b = append(b, e.Partner...)
		b = appendEvents(b, []runEvent{{at: e.At, id: e.ID, val: encodeEvent(e)}})
	}
	return b
}

func decodeStaged(v []byte, out []bot.Event) ([]bot.Event, error) {
	for len(v) > 0 {
		partner, r, ok := prefixed(v)
		if !ok {
			return out, errors.New("malformed partner")
		}
		bits, id, val, rest, ok := nextEvent(r)
		if !ok {
			return out, errors.New("malformed event")
		}
		e, err := decodeEventVal(string(partner), bitsTime(bits), string(id), val)
		if err != nil {
			return out, err
		}
		out = append(out, e)
		v = rest
	}
	return out, nil
}
