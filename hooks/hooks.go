// Package hooks receives the webhooks of the platforms of record (Dub,
// Rewardful, Tolt, Stripe, Shopify) and turns each verified delivery into
// ledger events. Each platform lives in its own file: its signature
// check and its payload mapping, registered in init, so adding a
// platform touches no other file.
//
// A delivery is answered 2xx only once it is durably kept: stored as
// events, or parked (no partner matches it, its currency has no rate,
// it makes no valid events). Parked deliveries keep their raw signed
// body and are applied again by Reapply once their cause may be fixed.
package hooks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// Delivery is what a platform's payload says, in partnerbot's terms.
type Delivery struct {
	// Key identifies the delivery for parking: the platform's event id
	// ("stripe:evt_1"), the same on every retry.
	Key string
	// Type is the platform's event type, for logs.
	Type string
	// Events are the ledger events, their Partner still empty: attribution
	// fills it from Match.
	Events []bot.Event
	// Match lists the ways the payload names its partner, most specific first.
	Match []store.Match
	// Ignore is set for event types partnerbot has no use for, and for
	// a shop's sales that name no partner at all (most of a shop's sales
	// are nobody's referrals); Why says which, for the debug log.
	Ignore bool
	Why    string
	// RefundOf, on a refund that names its partner only through the sale
	// it reverses, is that sale's ledger id. When the sale was never
	// counted (nobody's referral) the refund is ignored, not parked;
	// when the sale is parked, the refund waits beside it.
	RefundOf string
}

// connector is one platform: how its deliveries are signed and what they say.
type connector struct {
	name string
	env  string
	// headers the parser reads besides the body; kept with a parked
	// delivery so it can be parsed again.
	headers []string
	// verify checks the signature (and timestamp) of body. It returns
	// errUnsigned, errBadSignature or errStale.
	verify func(secret string, h http.Header, body []byte, now time.Time) error
	// parse maps a verified body. Errors are EINVALID.
	parse func(h http.Header, body []byte) (*Delivery, error)
}

var connectors = map[string]*connector{}

func register(c *connector) { connectors[c.name] = c }

// Platforms lists the platforms partnerbot takes webhooks from.
func Platforms() []string {
	out := make([]string, 0, len(connectors))
	for n := range connectors {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// SecretEnv returns the environment variable holding a platform's secret.
func SecretEnv(platform string) string {
	if c := connectors[platform]; c != nil {
		return c.env
	}
	return ""
}

// Signature errors: the answer is 401 and nothing is kept.
var (
	errUnsigned     = errors.New("signature header missing")
	errBadSignature = errors.New("signature does not match")
	errStale        = errors.New("timestamp outside the 5-minute window")
)

// tolerance is the timestamp window of Svix and Stripe signatures.
const tolerance = 5 * time.Minute

// Options configure a Receiver.
type Options struct {
	Store *store.Store
	Clock bot.Clock
	// Secrets by platform; a platform without one answers 404.
	Secrets map[string]string
	// MaxBody bounds a delivery's body; zero means 1 MiB.
	MaxBody int64
	Logger  *slog.Logger
	// OnStored, when set, hears which partner a stored delivery touched
	// and the time of its newest event, so the health watch can tell a
	// live sale from a replayed old one. It must not block.
	OnStored func(partner string, newest time.Time)
	// OnOutcome, when set, hears each delivery's outcome by platform:
	// stored, duplicate, parked, ignored, refused, error. It must not
	// block.
	OnOutcome func(platform, outcome string)
}

// Receiver is the HTTP handler of POST /hooks/{platform}.
type Receiver struct {
	opt Options
}

// New returns a Receiver.
func New(opt Options) *Receiver {
	if opt.Clock == nil {
		opt.Clock = bot.SystemClock{}
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.MaxBody <= 0 {
		opt.MaxBody = 1 << 20
	}
	return &Receiver{opt: opt}
}

// Enabled lists the platforms whose secret is set.
func (r *Receiver) Enabled() []string {
	var out []string
	for _, n := range Platforms() {
		if r.opt.Secrets[n] != "" {
			out = append(out, n)
		}
	}
	return out
}

func (r *Receiver) outcome(platform, o string) {
	if r.opt.OnOutcome != nil {
		r.opt.OnOutcome(platform, o)
	}
}

// ServeHTTP takes one delivery. The route must name {platform}.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	name := req.PathValue("platform")
	c := connectors[name]
	secret := r.opt.Secrets[name]
	if c == nil || secret == "" {
		http.NotFound(w, req)
		return
	}
	now := r.opt.Clock.Now()
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, r.opt.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"error": fmt.Sprintf("body larger than %d bytes", r.opt.MaxBody)})
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "could not read the body"})
		return
	}
	if err := c.verify(secret, req.Header, body, now); err != nil {
		r.opt.Logger.Warn("webhook refused", "platform", name, "why", err, "remote", req.RemoteAddr)
		r.outcome(name, "refused")
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": err.Error()})
		return
	}
	res, err := r.take(req.Context(), c, req.Header, body, nil)
	if err != nil {
		r.opt.Logger.Error("webhook not kept; the platform will retry", "platform", name, "err", err)
		r.outcome(name, "error")
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "internal error"})
		return
	}
	switch {
	case res.Ignored:
		r.outcome(name, "ignored")
		r.opt.Logger.Debug("webhook ignored", "platform", name, "type", res.Type, "key", res.Key, "why", res.Why)
		writeJSON(w, http.StatusOK, map[string]any{"ignored": res.Type})
	case res.Parked != "":
		r.outcome(name, "parked")
		r.opt.Logger.Info("webhook parked", "platform", name, "key", res.Key, "reason", res.Parked, "detail", res.Detail)
		writeJSON(w, http.StatusAccepted, map[string]any{"parked": res.Parked, "detail": res.Detail})
	default:
		if res.Stored.Accepted > 0 {
			r.outcome(name, "stored")
		} else {
			r.outcome(name, "duplicate")
		}
		writeJSON(w, http.StatusOK, res.Stored)
	}
}

// Result is what taking one delivery did.
type Result struct {
	Key     string
	Type    string
	Partner string
	Stored  bot.IngestResult
	Ignored bool
	Why     string // why ignored
	Parked  string // reason, when parked
	Detail  string
}

// take applies a verified delivery or parks it. parked is the record it
// comes from (Reapply), removed when applied and left as it is when the
// same cause is still there.
func (r *Receiver) take(ctx context.Context, c *connector, h http.Header, body []byte, parked *store.Parked) (Result, error) {
	parkedKey := ""
	if parked != nil {
		parkedKey = parked.Key
	}
	d, err := c.parse(h, body)
	if err != nil {
		key := parkedKey
		if key == "" {
			sum := sha256.Sum256(body)
			key = c.name + ":body:" + hex.EncodeToString(sum[:12])
		}
		return r.park(ctx, c, h, body, &Delivery{Key: key}, store.ParkInvalid, bot.ErrorMessage(err), parked)
	}
	ignored := func(why string) (Result, error) {
		res := Result{Key: d.Key, Type: d.Type, Ignored: true, Why: why}
		if parkedKey != "" {
			return res, r.opt.Store.DropParked(ctx, parkedKey)
		}
		return res, nil
	}
	if d.Ignore {
		why := d.Why
		if why == "" {
			why = "event type not used"
		}
		return ignored(why)
	}
	partner, err := r.opt.Store.Attribute(ctx, d.Match)
	if err != nil {
		return Result{}, err
	}
	if partner == "" && d.RefundOf != "" && len(d.Match) == 1 {
		waiting, err := r.opt.Store.ParkedProduces(ctx, d.RefundOf)
		if err != nil {
			return Result{}, err
		}
		if !waiting {
			return ignored("a refund of a sale partnerbot never counted (nobody's referral)")
		}
	}
	for attempt := 0; ; attempt++ {
		if partner == "" {
			res, err := r.park(ctx, c, h, body, d, store.ParkUnmatched, "no partner has "+describe(d.Match), parked)
			if err != nil || res.Partner == "" {
				return res, err
			}
			partner = res.Partner // matched while on its way: apply it
		}
		evs := make([]bot.Event, len(d.Events))
		for i, e := range d.Events {
			e.Partner = partner
			if err := e.Validate(); err != nil {
				return r.park(ctx, c, h, body, d, store.ParkInvalid, bot.ErrorMessage(err), parked)
			}
			evs[i] = e
		}
		stored, err := r.opt.Store.Deliver(ctx, evs, parkedKey)
		be := bot.AsError(err)
		switch {
		case err == nil:
			if r.opt.OnStored != nil && stored.Accepted > 0 {
				var newest time.Time
				for _, e := range evs {
					if e.At.After(newest) {
						newest = e.At
					}
				}
				r.opt.OnStored(partner, newest)
			}
			return Result{Key: d.Key, Type: d.Type, Partner: partner, Stored: stored}, nil
		case be == nil:
			return Result{}, err
		case be.Code == bot.ENORATE:
			return r.park(ctx, c, h, body, d, store.ParkNoRate, be.Message, parked)
		case be.Field == "partner" && attempt < 3:
			partner = "" // removed meanwhile
			continue
		default:
			return r.park(ctx, c, h, body, d, store.ParkInvalid, be.Message, parked)
		}
	}
}

func (r *Receiver) park(ctx context.Context, c *connector, h http.Header, body []byte, d *Delivery, reason, detail string, parked *store.Parked) (Result, error) {
	res := Result{Key: d.Key, Type: d.Type, Parked: reason, Detail: detail}
	if parked != nil && parked.Reason == reason && parked.Detail == detail && reason != store.ParkUnmatched {
		// From Reapply, for the same cause: the record stays as it is.
		// An unmatched one is looked at again in the park transaction.
		return res, nil
	}
	kept := map[string]string{}
	for _, name := range c.headers {
		if v := h.Get(name); v != "" {
			kept[name] = v
		}
	}
	p := &store.Parked{Key: d.Key, Platform: c.name, Reason: reason, Detail: detail, Headers: kept, Body: body}
	for _, e := range d.Events {
		p.Events = append(p.Events, e.ID)
	}
	if reason == store.ParkUnmatched {
		p.Match = d.Match
	}
	if parked != nil {
		p.Key = parked.Key
	}
	partner, err := r.opt.Store.Park(ctx, p, d.Match)
	if err != nil {
		return Result{}, err
	}
	if partner != "" {
		return Result{Key: d.Key, Type: d.Type, Partner: partner}, nil
	}
	return res, nil
}

func describe(ms []store.Match) string {
	if len(ms) == 0 {
		return "nothing to match: the delivery names no partner id, coupon or referral code"
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return strings.Join(parts, ", ")
}

// Reapply tries every parked delivery again: those whose cause is gone
// (a partner gained the id or coupon, a rate was set) are stored and
// leave the parking; the others stay as they are. It is what partner
// changes, imports and rate changes call, and `hooks replay`.
func (r *Receiver) Reapply(ctx context.Context) (applied, left int, err error) {
	ps, err := r.opt.Store.ParkedDeliveries(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, p := range ps {
		c := connectors[p.Platform]
		if c == nil {
			left++
			continue
		}
		h := http.Header{}
		for k, v := range p.Headers {
			h.Set(k, v)
		}
		if p.Reason == store.ParkUnmatched {
			// The common case by far: while nothing matches, skip the
			// parse and the write.
			ms := p.Match
			if len(ms) == 0 {
				if d, perr := c.parse(h, p.Body); perr == nil && !d.Ignore {
					ms = d.Match
				}
			}
			if len(ms) > 0 {
				if who, err := r.opt.Store.Attribute(ctx, ms); err != nil {
					return applied, left, err
				} else if who == "" {
					left++
					continue
				}
			}
		}
		res, err := r.take(ctx, c, h, p.Body, &p)
		if err != nil {
			return applied, left, fmt.Errorf("reapply %s: %w", p.Key, err)
		}
		if res.Parked != "" {
			left++
			continue
		}
		applied++
		r.opt.Logger.Info("parked webhook applied", "platform", p.Platform, "key", p.Key, "partner", res.Partner,
			"accepted", res.Stored.Accepted, "duplicates", res.Stored.Duplicates)
	}
	return applied, left, nil
}

// ParkedView is a parked delivery as listings show it (`hooks list
// --json`, GET /api/v1/hooks): the raw body stays in the database.
type ParkedView struct {
	Key       string            `json:"key"`
	Platform  string            `json:"platform"`
	Reason    string            `json:"reason"`
	Detail    string            `json:"detail"`
	Received  time.Time         `json:"received"`
	Updated   time.Time         `json:"updated"`
	Attempts  int               `json:"attempts"`
	Headers   map[string]string `json:"headers,omitempty"`
	BodyBytes int               `json:"body_bytes"`
}

// View returns the listing form of a parked delivery.
func View(p *store.Parked) ParkedView {
	return ParkedView{Key: p.Key, Platform: p.Platform, Reason: p.Reason, Detail: p.Detail,
		Received: p.Received, Updated: p.Updated, Attempts: p.Attempts, Headers: p.Headers, BodyBytes: len(p.Body)}
}

// Parked lists the parked deliveries, oldest first; only the unmatched
// ones with unmatched.
func (r *Receiver) Parked(ctx context.Context, unmatched bool) ([]ParkedView, error) {
	ps, err := r.opt.Store.ParkedDeliveries(ctx)
	out := []ParkedView{}
	for i := range ps {
		if !unmatched || ps[i].Reason == store.ParkUnmatched {
			out = append(out, View(&ps[i]))
		}
	}
	return out, err
}

// AdminHandler serves GET /api/v1/hooks[?unmatched=1] (the parked
// deliveries) and POST /api/v1/hooks/replay (Reapply): what the CLI's
// hooks verbs do, while serve holds the database. Mount it behind the
// API's token.
func (r *Receiver) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/hooks", func(w http.ResponseWriter, req *http.Request) {
		out, err := r.Parked(req.Context(), req.URL.Query().Get("unmatched") != "")
		if err != nil {
			r.opt.Logger.Error("list parked webhooks", "err", err)
			writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "internal error"})
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /api/v1/hooks/replay", func(w http.ResponseWriter, req *http.Request) {
		n, left, err := r.Reapply(req.Context())
		if err != nil {
			r.opt.Logger.Error("replay parked webhooks", "err", err)
			writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "internal error", "applied": n})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"applied": n, "still_parked": left})
	})
	return mux
}

// Reapply tries every parked delivery in st again; see Receiver.Reapply.
// For the CLI, which has no secrets and needs none: bodies were verified
// when they came.
func Reapply(ctx context.Context, st *store.Store, log *slog.Logger) (applied, left int, err error) {
	return New(Options{Store: st, Logger: log}).Reapply(ctx)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
