package store

// The ledger: one bucket holding everything a partner's events make,
// under keys that begin with the partner's id (schema 13):
//
//	partner 0x00 BE(YYYYMM)                       → the month: its lifecycle changes, then its days
//	partner 0x00 BE(YYYYMM) BE(time) event id     → a run of the month's events, from that one on
//	partner 0x01 ref                              → a commission item's entries (not for an item that is only its sale)
//
// Why so few records: a commit of events from many partners rewrites a
// page for each partner it touches, and a file holds a key and a 16-byte
// header for every record. Here a month of a partner is one record (its
// days' totals and lifecycle changes inside it) followed by its events,
// packed in runs of up to maxRun bytes: an event costs its own bytes and
// little else, and an event and its day's totals are on the same page.
// A run is rewritten whole when an event joins it, so runs stay small
// for a partner with a busy month; events arriving in time order join
// the month's last run. What the hold approves rides in the day and month
// the commission was created (lifeStep.matures), and a sale's commission
// item rides in the sale until another event changes it, so a sale with
// commission writes no record of its own beyond its month's. The README
// has the figures. Months follow the program's zone (meta "tz"); a change
// of zone moves events to their new months (rebuildLedger).
//
// Partner ids are slugs (bot.ValidID), so the first byte below 0x02 ends
// the id.

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

// maxRun is the size past which a run of events is split (a variable so
// that tests split runs often).
var maxRun = 1024

// ledgerPrefix is the start of a partner's keys of one kind.
func ledgerPrefix(partner string, sep byte) []byte {
	k := make([]byte, 0, len(partner)+1)
	k = append(k, partner...)
	return append(k, sep)
}

// recLen is the length of a partner's month record keys.
func recLen(partner string) int { return len(partner) + 5 }

func monthKey(partner string, d bot.Date) []byte {
	return append(ledgerPrefix(partner, sepDays), be32(uint32(d.Year*100+int(d.Month)))...)
}

// monthOf returns the first day of the month a month key names.
func monthOf(k []byte) bot.Date {
	ym := int(binary.BigEndian.Uint32(k[len(k)-4:]))
	return bot.Date{Year: ym / 100, Month: time.Month(ym % 100), Day: 1}
}

func firstOfMonth(d bot.Date) bot.Date { return bot.Date{Year: d.Year, Month: d.Month, Day: 1} }

func itemKey(partner, ref string) []byte {
	return append(ledgerPrefix(partner, sepItems), ref...)
}

// runKey is the key of a run of events whose first is at at with id id,
// in the month whose key is mk.
func runKey(mk []byte, at time.Time, id string) []byte {
	k := make([]byte, 0, len(mk)+8+len(id))
	k = append(k, mk...)
	k = binary.BigEndian.AppendUint64(k, timeBits(at))
	return append(k, id...)
}

// The events index (bucketEvents) maps an event's id to its partner, and
// for a sale with commission to its partner and time: partner 0x00
// BE(time). With them the commission item a sale keeps in itself (below)
// is found from the sale's id. Files from before schema 12 kept only the
// partner.
func indexValue(e *bot.Event) []byte {
	if e.Type != bot.EventSale || e.Commission == 0 {
		return []byte(e.Partner)
	}
	v := make([]byte, 0, len(e.Partner)+9)
	v = append(v, e.Partner...)
	v = append(v, 0)
	return binary.BigEndian.AppendUint64(v, timeBits(e.At))
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
	e, found, err := findEvent(lg, loc, partner, at, ref)
	if err != nil {
		return nil, err
	}
	if !found {
		// An event of the batch being ingested, whose runs are written at
		// its end: had it been a sale with commission, its item would be
		// among the batch's changes already.
		return nil, nil
	}
	if e.Type != bot.EventSale || e.Commission == 0 {
		return nil, nil
	}
	return appendEntry(nil, &e), nil
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

// runEvent is an event in a run: its time, id and value (encodeEvent).
type runEvent struct {
	at  time.Time
	id  string
	val []byte
}

func (e *runEvent) before(o *runEvent) bool {
	if !e.at.Equal(o.at) {
		return e.at.Before(o.at)
	}
	return e.id < o.id
}

// A run's value: the first event's value after its length as a uvarint
// (its time and id are in the key), then the further events as
// appendEvents writes them.
func encodeRun(evs []runEvent) []byte {
	b := make([]byte, 0, binary.MaxVarintLen32+len(evs[0].val)+eventsSize(evs[1:]))
	b = binary.AppendUvarint(b, uint64(len(evs[0].val)))
	b = append(b, evs[0].val...)
	return appendEvents(b, evs[1:])
}

// decodeRun decodes a run whose key, after its month's key, is sfx: the
// first event's time and id. The values point into v.
func decodeRun(sfx, v []byte) ([]runEvent, error) {
	if len(sfx) < 9 {
		return nil, fmt.Errorf("malformed run key")
	}
	val, more, ok := prefixed(v)
	if !ok {
		return nil, fmt.Errorf("malformed run")
	}
	first := runEvent{at: bitsTime(binary.BigEndian.Uint64(sfx)), id: string(sfx[8:]), val: val}
	rest, err := decodeEvents(more)
	if err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	return append([]runEvent{first}, rest...), nil
}

// eventsSize is what events take encoded by appendEvents.
func eventsSize(evs []runEvent) int {
	n := 0
	for i := range evs {
		n += eventSize(&evs[i])
	}
	return n
}

// appendEvents appends events, each complete: BE(time), then its id and
// its value, each after its length as a uvarint (a month record's own
// events).
func appendEvents(b []byte, evs []runEvent) []byte {
	for i := range evs {
		b = binary.BigEndian.AppendUint64(b, timeBits(evs[i].at))
		b = binary.AppendUvarint(b, uint64(len(evs[i].id)))
		b = append(b, evs[i].id...)
		b = binary.AppendUvarint(b, uint64(len(evs[i].val)))
		b = append(b, evs[i].val...)
	}
	return b
}

func decodeEvents(v []byte) ([]runEvent, error) {
	var out []runEvent
	for len(v) > 0 {
		bits, id, val, rest, ok := nextEvent(v)
		if !ok {
			return nil, fmt.Errorf("malformed events")
		}
		out = append(out, runEvent{at: bitsTime(bits), id: string(id), val: val})
		v = rest
	}
	return out, nil
}

// nextEvent splits the first event off events encoded by appendEvents:
// its time (timeBits), id and value, and the events after it.
func nextEvent(b []byte) (bits uint64, id, val, rest []byte, ok bool) {
	if len(b) < 8 {
		return 0, nil, nil, nil, false
	}
	bits = binary.BigEndian.Uint64(b)
	if id, rest, ok = prefixed(b[8:]); !ok {
		return 0, nil, nil, nil, false
	}
	val, rest, ok = prefixed(rest)
	return bits, id, val, rest, ok
}

// prefixed splits a field written after its length as a uvarint off b.
func prefixed(b []byte) (field, rest []byte, ok bool) {
	l, n := binary.Uvarint(b)
	if n <= 0 || uint64(len(b)-n) < l {
		return nil, nil, false
	}
	return b[n : n+int(l)], b[n+int(l):], true
}

// eventSize is what an event takes encoded in full (appendEvents); in a
// run the first one takes a little less.
func eventSize(e *runEvent) int {
	return 8 + uvarintLen(len(e.id)) + len(e.id) + uvarintLen(len(e.val)) + len(e.val)
}

func uvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}

// splitRun cuts events (in order) into runs of up to maxRun bytes, each
// of at least one event.
func splitRun(evs []runEvent) [][]runEvent {
	var out [][]runEvent
	start, size := 0, 0
	for i := range evs {
		n := eventSize(&evs[i])
		if i > start && size+n > maxRun {
			out = append(out, evs[start:i])
			start, size = i, 0
		}
		size += n
	}
	return append(out, evs[start:])
}

// writeEvents adds events (of one partner) to the month whose key is mk
// and whose record is m: those before the month's first run join the
// events m keeps, the others the last run whose first event is not after
// them. Events kept past maxRun bytes, and runs grown past it, are split
// into runs. The caller writes m afterwards.
func writeEvents(lg *bolt.Bucket, mk []byte, m *monthRec, evs []runEvent) error {
	sort.Slice(evs, func(i, j int) bool { return evs[i].before(&evs[j]) })
	var keys [][]byte
	if m.hasRuns {
		c := lg.Cursor()
		for k, _ := c.Seek(mk); k != nil && hasPrefix(k, mk); k, _ = c.Next() {
			if len(k) > len(mk) {
				keys = append(keys, bytes.Clone(k))
			}
		}
	}
	// Group -1: the events m keeps.
	groups := map[int][]runEvent{}
	var order []int
	for _, e := range evs {
		sfx := runKey(nil, e.at, e.id)
		i := sort.Search(len(keys), func(i int) bool { return bytes.Compare(keys[i][len(mk):], sfx) > 0 }) - 1
		if _, ok := groups[i]; !ok {
			order = append(order, i)
		}
		groups[i] = append(groups[i], e)
	}
	put := func(run []runEvent) error {
		m.hasRuns = true
		return lg.Put(runKey(mk, run[0].at, run[0].id), encodeRun(run))
	}
	for _, i := range order {
		if i < 0 {
			if merged, ok := mergeEncoded(m.events, groups[i]); ok {
				m.events = merged
				continue
			}
			cur, err := decodeEvents(m.events)
			if err != nil {
				return fmt.Errorf("events of month %q: %w", mk, err)
			}
			runs := splitRun(mergeEvents(cur, groups[i]))
			m.events = appendEvents(nil, runs[0])
			for _, run := range runs[1:] {
				if err := put(run); err != nil {
					return err
				}
			}
			continue
		}
		old := keys[i]
		cur, err := decodeRun(old[len(mk):], lg.Get(old))
		if err != nil {
			return fmt.Errorf("run %q: %w", old, err)
		}
		for _, run := range splitRun(mergeEvents(cur, groups[i])) {
			if err := put(run); err != nil {
				return err
			}
		}
	}
	return nil
}

// mergeEncoded merges events (in order) into encoded ones (appendEvents)
// without decoding them, and reports false, doing nothing, when the
// result would be past maxRun bytes: then the events are split into runs.
func mergeEncoded(enc []byte, add []runEvent) ([]byte, bool) {
	size := len(enc)
	for i := range add {
		size += eventSize(&add[i])
	}
	if size > maxRun {
		return nil, false
	}
	out := make([]byte, 0, size)
	j := 0
	rest := enc
	for len(rest) > 0 {
		bits, id, _, after, ok := nextEvent(rest)
		if !ok {
			return nil, false
		}
		end := len(rest) - len(after)
		for j < len(add) {
			ab := timeBits(add[j].at)
			if ab > bits || ab == bits && add[j].id >= string(id) {
				break
			}
			out = appendEvents(out, add[j:j+1])
			j++
		}
		out = append(out, rest[:end]...)
		rest = rest[end:]
	}
	return appendEvents(out, add[j:]), true
}

// mergeEvents merges two lists of events in order into a new one.
func mergeEvents(cur, add []runEvent) []runEvent {
	merged := make([]runEvent, 0, len(cur)+len(add))
	for a, b := 0, 0; a < len(cur) || b < len(add); {
		if b == len(add) || a < len(cur) && cur[a].before(&add[b]) {
			merged = append(merged, cur[a])
			a++
		} else {
			merged = append(merged, add[b])
			b++
		}
	}
	return merged
}

// keyEvents returns the events under a key k of a partner's days section,
// whose month keys are n bytes long: a month record's own, or a run's.
func keyEvents(k []byte, n int, v []byte) ([]runEvent, error) {
	if len(k) == n {
		return monthEvents(v)
	}
	return decodeRun(k[n:], v)
}

// findEvent returns a partner's event at at with id id.
func findEvent(lg *bolt.Bucket, loc *time.Location, partner string, at time.Time, id string) (bot.Event, bool, error) {
	mk := monthKey(partner, bot.DateOf(at, loc))
	target := runKey(mk, at, id)
	c := lg.Cursor()
	k, v := c.Seek(target)
	if k == nil || !bytes.Equal(k, target) {
		k, v = c.Prev()
	}
	if k == nil || !hasPrefix(k, mk) {
		return bot.Event{}, false, nil
	}
	run, err := keyEvents(k, len(mk), v)
	if err != nil {
		return bot.Event{}, false, fmt.Errorf("events of %q: %w", k, err)
	}
	for i := range run {
		if run[i].id == id && run[i].at.Equal(at) {
			e, err := decodeEventVal(partner, run[i].at, run[i].id, run[i].val)
			return e, err == nil, err
		}
	}
	return bot.Event{}, false, nil
}

// eachMonth calls fn with the records of a partner's months from the
// month of one date to the month of another (both included), in order,
// stepping over their runs of events: a few at a time with the cursor, a
// busy month's in one seek.
func eachMonth(c *bolt.Cursor, partner string, from, to bot.Date, fn func(month bot.Date, v []byte) error) error {
	if to.Before(from) {
		return nil
	}
	n := recLen(partner)
	end := monthKey(partner, to)
	k, v := c.Seek(monthKey(partner, from))
	steps := 0
	for k != nil && bytes.Compare(k[:min(len(k), n)], end) <= 0 {
		if len(k) == n {
			if err := fn(monthOf(k), v); err != nil {
				return err
			}
			steps = 0
			k, v = c.Next()
			continue
		}
		if len(k) < n || !hasPrefix(k, end[:n-4]) {
			return nil
		}
		if steps < 8 {
			steps++
			k, v = c.Next()
			continue
		}
		// Past the rest of this month's runs: YYYYMM+1 need not be a
		// month to sort after every key of the month and before the next.
		next := bytes.Clone(k[:n])
		binary.BigEndian.PutUint32(next[n-4:], binary.BigEndian.Uint32(k[n-4:n])+1)
		k, v = c.Seek(next)
		steps = 0
	}
	return nil
}

// eachDay calls fn with a partner's days that have a record (totals or
// lifecycle changes) from one date to another (both included), in order.
func eachDay(c *bolt.Cursor, partner string, from, to bot.Date, fn func(d bot.Date, r *dayRec) error) error {
	var r dayRec
	return eachMonth(c, partner, from, to, func(month bot.Date, v []byte) error {
		return monthDays(v, func(day int, b []byte) error {
			d := bot.Date{Year: month.Year, Month: month.Month, Day: day}
			if d.Before(from) || d.After(to) {
				return nil
			}
			if err := decodeDay(b, &r); err != nil {
				return fmt.Errorf("%s: %w", d, err)
			}
			return fn(d, &r)
		})
	})
}

// eachEvent calls fn with a partner's events of the months from the
// month of one date to the month of another (both included), in time
// order; fn must not write.
func eachEvent(c *bolt.Cursor, partner string, from, to bot.Date, fn func(e *bot.Event) error) error {
	n := recLen(partner)
	start := monthKey(partner, from)
	end := monthKey(partner, firstOfMonth(to).AddDays(31))
	for k, v := c.Seek(start); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
		if len(k) < n || !hasPrefix(k, start[:n-4]) {
			return nil
		}
		run, err := keyEvents(k, n, v)
		if err != nil {
			return fmt.Errorf("events of %q: %w", k, err)
		}
		for i := range run {
			e, err := decodeEventVal(partner, run[i].at, run[i].id, run[i].val)
			if err != nil {
				return fmt.Errorf("event %q: %w", run[i].id, err)
			}
			if err := fn(&e); err != nil {
				return err
			}
		}
	}
	return nil
}

// allDays is the widest range of days: every record and event.
var allDays = [2]bot.Date{{Year: 1000, Month: 1, Day: 1}, {Year: 9999, Month: 12, Day: 1}}

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
	life lifeStep // pending, approved, paid changes and what matures; day unused
}

func (r *dayRec) zero() bool {
	return r.t == (bot.Totals{}) && r.life.zero()
}

// Day records: a format byte then the totals as varints, in the order
// of encodeTotals; format 2 goes on with the lifecycle changes (pending,
// approved, paid), format 3 with what matures too (lifeStep). A day
// without lifecycle changes is written in format 1.
const (
	dayFormatLife    = 2
	dayFormatMatures = 3
)

func encodeDay(r *dayRec) []byte {
	return appendDay(make([]byte, 0, 1+15*binary.MaxVarintLen64), r)
}

// appendDay appends encodeDay's encoding to b.
func appendDay(b []byte, r *dayRec) []byte {
	f := len(b)
	b = appendTotals(b, &r.t)
	if r.life.zero() {
		return b
	}
	b[f] = dayFormatLife
	b = binary.AppendVarint(b, int64(r.life.pending))
	b = binary.AppendVarint(b, int64(r.life.approved))
	b = binary.AppendVarint(b, int64(r.life.paid))
	if r.life.matures == 0 {
		return b
	}
	b[f] = dayFormatMatures
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

// monthRec is a partner's month: its lifecycle changes (the sum of its
// days'), its days, by day of the month (1 to 31, those whose bit is set
// in has), and its first events, those before its first run, kept in the
// record as encoded (appendEvents): a batch adds to them without
// decoding them.
type monthRec struct {
	life    lifeStep
	days    [32]dayRec
	has     uint32
	events  []byte
	hasRuns bool // some of its events are in runs after it
}

func (m *monthRec) day(d int) *dayRec {
	m.has |= 1 << d
	return &m.days[d]
}

func (m *monthRec) zero() bool {
	if !m.life.zero() || len(m.events) > 0 {
		return false
	}
	for d := 1; d < 32; d++ {
		if m.has&(1<<d) != 0 && !m.days[d].zero() {
			return false
		}
	}
	return true
}

// A month record: the format byte; a flags byte (1: the month has runs);
// the month's lifecycle changes
// (encodeLife) after their length as a uvarint; its days after their
// length as a uvarint, each the day of the month, its record's length as
// a uvarint and its record (encodeDay); then the month's first events
// (appendEvents).
const monthFormat = 4

func encodeMonth(m *monthRec) []byte {
	// One allocation a record: the parts are built on the stack first,
	// as their lengths come before them.
	var lifeBuf [1 + 4*binary.MaxVarintLen64]byte
	life := appendLife(lifeBuf[:0], &m.life)
	var daysBuf [1024]byte
	days := daysBuf[:0]
	var rec [1 + 15*binary.MaxVarintLen64]byte
	for d := 1; d < 32; d++ {
		r := &m.days[d]
		if m.has&(1<<d) == 0 || r.zero() {
			continue
		}
		enc := appendDay(rec[:0], r)
		days = append(days, byte(d))
		days = binary.AppendUvarint(days, uint64(len(enc)))
		days = append(days, enc...)
	}
	b := make([]byte, 0, 2+2*binary.MaxVarintLen16+len(life)+len(days)+len(m.events))
	b = append(b, monthFormat, 0)
	if m.hasRuns {
		b[1] = 1
	}
	b = binary.AppendUvarint(b, uint64(len(life)))
	b = append(b, life...)
	b = binary.AppendUvarint(b, uint64(len(days)))
	b = append(b, days...)
	return append(b, m.events...)
}

// monthParts splits a month record into its lifecycle changes, its days
// and its events.
func monthParts(v []byte) (life, days, events []byte, err error) {
	if len(v) < 2 || v[0] != monthFormat {
		return nil, nil, nil, fmt.Errorf("unknown month record format")
	}
	life, rest, ok := prefixed(v[2:])
	if ok {
		days, events, ok = prefixed(rest)
	}
	if !ok {
		return nil, nil, nil, fmt.Errorf("malformed month record")
	}
	return life, days, events, nil
}

// monthLife decodes a month record's lifecycle changes.
func monthLife(v []byte, s *lifeStep) error {
	life, _, _, err := monthParts(v)
	if err != nil {
		return err
	}
	return decodeLife(life, s)
}

// monthDays calls fn with each day of a month record and its record.
func monthDays(v []byte, fn func(day int, rec []byte) error) error {
	_, days, _, err := monthParts(v)
	if err != nil {
		return err
	}
	return eachDayEntry(days, fn)
}

// eachDayEntry calls fn with each day in a month record's days part.
func eachDayEntry(days []byte, fn func(day int, rec []byte) error) error {
	for len(days) > 0 {
		day := int(days[0])
		rec, rest, ok := prefixed(days[1:])
		if !ok || day < 1 || day > 31 {
			return fmt.Errorf("malformed month record")
		}
		if err := fn(day, rec); err != nil {
			return err
		}
		days = rest
	}
	return nil
}

// monthEvents returns the events a month record keeps; they point into v.
func monthEvents(v []byte) ([]runEvent, error) {
	_, _, events, err := monthParts(v)
	if err != nil {
		return nil, err
	}
	return decodeEvents(events)
}

func decodeMonth(v []byte, m *monthRec) error {
	*m = monthRec{}
	life, days, events, err := monthParts(v)
	if err != nil {
		return err
	}
	if err := decodeLife(life, &m.life); err != nil {
		return err
	}
	m.hasRuns = v[1]&1 != 0
	// Kept past writes to the ledger, which may move v.
	m.events = bytes.Clone(events)
	return eachDayEntry(days, func(day int, b []byte) error {
		return decodeDay(b, m.day(day))
	})
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

// rebuildLedger recounts every month record from the events and
// commission items, in loc with hold days: after a change of time zone or
// hold, a currency migration, or a migration of the layout.
func rebuildLedger(tx *bolt.Tx, loc *time.Location, hold int) error {
	lg := tx.Bucket(bucketLedger)
	return forEachPartner(lg, func(partner string) error {
		return rebuildPartner(lg, partner, loc, hold)
	})
}

// rebuildPartner recounts a partner's month records from its events and
// commission items, and writes its events again in the months of loc.
func rebuildPartner(lg *bolt.Bucket, partner string, loc *time.Location, hold int) error {
	var old [][]byte
	var evs []runEvent
	n := recLen(partner)
	c := lg.Cursor()
	prefix := ledgerPrefix(partner, sepDays)
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		old = append(old, bytes.Clone(k))
		run, err := keyEvents(k, n, v)
		if err != nil {
			return fmt.Errorf("events of %q: %w", k, err)
		}
		for _, e := range run {
			e.val = bytes.Clone(e.val)
			evs = append(evs, e)
		}
	}
	for _, k := range old {
		if err := lg.Delete(k); err != nil {
			return err
		}
	}
	return rebuildPartnerFrom(lg, partner, loc, hold, evs)
}

// rebuildPartnerFrom writes a partner's month records and runs from its
// events (the ledger holding none of its months) and its commission
// items, in loc with hold days.
func rebuildPartnerFrom(lg *bolt.Bucket, partner string, loc *time.Location, hold int, evs []runEvent) error {
	months := map[string]*monthRec{}
	byMonth := map[string][]runEvent{}
	life := newLifeDeltas()
	sales := map[string][]byte{} // sales with commission: id → the entry of their item
	for _, re := range evs {
		e, err := decodeEventVal(partner, re.at, re.id, re.val)
		if err != nil {
			return fmt.Errorf("event %q: %w", re.id, err)
		}
		d := bot.DateOf(e.At, loc)
		mk := string(monthKey(partner, d))
		m := months[mk]
		if m == nil {
			m = new(monthRec)
			months[mk] = m
		}
		m.day(d.Day).t.Add(&e)
		byMonth[mk] = append(byMonth[mk], re)
		if e.Type == bot.EventPayout {
			life.add(partner, []lifeStep{{day: d, paid: e.Amount}}, 1)
		}
		if e.Type == bot.EventSale && e.Commission != 0 {
			sales[e.ID] = appendEntry(nil, &e)
		}
	}
	c := lg.Cursor()
	prefix := ledgerPrefix(partner, sepItems)
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
	keys := make([]string, 0, len(byMonth))
	for mk := range byMonth {
		keys = append(keys, mk)
	}
	sort.Strings(keys)
	for _, mk := range keys {
		if err := writeEvents(lg, []byte(mk), months[mk], byMonth[mk]); err != nil {
			return err
		}
	}
	return life.apply(lg, months)
}

// deletePartnerLedger removes every record of a partner from the ledger
// and its events from bucketEvents, and returns how many events it had.
func deletePartnerLedger(tx *bolt.Tx, partner string) (int, error) {
	lg, evb := tx.Bucket(bucketLedger), tx.Bucket(bucketEvents)
	var ids []string
	err := eachEvent(lg.Cursor(), partner, allDays[0], allDays[1], func(e *bot.Event) error {
		ids = append(ids, e.ID)
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := evb.Delete([]byte(id)); err != nil {
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
	_ = eachEvent(lg.Cursor(), partner, allDays[0], allDays[1], func(*bot.Event) error {
		n++
		return nil
	})
	return n
}
