package i18n

import (
	"testing"

	"partnerbot/bot"
)

func TestN(t *testing.T) {
	tests := []struct {
		n    int64
		noun string
		pl   string
		en   string
	}{
		{0, "sale", "0 transakcji", "0 sales"},
		{1, "sale", "1 transakcja", "1 sale"},
		{2, "sale", "2 transakcje", "2 sales"},
		{4, "sale", "4 transakcje", "4 sales"},
		{5, "sale", "5 transakcji", "5 sales"},
		{12, "sale", "12 transakcji", "12 sales"},
		{14, "sale", "14 transakcji", "14 sales"},
		{22, "sale", "22 transakcje", "22 sales"},
		{25, "sale", "25 transakcji", "25 sales"},
		{112, "click", "112 kliknięć", "112 clicks"},
		{1234, "click", "1 234 kliknięcia", "1,234 clicks"},
		{1, "day", "1 dzień", "1 day"},
		{7, "day", "7 dni", "7 days"},
		{3, "partner", "3 partnerów", "3 partners"},
	}
	for _, tt := range tests {
		if got := N(bot.LocalePL, tt.n, tt.noun); got != tt.pl {
			t.Errorf("N(pl, %d, %s) = %q, want %q", tt.n, tt.noun, got, tt.pl)
		}
		if got := N(bot.LocaleEN, tt.n, tt.noun); got != tt.en {
			t.Errorf("N(en, %d, %s) = %q, want %q", tt.n, tt.noun, got, tt.en)
		}
	}
}

func TestFormats(t *testing.T) {
	pln := bot.Currency{Code: "PLN", Digits: 2}
	if got := Money(bot.LocalePL, pln, 123456); got != "1 234,56 zł" {
		t.Errorf("money pl %q", got)
	}
	if got := Money(bot.LocaleEN, pln, 123456); got != "PLN 1,234.56" {
		t.Errorf("money en %q", got)
	}
	for _, tt := range []struct {
		pct    float64
		pl, en string
	}{{12.5, "+12,5%", "+12.5%"}, {-3, "−3%", "−3%"}, {0, "0%", "0%"}} {
		if got := Percent(bot.LocalePL, tt.pct); got != tt.pl {
			t.Errorf("percent pl %v = %q", tt.pct, got)
		}
		if got := Percent(bot.LocaleEN, tt.pct); got != tt.en {
			t.Errorf("percent en %v = %q", tt.pct, got)
		}
	}
	d := bot.MustDate("2026-11-22")
	if got := Date(bot.LocalePL, d); got != "22 listopada 2026" {
		t.Errorf("date pl %q", got)
	}
	if got := Date(bot.LocaleEN, d); got != "22 November 2026" {
		t.Errorf("date en %q", got)
	}
	p, _ := bot.ParsePeriod("2026-W47", d)
	if got := Period(bot.LocalePL, p); got != "tydzień 47 (16–22 listopada)" {
		t.Errorf("week pl %q", got)
	}
	p, _ = bot.ParsePeriod("2026-11", d)
	if got := Period(bot.LocalePL, p); got != "listopad 2026" {
		t.Errorf("month pl %q", got)
	}
	if got := Span(bot.LocaleEN, bot.MustDate("2026-10-28"), bot.MustDate("2026-11-03")); got != "28 October – 3 November" {
		t.Errorf("span en %q", got)
	}
}

func TestTranslationsComplete(t *testing.T) {
	for k, v := range texts {
		if v[0] == "" || v[1] == "" {
			t.Errorf("text %q lacks a language: %q", k, v)
		}
	}
}
