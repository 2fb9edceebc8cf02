package bot

import (
	"strings"
	"time"
)

// EventType is what an event records.
type EventType string

// The event types. Events are the only way facts enter partnerbot.
const (
	EventSale       EventType = "sale"
	EventRefund     EventType = "refund"
	EventClick      EventType = "click"
	EventSignup     EventType = "signup"
	EventPayout     EventType = "payout"
	EventContactOut EventType = "contact_out"
	EventContactIn  EventType = "contact_in"
	EventMaterial   EventType = "material"
	// EventCommission changes a commission item named by Ref: it creates
	// it (Commission is its amount, State its state) or moves it to a new
	// state (approved, void). Platforms of record send these.
	EventCommission EventType = "commission"
)

// EventTypes lists every event type in a stable order.
// Append only: the store keeps a type's index.
var EventTypes = []EventType{EventSale, EventRefund, EventClick, EventSignup, EventPayout, EventContactOut, EventContactIn, EventMaterial, EventCommission}

// Valid reports whether t is a known event type.
func (t EventType) Valid() bool {
	for _, k := range EventTypes {
		if t == k {
			return true
		}
	}
	return false
}

// HasAmount reports whether events of type t carry an amount (and must).
func (t EventType) HasAmount() bool {
	return t == EventSale || t == EventRefund || t == EventPayout
}

// HasCommission reports whether events of type t may carry a commission:
// a sale earns it, a refund takes it back, a commission event sets it.
func (t EventType) HasCommission() bool {
	return t == EventSale || t == EventRefund || t == EventCommission
}

// MaxEventIDLen bounds event ids so keys stay small.
const MaxEventIDLen = 128

// Event is one fact about a partner. ID is unique: a second event with
// the same ID is a duplicate and changes nothing.
type Event struct {
	ID         string
	Type       EventType
	Partner    string
	At         time.Time
	Amount     Amount
	Commission Amount

	// Currency is the ISO code the source reported the money in, when it
	// is not the program currency; "" means the program currency. Amount
	// and Commission are then converted at the rate in force on the
	// event's day, and OrigAmount and OrigCommission keep what was reported.
	Currency       string
	OrigAmount     Amount
	OrigCommission Amount
	// Ref names the commission item the event refers to: for a refund,
	// the sale it reverses; for a commission event, the item it creates
	// or changes (a platform's commission id). A sale's own item is its ID.
	Ref string
	// State is a commission event's state for the item named by Ref.
	State CommissionState
}

// CommissionState is where a commission item stands in its lifecycle.
// A sale's commission is pending while it can still be reversed (the
// hold, commissions.hold_days) and approved after that, or earlier when
// the platform of record approves it; a void takes it back.
type CommissionState string

// Commission states.
const (
	CommissionPending  CommissionState = "pending"
	CommissionApproved CommissionState = "approved"
	CommissionVoid     CommissionState = "void"
)

// Validate checks the fields that need no store: id, type, partner id,
// amounts. The time window is checked by CheckTime. Returns EINVALID
// naming the field.
func (e *Event) Validate() error {
	switch {
	case e.ID == "":
		return FieldError("id", "an event needs an id")
	case len(e.ID) > MaxEventIDLen:
		return FieldError("id", "id is longer than %d bytes", MaxEventIDLen)
	case strings.ContainsAny(e.ID, "\x00\n\r"):
		return FieldError("id", "id contains control characters")
	}
	if e.Type == "" {
		return FieldError("type", "an event needs a type")
	}
	if !e.Type.Valid() {
		return FieldError("type", "unknown event type %q (known: %s)", e.Type, eventTypeList())
	}
	if e.Partner == "" {
		return FieldError("partner", "an event needs a partner")
	}
	if !ValidID(e.Partner) {
		return FieldError("partner", "%q is not a valid partner id", e.Partner)
	}
	if e.At.IsZero() {
		return FieldError("at", "an event needs a time")
	}
	if e.Type.HasAmount() {
		if e.Amount < 0 {
			return FieldError("amount", "negative amount is not allowed for %s", e.Type)
		}
		if e.Amount == 0 && e.Type != EventRefund {
			return FieldError("amount", "%s needs an amount above zero", e.Type)
		}
	} else if e.Amount != 0 {
		return FieldError("amount", "%s events carry no amount", e.Type)
	}
	if e.Amount > MaxAmount || e.Commission > MaxAmount || e.Commission < -MaxAmount {
		f := "amount"
		if e.Amount <= MaxAmount {
			f = "commission"
		}
		return FieldError(f, "%s is larger than the most partnerbot keeps for one event (10^15 minor units, like 10 000 000 000 000.00)", f)
	}
	if e.Commission < 0 && e.Type != EventCommission {
		return FieldError("commission", "negative commission is not allowed")
	}
	if e.Commission != 0 && !e.Type.HasCommission() {
		return FieldError("commission", "%s events carry no commission", e.Type)
	}
	if e.Currency != "" {
		if !e.Type.HasAmount() && !e.Type.HasCommission() {
			return FieldError("currency", "%s events carry no money, so no currency", e.Type)
		}
		if _, err := LookupCurrency(e.Currency); err != nil {
			be := *AsError(err)
			be.Field = "currency"
			return &be
		}
	}
	switch {
	case len(e.Ref) > MaxEventIDLen:
		return FieldError("ref", "ref is longer than %d bytes", MaxEventIDLen)
	case strings.ContainsAny(e.Ref, "\x00\n\r"):
		return FieldError("ref", "ref contains control characters")
	case e.Ref != "" && e.Type != EventRefund && e.Type != EventCommission:
		return FieldError("ref", "only refunds and commission events name a commission item (ref)")
	case e.Ref == "" && e.Type == EventCommission:
		return FieldError("ref", "a commission event needs ref: the commission item (or sale id) it creates or changes")
	}
	if e.State != "" {
		if e.Type != EventCommission {
			return FieldError("state", "only commission events carry a state")
		}
		if !e.State.Valid() {
			return FieldError("state", "unknown commission state %q (known: pending, approved, void)", e.State)
		}
	}
	return nil
}

// Valid reports whether s is a known commission state.
func (s CommissionState) Valid() bool {
	return s == CommissionPending || s == CommissionApproved || s == CommissionVoid
}

// CheckTime refuses event times that cannot be right: before 2000 or more
// than maxFuture after now (a clock or time-zone mistake upstream).
// Returns EINVALID on field "at".
func (e *Event) CheckTime(now time.Time, maxFuture time.Duration) error {
	if e.At.Year() < 2000 {
		return FieldError("at", "time %s is before the year 2000", e.At.Format(time.RFC3339))
	}
	if e.At.After(now.Add(maxFuture)) {
		return KeyedField("at", "bot.event.future", "time %s is in the future", e.At.Format(time.RFC3339))
	}
	return nil
}

func eventTypeList() string {
	s := make([]string, len(EventTypes))
	for i, t := range EventTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// IngestResult says what storing a batch of events did: how many were
// new and how many were duplicates of events already stored.
type IngestResult struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
}
