package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// ClickResult is what became of one referral click.
type ClickResult string

// The click results.
const (
	ClickAccepted  ClickResult = "accepted"  // stored and counted
	ClickDuplicate ClickResult = "duplicate" // this visitor's click on this code today is already counted
	ClickCapped    ClickResult = "capped"    // the address already has its day's share of counted clicks on this code
)

// RecordClick stores a referral click event through group commit:
// concurrent clicks share one transaction and one fsync (bbolt's
// DB.Batch), so a flood of clicks cannot starve ingest of the write
// lock. Beyond the event's own id (a repeat visitor is a duplicate),
// address may have at most max counted clicks on code per day in the
// program's zone; more are ClickCapped and not stored. max <= 0 means
// no cap.
//
// Returns EINVALID for an unknown partner, as Ingest does.
func (s *Store) RecordClick(ctx context.Context, ev bot.Event, code, address string, max int) (ClickResult, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	day := bot.DateOf(ev.At, s.loc)
	capKey := make([]byte, 0, 4+len(code)+1+len(address))
	capKey = append(append(append(append(capKey, be32(day.Key())...), code...), 0), address...)
	var result ClickResult
	var days map[uint32]bool
	// Batch may run this more than once, each time in a fresh
	// transaction: everything it decides is reset first.
	err := s.db.Batch(func(tx *bolt.Tx) error {
		result, days = "", map[uint32]bool{}
		caps := tx.Bucket(bucketClickCaps)
		if err := sweepClickCaps(caps, day); err != nil {
			return err
		}
		var n uint32
		if v := caps.Get(capKey); len(v) == 4 {
			n = binary.BigEndian.Uint32(v)
		}
		if tx.Bucket(bucketEvents).Get([]byte(ev.ID)) != nil {
			result = ClickDuplicate
			return nil
		}
		if max > 0 && n >= uint32(max) {
			result = ClickCapped
			return nil
		}
		var res bot.IngestResult
		if err := s.ingestTx(tx, []bot.Event{ev}, nil, &res, days); err != nil {
			return err
		}
		result = ClickAccepted
		return caps.Put(capKey, be32(n+1))
	})
	if err != nil {
		if bot.AsError(err) != nil {
			return "", err
		}
		return "", fmt.Errorf("record click: %w", err)
	}
	s.touchMonths(days)
	return result, nil
}

// sweepClickCaps drops the counts of days before yesterday: the bucket
// holds two days of addresses at most. Keys start with the day, so the
// old ones are the first ones.
func sweepClickCaps(b *bolt.Bucket, today bot.Date) error {
	keep := be32(today.AddDays(-1).Key())
	c := b.Cursor()
	k, _ := c.First()
	if k == nil || bytes.Compare(k[:min(4, len(k))], keep) >= 0 {
		return nil
	}
	var stale [][]byte
	for ; k != nil && bytes.Compare(k[:min(4, len(k))], keep) < 0; k, _ = c.Next() {
		stale = append(stale, bytes.Clone(k))
	}
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
