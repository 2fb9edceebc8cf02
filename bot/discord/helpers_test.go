package discord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/health"
	"partnerbot/i18n"
	"partnerbot/store"
)

// apiRequest is one call the fake Discord API received.
type apiRequest struct {
	Method, Path, Query, ContentType string
	Body                             []byte
}

// reply is a canned answer of the fake API.
type reply struct {
	status int
	header map[string]string
	body   string
}

// fakeAPI stands in for https://discord.com/api/v9: it records every
// request and answers the endpoints the adapter uses.
type fakeAPI struct {
	srv *httptest.Server

	mu    sync.Mutex
	reqs  []apiRequest
	fails map[string]reply // "POST /channels/c9/messages" → answer instead
	seq   int
}

func newFakeAPI(t testing.TB) *fakeAPI {
	t.Helper()
	f := &fakeAPI{fails: map[string]reply{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) fail(route string, r reply) {
	f.mu.Lock()
	f.fails[route] = r
	f.mu.Unlock()
}

func (f *fakeAPI) requests() []apiRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]apiRequest(nil), f.reqs...)
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, apiRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, ContentType: r.Header.Get("Content-Type"), Body: body})
	f.seq++
	seq := f.seq
	canned, failing := f.fails[r.Method+" "+r.URL.Path]
	f.mu.Unlock()
	if failing {
		for k, v := range canned.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(canned.status)
		io.WriteString(w, canned.body)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == "PUT" && parts[0] == "applications":
		w.Write(body) // bulk overwrite answers with the commands
	case r.Method == "POST" && parts[0] == "webhooks":
		fmt.Fprintf(w, `{"id":"followup-%d"}`, seq)
	case r.Method == "POST" && parts[0] == "interactions":
		w.WriteHeader(http.StatusNoContent)
	case r.Method == "POST" && r.URL.Path == "/users/@me/channels":
		var v struct {
			RecipientID string `json:"recipient_id"`
		}
		json.Unmarshal(body, &v)
		fmt.Fprintf(w, `{"id":"dm-%s","type":1}`, v.RecipientID)
	case r.Method == "POST" && len(parts) == 3 && parts[0] == "channels" && parts[2] == "messages":
		fmt.Fprintf(w, `{"id":"msg-%d","channel_id":%q}`, seq, parts[1])
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"code":0,"message":"404: Not Found"}`)
	}
}

// env is a program with a store, a commands service, the adapter and its
// HTTP endpoint, and a fake Discord API.
type env struct {
	t       testing.TB
	clock   *bot.ManualClock
	store   *store.Store
	svc     *commands.Service
	cur     bot.Currency
	api     *fakeAPI
	priv    ed25519.PrivateKey
	adapter *Adapter
	srv     *httptest.Server
	seq     int

	mu       sync.Mutex
	activity []string // "user@channel"
}

// The program's people: two linked partners, one not yet linked, and
// their manager.
const (
	userJanko  = "100"
	userApteka = "200"
	userNew    = "300"
	userKasia  = "900"
	userNobody = "555"
)

var (
	jankoTurnover  = bot.Amount(123456)
	aptekaTurnover = bot.Amount(77700)
)

func newEnv(t testing.TB, mods ...func(*Options)) *env {
	t.Helper()
	ctx := context.Background()
	waw, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		t.Fatal(err)
	}
	clock := bot.NewManualClock(time.Date(2026, 11, 20, 12, 0, 0, 0, waw))
	st, err := store.Open(filepath.Join(t.TempDir(), "partnerbot.db"), store.Options{Location: waw, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.PutManager(ctx, &bot.Manager{ID: "kasia", Name: "Kasia", Locale: bot.LocalePL, DiscordUser: userKasia}); err != nil {
		t.Fatal(err)
	}
	partners := []bot.Partner{
		{ID: "janko", Name: "Sklep u Janka", ContactName: "Janek", DiscordUser: userJanko},
		{ID: "apteka", Name: "Apteka Pod Lipami", ContactName: "Ola", DiscordUser: userApteka},
		{ID: "nowy", Name: "Nowy Sklep", ContactName: "Adam"},
	}
	for i := range partners {
		p := partners[i]
		p.Manager, p.Locale, p.Joined = "kasia", bot.LocalePL, bot.MustDate("2025-03-01")
		if _, err := st.PutPartner(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	evs := []bot.Event{
		{ID: "s1", Type: bot.EventSale, Partner: "janko", At: time.Date(2026, 11, 10, 10, 0, 0, 0, waw), Amount: jankoTurnover, Commission: 2469},
		{ID: "s2", Type: bot.EventSale, Partner: "apteka", At: time.Date(2026, 11, 12, 10, 0, 0, 0, waw), Amount: aptekaTurnover, Commission: 1554},
		{ID: "s3", Type: bot.EventSale, Partner: "nowy", At: time.Date(2026, 11, 13, 10, 0, 0, 0, waw), Amount: 5000},
	}
	if _, err := st.Ingest(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	pln, _ := bot.LookupCurrency("PLN")
	svc := commands.New(commands.Options{Store: st, Clock: clock, Location: waw, Currency: pln, Locale: bot.LocalePL,
		PublicURL: "https://partners.example", Program: "Program", Rules: health.DefaultRules})

	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, clock: clock, store: st, svc: svc, cur: pln, api: newFakeAPI(t), priv: priv}
	opt := Options{Service: svc, BotToken: "token", AppID: "app1", PublicKey: hex.EncodeToString(pub), GuildID: "g1",
		APIURL: e.api.srv.URL, Clock: clock, Budget: 30 * time.Second,
		OnActivity: func(ctx context.Context, user, channel string) {
			e.mu.Lock()
			e.activity = append(e.activity, user+"@"+channel)
			e.mu.Unlock()
		}}
	for _, m := range mods {
		m(&opt)
	}
	a, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	e.adapter = a
	mux := http.NewServeMux()
	a.Mount(mux.Handle)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	t.Cleanup(func() { a.inflight.wait(0) })
	return e
}

func (e *env) money(a bot.Amount) string { return i18n.Money(bot.LocalePL, e.cur, a) }

func (e *env) activities() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.activity...)
}

// command is the interaction Discord sends for /name opt:value… typed
// by user in a guild channel.
func (e *env) command(user, name string, opts map[string]string) map[string]any {
	e.seq++
	var options []map[string]any
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		options = append(options, map[string]any{"name": k, "type": 3, "value": opts[k]})
	}
	return map[string]any{
		"id": fmt.Sprintf("i%d", e.seq), "application_id": "app1", "type": 2, "token": fmt.Sprintf("tok%d", e.seq),
		"guild_id": "g1", "channel_id": "c1", "locale": "pl", "version": 1,
		"member": map[string]any{"user": map[string]any{"id": user, "username": "u" + user}},
		"data":   map[string]any{"id": "cmd-" + name, "name": name, "type": 1, "options": options},
	}
}

// component is the interaction of a button press.
func (e *env) component(user, customID string) map[string]any {
	e.seq++
	return map[string]any{
		"id": fmt.Sprintf("i%d", e.seq), "application_id": "app1", "type": 3, "token": fmt.Sprintf("tok%d", e.seq),
		"guild_id": "g1", "channel_id": "c1", "locale": "pl", "version": 1,
		"member": map[string]any{"user": map[string]any{"id": user, "username": "u" + user}},
		"data":   map[string]any{"custom_id": customID, "component_type": 2},
	}
}

// sign returns the headers Discord sends with body at the clock's now.
func (e *env) sign(body []byte) (sig, ts string) {
	ts = strconv.FormatInt(e.clock.Now().Unix(), 10)
	return hex.EncodeToString(ed25519.Sign(e.priv, append([]byte(ts), body...))), ts
}

// postRaw posts body to the interactions endpoint with the given headers.
func (e *env) postRaw(body []byte, sig, ts string) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+"/discord/interactions", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set("X-Signature-Ed25519", sig)
	}
	if ts != "" {
		req.Header.Set("X-Signature-Timestamp", ts)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// interact posts a signed interaction and decodes the response.
func (e *env) interact(payload map[string]any) response {
	e.t.Helper()
	body, _ := json.Marshal(payload)
	sig, ts := e.sign(body)
	code, out := e.postRaw(body, sig, ts)
	if code != http.StatusOK {
		e.t.Fatalf("interaction: HTTP %d %s", code, out)
	}
	var r response
	if err := json.Unmarshal(out, &r); err != nil {
		e.t.Fatalf("decode response %s: %v", out, err)
	}
	return r
}

// response is an interaction response as Discord reads it.
type response struct {
	Type int          `json:"type"`
	Data *messageBody `json:"data"`
}

// messageBody is the part of a message payload the tests look at.
type messageBody struct {
	Flags        int                       `json:"flags"`
	Embeds       []*discordgo.MessageEmbed `json:"embeds"`
	Components   []json.RawMessage         `json:"components"`
	Nonce        string                    `json:"nonce"`
	EnforceNonce bool                      `json:"enforce_nonce"`
	Attachments  []attachment              `json:"attachments"`
}

// text is everything a reader sees in the message's embeds.
func (m *messageBody) text() string {
	if m == nil {
		return ""
	}
	var b strings.Builder
	for _, e := range m.Embeds {
		b.WriteString(e.Title + "\n" + e.Description + "\n")
		for _, f := range e.Fields {
			b.WriteString(f.Name + ": " + f.Value + "\n")
		}
		if e.Footer != nil {
			b.WriteString(e.Footer.Text + "\n")
		}
	}
	return b.String()
}

// customIDs lists the custom_ids of the message's buttons.
func (m *messageBody) customIDs() []string {
	var ids []string
	for _, raw := range m.Components {
		var row struct {
			Components []struct {
				CustomID string `json:"custom_id"`
			} `json:"components"`
		}
		json.Unmarshal(raw, &row)
		for _, c := range row.Components {
			if c.CustomID != "" {
				ids = append(ids, c.CustomID)
			}
		}
	}
	return ids
}

// part is one part of a multipart body.
type part struct {
	Name, FileName, ContentType string
	Data                        []byte
}

// decodeBody reads a JSON or multipart (payload_json + files) message body.
func decodeBody(t *testing.T, r apiRequest) (*messageBody, []part) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.ContentType)
	if err != nil {
		t.Fatalf("content type %q: %v", r.ContentType, err)
	}
	var m messageBody
	if mt == "application/json" {
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatalf("decode %s: %v", r.Body, err)
		}
		return &m, nil
	}
	if mt != "multipart/form-data" {
		t.Fatalf("content type %q", mt)
	}
	var parts []part
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(p)
		parts = append(parts, part{Name: p.FormName(), FileName: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
		if p.FormName() == "payload_json" {
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatalf("decode payload_json %s: %v", data, err)
			}
		}
	}
	return &m, parts
}

// only returns the single recorded request, failing otherwise.
func only(t *testing.T, reqs []apiRequest) apiRequest {
	t.Helper()
	if len(reqs) != 1 {
		t.Fatalf("API requests = %d (%v), want 1", len(reqs), paths(reqs))
	}
	return reqs[0]
}

func paths(reqs []apiRequest) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}
