package hooks

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every payload parser takes any bytes a verified sender might send
// without panicking, and what it accepts has a key and well-formed events.

func seed(f *testing.F, prefix string) {
	names, _ := filepath.Glob(filepath.Join("testdata", prefix+"*.json"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"id":"evt_1","event":"sale.created","createdAt":"2025-01-01T00:00:00Z","data":{"link":{"partnerId":"p"},"sale":{"amount":"12","currency":"jpy"}}}`))
}

func checkParsed(t *testing.T, d *Delivery, err error) {
	if err != nil {
		return
	}
	if d.Key == "" {
		t.Fatal("a delivery without a key")
	}
	if d.Ignore {
		return
	}
	for _, e := range d.Events {
		if e.ID == "" || !e.Type.Valid() || e.At.IsZero() {
			t.Fatalf("malformed event %+v", e)
		}
	}
}

func fuzzParser(f *testing.F, prefix string, parse func(http.Header, []byte) (*Delivery, error), h http.Header) {
	seed(f, prefix)
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := parse(h, body)
		checkParsed(t, d, err)
	})
}

func FuzzParseDub(f *testing.F)       { fuzzParser(f, "dub-", parseDub, nil) }
func FuzzParseRewardful(f *testing.F) { fuzzParser(f, "rewardful-", parseRewardful, nil) }
func FuzzParseTolt(f *testing.F) {
	fuzzParser(f, "tolt-", parseTolt, http.Header{"Svix-Id": {"msg_1"}})
}
func FuzzParseStripe(f *testing.F) { fuzzParser(f, "stripe-", parseStripe, nil) }

func FuzzParseShopify(f *testing.F) {
	seed(f, "shopify-")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, topic := range []string{"orders/paid", "refunds/create"} {
			d, err := parseShopify(http.Header{"X-Shopify-Topic": {topic}}, body)
			checkParsed(t, d, err)
		}
	})
}

func FuzzStripeSignatureHeader(f *testing.F) {
	f.Add("t=1492774577,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd,v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39")
	f.Add("t=,v1=")
	f.Add(",,,=")
	f.Fuzz(func(t *testing.T, header string) {
		ts, sigs, ok := stripeHeader(header)
		if !ok && (ts != 0 || sigs != nil) {
			t.Fatalf("no timestamp but %d, %d signatures", ts, len(sigs))
		}
		hd := http.Header{"Stripe-Signature": {header}}
		if err := verifyStripe("whsec_x", hd, []byte("{}"), time.Unix(1492774577, 0)); err == nil {
			t.Fatalf("header %q verified a body it did not sign", header)
		}
	})
}

func FuzzSvixSignatureHeader(f *testing.F) {
	f.Add("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,bm9wZQ==")
	f.Add("v1, v2,abc ,,")
	f.Fuzz(func(t *testing.T, header string) {
		for _, s := range svixSignatures(header) {
			if len(s) == 0 && !strings.Contains(header, "v1,") {
				t.Fatal("a signature from no v1 entry")
			}
		}
		hd := http.Header{"Svix-Id": {"msg_1"}, "Svix-Timestamp": {"1614265330"}, "Svix-Signature": {header}}
		if err := verifySvix("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", hd, []byte("{}"), time.Unix(1614265330, 0)); err == nil {
			t.Fatalf("header %q verified a body it did not sign", header)
		}
	})
}
