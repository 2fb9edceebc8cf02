package cli_test

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"
)

// TestServe_ChatAdapters starts serve with Slack (HTTP mode) and Discord
// (interactions endpoint) configured and talks to both through the real
// server with signed requests, as the platforms would.
func TestServe_ChatAdapters(t *testing.T) {
	fake := slacktest.NewTestServer()
	go fake.Start()
	defer fake.Stop()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "partnerbot.yaml")
	os.WriteFile(cfgPath, []byte("slack:\n  api_url: "+fake.GetAPIURL()+"\nlog:\n  level: warn\n"), 0o600)
	env := map[string]string{
		"PARTNERBOT_API_TOKEN": "api-token", "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "slack-secret",
		"DISCORD_PUBLIC_KEY": hex.EncodeToString(pub),
	}
	base := startServe(t, env, "--config", cfgPath, "--db", filepath.Join(dir, "a.db"), "serve", "--demo", "--listen", "127.0.0.1:0").base

	// The demo partner's chat ids, through the API.
	req, _ := http.NewRequest("GET", base+"/api/v1/partners/janko", nil)
	req.Header.Set("Authorization", "Bearer api-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var janko map[string]any
	json.NewDecoder(resp.Body).Decode(&janko)
	resp.Body.Close()

	slackPost := func(form url.Values, sign bool) (int, string) {
		body := form.Encode()
		req, _ := http.NewRequest("POST", base+"/slack/commands", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte("slack-secret"))
		fmt.Fprintf(mac, "v0:%s:%s", ts, body)
		sig := "v0=" + hex.EncodeToString(mac.Sum(nil))
		if !sign {
			sig = "v0=" + strings.Repeat("0", 64)
		}
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	form := url.Values{"command": {"/mystats"}, "text": {"2026-10"}, "user_id": {janko["slack_user"].(string)},
		"channel_id": {"C123"}, "response_url": {fake.GetAPIURL() + "response"}}
	if code, body := slackPost(form, true); code != 200 || !strings.Contains(body, "Sklep u Janka") || !strings.Contains(body, `"ephemeral"`) {
		t.Fatalf("slack /mystats: %d %s", code, body)
	}
	if code, body := slackPost(form, false); code != 401 || strings.Contains(body, "Sklep u Janka") {
		t.Fatalf("forged slack request: %d %s", code, body)
	}

	discordPost := func(v any, sign bool) (int, map[string]any) {
		body, _ := json.Marshal(v)
		req, _ := http.NewRequest("POST", base+"/discord/interactions", strings.NewReader(string(body)))
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		sig := ed25519.Sign(priv, append([]byte(ts), body...))
		if !sign {
			sig[0] ^= 0xff
		}
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
		req.Header.Set("X-Signature-Timestamp", ts)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, out := discordPost(map[string]any{"type": 1, "id": "p1", "application_id": "app", "token": "t"}, true); code != 200 || out["type"] != 1.0 {
		t.Fatalf("discord PING: %d %v", code, out)
	}
	cmd := map[string]any{"type": 2, "id": "i1", "application_id": "app", "token": "t1", "channel_id": "c1", "guild_id": "g1",
		"member": map[string]any{"user": map[string]any{"id": janko["discord_user"], "username": "janek"}},
		"data":   map[string]any{"id": "c", "name": "mystats", "type": 1, "options": []any{map[string]any{"name": "period", "type": 3, "value": "2026-10"}}}}
	code, out := discordPost(cmd, true)
	data, _ := json.Marshal(out)
	if code != 200 || out["type"] != 4.0 || !strings.Contains(string(data), "Sklep u Janka") {
		t.Fatalf("discord /mystats: %d %s", code, data)
	}
	if code, _ := discordPost(cmd, false); code != 401 {
		t.Fatalf("forged discord interaction: %d", code)
	}
}
