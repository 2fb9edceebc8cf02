package store

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// StatsAt returns a partner's stats for p as of the instant now, compared
// like for like: a period still running is counted up to now, and the
// period before for the same elapsed part, down to the clock time on the
// boundary day (on the 1st at 10:00, the 1st of last month up to 10:00).
// Whole days come from the daily totals; only the boundary day's events
// are read. Returns EINVALID for a period that has not started yet and
// ENOTFOUND for an unknown partner.
func (s *Store) StatsAt(ctx context.Context, partner string, p bot.Period, now time.Time, cur bot.Currency) (bot.Stats, error) {
	today := bot.DateOf(now, s.loc)
	if p.From.After(today) {
		return bot.Stats{}, &bot.Error{Code: bot.EINVALID, Key: "store.period_future", Args: []any{p, p.From},
			Message: fmt.Sprintf("period %s has not started yet: it begins on %s", p.Label, p.From)}
	}
	st, err := s.Stats(ctx, partner, p, today, cur)
	if err != nil || !st.Partial() {
		return st, err
	}
	start, end := p.Bounds(s.loc)
	st.Elapsed, st.Length = now.Sub(start), end.Sub(start)
	if today.Sub(p.From)+1 > st.PrevPeriod.Days() {
		return st, nil // the period before was shorter: all of it has passed
	}
	d := st.PrevThrough
	local := now.In(s.loc)
	cut := time.Date(d.Year, d.Month, d.Day, local.Hour(), local.Minute(), local.Second(), local.Nanosecond(), s.loc)
	if !cut.Before(d.AddDays(1).Start(s.loc)) {
		return st, nil
	}
	var prev bot.Totals
	if err := s.viewLedger(func(tx *bolt.Tx) error {
		var err error
		prev, err = sumDays(tx.Bucket(bucketLedger), partner, st.PrevPeriod.From, d.AddDays(-1))
		return err
	}); err != nil {
		return bot.Stats{}, fmt.Errorf("stats of %s: %w", partner, err)
	}
	evs, err := s.PartnerEvents(ctx, partner, d.Start(s.loc), cut)
	if err != nil {
		return bot.Stats{}, fmt.Errorf("stats of %s: %w", partner, err)
	}
	for i := range evs {
		prev.Add(&evs[i])
		addPartialCommission(&prev, &evs[i])
	}
	st.Previous, st.PrevUntil = prev, cut
	return st, nil
}
