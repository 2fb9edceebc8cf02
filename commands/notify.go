package commands

import (
	"context"
	"slices"
	"strings"

	"partnerbot/bot"
	"partnerbot/i18n"
)

// notify shows or changes which scheduled messages a partner gets:
// "/notify" lists, "/notify weekly off" mutes the weekly report.
func (s *Service) notify(ctx context.Context, c *Caller, args map[string]string) (*bot.Message, error) {
	l, p := c.Locale, *c.Partner
	kind := strings.ToLower(strings.TrimSpace(args["kind"]))
	state := strings.ToLower(strings.TrimSpace(args["state"]))
	if kind != "" {
		// The kind by its word in either language: "raport" is "weekly".
		for _, k := range bot.MutableKinds {
			for _, loc := range []bot.Locale{bot.LocaleEN, bot.LocalePL} {
				if kind == i18n.T(loc, "notify.word."+k) {
					kind = k
				}
			}
		}
		if !bot.MutableKind(kind) {
			words := make([]string, len(bot.MutableKinds))
			for i, k := range bot.MutableKinds {
				words[i] = i18n.T(l, "notify.word."+k)
			}
			return private(i18n.T(l, "notify.bad_kind", kind, strings.Join(words, ", "))), nil
		}
		var on bool
		switch state {
		case "on", "włącz", "wlacz", "wł", "wl", "tak", "yes":
			on = true
		case "off", "wyłącz", "wylacz", "wył", "wyl", "nie", "no":
		default:
			return private(i18n.T(l, "notify.bad_state", i18n.T(l, "notify.word."+kind))), nil
		}
		p.Mute = slices.DeleteFunc(slices.Clone(p.Mute), func(k string) bool { return k == kind })
		if !on {
			p.Mute = append(p.Mute, kind)
		}
		if _, err := s.opt.Store.PutPartner(ctx, &p); err != nil {
			return nil, err
		}
		c.Partner = &p
	}
	msg := &bot.Message{Title: i18n.T(l, "notify.title"), Private: true, Footer: i18n.T(l, "notify.footer")}
	for _, k := range bot.MutableKinds {
		state := i18n.T(l, "notify.on")
		if p.Muted(k) {
			state = i18n.T(l, "notify.off")
		}
		msg.Fields = append(msg.Fields, bot.Field{Name: i18n.T(l, "notify.kind."+k), Value: state + " (" + i18n.T(l, "notify.how", i18n.T(l, "notify.word."+k)) + ")"})
	}
	return msg, nil
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"cmd.notify.help":      {"choose which scheduled messages you get", "wybierz, jakie wiadomości z kalendarza dostajesz"},
		"cmd.notify.arg.kind":  {"weekly, promos or tips", "raport, promocje albo porady"},
		"cmd.notify.arg.state": {"on or off", "włącz albo wyłącz"},
		"notify.word.weekly":   {"weekly", "raport"},
		"notify.word.promos":   {"promos", "promocje"},
		"notify.word.tips":     {"tips", "porady"},
		"notify.how":           {"/notify %s on|off", "/notify %s włącz|wyłącz"},
		"notify.title":         {"Your notifications", "Twoje powiadomienia"},
		"notify.footer":        {"Program rule reminders and your own commands always work.", "Przypomnienia o zasadach programu i Twoje polecenia działają zawsze."},
		"notify.on":            {"on", "włączone"},
		"notify.off":           {"off", "wyłączone"},
		"notify.kind.weekly":   {"Monday report", "Raport poniedziałkowy"},
		"notify.kind.promos":   {"Promotions (calendar and notices)", "Promocje (kalendarz i zapowiedzi)"},
		"notify.kind.tips":     {"Tips", "Porady"},
		"notify.bad_kind":      {"I can't switch “%s”; choose from %s.", "Nie mogę przełączyć „%s”; do wyboru: %s."},
		"notify.bad_state":     {"Say on or off, e.g. /notify %s off.", "Napisz „włącz” albo „wyłącz”, np. /notify %s wyłącz."},
	})
}
