package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/commands"
)

func TestCommands_MyStats(t *testing.T) {
	e := newEnv(t)
	a := e.answer("UJANKO", "/mystats", "")
	if a.ResponseType != "ephemeral" {
		t.Errorf("response_type = %q, want ephemeral", a.ResponseType)
	}
	for _, want := range []string{"Sklep u Janka", money(234567), `"type":"header"`, `"action_id":"mystats.share"`} {
		if !strings.Contains(a.all, want) && !strings.Contains(a.raw, want) {
			t.Errorf("answer lacks %q:\n%s", want, a.raw)
		}
	}
	if a.Text == "" {
		t.Error("no fallback text")
	}
	if e.fake.Calls() != 0 {
		t.Errorf("an inline answer made %d Web API calls", e.fake.Calls())
	}
	waitFor(t, "activity", func() bool { return e.activity.Load() == 1 })
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.seen[0] != [2]string{"UJANKO", "C1"} {
		t.Errorf("activity = %v, want UJANKO in C1", e.seen[0])
	}
}

func TestCommands_RefusedRequests(t *testing.T) {
	e := newEnv(t)
	body := url.Values{"command": {"/mystats"}, "user_id": {"UJANKO"}, "channel_id": {"C1"},
		"response_url": {e.hooks.URL("refused")}}.Encode()
	forged := sign(body, e.clock.Now())
	forged.Set("X-Slack-Signature", "v0="+strings.Repeat("ab", 32))
	other := sign(body+"&text=2026-10", e.clock.Now()) // signed for another body

	tests := []struct {
		name    string
		headers http.Header
		advance time.Duration
	}{
		{"no signature", http.Header{}, 0},
		{"wrong signature", forged, 0},
		{"signature of another body", other, 0},
		{"stale timestamp", sign(body, e.clock.Now()), 6 * time.Minute},
		{"timestamp from the future", sign(body, e.clock.Now().Add(6*time.Minute)), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.clock.Set(testNow.Add(tt.advance))
			defer e.clock.Set(testNow)
			code, _ := e.do("/slack/commands", "application/x-www-form-urlencoded", body, tt.headers)
			if code != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", code)
			}
		})
	}
	for _, path := range []string{"/slack/interactions", "/slack/events"} {
		if code, _ := e.do(path, "application/json", `{"type":"url_verification","challenge":"x"}`, forged); code != http.StatusUnauthorized {
			t.Errorf("%s with a forged signature: status %d, want 401", path, code)
		}
	}
	e.adapter.Close()
	if n := e.activity.Load(); n != 0 {
		t.Errorf("%d commands ran for refused requests", n)
	}
	if n := e.fake.Calls(); n != 0 {
		t.Errorf("%d Web API calls for refused requests", n)
	}
	if got := e.hooks.Got("refused"); len(got) != 0 {
		t.Errorf("refused requests were answered through response_url: %v", got)
	}

	t.Run("within 5 minutes", func(t *testing.T) {
		e.clock.Set(testNow.Add(4 * time.Minute))
		defer e.clock.Set(testNow)
		if code, _ := e.do("/slack/commands", "application/x-www-form-urlencoded", body, sign(body, testNow)); code != http.StatusOK {
			t.Errorf("status = %d, want 200", code)
		}
	})
}

func TestCommands_NoSigningSecret(t *testing.T) {
	e := newEnv(t)
	a, err := New(Options{Service: e.svc, BotToken: "xoxb-test", APIURL: e.fake.URL(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Mount(mux.Handle)
	body := "command=%2Fmystats&user_id=UJANKO"
	req, _ := http.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	for k, v := range sign(body, bot.SystemClock{}.Now()) {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "SLACK_SIGNING_SECRET") {
		t.Errorf("got %d %q, want 503 naming SLACK_SIGNING_SECRET", rec.Code, rec.Body.String())
	}
}

func TestCommands_BodyLimit(t *testing.T) {
	e := newEnv(t)
	body := "text=" + strings.Repeat("a", maxBody+1)
	if code, _ := e.do("/slack/commands", "application/x-www-form-urlencoded", body, sign(body, e.clock.Now())); code != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", code)
	}
}

func TestCommands_LinkFlow(t *testing.T) {
	e := newEnv(t)

	a := e.answer("UNEW", "/mystats", "")
	if !strings.Contains(a.all, "/link") || strings.Contains(a.all, "Salon") || a.ResponseType != "ephemeral" {
		t.Fatalf("unlinked /mystats = %s, want the private link explanation", a.raw)
	}

	a = e.answer("UKASIA", "/linkcode", "salon")
	code := regexp.MustCompile(`[A-Z2-9]{3}-[A-Z2-9]{3}-[A-Z2-9]{3}`).FindString(a.all)
	if code == "" {
		t.Fatalf("/linkcode answer has no code: %s", a.raw)
	}

	a = e.answer("UNEW", "/link", code)
	if !strings.Contains(a.all, "Salon Fryzur") {
		t.Fatalf("/link answer = %s, want it to name the partner", a.raw)
	}

	a = e.answer("UNEW", "/mystats", "")
	if !strings.Contains(a.all, "Salon Fryzur") || !strings.Contains(a.all, money(55555)) {
		t.Errorf("linked /mystats = %s, want Salon's numbers", a.raw)
	}
	if strings.Contains(a.all, "Sklep u Janka") || strings.Contains(a.all, money(234567)) {
		t.Errorf("linked /mystats shows another partner: %s", a.raw)
	}

	a = e.answer("UOTHER", "/link", code)
	if strings.Contains(a.all, "Salon Fryzur") {
		t.Errorf("a used code linked another account: %s", a.raw)
	}
}

func TestCommands_PartnersSeeOnlyThemselves(t *testing.T) {
	e := newEnv(t)
	other := []string{"Apteka", money(77777)}

	for _, text := range []string{"", "month", "2026-11", "30d"} {
		a := e.answer("UJANKO", "/mystats", text)
		for _, s := range other {
			if strings.Contains(a.all, s) {
				t.Errorf("/mystats %s from janko shows %q: %s", text, s, a.raw)
			}
		}
	}
	a := e.answer("UJANKO", "/mystats", "apteka")
	for _, s := range other {
		if strings.Contains(a.all, s) {
			t.Errorf("/mystats apteka from janko shows %q: %s", s, a.raw)
		}
	}
	a = e.answer("UJANKO", "/partner", "apteka")
	if a.ResponseType != "ephemeral" || !strings.Contains(a.all, "managers") {
		t.Errorf("/partner apteka from janko = %s, want a private refusal", a.raw)
	}
	for _, s := range other {
		if strings.Contains(a.all, s) {
			t.Errorf("/partner apteka from janko shows %q: %s", s, a.raw)
		}
	}

	// The manager does see it.
	if a := e.answer("UKASIA", "/partner", "apteka"); !strings.Contains(a.all, "Apteka Pod Lipami") {
		t.Errorf("/partner apteka from its manager = %s", a.raw)
	}

	// Share pressed by janko, even with another partner's id as value,
	// shares janko's stats only.
	for _, value := range []string{"2026-11", "apteka"} {
		e.press("UJANKO", "mystats.share", value, "share-"+value)
		got := e.hooks.wait(t, "share-"+value)
		if strings.Contains(got.all, "Apteka") || strings.Contains(got.all, money(77777)) {
			t.Errorf("share(%s) by janko shows apteka: %s", value, got.raw)
		}
		if value == "2026-11" {
			if got.ResponseType != "in_channel" || !strings.Contains(got.all, "Sklep u Janka") {
				t.Errorf("share by janko = %s, want janko's stats in the channel", got.raw)
			}
		} else if got.ResponseType != "ephemeral" {
			t.Errorf("share with a bad period = %s, want a private error", got.raw)
		}
		if got.ReplaceOriginal == nil || *got.ReplaceOriginal {
			t.Errorf("share answer replace_original = %v, want false", got.ReplaceOriginal)
		}
	}
}

// press sends a block_actions interaction; its answer goes to hook.
func (e *env) press(user, action, value, hook string) int {
	e.t.Helper()
	p := map[string]any{"type": "block_actions", "user": map[string]string{"id": user}, "channel": map[string]string{"id": "C1"}, "trigger_id": e.trigger(),
		"actions": []map[string]string{{"action_id": action, "value": value, "type": "button"}}}
	if hook != "" {
		p["response_url"] = e.hooks.URL(hook)
	}
	b, _ := json.Marshal(p)
	body := url.Values{"payload": {string(b)}}.Encode()
	code, _ := e.do("/slack/interactions", "application/x-www-form-urlencoded", body, sign(body, e.clock.Now()))
	if code != http.StatusOK {
		e.t.Fatalf("interaction: status %d", code)
	}
	return code
}

func TestInteractions(t *testing.T) {
	e := newEnv(t)

	t.Run("link button is ignored", func(t *testing.T) {
		e.press("UJANKO", linkActionID, "", "link")
		e.adapter.Close()
		if got := e.hooks.Got("link"); len(got) != 0 {
			t.Errorf("a link button click was answered: %v", got[0].raw)
		}
	})
	t.Run("repeated action id", func(t *testing.T) {
		e.press("UJANKO", "mystats.share|3", "2026-11", "repeat")
		if got := e.hooks.wait(t, "repeat"); !strings.Contains(got.all, "Sklep u Janka") {
			t.Errorf("suffixed action answered %s", got.raw)
		}
	})
	t.Run("home tab press goes to DM", func(t *testing.T) {
		e.press("UJANKO", "mystats.share", "2026-11", "")
		waitFor(t, "a DM post", func() bool { return len(e.fake.Posts()) > 0 })
		p := e.fake.Posts()[0]
		if p.Channel != "DUJANKO" || !strings.Contains(p.Blocks, "Sklep u Janka") {
			t.Errorf("DM post = %+v", p)
		}
	})
}

func TestCommands_SlowCommandAnswersThroughResponseURL(t *testing.T) {
	e := newEnv(t, withSlowStats(), withBudget(20*time.Millisecond))
	code, body := e.command("UJANKO", "/mystats", "")
	if code != http.StatusOK || body != "" {
		t.Fatalf("slow command: %d %q, want 200 with an empty body", code, body)
	}
	if got := e.hooks.Got("mystats-UJANKO"); len(got) != 0 {
		t.Fatal("answered through response_url before the command finished")
	}
	close(e.gate)
	a := e.hooks.wait(t, "mystats-UJANKO")
	if a.ResponseType != "ephemeral" || !strings.Contains(a.all, "Sklep u Janka") || !strings.Contains(a.all, money(234567)) {
		t.Errorf("response_url got %s", a.raw)
	}
}

func TestCommands_ResponseURLExpires(t *testing.T) {
	e := newEnv(t, withSlowStats(), withBudget(20*time.Millisecond))
	if code, _ := e.command("UJANKO", "/mystats", ""); code != http.StatusOK {
		t.Fatal(code)
	}
	e.clock.Advance(31 * time.Minute)
	close(e.gate)
	e.adapter.Close()
	if got := e.hooks.Got("mystats-UJANKO"); len(got) != 0 {
		t.Errorf("posted to a response_url older than 30 minutes: %s", got[0].raw)
	}
}

func TestCommands_ReferralSendsQRToDM(t *testing.T) {
	e := newEnv(t)
	a := e.answer("UJANKO", "/referral", "")
	if a.ResponseType != "ephemeral" || !strings.Contains(a.all, "https://bot.example.com/r/") {
		t.Errorf("/referral = %s", a.raw)
	}
	if !strings.Contains(a.all, "direct message") {
		t.Errorf("/referral answer does not say the QR went to a DM: %s", a.raw)
	}
	waitFor(t, "the QR upload", func() bool {
		u := e.fake.Uploads()
		return len(u) == 1 && u[0].Channel != ""
	})
	u := e.fake.Uploads()[0]
	if u.Channel != "DUJANKO" || !strings.HasPrefix(u.Filename, "qr-") || !strings.HasSuffix(u.Filename, ".png") {
		t.Errorf("upload = %s to %s, want qr-*.png to DUJANKO", u.Filename, u.Channel)
	}
	if !bytes.HasPrefix(u.Data, []byte("\x89PNG")) || u.Size != len(u.Data) {
		t.Errorf("uploaded %d bytes (announced %d), want a PNG", len(u.Data), u.Size)
	}
	if got := e.fake.Opened(); len(got) != 1 || got[0] != "UJANKO" {
		t.Errorf("opened DMs with %v, want [UJANKO]", got)
	}
}

func TestCommands_UnknownAndBadArguments(t *testing.T) {
	e := newEnv(t)
	if a := e.answer("UJANKO", "/nosuch", ""); a.ResponseType != "ephemeral" || !strings.Contains(a.all, "/nosuch") {
		t.Errorf("/nosuch = %s", a.raw)
	}
	if a := e.answer("UJANKO", "/mystats", "2026-11 extra words"); a.ResponseType != "ephemeral" || !strings.Contains(a.all, "/mystats") {
		t.Errorf("/mystats with too many words = %s", a.raw)
	}
}

func TestEvents(t *testing.T) {
	e := newEnv(t)
	post := func(body string, h http.Header) (int, string) {
		t.Helper()
		for k, v := range sign(body, e.clock.Now()) {
			h[k] = v
		}
		return e.do("/slack/events", "application/json", body, h)
	}

	t.Run("url verification", func(t *testing.T) {
		code, body := post(`{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`, http.Header{})
		if code != http.StatusOK || !strings.Contains(body, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P") {
			t.Errorf("got %d %q", code, body)
		}
	})
	t.Run("home tab of a partner", func(t *testing.T) {
		body := `{"type":"event_callback","event_id":"Ev1","event":{"type":"app_home_opened","user":"UJANKO","channel":"DUJANKO","tab":"home"}}`
		if code, _ := post(body, http.Header{}); code != http.StatusOK {
			t.Fatal(code)
		}
		// A redelivery of the same event changes nothing.
		if code, _ := post(body, http.Header{"X-Slack-Retry-Num": {"1"}, "X-Slack-Retry-Reason": {"http_timeout"}}); code != http.StatusOK {
			t.Fatal(code)
		}
		e.adapter.Close()
		views := e.fake.Views()
		if len(views) != 1 {
			t.Fatalf("%d views published, want 1", len(views))
		}
		v := views[0]
		if v.UserID != "UJANKO" || !strings.Contains(v.Raw, `"type":"home"`) || !strings.Contains(v.Raw, "Sklep u Janka") ||
			!strings.Contains(v.Raw, `"action_id":"mystats.share"`) || strings.Contains(v.Raw, "Apteka") {
			t.Errorf("home view = %s", v.Raw)
		}
	})
	t.Run("home tab of a stranger", func(t *testing.T) {
		body := `{"type":"event_callback","event_id":"Ev2","event":{"type":"app_home_opened","user":"UNEW","tab":"home"}}`
		post(body, http.Header{})
		waitFor(t, "the second view", func() bool { return len(e.fake.Views()) == 2 })
		v := e.fake.Views()[1]
		if v.UserID != "UNEW" || !strings.Contains(v.Raw, "/link") || strings.Contains(v.Raw, "Sklep u Janka") {
			t.Errorf("home view = %s", v.Raw)
		}
	})
	t.Run("home tab of a manager", func(t *testing.T) {
		body := `{"type":"event_callback","event_id":"Ev2m","event":{"type":"app_home_opened","user":"UKASIA","tab":"home"}}`
		post(body, http.Header{})
		waitFor(t, "the manager's view", func() bool { return len(e.fake.Views()) == 3 })
		v := e.fake.Views()[2]
		// This bot has no health evaluator: the board says so, where a
		// partner or stranger would get stats or help.
		if v.UserID != "UKASIA" || !strings.Contains(v.Raw, "Health is not configured") || strings.Contains(v.Raw, "/link") {
			t.Errorf("manager's home view = %s", v.Raw)
		}
	})
	t.Run("messages count as activity", func(t *testing.T) {
		events := []string{
			`{"type":"event_callback","event_id":"Ev3","event":{"type":"message","user":"UJANKO","channel":"CJANKO","channel_type":"channel","text":"hi"}}`,
			`{"type":"event_callback","event_id":"Ev4","event":{"type":"message","user":"UNEW","channel":"DUNEW","channel_type":"im","text":"hi"}}`,
			`{"type":"event_callback","event_id":"Ev5","event":{"type":"message","bot_id":"B1","user":"UBOT","channel":"C1","channel_type":"channel","text":"report"}}`,
			`{"type":"event_callback","event_id":"Ev6","event":{"type":"message","subtype":"channel_join","user":"UX","channel":"C1","channel_type":"channel"}}`,
			`{"type":"event_callback","event_id":"Ev3","event":{"type":"message","user":"UJANKO","channel":"CJANKO","channel_type":"channel","text":"hi"}}`,
		}
		for _, ev := range events {
			if code, _ := post(ev, http.Header{}); code != http.StatusOK {
				t.Fatal(code)
			}
		}
		e.adapter.Close()
		e.mu.Lock()
		defer e.mu.Unlock()
		want := [][2]string{{"UJANKO", "CJANKO"}, {"UNEW", "DUNEW"}}
		if len(e.seen) != len(want) {
			t.Fatalf("activity = %v, want %v", e.seen, want)
		}
		for _, w := range want {
			found := false
			for _, s := range e.seen {
				found = found || s == w
			}
			if !found {
				t.Errorf("activity = %v, lacks %v", e.seen, w)
			}
		}
	})
}

func TestCommands_PanicIsAnswered(t *testing.T) {
	e := newEnv(t)
	e.svc.Register(&commands.Spec{Name: "boom", Audience: commands.Anyone,
		Run: func(*commands.Service, context.Context, *commands.Caller, map[string]string) (*bot.Message, error) {
			panic("boom")
		}})
	a := e.answer("UJANKO", "/boom", "")
	if a.ResponseType != "ephemeral" || !strings.Contains(a.all, "went wrong") {
		t.Errorf("/boom = %s, want a private internal error", a.raw)
	}
}

// TestCommands_FormWithoutText: /message and /contact without their text
// open a modal with the command's trigger_id and answer nothing.
func TestCommands_FormWithoutText(t *testing.T) {
	e := newEnv(t)
	for i, tt := range []struct{ cmd, callback string }{
		{"/message", commands.FormReply},
		{"/contact", commands.FormContact},
	} {
		code, body := e.command("UKASIA", tt.cmd, "salon")
		if code != http.StatusOK || strings.TrimSpace(body) != "" {
			t.Fatalf("%s salon: %d %q, want an empty 200 (the modal is the answer)", tt.cmd, code, body)
		}
		modals := e.fake.Modals()
		if len(modals) != i+1 {
			t.Fatalf("%s salon: %d modals opened, want %d", tt.cmd, len(modals), i+1)
		}
		var req struct {
			TriggerID string `json:"trigger_id"`
			View      struct {
				CallbackID      string `json:"callback_id"`
				PrivateMetadata string `json:"private_metadata"`
			} `json:"view"`
		}
		if err := json.Unmarshal([]byte(modals[i]), &req); err != nil {
			t.Fatalf("views.open body %q: %v", modals[i], err)
		}
		if req.TriggerID == "" || req.View.CallbackID != tt.callback || req.View.PrivateMetadata != "salon" {
			t.Errorf("%s modal = %+v", tt.cmd, req)
		}
	}
	// With the text, no modal: the command runs.
	if a := e.answer("UKASIA", "/contact", "salon called about the QR"); !strings.Contains(a.all, "Salon") {
		t.Errorf("/contact with a note = %s", a.raw)
	}
	if n := len(e.fake.Modals()); n != 2 {
		t.Errorf("%d modals after a command with its text, want 2", n)
	}
}
