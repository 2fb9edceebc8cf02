package discord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"partnerbot/bot"
	"partnerbot/i18n"
)

const ephemeral = int(discordgo.MessageFlagsEphemeral)

func TestInteractions_Ping(t *testing.T) {
	e := newEnv(t)
	body := []byte(`{"id":"p1","application_id":"app1","type":1,"token":"t","version":1}`)
	sig, ts := e.sign(body)
	code, out := e.postRaw(body, sig, ts)
	if code != http.StatusOK || strings.TrimSpace(string(out)) != `{"type":1}` {
		t.Fatalf("PING = %d %s, want 200 {\"type\":1}", code, out)
	}
}

func TestInteractions_Refused(t *testing.T) {
	e := newEnv(t)
	body, _ := json.Marshal(e.command(userJanko, "mystats", nil))
	sig, ts := e.sign(body)
	other := append([]byte(nil), body...)
	other[len(other)-2] = ' ' // same length, one byte changed

	t.Run("wrong signature", func(t *testing.T) {
		_, otherKey, _ := ed25519.GenerateKey(nil)
		wrong := ed25519.Sign(otherKey, append([]byte(ts), body...))
		code, _ := e.postRaw(body, hex.EncodeToString(wrong), ts)
		if code != http.StatusUnauthorized {
			t.Fatalf("code = %d, want 401", code)
		}
	})
	t.Run("body changed", func(t *testing.T) {
		if code, _ := e.postRaw(other, sig, ts); code != http.StatusUnauthorized {
			t.Fatalf("code = %d, want 401", code)
		}
	})
	t.Run("no headers", func(t *testing.T) {
		if code, _ := e.postRaw(body, "", ""); code != http.StatusUnauthorized {
			t.Fatalf("code = %d, want 401", code)
		}
	})
	t.Run("stale timestamp", func(t *testing.T) {
		e.clock.Advance(6 * time.Minute)
		defer e.clock.Advance(-6 * time.Minute)
		if code, _ := e.postRaw(body, sig, ts); code != http.StatusUnauthorized {
			t.Fatalf("code = %d, want 401", code)
		}
	})
	t.Run("timestamp from the future", func(t *testing.T) {
		e.clock.Advance(-6 * time.Minute)
		defer e.clock.Advance(6 * time.Minute)
		if code, _ := e.postRaw(body, sig, ts); code != http.StatusUnauthorized {
			t.Fatalf("code = %d, want 401", code)
		}
	})
	e.adapter.inflight.wait(0)
	if reqs := e.api.requests(); len(reqs) != 0 {
		t.Errorf("refused requests reached the API: %v", paths(reqs))
	}
	if acts := e.activities(); len(acts) != 0 {
		t.Errorf("refused requests recorded activity: %v", acts)
	}
	t.Run("valid within the window", func(t *testing.T) {
		e.clock.Advance(4 * time.Minute)
		defer e.clock.Advance(-4 * time.Minute)
		if code, out := e.postRaw(body, sig, ts); code != http.StatusOK {
			t.Fatalf("code = %d %s, want 200", code, out)
		}
	})
}

func TestInteractions_NoPublicKey(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.PublicKey = "" })
	body, _ := json.Marshal(e.command(userJanko, "mystats", nil))
	sig, ts := e.sign(body)
	code, out := e.postRaw(body, sig, ts)
	if code != http.StatusServiceUnavailable || !strings.Contains(string(out), "DISCORD_PUBLIC_KEY") {
		t.Fatalf("= %d %s, want 503 naming DISCORD_PUBLIC_KEY", code, out)
	}
}

func TestInteractions_MyStats(t *testing.T) {
	e := newEnv(t)
	r := e.interact(e.command(userJanko, "mystats", map[string]string{"period": "2026-11"}))
	if r.Type != int(discordgo.InteractionResponseChannelMessageWithSource) || r.Data == nil {
		t.Fatalf("type = %d, want 4 with data", r.Type)
	}
	if r.Data.Flags&ephemeral == 0 {
		t.Errorf("flags = %d, want ephemeral", r.Data.Flags)
	}
	text := r.Data.text()
	if !strings.Contains(text, e.money(jankoTurnover)) {
		t.Errorf("stats lack janko's turnover %s:\n%s", e.money(jankoTurnover), text)
	}
	if strings.Contains(text, e.money(aptekaTurnover)) {
		t.Errorf("janko's stats show apteka's turnover:\n%s", text)
	}
	if ids := r.Data.customIDs(); !slices.Equal(ids, []string{"mystats.share:2026-11"}) {
		t.Errorf("buttons = %v, want [mystats.share:2026-11]", ids)
	}
	if got := r.Data.Embeds[0].Color; got != colorDefault {
		t.Errorf("color = %#x, want %#x", got, colorDefault)
	}
	e.adapter.inflight.wait(0)
	if acts := e.activities(); !slices.Equal(acts, []string{userJanko + "@c1"}) {
		t.Errorf("activity = %v, want [%s@c1]", acts, userJanko)
	}
	if reqs := e.api.requests(); len(reqs) != 0 {
		t.Errorf("an in-time answer called the API: %v", paths(reqs))
	}
}

func TestInteractions_PartnerSeesOnlyItself(t *testing.T) {
	e := newEnv(t)
	t.Run("mystats has no option naming a partner", func(t *testing.T) {
		for _, c := range applicationCommands(e.svc.Specs(), false) {
			if c.Name != "mystats" {
				continue
			}
			for _, o := range c.Options {
				if o.Name != "period" {
					t.Errorf("/mystats has option %q", o.Name)
				}
			}
		}
		// A forged option is ignored: the numbers are still the caller's.
		r := e.interact(e.command(userJanko, "mystats", map[string]string{"period": "2026-11", "id": "apteka", "partner": "apteka"}))
		if text := r.Data.text(); strings.Contains(text, e.money(aptekaTurnover)) || !strings.Contains(text, e.money(jankoTurnover)) {
			t.Errorf("forged option changed whose stats:\n%s", text)
		}
	})
	t.Run("/partner from a partner is refused", func(t *testing.T) {
		r := e.interact(e.command(userJanko, "partner", map[string]string{"id": "apteka"}))
		text := r.Data.text()
		if want := i18n.T(bot.LocalePL, "err.managers_only", "/partner"); !strings.Contains(text, want) {
			t.Errorf("answer = %q, want %q", text, want)
		}
		if strings.Contains(text, "Apteka") || strings.Contains(text, e.money(aptekaTurnover)) {
			t.Errorf("refusal leaks apteka:\n%s", text)
		}
		if r.Data.Flags&ephemeral == 0 {
			t.Error("refusal is not ephemeral")
		}
	})
	t.Run("share shares the presser's own numbers in public", func(t *testing.T) {
		r := e.interact(e.component(userJanko, "mystats.share:2026-11"))
		if r.Type != int(discordgo.InteractionResponseChannelMessageWithSource) || r.Data == nil {
			t.Fatalf("type = %d, want 4", r.Type)
		}
		if r.Data.Flags&ephemeral != 0 {
			t.Error("a shared card is ephemeral; want a public message")
		}
		text := r.Data.text()
		if !strings.Contains(text, e.money(jankoTurnover)) || strings.Contains(text, e.money(aptekaTurnover)) {
			t.Errorf("shared card is not janko's alone:\n%s", text)
		}
		if !strings.Contains(text, "Sklep u Janka") {
			t.Errorf("shared card does not say who shared it:\n%s", text)
		}
	})
	t.Run("apteka pressing a share button shares apteka", func(t *testing.T) {
		text := e.interact(e.component(userApteka, "mystats.share:2026-11")).Data.text()
		if !strings.Contains(text, e.money(aptekaTurnover)) || strings.Contains(text, e.money(jankoTurnover)) {
			t.Errorf("apteka's share:\n%s", text)
		}
	})
}

func TestInteractions_Unlinked(t *testing.T) {
	e := newEnv(t)
	r := e.interact(e.command(userNobody, "mystats", nil))
	text := r.Data.text()
	if want := i18n.T(bot.LocalePL, "err.unknown_user"); !strings.Contains(text, want) {
		t.Errorf("answer = %q, want the link explanation", text)
	}
	if r.Data.Flags&ephemeral == 0 {
		t.Error("not ephemeral")
	}
}

var codeRE = regexp.MustCompile(`[A-Z2-9]{3}-[A-Z2-9]{3}-[A-Z2-9]{3}`)

func TestInteractions_LinkCodeThenLink(t *testing.T) {
	e := newEnv(t)
	inv := e.interact(e.command(userKasia, "linkcode", map[string]string{"id": "nowy"}))
	code := codeRE.FindString(inv.Data.text())
	if code == "" {
		t.Fatalf("no code in the invite:\n%s", inv.Data.text())
	}
	before := e.interact(e.command(userNew, "mystats", nil)).Data.text()
	if !strings.Contains(before, i18n.T(bot.LocalePL, "err.unknown_user")) {
		t.Fatalf("unlinked user got:\n%s", before)
	}
	linked := e.interact(e.command(userNew, "link", map[string]string{"code": code}))
	if want := i18n.T(bot.LocalePL, "link.done.title"); linked.Data.Embeds[0].Title != want {
		t.Fatalf("link answer = %q, want %q", linked.Data.text(), want)
	}
	after := e.interact(e.command(userNew, "mystats", nil)).Data.text()
	if !strings.Contains(after, "Nowy Sklep") || !strings.Contains(after, e.money(5000)) {
		t.Errorf("after linking, /mystats shows:\n%s", after)
	}
}

func TestInteractions_ReferralFollowsUpWithQR(t *testing.T) {
	e := newEnv(t)
	r := e.interact(e.command(userJanko, "referral", nil))
	if r.Type != int(discordgo.InteractionResponseDeferredChannelMessageWithSource) {
		t.Fatalf("type = %d, want 5 (deferred)", r.Type)
	}
	if r.Data == nil || r.Data.Flags&ephemeral == 0 {
		t.Errorf("deferral is not ephemeral")
	}
	e.adapter.inflight.wait(0)
	req := only(t, e.api.requests())
	if req.Method != "POST" || !strings.HasPrefix(req.Path, "/webhooks/app1/tok") {
		t.Fatalf("follow-up = %s %s, want POST /webhooks/app1/{token}", req.Method, req.Path)
	}
	m, parts := decodeBody(t, req)
	if len(parts) != 2 || parts[1].Name != "files[0]" {
		t.Fatalf("parts = %+v, want payload_json and files[0]", parts)
	}
	file := parts[1]
	if !regexp.MustCompile(`^qr-[a-z0-9_-]+\.png$`).MatchString(file.FileName) {
		t.Errorf("file name = %q, want qr-*.png", file.FileName)
	}
	if !bytes.HasPrefix(file.Data, []byte("\x89PNG")) || file.ContentType != "image/png" {
		t.Errorf("file is not a PNG (%s, % x)", file.ContentType, file.Data[:min(8, len(file.Data))])
	}
	if img := m.Embeds[0].Image; img == nil || img.URL != "attachment://"+file.FileName {
		t.Errorf("embed image = %+v, want attachment://%s", img, file.FileName)
	}
	if m.Flags&ephemeral == 0 {
		t.Error("follow-up is not ephemeral")
	}
	if !strings.Contains(m.text(), "https://partners.example/r/") {
		t.Errorf("follow-up lacks the link:\n%s", m.text())
	}
}

func TestInteractions_LateAnswerFollowsUp(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Budget = time.Nanosecond })
	r := e.interact(e.command(userJanko, "mystats", map[string]string{"period": "2026-11"}))
	if r.Type != int(discordgo.InteractionResponseDeferredChannelMessageWithSource) {
		t.Fatalf("type = %d, want 5 (deferred)", r.Type)
	}
	if r.Data == nil || r.Data.Flags&ephemeral == 0 {
		t.Error("deferral of private stats is not ephemeral")
	}
	e.adapter.inflight.wait(0)
	req := only(t, e.api.requests())
	if req.Path != "/webhooks/app1/"+"tok1" || req.Method != "POST" {
		t.Fatalf("follow-up = %s %s", req.Method, req.Path)
	}
	m, _ := decodeBody(t, req)
	if !strings.Contains(m.text(), e.money(jankoTurnover)) || m.Flags&ephemeral == 0 {
		t.Errorf("follow-up (flags %d):\n%s", m.Flags, m.text())
	}

	t.Run("button", func(t *testing.T) {
		r := e.interact(e.component(userJanko, "mystats.share:2026-11"))
		// 6 when the budget ran out first; 5 without the ephemeral flag
		// when the public answer came just too late to go in-line.
		switch {
		case r.Type == int(discordgo.InteractionResponseDeferredMessageUpdate):
		case r.Type == int(discordgo.InteractionResponseDeferredChannelMessageWithSource) && r.Data != nil && r.Data.Flags&ephemeral == 0:
		default:
			t.Fatalf("type = %d, want 6 (or a public 5)", r.Type)
		}
		e.adapter.inflight.wait(0)
		reqs := e.api.requests()
		m, _ := decodeBody(t, reqs[len(reqs)-1])
		if m.Flags&ephemeral != 0 || !strings.Contains(m.text(), e.money(jankoTurnover)) {
			t.Errorf("shared follow-up (flags %d):\n%s", m.Flags, m.text())
		}
	})
}

func TestGatewayHandlers(t *testing.T) {
	e := newEnv(t)
	t.Run("interaction", func(t *testing.T) {
		raw, _ := json.Marshal(e.command(userJanko, "help", nil))
		var i discordgo.Interaction
		if err := json.Unmarshal(raw, &i); err != nil {
			t.Fatal(err)
		}
		e.adapter.onInteraction(e.adapter.session, &discordgo.InteractionCreate{Interaction: &i})
		e.adapter.inflight.wait(0)
		req := only(t, e.api.requests())
		if req.Path != "/interactions/"+i.ID+"/"+i.Token+"/callback" {
			t.Fatalf("response went to %s", req.Path)
		}
		var r response
		if err := json.Unmarshal(req.Body, &r); err != nil {
			t.Fatal(err)
		}
		if r.Type != 4 || r.Data.Flags&ephemeral == 0 || r.Data.Embeds[0].Title == "" {
			t.Errorf("response = %s", req.Body)
		}
	})
	t.Run("messages", func(t *testing.T) {
		before := len(e.activities())
		msg := func(author *discordgo.User, typ discordgo.MessageType) *discordgo.MessageCreate {
			return &discordgo.MessageCreate{Message: &discordgo.Message{ID: "m", ChannelID: "c7", Author: author, Type: typ}}
		}
		e.adapter.onMessage(e.adapter.session, msg(&discordgo.User{ID: "bot1", Bot: true}, discordgo.MessageTypeDefault))
		e.adapter.onMessage(e.adapter.session, msg(&discordgo.User{ID: userJanko}, discordgo.MessageTypeGuildMemberJoin))
		e.adapter.onMessage(e.adapter.session, msg(nil, discordgo.MessageTypeDefault))
		e.adapter.onMessage(e.adapter.session, msg(&discordgo.User{ID: userJanko}, discordgo.MessageTypeDefault))
		e.adapter.onMessage(e.adapter.session, msg(&discordgo.User{ID: userApteka}, discordgo.MessageTypeReply))
		got := e.activities()[before:]
		if want := []string{userJanko + "@c7", userApteka + "@c7"}; !slices.Equal(got, want) {
			t.Errorf("activity = %v, want %v", got, want)
		}
	})
}

func TestRun_NoTokenReturnsAtOnce(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.BotToken = "" })
	if err := e.adapter.Run(context.Background()); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
}

func TestVerifySignature(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"type":1}`)
	sign := func(ts string, b []byte) string {
		return hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), b...)))
	}
	ts := "1800000000"
	tests := []struct {
		name      string
		sig, ts   string
		body      []byte
		now       time.Time
		wantValid bool
	}{
		{"valid", sign(ts, body), ts, body, now, true},
		{"4m59s late", sign(ts, body), ts, body, now.Add(299 * time.Second), true},
		{"6 minutes late", sign(ts, body), ts, body, now.Add(6 * time.Minute), false},
		{"6 minutes early", sign(ts, body), ts, body, now.Add(-6 * time.Minute), false},
		{"other body", sign(ts, body), ts, []byte(`{"type":2}`), now, false},
		{"other timestamp signed", sign("1800000001", body), ts, body, now, false},
		{"not hex", "zz", ts, body, now, false},
		{"short", "abcd", ts, body, now, false},
		{"timestamp not a number", sign("x", body), "x", body, now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verifySignature(pub, tt.sig, tt.ts, tt.body, tt.now)
			if (err == nil) != tt.wantValid {
				t.Fatalf("verify = %v, want valid %v", err, tt.wantValid)
			}
		})
	}
}

// TestInteractions_ReplayRunsOnce: the same signed interaction sent again
// (a captured request) is answered "already done" and does nothing: the
// manager's /contact is logged once.
func TestInteractions_ReplayRunsOnce(t *testing.T) {
	e := newEnv(t)
	body, _ := json.Marshal(e.command(userKasia, "contact", map[string]string{"id": "janko", "note": "QR"}))
	sig, ts := e.sign(body)
	var texts []string
	for range 3 {
		code, out := e.postRaw(body, sig, ts)
		if code != http.StatusOK {
			t.Fatalf("HTTP %d %s", code, out)
		}
		var r response
		json.Unmarshal(out, &r)
		texts = append(texts, r.Data.text())
	}
	if !strings.Contains(texts[0], "Sklep u Janka") {
		t.Fatalf("first answer: %s", texts[0])
	}
	for _, s := range texts[1:] {
		if !strings.Contains(s, "Już zrobione") || strings.Contains(s, "Sklep u Janka") {
			t.Errorf("replay answered %q", s)
		}
	}
	notes, err := e.store.Notes(context.Background(), "janko", 10)
	if err != nil || len(notes) != 1 {
		t.Fatalf("notes = %v, %v; want one contact", notes, err)
	}
}
