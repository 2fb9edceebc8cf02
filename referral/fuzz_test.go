package referral_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"partnerbot/bot"
	"partnerbot/referral"
)

// FuzzTarget: any landing URL and code give an http(s) URL whose ref
// parameter is exactly the code, or EINVALID for a landing that is not
// an absolute http(s) URL.
func FuzzTarget(f *testing.F) {
	for _, s := range [][2]string{{"https://shop.example/promo?utm=x#top", "janko2026"}, {"https://shop.example/?ref=old&ref=older", "a&b=c"},
		{"http://[::1]:8080/p?%zz", "x"}, {"javascript:alert(1)", "x"}, {"//evil.example/", "x"}, {"https://shop.example/?a=1;ref=2", "ż ółw"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, landing, code string) {
		got, err := referral.Target(landing, referral.DefaultParam, code)
		if err != nil {
			if bot.ErrorCode(err) != bot.EINVALID {
				t.Fatalf("Target(%q) error %v is not EINVALID", landing, err)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("Target(%q, %q) = %q: not an http(s) URL", landing, code, got)
		}
		lu, _ := url.Parse(landing)
		if u.Host != lu.Host {
			t.Fatalf("Target(%q) = %q leads to another host", landing, got)
		}
		if v := u.Query()[referral.DefaultParam]; len(v) != 1 || v[0] != code {
			t.Fatalf("Target(%q, %q) = %q: ref = %q", landing, code, got, v)
		}
	})
}

// FuzzClientAddr: from an untrusted peer the address is the peer's,
// whatever X-Forwarded-For says; behind a trusted proxy it is an address
// the headers or the peer named, never a trusted proxy unless all are.
func FuzzClientAddr(f *testing.F) {
	f.Add("203.0.113.9:5000", "198.51.100.1")
	f.Add("10.0.0.1:80", "6.6.6.6, 203.0.113.5, 10.1.2.3")
	f.Add("10.0.0.1:80", "10.0.0.2,10.0.0.3")
	f.Add("[::ffff:10.0.0.1]:80", "garbage, 203.0.113.5")
	f.Add("bad", "")
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/r/x", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		if got, want := referral.ClientAddr(r, nil), hostOf(remote); got != want {
			t.Fatalf("untrusted %q with XFF %q = %q, want the peer %q", remote, xff, got, want)
		}
		got := referral.ClientAddr(r, trusted)
		if got == "" && hostOf(remote) != "" {
			t.Fatalf("trusted %q with XFF %q gave no address", remote, xff)
		}
		named := false
		for _, hop := range strings.Split(xff, ",") {
			if a, err := netip.ParseAddr(strings.TrimSpace(hop)); err == nil && a.Unmap().String() == got {
				named = true
			}
		}
		if got != hostOf(remote) && !named {
			t.Fatalf("%q with XFF %q = %q: an address nobody named", remote, xff, got)
		}
	})
}

// hostOf is the peer's address: RemoteAddr without its port, an IPv4
// address mapped into IPv6 written as IPv4.
func hostOf(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap().String()
	}
	return host
}

// FuzzRedirect: any path under /r/ answers a redirect, a 404 page or a
// 503, and never counts more than one click for one visitor.
func FuzzRedirect(f *testing.F) {
	e := newEnv(f)
	for _, s := range []string{"janko2026", "JANKO2026", "anna-pl", "stary1", "nope", "a", "..%2f", "janko2026%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		req, err := http.NewRequest("GET", e.srv.URL+"/r/"+url.PathEscape(code), nil)
		if err != nil {
			return
		}
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0")
		resp, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusFound, http.StatusNotFound, http.StatusServiceUnavailable, http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		default:
			t.Fatalf("/r/%q: status %d", code, resp.StatusCode)
		}
		if resp.StatusCode == http.StatusFound && !strings.HasPrefix(resp.Header.Get("Location"), "https://") {
			t.Fatalf("/r/%q redirects to %q", code, resp.Header.Get("Location"))
		}
	})
	if n := e.clicks(f, "janko"); n > 1 {
		f.Fatalf("one visitor counted %d clicks on janko's code", n)
	}
}
