package health

import (
	"context"
	"fmt"
	"sync"

	"partnerbot/bot"
)

// Source is what a Board reads.
type Source interface {
	Partners(ctx context.Context) ([]bot.Partner, error)
	AllTotals(ctx context.Context, from, to bot.Date) (map[string]bot.Totals, error)
	ChangeStamp(from, to bot.Date) uint64
}

// Board keeps the program's standings: every active partner's segment,
// tier and rank from its last full months. Ranking reads every partner's
// totals, which at 10 000 partners takes tens of milliseconds, so the
// answer is cached until the store says a partner or a counted day
// changed.
type Board struct {
	src   Source
	rules Rules

	mu    sync.Mutex
	month bot.Date // first day of the ranking month of the cached answer
	day   bot.Date // the day it was taken on: grace periods end by the day
	stamp uint64
	cache map[string]Standing
}

// NewBoard returns a board over src with the given rules.
func NewBoard(src Source, r Rules) *Board { return &Board{src: src, rules: r} }

// RankingMonth returns the month standings are taken from on today: the
// last full month.
func RankingMonth(today bot.Date) bot.Period {
	m := today.AddMonths(-1)
	return bot.MonthPeriod(m.Year, m.Month)
}

// Standings returns the standings of every active partner on today.
func (b *Board) Standings(ctx context.Context, today bot.Date) (map[string]Standing, error) {
	rank := RankingMonth(today)
	k := max(b.rules.InactiveMonths, 1)
	first := rank.From.AddMonths(-(k - 1))
	stamp := b.src.ChangeStamp(first, rank.To)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cache != nil && b.month == rank.From && b.day == today && b.stamp == stamp {
		return b.cache, nil
	}
	ps, err := b.src.Partners(ctx)
	if err != nil {
		return nil, fmt.Errorf("standings: %w", err)
	}
	months := make([]map[string]bot.Totals, k)
	for i := range k {
		m := first.AddMonths(i)
		p := bot.MonthPeriod(m.Year, m.Month)
		if months[i], err = b.src.AllTotals(ctx, p.From, p.To); err != nil {
			return nil, fmt.Errorf("standings: %w", err)
		}
	}
	firsts := make([]bot.Date, k)
	for i := range k {
		firsts[i] = first.AddMonths(i)
	}
	var in []Input
	for i := range ps {
		p := &ps[i]
		if p.Status != bot.StatusActive {
			continue
		}
		// Months before the partner joined are not "no turnover": a
		// partner three weeks in is new, not inactive.
		in = append(in, b.rules.InputOf(p, today, firsts, func(i int) bot.Amount { return months[i][p.ID].Turnover() }))
	}
	b.cache, b.month, b.day, b.stamp = Standings(b.rules, in), rank.From, today, stamp
	return b.cache, nil
}
