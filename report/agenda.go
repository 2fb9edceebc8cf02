package report

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"partnerbot/bot"
	"partnerbot/health"
	"partnerbot/i18n"
)

// agendaRow is one partner on a manager's care agenda.
type agendaRow struct {
	p  *bot.Partner
	st health.Standing
}

// CareAgenda builds a manager's Monday care agenda (playbook 002,
// sections 03 and 10): whom to congratulate (segment A), whom to follow
// up (B) and whom to reactivate (C), each with the ranking month's
// turnover, from the standings of today (health.Board.Standings). Only
// the manager's own active partners appear; a section with nobody in it
// is left out; every partner is listed (adapters page long lists).
// Inactive partners are marked with their last sale, read from the
// store; partners in their grace period without a segment of their own
// are listed under onboarding, never under "reactivate". A manager with no partners gets a short
// note, never nil. Returns the store's errors.
func (b *Builder) CareAgenda(ctx context.Context, m *bot.Manager, partners []bot.Partner, standings map[string]health.Standing, today bot.Date) (*bot.Message, error) {
	l := m.Locale
	rank := health.RankingMonth(today)
	var segs [4][]agendaRow // A, B, C, onboarding
	for i := range partners {
		p := &partners[i]
		if p.Manager != m.ID || p.Status != bot.StatusActive {
			continue
		}
		st, ok := standings[p.ID]
		if !ok {
			continue
		}
		switch st.Segment {
		case "":
			segs[3] = append(segs[3], agendaRow{p, st}) // new: onboarding, not "reactivate"
		case health.SegmentA:
			segs[0] = append(segs[0], agendaRow{p, st})
		case health.SegmentB:
			segs[1] = append(segs[1], agendaRow{p, st})
		case health.SegmentC:
			segs[2] = append(segs[2], agendaRow{p, st})
		}
	}
	// A and B by turnover, best first; C most urgent first: inactive
	// partners, then the lowest turnover.
	for _, rows := range segs[:2] {
		sort.SliceStable(rows, func(i, j int) bool {
			if rows[i].st.Turnover != rows[j].st.Turnover {
				return rows[i].st.Turnover > rows[j].st.Turnover
			}
			return rows[i].p.Name < rows[j].p.Name
		})
	}
	c := segs[2]
	sort.SliceStable(c, func(i, j int) bool {
		if c[i].st.Inactive != c[j].st.Inactive {
			return c[i].st.Inactive
		}
		if c[i].st.Turnover != c[j].st.Turnover {
			return c[i].st.Turnover < c[j].st.Turnover
		}
		return c[i].p.Name < c[j].p.Name
	})

	_, week := today.ISOWeek()
	msg := &bot.Message{
		Title:  i18n.T(l, "agenda.title", week, len(segs[0]), len(segs[1]), len(segs[2])),
		Footer: i18n.T(l, "agenda.footer", i18n.MonthName(l, rank.From.Year, rank.From.Month)),
	}
	greet := i18n.Greeting(l, firstName(m.Name)) + "! "
	if len(segs[0])+len(segs[1])+len(segs[2])+len(segs[3]) == 0 {
		msg.Text = greet + i18n.T(l, "agenda.none")
		return msg, nil
	}

	in := inMonth(l, rank.From.Month)
	turnover := func(r agendaRow) string { return r.p.Name + " — " + b.money(l, r.st.Turnover) + " " + in }
	lines := [4][]string{}
	for k := range 2 {
		for _, r := range segs[k] {
			lines[k] = append(lines[k], turnover(r))
		}
	}
	sort.SliceStable(segs[3], func(i, j int) bool { return segs[3][i].p.Joined.Before(segs[3][j].p.Joined) })
	for _, r := range segs[3] {
		lines[3] = append(lines[3], r.p.Name+" — "+i18n.T(l, "agenda.new", dateFor(l, r.p.Joined, today)))
	}
	for _, r := range segs[2] {
		switch {
		case r.st.Inactive:
			detail, err := b.lastSale(ctx, l, r.p, today)
			if err != nil {
				return nil, err
			}
			lines[2] = append(lines[2], r.p.Name+" — *"+i18n.T(l, "agenda.inactive")+"*, "+detail)
		default:
			lines[2] = append(lines[2], turnover(r))
		}
	}

	keys := [4]string{"agenda.congratulate", "agenda.follow_up", "agenda.reactivate", "agenda.onboarding"}
	hints := [4]string{"agenda.congratulate.hint", "agenda.follow_up.hint", "agenda.reactivate.hint", "agenda.onboarding.hint"}
	lead := greet + i18n.T(l, "agenda.lead", i18n.Span(l, today, today.AddDays(6)), i18n.MonthName(l, rank.From.Year, rank.From.Month))
	closing := "agenda.close.thanks"
	switch {
	case len(segs[2]) > 0:
		closing = "agenda.close.call_c"
	case len(segs[1]) > 0:
		closing = "agenda.close.follow_b"
	case len(segs[0]) == 0:
		closing = "agenda.close.onboarding"
	}
	// Every partner, paged by the adapters: the lead and the week's
	// advice on top, then each section's heading, hint and names.
	msg.Text = lead + "\n\n" + i18n.T(l, closing)
	list := &bot.List{Locale: l, Total: len(segs[0]) + len(segs[1]) + len(segs[2]) + len(segs[3])}
	for k := range 4 {
		if len(lines[k]) == 0 {
			continue
		}
		list.Items = append(list.Items, "*"+i18n.T(l, keys[k], len(lines[k]))+"*", i18n.T(l, hints[k]))
		for _, line := range lines[k] {
			list.Items = append(list.Items, "• "+line)
		}
	}
	msg.List = list
	return msg, nil
}

// lastSale describes when an inactive partner last sold: "ostatnia
// sprzedaż 14 sierpnia", or that it has sold nothing for a year or since
// it joined.
func (b *Builder) lastSale(ctx context.Context, l bot.Locale, p *bot.Partner, today bot.Date) (string, error) {
	from := today.AddDays(-365)
	sinceJoining := false
	if p.Joined.After(from) {
		from, sinceJoining = p.Joined, true
	}
	var last bot.Date
	if b.Store != nil {
		err := b.Store.DailyTotals(ctx, p.ID, from, today.AddDays(-1), func(d bot.Date, t bot.Totals) error {
			if t.Sales > 0 {
				last = d
			}
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("care agenda for %s: %w", p.ID, err)
		}
	}
	switch {
	case b.Store == nil:
		return i18n.T(l, "agenda.no_turnover"), nil
	case !last.IsZero():
		return i18n.T(l, "agenda.last_sale", dateFor(l, last, today)), nil
	case sinceJoining:
		return i18n.T(l, "agenda.no_sale_since_joining", dateFor(l, p.Joined, today)), nil
	}
	return i18n.T(l, "agenda.no_sale_year"), nil
}

// dateFor writes d without the year when it falls in today's year.
func dateFor(l bot.Locale, d, today bot.Date) string {
	if d.Year == today.Year {
		return i18n.ShortDate(l, d)
	}
	return i18n.Date(l, d)
}

// firstName is the first word of a full name: managers are greeted as
// partners are, by first name ("Cześć Katarzyno").
func firstName(name string) string {
	f, _, _ := strings.Cut(strings.TrimSpace(name), " ")
	return f
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"agenda.title":                 {"Care agenda, week %d — A: %d · B: %d · C: %d", "Plan opieki, tydzień %d — A: %d · B: %d · C: %d"},
		"agenda.lead":                  {"Your care plan for this week (%s), from %s turnover.", "Twój plan opieki na ten tydzień (%s), według obrotu za %s."},
		"agenda.none":                  {"You have no active partners assigned right now, so there is nothing on your agenda this week.", "Nie masz teraz przypisanych aktywnych partnerów, więc w tym tygodniu plan opieki jest pusty."},
		"agenda.congratulate":          {"Congratulate — segment A (%d)", "Pogratuluj — segment A (%d)"},
		"agenda.congratulate.hint":     {"Send congratulations with their figure and ask: “What could I do better?”", "Wyślij gratulacje z wynikiem i zapytaj: „Co mogę poprawić?”"},
		"agenda.follow_up":             {"Follow up — segment B (%d)", "Zapytaj, jak idzie — segment B (%d)"},
		"agenda.follow_up.hint":        {"Ask: “How is it going? Any questions?” and offer materials where they would help.", "Zapytaj: „Jak idzie? Czy są pytania?” i zaproponuj materiały, jeśli widzisz potrzebę."},
		"agenda.reactivate":            {"Reactivate — segment C (%d)", "Reaktywuj — segment C (%d)"},
		"agenda.reactivate.hint":       {"Reactivation call: find out why turnover is low and agree a two-week plan.", "Telefon reaktywacyjny: ustal, dlaczego obrót jest niski, i uzgodnijcie plan na 2 tygodnie."},
		"agenda.inactive":              {"inactive", "brak aktywności"},
		"agenda.last_sale":             {"no turnover for 2+ months, last sale on %s", "brak obrotu od co najmniej 2 miesięcy, ostatnia sprzedaż %s"},
		"agenda.no_sale_since_joining": {"no sale since joining on %s", "brak sprzedaży od dołączenia (%s)"},
		"agenda.no_sale_year":          {"no sale in the last 12 months", "brak sprzedaży od ponad roku"},
		"agenda.no_turnover":           {"no turnover for 2+ months", "brak obrotu od co najmniej 2 miesięcy"},
		"agenda.onboarding":            {"Onboarding — new partners (%d)", "Wdrożenie — nowi partnerzy (%d)"},
		"agenda.onboarding.hint":       {"Check in: have the link, the QR code and the materials arrived? Any questions? They are not judged on turnover yet.", "Zapytaj, czy dotarły link, kod QR i materiały i czy są pytania. Obrót nie jest jeszcze oceniany."},
		"agenda.close.onboarding":      {"This week: welcome your new partners and help them to their first sale.", "W tym tygodniu przywitaj nowych partnerów i pomóż im w pierwszej sprzedaży."},
		"agenda.new":                   {"new partner since %s", "nowy partner od %s"},
		"agenda.close.call_c":          {"This week: call your C partners. Ask, don't accuse (“What happened?”), and offer a fix: a new QR, staff training, materials. One call costs little; a partner back in the game is worth a lot.", "W tym tygodniu zadzwoń do partnerów z segmentu C. Pytaj, nie oskarżaj („Co się stało?”), i zaproponuj rozwiązanie: nowy kod QR, szkolenie personelu, materiały. Telefon kosztuje niewiele, a powrót partnera do gry jest wart dużo."},
		"agenda.close.follow_b":        {"This week: a short check-in with every B partner. Use their first name and congratulate progress: small gestures, big effect.", "W tym tygodniu krótki kontakt z każdym partnerem z segmentu B. Zwracaj się po imieniu i gratuluj postępów: małe gesty, duży efekt."},
		"agenda.close.thanks":          {"All your partners are in segment A: congratulate them and ask for feedback.", "Wszyscy Twoi partnerzy są w segmencie A: pogratuluj im i zapytaj o opinię."},
		"agenda.footer":                {"Segments from %s turnover · /partner ID shows a partner's card", "Segmenty według obrotu za %s · /partner ID pokaże kartę partnera"},
	})
}
