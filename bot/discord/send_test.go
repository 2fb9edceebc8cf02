package discord

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
)

// registered is a command as the registration payload declares it.
type registered struct {
	Name             string            `json:"name"`
	NameLocalization map[string]string `json:"name_localizations"`
	Description      string            `json:"description"`
	Localization     map[string]string `json:"description_localizations"`
	Contexts         []int             `json:"contexts"`
	IntegrationTypes []int             `json:"integration_types"`
	Options          []struct {
		Name         string            `json:"name"`
		Type         int               `json:"type"`
		Required     bool              `json:"required"`
		Description  string            `json:"description"`
		Localization map[string]string `json:"description_localizations"`
		Autocomplete bool              `json:"autocomplete"`
		MaxLength    int               `json:"max_length"`
		Choices      []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"choices"`
	} `json:"options"`
}

func TestRegisterCommands(t *testing.T) {
	for _, tt := range []struct {
		name, guild string
		dms         bool
		paths       []string // PUT, in order; the first carries the commands
	}{
		{"guild", "g1", false, []string{"/applications/app1/guilds/g1/commands"}},
		{"global", "", false, []string{"/applications/app1/commands"}},
		{"global with DMs", "", true, []string{"/applications/app1/commands"}},
		{"global with DMs clears the guild's", "g1", true, []string{"/applications/app1/commands", "/applications/app1/guilds/g1/commands"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) { o.GuildID, o.DMCommands = tt.guild, tt.dms })
			if err := e.adapter.RegisterCommands(context.Background()); err != nil {
				t.Fatal(err)
			}
			reqs := e.api.requests()
			if len(reqs) != len(tt.paths) {
				t.Fatalf("requests = %v, want PUT %v", paths(reqs), tt.paths)
			}
			for i, req := range reqs {
				if req.Method != "PUT" || req.Path != tt.paths[i] {
					t.Fatalf("request %d = %s %s, want PUT %s", i, req.Method, req.Path, tt.paths[i])
				}
			}
			if len(reqs) > 1 && strings.TrimSpace(string(reqs[1].Body)) != "[]" {
				t.Errorf("the guild's commands are not cleared: %s", reqs[1].Body)
			}
			var cmds []registered
			if err := json.Unmarshal(reqs[0].Body, &cmds); err != nil {
				t.Fatal(err)
			}
			var names, want []string
			for _, sp := range e.svc.Specs() {
				want = append(want, sp.Name)
			}
			for _, c := range cmds {
				names = append(names, c.Name)
				if c.Description == "" || textLen(c.Description) > 100 || c.Localization["pl"] == "" || c.Localization["pl"] == c.Description {
					t.Errorf("/%s: description %q, pl %q", c.Name, c.Description, c.Localization["pl"])
				}
				if len(c.NameLocalization) != 0 {
					t.Errorf("/%s: localized name %v; names are the same everywhere", c.Name, c.NameLocalization)
				}
				if tt.dms && (!slices.Equal(c.Contexts, []int{0, 1}) || !slices.Equal(c.IntegrationTypes, []int{0})) {
					t.Errorf("/%s: contexts %v, integration types %v, want [0 1] and [0]", c.Name, c.Contexts, c.IntegrationTypes)
				}
				if !tt.dms && (c.Contexts != nil || c.IntegrationTypes != nil) {
					t.Errorf("/%s: contexts %v without the DM switch", c.Name, c.Contexts)
				}
				for _, o := range c.Options {
					if o.Type != 3 || o.Description == "" || o.Localization["pl"] == "" {
						t.Errorf("/%s %s: %+v", c.Name, o.Name, o)
					}
					// Free text is capped; a fixed list or suggestions
					// stand instead of the cap, never both list kinds.
					if len(o.Choices) == 0 && o.MaxLength == 0 {
						t.Errorf("/%s %s: free text without max_length", c.Name, o.Name)
					}
					if len(o.Choices) > 0 && o.Autocomplete {
						t.Errorf("/%s %s: choices and autocomplete", c.Name, o.Name)
					}
				}
			}
			if !slices.Equal(names, want) {
				t.Errorf("commands = %v, want %v", names, want)
			}
			choices := func(c registered, opt string) []string {
				var out []string
				for _, o := range c.Options {
					if o.Name == opt {
						for _, ch := range o.Choices {
							out = append(out, ch.Value)
						}
					}
				}
				return out
			}
			for _, c := range cmds {
				switch c.Name {
				case "link":
					if len(c.Options) != 1 || c.Options[0].Name != "code" || !c.Options[0].Required {
						t.Errorf("/link options = %+v", c.Options)
					}
				case "contact":
					if len(c.Options) != 2 || c.Options[0].Name != "id" || !c.Options[0].Required || c.Options[1].Name != "note" || c.Options[1].Required ||
						!c.Options[0].Autocomplete || c.Options[1].MaxLength != 500 {
						t.Errorf("/contact options = %+v", c.Options)
					}
				case "partner", "linkcode", "message":
					if c.Options[0].Name != "id" || !c.Options[0].Autocomplete {
						t.Errorf("/%s id has no autocomplete: %+v", c.Name, c.Options)
					}
				case "mystats":
					if len(c.Options) != 1 || c.Options[0].Name != "period" || c.Options[0].Required {
						t.Errorf("/mystats options = %+v", c.Options)
					}
				case "notify":
					if got := choices(c, "kind"); !slices.Equal(got, bot.MutableKinds) {
						t.Errorf("/notify kind choices = %v, want %v", got, bot.MutableKinds)
					}
					if got := choices(c, "state"); !slices.Equal(got, []string{"on", "off"}) {
						t.Errorf("/notify state choices = %v", got)
					}
				case "health":
					if got := choices(c, "filter"); !slices.Equal(got, []string{"red", "amber", "all"}) {
						t.Errorf("/health filter choices = %v", got)
					}
				}
			}
		})
	}
}

func TestSend(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	msg := &bot.Message{Title: "Weekly report", Text: "Hi *Janek*", Color: "green",
		Buttons: []bot.Button{{Action: "report.more", Value: "janko", Label: "More"}}, Private: true}
	const key = "weekly_report:2026-W47:janko:discord"

	t.Run("channel", func(t *testing.T) {
		ref, err := e.adapter.Send(ctx, bot.Target{Platform: "discord", Channel: "c9"}, msg, key)
		if err != nil {
			t.Fatal(err)
		}
		reqs := e.api.requests()
		req := reqs[len(reqs)-1]
		if req.Method != "POST" || req.Path != "/channels/c9/messages" || ref != "msg-1" {
			t.Fatalf("%s %s → %q", req.Method, req.Path, ref)
		}
		m, _ := decodeBody(t, req)
		if m.Nonce != nonce(key) || len(m.Nonce) > 25 || m.Nonce == "" || !m.EnforceNonce {
			t.Errorf("nonce %q (enforce %v), want %q enforced", m.Nonce, m.EnforceNonce, nonce(key))
		}
		if m.Flags != 0 {
			t.Errorf("a scheduled post has flags %d", m.Flags)
		}
		if d := m.Embeds[0].Description; d != "Hi **Janek**" || m.Embeds[0].Color != colorGreen {
			t.Errorf("embed = %+v", m.Embeds[0])
		}
		if ids := m.customIDs(); !slices.Equal(ids, []string{"report.more:janko"}) {
			t.Errorf("buttons = %v", ids)
		}
		if !strings.Contains(string(req.Body), `"allowed_mentions":{"parse":[]`) {
			t.Errorf("mentions are not disabled: %s", req.Body)
		}
	})
	t.Run("user DM, channel opened once", func(t *testing.T) {
		before := len(e.api.requests())
		for range 2 {
			if _, err := e.adapter.Send(ctx, bot.Target{Platform: "discord", User: "u7"}, msg, key); err != nil {
				t.Fatal(err)
			}
		}
		got := paths(e.api.requests()[before:])
		want := []string{"POST /users/@me/channels", "POST /channels/dm-u7/messages", "POST /channels/dm-u7/messages"}
		if !slices.Equal(got, want) {
			t.Errorf("requests = %v, want %v", got, want)
		}
	})
	t.Run("image goes as files[0]", func(t *testing.T) {
		img := &bot.Message{Title: "QR", Image: &bot.Image{Name: "qr-abc.png", Type: "image/png", Alt: "QR of the link", Data: []byte("\x89PNG fake")}}
		if _, err := e.adapter.Send(ctx, bot.Target{Platform: "discord", Channel: "c9"}, img, "k1"); err != nil {
			t.Fatal(err)
		}
		reqs := e.api.requests()
		m, parts := decodeBody(t, reqs[len(reqs)-1])
		if len(parts) != 2 || parts[1].Name != "files[0]" || parts[1].FileName != "qr-abc.png" {
			t.Fatalf("parts = %+v", parts)
		}
		if m.Nonce != "k1" || !m.EnforceNonce || m.Embeds[0].Image.URL != "attachment://qr-abc.png" {
			t.Errorf("payload = %+v", m)
		}
		if len(m.Attachments) != 1 || m.Attachments[0].Description != "QR of the link" {
			t.Errorf("attachments = %+v", m.Attachments)
		}
	})
}

func TestSend_Errors(t *testing.T) {
	tests := []struct {
		name       string
		reply      reply
		permanent  bool
		retryAfter time.Duration
		unknown    bool
		reason     string
	}{
		{"DMs closed", reply{403, nil, `{"code":50007,"message":"Cannot send messages to this user"}`}, true, 0, false, "50007"},
		{"no mutual guild", reply{400, nil, `{"code":50278,"message":"no mutual guilds"}`}, true, 0, false, "50278"},
		{"unknown channel", reply{404, nil, `{"code":10003,"message":"Unknown Channel"}`}, true, 0, false, "10003"},
		{"missing access", reply{403, nil, `{"code":50001,"message":"Missing Access"}`}, true, 0, false, "50001"},
		{"missing permissions", reply{403, nil, `{"code":50013,"message":"Missing Permissions"}`}, true, 0, false, "50013"},
		{"rate limited", reply{429, nil, `{"message":"You are being rate limited.","retry_after":1.5,"global":false}`}, false, 1500 * time.Millisecond, false, "429"},
		{"rate limited, header only", reply{429, map[string]string{"Retry-After": "2"}, `<html>slow down</html>`}, false, 2 * time.Second, false, "http_429"},
		{"server error", reply{500, nil, `{"message":"500: Internal Server Error","code":0}`}, false, 0, false, "http_500"},
		{"bad gateway", reply{502, nil, `<html>bad gateway</html>`}, false, 0, false, "http_502"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.api.fail("POST /channels/c9/messages", tt.reply)
			_, err := e.adapter.Send(context.Background(), bot.Target{Platform: "discord", Channel: "c9"}, &bot.Message{Text: "x"}, "key")
			var se *bot.SendError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v (%T), want *bot.SendError", err, err)
			}
			if se.Permanent != tt.permanent || se.RetryAfter != tt.retryAfter || se.Unknown != tt.unknown || se.Reason != tt.reason {
				t.Errorf("err = %+v, want permanent %v retryAfter %v unknown %v reason %q", se, tt.permanent, tt.retryAfter, tt.unknown, tt.reason)
			}
			if n := len(e.api.requests()); n != 1 {
				t.Errorf("%d requests, want 1 (no hidden retries)", n)
			}
		})
	}
	t.Run("unknown user opening a DM", func(t *testing.T) {
		e := newEnv(t)
		e.api.fail("POST /users/@me/channels", reply{400, nil, `{"code":10013,"message":"Unknown User"}`})
		_, err := e.adapter.Send(context.Background(), bot.Target{Platform: "discord", User: "u9"}, &bot.Message{Text: "x"}, "key")
		var se *bot.SendError
		if !errors.As(err, &se) || !se.Permanent || se.Reason != "10013" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("network error", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		for _, tt := range []struct {
			key     string
			unknown bool
		}{{"key", false}, {"", true}} {
			e := newEnv(t, func(o *Options) { o.APIURL = dead.URL })
			_, err := e.adapter.Send(context.Background(), bot.Target{Platform: "discord", Channel: "c9"}, &bot.Message{Text: "x"}, tt.key)
			var se *bot.SendError
			if !errors.As(err, &se) || se.Permanent || se.RetryAfter != 0 || se.Unknown != tt.unknown {
				t.Errorf("key %q: err = %+v, want temporary (unknown %v)", tt.key, se, tt.unknown)
			}
		}
	})
	t.Run("no token", func(t *testing.T) {
		e := newEnv(t, func(o *Options) { o.BotToken = "" })
		_, err := e.adapter.Send(context.Background(), bot.Target{Platform: "discord", Channel: "c9"}, &bot.Message{Text: "x"}, "key")
		var se *bot.SendError
		if !errors.As(err, &se) || !se.Permanent || len(e.api.requests()) != 0 {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestNonce(t *testing.T) {
	long := "weekly_report:2026-W47:janko:discord"
	if got := nonce("k1"); got != "k1" {
		t.Errorf("nonce(k1) = %q", got)
	}
	if got := nonce(long); len(got) != 25 || got != nonce(long) || got == nonce(long+"x") {
		t.Errorf("nonce(long) = %q, not a stable 25-char hash", got)
	}
	if nonce("") != "" {
		t.Error("empty key has a nonce")
	}
}
