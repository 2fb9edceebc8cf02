package report_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"partnerbot/bot"
	"partnerbot/bot/console"
	"partnerbot/health"
	"partnerbot/i18n"
	"partnerbot/report"
)

// checkLimits fails when a message could not be posted as it is: more
// fields than Discord takes, a text over Slack's section limit, a title
// over Slack's header limit, or a text key without its text.
func checkLimits(t *testing.T, m *bot.Message) string {
	t.Helper()
	if len(m.Fields) > 25 {
		t.Errorf("%d fields", len(m.Fields))
	}
	if n := utf8.RuneCountInString(m.Text); n > 3000 {
		t.Errorf("text of %d characters", n)
	}
	if n := utf8.RuneCountInString(m.Title); n > 150 {
		t.Errorf("title of %d characters", n)
	}
	out := console.Render(m)
	if strings.Contains(out, "%!") || regexp.MustCompile(`\[[a-z_]+\.[a-z_.]+\]`).MatchString(out) {
		t.Errorf("a text is missing or badly formatted:\n%s", out)
	}
	return out
}

func sendDay() bot.Date { return bot.DateOf(monday, waw) }

// listText is a message's list as the console shows it, one item a line.
func listText(m *bot.Message) string {
	if m.List == nil {
		return ""
	}
	return strings.Join(m.List.Items, "\n")
}

// agendaSections splits an agenda's list into its segments by the
// headings that start them; "more" counts names left out (none: the
// list is whole and paged by the adapters).
func agendaSections(l bot.Locale, text string) (names map[health.Segment][]string, more map[health.Segment]int) {
	names, more = map[health.Segment][]string{}, map[health.Segment]int{}
	heads := map[string]health.Segment{}
	for key, seg := range map[string]health.Segment{"agenda.congratulate": health.SegmentA, "agenda.follow_up": health.SegmentB, "agenda.reactivate": health.SegmentC, "agenda.onboarding": "new"} {
		heads[strings.TrimSuffix(i18n.T(l, key, 0), "(0)")] = seg
	}
	var seg health.Segment
	in := false
	for _, ln := range strings.Split(text, "\n") {
		for h, sg := range heads {
			if strings.HasPrefix(strings.TrimPrefix(ln, "*"), h) {
				seg, in = sg, true
				names[seg] = []string{}
			}
		}
		if !in {
			continue
		}
		if name, _, ok := strings.Cut(strings.TrimPrefix(ln, "• "), " — "); ok && strings.HasPrefix(ln, "• ") {
			names[seg] = append(names[seg], name)
		}
	}
	return names, more
}

func TestCareAgenda(t *testing.T) {
	s, b := setup(t)
	today := sendDay()
	ps, _ := s.Partners(ctx)
	ms, _ := s.Managers(ctx)
	standings, err := b.Board.Standings(ctx, today)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]bot.Partner{}
	for _, p := range ps {
		byName[p.Name] = p
	}
	sawInactive := false
	for _, m := range ms {
		t.Run(m.ID, func(t *testing.T) {
			msg, err := b.CareAgenda(ctx, &m, ps, standings, today)
			if err != nil {
				t.Fatal(err)
			}
			out := checkLimits(t, msg)
			want := map[health.Segment][]string{}
			for _, p := range ps {
				if st, ok := standings[p.ID]; ok && p.Manager == m.ID && p.Status == bot.StatusActive {
					seg := st.Segment
					if seg == "" {
						seg = "new" // onboarding
					}
					want[seg] = append(want[seg], p.Name)
				}
			}
			title := fmt.Sprintf("A: %d · B: %d · C: %d", len(want["A"]), len(want["B"]), len(want["C"]))
			if !strings.Contains(msg.Title, title) {
				t.Errorf("title %q lacks %q", msg.Title, title)
			}
			got, more := agendaSections(m.Locale, listText(msg))
			seen := map[string]bool{}
			for _, seg := range []health.Segment{"A", "B", "C", "new"} {
				names, ok := got[seg]
				if len(want[seg]) == 0 {
					if ok {
						t.Errorf("segment %s is empty but has a section", seg)
					}
					continue
				}
				if len(names)+more[seg] != len(want[seg]) {
					t.Errorf("segment %s lists %d and %d more, want %d: %v", seg, len(names), more[seg], len(want[seg]), names)
				}
				for _, n := range names {
					if seen[n] {
						t.Errorf("%s listed twice", n)
					}
					seen[n] = true
					if !slices.Contains(want[seg], n) {
						t.Errorf("%s listed under %s; standing %+v, manager %s", n, seg, standings[byName[n].ID], byName[n].Manager)
					}
				}
			}
			// Nobody else's partner, and no paused or ended one, appears.
			for _, p := range ps {
				if (p.Manager != m.ID || p.Status != bot.StatusActive) && strings.Contains(out, "• "+p.Name+" — ") {
					t.Errorf("%s (manager %s, %s) is on %s's agenda", p.Name, p.Manager, p.Status, m.ID)
				}
			}
			// Inactive partners are marked, and only they; newcomers are
			// new, not inactive.
			marker := "*" + i18n.T(m.Locale, "agenda.inactive") + "*"
			for _, ln := range strings.Split(listText(msg), "\n") {
				name, _, ok := strings.Cut(strings.TrimPrefix(ln, "• "), " — ")
				if !ok || !strings.HasPrefix(ln, "• ") {
					continue
				}
				p := byName[name]
				st := standings[p.ID]
				wantMark := st.Inactive && st.Segment != ""
				if strings.Contains(ln, marker) != wantMark {
					t.Errorf("%q: inactive marker %v, want %v (standing %+v, joined %s)", ln, !wantMark, wantMark, st, p.Joined)
				}
				if wantMark {
					sawInactive = true
					if !strings.Contains(ln, i18n.T(m.Locale, "agenda.no_turnover")) {
						t.Errorf("%q does not say there was no turnover", ln)
					}
				}
				// New partners (in their grace period, without a segment) are
				// named as such instead of by a turnover they could not have had.
				if !st.Inactive && st.Segment != "" && !strings.Contains(ln, i18n.Money(m.Locale, pln, st.Turnover)) {
					t.Errorf("%q lacks the turnover %v", ln, st.Turnover)
				}
			}
		})
	}
	if !sawInactive {
		t.Error("no demo agenda marked an inactive partner")
	}

	t.Run("playbook wording", func(t *testing.T) {
		m, _ := s.Manager(ctx, "kasia")
		msg, _ := b.CareAgenda(ctx, m, ps, standings, today)
		out := console.Render(msg)
		for _, want := range []string{"Cześć Katarzyno!", "Plan opieki, tydzień 48", "*Pogratuluj — segment A (", "Sklep u Janka — 6 146,29 zł w październiku",
			"*Reaktywuj — segment C (", "Apteka Pod Lipami — ", "W tym tygodniu zadzwoń do partnerów z segmentu C"} {
			if !strings.Contains(out, want) {
				t.Errorf("kasia's agenda lacks %q:\n%s", want, out)
			}
		}
		m, _ = s.Manager(ctx, "anna")
		msg, _ = b.CareAgenda(ctx, m, ps, standings, today)
		if out := console.Render(msg); !strings.Contains(out, "Hi Anna!") || !strings.Contains(out, "Tech with Tom — PLN 5,879.60 in October") || !strings.Contains(out, "*Congratulate — segment A (") {
			t.Errorf("anna's agenda:\n%s", out)
		}
	})
}

func TestCareAgendaLimits(t *testing.T) {
	b := &report.Builder{Location: waw, Currency: pln}
	today := sendDay()
	m := &bot.Manager{ID: "kasia", Name: "Katarzyna Nowak", Locale: bot.LocalePL}
	for _, tt := range []struct {
		name  string
		n     int
		long  bool
		shown int // names in the list, -1 for "whatever fits"
	}{
		{"none", 0, false, 0},
		{"under the cap", 15, false, 15},
		{"over the old cap", 40, false, 40},
		{"long names", 40, true, 40},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var ps []bot.Partner
			st := map[string]health.Standing{}
			for i := range tt.n {
				name := fmt.Sprintf("Partner %02d", i)
				if tt.long {
					name += " " + strings.Repeat("bardzo długa nazwa ", 9)
				}
				id := fmt.Sprintf("p%02d", i)
				ps = append(ps, bot.Partner{ID: id, Name: name, Manager: "kasia", Status: bot.StatusActive, Joined: bot.MustDate("2025-01-01")})
				st[id] = health.Standing{Segment: health.SegmentB, Turnover: bot.Amount(300000 - i)}
			}
			msg, err := b.CareAgenda(ctx, m, ps, st, today)
			if err != nil {
				t.Fatal(err)
			}
			checkLimits(t, msg)
			names, more := agendaSections(bot.LocalePL, listText(msg))
			if tt.n == 0 {
				if len(names) != 0 || !strings.Contains(msg.Text, i18n.T(bot.LocalePL, "agenda.none")) {
					t.Fatalf("empty agenda:\n%s", msg.Text)
				}
				return
			}
			if len(names["B"])+more["B"] != tt.n || (tt.shown >= 0 && len(names["B"]) != tt.shown) {
				t.Fatalf("%d shown and %d more of %d:\n%s", len(names["B"]), more["B"], tt.n, msg.Text)
			}
			if _, ok := names["A"]; ok {
				t.Error("an empty section A is shown")
			}
			if names["B"][0] != ps[0].Name {
				t.Errorf("the best turnover is not first: %s", names["B"][0])
			}
		})
	}
}

func TestProgramSummary(t *testing.T) {
	s, b := setup(t)
	today := sendDay()
	week, _ := bot.WeekPeriod(2026, 47)
	ps, _ := s.Partners(ctx)
	standings, _ := b.Board.Standings(ctx, today)

	// The recount: active partners with turnover in the four weeks of
	// 26 October - 22 November.
	window := report.ActiveWindow(week)
	if window.From != bot.MustDate("2026-10-26") || window.To != bot.MustDate("2026-11-22") {
		t.Fatalf("window %s..%s", window.From, window.To)
	}
	var active, total int
	segs := map[health.Segment]int{}
	idle := 0
	type move struct {
		name string
		pct  float64
	}
	var moves []move
	for _, p := range ps {
		if p.Status != bot.StatusActive {
			continue
		}
		st := standings[p.ID]
		segs[st.Segment]++
		if st.Inactive {
			idle++
		}
		tot, _ := s.Totals(ctx, p.ID, window.From, window.To)
		total++
		if tot.Turnover() > 0 {
			active++
		}
		cur, _ := s.Totals(ctx, p.ID, week.From, week.To)
		prev, _ := s.Totals(ctx, p.ID, week.From.AddDays(-7), week.To.AddDays(-7))
		if prev.Turnover() >= 20000 {
			if pct, ok := bot.Change(int64(cur.Turnover()), int64(prev.Turnover())); ok && pct != 0 {
				moves = append(moves, move{p.Name, pct})
			}
		}
	}
	slices.SortStableFunc(moves, func(a, b move) int {
		switch {
		case a.pct > b.pct:
			return -1
		case a.pct < b.pct:
			return 1
		}
		return 0
	})
	share := float64(active) / float64(total)

	for _, tt := range []struct {
		l      bot.Locale
		target float64
		color  string
		want   []string
	}{
		{bot.LocalePL, 0.70, "green", []string{"Podsumowanie programu: tydzień 47 (16–22 listopada)", fmt.Sprintf("%d z %d", active, total), "cel osiągnięty (co najmniej 70%)",
			fmt.Sprintf("A: %d · B: %d · C: %d (nieaktywni: %d)", segs["A"], segs["B"], segs["C"], idle), "Segmenty (październik 2026)"}},
		{bot.LocaleEN, 0.70, "green", []string{"Program summary: week 47 (16–22 November)", fmt.Sprintf("%d of %d", active, total),
			fmt.Sprintf("A: %d · B: %d · C: %d (inactive: %d)", segs["A"], segs["B"], segs["C"], idle)}},
		{bot.LocalePL, 0.99, "amber", []string{"poniżej celu 99%", fmt.Sprintf("bez obrotu w ostatnich 4 tygodniach: %d", total-active)}},
		{bot.LocaleEN, 0.99, "amber", []string{"below the 99% target"}},
	} {
		t.Run(fmt.Sprintf("%s %v", tt.l, tt.target), func(t *testing.T) {
			bb := *b
			bb.ActiveTarget = tt.target
			msg, err := bb.ProgramSummary(ctx, tt.l, ps, standings, week)
			if err != nil {
				t.Fatal(err)
			}
			out := checkLimits(t, msg)
			if share < 0.7 {
				t.Fatalf("the demo's active share is %v", share)
			}
			if msg.Color != tt.color {
				t.Errorf("color %q, want %q (share %v)", msg.Color, tt.color, share)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("summary lacks %q:\n%s", w, out)
				}
			}
			// The movers are the recount's top and bottom three, in order.
			var risers, fallers []bot.Field
			for _, f := range msg.Fields {
				switch f.Name {
				case i18n.T(tt.l, "summary.risers"):
					risers = append(risers, f)
				case i18n.T(tt.l, "summary.fallers"):
					fallers = append(fallers, f)
				}
			}
			if len(risers) != 1 || len(fallers) != 1 {
				t.Fatalf("risers %v fallers %v", risers, fallers)
			}
			lines := strings.Split(risers[0].Value, "\n")
			for i, ln := range lines {
				if !strings.HasPrefix(ln, moves[i].name+": ") || moves[i].pct <= 0 {
					t.Errorf("riser %d = %q, want %s (%+v)", i, ln, moves[i].name, moves[i].pct)
				}
			}
			lines = strings.Split(fallers[0].Value, "\n")
			for i, ln := range lines {
				mv := moves[len(moves)-1-i]
				if !strings.HasPrefix(ln, mv.name+": ") || mv.pct >= 0 {
					t.Errorf("faller %d = %q, want %s (%+v)", i, ln, mv.name, mv.pct)
				}
			}
			if len(lines) != 3 {
				t.Errorf("%d fallers", len(lines))
			}
		})
	}
}

func TestRetentionReview(t *testing.T) {
	s, b := setup(t)
	ps, _ := s.Partners(ctx)
	q := bot.QuarterPeriod(2026, 3)
	var active int
	var inactive []string
	for _, p := range ps {
		if p.Status != bot.StatusActive || p.Joined.After(q.To) {
			continue
		}
		tot, _ := s.Totals(ctx, p.ID, q.From, q.To)
		if tot.Turnover() > 0 {
			active++
		} else {
			inactive = append(inactive, p.Name)
		}
	}
	if len(inactive) == 0 {
		t.Fatal("the demo has no partner inactive in Q3")
	}
	for _, tt := range []struct {
		l      bot.Locale
		target float64
		color  string
		want   []string
		advice bool
	}{
		{bot.LocalePL, 0.70, "green", []string{"Przegląd utrzymania partnerów, 3. kwartał 2026", "Cel: co najmniej 70% aktywnych", "Cel osiągnięty"}, false},
		{bot.LocaleEN, 0.70, "green", []string{"Retention review, Q3 2026", "Target met"}, false},
		{bot.LocalePL, 0.99, "amber", []string{"Poniżej celu 99%", "co nie działa w opiece"}, true},
		{bot.LocaleEN, 0.99, "amber", []string{"Below the 99% target", "diagnose what isn't working in care"}, true},
	} {
		t.Run(fmt.Sprintf("%s %v", tt.l, tt.target), func(t *testing.T) {
			bb := *b
			bb.ActiveTarget = tt.target
			msg, err := bb.RetentionReview(ctx, tt.l, ps, q)
			if err != nil {
				t.Fatal(err)
			}
			out := checkLimits(t, msg)
			if msg.Color != tt.color {
				t.Errorf("color %q, want %q", msg.Color, tt.color)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("review lacks %q:\n%s", w, out)
				}
			}
			if msg.Fields[0].Value != fmt.Sprint(active) || msg.Fields[1].Value != fmt.Sprint(len(inactive)) {
				t.Errorf("active %s inactive %s, recount %d %d", msg.Fields[0].Value, msg.Fields[1].Value, active, len(inactive))
			}
			for _, n := range inactive {
				if !strings.Contains(listText(msg), "• "+n+" — ") {
					t.Errorf("inactive %s not listed:\n%s", n, listText(msg))
				}
			}
			if got := strings.Contains(out, i18n.T(tt.l, "retention.ok")); got == tt.advice {
				t.Errorf("target met said %v, under target %v", got, tt.advice)
			}
		})
	}
}

func TestForStanding(t *testing.T) {
	s, _ := setup(t)
	all, _ := s.Promotions(ctx)
	for _, tt := range []struct {
		st   health.Standing
		want []string
	}{
		{health.Standing{Segment: health.SegmentA, Tier: health.TierGold}, []string{"konkurs-qr", "tydzien-x2", "miesiac-polecen"}},
		{health.Standing{Segment: health.SegmentB, Tier: health.TierBronze}, []string{"konkurs-qr", "tydzien-x2"}},
		{health.Standing{Segment: health.SegmentC, Tier: health.TierSilver}, []string{"konkurs-qr", "miesiac-polecen"}},
		{health.Standing{Segment: health.SegmentC, Tier: health.TierBronze}, []string{"konkurs-qr"}},
	} {
		var got []string
		for _, p := range report.ForStanding(all, tt.st, monday) {
			got = append(got, p.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ForStanding(%s/%s) = %v, want %v", tt.st.Segment, tt.st.Tier, got, tt.want)
		}
	}
}

func TestPromoCalendar(t *testing.T) {
	s, b := setup(t)
	all, _ := s.Promotions(ctx)
	dec := bot.MonthPeriod(2026, 12)
	for _, tt := range []struct {
		name   string
		l      bot.Locale
		month  bot.Period
		promos []bot.Promotion
		want   []string // promotion ids in order
		texts  []string
	}{
		{"community pl", bot.LocalePL, dec, all, []string{"konkurs-qr", "tydzien-x2", "miesiac-polecen"},
			[]string{"Kalendarz promocji: grudzień 2026", "W kalendarzu: 3 promocje.", "już trwa, do 4 grudnia", "od 1 grudnia do 31 grudnia",
				"Dla kogo: segmenty A, B", "Dla kogo: poziomy Platynowy, Złoty, Srebrny", "https://shop.example/promo/miesiac-polecen"}},
		{"community en", bot.LocaleEN, dec, all, []string{"konkurs-qr", "tydzien-x2", "miesiac-polecen"},
			[]string{"Promo calendar: December 2026", "On the calendar: 3 promotions.", "already running, until 4 December", "For: tiers Platinum, Gold, Silver"}},
		{"a C partner", bot.LocalePL, dec, report.ForStanding(all, health.Standing{Segment: "C", Tier: "bronze"}, dec.From.Start(waw).Add(9*time.Hour)),
			[]string{"konkurs-qr"}, []string{"W kalendarzu: 1 promocja."}},
		{"November", bot.LocaleEN, bot.MonthPeriod(2026, 11), all, []string{"konkurs-qr", "tydzien-x2"}, []string{"from 26 November, 09:00 to 2 December"}},
		{"October", bot.LocaleEN, bot.MonthPeriod(2026, 10), all, []string{"tydzien-otwarty"}, []string{"from 14 October to 20 October"}},
		{"nothing planned", bot.LocalePL, bot.MonthPeriod(2027, 2), all, nil, []string{"Kalendarz promocji: luty 2027", "Na luty 2027 nie ma jeszcze zaplanowanych promocji."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msg := b.PromoCalendar(tt.l, tt.month, tt.promos)
			out := checkLimits(t, msg)
			var got []string
			if msg.List != nil {
				for _, it := range msg.List.Items {
					first, _, _ := strings.Cut(it, "\n")
					for _, p := range all {
						if first == "*"+p.TitleIn(tt.l)+"*" {
							got = append(got, p.ID)
						}
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("promotions %v, want %v:\n%s", got, tt.want, out)
			}
			for _, w := range tt.texts {
				if !strings.Contains(out, w) {
					t.Errorf("calendar lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestPromoNotice(t *testing.T) {
	s, b := setup(t)
	x2, err := s.Promotion(ctx, "tydzien-x2")
	if err != nil {
		t.Fatal(err)
	}
	janko, _ := s.Partner(ctx, "janko")
	tom, _ := s.Partner(ctx, "techwithtom") // English, in Europe/London
	for _, tt := range []struct {
		name string
		p    *bot.Partner
		lead time.Duration
		at   time.Time // zero: PromoNotice with lead
		want []string
	}{
		{"pl", janko, 0, time.Time{}, []string{"Za 2 dni startuje: Tydzień z podwójnym cashbackiem", "Cześć Janku!", "startuje 26 listopada, 09:00 i potrwa do 2 grudnia",
			"*Co zrobić:* Przez siedem dni", "[Szczegóły promocji → https://shop.example/promo/tydzien-x2]"}},
		{"en in London", tom, 0, time.Time{}, []string{"Starting in 2 days: Double cashback week", "Hi Tom!", "it starts on 26 November, 08:00 and runs until 2 December, 23:00",
			"*What to do:* For seven days every purchase", "[Promotion details → https://shop.example/promo/tydzien-x2]"}},
		{"lead of three days", janko, 72 * time.Hour, time.Time{}, []string{"Za 3 dni startuje:"}},
		{"on time", janko, 0, x2.Start.Add(-48 * time.Hour), []string{"Za 2 dni startuje:"}},
		{"late", janko, 0, x2.Start.Add(-20 * time.Hour), []string{"Jutro startuje:"}},
		{"same day", tom, 0, x2.Start.Add(-time.Hour), []string{"Starting today:"}},
		{"started", janko, 0, x2.Start.Add(time.Hour), []string{"Już trwa:", "Wystartowała nowa promocja"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bb := *b
			bb.NoticeLead = tt.lead
			var msg *bot.Message
			if tt.at.IsZero() {
				msg = bb.PromoNotice(tt.p, *x2)
			} else {
				msg = bb.PromoNoticeAt(tt.p, *x2, tt.at)
			}
			out := checkLimits(t, msg)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("notice lacks %q:\n%s", w, out)
				}
			}
		})
	}
	t.Run("no link, no description", func(t *testing.T) {
		p := bot.Promotion{ID: "x", Title: "X", Start: monday.Add(48 * time.Hour), End: monday.Add(96 * time.Hour)}
		msg := b.PromoNotice(janko, p)
		if len(msg.Buttons) != 0 || !strings.Contains(msg.Text, i18n.T(bot.LocalePL, "notice.todo_default")) {
			t.Errorf("notice:\n%s", console.Render(msg))
		}
	})
}

func TestComplianceReminder(t *testing.T) {
	q := bot.QuarterPeriod(2027, 1)
	b := &report.Builder{Location: waw, Currency: pln, Program: "Program Partnerski"}
	for _, tt := range []struct {
		p    bot.Partner
		want []string
	}{
		{bot.Partner{Name: "Sklep u Janka", ContactName: "Janek", Locale: bot.LocalePL},
			[]string{"Zasady programu na 1. kwartał 2027", "Cześć Janku!", "*Promuj uczciwie.*", "*Bez wprowadzania w błąd.*", "cashback", "*Twój kod QR i link są osobiste.*", "opiekun", "Program Partnerski"}},
		{bot.Partner{Name: "Tech with Tom", ContactName: "Tom", Locale: bot.LocaleEN},
			[]string{"Program rules for Q1 2027", "Hi Tom!", "*Promote honestly.*", "*No misleading claims.*", "cashback", "*Your QR code and link are personal.*", "manager"}},
	} {
		out := checkLimits(t, b.ComplianceReminder(&tt.p, q))
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s reminder lacks %q:\n%s", tt.p.Locale, w, out)
			}
		}
	}
}

func TestTip(t *testing.T) {
	b := &report.Builder{Location: waw, Currency: pln}
	n := report.TipCount()
	if n < 8 {
		t.Fatalf("%d tips", n)
	}
	for _, l := range []bot.Locale{bot.LocalePL, bot.LocaleEN} {
		seen := map[string]bool{}
		for i := range n {
			m := b.Tip(l, i)
			checkLimits(t, m)
			if m.Text == "" || seen[m.Title] {
				t.Errorf("%s tip %d: %q repeats or is empty", l, i, m.Title)
			}
			seen[m.Title] = true
			if again := b.Tip(l, i+n); again.Title != m.Title {
				t.Errorf("%s tip %d+%d = %q, want %q", l, i, n, again.Title, m.Title)
			}
		}
		if len(seen) != n {
			t.Errorf("%s: %d different tips over 0..%d", l, len(seen), n-1)
		}
		// Every second week (the default) still reaches every tip.
		fortnightly := map[string]bool{}
		for week := 2; week < 2+2*n; week += 2 {
			fortnightly[b.Tip(l, week).Title] = true
		}
		if len(fortnightly) != n {
			t.Errorf("%s: even weeks show %d of %d tips", l, len(fortnightly), n)
		}
		if b.Tip(l, -1).Title != b.Tip(l, n-1).Title {
			t.Errorf("%s: a negative n", l)
		}
	}
	if out := console.Render(b.Tip(bot.LocalePL, 1)); !strings.Contains(out, "Porada: mów o cashbacku każdemu klientowi") || !strings.Contains(out, "zakup za 500,00 zł to 10,00 zł zwrotu") {
		t.Errorf("tip:\n%s", out)
	}
	if out := console.Render(b.Tip(bot.LocaleEN, 0)); !strings.Contains(out, "Tip: keep the QR code in sight") {
		t.Errorf("tip:\n%s", out)
	}
}

// TestCalendarTexts checks every text this package adds: both languages,
// and the same formatting verbs in each.
func TestCalendarTexts(t *testing.T) {
	verb := regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[a-zA-Z]`)
	n := 0
	for _, k := range i18n.Keys() {
		prefix, _, _ := strings.Cut(k, ".")
		switch prefix {
		case "report", "promocal", "notice", "agenda", "summary", "retention", "compliance", "tip", "weekly":
		default:
			continue
		}
		n++
		tx, _ := i18n.Lookup(k)
		if tx[0] == "" || tx[1] == "" {
			t.Errorf("%s lacks a language: %q", k, tx)
		}
		en := verb.FindAllString(strings.ReplaceAll(tx[0], "%%", ""), -1)
		pl := verb.FindAllString(strings.ReplaceAll(tx[1], "%%", ""), -1)
		if len(en) != len(pl) {
			t.Errorf("%s: verbs %v in English, %v in Polish", k, en, pl)
		}
	}
	if n < 80 {
		t.Errorf("only %d texts checked", n)
	}
}
