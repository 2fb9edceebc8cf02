package bot

import (
	"testing"
)

// FuzzParsePeriod: any text is a period or an EINVALID error; a period
// runs forwards, its label parses again to the same days, and the period
// before it ends the day before it starts.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026-W47", "2026-11", "2026-Q4", "2026", "30d", "week", "month", "2026-11-01..2026-11-15",
		"0d", "99999999d", "2026-W53", "2026-13", "-1", "2026-02-29..2026-03-01", "9999-12-31..0001-01-01", " Tydzień ", "2026-Q0"} {
		f.Add(s)
	}
	today := Date{Year: 2026, Month: 11, Day: 22}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s, today)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ParsePeriod(%q) error %v is not EINVALID", s, err)
			}
			return
		}
		if p.To.Before(p.From) {
			t.Fatalf("ParsePeriod(%q) = %v..%v runs backwards", s, p.From, p.To)
		}
		if p.Label != "" {
			again, err := ParsePeriod(p.Label, today)
			if err != nil || again.From != p.From || again.To != p.To {
				t.Fatalf("label %q of %q parses to %+v, %v; want %v..%v", p.Label, s, again, err, p.From, p.To)
			}
		}
		if prev := p.Previous(); prev.To.AddDays(1) != p.From {
			t.Fatalf("the period before %q ends %v, not the day before %v", s, prev.To, p.From)
		}
		p.Comparable(today)
	})
}

// FuzzParseAmount: any text is an amount or an EINVALID error; an amount
// prints and parses back to itself.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"129.99", "129,99", "-5", "+0.10", "1200", "1.", ".5", "1e3", "1 000", "23058430092136939.51",
		"9223372036854775807", "-0", "00012.3400", "١٢٣", "12..3"} {
		f.Add(s, uint8(2))
	}
	f.Add("5", uint8(0))
	f.Add("1.234", uint8(3))
	f.Fuzz(func(t *testing.T, s string, d uint8) {
		digits := int(d % 4)
		a, err := ParseAmount(s, digits)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ParseAmount(%q) error %v is not EINVALID", s, err)
			}
			return
		}
		back, err := ParseAmount(a.Decimal(digits), digits)
		if err != nil || back != a {
			t.Fatalf("ParseAmount(%q) = %d, printed %q, parsed back %d, %v", s, a, a.Decimal(digits), back, err)
		}
	})
}
