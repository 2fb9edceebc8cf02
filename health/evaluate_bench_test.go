package health_test

import (
	"context"
	"testing"
	"time"

	"partnerbot/health"
	"partnerbot/internal/fixture"
	"partnerbot/store"
)

// BenchmarkEvaluateAll judges the 10 000 partners of the benchmark
// fixture: one full run of the daily health job's reading and judging.
func BenchmarkEvaluateAll(b *testing.B) {
	s, err := store.Open(fixture.Path(b), store.Options{Location: fixture.Location, ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := fixture.Today.Start(fixture.Location).Add(7 * time.Hour)
	ev := health.NewEvaluator(s, health.DefaultThresholds, health.DefaultRules, fixture.Location)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		rs, err := ev.EvaluateAll(ctx, now)
		if err != nil {
			b.Fatal(err)
		}
		n = len(rs)
	}
	if n != fixture.Partners {
		b.Fatalf("%d results, want %d", n, fixture.Partners)
	}
}
