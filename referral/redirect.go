package referral

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// Store is what the redirect needs of the ledger.
type Store interface {
	// PartnerByCode returns the partner a referral code belongs to,
	// without regard to case. Returns ENOTFOUND.
	PartnerByCode(ctx context.Context, code string) (*bot.Partner, error)
	// RecordClick stores a click event by group commit, unless its id
	// is stored (a duplicate) or address already has max counted clicks
	// on code that day (capped); max <= 0 is no cap.
	RecordClick(ctx context.Context, ev bot.Event, code, address string, max int) (store.ClickResult, error)
}

// DefaultParam is the query parameter that carries the code to the
// landing page when Redirect.Param is empty.
const DefaultParam = "ref"

// Redirect serves GET (and HEAD) /r/{code}: it records a click for the
// code's partner and redirects to the partner's landing page with the
// code attached. Mount it with the pattern "GET /r/{code}".
//
// Every visit answers 302 with Cache-Control: no-store, so browsers and
// proxies never skip us on the next scan. A click is one per visitor
// (IP address and User-Agent) per day in Location; HEAD requests,
// prefetches, link-preview fetchers, crawlers and HTTP tools are
// redirected but not counted. A paused partner's link keeps working and
// counting: it is printed on paper. An ended partner's link, like an
// unknown code, answers 404 with a small page that tells nothing about
// which codes exist.
type Redirect struct {
	Store    Store
	Clock    bot.Clock
	Location *time.Location // program time zone: the day a click is unique in
	// DefaultLanding is where partners without a landing URL send
	// customers (program.landing_url).
	DefaultLanding string
	// Param is the query parameter carrying the code; DefaultParam
	// when empty.
	Param  string
	Logger *slog.Logger
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed; none when empty.
	TrustedProxies []netip.Prefix
	// MaxClicksPerAddress caps counted clicks per address, code and
	// day; zero means no cap.
	MaxClicksPerAddress int
	// OnClick, if set, is called after a click was recorded (metrics)
	// with what became of it.
	OnClick func(result store.ClickResult)
}

// ServeHTTP answers one visit of a referral link.
func (h *Redirect) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	code, p, err := partnerOf(w, r, h.Store)
	switch {
	case err != nil:
		// The customer is on our doorstep: send them to the program's
		// page with the code rather than to an error.
		h.logger().Error("referral: look up code", "code", code, "err", err)
		h.redirect(w, h.DefaultLanding, strings.ToLower(code))
		return
	case p == nil:
		return
	}
	if p.ReferralCode != "" {
		code = p.ReferralCode // the stored, canonical (lower-case) form
	}
	landing := p.LandingURL
	if landing == "" {
		landing = h.DefaultLanding
	}
	target, ok := h.target(landing, code)
	if !ok {
		writeBroken(w, http.StatusServiceUnavailable)
		return
	}
	if countable(r) {
		h.recordClick(r, p.ID, code)
	}
	writeRedirect(w, target)
}

// partnerOf finds the partner of the request's code. For a malformed or
// unknown code or an ended partner it answers 404 itself and returns no
// partner and no error; a store failure is returned for the caller to
// answer.
func partnerOf(w http.ResponseWriter, r *http.Request, st Partners) (string, *bot.Partner, error) {
	code := r.PathValue("code")
	if !bot.ValidReferralCode(code) {
		writeBroken(w, http.StatusNotFound)
		return code, nil, nil
	}
	p, err := st.PartnerByCode(r.Context(), code)
	switch {
	case bot.ErrorCode(err) == bot.ENOTFOUND:
		writeBroken(w, http.StatusNotFound)
		return code, nil, nil
	case err != nil:
		return code, nil, err
	case p.Status == bot.StatusEnded:
		writeBroken(w, http.StatusNotFound)
		return code, nil, nil
	}
	return code, p, nil
}

// redirect sends the visitor to landing with the code attached, or
// answers 503 when there is nowhere to send them.
func (h *Redirect) redirect(w http.ResponseWriter, landing, code string) {
	target, ok := h.target(landing, code)
	if !ok {
		writeBroken(w, http.StatusServiceUnavailable)
		return
	}
	writeRedirect(w, target)
}

// target is Target with the handler's parameter; a landing URL that is
// missing or broken is a configuration mistake, logged.
func (h *Redirect) target(landing, code string) (string, bool) {
	target, err := Target(landing, h.param(), code)
	if err != nil {
		h.logger().Error("referral: no landing page to redirect to", "code", code, "landing", landing, "err", err)
		return "", false
	}
	return target, true
}

// writeRedirect answers 302 to target. no-store makes every later visit
// reach us again, so it can be counted.
func writeRedirect(w http.ResponseWriter, target string) {
	hd := w.Header()
	hd.Set("Location", target)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Robots-Tag", "noindex")
	w.WriteHeader(http.StatusFound)
}

// recordClick stores a click event. A failure is logged and otherwise
// ignored: the customer's redirect matters more than the count.
func (h *Redirect) recordClick(r *http.Request, partner, code string) {
	now := h.now()
	loc := h.Location
	if loc == nil {
		loc = time.UTC
	}
	addr := ClientAddr(r, h.TrustedProxies)
	ev := bot.Event{
		ID:      ClickID(code, addr+"\x00"+r.UserAgent(), bot.DateOf(now, loc)),
		Type:    bot.EventClick,
		Partner: partner,
		At:      now,
	}
	res, err := h.Store.RecordClick(r.Context(), ev, code, addr, h.MaxClicksPerAddress)
	if err != nil {
		h.logger().Warn("referral: click not recorded", "partner", partner, "code", code, "err", err)
		return
	}
	if h.OnClick != nil {
		h.OnClick(res)
	}
}

func (h *Redirect) now() time.Time {
	if h.Clock == nil {
		return time.Now()
	}
	return h.Clock.Now()
}

func (h *Redirect) param() string {
	if h.Param == "" {
		return DefaultParam
	}
	return h.Param
}

func (h *Redirect) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.Default()
	}
	return h.Logger
}

// Target returns landing with the query parameter param set to code. The
// landing URL's other parameters keep their order and encoding, an
// existing param is replaced, and the fragment is kept. Returns EINVALID
// when landing is not an absolute http(s) URL.
func Target(landing, param, code string) (string, error) {
	u, err := url.Parse(landing)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", bot.Errorf(bot.EINVALID, "landing URL %q is not an http(s) URL", landing)
	}
	var kept []string
	for _, kv := range strings.Split(u.RawQuery, "&") {
		if kv == "" {
			continue
		}
		k, _, _ := strings.Cut(kv, "=")
		if name, err := url.QueryUnescape(k); err == nil && name == param {
			continue
		}
		kept = append(kept, kv)
	}
	u.RawQuery = strings.Join(append(kept, url.QueryEscape(param)+"="+url.QueryEscape(code)), "&")
	u.ForceQuery = false
	return u.String(), nil
}

// clickEncoding spells click ids: lower-case base32 without padding.
var clickEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// ClickID returns the id of the click of visitor on code on day: the
// same for every visit of one visitor on one day, so repeats are stored
// as duplicates. It is a hash, so ids reveal neither IP nor User-Agent.
func ClickID(code, visitor string, day bot.Date) string {
	sum := sha256.Sum256([]byte(code + "\x00" + visitor + "\x00" + day.String()))
	return "click-" + clickEncoding.EncodeToString(sum[:])[:24]
}

// ClientAddr is the address a request comes from: the connection's
// peer, unless the peer is one of trusted (a reverse proxy), in which
// case X-Forwarded-For is read from the right, skipping trusted proxies,
// and the first address that is not one is the client. A client cannot
// make itself look like many by sending X-Forwarded-For of its own: from
// an untrusted peer the header is ignored.
func ClientAddr(r *http.Request, trusted []netip.Prefix) string {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(peer); err == nil {
		peer = host
	}
	ip, err := netip.ParseAddr(peer)
	if err != nil {
		return peer
	}
	if !isTrusted(ip, trusted) {
		return ip.Unmap().String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled hop: trust nothing left of it
		}
		if !isTrusted(hop, trusted) {
			return hop.Unmap().String()
		}
		ip = hop
	}
	return ip.Unmap().String()
}

func isTrusted(ip netip.Addr, trusted []netip.Prefix) bool {
	ip = ip.Unmap()
	for _, p := range trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// nonCustomers are User-Agent fragments (lower case) of clients that are
// not a person following the link: crawlers, chat apps fetching a link
// preview, HTTP tools and headless browsers.
var nonCustomers = []string{
	"bot", "crawler", "spider", "slurp", "preview",
	"facebookexternalhit", "meta-externalagent", "whatsapp", "skypeuripreview", "embedly",
	"curl", "wget", "python-", "go-http-client", "java/", "okhttp", "axios", "node-fetch",
	"libwww-perl", "httpclient", "headlesschrome",
}

// notBots are User-Agent fragments that contain "bot" but are phones
// (Cubot is an Android brand).
var notBots = []string{"cubot"}

// countable reports whether a request is a person's click worth
// counting: a GET that is not a prefetch, from a client that says what
// it is and is not a known bot, preview fetcher or tool.
func countable(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	for _, h := range []string{"Purpose", "Sec-Purpose", "X-Purpose", "X-Moz"} {
		v := strings.ToLower(r.Header.Get(h))
		if strings.Contains(v, "prefetch") || strings.Contains(v, "preview") {
			return false
		}
	}
	return human(r.UserAgent())
}

// human reports whether a User-Agent may be a person's browser: not
// empty and not a known crawler, link-preview fetcher or HTTP tool.
func human(userAgent string) bool {
	ua := strings.ToLower(strings.TrimSpace(userAgent))
	if ua == "" {
		return false
	}
	for _, s := range notBots {
		ua = strings.ReplaceAll(ua, s, "")
	}
	for _, s := range nonCustomers {
		if strings.Contains(ua, s) {
			return false
		}
	}
	return true
}

// brokenPage is what a visitor of a dead link sees: in Polish and
// English, self-contained, and saying nothing about which codes exist.
const brokenPage = `<!doctype html>
<html lang="pl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Ten link nie działa / This link does not work</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222;line-height:1.5}h1{font-size:1.4rem}p{color:#555}</style>
</head>
<body>
<h1>Ten link nie działa</h1>
<p>Sprawdź, czy adres jest przepisany dokładnie, albo poproś osobę, od której go masz, o aktualny link.</p>
<h1 lang="en">This link does not work</h1>
<p lang="en">Check that the address is copied exactly, or ask whoever shared it for a current link.</p>
</body>
</html>
`

func writeBroken(w http.ResponseWriter, status int) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Robots-Tag", "noindex")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(brokenPage))
}
