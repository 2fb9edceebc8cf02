package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"partnerbot/bot"
)

func TestStore_FirstUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	s := mustOpen(t, path)
	t0 := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	steps := []struct {
		key  string
		at   time.Duration
		want bool
	}{
		{"slack:command:T1", 0, true},
		{"slack:command:T1", time.Second, false},                   // replayed at once
		{"discord:interaction:1", time.Second, true},               // another platform's id
		{"slack:command:T1", 9 * time.Minute, false},               // still inside the window
		{"slack:command:T1", bot.ReplayWindow + time.Second, true}, // forgotten after it
	}
	for i, st := range steps {
		if i == 3 {
			// A restart keeps what was recorded.
			s.Close()
			s = mustOpen(t, path)
		}
		got, err := s.FirstUse(ctx, st.key, t0.Add(st.at))
		if err != nil || got != st.want {
			t.Errorf("step %d: FirstUse(%s, +%s) = %v, %v; want %v", i, st.key, st.at, got, err, st.want)
		}
	}
	// Expired records are swept: only the renewed T1 is left.
	if n, err := s.ReplayRecords(ctx); err != nil || n != 1 {
		t.Errorf("records = %d, %v; want 1 after the sweep", n, err)
	}
}
