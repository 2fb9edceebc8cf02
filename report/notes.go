package report

import (
	"math"
	"strings"

	"partnerbot/bot"
	"partnerbot/i18n"
)

// complianceRules are the rules every partner is reminded of, in order.
var complianceRules = []string{"compliance.honest", "compliance.claims", "compliance.personal", "compliance.problems"}

// ComplianceReminder builds the short, friendly reminder of the program's
// rules every partner gets on the first day of quarter (the quarter
// starting): honest promotion, no misleading claims about cashback, a
// personal QR code and link, problems reported to the manager.
func (b *Builder) ComplianceReminder(p *bot.Partner, quarter bot.Period) *bot.Message {
	l := p.Locale
	lines := []string{i18n.T(l, "compliance.lead", i18n.GreetPartner(l, p))}
	for _, k := range complianceRules {
		lines = append(lines, "• "+i18n.T(l, k))
	}
	lines = append(lines, "", i18n.T(l, "compliance.thanks"))
	footer := i18n.T(l, "compliance.footer")
	if b.Program != "" {
		footer = b.Program + " · " + footer
	}
	return &bot.Message{
		Title:  i18n.T(l, "compliance.title", i18n.Period(l, quarter)),
		Text:   strings.Join(lines, "\n"),
		Footer: footer,
	}
}

// tips are the best-practice tips, drawn from the playbooks, in the
// order they rotate. Their number is odd on purpose: the tip job runs
// every second ISO week, and an even count stepped by two would only
// ever show half of them.
var tips = []string{
	"tip.qr_visible", "tip.tell_everyone", "tip.train_staff", "tip.big_sticker", "tip.social",
	"tip.answer_manager", "tip.seasonal", "tip.report_problems", "tip.materials", "tip.numbers", "tip.feedback",
}

// TipCount is how many tips Tip rotates through.
func TipCount() int { return len(tips) }

// Tip builds the best-practice tip for the community channel. n picks the
// tip, n modulo TipCount (negative n too), so passing the ISO week number
// rotates through all of them.
func (b *Builder) Tip(l bot.Locale, n int) *bot.Message {
	k := tips[((n%len(tips))+len(tips))%len(tips)]
	var args []any
	if k == "tip.tell_everyone" {
		// The playbook's example: 2% of a 500 zł repair is 10 zł back.
		unit := bot.Amount(math.Pow10(b.Currency.Digits))
		args = []any{b.money(l, 500*unit), b.money(l, 10*unit)}
	}
	return &bot.Message{
		Title:  i18n.T(l, "tip.title", i18n.T(l, k+".title")),
		Text:   i18n.T(l, k+".text", args...),
		Footer: i18n.T(l, "tip.footer"),
	}
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"compliance.title":    {"Program rules for %s", "Zasady programu na %s"},
		"compliance.lead":     {"%s! A new quarter is a good moment for a short reminder of the rules that keep the program fair for you and your customers:", "%s! Nowy kwartał to dobry moment na krótkie przypomnienie zasad, dzięki którym program jest uczciwy dla Ciebie i Twoich klientów:"},
		"compliance.honest":   {"*Promote honestly.* Tell customers how cashback works, plainly and truthfully.", "*Promuj uczciwie.* Mów klientom, jak działa cashback, prosto i zgodnie z prawdą."},
		"compliance.claims":   {"*No misleading claims.* Don't promise higher cashback, “guaranteed” returns or conditions the program doesn't offer; the current terms are in the program's materials and the promo calendar.", "*Bez wprowadzania w błąd.* Nie obiecuj wyższego cashbacku, „gwarantowanych” zwrotów ani warunków, których program nie daje; aktualne zasady znajdziesz w materiałach programu i w kalendarzu promocji."},
		"compliance.personal": {"*Your QR code and link are personal.* They credit sales to you: don't pass them to other businesses or post them where you have no permission.", "*Twój kod QR i link są osobiste.* To dzięki nim transakcje są przypisywane Tobie: nie przekazuj ich innym firmom i nie publikuj tam, gdzie nie masz zgody."},
		"compliance.problems": {"*Report problems to your manager.* A QR code that won't scan, a customer's complaint, a question you can't answer: write to your manager, we react the same day.", "*Zgłaszaj problemy opiekunowi.* Kod QR się nie skanuje, klient ma zastrzeżenia, pytanie bez odpowiedzi: napisz do swojego opiekuna, reagujemy tego samego dnia."},
		"compliance.thanks":   {"Thank you for building the program with us!", "Dziękujemy, że współtworzysz z nami program!"},
		"compliance.footer":   {"A reminder of the rules comes at the start of every quarter", "Przypomnienie zasad wysyłamy na początku każdego kwartału"},

		"tip.title":  {"Tip: %s", "Porada: %s"},
		"tip.footer": {"Good practice from the program · questions? Ask your manager", "Dobre praktyki programu · pytania? Napisz do opiekuna"},

		"tip.qr_visible.title": {"keep the QR code in sight", "kod QR na widoku"},
		"tip.qr_visible.text": {"Customers scan what they see. Put the QR code right by the till at eye level, not behind the counter or under a pile of leaflets. In one of our cases a bigger, visible sticker (with a short staff training) brought a partner from zero back to its usual turnover within a month.",
			"Klienci skanują to, co widzą. Postaw kod QR tuż przy kasie, na wysokości wzroku, a nie za ladą czy pod stosem ulotek. W jednym z naszych przypadków większa, widoczna naklejka (razem z krótkim szkoleniem personelu) pomogła partnerowi w miesiąc wrócić od zera do zwykłego obrotu."},
		"tip.tell_everyone.title": {"tell every customer about cashback", "mów o cashbacku każdemu klientowi"},
		"tip.tell_everyone.text": {"One sentence at the till is enough: “Scan the code and you'll get cashback.” With 2%% cashback a purchase of %s gives the customer %s back: worth saying out loud.",
			"Wystarczy jedno zdanie przy kasie: „Proszę zeskanować kod – część pieniędzy wróci jako cashback.” Przy 2%% cashbacku zakup za %s to %s zwrotu dla klienta: warto o tym mówić na głos."},
		"tip.train_staff.title": {"train new staff", "przeszkol nowych pracowników"},
		"tip.train_staff.text": {"A new employee who doesn't know about the program won't mention it. Fifteen minutes is enough: show the QR code, how to explain cashback and where the panel is. Your manager is glad to come and help.",
			"Nowa osoba w zespole, która nie wie o programie, nie powie o nim klientom. Wystarczy 15 minut: pokaż kod QR, jak mówić o cashbacku i gdzie jest panel. Twój opiekun chętnie przyjedzie i pomoże."},
		"tip.big_sticker.title": {"use the large QR sticker", "postaw na dużą naklejkę QR"},
		"tip.big_sticker.text": {"A small code is easy to miss. Ask your manager for the large sticker for the counter or the shop window, and replace stickers that are worn or faded.",
			"Mały kod łatwo przeoczyć. Poproś opiekuna o dużą naklejkę na ladę lub witrynę i wymieniaj naklejki zniszczone albo wyblakłe."},
		"tip.social.title": {"post your link on social media", "udostępnij swój link w mediach społecznościowych"},
		"tip.social.text": {"Your customers follow you online too. /referral gives you your personal link, a QR code image and a ready message to share: post it on Facebook, Instagram or in your newsletter.",
			"Twoi klienci są z Tobą także w sieci. /referral da Ci osobisty link, obrazek z kodem QR i gotową wiadomość: opublikuj ją na Facebooku, Instagramie albo w biuletynie dla klientów."},
		"tip.answer_manager.title": {"answer your manager", "odpowiadaj opiekunowi"},
		"tip.answer_manager.text": {"A reply within a day keeps things moving: your manager can fix a problem, send materials or tell you about a promotion in time. Busy? A short “I'll get back to you tomorrow” is enough.",
			"Odpowiedź w ciągu doby sprawia, że sprawy idą do przodu: opiekun szybciej rozwiąże problem, wyśle materiały albo uprzedzi o promocji. Brak czasu? Wystarczy krótkie „odezwę się jutro”."},
		"tip.seasonal.title": {"plan seasonal promotions", "planuj promocje sezonowe"},
		"tip.seasonal.text": {"The promo calendar comes on the 1st of every month. Pick what suits your season (holidays, back to school, summer) and ask your manager for support at least two days ahead.",
			"Kalendarz promocji przychodzi 1. dnia każdego miesiąca. Wybierz to, co pasuje do Twojego sezonu (święta, powrót do szkoły, wakacje), i poproś opiekuna o wsparcie co najmniej 2 dni wcześniej."},
		"tip.report_problems.title": {"report problems straight away", "zgłaszaj problemy od razu"},
		"tip.report_problems.text": {"If the QR code won't scan or a customer can't register, don't wait: write to your manager the same day. Every day it doesn't work is cashback your customers lose.",
			"Jeśli kod QR się nie skanuje albo klient nie może się zarejestrować, nie czekaj: napisz do opiekuna tego samego dnia. Każdy dzień bez działającego kodu to cashback, który tracą Twoi klienci."},
		"tip.materials.title": {"use the materials", "korzystaj z materiałów"},
		"tip.materials.text": {"Leaflets, the counter stand and the short guide explain cashback for you when you are busy. Keep them where customers wait, not in a drawer.",
			"Ulotki, stojak na ladę i krótki poradnik wyjaśnią klientom cashback za Ciebie, gdy masz ruch. Trzymaj je tam, gdzie klienci czekają, a nie w szufladzie."},
		"tip.numbers.title": {"check your numbers every week", "sprawdzaj wyniki co tydzień"},
		"tip.numbers.text": {"The Monday report and /mystats show turnover, transactions and clicks against the week before. A drop two weeks in a row is a signal: check the QR code and ask your staff whether they mention cashback.",
			"Poniedziałkowy raport i /mystats pokazują obrót, transakcje i kliknięcia w porównaniu z poprzednim tygodniem. Spadek dwa tygodnie z rzędu to sygnał: sprawdź kod QR i zapytaj personel, czy mówi klientom o cashbacku."},
		"tip.feedback.title": {"tell us what to improve", "powiedz nam, co poprawić"},
		"tip.feedback.text": {"Something in the system annoys you? An idea for a promotion your customers would love? Write to your manager: partners' feedback shapes the program.",
			"Coś Cię denerwuje w systemie? Masz pomysł na promocję, która spodobałaby się Twoim klientom? Napisz do opiekuna: opinie partnerów kształtują program."},
	})
}
