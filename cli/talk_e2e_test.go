package cli_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"partnerbot/bot"
	"partnerbot/store"
)

// talkSlack is a fake Slack Web API that records what the bot posts,
// answers ephemerally and opens as modals.
type talkSlack struct {
	srv *slacktest.Server

	mu    sync.Mutex
	posts []talkPost
	views []url.Values
	seq   int
}

type talkPost struct {
	Method, Channel, Thread, TS string
	All                         string // the text and every string in the blocks
}

func newTalkSlack(t *testing.T) *talkSlack {
	f := &talkSlack{}
	post := func(method string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			v := calendarForm(r)
			f.mu.Lock()
			f.seq++
			p := talkPost{Method: method, Channel: v.Get("channel"), Thread: v.Get("thread_ts"),
				TS: fmt.Sprintf("1800000000.%06d", f.seq), All: v.Get("text") + "\n" + strings.Join(stringsOf(v.Get("blocks")), "\n")}
			f.posts = append(f.posts, p)
			f.mu.Unlock()
			calendarJSON(w, map[string]any{"ok": true, "channel": p.Channel, "ts": p.TS, "message_ts": p.TS})
		}
	}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", post("chat.postMessage"))
		c.Handle("/chat.postEphemeral", post("chat.postEphemeral"))
		c.Handle("/conversations.open", func(w http.ResponseWriter, r *http.Request) {
			calendarJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + calendarForm(r).Get("users")}})
		})
		c.Handle("/views.open", func(w http.ResponseWriter, r *http.Request) {
			var v url.Values
			if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				var body map[string]any
				json.NewDecoder(r.Body).Decode(&body)
				b, _ := json.Marshal(body["view"])
				v = url.Values{"trigger_id": {fmt.Sprint(body["trigger_id"])}, "view": {string(b)}}
			} else {
				v = calendarForm(r)
			}
			f.mu.Lock()
			f.views = append(f.views, v)
			f.mu.Unlock()
			calendarJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1"}})
		})
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func stringsOf(doc string) []string {
	var v any
	json.Unmarshal([]byte(doc), &v)
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, y := range x {
				walk(y)
			}
		case map[string]any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	return out
}

// waitPost waits for a post to channel whose text contains every want.
func (f *talkSlack) waitPost(t *testing.T, channel string, want ...string) talkPost {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		for _, p := range f.posts {
			ok := p.Channel == channel
			for _, w := range want {
				ok = ok && strings.Contains(p.All, w)
			}
			if ok {
				f.mu.Unlock()
				return p
			}
		}
		f.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t.Fatalf("no post to %s with %q; posts: %+v", channel, want, f.posts)
	return talkPost{}
}

const talkSecret = "talk-signing-secret"

// signedPost sends a request signed as Slack signs it.
func signedPost(t *testing.T, base, path, contentType, body string) {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(talkSecret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", path, res.StatusCode)
	}
}

var eventSeq int

// dm sends a signed Events API message from user in DM channel.
func dm(t *testing.T, base, user, channel, text, thread string) {
	t.Helper()
	eventSeq++
	ev := map[string]any{"type": "message", "channel_type": "im", "user": user, "channel": channel, "text": text,
		"ts": fmt.Sprintf("1800000100.%06d", eventSeq)}
	if thread != "" {
		ev["thread_ts"] = thread
	}
	b, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": fmt.Sprintf("Ev%d", eventSeq), "event": ev,
		"authorizations": []map[string]any{{"user_id": "UBOT", "is_bot": true}}})
	signedPost(t, base, "/slack/events", "application/json", string(b))
}

func interaction(t *testing.T, base string, payload map[string]any) {
	t.Helper()
	b, _ := json.Marshal(payload)
	signedPost(t, base, "/slack/interactions", "application/x-www-form-urlencoded", url.Values{"payload": {string(b)}}.Encode())
}

// TestCLI_ServeConversation is the conversation end to end through
// signed Slack Events API requests on a real serve: a partner's DM
// reaches its manager with a Reply button; the manager answers in the
// modal and in the thread; each answer reaches the partner; the bot
// answers a stranger with how to link; and afterwards the outbox keeps
// the facts but not the words.
func TestCLI_ServeConversation(t *testing.T) {
	fake := newTalkSlack(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "talk.db")
	cfg := filepath.Join(dir, "partnerbot.yaml")
	if err := os.WriteFile(cfg, []byte("slack:\n  api_url: "+fake.srv.GetAPIURL()+"\nlog:\n  level: warn\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := st.PutManager(ctx, &bot.Manager{ID: "kasia", Name: "Kasia Nowak", SlackUser: "UM1", Locale: bot.LocalePL}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutPartner(ctx, &bot.Partner{ID: "apteka", Name: "Apteka Zdrowie", ContactName: "Ewa", Manager: "kasia",
		SlackUser: "UP1", Locale: bot.LocalePL, Status: bot.StatusActive, Joined: bot.Date{Year: 2025, Month: 3, Day: 1}}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": talkSecret, "PARTNERBOT_API_TOKEN": "api-token"}
	run := startServe(t, env, "--config", cfg, "--db", db, "serve", "--listen", "127.0.0.1:0")

	// The partner writes to the bot.
	dm(t, run.base, "UP1", "DUP1", "Czy mogę dostać nowy kod QR?", "")
	relay := fake.waitPost(t, "DUM1", "Apteka Zdrowie", "Czy mogę dostać nowy kod QR?", "talk.reply")
	fake.waitPost(t, "DUP1", "Przekazano", "Kasia Nowak")

	// The manager presses Reply: a modal opens; the answer submitted in
	// it reaches the partner.
	interaction(t, run.base, map[string]any{"type": "block_actions", "trigger_id": "trig-1", "user": map[string]any{"id": "UM1"},
		"channel": map[string]any{"id": "DUM1"}, "actions": []map[string]any{{"action_id": "talk.reply", "value": "apteka"}}})
	deadline := time.Now().Add(10 * time.Second)
	for {
		fake.mu.Lock()
		n := len(fake.views)
		fake.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the Reply button opened no modal")
		}
		time.Sleep(20 * time.Millisecond)
	}
	interaction(t, run.base, map[string]any{"type": "view_submission", "user": map[string]any{"id": "UM1"},
		"view": map[string]any{"callback_id": "talk.answer", "private_metadata": "apteka",
			"state": map[string]any{"values": map[string]any{"partnerbot.form": map[string]any{"text": map[string]any{"value": "Jasne, wyślę jutro."}}}}}})
	fake.waitPost(t, "DUP1", "Kasia Nowak", "Jasne, wyślę jutro.")

	// The manager answers in the thread of the relayed message.
	dm(t, run.base, "UM1", "DUM1", "A naklejkę też dorzucę.", relay.TS)
	fake.waitPost(t, "DUP1", "A naklejkę też dorzucę.")

	// A stranger gets how to link; a manager's top-level DM, how to write.
	dm(t, run.base, "UX9", "DUX9", "hej", "")
	fake.waitPost(t, "DUX9", "/link")
	dm(t, run.base, "UM1", "DUM1", "halo?", "")
	fake.waitPost(t, "DUM1", "/message")

	// Everything delivered: the outbox forgot the words.
	run.stop()
	st, err = store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	items, err := st.OutboxItems(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, it := range items {
		kinds[it.Kind]++
		if it.Status != store.OutboxSent {
			t.Errorf("item %s is %s, want sent", it.Key, it.Status)
		}
		raw, _ := json.Marshal(it)
		// Whole sentences: the program's own texts (an alert's advice)
		// may well speak of a QR code or a sticker.
		for _, words := range []string{"Czy mogę dostać nowy kod QR?", "Jasne, wyślę jutro.", "A naklejkę też dorzucę."} {
			if strings.Contains(string(raw), words) {
				t.Errorf("outbox item %s still holds %q after delivery", it.Key, words)
			}
		}
	}
	if kinds["relay_in"] != 1 || kinds["manager_message"] != 2 {
		t.Errorf("outbox kinds %v, want 1 relay_in and 2 manager_message", kinds)
	}
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	in, _ := st.PartnerEvents(ctx, "apteka", time.Time{}, far, bot.EventContactIn)
	out, _ := st.PartnerEvents(ctx, "apteka", time.Time{}, far, bot.EventContactOut)
	if len(in) == 0 || len(out) != 2 {
		t.Errorf("contact_in %d, contact_out %d; want at least 1 and 2", len(in), len(out))
	}
}
