package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"partnerbot/api"
	"partnerbot/bot"
	"partnerbot/config"
	"partnerbot/internal/fixture"
	"partnerbot/store"
)

// BenchmarkIngestWatch posts 200 000 new events in requests of 1 000 to
// the API over a copy of the 10 000-partner, 1 000 000-event program,
// fsync on, with the ingest watch off and on, and reports the process's
// CPU time (user and system, all goroutines, GC included) per event,
// from the first request until the watch's last pass is done. The
// events are the fixture's: a load of the year's history, as an import
// does it. One op is the whole load.
func BenchmarkIngestWatch(b *testing.B) {
	const events, perRequest = 200_000, 1000
	cfg := config.Default()
	cfg.Program.Timezone = "Europe/Warsaw"
	now := fixture.Today.Start(fixture.Location).Add(12 * time.Hour)
	for _, on := range []bool{false, true} {
		name := "watch=off"
		if on {
			name = "watch=on"
		}
		b.Run(name, func(b *testing.B) {
			var cpu time.Duration
			var npass int
			for b.Loop() {
				b.StopTimer()
				clock := bot.NewManualClock(now)
				s, err := store.Open(fixture.Copy(b), store.Options{Location: fixture.Location, Clock: clock})
				if err != nil {
					b.Fatal(err)
				}
				m := &Main{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: clock}
				w := m.newWatch(s, m.notifier(s))
				passes := make(chan int, 64)
				w.passed = func(n int) { npass++; passes <- n }
				opt := api.Options{Store: s, Clock: clock, Location: fixture.Location, Currency: cfg.Currency(),
					Token: "t", MaxBody: 64 << 20, MaxFuture: 24 * time.Hour, Logger: m.log}
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				if on {
					opt.OnIngest = w.Touched
					go func() { defer close(done); w.run(ctx) }()
				} else {
					close(done)
				}
				srv := api.New(opt)
				bodies := ndjsonBodies(events, perRequest)
				b.StartTimer()

				start := cpuTime()
				for _, body := range bodies {
					req := httptest.NewRequest("POST", "/api/v1/events", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer t")
					req.Header.Set("Content-Type", "application/x-ndjson")
					rec := httptest.NewRecorder()
					srv.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d: %s", rec.Code, rec.Body)
					}
				}
				if on {
					// The last pass runs once ingest has been quiet.
					for judged := 0; judged < events; {
						judged += <-passes
					}
				}
				// Both ways, every event ends in the ledger (stage.go).
				if err := s.Settle(); err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - start

				b.StopTimer()
				cancel()
				<-done
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*events), "cpu_ns/event")
			b.ReportMetric(float64(b.N*events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(npass)/float64(b.N), "passes/op")
		})
	}
}

// ndjsonBodies returns n new fixture events as NDJSON request bodies of
// per events each.
func ndjsonBodies(n, per int) [][]byte {
	r := rand.New(rand.NewPCG(11, 11))
	var out [][]byte
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range n {
		e := fixture.Event(r, fixture.Events+i)
		rec := map[string]any{"id": e.ID, "type": e.Type, "partner": e.Partner, "at": e.At.Format(time.RFC3339Nano)}
		if e.Type.HasAmount() {
			rec["amount"] = e.Amount.Decimal(2)
			rec["commission"] = e.Commission.Decimal(2)
		}
		enc.Encode(rec)
		if (i+1)%per == 0 {
			out = append(out, bytes.Clone(buf.Bytes()))
			buf.Reset()
		}
	}
	return out
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
