package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// Ingest stores events atomically: all of them in one transaction with
// their daily totals and commission lifecycle, or none. An event whose id
// is already stored (or appears earlier in evs) is a duplicate: counted,
// never stored again. lines gives each event's line in its input for
// errors; nil means position+1. Events must already be valid
// (bot.Event.Validate).
//
// Money in another currency: an event whose Currency is set and is not
// the program currency carries Amount and Commission in minor units of
// that currency, as reported. Ingest converts them to the program currency
// at the rate in force on the event's day in the program's time zone (see
// SetRate, bot.Rate.Convert for the rounding) and keeps the reported ones
// in OrigAmount and OrigCommission (whatever the caller put there). An
// event in the program currency is stored with Currency ""; one with no
// money at all (a commission event changing only a state) needs no rate.
//
// The commission lifecycle the events drive is described in lifecycle.go.
//
// Returns, with Line set and nothing stored: EINVALID on field "partner"
// when an event names an unknown partner; ENORATE on field "currency" when
// no rate of its currency is in force on its day; EINVALID on field
// "amount" when a converted amount exceeds bot.MaxAmount or the request
// would take the ledger's money past bot.MaxLedgerMoney.
func (s *Store) Ingest(ctx context.Context, evs []bot.Event, lines []int) (bot.IngestResult, error) {
	var res bot.IngestResult
	if err := ctx.Err(); err != nil {
		return res, err
	}
	var days map[uint32]bool
	err := s.db.Update(func(tx *bolt.Tx) error {
		res = bot.IngestResult{}
		days = map[uint32]bool{}
		return s.ingestTx(tx, evs, lines, &res, days)
	})
	if err != nil {
		if bot.AsError(err) != nil {
			return bot.IngestResult{}, err
		}
		return bot.IngestResult{}, fmt.Errorf("ingest %d events: %w", len(evs), err)
	}
	s.touchMonths(days)
	return res, nil
}

// The times an event may have: the instants whose nanoseconds since 1970
// fit in an int64 (timeBits), whole years.
var (
	minEventTime = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	maxEventTime = time.Date(2261, 12, 31, 23, 59, 59, 0, time.UTC)
)

// errInjected lets tests fail a transaction after some of its writes.
var errInjected = errors.New("injected failure")

// ingestTx writes evs in tx: admit checks and indexes them, and they are
// staged, or folded into the ledger with the events staged before them
// (see stage.go). s.failAfter, when positive, fails the transaction after
// that many events were admitted: the tests' way to break a request in
// the middle.
func (s *Store) ingestTx(tx *bolt.Tx, evs []bot.Event, lines []int, res *bot.IngestResult, days map[uint32]bool) error {
	acc, err := s.admit(tx, evs, lines, res, days)
	if err != nil || len(acc) == 0 {
		return err
	}
	return s.stage(tx, acc)
}

// admit does what Ingest promises of a request: it refuses the whole of
// it on a bad event, counts duplicates, converts foreign money, keeps
// the ledger's money sum and writes each accepted event's id into the
// events index, so that what it returns, the accepted events as stored,
// is final once tx commits. The ledger itself is written by applyLedger.
func (s *Store) admit(tx *bolt.Tx, evs []bot.Event, lines []int, res *bot.IngestResult, days map[uint32]bool) ([]bot.Event, error) {
	loc := s.loc
	partners := tx.Bucket(bucketPartners)
	events := tx.Bucket(bucketEvents)
	// Ids often come in ascending order (a platform's sequence, a
	// backfill): fuller pages then stay full instead of half empty.
	events.FillPercent = 0.9
	meta := tx.Bucket(bucketMeta)
	rates := newRateCache(tx.Bucket(bucketRates))
	money := ledgerMoney(meta)
	known := map[string]bool{}
	lineOf := func(i int) int {
		if lines != nil {
			return lines[i]
		}
		return i + 1
	}
	acc := make([]bot.Event, 0, len(evs))
	for i := range evs {
		// A copy: conversion changes it, and the caller's events must stay
		// as given, since a group commit may run this function again.
		ev := evs[i]
		e := &ev
		ok, seen := known[e.Partner]
		if !seen {
			ok = partners.Get([]byte(e.Partner)) != nil
			known[e.Partner] = ok
		}
		if !ok {
			return nil, &bot.Error{Code: bot.EINVALID, Line: lineOf(i), Field: "partner", Message: fmt.Sprintf("unknown partner %q", e.Partner)}
		}
		if e.At.Before(minEventTime) || e.At.After(maxEventTime) {
			// Times are kept as nanoseconds since 1970 in an int64.
			return nil, &bot.Error{Code: bot.EINVALID, Line: lineOf(i), Field: "at",
				Message: fmt.Sprintf("time %s is out of range: events are kept from %d to %d", e.At.Format(time.RFC3339), minEventTime.Year(), maxEventTime.Year())}
		}
		id := []byte(e.ID)
		if events.Get(id) != nil {
			res.Duplicates++
			continue
		}
		day := bot.DateOf(e.At, loc)
		if err := s.convert(e, day, rates); err != nil {
			if be := bot.AsError(err); be != nil {
				c := *be
				c.Line = lineOf(i)
				return nil, &c
			}
			return nil, err
		}
		var err error
		if money, err = addMoney(money, e); err != nil {
			be := *bot.AsError(err)
			be.Line = lineOf(i)
			return nil, &be
		}
		if err := events.Put(id, indexValue(e)); err != nil {
			return nil, err
		}
		days[day.Key()] = true
		acc = append(acc, *e)
		res.Accepted++
		if s.failAfter > 0 && res.Accepted >= s.failAfter {
			return nil, errInjected
		}
	}
	if len(acc) == 0 {
		return nil, nil
	}
	return acc, meta.Put(keyLedgerMoney, binary.BigEndian.AppendUint64(nil, uint64(money)))
}

// applyLedger writes admitted events (admit) into the ledger, in order:
// their months' day totals and events, commission items and lifecycle.
// A batch often holds many events of one partner and month, so each
// month's record is read and written once.
func (s *Store) applyLedger(tx *bolt.Tx, evs []bot.Event) error {
	loc := s.loc
	events := tx.Bucket(bucketEvents)
	lg := tx.Bucket(bucketLedger)
	touched := map[string]*monthRec{}
	runs := map[string][]runEvent{}
	var runOrder []string
	// Commission items touched, with their entries before the batch.
	type itemChange struct {
		partner, ref  string
		before, after []byte
	}
	changed := map[string]*itemChange{}
	var itemOrder []string
	life := newLifeDeltas()
	for i := range evs {
		e := &evs[i]
		day := bot.DateOf(e.At, loc)
		mk := string(monthKey(e.Partner, day))
		m := touched[mk]
		if m == nil {
			m = new(monthRec)
			if v := lg.Get([]byte(mk)); v != nil {
				if err := decodeMonth(v, m); err != nil {
					return fmt.Errorf("month %q: %w", mk, err)
				}
			}
			touched[mk] = m
		}
		m.day(day.Day).t.Add(e)
		if _, ok := runs[mk]; !ok {
			runOrder = append(runOrder, mk)
		}
		runs[mk] = append(runs[mk], runEvent{at: e.At, id: e.ID, val: encodeEvent(e)})
		if e.Type == bot.EventPayout {
			life.add(e.Partner, []lifeStep{{day: day, paid: e.Amount}}, 1)
		}
		if ref, ok := itemRef(e); ok {
			ik := string(itemKey(e.Partner, ref))
			ch := changed[ik]
			if ch == nil {
				v := lg.Get([]byte(ik))
				if v == nil && e.Type != bot.EventSale {
					// Perhaps a sale that keeps its item in itself.
					var err error
					if v, err = saleItem(lg, events, loc, e.Partner, ref); err != nil {
						return fmt.Errorf("commission item %q: %w", ik, err)
					}
				}
				ch = &itemChange{partner: e.Partner, ref: ref, before: v, after: bytes.Clone(v)}
				changed[ik] = ch
				itemOrder = append(itemOrder, ik)
			}
			ch.after = appendEntry(ch.after, e)
		}
	}
	for _, ik := range itemOrder {
		ch := changed[ik]
		before, err := decodeEntries(ch.before)
		if err != nil {
			return fmt.Errorf("commission item %q: %w", ik, err)
		}
		after, err := decodeEntries(ch.after)
		if err != nil {
			return fmt.Errorf("commission item %q: %w", ik, err)
		}
		life.add(ch.partner, itemCurve(before, loc, s.hold), -1)
		life.add(ch.partner, itemCurve(after, loc, s.hold), 1)
		if ch.before == nil && implicitItem(ch.ref, ch.after) {
			continue // a new sale's item, kept in the sale
		}
		if err := lg.Put([]byte(ik), ch.after); err != nil {
			return err
		}
	}
	// Events first: a month's record keeps its first events, and the
	// lifecycle's changes then write the records.
	sort.Strings(runOrder)
	for _, mk := range runOrder {
		if err := writeEvents(lg, []byte(mk), touched[mk], runs[mk]); err != nil {
			return err
		}
	}
	return life.apply(lg, touched)
}

// ledgerMoney returns the sum of the absolute values of the money stored.
func ledgerMoney(meta *bolt.Bucket) int64 {
	if v := meta.Get(keyLedgerMoney); len(v) == 8 {
		return int64(binary.BigEndian.Uint64(v))
	}
	return 0
}

// addMoney adds an event's money to the ledger's sum, refusing to go past
// bot.MaxLedgerMoney: every sum partnerbot shows stays exact.
func addMoney(sum int64, e *bot.Event) (int64, error) {
	for _, a := range []bot.Amount{e.Amount, e.Commission} {
		if a < 0 {
			a = -a
		}
		if a > bot.MaxAmount || sum > bot.MaxLedgerMoney-int64(a) {
			return sum, bot.KeyedField("amount", "store.ledger_full", "this request would take the money partnerbot keeps past the largest sum it can add up exactly (%s in minor units); nothing was stored: check the amounts (are they in major units, like 129.99?)",
				bot.Amount(bot.MaxLedgerMoney).Decimal(0))
		}
		sum += int64(a)
	}
	return sum, nil
}

// HasEvent reports whether an event with this id is stored.
func (s *Store) HasEvent(ctx context.Context, id string) (bool, error) {
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bucketEvents).Get([]byte(id)) != nil
		return nil
	})
	return ok, err
}

// Totals adds up a partner's daily totals from one day to another, both
// included.
func (s *Store) Totals(ctx context.Context, partner string, from, to bot.Date) (bot.Totals, error) {
	var t bot.Totals
	err := s.viewLedger(func(tx *bolt.Tx) error {
		var err error
		t, err = sumDays(tx.Bucket(bucketLedger), partner, from, to)
		return err
	})
	return t, err
}

func sumDays(lg *bolt.Bucket, partner string, from, to bot.Date) (bot.Totals, error) {
	var sum bot.Totals
	err := eachDay(lg.Cursor(), partner, from, to, func(_ bot.Date, r *dayRec) error {
		sum.Merge(r.t)
		return nil
	})
	return sum, err
}

// DailyTotals calls fn for each day from one date to another (both
// included) on which the partner had any event, in date order.
func (s *Store) DailyTotals(ctx context.Context, partner string, from, to bot.Date, fn func(bot.Date, bot.Totals) error) error {
	return s.viewLedger(func(tx *bolt.Tx) error {
		return eachDay(tx.Bucket(bucketLedger).Cursor(), partner, from, to, func(d bot.Date, r *dayRec) error {
			if r.t == (bot.Totals{}) {
				return nil // a day when only commission's lifecycle moved
			}
			return fn(d, r.t)
		})
	})
}

// Stats returns a partner's stats for period p beside the period before,
// counted like for like when p is still running on today, with the
// commission lifecycle all-time as of the last day counted of each. Returns
// ENOTFOUND when the partner does not exist.
func (s *Store) Stats(ctx context.Context, partner string, p bot.Period, today bot.Date, cur bot.Currency) (bot.Stats, error) {
	st := bot.Stats{Partner: partner, Currency: cur, Period: p}
	st.Through, st.PrevPeriod, st.PrevThrough = p.Comparable(today)
	err := s.viewLedger(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketPartners).Get([]byte(partner)) == nil {
			return notFound("partner", partner)
		}
		daily := tx.Bucket(bucketLedger)
		var err error
		if st.Current, err = sumDays(daily, partner, p.From, st.Through); err != nil {
			return err
		}
		if st.Previous, err = sumDays(daily, partner, st.PrevPeriod.From, st.PrevThrough); err != nil {
			return err
		}
		if st.Owed, err = commissionsAsOf(tx, partner, st.Through, s.hold); err != nil {
			return err
		}
		st.PrevOwed, err = commissionsAsOf(tx, partner, st.PrevThrough, s.hold)
		return err
	})
	return st, err
}

// PartnerEvents returns a partner's events from start (included) to end
// (excluded) in time order; types, when given, filters them.
func (s *Store) PartnerEvents(ctx context.Context, partner string, start, end time.Time, types ...bot.EventType) ([]bot.Event, error) {
	var out []bot.Event
	err := s.viewLedger(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketLedger).Cursor()
		return eachEvent(c, partner, bot.DateOf(start, s.loc), bot.DateOf(end, s.loc), func(e *bot.Event) error {
			if e.At.Before(start) || !e.At.Before(end) || len(types) > 0 && !hasType(types, e.Type) {
				return nil
			}
			out = append(out, *e)
			return nil
		})
	})
	return out, err
}

// EventCount returns how many events are stored.
func (s *Store) EventCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketEvents).Stats().KeyN
		return nil
	})
	return n, err
}

func hasType(ts []bot.EventType, t bot.EventType) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// fillItems writes the commission items of the events in the ledger
// (which must have none yet) and the ledger's money sum.
func fillItems(tx *bolt.Tx) error {
	lg := tx.Bucket(bucketLedger)
	var money int64
	err := forEachPartner(lg, func(partner string) error {
		items := itemSet{}
		err := eachEvent(lg.Cursor(), partner, allDays[0], allDays[1], func(e *bot.Event) error {
			for _, a := range []bot.Amount{e.Amount, e.Commission} {
				if a < 0 {
					a = -a
				}
				money = min(money+int64(a), math.MaxInt64/2) // files from before the bound may be past it
			}
			items.add(e)
			return nil
		})
		if err != nil {
			return err
		}
		return items.write(lg)
	})
	if err != nil {
		return err
	}
	return tx.Bucket(bucketMeta).Put(keyLedgerMoney, binary.BigEndian.AppendUint64(nil, uint64(money)))
}

// Event values: a format byte, the type's index, then amount and
// commission as varints. Partner, time and id live in the key.
//
// Format 2, for events with a currency, ref or state, goes on with:
// uvarint(len) currency, varint original amount, varint original
// commission, uvarint(len) ref, the state's code. Events with none of
// those are written in format 1, which every version reads.
const (
	eventFormat      = 1
	eventFormatExtra = 2
)

func encodeEvent(e *bot.Event) []byte {
	extra := e.Currency != "" || e.Ref != "" || e.State != ""
	b := make([]byte, 0, 2+2*binary.MaxVarintLen64)
	if !extra {
		b = append(b, eventFormat, typeIndex(e.Type))
		b = binary.AppendVarint(b, int64(e.Amount))
		return binary.AppendVarint(b, int64(e.Commission))
	}
	b = append(b, eventFormatExtra, typeIndex(e.Type))
	b = binary.AppendVarint(b, int64(e.Amount))
	b = binary.AppendVarint(b, int64(e.Commission))
	b = binary.AppendUvarint(b, uint64(len(e.Currency)))
	b = append(b, e.Currency...)
	b = binary.AppendVarint(b, int64(e.OrigAmount))
	b = binary.AppendVarint(b, int64(e.OrigCommission))
	b = binary.AppendUvarint(b, uint64(len(e.Ref)))
	b = append(b, e.Ref...)
	return append(b, stateCode(e.State))
}

func typeIndex(t bot.EventType) byte {
	for i, k := range bot.EventTypes {
		if k == t {
			return byte(i)
		}
	}
	panic("store: unknown event type " + string(t))
}

// decodeTimeline decodes an event of the layout of schemas 10 to 12
// (eventKey12), or of schema 9's timeline once its key is made one.
func decodeTimeline(k, v []byte) (bot.Event, error) {
	p, _, _, ok := splitKey(k)
	i := len(p)
	if !ok || len(k) < i+14 {
		return bot.Event{}, fmt.Errorf("malformed timeline entry %q", k)
	}
	return decodeEventVal(string(k[:i]), bitsTime(binary.BigEndian.Uint64(k[i+5:i+13])), string(k[i+13:]), v)
}

// decodeEventVal decodes an event's value (encodeEvent) given its
// partner, time and id.
func decodeEventVal(partner string, at time.Time, id string, v []byte) (bot.Event, error) {
	e := bot.Event{Partner: partner, At: at, ID: id}
	k := id
	if len(v) < 2 || (v[0] != eventFormat && v[0] != eventFormatExtra) || int(v[1]) >= len(bot.EventTypes) {
		return e, fmt.Errorf("malformed event %q", k)
	}
	e.Type = bot.EventTypes[v[1]]
	r := v[2:]
	var vals [4]int64
	var strs [2]string
	bad := func(what string) (bot.Event, error) { return e, fmt.Errorf("malformed %s in %q", what, k) }
	varint := func(j int, what string) bool {
		x, n := binary.Varint(r)
		if n <= 0 {
			return false
		}
		vals[j], r = x, r[n:]
		return true
	}
	str := func(j int) bool {
		l, n := binary.Uvarint(r)
		if n <= 0 || uint64(len(r)-n) < l {
			return false
		}
		strs[j], r = string(r[n:n+int(l)]), r[n+int(l):]
		return true
	}
	if !varint(0, "amount") {
		return bad("amount")
	}
	if !varint(1, "commission") {
		return bad("commission")
	}
	e.Amount, e.Commission = bot.Amount(vals[0]), bot.Amount(vals[1])
	if v[0] == eventFormat {
		return e, nil
	}
	if !str(0) || !varint(2, "") || !varint(3, "") || !str(1) || len(r) != 1 || int(r[0]) >= len(stateCodes) {
		return bad("currency, ref or state")
	}
	e.Currency, e.OrigAmount, e.OrigCommission = strs[0], bot.Amount(vals[2]), bot.Amount(vals[3])
	e.Ref, e.State = strs[1], stateCodes[r[0]]
	return e, nil
}

// Daily totals: a format byte then the fields as varints, in this order.
const totalsFormat = 1

func encodeTotals(t *bot.Totals) []byte {
	return appendTotals(make([]byte, 0, 1+11*binary.MaxVarintLen64), t)
}

// appendTotals appends encodeTotals's encoding to b.
func appendTotals(b []byte, t *bot.Totals) []byte {
	b = append(b, totalsFormat)
	for _, v := range [...]int64{t.Clicks, t.Signups, t.Sales, t.Refunds, t.ContactsIn, t.ContactsOut, t.Materials,
		int64(t.SalesAmount), int64(t.RefundAmount), int64(t.Commission), int64(t.Payouts)} {
		b = binary.AppendVarint(b, v)
	}
	return b
}

// AllTotalsIn is AllTotals for several periods at once, out[i] for
// periods[i]: each partner's months are read and decoded once for all
// of them, where a call per period reads the months they share again.
func (s *Store) AllTotalsIn(ctx context.Context, periods []bot.Period) ([]map[string]bot.Totals, error) {
	out := make([]map[string]bot.Totals, len(periods))
	for i := range out {
		out[i] = map[string]bot.Totals{}
	}
	if len(periods) == 0 {
		return out, nil
	}
	from, to := periods[0].From, periods[0].To
	for _, p := range periods[1:] {
		if p.From.Before(from) {
			from = p.From
		}
		if p.To.After(to) {
			to = p.To
		}
	}
	sums := make([]bot.Totals, len(periods))
	err := s.viewLedger(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketLedger).Cursor()
		pc := tx.Bucket(bucketPartners).Cursor()
		for k, _ := pc.First(); k != nil; k, _ = pc.Next() {
			clear(sums)
			err := eachDay(c, string(k), from, to, func(d bot.Date, r *dayRec) error {
				for i := range periods {
					if !d.Before(periods[i].From) && !d.After(periods[i].To) {
						sums[i].Merge(r.t)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			for i := range sums {
				if sums[i] != (bot.Totals{}) {
					out[i][string(k)] = sums[i]
				}
			}
		}
		return ctx.Err()
	})
	return out, err
}

// AllTotals adds up every partner's daily totals from one day to another
// (both included), keyed by partner id. Partners with no events in the
// range are absent.
func (s *Store) AllTotals(ctx context.Context, from, to bot.Date) (map[string]bot.Totals, error) {
	out, err := s.AllTotalsIn(ctx, []bot.Period{{From: from, To: to}})
	if err != nil {
		return map[string]bot.Totals{}, err
	}
	return out[0], nil
}
