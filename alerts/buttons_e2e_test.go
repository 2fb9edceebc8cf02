package alerts

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"partnerbot/bot/discord"
	"partnerbot/bot/slack"
)

const slackSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// recorder stands in for Slack's response_url: it keeps what was posted.
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.got = append(r.got, string(b))
	r.mu.Unlock()
	w.Write([]byte("ok"))
}

func (r *recorder) posts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

// TestButtons_EndToEnd presses the alert buttons the way the platforms
// deliver them: a signed Slack block_actions payload and a signed Discord
// component interaction, into adapters over one commands.Service.
func TestButtons_EndToEnd(t *testing.T) {
	e := newEnv(t)
	e.at(0, "janko", red())
	e.clock.Set(t0.Add(time.Hour))
	value := buttonValue(e.state("janko"))

	fake := slacktest.NewTestServer()
	fake.Start()
	t.Cleanup(fake.Stop)
	sa, err := slack.New(slack.Options{Service: e.svc, BotToken: "xoxb-test", SigningSecret: slackSecret,
		APIURL: fake.GetAPIURL(), Clock: e.clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sa.Close() })

	discordAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(discordAPI.Close)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	da, err := discord.New(discord.Options{Service: e.svc, BotToken: "token", AppID: "app1", PublicKey: hex.EncodeToString(pub),
		APIURL: discordAPI.URL, Clock: e.clock, Logger: slog.New(slog.DiscardHandler), Budget: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}

	hook := &recorder{}
	mux := http.NewServeMux()
	sa.Mount(mux.Handle)
	da.Mount(mux.Handle)
	mux.Handle("/hook/", hook)
	web := httptest.NewServer(mux)
	t.Cleanup(web.Close)

	post := func(path, contentType string, body []byte, h http.Header) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, web.URL+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = h
		req.Header.Set("Content-Type", contentType)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	t.Run("slack ack", func(t *testing.T) {
		payload, _ := json.Marshal(map[string]any{"type": "block_actions",
			"user": map[string]string{"id": "UKASIA"}, "channel": map[string]string{"id": "DKASIA"},
			"response_url": web.URL + "/hook/ack",
			"actions":      []map[string]string{{"action_id": ActionAck, "value": value, "type": "button"}}})
		body := url.Values{"payload": {string(payload)}}.Encode()
		stamp := strconv.FormatInt(e.clock.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(slackSecret))
		io.WriteString(mac, "v0:"+stamp+":"+body)
		h := http.Header{}
		h.Set("X-Slack-Request-Timestamp", stamp)
		h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))

		if code, _ := post("/slack/interactions", "application/x-www-form-urlencoded", []byte(body), h.Clone()); code != http.StatusOK {
			t.Fatalf("interaction: status %d", code)
		}
		sa.Close() // waits for the answer through response_url
		if got := hook.posts(); len(got) != 1 || !strings.Contains(got[0], "Acknowledged") {
			t.Errorf("response_url got %q, want the acknowledgement", got)
		}
		if st := e.state("janko"); st.AckedBy != "kasia" || !st.AckedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("state = %+v, want acked by kasia", st)
		}

		// A forged signature is refused and changes nothing.
		h.Set("X-Slack-Signature", "v0="+strings.Repeat("0", 64))
		if code, _ := post("/slack/interactions", "application/x-www-form-urlencoded", []byte(body), h); code != http.StatusUnauthorized {
			t.Errorf("forged interaction: status %d, want 401", code)
		}
	})

	t.Run("discord snooze", func(t *testing.T) {
		e.clock.Set(t0.Add(2 * time.Hour))
		body, _ := json.Marshal(map[string]any{
			"id": "i1", "application_id": "app1", "type": 3, "token": "tok1",
			"guild_id": "g1", "channel_id": "c1", "locale": "en-US", "version": 1,
			"member": map[string]any{"user": map[string]any{"id": "901", "username": "kasia"}},
			"data":   map[string]any{"custom_id": ActionSnooze + ":" + value, "component_type": 2},
		})
		ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
		h := http.Header{}
		h.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
		h.Set("X-Signature-Timestamp", ts)
		code, out := post("/discord/interactions", "application/json", body, h)
		if code != http.StatusOK || !strings.Contains(out, "Snoozed") {
			t.Fatalf("interaction: %d %s", code, out)
		}
		if st := e.state("janko"); !st.SnoozedUntil.Equal(t0.Add(2*time.Hour + 7*day)) {
			t.Errorf("state = %+v, want snoozed for 7 days", st)
		}
	})

	t.Run("discord press by someone else", func(t *testing.T) {
		before := e.state("janko")
		body, _ := json.Marshal(map[string]any{
			"id": "i2", "application_id": "app1", "type": 3, "token": "tok2",
			"guild_id": "g1", "channel_id": "c1", "locale": "en-US", "version": 1,
			"member": map[string]any{"user": map[string]any{"id": "100", "username": "janko"}},
			"data":   map[string]any{"custom_id": ActionContact + ":" + value, "component_type": 2},
		})
		ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
		h := http.Header{}
		h.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
		h.Set("X-Signature-Timestamp", ts)
		if code, out := post("/discord/interactions", "application/json", body, h); code != http.StatusOK || !strings.Contains(out, "Ten alert nie jest do Ciebie") {
			t.Errorf("partner's press: %d %s, want a refusal", code, out)
		}
		if after := e.state("janko"); !reflect.DeepEqual(after, before) {
			t.Errorf("a refused press changed the state: %+v", after)
		}
	})
}
