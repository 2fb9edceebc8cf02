// Package i18n speaks Polish and English: message texts by key, plural
// forms (Polish has three), and numbers, money, percentages and dates
// written the way each language writes them.
package i18n

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"partnerbot/bot"
)

// T returns the text for key in locale, formatted with args like
// fmt.Sprintf (translations may reorder arguments with %[2]s). A missing
// Polish text falls back to English; a missing key shows itself, so a
// gap is visible rather than silent.
func T(l bot.Locale, key string, args ...any) string {
	tr, ok := texts[key]
	if !ok {
		return "[" + key + "]"
	}
	f := tr[0]
	if l == bot.LocalePL && tr[1] != "" {
		f = tr[1]
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// Has reports whether key has a text.
func Has(key string) bool { _, ok := texts[key]; return ok }

// Text is one sentence as a fmt format: English first, then Polish.
type Text [2]string

type text = Text

// texts holds every sentence partnerbot says, registered by the packages
// that say them.
var texts = map[string]text{}

// Add registers texts; each package that speaks calls it from init, with
// keys prefixed by its feature ("mystats.title"). A key registered twice
// panics at start, never at the moment a partner asks.
func Add(m map[string]Text) {
	for k, v := range m {
		if _, dup := texts[k]; dup {
			panic("i18n: duplicate key " + k)
		}
		texts[k] = v
	}
}

// PluralForm picks a form for n: English has one and other; Polish has
// one (1), few (2-4, 22-24, … but not 12-14) and many (the rest).
func PluralForm(l bot.Locale, n int64, one, few, many string) string {
	if n < 0 {
		n = -n
	}
	if l != bot.LocalePL {
		if n == 1 {
			return one
		}
		return many
	}
	switch {
	case n == 1:
		return one
	case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
		return few
	}
	return many
}

// nouns holds countable words: English one/other, Polish one/few/many.
var nouns = map[string]struct {
	en [2]string
	pl [3]string
}{
	"sale":      {[2]string{"sale", "sales"}, [3]string{"transakcja", "transakcje", "transakcji"}},
	"click":     {[2]string{"click", "clicks"}, [3]string{"kliknięcie", "kliknięcia", "kliknięć"}},
	"signup":    {[2]string{"signup", "signups"}, [3]string{"rejestracja", "rejestracje", "rejestracji"}},
	"partner":   {[2]string{"partner", "partners"}, [3]string{"partner", "partnerów", "partnerów"}},
	"day":       {[2]string{"day", "days"}, [3]string{"dzień", "dni", "dni"}},
	"week":      {[2]string{"week", "weeks"}, [3]string{"tydzień", "tygodnie", "tygodni"}},
	"month":     {[2]string{"month", "months"}, [3]string{"miesiąc", "miesiące", "miesięcy"}},
	"year":      {[2]string{"year", "years"}, [3]string{"rok", "lata", "lat"}},
	"promotion": {[2]string{"promotion", "promotions"}, [3]string{"promocja", "promocje", "promocji"}},
	"attempt":   {[2]string{"attempt", "attempts"}, [3]string{"próba", "próby", "prób"}},
	"hour":      {[2]string{"hour", "hours"}, [3]string{"godzina", "godziny", "godzin"}},
	"time":      {[2]string{"time", "times"}, [3]string{"raz", "razy", "razy"}},
}

// N writes "n noun" with the right plural: "1 sale", "5 transakcji",
// "22 transakcje", "1 234 kliknięcia".
func N(l bot.Locale, n int64, noun string) string {
	return Int(l, n) + " " + Word(l, n, noun)
}

// Word returns the plural form of noun for n without the number.
func Word(l bot.Locale, n int64, noun string) string {
	w, ok := nouns[noun]
	if !ok {
		return noun
	}
	if l == bot.LocalePL {
		return PluralForm(l, n, w.pl[0], w.pl[1], w.pl[2])
	}
	return PluralForm(l, n, w.en[0], "", w.en[1])
}

// Int writes an integer with the locale's grouping: "1 234" in Polish,
// "1,234" in English (as money is written, so a report reads evenly).
func Int(l bot.Locale, n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := ","
	if l == bot.LocalePL {
		sep = " "
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Money writes an amount in the locale: "1 234,56 zł", "PLN 1,234.56".
func Money(l bot.Locale, c bot.Currency, a bot.Amount) string { return c.Format(a, l) }

// Percent writes a signed change with one decimal: "+12,5%" / "+12.5%".
func Percent(l bot.Locale, pct float64) string {
	s := strconv.FormatFloat(math.Abs(pct), 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if l == bot.LocalePL {
		s = strings.Replace(s, ".", ",", 1)
	}
	switch {
	case pct > 0:
		return "+" + s + "%"
	case pct < 0:
		return "−" + s + "%"
	}
	return "0%"
}

// Change writes the change from prev to cur after a figure: " ↑ +12,5%",
// " ↓ −3%", or nothing when there is nothing to compare with.
func Change(l bot.Locale, cur, prev int64) string {
	pct, ok := bot.Change(cur, prev)
	if !ok {
		return ""
	}
	switch {
	case pct > 0:
		return " ↑ " + Percent(l, pct)
	case pct < 0:
		return " ↓ " + Percent(l, pct)
	}
	// "→ 0%" reads like a broken figure; say it in words.
	return " → " + T(l, "stats.no_change")
}

var (
	monthsEN   = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	monthsPL   = [12]string{"styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień", "wrzesień", "październik", "listopad", "grudzień"}
	monthsPLGn = [12]string{"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"}
	weekdaysPL = [7]string{"niedziela", "poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota"}
)

// Date writes a date: "22 listopada 2026", "22 November 2026".
func Date(l bot.Locale, d bot.Date) string {
	if l == bot.LocalePL {
		return fmt.Sprintf("%d %s %d", d.Day, monthsPLGn[d.Month-1], d.Year)
	}
	return fmt.Sprintf("%d %s %d", d.Day, monthsEN[d.Month-1], d.Year)
}

// ShortDate writes a date without the year: "22 listopada", "22 November".
func ShortDate(l bot.Locale, d bot.Date) string {
	if l == bot.LocalePL {
		return fmt.Sprintf("%d %s", d.Day, monthsPLGn[d.Month-1])
	}
	return fmt.Sprintf("%d %s", d.Day, monthsEN[d.Month-1])
}

// MonthName writes a month in the nominative: "listopad 2026",
// "November 2026".
func MonthName(l bot.Locale, y int, m time.Month) string {
	if l == bot.LocalePL {
		return fmt.Sprintf("%s %d", monthsPL[m-1], y)
	}
	return fmt.Sprintf("%s %d", monthsEN[m-1], y)
}

// Weekday writes a day of the week.
func Weekday(l bot.Locale, d time.Weekday) string {
	if l == bot.LocalePL {
		return weekdaysPL[d]
	}
	return d.String()
}

// DateTime writes an instant in loc: "25 listopada, 09:00" /
// "25 November, 09:00".
func DateTime(l bot.Locale, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return ShortDate(l, bot.DateOf(t, loc)) + ", " + t.Format("15:04")
}

// When writes an instant for a start: the date alone at local midnight
// ("25 listopada"), else with the time ("25 listopada, 09:00").
func When(l bot.Locale, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return ShortDate(l, bot.DateOf(t, loc))
	}
	return DateTime(l, t, loc)
}

// Until writes an instant for an end: an end at local midnight is the end
// of the day before ("until 1 December", not "until 2 December, 00:00").
func Until(l bot.Locale, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return ShortDate(l, bot.DateOf(t, loc).AddDays(-1))
	}
	return DateTime(l, t, loc)
}

// Period names a period for people: "listopad 2026", "tydzień 47 (16–22
// listopada)", "IV kwartał 2026", "2026", "ostatnie 30 dni", "1–15 listopada".
func Period(l bot.Locale, p bot.Period) string {
	switch p.Kind {
	case bot.PeriodMonth:
		return MonthName(l, p.From.Year, p.From.Month)
	case bot.PeriodWeek:
		_, w := p.From.ISOWeek()
		return T(l, "period.week", w, Span(l, p.From, p.To))
	case bot.PeriodQuarter:
		return T(l, "period.quarter", (int(p.From.Month)-1)/3+1, p.From.Year)
	case bot.PeriodYear:
		return strconv.Itoa(p.From.Year)
	case bot.PeriodDays:
		return T(l, "period.days", N(l, int64(p.Days()), "day"))
	}
	return Span(l, p.From, p.To)
}

// Span writes a run of days compactly: "16–22 listopada", "28 października
// – 3 listopada", "16–22 November 2026" style without repeating what both
// ends share.
func Span(l bot.Locale, a, b bot.Date) string {
	switch {
	case a == b:
		return ShortDate(l, a)
	case a.Year == b.Year && a.Month == b.Month:
		if l == bot.LocalePL {
			return fmt.Sprintf("%d–%d %s", a.Day, b.Day, monthsPLGn[b.Month-1])
		}
		return fmt.Sprintf("%d–%d %s", a.Day, b.Day, monthsEN[b.Month-1])
	case a.Year == b.Year:
		return ShortDate(l, a) + " – " + ShortDate(l, b)
	}
	return Date(l, a) + " – " + Date(l, b)
}

func init() {
	Add(map[string]Text{
		"period.week":    {"week %d (%s)", "tydzień %d (%s)"},
		"period.quarter": {"Q%d %d", "%d. kwartał %d"},
		"period.days":    {"the last %s", "ostatnie %s"},
	})
}

// Keys returns every registered key; tests check translations are whole.
func Keys() []string {
	ks := make([]string, 0, len(texts))
	for k := range texts {
		ks = append(ks, k)
	}
	return ks
}

// Lookup returns the text registered for key.
func Lookup(key string) (Text, bool) { t, ok := texts[key]; return t, ok }
