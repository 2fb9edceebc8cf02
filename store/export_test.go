package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
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
			if sep != sepDays {
				continue
			}
			run, err := ledgerEvents(rest, v)
			if err != nil {
				return err
			}
			for _, e := range run {
				old := append(append(append([]byte(nil), p...), 0), binary.BigEndian.AppendUint64(nil, timeBits(e.at))...)
				old = append(old, e.id...)
				if err := tl.Put(old, e.val); err != nil {
					return err
				}
				if err := evb.Put([]byte(e.id), old); err != nil {
					return err
				}
			}
		}
		if err := tx.DeleteBucket(bucketLedger); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, be32(9))
	})
}

// downgrade12 rewrites the ledger in tx in the layout of schemas 10 to 12:
// a record per day, and each event under a key of its own, in the zone
// the file's days are kept in.
func downgrade12(tx *bolt.Tx) error {
	loc, err := time.LoadLocation(string(tx.Bucket(bucketMeta).Get(keyTZ)))
	if err != nil {
		return err
	}
	lg := tx.Bucket(bucketLedger)
	type put struct{ k, v []byte }
	var puts []put
	var runs [][]byte
	c := lg.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		p, sep, rest, ok := splitKey(k)
		if !ok || sep != sepDays {
			continue
		}
		partner := string(p)
		if len(rest) == 4 {
			var m monthRec
			if err := decodeMonth(v, &m); err != nil {
				return err
			}
			month := monthOf(k)
			for d := 1; d < 32; d++ {
				if r := &m.days[d]; m.has&(1<<d) != 0 && !r.zero() {
					puts = append(puts, put{dayKey(partner, bot.Date{Year: month.Year, Month: month.Month, Day: d}), encodeDay(r)})
				}
			}
			puts = append(puts, put{bytes.Clone(k), encodeLife(&m.life)})
		} else {
			runs = append(runs, bytes.Clone(k))
		}
		run, err := ledgerEvents(rest, v)
		if err != nil {
			return err
		}
		for _, e := range run {
			puts = append(puts, put{eventKey12(partner, bot.DateOf(e.at, loc), e.at, e.id), bytes.Clone(e.val)})
		}
	}
	for _, k := range runs {
		if err := lg.Delete(k); err != nil {
			return err
		}
	}
	for _, p := range puts {
		if err := lg.Put(p.k, p.v); err != nil {
			return err
		}
	}
	return nil
}

// DowngradeToSchema12 rewrites a closed file's ledger as schema 12 kept
// it: a record per day, each event under a key of its own.
func DowngradeToSchema12(path string) error {
	return downgrade(path, 12, downgrade12)
}

// downgrade runs steps on a closed file in one transaction and records
// schema as its version.
func downgrade(path string, schema uint32, steps ...func(*bolt.Tx) error) error {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		for _, step := range steps {
			if err := step(tx); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, be32(schema))
	})
}

// DowngradeToSchema11 rewrites a closed file's ledger as schema 11 kept
// it: as schema 12, every commission item in a record of its own, and the
// events index holding only each event's partner.
func DowngradeToSchema11(path string) error {
	return downgrade(path, 11, downgrade12, downgrade11)
}

func downgrade11(tx *bolt.Tx) error {
	lg, evb := tx.Bucket(bucketLedger), tx.Bucket(bucketEvents)
	type put struct {
		b    *bolt.Bucket
		k, v []byte
	}
	var puts []put
	c := lg.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		_, sep, rest, ok := splitKey(k)
		if !ok || sep != sepDays || len(rest) <= 4 {
			continue
		}
		e, err := decodeTimeline(k, v)
		if err != nil {
			return err
		}
		puts = append(puts, put{evb, []byte(e.ID), []byte(e.Partner)})
		ik := itemKey(e.Partner, e.ID)
		if e.Type == bot.EventSale && e.Commission != 0 && lg.Get(ik) == nil {
			puts = append(puts, put{lg, ik, appendEntry(nil, &e)})
		}
	}
	for _, p := range puts {
		if err := p.b.Put(p.k, p.v); err != nil {
			return err
		}
	}
	return nil
}

// DowngradeToSchema10 rewrites a closed file's ledger as schema 10 kept
// it: as schema 11 (DowngradeToSchema11), and commission the hold
// approves as a change of the day (and month) the hold of hold days
// ends, rather than as matures on the day it was created.
func DowngradeToSchema10(path string, hold int) error {
	return downgrade(path, 10, downgrade12, downgrade11, func(tx *bolt.Tx) error {
		lg := tx.Bucket(bucketLedger)
		days := map[string]*dayRec{}
		months := map[string]*lifeStep{}
		day := func(k []byte) (*dayRec, error) { return cached(lg, days, k, decodeDay) }
		month := func(k []byte) (*lifeStep, error) { return cached(lg, months, k, decodeLife) }
		type mature struct {
			partner string
			day     bot.Date
			amount  bot.Amount
		}
		var ms []mature
		c := lg.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			p, sep, rest, ok := splitKey(k)
			if !ok || sep != sepDays || len(rest) != 4 || binary.BigEndian.Uint32(rest) < 10000101 {
				continue
			}
			var r dayRec
			if err := decodeDay(v, &r); err != nil {
				return err
			}
			if r.life.matures != 0 {
				ms = append(ms, mature{string(p), bot.DateFromKey(binary.BigEndian.Uint32(rest)), r.life.matures})
			}
		}
		for _, m := range ms {
			r, err := day(dayKey(m.partner, m.day))
			if err != nil {
				return err
			}
			r.life.matures -= m.amount
			cm, err := month(monthKey(m.partner, m.day))
			if err != nil {
				return err
			}
			cm.matures -= m.amount
			end := m.day.AddDays(hold)
			if r, err = day(dayKey(m.partner, end)); err != nil {
				return err
			}
			r.life.pending -= m.amount
			r.life.approved += m.amount
			em, err := month(monthKey(m.partner, end))
			if err != nil {
				return err
			}
			em.pending -= m.amount
			em.approved += m.amount
		}
		for k, r := range days {
			if err := lg.Put([]byte(k), encodeDay(r)); err != nil {
				return err
			}
		}
		for k, m := range months {
			if err := lg.Put([]byte(k), encodeLife(m)); err != nil {
				return err
			}
		}
		return nil
	})
}

// LedgerKeys returns how many keys a closed file's ledger holds.
func LedgerKeys(path string) (int, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	n := 0
	err = db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketLedger).Stats().KeyN
		return nil
	})
	return n, err
}

// SetMaxRun sets the size past which runs of events are split, and
// returns the undo.
func SetMaxRun(n int) func() {
	old := maxRun
	maxRun = n
	return func() { maxRun = old }
}

// LedgerKeysOpen returns how many keys an open store's ledger holds.
func (s *Store) LedgerKeysOpen() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketLedger).Stats().KeyN
		return nil
	})
	return n, err
}

// cached returns the record under k, decoded from lg the first time and
// kept in m after.
func cached[T any](lg *bolt.Bucket, m map[string]*T, k []byte, decode func([]byte, *T) error) (*T, error) {
	r := m[string(k)]
	if r == nil {
		r = new(T)
		if v := lg.Get(k); v != nil {
			if err := decode(v, r); err != nil {
				return nil, err
			}
		}
		m[string(k)] = r
	}
	return r, nil
}

// SetLedgerBatch sets how many partners a ledger migration moves in one
// transaction, so tests cross its batches, and returns the undo.
func SetLedgerBatch(n int) func() {
	old := ledgerBatch
	ledgerBatch = n
	return func() { ledgerBatch = old }
}

// ledgerEvents returns the events under a ledger key of the days section
// whose part after the partner and separator is rest.
func ledgerEvents(rest, v []byte) ([]runEvent, error) {
	return keyEvents(rest, 4, v)
}

// SetSchemaForTest records v as a closed file's schema and nothing else.
func SetSchemaForTest(path string, v uint32) error {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, be32(v)) })
}
