package health_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/demo"
	"partnerbot/health"
	"partnerbot/store"
)

var warsaw = func() *time.Location {
	l, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		panic(err)
	}
	return l
}()

// demoNow is the demo's Monday morning, when the daily health job runs.
var demoNow = time.Date(2026, 11, 23, 7, 0, 0, 0, warsaw)

func demoStore(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(filepath.Join(tb.TempDir(), "demo.db"), store.Options{Location: warsaw, Clock: bot.NewManualClock(demoNow), NoSync: true})
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	if _, err := demo.Generate(context.Background(), s, demoNow, demo.DefaultSeed); err != nil {
		tb.Fatalf("demo: %v", err)
	}
	return s
}

func TestEvaluator_Demo(t *testing.T) {
	ctx := context.Background()
	s := demoStore(t)
	ev := health.NewEvaluator(s, health.DefaultThresholds, health.DefaultRules, warsaw)
	results, err := ev.EvaluateAll(ctx, demoNow)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]health.Result{}
	for _, r := range results {
		byID[r.Partner.ID] = r
		if testing.Verbose() {
			row := r.Verdict.Row(bot.LocalePL)
			t.Logf("%-24s %s %-10s %-14s %-8s %-6s %s | %s", r.Partner.ID, row.Trend, row.Transactions, row.Responsiveness,
				row.Initiative, row.Education, row.Verdict, strings.Join(r.Verdict.Reasons(bot.LocalePL), "; "))
		}
	}

	t.Run("worst first", func(t *testing.T) {
		for i := 1; i < len(results); i++ {
			if health.Severity(results[i-1].Verdict.Level) > health.Severity(results[i].Verdict.Level) {
				t.Fatalf("%s (%s) before %s (%s)", results[i-1].Partner.ID, results[i-1].Verdict.Level,
					results[i].Partner.ID, results[i].Verdict.Level)
			}
		}
	})

	want := []struct {
		id     string
		red    bool
		reason string // a substring of one English reason
	}{
		{"apteka", true, ""},
		{"janko", false, ""},
		{"autoserwis", true, "down"},
		{"kiosk-na-rogu", true, "inactive"},
	}
	for _, w := range want {
		t.Run(w.id, func(t *testing.T) {
			r, ok := byID[w.id]
			if !ok {
				t.Fatalf("%s has no verdict", w.id)
			}
			if got := r.Verdict.Level == health.Red; got != w.red {
				t.Fatalf("%s verdict = %s, reasons %q", w.id, r.Verdict.Level, r.Verdict.Reasons(bot.LocaleEN))
			}
			if w.reason != "" && !strings.Contains(strings.Join(r.Verdict.Reasons(bot.LocaleEN), "\n"), w.reason) {
				t.Fatalf("%s reasons %q, want one with %q", w.id, r.Verdict.Reasons(bot.LocaleEN), w.reason)
			}
		})
	}

	t.Run("paused and ended get no verdict", func(t *testing.T) {
		ps, err := s.Partners(ctx)
		if err != nil {
			t.Fatal(err)
		}
		active := 0
		for _, p := range ps {
			_, judged := byID[p.ID]
			if judged != (p.Status == bot.StatusActive) {
				t.Errorf("%s (%s): judged = %v", p.ID, p.Status, judged)
			}
			if p.Status == bot.StatusActive {
				active++
			}
		}
		if len(results) != active {
			t.Fatalf("%d results for %d active partners", len(results), active)
		}
	})

	t.Run("one partner agrees with all", func(t *testing.T) {
		for _, id := range []string{"apteka", "janko", "autoserwis", "kiosk-na-rogu", "salon"} {
			p, err := s.Partner(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			v, err := ev.Evaluate(ctx, p, demoNow)
			if err != nil {
				t.Fatal(err)
			}
			all := byID[id].Verdict
			if v.Level != all.Level || strings.Join(v.Reasons(bot.LocaleEN), "|") != strings.Join(all.Reasons(bot.LocaleEN), "|") {
				t.Fatalf("%s: Evaluate %s %q, EvaluateAll %s %q", id, v.Level, v.Reasons(bot.LocaleEN), all.Level, all.Reasons(bot.LocaleEN))
			}
		}
	})

	t.Run("record", func(t *testing.T) {
		r := byID["apteka"]
		changed, _, err := health.Record(ctx, s, &r.Partner, r.Verdict, r.Standing, demoNow)
		if err != nil || !changed {
			t.Fatalf("first record: changed = %v, %v", changed, err)
		}
		changed, prev, err := health.Record(ctx, s, &r.Partner, r.Verdict, r.Standing, demoNow.Add(24*time.Hour))
		if err != nil || changed || prev.Level != "red" {
			t.Fatalf("second record: changed = %v prev = %q, %v", changed, prev.Level, err)
		}
		got, err := s.Verdict(ctx, "apteka")
		if err != nil {
			t.Fatal(err)
		}
		if got.Metrics["trend"] == "" || len(got.Reasons[bot.LocalePL]) == 0 || len(got.Reasons[bot.LocaleEN]) == 0 || got.Segment == "" {
			t.Fatalf("record = %+v", got)
		}
	})
}
