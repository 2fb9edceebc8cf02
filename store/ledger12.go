package store

// The ledger's layout of schemas 10 to 12, read by the migrations (and by
// tests that write such files): a record per partner and day, and each
// event under a key of its own after its day's record:
//
//	partner 0x00 BE(YYYYMM)                      → the month's lifecycle changes
//	partner 0x00 BE(YYYYMMDD)                    → the day's totals and lifecycle changes
//	partner 0x00 BE(YYYYMMDD) BE(time) event id  → an event of that day

import (
	"bytes"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// dayKey is a partner's day record key in schemas 10 to 12; lifeDeltas
// still names days by it.
func dayKey(partner string, d bot.Date) []byte {
	return append(ledgerPrefix(partner, sepDays), be32(d.Key())...)
}

// eventKey12 is an event's key in schema 10 to 12: after its day's record, in time order.
func eventKey12(partner string, day bot.Date, at time.Time, id string) []byte {
	k := make([]byte, 0, len(partner)+13+len(id))
	k = append(k, partner...)
	k = append(k, sepDays)
	k = binary.BigEndian.AppendUint32(k, day.Key())
	k = binary.BigEndian.AppendUint64(k, timeBits(at))
	return append(k, id...)
}

// eachEvent12 calls fn (schema 10 to 12) with a partner's events of the days from one date to
// another (both included), in time order; fn must not write.
func eachEvent12(c *bolt.Cursor, partner string, from, to bot.Date, fn func(k, v []byte) error) error {
	n := recLen(partner)
	end := dayKey(partner, to.AddDays(1))
	for k, v := c.Seek(dayKey(partner, from)); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
		if len(k) <= n {
			continue
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}
