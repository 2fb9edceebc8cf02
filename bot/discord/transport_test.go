package discord

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bwmarrin/discordgo"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRedirectTransport(t *testing.T) {
	tests := []struct {
		name, base, in, want string
	}{
		{"API call with query", "http://127.0.0.1:9/fake", discordgo.EndpointAPI + "webhooks/1/tok?wait=true", "http://127.0.0.1:9/fake/webhooks/1/tok?wait=true"},
		{"base with trailing slash", "http://127.0.0.1:9/", discordgo.EndpointChannelMessages("42"), "http://127.0.0.1:9/channels/42/messages"},
		{"escaped path kept", "http://127.0.0.1:9", discordgo.EndpointAPI + "users/%40me/channels", "http://127.0.0.1:9/users/%40me/channels"},
		{"CDN untouched", "http://127.0.0.1:9", "https://cdn.discordapp.com/avatars/1/a.png", "https://cdn.discordapp.com/avatars/1/a.png"},
		{"no base: Discord itself", "", discordgo.EndpointGatewayBot, discordgo.EndpointGatewayBot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			var host string
			rt, err := newRedirectTransport(tt.base, roundTripFunc(func(r *http.Request) (*http.Response, error) {
				got, host = r.URL.String(), r.Host
				return &http.Response{StatusCode: 204, Body: http.NoBody, Request: r}, nil
			}))
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest("POST", tt.in, nil)
			if _, err := rt.RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("sent to %s, want %s", got, tt.want)
			}
			if req.URL.String() != tt.in {
				t.Errorf("the caller's request was changed to %s", req.URL)
			}
			if tt.base != "" && got != tt.in && host != "127.0.0.1:9" {
				t.Errorf("Host = %q", host)
			}
		})
	}
	for _, bad := range []string{"discord.local", "ftp://x/y", "://"} {
		if _, err := newRedirectTransport(bad, nil); err == nil {
			t.Errorf("base %q accepted", bad)
		}
	}
}

func TestRedirectTransport_Session(t *testing.T) {
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path + "?" + r.URL.RawQuery
		w.Write([]byte(`{"id":"m1"}`))
	}))
	defer srv.Close()
	rt, err := newRedirectTransport(srv.URL+"/api", nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := discordgo.New("Bot x")
	s.Client = &http.Client{Transport: rt}
	if _, err := s.FollowupMessageCreate(&discordgo.Interaction{AppID: "app", Token: "tok"}, true, &discordgo.WebhookParams{Content: "hi"}); err != nil {
		t.Fatal(err)
	}
	if path != "/api/webhooks/app/tok?wait=true" {
		t.Errorf("request path = %s", path)
	}
}
