package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// AlertState is the manager-alert record of one partner: its current (or
// last) red episode and what was sent and answered in it. The alerts
// package decides from it; the store only keeps it.
type AlertState struct {
	Partner      string    `json:"partner"`
	Episode      int       `json:"episode"`                // counts red episodes, from 1
	Since        time.Time `json:"since,omitzero"`         // when the episode turned red
	AlertedAt    time.Time `json:"alerted_at,omitzero"`    // the episode's first alert
	LastReminder time.Time `json:"last_reminder,omitzero"` // the latest reminder
	Reminders    int       `json:"reminders,omitempty"`    // reminders sent in the episode
	AckedAt      time.Time `json:"acked_at,omitzero"`      // acknowledged: no more reminders
	AckedBy      string    `json:"acked_by,omitempty"`     // manager id, or "admin"
	SnoozedUntil time.Time `json:"snoozed_until,omitzero"` // no reminders before this
	EscalatedAt  time.Time `json:"escalated_at,omitzero"`  // escalation sent (once per episode)
	Recovered    time.Time `json:"recovered,omitzero"`     // when the episode ended
	Red          bool      `json:"red"`                    // the episode is open
	// Announced is the outbox key of the message that announced the
	// episode, by recipient target ("slack:@U1"): the message reminders
	// and the recovered note follow in the thread of, and that answers
	// update in place. A grouped alert is one message for many partners.
	Announced map[string]string `json:"announced,omitempty"`
}

// AlertState returns the partner's alert record and whether there is one.
func (s *Store) AlertState(ctx context.Context, partner string) (AlertState, bool, error) {
	var st AlertState
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		st, found, err = alertStateTx(tx, partner)
		return err
	})
	if err != nil {
		return AlertState{}, false, wrap("alert state", err)
	}
	return st, found, nil
}

func alertStateTx(tx *bolt.Tx, partner string) (AlertState, bool, error) {
	var st AlertState
	v := tx.Bucket(bucketAlerts).Get([]byte(partner))
	if v == nil {
		return st, false, nil
	}
	if err := json.Unmarshal(v, &st); err != nil {
		return AlertState{}, false, fmt.Errorf("decode alert state %q: %w", partner, err)
	}
	return st, true, nil
}

// PutAlertState records st, replacing the partner's record. Returns
// EINVALID when st names no partner.
func (s *Store) PutAlertState(ctx context.Context, st AlertState) error {
	if st.Partner == "" {
		return bot.Errorf(bot.EINVALID, "an alert state needs a partner")
	}
	return wrap("put alert state", s.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketAlerts), st.Partner, &st)
	}))
}

// AlertStates returns every partner's alert record, in partner order.
func (s *Store) AlertStates(ctx context.Context) ([]AlertState, error) {
	out, err := allJSON[AlertState](s.db, bucketAlerts, "alert state")
	return out, wrap("alert states", err)
}
