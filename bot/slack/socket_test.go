package slack

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/slacktest"
)

func TestRun_WithoutAppToken(t *testing.T) {
	e := newEnv(t)
	done := make(chan error, 1)
	go func() { done <- e.adapter.Run(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run without an app token did not return")
	}
}

// socketAck is what the client sends back for an envelope.
type socketAck struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload"`
}

func TestRun_SocketMode(t *testing.T) {
	e := newEnv(t, withAppToken("xapp-test"))
	acks := make(chan socketAck, 10)
	var conns atomic.Int32
	e.fake.onSocket(func(c *websocket.Conn) {
		n := conns.Add(1)
		send := func(v string) {
			if err := c.WriteMessage(websocket.TextMessage, []byte(v)); err != nil {
				t.Errorf("write: %v", err)
			}
		}
		send(`{"type":"hello","num_connections":1}`)
		switch n {
		case 1:
			send(`{"type":"slash_commands","envelope_id":"E1","accepts_response_payload":true,"payload":` +
				`{"command":"/mystats","text":"","user_id":"UJANKO","channel_id":"C1","response_url":"` + e.hooks.URL("socket") + `"}}`)
			send(`{"type":"events_api","envelope_id":"E2","accepts_response_payload":false,"payload":` +
				`{"type":"event_callback","event_id":"EvS1","event":{"type":"app_home_opened","user":"UJANKO","tab":"home"}}}`)
			send(`{"type":"interactive","envelope_id":"E3","accepts_response_payload":false,"payload":` +
				`{"type":"block_actions","user":{"id":"UJANKO"},"channel":{"id":"C1"},"response_url":"` + e.hooks.URL("socket-share") + `",` +
				`"actions":[{"action_id":"mystats.share","value":"2026-11"}]}}`)
		case 2:
			// Slack refreshed the connection: work goes on over the new
			// one. It sends E3 again (its ack may have been lost): the
			// press must not run twice.
			send(`{"type":"interactive","envelope_id":"E3","accepts_response_payload":false,"payload":` +
				`{"type":"block_actions","user":{"id":"UJANKO"},"channel":{"id":"C1"},"response_url":"` + e.hooks.URL("socket-share") + `",` +
				`"actions":[{"action_id":"mystats.share","value":"2026-11"}]}}`)
			send(`{"type":"slash_commands","envelope_id":"E4","accepts_response_payload":true,"payload":` +
				`{"command":"/help","text":"","user_id":"UNEW","channel_id":"C1","response_url":"` + e.hooks.URL("socket2") + `"}}`)
		}
		for pending := 3; ; {
			var ack socketAck
			if err := c.ReadJSON(&ack); err != nil {
				return
			}
			acks <- ack
			if pending--; n == 1 && pending == 0 {
				send(`{"type":"disconnect","reason":"refresh_requested"}`)
			}
		}
	})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.adapter.Run(ctx) }()

	got := map[string]socketAck{}
	e3 := 0
	deadline := time.After(5 * time.Second)
	for len(got) < 4 || e3 < 2 {
		select {
		case a := <-acks:
			got[a.EnvelopeID] = a
			if a.EnvelopeID == "E3" {
				e3++
			}
		case <-deadline:
			t.Fatalf("acks so far: %v", got)
		}
	}

	r := parseAnswer(t, string(got["E1"].Payload))
	if r.ResponseType != "ephemeral" || !strings.Contains(r.all, "Sklep u Janka") || !strings.Contains(r.all, money(234567)) ||
		strings.Contains(r.all, "Apteka") {
		t.Errorf("slash command ack = %s", got["E1"].Payload)
	}
	for _, id := range []string{"E2", "E3"} {
		if p := got[id].Payload; len(p) != 0 && string(p) != "null" {
			t.Errorf("ack %s carries %s, want nothing", id, p)
		}
	}
	if r := parseAnswer(t, string(got["E4"].Payload)); !strings.Contains(r.all, "/link") {
		t.Errorf("slash command on the second connection = %s", got["E4"].Payload)
	}
	if conns.Load() != 2 {
		t.Errorf("%d connections, want 2", conns.Load())
	}

	share := e.hooks.wait(t, "socket-share")
	if share.ResponseType != "in_channel" || !strings.Contains(share.all, "Sklep u Janka") {
		t.Errorf("share through Socket Mode = %s", share.raw)
	}
	waitFor(t, "the Home tab", func() bool { return len(e.fake.Views()) == 1 })
	if v := e.fake.Views()[0]; v.UserID != "UJANKO" || !strings.Contains(v.Raw, "Sklep u Janka") {
		t.Errorf("home view = %s", v.Raw)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if len(e.hooks.Got("socket")) != 0 {
		t.Error("a slash command acked with its answer was answered again through response_url")
	}
	e.adapter.Close()
	if n := len(e.hooks.Got("socket-share")); n != 1 {
		t.Errorf("the repeated envelope shared %d times, want once", n)
	}
}

func TestRun_RefusedAppToken(t *testing.T) {
	e := newEnv(t)
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		})
	})
	srv.Start()
	t.Cleanup(srv.Stop)
	a, err := New(Options{Service: e.svc, BotToken: "xoxb-test", AppToken: "xapp-revoked", APIURL: srv.GetAPIURL(),
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(context.Background()) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
			t.Errorf("Run = %v, want an invalid_auth error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run kept retrying a refused app token")
	}
}
