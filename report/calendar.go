package report

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"partnerbot/bot"
	"partnerbot/health"
	"partnerbot/i18n"
)

// maxDescription bounds a promotion's description in a message: a
// calendar is an overview, the link has the rest.
const maxDescription = 600

// DefaultNoticeLead is how long before its start a promotion is
// announced when Builder.NoticeLead is not set (playbook 000: 48 h).
const DefaultNoticeLead = 48 * time.Hour

func (b *Builder) loc() *time.Location {
	if b.Location != nil {
		return b.Location
	}
	return time.UTC
}

// zoneOf is the time zone a partner reads times in: its own, else the
// program's.
func (b *Builder) zoneOf(p *bot.Partner) *time.Location {
	return bot.Zone(p.Timezone, b.loc())
}

func (b *Builder) money(l bot.Locale, a bot.Amount) string { return i18n.Money(l, b.Currency, a) }

// ForStanding returns the promotions not yet over at now that target the
// standing's segment and tier (a promotion that names none is for
// everyone), ordered by start: what a partner with that standing is
// told about. The same rule as /promos.
func ForStanding(all []bot.Promotion, st health.Standing, now time.Time) []bot.Promotion {
	var out []bot.Promotion
	for _, p := range all {
		if !p.End.After(now) {
			continue
		}
		if len(p.Segments) > 0 && !has(p.Segments, string(st.Segment)) {
			continue
		}
		if len(p.Tiers) > 0 && !has(p.Tiers, string(st.Tier)) {
			continue
		}
		out = append(out, p)
	}
	sortPromos(out)
	return out
}

func has(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func sortPromos(ps []bot.Promotion) {
	sort.SliceStable(ps, func(i, j int) bool {
		if !ps[i].Start.Equal(ps[j].Start) {
			return ps[i].Start.Before(ps[j].Start)
		}
		return ps[i].ID < ps[j].ID
	})
}

// PromoCalendar builds the promo calendar posted on the 1st: the given
// promotions that run at any time during month (already running or
// starting in it), ordered by start, each with its dates, audience,
// description and link. For a partner's channel pass only the
// promotions meant for it (ForStanding); for the community channel,
// all of them.
func (b *Builder) PromoCalendar(l bot.Locale, month bot.Period, promos []bot.Promotion) *bot.Message {
	loc := b.loc()
	start, end := month.Bounds(loc)
	var in []bot.Promotion
	for _, p := range promos {
		if p.Start.Before(end) && p.End.After(start) {
			in = append(in, p)
		}
	}
	sortPromos(in)
	name := i18n.Period(l, month)
	msg := &bot.Message{
		Title:  i18n.T(l, "promocal.title", name),
		Footer: i18n.T(l, "promocal.footer"),
	}
	if len(in) == 0 {
		msg.Text = i18n.T(l, "promocal.none", name)
		return msg
	}
	msg.Text = i18n.T(l, "promocal.lead", name) + "\n" + i18n.T(l, "promocal.count", i18n.N(l, int64(len(in)), "promotion"))
	// Each promotion whole, paged by the adapters.
	list := &bot.List{Locale: l}
	for _, p := range in {
		var when string
		if p.Start.Before(start) {
			when = i18n.T(l, "promocal.running", i18n.Until(l, p.End, loc))
		} else {
			when = i18n.T(l, "promocal.from_to", i18n.When(l, p.Start, loc), i18n.Until(l, p.End, loc))
		}
		lines := []string{"*" + p.TitleIn(l) + "*", when}
		if a := audience(l, p); a != "" {
			lines = append(lines, a)
		}
		if d := strings.TrimSpace(p.DescriptionIn(l)); d != "" {
			lines = append(lines, truncate(d, maxDescription))
		}
		if p.Link != "" {
			lines = append(lines, p.Link)
		}
		list.Items = append(list.Items, strings.Join(lines, "\n"))
	}
	msg.List = list
	return msg
}

// audience says whom a targeted promotion is for: "Dla kogo: segmenty
// A, B · poziomy Platynowy, Złoty"; "" for a promotion for everyone.
func audience(l bot.Locale, p bot.Promotion) string {
	var parts []string
	if n := len(p.Segments); n > 0 {
		key := "promocal.segments"
		if n == 1 {
			key = "promocal.segment"
		}
		parts = append(parts, i18n.T(l, key, strings.Join(p.Segments, ", ")))
	}
	if n := len(p.Tiers); n > 0 {
		names := make([]string, n)
		for i, t := range p.Tiers {
			names[i] = i18n.T(l, "tier."+t)
		}
		key := "promocal.tiers"
		if n == 1 {
			key = "promocal.tier"
		}
		parts = append(parts, i18n.T(l, key, strings.Join(names, ", ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return i18n.T(l, "promocal.for", strings.Join(parts, " · "))
}

// PromoNotice builds the notice a partner gets before a promotion starts,
// in its language: a greeting by name, when the promotion starts and
// ends (in the partner's own time zone when it has one), what to do, and
// a button to its page. It is phrased for a notice
// sent Builder.NoticeLead (default 48 h) ahead: "Za 2 dni startuje: …".
func (b *Builder) PromoNotice(p *bot.Partner, promo bot.Promotion) *bot.Message {
	lead := b.NoticeLead
	if lead <= 0 {
		lead = DefaultNoticeLead
	}
	return b.promoNotice(p, promo, int(math.Round(lead.Hours()/24)), false)
}

// PromoNoticeAt is PromoNotice phrased for the moment it is sent: a
// notice that went out late (the bot was down, the promotion was added
// at short notice) says "Jutro startuje" or "Już trwa", never a wrong
// "in 2 days". Days are counted in the partner's calendar.
func (b *Builder) PromoNoticeAt(p *bot.Partner, promo bot.Promotion, now time.Time) *bot.Message {
	loc := b.zoneOf(p)
	days := bot.DateOf(promo.Start, loc).Sub(bot.DateOf(now, loc))
	return b.promoNotice(p, promo, days, !promo.Start.After(now))
}

func (b *Builder) promoNotice(p *bot.Partner, promo bot.Promotion, days int, started bool) *bot.Message {
	l, loc := p.Locale, b.zoneOf(p)
	var title string
	switch {
	case started:
		title = i18n.T(l, "notice.title.started", promo.TitleIn(l))
	case days <= 0:
		title = i18n.T(l, "notice.title.today", promo.TitleIn(l))
	case days == 1:
		title = i18n.T(l, "notice.title.tomorrow", promo.TitleIn(l))
	default:
		title = i18n.T(l, "notice.title.days", i18n.N(l, int64(days), "day"), promo.TitleIn(l))
	}
	lead := "notice.lead"
	if started {
		lead = "notice.lead_started"
	}
	todo := strings.TrimSpace(promo.DescriptionIn(l))
	if todo == "" {
		todo = i18n.T(l, "notice.todo_default")
	}
	text := i18n.GreetPartner(l, p) + "! " +
		i18n.T(l, lead, i18n.When(l, promo.Start, loc), i18n.Until(l, promo.End, loc)) + "\n\n" +
		"*" + i18n.T(l, "notice.todo") + "* " + truncate(todo, 2*maxDescription)
	msg := &bot.Message{Title: title, Text: text, Footer: i18n.T(l, "notice.footer")}
	if promo.Link != "" {
		msg.Buttons = []bot.Button{{Label: i18n.T(l, "notice.details"), URL: promo.Link, Style: bot.ButtonPrimary}}
	}
	return msg
}

// truncate cuts s to at most n characters, ending in "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}

// share writes a fraction as a percentage with at most one decimal:
// "73,2%", "70%".
func share(l bot.Locale, x float64) string {
	s := strconv.FormatFloat(math.Round(x*1000)/10, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if l == bot.LocalePL {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + "%"
}

// monthsPLLoc are the Polish month names in the locative ("w
// październiku"), which i18n does not carry.
var monthsPLLoc = [12]string{"styczniu", "lutym", "marcu", "kwietniu", "maju", "czerwcu", "lipcu", "sierpniu",
	"wrześniu", "październiku", "listopadzie", "grudniu"}

// inMonth writes "in October" / "w październiku" ("we wrześniu").
func inMonth(l bot.Locale, m time.Month) string {
	if l == bot.LocalePL {
		if m == time.September {
			return "we " + monthsPLLoc[m-1]
		}
		return "w " + monthsPLLoc[m-1]
	}
	return "in " + m.String()
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"report.more": {"…and %d more", "…i jeszcze %d"},

		"promocal.title":    {"Promo calendar: %s", "Kalendarz promocji: %s"},
		"promocal.lead":     {"Plan ahead: the promotions of %s. Get your materials ready and tell your customers in good time.", "Zaplanuj z wyprzedzeniem: promocje na %s. Przygotuj materiały i powiedz o nich klientom na czas."},
		"promocal.count":    {"On the calendar: %s.", "W kalendarzu: %s."},
		"promocal.none":     {"No promotions are planned for %s yet. We will tell you as soon as one is.", "Na %s nie ma jeszcze zaplanowanych promocji. Damy znać, gdy tylko się pojawią."},
		"promocal.running":  {"already running, until %s", "już trwa, do %s"},
		"promocal.from_to":  {"from %s to %s", "od %s do %s"},
		"promocal.for":      {"For: %s", "Dla kogo: %s"},
		"promocal.segment":  {"segment %s", "segment %s"},
		"promocal.segments": {"segments %s", "segmenty %s"},
		"promocal.tier":     {"%s tier", "poziom %s"},
		"promocal.tiers":    {"tiers %s", "poziomy %s"},
		"promocal.footer":   {"Promo calendar · /promos shows the promotions for you at any time", "Kalendarz promocji · /promos pokaże promocje dla Ciebie w każdej chwili"},

		"notice.title.days":     {"Starting in %s: %s", "Za %s startuje: %s"},
		"notice.title.tomorrow": {"Starting tomorrow: %s", "Jutro startuje: %s"},
		"notice.title.today":    {"Starting today: %s", "Dziś startuje: %s"},
		"notice.title.started":  {"Now on: %s", "Już trwa: %s"},
		"notice.lead":           {"Get ready for a new promotion: it starts on %s and runs until %s.", "Przygotuj się na nową promocję: startuje %s i potrwa do %s."},
		"notice.lead_started":   {"A new promotion has started (%s) and runs until %s.", "Wystartowała nowa promocja (%s) i potrwa do %s."},
		"notice.todo":           {"What to do:", "Co zrobić:"},
		"notice.todo_default":   {"Tell your customers about it at the till and keep your QR code in sight.", "Powiedz o niej klientom przy kasie i trzymaj kod QR na widoku."},
		"notice.details":        {"Promotion details", "Szczegóły promocji"},
		"notice.footer":         {"Questions? Write to your manager · /promos shows every promotion for you", "Pytania? Napisz do swojego opiekuna · /promos pokaże wszystkie promocje dla Ciebie"},
	})
}
