package report_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/bot/console"
	"partnerbot/chart"
	"partnerbot/demo"
	"partnerbot/health"
	"partnerbot/report"
	"partnerbot/store"
)

var (
	ctx = context.Background()
	waw = func() *time.Location { l, _ := time.LoadLocation("Europe/Warsaw"); return l }()
	pln = bot.Currency{Code: "PLN", Digits: 2}
	// Monday 23 November 2026, 08:59: the report of ISO week 47 is due.
	monday = time.Date(2026, 11, 23, 8, 59, 0, 0, waw)
)

func setup(t testing.TB) (*store.Store, *report.Builder) {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "r.db"), store.Options{Location: waw, Clock: bot.NewManualClock(monday)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := demo.Generate(ctx, s, monday, demo.DefaultSeed); err != nil {
		t.Fatal(err)
	}
	return s, &report.Builder{Store: s, Board: health.NewBoard(s, health.DefaultRules), Location: waw, Currency: pln, Program: "Program", ActiveTarget: 0.7}
}

func TestWeeklyFigures(t *testing.T) {
	s, b := setup(t)
	week, _ := bot.WeekPeriod(2026, 47)
	sendDay := bot.DateOf(monday, waw)
	ps, _ := s.Partners(ctx)
	for _, p := range ps {
		w, err := b.Figures(ctx, &p, week, sendDay)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := s.Totals(ctx, p.ID, week.From, week.To)
		prev, _ := s.Totals(ctx, p.ID, week.From.AddDays(-7), week.To.AddDays(-7))
		if w.Cur != want || w.Prev != prev {
			t.Errorf("%s: week %+v prev %+v, store %+v %+v", p.ID, w.Cur, w.Prev, want, prev)
		}
		if len(w.History) != 12 || w.History[11] != want.Turnover() || w.Labels[11] != "W47" || w.Labels[0] != "W36" {
			t.Errorf("%s: history %v labels %v", p.ID, w.History, w.Labels)
		}
		for i, wk := 0, week.From.AddDays(-7*11); i < 12; i, wk = i+1, wk.AddDays(7) {
			tot, _ := s.Totals(ctx, p.ID, wk, wk.AddDays(6))
			if w.History[i] != tot.Turnover() {
				t.Errorf("%s: week %d of the chart = %v, store %v", p.ID, i, w.History[i], tot.Turnover())
			}
		}
		mtd, _ := s.Totals(ctx, p.ID, bot.MustDate("2026-11-01"), sendDay)
		if w.MonthSoFar != mtd {
			t.Errorf("%s: month so far %+v, store %+v", p.ID, w.MonthSoFar, mtd)
		}
		if owed, _ := s.Commissions(ctx, p.ID, week.To); w.Owed != owed {
			t.Errorf("%s: owed %+v, store %+v", p.ID, w.Owed, owed)
		}
	}
	// piekarnia-zytnia joined exactly a year before the demo's day.
	p, _ := s.Partner(ctx, "piekarnia-zytnia")
	w, _ := b.Figures(ctx, p, week, sendDay)
	if w.Years != 1 || w.AnnivDay != sendDay {
		t.Errorf("anniversary: %d years on %s (joined %s)", w.Years, w.AnnivDay, p.Joined)
	}
}

func TestWeeklyRecords(t *testing.T) {
	clock := bot.NewManualClock(monday)
	s, err := store.Open(filepath.Join(t.TempDir(), "rec.db"), store.Options{Location: waw, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := &bot.Partner{ID: "rekord", Name: "Rekord", ContactName: "Janek", Joined: bot.MustDate("2026-06-01")}
	if _, err := s.PutPartner(ctx, p); err != nil {
		t.Fatal(err)
	}
	var evs []bot.Event
	for d, i := bot.MustDate("2026-06-01"), 0; d.Before(bot.MustDate("2026-11-23")); d, i = d.AddDays(1), i+1 {
		amount := bot.Amount(10000)
		if !d.Before(bot.MustDate("2026-11-16")) {
			amount = 90000 // the week of 16-22 November is the best ever
		}
		evs = append(evs, bot.Event{ID: fmt.Sprint("s", i), Type: bot.EventSale, Partner: "rekord", At: d.Start(waw).Add(12 * time.Hour), Amount: amount})
	}
	if _, err := s.Ingest(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	b := &report.Builder{Store: s, Board: health.NewBoard(s, health.DefaultRules), Location: waw, Currency: pln}
	week, _ := bot.WeekPeriod(2026, 47)
	w, err := b.Figures(ctx, p, week, bot.MustDate("2026-11-23"))
	if err != nil {
		t.Fatal(err)
	}
	if !w.BestWeek || !w.BestMonth {
		t.Fatalf("records: week %v month %v", w.BestWeek, w.BestMonth)
	}
	m, err := b.WeeklyMessage(p, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := console.Render(m)
	for _, want := range []string{"Cześć Janku", "Najlepszy tydzień w historii: 6 300,00 zł", "Ten miesiąc jest już Twoim najlepszym", "16–22 listopada"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// No commission at all: no row of zeros about it.
	if strings.Contains(out, "wypłat") || strings.Contains(out, "oczekując") || strings.Contains(out, "Saldo") {
		t.Errorf("a report without commission speaks of it:\n%s", out)
	}
	// The chart goes as its numbers, drawn at send time.
	if len(m.Image.Data) != 0 || m.Image.Spec == nil || m.Image.Spec.Kind != chart.WeeklyKind {
		t.Fatalf("chart: %d bytes of PNG and spec %+v, want only a weekly chart spec", len(m.Image.Data), m.Image.Spec)
	}
	data, err := chart.Render(ctx, m.Image.Spec)
	if err != nil {
		t.Fatalf("chart: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() != 640 {
		t.Fatalf("chart: %v", err)
	}
}

func TestTargets(t *testing.T) {
	for _, tt := range []struct {
		p    bot.Partner
		want string
	}{
		{bot.Partner{SlackChannel: "C1", SlackUser: "U1"}, "[slack:#C1]"},
		{bot.Partner{SlackUser: "U1", DiscordChannel: "2"}, "[slack:@U1 discord:#2]"},
		{bot.Partner{DiscordUser: "7"}, "[discord:@7]"},
		{bot.Partner{}, "[]"},
	} {
		if got := fmt.Sprint(report.Targets(&tt.p)); got != tt.want {
			t.Errorf("Targets(%+v) = %s, want %s", tt.p, got, tt.want)
		}
	}
}

// A quiet fortnight is said only of a partner that has been in the
// program for one, and help is offered only by a manager who exists.
func TestWeeklyQuiet(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "quiet.db"), store.Options{Location: waw, Clock: bot.NewManualClock(monday)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.PutManager(ctx, &bot.Manager{ID: "kasia", Name: "Kasia Nowak", Locale: bot.LocalePL}); err != nil {
		t.Fatal(err)
	}
	b := &report.Builder{Store: s, Board: health.NewBoard(s, health.DefaultRules), Location: waw, Currency: pln}
	week, _ := bot.WeekPeriod(2026, 47)
	for _, tc := range []struct {
		name, joined, manager string
		want, not             []string
	}{
		{"joined this week", "2026-11-18", "kasia", []string{"Witamy w programie", "Twój opiekun"}, []string{"Spokojne"}},
		{"joined this week, nobody looks after it", "2026-11-18", "", []string{"Witamy w programie"}, []string{"Spokojne", "opiekun"}},
		{"a month in", "2026-10-01", "kasia", []string{"Spokojne dwa tygodnie", "Twój opiekun"}, []string{"Witamy"}},
		{"a month in, nobody looks after it", "2026-10-01", "", []string{"Spokojne dwa tygodnie"}, []string{"opiekun"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &bot.Partner{ID: "cicho", Name: "Kwiaciarnia", ContactName: "Julia", Manager: tc.manager, Locale: bot.LocalePL, Joined: bot.MustDate(tc.joined)}
			if _, err := s.PutPartner(ctx, p); err != nil {
				t.Fatal(err)
			}
			w, err := b.Figures(ctx, p, week, bot.MustDate("2026-11-23"))
			if err != nil {
				t.Fatal(err)
			}
			m, err := b.WeeklyMessage(p, w, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.want {
				if !strings.Contains(m.Text, want) {
					t.Errorf("lacks %q: %s", want, m.Text)
				}
			}
			for _, not := range tc.not {
				if strings.Contains(m.Text, not) {
					t.Errorf("says %q: %s", not, m.Text)
				}
			}
		})
	}
}
