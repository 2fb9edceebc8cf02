package bot

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// MaxRateDigits bounds the fraction digits of an exchange rate: enough
// for any rate a bank quotes (4.2971, 0.0245123), few enough that a rate
// is always an exact int64 of units.
const MaxRateDigits = 12

// Rate is an exchange rate: how many units of the program currency one
// unit of another currency is worth (rate 3.65 for USD in a PLN program:
// 1 USD = 3.65 PLN). It is an exact decimal, Units × 10^-Scale, never a
// float. The zero Rate is no rate.
type Rate struct {
	Units int64
	Scale int
}

// ParseRate parses a positive decimal rate like "3.65", "0.0245" or
// "4,2971". Returns EINVALID when s is not a plain positive decimal with
// at most MaxRateDigits fraction digits.
func ParseRate(s string) (Rate, error) {
	orig := s
	s = strings.TrimSpace(s)
	bad := func(why string) (Rate, error) {
		return Rate{}, Errorf(EINVALID, "rate %q %s", orig, why)
	}
	intPart, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if intPart == "" || !allDigits(intPart) || !allDigits(frac) || strings.ContainsAny(frac, ".,") {
		return bad("is not a plain decimal number like 3.65 (how many units of the program currency one unit is worth)")
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > MaxRateDigits {
		return bad("has more than 12 decimal places")
	}
	if len(strings.TrimLeft(intPart, "0")) > 9 {
		return bad("is too large")
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return bad("must be above zero")
	}
	u, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return bad("is too large")
	}
	return Rate{Units: u, Scale: len(frac)}, nil
}

// IsZero reports whether r is no rate.
func (r Rate) IsZero() bool { return r.Units == 0 }

// String returns the rate as a plain decimal ("3.65", "120").
func (r Rate) String() string {
	if r.Scale == 0 {
		return strconv.FormatInt(r.Units, 10)
	}
	return Amount(r.Units).Decimal(r.Scale)
}

// MarshalJSON writes the rate as a decimal string, exactly.
func (r Rate) MarshalJSON() ([]byte, error) { return json.Marshal(r.String()) }

// UnmarshalJSON reads a decimal string or a JSON number, exactly.
func (r *Rate) UnmarshalJSON(b []byte) error {
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return Errorf(EINVALID, "rate must be a decimal string like \"3.65\"")
		}
	}
	v, err := ParseRate(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Convert converts a, in minor units of currency from, to minor units of
// the program currency to, at rate r:
//
//	result = a × r × 10^to.Digits / 10^from.Digits
//
// computed exactly and rounded once, half away from zero (0.5 grosz up,
// -0.5 down: the commercial rule), so 1 JPY at 0.0245 PLN is 2.45 grosze,
// which is 2 grosze, and 100 JPY is 245 grosze exactly. Returns EINVALID
// on field "amount" when the result exceeds MaxAmount.
func (r Rate) Convert(a Amount, from, to Currency) (Amount, error) {
	num := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(r.Units))
	num.Mul(num, pow10(to.Digits))
	den := new(big.Int).Mul(pow10(r.Scale), pow10(from.Digits))
	q, m := new(big.Int).QuoRem(num, den, new(big.Int)) // truncates toward zero
	m.Abs(m).Lsh(m, 1)
	if m.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() || q.Int64() > MaxAmount || q.Int64() < -MaxAmount {
		return 0, FieldError("amount", "%s %s at %s is more than the largest amount partnerbot keeps", a.Decimal(from.Digits), from.Code, r)
	}
	return Amount(q.Int64()), nil
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// ExchangeRate is a rate in force from a day (in the program's calendar)
// until the next rate of the same currency.
type ExchangeRate struct {
	Currency string `json:"currency"`
	From     Date   `json:"from"`
	Rate     Rate   `json:"rate"`
}

// MaxAmount bounds every amount and commission of one event, after
// conversion to the program currency: 10^15 minor units, that is
// 10 000 000 000 000.00 in a currency with two decimals (PLN, EUR),
// 10^15 in one without (JPY) and 10^12 in one with three (KWD). Far above
// any real sale, and low enough that the sums partnerbot keeps stay exact.
const MaxAmount = 1_000_000_000_000_000

// MaxLedgerMoney bounds the sum of the absolute values of every amount and
// commission a program's ledger holds (after conversion): the store
// refuses a request that would take it further. Every sum partnerbot
// computes (turnover of any period, pending and approved commission, a
// program-wide total) is a sum of some of those values, and the
// differences it shows are of two such sums, so none can overflow an
// int64 while this holds.
const MaxLedgerMoney = math.MaxInt64 / 8
