package bot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// PeriodKind says how a period was named; it decides what "the period
// before" means.
type PeriodKind string

// The period kinds.
const (
	PeriodWeek    PeriodKind = "week"
	PeriodMonth   PeriodKind = "month"
	PeriodQuarter PeriodKind = "quarter"
	PeriodYear    PeriodKind = "year"
	PeriodDays    PeriodKind = "days"
	PeriodRange   PeriodKind = "range"
)

// MaxPeriodDays bounds a period's length so a typo cannot ask for ages.
const MaxPeriodDays = 3700

// Period is a run of whole days in the program's calendar, From and To
// both included.
type Period struct {
	Label string     `json:"period"`
	Kind  PeriodKind `json:"-"`
	From  Date       `json:"from"`
	To    Date       `json:"to"`
}

var (
	weekRE    = regexp.MustCompile(`^(\d{4})-W(\d{1,2})$`)
	monthRE   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	quarterRE = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
	yearRE    = regexp.MustCompile(`^(\d{4})$`)
	daysRE    = regexp.MustCompile(`^(\d{1,4})d$`)
)

// PeriodSyntax is what ParsePeriod accepts, for help texts and errors.
const PeriodSyntax = "2026-W47, 2026-11, 2026-Q4, 2026, 30d, week, month, 2026-11-01..2026-11-15"

// ParsePeriod parses a period name relative to today (the program's
// current date): "2026-W47" (ISO week), "2026-11", "2026-Q4", "2026",
// "30d" (the last 30 days, today included), "week" and "month" (the
// current ones), "2026-11-01..2026-11-15". Returns EINVALID.
func ParsePeriod(s string, today Date) (Period, error) {
	s = strings.TrimSpace(s)
	bad := func(why *Error) (Period, error) {
		return Period{}, Keyed(EINVALID, "bot.period.bad", "period %q: %s (use "+PeriodSyntax+")", s, why)
	}
	why := func(key, format string, args ...any) *Error { return Keyed(EINVALID, key, format, args...) }
	switch strings.ToLower(s) {
	case "", "month", "miesiąc", "miesiac":
		return MonthPeriod(today.Year, today.Month), nil
	case "week", "tydzień", "tydzien":
		return WeekPeriod(today.ISOWeek())
	case "quarter", "kwartał", "kwartal":
		return QuarterPeriod(today.Year, (int(today.Month)-1)/3+1), nil
	case "year", "rok":
		return YearPeriod(today.Year), nil
	}
	if m := weekRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		w, _ := strconv.Atoi(m[2])
		if !yearOK(y) {
			return bad(why("bot.period.year_range", "year out of range"))
		}
		p, err := WeekPeriod(y, w)
		if err != nil {
			return bad(AsError(err))
		}
		return p, nil
	}
	if m := monthRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if !yearOK(y) || mo < 1 || mo > 12 {
			return bad(why("bot.period.no_month", "no such month"))
		}
		return MonthPeriod(y, time.Month(mo)), nil
	}
	if m := quarterRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		q, _ := strconv.Atoi(m[2])
		if !yearOK(y) {
			return bad(why("bot.period.year_range", "year out of range"))
		}
		return QuarterPeriod(y, q), nil
	}
	if m := yearRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		if !yearOK(y) {
			return bad(why("bot.period.year_range", "year out of range"))
		}
		return YearPeriod(y), nil
	}
	if m := daysRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > MaxPeriodDays {
			return bad(why("bot.period.days", "the number of days must be 1 to %d", MaxPeriodDays))
		}
		return Period{Label: s, Kind: PeriodDays, From: today.AddDays(-(n - 1)), To: today}, nil
	}
	if a, b, ok := strings.Cut(s, ".."); ok {
		from, err1 := ParseDate(a)
		to, err2 := ParseDate(b)
		if err1 != nil || err2 != nil {
			return bad(why("bot.period.dates", "dates must look like 2026-11-01"))
		}
		if to.Before(from) {
			return bad(why("bot.period.reversed", "the end is before the start"))
		}
		if to.Sub(from)+1 > MaxPeriodDays || !yearOK(from.Year) || !yearOK(to.Year) {
			return bad(why("bot.period.too_long", "the range is too long"))
		}
		return Period{Label: s, Kind: PeriodRange, From: from, To: to}, nil
	}
	return bad(why("bot.period.unknown", "not a period"))
}

func yearOK(y int) bool { return y >= 2000 && y <= 2200 }

// WeekPeriod returns ISO week w of ISO year y. Returns EINVALID when the
// year has no such week.
func WeekPeriod(y, w int) (Period, error) {
	// ISO week 1 is the week with 4 January in it.
	jan4 := Date{y, time.January, 4}
	monday := jan4.AddDays(-((int(jan4.Weekday()) + 6) % 7))
	last := 52
	if _, wk := (Date{y, time.December, 28}).ISOWeek(); wk == 53 {
		last = 53
	}
	if w < 1 || w > last {
		return Period{}, Keyed(EINVALID, "bot.period.weeks", "%d has weeks 1 to %d", y, last)
	}
	from := monday.AddDays(7 * (w - 1))
	return Period{Label: fmt.Sprintf("%04d-W%02d", y, w), Kind: PeriodWeek, From: from, To: from.AddDays(6)}, nil
}

// MonthPeriod returns a calendar month.
func MonthPeriod(y int, m time.Month) Period {
	from := Date{y, m, 1}
	return Period{Label: fmt.Sprintf("%04d-%02d", y, m), Kind: PeriodMonth, From: from, To: from.AddMonths(1).AddDays(-1)}
}

// QuarterPeriod returns quarter q (1-4) of year y.
func QuarterPeriod(y, q int) Period {
	from := Date{y, time.Month(3*(q-1) + 1), 1}
	return Period{Label: fmt.Sprintf("%04d-Q%d", y, q), Kind: PeriodQuarter, From: from, To: from.AddMonths(3).AddDays(-1)}
}

// YearPeriod returns a calendar year.
func YearPeriod(y int) Period {
	return Period{Label: fmt.Sprintf("%04d", y), Kind: PeriodYear, From: Date{y, time.January, 1}, To: Date{y, time.December, 31}}
}

// Days returns the number of days in p.
func (p Period) Days() int { return p.To.Sub(p.From) + 1 }

// Contains reports whether d falls in p.
func (p Period) Contains(d Date) bool { return !d.Before(p.From) && !d.After(p.To) }

// Previous returns the period before p: the week, month, quarter or year
// before, or for day counts and ranges the same number of days just before.
func (p Period) Previous() Period {
	switch p.Kind {
	case PeriodWeek:
		y, w := p.From.AddDays(-7).ISOWeek()
		prev, _ := WeekPeriod(y, w)
		return prev
	case PeriodMonth:
		f := p.From.AddMonths(-1)
		return MonthPeriod(f.Year, f.Month)
	case PeriodQuarter:
		f := p.From.AddMonths(-3)
		return QuarterPeriod(f.Year, (int(f.Month)-1)/3+1)
	case PeriodYear:
		return YearPeriod(p.From.Year - 1)
	}
	n := p.Days()
	to := p.From.AddDays(-1)
	from := to.AddDays(-(n - 1))
	return Period{Label: from.String() + ".." + to.String(), Kind: PeriodRange, From: from, To: to}
}

// Comparable returns the last day of p to count and the period before
// with its last day to count. A period still running on today is counted
// up to today, and the one before for as many days (like for like).
func (p Period) Comparable(today Date) (through Date, prev Period, prevThrough Date) {
	prev = p.Previous()
	through, prevThrough = p.To, prev.To
	if p.Contains(today) && today.Before(p.To) {
		through = today
		if n := today.Sub(p.From) + 1; n < prev.Days() {
			prevThrough = prev.From.AddDays(n - 1)
		}
	}
	return through, prev, prevThrough
}

// Bounds returns the instants [start, end) that p covers in loc; across a
// DST change a day is 23 or 25 hours, never a fixed 24.
func (p Period) Bounds(loc *time.Location) (start, end time.Time) {
	return p.From.Start(loc), p.To.AddDays(1).Start(loc)
}
