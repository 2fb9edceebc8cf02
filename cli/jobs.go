package cli

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"partnerbot/bot"
	"partnerbot/bot/console"
	"partnerbot/calendar"
	"partnerbot/chart"
	"partnerbot/health"
	"partnerbot/report"
	"partnerbot/scheduler"
	"partnerbot/store"
)

// printSink prints what would be queued: dry runs show exactly what would
// be posted, to whom, under which key.
type printSink struct {
	mu  sync.Mutex
	out io.Writer
	n   int
	// images, when set, is the directory every attached image (the
	// weekly chart, a QR code) is saved in.
	images string
}

func (p *printSink) Enqueue(ctx context.Context, it *store.OutboxItem) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	img := ""
	if it.Message.Image != nil {
		img = " + " + it.Message.Image.Name
	}
	fmt.Fprintf(p.out, "──── %s → %s%s ────\n%s", it.Key, it.Target, img, console.Render(&it.Message))
	if it.Message.Image != nil && p.images != "" {
		img := it.Message.Image
		if len(img.Data) == 0 && img.Spec != nil {
			data, err := chart.Render(ctx, img.Spec)
			if err != nil {
				return false, err
			}
			drawn := *img
			drawn.Data, drawn.Spec = data, nil
			img = &drawn
		}
		path, err := console.SaveImage(p.images, it.Key, img)
		if err != nil {
			return false, err
		}
		fmt.Fprintf(p.out, "(image saved to %s)\n", path)
	}
	fmt.Fprintln(p.out)
	return true, nil
}

// calendar builds the communication calendar over the store; a nil sink
// queues into the store's outbox.
func (m *Main) calendar(s *store.Store, board *health.Board, sink calendar.Sink) *calendar.Calendar {
	cfg := m.cfg
	if sink == nil {
		sink = s
	}
	var community []bot.Target
	if ch := cfg.Community.SlackChannel; ch != "" {
		community = append(community, bot.Target{Platform: "slack", Channel: ch})
	}
	if ch := cfg.Community.DiscordChannel; ch != "" {
		community = append(community, bot.Target{Platform: "discord", Channel: ch})
	}
	var admins []bot.Target
	for _, u := range cfg.Admins.Slack {
		admins = append(admins, bot.Target{Platform: "slack", User: u})
	}
	for _, u := range cfg.Admins.Discord {
		admins = append(admins, bot.Target{Platform: "discord", User: u})
	}
	return &calendar.Calendar{
		Store: s, Sink: sink, Board: board, Location: cfg.Location(), Jobs: cfg.Jobs, Community: community,
		Admins: admins, Locale: cfg.Program.Locale,
		WeeklyCap: cfg.Caps.WeeklyScheduledPerPartner, Logger: m.log,
		Builder: &report.Builder{Store: s, Board: board, Location: cfg.Location(), Currency: cfg.Currency(),
			Program: cfg.Program.Name, ActiveTarget: report.DefaultActiveTarget, NoticeLead: time.Duration(cfg.Jobs.PromoNotice.Lead)},
	}
}

// scheduler runs the calendar's jobs and, with a watch, the daily health
// evaluation.
func (m *Main) scheduler(s *store.Store, cal *calendar.Calendar, w *watch) (*scheduler.Scheduler, error) {
	jobs := cal.SchedulerJobs()
	if w != nil {
		jobs = append(jobs, w.job(m.cfg.Jobs.HealthEval.Cron, m.cfg.Jobs.HealthEval.Enabled))
	}
	return scheduler.New(scheduler.Options{Store: s, Clock: m.Clock, Location: m.cfg.Location(), Logger: m.log, OnRun: m.onJobRun}, jobs)
}

func (m *Main) jobs(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: jobs list|run", ErrUsage)
	}
	verb, args := args[0], args[1:]
	fs := m.flags("jobs " + verb)
	asJSON := fs.Bool("json", false, "print JSON")
	at := fs.String("at", "", "run for the period of this RFC3339 time (default: now)")
	dry := fs.Bool("dry-run", false, "print what would be posted; queue nothing")
	images := fs.String("images", "", "with --dry-run, save every image that would be posted in `dir`")
	var name string
	switch verb {
	case "list":
		if _, err := parse(fs, args, 0, 0, "[--json]"); err != nil {
			return err
		}
	case "run":
		pos, err := parse(fs, args, 1, 1, "NAME [--at TIME] [--dry-run]")
		if err != nil {
			return err
		}
		name = pos[0]
	default:
		return fmt.Errorf("%w: jobs %s: unknown verb (list, run)", ErrUsage, verb)
	}
	s, err := m.openStore()
	if err != nil {
		return err
	}
	board := health.NewBoard(s, rules(m.cfg))
	var sink calendar.Sink
	ps := &printSink{out: m.Stdout, images: *images}
	if *images != "" && !*dry {
		return fmt.Errorf("%w: --images goes with --dry-run (a real run queues the images for the platforms)", ErrUsage)
	}
	if *dry {
		sink = ps
	}
	var w *watch
	if !*dry {
		w = m.newWatch(s, m.notifier(s))
	} else if name == "health_eval" {
		return fmt.Errorf("%w: health_eval has no dry run; partnerbot health shows the verdicts without storing them", ErrUsage)
	}
	sched, err := m.scheduler(s, m.calendar(s, board, sink), w)
	if err != nil {
		return err
	}
	if verb == "list" {
		sts, err := sched.Statuses(ctx, m.Clock.Now())
		if err != nil {
			return err
		}
		if *asJSON {
			return m.printJSON(sts)
		}
		loc := m.cfg.Location()
		var rows [][]string
		for _, st := range sts {
			next, last := "-", "never"
			if !st.Next.IsZero() {
				next = st.Next.In(loc).Format("Mon 2006-01-02 15:04 MST")
			}
			if !st.Enabled {
				next = "off"
			}
			if st.Last != nil {
				last = fmt.Sprintf("%s %s", st.Last.Key[len(st.Name)+1:], st.Last.Status)
				if !st.Last.Finished.IsZero() {
					last += " at " + st.Last.Finished.In(loc).Format("2006-01-02 15:04")
				}
			}
			rows = append(rows, []string{st.Name, st.Spec, next, last})
		}
		m.table([]string{"JOB", "CRON", "NEXT RUN", "LAST RUN"}, rows)
		return nil
	}
	when := m.Clock.Now()
	if *at != "" {
		if when, err = time.Parse(time.RFC3339, *at); err != nil {
			return fmt.Errorf("%w: --at %q is not an RFC3339 time", ErrUsage, *at)
		}
	}
	if err := sched.RunNow(ctx, name, when); err != nil {
		return err
	}
	if *dry {
		fmt.Fprintf(m.Stdout, "dry run: %d messages would be queued\n", ps.n)
	} else {
		fmt.Fprintf(m.Stdout, "job %s ran; its messages are in the outbox (partnerbot serve delivers them; see partnerbot outbox list)\n", name)
	}
	return nil
}

func (m *Main) report(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "weekly" {
		return fmt.Errorf("%w: report weekly [--week 2026-W47] [--partner ID] [--dry-run]", ErrUsage)
	}
	fs := m.flags("report weekly")
	weekFlag := fs.String("week", "", "the ISO week to report on, like 2026-W47 (default: last week)")
	partner := fs.String("partner", "", "only this partner")
	dry := fs.Bool("dry-run", false, "print exactly what would be posted; queue nothing")
	images := fs.String("images", "", "with --dry-run, save every image that would be posted (the charts) in `dir`")
	if _, err := parse(fs, args[1:], 0, 0, "[--week W] [--partner ID] [--dry-run] [--images DIR]"); err != nil {
		return err
	}
	if *images != "" && !*dry {
		return fmt.Errorf("%w: --images goes with --dry-run (a real run queues the images for the platforms)", ErrUsage)
	}
	s, err := m.openStore()
	if err != nil {
		return err
	}
	loc := m.cfg.Location()
	week := calendar.ReportWeek(m.today())
	if *weekFlag != "" {
		p, err := bot.ParsePeriod(*weekFlag, m.today())
		if err != nil || p.Kind != bot.PeriodWeek {
			return fmt.Errorf("%w: --week %q is not an ISO week like 2026-W47", ErrUsage, *weekFlag)
		}
		week = p
	}
	// The report of a week is sent on the Monday after it, at the
	// calendar's hour.
	sendDay := week.To.AddDays(1)
	sched, err := m.scheduler(s, m.calendar(s, health.NewBoard(s, rules(m.cfg)), nil), nil)
	if err != nil {
		return err
	}
	due, err := sched.Next("weekly_report", sendDay.Start(loc).Add(-time.Second))
	if err != nil || due.IsZero() || bot.DateOf(due, loc) != sendDay {
		due = sendDay.Start(loc).Add(9 * time.Hour)
	}
	var sink calendar.Sink = s
	ps := &printSink{out: m.Stdout, images: *images}
	if *dry {
		sink = ps
	}
	cal := m.calendar(s, health.NewBoard(s, rules(m.cfg)), sink)
	res, err := cal.Weekly(ctx, due, *partner)
	if err != nil {
		return err
	}
	what := "queued"
	if *dry {
		what = "would be queued (dry run)"
	}
	fmt.Fprintf(m.Stdout, "weekly report for %s, sent %s: %s; %s\n", week.Label, due.In(loc).Format("Mon 2006-01-02 15:04"), what, res)
	return nil
}

func (m *Main) outboxCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		return fmt.Errorf("%w: outbox list [--failed] [--json]", ErrUsage)
	}
	fs := m.flags("outbox list")
	failed := fs.Bool("failed", false, "only messages that failed for good")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 50, "show the newest N (0: all)")
	if _, err := parse(fs, args[1:], 0, 0, "[--failed] [--json]"); err != nil {
		return err
	}
	s, err := m.openStore()
	if err != nil {
		return err
	}
	items, err := s.OutboxItems(ctx, func(it *store.OutboxItem) bool { return !*failed || it.Status == store.OutboxFailed })
	if err != nil {
		return err
	}
	if *limit > 0 && len(items) > *limit {
		items = items[len(items)-*limit:]
	}
	if *asJSON {
		for i := range items {
			items[i].Message.Image = nil // bytes are not for terminals
		}
		if items == nil {
			items = []store.OutboxItem{}
		}
		return m.printJSON(items)
	}
	loc := m.cfg.Location()
	var rows [][]string
	for _, it := range items {
		when := it.NextAt.In(loc).Format("01-02 15:04")
		if it.Status == store.OutboxSent {
			when = it.SentAt.In(loc).Format("01-02 15:04")
		}
		rows = append(rows, []string{fmt.Sprint(it.ID), it.Status, it.Kind, it.Target.String(), fmt.Sprint(it.Attempts), when, it.Reason})
	}
	m.table([]string{"ID", "STATUS", "KIND", "TARGET", "TRIES", "WHEN", "REASON"}, rows)
	fmt.Fprintf(m.Stdout, "%d messages\n", len(items))
	return nil
}
