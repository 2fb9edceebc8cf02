package alerts

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/i18n"
	"partnerbot/store"
)

// groupPrefix starts the value of a grouped alert's buttons, before the
// group message's outbox key: they answer for every partner in it.
const groupPrefix = "group:"

// The alert buttons' actions; their value is PARTNER:EPISODE, or
// group:KEY on a grouped alert.
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
		return nil, nil, i18n.UserError(bot.EINVALID, "alert.bad_button")
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
// that the alert is over (and st is nil).
func (n *Notifier) update(ctx context.Context, c *commands.Caller, pr *pressed, fn func(st *store.AlertState, now time.Time) string) (msg *bot.Message, st *store.AlertState, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	cur, had, err := n.Store.AlertState(ctx, pr.partner.ID)
	if err != nil {
		return nil, nil, err
	}
	if !had || !cur.Red || cur.Episode != pr.episode {
		return private(i18n.T(c.Locale, "alert.over", pr.partner.Name)), nil, nil
	}
	text := fn(&cur, n.now())
	if err := n.Store.PutAlertState(ctx, cur); err != nil {
		return nil, nil, err
	}
	return private(text), &cur, nil
}

func (n *Notifier) acknowledge(c *commands.Caller, p *bot.Partner, st *store.AlertState, now time.Time) string {
	l := c.Locale
	if !st.AckedAt.IsZero() {
		return i18n.T(l, "alert.already_acked", p.Name, st.AckedBy, i18n.DateTime(l, st.AckedAt, n.loc()))
	}
	st.AckedAt, st.AckedBy = now, who(c)
	return i18n.T(l, "alert.acked", p.Name)
}

// answer is what a button does to one partner's open episode, and the
// line it leaves on the alert message.
type answer struct {
	apply  func(c *commands.Caller, p *bot.Partner, st *store.AlertState, now time.Time) string
	status func(c *commands.Caller, st *store.AlertState) string
}

func (n *Notifier) ackAnswer() answer {
	return answer{
		apply: n.acknowledge,
		status: func(c *commands.Caller, st *store.AlertState) string {
			return i18n.T(c.Locale, "alert.status.acked", whoName(c), i18n.DateTime(c.Locale, st.AckedAt, n.loc()))
		},
	}
}

func (n *Notifier) snoozeAnswer() answer {
	return answer{
		apply: func(c *commands.Caller, p *bot.Partner, st *store.AlertState, now time.Time) string {
			st.SnoozedUntil = now.Add(n.Policy.snooze())
			return i18n.T(c.Locale, "alert.snoozed", p.Name, i18n.DateTime(c.Locale, st.SnoozedUntil, n.loc()))
		},
		status: func(c *commands.Caller, st *store.AlertState) string {
			return i18n.T(c.Locale, "alert.status.snoozed", whoName(c), i18n.DateTime(c.Locale, st.SnoozedUntil, n.loc()))
		},
	}
}

// whoName is the presser as the alert message names them.
func whoName(c *commands.Caller) string {
	if c.Manager != nil && c.Manager.Name != "" {
		return c.Manager.Name
	}
	return who(c)
}

// press runs an answer for one partner's button (PARTNER:EPISODE) or a
// grouped alert's (group:KEY), then updates the alert messages in place.
func (n *Notifier) press(ctx context.Context, c *commands.Caller, value string, a answer) (*bot.Message, error) {
	if strings.HasPrefix(value, groupPrefix) {
		return n.pressGroup(ctx, c, strings.TrimPrefix(value, groupPrefix), a)
	}
	pr, refusal, err := n.authorize(ctx, c, value)
	if pr == nil {
		return refusal, err
	}
	msg, st, err := n.update(ctx, c, pr, func(st *store.AlertState, now time.Time) string {
		return a.apply(c, pr.partner, st, now)
	})
	if err != nil || st == nil {
		return msg, err
	}
	replaced, err := n.announce(ctx, c, []store.AlertState{*st}, map[string]string{st.Partner: pr.partner.Name}, a.status(c, st), false)
	if err != nil {
		return nil, err
	}
	if replaced != nil {
		return replaced, nil
	}
	return msg, nil
}

// pressGroup answers for every partner of a grouped alert that is still
// red in the episode it announced and that the presser may answer for.
func (n *Notifier) pressGroup(ctx context.Context, c *commands.Caller, key string, a answer) (*bot.Message, error) {
	l := c.Locale
	lister, ok := n.Store.(interface {
		AlertStates(ctx context.Context) ([]store.AlertState, error)
	})
	if !ok {
		return nil, i18n.UserError(bot.EINVALID, "alert.bad_button")
	}
	all, err := lister.AlertStates(ctx)
	if err != nil {
		return nil, err
	}
	var done []store.AlertState
	names := map[string]string{}
	var refusal *bot.Message
	var texts []string
	for _, st := range all {
		if !st.Red || !announcedAs(st, key) {
			continue
		}
		pr, ref, err := n.authorize(ctx, c, st.Partner+":"+strconv.Itoa(st.Episode))
		if err != nil {
			return nil, err
		}
		if pr == nil {
			refusal = ref
			continue
		}
		msg, nst, err := n.update(ctx, c, pr, func(s *store.AlertState, now time.Time) string {
			return a.apply(c, pr.partner, s, now)
		})
		if err != nil {
			return nil, err
		}
		if nst != nil {
			done = append(done, *nst)
			names[nst.Partner] = pr.partner.Name
			texts = append(texts, msg.Text)
		}
	}
	if len(done) == 0 {
		if refusal != nil {
			return refusal, nil
		}
		return private(i18n.T(l, "alert.group_over")), nil
	}
	replaced, err := n.announce(ctx, c, done, names, a.status(c, &done[0]), true)
	if err != nil {
		return nil, err
	}
	if replaced != nil {
		return replaced, nil
	}
	return private(strings.Join(texts, "\n")), nil
}

func announcedAs(st store.AlertState, key string) bool {
	for _, k := range st.Announced {
		if k == key {
			return true
		}
	}
	return false
}

// announce adds a status line (who, when) to every message that
// announced these episodes, in place, through the outbox. A one-partner
// alert, or a group answered as a whole, loses its buttons; a group
// answered for one partner keeps them and names the partner. When the
// button pressed is on one of those messages, the updated message is
// returned to replace it at once.
func (n *Notifier) announce(ctx context.Context, c *commands.Caller, states []store.AlertState, names map[string]string, line string, whole bool) (*bot.Message, error) {
	finder, ok := n.Store.(interface {
		OutboxByKey(ctx context.Context, key string) (*store.OutboxItem, error)
	})
	if !ok {
		return nil, nil
	}
	keys := map[string][]string{} // message key → partners it announced
	var order []string
	for _, st := range states {
		for _, k := range st.Announced {
			if _, seen := keys[k]; !seen {
				order = append(order, k)
			}
			keys[k] = append(keys[k], st.Partner)
		}
	}
	var replaced *bot.Message
	now := n.now()
	for _, k := range order {
		it, err := finder.OutboxByKey(ctx, k)
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		msg := it.Message
		status := line
		group := strings.HasPrefix(k, "alert_group/")
		if group && !whole {
			var who []string
			for _, id := range keys[k] {
				who = append(who, names[id])
			}
			status = strings.Join(who, ", ") + ": " + line
		}
		msg.Text = strings.TrimRight(msg.Text, "\n") + "\n\n" + status
		if !group || whole {
			msg.Buttons = nil
		} else {
			// The answered partners' own buttons go; the group's stay.
			answered := map[string]bool{}
			for _, st := range states {
				answered[buttonValue(st)] = true
			}
			var keep []bot.Button
			for _, b := range msg.Buttons {
				if !answered[b.Value] {
					keep = append(keep, b)
				}
			}
			msg.Buttons = keep
		}
		if _, err := n.Store.Enqueue(ctx, &store.OutboxItem{Key: fmt.Sprintf("alert_update/%s/%d", k, now.UnixNano()), Kind: "alert_update",
			Target: it.Target, Updates: k, Message: msg}); err != nil {
			return nil, err
		}
		if c.MessageRef != "" && it.Ref == c.MessageRef && it.Target.Platform == c.Platform {
			r := msg
			r.Replace = true
			replaced = &r
		}
	}
	return replaced, nil
}

func (n *Notifier) ack(ctx context.Context, c *commands.Caller, value string) (*bot.Message, error) {
	return n.press(ctx, c, value, n.ackAnswer())
}

func (n *Notifier) snooze(ctx context.Context, c *commands.Caller, value string) (*bot.Message, error) {
	return n.press(ctx, c, value, n.snoozeAnswer())
}

// contact logs a contact_out exactly as /contact does (through the
// partner card's log-contact action)
// and acknowledges the alert: reaching out is the answer to it.
func (n *Notifier) contact(ctx context.Context, svc *commands.Service, c *commands.Caller, value string) (*bot.Message, error) {
	pr, refusal, err := n.authorize(ctx, c, value)
	if pr == nil {
		return refusal, err
	}
	ackMsg, st, err := n.update(ctx, c, pr, func(st *store.AlertState, now time.Time) string {
		if st.AckedAt.IsZero() {
			n.acknowledge(c, pr.partner, st, now)
		}
		return i18n.T(c.Locale, "alert.contact_acked")
	})
	if err != nil {
		return nil, err
	}
	if st == nil {
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
	// The card's own "log contact" action: /contact without a note now
	// opens a form to write one, and this button logs at once.
	logged := svc.Interact(ctx, as, commands.ActionLogContact, pr.partner.ID)
	line := i18n.T(c.Locale, "alert.status.contact", whoName(c), i18n.DateTime(c.Locale, n.now(), n.loc()))
	replaced, err := n.announce(ctx, c, []store.AlertState{*st}, map[string]string{st.Partner: pr.partner.Name}, line, false)
	if err != nil {
		return nil, err
	}
	if replaced != nil {
		return replaced, nil
	}
	logged.Text += "\n" + ackMsg.Text
	logged.Private = true
	return logged, nil
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"alert.bad_button":     {"This is not an alert button.", "To nie jest przycisk alertu."},
		"alert.refused":        {"This alert is not yours to answer: only the partner's manager, its escalation manager or an admin can.", "Ten alert nie jest do Ciebie: odpowiada na niego tylko opiekun partnera, osoba od eskalacji albo administrator."},
		"alert.over":           {"This alert is over: %s is no longer in that red episode.", "Ten alert jest już nieaktualny: stan czerwony, którego dotyczył (%s), się skończył."},
		"alert.acked":          {"Acknowledged: no more reminders about %s in this episode.", "Potwierdzone (%s): bez kolejnych przypomnień, dopóki stan jest czerwony."},
		"alert.already_acked":  {"%s was already acknowledged by %s on %s.", "Ten alert (%s) jest już potwierdzony: %s, %s."},
		"alert.snoozed":        {"Snoozed: no reminders about %s until %s.", "Odłożone (%s): bez przypomnień do %s."},
		"alert.contact_acked":  {"The alert is acknowledged.", "Alert potwierdzony."},
		"alert.group_over":     {"These alerts are over: none of these partners is still red.", "Te alerty są już nieaktualne: żaden z tych partnerów nie jest już na czerwono."},
		"alert.status.acked":   {"✅ Acknowledged by %s, %s", "✅ Potwierdzone: %s, %s"},
		"alert.status.snoozed": {"💤 Snoozed by %s until %s", "💤 Odłożone przez: %s, do %s"},
		"alert.status.contact": {"📞 Contact logged by %s, %s", "📞 Kontakt zapisany: %s, %s"},
	})
}
