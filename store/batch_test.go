package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

func TestStore_Update(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, filepath.Join(t.TempDir(), "pb.db"))
	at := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)
	write := func(tx *store.Tx, partner string) error {
		if _, _, err := tx.PutVerdict(ctx, store.VerdictRecord{Partner: partner, At: at, Level: "red"}); err != nil {
			return err
		}
		if err := tx.PutAlertState(ctx, store.AlertState{Partner: partner, Episode: 1, Red: true}); err != nil {
			return err
		}
		_, err := tx.Enqueue(ctx, &store.OutboxItem{Key: "alert/" + partner, Kind: "alert", Target: bot.Target{Platform: "slack", User: "U1"}})
		return err
	}

	t.Run("commits every write at once", func(t *testing.T) {
		err := s.Update(ctx, func(tx *store.Tx) error {
			for _, p := range []string{"a", "b"} {
				if err := write(tx, p); err != nil {
					return err
				}
			}
			// Reads in the transaction see its writes.
			if st, ok, err := tx.AlertState(ctx, "b"); err != nil || !ok || !st.Red {
				t.Errorf("alert state in tx = %+v, %v, %v", st, ok, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"a", "b"} {
			if v, err := s.Verdict(ctx, p); err != nil || v.Level != "red" || !v.Since.Equal(at) {
				t.Errorf("verdict of %s = %+v, %v", p, v, err)
			}
			if h, err := s.VerdictHistory(ctx, p, 0); err != nil || len(h) != 1 {
				t.Errorf("history of %s = %+v, %v", p, h, err)
			}
			if ok, err := s.Queued(ctx, "alert/"+p); err != nil || !ok {
				t.Errorf("alert of %s queued = %v, %v", p, ok, err)
			}
		}
	})

	t.Run("an error rolls everything back", func(t *testing.T) {
		boom := errors.New("boom")
		err := s.Update(ctx, func(tx *store.Tx) error {
			if err := write(tx, "c"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
		if _, err := s.Verdict(ctx, "c"); bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Errorf("verdict of c after rollback: err = %v, want ENOTFOUND", err)
		}
		if _, ok, _ := s.AlertState(ctx, "c"); ok {
			t.Error("alert state of c survived the rollback")
		}
		if ok, _ := s.Queued(ctx, "alert/c"); ok {
			t.Error("alert of c survived the rollback")
		}
	})

	t.Run("invalid input", func(t *testing.T) {
		err := s.Update(ctx, func(tx *store.Tx) error {
			_, _, err := tx.PutVerdict(ctx, store.VerdictRecord{Partner: "d"})
			return err
		})
		if bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("verdict without a level: err = %v, want EINVALID", err)
		}
	})
}
