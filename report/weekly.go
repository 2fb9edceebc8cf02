// Package report builds the messages of the communication calendar: the
// Monday performance report, the managers' program summary and care
// agenda, the promo calendar and notices, tips and reminders. It builds
// platform-neutral messages from the ledger; the scheduler decides when
// and the outbox delivers.
package report

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"partnerbot/bot"
	"partnerbot/chart"
	"partnerbot/health"
	"partnerbot/i18n"
)

// Store is what reports read.
type Store interface {
	Partners(ctx context.Context) ([]bot.Partner, error)
	Managers(ctx context.Context) ([]bot.Manager, error)
	DailyTotals(ctx context.Context, partner string, from, to bot.Date, fn func(bot.Date, bot.Totals) error) error
	AllTotals(ctx context.Context, from, to bot.Date) (map[string]bot.Totals, error)
	Promotions(ctx context.Context) ([]bot.Promotion, error)
	// Commissions is a partner's commission lifecycle as of a day.
	Commissions(ctx context.Context, partner string, d bot.Date) (bot.Commissions, error)
}

// Builder builds report messages.
type Builder struct {
	Store    Store
	Board    *health.Board
	Location *time.Location
	Currency bot.Currency
	Program  string
	// ActiveTarget is the share of active partners the retention review
	// and the program summary aim for (0.70 in the playbook); 0 means
	// DefaultActiveTarget.
	ActiveTarget float64
	// NoticeLead is how long before a promotion's start its notice goes
	// out (jobs.promo_notice.lead), for PromoNotice's wording; 0 means
	// DefaultNoticeLead.
	NoticeLead time.Duration
	// MoverMin is the least turnover a partner needs in the week before
	// for the program summary to rank its change; 0 means 200 in major
	// units, so a rise from 10 to 40 is not news.
	MoverMin bot.Amount
}

// chartWeeks is how many weeks the report's chart shows.
const chartWeeks = 12

// Weekly are a partner's figures for one report.
type Weekly struct {
	Week       bot.Period
	Cur, Prev  bot.Totals
	History    []bot.Amount // turnover of the last chartWeeks weeks, oldest first, Week last
	Labels     []string     // "W36"…
	Month      bot.Period   // the month of the report day
	MonthSoFar bot.Totals
	BestWeek   bool // Week's turnover beats every earlier full week
	BestMonth  bool // the month so far already beats every earlier full month
	Years      int  // whole years in the program, when the anniversary falls in the coming week
	AnnivDay   bot.Date
	// Owed is what the partner is owed, all-time as of the week's end.
	Owed bot.Commissions
}

// Figures reads a partner's figures for the report of week (the ISO week
// just ended) sent on day sendDay.
func (b *Builder) Figures(ctx context.Context, p *bot.Partner, week bot.Period, sendDay bot.Date) (Weekly, error) {
	w := Weekly{Week: week, Month: bot.MonthPeriod(sendDay.Year, sendDay.Month)}
	// One pass over the partner's days since it joined (at most three
	// years back) gives weeks, months and records.
	from := p.Joined
	if limit := sendDay.AddDays(-3 * 366); from.Before(limit) {
		from = limit
	}
	firstChart := week.From.AddDays(-7 * (chartWeeks - 1))
	if firstChart.Before(from) {
		from = firstChart
	}
	weeks := map[bot.Date]bot.Amount{} // Monday → turnover
	months := map[[2]int]bot.Amount{}
	err := b.Store.DailyTotals(ctx, p.ID, from, sendDay, func(d bot.Date, t bot.Totals) error {
		monday := d.AddDays(-((int(d.Weekday()) + 6) % 7))
		weeks[monday] += t.Turnover()
		months[[2]int{d.Year, int(d.Month)}] += t.Turnover()
		switch {
		case week.Contains(d):
			w.Cur.Merge(t)
		case week.Previous().Contains(d):
			w.Prev.Merge(t)
		}
		if w.Month.Contains(d) && !d.After(sendDay) {
			w.MonthSoFar.Merge(t)
		}
		return nil
	})
	if err != nil {
		return w, fmt.Errorf("figures for %s: %w", p.ID, err)
	}
	if w.Owed, err = b.Store.Commissions(ctx, p.ID, week.To); err != nil {
		return w, fmt.Errorf("commissions of %s: %w", p.ID, err)
	}
	for i := range chartWeeks {
		monday := firstChart.AddDays(7 * i)
		_, n := monday.ISOWeek()
		w.History = append(w.History, weeks[monday])
		w.Labels = append(w.Labels, fmt.Sprintf("W%02d", n))
	}
	cur := w.Cur.Turnover()
	earlier := 0
	w.BestWeek = cur > 0
	for monday, v := range weeks {
		if monday.Before(week.From) {
			earlier++
			if v >= cur {
				w.BestWeek = false
			}
		}
	}
	// A record needs a history to beat: a month of earlier weeks.
	w.BestWeek = w.BestWeek && earlier >= 4
	mcur := w.MonthSoFar.Turnover()
	fullMonths := 0
	w.BestMonth = mcur > 0
	for k, v := range months {
		if k != [2]int{w.Month.From.Year, int(w.Month.From.Month)} {
			fullMonths++
			if v >= mcur {
				w.BestMonth = false
			}
		}
	}
	w.BestMonth = w.BestMonth && fullMonths >= 2
	// An anniversary between the report day and the Sunday after it.
	for d := sendDay; !d.After(sendDay.AddDays(6)); d = d.AddDays(1) {
		if d.Month == p.Joined.Month && d.Day == p.Joined.Day && d.Year > p.Joined.Year {
			w.Years, w.AnnivDay = d.Year-p.Joined.Year, d
		}
	}
	return w, nil
}

// WeeklyMessage builds a partner's Monday report in its language.
func (b *Builder) WeeklyMessage(p *bot.Partner, w Weekly, st *health.Standing) (*bot.Message, error) {
	l := p.Locale
	money := func(a bot.Amount) string { return i18n.Money(l, b.Currency, a) }
	var lines []string
	lines = append(lines, i18n.GreetPartner(l, p)+"! "+i18n.T(l, "weekly.lead", p.Name, i18n.Span(l, w.Week.From, w.Week.To)))
	if w.BestWeek {
		lines = append(lines, "*"+i18n.T(l, "weekly.best_week", money(w.Cur.Turnover()))+"*")
	}
	if w.BestMonth {
		lines = append(lines, "*"+i18n.T(l, "weekly.best_month", money(w.MonthSoFar.Turnover()))+"*")
	}
	if w.Years > 0 {
		when := i18n.ShortDate(l, w.AnnivDay)
		lines = append(lines, "*"+i18n.T(l, "weekly.anniversary", i18n.N(l, int64(w.Years), "year"), when)+"*")
	}
	if w.Cur.Sales == 0 && w.Prev.Sales == 0 {
		// A partner that joined within the fortnight has not had a quiet
		// fortnight: it is starting. Help is offered only when someone
		// looks after it.
		key := "weekly.quiet"
		if w.Week.From.AddDays(-7).Before(p.Joined) {
			key = "weekly.starting"
		}
		if p.Manager != "" {
			key += "_manager"
		}
		lines = append(lines, i18n.T(l, key))
	}
	msg := &bot.Message{
		Title: i18n.T(l, "weekly.title", i18n.Span(l, w.Week.From, w.Week.To)),
		Text:  strings.Join(lines, "\n"),
		Fields: []bot.Field{
			{Name: i18n.T(l, "stats.turnover"), Value: money(w.Cur.Turnover()) + i18n.Change(l, int64(w.Cur.Turnover()), int64(w.Prev.Turnover())), Inline: true},
			{Name: i18n.T(l, "stats.sales"), Value: i18n.Int(l, w.Cur.Sales) + i18n.Change(l, w.Cur.Sales, w.Prev.Sales), Inline: true},
			{Name: i18n.T(l, "stats.commission"), Value: money(w.Cur.Commission) + i18n.Change(l, int64(w.Cur.Commission), int64(w.Prev.Commission)), Inline: true},
			{Name: i18n.T(l, "stats.clicks"), Value: i18n.Int(l, w.Cur.Clicks) + i18n.Change(l, w.Cur.Clicks, w.Prev.Clicks), Inline: true},
			{Name: i18n.T(l, "stats.signups"), Value: i18n.Int(l, w.Cur.Signups) + i18n.Change(l, w.Cur.Signups, w.Prev.Signups), Inline: true},
			{Name: upperFirst(i18n.T(l, "weekly.month_so_far", i18n.MonthName(l, w.Month.From.Year, w.Month.From.Month))),
				Value: money(w.MonthSoFar.Turnover()) + ", " + i18n.N(l, w.MonthSoFar.Sales, "sale"), Inline: true},
		},
		Footer: i18n.T(l, "weekly.footer"),
	}
	if st != nil {
		msg.Fields = append(msg.Fields, bot.Field{Name: i18n.T(l, "stats.tier"), Value: st.TierText(l), Inline: true})
	}
	msg.Fields = append(msg.Fields, i18n.OwedFields(l, b.Currency, w.Owed)...)
	// The chart goes as its numbers, drawn when the message is sent
	// (outbox.Options.Render): building 10 000 reports draws nothing,
	// and the outbox keeps a few hundred bytes a report, not a PNG.
	spec, err := chart.WeeklySpec(w.Chart(p, b.Currency))
	if err != nil {
		return nil, fmt.Errorf("weekly chart for %s: %w", p.ID, err)
	}
	msg.Image = &bot.Image{Name: "weeks-" + p.ID + ".png", Type: "image/png", Spec: spec, Alt: i18n.T(l, "weekly.chart_title")}
	return msg, nil
}

// Chart is the data of the report's chart: the History weeks, drawn in
// the partner's language.
func (w *Weekly) Chart(p *bot.Partner, cur bot.Currency) chart.Weekly {
	return chart.Weekly{First: w.Week.From.AddDays(-7 * (len(w.History) - 1)), Values: w.History, Joined: p.Joined,
		Locale: p.Locale, Currency: cur}
}

// Targets lists where a partner's scheduled posts go: on each platform
// it has, its channel, or else a DM to its user.
func Targets(p *bot.Partner) []bot.Target {
	var ts []bot.Target
	switch {
	case p.SlackChannel != "":
		ts = append(ts, bot.Target{Platform: "slack", Channel: p.SlackChannel})
	case p.SlackUser != "":
		ts = append(ts, bot.Target{Platform: "slack", User: p.SlackUser})
	}
	switch {
	case p.DiscordChannel != "":
		ts = append(ts, bot.Target{Platform: "discord", Channel: p.DiscordChannel})
	case p.DiscordUser != "":
		ts = append(ts, bot.Target{Platform: "discord", User: p.DiscordUser})
	}
	return ts
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"weekly.title":            {"Your week: %s", "Twój tydzień: %s"},
		"weekly.lead":             {"Here is how %s did on %s.", "Oto podsumowanie tygodnia (%[2]s) dla: %[1]s."},
		"weekly.best_week":        {"Your best week so far: %s. Congratulations!", "Najlepszy tydzień w historii: %s. Gratulacje!"},
		"weekly.best_month":       {"This month is already your best so far: %s. Keep it up!", "Ten miesiąc jest już Twoim najlepszym: %s. Tak trzymaj!"},
		"weekly.anniversary":      {"%s with us on %s. Thank you for your trust!", "%s z nami – %s. Dziękujemy za zaufanie!"},
		"weekly.quiet":            {"A quiet fortnight. Is the QR code in sight at the till?", "Spokojne dwa tygodnie. Czy kod QR jest dobrze widoczny przy kasie?"},
		"weekly.quiet_manager":    {"A quiet fortnight. Is the QR code in sight at the till? Your manager is glad to help.", "Spokojne dwa tygodnie. Czy kod QR jest dobrze widoczny przy kasie? Twój opiekun chętnie pomoże."},
		"weekly.starting":         {"Welcome aboard! The first sale often comes once the QR code stands at the till: /referral gives it to you, ready to print.", "Witamy w programie! Pierwsza sprzedaż często przychodzi, gdy kod QR stoi przy kasie: /referral da go gotowy do druku."},
		"weekly.starting_manager": {"Welcome aboard! The first sale often comes once the QR code stands at the till: /referral gives it to you, ready to print. Your manager is glad to help.", "Witamy w programie! Pierwsza sprzedaż często przychodzi, gdy kod QR stoi przy kasie: /referral da go gotowy do druku. Twój opiekun chętnie pomoże."},
		"weekly.month_so_far":     {"%s so far", "%s do dziś"},
		"weekly.footer":           {"Weekly report · /mystats for any period · /notify to choose what you get", "Raport tygodniowy · /mystats pokaże dowolny okres · /notify ustawia powiadomienia"},
		"weekly.chart_title":      {"Turnover, last 12 weeks", "Obrót — ostatnie 12 tygodni"},
	})
}

// upperFirst capitalises a label that starts with a month name: Polish
// writes months in lower case, but not at the head of a label.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
