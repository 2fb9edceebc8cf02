package ingest

import (
	"time"

	"partnerbot/bot"
)

const exampleTime = "2026-11-16T10:15:00+01:00"

// parseTime parses an RFC 3339 time with an offset ("2026-11-16T10:15:00+01:00",
// "…Z", fractional seconds allowed; a space or lower-case t may separate
// date and time, as RFC 3339 permits) and returns it in UTC. A time
// without an offset is refused: it would mean a different instant in every
// time zone, and guessing the zone is how a Monday's sales end up on Sunday.
func parseTime(s string) (time.Time, *bot.Error) {
	norm := s
	if len(norm) > 10 && (norm[10] == ' ' || norm[10] == 't') {
		norm = norm[:10] + "T" + norm[11:]
	}
	if n := len(norm); n > 0 && norm[n-1] == 'z' {
		norm = norm[:n-1] + "Z"
	}
	if t, err := time.Parse(time.RFC3339, norm); err == nil {
		// Keep to times that RFC 3339 can write back in UTC.
		if y := t.UTC().Year(); y < 1 || y > 9999 {
			return time.Time{}, bot.FieldError("at", "time %q is out of range", s)
		}
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if _, err := time.Parse(layout, norm); err == nil {
			return time.Time{}, bot.FieldError("at", "time %q has no offset: an offset like +01:00 or Z is required, as in %s", s, norm+"+01:00")
		}
	}
	if _, err := time.Parse(time.DateOnly, norm); err == nil {
		return time.Time{}, bot.FieldError("at", "%q is a date without a time: write a time with an offset (+01:00 or Z), like %sT00:00:00+01:00", s, norm)
	}
	for _, layout := range []string{"2006-01-02T15:04:05-0700", "2006-01-02T15:04:05-07"} {
		if _, err := time.Parse(layout, norm); err == nil {
			return time.Time{}, bot.FieldError("at", "time %q: write the offset as hours:minutes, like +01:00 (%s)", s, exampleTime)
		}
	}
	return time.Time{}, bot.FieldError("at", "time %q is not an RFC 3339 time with an offset: write it like %s (an offset like +01:00 or Z is required)", s, exampleTime)
}
