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
	var examples []string
	for i, it := range failed {
		if i == 10 {
			examples = append(examples, i18n.T(l, "failures.more", len(failed)-10))
			break
		}
		examples = append(examples, fmt.Sprintf("%d. %s → %s (%s)", it.ID, it.Kind, it.Target, it.Reason))
	}
	return &bot.Message{
		Title:  i18n.T(l, "failures.title", len(failed)),
		Text:   strings.Join(lines, "\n") + "\n\n" + strings.Join(examples, "\n"),
		Color:  "amber",
		Footer: i18n.T(l, "failures.footer"),
	}
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"failures.title":  {"Undelivered messages in the last day: %d", "Niedoręczone wiadomości z ostatniej doby: %d"},
		"failures.more":   {"…and %d more", "…i jeszcze %d"},
		"failures.footer": {"Details: `partnerbot outbox list --failed`. Fix the channel or the bot's access; new messages go through once it is fixed.", "Szczegóły: `partnerbot outbox list --failed`. Popraw kanał albo uprawnienia bota; po poprawce nowe wiadomości przejdą."},
	})
}
