package slack

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
)

func TestSend(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	msg := &bot.Message{Title: "Weekly report", Text: "Turnover *up* 12%", Fields: []bot.Field{{Name: "Turnover", Value: "1 234,56 zł"}},
		Buttons: []bot.Button{{Action: "mystats.share", Value: "2026-W47", Label: "Share"}}}

	t.Run("channel", func(t *testing.T) {
		ref, err := e.adapter.Send(ctx, bot.Target{Platform: Platform, Channel: "CJANKO"}, msg, "weekly/janko/2026-W47")
		if err != nil {
			t.Fatal(err)
		}
		p := e.fake.Posts()[len(e.fake.Posts())-1]
		if ref == "" || ref != p.TS {
			t.Errorf("ref = %q, want the ts %q", ref, p.TS)
		}
		if p.Channel != "CJANKO" || !strings.Contains(p.Text, "Weekly report") {
			t.Errorf("post = %+v", p)
		}
		for _, want := range []string{`"type":"header"`, `"type":"actions"`, `"action_id":"mystats.share"`, "*Turnover*"} {
			if !strings.Contains(p.Blocks, want) {
				t.Errorf("blocks lack %s: %s", want, p.Blocks)
			}
		}
		if p.Metadata.EventType != "partnerbot_post" || p.Metadata.EventPayload["key"] != "weekly/janko/2026-W47" {
			t.Errorf("metadata = %+v", p.Metadata)
		}
	})

	t.Run("DM", func(t *testing.T) {
		ref, err := e.adapter.Send(ctx, bot.Target{Platform: Platform, User: "UKASIA"}, msg, "alert/apteka/1")
		if err != nil {
			t.Fatal(err)
		}
		p := e.fake.Posts()[len(e.fake.Posts())-1]
		if p.Channel != "DUKASIA" || p.TS != ref || p.Metadata.EventPayload["key"] != "alert/apteka/1" {
			t.Errorf("DM post = %+v", p)
		}
	})

	t.Run("image", func(t *testing.T) {
		img := &bot.Message{Title: "Your chart", Image: &bot.Image{Name: "chart.png", Alt: "12 weeks", Type: "image/png", Data: []byte("\x89PNG fake")}}
		if _, err := e.adapter.Send(ctx, bot.Target{Platform: Platform, Channel: "CJANKO"}, img, "chart/1"); err != nil {
			t.Fatal(err)
		}
		u := e.fake.Uploads()
		if len(u) != 1 || u[0].Channel != "CJANKO" || u[0].Filename != "chart.png" || string(u[0].Data) != "\x89PNG fake" {
			t.Errorf("uploads = %+v", u)
		}
	})

	t.Run("posted", func(t *testing.T) {
		since := time.Unix(1600000000, 0)
		ref, found, err := e.adapter.Posted(ctx, "CJANKO", "weekly/janko/2026-W47", since)
		if err != nil || !found || ref != e.fake.Posts()[0].TS {
			t.Errorf("Posted(channel) = %q, %v, %v; want %q", ref, found, err, e.fake.Posts()[0].TS)
		}
		if _, found, err := e.adapter.Posted(ctx, "CJANKO", "weekly/janko/2026-W48", since); err != nil || found {
			t.Errorf("Posted(other key) = %v, %v; want not found", found, err)
		}
		if _, found, err := e.adapter.Posted(ctx, "CAPTEKA", "weekly/janko/2026-W47", since); err != nil || found {
			t.Errorf("Posted(other channel) = %v, %v; want not found", found, err)
		}
		if _, found, err := e.adapter.Posted(ctx, "UKASIA", "alert/apteka/1", since); err != nil || !found {
			t.Errorf("Posted(user's DM) = %v, %v; want found", found, err)
		}
	})

	t.Run("DM to an unknown user", func(t *testing.T) {
		_, err := e.adapter.Send(ctx, bot.Target{Platform: Platform, User: "UGONE"}, msg, "k")
		var se *bot.SendError
		if !errors.As(err, &se) || !se.Permanent || se.Reason != "user_not_found" {
			t.Errorf("err = %v, want permanent user_not_found", err)
		}
	})
}

func TestSend_Errors(t *testing.T) {
	release := make(chan struct{}) // frees handlers that hang on purpose
	tests := []struct {
		name string
		hook func(w http.ResponseWriter, r *http.Request) bool
		want bot.SendError
	}{
		{"channel not found", func(w http.ResponseWriter, r *http.Request) bool {
			writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
			return true
		}, bot.SendError{Permanent: true, Reason: "channel_not_found"}},
		{"not in channel", func(w http.ResponseWriter, r *http.Request) bool {
			writeJSON(w, map[string]any{"ok": false, "error": "not_in_channel"})
			return true
		}, bot.SendError{Permanent: true, Reason: "not_in_channel"}},
		{"rate limited", func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}, bot.SendError{RetryAfter: 7 * time.Second, Reason: "ratelimited"}},
		{"server error", func(w http.ResponseWriter, r *http.Request) bool {
			w.WriteHeader(http.StatusBadGateway)
			return true
		}, bot.SendError{Unknown: true, Reason: "http_502"}},
		{"internal error", func(w http.ResponseWriter, r *http.Request) bool {
			writeJSON(w, map[string]any{"ok": false, "error": "internal_error"})
			return true
		}, bot.SendError{Unknown: true, Reason: "internal_error"}},
		{"other slack error", func(w http.ResponseWriter, r *http.Request) bool {
			writeJSON(w, map[string]any{"ok": false, "error": "service_unavailable"})
			return true
		}, bot.SendError{Reason: "service_unavailable"}},
		{"timeout after sending", func(w http.ResponseWriter, r *http.Request) bool {
			io.ReadAll(r.Body)
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return true
		}, bot.SendError{Unknown: true, Reason: "timeout"}},
		{"connection dropped after sending", func(w http.ResponseWriter, r *http.Request) bool {
			io.ReadAll(r.Body)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return true
		}, bot.SendError{Unknown: true, Reason: "no_answer"}},
	}
	e := newEnv(t)
	t.Cleanup(func() { close(release) }) // before the fake stops
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.fake.onPost(tt.hook)
			defer e.fake.onPost(nil)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err := e.adapter.Send(ctx, bot.Target{Platform: Platform, Channel: "C1"}, &bot.Message{Text: "hi"}, "k")
			var se *bot.SendError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *bot.SendError", err)
			}
			if se.Permanent != tt.want.Permanent || se.RetryAfter != tt.want.RetryAfter || se.Unknown != tt.want.Unknown || se.Reason != tt.want.Reason {
				t.Errorf("err = %+v, want %+v", *se, tt.want)
			}
		})
	}

	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		a, err := New(Options{Service: e.svc, BotToken: "xoxb-test", APIURL: "http://" + addr + "/api", Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.Send(context.Background(), bot.Target{Platform: Platform, Channel: "C1"}, &bot.Message{Text: "hi"}, "k")
		var se *bot.SendError
		if !errors.As(err, &se) || se.Permanent || se.Unknown || se.RetryAfter != 0 {
			t.Errorf("err = %v, want a plain temporary failure", err)
		}
	})
}
