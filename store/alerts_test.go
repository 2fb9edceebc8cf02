package store_test

import (
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

func TestStore_AlertState(t *testing.T) {
	s := mustOpen(t, "")
	t.Run("none yet", func(t *testing.T) {
		if _, had, err := s.AlertState(ctx, "janko"); err != nil || had {
			t.Fatalf("AlertState = %v, %v; want none", had, err)
		}
	})
	at := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	want := store.AlertState{Partner: "janko", Episode: 2, Since: at, AlertedAt: at, LastReminder: at.Add(time.Hour),
		Reminders: 1, AckedAt: at.Add(2 * time.Hour), AckedBy: "kasia", SnoozedUntil: at.Add(48 * time.Hour),
		EscalatedAt: at.Add(3 * time.Hour), Red: true}
	t.Run("round trip", func(t *testing.T) {
		if err := s.PutAlertState(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, had, err := s.AlertState(ctx, "janko")
		if err != nil || !had {
			t.Fatalf("AlertState = %v, %v", had, err)
		}
		if !got.Since.Equal(want.Since) || got.Episode != 2 || got.AckedBy != "kasia" || !got.SnoozedUntil.Equal(want.SnoozedUntil) ||
			!got.Red || got.Reminders != 1 || !got.Recovered.IsZero() {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("list", func(t *testing.T) {
		if err := s.PutAlertState(ctx, store.AlertState{Partner: "apteka", Episode: 1}); err != nil {
			t.Fatal(err)
		}
		all, err := s.AlertStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].Partner != "apteka" || all[1].Partner != "janko" {
			t.Errorf("AlertStates = %+v", all)
		}
	})
	t.Run("no partner", func(t *testing.T) {
		if err := s.PutAlertState(ctx, store.AlertState{}); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("err = %v, want EINVALID", err)
		}
	})
}
