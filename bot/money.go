package bot

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amount is money in minor units (grosze, cents) of the program's currency.
// It is never a float: amounts are parsed from decimal text exactly.
type Amount int64

// Currency is an ISO 4217 code with the number of its minor-unit digits.
type Currency struct {
	Code   string
	Digits int
}

// minorDigits lists the currencies whose minor unit is not hundredths.
var minorDigits = map[string]int{
	"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0,
	"BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3,
}

// LookupCurrency returns the currency for an ISO 4217 code. Returns
// EINVALID when code is not three upper-case letters.
func LookupCurrency(code string) (Currency, error) {
	if len(code) != 3 || strings.ToUpper(code) != code || strings.IndexFunc(code, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return Currency{}, Keyed(EINVALID, "bot.currency.bad", "currency %q is not an ISO 4217 code like PLN or EUR", code)
	}
	d, ok := minorDigits[code]
	if !ok {
		d = 2
	}
	return Currency{Code: code, Digits: d}, nil
}

// ParseAmount parses a decimal amount in major units ("129.99", "129,99",
// "-5", "1200") into minor units with exactly digits fraction digits.
// Either '.' or ',' may separate the fraction; grouping separators,
// exponents and more fraction digits than the currency has (other than
// trailing zeros) are refused rather than rounded. Returns EINVALID.
func ParseAmount(s string, digits int) (Amount, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, Keyed(EINVALID, "bot.amount.empty", "empty amount")
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexAny(s, ".,"); i >= 0 {
		intPart, frac = s[:i], s[i+1:]
		if strings.ContainsAny(frac, ".,") {
			return 0, Keyed(EINVALID, "bot.amount.grouping", "amount %q: use one decimal separator and no grouping, like 1234.56", orig)
		}
		if frac == "" {
			return 0, Keyed(EINVALID, "bot.amount.no_minor", "amount %q has no digits after the decimal separator", orig)
		}
	}
	if intPart == "" {
		return 0, Keyed(EINVALID, "bot.amount.no_major", "amount %q has no digits before the decimal separator", orig)
	}
	if !allDigits(intPart) || !allDigits(frac) {
		return 0, Keyed(EINVALID, "bot.amount.bad", "amount %q is not a plain decimal number like 129.99", orig)
	}
	trimmed := strings.TrimRight(frac, "0")
	if len(trimmed) > digits {
		return 0, Keyed(EINVALID, "bot.amount.places", "amount %q has more than %d decimal places", orig, digits)
	}
	frac += strings.Repeat("0", digits)
	frac = frac[:digits]
	v, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil || v > math.MaxInt64/4 {
		// The headroom keeps sums of many amounts from overflowing.
		return 0, Keyed(EINVALID, "bot.amount.large", "amount %q is too large", orig)
	}
	if neg {
		v = -v
	}
	return Amount(v), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Decimal formats a in major units with digits fraction digits and '.' as
// the separator ("6000.00", "-0.50"): the machine form used in JSON.
func (a Amount) Decimal(digits int) string {
	neg := a < 0
	u := uint64(a)
	if neg {
		u = uint64(-a)
	}
	s := strconv.FormatUint(u, 10)
	if digits > 0 {
		if len(s) <= digits {
			s = strings.Repeat("0", digits-len(s)+1) + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Format formats a for people in the given locale: "1 234,56 zł" in
// Polish, "PLN 1,234.56" in English.
func (c Currency) Format(a Amount, locale Locale) string {
	dec := a.Decimal(c.Digits)
	neg := strings.HasPrefix(dec, "-")
	dec = strings.TrimPrefix(dec, "-")
	intPart, frac, _ := strings.Cut(dec, ".")
	groupSep, fracSep := ",", "."
	if locale == LocalePL {
		groupSep, fracSep = " ", ","
	}
	// Plain spaces rather than U+00A0: what people type and what tests
	// and search compare against.
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(groupSep)
		}
		b.WriteRune(r)
	}
	num := b.String()
	if frac != "" {
		num += fracSep + frac
	}
	if neg {
		num = "-" + num
	}
	if locale == LocalePL {
		sym := c.Code
		if c.Code == "PLN" {
			sym = "zł"
		}
		return num + " " + sym
	}
	return c.Code + " " + num
}

// String returns the amount in major units with two decimals; for logs.
func (a Amount) String() string { return a.Decimal(2) }

// GoString keeps %#v readable in test failures.
func (a Amount) GoString() string { return fmt.Sprintf("Amount(%d)", int64(a)) }
