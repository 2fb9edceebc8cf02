// Package api serves partnerbot's HTTP interface: event ingest, partners,
// managers and stats under /api/v1 (bearer token), the liveness and
// metrics endpoints, and whatever else the program mounts (chat adapters'
// webhooks, the referral redirect).
package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/metrics"
)

// Store is what the API needs of the ledger.
type Store interface {
	Ingest(ctx context.Context, evs []bot.Event, lines []int) (bot.IngestResult, error)
	PutPartner(ctx context.Context, p *bot.Partner) (bool, error)
	Partner(ctx context.Context, id string) (*bot.Partner, error)
	Partners(ctx context.Context) ([]bot.Partner, error)
	PutManager(ctx context.Context, m *bot.Manager) (bool, error)
	Manager(ctx context.Context, id string) (*bot.Manager, error)
	Managers(ctx context.Context) ([]bot.Manager, error)
	Stats(ctx context.Context, partner string, p bot.Period, today bot.Date, cur bot.Currency) (bot.Stats, error)
	StatsAt(ctx context.Context, partner string, p bot.Period, now time.Time, cur bot.Currency) (bot.Stats, error)
	Backup(ctx context.Context, w io.Writer) (int64, error)
	PutPromotion(ctx context.Context, p *bot.Promotion) (bool, error)
	Promotion(ctx context.Context, id string) (*bot.Promotion, error)
	Promotions(ctx context.Context) ([]bot.Promotion, error)
	DeletePromotion(ctx context.Context, id string) error
	SetRate(ctx context.Context, r bot.ExchangeRate) (bot.ExchangeRate, error)
	Rates(ctx context.Context, code string) ([]bot.ExchangeRate, error)
}

// Options configure a Server.
type Options struct {
	Store     Store
	Clock     bot.Clock
	Location  *time.Location
	Currency  bot.Currency
	Token     string        // bearer token for /api/v1; empty refuses every API call
	MaxBody   int64         // largest ingest body in bytes
	MaxFuture time.Duration // how far ahead of the clock an event may be
	// MaxEvents is the most events one ingest request may carry; more is
	// 413 and nothing stored. Zero means no limit beyond MaxBody.
	MaxEvents int
	Logger    *slog.Logger
	Metrics   *metrics.Registry
	// OnIngest, when set, hears what a stored request touched (health is
	// evaluated again for those partners). It must not block.
	OnIngest func(Ingested)
	// OnPartner, when set, runs after a partner was created or changed
	// through the API, before the answer: parked webhook deliveries that
	// now match it are applied.
	OnPartner func(ctx context.Context)
	// OnRate, when set, runs after an exchange rate was set (deliveries
	// parked for want of it are applied).
	OnRate func(ctx context.Context)
}

// Ingested is what one stored ingest request touched.
type Ingested struct {
	// Newest is each touched partner's newest event in the request: the
	// watch tells a backfill of old events from live ones by it.
	Newest map[string]time.Time
	// Accepted counts the request's new events (duplicates left out).
	Accepted int
}

// Server is the HTTP handler of partnerbot.
type Server struct {
	opt      Options
	mux      *http.ServeMux
	requests *metrics.CounterVec
	latency  *metrics.HistogramVec
	events   *metrics.CounterVec
}

// New returns a server with the API routes mounted.
func New(opt Options) *Server {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Metrics == nil {
		opt.Metrics = metrics.New()
	}
	if opt.MaxBody <= 0 {
		opt.MaxBody = 10 << 20
	}
	s := &Server{opt: opt, mux: http.NewServeMux()}
	s.requests = opt.Metrics.Counter("partnerbot_http_requests_total", "HTTP requests by route and status code.", "route", "code")
	s.latency = opt.Metrics.Histogram("partnerbot_http_request_seconds", "HTTP request latency by route.",
		[]float64{.001, .005, .01, .05, .1, .5, 1, 5}, "route")
	s.events = opt.Metrics.Counter("partnerbot_events_total", "Events received, by result: accepted, duplicate, rejected.", "result")

	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.Handle("GET /metrics", opt.Metrics)
	s.mux.HandleFunc("POST /api/v1/events", s.auth(s.postEvents))
	s.mux.HandleFunc("GET /api/v1/partners", s.auth(list(s, opt.Store.Partners)))
	s.mux.HandleFunc("GET /api/v1/partners/{id}", s.auth(get(s, opt.Store.Partner)))
	putPartner := opt.Store.PutPartner
	if opt.OnPartner != nil {
		putPartner = func(ctx context.Context, p *bot.Partner) (bool, error) {
			created, err := opt.Store.PutPartner(ctx, p)
			if err == nil {
				opt.OnPartner(ctx)
			}
			return created, err
		}
	}
	s.mux.HandleFunc("PUT /api/v1/partners/{id}", s.auth(put(s, putPartner, func(p *bot.Partner) *string { return &p.ID })))
	s.mux.HandleFunc("GET /api/v1/partners/{id}/stats", s.auth(s.getStats))
	s.mux.HandleFunc("GET /api/v1/managers", s.auth(list(s, opt.Store.Managers)))
	s.mux.HandleFunc("GET /api/v1/managers/{id}", s.auth(get(s, opt.Store.Manager)))
	s.mux.HandleFunc("PUT /api/v1/managers/{id}", s.auth(put(s, opt.Store.PutManager, func(m *bot.Manager) *string { return &m.ID })))
	s.mux.HandleFunc("GET /api/v1/backup", s.auth(s.backup))
	s.mux.HandleFunc("GET /api/v1/promos", s.auth(list(s, opt.Store.Promotions)))
	s.mux.HandleFunc("GET /api/v1/promos/{id}", s.auth(get(s, opt.Store.Promotion)))
	s.mux.HandleFunc("PUT /api/v1/promos/{id}", s.auth(put(s, opt.Store.PutPromotion, func(p *bot.Promotion) *string { return &p.ID })))
	s.mux.HandleFunc("DELETE /api/v1/promos/{id}", s.auth(s.deletePromo))
	s.mux.HandleFunc("PUT /api/v1/rates/{cur}", s.auth(s.putRate))
	s.mux.HandleFunc("GET /api/v1/rates/{cur}", s.auth(s.getRates))
	s.mux.HandleFunc("/api/", s.auth(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, s.opt.Logger, bot.Errorf(bot.ENOTFOUND, "no such API route: %s %s", r.Method, r.URL.Path))
	}))
	return s
}

// Handle mounts another handler (a chat adapter's webhook, the referral
// redirect) on the same server, with the same logging and metrics.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// HandleAuth mounts another handler behind the API's bearer token.
func (s *Server) HandleAuth(pattern string, h http.Handler) {
	s.mux.HandleFunc(pattern, s.auth(h.ServeHTTP))
}

// ServeHTTP logs, measures and recovers every request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.opt.Logger.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
			if !rec.wrote {
				writeJSON(rec, http.StatusInternalServerError, map[string]any{"error": "internal error"})
			}
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		s.requests.Inc(route, fmt.Sprint(rec.code))
		s.latency.Observe(d.Seconds(), route)
		level := slog.LevelDebug
		if rec.code >= 500 {
			level = slog.LevelWarn
		}
		s.opt.Logger.Log(r.Context(), level, "http request", "method", r.Method, "path", r.URL.Path, "code", rec.code, "duration", d)
	}()
	s.mux.ServeHTTP(rec, r)
}

type statusRecorder struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.code, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// auth checks the bearer token in constant time.
func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		const prefix = "Bearer "
		got := r.Header.Get("Authorization")
		ok := s.opt.Token != "" && len(got) > len(prefix) && strings.EqualFold(got[:len(prefix)], prefix) &&
			subtle.ConstantTimeCompare([]byte(got[len(prefix):]), []byte(s.opt.Token)) == 1
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="partnerbot"`)
			msg := "missing or wrong bearer token (Authorization: Bearer TOKEN)"
			if s.opt.Token == "" {
				msg = "the API is off: set PARTNERBOT_API_TOKEN to use it"
			}
			writeError(w, r, s.opt.Logger, bot.Errorf(bot.EUNAUTHORIZED, "%s", msg))
			return
		}
		h(w, r)
	}
}

func (s *Server) today() bot.Date { return bot.DateOf(s.opt.Clock.Now(), s.opt.Location) }

func (s *Server) getStats(w http.ResponseWriter, r *http.Request) {
	now := s.opt.Clock.Now()
	p, err := bot.ParsePeriod(r.URL.Query().Get("period"), bot.DateOf(now, s.opt.Location))
	if err != nil {
		writeError(w, r, s.opt.Logger, fieldOf(err, "period"))
		return
	}
	st, err := s.opt.Store.StatsAt(r.Context(), r.PathValue("id"), p, now, s.opt.Currency)
	if err != nil {
		writeError(w, r, s.opt.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// backup streams a consistent copy of the live database: the way to back
// up while serve holds the file's lock.
func (s *Server) backup(w http.ResponseWriter, r *http.Request) {
	name := "partnerbot-" + s.opt.Clock.Now().UTC().Format("20060102T150405Z") + ".db"
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if _, err := s.opt.Store.Backup(r.Context(), w); err != nil {
		// The status line is gone; a cut connection tells the client.
		s.opt.Logger.Error("backup failed", "err", err)
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) deletePromo(w http.ResponseWriter, r *http.Request) {
	if err := s.opt.Store.DeletePromotion(r.Context(), r.PathValue("id")); err != nil {
		writeError(w, r, s.opt.Logger, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// get serves one record by the {id} in the path.
func get[T any](s *Server, fetch func(context.Context, string) (*T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fetch(r.Context(), r.PathValue("id"))
		if err != nil {
			writeError(w, r, s.opt.Logger, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

// list serves every record, as a JSON array (never null).
func list[T any](s *Server, fetch func(context.Context) ([]T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		vs, err := fetch(r.Context())
		if err != nil {
			writeError(w, r, s.opt.Logger, err)
			return
		}
		if vs == nil {
			vs = []T{}
		}
		writeJSON(w, http.StatusOK, vs)
	}
}

// put creates (201) or replaces (200) the record at the {id} in the path
// from a JSON body whose id, when given, must agree with the path.
func put[T any](s *Server, store func(context.Context, *T) (bool, error), id func(*T) *string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var v T
		if err := decodeBody(w, r, &v); err != nil {
			writeError(w, r, s.opt.Logger, err)
			return
		}
		if err := pathID(r, id(&v)); err != nil {
			writeError(w, r, s.opt.Logger, err)
			return
		}
		created, err := store(r.Context(), &v)
		if err != nil {
			writeError(w, r, s.opt.Logger, err)
			return
		}
		writeJSON(w, putStatus(created), &v)
	}
}

func putStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// pathID makes the id in the path and the body agree.
func pathID(r *http.Request, id *string) error {
	pid := r.PathValue("id")
	if *id == "" {
		*id = pid
	}
	if *id != pid {
		return bot.FieldError("id", "the body's id %q differs from the path's %q", *id, pid)
	}
	return nil
}

// decodeBody reads one JSON object (at most 1 MiB), refusing unknown
// fields so a typo is an error, not a silently dropped value.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var be *bot.Error
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &be):
			return be
		case errors.As(err, &mbe):
			return bot.Errorf(bot.EINVALID, "body larger than %d bytes", mbe.Limit)
		case errors.As(err, &syn):
			return bot.Errorf(bot.EINVALID, "body is not valid JSON (at byte %d): %v", syn.Offset, err)
		case errors.As(err, &typ):
			return bot.FieldError(typ.Field, "must be a %s, not a JSON %s", typ.Type, typ.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return bot.FieldError(f, "unknown field %q", f)
		}
		return bot.Errorf(bot.EINVALID, "body: %v", err)
	}
	if dec.More() {
		return bot.Errorf(bot.EINVALID, "body holds more than one JSON value")
	}
	return nil
}

func fieldOf(err error, field string) error {
	if e := bot.AsError(err); e != nil && e.Field == "" {
		c := *e
		c.Field = field
		return &c
	}
	return err
}

var statusOf = map[string]int{
	bot.EINVALID:      http.StatusBadRequest,
	bot.ENORATE:       http.StatusBadRequest, // refused whole: set the rate, send again
	bot.ENOTFOUND:     http.StatusNotFound,
	bot.ECONFLICT:     http.StatusConflict,
	bot.EUNAUTHORIZED: http.StatusUnauthorized,
	bot.EINTERNAL:     http.StatusInternalServerError,
}

// writeError answers with the error's status and a JSON body
// {"error","code","line","field"}; internal errors are logged and shown
// only as "internal error".
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := bot.ErrorCode(err)
	if errors.Is(err, context.Canceled) {
		return
	}
	if code == bot.EINTERNAL {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	body := map[string]any{"error": bot.ErrorMessage(err), "code": code}
	if e := bot.AsError(err); e != nil && code != bot.EINTERNAL {
		body["error"] = e.Message
		if e.Line > 0 {
			body["line"] = e.Line
		}
		if e.Field != "" {
			body["field"] = e.Field
		}
	}
	writeJSON(w, statusOf[code], body)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
