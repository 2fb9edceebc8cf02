package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"partnerbot/bot"
)

// Duration is a time.Duration written in Go syntax ("30s", "1h30m") or
// with a day suffix ("7d", "1d12h"), since "168h" reads badly in a file.
type Duration time.Duration

// ParseDuration parses Go duration syntax with an optional leading whole
// number of days: "90s", "24h", "7d", "1d12h". Returns EINVALID.
func ParseDuration(s string) (time.Duration, error) {
	bad := bot.Errorf(bot.EINVALID, "%q is not a duration like 30s, 24h or 7d", s)
	t := strings.TrimSpace(s)
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(t, "-")
	if t == "" {
		return 0, bad
	}
	var d time.Duration
	if days, rest, ok := strings.Cut(t, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || days == "" || days[0] < '0' || days[0] > '9' {
			return 0, bad
		}
		if n > int64(math.MaxInt64/(24*time.Hour)) {
			return 0, bot.Errorf(bot.EINVALID, "duration %q is too long", s)
		}
		d = time.Duration(n) * 24 * time.Hour
		t = rest
	}
	if t != "" {
		r, err := time.ParseDuration(t)
		if err != nil || r < 0 || strings.HasPrefix(t, "+") {
			return 0, bad
		}
		if d+r < d {
			return 0, bot.Errorf(bot.EINVALID, "duration %q is too long", s)
		}
		d += r
	}
	if neg {
		d = -d
	}
	return d, nil
}

// String formats d the way a person writes it in the file: "30s", "2h",
// "36h", "7d", "2d12h".
func (d Duration) String() string {
	v := time.Duration(d)
	if v == 0 {
		return "0s"
	}
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
		v = -v
	}
	// Days read better than "168h" from two days up; "24h" and "36h"
	// stay in hours.
	if days := v / (24 * time.Hour); v >= 48*time.Hour {
		fmt.Fprintf(&b, "%dd", days)
		v -= days * 24 * time.Hour
	}
	if v > 0 {
		s := v.String()
		if strings.HasSuffix(s, "m0s") {
			s = s[:len(s)-2]
		}
		if strings.HasSuffix(s, "h0m") {
			s = s[:len(s)-2]
		}
		b.WriteString(s)
	}
	return b.String()
}

// UnmarshalYAML reads a duration; a bare number other than 0 is refused,
// since "30" could mean seconds or minutes.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return bot.Errorf(bot.EINVALID, "expected a duration like 30s, 24h or 7d, got %s", describe(n))
	}
	if n.Value == "0" {
		*d = 0
		return nil
	}
	if n.ShortTag() == "!!int" || n.ShortTag() == "!!float" {
		return bot.Errorf(bot.EINVALID, "%s needs a unit, like %ss, %sh or %sd", n.Value, n.Value, n.Value, n.Value)
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the String form.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// Money is an amount of the program currency written in major units in
// the file ("5000", 5000, "5000.50"). It is kept as text and parsed
// exactly, never through a float, with the currency's minor digits when
// the Config is validated.
type Money struct {
	text     string
	amount   bot.Amount
	digits   int
	resolved bool
}

// NewMoney returns the amount written as text in major units. Until the
// Config is validated it is read with 2 minor digits; Validate re-reads
// it with the program currency's digits and reports it if it is invalid.
func NewMoney(text string) Money {
	m := Money{text: text}
	_ = m.resolve(2) // an invalid text is reported by Validate
	return m
}

func (m *Money) resolve(digits int) error {
	a, err := bot.ParseAmount(m.text, digits)
	if err != nil {
		m.amount, m.resolved = 0, false
		return err
	}
	m.amount, m.digits, m.resolved = a, digits, true
	return nil
}

// Amount returns the amount in minor units.
func (m Money) Amount() bot.Amount { return m.amount }

// String returns the amount in major units with the currency's digits
// ("5000.00"), or the text as written while it does not parse.
func (m Money) String() string {
	if !m.resolved {
		return m.text
	}
	return m.amount.Decimal(m.digits)
}

// UnmarshalYAML keeps the scalar's text for exact parsing by Validate.
func (m *Money) UnmarshalYAML(n *yaml.Node) error {
	switch {
	case n.Kind != yaml.ScalarNode:
		return bot.Errorf(bot.EINVALID, "expected an amount like 5000 or 5000.50, got %s", describe(n))
	case n.ShortTag() != "!!str" && n.ShortTag() != "!!int" && n.ShortTag() != "!!float":
		return bot.Errorf(bot.EINVALID, "expected an amount like 5000 or 5000.50, got %q", n.Value)
	}
	*m = Money{text: n.Value}
	return nil
}

// MarshalYAML writes the amount as a decimal string in major units.
func (m Money) MarshalYAML() (any, error) { return m.String(), nil }
