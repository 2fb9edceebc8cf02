package commands

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/health"
	"partnerbot/i18n"
	"partnerbot/referral"
)

const actionShareStats = "mystats.share"

func (s *Service) now() (time.Time, bot.Date) {
	t := s.opt.Clock.Now()
	return t, bot.DateOf(t, s.opt.Location)
}

func (s *Service) period(l bot.Locale, text string, today bot.Date) (bot.Period, error) {
	p, err := bot.ParsePeriod(text, today)
	if err != nil {
		if e := bot.AsError(err); e != nil && e.Key != "" {
			return p, err // says what is wrong, in the caller's language
		}
		return p, i18n.UserError(bot.EINVALID, "err.period", text, i18n.Ref("period.syntax"))
	}
	if p.From.After(today) {
		return p, i18n.UserError(bot.EINVALID, "err.period_future", p, p.From)
	}
	return p, nil
}

// rankValue writes a standing's place: "3. z 40 (listopad 2026)", or
// that a partner without turnover that month has none.
func rankValue(l bot.Locale, st health.Standing, month bot.Period) string {
	name := i18n.MonthName(l, month.From.Year, month.From.Month)
	if st.Rank == 0 {
		return i18n.T(l, "stats.rank.none", name)
	}
	return i18n.T(l, "stats.rank.value", st.Rank, st.Of, name)
}

// change writes a figure's change against the period before, or nothing
// when too little of the period has passed to compare, or the period
// before is from before the partner joined (the footer says which).
func change(l bot.Locale, st bot.Stats, p *bot.Partner, cur, prev int64) string {
	if st.TooEarly() || prevBeforeJoining(st, p) {
		return ""
	}
	return i18n.Change(l, cur, prev)
}

// prevBeforeJoining reports whether the whole period compared with ended
// before the partner joined: its zeros say nothing about the partner.
func prevBeforeJoining(st bot.Stats, p *bot.Partner) bool {
	return p != nil && !p.Joined.IsZero() && st.PrevThrough.Before(p.Joined)
}

// compared writes the footer that says what the figures were compared
// with: "Zmiany względem: 1–10 października", down to the hour when the
// period before was cut within its last day, or that it is too early.
func (s *Service) compared(l bot.Locale, st bot.Stats, p *bot.Partner) string {
	if prevBeforeJoining(st, p) {
		return i18n.T(l, "mystats.no_compare_joined", i18n.Span(l, st.PrevPeriod.From, st.PrevThrough))
	}
	if st.TooEarly() {
		return i18n.T(l, "mystats.too_early", i18n.When(l, st.Period.From.Start(s.opt.Location), s.opt.Location))
	}
	if !st.PrevUntil.IsZero() {
		return i18n.T(l, "mystats.compared_until", i18n.Span(l, st.PrevPeriod.From, st.PrevThrough), st.PrevUntil.In(s.opt.Location).Format("15:04"))
	}
	return i18n.T(l, "mystats.compared", i18n.Span(l, st.PrevPeriod.From, st.PrevThrough))
}

func (s *Service) myStats(ctx context.Context, c *Caller, args map[string]string) (*bot.Message, error) {
	return s.statsMessage(ctx, c.Locale, c.Partner, args["period"], true)
}

// shareStats posts the asker's own stats for everyone in the channel to
// see: the only way a partner's numbers leave its private view.
func (s *Service) shareStats(ctx context.Context, c *Caller, period string) (*bot.Message, error) {
	if c.Partner == nil {
		return private(i18n.T(c.Locale, "err.partners_only", "/mystats")), nil
	}
	return s.statsMessage(ctx, c.Locale, c.Partner, period, false)
}

// statsMessage builds a partner's stats card: the period against the one
// before, standing in the program, and the month so far.
func (s *Service) statsMessage(ctx context.Context, l bot.Locale, p *bot.Partner, periodText string, private bool) (*bot.Message, error) {
	now, today := s.now()
	per, err := s.period(l, periodText, today)
	if err != nil {
		return nil, err
	}
	st, err := s.opt.Store.StatsAt(ctx, p.ID, per, now, s.opt.Currency)
	if err != nil {
		return nil, err
	}
	standings, err := s.board.Standings(ctx, today)
	if err != nil {
		return nil, err
	}
	cur, prev := st.Current, st.Previous
	money := func(a bot.Amount) string { return i18n.Money(l, s.opt.Currency, a) }
	title := i18n.T(l, "mystats.title", i18n.Period(l, per))
	if st.Partial() {
		title += " " + i18n.T(l, "mystats.so_far", i18n.ShortDate(l, st.Through))
	}
	msg := &bot.Message{
		Title:   title,
		Text:    i18n.GreetPartner(l, p) + "! " + i18n.T(l, "mystats.lead", p.Name) + statusNote(l, st, p),
		Private: private,
		Fields: []bot.Field{
			{Name: i18n.T(l, "stats.turnover"), Value: money(cur.Turnover()) + change(l, st, p, int64(cur.Turnover()), int64(prev.Turnover())), Inline: true},
			{Name: i18n.T(l, "stats.sales"), Value: i18n.Int(l, cur.Sales) + change(l, st, p, cur.Sales, prev.Sales), Inline: true},
			{Name: i18n.T(l, "stats.commission"), Value: money(cur.Commission) + change(l, st, p, int64(cur.Commission), int64(prev.Commission)), Inline: true},
			{Name: i18n.T(l, "stats.clicks"), Value: i18n.Int(l, cur.Clicks) + change(l, st, p, cur.Clicks, prev.Clicks), Inline: true},
			{Name: i18n.T(l, "stats.signups"), Value: i18n.Int(l, cur.Signups) + change(l, st, p, cur.Signups, prev.Signups), Inline: true},
		},
		Footer: s.compared(l, st, p),
	}
	// What the partner is owed, all-time as of the period's last day
	// counted: never a per-period difference.
	if owed := i18n.OwedFields(l, s.opt.Currency, st.Owed); len(owed) > 0 {
		msg.Fields = append(msg.Fields, owed...)
		if st.Through != today {
			msg.Footer += " · " + i18n.T(l, "owed.as_of", i18n.Date(l, st.Through))
		}
	}
	if stand, ok := standings[p.ID]; ok && stand.Tier == "" {
		// Onboarding: no full month to rank by yet.
		msg.Fields = append(msg.Fields, bot.Field{Name: i18n.T(l, "stats.tier"), Value: stand.TierText(l), Inline: true})
	} else if ok {
		msg.Fields = append(msg.Fields,
			bot.Field{Name: i18n.T(l, "stats.tier"), Value: stand.TierText(l), Inline: true},
			bot.Field{Name: i18n.T(l, "stats.segment"), Value: stand.SegmentText(l), Inline: true},
			bot.Field{Name: i18n.T(l, "stats.rank"), Value: rankValue(l, stand, health.RankingMonth(today)), Inline: true})
	}
	month := bot.MonthPeriod(today.Year, today.Month)
	if per.Label != month.Label {
		ms, err := s.opt.Store.StatsAt(ctx, p.ID, month, now, s.opt.Currency)
		if err != nil {
			return nil, err
		}
		msg.Fields = append(msg.Fields, bot.Field{Name: i18n.T(l, "stats.month_so_far"),
			Value: money(ms.Current.Turnover()) + ", " + i18n.N(l, ms.Current.Sales, "sale"), Inline: true})
	}
	if private {
		msg.Buttons = []bot.Button{{Action: actionShareStats, Value: per.Label, Label: i18n.T(l, "mystats.share")}}
	} else {
		msg.Footer = i18n.T(l, "mystats.shared_by", p.Name) + " · " + msg.Footer
	}
	return msg, nil
}

func (s *Service) referralLink(p *bot.Partner) string {
	return referral.Link(s.opt.PublicURL, p.ReferralCode)
}

func (s *Service) referral(ctx context.Context, c *Caller, _ map[string]string) (*bot.Message, error) {
	l, p := c.Locale, c.Partner
	link := s.referralLink(p)
	png, err := referral.QR(link, 512)
	if err != nil {
		return nil, fmt.Errorf("qr for %s: %w", p.ID, err)
	}
	return &bot.Message{
		Title: i18n.T(l, "referral.title"),
		Text: i18n.T(l, "referral.text", link, p.ReferralCode) + "\n\n" + i18n.T(l, "referral.share") + "\n" +
			quote(referral.ShareText(l, p, link)),
		Image: &bot.Image{Name: "qr-" + p.ReferralCode + ".png", Type: "image/png", Data: png, Alt: i18n.T(l, "referral.qr_alt", link)},
		Buttons: []bot.Button{{Label: i18n.T(l, "referral.open"), URL: link},
			{Label: i18n.T(l, "poster.print"), URL: referral.PrintLink(s.opt.PublicURL, p.ReferralCode)}},
		Footer:  i18n.T(l, "referral.footer"),
		Private: true,
	}, nil
}

// quote marks lines as a block quote (rendered as such on Slack and
// Discord, kept as "> " in the console).
func quote(s string) string { return "> " + strings.ReplaceAll(s, "\n", "\n> ") }

// rankRow is one partner on a leaderboard.
type rankRow struct {
	partner  *bot.Partner
	turnover bot.Amount
	rank     int
}

func (s *Service) ranking(ctx context.Context, from, to bot.Date) ([]rankRow, error) {
	ps, err := s.opt.Store.Partners(ctx)
	if err != nil {
		return nil, err
	}
	totals, err := s.opt.Store.AllTotals(ctx, from, to)
	if err != nil {
		return nil, err
	}
	// Only turnover ranks: a partner with none has no place, and a
	// period where nobody sold ranks nobody.
	var rows []rankRow
	for i := range ps {
		if t := totals[ps[i].ID].Turnover(); ps[i].Status == bot.StatusActive && t > 0 {
			rows = append(rows, rankRow{partner: &ps[i], turnover: t})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].turnover > rows[j].turnover })
	for i := range rows {
		rows[i].rank = i + 1
		if i > 0 && rows[i].turnover == rows[i-1].turnover {
			rows[i].rank = rows[i-1].rank
		}
	}
	return rows, nil
}

// leaderboard shows the top ten by turnover. Other partners appear by
// name only if they opted in; everyone else is "a partner".
func (s *Service) leaderboard(ctx context.Context, c *Caller, args map[string]string) (*bot.Message, error) {
	l, me := c.Locale, c.Partner
	_, today := s.now()
	per, err := s.period(l, args["period"], today)
	if err != nil {
		return nil, err
	}
	through, _, _ := per.Comparable(today)
	rows, err := s.ranking(ctx, per.From, through)
	if err != nil {
		return nil, err
	}
	var lines []string
	var mine *rankRow
	for i := range rows {
		r := &rows[i]
		if r.partner.ID == me.ID {
			mine = r
		}
		if i >= 10 {
			continue
		}
		name := i18n.T(l, "leaderboard.anonymous")
		switch {
		case r.partner.ID == me.ID:
			name = "*" + i18n.T(l, "leaderboard.you", r.partner.Name) + "*"
		case r.partner.LeaderboardOK:
			name = r.partner.Name
		}
		lines = append(lines, fmt.Sprintf("%d. %s — %s", r.rank, name, i18n.Money(l, s.opt.Currency, r.turnover)))
	}
	msg := &bot.Message{
		Title:   i18n.T(l, "leaderboard.title", i18n.Period(l, per)),
		Private: true,
		Footer:  i18n.T(l, "leaderboard.footer"),
	}
	if len(lines) == 0 {
		// Said in words, as /health and /promos do: a list of one
		// sentence would count it as "1 in all".
		msg.Text = i18n.T(l, "leaderboard.empty")
		if per.To.Before(today) {
			msg.Text = i18n.T(l, "leaderboard.empty_past")
		}
		return msg, nil
	}
	// The top ten stand for every partner ranked: the total says how many.
	msg.List = &bot.List{Items: lines, Total: len(rows), Locale: l, Source: commandSource("leaderboard", args["period"])}
	switch {
	case mine != nil:
		msg.Fields = []bot.Field{{Name: i18n.T(l, "leaderboard.your_place"),
			Value: i18n.T(l, "leaderboard.place", mine.rank, len(rows), i18n.Money(l, s.opt.Currency, mine.turnover))}}
	case len(rows) > 0:
		msg.Fields = []bot.Field{{Name: i18n.T(l, "leaderboard.your_place"), Value: i18n.T(l, "leaderboard.unranked")}}
	}
	return msg, nil
}

// promos lists current and upcoming promotions meant for the asker's
// segment and tier (a promotion that names none is for everyone).
func (s *Service) promos(ctx context.Context, c *Caller, _ map[string]string) (*bot.Message, error) {
	l := c.Locale
	now, today := s.now()
	all, err := s.opt.Store.Promotions(ctx)
	if err != nil {
		return nil, err
	}
	standings, err := s.board.Standings(ctx, today)
	if err != nil {
		return nil, err
	}
	stand := standings[c.Partner.ID]
	msg := &bot.Message{Title: i18n.T(l, "promos.title"), Private: true}
	var items []string
	for _, p := range ForPartner(all, stand, now) {
		when := i18n.T(l, "promos.until", i18n.Until(l, p.End, s.opt.Location))
		if p.Start.After(now) {
			when = i18n.T(l, "promos.from_to", i18n.When(l, p.Start, s.opt.Location), i18n.Until(l, p.End, s.opt.Location))
		}
		value := when
		if d := p.DescriptionIn(l); d != "" {
			value += "\n" + d
		}
		if p.Link != "" {
			value += "\n" + p.Link
		}
		items = append(items, "*"+p.TitleIn(l)+"*\n"+value)
	}
	if len(items) == 0 {
		msg.Text = i18n.T(l, "promos.none")
		return msg, nil
	}
	// Each promotion whole, paged by the adapters.
	msg.List = &bot.List{Items: items, Locale: l, Source: commandSource("promos")}
	return msg, nil
}

// ForPartner returns the promotions not yet over at now that target the
// standing's segment and tier, ordered by start.
func ForPartner(all []bot.Promotion, st health.Standing, now time.Time) []bot.Promotion {
	var out []bot.Promotion
	for _, p := range all {
		if !p.End.After(now) {
			continue
		}
		if len(p.Segments) > 0 && !contains(p.Segments, string(st.Segment)) {
			continue
		}
		if len(p.Tiers) > 0 && !contains(p.Tiers, string(st.Tier)) {
			continue
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (s *Service) help(ctx context.Context, c *Caller, _ map[string]string) (*bot.Message, error) {
	return s.HelpText(c), nil
}

// link connects the caller's chat account to a partner with a one-time
// code from its manager.
func (s *Service) link(ctx context.Context, c *Caller, args map[string]string) (*bot.Message, error) {
	l := c.Locale
	now, _ := s.now()
	if c.Platform != "slack" && c.Platform != "discord" {
		return private(i18n.T(l, "link.platform_only")), nil
	}
	if c.Partner != nil {
		return private(i18n.T(l, "link.already", c.Partner.Name)), nil
	}
	key := c.Platform + ":" + c.UserID
	if ok, until := s.guard.allow(key, now); !ok {
		return private(i18n.T(l, "link.slow_down", until.In(s.opt.Location).Format("15:04"))), nil
	}
	p, err := s.opt.Store.RedeemLinkCode(ctx, args["code"], c.Platform, c.UserID, now)
	switch bot.ErrorCode(err) {
	case "":
	case bot.ENOTFOUND, bot.EINVALID:
		s.guard.fail(key, now)
		return private(i18n.T(l, "link.bad_code")), nil
	case bot.ECONFLICT:
		return private(i18n.T(l, "link.taken")), nil
	default:
		return nil, err
	}
	s.guard.reset(key)
	pl := p.Locale
	return &bot.Message{Title: i18n.T(pl, "link.done.title"),
		Text: i18n.T(pl, "link.done", i18n.GreetPartner(pl, p), p.Name), Private: true}, nil
}

// statusNote adds what the figures alone would hide: a period from before
// the partner joined, or a partnership on hold.
func statusNote(l bot.Locale, st bot.Stats, p *bot.Partner) string {
	var note string
	if !p.Joined.IsZero() && st.Through.Before(p.Joined) {
		note += "\n" + i18n.T(l, "mystats.before_joined", p.Name, i18n.Date(l, p.Joined))
	}
	if p.Status == bot.StatusPaused {
		note += "\n" + i18n.T(l, "mystats.paused")
	}
	return note
}
