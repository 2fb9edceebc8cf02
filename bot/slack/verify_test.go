package slack

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	now := time.Unix(1531420618, 0)
	body := "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fmystats&text=2026-11"
	ok := sign(body, now)
	ts, sig := ok.Get("X-Slack-Request-Timestamp"), ok.Get("X-Slack-Signature")

	tests := []struct {
		name          string
		secret        string
		ts, sig, body string
		now           time.Time
		want          error
	}{
		{"valid", secret, ts, sig, body, now, nil},
		{"valid, clock 5 minutes ahead", secret, ts, sig, body, now.Add(5 * time.Minute), nil},
		{"valid, clock 5 minutes behind", secret, ts, sig, body, now.Add(-5 * time.Minute), nil},
		{"stale", secret, ts, sig, body, now.Add(5*time.Minute + time.Second), errStale},
		{"from the future", secret, ts, sig, body, now.Add(-6 * time.Minute), errStale},
		{"other body", secret, ts, sig, body + "x", now, errBadSignature},
		{"other secret", "not the secret", ts, sig, body, now, errBadSignature},
		{"other timestamp", secret, strconv.FormatInt(now.Unix()+1, 10), sig, body, now, errBadSignature},
		{"no v0 prefix", secret, ts, sig[3:], body, now, errBadSignature},
		{"not hex", secret, ts, "v0=zz", body, now, errBadSignature},
		{"short", secret, ts, sig[:20], body, now, errBadSignature},
		{"no signature", secret, ts, "", body, now, errNoSignature},
		{"no timestamp", secret, "", sig, body, now, errNoSignature},
		{"bad timestamp", secret, "yesterday", sig, body, now, errBadTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := verify(tt.secret, tt.ts, tt.sig, []byte(tt.body), tt.now); got != tt.want {
				t.Errorf("verify = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestInteractionID(t *testing.T) {
	for _, tt := range []struct {
		payload, want string
	}{
		{`{"type":"block_actions","trigger_id":"T1","user":{"id":"U1"},"actions":[{"action_ts":"1.2"}]}`, "T1"},
		{`{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_ts":"1.2"}]}`, "U1/1.2"},
		{`{"type":"view_submission","user":{"id":"U1"},"view":{"id":"V1","hash":"h1"}}`, "V1/h1"},
		{`{"type":"block_actions","user":{"id":"U1"}}`, "fallback"},
	} {
		var in interaction
		if err := json.Unmarshal([]byte(tt.payload), &in); err != nil {
			t.Fatal(err)
		}
		if got := in.id("fallback"); got != tt.want {
			t.Errorf("id of %s = %q, want %q", tt.payload, got, tt.want)
		}
	}
}
