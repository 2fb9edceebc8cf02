package scheduler_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/scheduler"
	"partnerbot/store"
)

var (
	ctx = context.Background()
	waw = func() *time.Location { l, _ := time.LoadLocation("Europe/Warsaw"); return l }()
)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, waw)
	if err != nil {
		panic(err)
	}
	return t
}

// recorder counts runs by due time.
type recorder struct {
	mu   sync.Mutex
	dues []time.Time
}

func (r *recorder) run(ctx context.Context, due time.Time) error {
	r.mu.Lock()
	r.dues = append(r.dues, due)
	r.mu.Unlock()
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.dues)
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{Location: waw})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newScheduler(t *testing.T, st *store.Store, clock bot.Clock, jobs ...scheduler.Job) *scheduler.Scheduler {
	t.Helper()
	s, err := scheduler.New(scheduler.Options{Store: st, Clock: clock, Location: waw,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, jobs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tickAt moves the clock and ticks, waiting for the jobs.
func tickAt(s *scheduler.Scheduler, clock *bot.ManualClock, when time.Time) {
	clock.Set(when)
	s.Tick(ctx, when)
	s.Wait()
}

func weekly(r *recorder) scheduler.Job {
	return scheduler.Job{Name: "weekly_report", Spec: "0 9 * * 1", Enabled: true, Period: scheduler.Weekly, Run: r.run}
}

func TestMondayNineInWinterAndSummer(t *testing.T) {
	for _, tt := range []struct {
		name   string
		monday string
		utc    string
	}{
		{"winter", "2026-11-23", "2026-11-23T08:00:00Z"},
		{"summer", "2026-06-15", "2026-06-15T07:00:00Z"},
		{"first Monday after spring DST", "2026-03-30", "2026-03-30T07:00:00Z"},
		{"first Monday after autumn DST", "2026-10-26", "2026-10-26T08:00:00Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			clock := bot.NewManualClock(at(tt.monday + " 08:59"))
			s := newScheduler(t, openStore(t), clock, weekly(&r))
			tickAt(s, clock, at(tt.monday+" 08:59"))
			if r.count() != 0 {
				t.Fatalf("ran before 09:00")
			}
			tickAt(s, clock, at(tt.monday+" 09:00"))
			tickAt(s, clock, at(tt.monday+" 09:01"))
			tickAt(s, clock, at(tt.monday+" 17:00"))
			if r.count() != 1 || r.dues[0].UTC().Format(time.RFC3339) != tt.utc {
				t.Fatalf("runs %v, want one at %s", r.dues, tt.utc)
			}
		})
	}
}

func TestDSTWeekend(t *testing.T) {
	// A daily job in the hour that autumn repeats runs once; one in the
	// hour spring skips is not run that day (cron's own rule), and the
	// day after is normal.
	var autumn, spring recorder
	clock := bot.NewManualClock(at("2026-10-24 12:00"))
	s := newScheduler(t, openStore(t), clock,
		scheduler.Job{Name: "autumn", Spec: "30 2 * * *", Enabled: true, Run: autumn.run},
		scheduler.Job{Name: "spring", Spec: "30 2 * * *", Enabled: true, Run: spring.run})
	start := time.Date(2026, 10, 24, 23, 0, 0, 0, time.UTC)
	for now := start; now.Before(start.Add(30 * time.Hour)); now = now.Add(15 * time.Minute) {
		tickAt(s, clock, now)
	}
	if autumn.count() != 2 { // 25 Oct (once, although 02:30 happens twice) and 26 Oct
		t.Fatalf("autumn runs: %v", autumn.dues)
	}
	var r recorder
	s2 := newScheduler(t, openStore(t), clock, scheduler.Job{Name: "spring", Spec: "30 2 * * *", Enabled: true, Run: r.run})
	start = time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC)
	for now := start; now.Before(start.Add(30 * time.Hour)); now = now.Add(15 * time.Minute) {
		tickAt(s2, clock, now)
	}
	for _, d := range r.dues {
		if d.In(waw).Day() == 29 {
			t.Fatalf("ran at %v on the spring-forward day, whose 02:30 does not exist", d)
		}
	}
	if r.count() != 1 {
		t.Fatalf("spring runs %v, want only 30 March", r.dues)
	}
}

func TestCatchUpAfterDowntime(t *testing.T) {
	t.Run("within the day", func(t *testing.T) {
		var r recorder
		clock := bot.NewManualClock(at("2026-11-23 15:00"))
		s := newScheduler(t, openStore(t), clock, weekly(&r))
		tickAt(s, clock, at("2026-11-23 15:00")) // the bot comes back on Monday afternoon
		if r.count() != 1 || !r.dues[0].Equal(at("2026-11-23 09:00")) {
			t.Fatalf("catch-up runs %v", r.dues)
		}
	})
	t.Run("not after the window", func(t *testing.T) {
		var r recorder
		clock := bot.NewManualClock(at("2026-11-24 10:00"))
		st := openStore(t)
		s := newScheduler(t, st, clock, weekly(&r))
		tickAt(s, clock, at("2026-11-24 10:00")) // back only on Tuesday
		if r.count() != 0 {
			t.Fatalf("Monday's report sent on Tuesday: %v", r.dues)
		}
		tickAt(s, clock, at("2026-11-30 09:00"))
		if r.count() != 1 {
			t.Fatalf("next Monday: %v", r.dues)
		}
	})
	t.Run("quarterly not mid-quarter", func(t *testing.T) {
		var r recorder
		clock := bot.NewManualClock(at("2026-10-15 09:00"))
		s := newScheduler(t, openStore(t), clock,
			scheduler.Job{Name: "compliance", Spec: "0 9 1 1,4,7,10 *", Enabled: true, Period: scheduler.Quarterly, Run: r.run})
		tickAt(s, clock, at("2026-10-15 09:00"))
		if r.count() != 0 {
			t.Fatalf("quarterly reminder sent mid-quarter: %v", r.dues)
		}
	})
	t.Run("configured window", func(t *testing.T) {
		var r recorder
		clock := bot.NewManualClock(at("2026-11-24 08:00"))
		job := weekly(&r)
		job.CatchUp = 48 * time.Hour
		s := newScheduler(t, openStore(t), clock, job)
		tickAt(s, clock, at("2026-11-24 08:00"))
		if r.count() != 1 {
			t.Fatalf("48h window: %v", r.dues)
		}
	})
}

func TestNoSecondRunAfterRestart(t *testing.T) {
	var r recorder
	st := openStore(t)
	clock := bot.NewManualClock(at("2026-11-23 09:00"))
	s := newScheduler(t, st, clock, weekly(&r))
	tickAt(s, clock, at("2026-11-23 09:00"))
	// A new process over the same file, later that morning.
	s2 := newScheduler(t, st, clock, weekly(&r))
	tickAt(s2, clock, at("2026-11-23 09:30"))
	tickAt(s2, clock, at("2026-11-23 11:00"))
	if r.count() != 1 {
		t.Fatalf("runs after restart: %v", r.dues)
	}
	run, err := st.JobRun(ctx, "weekly_report/2026-W48")
	if err != nil || run.Status != "done" {
		t.Fatalf("record %+v %v", run, err)
	}
}

func TestEverySecondWednesday(t *testing.T) {
	var r recorder
	clock := bot.NewManualClock(at("2026-11-01 00:00"))
	s := newScheduler(t, openStore(t), clock,
		scheduler.Job{Name: "tip", Spec: "0 10 * * 3", Enabled: true, EveryWeeks: 2, Run: r.run})
	for d := at("2026-11-01 10:00"); d.Before(at("2027-01-31 00:00")); d = d.Add(24 * time.Hour) {
		tickAt(s, clock, d)
	}
	if len(r.dues) < 6 {
		t.Fatalf("runs %v", r.dues)
	}
	for i, d := range r.dues {
		if d.In(waw).Weekday() != time.Wednesday || d.In(waw).Hour() != 10 {
			t.Fatalf("run at %v", d)
		}
		if i > 0 && d.Sub(r.dues[i-1]) != 14*24*time.Hour {
			t.Fatalf("runs %v and %v are not two weeks apart", r.dues[i-1], d)
		}
	}
	next, _ := s.Next("tip", r.dues[len(r.dues)-1])
	if next.Sub(r.dues[len(r.dues)-1]) != 14*24*time.Hour {
		t.Fatalf("Next says %v", next)
	}
}

func TestPanicAndFailure(t *testing.T) {
	var r recorder
	var calls atomic.Int32
	st := openStore(t)
	clock := bot.NewManualClock(at("2026-11-23 09:00"))
	s := newScheduler(t, st, clock,
		scheduler.Job{Name: "boom", Spec: "0 9 * * *", Enabled: true, Run: func(context.Context, time.Time) error {
			calls.Add(1)
			panic("boom")
		}},
		weekly(&r))
	tickAt(s, clock, at("2026-11-23 09:00"))
	if r.count() != 1 {
		t.Fatalf("a panicking job stopped the others: %v", r.dues)
	}
	run, _ := st.JobRun(ctx, "boom/2026-11-23T09:00")
	if run.Status != "failed" || run.Error == "" {
		t.Fatalf("panic recorded as %+v", run)
	}
	tickAt(s, clock, at("2026-11-23 09:02"))
	if calls.Load() != 1 {
		t.Fatalf("failed run retried before the retry interval")
	}
	tickAt(s, clock, at("2026-11-23 09:06"))
	if calls.Load() != 2 {
		t.Fatalf("failed run not retried after the interval: %d calls", calls.Load())
	}
}

func TestSlowJobNeverOverlaps(t *testing.T) {
	release := make(chan struct{})
	var running, max atomic.Int32
	clock := bot.NewManualClock(at("2026-11-23 09:00"))
	s := newScheduler(t, openStore(t), clock, scheduler.Job{Name: "slow", Spec: "* * * * *", Enabled: true,
		Run: func(context.Context, time.Time) error {
			n := running.Add(1)
			if n > max.Load() {
				max.Store(n)
			}
			<-release
			running.Add(-1)
			return nil
		}})
	s.Tick(ctx, at("2026-11-23 09:00"))
	for running.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	s.Tick(ctx, at("2026-11-23 09:01"))
	s.Tick(ctx, at("2026-11-23 09:02"))
	close(release)
	s.Wait()
	if max.Load() != 1 {
		t.Fatalf("%d runs at once", max.Load())
	}
}

func TestDecide(t *testing.T) {
	now := at("2026-11-23 10:00")
	for _, tt := range []struct {
		status  string
		started time.Time
		want    bool
	}{
		{"done", now.Add(-time.Hour), false},
		{"failed", now.Add(-time.Minute), false},
		{"failed", now.Add(-10 * time.Minute), true},
		{"running", now.Add(-time.Minute), true}, // cut off by a stop
	} {
		if got := scheduler.Decide(store.JobRun{Status: tt.status, Started: tt.started}, now, 5*time.Minute); got != tt.want {
			t.Errorf("Decide(%s, %v ago) = %v", tt.status, now.Sub(tt.started), got)
		}
	}
}

func TestPartnerZones(t *testing.T) {
	var r recorder
	ny, _ := time.LoadLocation("America/New_York")
	job := weekly(&r)
	job.Zones = func(context.Context) []*time.Location { return []*time.Location{ny, waw} }
	st := openStore(t)
	clock := bot.NewManualClock(at("2026-11-23 08:00"))
	s := newScheduler(t, st, clock, job)
	for now := at("2026-11-23 08:00"); now.Before(at("2026-11-24 08:00")); now = now.Add(30 * time.Minute) {
		tickAt(s, clock, now)
	}
	if r.count() != 2 {
		t.Fatalf("runs %v, want 09:00 Warsaw and 09:00 New York", r.dues)
	}
	if !r.dues[0].Equal(at("2026-11-23 09:00")) || r.dues[1].Location().String() != "America/New_York" ||
		r.dues[1].Hour() != 9 || !r.dues[1].Equal(at("2026-11-23 15:00")) {
		t.Fatalf("dues %v", r.dues)
	}
	if _, err := st.JobRun(ctx, "weekly_report/2026-W48@America/New_York"); err != nil {
		t.Fatalf("zone run not recorded apart: %v", err)
	}
}
