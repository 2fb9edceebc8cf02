package bot

import (
	"encoding/json"
	"math"
	"time"
)

// Totals are the sums of a partner's events over some days. The store
// keeps one Totals per partner and day, updated in the same transaction
// as the events, and adds days up to answer any period.
type Totals struct {
	Clicks       int64
	Signups      int64
	Sales        int64
	Refunds      int64
	ContactsIn   int64
	ContactsOut  int64
	Materials    int64
	SalesAmount  Amount
	RefundAmount Amount
	// Commission is the net change of the partner's commission (pending
	// and approved) over the days: earned on sales and set by commission
	// events, less what refunds, voids and clawbacks took back. The store
	// fills it from the commission lifecycle; Add leaves it alone.
	Commission Amount
	Payouts    Amount
}

// Add counts one event in t: everything but commission (see Commission).
func (t *Totals) Add(e *Event) {
	switch e.Type {
	case EventSale:
		t.Sales++
		t.SalesAmount += e.Amount
	case EventRefund:
		t.Refunds++
		t.RefundAmount += e.Amount
	case EventClick:
		t.Clicks++
	case EventSignup:
		t.Signups++
	case EventPayout:
		t.Payouts += e.Amount
	case EventContactIn:
		t.ContactsIn++
	case EventContactOut:
		t.ContactsOut++
	case EventMaterial:
		t.Materials++
	}
}

// Merge adds o to t.
func (t *Totals) Merge(o Totals) {
	t.Clicks += o.Clicks
	t.Signups += o.Signups
	t.Sales += o.Sales
	t.Refunds += o.Refunds
	t.ContactsIn += o.ContactsIn
	t.ContactsOut += o.ContactsOut
	t.Materials += o.Materials
	t.SalesAmount += o.SalesAmount
	t.RefundAmount += o.RefundAmount
	t.Commission += o.Commission
	t.Payouts += o.Payouts
}

// Turnover is sales less refunds: what the partner's customers really
// bought. Segments, tiers and health read this figure.
func (t Totals) Turnover() Amount { return t.SalesAmount - t.RefundAmount }

// Balance is the period's commission less its payouts. It is no measure
// of what a partner is owed (see Commissions.ToPay); the stats JSON keeps
// it as "balance" for compatibility.
func (t Totals) Balance() Amount { return t.Commission - t.Payouts }

// Commissions is a partner's commission lifecycle all-time as of the end
// of a day: commission still pending (in its hold, or until the platform
// of record approves it), commission approved, and payouts made.
type Commissions struct {
	Pending  Amount
	Approved Amount
	Paid     Amount
}

// ToPay is what the partner is owed: all approved commission less all
// payouts ("do wypłaty"). It is negative when more was paid than approved
// (a clawback after a payout).
func (c Commissions) ToPay() Amount { return c.Approved - c.Paid }

// IsZero reports whether the partner has no commission and no payouts.
func (c Commissions) IsZero() bool { return c == Commissions{} }

// Stats is a partner's totals for a period beside the period before.
// While the period is still running only its days up to today (Through)
// are counted, and the period before is counted for as many days, so the
// comparison is like for like: November so far against the same days of
// October, not against all of October.
type Stats struct {
	Partner     string
	Currency    Currency
	Period      Period
	Through     Date // last day counted; Period.To unless the period runs
	Current     Totals
	PrevPeriod  Period
	PrevThrough Date
	Previous    Totals
	// For a running period counted up to an instant (store.StatsAt):
	// how much of it has passed and how long it is, and the instant on
	// PrevThrough the period before is counted until (zero: whole days).
	Elapsed   time.Duration
	Length    time.Duration
	PrevUntil time.Time
	// Owed is the commission lifecycle as of Through, PrevOwed as of
	// PrevThrough.
	Owed, PrevOwed Commissions
}

// TooEarly reports whether too little of a running period has passed
// (under a tenth of it: the first 17 hours of a week, 3 days of a month)
// for a percentage change to mean anything.
func (s Stats) TooEarly() bool { return s.Length > 0 && s.Elapsed*10 < s.Length }

// Partial reports whether the period was still running and was counted
// only up to today.
func (s Stats) Partial() bool { return s.Through != s.Period.To }

// Change returns the change from prev to cur in percent, rounded to one
// decimal, and false when prev is zero (no meaningful percentage).
func Change(cur, prev int64) (float64, bool) {
	if prev == 0 {
		return 0, false
	}
	pct := float64(cur-prev) / math.Abs(float64(prev)) * 100
	return math.Round(pct*10) / 10, true
}

type totalsJSON struct {
	Period     string `json:"period"`
	From       Date   `json:"from"`
	To         Date   `json:"to"`
	Through    *Date  `json:"through,omitempty"`
	Clicks     int64  `json:"clicks"`
	Signups    int64  `json:"signups"`
	Sales      int64  `json:"sales"`
	Turnover   string `json:"turnover"`
	Refunds    string `json:"refunds"`
	Commission string `json:"commission"`
	Payouts    string `json:"payouts"`
	Balance    string `json:"balance"`
	// All-time as of the last day counted.
	CommissionPending  string `json:"commission_pending"`
	CommissionApproved string `json:"commission_approved"`
	ToPay              string `json:"to_pay"`
	// Until is the instant a period is counted until when it is cut
	// within its last day (RFC 3339).
	Until string `json:"until,omitempty"`
}

func totalsOut(p Period, through Date, t Totals, o Commissions, digits int) totalsJSON {
	var thr *Date
	if through != p.To {
		thr = &through
	}
	return totalsJSON{
		Period: p.Label, From: p.From, To: p.To, Through: thr,
		Clicks: t.Clicks, Signups: t.Signups, Sales: t.Sales,
		Turnover:   t.Turnover().Decimal(digits),
		Refunds:    t.RefundAmount.Decimal(digits),
		Commission: t.Commission.Decimal(digits),
		Payouts:    t.Payouts.Decimal(digits),
		Balance:    t.Balance().Decimal(digits),

		CommissionPending:  o.Pending.Decimal(digits),
		CommissionApproved: o.Approved.Decimal(digits),
		ToPay:              o.ToPay().Decimal(digits),
	}
}

// ChangePct returns the percent changes that have a meaning (the previous
// value was not zero, and enough of the period has passed), keyed by
// field name.
func (s Stats) ChangePct() map[string]float64 {
	out := map[string]float64{}
	if s.TooEarly() {
		return out
	}
	for _, c := range []struct {
		k         string
		cur, prev int64
	}{
		{"turnover", int64(s.Current.Turnover()), int64(s.Previous.Turnover())},
		{"sales", s.Current.Sales, s.Previous.Sales},
		{"clicks", s.Current.Clicks, s.Previous.Clicks},
		{"signups", s.Current.Signups, s.Previous.Signups},
		{"commission", int64(s.Current.Commission), int64(s.Previous.Commission)},
	} {
		if v, ok := Change(c.cur, c.prev); ok {
			out[c.k] = v
		}
	}
	return out
}

// MarshalJSON writes the stats in the shape DESIGN.md's contract gives:
// counts as integers, money as decimal strings in major units.
func (s Stats) MarshalJSON() ([]byte, error) {
	d := s.Currency.Digits
	prev := totalsOut(s.PrevPeriod, s.PrevThrough, s.Previous, s.PrevOwed, d)
	if !s.PrevUntil.IsZero() {
		prev.Until = s.PrevUntil.Format(time.RFC3339)
	}
	return json.Marshal(struct {
		Partner  string `json:"partner"`
		Currency string `json:"currency"`
		totalsJSON
		Previous  totalsJSON         `json:"previous"`
		ChangePct map[string]float64 `json:"change_pct"`
		TooEarly  bool               `json:"too_early,omitempty"`
	}{
		Partner: s.Partner, Currency: s.Currency.Code,
		totalsJSON: totalsOut(s.Period, s.Through, s.Current, s.Owed, d),
		Previous:   prev,
		ChangePct:  s.ChangePct(),
		TooEarly:   s.TooEarly(),
	})
}
