package health

import (
	"context"
	"testing"

	"partnerbot/bot"
)

// fakeSource has two partners with no turnover: one for months, one new.
type fakeSource struct{}

func (fakeSource) Partners(context.Context) ([]bot.Partner, error) {
	return []bot.Partner{
		{ID: "old", Status: bot.StatusActive, Joined: bot.MustDate("2025-01-10")},
		{ID: "new", Status: bot.StatusActive, Joined: bot.MustDate("2026-11-05")},
	}, nil
}

func (fakeSource) AllTotals(context.Context, bot.Date, bot.Date) (map[string]bot.Totals, error) {
	return map[string]bot.Totals{}, nil
}

func (fakeSource) ChangeStamp(bot.Date, bot.Date) uint64 { return 1 }

func TestBoard_NewPartnerIsNotInactive(t *testing.T) {
	st, err := NewBoard(fakeSource{}, DefaultRules).Standings(context.Background(), bot.MustDate("2026-11-22"))
	if err != nil {
		t.Fatal(err)
	}
	if !st["old"].Inactive || st["new"].Inactive {
		t.Fatalf("old inactive %v, new inactive %v; want true, false", st["old"].Inactive, st["new"].Inactive)
	}
}
