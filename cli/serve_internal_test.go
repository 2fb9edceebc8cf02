package cli

import "testing"

func TestLoopbackURL(t *testing.T) {
	for raw, want := range map[string]bool{
		"http://localhost:8080":       true,
		"http://127.0.0.1:8080":       true,
		"http://127.1.2.3":            true,
		"http://[::1]:8080":           true,
		"http://0.0.0.0:8080":         true,
		"http://bot.localhost":        true,
		"https://bot.example.com":     false,
		"https://203.0.113.7":         false,
		"https://partners.example.pl": false,
	} {
		if got := loopbackURL(raw); got != want {
			t.Errorf("loopbackURL(%q) = %v, want %v", raw, got, want)
		}
	}
}
