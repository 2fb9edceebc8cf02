package store

// The commission lifecycle: what a partner has pending, approved and paid.
//
// A commission item is one amount of commission a partner may be paid,
// named by a ref within the partner. The events that make and change
// items, and what they do (bot.Event, DESIGN.md "Commission lifecycle"):
//
//   - a sale with commission c: the item named by the sale's own id gets
//     c, created at the sale's time, pending;
//   - a refund with commission c and a ref: c is taken back from the item
//     named by ref, at the refund's time; a refund with commission and no
//     ref, or a ref that names no item, makes a negative item (-c) created
//     at the refund's time (named by the ref, or by the refund's own id);
//   - a commission event (ref required; commission may be negative, a
//     clawback; state pending, approved or void, pending when empty): when
//     no item has that ref yet it creates one with that amount and state
//     (created void, it never counts); on an existing item, approved
//     approves it from the event's time when that is before its hold
//     ends, void takes it back from the event's time (for good: later
//     events change nothing), and a non-zero commission replaces its
//     amount from the event's time;
//   - a payout pays: paid is the sum of all payouts.
//
// An item is pending from the day it was created for commissions.hold_days
// days (the return window), then approved, unless the platform approved or
// voided it earlier. Days are the program's calendar days. What is to be
// paid is all approved commission less all payouts, both all-time as of a
// day, never a per-period difference.
//
// The events of an item are applied in time order (then id order), never
// in the order they arrived, so the lifecycle is a function of the set of
// events stored: a refund that arrives before its sale still takes the
// commission back from the sale's item, and a rebuild (time zone or hold
// change) gives the same figures as the live updates.
//
// Storage (ledger.go): the ledger keeps each item's events (partner 0x01
// ref → the entries, appended as they arrive), except an item whose only
// entry is its sale, which the sale keeps. From them each item's
// contribution is a step function over days; the store keeps its
// day-by-day changes, summed over a partner's items, in the days of the
// partner's month records and again in the months, with payouts beside
// them. The hold's end is the exception: what it approves is kept on the
// day the item was created, as matures, and reads move it from pending to
// approved hold days later, so a sale writes nothing in the month its
// hold ends. The figures as of a day are then the months before it plus
// the days of its month so far: one record a month, whatever the number
// of sales. The net change (pending + approved) of each day is the day's
// commission in the daily totals.

import (
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// DefaultHoldDays is how long commission stays pending when the program
// configures no hold: a 30-day return window.
const DefaultHoldDays = 30

// itemEntry is one event of a commission item, as kept in the ledger.
type itemEntry struct {
	at    time.Time
	typ   bot.EventType
	state bot.CommissionState
	c     bot.Amount
	id    string
}

var stateCodes = [...]bot.CommissionState{"", bot.CommissionPending, bot.CommissionApproved, bot.CommissionVoid}

func stateCode(s bot.CommissionState) byte {
	for i, k := range stateCodes {
		if k == s {
			return byte(i)
		}
	}
	return 0
}

// itemRef returns the ref of the item an event changes, and whether it
// changes one at all.
func itemRef(e *bot.Event) (string, bool) {
	switch e.Type {
	case bot.EventSale:
		return e.ID, e.Commission != 0
	case bot.EventRefund:
		if e.Commission == 0 {
			return "", false
		}
		if e.Ref == "" {
			return e.ID, true
		}
		return e.Ref, true
	case bot.EventCommission:
		return e.Ref, true
	}
	return "", false
}

// appendEntry encodes one entry: BE(time) type state varint(commission)
// uvarint(len id) id.
func appendEntry(b []byte, e *bot.Event) []byte {
	b = binary.BigEndian.AppendUint64(b, timeBits(e.At))
	b = append(b, typeIndex(e.Type), stateCode(e.State))
	b = binary.AppendVarint(b, int64(e.Commission))
	b = binary.AppendUvarint(b, uint64(len(e.ID)))
	return append(b, e.ID...)
}

func decodeEntries(b []byte) ([]itemEntry, error) {
	var out []itemEntry
	for len(b) > 0 {
		if len(b) < 10 || int(b[8]) >= len(bot.EventTypes) || int(b[9]) >= len(stateCodes) {
			return nil, fmt.Errorf("malformed commission item entry")
		}
		en := itemEntry{at: bitsTime(binary.BigEndian.Uint64(b)), typ: bot.EventTypes[b[8]], state: stateCodes[b[9]]}
		b = b[10:]
		c, n := binary.Varint(b)
		if n <= 0 {
			return nil, fmt.Errorf("malformed commission in item entry")
		}
		b = b[n:]
		l, m := binary.Uvarint(b)
		if m <= 0 || uint64(len(b)-m) < l {
			return nil, fmt.Errorf("malformed id in item entry")
		}
		en.c, en.id = bot.Amount(c), string(b[m:m+int(l)])
		b = b[m+int(l):]
		out = append(out, en)
	}
	return out, nil
}

// lifeStep is the change of an item's (or a partner's) pending and
// approved commission and payouts on one day. matures is commission
// created on that day that moves from pending to approved when the hold
// ends, hold days later: it is kept on the day it was created rather than
// written as a change of the day the hold ends, so a sale writes no
// record of a day (or month) it did not happen in. Reads add it at
// day+hold (commissionsAsOf); it leaves the day's net commission as it
// is.
type lifeStep struct {
	day                     bot.Date
	pending, approved, paid bot.Amount
	matures                 bot.Amount
}

// zero reports whether the step changes nothing.
func (s *lifeStep) zero() bool {
	return s.pending == 0 && s.approved == 0 && s.paid == 0 && s.matures == 0
}

// itemCurve folds an item's entries, in time then id order, into the day
// by day changes of its pending and approved amounts. hold is the number
// of days an item stays pending (0: approved the day it is created).
func itemCurve(entries []itemEntry, loc *time.Location, hold int) []lifeStep {
	sort.SliceStable(entries, func(i, j int) bool {
		if !entries[i].at.Equal(entries[j].at) {
			return entries[i].at.Before(entries[j].at)
		}
		return entries[i].id < entries[j].id
	})
	type change struct {
		day   bot.Date
		value bot.Amount
	}
	var (
		created          bool
		createdDay       bot.Date
		value            bot.Amount
		changes          []change
		approvedDay      bot.Date
		voidDay          bot.Date
		approved, voided bool
	)
	for _, en := range entries {
		if voided {
			break // void is final
		}
		d := bot.DateOf(en.at, loc)
		if !created {
			created, createdDay = true, d
			switch en.typ {
			case bot.EventRefund:
				value = -en.c
			default:
				value = en.c
			}
			changes = append(changes, change{d, value})
			if en.typ == bot.EventCommission {
				switch en.state {
				case bot.CommissionApproved:
					approved, approvedDay = true, d
				case bot.CommissionVoid:
					voided, voidDay = true, d
				}
			}
			continue
		}
		switch en.typ {
		case bot.EventSale:
			value += en.c
			changes = append(changes, change{d, value})
		case bot.EventRefund:
			value -= en.c
			changes = append(changes, change{d, value})
		case bot.EventCommission:
			if en.c != 0 {
				value = en.c
				changes = append(changes, change{d, value})
			}
			switch en.state {
			case bot.CommissionApproved:
				if !approved {
					approved, approvedDay = true, d
				}
			case bot.CommissionVoid:
				voided, voidDay = true, d
			}
		}
	}
	if !created {
		return nil
	}
	a := createdDay.AddDays(hold)
	// The hold ends on a unless the platform approved the item earlier:
	// then what is pending on a matures (is approved) by the hold, and is
	// kept on the created day as matures rather than as a change on a.
	byHold := hold > 0
	if approved && approvedDay.Before(a) {
		a, byHold = approvedDay, false
	}
	days := make([]bot.Date, 0, len(changes)+2)
	for _, c := range changes {
		days = append(days, c.day)
	}
	days = append(days, a)
	if voided {
		days = append(days, voidDay)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	var out []lifeStep
	var prevP, prevA bot.Amount
	ci := 0
	var val bot.Amount
	for i, d := range days {
		if i > 0 && d == days[i-1] {
			continue
		}
		for ci < len(changes) && !changes[ci].day.After(d) {
			val = changes[ci].value
			ci++
		}
		var p, ap bot.Amount
		switch {
		case voided && !d.Before(voidDay):
		case !d.Before(a):
			ap = val
		default:
			p = val
		}
		step := lifeStep{day: d, pending: p - prevP, approved: ap - prevA}
		if byHold && d == a && prevP != 0 && (!voided || d.Before(voidDay)) {
			// The hold's end: what was pending moves to approved.
			step.pending += prevP
			step.approved -= prevP
			out = append(out, lifeStep{day: createdDay, matures: prevP})
		}
		if step.pending != 0 || step.approved != 0 {
			out = append(out, step)
		}
		prevP, prevA = p, ap
	}
	return out
}

// lifeDeltas gathers changes to partners' lifecycle records and daily
// commission before they are written.
type lifeDeltas struct {
	days   map[string]*lifeStep // dayKey → change
	months map[string]*lifeStep // monthKey → change
	net    map[string]bot.Amount
}

func newLifeDeltas() *lifeDeltas {
	return &lifeDeltas{days: map[string]*lifeStep{}, months: map[string]*lifeStep{}, net: map[string]bot.Amount{}}
}

// add adds (sign +1) or takes away (sign -1) steps of partner.
func (l *lifeDeltas) add(partner string, steps []lifeStep, sign bot.Amount) {
	for _, s := range steps {
		dk, mk := string(dayKey(partner, s.day)), string(monthKey(partner, s.day))
		addStep(l.days, dk, s, sign)
		addStep(l.months, mk, s, sign)
		if n := s.pending + s.approved; n != 0 {
			l.net[dk] += sign * n
		}
	}
}

func addStep(m map[string]*lifeStep, k string, s lifeStep, sign bot.Amount) {
	t := m[k]
	if t == nil {
		t = new(lifeStep)
		m[k] = t
	}
	t.add(&s, sign)
}

// add adds sign times o's changes to s.
func (s *lifeStep) add(o *lifeStep, sign bot.Amount) {
	s.pending += sign * o.pending
	s.approved += sign * o.approved
	s.paid += sign * o.paid
	s.matures += sign * o.matures
}

// apply writes the gathered changes into the ledger's month records:
// through recs, the records the caller is writing (those not there are
// read from the ledger first), which are all written at the end, deleted
// when nothing is left in them.
func (l *lifeDeltas) apply(lg *bolt.Bucket, recs map[string]*monthRec) error {
	rec := func(mk string) (*monthRec, error) {
		m := recs[mk]
		if m == nil {
			m = new(monthRec)
			if v := lg.Get([]byte(mk)); v != nil {
				if err := decodeMonth(v, m); err != nil {
					return nil, fmt.Errorf("month %q: %w", mk, err)
				}
			}
			recs[mk] = m
		}
		return m, nil
	}
	for mk, d := range l.months {
		if d.zero() {
			continue
		}
		m, err := rec(mk)
		if err != nil {
			return err
		}
		m.life.add(d, 1)
	}
	// Days are named by dayKey: partner 0x00 BE(YYYYMMDD).
	day := func(dk string) (*dayRec, error) {
		d := bot.DateFromKey(binary.BigEndian.Uint32([]byte(dk[len(dk)-4:])))
		m, err := rec(string(monthKey(dk[:len(dk)-5], d)))
		if err != nil {
			return nil, err
		}
		return m.day(d.Day), nil
	}
	for dk, d := range l.days {
		if d.zero() {
			continue
		}
		r, err := day(dk)
		if err != nil {
			return err
		}
		r.life.add(d, 1)
	}
	for dk, n := range l.net {
		if n == 0 {
			continue
		}
		r, err := day(dk)
		if err != nil {
			return err
		}
		r.t.Commission += n
	}
	// In key order: each Put's path down the tree is mostly the last one's.
	keys := make([]string, 0, len(recs))
	for mk := range recs {
		keys = append(keys, mk)
	}
	sort.Strings(keys)
	for _, mk := range keys {
		m := recs[mk]
		var err error
		if m.zero() {
			err = lg.Delete([]byte(mk))
		} else {
			err = lg.Put([]byte(mk), encodeMonth(m))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Month records: a format byte, then pending, approved and paid changes
// as varints; format 2 (schema 11) goes on with what matures, for months
// where commission was created that the hold later approves.
const (
	lifeFormat        = 1
	lifeFormatMatures = 2
)

func encodeLife(s *lifeStep) []byte {
	return appendLife(make([]byte, 0, 1+4*binary.MaxVarintLen64), s)
}

// appendLife appends encodeLife's encoding to b.
func appendLife(b []byte, s *lifeStep) []byte {
	f := len(b)
	b = append(b, lifeFormat)
	b = binary.AppendVarint(b, int64(s.pending))
	b = binary.AppendVarint(b, int64(s.approved))
	b = binary.AppendVarint(b, int64(s.paid))
	if s.matures == 0 {
		return b
	}
	b[f] = lifeFormatMatures
	return binary.AppendVarint(b, int64(s.matures))
}

func decodeLife(b []byte, s *lifeStep) error {
	if len(b) == 0 || (b[0] != lifeFormat && b[0] != lifeFormatMatures) {
		return fmt.Errorf("unknown lifecycle format")
	}
	n := 3
	if b[0] == lifeFormatMatures {
		n = 4
	}
	b = b[1:]
	var f [4]int64
	for i := range n {
		v, m := binary.Varint(b)
		if m <= 0 {
			return fmt.Errorf("truncated lifecycle entry")
		}
		f[i], b = v, b[m:]
	}
	if len(b) != 0 {
		return fmt.Errorf("lifecycle entry too long")
	}
	s.pending, s.approved, s.paid, s.matures = bot.Amount(f[0]), bot.Amount(f[1]), bot.Amount(f[2]), bot.Amount(f[3])
	return nil
}

// commissionsAsOf returns a partner's pending and approved commission and
// all payouts, all-time as of the end of day d, with hold days of hold:
// the changes of the months before d's month, then of d's month day by
// day; and what matured by d, created on or before d-hold: the months
// before that day's month, then its month day by day.
func commissionsAsOf(tx *bolt.Tx, partner string, d bot.Date, hold int) (bot.Commissions, error) {
	var sum, s lifeStep
	var matured bot.Amount
	cut := d.AddDays(-hold)
	dm, cm := firstOfMonth(d), firstOfMonth(cut)
	var r dayRec
	err := eachMonth(tx.Bucket(bucketLedger).Cursor(), partner, allDays[0], d, func(month bot.Date, v []byte) error {
		if err := monthLife(v, &s); err != nil {
			return fmt.Errorf("month %s: %w", month, err)
		}
		if month.Before(cm) {
			matured += s.matures
		}
		if month.Before(dm) {
			sum.add(&s, 1)
		}
		if month != dm && month != cm {
			return nil
		}
		return monthDays(v, func(day int, b []byte) error {
			if err := decodeDay(b, &r); err != nil {
				return fmt.Errorf("month %s, day %d: %w", month, day, err)
			}
			if month == dm && day <= d.Day {
				sum.add(&r.life, 1)
			}
			if month == cm && day <= cut.Day {
				matured += r.life.matures
			}
			return nil
		})
	})
	if err != nil {
		return bot.Commissions{}, err
	}
	return bot.Commissions{Pending: sum.pending - matured, Approved: sum.approved + matured, Paid: sum.paid}, nil
}

// Commissions returns a partner's commission lifecycle all-time as of the
// end of day d: pending, approved, paid, and so what is to be paid.
// Returns ENOTFOUND when the partner does not exist.
func (s *Store) Commissions(ctx context.Context, partner string, d bot.Date) (bot.Commissions, error) {
	var out bot.Commissions
	err := s.viewLedger(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketPartners).Get([]byte(partner)) == nil {
			return notFound("partner", partner)
		}
		var err error
		out, err = commissionsAsOf(tx, partner, d, s.hold)
		return err
	})
	return out, err
}

// addPartialCommission counts an event's commission in totals of part of
// a day (StatsAt's boundary day), where the lifecycle's day-by-day change
// does not apply: a sale earns its commission and a refund takes its
// back, at their instants. A commission event's effect depends on its
// item's whole history, so it counts in whole days only.
func addPartialCommission(t *bot.Totals, e *bot.Event) {
	switch e.Type {
	case bot.EventSale:
		t.Commission += e.Commission
	case bot.EventRefund:
		t.Commission -= e.Commission
	}
}
