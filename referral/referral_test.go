package referral_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boombuler/barcode/qr"

	"partnerbot/bot"
	"partnerbot/referral"
	"partnerbot/store"
)

var waw = mustLoad("Europe/Warsaw")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// A Monday morning in Warsaw (UTC+1 in November).
var tstart = time.Date(2026, 11, 16, 10, 0, 0, 0, waw)

const browserUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"

func TestLink(t *testing.T) {
	for _, base := range []string{"https://bot.example.com", "https://bot.example.com/"} {
		if got, want := referral.Link(base, "janko2026"), "https://bot.example.com/r/janko2026"; got != want {
			t.Fatalf("Link(%q) = %q, want %q", base, got, want)
		}
	}
}

func TestShareText(t *testing.T) {
	p := &bot.Partner{Name: "Sklep u Janka"}
	link := "https://bot.example.com/r/janko2026"
	for _, loc := range []bot.Locale{bot.LocalePL, bot.LocaleEN} {
		got := referral.ShareText(loc, p, link)
		if !strings.Contains(got, link) || !strings.Contains(got, "Sklep u Janka") || len(got) > 200 {
			t.Fatalf("ShareText(%s) = %q: want the name and the link, short", loc, got)
		}
	}
	if pl, en := referral.ShareText(bot.LocalePL, p, link), referral.ShareText(bot.LocaleEN, p, link); pl == en || !strings.Contains(pl, "cashback") {
		t.Fatalf("pl %q and en %q should differ", pl, en)
	}
	if got := referral.ShareText(bot.LocalePL, &bot.Partner{}, link); strings.HasPrefix(got, ":") || !strings.HasSuffix(got, link) {
		t.Fatalf("ShareText without a name = %q", got)
	}
}

func TestQR(t *testing.T) {
	const text = "https://bot.example.com/r/janko2026"
	const size = 512
	data, err := referral.QR(text, size)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
		t.Fatalf("image is %v, want %dx%d", b, size, size)
	}

	// Where the modules should be: the same encoding, scaled to whole
	// pixels and centred with at least 4 modules of margin.
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		t.Fatal(err)
	}
	n := code.Bounds().Dx()
	scale := size / (n + 8)
	off := (size - n*scale) / 2
	if off < 4*scale {
		t.Fatalf("quiet zone %d px is under 4 modules of %d px", off, scale)
	}
	dark := func(x, y int) bool {
		c := color.GrayModel.Convert(img.At(x, y)).(color.Gray)
		return c.Y < 128
	}
	module := func(mx, my int) bool { return dark(off+mx*scale+scale/2, off+my*scale+scale/2) }

	t.Run("quiet zone is white", func(t *testing.T) {
		for _, p := range [][2]int{{0, 0}, {size - 1, 0}, {0, size - 1}, {size - 1, size - 1}, {off - 1, off - 1}, {size / 2, off - 1}, {off - 1, size / 2}} {
			if dark(p[0], p[1]) {
				t.Fatalf("pixel %v in the quiet zone is dark", p)
			}
		}
	})
	t.Run("finder patterns", func(t *testing.T) {
		// A finder pattern is a 7×7 dark ring around a light ring around
		// a dark 3×3 centre, in three corners.
		for _, corner := range [][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}} {
			for y := range 7 {
				for x := range 7 {
					ring := x == 0 || x == 6 || y == 0 || y == 6
					centre := x >= 2 && x <= 4 && y >= 2 && y <= 4
					if got, want := module(corner[0]+x, corner[1]+y), ring || centre; got != want {
						t.Fatalf("finder at module %v: module (%d,%d) dark = %v, want %v", corner, x, y, got, want)
					}
				}
			}
		}
		// The fourth corner holds data, not a finder.
		if module(n-1, n-1) && module(n-7, n-1) && module(n-1, n-7) && !module(n-2, n-2) {
			t.Fatal("bottom-right corner looks like a finder pattern")
		}
	})
	t.Run("deterministic", func(t *testing.T) {
		again, err := referral.QR(text, size)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, again) {
			t.Fatal("two calls with the same input gave different PNGs")
		}
	})
	t.Run("too small", func(t *testing.T) {
		if _, err := referral.QR(text, n); bot.ErrorCode(err) != bot.EINVALID {
			t.Fatalf("size %d: err = %v, want EINVALID", n, err)
		}
		if _, err := referral.QR(text, n+8); err != nil {
			t.Fatalf("size %d (one pixel a module): %v", n+8, err)
		}
	})
}

func TestTarget(t *testing.T) {
	for _, tc := range []struct{ landing, want string }{
		{"https://shop.example/", "https://shop.example/?ref=janko"},
		{"https://shop.example", "https://shop.example?ref=janko"},
		{"https://shop.example/?utm=x", "https://shop.example/?utm=x&ref=janko"},
		{"https://shop.example/p?b=2&a=1#top", "https://shop.example/p?b=2&a=1&ref=janko#top"},
		{"https://shop.example/?ref=old&utm=x&ref=older", "https://shop.example/?utm=x&ref=janko"},
		{"https://shop.example/?q=a%20b&x", "https://shop.example/?q=a%20b&x&ref=janko"},
		{"https://shop.example/?", "https://shop.example/?ref=janko"},
	} {
		got, err := referral.Target(tc.landing, "ref", "janko")
		if err != nil || got != tc.want {
			t.Fatalf("Target(%q) = %q, %v; want %q", tc.landing, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "shop.example", "ftp://shop.example/", "javascript:alert(1)"} {
		if _, err := referral.Target(bad, "ref", "janko"); bot.ErrorCode(err) != bot.EINVALID {
			t.Fatalf("Target(%q): err = %v, want EINVALID", bad, err)
		}
	}
}

func TestClickID(t *testing.T) {
	day := bot.MustDate("2026-11-16")
	id := referral.ClickID("janko", "203.0.113.5\x00UA", day)
	if len(id) != len("click-")+24 || !strings.HasPrefix(id, "click-") || strings.ToLower(id) != id {
		t.Fatalf("id = %q", id)
	}
	if again := referral.ClickID("janko", "203.0.113.5\x00UA", day); again != id {
		t.Fatalf("not stable: %q then %q", id, again)
	}
	for _, other := range []string{
		referral.ClickID("janko", "203.0.113.5\x00UA", day.AddDays(1)),
		referral.ClickID("janko", "203.0.113.6\x00UA", day),
		referral.ClickID("anna", "203.0.113.5\x00UA", day),
	} {
		if other == id {
			t.Fatalf("different click got the same id %q", id)
		}
	}
}

// env is a redirect mounted on a real server over a real store.
type env struct {
	store  *store.Store
	clock  *bot.ManualClock
	srv    *httptest.Server
	client *http.Client
	// clicks received by OnClick
	mu                   sync.Mutex
	accepted, duplicates int
}

func newEnv(t testing.TB, opts ...func(*referral.Redirect)) *env {
	t.Helper()
	e := &env{clock: bot.NewManualClock(tstart)}
	s, err := store.Open(filepath.Join(t.TempDir(), "test.db"), store.Options{Location: waw, Clock: e.clock})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	e.store = s
	for _, p := range []bot.Partner{
		{ID: "janko", Name: "Sklep u Janka", ReferralCode: "Janko2026", LandingURL: "https://shop.example/promo?utm=x#top"},
		{ID: "anna", Name: "Anna", ReferralCode: "anna-pl", Status: bot.StatusPaused},
		{ID: "stary", Name: "Stary sklep", ReferralCode: "stary1", Status: bot.StatusEnded, LandingURL: "https://old.example/"},
	} {
		if _, err := s.PutPartner(context.Background(), &p); err != nil {
			t.Fatalf("put partner %s: %v", p.ID, err)
		}
	}
	h := &referral.Redirect{
		Store: s, Clock: e.clock, Location: waw,
		DefaultLanding: "https://program.example/join",
		OnClick: func(r store.ClickResult) {
			e.mu.Lock()
			defer e.mu.Unlock()
			if r == store.ClickAccepted {
				e.accepted++
			} else {
				e.duplicates++
			}
		},
	}
	for _, o := range opts {
		o(h)
	}
	e.serve(t, h)
	return e
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// onClicks returns what OnClick was told so far.
func (e *env) onClicks() (accepted, duplicates int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.accepted, e.duplicates
}

func (e *env) serve(t testing.TB, h *referral.Redirect) {
	if h.Logger == nil {
		h.Logger = discardLogger()
	}
	mux := http.NewServeMux()
	mux.Handle("GET /r/{code}", h)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	e.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// visit requests path with a browser's User-Agent unless headers name
// another, and returns the response with its body read.
func (e *env) visit(t *testing.T, method, path string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", browserUA)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// clicks returns the partner's stored clicks this month.
func (e *env) clicks(t testing.TB, partner string) int64 {
	t.Helper()
	tot, err := e.store.Totals(context.Background(), partner, bot.MustDate("2026-11-01"), bot.MustDate("2026-11-30"))
	if err != nil {
		t.Fatal(err)
	}
	return tot.Clicks
}

func wantRedirect(t *testing.T, resp *http.Response, location string) {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status = %d, want 302", resp.StatusCode)
	}
	if got := resp.Header.Get("Location"); got != location {
		t.Fatalf("Location = %q, want %q", got, location)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Fatalf("Cache-Control = %q, want no-store", got)
	}
}

func wantBroken(t *testing.T, resp *http.Response, body string) {
	t.Helper()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status = %d, want 404", resp.StatusCode)
	}
	if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type = %q", got)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Fatalf("Cache-Control = %q, want no-store", got)
	}
	if !strings.Contains(body, "Ten link nie działa") || !strings.Contains(body, "This link does not work") {
		t.Fatalf("body = %q", body)
	}
}

const jankoTarget = "https://shop.example/promo?utm=x&ref=janko2026#top"

func TestRedirect(t *testing.T) {
	t.Run("redirects to the landing page with the code", func(t *testing.T) {
		e := newEnv(t)
		resp, _ := e.visit(t, "GET", "/r/janko2026")
		wantRedirect(t, resp, jankoTarget)
		if got := e.clicks(t, "janko"); got != 1 {
			t.Fatalf("clicks = %d, want 1", got)
		}
		if acc, dup := e.onClicks(); acc != 1 || dup != 0 {
			t.Fatalf("OnClick: accepted %d, duplicates %d; want 1, 0", acc, dup)
		}
	})
	t.Run("code is case-insensitive", func(t *testing.T) {
		e := newEnv(t)
		resp, _ := e.visit(t, "GET", "/r/JANKO2026")
		wantRedirect(t, resp, jankoTarget)
		resp, _ = e.visit(t, "GET", "/r/Janko2026")
		wantRedirect(t, resp, jankoTarget)
		if got := e.clicks(t, "janko"); got != 1 {
			t.Fatalf("clicks = %d, want 1 (same visitor, same day, any case)", got)
		}
	})
	t.Run("default landing page", func(t *testing.T) {
		e := newEnv(t)
		resp, _ := e.visit(t, "GET", "/r/anna-pl")
		wantRedirect(t, resp, "https://program.example/join?ref=anna-pl")
	})
	t.Run("paused partner still redirects and counts", func(t *testing.T) {
		e := newEnv(t)
		resp, _ := e.visit(t, "GET", "/r/anna-pl")
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("status = %d, want 302", resp.StatusCode)
		}
		if got := e.clicks(t, "anna"); got != 1 {
			t.Fatalf("clicks = %d, want 1", got)
		}
	})
	t.Run("one click per visitor per day", func(t *testing.T) {
		e := newEnv(t)
		e.visit(t, "GET", "/r/janko2026")
		e.visit(t, "GET", "/r/janko2026")
		if got := e.clicks(t, "janko"); got != 1 {
			t.Fatalf("same visitor twice: clicks = %d, want 1", got)
		}
		if acc, dup := e.onClicks(); acc != 1 || dup != 1 {
			t.Fatalf("OnClick: accepted %d, duplicates %d; want 1, 1", acc, dup)
		}
		e.visit(t, "GET", "/r/janko2026", "User-Agent", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36")
		if got := e.clicks(t, "janko"); got != 2 {
			t.Fatalf("another User-Agent: clicks = %d, want 2", got)
		}
		e.clock.Advance(24 * time.Hour)
		e.visit(t, "GET", "/r/janko2026")
		if got := e.clicks(t, "janko"); got != 3 {
			t.Fatalf("the next day: clicks = %d, want 3", got)
		}
	})
	t.Run("forged X-Forwarded-For from an untrusted peer", func(t *testing.T) {
		e := newEnv(t)
		for i := range 20 {
			e.visit(t, "GET", "/r/janko2026", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
		}
		if got := e.clicks(t, "janko"); got != 1 {
			t.Fatalf("20 forged headers: clicks = %d, want 1", got)
		}
	})
	t.Run("X-Forwarded-For from a trusted proxy", func(t *testing.T) {
		e := newEnv(t, func(h *referral.Redirect) {
			h.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}
		})
		e.visit(t, "GET", "/r/janko2026", "X-Forwarded-For", "203.0.113.5")
		e.visit(t, "GET", "/r/janko2026", "X-Forwarded-For", "6.6.6.6, 203.0.113.5, 10.1.2.3") // the client forged the first entry
		e.visit(t, "GET", "/r/janko2026", "X-Forwarded-For", "198.51.100.7")
		if got := e.clicks(t, "janko"); got != 2 {
			t.Fatalf("two addresses behind the proxy: clicks = %d, want 2", got)
		}
	})
	t.Run("per-address cap", func(t *testing.T) {
		e := newEnv(t, func(h *referral.Redirect) { h.MaxClicksPerAddress = 3 })
		for i := range 10 {
			resp, _ := e.visit(t, "GET", "/r/janko2026", "User-Agent", fmt.Sprintf("Mozilla/5.0 (X11; Linux x86_64) Firefox/%d.0", 100+i))
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("visit %d: status %d, want a redirect all the same", i, resp.StatusCode)
			}
		}
		if got := e.clicks(t, "janko"); got != 3 {
			t.Fatalf("10 user agents from one address: clicks = %d, want 3", got)
		}
		if acc, other := e.onClicks(); acc != 3 || other != 7 {
			t.Fatalf("OnClick: accepted %d, capped %d; want 3, 7", acc, other)
		}
		e.clock.Advance(24 * time.Hour)
		e.visit(t, "GET", "/r/janko2026")
		if got := e.clicks(t, "janko"); got != 4 {
			t.Fatalf("the next day: clicks = %d, want 4", got)
		}
	})
	t.Run("day is the program's", func(t *testing.T) {
		e := newEnv(t)
		// 22:30 and 23:30 UTC on the 16th are the 16th and the 17th in
		// Warsaw.
		e.clock.Set(time.Date(2026, 11, 16, 22, 30, 0, 0, time.UTC))
		e.visit(t, "GET", "/r/janko2026")
		e.clock.Set(time.Date(2026, 11, 16, 23, 30, 0, 0, time.UTC))
		e.visit(t, "GET", "/r/janko2026")
		if got := e.clicks(t, "janko"); got != 2 {
			t.Fatalf("clicks = %d, want 2", got)
		}
	})
	t.Run("HEAD is not counted", func(t *testing.T) {
		e := newEnv(t)
		resp, _ := e.visit(t, "HEAD", "/r/janko2026")
		wantRedirect(t, resp, jankoTarget)
		if got := e.clicks(t, "janko"); got != 0 {
			t.Fatalf("clicks = %d, want 0", got)
		}
	})
	t.Run("bots and tools are not counted", func(t *testing.T) {
		e := newEnv(t)
		for _, ua := range []string{
			"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
			"Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
			"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
			"WhatsApp/2.23.20.0",
			"TelegramBot (like TwitterBot)",
			"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
			"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
			"curl/8.5.0",
			"Wget/1.21.4",
			"python-requests/2.32.3",
			"Go-http-client/1.1",
			" ",
		} {
			resp, _ := e.visit(t, "GET", "/r/janko2026", "User-Agent", ua)
			wantRedirect(t, resp, jankoTarget)
		}
		if got := e.clicks(t, "janko"); got != 0 {
			t.Fatalf("clicks = %d, want 0", got)
		}
		// A phone whose brand contains "bot" is a person.
		e.visit(t, "GET", "/r/janko2026", "User-Agent", "Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36")
		if got := e.clicks(t, "janko"); got != 1 {
			t.Fatalf("Cubot phone: clicks = %d, want 1", got)
		}
	})
	t.Run("prefetch is not counted", func(t *testing.T) {
		e := newEnv(t)
		for _, h := range [][2]string{{"Purpose", "prefetch"}, {"Sec-Purpose", "prefetch;prerender"}, {"Sec-Purpose", "Prefetch"}} {
			resp, _ := e.visit(t, "GET", "/r/janko2026", h[0], h[1])
			wantRedirect(t, resp, jankoTarget)
		}
		if got := e.clicks(t, "janko"); got != 0 {
			t.Fatalf("clicks = %d, want 0", got)
		}
	})
	t.Run("unknown code is 404 and stores nothing", func(t *testing.T) {
		e := newEnv(t)
		for _, path := range []string{"/r/nosuchcode", "/r/x", "/r/%3Cscript%3E"} {
			resp, body := e.visit(t, "GET", path)
			wantBroken(t, resp, body)
			if strings.Contains(body, "nosuchcode") || strings.Contains(body, "<script>") {
				t.Fatalf("the page repeats the code: %q", body)
			}
		}
		for _, p := range []string{"janko", "anna", "stary"} {
			if got := e.clicks(t, p); got != 0 {
				t.Fatalf("%s: clicks = %d, want 0", p, got)
			}
		}
		if acc, dup := e.onClicks(); acc+dup != 0 {
			t.Fatal("OnClick was called")
		}
	})
	t.Run("ended partner is 404", func(t *testing.T) {
		e := newEnv(t)
		resp, body := e.visit(t, "GET", "/r/stary1")
		wantBroken(t, resp, body)
		if got := e.clicks(t, "stary"); got != 0 {
			t.Fatalf("clicks = %d, want 0", got)
		}
	})
	t.Run("other methods are refused", func(t *testing.T) {
		e := newEnv(t)
		h := &referral.Redirect{Store: e.store, Clock: e.clock, Logger: discardLogger()}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/r/janko2026", nil))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Fatalf("POST: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
		}
	})
}

// fakeStore is a Store whose methods tests choose.
type fakeStore struct {
	PartnerByCodeFn func(ctx context.Context, code string) (*bot.Partner, error)
	IngestFn        func(ctx context.Context, evs []bot.Event, lines []int) (bot.IngestResult, error)
}

func (f *fakeStore) RecordClick(ctx context.Context, ev bot.Event, code, address string, max int) (store.ClickResult, error) {
	r, err := f.IngestFn(ctx, []bot.Event{ev}, nil)
	if err != nil {
		return "", err
	}
	if r.Accepted > 0 {
		return store.ClickAccepted, nil
	}
	return store.ClickDuplicate, nil
}

func (f *fakeStore) PartnerByCode(ctx context.Context, code string) (*bot.Partner, error) {
	return f.PartnerByCodeFn(ctx, code)
}

func TestRedirect_StoreFailures(t *testing.T) {
	janko := &bot.Partner{ID: "janko", Name: "Sklep u Janka", ReferralCode: "janko2026", Status: bot.StatusActive, LandingURL: "https://shop.example/"}
	broken := errors.New("disk on fire")

	t.Run("a click that cannot be stored still redirects", func(t *testing.T) {
		ingested := make(chan bot.Event, 10)
		e := &env{}
		e.serve(t, &referral.Redirect{
			Store: &fakeStore{
				PartnerByCodeFn: func(context.Context, string) (*bot.Partner, error) { return janko, nil },
				IngestFn: func(_ context.Context, evs []bot.Event, _ []int) (bot.IngestResult, error) {
					for _, ev := range evs {
						ingested <- ev
					}
					return bot.IngestResult{}, broken
				},
			},
			Clock:   bot.NewManualClock(tstart),
			OnClick: func(store.ClickResult) { t.Error("OnClick called for a click that was not stored") },
		})
		resp, _ := e.visit(t, "GET", "/r/janko2026")
		wantRedirect(t, resp, "https://shop.example/?ref=janko2026")
		if len(ingested) != 1 {
			t.Fatalf("ingested %d events, want 1", len(ingested))
		}
		ev := <-ingested
		if ev.Type != bot.EventClick || ev.Partner != "janko" || !ev.At.Equal(tstart) || !strings.HasPrefix(ev.ID, "click-") {
			t.Fatalf("event = %+v", ev)
		}
		if err := ev.Validate(); err != nil {
			t.Fatalf("the click is not a valid event: %v", err)
		}
	})
	t.Run("a failed lookup sends the customer to the program's page", func(t *testing.T) {
		e := &env{}
		e.serve(t, &referral.Redirect{
			Store: &fakeStore{
				PartnerByCodeFn: func(context.Context, string) (*bot.Partner, error) { return nil, broken },
				IngestFn: func(context.Context, []bot.Event, []int) (bot.IngestResult, error) {
					t.Error("Ingest called without a partner")
					return bot.IngestResult{}, nil
				},
			},
			Clock:          bot.NewManualClock(tstart),
			DefaultLanding: "https://program.example/",
			Param:          "partner",
		})
		resp, _ := e.visit(t, "GET", "/r/JANKO2026")
		wantRedirect(t, resp, "https://program.example/?partner=janko2026")
	})
	t.Run("no landing page at all", func(t *testing.T) {
		e := &env{}
		e.serve(t, &referral.Redirect{
			Store: &fakeStore{
				PartnerByCodeFn: func(context.Context, string) (*bot.Partner, error) {
					p := *janko
					p.LandingURL = ""
					return &p, nil
				},
				IngestFn: func(context.Context, []bot.Event, []int) (bot.IngestResult, error) {
					t.Error("a click counted for a link that leads nowhere")
					return bot.IngestResult{}, nil
				},
			},
			Clock: bot.NewManualClock(tstart),
		})
		resp, body := e.visit(t, "GET", "/r/janko2026")
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "This link does not work") {
			t.Fatalf("status %d, body %q", resp.StatusCode, body)
		}
	})
}
