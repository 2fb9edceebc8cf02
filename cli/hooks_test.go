package cli_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"partnerbot/bot"
	"partnerbot/store"
)

const shopSecret = "shpss_cli_test_secret"

// pln order shaped like Shopify's orders/paid sample, in the program currency.
const plnOrder = `{"id":820982911946154508,"currency":"PLN","total_price":"129.99","processed_at":"2026-11-21T10:00:00+01:00","created_at":"2026-11-21T10:00:00+01:00","discount_codes":[{"code":"JANKO10","amount":"10.00","type":"fixed_amount"}],"note_attributes":[],"landing_site":null,"financial_status":"paid"}`

func shopSign(body string) string {
	m := hmac.New(sha256.New, []byte(shopSecret))
	m.Write([]byte(body))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// A delivery for a coupon no partner has is parked; giving a partner the
// coupon through the API applies it before the answer.
func TestCLI_WebhookParkedThenAppliedThroughAPI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "hooks.db")
	env := map[string]string{"PARTNERBOT_API_TOKEN": "tok", "SHOPIFY_WEBHOOK_SECRET": shopSecret}
	r := &run{t: t, dir: dir, env: map[string]string{}}
	r.must("--db", db, "partner", "add", "janko", "--name", "Sklep u Janka", "--joined", "2025-03-01")
	srv := startServe(t, env, "--db", db, "serve", "--listen", "127.0.0.1:0", "--now", "2026-11-22T12:00:00Z")
	call := func(method, path, body string, hd map[string]string) (int, map[string]any) {
		req, _ := http.NewRequest(method, srv.base+path, strings.NewReader(body))
		for k, v := range hd {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	hook := map[string]string{"X-Shopify-Topic": "orders/paid", "X-Shopify-Hmac-SHA256": shopSign(plnOrder)}
	if code, out := call("POST", "/hooks/shopify", plnOrder, hook); code != http.StatusAccepted || out["parked"] != "unmatched" {
		t.Fatalf("POST /hooks/shopify = %d %v, want parked", code, out)
	}
	if code, _ := call("POST", "/hooks/stripe", "{}", nil); code != http.StatusNotFound {
		t.Fatalf("POST /hooks/stripe without its secret = %d, want 404", code)
	}
	auth := map[string]string{"Authorization": "Bearer tok"}
	listParked := func() []map[string]any {
		req, _ := http.NewRequest("GET", srv.base+"/api/v1/hooks", nil)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out []map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET /api/v1/hooks = %d, %v", resp.StatusCode, err)
		}
		return out
	}
	if ps := listParked(); len(ps) != 1 || ps[0]["reason"] != "unmatched" || ps[0]["platform"] != "shopify" {
		t.Fatalf("GET /api/v1/hooks = %v, want the parked order", ps)
	}
	if code, _ := call("GET", "/api/v1/hooks", "", nil); code != http.StatusUnauthorized {
		t.Fatalf("GET /api/v1/hooks without the token = %d, want 401", code)
	}
	if code, out := call("PUT", "/api/v1/partners/janko", `{"name":"Sklep u Janka","joined":"2025-03-01","coupons":["janko10"]}`, auth); code != 200 {
		t.Fatalf("PUT partner = %d %v", code, out)
	}
	if code, st := call("GET", "/api/v1/partners/janko/stats?period=2026-11", "", auth); code != 200 || st["sales"] != 1.0 || st["turnover"] != "129.99" {
		t.Fatalf("stats = %d %v, want the parked sale applied", code, st)
	}
	if code, out := call("POST", "/hooks/shopify", plnOrder, hook); code != 200 || out["duplicates"] != 1.0 {
		t.Fatalf("a retry = %d %v, want a duplicate", code, out)
	}
	if ps := listParked(); len(ps) != 0 {
		t.Fatalf("still parked after the partner got the coupon: %v", ps)
	}
	if code, out := call("POST", "/api/v1/hooks/replay", "", auth); code != 200 || out["applied"] != 0.0 || out["still_parked"] != 0.0 {
		t.Fatalf("POST /api/v1/hooks/replay = %d %v", code, out)
	}
	srv.stop()
	if out := r.must("--db", db, "hooks", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("still parked:\n%s", out)
	}
}

func TestCLI_PartnerImportAppliesParked(t *testing.T) {
	r := newRun(t)
	db := filepath.Join(r.dir, "pb.db")
	s, err := store.Open(db, store.Options{Clock: bot.NewManualClock(now)})
	if err != nil {
		t.Fatal(err)
	}
	p := &store.Parked{Key: "shopify:order:820982911946154508", Platform: "shopify", Reason: store.ParkUnmatched,
		Detail: "no partner has coupon JANKO10", Headers: map[string]string{"X-Shopify-Topic": "orders/paid"}, Body: []byte(plnOrder)}
	if _, err := s.Park(context.Background(), p, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()

	out := r.must("hooks", "list", "--unmatched", "--json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 || list[0]["reason"] != "unmatched" || list[0]["body_bytes"] == nil {
		t.Fatalf("hooks list --json = %s (%v)", out, err)
	}
	if out := r.must("hooks", "list"); !strings.Contains(out, "1 parked deliveries (1 unmatched)") {
		t.Fatalf("hooks list:\n%s", out)
	}

	bad := r.file("bad.csv", "id,name,coupons\njanko,Sklep u Janka,JANKO10\nola,Ola,janko10\n")
	if code := r.cmd("partner", "import", bad); code != 1 || !strings.Contains(r.errOut, "line 3: coupons") || !strings.Contains(r.errOut, "nothing was stored") {
		t.Fatalf("bad import: exit %d\n%s", code, r.errOut)
	}
	if out := r.must("partner", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("a failed import stored partners:\n%s", out)
	}

	good := r.file("partners.ndjson", `{"id":"janko","name":"Sklep u Janka","joined":"2025-03-01","coupons":["JANKO10"],"external_ids":{"dub":"pn_1"}}`+"\n"+
		`{"id":"ola","name":"Ola","joined":"2025-04-01"}`+"\n")
	if out := r.must("partner", "import", "--dry-run", good); !strings.Contains(out, "2 partners are valid, 2 would be added, 0 updated") {
		t.Fatalf("dry run:\n%s", out)
	}
	if out := r.must("partner", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("a dry run stored partners:\n%s", out)
	}
	out = r.must("partner", "import", good)
	if !strings.Contains(out, "2 partners, 2 added, 0 updated") || !strings.Contains(out, "1 parked webhook deliveries applied") {
		t.Fatalf("import:\n%s", out)
	}
	if out := r.must("stats", "janko", "--period", "2026-11", "--json"); !strings.Contains(out, `"sales": 1`) {
		t.Fatalf("stats after import:\n%s", out)
	}
	if out := r.must("partner", "show", "janko"); !strings.Contains(out, "dub=pn_1") || !strings.Contains(out, "JANKO10") {
		t.Fatalf("partner show:\n%s", out)
	}
	r.must("partner", "set", "ola", "--coupons", "OLA5,LATO", "--external-ids", "rewardful=aff_7")
	if out := r.must("partner", "show", "ola", "--json"); !strings.Contains(out, `"rewardful": "aff_7"`) || !strings.Contains(out, `"OLA5"`) {
		t.Fatalf("partner set flags:\n%s", out)
	}
	if out := r.must("hooks", "replay"); !strings.Contains(out, "0 parked deliveries applied, 0 still parked") {
		t.Fatalf("hooks replay:\n%s", out)
	}
}

// A delivery parked for want of a rate goes in when the rate is set.
func TestCLI_RateSetAppliesParked(t *testing.T) {
	r := newRun(t)
	r.must("partner", "add", "janko", "--name", "Sklep u Janka", "--joined", "2025-03-01", "--coupons", "JANKO10")
	s, err := store.Open(filepath.Join(r.dir, "pb.db"), store.Options{Clock: bot.NewManualClock(now)})
	if err != nil {
		t.Fatal(err)
	}
	eur := strings.Replace(plnOrder, `"currency":"PLN"`, `"currency":"EUR"`, 1)
	p := &store.Parked{Key: "shopify:order:820982911946154508", Platform: "shopify", Reason: store.ParkNoRate,
		Detail: "no EUR rate", Headers: map[string]string{"X-Shopify-Topic": "orders/paid"}, Body: []byte(eur)}
	if _, err := s.Park(context.Background(), p, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if out := r.must("hooks", "replay"); !strings.Contains(out, "0 parked deliveries applied, 1 still parked") {
		t.Fatalf("replay without a rate:\n%s", out)
	}
	if out := r.must("rates", "set", "EUR", "4.25"); !strings.Contains(out, "1 parked webhook deliveries applied, 0 still parked") {
		t.Fatalf("rates set:\n%s", out)
	}
	// 129.99 EUR × 4.25 = 552.4575 PLN, rounded to the grosz.
	if out := r.must("stats", "janko", "--period", "2026-11", "--json"); !strings.Contains(out, `"turnover": "552.46"`) {
		t.Fatalf("stats after the rate:\n%s", out)
	}
}
