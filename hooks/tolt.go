package hooks

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// Tolt, which delivers through Svix. Signature: svix-signature holds
// space-separated "v1,<base64>" entries, each an HMAC-SHA256 of
// "svix-id.svix-timestamp.body" keyed with the base64-decoded part of the
// secret after "whsec_"; the timestamp must be within 5 minutes. Payload:
// {type, data, timestamp}; amounts are cents, often as strings.
//
// The scheme is a dozen lines of the standard library, so the Svix
// client library (and its dependencies) is not worth bringing in.
func init() {
	register(&connector{
		name:    "tolt",
		env:     "TOLT_WEBHOOK_SECRET",
		headers: []string{"svix-id", "svix-timestamp"},
		verify:  verifySvix,
		parse:   parseTolt,
	})
}

// svixSignatures returns the v1 signatures of a svix-signature header;
// entries of other versions and malformed ones are skipped.
func svixSignatures(header string) [][]byte {
	var out [][]byte
	for _, part := range strings.Fields(header) {
		ver, sig, ok := strings.Cut(part, ",")
		if !ok || ver != "v1" {
			continue
		}
		if b, err := base64.StdEncoding.Strict().DecodeString(sig); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// svixKey decodes a "whsec_<base64>" secret; a secret without the
// prefix is taken as base64 too, as Svix's own libraries do.
func svixKey(secret string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.TrimPrefix(strings.TrimSpace(secret), "whsec_"))
}

func verifySvix(secret string, h http.Header, body []byte, now time.Time) error {
	id, ts, sigs := h.Get("svix-id"), h.Get("svix-timestamp"), h.Get("svix-signature")
	if id == "" || ts == "" || sigs == "" {
		return errUnsigned
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errBadSignature
	}
	if err := fresh(sec, now); err != nil {
		return err
	}
	key, err := svixKey(secret)
	if err != nil {
		return errBadSignature
	}
	if !anyHMAC(svixSignatures(sigs), key, []byte(id), []byte("."), []byte(ts), []byte("."), body) {
		return errBadSignature
	}
	return nil
}

type toltEnvelope struct {
	Type      string          `json:"type"`
	Timestamp string          `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

type toltObject struct {
	ID            string `json:"id"`
	Amount        cents  `json:"amount"`
	Currency      string `json:"currency"`
	Status        string `json:"status"`
	PartnerID     string `json:"partner_id"`
	TransactionID string `json:"transaction_id"`
	CreatedAt     string `json:"created_at"`
	Partner       *struct {
		ID string `json:"id"`
	} `json:"partner"`
}

func (o *toltObject) match() []store.Match {
	var ms []store.Match
	if o.PartnerID != "" {
		ms = append(ms, ext("tolt", o.PartnerID))
	}
	if o.Partner != nil && o.Partner.ID != "" {
		ms = append(ms, ext("tolt", o.Partner.ID))
	}
	return ms
}

func toltState(status string) bot.CommissionState {
	switch status {
	case "approved", "paid":
		return bot.CommissionApproved
	case "rejected", "refunded", "voided", "canceled", "cancelled":
		return bot.CommissionVoid
	}
	return bot.CommissionPending
}

func parseTolt(h http.Header, body []byte) (*Delivery, error) {
	var env toltEnvelope
	if err := decodeBody(body, &env, "a Tolt webhook"); err != nil {
		return nil, err
	}
	msg := h.Get("svix-id")
	if env.Type == "" || msg == "" {
		return nil, bot.Errorf(bot.EINVALID, "not a Tolt webhook: no type or svix-id")
	}
	d := &Delivery{Key: "tolt:" + msg, Type: env.Type}
	switch env.Type {
	case "transaction.created", "customer.created", "commission.created", "commission.updated":
	default:
		d.Ignore = true
		return d, nil
	}
	var o toltObject
	if err := decodeObject(env.Data, &o, "Tolt", env.Type); err != nil {
		return nil, err
	}
	if o.ID == "" {
		return nil, bot.FieldError("data.id", "a Tolt %s without an id", env.Type)
	}
	at, err := when(o.CreatedAt, "data.created_at")
	if err != nil {
		if at, err = when(env.Timestamp, "timestamp"); err != nil {
			return nil, err
		}
	}
	d.Match = o.match()
	amount := func(v int64) (bot.Amount, string, error) {
		if o.Currency == "" {
			return bot.Amount(v), "", nil // the program currency
		}
		return isoMoney(v, o.Currency)
	}
	switch env.Type {
	case "transaction.created":
		e := bot.Event{ID: "tolt:" + o.ID, Type: bot.EventSale, At: at}
		v := o.Amount.V
		if v < 0 || o.Status == "refunded" {
			e.Type = bot.EventRefund
			if v < 0 {
				v = -v
			}
		}
		if e.Amount, e.Currency, err = amount(v); err != nil {
			return nil, err
		}
		d.Events = []bot.Event{e}
	case "customer.created":
		d.Events = []bot.Event{{ID: "tolt:" + o.ID, Type: bot.EventSignup, At: at}}
	default: // commission.created, commission.updated
		if o.TransactionID != "" {
			d.Match = append(d.Match, event("tolt:"+o.TransactionID))
		}
		e := bot.Event{ID: d.Key, Type: bot.EventCommission, At: at, Ref: "tolt:" + o.ID, State: toltState(o.Status)}
		if e.Commission, e.Currency, err = amount(o.Amount.V); err != nil {
			return nil, err
		}
		d.Events = []bot.Event{e}
	}
	return d, nil
}
