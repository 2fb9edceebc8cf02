package hooks_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/referral"
)

// The loop a partner's link closes: a customer clicks /r/CODE, lands on
// the shop with ?ref=CODE, buys; the shop's webhook brings the sale back
// to the partner, and the partner's stats (what /mystats reads) show both.
func TestReferralLoop(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	p, err := h.st.Partner(ctx, "janko")
	if err != nil {
		t.Fatal(err)
	}
	p.LandingURL = "https://shop.example/kolekcja?utm_source=partner"
	p.Coupons = nil // attribution must come from the link alone
	if _, err := h.st.PutPartner(ctx, p); err != nil {
		t.Fatal(err)
	}
	h.mux.Handle("GET /r/{code}", &referral.Redirect{Store: h.st, Clock: h.clock, Location: time.UTC, DefaultLanding: "https://shop.example/", Logger: quiet})

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", h.srv.URL+"/r/"+p.ReferralCode, nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	landing, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || landing.Host != "shop.example" {
		t.Fatalf("redirect = %d to %q, want 302 to the landing page", resp.StatusCode, resp.Header.Get("Location"))
	}
	ref := landing.Query().Get("ref")
	if ref != p.ReferralCode {
		t.Fatalf("landing URL %s hands ref=%q, want the partner's code %q", landing, ref, p.ReferralCode)
	}

	// The shop records the page the customer landed on (landing_site)
	// and the order is paid.
	var order map[string]any
	if err := json.Unmarshal(sample(t, "shopify-orders-paid.json"), &order); err != nil {
		t.Fatal(err)
	}
	order["id"] = json.Number("5608742830248")
	order["discount_codes"] = []any{}
	order["landing_site"] = landing.RequestURI()
	order["processed_at"] = h.clock.Now().Format(time.RFC3339)
	body, _ := json.Marshal(order)
	wantCounts(t, h.deliver("shopify", body, 200, "X-Shopify-Topic", "orders/paid"), 1, 0)

	today := bot.DateOf(h.clock.Now(), time.UTC)
	period, err := bot.ParsePeriod("month", today)
	if err != nil {
		t.Fatal(err)
	}
	st, err := h.st.Stats(ctx, "janko", period, today, bot.Currency{Code: "USD", Digits: 2})
	if err != nil {
		t.Fatal(err)
	}
	if st.Current.Clicks != 1 || st.Current.Sales != 1 || st.Current.SalesAmount != 40300 {
		t.Fatalf("stats = %+v, want the click and the 403.00 sale", st.Current)
	}
}
