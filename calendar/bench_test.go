package calendar_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/calendar"
	"partnerbot/health"
	"partnerbot/internal/fixture"
	"partnerbot/report"
	"partnerbot/store"
)

// benchDue is the Monday the benchmark's reports fall due: 09:00 in the
// program zone the day after the fixture's "today", reporting on ISO
// week 2026-W47.
var benchDue = time.Date(2026, 11, 23, 9, 0, 0, 0, fixture.Location)

// countingSink takes the calendar's items and keeps only their number
// and the size of their charts: the weekly job without the cost of the
// durable outbox.
type countingSink struct{ n, chartBytes int }

func (s *countingSink) Enqueue(ctx context.Context, it *store.OutboxItem) (bool, error) {
	s.n++
	if img := it.Message.Image; img != nil {
		s.chartBytes += len(img.Data)
		if img.Spec != nil {
			s.chartBytes += len(img.Spec.Data)
		}
	}
	return true, nil
}

// benchCalendar wires a calendar over s as serve does (the default
// weekly cap of 3 included), with the standings board already warm: a
// cold board costs what BenchmarkStandingsCold in commands measures,
// once a month.
func benchCalendar(b *testing.B, s *store.Store, sink calendar.Sink) *calendar.Calendar {
	b.Helper()
	board := health.NewBoard(s, health.DefaultRules)
	if _, err := board.Standings(context.Background(), bot.DateOf(benchDue, fixture.Location)); err != nil {
		b.Fatal(err)
	}
	return &calendar.Calendar{
		Store: s, Sink: sink, Board: board, Location: fixture.Location, WeeklyCap: 3,
		Logger: slog.New(slog.DiscardHandler),
		Builder: &report.Builder{Store: s, Board: board, Location: fixture.Location,
			Currency: bot.Currency{Code: "PLN", Digits: 2}, Program: "Bench", ActiveTarget: report.DefaultActiveTarget},
	}
}

// BenchmarkWeeklyReports runs the Monday job over the 10 000-partner,
// 1 000 000-event program (see fixture.Events for other sizes), every partner with a Slack channel: for each,
// its daily totals since it joined read, the figures, the message and
// its chart spec built (the PNG is drawn at send time), the weekly cap checked and the item queued. One op is the
// whole run over 10 000 partners.
//
// "discard" queues into a counting sink, so it measures building alone;
// "outbox" queues into the store's outbox with fsync on, a thousand items
// a commit, as serve does; "outbox-nosync" is the same without fsync, to
// tell the disk's share from bbolt's. The outbox variants work on a
// fresh copy of the program per op (copied outside the timer), so every
// op queues the same 10 000 new items. Each reports the process's peak
// RSS (see fixture.PeakRSS).
func BenchmarkWeeklyReports(b *testing.B) {
	ctx := context.Background()
	want := fixture.Partners
	reportRate := func(b *testing.B) {
		b.ReportMetric(float64(b.N*want)/b.Elapsed().Seconds(), "reports/s")
	}

	b.Run("discard", func(b *testing.B) {
		s, err := store.Open(fixture.LinkedPath(b), store.Options{Location: fixture.Location, ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		sink := &countingSink{}
		cal := benchCalendar(b, s, sink)
		b.ReportAllocs()
		var cpu time.Duration
		for b.Loop() {
			sink.n, sink.chartBytes = 0, 0
			c0 := processCPU()
			res, err := cal.Weekly(ctx, benchDue, "")
			cpu += processCPU() - c0
			if err != nil {
				b.Fatal(err)
			}
			if res.Queued != want || sink.n != want {
				b.Fatalf("queued %d (sink %d), want %d: %s", res.Queued, sink.n, want, res)
			}
		}
		reportRate(b)
		b.ReportMetric(float64(sink.chartBytes)/float64(sink.n), "chart_B/report")
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu_s/op")
		fixture.ReportPeakRSS(b)
	})

	for _, durable := range []bool{true, false} {
		name := "outbox"
		if !durable {
			name = "outbox-nosync"
		}
		b.Run(name, func(b *testing.B) {
			src := fixture.LinkedPath(b)
			dir := b.TempDir()
			b.ReportAllocs()
			i := 0
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				path := filepath.Join(dir, "outbox-"+strconv.Itoa(i)+".db")
				i++
				copyDB(b, src, path)
				s, err := store.Open(path, store.Options{Location: fixture.Location, NoSync: !durable})
				if err != nil {
					b.Fatal(err)
				}
				cal := benchCalendar(b, s, s)
				b.StartTimer()

				c0 := processCPU()
				res, err := cal.Weekly(ctx, benchDue, "")
				cpu += processCPU() - c0

				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				if res.Queued != want {
					b.Fatalf("queued %d, want %d: %s", res.Queued, want, res)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
				os.Remove(path)
				b.StartTimer()
			}
			reportRate(b)
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu_s/op")
			fixture.ReportPeakRSS(b)
		})
	}
}

// processCPU is the process's CPU time so far, user and system: on a
// shared machine it tells the work apart from the wait for a core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func copyDB(b *testing.B, src, dst string) {
	b.Helper()
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
}
