package cli

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"partnerbot/api"
	"partnerbot/bot"
	"partnerbot/config"
	"partnerbot/store"
)

// watchEnv is a program with one manager and one partner who has been
// quiet for months: any evaluation judges it red.
func watchEnv(t *testing.T, now time.Time) (*watch, *store.Store) {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	clock := bot.NewManualClock(now)
	s, err := store.Open(filepath.Join(t.TempDir(), "pb.db"), store.Options{Location: cfg.Location(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.PutManager(ctx, &bot.Manager{ID: "kasia", Name: "Kasia", SlackUser: "UKASIA"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutPartner(ctx, &bot.Partner{ID: "kiosk", Name: "Kiosk", Manager: "kasia", Joined: bot.MustDate("2025-01-01")}); err != nil {
		t.Fatal(err)
	}
	m := &Main{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: clock}
	return m.newWatch(s, m.notifier(s)), s
}

// ingest stores events as the API does and returns what it tells the watch.
func ingestNow(t *testing.T, s *store.Store, evs ...bot.Event) api.Ingested {
	t.Helper()
	res, err := s.Ingest(context.Background(), evs, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := api.Ingested{Newest: map[string]time.Time{}, Accepted: res.Accepted}
	for _, e := range evs {
		if e.At.After(in.Newest[e.Partner]) {
			in.Newest[e.Partner] = e.At
		}
	}
	return in
}

func alertsQueued(t *testing.T, s *store.Store) int {
	t.Helper()
	items, err := s.OutboxItems(context.Background(), func(it *store.OutboxItem) bool { return it.Kind == "alert" })
	if err != nil {
		t.Fatal(err)
	}
	return len(items)
}

func TestWatch_Backfill(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	sale := func(id string, at time.Time) bot.Event {
		return bot.Event{ID: id, Partner: "kiosk", Type: bot.EventSale, At: at, Amount: 10000, Commission: 1000}
	}

	t.Run("old events update the verdict and raise no alert", func(t *testing.T) {
		w, s := watchEnv(t, now)
		var p pending
		p.add(ingestNow(t, s, sale("old-1", now.AddDate(0, -8, 0)), sale("old-2", now.AddDate(0, -7, 0))))
		if err := w.pass(ctx, &p); err != nil {
			t.Fatal(err)
		}
		v, err := s.Verdict(ctx, "kiosk")
		if err != nil {
			t.Fatalf("no verdict after the backfill: %v", err)
		}
		if v.Level != "red" {
			t.Fatalf("verdict = %s, want red (quiet since the spring)", v.Level)
		}
		if n := alertsQueued(t, s); n != 0 {
			t.Errorf("%d alerts queued by a backfill, want none", n)
		}
		if _, ok, _ := s.AlertState(ctx, "kiosk"); ok {
			t.Error("a backfill opened an alert episode; the daily evaluation decides")
		}

		// The daily evaluation decides on the whole history: it alerts.
		if err := w.all(ctx, now); err != nil {
			t.Fatal(err)
		}
		if n := alertsQueued(t, s); n != 1 {
			t.Errorf("%d alerts after the daily evaluation, want 1", n)
		}
	})

	t.Run("a bulk import of recent events raises no alert", func(t *testing.T) {
		w, s := watchEnv(t, now)
		var p pending
		in := ingestNow(t, s, bot.Event{ID: "click-1", Partner: "kiosk", Type: bot.EventClick, At: now.Add(-time.Hour)})
		p.add(in)
		p.add(api.Ingested{Accepted: bulkEvents}) // the rest of the import, other partners
		if err := w.pass(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Verdict(ctx, "kiosk"); err != nil {
			t.Fatalf("no verdict after the import: %v", err)
		}
		if n := alertsQueued(t, s); n != 0 {
			t.Errorf("%d alerts queued during an import, want none", n)
		}
	})

	t.Run("live events alert", func(t *testing.T) {
		w, s := watchEnv(t, now)
		var p pending
		p.add(ingestNow(t, s, bot.Event{ID: "click-1", Partner: "kiosk", Type: bot.EventClick, At: now.Add(-time.Hour)}))
		if err := w.pass(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if n := alertsQueued(t, s); n != 1 {
			t.Errorf("%d alerts queued for a red partner with live events, want 1", n)
		}
	})
}

func TestWatch_Coalesces(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	w, s := watchEnv(t, now)
	if _, err := s.PutPartner(ctx, &bot.Partner{ID: "piekarnia", Name: "Piekarnia", Joined: bot.MustDate("2025-01-01")}); err != nil {
		t.Fatal(err)
	}
	passes := make(chan int, 8)
	w.passed = func(events int) { passes <- events }
	w.quiet = time.Second
	// Three requests queued before the watch runs: it takes them in one
	// go, well inside the quiet interval.
	click := func(id, partner string) bot.Event {
		return bot.Event{ID: id, Partner: partner, Type: bot.EventClick, At: now.Add(-time.Hour)}
	}
	w.Touched(ingestNow(t, s, click("c1", "kiosk")))
	w.Touched(ingestNow(t, s, click("c2", "kiosk"), click("c3", "piekarnia")))
	w.Touched(ingestNow(t, s, click("c4", "piekarnia")))
	go w.run(ctx)
	if got := <-passes; got != 4 {
		t.Fatalf("the first pass judged %d events, want all 4 in one pass", got)
	}
	for _, id := range []string{"kiosk", "piekarnia"} {
		if _, err := s.Verdict(ctx, id); err != nil {
			t.Errorf("%s not judged: %v", id, err)
		}
	}
	select {
	case n := <-passes:
		t.Errorf("a second pass (%d events) with nothing new", n)
	default:
	}
}
