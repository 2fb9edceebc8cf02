package hooks

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// Shopify. Signature: X-Shopify-Hmac-SHA256, the base64 HMAC-SHA256 of
// the raw body with the app's client secret. The topic comes in
// X-Shopify-Topic, which is not signed, and the delivery ids in headers
// are not signed either: dedupe keys come from the signed body (order
// and refund ids). Money is decimal strings in the shop's currency.
func init() {
	register(&connector{
		name:    "shopify",
		env:     "SHOPIFY_WEBHOOK_SECRET",
		headers: []string{"X-Shopify-Topic"},
		verify:  base64HMAC("X-Shopify-Hmac-SHA256"),
		parse:   parseShopify,
	})
}

type shopifyOrder struct {
	ID            flexID `json:"id"`
	Currency      string `json:"currency"`
	TotalPrice    string `json:"total_price"`
	CreatedAt     string `json:"created_at"`
	ProcessedAt   string `json:"processed_at"`
	LandingSite   string `json:"landing_site"`
	DiscountCodes []struct {
		Code string `json:"code"`
	} `json:"discount_codes"`
	NoteAttributes []struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	} `json:"note_attributes"`
}

type shopifyRefund struct {
	ID           flexID `json:"id"`
	OrderID      flexID `json:"order_id"`
	CreatedAt    string `json:"created_at"`
	ProcessedAt  string `json:"processed_at"`
	Transactions []struct {
		Amount   string `json:"amount"`
		Currency string `json:"currency"`
		Kind     string `json:"kind"`
		Status   string `json:"status"`
	} `json:"transactions"`
}

// landingRef is the ref parameter of the page the customer landed on:
// what the /r/ redirect adds.
func landingRef(site string) string {
	u, err := url.Parse(site)
	if err != nil {
		return ""
	}
	return u.Query().Get("ref")
}

// shopifyTime is when an order or refund was processed, or else created.
func shopifyTime(processed, created string) (time.Time, error) {
	if processed == "" {
		processed = created
	}
	return when(processed, "processed_at")
}

func parseShopify(h http.Header, body []byte) (*Delivery, error) {
	topic := h.Get("X-Shopify-Topic")
	switch topic {
	case "orders/paid":
		var o shopifyOrder
		if err := decodeBody(body, &o, "a Shopify order"); err != nil {
			return nil, err
		}
		if o.ID == "" {
			return nil, bot.FieldError("id", "a Shopify order without an id")
		}
		d := &Delivery{Key: "shopify:order:" + string(o.ID), Type: topic}
		for _, dc := range o.DiscountCodes {
			if dc.Code != "" {
				d.Match = append(d.Match, coupon(dc.Code), code(dc.Code))
			}
		}
		for _, na := range o.NoteAttributes {
			if s, ok := na.Value.(string); ok && strings.EqualFold(na.Name, "ref") && s != "" {
				d.Match = append(d.Match, code(s), coupon(s))
			}
		}
		if ref := landingRef(o.LandingSite); ref != "" {
			d.Match = append(d.Match, code(ref), coupon(ref))
		}
		if len(d.Match) == 0 {
			d.Ignore, d.Why = true, "names no discount code or ref"
			return d, nil
		}
		at, err := shopifyTime(o.ProcessedAt, o.CreatedAt)
		if err != nil {
			return nil, err
		}
		e := bot.Event{ID: "shopify:" + string(o.ID), Type: bot.EventSale, At: at}
		if e.Amount, e.Currency, err = decimalMoney(o.TotalPrice, o.Currency); err != nil {
			return nil, err
		}
		if e.Amount <= 0 {
			d.Ignore = true // a free order: no turnover
			return d, nil
		}
		d.Events = []bot.Event{e}
		return d, nil
	case "refunds/create":
		var r shopifyRefund
		if err := decodeBody(body, &r, "a Shopify refund"); err != nil {
			return nil, err
		}
		if r.ID == "" || r.OrderID == "" {
			return nil, bot.FieldError("id", "a Shopify refund without an id or order_id")
		}
		d := &Delivery{Key: "shopify:refund:" + string(r.ID), Type: topic}
		ref := "shopify:" + string(r.OrderID)
		d.Match = []store.Match{event(ref)}
		d.RefundOf = ref
		at, err := shopifyTime(r.ProcessedAt, r.CreatedAt)
		if err != nil {
			return nil, err
		}
		e := bot.Event{ID: "shopify:refund:" + string(r.ID), Type: bot.EventRefund, At: at, Ref: ref}
		for _, t := range r.Transactions {
			if t.Kind != "refund" || t.Status != "success" {
				continue
			}
			a, cur, err := decimalMoney(t.Amount, t.Currency)
			if err != nil {
				return nil, err
			}
			if e.Currency != "" && cur != e.Currency {
				return nil, bot.FieldError("transactions", "a refund in two currencies (%s, %s)", e.Currency, cur)
			}
			e.Amount += a
			e.Currency = cur
		}
		if e.Amount <= 0 {
			d.Ignore = true // a restock or a note: no money back
			return d, nil
		}
		d.Events = []bot.Event{e}
		return d, nil
	case "":
		return nil, bot.Errorf(bot.EINVALID, "a Shopify webhook without X-Shopify-Topic")
	}
	return &Delivery{Key: "shopify:" + topic, Type: topic, Ignore: true}, nil
}
