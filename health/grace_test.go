package health_test

import (
	"context"
	"testing"

	"partnerbot/bot"
	"partnerbot/health"
)

// A partner is judged only on what it has had time to show: nothing
// before it joined, and in its grace period never red for lack of
// history. Before the grace period, a partner five days in was red for
// "never writes first" and "no materials", and one not yet joined the
// same.
func TestEvaluator_GracePeriod(t *testing.T) {
	ctx := context.Background()
	s := demoStore(t)
	today := bot.DateOf(demoNow, warsaw)
	add := func(id string, joined bot.Date) *bot.Partner {
		p := &bot.Partner{ID: id, Name: "Apteka " + id, Manager: "kasia", Locale: bot.LocalePL, Status: bot.StatusActive, Joined: joined}
		if _, err := s.PutPartner(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fresh := add("nowa", today.AddDays(-5))
	future := add("przyszla", today.AddDays(5)) // joins within the week the store accepts
	veteran := add("stara", today.AddDays(-61)) // out of its grace period, silent all along

	ev := health.NewEvaluator(s, health.DefaultThresholds, health.DefaultRules, warsaw)
	all, err := ev.EvaluateAll(ctx, demoNow)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]health.Result{}
	for _, r := range all {
		byID[r.Partner.ID] = r
	}

	t.Run("joined five days ago", func(t *testing.T) {
		for _, v := range []health.Verdict{byID[fresh.ID].Verdict, mustEval(t, ev, fresh)} {
			if v.Level == health.Red || !v.New {
				t.Fatalf("verdict %s, new %v; want not red, new (reasons %q)", v.Level, v.New, v.Reasons(bot.LocalePL))
			}
			for _, m := range v.Metrics() {
				if m.Level == health.Red {
					t.Errorf("%s red for lack of history: %s", m.Name, m.Reason.Text(bot.LocaleEN))
				}
			}
			if rs := v.Reasons(bot.LocalePL); len(rs) == 0 || rs[0] != "nowy partner od 18 listopada: okres wdrożenia do 17 stycznia, do tego czasu bez alertów" {
				t.Errorf("reasons %q", rs)
			}
		}
		st := byID[fresh.ID].Standing
		if !st.New || st.Segment != "" || st.Tier != "" || st.Rank != 0 {
			t.Errorf("standing %+v; want new, no segment, tier or rank", st)
		}
		if got := st.SegmentText(bot.LocalePL); got != "nowy partner" {
			t.Errorf("segment text %q", got)
		}
	})
	t.Run("judged before joining", func(t *testing.T) {
		v := mustEval(t, ev, future)
		if v.Level != health.Unknown {
			t.Fatalf("verdict %s; want unknown (reasons %q)", v.Level, v.Reasons(bot.LocaleEN))
		}
		for _, m := range v.Metrics() {
			if m.Level != health.Unknown {
				t.Errorf("%s is %s before joining", m.Name, m.Level)
			}
		}
		if rs := v.Reasons(bot.LocaleEN); len(rs) == 0 || rs[0] != "not judged: joins the program on 28 November" {
			t.Errorf("reasons %q", rs)
		}
	})
	t.Run("after the grace period", func(t *testing.T) {
		v := byID[veteran.ID].Verdict
		if v.Level != health.Red || v.New {
			t.Fatalf("verdict %s, new %v; want red, judged like anyone", v.Level, v.New)
		}
		if st := byID[veteran.ID].Standing; st.New || st.Segment != health.SegmentC {
			t.Errorf("standing %+v; want C", st)
		}
	})
	t.Run("rank counts only ranked partners", func(t *testing.T) {
		st := byID["janko"].Standing
		ranked := 0
		for _, r := range all {
			if r.Standing.Rank > 0 {
				ranked++
			}
		}
		if st.Of != ranked {
			t.Errorf("janko ranked of %d, but %d partners have a rank", st.Of, ranked)
		}
	})
}

func mustEval(t *testing.T, ev *health.Evaluator, p *bot.Partner) health.Verdict {
	t.Helper()
	v, err := ev.Evaluate(context.Background(), p, demoNow)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
