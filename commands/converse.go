package commands

import (
	"context"
	"fmt"
	"strings"

	"partnerbot/bot"
	"partnerbot/i18n"
	"partnerbot/store"
)

// The outbox kinds of a conversation relayed through the bot.
const (
	// KindManagerMessage is a manager's words to a partner (/message,
	// the Reply form, a reply in the thread of a relayed message).
	KindManagerMessage = "manager_message"
	// KindRelayIn is a partner's words relayed to its manager.
	KindRelayIn = "relay_in"
)

// The Reply button under a relayed message (value: the partner id) and
// the form it opens.
const (
	ActionReply = "talk.reply"
	FormReply   = "talk.answer"
)

// maxRelay is the longest text relayed; chat messages are rarely longer.
const maxRelay = 3000

// Incoming is a message a person wrote to the bot: in its DMs, in the
// thread of one of its posts, or mentioning it in a channel. Adapters
// hand it over; the text is relayed or answered, never stored.
type Incoming struct {
	Text string
	// DM is true in the bot's direct messages.
	DM bool
	// Thread is the platform's id of the post this message answers
	// (Slack's thread_ts, the Discord message replied to), or "".
	Thread string
	// Mention is true when the message names the bot in a channel.
	Mention bool
}

// Converse answers a message written to the bot and returns what to say
// back to its writer: nobody who writes to the bot meets silence. It is
// nil only for channel talk not addressed to the bot (no mention, not in
// the thread of one of its posts).
//
// A partner's DM, or its reply to a manager's message, goes to its
// manager's DM (the admins' when it has none) with its name and a Reply
// button. A manager's reply in the thread of a relayed message goes back
// to the partner as /message does. The words travel only through the
// outbox and are cleared there once delivered; the fact stays as the
// contact_in the adapters record and the contact_out /message records.
// Anyone else gets a short help; people the bot does not know, how to
// link.
func (s *Service) Converse(ctx context.Context, c *Caller, in Incoming) *bot.Message {
	text := strings.TrimSpace(in.Text)
	var parent *store.OutboxItem
	if in.Thread != "" {
		it, err := s.opt.Store.OutboxByRef(ctx, c.Platform, in.Thread)
		switch {
		case err == nil:
			parent = it
		case bot.ErrorCode(err) != bot.ENOTFOUND:
			return s.failure(c, "conversation", err)
		}
	}
	if parent != nil && parent.Kind == KindManagerMessage && parent.Target.Channel != "" && parent.Target.Channel == c.ChannelID &&
		c.Partner == nil && c.Manager == nil && !c.Admin && strings.TrimSpace(in.Text) != "" {
		// A reply in the thread of a manager's message in the partner's
		// own channel is the partner's, even from an account not linked
		// yet (its staff): it goes to the manager like a DM.
		msg, err := s.relayFromChannel(ctx, c, parent.Partner, strings.TrimSpace(in.Text))
		if err != nil {
			return s.failure(c, "relay to manager", err)
		}
		return msg
	}
	switch {
	case !in.DM && !in.Mention && parent == nil:
		return nil
	case !c.Known():
		return s.unknownUser(c)
	case c.Partner != nil && (in.DM || parent != nil && parent.Kind == KindManagerMessage && parent.Partner == c.Partner.ID):
		if text == "" {
			return private(i18n.T(c.Locale, "talk.empty"))
		}
		msg, err := s.relayIn(ctx, c, text)
		if err != nil {
			return s.failure(c, "relay to manager", err)
		}
		return msg
	case (c.Manager != nil || c.Admin) && parent != nil && parent.Kind == KindRelayIn && parent.Partner != "" && text != "":
		return s.Run(ctx, c, "message", map[string]string{"id": parent.Partner, "text": text})
	}
	return s.talkHelp(c)
}

// relayFromChannel relays words written in the partner's channel by an
// account not linked to it, and records them as the partner's contact_in
// (the adapters record only linked partners').
func (s *Service) relayFromChannel(ctx context.Context, c *Caller, partner, text string) (*bot.Message, error) {
	p, err := s.opt.Store.Partner(ctx, partner)
	if err != nil {
		return nil, err
	}
	as := *c
	as.Partner, as.Locale = p, p.Locale
	now, _ := s.now()
	ev := bot.Event{ID: fmt.Sprintf("contact-in-%s-%s-%d", c.Platform, c.UserID, now.Unix()), Type: bot.EventContactIn, Partner: p.ID, At: now}
	if _, err := s.opt.Store.Ingest(ctx, []bot.Event{ev}, nil); err != nil {
		return nil, err
	}
	return s.relayIn(ctx, &as, text)
}

// relayIn queues a partner's words for its manager.
func (s *Service) relayIn(ctx context.Context, c *Caller, text string) (*bot.Message, error) {
	p := c.Partner
	if r := []rune(text); len(r) > maxRelay {
		text = string(r[:maxRelay-1]) + "…"
	}
	to, name, err := s.managerTargets(ctx, p, c.Platform)
	if err != nil {
		return nil, err
	}
	if len(to) == 0 {
		s.opt.Logger.Warn("a partner wrote to the bot but nobody can read it: no manager or admin has a chat account", "partner", p.ID)
		return private(i18n.T(c.Locale, "talk.nobody")), nil
	}
	now, _ := s.now()
	for _, r := range to {
		l := r.locale
		msg := bot.Message{
			Title:   i18n.T(l, "talk.from", p.Name, p.ID),
			Text:    quote(text),
			Footer:  i18n.T(l, "talk.from.footer", p.ID),
			Buttons: []bot.Button{{Action: ActionReply, Value: p.ID, Label: i18n.T(l, "talk.reply"), Style: bot.ButtonPrimary}},
		}
		key := fmt.Sprintf("%s/%s/%d/%s", KindRelayIn, p.ID, now.UnixNano(), r.target)
		if _, err := s.opt.Store.Enqueue(ctx, &store.OutboxItem{Key: key, Kind: KindRelayIn, Partner: p.ID, Target: r.target,
			Message: msg, Transient: true}); err != nil {
			return nil, err
		}
	}
	return private(i18n.T(c.Locale, "talk.relayed", name)), nil
}

type reader struct {
	target bot.Target
	locale bot.Locale
}

// managerTargets is who reads a partner's words: its manager's DM, on
// the platform the partner wrote from when the manager is there, else
// the admins of that platform (then of any). name is who that is, for
// the partner.
func (s *Service) managerTargets(ctx context.Context, p *bot.Partner, platform string) ([]reader, string, error) {
	if p.Manager != "" {
		m, err := s.opt.Store.Manager(ctx, p.Manager)
		switch {
		case bot.ErrorCode(err) == bot.ENOTFOUND:
		case err != nil:
			return nil, "", err
		default:
			accounts := map[string]string{"slack": m.SlackUser, "discord": m.DiscordUser}
			name := m.Name
			if name == "" {
				name = m.ID
			}
			if u := accounts[platform]; u != "" {
				return []reader{{bot.Target{Platform: platform, User: u}, m.Locale}}, name, nil
			}
			for _, pl := range []string{"slack", "discord"} {
				if u := accounts[pl]; u != "" {
					return []reader{{bot.Target{Platform: pl, User: u}, m.Locale}}, name, nil
				}
			}
		}
	}
	var out []reader
	for _, pl := range append([]string{platform}, "slack", "discord") {
		for _, u := range s.opt.Admins[pl] {
			out = append(out, reader{bot.Target{Platform: pl, User: u}, s.opt.Locale})
		}
		if len(out) > 0 {
			break
		}
	}
	return out, i18n.T(p.Locale, "talk.team", s.programName(p.Locale)), nil
}

// talkHelp is the answer to anything the bot does not relay: what it
// can do for this person.
func (s *Service) talkHelp(c *Caller) *bot.Message {
	l := c.Locale
	key := "talk.help.partner"
	if c.Partner == nil {
		key = "talk.help.manager"
	}
	return private(i18n.T(l, key))
}

// replyForm opens the form a manager answers a relayed message in.
func (s *Service) replyForm(ctx context.Context, c *Caller, id string) (*bot.Message, error) {
	p, err := s.managed(ctx, c, id)
	if err != nil {
		return nil, err
	}
	l := c.Locale
	return &bot.Message{Private: true, Text: i18n.T(l, "talk.form.fallback", p.ID), Form: &bot.Form{Action: FormReply, Value: p.ID,
		Title: i18n.T(l, "talk.form.title"), Label: i18n.T(l, "talk.form.label", p.Name), Submit: i18n.T(l, "talk.form.submit")}}, nil
}

// FormFunc handles a submitted form: value is the form's, text what the
// person typed.
type FormFunc func(s *Service, ctx context.Context, c *Caller, value, text string) (*bot.Message, error)

// HandleForm registers what submitting a form does.
func (s *Service) HandleForm(action string, fn FormFunc) {
	if _, dup := s.forms[action]; dup {
		panic("commands: duplicate form " + action)
	}
	s.forms[action] = fn
}

// Submit runs a submitted form and returns the message to show; like
// Run it never returns a raw error.
func (s *Service) Submit(ctx context.Context, c *Caller, action, value, text string) *bot.Message {
	fn, ok := s.forms[action]
	if !ok {
		return private(i18n.T(c.Locale, "err.unknown_action"))
	}
	if !c.Known() {
		return s.unknownUser(c)
	}
	msg, err := fn(s, ctx, c, value, text)
	if err != nil {
		return s.failure(c, "form "+action, err)
	}
	return msg
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"talk.from":          {"💬 %s (%s) writes", "💬 Wiadomość od: %s (%s)"},
		"talk.from.footer":   {"Answer with Reply, in this thread, or /message %s …", "Odpowiedz przyciskiem, w tym wątku albo przez /message %s …"},
		"talk.reply":         {"Reply", "Odpowiedz"},
		"talk.relayed":       {"Passed on to %s. The answer will come here.", "Przekazano: %s. Odpowiedź przyjdzie tutaj."},
		"talk.team":          {"the %s team", "zespół programu %s"},
		"talk.nobody":        {"Nobody can read messages here yet: your account manager has no chat account. Please reach them another way.", "Na razie nikt tu nie odczyta wiadomości: Twój opiekun nie ma konta na czacie. Skontaktuj się z nim inaczej."},
		"talk.empty":         {"I can pass on text only: please write your message.", "Mogę przekazać tylko tekst: napisz, proszę, wiadomość."},
		"talk.help.partner":  {"Write to me here and I will pass it on to your account manager. Your figures: /mystats · your link: /referral · everything: /help", "Napisz tutaj, a przekażę to Twojemu opiekunowi. Twoje wyniki: /mystats · Twój link: /referral · wszystko: /help"},
		"talk.help.manager":  {"I pass on what partners write to me. To write to a partner: /message ID text, or Reply under their message. Your partners: /health · everything: /help", "Przekazuję, co piszą do mnie partnerzy. Aby napisać do partnera: /message ID treść albo przycisk Odpowiedz pod jego wiadomością. Twoi partnerzy: /health · wszystko: /help"},
		"talk.form.title":    {"Reply", "Odpowiedź"},
		"talk.form.label":    {"Your answer to %s", "Twoja odpowiedź dla: %s"},
		"talk.form.submit":   {"Send", "Wyślij"},
		"talk.form.fallback": {"Answer with /message %s and your text.", "Odpowiedz przez /message %s i treść."},
	})
}
