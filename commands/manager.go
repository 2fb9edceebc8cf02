package commands

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/health"
	"partnerbot/i18n"
	"partnerbot/store"
)

// managed returns the partner when the caller may see it: an admin sees
// every partner, a manager only its own. Anyone else gets one answer,
// ENOTFOUND "not among your partners", whether the partner is someone
// else's or does not exist, so an id can be probed for neither its name
// nor its existence.
func (s *Service) managed(ctx context.Context, c *Caller, id string) (*bot.Partner, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	p, err := s.opt.Store.Partner(ctx, id)
	switch {
	case bot.ErrorCode(err) == bot.ENOTFOUND && c.Admin:
		return nil, i18n.UserError(bot.ENOTFOUND, "partner.not_found", id)
	case bot.ErrorCode(err) == bot.ENOTFOUND:
		return nil, i18n.UserError(bot.ENOTFOUND, "partner.not_yours", id)
	case err != nil:
		return nil, err
	case c.Admin:
		return p, nil
	case c.Manager == nil || p.Manager != c.Manager.ID:
		return nil, i18n.UserError(bot.ENOTFOUND, "partner.not_yours", id)
	}
	return p, nil
}

// partnerCard shows a manager one partner: who, how it does this month,
// where it stands, when it was last contacted.
func (s *Service) partnerCard(ctx context.Context, c *Caller, args map[string]string) (*bot.Message, error) {
	l := c.Locale
	p, err := s.managed(ctx, c, args["id"])
	if err != nil {
		return nil, err
	}
	now, today := s.now()
	month := bot.MonthPeriod(today.Year, today.Month)
	st, err := s.opt.Store.StatsAt(ctx, p.ID, month, now, s.opt.Currency)
	if err != nil {
		return nil, err
	}
	standings, err := s.board.Standings(ctx, today)
	if err != nil {
		return nil, err
	}
	notes, err := s.opt.Store.Notes(ctx, p.ID, 1)
	if err != nil {
		return nil, err
	}
	money := func(a bot.Amount) string { return i18n.Money(l, s.opt.Currency, a) }
	msg := &bot.Message{
		Title:   fmt.Sprintf("%s (%s)", p.Name, p.ID),
		Private: true,
		Fields: []bot.Field{
			{Name: i18n.T(l, "partner.status"), Value: i18n.T(l, "status."+string(p.Status)), Inline: true},
			{Name: i18n.T(l, "partner.contact"), Value: dash(p.ContactName), Inline: true},
			{Name: i18n.T(l, "partner.joined"), Value: i18n.Date(l, p.Joined), Inline: true},
			{Name: i18n.T(l, "partner.month", i18n.Period(l, month)),
				Value: money(st.Current.Turnover()) + change(l, st, p, int64(st.Current.Turnover()), int64(st.Previous.Turnover())) +
					"\n" + i18n.N(l, st.Current.Sales, "sale") + change(l, st, p, st.Current.Sales, st.Previous.Sales), Inline: true},
		},
		Footer:  i18n.T(l, "partner.link", s.referralLink(p)),
		Buttons: []bot.Button{{Action: ActionLogContact, Value: p.ID, Label: i18n.T(l, "partner.log_contact")}},
	}
	msg.Fields = append(msg.Fields, i18n.OwedFields(l, s.opt.Currency, st.Owed)...)
	if stand, ok := standings[p.ID]; ok {
		var v string
		switch {
		case stand.Tier == "":
			v = stand.TierText(l) // onboarding: nothing to rank by yet
		case stand.Segment == "":
			v = i18n.T(l, "partner.standing.new", stand.TierText(l)) + "\n" + rankValue(l, stand, health.RankingMonth(today))
		default:
			v = i18n.T(l, "partner.standing.value", stand.SegmentText(l), stand.TierText(l)) + "\n" + rankValue(l, stand, health.RankingMonth(today))
		}
		if stand.Inactive {
			v += "\n" + i18n.T(l, "partner.inactive")
		}
		msg.Fields = append(msg.Fields, bot.Field{Name: i18n.T(l, "partner.standing"), Value: v, Inline: true})
	}
	hf, err := s.healthFields(ctx, c, p)
	if err != nil {
		return nil, err
	}
	msg.Fields = append(msg.Fields, hf...)
	last := i18n.T(l, "partner.never")
	if len(notes) > 0 {
		last = i18n.DateTime(l, notes[0].At, s.opt.Location) + " (" + notes[0].Manager + ")"
		if notes[0].Text != "" {
			last += ": " + notes[0].Text
		}
	}
	msg.Fields = append(msg.Fields, bot.Field{Name: i18n.T(l, "partner.last_contact"), Value: last})
	return msg, nil
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// ActionLogContact logs a contact with a partner at once (the partner
// card's button, an alert's "log contact").
const ActionLogContact = "contact.log"

// contact records that the manager reached out: a contact_out event (the
// fact and time, for responsiveness) and the manager's own note.
func (s *Service) contact(ctx context.Context, c *Caller, args map[string]string) (*bot.Message, error) {
	p, err := s.managed(ctx, c, args["id"])
	if err != nil {
		return nil, err
	}
	note := strings.TrimSpace(args["note"])
	if note == "" {
		// Without a note, the platforms with forms open one to write it
		// in; elsewhere the text says how to give it inline.
		l := c.Locale
		return &bot.Message{Private: true, Text: i18n.T(l, "contact.form.fallback", p.ID),
			Form: &bot.Form{Action: FormContact, Value: p.ID, Title: i18n.T(l, "contact.form.title"),
				Label: i18n.T(l, "contact.form.label", p.Name), Submit: i18n.T(l, "contact.form.submit")}}, nil
	}
	return s.logContact(ctx, c, p, note)
}

// FormContact is the form /contact opens for the note of a contact.
const FormContact = "contact.note"

func init() {
	i18n.Add(map[string]i18n.Text{
		"contact.form.title":    {"Log a contact", "Zapisz kontakt"},
		"contact.form.label":    {"What did you talk about? (%s)", "O czym rozmawialiście? (%s)"},
		"contact.form.submit":   {"Save", "Zapisz"},
		"contact.form.fallback": {"Add what you talked about: /contact %s NOTE", "Dopisz, o czym rozmawialiście: /contact %s NOTATKA"},
		"message.form.fallback": {"Add the text: /message %s TEXT", "Dopisz treść: /message %s TREŚĆ"},
	})
}

func (s *Service) logContactAction(ctx context.Context, c *Caller, id string) (*bot.Message, error) {
	p, err := s.managed(ctx, c, id)
	if err != nil {
		return nil, err
	}
	return s.logContact(ctx, c, p, "")
}

func (s *Service) logContact(ctx context.Context, c *Caller, p *bot.Partner, note string) (*bot.Message, error) {
	now, _ := s.now()
	who := "admin"
	if c.Manager != nil {
		who = c.Manager.ID
	}
	if len(note) > 500 {
		note = note[:500]
	}
	ev := bot.Event{ID: fmt.Sprintf("contact-out-%s-%s-%d", p.ID, who, now.UnixNano()), Type: bot.EventContactOut, Partner: p.ID, At: now}
	if _, err := s.opt.Store.Ingest(ctx, []bot.Event{ev}, nil); err != nil {
		return nil, err
	}
	if err := s.opt.Store.AddNote(ctx, p.ID, store.Note{At: now, Manager: who, Text: note}); err != nil {
		return nil, err
	}
	return private(i18n.T(c.Locale, "contact.logged", p.Name, i18n.DateTime(c.Locale, now, s.opt.Location))), nil
}

// inviteAlphabet leaves out look-alikes; codes are read aloud and typed.
const inviteAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

func newInviteCode() (string, error) {
	var raw [9]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	var b strings.Builder
	for i, r := range raw {
		if i > 0 && i%3 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(inviteAlphabet[int(r)%len(inviteAlphabet)])
	}
	return b.String(), nil
}

// linkCode issues a one-time code the partner types with /link to connect
// its chat account.
func (s *Service) linkCode(ctx context.Context, c *Caller, args map[string]string) (*bot.Message, error) {
	l := c.Locale
	p, err := s.managed(ctx, c, args["id"])
	if err != nil {
		return nil, err
	}
	now, _ := s.now()
	issuer := "admin"
	if c.Manager != nil {
		issuer = c.Manager.ID
	}
	expires := now.Add(s.opt.LinkTTL)
	var code string
	for range 5 {
		if code, err = newInviteCode(); err != nil {
			return nil, err
		}
		err = s.opt.Store.PutLinkCode(ctx, code, store.LinkCode{Partner: p.ID, Issuer: issuer, Expires: expires})
		if bot.ErrorCode(err) != bot.ECONFLICT {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return &bot.Message{
		Title:   i18n.T(l, "invite.title", p.Name),
		Text:    i18n.T(l, "invite.text", code, i18n.DateTime(l, expires, s.opt.Location)),
		Private: true,
		Footer:  i18n.T(l, "invite.footer", linkTTLText(l, s.opt.LinkTTL)),
	}, nil
}

func linkTTLText(l bot.Locale, d time.Duration) string {
	if d >= 24*time.Hour {
		return i18n.N(l, int64(d/(24*time.Hour)), "day")
	}
	return i18n.N(l, int64(d/time.Hour), "hour")
}

// message sends a manager's words to a partner through the bot (its DMs,
// else its channel, on each platform it has) and records the outreach as
// a contact_out: responsiveness is measured from it. The text goes out
// through the outbox; the ledger keeps only the fact and time.
func (s *Service) message(ctx context.Context, c *Caller, args map[string]string) (*bot.Message, error) {
	l := c.Locale
	p, err := s.managed(ctx, c, args["id"])
	if err != nil {
		return nil, err
	}
	text := strings.TrimSpace(args["text"])
	if text == "" {
		// Without text, a form to write it in (the reply form: it sends
		// through this command).
		m, err := s.replyForm(ctx, c, p.ID)
		if m != nil {
			m.Text = i18n.T(l, "message.form.fallback", p.ID)
		}
		return m, err
	}
	if len([]rune(text)) > 2000 {
		return private(i18n.T(l, "message.too_long")), nil
	}
	// The partner's DMs where it has a user, else its channel.
	var targets []bot.Target
	for _, a := range [][3]string{{"slack", p.SlackUser, p.SlackChannel}, {"discord", p.DiscordUser, p.DiscordChannel}} {
		switch {
		case a[1] != "":
			targets = append(targets, bot.Target{Platform: a[0], User: a[1]})
		case a[2] != "":
			targets = append(targets, bot.Target{Platform: a[0], Channel: a[2]})
		}
	}
	if len(targets) == 0 {
		return private(i18n.T(l, "message.no_account", p.Name)), nil
	}
	now, _ := s.now()
	pl := p.Locale
	who, name := "admin", s.programName(pl)
	if c.Manager != nil {
		who, name = c.Manager.ID, c.Manager.Name
	}
	msg := bot.Message{Title: i18n.T(pl, "message.title", name), Text: text, Footer: i18n.T(pl, "message.footer")}
	for _, t := range targets {
		key := fmt.Sprintf("manager_message/%s/%s/%d/%s", who, p.ID, now.UnixNano(), t.Platform)
		if _, err := s.opt.Store.Enqueue(ctx, &store.OutboxItem{Key: key, Kind: KindManagerMessage, Partner: p.ID, Target: t, Message: msg, Transient: true}); err != nil {
			return nil, err
		}
	}
	if _, err := s.logContact(ctx, c, p, i18n.T(l, "message.note")); err != nil {
		return nil, err
	}
	return private(i18n.T(l, "message.sent", p.Name)), nil
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"cmd.message.help":     {"write to a partner through the bot; logged as a contact (managers)", "napisz do partnera przez bota; zapisuje się jako kontakt (opiekunowie)"},
		"cmd.message.arg.id":   {"the partner's id", "identyfikator partnera"},
		"cmd.message.arg.text": {"what to write", "treść wiadomości"},
		"message.title":        {"A message from %s", "Wiadomość od: %s"},
		"message.footer":       {"Reply to this message and I will pass it on to your account manager.", "Odpowiedz na tę wiadomość, a przekażę ją Twojemu opiekunowi."},
		"message.sent":         {"Sent to %s; logged as a contact.", "Wysłano do: %s; zapisano jako kontakt."},
		"message.note":         {"message sent through the bot", "wiadomość wysłana przez bota"},
		"message.no_account":   {"%s has no Slack or Discord account yet: give the partner a code with /linkcode first.", "%s nie ma jeszcze konta na Slacku ani Discordzie: najpierw daj partnerowi kod poleceniem /linkcode."},
		"message.too_long":     {"That is longer than 2 000 characters; please shorten it.", "To ponad 2 000 znaków; skróć, proszę."},
	})
}
