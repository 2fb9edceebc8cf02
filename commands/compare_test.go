package commands_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/health"
	"partnerbot/store"
)

// smallProgram is two partners and a few sales around the turn of
// November: on 1 November at 09:00 and 15:00, on 1 December at 09:30.
func smallProgram(t *testing.T, at time.Time) *env {
	t.Helper()
	clock := bot.NewManualClock(at)
	s, err := store.Open(filepath.Join(t.TempDir(), "c.db"), store.Options{Location: waw, Clock: clock, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.PutManager(ctx, &bot.Manager{ID: "kasia", Name: "Katarzyna Nowak", Locale: bot.LocalePL}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*bot.Partner{
		{ID: "janko", Name: "Sklep u Janka", ContactName: "Janek", Manager: "kasia", Locale: bot.LocalePL, Status: bot.StatusActive,
			Joined: bot.MustDate("2025-03-01"), SlackUser: "UJANKO"},
		{ID: "ola", Name: "Kwiaciarnia Oli", ContactName: "Ola", Manager: "kasia", Locale: bot.LocalePL, Status: bot.StatusActive,
			Joined: bot.MustDate("2025-03-01"), SlackUser: "UOLA"},
	} {
		if _, err := s.PutPartner(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	sale := func(id string, at time.Time) bot.Event {
		return bot.Event{ID: id, Type: bot.EventSale, Partner: "janko", At: at, Amount: 10000}
	}
	evs := []bot.Event{
		sale("n1", time.Date(2026, 11, 1, 9, 0, 0, 0, waw)),
		sale("n2", time.Date(2026, 11, 1, 15, 0, 0, 0, waw)),
		sale("d1", time.Date(2026, 12, 1, 9, 30, 0, 0, waw)),
	}
	if _, err := s.Ingest(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	svc := commands.New(commands.Options{Store: s, Clock: clock, Location: waw, Currency: bot.Currency{Code: "PLN", Digits: 2},
		Locale: bot.LocalePL, PublicURL: "https://bot.example", Program: "Program", Rules: health.DefaultRules})
	return &env{store: s, svc: svc, clock: clock}
}

// On the 1st at 10:00 the month so far is ten hours: it is compared with
// the 1st of last month up to 10:00 (one sale, not two), and it is too
// early for a percentage. Before, this said "↓ −50%".
func TestMyStats_RunningPeriodComparedLikeForLike(t *testing.T) {
	f := smallProgram(t, time.Date(2026, 12, 1, 10, 0, 0, 0, waw))
	janko := f.caller(t, "slack", "UJANKO")
	_, out := f.run(t, janko, "/mystats")
	for _, bad := range []string{"−50", "↓", "%"} {
		if strings.Contains(out, bad) {
			t.Errorf("/mystats on the 1st at 10:00 shows %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "Za wcześnie na porównanie: ten okres zaczął się dopiero 1 grudnia.") {
		t.Errorf("/mystats does not say it is too early:\n%s", out)
	}

	st, err := f.store.StatsAt(ctx, "janko", bot.MonthPeriod(2026, time.December), f.clock.Now(), bot.Currency{Code: "PLN", Digits: 2})
	if err != nil {
		t.Fatal(err)
	}
	if st.Previous.Sales != 1 || st.Current.Sales != 1 || !st.TooEarly() || len(st.ChangePct()) != 0 {
		t.Errorf("stats: previous %d sales, current %d, too early %v, change %v; want 1, 1, true, none",
			st.Previous.Sales, st.Current.Sales, st.TooEarly(), st.ChangePct())
	}
	if want := time.Date(2026, 11, 1, 10, 0, 0, 0, waw); !st.PrevUntil.Equal(want) {
		t.Errorf("previous counted until %v, want %v", st.PrevUntil, want)
	}
	js, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"until":"2026-11-01T10:00:00+01:00"`, `"change_pct":{}`, `"too_early":true`, `"through":"2026-12-01"`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("stats JSON lacks %s: %s", want, js)
		}
	}

	// Four days on, the comparison is made, with the same cut: 1–5
	// November up to 10:00.
	f.clock.Set(time.Date(2026, 12, 5, 10, 0, 0, 0, waw))
	_, out = f.run(t, janko, "/mystats")
	if !strings.Contains(out, "Zmiany względem: 1–5 listopada, do godziny 10:00") || !strings.Contains(out, "Obrót:       100,00 zł ↓ −50%") {
		t.Errorf("/mystats on the 5th:\n%s", out)
	}
}

func TestMyStats_FuturePeriodRefused(t *testing.T) {
	f := smallProgram(t, time.Date(2026, 12, 1, 10, 0, 0, 0, waw))
	janko := f.caller(t, "slack", "UJANKO")
	_, out := f.run(t, janko, "/mystats 2027-01")
	if !strings.Contains(out, "Ten okres (styczeń 2027) jeszcze się nie zaczął: początek 1 stycznia 2027.") {
		t.Errorf("/mystats 2027-01:\n%s", out)
	}
	if _, err := f.store.StatsAt(ctx, "janko", bot.MonthPeriod(2027, time.January), f.clock.Now(), bot.Currency{Code: "PLN", Digits: 2}); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("StatsAt for a future month: %v, want EINVALID", err)
	}
}

// A ranking where nobody has turnover ranks nobody.
func TestLeaderboard_NobodyRankedWithoutTurnover(t *testing.T) {
	f := smallProgram(t, time.Date(2026, 12, 1, 10, 0, 0, 0, waw))
	_, out := f.run(t, f.caller(t, "slack", "UOLA"), "/leaderboard 2026-10")
	if strings.Contains(out, "Twoje miejsce") || strings.Contains(out, "1.") || !strings.Contains(out, "W tym okresie nie było obrotu.") {
		t.Errorf("/leaderboard for an empty month:\n%s", out)
	}
	// In November only Janek sold: he is first of one, Ola is not ranked.
	_, out = f.run(t, f.caller(t, "slack", "UOLA"), "/leaderboard 2026-11")
	if !strings.Contains(out, "Jeszcze poza rankingiem") || strings.Contains(out, "2. z") {
		t.Errorf("/leaderboard for Ola:\n%s", out)
	}
	_, out = f.run(t, f.caller(t, "slack", "UJANKO"), "/leaderboard 2026-11")
	if !strings.Contains(out, "1. z 1") {
		t.Errorf("/leaderboard for Janek:\n%s", out)
	}
}

// /referral offers the print-ready poster beside the screen QR code.
func TestReferral_PrintVersion(t *testing.T) {
	f := smallProgram(t, time.Date(2026, 12, 1, 10, 0, 0, 0, waw))
	m, _ := f.run(t, f.caller(t, "slack", "UJANKO"), "/referral")
	p, _ := f.store.Partner(ctx, "janko")
	want := "https://bot.example/r/" + p.ReferralCode + "/print.svg"
	found := false
	for _, b := range m.Buttons {
		found = found || b.URL == want && b.Label == "Wersja do druku (SVG, A4)"
	}
	if m.Image == nil || !found {
		t.Errorf("/referral: image %v, buttons %+v; want the screen QR and a button to %s", m.Image != nil, m.Buttons, want)
	}
}

// Figures from before a partner joined say nothing about it: no arrows
// against such a period, and a word when the whole period is before; a
// paused partnership says so.
func TestMyStats_BeforeJoiningAndPaused(t *testing.T) {
	f := smallProgram(t, time.Date(2026, 12, 1, 10, 0, 0, 0, waw))
	ola, err := f.store.Partner(ctx, "ola")
	if err != nil {
		t.Fatal(err)
	}
	ola.Joined, ola.Status = bot.MustDate("2026-11-20"), bot.StatusPaused
	if _, err := f.store.PutPartner(ctx, ola); err != nil {
		t.Fatal(err)
	}
	_, out := f.run(t, f.caller(t, "slack", "UOLA"), "/mystats 2026-11")
	if strings.ContainsAny(out, "↑↓") || strings.Contains(out, "bez zmian") || !strings.Contains(out, "Bez porównania: 1–31 października to czas sprzed dołączenia do programu.") {
		t.Errorf("/mystats 2026-11 for a partner that joined on 20 November:\n%s", out)
	}
	if !strings.Contains(out, "Współpraca jest obecnie wstrzymana") {
		t.Errorf("a paused partner is not told:\n%s", out)
	}
	_, out = f.run(t, f.caller(t, "slack", "UOLA"), "/mystats 2026-10")
	if !strings.Contains(out, "Kwiaciarnia Oli jest w programie od 20 listopada 2026, więc za ten okres nie ma wyników.") {
		t.Errorf("/mystats 2026-10, before joining:\n%s", out)
	}
}
