package hooks_test

// Deliveries in these tests are shaped exactly like the platforms' own
// published samples, kept in testdata/:
//   - Dub: the data objects of dubinc/dub apps/web/lib/webhook/sample-events
//     (sale-created.json, lead-created.json, commission-created.json,
//     payout-confirmed.json) in the envelope prepareWebhookPayload builds
//     ({id: "evt_…", event, createdAt, data}).
//   - Rewardful: the envelope of developers.rewardful.com/webhooks/requests
//     around the sale and commission objects of
//     /rest-api/commissions/object and the payout object.
//   - Tolt: {type, data, timestamp} from help.tolt.io "How to use webhooks
//     in Tolt", with the transaction and commission objects of
//     docs.tolt.com; signed as Svix documents (docs.svix.com "Verifying
//     payloads manually"), whose published example is checked below.
//   - Stripe: event objects of the API reference (checkout.session,
//     charge, invoice).
//   - Shopify: the orders/paid and refunds/create sample payloads of the
//     webhook reference (shopify.dev).

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/hooks"
	"partnerbot/store"
)

const (
	dubSecret       = "dub_wh_3f9c2a7e5b1d4c8a"
	rewardfulSecret = "rw_5e1c9b7a3d2f4e6a"
	stripeSecret    = "whsec_test_0a1b2c3d4e5f6a7b8c9d"
	shopifySecret   = "shpss_7c2e9a4b1d6f3e8a"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var toltKey = []byte("tolt-signing-key-for-tests-32by")

func toltSecret() string { return "whsec_" + base64.StdEncoding.EncodeToString(toltKey) }

type harness struct {
	t     *testing.T
	st    *store.Store
	clock *bot.ManualClock
	rcv   *hooks.Receiver
	srv   *httptest.Server
	mux   *http.ServeMux
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	clock := bot.NewManualClock(time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC))
	st, err := store.Open(filepath.Join(t.TempDir(), "hooks.db"), store.Options{Location: time.UTC, Clock: clock, Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	janko := &bot.Partner{ID: "janko", Name: "Sklep u Janka", Joined: bot.MustDate("2019-01-01"), ReferralCode: "janko2026",
		ExternalIDs: map[string]string{"dub": "pn_cm0lcuvtz000xcutmqw4a7wi3", "rewardful": "07d8acc5-c689-4b4a-bbab-f88a71ffc012", "tolt": "part_ER3mfYNL9ci7sFaJazAv2"},
		Coupons:     []string{"TENOFF"}}
	if _, err := st.PutPartner(context.Background(), janko); err != nil {
		t.Fatal(err)
	}
	matt := &bot.Partner{ID: "matt", Name: "Matthew Hayden", Joined: bot.MustDate("2019-01-01"), ExternalIDs: map[string]string{"dub": "pn_1K06X6FX2GRB31NCM2VVCGJ72"}}
	if _, err := st.PutPartner(context.Background(), matt); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, st: st, clock: clock}
	h.rcv = hooks.New(hooks.Options{Store: st, Clock: clock, Logger: quiet, Secrets: map[string]string{
		"dub": dubSecret, "rewardful": rewardfulSecret, "tolt": toltSecret(), "stripe": stripeSecret, "shopify": shopifySecret,
	}})
	h.mux = http.NewServeMux()
	h.mux.Handle("POST /hooks/{platform}", h.rcv)
	h.srv = httptest.NewServer(h.mux)
	t.Cleanup(h.srv.Close)
	return h
}

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hexMAC(key, msg []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

func b64MAC(key, msg []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// signed returns the headers a platform sends with body, signed now.
func (h *harness) signed(platform string, body []byte, extra ...string) http.Header {
	hd := http.Header{"Content-Type": {"application/json"}}
	now := h.clock.Now().Unix()
	switch platform {
	case "dub":
		hd.Set("Dub-Signature", hexMAC([]byte(dubSecret), body))
	case "rewardful":
		hd.Set("X-Rewardful-Signature", hexMAC([]byte(rewardfulSecret), body))
	case "tolt":
		id := "msg_" + hexMAC([]byte("id"), body)[:24]
		ts := strconv.FormatInt(now, 10)
		hd.Set("svix-id", id)
		hd.Set("svix-timestamp", ts)
		hd.Set("svix-signature", "v1,"+b64MAC(toltKey, []byte(id+"."+ts+"."+string(body))))
	case "stripe":
		ts := strconv.FormatInt(now, 10)
		hd.Set("Stripe-Signature", "t="+ts+",v1="+hexMAC([]byte(stripeSecret), []byte(ts+"."+string(body))))
	case "shopify":
		hd.Set("X-Shopify-Hmac-SHA256", b64MAC([]byte(shopifySecret), body))
	}
	for i := 0; i+1 < len(extra); i += 2 {
		hd.Set(extra[i], extra[i+1])
	}
	return hd
}

func (h *harness) post(platform string, body []byte, hd http.Header) (int, map[string]any) {
	h.t.Helper()
	req, err := http.NewRequest("POST", h.srv.URL+"/hooks/"+platform, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header = hd
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// deliver posts a signed body and wants code back.
func (h *harness) deliver(platform string, body []byte, code int, extra ...string) map[string]any {
	h.t.Helper()
	got, out := h.post(platform, body, h.signed(platform, body, extra...))
	if got != code {
		h.t.Fatalf("POST /hooks/%s = %d %v, want %d", platform, got, out, code)
	}
	return out
}

func (h *harness) totals(partner string) bot.Totals {
	h.t.Helper()
	t, err := h.st.Totals(context.Background(), partner, bot.MustDate("2000-01-01"), bot.MustDate("2030-12-31"))
	if err != nil {
		h.t.Fatal(err)
	}
	return t
}

func (h *harness) events() int {
	h.t.Helper()
	n, err := h.st.EventCount(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (h *harness) parked() []store.Parked {
	h.t.Helper()
	ps, err := h.st.ParkedDeliveries(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return ps
}

func wantCounts(t *testing.T, out map[string]any, accepted, duplicates int) {
	t.Helper()
	if out["accepted"] != float64(accepted) || out["duplicates"] != float64(duplicates) {
		t.Fatalf("answer = %v, want accepted %d, duplicates %d", out, accepted, duplicates)
	}
}

// refused checks that a delivery is answered 401 and changes nothing.
func (h *harness) refused(platform string, body []byte, hd http.Header) {
	h.t.Helper()
	before := h.events()
	code, out := h.post(platform, body, hd)
	if code != http.StatusUnauthorized {
		h.t.Fatalf("POST /hooks/%s = %d %v, want 401", platform, code, out)
	}
	if n := h.events(); n != before {
		h.t.Fatalf("events = %d after a refused delivery, want %d", n, before)
	}
	if ps := h.parked(); len(ps) != 0 {
		h.t.Fatalf("a refused delivery was parked: %+v", ps)
	}
}

func TestDub(t *testing.T) {
	h := newHarness(t)
	sale := sample(t, "dub-sale-created.json")

	t.Run("sale counted", func(t *testing.T) {
		wantCounts(t, h.deliver("dub", sale, 200), 1, 0)
		if got := h.totals("janko"); got.Sales != 1 || got.SalesAmount != 100 {
			t.Fatalf("totals = %+v, want 1 sale of 1.00", got)
		}
	})
	t.Run("the same delivery again is counted once", func(t *testing.T) {
		wantCounts(t, h.deliver("dub", sale, 200), 0, 1)
		if got := h.totals("janko"); got.Sales != 1 || got.SalesAmount != 100 {
			t.Fatalf("totals = %+v after a retry, want 1 sale of 1.00", got)
		}
		if ok, _ := h.st.HasEvent(context.Background(), "dub:evt_KSvOqCG8JzEDXGcBMaV3k2Ka"); !ok {
			t.Fatal("the ledger event is not keyed on Dub's event id")
		}
	})
	t.Run("bad signature", func(t *testing.T) {
		other := bytes.Replace(sale, []byte(`"amount": 100`), []byte(`"amount": 900`), 1)
		h.refused("dub", other, h.signed("dub", sale))
	})
	t.Run("missing signature", func(t *testing.T) {
		h.refused("dub", sale, http.Header{"Content-Type": {"application/json"}})
	})
	t.Run("lead is a signup", func(t *testing.T) {
		wantCounts(t, h.deliver("dub", sample(t, "dub-lead-created.json"), 200), 1, 0)
		if got := h.totals("janko"); got.Signups != 1 {
			t.Fatalf("signups = %d, want 1", got.Signups)
		}
	})
	t.Run("unknown partner parked, applied once mapped", func(t *testing.T) {
		payout := sample(t, "dub-payout-confirmed.json")
		out := h.deliver("dub", payout, http.StatusAccepted)
		if out["parked"] != store.ParkUnmatched {
			t.Fatalf("answer = %v, want parked unmatched", out)
		}
		h.deliver("dub", payout, http.StatusAccepted) // a retry parks nothing new
		ps := h.parked()
		if len(ps) != 1 || ps[0].Key != "dub:evt_2hXcV9bN4mQ1wE6rT8yU3iOp" || ps[0].Attempts != 2 || !bytes.Equal(ps[0].Body, payout) {
			t.Fatalf("parked = %+v, want the payout once, with its raw body", ps)
		}
		ola := &bot.Partner{ID: "ola", Name: "Ola", ExternalIDs: map[string]string{"dub": "cm6v2l38p000zubyl5fly3i7w"}}
		if _, err := h.st.PutPartner(context.Background(), ola); err != nil {
			t.Fatal(err)
		}
		applied, left, err := h.rcv.Reapply(context.Background())
		if err != nil || applied != 1 || left != 0 {
			t.Fatalf("Reapply = %d, %d, %v; want 1 applied, 0 left", applied, left, err)
		}
		if got := h.totals("ola"); got.Payouts != 5000 {
			t.Fatalf("ola's payouts = %v, want 50.00", got.Payouts)
		}
		if ps := h.parked(); len(ps) != 0 {
			t.Fatalf("still parked: %+v", ps)
		}
		wantCounts(t, h.deliver("dub", payout, 200), 0, 1)
	})
	t.Run("unknown event type acknowledged and ignored", func(t *testing.T) {
		body := []byte(`{"id":"evt_link1","event":"link.clicked","createdAt":"2025-01-14T04:49:10.000Z","data":{}}`)
		before := h.events()
		if out := h.deliver("dub", body, 200); out["ignored"] != "link.clicked" {
			t.Fatalf("answer = %v, want ignored", out)
		}
		if h.events() != before || len(h.parked()) != 0 {
			t.Fatal("an ignored delivery changed the ledger")
		}
	})
}

func TestRewardful(t *testing.T) {
	h := newHarness(t)
	sale := sample(t, "rewardful-sale-created.json")
	wantCounts(t, h.deliver("rewardful", sale, 200), 1, 0)
	wantCounts(t, h.deliver("rewardful", sale, 200), 0, 1)
	if got := h.totals("janko"); got.Sales != 1 || got.SalesAmount != 10000 {
		t.Fatalf("totals = %+v, want 1 sale of 100.00", got)
	}
	t.Run("refund", func(t *testing.T) {
		wantCounts(t, h.deliver("rewardful", sample(t, "rewardful-sale-refunded.json"), 200), 1, 0)
		if got := h.totals("janko"); got.Refunds != 1 || got.RefundAmount != 10000 {
			t.Fatalf("totals = %+v, want 1 refund of 100.00", got)
		}
	})
	t.Run("referral lead", func(t *testing.T) {
		wantCounts(t, h.deliver("rewardful", sample(t, "rewardful-referral-lead.json"), 200), 1, 0)
	})
	t.Run("payout", func(t *testing.T) {
		wantCounts(t, h.deliver("rewardful", sample(t, "rewardful-payout-paid.json"), 200), 1, 0)
		if got := h.totals("janko"); got.Payouts != 3000 {
			t.Fatalf("payouts = %v, want 30.00", got.Payouts)
		}
	})
	t.Run("bad signature", func(t *testing.T) {
		hd := h.signed("rewardful", sale)
		hd.Set("X-Rewardful-Signature", hexMAC([]byte("another secret"), sale))
		h.refused("rewardful", sale, hd)
	})
	t.Run("missing signature", func(t *testing.T) {
		h.refused("rewardful", sale, http.Header{})
	})
}

func TestTolt(t *testing.T) {
	h := newHarness(t)
	txn := sample(t, "tolt-transaction-created.json")
	hd := h.signed("tolt", txn)
	code, out := h.post("tolt", txn, hd)
	if code != 200 {
		t.Fatalf("POST = %d %v", code, out)
	}
	wantCounts(t, out, 1, 0)
	if got := h.totals("janko"); got.Sales != 1 || got.SalesAmount != 14999 {
		t.Fatalf("totals = %+v, want 1 sale of 149.99", got)
	}
	t.Run("Svix retry of the same message counted once", func(t *testing.T) {
		h.clock.Advance(time.Minute)
		hd := hd.Clone()
		ts := strconv.FormatInt(h.clock.Now().Unix(), 10)
		hd.Set("svix-timestamp", ts)
		hd.Set("svix-signature", "v1,"+b64MAC(toltKey, []byte(hd.Get("svix-id")+"."+ts+"."+string(txn))))
		code, out := h.post("tolt", txn, hd)
		if code != 200 {
			t.Fatalf("POST = %d %v", code, out)
		}
		wantCounts(t, out, 0, 1)
	})
	t.Run("several signatures, one of them good", func(t *testing.T) {
		body := sample(t, "tolt-customer-created.json")
		hd := h.signed("tolt", body)
		hd.Set("svix-signature", "v1,Zm9vYmFyYmF6cXV4 v2,irrelevant "+hd.Get("svix-signature"))
		code, out := h.post("tolt", body, hd)
		if code != 200 {
			t.Fatalf("POST = %d %v", code, out)
		}
		wantCounts(t, out, 1, 0)
	})
	t.Run("stale timestamp", func(t *testing.T) {
		body := sample(t, "tolt-transaction-refunded.json")
		hd := h.signed("tolt", body)
		h.clock.Advance(5*time.Minute + time.Second)
		h.refused("tolt", body, hd)
		h.clock.Advance(-10*time.Minute - 2*time.Second) // from the future
		h.refused("tolt", body, hd)
		h.clock.Advance(5*time.Minute + time.Second)
	})
	t.Run("missing header", func(t *testing.T) {
		body := sample(t, "tolt-transaction-refunded.json")
		for _, name := range []string{"svix-id", "svix-timestamp", "svix-signature"} {
			hd := h.signed("tolt", body)
			hd.Del(name)
			h.refused("tolt", body, hd)
		}
	})
	t.Run("bad signature", func(t *testing.T) {
		body := sample(t, "tolt-transaction-refunded.json")
		hd := h.signed("tolt", body)
		hd.Set("svix-id", "msg_another")
		h.refused("tolt", body, hd)
	})
	t.Run("refund", func(t *testing.T) {
		wantCounts(t, h.deliver("tolt", sample(t, "tolt-transaction-refunded.json"), 200), 1, 0)
		if got := h.totals("janko"); got.Refunds != 1 || got.RefundAmount != 14999 {
			t.Fatalf("totals = %+v, want 1 refund of 149.99", got)
		}
	})
}

// The example of docs.svix.com "Verifying payloads manually", with its
// published secret and signature.
func TestSvixPublishedExample(t *testing.T) {
	clock := bot.NewManualClock(time.Unix(1614265330, 0))
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{Clock: clock, Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rcv := hooks.New(hooks.Options{Store: st, Clock: clock, Logger: quiet, Secrets: map[string]string{"tolt": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}})
	body := []byte(`{"test": 2432232314}`)
	post := func(sig string) int {
		req := httptest.NewRequest("POST", "/hooks/tolt", bytes.NewReader(body))
		req.SetPathValue("platform", "tolt")
		req.Header.Set("svix-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
		req.Header.Set("svix-timestamp", "1614265330")
		req.Header.Set("svix-signature", sig)
		rec := httptest.NewRecorder()
		rcv.ServeHTTP(rec, req)
		return rec.Code
	}
	// A good signature on a body that is no Tolt event: kept (parked as
	// invalid), never refused.
	if code := post("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="); code != http.StatusAccepted {
		t.Fatalf("published example = %d, want 202 (verified, parked)", code)
	}
	if code := post("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF="); code != http.StatusUnauthorized {
		t.Fatalf("altered signature = %d, want 401", code)
	}
}

func TestStripe(t *testing.T) {
	h := newHarness(t)
	checkout := sample(t, "stripe-checkout-session-completed.json")
	t.Run("checkout sale attributed by client_reference_id", func(t *testing.T) {
		wantCounts(t, h.deliver("stripe", checkout, 200), 1, 0)
		wantCounts(t, h.deliver("stripe", checkout, 200), 0, 1)
		if got := h.totals("janko"); got.Sales != 1 || got.SalesAmount != 2198 {
			t.Fatalf("totals = %+v, want 1 sale of 21.98", got)
		}
	})
	t.Run("partial refund reverses the checkout's payment", func(t *testing.T) {
		wantCounts(t, h.deliver("stripe", sample(t, "stripe-charge-refunded.json"), 200), 1, 0)
		if got := h.totals("janko"); got.Refunds != 1 || got.RefundAmount != 1000 {
			t.Fatalf("totals = %+v, want 1 refund of 10.00", got)
		}
	})
	t.Run("several v1 signatures while a secret rolls", func(t *testing.T) {
		body := bytes.Replace(checkout, []byte("evt_1MtwCELkdIwHu7ixeKqgh7ZQ"), []byte("evt_second"), 1)
		body = bytes.Replace(body, []byte("pi_3MtwBwLkdIwHu7ix28a3tqPa"), []byte("pi_second"), 1)
		hd := h.signed("stripe", body)
		ts := strconv.FormatInt(h.clock.Now().Unix(), 10)
		hd.Set("Stripe-Signature", "t="+ts+",v1="+hexMAC([]byte("whsec_old"), []byte(ts+"."+string(body)))+","+strings.TrimPrefix(hd.Get("Stripe-Signature"), "t="+ts+",")+",v0=abc")
		code, out := h.post("stripe", body, hd)
		if code != 200 {
			t.Fatalf("POST = %d %v", code, out)
		}
		wantCounts(t, out, 1, 0)
	})
	t.Run("a checkout naming nobody is ignored", func(t *testing.T) {
		body := bytes.Replace(checkout, []byte(`"client_reference_id": "janko2026"`), []byte(`"client_reference_id": null`), 1)
		body = bytes.Replace(body, []byte("evt_1MtwCELkdIwHu7ixeKqgh7ZQ"), []byte("evt_nobody"), 1)
		if out := h.deliver("stripe", body, 200); out["ignored"] != "checkout.session.completed" {
			t.Fatalf("answer = %v, want ignored", out)
		}
		if len(h.parked()) != 0 {
			t.Fatal("a sale naming nobody was parked")
		}
	})
	t.Run("stale timestamp", func(t *testing.T) {
		hd := h.signed("stripe", checkout)
		h.clock.Advance(6 * time.Minute)
		defer h.clock.Advance(-6 * time.Minute)
		h.refused("stripe", checkout, hd)
	})
	t.Run("bad signature", func(t *testing.T) {
		hd := h.signed("stripe", checkout)
		hd.Set("Stripe-Signature", strings.Replace(hd.Get("Stripe-Signature"), "v1=", "v1=00", 1))
		h.refused("stripe", checkout, hd)
		hd.Set("Stripe-Signature", "v1="+hexMAC([]byte(stripeSecret), checkout)) // no t=
		h.refused("stripe", checkout, hd)
	})
	t.Run("missing header", func(t *testing.T) {
		h.refused("stripe", checkout, http.Header{})
	})
}

func TestShopify(t *testing.T) {
	h := newHarness(t)
	order := sample(t, "shopify-orders-paid.json")
	t.Run("order attributed by its discount code", func(t *testing.T) {
		wantCounts(t, h.deliver("shopify", order, 200, "X-Shopify-Topic", "orders/paid"), 1, 0)
		wantCounts(t, h.deliver("shopify", order, 200, "X-Shopify-Topic", "orders/paid"), 0, 1)
		if got := h.totals("janko"); got.Sales != 1 || got.SalesAmount != 40300 {
			t.Fatalf("totals = %+v, want 1 sale of 403.00", got)
		}
	})
	t.Run("refund", func(t *testing.T) {
		wantCounts(t, h.deliver("shopify", sample(t, "shopify-refunds-create.json"), 200, "X-Shopify-Topic", "refunds/create"), 1, 0)
		if got := h.totals("janko"); got.Refunds != 1 || got.RefundAmount != 4194 {
			t.Fatalf("totals = %+v, want 1 refund of 41.94", got)
		}
	})
	t.Run("bad signature", func(t *testing.T) {
		hd := h.signed("shopify", order, "X-Shopify-Topic", "orders/paid")
		hd.Set("X-Shopify-Hmac-SHA256", b64MAC([]byte("wrong"), order))
		h.refused("shopify", order, hd)
	})
	t.Run("missing header", func(t *testing.T) {
		h.refused("shopify", order, http.Header{"X-Shopify-Topic": {"orders/paid"}})
	})
	t.Run("nobody's orders and their refunds ignored, not parked", func(t *testing.T) {
		other := bytes.Replace(order, []byte("820982911946154508"), []byte("820982911946154777"), -1)
		other = bytes.Replace(other, []byte(`"code": "TENOFF"`), []byte(`"code": "BLACKFRIDAY"`), 1)
		if out := h.deliver("shopify", other, http.StatusAccepted, "X-Shopify-Topic", "orders/paid"); out["parked"] != store.ParkUnmatched {
			t.Fatalf("an order with an unknown discount code = %v, want parked", out)
		}
		noCode := bytes.Replace(order, []byte("820982911946154508"), []byte("820982911946154999"), -1)
		noCode = bytes.Replace(noCode, []byte(`"code": "TENOFF"`), []byte(`"code": ""`), 1)
		if out := h.deliver("shopify", noCode, 200, "X-Shopify-Topic", "orders/paid"); out["ignored"] != "orders/paid" {
			t.Fatalf("an order naming nobody = %v, want ignored", out)
		}
		refund := bytes.Replace(sample(t, "shopify-refunds-create.json"), []byte("820982911946154508"), []byte("820982911946154999"), -1)
		refund = bytes.Replace(refund, []byte("890088186047892319"), []byte("890088186047892999"), -1)
		if out := h.deliver("shopify", refund, 200, "X-Shopify-Topic", "refunds/create"); out["ignored"] != "refunds/create" {
			t.Fatalf("a refund of an order never counted = %v, want ignored", out)
		}
		// A refund of an order that is parked waits beside it, and both
		// go in once the coupon is given to a partner.
		refund = bytes.Replace(refund, []byte("820982911946154999"), []byte("820982911946154777"), -1)
		if out := h.deliver("shopify", refund, http.StatusAccepted, "X-Shopify-Topic", "refunds/create"); out["parked"] != store.ParkUnmatched {
			t.Fatalf("a refund of a parked order = %v, want parked", out)
		}
		ola := &bot.Partner{ID: "ola", Name: "Ola", Coupons: []string{"blackfriday"}}
		if _, err := h.st.PutPartner(context.Background(), ola); err != nil {
			t.Fatal(err)
		}
		if applied, left, err := h.rcv.Reapply(context.Background()); err != nil || applied != 2 || left != 0 {
			t.Fatalf("Reapply = %d, %d, %v; want both applied", applied, left, err)
		}
		if got := h.totals("ola"); got.Sales != 1 || got.Refunds != 1 || got.RefundAmount != 4194 {
			t.Fatalf("ola's totals = %+v", got)
		}
	})
	t.Run("other topics ignored", func(t *testing.T) {
		if out := h.deliver("shopify", order, 200, "X-Shopify-Topic", "orders/updated"); out["ignored"] != "orders/updated" {
			t.Fatalf("answer = %v, want ignored", out)
		}
	})
}

func TestRouteWithoutSecretIs404(t *testing.T) {
	h := newHarness(t)
	rcv := hooks.New(hooks.Options{Store: h.st, Clock: h.clock, Logger: quiet, Secrets: map[string]string{"dub": dubSecret}})
	mux := http.NewServeMux()
	mux.Handle("POST /hooks/{platform}", rcv)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for platform, want := range map[string]int{"dub": 401, "stripe": 404, "shopify": 404, "nosuch": 404} {
		resp, err := http.Post(srv.URL+"/hooks/"+platform, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("POST /hooks/%s = %d, want %d", platform, resp.StatusCode, want)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	h := newHarness(t)
	rcv := hooks.New(hooks.Options{Store: h.st, Clock: h.clock, Logger: quiet, Secrets: map[string]string{"dub": dubSecret}, MaxBody: 512})
	body := sample(t, "dub-sale-created.json")
	req := httptest.NewRequest("POST", "/hooks/dub", bytes.NewReader(body))
	req.SetPathValue("platform", "dub")
	req.Header = h.signed("dub", body)
	rec := httptest.NewRecorder()
	rcv.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || h.events() != 0 {
		t.Fatalf("oversized body = %d, events %d; want 413 and nothing stored", rec.Code, h.events())
	}
}

// Concurrent deliveries share commits; each is answered only after its
// own was committed, so every answered one is there.
func TestConcurrentDeliveries(t *testing.T) {
	h := newHarness(t)
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := []byte(fmt.Sprintf(`{"id":"evt_c%d","event":"sale.created","createdAt":"2025-03-01T10:00:00Z","data":{"link":{"partnerId":"pn_cm0lcuvtz000xcutmqw4a7wi3"},"sale":{"amount":%d,"currency":"usd"}}}`, i, 100+i))
			switch i % 10 {
			case 0: // no such partner: parked before the commit
				body = []byte(fmt.Sprintf(`{"id":"evt_u%d","event":"sale.created","createdAt":"2025-03-01T10:00:00Z","data":{"link":{"partnerId":"pn_nobody"},"sale":{"amount":5,"currency":"usd"}}}`, i))
			case 5: // no EUR rate: fails inside a shared commit, which runs again without it
				body = []byte(fmt.Sprintf(`{"id":"evt_e%d","event":"sale.created","createdAt":"2025-03-01T10:00:00Z","data":{"link":{"partnerId":"pn_cm0lcuvtz000xcutmqw4a7wi3"},"sale":{"amount":7,"currency":"eur"}}}`, i))
			}
			code, out := h.post("dub", body, h.signed("dub", body))
			if code != 200 && code != 202 {
				errs <- fmt.Sprintf("delivery %d: %d %v", i, code, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	var want bot.Amount
	for i := range n {
		if i%10 != 0 && i%10 != 5 {
			want += bot.Amount(100 + i)
		}
	}
	if got := h.events(); got != n-2*n/10 {
		t.Fatalf("events = %d, want %d", got, n-2*n/10)
	}
	if got := h.totals("janko"); got.SalesAmount != want {
		t.Fatalf("turnover = %v, want %v: each stored delivery once", got.SalesAmount, want)
	}
	if got := len(h.parked()); got != 2*n/10 {
		t.Fatalf("parked = %d, want %d", got, 2*n/10)
	}
}

// commissions returns a partner's commission as of a day.
func (h *harness) commissions(partner, day string) bot.Commissions {
	h.t.Helper()
	c, err := h.st.Commissions(context.Background(), partner, bot.MustDate(day))
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

func (h *harness) setRate(code, rate string) {
	h.t.Helper()
	r, err := bot.ParseRate(rate)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.st.SetRate(context.Background(), bot.ExchangeRate{Currency: code, Rate: r}); err != nil {
		h.t.Fatal(err)
	}
}

func TestCommissionStates(t *testing.T) {
	h := newHarness(t)
	t.Run("Dub commission created is pending", func(t *testing.T) {
		wantCounts(t, h.deliver("dub", sample(t, "dub-commission-created.json"), 200), 1, 0)
		if got := h.commissions("matt", "2025-07-20"); got.Pending != 10000 || got.Approved != 0 {
			t.Fatalf("commissions = %+v, want 100.00 pending", got)
		}
		if got := h.commissions("matt", "2025-11-20"); got.Approved != 10000 {
			t.Fatalf("commissions = %+v after the hold, want 100.00 approved", got)
		}
	})
	t.Run("Rewardful commission voided", func(t *testing.T) {
		wantCounts(t, h.deliver("rewardful", sample(t, "rewardful-commission-created.json"), 200), 1, 0)
		if got := h.commissions("janko", "2020-08-20"); got.Pending != 3000 {
			t.Fatalf("commissions = %+v, want 30.00 pending", got)
		}
		wantCounts(t, h.deliver("rewardful", sample(t, "rewardful-commission-voided.json"), 200), 1, 0)
		wantCounts(t, h.deliver("rewardful", sample(t, "rewardful-commission-voided.json"), 200), 0, 1)
		if got := h.commissions("janko", "2030-01-01"); got.Pending != 0 || got.Approved != 0 {
			t.Fatalf("commissions = %+v after the void, want nothing pending or approved", got)
		}
	})
	t.Run("Rewardful commission approved early by the platform, counted once", func(t *testing.T) {
		h := newHarness(t)
		created := sample(t, "rewardful-commission-created.json")
		wantCounts(t, h.deliver("rewardful", created, 200), 1, 0)
		due := bytes.Replace(created, []byte(`"state": "pending"`), []byte(`"state": "due"`), 1)
		due = bytes.Replace(due, []byte(`"type": "commission.created"`), []byte(`"type": "commission.updated"`), 1)
		due = bytes.Replace(due, []byte("0c5b9e22-8f41-4d3a-b6e7-91a2f3c4d5e6"), []byte("0c5b9e22-8f41-4d3a-b6e7-91a2f3c4d5e7"), 1)
		wantCounts(t, h.deliver("rewardful", due, 200), 1, 0)
		if got := h.commissions("janko", "2020-08-20"); got.Pending != 0 || got.Approved != 3000 {
			t.Fatalf("commissions = %+v, want 30.00 approved once", got)
		}
	})
	t.Run("Tolt commission rejected, attributed through its transaction", func(t *testing.T) {
		h := newHarness(t)
		wantCounts(t, h.deliver("tolt", sample(t, "tolt-transaction-created.json"), 200), 1, 0)
		wantCounts(t, h.deliver("tolt", sample(t, "tolt-commission-created.json"), 200), 1, 0)
		if got := h.commissions("janko", "2025-04-26"); got.Pending != 2999 {
			t.Fatalf("commissions = %+v, want 29.99 pending", got)
		}
		wantCounts(t, h.deliver("tolt", sample(t, "tolt-commission-rejected.json"), 200), 1, 0)
		if got := h.commissions("janko", "2030-01-01"); got.Pending != 0 || got.Approved != 0 {
			t.Fatalf("commissions = %+v after the rejection, want nothing", got)
		}
	})
}

func TestForeignCurrency(t *testing.T) {
	h := newHarness(t)
	order := bytes.Replace(sample(t, "shopify-orders-paid.json"), []byte(`"currency": "USD"`), []byte(`"currency": "EUR"`), 1)
	out := h.deliver("shopify", order, http.StatusAccepted, "X-Shopify-Topic", "orders/paid")
	if out["parked"] != store.ParkNoRate {
		t.Fatalf("answer = %v, want parked for want of a rate", out)
	}
	if h.events() != 0 {
		t.Fatal("a sale without a rate was stored")
	}
	h.setRate("EUR", "1.08")
	if applied, left, err := h.rcv.Reapply(context.Background()); err != nil || applied != 1 || left != 0 {
		t.Fatalf("Reapply = %d, %d, %v; want 1 applied", applied, left, err)
	}
	if got := h.totals("janko"); got.Sales != 1 || got.SalesAmount != 43524 {
		t.Fatalf("totals = %+v, want 1 sale of 403.00 EUR = 435.24 USD", got)
	}
	evs, err := h.st.PartnerEvents(context.Background(), "janko", time.Time{}, h.clock.Now(), bot.EventSale)
	if err != nil || len(evs) != 1 || evs[0].Currency != "EUR" || evs[0].OrigAmount != 40300 {
		t.Fatalf("stored = %+v, %v; want the original 403.00 EUR kept", evs, err)
	}
}

func TestJPY(t *testing.T) {
	h := newHarness(t)
	body := sample(t, "stripe-invoice-paid-jpy.json")
	if out := h.deliver("stripe", body, http.StatusAccepted); out["parked"] != store.ParkNoRate {
		t.Fatalf("answer = %v, want parked for want of a rate", out)
	}
	h.setRate("JPY", "0.0067")
	if applied, _, err := h.rcv.Reapply(context.Background()); err != nil || applied != 1 {
		t.Fatalf("Reapply = %d, %v", applied, err)
	}
	// ¥120,000 has no minor unit: 120000 × 0.0067 = 804.00 USD.
	if got := h.totals("janko"); got.SalesAmount != 80400 {
		t.Fatalf("turnover = %v, want 804.00", got.SalesAmount)
	}
}
