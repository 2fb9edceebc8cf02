// Package alerts tells account managers when a partner's health turns
// red: one DM per red episode with the reasons and the playbook's next
// step, a reminder while it stays red and unacknowledged, an escalation
// when nobody answers, and a short note when it recovers.
//
// The decision what to send is Decide, a pure function of the last
// record, the verdict and now (alertmanager's needsUpdate). Notifier is
// the thin effect around it: it builds the messages, puts them in the
// outbox under idempotency keys, then records the new state. Register
// adds the alert buttons to a commands.Service; Activity records a
// partner's chat activity as contact_in.
package alerts

import (
	"time"

	"partnerbot/health"
	"partnerbot/store"
)

// Action is one message Decide asks for.
type Action string

// The actions.
const (
	// Alert: a new red episode; one DM to the manager.
	Alert Action = "alert"
	// Remind: still red, not acknowledged, not snoozed, RepeatAfter
	// since the last alert or reminder.
	Remind Action = "alert_reminder"
	// Escalate: still red and not acknowledged EscalateAfter after the
	// first alert; once per episode.
	Escalate Action = "alert_escalation"
	// Recovered: the episode ended (amber or green again); once.
	Recovered Action = "alert_recovered"
)

// Policy paces alerts (config: alerts).
type Policy struct {
	// RepeatAfter is how long after the last alert or reminder a red,
	// unacknowledged partner is reminded of; zero: never.
	RepeatAfter time.Duration
	// EscalateAfter is how long after the first alert an unacknowledged
	// episode goes to the escalation target; zero: never.
	EscalateAfter time.Duration
	// Snooze is how long the Snooze button silences reminders and
	// escalation; zero means 7 days.
	Snooze time.Duration
}

// DefaultPolicy is the configuration's default.
var DefaultPolicy = Policy{RepeatAfter: 7 * 24 * time.Hour, EscalateAfter: 3 * 24 * time.Hour, Snooze: 7 * 24 * time.Hour}

func (p Policy) snooze() time.Duration {
	if p.Snooze <= 0 {
		return 7 * 24 * time.Hour
	}
	return p.Snooze
}

// Decide returns the partner's next alert state and the messages to send,
// from its last state (hadState false: none yet), the verdict's level and
// now. It reads no clock and touches nothing.
//
// Red after not red opens a new episode with one Alert. While red, an
// acknowledged episode stays quiet, a snoozed one is quiet until
// SnoozedUntil, and otherwise Escalate comes once, EscalateAfter after
// the alert, and Remind every RepeatAfter. Amber or green after red
// closes the episode with one Recovered. Unknown changes nothing.
func Decide(st store.AlertState, hadState bool, level health.Level, now time.Time, p Policy) (store.AlertState, []Action) {
	open := hadState && st.Red
	switch {
	case level == health.Red && !open:
		return store.AlertState{Partner: st.Partner, Episode: st.Episode + 1, Since: now, AlertedAt: now, Red: true}, []Action{Alert}
	case level == health.Red:
		if !st.AckedAt.IsZero() || now.Before(st.SnoozedUntil) {
			return st, nil
		}
		var acts []Action
		if p.EscalateAfter > 0 && st.EscalatedAt.IsZero() && !now.Before(st.AlertedAt.Add(p.EscalateAfter)) {
			st.EscalatedAt = now
			acts = append(acts, Escalate)
		}
		last := st.AlertedAt
		if st.LastReminder.After(last) {
			last = st.LastReminder
		}
		if p.RepeatAfter > 0 && !now.Before(last.Add(p.RepeatAfter)) {
			st.LastReminder = now
			st.Reminders++
			acts = append(acts, Remind)
		}
		return st, acts
	case open && (level == health.Amber || level == health.Green):
		st.Red, st.Recovered = false, now
		return st, []Action{Recovered}
	}
	return st, nil
}

// Close ends an open episode without a message: what happens when a
// partner is paused or ended while red.
func Close(st store.AlertState, now time.Time) store.AlertState {
	if st.Red {
		st.Red, st.Recovered = false, now
	}
	return st
}
