//go:build race

package demo_test

// raceEnabled trims the pure, single-goroutine checks that the race
// detector only slows down.
const raceEnabled = true
