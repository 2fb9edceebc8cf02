package demo_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/demo"
	"partnerbot/store"
)

var (
	ctx = context.Background()
	waw = mustLoc("Europe/Warsaw")
	pln = bot.Currency{Code: "PLN", Digits: 2}
	// A Sunday afternoon in November: the current month is running.
	now = time.Date(2026, 11, 22, 15, 30, 0, 0, waw)
)

// months is the demo's history: the current month and six before it.
const months = 7

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func mustOpen(tb testing.TB, now time.Time) *store.Store {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "demo.db")
	s, err := store.Open(path, store.Options{Location: waw, Clock: bot.NewManualClock(now)})
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// monthTurnover returns a partner's turnover in the month k months before
// now's month, read from the store's daily totals.
func monthTurnover(tb testing.TB, s *store.Store, id string, now time.Time, k int) bot.Amount {
	tb.Helper()
	m := bot.DateOf(now, waw).AddMonths(-k)
	p := bot.MonthPeriod(m.Year, m.Month)
	t, err := s.Totals(ctx, id, p.From, p.To)
	if err != nil {
		tb.Fatal(err)
	}
	return t.Turnover()
}

func zl(v int64) bot.Amount { return bot.Amount(v * 100) }

// TestGenerate fills two stores with the same seed and clock, at once
// (generation waits mostly on fsync), and checks the first against the
// playbook's cases.
func TestGenerate(t *testing.T) {
	s, s2 := mustOpen(t, now), mustOpen(t, now)
	var sum, sum2 demo.Summary
	var err, err2 error
	var wg sync.WaitGroup
	wg.Go(func() { sum2, err2 = demo.Generate(ctx, s2, now, demo.DefaultSeed) })
	start := time.Now()
	sum, err = demo.Generate(ctx, s, now, demo.DefaultSeed)
	t.Logf("generated %+v in %v", sum, time.Since(start).Round(time.Millisecond))
	wg.Wait()
	if err != nil || err2 != nil {
		t.Fatalf("generate: %v; %v", err, err2)
	}
	if sum.Managers != 4 || sum.Partners < 55 || sum.Promotions != 4 {
		t.Fatalf("summary = %+v, want 4 managers, about 60 partners, 4 promotions", sum)
	}
	if sum.Events < 40000 || sum.Events > 80000 {
		t.Fatalf("%d events, want 40 000 to 80 000", sum.Events)
	}
	if n, _ := s.EventCount(ctx); n != sum.Events {
		t.Fatalf("store holds %d events, summary says %d", n, sum.Events)
	}

	t.Run("deterministic", func(t *testing.T) {
		if sum2 != sum {
			t.Fatalf("summaries %+v and %+v", sum, sum2)
		}
		pa, _ := s.Partners(ctx)
		pb, _ := s2.Partners(ctx)
		if len(pa) != len(pb) {
			t.Fatalf("%d partners, then %d", len(pa), len(pb))
		}
		from, to := bot.DateOf(now, waw).AddMonths(-months), bot.DateOf(now, waw)
		for i := range pa {
			if pa[i].ID != pb[i].ID || pa[i].ReferralCode != pb[i].ReferralCode || pa[i].Joined != pb[i].Joined {
				t.Fatalf("partner %d: %+v, then %+v", i, pa[i], pb[i])
			}
			ta, _ := s.Totals(ctx, pa[i].ID, from, to)
			tb, _ := s2.Totals(ctx, pb[i].ID, from, to)
			if ta != tb {
				t.Errorf("%s: totals %+v, then %+v", pa[i].ID, ta, tb)
			}
		}
	})

	t.Run("second run refused", func(t *testing.T) {
		_, err := demo.Generate(ctx, s, now, demo.DefaultSeed)
		if bot.ErrorCode(err) != bot.ECONFLICT {
			t.Fatalf("err = %v, want conflict", err)
		}
		if n, _ := s.EventCount(ctx); n != sum.Events {
			t.Fatalf("refused run changed the events: %d → %d", sum.Events, n)
		}
	})

	t.Run("janko grows past 5000 zł", func(t *testing.T) {
		last, before := monthTurnover(t, s, "janko", now, 1), monthTurnover(t, s, "janko", now, 4)
		if last < zl(5000) || last <= before {
			t.Fatalf("janko: last full month %v zł, three months before %v zł; want ≥ 5000 and growing", last, before)
		}
	})

	t.Run("autoserwis falls", func(t *testing.T) {
		m3, m2, m1 := monthTurnover(t, s, "autoserwis", now, 3), monthTurnover(t, s, "autoserwis", now, 2), monthTurnover(t, s, "autoserwis", now, 1)
		if !(m3 > m2 && m2 > m1) || m1 >= zl(600) {
			t.Fatalf("autoserwis: %v → %v → %v zł; want strictly falling to under 600", m3, m2, m1)
		}
		if m0 := monthTurnover(t, s, "autoserwis", now, 0); m0 != 0 {
			t.Fatalf("autoserwis this month: %v zł, want 0", m0)
		}
	})

	t.Run("inactive partners have no turnover", func(t *testing.T) {
		for _, id := range demo.Archetypes()["inactive"] {
			for k := range 3 {
				if got := monthTurnover(t, s, id, now, k); got != 0 {
					t.Errorf("%s: %v zł %d months back, want 0", id, got, k)
				}
			}
		}
	})

	t.Run("statuses", func(t *testing.T) {
		ps, err := s.Partners(ctx)
		if err != nil {
			t.Fatal(err)
		}
		count := map[bot.Status]int{}
		optIn := 0
		for _, p := range ps {
			count[p.Status]++
			if p.LeaderboardOK {
				optIn++
			}
		}
		if count[bot.StatusPaused] < 1 || count[bot.StatusEnded] < 1 {
			t.Errorf("statuses %v, want paused and ended partners", count)
		}
		if optIn < len(ps)/3 || optIn > 2*len(ps)/3 {
			t.Errorf("%d of %d partners on the leaderboard, want about half", optIn, len(ps))
		}
	})

	t.Run("janko stats", func(t *testing.T) {
		today := bot.DateOf(now, waw)
		p, err := bot.ParsePeriod("month", today)
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.Stats(ctx, "janko", p, today, pln)
		if err != nil {
			t.Fatal(err)
		}
		if st.Current.Sales == 0 || st.Previous.Sales == 0 || st.Current.Clicks < 3*st.Current.Sales {
			t.Fatalf("janko this month: %+v, before: %+v", st.Current, st.Previous)
		}
		if _, err := st.MarshalJSON(); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("promotions around now", func(t *testing.T) {
		ps, err := s.Promotions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ended, running, notice, later int
		for _, p := range ps {
			switch {
			case !p.End.After(now):
				ended++
			case !p.Start.After(now):
				running++
			case p.Start.Add(-48 * time.Hour).After(now):
				if p.Start.Sub(now) < 4*24*time.Hour {
					notice++ // its 48-hour notice is still to be sent
				} else {
					later++
				}
			}
		}
		if ended != 1 || running != 1 || notice != 1 || later != 1 {
			t.Fatalf("ended %d, running %d, notice due %d, later %d; want one each", ended, running, notice, later)
		}
	})

	t.Run("no event after now", func(t *testing.T) {
		ps, err := s.Partners(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			evs, err := s.PartnerEvents(ctx, p.ID, now.Add(time.Nanosecond), now.AddDate(1, 0, 0))
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) > 0 {
				t.Errorf("%s has %d events after now, first %v", p.ID, len(evs), evs[0].At)
			}
		}
	})
}

// TestBuild checks the program without a store for several clocks and
// seeds: month starts and ends, a leap day, DST changes.
func TestBuild(t *testing.T) {
	t.Parallel()
	nows := []time.Time{
		now,
		time.Date(2026, 3, 1, 0, 5, 0, 0, waw),    // the first minutes of a month
		time.Date(2028, 2, 29, 18, 0, 0, 0, waw),  // a leap day: anniversaries of 29 February
		time.Date(2026, 10, 25, 2, 30, 0, 0, waw), // the repeated hour
		time.Date(2027, 1, 31, 23, 59, 0, 0, waw),
	}
	type run struct {
		now  time.Time
		seed uint64
	}
	var runs []run
	for _, nw := range nows {
		runs = append(runs, run{nw, demo.DefaultSeed})
	}
	runs = append(runs, run{now, 1}, run{now, 42})
	if raceEnabled {
		runs = runs[:2]
	}
	for _, r := range runs {
		prog, err := demo.Build(r.now, waw, r.seed)
		if err != nil {
			t.Fatalf("%v seed %d: %v", r.now, r.seed, err)
		}
		checkProgram(t, prog, r.now)
	}
}

func checkProgram(t *testing.T, prog *demo.Program, now time.Time) {
	t.Helper()
	if n := len(prog.Events); n < 40000 || n > 80000 {
		t.Errorf("%v: %d events, want 40 000 to 80 000", now, n)
	}
	joined := map[string]bot.Date{}
	for _, p := range prog.Partners {
		joined[p.ID] = p.Joined
		if p.Joined.After(bot.DateOf(now, waw)) {
			t.Errorf("%v: %s joins in the future: %v", now, p.ID, p.Joined)
		}
	}
	ids := map[string]bool{}
	today := bot.DateOf(now, waw)
	monthly := map[string][months]bot.Amount{}
	for _, e := range prog.Events {
		if ids[e.ID] {
			t.Fatalf("%v: id %s twice", now, e.ID)
		}
		ids[e.ID] = true
		if err := e.Validate(); err != nil {
			t.Fatalf("%v: event %+v: %v", now, e, err)
		}
		if e.At.After(now) {
			t.Fatalf("%v: event %s at %v is after now", now, e.ID, e.At)
		}
		if e.At.Before(joined[e.Partner].Start(waw)) {
			t.Fatalf("%v: event %s at %v is before %s joined (%v)", now, e.ID, e.At, e.Partner, joined[e.Partner])
		}
		if h := e.At.In(waw).Hour(); h < 8 || h >= 21 {
			t.Errorf("%v: event %s at %v is outside business hours", now, e.ID, e.At.In(waw))
		}
		d := bot.DateOf(e.At, waw)
		k := (today.Year*12 + int(today.Month)) - (d.Year*12 + int(d.Month))
		if k < 0 || k >= months {
			t.Fatalf("%v: event %s at %v outside the window", now, e.ID, e.At)
		}
		m := monthly[e.Partner]
		switch e.Type {
		case bot.EventSale:
			m[k] += e.Amount
			if want := (e.Amount*2 + 50) / 100; e.Commission != want {
				t.Fatalf("%s: commission %v on %v, want %v", e.ID, e.Commission, e.Amount, want)
			}
		case bot.EventRefund:
			m[k] -= e.Amount
		}
		monthly[e.Partner] = m
	}
	j := monthly["janko"]
	if j[1] < zl(5000) || j[1] <= j[4] {
		t.Errorf("%v: janko %v zł last full month, %v three months before", now, j[1], j[4])
	}
	a := monthly["autoserwis"]
	if !(a[3] > a[2] && a[2] > a[1]) || a[1] >= zl(600) || a[0] != 0 {
		t.Errorf("%v: autoserwis %v → %v → %v → %v zł", now, a[3], a[2], a[1], a[0])
	}
	if s := monthly["salon"]; s[2] != 0 || s[3] != 0 || s[4] != 0 || s[1] < zl(1800) {
		t.Errorf("%v: salon %v", now, s)
	}
	if ap := monthly["apteka"]; ap[1] < zl(250) || ap[1] > zl(350) {
		t.Errorf("%v: apteka %v zł last month, want about 300", now, ap[1])
	}
	for _, id := range demo.Archetypes()["inactive"] {
		if m := monthly[id]; m[0] != 0 || m[1] != 0 || m[2] != 0 {
			t.Errorf("%v: inactive %s has turnover %v", now, id, m)
		}
	}
	for _, id := range demo.Archetypes()["growing"] {
		if m := monthly[id]; !(m[3] < m[2] && m[2] < m[1]) {
			t.Errorf("%v: growing %s: %v", now, id, m)
		}
	}
	for _, id := range demo.Archetypes()["stable"] {
		if m := monthly[id]; m[3] > m[2] && m[2] > m[1] {
			t.Errorf("%v: stable %s falls two months in a row: %v", now, id, m)
		}
	}
	for _, id := range demo.Archetypes()["declining"] {
		if m := monthly[id]; !(m[3] > m[2] && m[2] > m[1]) {
			t.Errorf("%v: declining %s: %v", now, id, m)
		}
	}
}

func TestBuild_ChatIdentitiesUnique(t *testing.T) {
	t.Parallel()
	prog, err := demo.Build(now, waw, demo.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	claim := func(key, owner string) {
		if key == "" {
			return
		}
		if o, ok := seen[key]; ok {
			t.Errorf("%s used by %s and %s", key, o, owner)
		}
		seen[key] = owner
	}
	for _, m := range prog.Managers {
		claim("slack:"+m.SlackUser, m.ID)
		claim("discord:"+m.DiscordUser, m.ID)
	}
	for _, p := range prog.Partners {
		if p.SlackUser != "" {
			claim("slack:"+p.SlackUser, p.ID)
			claim("slack:"+p.SlackChannel, p.ID)
		}
		if p.DiscordUser != "" {
			claim("discord:"+p.DiscordUser, p.ID)
			claim("discord:"+p.DiscordChannel, p.ID)
		}
		claim("code:"+p.ReferralCode, p.ID)
	}
}
