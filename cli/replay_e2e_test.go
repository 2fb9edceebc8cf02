package cli_test

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"partnerbot/bot"
	"partnerbot/store"
)

// signedRequest is one request exactly as a platform sent it: replaying
// it re-sends the same bytes, headers and signature.
type signedRequest struct {
	path, contentType, body string
	header                  http.Header
}

func (r signedRequest) send(t *testing.T, base string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+r.path, strings.NewReader(r.body))
	req.Header = r.header.Clone()
	req.Header.Set("Content-Type", r.contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func slackSigned(path, contentType, body string, extra ...string) signedRequest {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte("slack-secret"))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return signedRequest{path: path, contentType: contentType, body: body, header: h}
}

// TestServe_ReplaysRunOnce sends every kind of side-effecting signed
// request to the real serve (a manager's Slack /contact and /message, the
// Log contact button, an Events API message and its redelivery, a
// Discord /contact), then replays each byte for byte, restarts serve on
// the same database and replays them all again. Each side effect happens
// once; a replay gets a harmless answer.
func TestServe_ReplaysRunOnce(t *testing.T) {
	fake := slacktest.NewTestServer()
	go fake.Start()
	defer fake.Stop()
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	defer hooks.Close()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	dir := t.TempDir()
	db := filepath.Join(dir, "replay.db")
	cfgPath := filepath.Join(dir, "partnerbot.yaml")
	os.WriteFile(cfgPath, []byte("slack:\n  api_url: "+fake.GetAPIURL()+"\nlog:\n  level: warn\n"), 0o600)
	env := map[string]string{
		"PARTNERBOT_API_TOKEN": "api-token", "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "slack-secret",
		"DISCORD_PUBLIC_KEY": hex.EncodeToString(pub),
	}
	srv := startServe(t, env, "--config", cfgPath, "--db", db, "serve", "--demo", "--listen", "127.0.0.1:0")

	get := func(path string) map[string]any {
		req, _ := http.NewRequest("GET", srv.base+path, nil)
		req.Header.Set("Authorization", "Bearer api-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		return v
	}
	janko := get("/api/v1/partners/janko")
	mgr := get("/api/v1/managers/" + janko["manager"].(string))
	mgrSlack, mgrDiscord := mgr["slack_user"].(string), mgr["discord_user"].(string)

	form := func(cmd, text, trigger string) string {
		return url.Values{"command": {cmd}, "text": {text}, "user_id": {mgrSlack}, "channel_id": {"D1"},
			"response_url": {hooks.URL + "/r"}, "trigger_id": {trigger}}.Encode()
	}
	press, _ := json.Marshal(map[string]any{"type": "block_actions", "trigger_id": "trig-3",
		"user": map[string]string{"id": mgrSlack}, "channel": map[string]string{"id": "D1"}, "response_url": hooks.URL + "/r",
		"actions": []map[string]string{{"action_id": "contact.log", "value": "janko", "action_ts": "1764000000.000100"}}})
	event, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": "Ev1",
		"event": map[string]string{"type": "message", "user": janko["slack_user"].(string), "channel": "C1", "channel_type": "channel"}})
	dcmd, _ := json.Marshal(map[string]any{"type": 2, "id": "900000000000000001", "application_id": "app", "token": "t1", "channel_id": "c1",
		"member": map[string]any{"user": map[string]any{"id": mgrDiscord, "username": "m"}},
		"data": map[string]any{"id": "c", "name": "contact", "type": 1, "options": []any{
			map[string]any{"name": "id", "type": 3, "value": "janko"}, map[string]any{"name": "note", "type": 3, "value": "from discord"}}}})
	dts := strconv.FormatInt(time.Now().Unix(), 10)
	dh := http.Header{}
	dh.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(dts), dcmd...))))
	dh.Set("X-Signature-Timestamp", dts)

	contact := slackSigned("/slack/commands", "application/x-www-form-urlencoded", form("/contact", "janko called about QR", "trig-1"))
	message := slackSigned("/slack/commands", "application/x-www-form-urlencoded", form("/message", "janko Dzień dobry", "trig-2"))
	button := slackSigned("/slack/interactions", "application/x-www-form-urlencoded", url.Values{"payload": {string(press)}}.Encode())
	ev := slackSigned("/slack/events", "application/json", string(event))
	discord := signedRequest{path: "/discord/interactions", contentType: "application/json", body: string(dcmd), header: dh}

	if code, out := contact.send(t, srv.base); code != 200 || !strings.Contains(out, "Sklep u Janka") {
		t.Fatalf("/contact: %d %s", code, out)
	}
	if code, out := message.send(t, srv.base); code != 200 || !strings.Contains(out, "Sklep u Janka") {
		t.Fatalf("/message: %d %s", code, out)
	}
	if code, out := discord.send(t, srv.base); code != 200 || !strings.Contains(out, "Sklep u Janka") {
		t.Fatalf("discord /contact: %d %s", code, out)
	}
	for _, r := range []signedRequest{button, ev} {
		if code, out := r.send(t, srv.base); code != 200 {
			t.Fatalf("%s: %d %s", r.path, code, out)
		}
	}
	// Slack redelivers an event it thinks was missed: a new signature,
	// the same event_id.
	redelivery := slackSigned("/slack/events", "application/json", string(event), "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout")

	// Wait for the next second: the bot's own one-a-second activity
	// record must not be what hides a second contact_in.
	for s := time.Now().Unix(); time.Now().Unix() == s; {
		time.Sleep(20 * time.Millisecond)
	}
	replayAll := func(base string) {
		t.Helper()
		for _, r := range []signedRequest{contact, message} {
			code, out := r.send(t, base)
			if code != 200 || !strings.Contains(out, "Already done") || strings.Contains(out, "Sklep u Janka") {
				t.Errorf("replayed %s: %d %s", r.path, code, out)
			}
		}
		if code, out := discord.send(t, base); code != 200 || !strings.Contains(out, "Already done") && !strings.Contains(out, "Już zrobione") {
			t.Errorf("replayed discord interaction: %d %s", code, out)
		}
		for _, r := range []signedRequest{button, ev, redelivery} {
			if code, out := r.send(t, base); code != 200 {
				t.Errorf("replayed %s: %d %s", r.path, code, out)
			}
		}
	}
	replayAll(srv.base)
	srv.stop()
	srv = startServe(t, env, "--config", cfgPath, "--db", db, "serve", "--listen", "127.0.0.1:0")
	replayAll(srv.base)
	srv.stop()

	s, err := store.Open(db, store.Options{ReadOnly: true, Location: mustZone(t, "Europe/Warsaw")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	from, to := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	outs, _ := s.PartnerEvents(ctx, "janko", from, to, bot.EventContactOut)
	if len(outs) != 4 { // /contact, /message, the button, Discord /contact
		t.Errorf("contact_out events = %d, want 4: %+v", len(outs), outs)
	}
	ins, _ := s.PartnerEvents(ctx, "janko", from, to, bot.EventContactIn)
	if len(ins) != 1 {
		t.Errorf("contact_in events = %d, want 1 (one event, redelivered and replayed): %+v", len(ins), ins)
	}
	items, _ := s.OutboxItems(ctx, func(it *store.OutboxItem) bool { return it.Kind == "manager_message" })
	if len(items) != 2 { // one message, to janko's Slack and Discord
		t.Errorf("manager messages queued = %d, want 2", len(items))
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
