package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// Exchange rates: bucketRates keeps, per currency, the rates with the day
// each is in force from: currency BE(YYYYMMDD) → the rate's text. The
// rate in force on a day is the one with the latest from-day not after it.

// EarliestRateDay is where the first rate of a currency starts when no
// day is given: events are never dated before 2000 (bot.Event.CheckTime).
var EarliestRateDay = bot.Date{Year: 2000, Month: 1, Day: 1}

func rateKey(code string, d bot.Date) []byte {
	return append([]byte(code), be32(d.Key())...)
}

// SetRate stores an exchange rate of r.Currency in force from r.From. A
// zero From means from today, or, for the currency's first rate, from
// EarliestRateDay (so the events already waiting for it can be converted).
// It returns the rate as stored. Events already stored keep their
// converted amounts; only events stored later use the new rate.
//
// Returns EINVALID for a code that is not ISO 4217, the program currency,
// or a zero rate.
func (s *Store) SetRate(ctx context.Context, r bot.ExchangeRate) (bot.ExchangeRate, error) {
	c, err := bot.LookupCurrency(r.Currency)
	if err != nil {
		return r, bot.FieldError("currency", "%s", bot.ErrorMessage(err))
	}
	if c.Code == s.currency.Code {
		return r, bot.FieldError("currency", "%s is the program currency: it needs no rate", c.Code)
	}
	if r.Rate.IsZero() {
		return r, bot.FieldError("rate", "a rate must be above zero")
	}
	if !r.From.IsZero() && r.From.Before(EarliestRateDay) {
		return r, bot.FieldError("from", "a rate cannot start before %s", EarliestRateDay)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRates)
		if r.From.IsZero() {
			r.From = s.today()
			if k, _ := b.Cursor().Seek([]byte(c.Code)); k == nil || !bytes.HasPrefix(k, []byte(c.Code)) {
				r.From = EarliestRateDay
			}
		}
		return b.Put(rateKey(c.Code, r.From), []byte(r.Rate.String()))
	})
	return r, wrap("set rate", err)
}

// Rates returns the stored rates, by currency then day; code, when not
// empty, keeps one currency's.
func (s *Store) Rates(ctx context.Context, code string) ([]bot.ExchangeRate, error) {
	var out []bot.ExchangeRate
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRates).Cursor()
		for k, v := c.Seek([]byte(code)); k != nil && bytes.HasPrefix(k, []byte(code)); k, v = c.Next() {
			r, err := decodeRate(k, v)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

func decodeRate(k, v []byte) (bot.ExchangeRate, error) {
	if len(k) != 7 {
		return bot.ExchangeRate{}, fmt.Errorf("malformed rate key %q", k)
	}
	rate, err := bot.ParseRate(string(v))
	if err != nil {
		return bot.ExchangeRate{}, fmt.Errorf("rate %q: %w", k, err)
	}
	return bot.ExchangeRate{Currency: string(k[:3]), From: bot.DateFromKey(binary.BigEndian.Uint32(k[3:])), Rate: rate}, nil
}

// rateCache finds rates in force within one transaction, remembering
// what it found.
type rateCache struct {
	b    *bolt.Bucket
	seen map[string]bot.ExchangeRate // currency + day key → rate (zero: none)
}

func newRateCache(b *bolt.Bucket) *rateCache {
	return &rateCache{b: b, seen: map[string]bot.ExchangeRate{}}
}

// find returns the rate of code in force on day d, and false when there
// is none.
func (c *rateCache) find(code string, d bot.Date) (bot.ExchangeRate, bool, error) {
	k := string(rateKey(code, d))
	if r, ok := c.seen[k]; ok {
		return r, !r.Rate.IsZero(), nil
	}
	var r bot.ExchangeRate
	cur := c.b.Cursor()
	rk, rv := cur.Seek([]byte(k))
	if rk == nil || !bytes.Equal(rk, []byte(k)) {
		rk, rv = cur.Prev()
	}
	if rk != nil && bytes.HasPrefix(rk, []byte(code)) {
		var err error
		if r, err = decodeRate(rk, rv); err != nil {
			return r, false, err
		}
	}
	c.seen[k] = r
	return r, !r.Rate.IsZero(), nil
}

// convert brings an event's money into the program currency (see Ingest).
func (s *Store) convert(e *bot.Event, day bot.Date, rates *rateCache) error {
	if e.Currency == "" || e.Currency == s.currency.Code {
		e.Currency, e.OrigAmount, e.OrigCommission = "", 0, 0
		return nil
	}
	from, err := bot.LookupCurrency(e.Currency)
	if err != nil {
		return bot.FieldError("currency", "%s", bot.ErrorMessage(err))
	}
	if e.Amount == 0 && e.Commission == 0 {
		// Nothing to convert (a commission event that only changes a
		// state): no rate is needed.
		e.OrigAmount, e.OrigCommission = 0, 0
		return nil
	}
	r, ok, err := rates.find(from.Code, day)
	if err != nil {
		return err
	}
	if !ok {
		e := bot.Keyed(bot.ENORATE, "store.no_rate",
			"no %s rate is in force on %s, so the amount cannot be converted to %s: set one with `partnerbot rates set %s RATE --from %s` or PUT /api/v1/rates/%s",
			from.Code, day, s.currency.Code, from.Code, day.String(), from.Code)
		e.Field = "currency"
		return e
	}
	amt, err := r.Rate.Convert(e.Amount, from, s.currency)
	if err != nil {
		return err
	}
	com, err := r.Rate.Convert(e.Commission, from, s.currency)
	if err != nil {
		be := *bot.AsError(err)
		be.Field = "commission"
		return &be
	}
	e.OrigAmount, e.OrigCommission = e.Amount, e.Commission
	e.Amount, e.Commission = amt, com
	return nil
}

// CheckEvent converts a copy of e as Ingest would and returns it, or
// what Ingest would refuse about its money (ENORATE, an amount too
// large): the first pass of an import checks this before anything is
// stored.
func (s *Store) CheckEvent(ctx context.Context, e bot.Event) (bot.Event, error) {
	err := s.db.View(func(tx *bolt.Tx) error {
		return s.convert(&e, bot.DateOf(e.At, s.loc), newRateCache(tx.Bucket(bucketRates)))
	})
	return e, err
}

// LedgerRoom returns how much more money (amounts and commissions, in
// absolute minor units) the ledger can take before bot.MaxLedgerMoney.
func (s *Store) LedgerRoom(ctx context.Context) (int64, error) {
	var room int64
	err := s.db.View(func(tx *bolt.Tx) error {
		room = bot.MaxLedgerMoney - ledgerMoney(tx.Bucket(bucketMeta))
		return nil
	})
	return max(room, 0), err
}

// CurrencyMigration says what MigrateCurrency did.
type CurrencyMigration struct {
	From, To     bot.Currency
	Events       int      // events whose amounts were converted
	DroppedRates []string // currencies whose rates (in From) were removed
}

// MigrateCurrency makes to the program currency, converting every stored
// amount in one transaction: one unit of the current program currency is
// worth rate units of to. Each amount is converted exactly and rounded
// once (bot.Rate.Convert); an event first reported in to gets its
// reported amounts back, exactly; the others keep what was reported, and
// those that were in the old program currency now say so (their currency
// and original amounts). Rates of other currencies were in the old
// currency, so they are dropped (set them again); the old currency gets
// rate as its rate from EarliestRateDay. Daily totals and the commission
// lifecycle are recounted.
//
// Returns EINVALID when to is not ISO 4217 or is already the program
// currency, or a converted amount exceeds bot.MaxAmount.
func (s *Store) MigrateCurrency(ctx context.Context, code string, rate bot.Rate) (CurrencyMigration, error) {
	res := CurrencyMigration{From: s.currency}
	to, err := bot.LookupCurrency(code)
	if err != nil {
		return res, err
	}
	res.To = to
	if to.Code == s.currency.Code {
		return res, bot.Errorf(bot.EINVALID, "%s is already the program currency", to.Code)
	}
	if rate.IsZero() {
		return res, bot.FieldError("rate", "a rate must be above zero")
	}
	from := s.currency
	err = s.db.Update(func(tx *bolt.Tx) error {
		res.Events, res.DroppedRates = 0, nil
		if err := s.foldIn(tx); err != nil {
			return err
		}
		lg := tx.Bucket(bucketLedger)
		type put struct{ k, v []byte }
		var puts []put
		var items [][]byte // rebuilt below from the converted events
		var index []put    // events index entries of the converted events
		// convert converts a partner's events in place, and reports
		// whether any had money.
		convert := func(partner string, evs []runEvent) (bool, error) {
			changed := false
			for i := range evs {
				e, err := decodeEventVal(partner, evs[i].at, evs[i].id, evs[i].val)
				if err != nil {
					return false, err
				}
				if e.Amount == 0 && e.Commission == 0 && e.Currency == "" {
					continue
				}
				switch e.Currency {
				case to.Code:
					e.Amount, e.Commission = e.OrigAmount, e.OrigCommission
					e.Currency, e.OrigAmount, e.OrigCommission = "", 0, 0
				case "":
					e.Currency, e.OrigAmount, e.OrigCommission = from.Code, e.Amount, e.Commission
					fallthrough
				default:
					if e.Amount, err = rate.Convert(e.Amount, from, to); err != nil {
						return false, fmt.Errorf("event %s: %w", e.ID, err)
					}
					if e.Commission, err = rate.Convert(e.Commission, from, to); err != nil {
						return false, fmt.Errorf("event %s: %w", e.ID, err)
					}
				}
				evs[i].val = encodeEvent(&e)
				// A sale's commission may become zero or stop being zero:
				// the index keeps a sale's time only while it is not.
				index = append(index, put{[]byte(e.ID), indexValue(&e)})
				changed = true
				res.Events++
			}
			return changed, nil
		}
		c := lg.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			p, sep, rest, _ := splitKey(k)
			if sep == sepItems {
				items = append(items, bytes.Clone(k))
			}
			if sep != sepDays {
				continue
			}
			if len(rest) == 4 { // a month's record: its events; the rest is recounted below
				var m monthRec
				if err := decodeMonth(v, &m); err != nil {
					return fmt.Errorf("month %q: %w", k, err)
				}
				evs, err := decodeEvents(m.events)
				if err != nil {
					return fmt.Errorf("month %q: %w", k, err)
				}
				if changed, err := convert(string(p), evs); err != nil {
					return err
				} else if changed {
					m.events = appendEvents(nil, evs)
					puts = append(puts, put{bytes.Clone(k), encodeMonth(&m)})
				}
				continue
			}
			run, err := decodeRun(rest[4:], v)
			if err != nil {
				return fmt.Errorf("run %q: %w", k, err)
			}
			if changed, err := convert(string(p), run); err != nil {
				return err
			} else if changed {
				puts = append(puts, put{bytes.Clone(k), encodeRun(run)})
			}
		}
		for _, p := range puts {
			if err := lg.Put(p.k, p.v); err != nil {
				return err
			}
		}
		evb := tx.Bucket(bucketEvents)
		for _, p := range index {
			if err := evb.Put(p.k, p.v); err != nil {
				return err
			}
		}
		for _, k := range items {
			if err := lg.Delete(k); err != nil {
				return err
			}
		}
		if err := fillItems(tx); err != nil {
			return err
		}
		if ledgerMoney(tx.Bucket(bucketMeta)) >= bot.MaxLedgerMoney {
			return bot.Errorf(bot.EINVALID, "at this rate the ledger's money would pass the largest sum partnerbot adds up exactly")
		}
		rc := tx.Bucket(bucketRates).Cursor()
		for k, _ := rc.First(); k != nil; k, _ = rc.Next() {
			if cur := string(k[:min(3, len(k))]); cur != to.Code && (len(res.DroppedRates) == 0 || res.DroppedRates[len(res.DroppedRates)-1] != cur) {
				res.DroppedRates = append(res.DroppedRates, cur)
			}
		}
		if err := tx.DeleteBucket(bucketRates); err != nil {
			return err
		}
		rates, err := tx.CreateBucket(bucketRates)
		if err != nil {
			return err
		}
		if err := rates.Put(rateKey(from.Code, EarliestRateDay), []byte(rate.String())); err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(keyCurrency, []byte(to.Code)); err != nil {
			return err
		}
		return rebuildLedger(tx, s.loc, s.hold)
	})
	if err != nil {
		return res, wrap("migrate currency", err)
	}
	s.currency = to
	return res, nil
}
