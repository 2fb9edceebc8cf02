package report

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"partnerbot/bot"
	"partnerbot/health"
	"partnerbot/i18n"
)

// DefaultActiveTarget is the playbook's retention target (002, section
// 10: at least 70% of partners active), used when Builder.ActiveTarget
// is not set.
const DefaultActiveTarget = 0.70

// activeWeeks is the window, in ISO weeks ending with the report's week,
// in which a partner needs turnover to count as active in the weekly
// program summary.
const activeWeeks = 4

// moverCount is how many risers and fallers the summary names.
const moverCount = 3

func (b *Builder) activeTarget() float64 {
	if b.ActiveTarget > 0 {
		return b.ActiveTarget
	}
	return DefaultActiveTarget
}

// moverMin is the least turnover a partner needs the week before to be
// ranked by its change: from 10 zł, +300% is noise.
func (b *Builder) moverMin() bot.Amount {
	if b.MoverMin > 0 {
		return b.MoverMin
	}
	return bot.Amount(200 * math.Pow10(b.Currency.Digits))
}

// activity splits the active-status partners who had joined by the end of
// p into those with turnover above zero in p and those without: the
// playbook's quarterly check (obrót > 0 vs obrót = 0). Paused and ended
// partners are left out: a pause is the playbook's own remedy, not a
// failure of care.
func activity(partners []bot.Partner, totals map[string]bot.Totals, p bot.Period) (active, inactive []*bot.Partner) {
	for i := range partners {
		pt := &partners[i]
		if pt.Status != bot.StatusActive || pt.Joined.After(p.To) {
			continue
		}
		if totals[pt.ID].Turnover() > 0 {
			active = append(active, pt)
		} else {
			inactive = append(inactive, pt)
		}
	}
	return active, inactive
}

// meets reports whether active of total reaches target.
func meets(active, total int, target float64) bool {
	return total > 0 && float64(active) >= target*float64(total)-1e-9
}

// ActiveWindow returns the days the weekly program summary of week
// counts activity over: the four ISO weeks ending with week.
func ActiveWindow(week bot.Period) bot.Period {
	from := week.To.AddDays(-7*activeWeeks + 1)
	return bot.Period{Label: from.String() + ".." + week.To.String(), Kind: bot.PeriodRange, From: from, To: week.To}
}

// mover is a partner's week-on-week turnover change.
type mover struct {
	p         *bot.Partner
	cur, prev bot.Amount
	pct       float64
}

// ProgramSummary builds the managers' weekly program summary for week
// (the ISO week just ended), sent with the Monday reports: the share of
// active partners against Builder.ActiveTarget, where active means
// turnover above zero in the four ISO weeks ending with week (see
// ActiveWindow; paused and ended partners are not counted); the program's
// turnover; segment counts from standings; and the week's three biggest
// risers and fallers by percentage change against the week before,
// among partners with at least Builder.MoverMin (default 200 in major
// units) turnover that week before. Green when the share meets the
// target, amber when not. Returns the store's errors.
func (b *Builder) ProgramSummary(ctx context.Context, l bot.Locale, partners []bot.Partner, standings map[string]health.Standing, week bot.Period) (*bot.Message, error) {
	window := ActiveWindow(week)
	prevWeek := week.Previous()
	wt, err := b.Store.AllTotals(ctx, window.From, window.To)
	if err != nil {
		return nil, fmt.Errorf("program summary: %w", err)
	}
	cur, err := b.Store.AllTotals(ctx, week.From, week.To)
	if err != nil {
		return nil, fmt.Errorf("program summary: %w", err)
	}
	prev, err := b.Store.AllTotals(ctx, prevWeek.From, prevWeek.To)
	if err != nil {
		return nil, fmt.Errorf("program summary: %w", err)
	}
	target := b.activeTarget()
	active, inactive := activity(partners, wt, window)
	total := len(active) + len(inactive)

	var segs [3]int
	idle, onboarding := 0, 0
	var sumCur, sumPrev bot.Amount
	var movers []mover
	for i := range partners {
		p := &partners[i]
		sumCur += cur[p.ID].Turnover()
		sumPrev += prev[p.ID].Turnover()
		if p.Status != bot.StatusActive {
			continue
		}
		if st, ok := standings[p.ID]; ok {
			switch st.Segment {
			case health.SegmentA:
				segs[0]++
			case health.SegmentB:
				segs[1]++
			case health.SegmentC:
				segs[2]++
			case "":
				onboarding++ // new: no segment yet
			}
			if st.Inactive {
				idle++
			}
		}
		c, pv := cur[p.ID].Turnover(), prev[p.ID].Turnover()
		if pv < b.moverMin() {
			continue
		}
		if pct, ok := bot.Change(int64(c), int64(pv)); ok && pct != 0 {
			movers = append(movers, mover{p, c, pv, pct})
		}
	}
	sort.SliceStable(movers, func(i, j int) bool {
		if movers[i].pct != movers[j].pct {
			return movers[i].pct > movers[j].pct
		}
		if d1, d2 := movers[i].cur-movers[i].prev, movers[j].cur-movers[j].prev; d1 != d2 {
			return d1 > d2
		}
		return movers[i].p.Name < movers[j].p.Name
	})
	var risers, fallers []string
	for i := 0; i < len(movers) && len(risers) < moverCount && movers[i].pct > 0; i++ {
		risers = append(risers, b.moverLine(l, movers[i]))
	}
	for i := len(movers) - 1; i >= 0 && len(fallers) < moverCount && movers[i].pct < 0; i-- {
		fallers = append(fallers, b.moverLine(l, movers[i]))
	}

	rank := health.RankingMonth(week.To.AddDays(1))
	rankName := i18n.MonthName(l, rank.From.Year, rank.From.Month)
	msg := &bot.Message{
		Title:  i18n.T(l, "summary.title", i18n.Period(l, week)),
		Footer: i18n.T(l, "summary.footer", i18n.Span(l, window.From, window.To), rankName, b.money(l, b.moverMin())),
	}
	var x float64
	if total > 0 {
		x = float64(len(active)) / float64(total)
	}
	switch {
	case total == 0:
		msg.Text = i18n.T(l, "summary.no_partners")
	case meets(len(active), total, target):
		msg.Color = "green"
		msg.Text = i18n.T(l, "summary.on_target", share(l, x), share(l, target))
	default:
		msg.Color = "amber"
		msg.Text = i18n.T(l, "summary.under_target", share(l, x), share(l, target), len(inactive))
	}
	msg.Fields = []bot.Field{
		{Name: i18n.T(l, "summary.active"), Value: i18n.T(l, "summary.active.value", len(active), total, share(l, x), share(l, target)), Inline: true},
		{Name: i18n.T(l, "summary.turnover"), Value: b.money(l, sumCur) + i18n.Change(l, int64(sumCur), int64(sumPrev)), Inline: true},
		{Name: i18n.T(l, "summary.segments", rankName), Value: segmentsValue(l, segs, idle, onboarding), Inline: true},
	}
	if len(risers) > 0 {
		msg.Fields = append(msg.Fields, bot.Field{Name: i18n.T(l, "summary.risers"), Value: strings.Join(risers, "\n")})
	}
	if len(fallers) > 0 {
		msg.Fields = append(msg.Fields, bot.Field{Name: i18n.T(l, "summary.fallers"), Value: strings.Join(fallers, "\n")})
	}
	return msg, nil
}

func (b *Builder) moverLine(l bot.Locale, m mover) string {
	return truncate(m.p.Name, 60) + ": " + b.money(l, m.prev) + " → " + b.money(l, m.cur) + " (" + i18n.Percent(l, m.pct) + ")"
}

// RetentionReview builds the quarterly retention check for managers
// (playbook 002, section 10), sent on the first day of a quarter about
// quarter, the one just ended: how many partners had turnover above zero
// in it and how many had none, the active share against
// Builder.ActiveTarget beside the quarter before, the playbook's advice
// when under target, and the inactive partners with their managers.
// Counted are partners active in status who had joined by the quarter's
// end. Returns the store's errors.
func (b *Builder) RetentionReview(ctx context.Context, l bot.Locale, partners []bot.Partner, quarter bot.Period) (*bot.Message, error) {
	prevQ := quarter.Previous()
	qt, err := b.Store.AllTotals(ctx, quarter.From, quarter.To)
	if err != nil {
		return nil, fmt.Errorf("retention review: %w", err)
	}
	pt, err := b.Store.AllTotals(ctx, prevQ.From, prevQ.To)
	if err != nil {
		return nil, fmt.Errorf("retention review: %w", err)
	}
	ms, err := b.Store.Managers(ctx)
	if err != nil {
		return nil, fmt.Errorf("retention review: %w", err)
	}
	managers := map[string]string{}
	for _, m := range ms {
		managers[m.ID] = m.Name
	}
	target := b.activeTarget()
	active, inactive := activity(partners, qt, quarter)
	total := len(active) + len(inactive)
	pa, pi := activity(partners, pt, prevQ)

	name := i18n.Period(l, quarter)
	msg := &bot.Message{Footer: i18n.T(l, "retention.footer")}
	if total == 0 {
		msg.Title = i18n.T(l, "retention.title.empty", name)
		msg.Text = i18n.T(l, "retention.no_partners")
		return msg, nil
	}
	x := float64(len(active)) / float64(total)
	msg.Title = i18n.T(l, "retention.title", name, share(l, x))
	shareValue := i18n.T(l, "retention.share.value", share(l, x), share(l, target))
	if pn := len(pa) + len(pi); pn > 0 {
		shareValue += "\n" + i18n.T(l, "retention.share.previous", share(l, float64(len(pa))/float64(pn)))
	}
	msg.Fields = []bot.Field{
		{Name: i18n.T(l, "retention.active"), Value: i18n.Int(l, int64(len(active))), Inline: true},
		{Name: i18n.T(l, "retention.inactive"), Value: i18n.Int(l, int64(len(inactive))), Inline: true},
		{Name: i18n.T(l, "retention.share"), Value: shareValue, Inline: true},
	}
	verdict := i18n.T(l, "retention.ok")
	msg.Color = "green"
	if !meets(len(active), total, target) {
		verdict = i18n.T(l, "retention.under", share(l, target))
		msg.Color = "amber"
	}
	lead := i18n.T(l, "retention.lead", name, share(l, target))
	sort.SliceStable(inactive, func(i, j int) bool { return inactive[i].Name < inactive[j].Name })
	var lines []string
	for _, p := range inactive {
		line := p.Name
		if mn := managers[p.Manager]; mn != "" {
			line += " — " + mn
		} else if p.Manager != "" {
			line += " — " + p.Manager
		}
		lines = append(lines, line)
	}
	msg.Text = lead + "\n\n" + verdict
	if len(lines) > 0 {
		// Every inactive partner, paged by the adapters.
		list := &bot.List{Locale: l, Total: len(lines), Items: []string{"*" + i18n.T(l, "retention.list", len(lines)) + "*"}}
		for _, line := range lines {
			list.Items = append(list.Items, "• "+line)
		}
		msg.List = list
	}
	return msg, nil
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"summary.title":          {"Program summary: %s", "Podsumowanie programu: %s"},
		"summary.no_partners":    {"No active partners to count this week.", "W tym tygodniu nie ma aktywnych partnerów do policzenia."},
		"summary.on_target":      {"Share of active partners: %s, on target (at least %s). Keep congratulating segment A and following up with B.", "Udział aktywnych partnerów: %s, cel osiągnięty (co najmniej %s). Gratuluj segmentowi A i pytaj B, jak idzie."},
		"summary.under_target":   {"Share of active partners: %s, below the %s target; %d had no turnover in the last 4 weeks. Call them this week and find out what isn't working.", "Udział aktywnych partnerów: %s, poniżej celu %s; bez obrotu w ostatnich 4 tygodniach: %d. Zadzwoń do nich w tym tygodniu i sprawdź, co nie działa."},
		"summary.active":         {"Active partners", "Aktywni partnerzy"},
		"summary.active.value":   {"%d of %d · %s (target %s)", "%d z %d · %s (cel %s)"},
		"summary.turnover":       {"Program turnover", "Obrót programu"},
		"summary.segments":       {"Segments (%s)", "Segmenty (%s)"},
		"summary.segments.new":   {"new: %d", "nowi: %d"},
		"summary.segments.value": {"A: %d · B: %d · C: %d (inactive: %d)", "A: %d · B: %d · C: %d (nieaktywni: %d)"},
		"summary.risers":         {"Top risers, week on week", "Największe wzrosty tydzień do tygodnia"},
		"summary.fallers":        {"Top fallers, week on week", "Największe spadki tydzień do tygodnia"},
		"summary.footer":         {"Active: turnover above zero in %s · segments by turnover in %s · risers and fallers among partners with at least %s the week before", "Aktywny: obrót powyżej zera w dniach %s · segmenty według obrotu za %s · wzrosty i spadki wśród partnerów z obrotem od %s w poprzednim tygodniu"},

		"retention.title":          {"Retention review, %s: %s active", "Przegląd utrzymania partnerów, %s: %s aktywnych"},
		"retention.title.empty":    {"Retention review, %s", "Przegląd utrzymania partnerów, %s"},
		"retention.no_partners":    {"No active partners to count for the quarter.", "W tym kwartale nie ma aktywnych partnerów do policzenia."},
		"retention.lead":           {"The quarterly retention check for %s: partners with turnover above zero against those with none. Target: at least %s active.", "Kwartalny przegląd utrzymania partnerów za %s: partnerzy z obrotem powyżej zera wobec tych bez obrotu. Cel: co najmniej %s aktywnych."},
		"retention.ok":             {"Target met. Keep the care cycle going: congratulations for A, follow-ups for B, reactivation calls for C.", "Cel osiągnięty. Utrzymaj cykl opieki: gratulacje dla A, rozmowy o postępach z B, telefony reaktywacyjne do C."},
		"retention.under":          {"Below the %s target. The playbook says: diagnose what isn't working in care. Did C partners get their reactivation calls? Are QR codes visible and staff trained? Are technical problems waiting?", "Poniżej celu %s. Według podręcznika programu: sprawdź, co nie działa w opiece. Czy partnerzy z segmentu C dostali telefony reaktywacyjne? Czy kody QR są widoczne, a personel przeszkolony? Czy nie czekają zgłoszenia techniczne?"},
		"retention.active":         {"Active (turnover > 0)", "Aktywni (obrót > 0)"},
		"retention.inactive":       {"Inactive (turnover = 0)", "Nieaktywni (obrót = 0)"},
		"retention.share":          {"Active share", "Udział aktywnych"},
		"retention.share.value":    {"%s (target %s)", "%s (cel %s)"},
		"retention.share.previous": {"quarter before: %s", "poprzedni kwartał: %s"},
		"retention.list":           {"Inactive partners (%d)", "Nieaktywni partnerzy (%d)"},
		"retention.footer":         {"Counted: active partners who had joined by the quarter's end · paused and ended partners are not counted", "Liczeni: aktywni partnerzy, którzy dołączyli do końca kwartału · wstrzymani i zakończeni nie są liczeni"},
	})
}

// segmentsValue writes the segment counts, and the partners still
// onboarding (no segment yet) when there are any.
func segmentsValue(l bot.Locale, segs [3]int, idle, onboarding int) string {
	v := i18n.T(l, "summary.segments.value", segs[0], segs[1], segs[2], idle)
	if onboarding > 0 {
		v += " · " + i18n.T(l, "summary.segments.new", onboarding)
	}
	return v
}
