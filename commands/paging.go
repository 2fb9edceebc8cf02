package commands

import (
	"context"
	"strconv"
	"strings"

	"partnerbot/bot"
	"partnerbot/i18n"
)

// ActionPage is the previous and next buttons of a paged list; its
// value is "PAGE|SOURCE" (see bot.List.Source).
const ActionPage = "list.page"

// PageValue is the value of a page button: the page to show and where
// the list comes from.
func PageValue(page int, source string) string { return strconv.Itoa(page) + "|" + source }

// commandSource is a bot.List.Source that reruns a command with its
// text arguments: the filter or period stays across pages.
func commandSource(name string, args ...string) string {
	return strings.TrimSpace("cmd:" + name + " " + strings.Join(args, " "))
}

// page answers a page button: the same list, rebuilt as the presser may
// see it, at the page asked for, replacing the message the button is on.
func (s *Service) page(ctx context.Context, c *Caller, value string) (*bot.Message, error) {
	l := c.Locale
	n, source, ok := strings.Cut(value, "|")
	page, err := strconv.Atoi(n)
	if !ok || err != nil || page < 0 {
		return nil, i18n.UserError(bot.EINVALID, "list.bad_button")
	}
	var msg *bot.Message
	switch kind, rest, _ := strings.Cut(source, ":"); kind {
	case "cmd":
		name, text, _ := strings.Cut(rest, " ")
		args, err := s.ParseText(name, text)
		if err != nil {
			return nil, i18n.UserError(bot.EINVALID, "list.bad_button")
		}
		msg = s.Run(ctx, c, name, args)
	case "out":
		id, err := strconv.ParseUint(rest, 10, 64)
		if err != nil {
			return nil, i18n.UserError(bot.EINVALID, "list.bad_button")
		}
		it, err := s.opt.Store.OutboxItem(ctx, id)
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			return private(i18n.T(l, "list.gone")), nil
		}
		if err != nil {
			return nil, err
		}
		t := it.Target
		mine := t.Platform == c.Platform && (t.User != "" && t.User == c.UserID || t.Channel != "" && t.Channel == c.ChannelID)
		if !mine && !c.Admin {
			return private(i18n.T(l, "list.not_yours")), nil
		}
		m := it.Message
		msg = &m
	default:
		return nil, i18n.UserError(bot.EINVALID, "list.bad_button")
	}
	if msg.List == nil {
		return msg, nil // a refusal or an error to show as it is
	}
	list := *msg.List
	list.Page = page
	if list.Source == "" {
		list.Source = source // a post from the outbox keeps paging from there
	}
	out := *msg
	out.List, out.Replace = &list, true
	return &out, nil
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"list.page":       {"Page %d of %d · %d in all", "Strona %d z %d · łącznie %d"},
		"list.all":        {"%d in all", "Łącznie %d"},
		"list.prev":       {"← Previous", "← Poprzednia"},
		"list.next":       {"Next →", "Następna →"},
		"list.bad_button": {"This is not a page button.", "To nie jest przycisk strony."},
		"list.gone":       {"This list is no longer available.", "Ta lista nie jest już dostępna."},
		"list.not_yours":  {"This list was sent to someone else.", "Ta lista została wysłana komuś innemu."},
	})
}
