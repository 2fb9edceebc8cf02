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
		if !bot.MutableKind(kind) {
			return private(i18n.T(l, "notify.bad_kind", kind, strings.Join(bot.MutableKinds, ", "))), nil
		}
		var on bool
		switch state {
		case "on", "wł", "wl", "tak", "yes":
			on = true
		case "off", "wył", "wyl", "nie", "no":
		default:
			return private(i18n.T(l, "notify.bad_state", kind)), nil
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
		msg.Fields = append(msg.Fields, bot.Field{Name: i18n.T(l, "notify.kind."+k), Value: state + " (/notify " + k + " on|off)"})
	}
	return msg, nil
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"cmd.notify.help":      {"choose which scheduled messages you get", "wybierz, jakie wiadomości z kalendarza dostajesz"},
		"cmd.notify.arg.kind":  {"weekly, promos or tips", "weekly, promos albo tips"},
		"cmd.notify.arg.state": {"on or off", "on albo off"},
		"notify.title":         {"Your notifications", "Twoje powiadomienia"},
		"notify.footer":        {"Programme rule reminders and your own commands always work.", "Przypomnienia o zasadach programu i Twoje polecenia działają zawsze."},
		"notify.on":            {"on", "włączone"},
		"notify.off":           {"off", "wyłączone"},
		"notify.kind.weekly":   {"Monday report", "Raport poniedziałkowy"},
		"notify.kind.promos":   {"Promotions (calendar and notices)", "Promocje (kalendarz i zapowiedzi)"},
		"notify.kind.tips":     {"Tips", "Porady"},
		"notify.bad_kind":      {"I can't switch %q; choose from %s.", "Nie mogę przełączyć %q; wybierz z: %s."},
		"notify.bad_state":     {"Say on or off, e.g. /notify %s off.", "Napisz on albo off, np. /notify %s off."},
	})
}
