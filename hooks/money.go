package hooks

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// cents is an integer amount in minor units, sent as a JSON number or a
// string of digits ("1999"); read exactly, never through a float.
type cents struct {
	V   int64
	Set bool
}

func (c *cents) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*c = cents{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(strings.TrimSpace(s))
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return bot.Errorf(bot.EINVALID, "amount %s is not a whole number of minor units", b)
	}
	*c = cents{V: v, Set: true}
	return nil
}

// flexID is an id sent as a JSON number or a string; numbers keep their
// digits (Shopify's order ids do not fit a float).
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexID(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = flexID(n.String())
	}
	return nil
}

// stripeZeroDecimal are the currencies Stripe counts in whole units.
var stripeZeroDecimal = map[string]bool{
	"BIF": true, "CLP": true, "DJF": true, "GNF": true, "JPY": true, "KMF": true, "KRW": true, "MGA": true,
	"PYG": true, "RWF": true, "UGX": true, "VND": true, "VUV": true, "XAF": true, "XOF": true, "XPF": true,
}

// stripeThreeDecimal are the currencies Stripe counts in thousandths.
var stripeThreeDecimal = map[string]bool{"BHD": true, "JOD": true, "KWD": true, "OMR": true, "TND": true}

// stripeDigits is the exponent of Stripe's minor units for a currency.
func stripeDigits(code string) int {
	switch {
	case stripeZeroDecimal[code]:
		return 0
	case stripeThreeDecimal[code]:
		return 3
	}
	return 2
}

// isoDigits is the currency's own exponent, as partnerbot keeps it.
func isoDigits(code string) int {
	c, err := bot.LookupCurrency(code)
	if err != nil {
		return 2
	}
	return c.Digits
}

// money turns v minor units of a platform (whose exponent for the
// currency is from) into the minor units partnerbot keeps for it, exactly:
// a value that would need rounding is refused. Returns the amount and the
// upper-case currency code. Returns EINVALID.
func money(v int64, currency string, from int) (bot.Amount, string, error) {
	code := strings.ToUpper(strings.TrimSpace(currency))
	c, err := bot.LookupCurrency(code)
	if err != nil {
		return 0, "", bot.FieldError("currency", "%s", bot.ErrorMessage(err))
	}
	to := c.Digits
	for ; from < to; from++ {
		if v > math.MaxInt64/10 || v < math.MinInt64/10 { // v*10 would wrap
			return 0, "", bot.FieldError("amount", "amount is too large")
		}
		v *= 10
	}
	for ; from > to; from-- {
		if v%10 != 0 {
			return 0, "", bot.FieldError("amount", "%d minor units of %s are not a whole number of %s's smallest unit", v, code, code)
		}
		v /= 10
	}
	return bot.Amount(v), code, nil
}

// decimalMoney parses a decimal string in major units ("403.00") with the
// currency's own exponent. Returns EINVALID.
func decimalMoney(s, currency string) (bot.Amount, string, error) {
	code := strings.ToUpper(strings.TrimSpace(currency))
	c, err := bot.LookupCurrency(code)
	if err != nil {
		return 0, "", bot.FieldError("currency", "%s", bot.ErrorMessage(err))
	}
	a, err := bot.ParseAmount(s, c.Digits)
	if err != nil {
		return 0, "", bot.FieldError("amount", "%s", bot.ErrorMessage(err))
	}
	return a, code, nil
}

// when parses an RFC 3339 time. Returns EINVALID naming field.
func when(s, field string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, bot.FieldError(field, "%q is not an RFC 3339 time", s)
	}
	return t.UTC(), nil
}

// whenOr parses an RFC 3339 time, or returns def when s is not one (a
// platform's optional, more precise time of an event).
func whenOr(s string, def time.Time) time.Time {
	if t, err := when(s, ""); err == nil {
		return t
	}
	return def
}

func hmacSHA256(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// ext, coupon, code and event build attribution matches.
func ext(platform, id string) store.Match {
	return store.Match{By: "external", Platform: platform, Value: id}
}
func coupon(c string) store.Match { return store.Match{By: "coupon", Value: c} }
func code(c string) store.Match   { return store.Match{By: "code", Value: c} }
func event(id string) store.Match { return store.Match{By: "event", Value: id} }

func upper(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// isoMoney is money for a platform that counts minor units with the
// currency's own exponent (Dub, Rewardful, Tolt).
func isoMoney(v int64, currency string) (bot.Amount, string, error) {
	return money(v, currency, isoDigits(upper(currency)))
}

// stripeMoney is money for Stripe's minor units.
func stripeMoney(v int64, currency string) (bot.Amount, string, error) {
	return money(v, currency, stripeDigits(upper(currency)))
}
