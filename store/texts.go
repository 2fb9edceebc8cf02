package store

import (
	"partnerbot/bot"
	"partnerbot/i18n"
)

// The store's errors that can reach a chat user, in both languages. The
// English text is the error's Message too, which the API and the CLI
// show; the chat shows the text in the user's language.
func init() {
	i18n.Add(map[string]i18n.Text{
		"store.not_found.partner":   {"partner %q not found", "Nie ma partnera o identyfikatorze „%s”."},
		"store.not_found.manager":   {"manager %q not found", "Nie ma opiekuna o identyfikatorze „%s”."},
		"store.not_found.promotion": {"promotion %q not found", "Nie ma promocji o identyfikatorze „%s”."},
		"store.not_found.link_code": {"link code %q not found", "Nie ma kodu „%s”."},
		"store.link_code.unknown":   {"unknown or used link code", "Ten kod jest nieznany albo został już wykorzystany."},
		"store.link_code.expired":   {"link code expired", "Ten kod wygasł; poproś opiekuna o nowy."},
		"store.link_code.exists":    {"link code exists", "Taki kod już istnieje."},
		"store.link.platform":       {"cannot link a %s account", "Nie da się połączyć konta z platformy %s."},
		"store.referral_code":       {"no partner has referral code %q", "Żaden partner nie ma kodu polecającego „%s”."},
		"store.not_linked":          {"%s user %s is not linked", "Konto %[2]s (%[1]s) nie jest jeszcze połączone z programem."},
		"store.outbox.not_found":    {"That message is gone (%v).", "Tej wiadomości już nie ma (%v)."},
		"store.period_future":       {"period %s has not started yet: it begins on %s", "Ten okres (%s) jeszcze się nie zaczął: początek %s. Wybierz okres, który trwa albo już minął."},
		"store.no_rate": {"no %s rate is in force on %s, so the amount cannot be converted to %s: set one with `partnerbot rates set %s RATE --from %s` or PUT /api/v1/rates/%s",
			"Brakuje kursu %[1]s na dzień %[2]s, więc kwoty nie da się przeliczyć na %[3]s. Administrator programu ustawi go poleceniem `partnerbot rates set %[4]s KURS --from %[5]s` albo przez PUT /api/v1/rates/%[6]s."},
		"store.ledger_full": {"this request would take the money partnerbot keeps past the largest sum it can add up exactly (%s in minor units); nothing was stored: check the amounts (are they in major units, like 129.99?)",
			"Po tym żądaniu suma kwot przekroczyłaby największą, jaką partnerbot liczy dokładnie (%s w najmniejszych jednostkach waluty); niczego nie zapisano. Sprawdź kwoty: czy są podane w pełnych jednostkach, np. 129.99?"},
	})
}

// notFound is ENOTFOUND for a record the store names by what and id.
func notFound(what, id string) *bot.Error {
	switch what {
	case "partner", "manager", "promotion":
		return bot.Keyed(bot.ENOTFOUND, "store.not_found."+what, what+" %q not found", id)
	case "link code":
		return bot.Keyed(bot.ENOTFOUND, "store.not_found.link_code", "link code %q not found", id)
	}
	return bot.Errorf(bot.ENOTFOUND, "%s %q not found", what, id)
}
