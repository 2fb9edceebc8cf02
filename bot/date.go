package bot

import (
	"encoding/json"
	"fmt"
	"time"
)

// Date is a civil date with no time zone: a day in the program's calendar.
// The zero Date is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate parses "2006-01-02". Returns EINVALID.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, Keyed(EINVALID, "bot.date.bad", "date %q is not a date like 2026-11-16", s)
	}
	return DateOf(t, time.UTC), nil
}

// MustDate parses s or panics; for tests and literals.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Date) utc() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String returns "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Start returns the first instant of d in loc. Across a DST change the day
// may be 23 or 25 hours long; Start(loc) of the next day ends it.
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.utc().AddDate(0, 0, n), time.UTC) }

// AddMonths returns the first day of the month n months from d's month.
func (d Date) AddMonths(n int) Date {
	return DateOf(time.Date(d.Year, d.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC), time.UTC)
}

// Sub returns the number of days from e to d.
func (d Date) Sub(e Date) int { return int(d.utc().Sub(e.utc()).Hours() / 24) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Key() < e.Key() }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Key() > e.Key() }

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// ISOWeek returns the ISO year and week of d.
func (d Date) ISOWeek() (year, week int) { return d.utc().ISOWeek() }

// Key returns YYYYMMDD as a number: sortable, readable in a hex dump, and
// the fixed-width day part of storage keys.
func (d Date) Key() uint32 { return uint32(d.Year*10000 + int(d.Month)*100 + d.Day) }

// DateFromKey is the inverse of Key.
func DateFromKey(k uint32) Date {
	return Date{int(k / 10000), time.Month(k / 100 % 100), int(k % 100)}
}

// MarshalJSON writes "2006-01-02", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "2006-01-02" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Errorf(EINVALID, "date must be a string like 2026-11-16")
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
