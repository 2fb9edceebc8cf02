package alerts

import (
	"context"
	"strconv"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/i18n"
	"partnerbot/store"
)

// The alert buttons' actions; their value is PARTNER:EPISODE.
const (
	ActionAck     = "alert.ack"
	ActionSnooze  = "alert.snooze"
	ActionContact = "alert.contact"
)

// Register adds the alert buttons to svc: Acknowledge, Snooze and Log
// contact. Only the partner's manager, the manager it escalates to, or an
// admin may press them; a button of an episode that is over says so.
func Register(svc *commands.Service, n *Notifier) {
	svc.HandleAction(ActionAck, func(_ *commands.Service, ctx context.Context, c *commands.Caller, value string) (*bot.Message, error) {
		return n.ack(ctx, c, value)
	})
	svc.HandleAction(ActionSnooze, func(_ *commands.Service, ctx context.Context, c *commands.Caller, value string) (*bot.Message, error) {
		return n.snooze(ctx, c, value)
	})
	svc.HandleAction(ActionContact, func(s *commands.Service, ctx context.Context, c *commands.Caller, value string) (*bot.Message, error) {
		return n.contact(ctx, s, c, value)
	})
}

func private(text string) *bot.Message { return &bot.Message{Text: text, Private: true} }

func who(c *commands.Caller) string {
	if c.Manager != nil {
		return c.Manager.ID
	}
	return "admin"
}

// pressed is a button press that passed the checks.
type pressed struct {
	partner  *bot.Partner
	episode  int
	viaAdmin bool // allowed as the escalation manager: /contact needs an admin's rights
}

// authorize finds the partner a button is about and checks the caller
// may press it. A refusal or an unknown partner is a message to show.
func (n *Notifier) authorize(ctx context.Context, c *commands.Caller, value string) (*pressed, *bot.Message, error) {
	l := c.Locale
	id, epText, ok := strings.Cut(value, ":")
	ep, err := strconv.Atoi(epText)
	if !ok || err != nil || id == "" {
		return nil, nil, bot.Errorf(bot.EINVALID, "%s", i18n.T(l, "alert.bad_button"))
	}
	// Whoever may not press the button gets one answer, the same for a
	// partner that is someone else's and one that does not exist: it
	// names no partner, so a crafted value learns nothing.
	refused := private(i18n.T(l, "alert.refused"))
	p, err := n.Store.Partner(ctx, id)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		if c.Admin {
			return nil, private(i18n.T(l, "alert.over", id)), nil
		}
		return nil, refused, nil
	}
	if err != nil {
		return nil, nil, err
	}
	pr := &pressed{partner: p, episode: ep}
	switch {
	case c.Manager != nil && p.Manager != "" && c.Manager.ID == p.Manager:
	case c.Admin:
	case c.Manager != nil && p.Manager != "":
		m, err := n.Store.Manager(ctx, p.Manager)
		if err != nil && bot.ErrorCode(err) != bot.ENOTFOUND {
			return nil, nil, err
		}
		if err != nil || m.Escalation != c.Manager.ID {
			return nil, refused, nil
		}
		pr.viaAdmin = true
	default:
		return nil, refused, nil
	}
	return pr, nil, nil
}

// update runs fn on the open episode the button belongs to and records
// the result; a button of another episode, or of one that ended, answers
// that the alert is over.
func (n *Notifier) update(ctx context.Context, c *commands.Caller, pr *pressed, fn func(st *store.AlertState, now time.Time) string) (msg *bot.Message, open bool, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, had, err := n.Store.AlertState(ctx, pr.partner.ID)
	if err != nil {
		return nil, false, err
	}
	if !had || !st.Red || st.Episode != pr.episode {
		return private(i18n.T(c.Locale, "alert.over", pr.partner.Name)), false, nil
	}
	text := fn(&st, n.now())
	if err := n.Store.PutAlertState(ctx, st); err != nil {
		return nil, false, err
	}
	return private(text), true, nil
}

func (n *Notifier) acknowledge(c *commands.Caller, p *bot.Partner, st *store.AlertState, now time.Time) string {
	l := c.Locale
	if !st.AckedAt.IsZero() {
		return i18n.T(l, "alert.already_acked", p.Name, st.AckedBy, i18n.DateTime(l, st.AckedAt, n.loc()))
	}
	st.AckedAt, st.AckedBy = now, who(c)
	return i18n.T(l, "alert.acked", p.Name)
}

func (n *Notifier) ack(ctx context.Context, c *commands.Caller, value string) (*bot.Message, error) {
	pr, refusal, err := n.authorize(ctx, c, value)
	if pr == nil {
		return refusal, err
	}
	msg, _, err := n.update(ctx, c, pr, func(st *store.AlertState, now time.Time) string {
		return n.acknowledge(c, pr.partner, st, now)
	})
	return msg, err
}

func (n *Notifier) snooze(ctx context.Context, c *commands.Caller, value string) (*bot.Message, error) {
	pr, refusal, err := n.authorize(ctx, c, value)
	if pr == nil {
		return refusal, err
	}
	msg, _, err := n.update(ctx, c, pr, func(st *store.AlertState, now time.Time) string {
		st.SnoozedUntil = now.Add(n.Policy.snooze())
		return i18n.T(c.Locale, "alert.snoozed", pr.partner.Name, i18n.DateTime(c.Locale, st.SnoozedUntil, n.loc()))
	})
	return msg, err
}

// contact logs a contact_out exactly as /contact does (by running it)
// and acknowledges the alert: reaching out is the answer to it.
func (n *Notifier) contact(ctx context.Context, svc *commands.Service, c *commands.Caller, value string) (*bot.Message, error) {
	pr, refusal, err := n.authorize(ctx, c, value)
	if pr == nil {
		return refusal, err
	}
	ackMsg, open, err := n.update(ctx, c, pr, func(st *store.AlertState, now time.Time) string {
		if st.AckedAt.IsZero() {
			n.acknowledge(c, pr.partner, st, now)
		}
		return i18n.T(c.Locale, "alert.contact_acked")
	})
	if err != nil {
		return nil, err
	}
	if !open {
		return ackMsg, nil
	}
	as := c
	if pr.viaAdmin {
		// /contact admits the partner's own manager and admins; the
		// escalation manager was admitted above, for this partner only.
		cc := *c
		cc.Admin = true
		as = &cc
	}
	logged := svc.Run(ctx, as, "contact", map[string]string{"id": pr.partner.ID})
	logged.Text += "\n" + ackMsg.Text
	logged.Private = true
	return logged, nil
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"alert.bad_button":    {"This is not an alert button.", "To nie jest przycisk alertu."},
		"alert.refused":       {"This alert is not yours to answer: only the partner's manager, its escalation manager or an admin can.", "Ten alert nie jest do Ciebie: odpowiada na niego tylko opiekun partnera, osoba od eskalacji albo administrator."},
		"alert.over":          {"This alert is over: %s is no longer in that red episode.", "Ten alert jest już nieaktualny: stan czerwony, którego dotyczył (%s), się skończył."},
		"alert.acked":         {"Acknowledged: no more reminders about %s in this episode.", "Potwierdzone (%s): bez kolejnych przypomnień, dopóki stan jest czerwony."},
		"alert.already_acked": {"%s was already acknowledged by %s on %s.", "Ten alert (%s) jest już potwierdzony: %s, %s."},
		"alert.snoozed":       {"Snoozed: no reminders about %s until %s.", "Odłożone (%s): bez przypomnień do %s."},
		"alert.contact_acked": {"The alert is acknowledged.", "Alert potwierdzony."},
	})
}
