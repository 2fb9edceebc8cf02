package store

// The ledger: one bucket holding everything a partner's events make,
// under keys that begin with the partner's id:
//
//	partner 0x00 BE(YYYYMM)                      → the month's lifecycle changes
//	partner 0x00 BE(YYYYMMDD)                    → the day's totals and lifecycle changes
//	partner 0x00 BE(YYYYMMDD) BE(time) event id  → an event of that day
//	partner 0x01 ref                             → a commission item's entries (not for an item that is only its sale)
//
// Why one bucket, and why a day's events right after its record: ingest
// writes, for each event, the event and its day's record, and for a sale
// its commission item and its month's record (what its hold will approve
// rides in the sale's day and month: lifeStep.matures). In B-trees of their own each
// of those is a page of its own for every partner a commit touches, and a
// commit of events from many partners rewrites thousands of scattered
// pages. Keyed this way a click or a signup dirties one page, the one
// holding its day, and a partner with a few events a day keeps its whole
// history on a few pages (the README has the figures). Days follow the
// program's zone (meta "tz"); a change of zone moves events to their new
// days (rebuildLedger).
//
// Partner ids are slugs (bot.ValidID), so the first byte below 0x02 ends
// the id. Months sort before days: YYYYMM is below 10 000 101, the
// smallest YYYYMMDD of a four-digit year, and events are from 2000 on.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

const (
	sepDays  = 0x00
	sepItems = 0x01
)

// ledgerPrefix is the start of a partner's keys of one kind.
func ledgerPrefix(partner string, sep byte) []byte {
	k := make([]byte, 0, len(partner)+1)
	k = append(k, partner...)
	return append(k, sep)
}

// recLen is the length of a partner's day and month record keys.
func recLen(partner string) int { return len(partner) + 5 }

func dayKey(partner string, d bot.Date) []byte {
	return append(ledgerPrefix(partner, sepDays), be32(d.Key())...)
}

func monthKey(partner string, d bot.Date) []byte {
	return append(ledgerPrefix(partner, sepDays), be32(uint32(d.Year*100+int(d.Month)))...)
}

func itemKey(partner, ref string) []byte {
	return append(ledgerPrefix(partner, sepItems), ref...)
}

// The events index (bucketEvents) maps an event's id to its partner and
// time: partner 0x00 BE(time). With them a commission item kept in its
// sale (below) is found from the sale's id: the time names the sale's
// day in any zone. Files from before schema 12 kept only the partner.
func indexValue(partner string, at time.Time) []byte {
	v := make([]byte, 0, len(partner)+9)
	v = append(v, partner...)
	v = append(v, 0)
	return binary.BigEndian.AppendUint64(v, timeBits(at))
}

// indexPartner returns the partner of an events index value.
func indexPartner(v []byte) []byte {
	if i := bytes.IndexByte(v, 0); i >= 0 {
		return v[:i]
	}
	return v
}

// indexTime returns the event's time from an events index value.
func indexTime(v []byte) (time.Time, bool) {
	i := bytes.IndexByte(v, 0)
	if i < 0 || len(v) != i+9 {
		return time.Time{}, false
	}
	return bitsTime(binary.BigEndian.Uint64(v[i+1:])), true
}

// A sale's commission item is kept in the sale itself as long as the
// sale is its only entry (most items: nothing refunds, approves or voids
// them): it has no record under partner 0x01 ref then. The first other
// entry writes the record, with the sale's entry first. implicitItem
// reports whether an item's entries are that one sale.
func implicitItem(ref string, entries []byte) bool {
	es, err := decodeEntries(entries)
	return err == nil && len(es) == 1 && es[0].typ == bot.EventSale && es[0].id == ref
}

// saleItem returns the entries of the item a sale keeps in itself: the
// sale's entry when ref is the id of a sale of partner with commission,
// else nil.
func saleItem(lg, events *bolt.Bucket, loc *time.Location, partner, ref string) ([]byte, error) {
	v := events.Get([]byte(ref))
	at, ok := indexTime(v)
	if !ok || string(indexPartner(v)) != partner {
		return nil, nil
	}
	k := eventKey(partner, bot.DateOf(at, loc), at, ref)
	ev := lg.Get(k)
	if ev == nil {
		return nil, fmt.Errorf("event %q is indexed but not in the ledger", ref)
	}
	e, err := decodeTimeline(k, ev)
	if err != nil {
		return nil, err
	}
	if e.Type != bot.EventSale || e.Commission == 0 {
		return nil, nil
	}
	return appendEntry(nil, &e), nil
}

// eventKey is an event's key: after its day's record, in time order.
func eventKey(partner string, day bot.Date, at time.Time, id string) []byte {
	k := make([]byte, 0, len(partner)+13+len(id))
	k = append(k, partner...)
	k = append(k, sepDays)
	k = binary.BigEndian.AppendUint32(k, day.Key())
	k = binary.BigEndian.AppendUint64(k, timeBits(at))
	return append(k, id...)
}

// splitKey returns a ledger key's partner, separator and the rest. It
// also reads the keys of the timeline of schema 9, whose separator was
// 0x00 too.
func splitKey(k []byte) (partner []byte, sep byte, rest []byte, ok bool) {
	for i, b := range k {
		if b <= sepItems {
			return k[:i], b, k[i+1:], i > 0
		}
	}
	return nil, 0, nil, false
}

// eachDay calls fn with the records of a partner's days from one date to
// another (both included), in date order, stepping over their events: a
// few at a time with the cursor, a busy day's in one seek.
func eachDay(c *bolt.Cursor, partner string, from, to bot.Date, fn func(k, v []byte) error) error {
	if to.Before(from) {
		return nil
	}
	n := recLen(partner)
	end := dayKey(partner, to)
	k, v := c.Seek(dayKey(partner, from))
	steps := 0
	for k != nil && bytes.Compare(k, end) <= 0 {
		if len(k) == n {
			if err := fn(k, v); err != nil {
				return err
			}
			steps = 0
			k, v = c.Next()
			continue
		}
		if steps < 8 {
			steps++
			k, v = c.Next()
			continue
		}
		// Past the rest of this event's day: YYYYMMDD+1 need not be a
		// date to sort after every key of the day and before the next.
		next := dayKey(partner, bot.Date{})
		binary.BigEndian.PutUint32(next[n-4:], binary.BigEndian.Uint32(k[n-4:n])+1)
		k, v = c.Seek(next)
		steps = 0
	}
	return nil
}

// eachEvent calls fn with a partner's events of the days from one date to
// another (both included), in time order; fn must not write.
func eachEvent(c *bolt.Cursor, partner string, from, to bot.Date, fn func(k, v []byte) error) error {
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

// allDays is the widest range of days: every record and event.
var allDays = [2]bot.Date{{Year: 1000, Month: 1, Day: 1}, {Year: 9999, Month: 12, Day: 31}}

// itemSet gathers the commission items of a partner's events, for a
// ledger that has none of them yet.
type itemSet map[string][]byte

func (s itemSet) add(e *bot.Event) {
	if ref, ok := itemRef(e); ok {
		ik := string(itemKey(e.Partner, ref))
		s[ik] = appendEntry(s[ik], e)
	}
}

// write puts the items in key order, so that each is appended where the
// ledger is being filled; those a sale keeps in itself are not written.
func (s itemSet) write(lg *bolt.Bucket) error {
	keys := make([]string, 0, len(s))
	for k := range s {
		_, _, ref, _ := splitKey([]byte(k))
		if !implicitItem(string(ref), s[k]) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := lg.Put([]byte(k), s[k]); err != nil {
			return err
		}
	}
	return nil
}

// dayRec is what the ledger keeps of a partner's day.
type dayRec struct {
	t    bot.Totals
	life lifeStep // pending, approved and paid changes; day unused
}

func (r *dayRec) zero() bool {
	return r.t == (bot.Totals{}) && r.life.zero()
}

// Day records: a format byte then the totals as varints, in the order
// of encodeTotals; format 2 goes on with the lifecycle changes (pending,
// approved, paid), format 3 (schema 11) with what matures too (lifeStep).
// A day without lifecycle changes is written in format 1, the daily
// totals of schema 9.
const (
	dayFormatLife    = 2
	dayFormatMatures = 3
)

func encodeDay(r *dayRec) []byte {
	b := encodeTotals(&r.t)
	if r.life.zero() {
		return b
	}
	b[0] = dayFormatLife
	b = binary.AppendVarint(b, int64(r.life.pending))
	b = binary.AppendVarint(b, int64(r.life.approved))
	b = binary.AppendVarint(b, int64(r.life.paid))
	if r.life.matures == 0 {
		return b
	}
	b[0] = dayFormatMatures
	return binary.AppendVarint(b, int64(r.life.matures))
}

func decodeDay(b []byte, r *dayRec) error {
	*r = dayRec{}
	if len(b) == 0 || (b[0] != totalsFormat && b[0] != dayFormatLife && b[0] != dayFormatMatures) {
		return fmt.Errorf("unknown day record format")
	}
	var f [15]int64
	n := 11
	switch b[0] {
	case dayFormatLife:
		n = 14
	case dayFormatMatures:
		n = 15
	}
	rest := b[1:]
	for i := range n {
		v, m := binary.Varint(rest)
		if m <= 0 {
			return fmt.Errorf("truncated day record")
		}
		f[i], rest = v, rest[m:]
	}
	if len(rest) != 0 {
		return fmt.Errorf("day record too long")
	}
	r.t = bot.Totals{Clicks: f[0], Signups: f[1], Sales: f[2], Refunds: f[3], ContactsIn: f[4], ContactsOut: f[5], Materials: f[6],
		SalesAmount: bot.Amount(f[7]), RefundAmount: bot.Amount(f[8]), Commission: bot.Amount(f[9]), Payouts: bot.Amount(f[10])}
	r.life.pending, r.life.approved, r.life.paid, r.life.matures = bot.Amount(f[11]), bot.Amount(f[12]), bot.Amount(f[13]), bot.Amount(f[14])
	return nil
}

// forEachPartner calls fn with each partner that has records in the
// ledger, in id order. fn may write to the ledger: each partner is found
// by a new cursor.
func forEachPartner(lg *bolt.Bucket, fn func(partner string) error) error {
	_, err := partnersFrom(lg, "", -1, fn)
	return err
}

// partnersFrom calls fn with at most n partners (all of them when n is
// negative) that have records in the ledger, in id order, from the first
// whose id is not below from. It returns the id to start the next call
// from, or "" when none is left.
func partnersFrom(lg *bolt.Bucket, from string, n int, fn func(partner string) error) (string, error) {
	next := []byte(from)
	for ; n != 0; n-- {
		k, _ := lg.Cursor().Seek(next)
		if k == nil {
			return "", nil
		}
		p, _, _, ok := splitKey(k)
		if !ok {
			return "", fmt.Errorf("malformed ledger key %q", k)
		}
		partner := string(p)
		if err := fn(partner); err != nil {
			return "", err
		}
		next = append([]byte(partner), sepItems+1)
	}
	return string(next), nil
}

// rebuildLedger recounts every day and month record from the events and
// commission items, in loc with hold days: after a change of time zone or
// hold, a currency migration, or a migration of the layout.
func rebuildLedger(tx *bolt.Tx, loc *time.Location, hold int) error {
	lg := tx.Bucket(bucketLedger)
	return forEachPartner(lg, func(partner string) error {
		return rebuildPartner(lg, partner, loc, hold)
	})
}

func rebuildPartner(lg *bolt.Bucket, partner string, loc *time.Location, hold int) error {
	days := map[string]*dayRec{}
	life := newLifeDeltas()
	sales := map[string][]byte{} // sales with commission: id → the entry of their item
	var records [][]byte
	type move struct{ from, to, v []byte }
	var moves []move
	n := recLen(partner)
	c := lg.Cursor()
	prefix := ledgerPrefix(partner, sepDays)
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		if len(k) == n {
			records = append(records, bytes.Clone(k))
			continue
		}
		e, err := decodeTimeline(k, v)
		if err != nil {
			return err
		}
		d := bot.DateOf(e.At, loc)
		if binary.BigEndian.Uint32(k[n-4:n]) != d.Key() {
			moves = append(moves, move{bytes.Clone(k), eventKey(partner, d, e.At, e.ID), bytes.Clone(v)})
		}
		dk := string(dayKey(partner, d))
		r := days[dk]
		if r == nil {
			r = new(dayRec)
			days[dk] = r
		}
		r.t.Add(&e)
		if e.Type == bot.EventPayout {
			life.add(partner, []lifeStep{{day: d, paid: e.Amount}}, 1)
		}
		if e.Type == bot.EventSale && e.Commission != 0 {
			sales[e.ID] = appendEntry(nil, &e)
		}
	}
	prefix = ledgerPrefix(partner, sepItems)
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		entries, err := decodeEntries(v)
		if err != nil {
			return fmt.Errorf("commission item %q: %w", k, err)
		}
		life.add(partner, itemCurve(entries, loc, hold), 1)
		delete(sales, string(k[len(prefix):]))
	}
	for _, entry := range sales { // the items sales keep in themselves
		entries, err := decodeEntries(entry)
		if err != nil {
			return err
		}
		life.add(partner, itemCurve(entries, loc, hold), 1)
	}
	for _, k := range records {
		if err := lg.Delete(k); err != nil {
			return err
		}
	}
	for _, m := range moves {
		if err := lg.Delete(m.from); err != nil {
			return err
		}
	}
	for _, m := range moves {
		if err := lg.Put(m.to, m.v); err != nil {
			return err
		}
	}
	return life.apply(lg, days)
}

// deletePartnerLedger removes every record of a partner from the ledger
// and its events from bucketEvents, and returns how many events it had.
func deletePartnerLedger(tx *bolt.Tx, partner string) (int, error) {
	lg, evb := tx.Bucket(bucketLedger), tx.Bucket(bucketEvents)
	var ids [][]byte
	err := eachEvent(lg.Cursor(), partner, allDays[0], allDays[1], func(k, _ []byte) error {
		ids = append(ids, bytes.Clone(k[recLen(partner)+8:]))
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := evb.Delete(id); err != nil {
			return 0, err
		}
	}
	for _, sep := range []byte{sepDays, sepItems} {
		if err := deletePrefix(lg, ledgerPrefix(partner, sep)); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// countEvents returns how many events a partner has.
func countEvents(lg *bolt.Bucket, partner string) int {
	n := 0
	_ = eachEvent(lg.Cursor(), partner, allDays[0], allDays[1], func(_, _ []byte) error {
		n++
		return nil
	})
	return n
}
