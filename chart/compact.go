package chart

import (
	"strconv"
	"strings"

	"partnerbot/bot"
)

// compactUnits are the steps of CompactMoney, smallest first: the divisor
// in major units and its abbreviation in Polish and English.
var compactUnits = [...]struct {
	major  uint64
	pl, en string
}{
	{1_000, "tys.", "k"},
	{1_000_000, "mln", "M"},
	{1_000_000_000, "mld", "B"},
}

// CompactMoney writes an amount short enough for an axis label: whole
// major units below a thousand, otherwise thousands, millions or billions
// with at most one decimal, trailing ",0" dropped. Polish: "950 zł",
// "6 tys. zł", "12,5 tys. zł", "1,2 mln zł"; English: "PLN 950",
// "PLN 6k", "PLN 12.5k", "PLN 1.2M". Values round half away from zero,
// and a rounding that reaches the next unit moves to it (999 960 zł is
// "1 mln zł", not "1000 tys. zł"). A zero Currency is taken as PLN, as the
// configuration defaults to it.
func CompactMoney(l bot.Locale, c bot.Currency, a bot.Amount) string {
	if c.Code == "" {
		c = bot.Currency{Code: "PLN", Digits: 2}
	}
	neg := a < 0
	u := uint64(a)
	if neg {
		u = -u // two's complement: right for math.MinInt64 too
	}
	minor := pow10(c.Digits)

	// Whole major units below a thousand; otherwise each unit (a thousand
	// times the one before) is used when the value, as written in the
	// unit before, reaches a thousand.
	shown := (u + minor/2) / minor
	num, suffix := group(strconv.FormatUint(shown, 10), l), ""
	for _, cu := range compactUnits {
		if shown < 1000 {
			break
		}
		tenth := cu.major * minor / 10
		t := (u + tenth/2) / tenth
		num, shown = decimalTenths(t, l), t/10
		suffix = cu.en
		if l == bot.LocalePL {
			suffix = cu.pl
		}
	}
	if neg && num != "0" {
		num = "-" + num
	}
	if l == bot.LocalePL {
		sym := c.Code
		if c.Code == "PLN" {
			sym = "zł"
		}
		if suffix != "" {
			return num + " " + suffix + " " + sym
		}
		return num + " " + sym
	}
	return c.Code + " " + num + suffix
}

// decimalTenths writes t/10 with one decimal unless it is whole, with the
// locale's decimal separator and grouping.
func decimalTenths(t uint64, l bot.Locale) string {
	s := group(strconv.FormatUint(t/10, 10), l)
	if f := t % 10; f != 0 {
		sep := "."
		if l == bot.LocalePL {
			sep = ","
		}
		s += sep + strconv.FormatUint(f, 10)
	}
	return s
}

// group inserts the locale's thousands separator, as bot.Currency.Format
// does: a plain space in Polish, a comma in English.
func group(digits string, l bot.Locale) string {
	if len(digits) <= 3 {
		return digits
	}
	sep := ","
	if l == bot.LocalePL {
		sep = " "
	}
	var b strings.Builder
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}

func pow10(n int) uint64 {
	p := uint64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}
