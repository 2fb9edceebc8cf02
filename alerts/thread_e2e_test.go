package alerts

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
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"partnerbot/bot"
	"partnerbot/bot/discord"
	"partnerbot/bot/slack"
	"partnerbot/health"
	"partnerbot/outbox"
	"partnerbot/store"
)

// call is one request a recording fake platform received.
type call struct {
	Method, Path string
	Form         url.Values     // Slack's form fields
	JSON         map[string]any // Discord's body
	Ref          string         // the ts or id it answered with
}

// recordingAPI is a fake Slack Web API and a fake Discord REST API that
// record every call: what the grouping, threading and updating are
// checked against.
type recordingAPI struct {
	mu    sync.Mutex
	calls []call
	seq   int
}

func (r *recordingAPI) add(c call) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	c.Ref = fmt.Sprintf("%d", 1000+r.seq)
	r.calls = append(r.calls, c)
	return c.Ref
}

func (r *recordingAPI) find(method string, keep func(c call) bool) []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []call
	for _, c := range r.calls {
		if c.Method == method && (keep == nil || keep(c)) {
			out = append(out, c)
		}
	}
	return out
}

func (r *recordingAPI) slackHandler(method string) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		v, _ := url.ParseQuery(string(b))
		w.Header().Set("Content-Type", "application/json")
		switch method {
		case "conversations.open":
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": map[string]any{"id": "D" + v.Get("users")}})
			return
		case "chat.update":
			r.add(call{Method: method, Form: v})
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": v.Get("channel"), "ts": v.Get("ts")})
			return
		}
		ts := "1800000000." + r.add(call{Method: method, Form: v})
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": v.Get("channel"), "ts": ts})
	}
}

func (r *recordingAPI) discord(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	var body map[string]any
	json.Unmarshal(b, &body)
	w.Header().Set("Content-Type", "application/json")
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	switch {
	case req.Method == "POST" && req.URL.Path == "/users/@me/channels":
		fmt.Fprintf(w, `{"id":"dm-%v","type":1}`, body["recipient_id"])
	case req.Method == "POST" && len(parts) == 3 && parts[0] == "channels":
		id := r.add(call{Method: "discord.post", Path: req.URL.Path, JSON: body})
		fmt.Fprintf(w, `{"id":"%s","channel_id":%q}`, id, parts[1])
	case req.Method == "PATCH" && len(parts) == 4 && parts[0] == "channels":
		r.add(call{Method: "discord.edit", Path: req.URL.Path, JSON: body})
		fmt.Fprintf(w, `{"id":%q,"channel_id":%q}`, parts[3], parts[1])
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"code":0,"message":"404: Not Found"}`)
	}
}

func text(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestAlerts_GroupThreadUpdate runs one evaluation in which five partners
// turn red, for a manager on Slack and one on Discord, through the real
// adapters into recording fakes: each manager gets one grouped message;
// the escalation note, the reminders and the recovered note follow in
// its thread; "Acknowledge all" updates it in place at once (Slack
// replace_original, Discord type 7) and through the outbox (chat.update,
// a message edit), naming who and when, with the buttons gone.
func TestAlerts_GroupThreadUpdate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.store.PutManager(ctx, &bot.Manager{ID: "dora", Name: "Dora", Locale: bot.LocalePL, DiscordUser: "902"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []bot.Partner{
		{ID: "salon", Name: "Salon Bella", Manager: "kasia"}, {ID: "kwiaty", Name: "Kwiaciarnia Róża", Manager: "kasia"},
		{ID: "d1", Name: "Piekarnia Złoty Kłos", Manager: "dora"}, {ID: "d2", Name: "Apteka Słoneczna", Manager: "dora"},
	} {
		p.Locale, p.Status, p.Joined = bot.LocalePL, bot.StatusActive, bot.MustDate("2025-03-01")
		if _, err := e.store.PutPartner(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	rec := &recordingAPI{}
	fake := slacktest.NewTestServer(func(c slacktest.Customize) {
		for _, m := range []string{"chat.postMessage", "chat.update", "conversations.open"} {
			c.Handle("/"+m, rec.slackHandler(m))
		}
	})
	fake.Start()
	t.Cleanup(fake.Stop)
	sa, err := slack.New(slack.Options{Service: e.svc, BotToken: "xoxb-test", SigningSecret: slackSecret,
		APIURL: fake.GetAPIURL(), Clock: e.clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	discordAPI := httptest.NewServer(http.HandlerFunc(rec.discord))
	t.Cleanup(discordAPI.Close)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
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

	disp := outbox.New(outbox.Options{Store: e.store, Senders: map[string]outbox.Sender{"slack": sa, "discord": da},
		Clock: e.clock, Logger: slog.New(slog.DiscardHandler), ChannelInterval: time.Nanosecond, PlatformRate: 1e6})
	deliver := func() {
		t.Helper()
		for range 50 {
			if _, _, err := disp.Step(ctx, e.clock.Now()); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Second) // the dispatcher paces each DM
		}
	}
	// evaluate is the daily evaluation: every partner in one batch.
	evaluate := func(levels map[string]func() health.Verdict) {
		t.Helper()
		err := e.n.Batch(func(handle HandleFunc, flush FlushFunc) error {
			return e.store.Update(ctx, func(tx *store.Tx) error {
				for _, id := range []string{"janko", "salon", "kwiaty", "d1", "d2"} {
					if err := handle(ctx, tx, e.partner(id), levels[id](), e.clock.Now()); err != nil {
						return err
					}
				}
				return flush(ctx, tx)
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		deliver()
	}
	allRed := map[string]func() health.Verdict{"janko": red, "salon": red, "kwiaty": red, "d1": red, "d2": red}

	evaluate(allRed)
	slackPosts := rec.find("chat.postMessage", nil)
	if len(slackPosts) != 1 || slackPosts[0].Form.Get("channel") != "DUKASIA" {
		t.Fatalf("Slack posts %d, want one grouped alert to kasia: %v", len(slackPosts), slackPosts)
	}
	group := slackPosts[0]
	for _, name := range []string{"Sklep u Janka", "Salon Bella", "Kwiaciarnia Róża", "Acknowledge all"} {
		if !strings.Contains(group.Form.Get("blocks"), name) {
			t.Errorf("the grouped Slack alert lacks %q", name)
		}
	}
	groupTS := "1800000000." + group.Ref
	dposts := rec.find("discord.post", nil)
	if len(dposts) != 1 || dposts[0].Path != "/channels/dm-902/messages" {
		t.Fatalf("Discord posts %v, want one grouped alert to dora", dposts)
	}
	dgroup := dposts[0]
	for _, name := range []string{"Piekarnia Złoty Kłos", "Apteka Słoneczna", "Potwierdź wszystkie"} {
		if !strings.Contains(text(dgroup.JSON), name) {
			t.Errorf("the grouped Discord alert lacks %q", name)
		}
	}

	// Three days on, unanswered: escalation, noted in each thread.
	e.clock.Set(t0.Add(3 * day))
	evaluate(allRed)
	notes := rec.find("chat.postMessage", func(c call) bool { return c.Form.Get("channel") == "DUKASIA" && c.Form.Get("thread_ts") == groupTS })
	if len(notes) != 3 {
		t.Errorf("escalation notes in kasia's thread: %d, want 3", len(notes))
		for _, it := range e.items() {
			t.Logf("%s %s %s thread=%s upd=%s ref=%s err=%s reason=%s", it.Key, it.Status, it.Target, it.Thread, it.Updates, it.Ref, it.Error, it.Reason)
		}
	}
	replies := func() []call {
		return rec.find("discord.post", func(c call) bool {
			ref, _ := c.JSON["message_reference"].(map[string]any)
			return c.Path == "/channels/dm-902/messages" && ref != nil && ref["message_id"] == dgroup.Ref
		})
	}
	if n := len(replies()); n != 2 {
		t.Errorf("escalation notes replying to dora's alert: %d, want 2", n)
	}

	// Seven days: reminders, in the thread.
	e.clock.Set(t0.Add(7 * day))
	evaluate(allRed)
	if n := len(rec.find("chat.postMessage", func(c call) bool { return c.Form.Get("thread_ts") == groupTS })); n != 6 {
		t.Errorf("kasia's thread holds %d messages, want 3 notes and 3 reminders", n)
	}
	if n := len(replies()); n != 4 {
		t.Errorf("dora's thread holds %d replies, want 2 notes and 2 reminders", n)
	}

	// Acknowledge all, pressed on Slack's grouped message.
	e.clock.Set(t0.Add(7*day + time.Hour))
	var groupValue string
	var blocks []map[string]any
	json.Unmarshal([]byte(group.Form.Get("blocks")), &blocks)
	for _, b := range blocks {
		for _, el := range asList(b["elements"]) {
			if m, ok := el.(map[string]any); ok && m["action_id"] == ActionAck {
				groupValue = fmt.Sprint(m["value"])
			}
		}
	}
	if !strings.HasPrefix(groupValue, groupPrefix) {
		t.Fatalf("no Acknowledge all button on the grouped alert: %q", groupValue)
	}
	payload, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]string{"id": "UKASIA"},
		"channel": map[string]string{"id": "DUKASIA"}, "message": map[string]string{"ts": groupTS},
		"response_url": web.URL + "/hook/ack",
		"actions":      []map[string]string{{"action_id": ActionAck, "value": groupValue, "type": "button"}}})
	body := url.Values{"payload": {string(payload)}}.Encode()
	stamp := strconv.FormatInt(e.clock.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(slackSecret))
	io.WriteString(mac, "v0:"+stamp+":"+body)
	req, _ := http.NewRequest(http.MethodPost, web.URL+"/slack/interactions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("press: %v %v", res, err)
	}
	sa.Close() // waits for the answer through response_url
	got := hook.posts()
	if len(got) != 1 || !strings.Contains(got[0], `"replace_original":true`) || !strings.Contains(got[0], "Acknowledged by Kasia") ||
		strings.Contains(got[0], ActionAck) {
		t.Errorf("response_url got %q, want the alert replaced: who, when, no buttons", got)
	}
	for _, id := range []string{"janko", "salon", "kwiaty"} {
		if st := e.state(id); st.AckedBy != "kasia" {
			t.Errorf("%s not acknowledged: %+v", id, st)
		}
	}
	deliver()
	ups := rec.find("chat.update", nil)
	if len(ups) != 1 || ups[0].Form.Get("ts") != groupTS || !strings.Contains(ups[0].Form.Get("blocks"), "Acknowledged by Kasia") ||
		strings.Contains(ups[0].Form.Get("blocks"), ActionAck) {
		t.Errorf("chat.update calls %v, want the grouped alert updated once", ups)
	}

	// Acknowledge all on Discord: the interaction updates the message.
	dvalue := ""
	for _, row := range asList(dgroup.JSON["components"]) {
		for _, c := range asList(row.(map[string]any)["components"]) {
			if id := fmt.Sprint(c.(map[string]any)["custom_id"]); strings.HasPrefix(id, ActionAck+":") {
				dvalue = id
			}
		}
	}
	ib, _ := json.Marshal(map[string]any{"id": "i9", "application_id": "app1", "type": 3, "token": "tok9",
		"channel_id": "dm-902", "locale": "pl", "version": 1, "user": map[string]any{"id": "902", "username": "dora"},
		"message": map[string]any{"id": dgroup.Ref, "channel_id": "dm-902"},
		"data":    map[string]any{"custom_id": dvalue, "component_type": 2}})
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	dreq, _ := http.NewRequest(http.MethodPost, web.URL+"/discord/interactions", strings.NewReader(string(ib)))
	dreq.Header.Set("Content-Type", "application/json")
	dreq.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), ib...))))
	dreq.Header.Set("X-Signature-Timestamp", ts)
	res, err := http.DefaultClient.Do(dreq)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var resp struct {
		Type int            `json:"type"`
		Data map[string]any `json:"data"`
	}
	json.Unmarshal(out, &resp)
	if resp.Type != 7 || !strings.Contains(string(out), "Potwierdzone: Dora") || strings.Contains(string(out), ActionAck) {
		t.Errorf("Discord press answered %s, want an update (7) naming Dora, without buttons", out)
	}
	deliver()
	edits := rec.find("discord.edit", nil)
	if len(edits) != 1 || edits[0].Path != "/channels/dm-902/messages/"+dgroup.Ref || !strings.Contains(text(edits[0].JSON), "Potwierdzone: Dora") {
		t.Errorf("Discord edits %v, want dora's grouped alert edited once", edits)
	}

	// Janko recovers: the note follows in kasia's thread.
	e.clock.Set(t0.Add(8 * day))
	evaluate(map[string]func() health.Verdict{"janko": green, "salon": red, "kwiaty": red, "d1": red, "d2": red})
	recovered := rec.find("chat.postMessage", func(c call) bool {
		return c.Form.Get("thread_ts") == groupTS && strings.Contains(c.Form.Get("text"), "Sklep u Janka")
	})
	if len(recovered) == 0 || !strings.Contains(recovered[len(recovered)-1].Form.Get("blocks"), "recovered") {
		t.Errorf("no recovered note in kasia's thread")
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }
