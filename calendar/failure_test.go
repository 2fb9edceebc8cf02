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

func TestFailureNoteTellsAdminsOfParkedDeliveries(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	s, err := store.Open(filepath.Join(t.TempDir(), "p.db"), store.Options{Clock: bot.NewManualClock(now)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, p := range []store.Parked{
		{Key: "dub:evt_1", Platform: "dub", Reason: store.ParkUnmatched, Detail: "no partner has external dub:pn_9", Body: []byte("{}")},
		{Key: "stripe:evt_2", Platform: "stripe", Reason: store.ParkNoRate, Detail: "no EUR rate", Body: []byte("{}")},
	} {
		if _, err := s.Park(ctx, &p, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []bot.Locale{bot.LocalePL, bot.LocaleEN} {
		sink := &recordSink{}
		cal := &calendar.Calendar{Store: s, Sink: sink, Location: time.UTC, Locale: l,
			Admins:  []bot.Target{{Platform: "slack", User: "UADMIN"}},
			Builder: &report.Builder{Store: s, Location: time.UTC}, Board: health.NewBoard(s, health.DefaultRules),
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if err := cal.FailureNote(ctx, now); err != nil {
			t.Fatal(err)
		}
		if len(sink.items) != 1 || sink.items[0].Kind != "parked_note" {
			t.Fatalf("%s: notes %+v, want one parked note", l, sink.items)
		}
		out := console.Render(&sink.items[0].Message)
		want := map[bot.Locale][]string{
			bot.LocalePL: {"Wstrzymane zdarzenia z platform: 2", "nie pasują do żadnego partnera", "ich waluta nie ma kursu", "stripe: stripe:evt_2 (brak kursu)", "partnerbot hooks list"},
			bot.LocaleEN: {"Platform deliveries on hold: 2", "no partner matches them", "no exchange rate", "dub: dub:evt_1 (no partner)", "partnerbot hooks replay"},
		}[l]
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s note lacks %q:\n%s", l, w, out)
			}
		}
	}
}
