package commands

import "partnerbot/i18n"

func init() {
	i18n.Add(map[string]i18n.Text{
		"err.unknown_command":    {"I don't know the command %s. Try /help.", "Nie znam polecenia %s. Wpisz /help."},
		"err.missing_arg":        {"Missing %s. Usage: %s", "Brakuje argumentu %s. Użycie: %s"},
		"err.partners_only":      {"%s is for partners: it shows a partner's own numbers. As a manager, try /partner ID.", "%s jest dla partnerów: pokazuje ich własne wyniki. Jako opiekun użyj /partner ID."},
		"err.managers_only":      {"%s is for account managers.", "%s jest dla opiekunów partnerów."},
		"err.unknown_user.title": {"Let's connect your account", "Połączmy Twoje konto"},
		"err.unknown_user": {"I don't know this chat account yet. Ask your account manager for a link code and type /link CODE here; from then on /mystats, /referral and the others show your own numbers.",
			"Nie znam jeszcze tego konta. Poproś swojego opiekuna o kod i wpisz tutaj /link KOD; od tej chwili /mystats, /referral i pozostałe polecenia pokażą Twoje wyniki."},
		"err.timeout":        {"That took too long; please try again in a moment.", "To trwało za długo; spróbuj ponownie za chwilę."},
		"err.internal":       {"Something went wrong on my side; it has been logged. Please try again later.", "Coś poszło nie tak po mojej stronie; zapisałem to. Spróbuj ponownie później."},
		"err.unknown_action": {"This button no longer works; run the command again.", "Ten przycisk już nie działa; uruchom polecenie ponownie."},
		"err.period":         {"I don't understand the period %q. Use %s.", "Nie rozumiem okresu %q. Użyj: %s."},

		"help.title":  {"%s: what I can do", "%s: co potrafię"},
		"help.footer": {"Periods: %s", "Okresy: %s"},

		"cmd.mystats.help":           {"your numbers for a period, against the period before", "Twoje wyniki za okres, w porównaniu z poprzednim"},
		"cmd.mystats.arg.period":     {"period: month (default), 2026-11, 2026-W47, 30d, 2026-Q4, 2026", "okres: month (domyślnie), 2026-11, 2026-W47, 30d, 2026-Q4, 2026"},
		"cmd.referral.help":          {"your referral link, QR code and a message to share", "Twój link polecający, kod QR i wiadomość do udostępnienia"},
		"cmd.leaderboard.help":       {"the top 10 partners by turnover, and your place", "10 najlepszych partnerów według obrotu i Twoje miejsce"},
		"cmd.leaderboard.arg.period": {"period: month (default), 2026-11, 2026-W47, 30d", "okres: month (domyślnie), 2026-11, 2026-W47, 30d"},
		"cmd.promos.help":            {"current and upcoming promotions for you", "trwające i nadchodzące promocje dla Ciebie"},
		"cmd.link.help":              {"connect this chat account to your partner record with a code from your manager", "połącz to konto z Twoim kontem partnera kodem od opiekuna"},
		"cmd.link.arg.code":          {"the code from your account manager", "kod od Twojego opiekuna"},
		"cmd.help.help":              {"what I can do", "co potrafię"},
		"cmd.partner.help":           {"a partner's card: numbers, standing, last contact (managers)", "karta partnera: wyniki, pozycja, ostatni kontakt (opiekunowie)"},
		"cmd.partner.arg.id":         {"the partner's id", "identyfikator partnera"},
		"cmd.contact.help":           {"log a contact with a partner (managers)", "zapisz kontakt z partnerem (opiekunowie)"},
		"cmd.contact.arg.id":         {"the partner's id", "identyfikator partnera"},
		"cmd.contact.arg.note":       {"what it was about (optional)", "czego dotyczył (opcjonalnie)"},
		"cmd.linkcode.help":          {"a one-time code for a partner to link its chat account (managers)", "jednorazowy kod, którym partner połączy konto na czacie (opiekunowie)"},
		"cmd.linkcode.arg.id":        {"the partner's id", "identyfikator partnera"},

		"mystats.title":     {"Your results: %s", "Twoje wyniki: %s"},
		"mystats.so_far":    {"(up to %s)", "(do %s)"},
		"mystats.lead":      {"Here is how %s is doing.", "Oto podsumowanie dla: %s."},
		"mystats.compared":  {"Changes against %s", "Zmiany względem: %s"},
		"mystats.share":     {"Share in channel", "Pokaż na kanale"},
		"mystats.shared_by": {"Shared by %s", "Udostępnione przez %s"},

		"referral.title":  {"Your referral link", "Twój link polecający"},
		"referral.text":   {"Link: %s\nCode: *%s*", "Link: %s\nKod: *%s*"},
		"referral.share":  {"A message to share (change it as you like):", "Wiadomość do udostępnienia (zmień ją, jak chcesz):"},
		"referral.qr_alt": {"QR code of %s", "Kod QR linku %s"},
		"referral.open":   {"Open the link", "Otwórz link"},
		"referral.footer": {"Print the QR code large and put it where customers pay.", "Wydrukuj kod QR w dużym formacie i umieść go przy kasie."},

		"leaderboard.title":      {"Leaderboard: %s", "Ranking: %s"},
		"leaderboard.anonymous":  {"a partner", "partner"},
		"leaderboard.you":        {"you (%s)", "Ty (%s)"},
		"leaderboard.empty":      {"No turnover yet in this period.", "W tym okresie nie ma jeszcze obrotu."},
		"leaderboard.footer":     {"Partners appear by name only if they agreed to.", "Nazwy partnerów widać tylko za ich zgodą."},
		"leaderboard.your_place": {"Your place", "Twoje miejsce"},
		"leaderboard.place":      {"#%d of %d, %s", "%d. z %d, %s"},

		"promos.title":   {"Promotions for you", "Promocje dla Ciebie"},
		"promos.until":   {"running until %s", "trwa do %s"},
		"promos.from_to": {"from %s to %s", "od %s do %s"},
		"promos.none":    {"No promotions are running or planned for you right now.", "Teraz nie ma dla Ciebie trwających ani zaplanowanych promocji."},

		"link.platform_only": {"Link your account from Slack or Discord with /link CODE.", "Połącz konto ze Slacka lub Discorda poleceniem /link KOD."},
		"link.already":       {"This account is already linked to %s.", "To konto jest już połączone z: %s."},
		"link.slow_down":     {"Too many wrong codes. Try again after %s, or ask your manager for a new code.", "Za dużo błędnych kodów. Spróbuj ponownie po %s albo poproś opiekuna o nowy kod."},
		"link.bad_code":      {"That code is unknown, used or expired. Check it, or ask your manager for a new one.", "Ten kod jest nieznany, wykorzystany albo wygasł. Sprawdź go lub poproś opiekuna o nowy."},
		"link.taken":         {"This chat account is already linked to someone else; ask your manager.", "To konto na czacie jest już połączone z kimś innym; zapytaj opiekuna."},
		"link.done.title":    {"Account linked", "Konto połączone"},
		"link.done":          {"%s! This account is now linked to %s. Try /mystats for your numbers or /referral for your link.", "%s! To konto jest teraz połączone z: %s. Wpisz /mystats, żeby zobaczyć wyniki, albo /referral po swój link."},

		"err.replayed": {"Already done: this exact request arrived before, so it was not run again.", "Już zrobione: to samo żądanie przyszło wcześniej, więc nie wykonano go ponownie."},

		"partner.not_found":    {"There is no partner %q.", "Nie ma partnera %q."},
		"partner.not_yours":    {"There is no partner %q among yours.", "Nie masz pod opieką partnera %q."},
		"partner.status":       {"Status", "Status"},
		"partner.contact":      {"Contact", "Osoba kontaktowa"},
		"partner.joined":       {"Joined", "Dołączył"},
		"partner.month":        {"%s so far", "%s do dziś"},
		"partner.link":         {"Referral link: %s", "Link polecający: %s"},
		"partner.log_contact":  {"Log contact", "Zapisz kontakt"},
		"partner.standing":     {"Standing (last month)", "Pozycja (ostatni miesiąc)"},
		"partner.rank":         {"#%d of %d", "%d. z %d"},
		"partner.inactive":     {"inactive: no turnover for 2+ months", "nieaktywny: brak obrotu od 2+ miesięcy"},
		"partner.never":        {"none recorded", "brak zapisanych"},
		"partner.last_contact": {"Last contact", "Ostatni kontakt"},

		"contact.logged": {"Contact with %s logged (%s).", "Zapisano kontakt z: %s (%s)."},

		"invite.title":  {"Link code for %s", "Kod połączenia dla: %s"},
		"invite.text":   {"Code: *%s*\nThe partner types /link followed by the code in Slack or Discord. Valid until %s, once.", "Kod: *%s*\nPartner wpisuje /link i ten kod na Slacku lub Discordzie. Ważny do %s, jednorazowo."},
		"invite.footer": {"Codes last %s and work once.", "Kody są ważne %s i działają raz."},
	})
}
