package i18n_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/i18n"
	"partnerbot/store"
)

// TestErrorText reads the errors a chat user can meet, made by the code
// that makes them, in each language; the Message, which the API and the
// CLI show, stays English.
func TestErrorText(t *testing.T) {
	ctx := context.Background()
	waw, _ := time.LoadLocation("Europe/Warsaw")
	now := time.Date(2026, 11, 22, 15, 30, 0, 0, waw)
	st, err := store.Open(filepath.Join(t.TempDir(), "e.db"), store.Options{Location: waw, Clock: bot.NewManualClock(now)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	today := bot.DateOf(now, waw)
	second := func(_ any, err error) error { return err }
	pln := bot.Currency{Code: "PLN", Digits: 2}

	for _, tt := range []struct {
		name    string
		err     error
		message string // the English Message, as the API shows it
		pl, en  string
	}{
		{"no such month", second(bot.ParsePeriod("2026-13", today)),
			`period "2026-13": no such month (use ` + bot.PeriodSyntax + `)`,
			"Nie rozumiem okresu „2026-13” (nie ma takiego miesiąca). Użyj: miesiąc (domyślnie), tydzień",
			"I don't understand the period “2026-13” (no such month). Use month (default), week"},
		{"no such week", second(bot.ParsePeriod("2026-W60", today)),
			`period "2026-W60": 2026 has weeks 1 to 53 (use ` + bot.PeriodSyntax + `)`,
			"(rok 2026 ma tygodnie od 1 do 53)", "(2026 has weeks 1 to 53)"},
		{"too many days", second(bot.ParsePeriod("9999d", today)), "",
			"(liczba dni musi wynosić od 1 do", "(the number of days must be 1 to"},
		{"reversed range", second(bot.ParsePeriod("2026-12-01..2026-11-01", today)), "",
			"(koniec jest przed początkiem)", "(the end is before the start)"},
		{"not a period", second(bot.ParsePeriod("wczoraj", today)), "",
			"Nie rozumiem okresu „wczoraj” (nieznany zapis)", "I don't understand the period “wczoraj” (not a period)"},
		{"bad date", second(bot.ParseDate("2026-02-30")), `date "2026-02-30" is not a date like 2026-11-16`,
			"„2026-02-30” nie jest datą; zapisz ją jak 2026-11-16.", `date "2026-02-30" is not a date like 2026-11-16`},
		{"bad currency", second(bot.LookupCurrency("zl")), `currency "zl" is not an ISO 4217 code like PLN or EUR`,
			"„zl” nie jest kodem waluty ISO 4217, takim jak PLN albo EUR.", `currency "zl" is not an ISO 4217 code like PLN or EUR`},
		{"grouped amount", second(bot.ParseAmount("1,234.50", 2)), "",
			"Kwota „1,234.50”: użyj jednego separatora dziesiętnego", `amount "1,234.50": use one decimal separator`},
		{"empty amount", second(bot.ParseAmount("", 2)), "empty amount", "Brakuje kwoty.", "empty amount"},
		{"too many decimals", second(bot.ParseAmount("1.234", 2)), `amount "1.234" has more than 2 decimal places`,
			"Kwota „1.234” ma więcej miejsc po przecinku niż 2.", `amount "1.234" has more than 2 decimal places`},
		{"huge amount", second(bot.ParseAmount("99999999999999999999", 2)), "", "Kwota „99999999999999999999” jest za duża.", "is too large"},
		{"unknown partner", second(st.Partner(ctx, "nobody")), `partner "nobody" not found`,
			"Nie ma partnera o identyfikatorze „nobody”.", `partner "nobody" not found`},
		{"unknown manager", second(st.Manager(ctx, "nobody")), `manager "nobody" not found`,
			"Nie ma opiekuna o identyfikatorze „nobody”.", `manager "nobody" not found`},
		{"unknown promotion", second(st.Promotion(ctx, "nothing")), `promotion "nothing" not found`,
			"Nie ma promocji o identyfikatorze „nothing”.", `promotion "nothing" not found`},
		{"unknown link code", second(st.RedeemLinkCode(ctx, "ZZZZ-0000", "slack", "U1", now)), "",
			"Ten kod jest nieznany albo został już wykorzystany.", "unknown or used link code"},
		{"unlinked account", second(st.IdentityOf(ctx, "slack", "U1")), "slack user U1 is not linked",
			"Konto U1 (slack) nie jest jeszcze połączone z programem.", "slack user U1 is not linked"},
		{"future period", second(st.StatsAt(ctx, "nobody", bot.MonthPeriod(2027, time.May), now, pln)),
			"period 2027-05 has not started yet: it begins on 2027-05-01",
			"Ten okres (maj 2027) jeszcze się nie zaczął: początek 1 maja 2027.", "period May 2027 has not started yet: it begins on 1 May 2027"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := bot.AsError(tt.err)
			if e == nil || e.Key == "" {
				t.Fatalf("not a keyed error: %#v", tt.err)
			}
			if tt.message != "" && e.Message != tt.message {
				t.Errorf("Message = %q, want %q", e.Message, tt.message)
			}
			if strings.ContainsAny(e.Message, "ąćęłńóśźż„”") {
				t.Errorf("Message is not English: %q", e.Message)
			}
			for _, c := range []struct {
				l    bot.Locale
				want string
			}{{bot.LocalePL, tt.pl}, {bot.LocaleEN, tt.en}} {
				got, ok := i18n.ErrorText(c.l, e)
				if !ok || !strings.Contains(got, c.want) {
					t.Errorf("%s: %q (ok %v), want it to contain %q", c.l, got, ok, c.want)
				}
			}
		})
	}
}

// An error without a text reads as a general sentence in Polish, never in
// English, and as its Message in English; the caller learns of the gap.
func TestErrorTextFallback(t *testing.T) {
	for _, tt := range []struct {
		code, pl string
	}{
		{bot.EINVALID, "Tych danych nie da się przyjąć"},
		{bot.ENOTFOUND, "Nie ma takiego wpisu"},
		{bot.ECONFLICT, "koliduje"},
		{bot.ENORATE, "Brakuje kursu waluty"},
		{"made_up", "Tych danych nie da się przyjąć"},
	} {
		e := bot.Errorf(tt.code, "job %s never ran", "digest")
		if got, ok := i18n.ErrorText(bot.LocalePL, e); ok || !strings.Contains(got, tt.pl) {
			t.Errorf("%s in Polish: %q (ok %v), want %q", tt.code, got, ok, tt.pl)
		}
		if got, ok := i18n.ErrorText(bot.LocaleEN, e); ok || got != "job digest never ran" {
			t.Errorf("%s in English: %q (ok %v)", tt.code, got, ok)
		}
	}
	// A key with no text is a gap too, not "[key]".
	e := bot.Keyed(bot.ENOTFOUND, "no.such.key", "thing %q not found", "x")
	if got, ok := i18n.ErrorText(bot.LocalePL, e); ok || strings.Contains(got, "no.such.key") {
		t.Errorf("missing key in Polish: %q (ok %v)", got, ok)
	}
}

func init() {
	i18n.Add(map[string]i18n.Text{"test.user_error": {"From %s (%s), %s: %s", "Od %s (%s), %s: %s"}})
}

// UserError keeps English for the logs and the API, and renders its
// arguments (a Ref, a Period, a Date, a nested error) per language.
func TestUserError(t *testing.T) {
	inner := bot.Keyed(bot.EINVALID, "bot.amount.empty", "empty amount")
	e := i18n.UserError(bot.EINVALID, "test.user_error", bot.Date{Year: 2026, Month: time.May, Day: 1}, bot.MonthPeriod(2026, time.May), i18n.Ref("tier.gold"), inner)
	if want := "From 1 May 2026 (May 2026), Gold: empty amount"; e.Message != want {
		t.Errorf("Message = %q, want %q", e.Message, want)
	}
	if got, _ := i18n.ErrorText(bot.LocalePL, e); got != "Od 1 maja 2026 (maj 2026), Złoty: Brakuje kwoty." {
		t.Errorf("Polish: %q", got)
	}
}
