package commands_test

import (
	"math/rand/v2"
	"testing"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/health"
	"partnerbot/internal/fixture"
	"partnerbot/store"
)

// BenchmarkMyStats measures /mystats server-side on the 10 000-partner,
// 1 000 000-event program: caller resolution aside, the command builds
// the card from two stats reads, the standings board (cached) and the
// month so far.
func BenchmarkMyStats(b *testing.B) {
	s, err := store.Open(fixture.Path(b), store.Options{Location: fixture.Location, ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	clock := bot.NewManualClock(fixture.Today.Start(fixture.Location).Add(12 * 3600e9))
	svc := commands.New(commands.Options{Store: s, Clock: clock, Location: fixture.Location,
		Currency: bot.Currency{Code: "PLN", Digits: 2}, Rules: health.DefaultRules, PublicURL: "https://bot.example"})
	callers := make([]*commands.Caller, 256)
	for i := range callers {
		c, err := svc.ResolveID(ctx, fixture.PartnerID(i*37))
		if err != nil {
			b.Fatal(err)
		}
		callers[i] = c
	}
	for _, period := range []string{"month", "2026-10"} {
		b.Run(period, func(b *testing.B) {
			args := map[string]string{"period": period}
			svc.Run(ctx, callers[0], "mystats", args) // warm the standings board
			r := rand.New(rand.NewPCG(3, 3))
			b.ReportAllocs()
			for b.Loop() {
				m := svc.Run(ctx, callers[r.IntN(len(callers))], "mystats", args)
				if len(m.Fields) < 6 {
					b.Fatalf("unexpected answer: %+v", m)
				}
			}
		})
	}
}

// BenchmarkStandingsCold ranks all 10 000 partners from scratch: what
// the first /mystats after a change in last month's figures pays.
func BenchmarkStandingsCold(b *testing.B) {
	s, err := store.Open(fixture.Path(b), store.Options{Location: fixture.Location, ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	for b.Loop() {
		board := health.NewBoard(s, health.DefaultRules)
		st, err := board.Standings(ctx, fixture.Today)
		if err != nil || len(st) != fixture.Partners {
			b.Fatalf("%d standings, %v", len(st), err)
		}
	}
}
