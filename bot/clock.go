package bot

import (
	"sync"
	"time"
)

// Clock tells the time. Everything that decides by time takes a Clock (or
// an instant read from one) so tests and rehearsals (`serve --now`) move
// time without sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// ShiftedClock runs at wall-clock speed from a chosen start instant: what
// `serve --now` uses to rehearse a Monday morning on a Sunday evening.
type ShiftedClock struct {
	offset time.Duration
}

// NewShiftedClock returns a clock that reads start now and then advances
// with the wall clock.
func NewShiftedClock(start time.Time) *ShiftedClock {
	return &ShiftedClock{offset: time.Until(start)}
}

// Now returns the shifted time.
func (c *ShiftedClock) Now() time.Time { return time.Now().Add(c.offset) }

// ManualClock is a clock that only moves when told: for tests.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a clock stopped at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the clock's current instant.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var zones sync.Map // name → *time.Location

// Zone returns the IANA zone name, loaded once and cached (loading parses
// tzdata each time, and reports load a zone per partner), or fallback for
// "" or an unknown name.
func Zone(name string, fallback *time.Location) *time.Location {
	if name == "" {
		return fallback
	}
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location)
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return fallback
	}
	zones.Store(name, z)
	return z
}
