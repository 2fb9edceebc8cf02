package bot

import (
	"testing"
	"time"
)

func TestMemoryReplays(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	s := NewMemoryReplays(3)
	steps := []struct {
		id   string
		at   time.Duration
		want bool
	}{
		{"a", 0, true},
		{"a", time.Minute, false}, // a redelivery
		{"b", 2 * time.Minute, true},
		{"c", 3 * time.Minute, true},
		{"a", 4 * time.Minute, false},
		{"d", 5 * time.Minute, true},   // over capacity: a, the oldest, is forgotten
		{"a", 6 * time.Minute, true},   // so it counts as new
		{"b", 7 * time.Minute, true},   // b went for a
		{"d", 14 * time.Minute, false}, // 9 minutes after d: still known
		{"d", 16 * time.Minute, true},  // 11 minutes: forgotten
	}
	for i, st := range steps {
		if got := s.add(st.id, t0.Add(st.at)); got != st.want {
			t.Errorf("step %d: add(%s, +%s) = %v, want %v", i, st.id, st.at, got, st.want)
		}
	}
	if len(s.at) > 3 || len(s.order)-s.head != len(s.at) {
		t.Errorf("holds %d ids, queue %d: want at most 3, equal", len(s.at), len(s.order)-s.head)
	}
}
