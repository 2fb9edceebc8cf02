package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/cli"
	"partnerbot/internal/fixture"
)

// benchConfig is the program of the benchmark fixture, with an admin to
// tell of red partners (none of its partners has a manager).
const benchConfig = `program:
  name: Bench
  timezone: Europe/Warsaw
  currency: PLN
  locale: pl
admins:
  slack: [UADMIN]
log:
  level: error
`

// BenchmarkHealthEvalJob runs `partnerbot jobs run health_eval` over the
// 10 000-partner, 1 000 000-event fixture (see fixture.Events for other
// sizes) with fsync on: the store
// opened, every partner judged, its verdict, history and alert state
// written and the alerts of red partners queued for the admin, end to
// end through the job as serve's scheduler runs it. "first" is the first
// evaluation of the program (every verdict new, so every partner gets a
// history entry); "again" is the next day's, on the verdicts the first
// stored. One op is the whole job over 10 000 partners. Both report the
// process's peak RSS (see fixture.PeakRSS): the job runs in this process.
func BenchmarkHealthEvalJob(b *testing.B) {
	dir := b.TempDir()
	cfg := filepath.Join(dir, "partnerbot.yaml")
	if err := os.WriteFile(cfg, []byte(benchConfig), 0o600); err != nil {
		b.Fatal(err)
	}
	day := time.Date(2026, 11, 23, 7, 0, 0, 0, fixture.Location)
	run := func(b *testing.B, db string, at time.Time) {
		b.Helper()
		var out, errOut bytes.Buffer
		m := &cli.Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
			Getenv: func(string) string { return "" }, Clock: bot.NewManualClock(at)}
		if code := m.Run(context.Background(), []string{"--config", cfg, "--db", db, "jobs", "run", "health_eval", "--at", at.Format(time.RFC3339)}); code != 0 {
			b.Fatalf("jobs run health_eval: exit %d\n%s%s", code, out.String(), errOut.String())
		}
	}
	for _, again := range []bool{false, true} {
		name := "first"
		if again {
			name = "again"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				db := fixture.Copy(b)
				if again {
					run(b, db, day)
				}
				b.StartTimer()
				c0 := processCPU()
				run(b, db, day.AddDate(0, 0, 1))
				cpu += processCPU() - c0
			}
			b.ReportMetric(float64(b.N*fixture.Partners)/b.Elapsed().Seconds(), "partners/s")
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
