package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/health"
	"partnerbot/store"
)

const secret = "8f742231b10e8888abcd99yyyzzz85a5"

// The program the tests run: a manager, two linked partners with sales
// this month, and one partner not linked yet.
var (
	warsaw, _ = time.LoadLocation("Europe/Warsaw")
	testNow   = time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
	pln       = bot.Currency{Code: "PLN", Digits: 2}
)

type env struct {
	t       testing.TB
	clock   *bot.ManualClock
	store   *store.Store
	svc     *commands.Service
	fake    *fakeSlack
	adapter *Adapter
	web     *httptest.Server
	hooks   *hookSink
	gate    chan struct{} // nil, or Stats blocks until it is closed
	health  commands.HealthFunc

	activity atomic.Int64
	triggers atomic.Int64 // trigger_ids handed out: each request is a new one
	mu       sync.Mutex
	seen     [][2]string // OnActivity calls
}

type envOption func(*env, *Options)

func withBudget(d time.Duration) envOption {
	return func(_ *env, o *Options) { o.Budget = d }
}

// withSlowStats makes Stats wait for e.gate.
func withSlowStats() envOption {
	return func(e *env, _ *Options) { e.gate = make(chan struct{}) }
}

// withHealth judges partners with fn for /health.
func withHealth(fn commands.HealthFunc) envOption {
	return func(e *env, _ *Options) { e.health = fn }
}

func withAppToken(tok string) envOption {
	return func(_ *env, o *Options) { o.AppToken = tok }
}

// slowStore delays Stats until its gate opens: a command that misses
// Slack's 3 seconds, without waiting 3 seconds.
type slowStore struct {
	*store.Store
	gate chan struct{}
}

func (s slowStore) Stats(ctx context.Context, partner string, p bot.Period, today bot.Date, cur bot.Currency) (bot.Stats, error) {
	select {
	case <-s.gate:
	case <-ctx.Done():
		return bot.Stats{}, ctx.Err()
	}
	return s.Store.Stats(ctx, partner, p, today, cur)
}

func (s slowStore) StatsAt(ctx context.Context, partner string, p bot.Period, now time.Time, cur bot.Currency) (bot.Stats, error) {
	select {
	case <-s.gate:
	case <-ctx.Done():
		return bot.Stats{}, ctx.Err()
	}
	return s.Store.StatsAt(ctx, partner, p, now, cur)
}

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, clock: bot.NewManualClock(testNow)}
	o := Options{BotToken: "xoxb-test", SigningSecret: secret, Clock: e.clock,
		Logger: slog.New(slog.DiscardHandler),
		OnActivity: func(ctx context.Context, user, channel string) {
			e.mu.Lock()
			e.seen = append(e.seen, [2]string{user, channel})
			e.mu.Unlock()
			e.activity.Add(1)
		}}
	for _, opt := range opts {
		opt(e, &o)
	}

	st, err := store.Open(filepath.Join(t.TempDir(), "test.db"), store.Options{Location: warsaw, Clock: e.clock, DefaultLocale: bot.LocaleEN})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	seed(t, st)

	var cs commands.Store = st
	if e.gate != nil {
		cs = slowStore{Store: st, gate: e.gate}
		t.Cleanup(func() {
			select {
			case <-e.gate:
			default:
				close(e.gate)
			}
		})
	}
	e.svc = commands.New(commands.Options{Store: cs, Clock: e.clock, Location: warsaw, Currency: pln,
		Locale: bot.LocaleEN, PublicURL: "https://bot.example.com", Program: "Test Program",
		Rules: health.DefaultRules, Logger: slog.New(slog.DiscardHandler), Health: e.health})

	e.fake = newFakeSlack(t)
	e.hooks = newHookSink(t)
	o.Service, o.APIURL = e.svc, e.fake.URL()
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.adapter = a
	t.Cleanup(func() { a.Close() }) // runs before the store closes

	mux := http.NewServeMux()
	a.Mount(mux.Handle)
	e.web = httptest.NewServer(mux)
	t.Cleanup(e.web.Close)
	return e
}

func seed(t testing.TB, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.PutManager(ctx, &bot.Manager{ID: "kasia", Name: "Kasia", Locale: bot.LocaleEN, SlackUser: "UKASIA"}); err != nil {
		t.Fatal(err)
	}
	partners := []bot.Partner{
		{ID: "janko", Name: "Sklep u Janka", ContactName: "Janek", Manager: "kasia", Locale: bot.LocaleEN,
			Status: bot.StatusActive, SlackUser: "UJANKO", SlackChannel: "CJANKO", Joined: bot.Date{Year: 2025, Month: 3, Day: 1}},
		{ID: "apteka", Name: "Apteka Pod Lipami", ContactName: "Ola", Manager: "kasia", Locale: bot.LocaleEN,
			Status: bot.StatusActive, SlackUser: "UAPTEKA", SlackChannel: "CAPTEKA", Joined: bot.Date{Year: 2025, Month: 3, Day: 1}},
		{ID: "salon", Name: "Salon Fryzur", ContactName: "Ewa", Manager: "kasia", Locale: bot.LocaleEN,
			Status: bot.StatusActive, Joined: bot.Date{Year: 2025, Month: 3, Day: 1}},
	}
	for i := range partners {
		if _, err := st.PutPartner(ctx, &partners[i]); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	evs := []bot.Event{
		{ID: "j1", Type: bot.EventSale, Partner: "janko", At: at, Amount: 123456},
		{ID: "j2", Type: bot.EventSale, Partner: "janko", At: at.Add(time.Hour), Amount: 111111},
		{ID: "a1", Type: bot.EventSale, Partner: "apteka", At: at, Amount: 77777},
		{ID: "s1", Type: bot.EventSale, Partner: "salon", At: at, Amount: 55555},
	}
	if _, err := st.Ingest(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
}

// sign returns Slack's headers for body at the instant ts.
func sign(body string, ts time.Time) http.Header {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	io.WriteString(mac, "v0:"+stamp+":"+body)
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", stamp)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return h
}

// do sends a signed request into the adapter's routes.
func (e *env) do(path, contentType, body string, headers http.Header) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.web.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// command runs a slash command as user, signed now.
func (e *env) command(user, cmd, text string) (int, string) {
	e.t.Helper()
	body := url.Values{"command": {cmd}, "text": {text}, "user_id": {user}, "channel_id": {"C1"},
		"response_url": {e.hooks.URL(cmd + "-" + user)}, "team_id": {"T1"}, "trigger_id": {e.trigger()}}.Encode()
	return e.do("/slack/commands", "application/x-www-form-urlencoded", body, sign(body, e.clock.Now()))
}

// trigger returns a new trigger_id, as Slack gives every request.
func (e *env) trigger() string { return fmt.Sprintf("%d.%d.t", 1000+e.triggers.Add(1), 42) }

// answer runs a slash command that must be answered inline and returns
// the answer.
func (e *env) answer(user, cmd, text string) answer {
	e.t.Helper()
	code, body := e.command(user, cmd, text)
	if code != http.StatusOK {
		e.t.Fatalf("%s %s by %s: status %d: %s", cmd, text, user, code, body)
	}
	return parseAnswer(e.t, body)
}

// answer is a response as Slack would read it.
type answer struct {
	ResponseType    string            `json:"response_type"`
	Text            string            `json:"text"`
	Blocks          []json.RawMessage `json:"blocks"`
	ReplaceOriginal *bool             `json:"replace_original"`
	all             string            // every string in it, for searching
	raw             string
}

func parseAnswer(t testing.TB, body string) answer {
	t.Helper()
	var a answer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("answer is not JSON: %v: %q", err, body)
	}
	a.raw = body
	a.all = strings.Join(stringsIn([]byte(body)), "\n")
	return a
}

// stringsIn lists every string value in a JSON document.
func stringsIn(b []byte) []string {
	var v any
	json.Unmarshal(b, &v)
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, y := range x {
				walk(y)
			}
		case map[string]any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	return out
}

// hookSink stands in for Slack's response_url endpoints.
type hookSink struct {
	srv *httptest.Server
	mu  sync.Mutex
	got map[string][]answer
	t   testing.TB
}

func newHookSink(t testing.TB) *hookSink {
	h := &hookSink{got: map[string][]answer{}, t: t}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var a answer
		if err := json.Unmarshal(b, &a); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		a.raw = string(b)
		a.all = strings.Join(stringsIn(b), "\n")
		h.mu.Lock()
		h.got[strings.TrimPrefix(r.URL.Path, "/hook/")] = append(h.got[strings.TrimPrefix(r.URL.Path, "/hook/")], a)
		h.mu.Unlock()
		w.Write([]byte("ok"))
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookSink) URL(name string) string {
	return h.srv.URL + "/hook/" + url.PathEscape(strings.TrimPrefix(name, "/"))
}

func (h *hookSink) Got(name string) []answer {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]answer(nil), h.got[strings.TrimPrefix(name, "/")]...)
}

// wait returns the first post to a hook, waiting for it.
func (h *hookSink) wait(t testing.TB, name string) answer {
	t.Helper()
	waitFor(t, "a post to response_url "+name, func() bool { return len(h.Got(name)) > 0 })
	return h.Got(name)[0]
}

func money(a bot.Amount) string { return fmt.Sprint(pln.Format(a, bot.LocaleEN)) }
