// Package calendar is the communication calendar itself: which message
// goes to whom when each scheduled job falls due. The scheduler decides
// when, the report package what a message says, the outbox delivers;
// this package turns a due time into outbox items with idempotency keys
// (one message per partner, platform and period, ever), and respects
// partners' mutes and the weekly cap on scheduled messages.
package calendar

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"partnerbot/bot"
	"partnerbot/config"
	"partnerbot/health"
	"partnerbot/report"
	"partnerbot/scheduler"
	"partnerbot/store"
)

// Store is what the calendar reads and writes.
type Store interface {
	report.Store
	CountForPartner(ctx context.Context, partner string, since time.Time, kinds ...string) (int, error)
	Queued(ctx context.Context, key string) (bool, error)
	OutboxItems(ctx context.Context, keep func(*store.OutboxItem) bool) ([]store.OutboxItem, error)
}

// Sink takes outgoing messages: the store's outbox, or a printer for dry
// runs. Enqueue reports whether the item was new.
type Sink interface {
	Enqueue(ctx context.Context, it *store.OutboxItem) (bool, error)
}

// Calendar builds the scheduled jobs.
type Calendar struct {
	Store     Store
	Sink      Sink
	Builder   *report.Builder
	Board     *health.Board
	Location  *time.Location
	Jobs      config.Jobs
	WeeklyCap int          // scheduled messages per partner and ISO week; 0 = no cap
	Community []bot.Target // the program's shared channels
	Admins    []bot.Target // admins' DMs: the daily note on failed deliveries
	Locale    bot.Locale   // the program's language, for admins
	Logger    *slog.Logger

	// capMu is held from a partner's count against the weekly cap to
	// the enqueue: jobs due at the same instant (the promo calendar and
	// the compliance reminder on the 1st of a quarter) run in parallel
	// and must not both pass the count.
	capMu sync.Mutex
}

// Scheduled kinds count against the weekly cap; alerts never do.
var scheduledKinds = []string{"weekly_report", "promo_calendar", "promo_notice", "tip", "compliance"}

// SchedulerJobs returns the calendar's jobs for the scheduler.
func (c *Calendar) SchedulerJobs() []scheduler.Job {
	j := c.Jobs
	return []scheduler.Job{
		{Name: "weekly_report", Spec: j.WeeklyReport.Cron, Enabled: j.WeeklyReport.Enabled, CatchUp: time.Duration(j.WeeklyReport.CatchUp),
			Period: scheduler.Weekly, Zones: c.partnerZones, Run: c.WeeklyReports},
		{Name: "promo_calendar", Spec: j.PromoCalendar.Cron, Enabled: j.PromoCalendar.Enabled, CatchUp: time.Duration(j.PromoCalendar.CatchUp),
			Period: scheduler.Monthly, Run: c.PromoCalendars},
		// Cron cannot say "48 h before a promotion": the job looks often
		// and announces each promotion once, when its start comes within
		// the lead.
		{Name: "promo_notice", Spec: j.PromoNotice.Cron, Enabled: j.PromoNotice.Enabled, CatchUp: time.Duration(j.PromoNotice.CatchUp),
			Run: c.PromoNotices},
		{Name: "tip", Spec: j.Tip.Cron, Enabled: j.Tip.Enabled, CatchUp: time.Duration(j.Tip.CatchUp), EveryWeeks: j.Tip.EveryWeeks,
			Period: scheduler.Weekly, Run: c.Tips},
		{Name: "compliance", Spec: j.Compliance.Cron, Enabled: j.Compliance.Enabled, CatchUp: time.Duration(j.Compliance.CatchUp),
			Period: scheduler.Quarterly, Run: c.Compliance},
		{Name: "care_agenda", Spec: j.CareAgenda.Cron, Enabled: j.CareAgenda.Enabled, CatchUp: time.Duration(j.CareAgenda.CatchUp),
			Period: scheduler.Weekly, Run: c.CareAgendas},
		{Name: "failure_note", Spec: j.FailureNote.Cron, Enabled: j.FailureNote.Enabled, CatchUp: time.Duration(j.FailureNote.CatchUp),
			Period: scheduler.Daily, Run: c.FailureNote},
		{Name: "retention_review", Spec: j.RetentionReview.Cron, Enabled: j.RetentionReview.Enabled, CatchUp: time.Duration(j.RetentionReview.CatchUp),
			Period: scheduler.Quarterly, Run: c.RetentionReviews},
	}
}

// partnerZones lists the time zones of partners that have their own.
func (c *Calendar) partnerZones(ctx context.Context) []*time.Location {
	ps, err := c.Store.Partners(ctx)
	if err != nil {
		c.Logger.Error("partner zones", "err", err)
		return nil
	}
	seen := map[string]bool{}
	var out []*time.Location
	for _, p := range ps {
		if p.Timezone == "" || seen[p.Timezone] {
			continue
		}
		seen[p.Timezone] = true
		if loc := bot.Zone(p.Timezone, nil); loc != nil {
			out = append(out, loc)
		}
	}
	return out
}

// zoneOf is the zone a partner's scheduled posts follow.
func (c *Calendar) zoneOf(p *bot.Partner) string {
	if p.Timezone != "" {
		return p.Timezone
	}
	return c.Location.String()
}

// Result counts what a job did, for logs and `report weekly`.
type Result struct {
	Queued, Duplicates, Muted, Capped, NoTarget int
}

func (r Result) String() string {
	return fmt.Sprintf("%d queued, %d already queued, %d muted, %d over the weekly cap, %d without a chat account",
		r.Queued, r.Duplicates, r.Muted, r.Capped, r.NoTarget)
}

// send queues one partner's message to each of its targets, unless the
// partner muted the kind or reached the weekly cap.
func (c *Calendar) send(ctx context.Context, p *bot.Partner, kind, mute, period string, due time.Time, msg *bot.Message, res *Result) error {
	if c.WeeklyCap > 0 {
		c.capMu.Lock()
		defer c.capMu.Unlock()
	}
	return c.sendVia(ctx, c.ledger(), p, kind, mute, period, due, msg, res)
}

// skip reports (and counts) whether a partner gets no message of kind:
// muted, or with no chat account.
func skip(p *bot.Partner, mute string, res *Result) bool {
	if mute != "" && p.Muted(mute) {
		res.Muted++
		return true
	}
	if len(report.Targets(p)) == 0 {
		res.NoTarget++
		return true
	}
	return false
}

// ledger is where send checks for duplicates and the cap and queues:
// the store and the sink, or one write transaction of the store.
type ledger interface {
	Queued(ctx context.Context, key string) (bool, error)
	CountForPartner(ctx context.Context, partner string, since time.Time, kinds ...string) (int, error)
	Sink
}

// storeSink is the calendar's own store and sink as a ledger.
type storeSink struct {
	Store
	sink Sink
}

func (s storeSink) Enqueue(ctx context.Context, it *store.OutboxItem) (bool, error) {
	return s.sink.Enqueue(ctx, it)
}

func (c *Calendar) ledger() ledger { return storeSink{c.Store, c.Sink} }

// updater is a sink that can queue many messages in one transaction:
// the store's outbox.
type updater interface {
	Update(ctx context.Context, fn func(*store.Tx) error) error
}

// inTx runs fn with a ledger: one write transaction when the sink is the
// store itself, else the store and the sink as they are. It holds the
// cap's lock throughout (before the transaction: other jobs take the lock
// and then write).
func (c *Calendar) inTx(ctx context.Context, fn func(ledger) error) error {
	c.capMu.Lock()
	defer c.capMu.Unlock()
	if u, ok := c.Sink.(updater); ok && any(c.Sink) == any(c.Store) {
		return u.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
	}
	return fn(c.ledger())
}

// sendVia is send through l, with the cap's lock held when there is a cap.
func (c *Calendar) sendVia(ctx context.Context, l ledger, p *bot.Partner, kind, mute, period string, due time.Time, msg *bot.Message, res *Result) error {
	if skip(p, mute, res) {
		return nil
	}
	targets := report.Targets(p)
	keyFor := func(t bot.Target) string { return fmt.Sprintf("%s/%s/%s/%s", kind, period, p.ID, t.Platform) }
	// A message queued before (a re-run, a catch-up after a crash) is a
	// duplicate, whatever the cap says now.
	if queued, err := l.Queued(ctx, keyFor(targets[0])); err != nil {
		return err
	} else if queued {
		res.Duplicates += len(targets)
		return nil
	}
	if c.WeeklyCap > 0 {
		// The week is the partner's: Monday 09:00 in Auckland is still
		// Sunday in Warsaw, and the report opens Auckland's week.
		loc := bot.Zone(p.Timezone, c.Location)
		d := bot.DateOf(due, loc)
		monday := d.AddDays(-((int(d.Weekday()) + 6) % 7)).Start(loc)
		n, err := l.CountForPartner(ctx, p.ID, monday, scheduledKinds...)
		if err != nil {
			return err
		}
		if n >= c.WeeklyCap*len(targets) {
			res.Capped++
			c.Logger.Debug("weekly cap reached: not sending", "partner", p.ID, "kind", kind, "cap", c.WeeklyCap)
			return nil
		}
	}
	for _, t := range targets {
		if err := queueTo(ctx, l, keyFor(t), kind, p.ID, t, msg, res); err != nil {
			return err
		}
	}
	return nil
}

// queue puts one message in the sink and counts it as queued or, when
// its key was queued before, as a duplicate.
func (c *Calendar) queue(ctx context.Context, key, kind, partner string, t bot.Target, msg *bot.Message, res *Result) error {
	return queueTo(ctx, c.Sink, key, kind, partner, t, msg, res)
}

func queueTo(ctx context.Context, sink Sink, key, kind, partner string, t bot.Target, msg *bot.Message, res *Result) error {
	created, err := sink.Enqueue(ctx, &store.OutboxItem{Key: key, Kind: kind, Partner: partner, Target: t, Message: *msg})
	if err != nil {
		return err
	}
	if created {
		res.Queued++
	} else {
		res.Duplicates++
	}
	return nil
}

// toManager queues a message to a manager's DMs.
func (c *Calendar) toManager(ctx context.Context, m *bot.Manager, kind, period string, msg *bot.Message, res *Result) error {
	var targets []bot.Target
	if m.SlackUser != "" {
		targets = append(targets, bot.Target{Platform: "slack", User: m.SlackUser})
	}
	if m.DiscordUser != "" {
		targets = append(targets, bot.Target{Platform: "discord", User: m.DiscordUser})
	}
	if len(targets) == 0 {
		res.NoTarget++
		return nil
	}
	for _, t := range targets {
		key := fmt.Sprintf("%s/%s/manager:%s/%s", kind, period, m.ID, t.Platform)
		if err := c.queue(ctx, key, kind, "", t, msg, res); err != nil {
			return err
		}
	}
	return nil
}

// ReportWeek returns the ISO week a report sent on day reports on: the
// week before the one the day is in.
func ReportWeek(day bot.Date) bot.Period {
	y, w := day.AddDays(-7).ISOWeek()
	p, _ := bot.WeekPeriod(y, w)
	return p
}

// WeeklyReports queues the Monday report of every active partner whose
// zone is due's, and (in the program zone) the program summary for
// managers.
func (c *Calendar) WeeklyReports(ctx context.Context, due time.Time) error {
	res, err := c.Weekly(ctx, due, "")
	if err == nil {
		c.Logger.Info("weekly reports", "zone", due.Location().String(), "result", res.String())
	}
	return err
}

// Weekly queues the weekly reports due at due; only, when set, limits it
// to one partner (the CLI's report weekly --partner).
func (c *Calendar) Weekly(ctx context.Context, due time.Time, only string) (Result, error) {
	var res Result
	zone := due.Location().String()
	sendDay := bot.DateOf(due, due.Location())
	week := ReportWeek(sendDay)
	ps, err := c.Store.Partners(ctx)
	if err != nil {
		return res, err
	}
	standings, err := c.Board.Standings(ctx, sendDay)
	if err != nil {
		return res, err
	}
	if zone == c.Location.String() && only == "" {
		if err := c.summaries(ctx, ps, standings, week, &res); err != nil {
			return res, err
		}
	}
	var todo []*bot.Partner
	for i := range ps {
		p := &ps[i]
		if p.Status != bot.StatusActive || c.zoneOf(p) != zone || (only != "" && p.ID != only) {
			continue
		}
		if !skip(p, "weekly", &res) {
			todo = append(todo, p)
		}
	}
	// A chunk at a time: built on every core, then queued in one
	// transaction.
	for len(todo) > 0 {
		chunk := todo[:min(len(todo), weeklyChunk)]
		todo = todo[len(chunk):]
		msgs, err := c.buildWeekly(ctx, chunk, standings, week, sendDay)
		if err != nil {
			return res, err
		}
		err = c.inTx(ctx, func(l ledger) error {
			for i, p := range chunk {
				if err := c.sendVia(ctx, l, p, "weekly_report", "weekly", week.Label, due, msgs[i], &res); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// weeklyChunk is how many weekly reports are built ahead and queued in
// one transaction: 10 000 partners take ten commits.
const weeklyChunk = 1000

// buildWeekly builds the weekly reports of ps, in order, on every core:
// reading the figures and drawing the chart are each partner's own.
func (c *Calendar) buildWeekly(ctx context.Context, ps []*bot.Partner, standings map[string]health.Standing, week bot.Period, sendDay bot.Date) ([]*bot.Message, error) {
	msgs := make([]*bot.Message, len(ps))
	workers := min(runtime.GOMAXPROCS(0), len(ps))
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ps) || ctx.Err() != nil {
					return
				}
				p := ps[i]
				w, err := c.Builder.Figures(ctx, p, week, sendDay)
				if err == nil {
					var st *health.Standing
					if s, ok := standings[p.ID]; ok {
						st = &s
					}
					msgs[i], err = c.Builder.WeeklyMessage(p, w, st)
				}
				if err != nil {
					errOnce.Do(func() { first = err })
					next.Store(int64(len(ps))) // stop the others
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return msgs, nil
}

// CareAgendas queues each manager's Monday care agenda: whom to
// congratulate, follow up and reactivate.
func (c *Calendar) CareAgendas(ctx context.Context, due time.Time) error {
	var res Result
	today := bot.DateOf(due, c.Location)
	ms, err := c.Store.Managers(ctx)
	if err != nil {
		return err
	}
	ps, err := c.Store.Partners(ctx)
	if err != nil {
		return err
	}
	standings, err := c.Board.Standings(ctx, today)
	if err != nil {
		return err
	}
	y, w := today.ISOWeek()
	period := fmt.Sprintf("%04d-W%02d", y, w)
	for i := range ms {
		m := &ms[i]
		msg, err := c.Builder.CareAgenda(ctx, m, ps, standings, today)
		if err != nil {
			return err
		}
		if err := c.toManager(ctx, m, "care_agenda", period, msg, &res); err != nil {
			return err
		}
	}
	c.Logger.Info("care agendas", "result", res.String())
	return nil
}

// summaries queues the program summary to every manager with the
// Monday reports.
func (c *Calendar) summaries(ctx context.Context, ps []bot.Partner, standings map[string]health.Standing, week bot.Period, res *Result) error {
	ms, err := c.Store.Managers(ctx)
	if err != nil {
		return err
	}
	for i := range ms {
		msg, err := c.Builder.ProgramSummary(ctx, ms[i].Locale, ps, standings, week)
		if err != nil {
			return err
		}
		if err := c.toManager(ctx, &ms[i], "program_summary", week.Label, msg, res); err != nil {
			return err
		}
	}
	return nil
}

// community queues a message to the program's shared channels.
func (c *Calendar) community(ctx context.Context, kind, period string, msg *bot.Message, res *Result) error {
	for _, t := range c.Community {
		key := fmt.Sprintf("%s/%s/community/%s", kind, period, t.Platform)
		if err := c.queue(ctx, key, kind, "", t, msg, res); err != nil {
			return err
		}
	}
	return nil
}

func (c *Calendar) programLocale(ps []bot.Partner) bot.Locale {
	// The community hears the language most partners speak.
	n := 0
	for _, p := range ps {
		if p.Locale == bot.LocalePL {
			n++
		}
	}
	if n*2 >= len(ps) {
		return bot.LocalePL
	}
	return bot.LocaleEN
}

// PromoCalendars queues, on the 1st, the month's promotions to every
// active partner (those meant for it) and to the community channels.
func (c *Calendar) PromoCalendars(ctx context.Context, due time.Time) error {
	var res Result
	today := bot.DateOf(due, c.Location)
	month := bot.MonthPeriod(today.Year, today.Month)
	ps, err := c.Store.Partners(ctx)
	if err != nil {
		return err
	}
	all, err := c.Store.Promotions(ctx)
	if err != nil {
		return err
	}
	standings, err := c.Board.Standings(ctx, today)
	if err != nil {
		return err
	}
	for i := range ps {
		p := &ps[i]
		if p.Status != bot.StatusActive {
			continue
		}
		msg := c.Builder.PromoCalendar(p.Locale, month, report.ForStanding(all, standings[p.ID], due))
		if err := c.send(ctx, p, "promo_calendar", "promos", month.Label, due, msg, &res); err != nil {
			return err
		}
	}
	if err := c.community(ctx, "promo_calendar", month.Label, c.Builder.PromoCalendar(c.programLocale(ps), month, all), &res); err != nil {
		return err
	}
	c.Logger.Info("promo calendar", "month", month.Label, "result", res.String())
	return nil
}

// PromoNotices announces each promotion to the partners it targets once,
// when its start comes within the notice lead.
func (c *Calendar) PromoNotices(ctx context.Context, due time.Time) error {
	var res Result
	now := due
	lead := c.Builder.NoticeLead
	if lead <= 0 {
		lead = report.DefaultNoticeLead
	}
	all, err := c.Store.Promotions(ctx)
	if err != nil {
		return err
	}
	var soon []bot.Promotion
	for _, pr := range all {
		if pr.Start.After(now) && !pr.Start.After(now.Add(lead)) {
			soon = append(soon, pr)
		}
	}
	if len(soon) == 0 {
		return nil
	}
	ps, err := c.Store.Partners(ctx)
	if err != nil {
		return err
	}
	standings, err := c.Board.Standings(ctx, bot.DateOf(now, c.Location))
	if err != nil {
		return err
	}
	for _, pr := range soon {
		for i := range ps {
			p := &ps[i]
			if p.Status != bot.StatusActive || len(report.ForStanding([]bot.Promotion{pr}, standings[p.ID], now)) == 0 {
				continue
			}
			msg := c.Builder.PromoNoticeAt(p, pr, now)
			if err := c.send(ctx, p, "promo_notice", "promos", pr.ID, due, msg, &res); err != nil {
				return err
			}
		}
	}
	if res.Queued > 0 {
		c.Logger.Info("promo notices", "promotions", len(soon), "result", res.String())
	}
	return nil
}

// Tips posts the fortnight's tip to the community channels.
func (c *Calendar) Tips(ctx context.Context, due time.Time) error {
	var res Result
	ps, err := c.Store.Partners(ctx)
	if err != nil {
		return err
	}
	y, w := due.In(c.Location).ISOWeek()
	msg := c.Builder.Tip(c.programLocale(ps), y*53+w)
	return c.community(ctx, "tip", fmt.Sprintf("%04d-W%02d", y, w), msg, &res)
}

// Compliance reminds every active and paused partner of the programme's
// rules on the first day of a quarter.
func (c *Calendar) Compliance(ctx context.Context, due time.Time) error {
	var res Result
	today := bot.DateOf(due, c.Location)
	q := bot.QuarterPeriod(today.Year, (int(today.Month)-1)/3+1)
	ps, err := c.Store.Partners(ctx)
	if err != nil {
		return err
	}
	for i := range ps {
		p := &ps[i]
		if p.Status == bot.StatusEnded {
			continue
		}
		if err := c.send(ctx, p, "compliance", "", q.Label, due, c.Builder.ComplianceReminder(p, q), &res); err != nil {
			return err
		}
	}
	c.Logger.Info("compliance reminders", "quarter", q.Label, "result", res.String())
	return nil
}

// RetentionReviews sends managers the quarter's retention review: active
// share against the target.
func (c *Calendar) RetentionReviews(ctx context.Context, due time.Time) error {
	var res Result
	today := bot.DateOf(due, c.Location)
	prev := bot.QuarterPeriod(today.Year, (int(today.Month)-1)/3+1).Previous()
	ps, err := c.Store.Partners(ctx)
	if err != nil {
		return err
	}
	ms, err := c.Store.Managers(ctx)
	if err != nil {
		return err
	}
	for i := range ms {
		msg, err := c.Builder.RetentionReview(ctx, ms[i].Locale, ps, prev)
		if err != nil {
			return err
		}
		if err := c.toManager(ctx, &ms[i], "retention_review", prev.Label, msg, &res); err != nil {
			return err
		}
	}
	c.Logger.Info("retention review", "quarter", prev.Label, "result", res.String())
	return nil
}

// FailureNote tells the admins, once a day, which messages could not be
// delivered in the last 24 hours and why, and which webhook deliveries
// are parked: a failure must not go unseen.
func (c *Calendar) FailureNote(ctx context.Context, due time.Time) error {
	if err := c.parkedNote(ctx, due); err != nil {
		return err
	}
	since := due.Add(-24 * time.Hour)
	failed, err := c.Store.OutboxItems(ctx, func(it *store.OutboxItem) bool {
		return it.Status == store.OutboxFailed && !it.FailedAt.Before(since) && !it.FailedAt.After(due)
	})
	if err != nil || len(failed) == 0 {
		return err
	}
	res, err := c.toAdmins(ctx, due, "failure_note", c.Builder.FailureNote(c.Locale, failed))
	if err != nil {
		return err
	}
	c.Logger.Warn("messages failed in the last day", "failed", len(failed), "admins_told", res.Queued)
	return nil
}

// parkedNote tells the admins about webhook deliveries still parked, when
// the store keeps them.
func (c *Calendar) parkedNote(ctx context.Context, due time.Time) error {
	ps, ok := c.Store.(interface {
		ParkedDeliveries(context.Context) ([]store.Parked, error)
	})
	if !ok {
		return nil
	}
	parked, err := ps.ParkedDeliveries(ctx)
	if err != nil || len(parked) == 0 {
		return err
	}
	res, err := c.toAdmins(ctx, due, "parked_note", c.Builder.ParkedNote(c.Locale, parked))
	if err != nil {
		return err
	}
	c.Logger.Warn("webhook deliveries parked", "parked", len(parked), "admins_told", res.Queued)
	return nil
}

// toAdmins queues msg to every admin once for due's day, as kind.
func (c *Calendar) toAdmins(ctx context.Context, due time.Time, kind string, msg *bot.Message) (Result, error) {
	var res Result
	day := due.In(c.Location).Format("2006-01-02")
	for _, t := range c.Admins {
		key := fmt.Sprintf("%s/%s/admin:%s/%s", kind, day, t.User, t.Platform)
		if err := c.queue(ctx, key, kind, "", t, msg, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}
