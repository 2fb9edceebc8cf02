package bot

import (
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	today := MustDate("2026-11-22") // a Sunday, ISO week 47
	tests := []struct {
		in, label, from, to string
	}{
		{"2026-W47", "2026-W47", "2026-11-16", "2026-11-22"},
		{"2026-W1", "2026-W01", "2025-12-29", "2026-01-04"}, // week 1 starts in the old year
		{"2020-W53", "2020-W53", "2020-12-28", "2021-01-03"},
		{"2026-11", "2026-11", "2026-11-01", "2026-11-30"},
		{"2024-02", "2024-02", "2024-02-01", "2024-02-29"},
		{"2026-Q4", "2026-Q4", "2026-10-01", "2026-12-31"},
		{"2026-Q1", "2026-Q1", "2026-01-01", "2026-03-31"},
		{"2026", "2026", "2026-01-01", "2026-12-31"},
		{"30d", "30d", "2026-10-24", "2026-11-22"},
		{"1d", "1d", "2026-11-22", "2026-11-22"},
		{"week", "2026-W47", "2026-11-16", "2026-11-22"},
		{"month", "2026-11", "2026-11-01", "2026-11-30"},
		{"", "2026-11", "2026-11-01", "2026-11-30"},
		{"quarter", "2026-Q4", "2026-10-01", "2026-12-31"},
		{"2026-11-01..2026-11-15", "2026-11-01..2026-11-15", "2026-11-01", "2026-11-15"},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.in, today)
		if err != nil {
			t.Errorf("ParsePeriod(%q): %v", tt.in, err)
			continue
		}
		if p.Label != tt.label || p.From.String() != tt.from || p.To.String() != tt.to {
			t.Errorf("ParsePeriod(%q) = %s %s..%s, want %s %s..%s", tt.in, p.Label, p.From, p.To, tt.label, tt.from, tt.to)
		}
	}
	for _, bad := range []string{"2026-W54", "2026-W00", "2021-W53", "2026-13", "2026-00", "2026-Q5", "0d", "99999d",
		"2026-11-15..2026-11-01", "1999", "yesterday", "2026-11-31..2026-12-01", "2026/11"} {
		if _, err := ParsePeriod(bad, today); err == nil || ErrorCode(err) != EINVALID {
			t.Errorf("ParsePeriod(%q) err = %v, want invalid", bad, err)
		}
	}
}

func TestPeriodPrevious(t *testing.T) {
	today := MustDate("2026-11-22")
	tests := []struct{ in, from, to string }{
		{"2026-W01", "2025-12-22", "2025-12-28"},
		{"2021-W01", "2020-12-28", "2021-01-03"}, // the week before is W53
		{"2026-03", "2026-02-01", "2026-02-28"},
		{"2026-01", "2025-12-01", "2025-12-31"},
		{"2026-Q1", "2025-10-01", "2025-12-31"},
		{"2026", "2025-01-01", "2025-12-31"},
		{"30d", "2026-09-24", "2026-10-23"},
		{"2026-11-01..2026-11-15", "2026-10-17", "2026-10-31"},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.in, today)
		if err != nil {
			t.Fatal(err)
		}
		prev := p.Previous()
		if prev.From.String() != tt.from || prev.To.String() != tt.to {
			t.Errorf("%s.Previous() = %s..%s, want %s..%s", tt.in, prev.From, prev.To, tt.from, tt.to)
		}
	}
}

func TestPeriodComparable(t *testing.T) {
	nov := MonthPeriod(2026, time.November)
	through, prev, prevThrough := nov.Comparable(MustDate("2026-11-22"))
	if through.String() != "2026-11-22" || prev.Label != "2026-10" || prevThrough.String() != "2026-10-22" {
		t.Errorf("running month: through %s, prev %s through %s", through, prev.Label, prevThrough)
	}
	// March 31 days against February's 28: the previous period is never
	// stretched past its own end.
	mar := MonthPeriod(2026, time.March)
	_, _, prevThrough = mar.Comparable(MustDate("2026-03-30"))
	if prevThrough.String() != "2026-02-28" {
		t.Errorf("prevThrough = %s, want 2026-02-28", prevThrough)
	}
	// A finished period is compared whole.
	through, _, prevThrough = MonthPeriod(2026, time.October).Comparable(MustDate("2026-11-22"))
	if through.String() != "2026-10-31" || prevThrough.String() != "2026-09-30" {
		t.Errorf("finished month: %s %s", through, prevThrough)
	}
	// On the last day the period counts whole.
	through, _, _ = nov.Comparable(MustDate("2026-11-30"))
	if through.String() != "2026-11-30" {
		t.Errorf("last day: through %s", through)
	}
}

func TestPeriodBoundsAcrossDST(t *testing.T) {
	waw, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-03-29: clocks go 02:00 → 03:00; 2026-10-25: 03:00 → 02:00.
	tests := []struct {
		period string
		hours  float64
	}{
		{"2026-03-29..2026-03-29", 23},
		{"2026-10-25..2026-10-25", 25},
		{"2026-W13", 7*24 - 1},
		{"2026-W43", 7*24 + 1},
		{"2026-03", 31*24 - 1},
		{"2026-10", 31*24 + 1},
		{"2026", 365 * 24},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.period, MustDate("2026-11-22"))
		if err != nil {
			t.Fatal(err)
		}
		start, end := p.Bounds(waw)
		if got := end.Sub(start).Hours(); got != tt.hours {
			t.Errorf("%s spans %v hours in Warsaw, want %v", tt.period, got, tt.hours)
		}
		if start.In(waw).Hour() != 0 || end.In(waw).Hour() != 0 {
			t.Errorf("%s bounds not at local midnight: %v %v", tt.period, start, end)
		}
	}
}
