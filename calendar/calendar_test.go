package calendar_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/bot/console"
	"partnerbot/calendar"
	"partnerbot/chart"
	"partnerbot/config"
	"partnerbot/demo"
	"partnerbot/health"
	"partnerbot/report"
	"partnerbot/scheduler"
	"partnerbot/store"
)

// The demo program as of Monday 23 November 2026, 08:59 in Warsaw: the
// Monday report of ISO week 47 is a minute away, and the promotion
// "tydzien-x2" starts on Thursday at 09:00.
var (
	calZone   = func() *time.Location { l, _ := time.LoadLocation("Europe/Warsaw"); return l }()
	calDemoAt = time.Date(2026, 11, 23, 8, 59, 0, 0, calZone)
)

// warsaw returns an instant of the program zone: "2026-11-23 09:00".
func warsaw(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calZone)
	if err != nil {
		panic(err)
	}
	return t
}

// demoFile is the demo database, generated once per test binary and
// copied into each test's directory: generating it takes seconds under
// the race detector, copying it milliseconds.
var demoFile struct {
	once sync.Once
	data []byte
	err  error
}

func demoBytes(t *testing.T) []byte {
	t.Helper()
	demoFile.once.Do(func() {
		dir, err := os.MkdirTemp("", "calendar-demo-")
		if err != nil {
			demoFile.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "demo.db")
		s, err := store.Open(path, store.Options{Location: calZone, Clock: bot.NewManualClock(calDemoAt), NoSync: true})
		if err != nil {
			demoFile.err = err
			return
		}
		if _, err := demo.Generate(context.Background(), s, calDemoAt, demo.DefaultSeed); err != nil {
			s.Close()
			demoFile.err = err
			return
		}
		if err := s.Close(); err != nil {
			demoFile.err = err
			return
		}
		demoFile.data, demoFile.err = os.ReadFile(path)
	})
	if demoFile.err != nil {
		t.Fatalf("demo database: %v", demoFile.err)
	}
	return demoFile.data
}

// harness is the communication calendar over a demo store, wired as
// `serve` wires it, driven by a manual clock.
type harness struct {
	t     *testing.T
	ctx   context.Context
	path  string
	clock *bot.ManualClock
	store *store.Store
	cal   *calendar.Calendar
	sched *scheduler.Scheduler
	logs  *logBuf
	// setup changes the calendar before the scheduler is built (and
	// again after a restart).
	setup func(*calendar.Calendar)
}

func newHarness(t *testing.T, setup func(*calendar.Calendar)) *harness {
	t.Helper()
	h := &harness{t: t, ctx: context.Background(), path: filepath.Join(t.TempDir(), "pb.db"),
		clock: bot.NewManualClock(calDemoAt), logs: &logBuf{}, setup: setup}
	if err := os.WriteFile(h.path, demoBytes(t), 0o600); err != nil {
		t.Fatal(err)
	}
	h.open()
	t.Cleanup(func() {
		if h.store != nil {
			h.store.Close()
		}
	})
	return h
}

// open opens the store and builds the calendar and its scheduler, as
// cli's calendar and scheduler do.
func (h *harness) open() {
	h.t.Helper()
	cfg := config.Default()
	s, err := store.Open(h.path, store.Options{Location: calZone, Clock: h.clock})
	if err != nil {
		h.t.Fatal(err)
	}
	h.store = s
	board := health.NewBoard(s, health.DefaultRules)
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h.cal = &calendar.Calendar{
		Store: s, Sink: s, Board: board, Location: calZone, Jobs: cfg.Jobs,
		WeeklyCap: cfg.Caps.WeeklyScheduledPerPartner, Locale: cfg.Program.Locale, Logger: log,
		Builder: &report.Builder{Store: s, Board: board, Location: calZone, Currency: cfg.Currency(),
			Program: cfg.Program.Name, ActiveTarget: report.DefaultActiveTarget, NoticeLead: time.Duration(cfg.Jobs.PromoNotice.Lead)},
	}
	if h.setup != nil {
		h.setup(h.cal)
	}
	h.sched, err = scheduler.New(scheduler.Options{Store: s, Clock: h.clock, Location: calZone, Logger: log}, h.cal.SchedulerJobs())
	if err != nil {
		h.t.Fatal(err)
	}
}

// restart closes the store and opens it again with a new calendar and
// scheduler: what a stop and a start of serve do.
func (h *harness) restart() {
	h.t.Helper()
	if err := h.store.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.store = nil
	h.open()
}

// tick moves the clock to at and lets the scheduler run what is due,
// failing the test when a job logged an error.
func (h *harness) tick(at time.Time) {
	h.t.Helper()
	h.clock.Set(at)
	h.sched.Tick(h.ctx, at)
	h.sched.Wait()
	if out := h.logs.String(); strings.Contains(out, "level=ERROR") {
		h.t.Fatalf("a job failed at %s:\n%s", at.Format(time.RFC3339), out)
	}
}

// items returns the outbox items of a kind.
func (h *harness) items(kind string) []store.OutboxItem {
	h.t.Helper()
	its, err := h.store.OutboxItems(h.ctx, func(it *store.OutboxItem) bool { return it.Kind == kind })
	if err != nil {
		h.t.Fatal(err)
	}
	return its
}

// keys returns the idempotency keys of a kind's outbox items, sorted;
// a key twice fails the test.
func (h *harness) keys(kind string) []string {
	h.t.Helper()
	var ks []string
	seen := map[string]bool{}
	for _, it := range h.items(kind) {
		if seen[it.Key] {
			h.t.Fatalf("outbox holds %s twice", it.Key)
		}
		seen[it.Key] = true
		ks = append(ks, it.Key)
	}
	sort.Strings(ks)
	return ks
}

func (h *harness) partners() []bot.Partner {
	h.t.Helper()
	ps, err := h.store.Partners(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	return ps
}

func (h *harness) managers() []bot.Manager {
	h.t.Helper()
	ms, err := h.store.Managers(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	return ms
}

// update changes a stored partner.
func (h *harness) update(id string, change func(*bot.Partner)) {
	h.t.Helper()
	p, err := h.store.Partner(h.ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	change(p)
	if _, err := h.store.PutPartner(h.ctx, p); err != nil {
		h.t.Fatal(err)
	}
}

// platforms lists the platforms a partner has an account or a channel
// on: where its scheduled posts go.
func platforms(p bot.Partner) []string {
	var out []string
	if p.SlackChannel != "" || p.SlackUser != "" {
		out = append(out, "slack")
	}
	if p.DiscordChannel != "" || p.DiscordUser != "" {
		out = append(out, "discord")
	}
	return out
}

// partnerKeys returns kind/period/id/platform for every partner keep
// accepts, on each of its platforms, sorted.
func partnerKeys(ps []bot.Partner, kind, period string, keep func(bot.Partner) bool) []string {
	var out []string
	for _, p := range ps {
		if !keep(p) {
			continue
		}
		for _, pl := range platforms(p) {
			out = append(out, fmt.Sprintf("%s/%s/%s/%s", kind, period, p.ID, pl))
		}
	}
	sort.Strings(out)
	return out
}

// managerKeys returns kind/period/manager:id/platform for every manager
// on each platform it has.
func managerKeys(ms []bot.Manager, kind, period string) []string {
	var out []string
	for _, m := range ms {
		if m.SlackUser != "" {
			out = append(out, fmt.Sprintf("%s/%s/manager:%s/slack", kind, period, m.ID))
		}
		if m.DiscordUser != "" {
			out = append(out, fmt.Sprintf("%s/%s/manager:%s/discord", kind, period, m.ID))
		}
	}
	sort.Strings(out)
	return out
}

// sameKeys fails the test with the differences when got is not want.
func sameKeys(t *testing.T, what string, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	var missing, extra []string
	for _, k := range want {
		if !slices.Contains(got, k) {
			missing = append(missing, k)
		}
	}
	for _, k := range got {
		if !slices.Contains(want, k) {
			extra = append(extra, k)
		}
	}
	t.Fatalf("%s: %d keys, want %d\nmissing: %v\nunexpected: %v", what, len(got), len(want), missing, extra)
}

func active(p bot.Partner) bool { return p.Status == bot.StatusActive }

// programZone tells whether a partner's posts follow the program zone.
func programZone(p bot.Partner) bool { return p.Timezone == "" || p.Timezone == calZone.String() }

// withStatus counts the partners of a status that have a chat account.
func withStatus(ps []bot.Partner, st bot.Status) int {
	n := 0
	for _, p := range ps {
		if p.Status == st && len(platforms(p)) > 0 {
			n++
		}
	}
	return n
}

func TestReportWeek(t *testing.T) {
	for _, tc := range []struct{ day, want string }{
		{"2026-11-23", "2026-W47"}, // the Monday report is about the week before
		{"2026-11-24", "2026-W47"},
		{"2026-11-29", "2026-W47"}, // a Sunday still reports the week before its own
		{"2026-11-30", "2026-W48"},
		{"2027-01-04", "2026-W53"}, // 2026 has 53 ISO weeks
		{"2025-12-29", "2025-W52"}, // the Monday of 2026-W01
		{"2026-01-05", "2026-W01"},
	} {
		if got := calendar.ReportWeek(bot.MustDate(tc.day)).Label; got != tc.want {
			t.Errorf("ReportWeek(%s) = %s, want %s", tc.day, got, tc.want)
		}
	}
}

// TestCalendar_WeeklyReports: on Monday at 09:00 every active partner
// gets its report of last week once on each platform it has, the
// managers get the program summary, and neither a second tick nor a
// restart adds anything.
func TestCalendar_WeeklyReports(t *testing.T) {
	h := newHarness(t, nil)
	ps := h.partners()
	if withStatus(ps, bot.StatusPaused) == 0 || withStatus(ps, bot.StatusEnded) == 0 {
		t.Fatal("the demo lost its paused or ended partners with chat accounts; this test needs them")
	}

	h.tick(warsaw("2026-11-23 08:59"))
	if got := h.keys("weekly_report"); len(got) != 0 {
		t.Fatalf("weekly reports queued before 09:00: %v", got)
	}
	if got := h.keys("program_summary"); len(got) != 0 {
		t.Fatalf("program summaries queued before 09:00: %v", got)
	}
	// The care agenda (08:30) went out already, to managers only.
	sameKeys(t, "care agendas at 08:59", h.keys("care_agenda"), managerKeys(h.managers(), "care_agenda", "2026-W48"))

	h.tick(warsaw("2026-11-23 09:00"))
	inWarsaw := partnerKeys(ps, "weekly_report", "2026-W47", func(p bot.Partner) bool { return active(p) && programZone(p) })
	if len(inWarsaw) < 40 {
		t.Fatalf("only %d reports expected: the demo changed?", len(inWarsaw))
	}
	sameKeys(t, "weekly reports at 09:00", h.keys("weekly_report"), inWarsaw)
	summaries := managerKeys(h.managers(), "program_summary", "2026-W47")
	if len(summaries) != 8 {
		t.Fatalf("the demo's 4 managers should have 8 accounts, have %d", len(summaries))
	}
	sameKeys(t, "program summaries", h.keys("program_summary"), summaries)
	byID := map[string]bot.Partner{}
	for _, p := range ps {
		byID[p.ID] = p
	}
	for _, it := range h.items("weekly_report") {
		p := byID[it.Partner]
		if !slices.Contains(report.Targets(&p), it.Target) {
			t.Errorf("%s went to %s, not to one of %v", it.Key, it.Target, report.Targets(&p))
		}
		if img := it.Message.Image; img == nil || img.Spec == nil {
			t.Errorf("%s has no chart", it.Key)
		} else if _, err := chart.Render(context.Background(), img.Spec); err != nil {
			t.Errorf("%s: chart: %v", it.Key, err)
		}
		if it.Status != store.OutboxPending || !it.Created.Equal(warsaw("2026-11-23 09:00")) {
			t.Errorf("%s: status %s, created %s", it.Key, it.Status, it.Created)
		}
	}

	h.tick(warsaw("2026-11-23 09:00"))
	h.tick(warsaw("2026-11-23 09:30"))
	sameKeys(t, "weekly reports after a second tick", h.keys("weekly_report"), inWarsaw)
	// Partners in London get theirs at 09:00 London time.
	h.tick(warsaw("2026-11-23 10:00"))
	all := partnerKeys(ps, "weekly_report", "2026-W47", active)
	if len(all) == len(inWarsaw) {
		t.Fatal("the demo has no active partner in another zone any more; this test needs one")
	}
	sameKeys(t, "weekly reports at 10:00 (09:00 in London)", h.keys("weekly_report"), all)

	// A restart finds every run recorded; running the job by hand only
	// meets its idempotency keys.
	h.restart()
	h.tick(warsaw("2026-11-23 10:05"))
	h.tick(warsaw("2026-11-23 23:59"))
	if err := h.sched.RunNow(h.ctx, "weekly_report", warsaw("2026-11-23 09:00")); err != nil {
		t.Fatal(err)
	}
	sameKeys(t, "weekly reports after a restart", h.keys("weekly_report"), all)
	sameKeys(t, "program summaries after a restart", h.keys("program_summary"), summaries)
	res, err := h.cal.Weekly(h.ctx, warsaw("2026-11-23 09:00"), "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Queued != 0 {
		t.Fatalf("a repeated run queued %d messages: %s", res.Queued, res)
	}
	r, err := h.store.JobRun(h.ctx, "weekly_report/2026-W48")
	if err != nil || r.Status != "done" || r.Attempts != 1 {
		t.Fatalf("job run record: %+v, %v", r, err)
	}

	// A week later, the next report.
	h.tick(warsaw("2026-11-30 09:00"))
	if got := len(h.keys("weekly_report")); got != len(all)+len(inWarsaw) {
		t.Fatalf("after the second Monday: %d reports, want %d", got, len(all)+len(inWarsaw))
	}
}

// TestCalendar_PartnerTimezone: a partner with its own zone gets its
// Monday report at 09:00 there, not at 09:00 in the program zone.
func TestCalendar_PartnerTimezone(t *testing.T) {
	h := newHarness(t, nil)
	h.update("janko", func(p *bot.Partner) { p.Timezone = "America/New_York" })
	janko := []string{"weekly_report/2026-W47/janko/discord", "weekly_report/2026-W47/janko/slack"}

	ps := h.partners()
	h.tick(warsaw("2026-11-23 09:00"))
	sameKeys(t, "reports at 09:00 in Warsaw (03:00 in New York)", h.keys("weekly_report"),
		partnerKeys(ps, "weekly_report", "2026-W47", func(p bot.Partner) bool { return active(p) && programZone(p) }))
	for _, at := range []string{"2026-11-23 10:00", "2026-11-23 14:00", "2026-11-23 14:59"} {
		h.tick(warsaw(at))
		for _, k := range h.keys("weekly_report") {
			if strings.Contains(k, "/janko/") {
				t.Fatalf("%s queued at %s in Warsaw, before 09:00 in New York", k, at)
			}
		}
	}
	h.tick(warsaw("2026-11-23 15:00")) // 09:00 in New York
	got := h.keys("weekly_report")
	sameKeys(t, "reports at 09:00 in New York", got, partnerKeys(ps, "weekly_report", "2026-W47", active))
	for _, k := range janko {
		if !slices.Contains(got, k) {
			t.Fatalf("%s not queued at 09:00 in New York", k)
		}
	}
	for _, it := range h.items("weekly_report") {
		if it.Partner == "janko" && !it.Created.Equal(warsaw("2026-11-23 15:00")) {
			t.Errorf("%s created %s", it.Key, it.Created.In(calZone))
		}
	}
	if r, err := h.store.JobRun(h.ctx, "weekly_report/2026-W48@America/New_York"); err != nil || r.Status != "done" {
		t.Fatalf("New York's run: %+v, %v", r, err)
	}
	h.restart()
	h.tick(warsaw("2026-11-23 15:30"))
	if n := len(h.keys("weekly_report")); n != len(got) {
		t.Fatalf("after a restart: %d reports, want %d", n, len(got))
	}
}

// TestCalendar_Mutes: what a partner turned off with /notify is not
// sent; the rest is.
func TestCalendar_Mutes(t *testing.T) {
	for _, tc := range []struct {
		mute                     []string
		weekly, notice, calendar bool
	}{
		{nil, true, true, true},
		{[]string{"weekly"}, false, true, true},
		{[]string{"promos"}, true, false, false},
		{[]string{"tips"}, true, true, true},
		{[]string{"weekly", "promos", "tips"}, false, false, false},
	} {
		t.Run(strings.Join(append([]string{"mute"}, tc.mute...), "-"), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			h.update("janko", func(p *bot.Partner) { p.Mute = tc.mute })
			has := func(kind, key string) bool { return slices.Contains(h.keys(kind), key) }

			h.tick(warsaw("2026-11-23 09:00"))
			if got := has("weekly_report", "weekly_report/2026-W47/janko/slack"); got != tc.weekly {
				t.Errorf("weekly report queued: %v, want %v", got, tc.weekly)
			}
			if !has("weekly_report", "weekly_report/2026-W47/apteka/slack") {
				t.Error("a partner that muted nothing got no report")
			}
			res, err := h.cal.Weekly(h.ctx, warsaw("2026-11-23 09:00"), "janko")
			if err != nil {
				t.Fatal(err)
			}
			if muted := res.Muted == 1; muted != !tc.weekly {
				t.Errorf("janko's report again: %s", res)
			}

			h.tick(warsaw("2026-11-24 09:00")) // 48 h before tydzien-x2
			if got := has("promo_notice", "promo_notice/tydzien-x2/janko/slack"); got != tc.notice {
				t.Errorf("promo notice queued: %v, want %v", got, tc.notice)
			}
			if len(h.keys("promo_notice")) == 0 {
				t.Error("no promo notice for anyone")
			}

			h.tick(warsaw("2026-12-01 09:00"))
			if got := has("promo_calendar", "promo_calendar/2026-12/janko/discord"); got != tc.calendar {
				t.Errorf("promo calendar queued: %v, want %v", got, tc.calendar)
			}
			if len(h.keys("promo_calendar")) < 40 {
				t.Error("the promo calendar missed other partners")
			}
		})
	}
}

// TestCalendar_WeeklyCap: a partner that got its scheduled messages for
// the ISO week gets no more; messages to managers and alerts are not
// counted and not capped.
func TestCalendar_WeeklyCap(t *testing.T) {
	h := newHarness(t, func(c *calendar.Calendar) { c.WeeklyCap = 1 })
	// A flash promotion for segment A starts on Wednesday at 08:00, so
	// its notice goes out on Monday at 08:00, before the reports.
	flash := &bot.Promotion{ID: "flash", Title: "Flash", Segments: []string{"A"},
		Start: warsaw("2026-11-25 08:00"), End: warsaw("2026-11-26 08:00")}
	if _, err := h.store.PutPromotion(h.ctx, flash); err != nil {
		t.Fatal(err)
	}
	// An alert about apteka (segment C) is in the outbox already.
	if _, err := h.store.Enqueue(h.ctx, &store.OutboxItem{Key: "alert/apteka/1", Kind: "alert", Partner: "apteka",
		Target: bot.Target{Platform: "slack", User: "UKASIA01"}, Message: bot.Message{Text: "Apteka is red"}}); err != nil {
		t.Fatal(err)
	}

	h.tick(warsaw("2026-11-23 08:00"))
	noticed := map[string]bool{}
	for _, it := range h.items("promo_notice") {
		noticed[it.Partner] = true
	}
	if len(noticed) == 0 || noticed["apteka"] {
		t.Fatalf("flash notices went to %v", noticed)
	}

	res, err := h.cal.Weekly(h.ctx, warsaw("2026-11-23 09:00"), "")
	if err != nil {
		t.Fatal(err)
	}
	ps := h.partners()
	capped := 0
	for _, p := range ps {
		if noticed[p.ID] && programZone(p) {
			capped++
		}
	}
	if res.Capped != capped {
		t.Errorf("%d partners capped, want the %d that got the flash notice: %s", res.Capped, capped, res)
	}
	want := partnerKeys(ps, "weekly_report", "2026-W47", func(p bot.Partner) bool { return active(p) && programZone(p) && !noticed[p.ID] })
	sameKeys(t, "reports under a cap of 1", h.keys("weekly_report"), want)
	if !slices.Contains(want, "weekly_report/2026-W47/apteka/slack") {
		t.Error("an alert counted against apteka's cap")
	}
	sameKeys(t, "program summaries under a cap of 1", h.keys("program_summary"), managerKeys(h.managers(), "program_summary", "2026-W47"))
	if res.Queued != len(want)+8 {
		t.Errorf("queued %d, want %d reports and 8 summaries: %s", res.Queued, len(want), res)
	}

	// The scheduler's own run adds nothing; tydzien-x2's notice on
	// Tuesday is over the cap for everyone who got a message this week
	// (London's partners, whose 09:00 was never ticked, got none).
	h.tick(warsaw("2026-11-23 09:00"))
	h.tick(warsaw("2026-11-24 09:00"))
	sameKeys(t, "reports after the scheduler's run", h.keys("weekly_report"), want)
	reported := map[string]bool{}
	for _, it := range h.items("weekly_report") {
		reported[it.Partner] = true
	}
	for _, it := range h.items("promo_notice") {
		if strings.HasPrefix(it.Key, "promo_notice/tydzien-x2/") && (reported[it.Partner] || noticed[it.Partner]) {
			t.Errorf("%s queued over the cap", it.Key)
		}
	}
	// The care agenda reached the managers.
	sameKeys(t, "care agendas under a cap of 1", h.keys("care_agenda"), managerKeys(h.managers(), "care_agenda", "2026-W48"))

	// A new ISO week, a new allowance: on Monday 30 November janko's
	// report and the notice of "miesiac-polecen" (it starts on 1
	// December) fall due together; one of them gets through.
	h.tick(warsaw("2026-11-30 09:00"))
	if kinds := weekKinds(t, h.store, "janko", warsaw("2026-11-30 00:00")); len(kinds) != 2 || kinds[0] != kinds[1] {
		t.Errorf("janko's scheduled messages in the week of 30 November: %v, want one on each platform", kinds)
	}
}

// weekKinds returns the kinds of the scheduled messages queued for a
// partner since monday.
func weekKinds(t *testing.T, s *store.Store, partner string, monday time.Time) []string {
	t.Helper()
	its, err := s.OutboxItems(context.Background(), func(it *store.OutboxItem) bool {
		return it.Partner == partner && !it.Created.Before(monday) && it.Kind != "alert"
	})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, it := range its {
		kinds = append(kinds, it.Kind)
	}
	return kinds
}

// gatedStore shows the calendar one partner and holds the first count
// against the weekly cap until a second one comes (or a second passes):
// two jobs deciding about one partner at the same instant.
type gatedStore struct {
	*store.Store
	only  string
	mu    sync.Mutex
	calls int
	both  chan struct{}
}

func (g *gatedStore) Partners(ctx context.Context) ([]bot.Partner, error) {
	p, err := g.Store.Partner(ctx, g.only)
	if err != nil {
		return nil, err
	}
	return []bot.Partner{*p}, nil
}

func (g *gatedStore) CountForPartner(ctx context.Context, partner string, since time.Time, kinds ...string) (int, error) {
	g.mu.Lock()
	g.calls++
	n := g.calls
	g.mu.Unlock()
	switch n {
	case 1:
		select {
		case <-g.both:
		case <-time.After(time.Second):
		}
	case 2:
		close(g.both)
	}
	return g.Store.CountForPartner(ctx, partner, since, kinds...)
}

// TestCalendar_WeeklyCapConcurrentJobs: on the 1st of a quarter the
// promo calendar and the compliance reminder run at once; under a cap of
// one only one of them reaches the partner.
func TestCalendar_WeeklyCapConcurrentJobs(t *testing.T) {
	h := newHarness(t, func(c *calendar.Calendar) {
		c.WeeklyCap = 1
		c.Store = &gatedStore{Store: c.Store.(*store.Store), only: "janko", both: make(chan struct{})}
	})
	at := warsaw("2027-01-01 09:00")
	h.clock.Set(at)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, run := range []func(context.Context, time.Time) error{h.cal.PromoCalendars, h.cal.Compliance} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- run(h.ctx, at)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if kinds := weekKinds(t, h.store, "janko", warsaw("2026-12-28 00:00")); len(kinds) != 2 || kinds[0] != kinds[1] {
		t.Fatalf("janko got %v under a cap of one message a week", kinds)
	}
}

// TestCalendar_WeeklyCapPartnerWeek: the cap counts the partner's own
// ISO week. Monday 09:00 in Auckland is Sunday 21:00 in Warsaw; what
// the partner got on Friday belongs to its last week, not to the one
// the report opens.
func TestCalendar_WeeklyCapPartnerWeek(t *testing.T) {
	h := newHarness(t, func(c *calendar.Calendar) { c.WeeklyCap = 1 })
	h.update("janko", func(p *bot.Partner) { p.Timezone = "Pacific/Auckland" })
	h.clock.Set(warsaw("2026-11-20 12:00"))
	janko, err := h.store.Partner(h.ctx, "janko")
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range report.Targets(janko) {
		if _, err := h.store.Enqueue(h.ctx, &store.OutboxItem{Key: "promo_notice/friday/janko/" + tg.Platform, Kind: "promo_notice",
			Partner: "janko", Target: tg, Message: bot.Message{Text: "Friday"}}); err != nil {
			t.Fatal(err)
		}
	}
	h.tick(warsaw("2026-11-22 20:59"))
	if got := h.keys("weekly_report"); len(got) != 0 {
		t.Fatalf("reports before 09:00 in Auckland: %v", got)
	}
	h.tick(warsaw("2026-11-22 21:00"))
	sameKeys(t, "reports at 09:00 in Auckland", h.keys("weekly_report"),
		[]string{"weekly_report/2026-W47/janko/discord", "weekly_report/2026-W47/janko/slack"})
}

// TestCalendar_PromoNotice: the hourly job announces a promotion once to
// each partner it targets, when its start is 48 h away, and never again.
func TestCalendar_PromoNotice(t *testing.T) {
	h := newHarness(t, nil)
	promo, err := h.store.Promotion(h.ctx, "tydzien-x2")
	if err != nil {
		t.Fatal(err)
	}
	start := warsaw("2026-11-26 09:00")
	if !promo.Start.Equal(start) || !slices.Equal(promo.Segments, []string{"A", "B"}) {
		t.Fatalf("the demo's tydzien-x2 changed: %s %v", promo.Start, promo.Segments)
	}
	standings, err := health.NewBoard(h.store, health.DefaultRules).Standings(h.ctx, bot.MustDate("2026-11-24"))
	if err != nil {
		t.Fatal(err)
	}
	ps := h.partners()
	targeted := func(p bot.Partner) bool {
		s := standings[p.ID].Segment
		return active(p) && (s == health.SegmentA || s == health.SegmentB)
	}
	want := partnerKeys(ps, "promo_notice", "tydzien-x2", targeted)
	outside := partnerKeys(ps, "promo_notice", "tydzien-x2", func(p bot.Partner) bool { return active(p) && !targeted(p) })
	if len(want) == 0 || len(outside) == 0 {
		t.Fatalf("%d partners targeted, %d outside: the demo changed?", len(want), len(outside))
	}

	// Every hour from Tuesday midnight to noon (at 08:00 the start is
	// 49 h away, at 09:00 48 h), then every five hours past the start.
	for at := warsaw("2026-11-24 00:00"); at.Before(start.Add(3 * time.Hour)); {
		h.tick(at)
		got := h.keys("promo_notice")
		switch lead := start.Sub(at); {
		case lead > 48*time.Hour:
			if len(got) != 0 {
				t.Fatalf("%s, %s before the start: notices %v", at.Format(time.DateTime), lead, got)
			}
		default:
			sameKeys(t, fmt.Sprintf("notices at %s, %s before the start", at.Format(time.DateTime), lead), got, want)
		}
		if at.Before(warsaw("2026-11-24 12:00")) {
			at = at.Add(time.Hour)
		} else {
			at = at.Add(5 * time.Hour)
		}
	}
	for _, it := range h.items("promo_notice") {
		if !it.Created.Equal(start.Add(-48 * time.Hour)) {
			t.Errorf("%s queued at %s, want 48 h before the start", it.Key, it.Created.In(calZone))
		}
	}
	// Ticks between the hours and a restart change nothing.
	h.restart()
	h.tick(warsaw("2026-11-24 09:30"))
	sameKeys(t, "notices after a restart", h.keys("promo_notice"), want)
}

// recordingSink keeps what a dry run would have queued.
type recordingSink struct {
	mu    sync.Mutex
	items []store.OutboxItem
}

func (r *recordingSink) Enqueue(ctx context.Context, it *store.OutboxItem) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items = append(r.items, *it)
	return true, nil
}

func (r *recordingSink) keys(kind string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, it := range r.items {
		if it.Kind == kind {
			out = append(out, it.Key)
		}
	}
	sort.Strings(out)
	return out
}

// TestCalendar_PromoCalendar: on the 1st every active partner that did
// not mute promotions gets the month's calendar, and so do the
// community channels.
func TestCalendar_PromoCalendar(t *testing.T) {
	community := []bot.Target{{Platform: "slack", Channel: "CCOMMUNITY"}, {Platform: "discord", Channel: "1400000000000000001"}}
	h := newHarness(t, func(c *calendar.Calendar) { c.Community = community })
	h.update("janko", func(p *bot.Partner) { p.Mute = []string{"promos"} })

	h.tick(warsaw("2026-12-01 08:59"))
	if got := h.keys("promo_calendar"); len(got) != 0 {
		t.Fatalf("promo calendar before 09:00: %v", got)
	}
	h.tick(warsaw("2026-12-01 09:00"))
	want := partnerKeys(h.partners(), "promo_calendar", "2026-12", func(p bot.Partner) bool { return active(p) && p.ID != "janko" })
	want = append(want, "promo_calendar/2026-12/community/discord", "promo_calendar/2026-12/community/slack")
	sort.Strings(want)
	sameKeys(t, "promo calendar of December", h.keys("promo_calendar"), want)
	for _, it := range h.items("promo_calendar") {
		if strings.Contains(it.Key, "/community/") && !slices.Contains(community, it.Target) {
			t.Errorf("%s went to %s", it.Key, it.Target)
		}
	}
	// The community's calendar lists every promotion of December.
	for _, it := range h.items("promo_calendar") {
		if it.Key == "promo_calendar/2026-12/community/slack" {
			text := console.Render(&it.Message)
			for _, title := range []string{"Tydzień z podwójnym cashbackiem", "Miesiąc poleceń"} {
				if !strings.Contains(text, title) {
					t.Errorf("the community's calendar lacks %q", title)
				}
			}
		}
	}
	h.tick(warsaw("2026-12-01 18:00"))
	h.restart()
	h.tick(warsaw("2026-12-02 09:00"))
	sameKeys(t, "promo calendar after more ticks and a restart", h.keys("promo_calendar"), want)
}

// TestCalendar_Tips: the tip goes to the community every second
// Wednesday at 10:00, not in the weeks between, whatever the ticks.
func TestCalendar_Tips(t *testing.T) {
	community := []bot.Target{{Platform: "slack", Channel: "CCOMMUNITY"}}
	h := newHarness(t, func(c *calendar.Calendar) { c.Community = community })
	var weeks []bool
	wed := warsaw("2026-11-25 10:00")
	for i := range 8 {
		day := wed.AddDate(0, 0, 7*i)
		before := len(h.keys("tip"))
		h.tick(day.Add(-time.Minute))
		if n := len(h.keys("tip")); n != before {
			t.Fatalf("a tip before 10:00 on %s", day.Format(time.DateOnly))
		}
		for _, at := range []time.Time{day, day.Add(2 * time.Hour), day.Add(24 * time.Hour)} {
			h.tick(at)
		}
		n := len(h.keys("tip")) - before
		if n > 1 {
			t.Fatalf("%d tips in the week of %s", n, day.Format(time.DateOnly))
		}
		weeks = append(weeks, n == 1)
	}
	for i := 1; i < len(weeks); i++ {
		if weeks[i] == weeks[i-1] {
			t.Fatalf("tips by week from %s: %v, want every second week", wed.Format(time.DateOnly), weeks)
		}
	}
	for _, it := range h.items("tip") {
		if it.Target != community[0] || it.Partner != "" {
			t.Errorf("%s went to %s (partner %q)", it.Key, it.Target, it.Partner)
		}
		if d := it.Created.In(calZone); d.Weekday() != time.Wednesday || d.Hour() != 10 || d.Minute() != 0 {
			t.Errorf("%s queued at %s", it.Key, d)
		}
		if y, w := it.Created.In(calZone).ISOWeek(); it.Key != fmt.Sprintf("tip/%04d-W%02d/community/slack", y, w) {
			t.Errorf("tip key %s", it.Key)
		}
	}
}

// TestCalendar_Compliance: on the first day of a quarter the reminder
// reaches every partner that has not ended, paused ones and those that
// muted everything included; the managers get the retention review.
func TestCalendar_Compliance(t *testing.T) {
	h := newHarness(t, nil)
	h.update("janko", func(p *bot.Partner) { p.Mute = []string{"weekly", "promos", "tips"} })
	h.tick(warsaw("2026-12-31 09:00"))
	if got := h.keys("compliance"); len(got) != 0 {
		t.Fatalf("compliance reminders before the quarter: %v", got)
	}
	h.tick(warsaw("2027-01-01 09:00"))
	ps := h.partners()
	want := partnerKeys(ps, "compliance", "2027-Q1", func(p bot.Partner) bool { return p.Status != bot.StatusEnded })
	sameKeys(t, "compliance reminders", h.keys("compliance"), want)
	paused := partnerKeys(ps, "compliance", "2027-Q1", func(p bot.Partner) bool { return p.Status == bot.StatusPaused })
	if len(paused) == 0 {
		t.Fatal("the demo has no paused partner with a chat account; this test needs one")
	}
	if !slices.Contains(want, "compliance/2027-Q1/janko/slack") {
		t.Fatal("janko muted everything and lost the compliance reminder")
	}
	sameKeys(t, "retention reviews", h.keys("retention_review"), managerKeys(h.managers(), "retention_review", "2026-Q4"))
	h.restart()
	h.tick(warsaw("2027-01-01 17:00"))
	sameKeys(t, "compliance reminders after a restart", h.keys("compliance"), want)
}

// TestCalendar_DryRun: `jobs run NAME --dry-run` shows what would be
// queued and leaves the outbox and the run records alone.
func TestCalendar_DryRun(t *testing.T) {
	sink := &recordingSink{}
	h := newHarness(t, func(c *calendar.Calendar) { c.Sink = sink })
	for _, job := range []struct {
		name string
		at   time.Time
	}{
		{"weekly_report", warsaw("2026-11-23 09:00")},
		{"care_agenda", warsaw("2026-11-23 09:00")},
		{"promo_notice", warsaw("2026-11-24 09:00")},
		{"promo_calendar", warsaw("2026-12-01 09:00")},
		{"compliance", warsaw("2027-01-01 09:00")},
	} {
		h.clock.Set(job.at)
		if err := h.sched.RunNow(h.ctx, job.name, job.at); err != nil {
			t.Fatalf("%s: %v", job.name, err)
		}
		if got := sink.keys(job.name); len(got) == 0 {
			t.Errorf("%s: a dry run shows nothing", job.name)
		}
		if _, err := h.store.LastJobRun(h.ctx, job.name); bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Errorf("%s: a dry run recorded a run: %v", job.name, err)
		}
	}
	ps := h.partners()
	sameKeys(t, "dry run of the weekly report", sink.keys("weekly_report"),
		partnerKeys(ps, "weekly_report", "2026-W47", func(p bot.Partner) bool { return active(p) && programZone(p) }))
	sameKeys(t, "dry run of the care agenda", sink.keys("care_agenda"), managerKeys(h.managers(), "care_agenda", "2026-W48"))
	its, err := h.store.OutboxItems(h.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(its) != 0 {
		t.Fatalf("a dry run queued %d messages", len(its))
	}

	// The real run afterwards still happens.
	h.setup = nil
	h.restart()
	h.tick(warsaw("2026-11-23 09:00"))
	sameKeys(t, "the real run after a dry run", h.keys("weekly_report"), sink.keys("weekly_report"))
}

// TestCalendar_RunNowFrequentJob: `jobs run` finds the latest slot of a
// job that runs every ten minutes too, not one months before.
func TestCalendar_RunNowFrequentJob(t *testing.T) {
	sink := &recordingSink{}
	h := newHarness(t, func(c *calendar.Calendar) {
		c.Sink = sink
		c.Jobs.PromoNotice.Cron = "*/10 * * * *"
	})
	at := warsaw("2026-11-24 09:05")
	h.clock.Set(at)
	if err := h.sched.RunNow(h.ctx, "promo_notice", at); err != nil {
		t.Fatal(err)
	}
	if len(sink.keys("promo_notice")) == 0 {
		t.Fatal("jobs run promo_notice announced nothing 48 h before tydzien-x2")
	}
}

// logBuf collects the calendar's log lines for the test to read.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
