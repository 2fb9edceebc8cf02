package cli_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/slack-go/slack/slacktest"
)

// scrapeMetrics reads /metrics from a running serve and parses it as
// Prometheus would.
func scrapeMetrics(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// metricValue is the value of the series of a family with these labels
// (name, value pairs), and whether it exists.
func metricValue(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, lp := range m.GetLabel() {
				if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Untyped != nil:
			return m.GetUntyped().GetValue(), true
		}
	}
	return 0, false
}

// TestCLI_ServeMetrics scrapes a running serve whose Slack answers every
// post with 429: the weekly report job runs at 09:00 on serve's clock,
// its message waits in the outbox, and the series show each of those.
func TestCLI_ServeMetrics(t *testing.T) {
	var posts atomic.Int32
	fake := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			posts.Add(1)
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		})
	})
	fake.Start()
	t.Cleanup(fake.Stop)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "partnerbot.yaml")
	if err := os.WriteFile(cfg, []byte("slack:\n  api_url: "+fake.GetAPIURL()+"\nlog:\n  level: warn\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "PARTNERBOT_API_TOKEN": "api-token", "DUB_WEBHOOK_SECRET": "dub-secret"}
	run := startServe(t, env, "--config", cfg, "--db", filepath.Join(dir, "m.db"), "serve",
		"--listen", "127.0.0.1:0", "--now", "2026-11-23T08:59:54+01:00")
	defer run.stop()

	req, _ := http.NewRequest("PUT", run.base+"/api/v1/partners/janko", strings.NewReader(
		`{"id":"janko","name":"Sklep u Janka","contact_name":"Janek","locale":"pl","joined":"2025-03-01","status":"active","slack_channel":"C1"}`))
	req.Header.Set("Authorization", "Bearer api-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 && resp.StatusCode != 201 {
		t.Fatalf("put partner: %d", resp.StatusCode)
	}

	// A Slack token with the default public_url: links would point at
	// localhost, and serve says so at start.
	if !strings.Contains(run.stderr.String(), "http.public_url is a loopback address") {
		t.Errorf("no warning about a loopback public_url:\n%s", run.stderr.String())
	}

	before := scrapeMetrics(t, run.base)
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "partnerbot_db_bytes", "partnerbot_db_staged_events", "partnerbot_http_requests_total"} {
		if before[name] == nil {
			t.Errorf("no %s before anything happened", name)
		}
	}
	if v, ok := metricValue(before, "partnerbot_outbox_pending", "platform", "slack"); !ok || v != 0 {
		t.Errorf("outbox_pending{slack} before = %v (%v), want 0", v, ok)
	}
	if _, ok := metricValue(before, "partnerbot_job_last_success_timestamp_seconds", "job", "weekly_report"); ok {
		t.Errorf("weekly_report succeeded before 09:00")
	}
	limited0, _ := metricValue(before, "partnerbot_platform_rate_limited_total", "platform", "slack", "method", "chat.postMessage")

	// A webhook with a bad signature is refused and counted.
	hreq, _ := http.NewRequest("POST", run.base+"/hooks/dub", strings.NewReader(`{"id":"evt_1","event":"sale.created","data":{}}`))
	hreq.Header.Set("Dub-Signature", "00")
	hresp, err := http.DefaultClient.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	hresp.Body.Close()
	if hresp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad dub signature: %d", hresp.StatusCode)
	}
	if v, _ := metricValue(scrapeMetrics(t, run.base), "partnerbot_webhook_deliveries_total", "platform", "dub", "result", "refused"); v != 1 {
		t.Errorf("refused dub deliveries = %v, want 1", v)
	}

	// 09:00 comes six seconds after start (room for a slow start on a
	// busy machine before the partner exists); wait for the report's 429.
	deadline := time.Now().Add(40 * time.Second)
	var after map[string]*dto.MetricFamily
	for {
		after = scrapeMetrics(t, run.base)
		limited, _ := metricValue(after, "partnerbot_platform_rate_limited_total", "platform", "slack", "method", "chat.postMessage")
		pending, _ := metricValue(after, "partnerbot_outbox_pending", "platform", "slack")
		oldest, _ := metricValue(after, "partnerbot_outbox_oldest_pending_seconds")
		// The report waits for its retry in the outbox (not caught in
		// the instant it is handed to Slack again).
		if limited > limited0 && pending == 1 && oldest > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no 429 counted after 40 s (%d posts reached the fake)\n%s", posts.Load(), run.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	ts, ok := metricValue(after, "partnerbot_job_last_success_timestamp_seconds", "job", "weekly_report")
	nine := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	if !ok || ts < float64(nine.Unix()) || ts > float64(nine.Add(time.Minute).Unix()) {
		t.Errorf("weekly_report last success = %v (%v), want just after %d", ts, ok, nine.Unix())
	}
	if v, ok := metricValue(after, "partnerbot_job_failures_total", "job", "weekly_report"); !ok || v != 0 {
		t.Errorf("weekly_report failures = %v (%v), want 0", v, ok)
	}
	if v, _ := metricValue(after, "partnerbot_outbox_pending", "platform", "slack"); v != 1 {
		t.Errorf("outbox_pending{slack} after the report = %v, want 1", v)
	}
	if v, _ := metricValue(after, "partnerbot_outbox_oldest_pending_seconds"); v <= 0 {
		t.Errorf("oldest pending = %v, want > 0 while the report waits", v)
	}
}
