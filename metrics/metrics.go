// Package metrics is a small Prometheus text-format registry: counters,
// gauges read at scrape time, and histograms, with labels. partnerbot
// exposes a handful of series; the official client would bring a large
// dependency tree for that.
package metrics

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds metric families and writes them in the text format.
type Registry struct {
	mu       sync.Mutex
	families []*family
}

type family struct {
	name, help, typ string
	labels          []string
	buckets         []float64
	mu              sync.Mutex
	series          map[string]*series
	gauge           func() float64
}

type series struct {
	labelValues []string
	value       atomic.Uint64 // float64 bits for counters
	counts      []atomic.Uint64
	sum         atomic.Uint64
	count       atomic.Uint64
}

// New returns an empty registry.
func New() *Registry { return &Registry{} }

func (r *Registry) add(f *family) *family {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, g := range r.families {
		if g.name == f.name {
			panic("metrics: duplicate metric " + f.name)
		}
	}
	f.series = map[string]*series{}
	r.families = append(r.families, f)
	return f
}

// CounterVec is a counter with labels.
type CounterVec struct{ f *family }

// Counter registers a counter family with the given label names.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	return &CounterVec{r.add(&family{name: name, help: help, typ: "counter", labels: labels})}
}

// Add adds v (≥ 0) to the series with these label values.
func (c *CounterVec) Add(v float64, labelValues ...string) {
	s := c.f.get(labelValues)
	for {
		old := s.value.Load()
		if s.value.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// Inc adds one.
func (c *CounterVec) Inc(labelValues ...string) { c.Add(1, labelValues...) }

// Value returns the current value of a series; for tests.
func (c *CounterVec) Value(labelValues ...string) float64 {
	return math.Float64frombits(c.f.get(labelValues).value.Load())
}

// GaugeFunc registers a gauge read by calling fn at scrape time.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	r.add(&family{name: name, help: help, typ: "gauge", gauge: fn})
}

// HistogramVec is a histogram with labels.
type HistogramVec struct{ f *family }

// Histogram registers a histogram family with upper bucket bounds.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	return &HistogramVec{r.add(&family{name: name, help: help, typ: "histogram", labels: labels, buckets: buckets})}
}

// Observe records v in the series with these label values.
func (h *HistogramVec) Observe(v float64, labelValues ...string) {
	s := h.f.get(labelValues)
	for i, b := range h.f.buckets {
		if v <= b {
			s.counts[i].Add(1)
		}
	}
	s.count.Add(1)
	for {
		old := s.sum.Load()
		if s.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

func (f *family) get(lv []string) *series {
	if len(lv) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %s wants %d label values, got %d", f.name, len(f.labels), len(lv)))
	}
	key := strings.Join(lv, "\xff")
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.series[key]
	if s == nil {
		s = &series{labelValues: append([]string(nil), lv...), counts: make([]atomic.Uint64, len(f.buckets))}
		f.series[key] = s
	}
	return s
}

// WriteTo writes every family in the Prometheus text format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	r.mu.Lock()
	fams := append([]*family(nil), r.families...)
	r.mu.Unlock()
	for _, f := range fams {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", f.name, f.help, f.name, f.typ)
		if f.gauge != nil {
			fmt.Fprintf(&b, "%s %s\n", f.name, num(f.gauge()))
			continue
		}
		f.mu.Lock()
		keys := make([]string, 0, len(f.series))
		for k := range f.series {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s := f.series[k]
			switch f.typ {
			case "counter":
				fmt.Fprintf(&b, "%s%s %s\n", f.name, labels(f.labels, s.labelValues, "", ""), num(math.Float64frombits(s.value.Load())))
			case "histogram":
				for i, ub := range f.buckets {
					fmt.Fprintf(&b, "%s_bucket%s %d\n", f.name, labels(f.labels, s.labelValues, "le", num(ub)), s.counts[i].Load())
				}
				fmt.Fprintf(&b, "%s_bucket%s %d\n", f.name, labels(f.labels, s.labelValues, "le", "+Inf"), s.count.Load())
				fmt.Fprintf(&b, "%s_sum%s %s\n", f.name, labels(f.labels, s.labelValues, "", ""), num(math.Float64frombits(s.sum.Load())))
				fmt.Fprintf(&b, "%s_count%s %d\n", f.name, labels(f.labels, s.labelValues, "", ""), s.count.Load())
			}
		}
		f.mu.Unlock()
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// ServeHTTP serves the registry for Prometheus to scrape.
func (r *Registry) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	r.WriteTo(w)
}

func labels(names, values []string, extraName, extraValue string) string {
	if len(names) == 0 && extraName == "" {
		return ""
	}
	var parts []string
	for i, n := range names {
		parts = append(parts, n+`="`+labelEscaper.Replace(values[i])+`"`)
	}
	if extraName != "" {
		parts = append(parts, extraName+`="`+labelEscaper.Replace(extraValue)+`"`)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// labelEscaper escapes label values as the text format asks: only the
// backslash, the double quote and the newline.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func num(v float64) string {
	if math.IsInf(v, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
