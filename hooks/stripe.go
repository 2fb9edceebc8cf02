package hooks

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// Stripe. Signature: Stripe-Signature "t=<unix>,v1=<hex>[,v1=…][,v0=…]",
// each v1 the hex HMAC-SHA256 of "t.body" keyed with the whole endpoint
// secret ("whsec_…"); any one v1 may match (several while a secret is
// rolled), and t must be within 5 minutes. Amounts are minor units with
// Stripe's own exponent (zero-decimal JPY, KRW, …; three-decimal KWD, …).
func init() {
	register(&connector{
		name:   "stripe",
		env:    "STRIPE_WEBHOOK_SECRET",
		verify: verifyStripe,
		parse:  parseStripe,
	})
}

// stripeHeader splits a Stripe-Signature header into its timestamp and
// its v1 signatures. ok is false when there is no usable timestamp.
func stripeHeader(header string) (t int64, v1 [][]byte, ok bool) {
	for _, part := range strings.Split(header, ",") {
		k, v, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			continue
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, nil, false
			}
			t, ok = n, true
		case "v1":
			if b, err := hex.DecodeString(v); err == nil && len(b) > 0 {
				v1 = append(v1, b)
			}
		}
	}
	if !ok {
		return 0, nil, false
	}
	return t, v1, ok
}

func verifyStripe(secret string, h http.Header, body []byte, now time.Time) error {
	header := h.Get("Stripe-Signature")
	if header == "" {
		return errUnsigned
	}
	t, sigs, ok := stripeHeader(header)
	if !ok || len(sigs) == 0 {
		return errBadSignature
	}
	if err := fresh(t, now); err != nil {
		return err
	}
	if !anyHMAC(sigs, []byte(secret), []byte(strconv.FormatInt(t, 10)), []byte("."), body) {
		return errBadSignature
	}
	return nil
}

type stripeEvent struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Created int64  `json:"created"`
	Data    struct {
		Object   json.RawMessage `json:"object"`
		Previous json.RawMessage `json:"previous_attributes"`
	} `json:"data"`
}

// stripeRef is an id, or the object it names when expanded.
type stripeRef struct {
	ID   string
	Code string // a promotion code's customer-facing code, when expanded
}

func (r *stripeRef) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &r.ID)
	}
	if string(b) == "null" {
		return nil
	}
	var o struct {
		ID   string `json:"id"`
		Code string `json:"code"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	r.ID, r.Code = o.ID, o.Code
	return nil
}

type stripeDiscount struct {
	Coupon        *stripeRef `json:"coupon"`
	PromotionCode *stripeRef `json:"promotion_code"`
}

func (d *stripeDiscount) matches() []store.Match {
	var ms []store.Match
	for _, r := range []*stripeRef{d.PromotionCode, d.Coupon} {
		if r == nil {
			continue
		}
		if r.Code != "" {
			ms = append(ms, coupon(r.Code))
		}
		if r.ID != "" {
			ms = append(ms, coupon(r.ID))
		}
	}
	return ms
}

type stripeMetadata map[string]string

// refMatches: a referral code or coupon given as client_reference_id or
// metadata.ref.
func refMatches(vals ...string) []store.Match {
	var ms []store.Match
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			ms = append(ms, code(v), coupon(v))
		}
	}
	return ms
}

type stripeSession struct {
	ID                string           `json:"id"`
	Mode              string           `json:"mode"`
	PaymentStatus     string           `json:"payment_status"`
	AmountTotal       cents            `json:"amount_total"`
	Currency          string           `json:"currency"`
	ClientReferenceID string           `json:"client_reference_id"`
	Metadata          stripeMetadata   `json:"metadata"`
	PaymentIntent     stripeRef        `json:"payment_intent"`
	Invoice           stripeRef        `json:"invoice"`
	Discounts         []stripeDiscount `json:"discounts"`
}

type stripeInvoice struct {
	ID                string          `json:"id"`
	AmountPaid        cents           `json:"amount_paid"`
	Currency          string          `json:"currency"`
	Metadata          stripeMetadata  `json:"metadata"`
	Discount          *stripeDiscount `json:"discount"`
	Discounts         []stripeRef     `json:"discounts"`
	StatusTransitions struct {
		PaidAt int64 `json:"paid_at"`
	} `json:"status_transitions"`
	SubscriptionDetails *struct {
		Metadata stripeMetadata `json:"metadata"`
	} `json:"subscription_details"`
	Parent *struct {
		SubscriptionDetails *struct {
			Metadata stripeMetadata `json:"metadata"`
		} `json:"subscription_details"`
	} `json:"parent"`
}

type stripeCharge struct {
	ID             string         `json:"id"`
	AmountRefunded cents          `json:"amount_refunded"`
	Currency       string         `json:"currency"`
	Metadata       stripeMetadata `json:"metadata"`
	PaymentIntent  stripeRef      `json:"payment_intent"`
	Invoice        stripeRef      `json:"invoice"`
}

func parseStripe(_ http.Header, body []byte) (*Delivery, error) {
	var ev stripeEvent
	if err := decodeBody(body, &ev, "a Stripe event"); err != nil {
		return nil, err
	}
	if ev.ID == "" || ev.Type == "" {
		return nil, bot.Errorf(bot.EINVALID, "not a Stripe event: no id or type")
	}
	d := &Delivery{Key: "stripe:" + ev.ID, Type: ev.Type}
	at := time.Unix(ev.Created, 0).UTC()
	var err error
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded":
		var s stripeSession
		if err := decodeObject(ev.Data.Object, &s, "Stripe", ev.Type); err != nil {
			return nil, err
		}
		if s.PaymentStatus != "paid" || s.AmountTotal.V <= 0 {
			d.Ignore, d.Why = true, "not paid yet (async_payment_succeeded follows), or free"
			return d, nil
		}
		// A subscription's first invoice is the same money as its
		// checkout: one ledger id for both, so it is counted once.
		id := "stripe:" + s.ID
		switch {
		case s.Mode == "subscription" && s.Invoice.ID != "":
			id = "stripe:" + s.Invoice.ID
		case s.PaymentIntent.ID != "":
			id = "stripe:" + s.PaymentIntent.ID
		}
		d.Match = refMatches(s.ClientReferenceID, s.Metadata["ref"])
		for i := range s.Discounts {
			d.Match = append(d.Match, s.Discounts[i].matches()...)
		}
		if len(d.Match) == 0 {
			d.Ignore, d.Why = true, "names no referral code, ref or promotion code"
			return d, nil
		}
		e := bot.Event{ID: id, Type: bot.EventSale, At: at}
		if e.Amount, e.Currency, err = stripeMoney(s.AmountTotal.V, s.Currency); err != nil {
			return nil, err
		}
		d.Events = []bot.Event{e}
	case "invoice.paid":
		var in stripeInvoice
		if err := decodeObject(ev.Data.Object, &in, "Stripe", ev.Type); err != nil {
			return nil, err
		}
		if in.ID == "" {
			return nil, bot.FieldError("data.object.id", "a Stripe invoice without an id")
		}
		if in.AmountPaid.V <= 0 {
			d.Ignore = true // a trial or fully discounted invoice: no sale
			return d, nil
		}
		refs := []string{in.Metadata["ref"]}
		if in.SubscriptionDetails != nil {
			refs = append(refs, in.SubscriptionDetails.Metadata["ref"])
		}
		if in.Parent != nil && in.Parent.SubscriptionDetails != nil {
			refs = append(refs, in.Parent.SubscriptionDetails.Metadata["ref"])
		}
		d.Match = refMatches(refs...)
		if in.Discount != nil {
			d.Match = append(d.Match, in.Discount.matches()...)
		}
		if len(d.Match) == 0 {
			// A renewal counts when the subscription carries metadata.ref;
			// a first invoice is counted through its checkout session.
			d.Ignore, d.Why = true, "names no ref or promotion code"
			return d, nil
		}
		e := bot.Event{ID: "stripe:" + in.ID, Type: bot.EventSale, At: at}
		if in.StatusTransitions.PaidAt > 0 {
			e.At = time.Unix(in.StatusTransitions.PaidAt, 0).UTC()
		}
		if e.Amount, e.Currency, err = stripeMoney(in.AmountPaid.V, in.Currency); err != nil {
			return nil, err
		}
		d.Events = []bot.Event{e}
	case "charge.refunded":
		var c stripeCharge
		if err := decodeObject(ev.Data.Object, &c, "Stripe", ev.Type); err != nil {
			return nil, err
		}
		var prev struct {
			AmountRefunded cents `json:"amount_refunded"`
		}
		if len(ev.Data.Previous) > 0 {
			if err := decodeObject(ev.Data.Previous, &prev, "Stripe", ev.Type); err != nil {
				return nil, err
			}
		}
		// amount_refunded is cumulative: this refund is what it grew by.
		v := c.AmountRefunded.V - prev.AmountRefunded.V
		if v <= 0 {
			d.Ignore = true
			return d, nil
		}
		ref := "stripe:" + c.ID
		switch {
		case c.Invoice.ID != "":
			ref = "stripe:" + c.Invoice.ID
		case c.PaymentIntent.ID != "":
			ref = "stripe:" + c.PaymentIntent.ID
		}
		d.Match = append([]store.Match{event(ref)}, refMatches(c.Metadata["ref"])...)
		d.RefundOf = ref
		e := bot.Event{ID: d.Key, Type: bot.EventRefund, At: at, Ref: ref}
		if e.Amount, e.Currency, err = stripeMoney(v, c.Currency); err != nil {
			return nil, err
		}
		d.Events = []bot.Event{e}
	default:
		d.Ignore = true
	}
	return d, nil
}
