package store_test

import (
	"context"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

func TestStore_PutVerdict(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, "")
	at := time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC)
	rec := func(level string, day int) store.VerdictRecord {
		return store.VerdictRecord{Partner: "janko", At: at.AddDate(0, 0, day), Level: level,
			Metrics: map[string]string{"trend": level},
			Reasons: map[bot.Locale][]string{bot.LocalePL: {"powód " + level}, bot.LocaleEN: {"reason " + level}}}
	}

	t.Run("not found", func(t *testing.T) {
		if _, err := s.Verdict(ctx, "janko"); bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Fatalf("err = %v, want ENOTFOUND", err)
		}
	})

	steps := []struct {
		level       string
		day         int
		wantChanged bool
		wantPrev    string
	}{
		{"green", 0, true, ""},
		{"green", 1, false, "green"},
		{"amber", 2, true, "green"},
		{"red", 3, true, "amber"},
		{"red", 4, false, "red"},
		{"green", 5, true, "red"},
	}
	for _, st := range steps {
		changed, prev, err := s.PutVerdict(ctx, rec(st.level, st.day))
		if err != nil {
			t.Fatal(err)
		}
		if changed != st.wantChanged || prev.Level != st.wantPrev {
			t.Fatalf("day %d %s: changed = %v prev = %q, want %v %q", st.day, st.level, changed, prev.Level, st.wantChanged, st.wantPrev)
		}
	}

	t.Run("since kept while the level stays", func(t *testing.T) {
		if _, _, err := s.PutVerdict(ctx, rec("green", 6)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Verdict(ctx, "janko")
		if err != nil {
			t.Fatal(err)
		}
		if !got.Since.Equal(at.AddDate(0, 0, 5)) || !got.At.Equal(at.AddDate(0, 0, 6)) {
			t.Fatalf("since = %v at = %v", got.Since, got.At)
		}
		if got.Reasons[bot.LocaleEN][0] != "reason green" || got.Metrics["trend"] != "green" {
			t.Fatalf("record = %+v", got)
		}
	})

	t.Run("history only on changes, newest first", func(t *testing.T) {
		h, err := s.VerdictHistory(ctx, "janko", 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct{ from, to string }{{"red", "green"}, {"amber", "red"}, {"green", "amber"}, {"", "green"}}
		if len(h) != len(want) {
			t.Fatalf("history = %+v, want %d entries", h, len(want))
		}
		for i, w := range want {
			if h[i].From != w.from || h[i].To != w.to || h[i].Partner != "janko" {
				t.Fatalf("history[%d] = %+v, want %s → %s", i, h[i], w.from, w.to)
			}
		}
		if h[0].Reasons[bot.LocalePL][0] != "powód green" {
			t.Fatalf("reasons = %v", h[0].Reasons)
		}
		if h, _ := s.VerdictHistory(ctx, "janko", 2); len(h) != 2 || h[0].To != "green" {
			t.Fatalf("limit 2 = %+v", h)
		}
	})

	t.Run("other partners apart", func(t *testing.T) {
		r := rec("red", 0)
		r.Partner = "janko-2"
		if _, _, err := s.PutVerdict(ctx, r); err != nil {
			t.Fatal(err)
		}
		if h, _ := s.VerdictHistory(ctx, "janko", 0); len(h) != 4 {
			t.Fatalf("janko history = %d entries", len(h))
		}
		if h, _ := s.VerdictHistory(ctx, "janko-2", 0); len(h) != 1 {
			t.Fatalf("janko-2 history = %d entries", len(h))
		}
		all, err := s.Verdicts(ctx)
		if err != nil || len(all) != 2 {
			t.Fatalf("verdicts = %v, %v", all, err)
		}
	})
}
