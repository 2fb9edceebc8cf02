package bot

import (
	"context"
	"sync"
	"time"
)

// ReplayWindow is how long the id of a signed request that was acted on
// is remembered. It is longer than the platforms' 5-minute signature
// window, so a captured request re-sent byte for byte is refused either
// by its stale signature or by its id, never run twice.
const ReplayWindow = 10 * time.Minute

// Replays remembers which signed requests were already acted on: Slack
// slash commands, button presses and events, Discord interactions.
type Replays interface {
	// FirstUse records key (a platform-scoped request id) as used at now
	// and reports whether it is its first use within ReplayWindow. A
	// false answer means the request is a replay or a redelivery: answer
	// it harmlessly and do nothing. Returns an error only when the
	// record cannot be read or written; the request must not run then.
	FirstUse(ctx context.Context, key string, now time.Time) (bool, error)
}

// MemoryReplays is Replays kept in memory: for a process without a store
// (tests, tools). It remembers at most max ids, none older than
// ReplayWindow, and forgets them all at exit.
type MemoryReplays struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	at    map[string]time.Time
	order []string // oldest first; order[head:] are live
	head  int
}

// NewMemoryReplays returns an empty MemoryReplays that keeps at most max
// ids.
func NewMemoryReplays(max int) *MemoryReplays {
	return &MemoryReplays{max: max, ttl: ReplayWindow, at: map[string]time.Time{}}
}

// FirstUse records id at now and reports whether it is new; it never
// fails.
func (s *MemoryReplays) FirstUse(_ context.Context, id string, now time.Time) (bool, error) {
	return s.add(id, now), nil
}

func (s *MemoryReplays) add(id string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.head < len(s.order) && now.Sub(s.at[s.order[s.head]]) > s.ttl {
		s.drop()
	}
	if _, dup := s.at[id]; dup {
		return false
	}
	for len(s.at) >= s.max {
		s.drop()
	}
	s.at[id] = now
	s.order = append(s.order, id)
	if s.head > len(s.order)/2 {
		s.order = append(s.order[:0], s.order[s.head:]...)
		s.head = 0
	}
	return true
}

// drop forgets the oldest id.
func (s *MemoryReplays) drop() {
	delete(s.at, s.order[s.head])
	s.order[s.head] = ""
	s.head++
}
