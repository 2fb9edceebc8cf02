package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// replaySweepEvery is how often FirstUse also drops expired records, in
// the same transaction: the bucket holds about ReplayWindow's worth of
// requests, never more.
const replaySweepEvery = time.Minute

// FirstUse records a signed request's id until now+bot.ReplayWindow and
// reports whether it was not already recorded (see bot.Replays). The
// record is durable: a restart does not forget it.
func (s *Store) FirstUse(ctx context.Context, key string, now time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	first := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketReplays)
		k := []byte(key)
		if v := b.Get(k); len(v) == 8 && int64(binary.BigEndian.Uint64(v)) > now.UnixNano() {
			return nil
		}
		first = true
		if err := b.Put(k, binary.BigEndian.AppendUint64(nil, uint64(now.Add(bot.ReplayWindow).UnixNano()))); err != nil {
			return err
		}
		s.sweepMu.Lock()
		due := now.Sub(s.lastSweep) >= replaySweepEvery
		if due {
			s.lastSweep = now
		}
		s.sweepMu.Unlock()
		if !due {
			return nil
		}
		return sweepExpired(b, now)
	})
	return first, wrap("record request id", err)
}

// sweepExpired deletes the replay records that expired by now.
func sweepExpired(b *bolt.Bucket, now time.Time) error {
	var stale [][]byte
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(v) != 8 || int64(binary.BigEndian.Uint64(v)) <= now.UnixNano() {
			stale = append(stale, bytes.Clone(k))
		}
	}
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// ReplayRecords returns how many request ids are remembered: for tests
// and metrics.
func (s *Store) ReplayRecords(ctx context.Context) (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketReplays).Stats().KeyN
		return nil
	})
	return n, wrap("count request ids", err)
}
