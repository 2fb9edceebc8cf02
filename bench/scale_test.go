package bench

import (
	"context"
	"flag"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/internal/fixture"
	"partnerbot/store"
)

// The scale benchmarks run on the fixture of internal/fixture at the size
// PARTNERBOT_FIXTURE_EVENTS gives (a million events by default), each in
// a `go test` of its own after BenchmarkScaleFixture has built the
// fixtures, so that a build does not count in their peak RSS. See
// scale.sh, which runs them at 100 000, 1 000 000 and 3 000 000 events.

var nMore = flag.Int("more", 50_000, "events BenchmarkScaleIngest adds to the fixture")

// BenchmarkScaleFixture builds the fixture and its linked copy (with a
// Slack channel on every partner) if they are not in the temp dir yet,
// and reports the fixture's size: its bytes, and bytes per event.
func BenchmarkScaleFixture(b *testing.B) {
	var path string
	for b.Loop() {
		path = fixture.Path(b)
		fixture.LinkedPath(b)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fixture.Events), "events")
	b.ReportMetric(float64(st.Size()), "file_B")
	b.ReportMetric(float64(st.Size())/float64(fixture.Events), "file_B/event")
}

// BenchmarkScaleIngest adds -more (50 000) new events, with ids the
// fixture does not have, to a copy of the fixture in transactions of
// -batch (1 000) through store.Ingest, fsync on: the ingest rate at the
// fixture's size. Each op works on a fresh copy, made outside the timer.
// It reports events a second, the bytes written per event (every write
// of the process while ingesting) and the process's peak RSS.
func BenchmarkScaleIngest(b *testing.B) {
	r := rand.New(rand.NewPCG(11, 11))
	evs := make([]bot.Event, *nMore)
	for i := range evs {
		evs[i] = fixture.Event(r, fixture.Events+i)
	}
	ctx := context.Background()
	fixture.Path(b)
	var wrote int64
	for b.Loop() {
		b.StopTimer()
		path := fixture.Copy(b)
		s, err := store.Open(path, store.Options{Location: fixture.Location})
		if err != nil {
			b.Fatal(err)
		}
		w0 := written()
		b.StartTimer()
		for i := 0; i < len(evs); i += *nBatch {
			res, err := s.Ingest(ctx, evs[i:min(i+*nBatch, len(evs))], nil)
			if err != nil {
				b.Fatal(err)
			}
			if res.Accepted != min(*nBatch, len(evs)-i) {
				b.Fatalf("accepted %d of a batch of %d new events: %+v", res.Accepted, min(*nBatch, len(evs)-i), res)
			}
		}
		// Timed: the events staged last go into the ledger too.
		if err := s.Settle(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		wrote += written() - w0
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		os.Remove(path)
		b.StartTimer()
	}
	n := float64(b.N * len(evs))
	b.ReportMetric(n/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(wrote)/n, "written_B/event")
	fixture.ReportPeakRSS(b)
}

// BenchmarkScaleStats reads every partner's stats for October 2026 (and
// the comparison with September), as /mystats does, through store.Stats
// on the fixture opened read-only. One op is all 10 000 partners, after
// one pass outside the timer that maps the file in as a long-running bot
// has it. It reports the 50th and 99th percentile of a partner's read
// and the process's peak RSS.
func BenchmarkScaleStats(b *testing.B) {
	s, err := store.Open(fixture.Path(b), store.Options{Location: fixture.Location, ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	cur := bot.Currency{Code: "PLN", Digits: 2}
	p, err := bot.ParsePeriod("2026-10", fixture.Today)
	if err != nil {
		b.Fatal(err)
	}
	read := func(i int) time.Duration {
		t0 := time.Now()
		if _, err := s.Stats(ctx, fixture.PartnerID(i), p, fixture.Today, cur); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0)
	}
	for i := range fixture.Partners {
		read(i)
	}
	lat := make([]time.Duration, 0, fixture.Partners)
	b.ResetTimer()
	for b.Loop() {
		for i := range fixture.Partners {
			lat = append(lat, read(i))
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50_µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99_µs")
	fixture.ReportPeakRSS(b)
}
