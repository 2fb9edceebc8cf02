package hooks

import (
	"encoding/json"
	"net/http"
	"strings"

	"partnerbot/bot"
	"partnerbot/store"
)

// Rewardful. Signature: X-Rewardful-Signature, the hex HMAC-SHA256 of the
// raw body with the webhook's signing secret. Envelope: {object, event:
// {id, type, created_at}, request: {id}}; retries keep event.id and change
// request.id. Amounts are *_cents with an upper-case currency.
func init() {
	register(&connector{
		name:   "rewardful",
		env:    "REWARDFUL_WEBHOOK_SECRET",
		verify: hexHMAC("X-Rewardful-Signature"),
		parse:  parseRewardful,
	})
}

type rewardfulEnvelope struct {
	Object json.RawMessage `json:"object"`
	Event  struct {
		ID        string `json:"id"`
		Type      string `json:"type"`
		CreatedAt string `json:"created_at"`
	} `json:"event"`
}

type rewardfulRef struct {
	ID string `json:"id"`
}

type rewardfulSale struct {
	ID              string        `json:"id"`
	Currency        string        `json:"currency"`
	ChargedAt       string        `json:"charged_at"`
	RefundedAt      string        `json:"refunded_at"`
	SaleAmountCents cents         `json:"sale_amount_cents"`
	RefundCents     cents         `json:"refund_amount_cents"`
	Affiliate       *rewardfulRef `json:"affiliate"`
	Referral        *struct {
		Link *struct {
			Token string `json:"token"`
		} `json:"link"`
	} `json:"referral"`
}

type rewardfulCommission struct {
	ID        string         `json:"id"`
	Amount    cents          `json:"amount"`
	Currency  string         `json:"currency"`
	State     string         `json:"state"`
	CreatedAt string         `json:"created_at"`
	Sale      *rewardfulSale `json:"sale"`
	Affiliate *rewardfulRef  `json:"affiliate"`
}

type rewardfulReferral struct {
	ID        string        `json:"id"`
	Affiliate *rewardfulRef `json:"affiliate"`
	Link      *struct {
		Token string `json:"token"`
	} `json:"link"`
}

type rewardfulPayout struct {
	ID        string        `json:"id"`
	Amount    cents         `json:"amount"`
	Currency  string        `json:"currency"`
	PaidAt    string        `json:"paid_at"`
	Affiliate *rewardfulRef `json:"affiliate"`
}

func rewardfulAffiliate(refs ...*rewardfulRef) []store.Match {
	var ms []store.Match
	for _, r := range refs {
		if r != nil && r.ID != "" {
			ms = append(ms, ext("rewardful", r.ID))
		}
	}
	return ms
}

func rewardfulState(eventType, state string) bot.CommissionState {
	switch {
	case eventType == "commission.voided" || state == "voided":
		return bot.CommissionVoid
	case state == "due" || state == "paid" || eventType == "commission.paid":
		return bot.CommissionApproved
	}
	return bot.CommissionPending
}

func parseRewardful(_ http.Header, body []byte) (*Delivery, error) {
	var env rewardfulEnvelope
	if err := decodeBody(body, &env, "a Rewardful webhook"); err != nil {
		return nil, err
	}
	if env.Event.ID == "" || env.Event.Type == "" {
		return nil, bot.Errorf(bot.EINVALID, "not a Rewardful webhook: no event id or type")
	}
	typ := env.Event.Type
	d := &Delivery{Key: "rewardful:" + env.Event.ID, Type: typ}
	at, err := when(env.Event.CreatedAt, "event.created_at")
	if err != nil {
		return nil, err
	}
	switch {
	case typ == "sale.created" || typ == "sale.refunded":
		var s rewardfulSale
		if err := decodeObject(env.Object, &s, "Rewardful", typ); err != nil {
			return nil, err
		}
		if s.ID == "" {
			return nil, bot.FieldError("object.id", "a Rewardful sale without an id")
		}
		saleID := "rewardful:" + s.ID
		d.Match = rewardfulAffiliate(s.Affiliate)
		if s.Referral != nil && s.Referral.Link != nil && s.Referral.Link.Token != "" {
			d.Match = append(d.Match, code(s.Referral.Link.Token))
		}
		e := bot.Event{ID: saleID, Type: bot.EventSale, At: at}
		v, ts := s.SaleAmountCents.V, s.ChargedAt
		if typ == "sale.refunded" {
			e = bot.Event{ID: d.Key, Type: bot.EventRefund, At: at, Ref: saleID}
			v, ts = s.RefundCents.V, s.RefundedAt
			d.Match = append([]store.Match{event(saleID)}, d.Match...)
		}
		e.At = whenOr(ts, e.At)
		if e.Amount, e.Currency, err = isoMoney(v, s.Currency); err != nil {
			return nil, err
		}
		d.Events = []bot.Event{e}
	case typ == "referral.lead":
		var r rewardfulReferral
		if err := decodeObject(env.Object, &r, "Rewardful", typ); err != nil {
			return nil, err
		}
		d.Match = rewardfulAffiliate(r.Affiliate)
		if r.Link != nil && r.Link.Token != "" {
			d.Match = append(d.Match, code(r.Link.Token))
		}
		d.Events = []bot.Event{{ID: d.Key, Type: bot.EventSignup, At: at}}
	case strings.HasPrefix(typ, "commission.") && typ != "commission.deleted":
		var c rewardfulCommission
		if err := decodeObject(env.Object, &c, "Rewardful", typ); err != nil {
			return nil, err
		}
		if c.ID == "" {
			return nil, bot.FieldError("object.id", "a Rewardful commission without an id")
		}
		var saleAff *rewardfulRef
		if c.Sale != nil {
			saleAff = c.Sale.Affiliate
		}
		d.Match = rewardfulAffiliate(c.Affiliate, saleAff)
		e := bot.Event{ID: d.Key, Type: bot.EventCommission, At: at, Ref: "rewardful:" + c.ID, State: rewardfulState(typ, c.State)}
		if e.Commission, e.Currency, err = isoMoney(c.Amount.V, c.Currency); err != nil {
			return nil, err
		}
		d.Events = []bot.Event{e}
	case typ == "payout.paid":
		var p rewardfulPayout
		if err := decodeObject(env.Object, &p, "Rewardful", typ); err != nil {
			return nil, err
		}
		if p.ID == "" {
			return nil, bot.FieldError("object.id", "a Rewardful payout without an id")
		}
		d.Match = rewardfulAffiliate(p.Affiliate)
		e := bot.Event{ID: "rewardful:" + p.ID, Type: bot.EventPayout, At: at}
		e.At = whenOr(p.PaidAt, e.At)
		if e.Amount, e.Currency, err = isoMoney(p.Amount.V, p.Currency); err != nil {
			return nil, err
		}
		d.Events = []bot.Event{e}
	default:
		d.Ignore = true
	}
	return d, nil
}
