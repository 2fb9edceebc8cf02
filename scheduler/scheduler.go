// Package scheduler runs the communication calendar on the bot's clock.
//
// robfig/cron's own runner reads time.Now, never catches up a run missed
// while the process was down, and collapses missed slots; partnerbot
// needs "exactly once per period" across restarts and rehearsals with a
// moved clock. So cron parses the specs and computes Schedule.Next, and
// this package drives them from the injected clock, records every run by
// job and period in the store, and catches up a missed run while it is
// still inside the job's window. A panic in one job never stops the
// others and a slow job never runs twice at once: the guarantees of
// cron's Recover and SkipIfStillRunning, kept around each recorded run.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"partnerbot/bot"
	"partnerbot/store"
)

// Store records job runs.
type Store interface {
	JobRun(ctx context.Context, key string) (store.JobRun, error)
	PutJobRun(ctx context.Context, r store.JobRun) error
	LastJobRun(ctx context.Context, job string) (store.JobRun, error)
}

// Job is one entry of the calendar.
type Job struct {
	Name    string
	Spec    string // five-field cron spec or descriptor, read in the program zone
	Enabled bool
	// CatchUp is how long after its due time a missed run is still made
	// up; zero means until the end of the due day in the program zone.
	CatchUp time.Duration
	// EveryWeeks runs the job only in every n-th week (2: every second
	// Wednesday), counted from a fixed Monday so the rhythm survives
	// year ends and restarts. 0 or 1 means every week.
	EveryWeeks int
	// Period names the period a due time belongs to; one run per period.
	// Nil means the due time itself (local date and time).
	Period func(due time.Time) string
	// Run does the work for the due time. It should be idempotent (its
	// messages carry idempotency keys): a run cut off by a crash is run
	// again. due is in the zone it fell due in (see Zones).
	Run func(ctx context.Context, due time.Time) error
	// Zones, when set, lists time zones besides the program's in which
	// the job also falls due by its spec: partners with their own zone
	// get their Monday report at 09:00 in it. Each zone's runs are
	// recorded apart ("weekly_report/2026-W48@America/New_York").
	Zones func(ctx context.Context) []*time.Location
}

// Options configure a Scheduler.
type Options struct {
	Store    Store
	Clock    bot.Clock
	Location *time.Location
	Logger   *slog.Logger
	// RetryAfter is how long a failed run waits before it is tried again
	// within its window; 5 minutes when zero.
	RetryAfter time.Duration
	// OnRun, when set, hears how every recorded run ended: err is nil for
	// a success (metrics: job freshness and failures).
	OnRun func(job string, finished time.Time, err error)
}

// Scheduler runs jobs when they are due.
type Scheduler struct {
	opt  Options
	jobs []*entry
	wg   sync.WaitGroup
}

type entry struct {
	Job
	mu      sync.Mutex
	scheds  map[string]cron.Schedule // by zone name
	running sync.Mutex               // held while the job runs: one run at a time
}

// schedule returns the job's schedule read in loc.
func (e *entry) schedule(loc *time.Location) cron.Schedule {
	e.mu.Lock()
	defer e.mu.Unlock()
	if sc, ok := e.scheds[loc.String()]; ok {
		return sc
	}
	// The spec parsed in New, so only the zone can differ here.
	sc, err := cron.ParseStandard("CRON_TZ=" + loc.String() + " " + e.Spec)
	if err != nil {
		sc = e.scheds[""]
	}
	e.scheds[loc.String()] = sc
	return sc
}

// New parses the jobs' specs. Returns EINVALID naming the job with a bad
// spec.
func New(opt Options, jobs []Job) (*Scheduler, error) {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.RetryAfter <= 0 {
		opt.RetryAfter = 5 * time.Minute
	}
	s := &Scheduler{opt: opt}
	for _, j := range jobs {
		sched, err := cron.ParseStandard("CRON_TZ=" + opt.Location.String() + " " + j.Spec)
		if err != nil {
			return nil, bot.Errorf(bot.EINVALID, "job %s: bad cron spec %q: %v", j.Name, j.Spec, err)
		}
		if j.Period == nil {
			j.Period = func(due time.Time) string { return due.Format("2006-01-02T15:04") }
		}
		s.jobs = append(s.jobs, &entry{Job: j, scheds: map[string]cron.Schedule{"": sched, opt.Location.String(): sched}})
	}
	return s, nil
}

// try runs f unless a run of the job is in progress: the guarantee of
// cron's SkipIfStillRunning. (cron's wrappers return nothing, and a run
// here must be recorded with its outcome, so the guard is a TryLock.)
func (e *entry) try(f func()) bool {
	if !e.running.TryLock() {
		return false
	}
	defer e.running.Unlock()
	f()
	return true
}

// Jobs returns the job names in order.
func (s *Scheduler) Jobs() []string {
	var names []string
	for _, e := range s.jobs {
		names = append(names, e.Name)
	}
	return names
}

func (s *Scheduler) job(name string) (*entry, error) {
	for _, e := range s.jobs {
		if e.Name == name {
			return e, nil
		}
	}
	return nil, bot.Errorf(bot.ENOTFOUND, "no job %q (jobs: %v)", name, s.Jobs())
}

// inRhythm reports whether due falls in a week the job runs in.
func (e *entry) inRhythm(due time.Time, loc *time.Location) bool {
	if e.EveryWeeks <= 1 {
		return true
	}
	// Weeks counted from Monday 1970-01-05: a rhythm that needs no state.
	d := bot.DateOf(due, loc)
	monday := d.AddDays(-((int(d.Weekday()) + 6) % 7))
	weeks := monday.Sub(bot.MustDate("1970-01-05")) / 7
	return weeks%e.EveryWeeks == 0
}

// Next returns the job's next due time after t in the program zone.
func (s *Scheduler) Next(name string, after time.Time) (time.Time, error) {
	e, err := s.job(name)
	if err != nil {
		return time.Time{}, err
	}
	return s.next(e, s.opt.Location, after), nil
}

func (s *Scheduler) next(e *entry, loc *time.Location, after time.Time) time.Time {
	sc := e.schedule(loc)
	t := after
	for range 1000 {
		t = sc.Next(t)
		if t.IsZero() || e.inRhythm(t, loc) {
			return t.In(loc)
		}
	}
	return time.Time{}
}

// dues returns the job's due times in (from, to] in loc.
func (s *Scheduler) dues(e *entry, loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	for t := s.next(e, loc, from); !t.IsZero() && !t.After(to); t = s.next(e, loc, t) {
		out = append(out, t)
		if len(out) > 10000 {
			break
		}
	}
	return out
}

// window returns until when a run due at due may still be made up: by
// default the end of the due day where it fell due.
func (s *Scheduler) window(e *entry, due time.Time) time.Time {
	if e.CatchUp > 0 {
		return due.Add(e.CatchUp)
	}
	d := bot.DateOf(due, due.Location())
	return d.AddDays(1).Start(due.Location())
}

// zones returns the program zone and the job's other zones.
func (s *Scheduler) zones(ctx context.Context, e *entry) []*time.Location {
	out := []*time.Location{s.opt.Location}
	if e.Zones != nil {
		for _, z := range e.Zones(ctx) {
			if z != nil && z.String() != s.opt.Location.String() {
				out = append(out, z)
			}
		}
	}
	return out
}

// key is the record key of a run: job, period, and the zone when it is
// not the program's.
func (s *Scheduler) key(e *entry, due time.Time) string {
	k := e.Name + "/" + e.Period(due)
	if z := due.Location().String(); z != s.opt.Location.String() {
		k += "@" + z
	}
	return k
}

// Tick runs every enabled job whose latest due time at now (in each of
// its zones) has no finished run for its period and is still inside its
// catch-up window. Jobs run in their own goroutines; Wait waits for them.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) {
	for _, e := range s.jobs {
		if !e.Enabled {
			continue
		}
		for _, loc := range s.zones(ctx, e) {
			s.tickZone(ctx, e, loc, now)
		}
	}
}

func (s *Scheduler) tickZone(ctx context.Context, e *entry, loc *time.Location, now time.Time) {
	lookback := 36 * time.Hour
	if e.CatchUp > lookback {
		lookback = e.CatchUp + time.Hour
	}
	dues := s.dues(e, loc, now.Add(-lookback), now)
	if len(dues) == 0 {
		return
	}
	due := dues[len(dues)-1]
	if !now.Before(s.window(e, due)) {
		return
	}
	missed := 0
	for _, m := range dues[:len(dues)-1] {
		if e.Period(m) != e.Period(due) && s.needsRun(ctx, e, m, now) {
			missed++
		}
	}
	if _, err := s.opt.Store.LastJobRun(ctx, e.Name); missed > 0 && err == nil {
		// Like cron after a late wake-up: missed slots collapse into the
		// latest one. (A job that never ran missed nothing.)
		s.opt.Logger.Info("earlier runs missed while the bot was down are not made up: a later one is due",
			"job", e.Name, "missed", missed, "due", due)
	}
	if !s.needsRun(ctx, e, due, now) {
		return
	}
	s.start(ctx, e, due, now, now.Sub(due) > time.Minute)
}

// needsRun decides from the record of a period whether to run it.
func (s *Scheduler) needsRun(ctx context.Context, e *entry, due, now time.Time) bool {
	r, err := s.opt.Store.JobRun(ctx, s.key(e, due))
	switch {
	case bot.ErrorCode(err) == bot.ENOTFOUND:
		return true
	case err != nil:
		s.opt.Logger.Error("read job run", "job", e.Name, "err", err)
		return false
	}
	return Decide(r, now, s.opt.RetryAfter)
}

// Decide is the pure rule behind a run record: done runs are never
// repeated; a failed run is retried after retryAfter; a run still marked
// running was cut off by a stop (this process runs each job once at a
// time) and is run again.
func Decide(r store.JobRun, now time.Time, retryAfter time.Duration) bool {
	switch r.Status {
	case "done":
		return false
	case "failed":
		return now.Sub(r.Started) >= retryAfter
	}
	return true
}

func (s *Scheduler) start(ctx context.Context, e *entry, due, now time.Time, catchUp bool) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ran := e.try(func() { s.run(ctx, e, due, now, catchUp) })
		if !ran {
			s.opt.Logger.Info("job still running: skipped", "job", e.Name, "due", due)
		}
	}()
}

// Wait waits for the jobs Tick started.
func (s *Scheduler) Wait() { s.wg.Wait() }

// run runs one job for one period and records it; a panic is recorded
// as a failure and does not reach the other jobs.
func (s *Scheduler) run(ctx context.Context, e *entry, due, now time.Time, catchUp bool) {
	key := s.key(e, due)
	rec := store.JobRun{Job: e.Name, Key: key, Due: due, Started: now, Status: "running", CatchUp: catchUp}
	if old, err := s.opt.Store.JobRun(ctx, key); err == nil {
		rec.Attempts = old.Attempts
	}
	rec.Attempts++
	if err := s.opt.Store.PutJobRun(ctx, rec); err != nil {
		s.opt.Logger.Error("record job start", "job", e.Name, "err", err)
		return
	}
	log := s.opt.Logger.With("job", e.Name, "period", e.Period(due), "due", due.In(s.opt.Location).Format(time.RFC3339))
	if catchUp {
		log.Info("catching up a run missed while the bot was down", "late", now.Sub(due).Round(time.Second))
	} else {
		log.Info("job started")
	}
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
				log.Error("job panicked", "panic", p)
			}
		}()
		return e.Run(ctx, due)
	}()
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// Stopped by a shutdown, not failed: the record stays "running",
		// which the next start runs again at once.
		log.Info("job interrupted by shutdown; it runs again at the next start within its window")
		return
	}
	rec.Finished = s.opt.Clock.Now()
	rec.Status = "done"
	if err != nil {
		rec.Status, rec.Error = "failed", err.Error()
		log.Error("job failed; it is tried again within its window", "err", err)
	} else {
		log.Info("job done", "took", rec.Finished.Sub(rec.Started).Round(time.Millisecond))
	}
	if err := s.opt.Store.PutJobRun(context.WithoutCancel(ctx), rec); err != nil {
		log.Error("record job end", "err", err)
	}
	if s.opt.OnRun != nil {
		s.opt.OnRun(e.Name, rec.Finished, err)
	}
}

// RunNow runs a job for the period of at, now, whether or not it already
// ran: `partnerbot jobs run`. It waits for the job and returns its error.
func (s *Scheduler) RunNow(ctx context.Context, name string, at time.Time) error {
	e, err := s.job(name)
	if err != nil {
		return err
	}
	// The due time is the latest slot at or before at, so the period key
	// is the one the calendar would use. The look-back grows, because
	// dues stops at 10 000 slots: 400 days of a job every ten minutes
	// would end in a slot months before at.
	due := at.In(s.opt.Location)
	for _, back := range []time.Duration{time.Hour, 48 * time.Hour, 32 * 24 * time.Hour, 400 * 24 * time.Hour} {
		if d := s.dues(e, s.opt.Location, at.Add(-back), at); len(d) > 0 {
			due = d[len(d)-1]
			break
		}
	}
	var runErr error
	ran := e.try(func() {
		defer func() {
			if p := recover(); p != nil {
				runErr = fmt.Errorf("panic: %v", p)
			}
		}()
		runErr = e.Run(ctx, due)
	})
	if !ran {
		return bot.Errorf(bot.ECONFLICT, "job %s is running already", name)
	}
	return runErr
}

// Status is one job's place in the calendar, for `jobs list`.
type Status struct {
	Name    string        `json:"name"`
	Spec    string        `json:"spec"`
	Enabled bool          `json:"enabled"`
	Next    time.Time     `json:"next,omitzero"`
	Last    *store.JobRun `json:"last,omitempty"`
}

// Statuses returns every job's next due time after now and its last run.
func (s *Scheduler) Statuses(ctx context.Context, now time.Time) ([]Status, error) {
	var out []Status
	for _, e := range s.jobs {
		st := Status{Name: e.Name, Spec: e.Spec, Enabled: e.Enabled}
		if e.Enabled {
			for _, loc := range s.zones(ctx, e) {
				if n := s.next(e, loc, now); !n.IsZero() && (st.Next.IsZero() || n.Before(st.Next)) {
					st.Next = n
				}
			}
		}
		r, err := s.opt.Store.LastJobRun(ctx, e.Name)
		switch {
		case err == nil:
			st.Last = &r
		case bot.ErrorCode(err) != bot.ENOTFOUND:
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// Run ticks at start (catching up what was missed) and then whenever a
// job is due, until ctx is done. It re-reads the clock at least every
// minute, so a clock moved by `serve --now` or a suspended machine is
// noticed.
func (s *Scheduler) Run(ctx context.Context) error {
	for {
		now := s.opt.Clock.Now()
		s.Tick(ctx, now)
		wait := time.Minute
		var nexts []time.Time
		for _, e := range s.jobs {
			if !e.Enabled {
				continue
			}
			for _, loc := range s.zones(ctx, e) {
				if n := s.next(e, loc, now); !n.IsZero() {
					nexts = append(nexts, n)
				}
			}
		}
		if len(nexts) > 0 {
			sort.Slice(nexts, func(i, j int) bool { return nexts[i].Before(nexts[j]) })
			wait = min(wait, max(nexts[0].Sub(now), 10*time.Millisecond))
		}
		select {
		case <-ctx.Done():
			s.Wait()
			if errors.Is(ctx.Err(), context.Canceled) {
				return nil
			}
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// Weekly names the ISO week of a due time, in the zone it fell due in:
// one run per week ("2026-W48").
func Weekly(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// Monthly names the month of a due time: "2026-11".
func Monthly(t time.Time) string { return t.Format("2006-01") }

// Quarterly names the quarter of a due time: "2026-Q4".
func Quarterly(t time.Time) string {
	return fmt.Sprintf("%04d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
}

// Daily names the day of a due time: "2026-11-23".
func Daily(t time.Time) string { return t.Format("2006-01-02") }
