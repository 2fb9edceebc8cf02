// Package metrics is partnerbot's Prometheus registry, built on the
// official client: the Go runtime and process collectors come with it, and
// operators get the series their dashboards and alerting rules expect.

package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
)

// Registry holds partnerbot's metric families and serves them.
type Registry struct {
	reg *prometheus.Registry

	platformRateLimited, platformErrors, jobFailures, webhookDeliveries *prometheus.CounterVec
	jobLastSuccess                                                      *prometheus.GaugeVec
}

// New returns a registry with the Go runtime and process collectors, the
// webhook deliveries, and the platform and job series.
func New() *Registry {
	r := &Registry{reg: prometheus.NewRegistry()}
	r.platformRateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "partnerbot_platform_rate_limited_total",
		Help: "Chat platform answers of 429 (rate limited), by platform and API method.",
	}, []string{"platform", "method"})
	r.platformErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "partnerbot_platform_errors_total",
		Help: "Failed chat platform calls other than rate limits, by platform and API method.",
	}, []string{"platform", "method"})
	r.jobLastSuccess = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "partnerbot_job_last_success_timestamp_seconds",
		Help: "Unix time the calendar job last finished without error.",
	}, []string{"job"})
	r.jobFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "partnerbot_job_failures_total",
		Help: "Calendar job runs that failed (each is tried again within its window).",
	}, []string{"job"})
	r.webhookDeliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "partnerbot_webhook_deliveries_total",
		Help: "Webhook deliveries from platforms of record, by platform and result: stored, duplicate, parked, ignored, refused (bad signature), error (not kept; the platform retries).",
	}, []string{"platform", "result"})
	r.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		r.platformRateLimited, r.platformErrors, r.jobLastSuccess, r.jobFailures, r.webhookDeliveries,
	)
	return r
}

// PlatformRateLimited counts a 429 from a chat platform's method
// ("chat.postMessage", "create_message").
func (r *Registry) PlatformRateLimited(platform, method string) {
	r.platformRateLimited.WithLabelValues(platform, orUnknown(method)).Inc()
}

// PlatformError counts a failed chat platform call that was not a 429.
func (r *Registry) PlatformError(platform, method string) {
	r.platformErrors.WithLabelValues(platform, orUnknown(method)).Inc()
}

// JobSucceeded records that a calendar job finished without error at t.
func (r *Registry) JobSucceeded(job string, t time.Time) {
	r.jobLastSuccess.WithLabelValues(job).Set(float64(t.UnixNano()) / 1e9)
	r.jobFailures.WithLabelValues(job) // the series exists from the first run on
}

// JobFailed counts a failed run of a calendar job.
func (r *Registry) JobFailed(job string) {
	r.jobFailures.WithLabelValues(job).Inc()
}

// WebhookDelivery counts one delivery from a platform of record ("dub",
// "stripe") with its result: "stored", "duplicate", "parked", "ignored",
// "refused" or "error".
func (r *Registry) WebhookDelivery(platform, result string) {
	r.webhookDeliveries.WithLabelValues(platform, result).Inc()
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// CounterVec is a counter with labels.
type CounterVec struct{ v *prometheus.CounterVec }

// Counter registers a counter family with the given label names. It
// panics on a duplicate name, as registering twice is a programming error.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	r.reg.MustRegister(v)
	return &CounterVec{v}
}

// Add adds v (≥ 0) to the series with these label values.
func (c *CounterVec) Add(v float64, labelValues ...string) {
	c.v.WithLabelValues(labelValues...).Add(v)
}

// Inc adds one.
func (c *CounterVec) Inc(labelValues ...string) { c.v.WithLabelValues(labelValues...).Inc() }

// Value returns the current value of a series; for tests.
func (c *CounterVec) Value(labelValues ...string) float64 {
	var m dto.Metric
	if err := c.v.WithLabelValues(labelValues...).Write(&m); err != nil {
		return 0
	}
	return m.GetCounter().GetValue()
}

// GaugeFunc registers a gauge read by calling fn at scrape time.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	r.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// GaugeVecFunc registers a gauge family with labels whose values are read
// at scrape time: fn returns one value per label value (outbox depth by
// platform). A failing read reports no series rather than wrong ones.
func (r *Registry) GaugeVecFunc(name, help, label string, fn func() (map[string]float64, error)) {
	r.reg.MustRegister(&gaugeVecFunc{desc: prometheus.NewDesc(name, help, []string{label}, nil), fn: fn})
}

type gaugeVecFunc struct {
	desc *prometheus.Desc
	fn   func() (map[string]float64, error)
}

func (g *gaugeVecFunc) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

func (g *gaugeVecFunc) Collect(ch chan<- prometheus.Metric) {
	vals, err := g.fn()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(g.desc, err)
		return
	}
	for lv, v := range vals {
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, v, lv)
	}
}

// HistogramVec is a histogram with labels.
type HistogramVec struct{ v *prometheus.HistogramVec }

// Histogram registers a histogram family with upper bucket bounds.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	r.reg.MustRegister(v)
	return &HistogramVec{v}
}

// Observe records v in the series with these label values.
func (h *HistogramVec) Observe(v float64, labelValues ...string) {
	h.v.WithLabelValues(labelValues...).Observe(v)
}

// ServeHTTP serves the registry for Prometheus to scrape, in the text
// format or, when the scraper asks, the protobuf one. A collector that
// fails is reported in the answer and the log-free rest still served.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}).ServeHTTP(w, req)
}

// Gather returns the current families; for tests and `partnerbot` tools.
func (r *Registry) Gather() ([]*dto.MetricFamily, error) { return r.reg.Gather() }
