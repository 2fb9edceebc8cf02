package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partnerbot/api"
	"partnerbot/bot"
	"partnerbot/store"
)

const token = "test-token"

var (
	waw = func() *time.Location { l, _ := time.LoadLocation("Europe/Warsaw"); return l }()
	now = time.Date(2026, 11, 22, 12, 0, 0, 0, waw)
	pln = bot.Currency{Code: "PLN", Digits: 2}
)

type env struct {
	t     testing.TB
	store *store.Store
	srv   *httptest.Server
}

func setup(t testing.TB) *env {
	t.Helper()
	clock := bot.NewManualClock(now)
	s, err := store.Open(filepath.Join(t.TempDir(), "api.db"), store.Options{Location: waw, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h := api.New(api.Options{Store: s, Clock: clock, Location: waw, Currency: pln, Token: token, MaxBody: 64 << 10, MaxFuture: 24 * time.Hour, MaxEvents: 100})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{t: t, store: s, srv: srv}
	if _, err := s.PutManager(context.Background(), &bot.Manager{ID: "kasia", Name: "Kasia"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"janko", "apteka"} {
		if _, err := s.PutPartner(context.Background(), &bot.Partner{ID: id, Name: id, Manager: "kasia", Joined: bot.MustDate("2025-03-01")}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *env) do(method, path, contentType, body string, auth bool) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out); err != nil {
			e.t.Fatalf("bad JSON %q: %v", raw, err)
		}
	}
	return resp.StatusCode, out
}

func (e *env) events() int {
	n, err := e.store.EventCount(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestEvents_Accepted(t *testing.T) {
	e := setup(t)
	body := `[
 {"id":"ord-1001","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"129.99","commission":"2.60"},
 {"id":"ord-1002","type":"sale","partner":"janko","at":"2026-11-16T11:15:00+01:00","amount":50,"commission":1},
 {"id":"clk-1","type":"click","partner":"janko","at":"2026-11-16T09:00:00+01:00"}
]`
	code, out := e.do("POST", "/api/v1/events", "application/json", body, true)
	if code != 200 || out["accepted"] != 3.0 || out["duplicates"] != 0.0 {
		t.Fatalf("%d %v", code, out)
	}
	nd := `{"id":"ord-1001","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"129.99"}
{"id":"ord-1003","type":"refund","partner":"janko","at":"2026-11-17T10:15:00+01:00","amount":"-50.00","commission":"1.00"}
`
	code, out = e.do("POST", "/api/v1/events", "application/x-ndjson", nd, true)
	if code != 200 || out["accepted"] != 1.0 || out["duplicates"] != 1.0 {
		t.Fatalf("ndjson: %d %v", code, out)
	}
	code, out = e.do("GET", "/api/v1/partners/janko/stats?period=2026-11", "", "", true)
	if code != 200 {
		t.Fatalf("stats: %d %v", code, out)
	}
	want := map[string]any{"partner": "janko", "period": "2026-11", "from": "2026-11-01", "to": "2026-11-30", "through": "2026-11-22",
		"currency": "PLN", "clicks": 1.0, "sales": 2.0, "turnover": "129.99", "refunds": "50.00", "commission": "2.60", "payouts": "0.00", "balance": "2.60",
		// All-time as of the 22nd: the commission is still in its 30-day hold.
		"commission_pending": "2.60", "commission_approved": "0.00", "to_pay": "0.00"}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("stats[%s] = %v, want %v", k, out[k], v)
		}
	}
	prev, _ := out["previous"].(map[string]any)
	if prev["period"] != "2026-10" || prev["turnover"] != "0.00" || prev["through"] != "2026-10-22" {
		t.Errorf("previous = %v", prev)
	}
	if _, ok := out["change_pct"].(map[string]any); !ok {
		t.Errorf("change_pct missing: %v", out)
	}
}

func TestEvents_Refused(t *testing.T) {
	e := setup(t)
	good := `{"id":"g1","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"10.00"}`
	tests := []struct {
		name  string
		bad   string
		field string
	}{
		{"unknown partner", `{"id":"x","type":"sale","partner":"nobody","at":"2026-11-16T10:15:00+01:00","amount":"1"}`, "partner"},
		{"unknown type", `{"id":"x","type":"purchase","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"1"}`, "type"},
		{"bad time", `{"id":"x","type":"sale","partner":"janko","at":"16.11.2026 10:15","amount":"1"}`, "at"},
		{"future time", `{"id":"x","type":"sale","partner":"janko","at":"2027-01-01T10:15:00+01:00","amount":"1"}`, "at"},
		{"negative amount", `{"id":"x","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"-1"}`, "amount"},
		{"missing amount", `{"id":"x","type":"payout","partner":"janko","at":"2026-11-16T10:15:00+01:00"}`, "amount"},
		{"inexact amount", `{"id":"x","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"1.999"}`, "amount"},
		{"amount on click", `{"id":"x","type":"click","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"1"}`, "amount"},
		{"missing id", `{"type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"1"}`, "id"},
		{"unknown field", `{"id":"x","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","ammount":"1"}`, "ammount"},
		{"syntax", `{"id":"x","type":"sale",`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := good + "\n" + good + "\n" + tt.bad + "\n"
			code, out := e.do("POST", "/api/v1/events", "application/x-ndjson", body, true)
			if code != 400 {
				t.Fatalf("code %d, want 400: %v", code, out)
			}
			if out["line"] != 3.0 || (tt.field != "" && out["field"] != tt.field) || out["error"] == "" {
				t.Fatalf("answer %v, want line 3 field %q", out, tt.field)
			}
			if n := e.events(); n != 0 {
				t.Fatalf("%d events stored by a refused request", n)
			}
		})
	}
	t.Run("no token", func(t *testing.T) {
		code, _ := e.do("POST", "/api/v1/events", "application/x-ndjson", good, false)
		if code != 401 || e.events() != 0 {
			t.Fatalf("code %d", code)
		}
	})
	t.Run("too large", func(t *testing.T) {
		body := strings.Repeat(good+"\n", 2000)
		code, out := e.do("POST", "/api/v1/events", "application/x-ndjson", body, true)
		if code != 413 || e.events() != 0 {
			t.Fatalf("code %d %v", code, out)
		}
	})
	t.Run("csv refused", func(t *testing.T) {
		code, _ := e.do("POST", "/api/v1/events", "text/csv", "id,type,partner,at\n", true)
		if code != 400 {
			t.Fatalf("code %d", code)
		}
	})
}

func TestPartnersAndManagers(t *testing.T) {
	e := setup(t)
	body := `{"id":"sklep","name":"Sklep u Janka","contact_name":"Janek","contact_vocative":"Janeczku","manager":"kasia","locale":"pl","joined":"2025-03-01","status":"active",
"slack_user":"U1","slack_channel":"C1","discord_user":"1","discord_channel":"2","landing_url":"https://shop.example/","tags":["retail"]}`
	code, out := e.do("PUT", "/api/v1/partners/sklep", "application/json", body, true)
	if code != 201 || out["referral_code"] == "" || out["joined"] != "2025-03-01" {
		t.Fatalf("create: %d %v", code, out)
	}
	first := out["referral_code"]
	code, out = e.do("PUT", "/api/v1/partners/sklep", "application/json", strings.Replace(body, "Sklep u Janka", "Sklep Janka", 1), true)
	if code != 200 || out["referral_code"] != first || out["name"] != "Sklep Janka" {
		t.Fatalf("update: %d %v", code, out)
	}
	code, out = e.do("GET", "/api/v1/partners/sklep", "", "", true)
	if code != 200 || out["slack_channel"] != "C1" || out["contact_vocative"] != "Janeczku" {
		t.Fatalf("get: %d %v", code, out)
	}
	for _, tt := range []struct {
		path, body string
		code       int
		field      string
	}{
		{"/api/v1/partners/other", `{"id":"sklep2","name":"X"}`, 400, "id"},
		{"/api/v1/partners/x", `{"name":"X","manager":"nobody"}`, 400, "manager"},
		{"/api/v1/partners/x", `{"name":"X","colour":"red"}`, 400, "colour"},
		{"/api/v1/partners/x", `{"name":"X","slack_user":"U1"}`, 409, "slack_user"},
		{"/api/v1/partners/x", `{"name":"X","joined":"yesterday"}`, 400, ""},
		{"/api/v1/partners/x", `{"name":5}`, 400, "name"},
	} {
		code, out := e.do("PUT", tt.path, "application/json", tt.body, true)
		if code != tt.code || (tt.field != "" && out["field"] != tt.field) {
			t.Errorf("PUT %s %s: %d %v, want %d on %q", tt.path, tt.body, code, out, tt.code, tt.field)
		}
	}
	if code, _ := e.do("GET", "/api/v1/partners/nobody", "", "", true); code != 404 {
		t.Errorf("missing partner: %d", code)
	}
	if code, _ := e.do("GET", "/api/v1/partners/sklep/stats?period=2026-13", "", "", true); code != 400 {
		t.Errorf("bad period: %d", code)
	}
	if code, out := e.do("GET", "/api/v1/partners/sklep/stats?period=2099-01", "", "", true); code != 400 || !strings.Contains(fmt.Sprint(out["error"]), "has not started yet") {
		t.Errorf("future period: %d %v", code, out)
	}
	code, out = e.do("PUT", "/api/v1/managers/tomek", "application/json", `{"name":"Tomek","escalation":"kasia","slack_user":"U9"}`, true)
	if code != 201 || out["escalation"] != "kasia" {
		t.Fatalf("manager: %d %v", code, out)
	}
	if code, out := e.do("GET", "/api/v1/managers/tomek", "", "", true); code != 200 || out["name"] != "Tomek" {
		t.Fatalf("get manager: %d %v", code, out)
	}
	if code, _ := e.do("GET", "/api/v1/managers/tomek", "", "", false); code != 401 {
		t.Fatalf("read without token: %d", code)
	}
}

func TestBackup(t *testing.T) {
	e := setup(t)
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/backup", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	path := filepath.Join(t.TempDir(), "copy.db")
	f, _ := os.Create(path)
	io.Copy(f, resp.Body)
	f.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	copy, err := store.Open(path, store.Options{Location: waw})
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer copy.Close()
	if p, err := copy.Partner(context.Background(), "janko"); err != nil || p.Name != "janko" {
		t.Fatalf("backup lacks janko: %v", err)
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	e := setup(t)
	if code, out := e.do("GET", "/healthz", "", "", false); code != 200 || out["status"] != "ok" {
		t.Fatalf("healthz %d %v", code, out)
	}
	e.do("POST", "/api/v1/events", "application/x-ndjson", `{"id":"g1","type":"click","partner":"janko","at":"2026-11-16T10:15:00+01:00"}`, true)
	resp, err := http.Get(e.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`partnerbot_events_total{result="accepted"} 1`, `partnerbot_http_requests_total{code="200",route="POST /api/v1/events"} 1`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("metrics lack %q:\n%s", want, raw)
		}
	}
}

func TestPromos(t *testing.T) {
	e := setup(t)
	body := `{"title":"Tydzień z podwójnym cashbackiem","start":"2026-11-25T09:00:00+01:00","end":"2026-12-02T00:00:00+01:00","segments":["A","B"],"link":"https://shop.example/x2"}`
	if code, out := e.do("PUT", "/api/v1/promos/x2", "application/json", body, true); code != 201 || out["id"] != "x2" {
		t.Fatalf("create: %d %v", code, out)
	}
	if code, out := e.do("GET", "/api/v1/promos/x2", "", "", true); code != 200 || out["title"] != "Tydzień z podwójnym cashbackiem" {
		t.Fatalf("get: %d %v", code, out)
	}
	for _, bad := range []struct{ body, field string }{
		{`{"title":"X","start":"2026-12-02T00:00:00Z","end":"2026-12-01T00:00:00Z"}`, "end"},
		{`{"title":"X","start":"2026-12-01T00:00:00Z","end":"2026-12-02T00:00:00Z","segments":["D"]}`, "segments"},
		{`{"start":"2026-12-01T00:00:00Z","end":"2026-12-02T00:00:00Z"}`, "title"},
	} {
		if code, out := e.do("PUT", "/api/v1/promos/bad", "application/json", bad.body, true); code != 400 || out["field"] != bad.field {
			t.Errorf("PUT %s: %d %v, want 400 on %s", bad.body, code, out, bad.field)
		}
	}
	if code, _ := e.do("DELETE", "/api/v1/promos/x2", "", "", true); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if code, _ := e.do("GET", "/api/v1/promos/x2", "", "", true); code != 404 {
		t.Fatalf("after delete: %d", code)
	}
}

func TestEvents_MaxRequestEvents(t *testing.T) {
	e := setup(t)
	line := func(i int) string {
		return fmt.Sprintf(`{"id":"c%d","type":"click","partner":"janko","at":"2026-11-16T09:00:00+01:00"}`, i) + "\n"
	}
	var b strings.Builder
	for i := range 101 {
		b.WriteString(line(i))
	}
	code, out := e.do("POST", "/api/v1/events", "application/x-ndjson", b.String(), true)
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(fmt.Sprint(out["error"]), "more than 100 events") {
		t.Fatalf("101 events: %d %v", code, out)
	}
	if n := e.events(); n != 0 {
		t.Fatalf("a refused request stored %d events", n)
	}
	b.Reset()
	for i := range 100 {
		b.WriteString(line(i))
	}
	if code, out := e.do("POST", "/api/v1/events", "application/x-ndjson", b.String(), true); code != 200 || out["accepted"] != 100.0 {
		t.Fatalf("100 events: %d %v", code, out)
	}
}
