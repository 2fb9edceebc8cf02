package hooks

import (
	"encoding/json"
	"net/http"

	"partnerbot/bot"
	"partnerbot/store"
)

// Dub Partners (dub.co). Signature: Dub-Signature, the hex HMAC-SHA256 of
// the raw body with the endpoint's secret; no timestamp, so retries are
// caught by the event id. Envelope: {id: "evt_…", event, createdAt, data}.
// Sale amounts are integer cents, and Dub sends every sale in USD.
func init() {
	register(&connector{
		name:   "dub",
		env:    "DUB_WEBHOOK_SECRET",
		verify: hexHMAC("Dub-Signature"),
		parse:  parseDub,
	})
}

type dubEnvelope struct {
	ID        string          `json:"id"`
	Event     string          `json:"event"`
	CreatedAt string          `json:"createdAt"`
	Data      json.RawMessage `json:"data"`
}

type dubPartnerRef struct {
	ID string `json:"id"`
}

type dubConversion struct {
	Partner *dubPartnerRef `json:"partner"`
	Link    *struct {
		PartnerID string `json:"partnerId"`
	} `json:"link"`
	Sale *struct {
		Amount   cents  `json:"amount"`
		Currency string `json:"currency"`
	} `json:"sale"`
}

func (c *dubConversion) partner() string {
	if c.Partner != nil && c.Partner.ID != "" {
		return c.Partner.ID
	}
	if c.Link != nil {
		return c.Link.PartnerID
	}
	return ""
}

type dubCommission struct {
	ID        string        `json:"id"`
	Earnings  cents         `json:"earnings"`
	Currency  string        `json:"currency"`
	Status    string        `json:"status"`
	CreatedAt string        `json:"createdAt"`
	Partner   dubPartnerRef `json:"partner"`
}

type dubPayout struct {
	ID        string        `json:"id"`
	Amount    cents         `json:"amount"`
	Currency  string        `json:"currency"`
	CreatedAt string        `json:"createdAt"`
	PaidAt    string        `json:"paidAt"`
	Partner   dubPartnerRef `json:"partner"`
}

// dubState maps Dub's commission statuses to the lifecycle.
func dubState(s string) bot.CommissionState {
	switch s {
	case "processed", "paid":
		return bot.CommissionApproved
	case "refunded", "duplicate", "fraud", "canceled":
		return bot.CommissionVoid
	}
	return bot.CommissionPending
}

func parseDub(_ http.Header, body []byte) (*Delivery, error) {
	var env dubEnvelope
	if err := decodeBody(body, &env, "a Dub webhook"); err != nil {
		return nil, err
	}
	if env.ID == "" || env.Event == "" {
		return nil, bot.Errorf(bot.EINVALID, "not a Dub webhook: no id or event")
	}
	d := &Delivery{Key: "dub:" + env.ID, Type: env.Event}
	at, err := when(env.CreatedAt, "createdAt")
	if err != nil {
		return nil, err
	}
	switch env.Event {
	case "sale.created", "lead.created":
		var c dubConversion
		if err := decodeObject(env.Data, &c, "Dub", env.Event); err != nil {
			return nil, err
		}
		if c.partner() == "" {
			d.Ignore, d.Why = true, "a link outside the partner program"

			return d, nil
		}
		d.Match = []store.Match{ext("dub", c.partner())}
		e := bot.Event{ID: d.Key, Type: bot.EventSignup, At: at}
		if env.Event == "sale.created" {
			if c.Sale == nil || !c.Sale.Amount.Set {
				return nil, bot.FieldError("sale.amount", "a Dub sale without an amount")
			}
			e.Type = bot.EventSale
			if e.Amount, e.Currency, err = isoMoney(c.Sale.Amount.V, c.Sale.Currency); err != nil {
				return nil, err
			}
		}
		d.Events = []bot.Event{e}
	case "commission.created":
		var c dubCommission
		if err := decodeObject(env.Data, &c, "Dub", env.Event); err != nil {
			return nil, err
		}
		if c.ID == "" {
			return nil, bot.FieldError("data.id", "a Dub commission without an id")
		}
		d.Match = []store.Match{ext("dub", c.Partner.ID)}
		e := bot.Event{ID: d.Key, Type: bot.EventCommission, At: at, Ref: "dub:" + c.ID, State: dubState(c.Status)}
		e.At = whenOr(c.CreatedAt, e.At)
		if e.Commission, e.Currency, err = isoMoney(c.Earnings.V, c.Currency); err != nil {
			return nil, err
		}
		d.Events = []bot.Event{e}
	case "payout.confirmed":
		var p dubPayout
		if err := decodeObject(env.Data, &p, "Dub", env.Event); err != nil {
			return nil, err
		}
		if p.ID == "" {
			return nil, bot.FieldError("data.id", "a Dub payout without an id")
		}
		d.Match = []store.Match{ext("dub", p.Partner.ID)}
		e := bot.Event{ID: "dub:" + p.ID, Type: bot.EventPayout, At: at}
		if e.Amount, e.Currency, err = isoMoney(p.Amount.V, p.Currency); err != nil {
			return nil, err
		}
		d.Events = []bot.Event{e}
	default:
		d.Ignore = true
	}
	return d, nil
}
