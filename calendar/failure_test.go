package calendar_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/bot/console"
	"partnerbot/calendar"
	"partnerbot/health"
	"partnerbot/report"
	"partnerbot/store"
)

type recordSink struct{ items []store.OutboxItem }

func (r *recordSink) Enqueue(ctx context.Context, it *store.OutboxItem) (bool, error) {
	r.items = append(r.items, *it)
	return true, nil
}

func TestFailureNoteTellsAdmins(t *testing.T) {
	ctx := context.Background()
	waw, _ := time.LoadLocation("Europe/Warsaw")
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, waw)
	s, err := store.Open(filepath.Join(t.TempDir(), "f.db"), store.Options{Location: waw, Clock: bot.NewManualClock(now)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sink := &recordSink{}
	cal := &calendar.Calendar{Store: s, Sink: sink, Location: waw, Locale: bot.LocalePL,
		Admins:  []bot.Target{{Platform: "slack", User: "UADMIN"}, {Platform: "discord", User: "42"}},
		Builder: &report.Builder{Store: s, Location: waw}, Board: health.NewBoard(s, health.DefaultRules),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}

	if err := cal.FailureNote(ctx, now); err != nil || len(sink.items) != 0 {
		t.Fatalf("no failures: %d notes, %v", len(sink.items), err)
	}
	for i, at := range []time.Time{now.Add(-2 * time.Hour), now.Add(-30 * time.Hour)} {
		it := &store.OutboxItem{Key: "k" + string(rune('a'+i)), Kind: "weekly_report", Target: bot.Target{Platform: "slack", Channel: "CGONE"}}
		if _, err := s.Enqueue(ctx, it); err != nil {
			t.Fatal(err)
		}
		s.UpdateOutbox(ctx, it.ID, func(x *store.OutboxItem) {
			x.Status, x.Reason, x.FailedAt = store.OutboxFailed, "channel_not_found", at
		})
	}
	if err := cal.FailureNote(ctx, now); err != nil {
		t.Fatal(err)
	}
	if len(sink.items) != 2 || sink.items[0].Target.User != "UADMIN" || sink.items[1].Target.User != "42" {
		t.Fatalf("notes %+v", sink.items)
	}
	out := console.Render(&sink.items[0].Message)
	if !strings.Contains(out, "Niedoręczone wiadomości z ostatniej doby: 1") || !strings.Contains(out, "channel_not_found: 1") {
		t.Fatalf("note:\n%s", out)
	}
}
