package report

import (
	"fmt"
	"sort"
	"strings"

	"partnerbot/bot"
	"partnerbot/i18n"
	"partnerbot/store"
)

// FailureNote lists undelivered messages for the admins: how many, by
// reason, and the first few with their targets.
func (b *Builder) FailureNote(l bot.Locale, failed []store.OutboxItem) *bot.Message {
	byReason := map[string]int{}
	for _, it := range failed {
		byReason[it.Reason]++
	}
	reasons := make([]string, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool { return byReason[reasons[i]] > byReason[reasons[j]] })
	var lines []string
	for _, r := range reasons {
		lines = append(lines, fmt.Sprintf("• %s: %d", r, byReason[r]))
	}
	return adminNote(l, i18n.T(l, "failures.title", len(failed)), lines, len(failed), func(i int) string {
		it := failed[i]
		return fmt.Sprintf("%d. %s → %s (%s)", it.ID, it.Kind, it.Target, it.Reason)
	}, i18n.T(l, "failures.footer"))
}

// adminNote is an admins' note on n things gone wrong: the count in
// title, lines by reason, then the first ten of them (example(i) for the
// i-th) and how many more.
func adminNote(l bot.Locale, title string, lines []string, n int, example func(i int) string, footer string) *bot.Message {
	var examples []string
	for i := 0; i < n; i++ {
		if i == 10 {
			examples = append(examples, i18n.T(l, "failures.more", n-10))
			break
		}
		examples = append(examples, example(i))
	}
	return &bot.Message{
		Title:  title,
		Text:   strings.Join(lines, "\n") + "\n\n" + strings.Join(examples, "\n"),
		Color:  "amber",
		Footer: footer,
	}
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"failures.title":  {"Undelivered messages in the last day: %d", "Niedoręczone wiadomości z ostatniej doby: %d"},
		"failures.more":   {"…and %d more", "…i jeszcze %d"},
		"failures.footer": {"Details: `partnerbot outbox list --failed`. Fix the channel or the bot's access; new messages go through once it is fixed.", "Szczegóły: `partnerbot outbox list --failed`. Popraw kanał albo uprawnienia bota; po poprawce nowe wiadomości przejdą."},
	})
}

// ParkedNote lists the webhook deliveries kept but not applied, for the
// admins: how many for each reason, what fixes it, and the first few.
func (b *Builder) ParkedNote(l bot.Locale, parked []store.Parked) *bot.Message {
	byReason := map[string]int{}
	for _, p := range parked {
		byReason[p.Reason]++
	}
	var lines []string
	for _, r := range []string{store.ParkUnmatched, store.ParkNoRate, store.ParkInvalid} {
		if byReason[r] > 0 {
			lines = append(lines, "• "+i18n.T(l, "parked.reason."+r, byReason[r]))
		}
	}
	return adminNote(l, i18n.T(l, "parked.title", len(parked)), lines, len(parked), func(i int) string {
		p := &parked[i]
		return fmt.Sprintf("%s: %s (%s)", p.Platform, p.Key, i18n.T(l, "parked.short."+p.Reason))
	}, i18n.T(l, "parked.footer"))
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"parked.title": {"Platform deliveries on hold: %d", "Wstrzymane zdarzenia z platform: %d"},
		"parked.reason.unmatched": {"no partner matches them (give the partner its id on the platform or the coupon: partnerbot partner set ID --external-ids / --coupons): %d",
			"nie pasują do żadnego partnera (dopisz partnerowi jego identyfikator z platformy albo kupon: partnerbot partner set ID --external-ids / --coupons): %d"},
		"parked.reason.no_rate": {"their currency has no exchange rate for the day (partnerbot rates set): %d",
			"ich waluta nie ma kursu na ten dzień (partnerbot rates set): %d"},
		"parked.reason.invalid": {"they cannot be read as sales, refunds or commissions: %d",
			"nie da się ich odczytać jako sprzedaży, zwrotu ani prowizji: %d"},
		"parked.short.unmatched": {"no partner", "brak partnera"},
		"parked.short.no_rate":   {"no rate", "brak kursu"},
		"parked.short.invalid":   {"unreadable", "nieczytelne"},
		"parked.footer": {"Details: partnerbot hooks list. Each is applied by itself once its cause is fixed; partnerbot hooks replay tries them all now.",
			"Szczegóły: partnerbot hooks list. Każde zostanie doliczone samo, gdy przyczyna zniknie; partnerbot hooks replay próbuje od razu wszystkie."},
	})
}
