package i18n

import (
	"time"

	"partnerbot/bot"
)

// Ref is an error argument that is itself a catalogue text: rendered in
// the reader's language, as T(l, string(ref)).
type Ref string

// ErrorText writes a user error in l: the catalogue text of its Key with
// its Args, each argument written the way l writes it (a Date, a Period,
// a time, a nested *bot.Error, a Ref). ok is false when the error has no
// text in the catalogue: English readers then get its Message, Polish
// readers a general sentence for its code, never English, and the caller
// should log the gap.
func ErrorText(l bot.Locale, e *bot.Error) (text string, ok bool) {
	if e.Key != "" && Has(e.Key) {
		return T(l, e.Key, errorArgs(l, e.Args)...), true
	}
	if l != bot.LocalePL {
		return e.Message, false
	}
	if k := "err.general." + e.Code; Has(k) {
		return T(l, k), false
	}
	return T(l, "err.general.invalid"), false
}

func errorArgs(l bot.Locale, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case *bot.Error:
			out[i], _ = ErrorText(l, v)
		case Ref:
			out[i] = T(l, string(v))
		case bot.Date:
			out[i] = Date(l, v)
		case bot.Period:
			out[i] = Period(l, v)
		case time.Time:
			out[i] = v.Format("2006-01-02 15:04")
		default:
			out[i] = a
		}
	}
	return out
}

// The domain's errors (package bot cannot import this one, so its texts
// live here), and the general sentences for errors without a text.
func init() {
	Add(map[string]Text{
		"err.general.invalid":      {"That input is not valid; see /help.", "Tych danych nie da się przyjąć; sprawdź /help."},
		"err.general.not_found":    {"Nothing was found for that; check the id or code.", "Nie ma takiego wpisu; sprawdź identyfikator albo kod."},
		"err.general.conflict":     {"That clashes with what is already stored; nothing was changed.", "To koliduje z tym, co już zapisano; niczego nie zmieniono."},
		"err.general.unauthorized": {"You may not do that.", "Nie masz do tego uprawnień."},
		"err.general.no_rate":      {"There is no exchange rate for that day, so the amount cannot be converted; ask the program's administrator to set one.", "Brakuje kursu waluty na ten dzień, więc kwoty nie da się przeliczyć; poproś administratora programu o ustawienie kursu."},

		"bot.period.bad":        {"I don't understand the period “%s” (%s). Use month (default), week, 2026-11, 2026-W47, 2026-Q4, 2026, 30d or 2026-11-01..2026-11-15.", "Nie rozumiem okresu „%s” (%s). Użyj: miesiąc (domyślnie), tydzień, 2026-11, 2026-W47, 2026-Q4, 2026, 30d albo 2026-11-01..2026-11-15."},
		"bot.period.year_range": {"year out of range", "rok spoza zakresu 2000–2200"},
		"bot.period.no_month":   {"no such month", "nie ma takiego miesiąca"},
		"bot.period.weeks":      {"%d has weeks 1 to %d", "rok %d ma tygodnie od 1 do %d"},
		"bot.period.days":       {"the number of days must be 1 to %d", "liczba dni musi wynosić od 1 do %d"},
		"bot.period.dates":      {"dates must look like 2026-11-01", "daty zapisuje się jak 2026-11-01"},
		"bot.period.reversed":   {"the end is before the start", "koniec jest przed początkiem"},
		"bot.period.too_long":   {"the range is too long", "zakres jest za długi"},
		"bot.period.unknown":    {"not a period", "nieznany zapis"},

		"bot.date.bad":        {"date %q is not a date like 2026-11-16", "„%s” nie jest datą; zapisz ją jak 2026-11-16."},
		"bot.currency.bad":    {"currency %q is not an ISO 4217 code like PLN or EUR", "„%s” nie jest kodem waluty ISO 4217, takim jak PLN albo EUR."},
		"bot.amount.empty":    {"empty amount", "Brakuje kwoty."},
		"bot.amount.grouping": {"amount %q: use one decimal separator and no grouping, like 1234.56", "Kwota „%s”: użyj jednego separatora dziesiętnego i bez odstępów między tysiącami, np. 1234.56."},
		"bot.amount.no_minor": {"amount %q has no digits after the decimal separator", "Kwota „%s” nie ma cyfr po separatorze dziesiętnym."},
		"bot.amount.no_major": {"amount %q has no digits before the decimal separator", "Kwota „%s” nie ma cyfr przed separatorem dziesiętnym."},
		"bot.amount.bad":      {"amount %q is not a plain decimal number like 129.99", "Kwota „%s” nie jest zwykłą liczbą dziesiętną, taką jak 129.99."},
		"bot.amount.places":   {"amount %q has more than %d decimal places", "Kwota „%s” ma więcej miejsc po przecinku niż %d."},
		"bot.amount.large":    {"amount %q is too large", "Kwota „%s” jest za duża."},
		"bot.event.future":    {"time %s is in the future", "Czas %s jest w przyszłości."},
	})
}

// UserError returns an error a chat user may see, written by the catalogue
// text key with args: its Message is the English text (for logs, the API
// and the CLI), and ErrorText writes it in the reader's language.
func UserError(code, key string, args ...any) *bot.Error {
	e := &bot.Error{Code: code, Key: key, Args: args}
	e.Message, _ = ErrorText(bot.LocaleEN, e)
	return e
}
