package metrics

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, r *Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func TestRegistry(t *testing.T) {
	r := New()
	c := r.Counter("events_total", "Events.", "result")
	c.Inc("accepted")
	c.Add(2, "accepted")
	c.Inc(`du"p`)
	r.GaugeFunc("db_bytes", "Size.", func() float64 { return 4096 })
	r.GaugeVecFunc("pending", "Pending.", "platform", func() (map[string]float64, error) {
		return map[string]float64{"slack": 3}, nil
	})
	h := r.Histogram("latency_seconds", "Latency.", []float64{0.1, 1}, "route")
	h.Observe(0.05, "/x")
	h.Observe(0.5, "/x")
	h.Observe(5, "/x")
	r.JobSucceeded("weekly_report", time.Unix(1700000000, 0))
	r.WebhookDelivery("dub", "stored")
	out := scrape(t, r)
	for _, want := range []string{
		"# TYPE events_total counter",
		`events_total{result="accepted"} 3`,
		`events_total{result="du\"p"} 1`,
		"db_bytes 4096",
		`pending{platform="slack"} 3`,
		`latency_seconds_bucket{route="/x",le="0.1"} 1`,
		`latency_seconds_bucket{route="/x",le="1"} 2`,
		`latency_seconds_bucket{route="/x",le="+Inf"} 3`,
		`latency_seconds_sum{route="/x"} 5.55`,
		`latency_seconds_count{route="/x"} 3`,
		`partnerbot_job_last_success_timestamp_seconds{job="weekly_report"} 1.7e+09`,
		`partnerbot_job_failures_total{job="weekly_report"} 0`,
		`partnerbot_webhook_deliveries_total{platform="dub",result="stored"}`,
		"go_goroutines ",
		"process_cpu_seconds_total ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if got := c.Value("accepted"); got != 3 {
		t.Errorf("Value = %v, want 3", got)
	}
	// A second registry (a second serve in the same process, as in
	// tests) has series of its own.
	if out := scrape(t, New()); strings.Contains(out, `partnerbot_webhook_deliveries_total{platform="dub",result="stored"}`) {
		t.Errorf("a new registry shares another's series")
	}
}

func TestGaugeVecFunc_Error(t *testing.T) {
	r := New()
	r.GaugeVecFunc("pending", "Pending.", "platform", func() (map[string]float64, error) {
		return nil, errTest
	})
	r.GaugeFunc("db_bytes", "Size.", func() float64 { return 1 })
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), "db_bytes 1") {
		t.Fatalf("a failing collector hid the others: %d\n%s", rec.Code, rec.Body)
	}
}

type testError string

func (e testError) Error() string { return string(e) }

const errTest = testError("store closed")
