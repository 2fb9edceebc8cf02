package discord

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// redirectTransport sends every request for Discord's REST API to another
// base URL (config discord.api_url, a local fake in tests). discordgo
// builds its endpoint strings from EndpointAPI at init, so changing
// EndpointAPI later redirects nothing; rewriting at the transport catches
// every call, including ones discordgo makes on its own (gateway/bot).
// Other URLs (the CDN, the gateway's websocket) pass through unchanged.
type redirectTransport struct {
	base *url.URL // replaces https://discord.com/api/v9; nil rewrites nothing
	next http.RoundTripper
}

// discordAPI is discordgo.EndpointAPI taken apart once.
var discordAPI = mustParse(discordgo.EndpointAPI)

func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// newRedirectTransport returns a transport that sends Discord API requests
// to base instead. An empty base means Discord itself. Returns an error
// when base is not an absolute http(s) URL.
func newRedirectTransport(base string, next http.RoundTripper) (*redirectTransport, error) {
	if next == nil {
		next = http.DefaultTransport
	}
	t := &redirectTransport{next: next}
	if base == "" {
		return t, nil
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("discord.api_url %q is not an absolute http(s) URL", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	u.RawQuery, u.Fragment = "", ""
	t.base = u
	return t, nil
}

// RoundTrip rewrites a Discord API request onto the base URL, keeping the
// path below /api/v9/ and the query.
func (t *redirectTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.base == nil || r.URL.Host != discordAPI.Host || !strings.HasPrefix(r.URL.Path, discordAPI.Path) {
		return t.next.RoundTrip(r)
	}
	u := *t.base
	u.Path = t.base.Path + "/" + strings.TrimPrefix(r.URL.Path, discordAPI.Path)
	if r.URL.RawPath != "" {
		u.RawPath = t.base.EscapedPath() + "/" + strings.TrimPrefix(r.URL.RawPath, discordAPI.Path)
	}
	u.RawQuery = r.URL.RawQuery
	r2 := r.Clone(r.Context())
	r2.URL = &u
	r2.Host = u.Host
	return t.next.RoundTrip(r2)
}

// responseInfo is what the transport saw of a response: discordgo drops
// the status and headers of some failures (a 429 whose body is not JSON,
// a 502 after its retries), and Send needs them to decide.
type responseInfo struct {
	status int
	header http.Header
}

type responseInfoKey struct{}

// withResponseInfo returns a context under which requests record their
// response's status and headers in info.
func withResponseInfo(ctx context.Context, info *responseInfo) context.Context {
	return context.WithValue(ctx, responseInfoKey{}, info)
}

// recordingTransport fills the responseInfo of a request's context, if it
// has one.
type recordingTransport struct {
	next http.RoundTripper
}

func (t recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if info, ok := r.Context().Value(responseInfoKey{}).(*responseInfo); ok && resp != nil {
		info.status, info.header = resp.StatusCode, resp.Header.Clone()
	}
	return resp, err
}
