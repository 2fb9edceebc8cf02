package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzVerify: a request passes only with the exact HMAC of its own
// timestamp and body, and a timestamp within five minutes.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1700000000, 0)
	good := func(ts, body string) string {
		mac := hmac.New(sha256.New, []byte(secret))
		io.WriteString(mac, "v0:"+ts+":"+body)
		return "v0=" + hex.EncodeToString(mac.Sum(nil))
	}
	f.Add("1700000000", good("1700000000", "a=b"), []byte("a=b"))
	f.Add("1700000000", good("1700000000", "a=b"), []byte("a=c"))
	f.Add("1699999000", good("1699999000", ""), []byte(""))
	f.Add("+1700000000", good("+1700000000", "x"), []byte("x"))
	f.Add("", "v0=", []byte(nil))
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		err := verify(secret, ts, sig, body, now)
		if err != nil {
			return
		}
		if sig != good(ts, string(body)) && !strings.EqualFold(sig, good(ts, string(body))) {
			t.Fatalf("accepted a signature that is not the body's HMAC: ts %q sig %q", ts, sig)
		}
		sec, perr := strconv.ParseInt(ts, 10, 64)
		if perr != nil || now.Sub(time.Unix(sec, 0)).Abs() > maxSkew {
			t.Fatalf("accepted timestamp %q", ts)
		}
	})
}

// loopbackOnly refuses every address but 127.0.0.1: fuzzed payloads
// carry response_urls, and tests talk to nothing else.
type loopbackOnly struct{}

func (loopbackOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if ip := net.ParseIP(r.URL.Hostname()); ip == nil || !ip.IsLoopback() {
		return nil, errors.New("fuzz: only loopback")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// FuzzSignedRequests sends well-signed bodies of any shape to the three
// HTTP routes: slash commands, interactions and events. Each is answered
// 200 or 400 (413 when too big), never 5xx, never a panic.
func FuzzSignedRequests(f *testing.F) {
	e := newEnv(f, withBudget(50*time.Millisecond))
	e.adapter.web = &http.Client{Transport: loopbackOnly{}, Timeout: time.Second}
	mux := http.NewServeMux()
	e.adapter.Mount(mux.Handle)
	routes := []string{"/slack/commands", "/slack/interactions", "/slack/events"}
	f.Add(uint8(0), "command=%2Fmystats&text=2026-11&user_id=UJANKO&channel_id=C1&trigger_id=1")
	f.Add(uint8(0), "command=%2Fpartner&text=apteka&user_id=UKASIA&trigger_id=2&response_url=http%3A%2F%2F127.0.0.1%3A1%2F")
	f.Add(uint8(0), "ssl_check=1")
	f.Add(uint8(1), `payload={"type":"block_actions","trigger_id":"3","user":{"id":"UJANKO"},"actions":[{"action_id":"mystats.share","value":"2026-11"}]}`)
	f.Add(uint8(1), `payload={"type":"view_submission","view":{"id":"V1","hash":"h"},"user":{"id":"U1"}}`)
	f.Add(uint8(1), "payload=%7B")
	f.Add(uint8(2), `{"type":"url_verification","challenge":"c"}`)
	f.Add(uint8(2), `{"type":"event_callback","event_id":"Ev1","event":{"type":"message","user":"UJANKO","channel":"C1","channel_type":"im"}}`)
	f.Add(uint8(2), `{"type":"event_callback","event":"x"}`)
	var n int
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		path := routes[int(route)%len(routes)]
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		for k, v := range sign(body, e.clock.Now()) {
			req.Header[k] = v
		}
		n++
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("%s %q: status %d %s", path, body, rec.Code, rec.Body)
		}
		if n%64 == 0 {
			e.adapter.Close() // let background work finish now and then
		}
	})
	e.adapter.Close()
}
