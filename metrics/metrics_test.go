package metrics

import (
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	r := New()
	c := r.Counter("events_total", "Events.", "result")
	c.Inc("accepted")
	c.Add(2, "accepted")
	c.Inc(`du"p`)
	r.GaugeFunc("db_bytes", "Size.", func() float64 { return 4096 })
	h := r.Histogram("latency_seconds", "Latency.", []float64{0.1, 1}, "route")
	h.Observe(0.05, "/x")
	h.Observe(0.5, "/x")
	h.Observe(5, "/x")
	var b strings.Builder
	r.WriteTo(&b)
	out := b.String()
	for _, want := range []string{
		"# TYPE events_total counter",
		`events_total{result="accepted"} 3`,
		`events_total{result="du\"p"} 1`,
		"db_bytes 4096",
		`latency_seconds_bucket{route="/x",le="0.1"} 1`,
		`latency_seconds_bucket{route="/x",le="1"} 2`,
		`latency_seconds_bucket{route="/x",le="+Inf"} 3`,
		`latency_seconds_sum{route="/x"} 5.55`,
		`latency_seconds_count{route="/x"} 3`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
