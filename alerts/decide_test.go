package alerts

import (
	"slices"
	"testing"
	"time"

	"partnerbot/health"
	"partnerbot/store"
)

func TestDecide(t *testing.T) {
	t0 := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	p := Policy{RepeatAfter: 7 * day, EscalateAfter: 3 * day, Snooze: 7 * day}
	open := store.AlertState{Partner: "janko", Episode: 1, Since: t0, AlertedAt: t0, Red: true}
	with := func(f func(*store.AlertState)) store.AlertState {
		st := open
		f(&st)
		return st
	}
	closed := with(func(s *store.AlertState) { s.Red, s.Recovered = false, t0.Add(10*day) })

	tests := []struct {
		name  string
		st    store.AlertState
		had   bool
		level health.Level
		now   time.Time
		want  []Action
		next  store.AlertState
		pol   *Policy // nil: p
	}{
		{name: "first red: alert", st: store.AlertState{Partner: "janko"}, level: health.Red, now: t0,
			want: []Action{Alert}, next: open},
		{name: "amber with no state: nothing", st: store.AlertState{Partner: "janko"}, level: health.Amber, now: t0,
			next: store.AlertState{Partner: "janko"}},
		{name: "green with no state: nothing", st: store.AlertState{Partner: "janko"}, level: health.Green, now: t0,
			next: store.AlertState{Partner: "janko"}},
		{name: "still red within a day: nothing", st: open, had: true, level: health.Red, now: t0.Add(day), next: open},
		{name: "escalate after 3 days", st: open, had: true, level: health.Red, now: t0.Add(3 * day),
			want: []Action{Escalate}, next: with(func(s *store.AlertState) { s.EscalatedAt = t0.Add(3 * day) })},
		{name: "escalate once",
			st:  with(func(s *store.AlertState) { s.EscalatedAt = t0.Add(3 * day) }),
			had: true, level: health.Red, now: t0.Add(5 * day),
			next: with(func(s *store.AlertState) { s.EscalatedAt = t0.Add(3 * day) })},
		{name: "remind after 7 days",
			st:  with(func(s *store.AlertState) { s.EscalatedAt = t0.Add(3 * day) }),
			had: true, level: health.Red, now: t0.Add(7 * day), want: []Action{Remind},
			next: with(func(s *store.AlertState) {
				s.EscalatedAt, s.LastReminder, s.Reminders = t0.Add(3*day), t0.Add(7*day), 1
			})},
		{name: "escalation and reminder due together",
			st: open, had: true, level: health.Red, now: t0.Add(8 * day), want: []Action{Escalate, Remind},
			next: with(func(s *store.AlertState) {
				s.EscalatedAt, s.LastReminder, s.Reminders = t0.Add(8*day), t0.Add(8*day), 1
			})},
		{name: "next reminder counts from the last one",
			st: with(func(s *store.AlertState) {
				s.EscalatedAt, s.LastReminder, s.Reminders = t0.Add(3*day), t0.Add(7*day), 1
			}),
			had: true, level: health.Red, now: t0.Add(13 * day),
			next: with(func(s *store.AlertState) {
				s.EscalatedAt, s.LastReminder, s.Reminders = t0.Add(3*day), t0.Add(7*day), 1
			})},
		{name: "second reminder",
			st: with(func(s *store.AlertState) {
				s.EscalatedAt, s.LastReminder, s.Reminders = t0.Add(3*day), t0.Add(7*day), 1
			}),
			had: true, level: health.Red, now: t0.Add(14 * day), want: []Action{Remind},
			next: with(func(s *store.AlertState) {
				s.EscalatedAt, s.LastReminder, s.Reminders = t0.Add(3*day), t0.Add(14*day), 2
			})},
		{name: "acknowledged: no reminder or escalation",
			st:  with(func(s *store.AlertState) { s.AckedAt, s.AckedBy = t0.Add(time.Hour), "kasia" }),
			had: true, level: health.Red, now: t0.Add(30 * day),
			next: with(func(s *store.AlertState) { s.AckedAt, s.AckedBy = t0.Add(time.Hour), "kasia" })},
		{name: "snoozed: quiet until it ends",
			st:  with(func(s *store.AlertState) { s.SnoozedUntil = t0.Add(9 * day) }),
			had: true, level: health.Red, now: t0.Add(9*day - time.Second),
			next: with(func(s *store.AlertState) { s.SnoozedUntil = t0.Add(9 * day) })},
		{name: "snooze over: escalation and reminder",
			st:  with(func(s *store.AlertState) { s.SnoozedUntil = t0.Add(9 * day) }),
			had: true, level: health.Red, now: t0.Add(9 * day), want: []Action{Escalate, Remind},
			next: with(func(s *store.AlertState) {
				s.SnoozedUntil, s.EscalatedAt, s.LastReminder, s.Reminders = t0.Add(9*day), t0.Add(9*day), t0.Add(9*day), 1
			})},
		{name: "red to amber: recovered", st: open, had: true, level: health.Amber, now: t0.Add(10 * day),
			want: []Action{Recovered}, next: closed},
		{name: "red to green: recovered", st: open, had: true, level: health.Green, now: t0.Add(10 * day),
			want: []Action{Recovered}, next: closed},
		{name: "acknowledged episode still gets its recovered note",
			st:  with(func(s *store.AlertState) { s.AckedAt = t0 }),
			had: true, level: health.Green, now: t0.Add(10 * day), want: []Action{Recovered},
			next: with(func(s *store.AlertState) { s.AckedAt, s.Red, s.Recovered = t0, false, t0.Add(10*day) })},
		{name: "recovered once", st: closed, had: true, level: health.Green, now: t0.Add(11 * day), next: closed},
		{name: "amber after recovery: nothing", st: closed, had: true, level: health.Amber, now: t0.Add(11 * day), next: closed},
		{name: "unknown while red: nothing", st: open, had: true, level: health.Unknown, now: t0.Add(day), next: open},
		{name: "red again after recovery: new episode", st: closed, had: true, level: health.Red, now: t0.Add(20 * day),
			want: []Action{Alert},
			next: store.AlertState{Partner: "janko", Episode: 2, Since: t0.Add(20 * day), AlertedAt: t0.Add(20 * day), Red: true}},
		{name: "no repeat or escalation configured",
			st: open, had: true, level: health.Red, now: t0.Add(60 * day), next: open, pol: &Policy{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := p
			if tt.pol != nil {
				pol = *tt.pol
			}
			next, acts := Decide(tt.st, tt.had, tt.level, tt.now, pol)
			if !slices.Equal(acts, tt.want) {
				t.Errorf("actions = %v, want %v", acts, tt.want)
			}
			if !sameState(next, tt.next) {
				t.Errorf("next = %+v\nwant   %+v", next, tt.next)
			}
		})
	}
}

func TestClose(t *testing.T) {
	t0 := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	st := Close(store.AlertState{Partner: "janko", Episode: 1, Red: true}, t0)
	if st.Red || !st.Recovered.Equal(t0) {
		t.Errorf("closed = %+v, want not red, recovered at %v", st, t0)
	}
}
