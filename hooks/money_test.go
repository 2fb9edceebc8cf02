package hooks

import (
	"testing"

	"partnerbot/bot"
)

func TestMoney(t *testing.T) {
	for _, c := range []struct {
		v        int64
		cur      string
		from     int
		want     bot.Amount
		wantCode string
		bad      bool
	}{
		{12999, "usd", stripeDigits("USD"), 12999, "USD", false},
		{1500, "jpy", stripeDigits("JPY"), 1500, "JPY", false},   // no minor unit
		{12345, "KWD", stripeDigits("KWD"), 12345, "KWD", false}, // thousandths
		{50000, "isk", stripeDigits("ISK"), 500, "ISK", false},   // Stripe counts ISK in hundredths
		{50050, "isk", stripeDigits("ISK"), 0, "", true},         // not a whole krona: refused, never rounded
		{700, "bif", stripeDigits("BIF"), 70000, "BIF", false},   // Stripe's whole francs, kept in hundredths
		{-2500, "usd", isoDigits("USD"), -2500, "USD", false},    // a clawback
		{100, "usdollars", 2, 0, "", true},
		{930_000_000_000_000_000, "usd", 1, 0, "", true}, // ×10 would wrap past int64: refused, never a wrong amount
		{-930_000_000_000_000_000, "usd", 1, 0, "", true},
	} {
		got, code, err := money(c.v, c.cur, c.from)
		if c.bad {
			if err == nil {
				t.Errorf("money(%d, %s) = %v, want an error", c.v, c.cur, got)
			}
			continue
		}
		if err != nil || got != c.want || code != c.wantCode {
			t.Errorf("money(%d, %s, %d) = %v %s %v, want %v %s", c.v, c.cur, c.from, got, code, err, c.want, c.wantCode)
		}
	}
	for _, c := range []struct {
		s, cur string
		want   bot.Amount
		bad    bool
	}{
		{"403.00", "USD", 40300, false},
		{"1500", "JPY", 1500, false},
		{"1500.00", "JPY", 1500, false},
		{"1500.5", "JPY", 0, true},
		{"12.345", "KWD", 12345, false},
		{"4.001", "USD", 0, true},
	} {
		got, _, err := decimalMoney(c.s, c.cur)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("decimalMoney(%q, %s) = %v, %v; want %v (error %v)", c.s, c.cur, got, err, c.want, c.bad)
		}
	}
}

func TestDubClawback(t *testing.T) {
	body := []byte(`{"id":"evt_claw","event":"commission.created","createdAt":"2025-08-01T10:00:00.000Z","data":{"id":"cm_claw1","type":"sale","amount":-50000,"earnings":-10000,"currency":"usd","status":"refunded","createdAt":"2025-08-01T10:00:00.000Z","partner":{"id":"pn_1"}}}`)
	d, err := parseDub(nil, body)
	if err != nil {
		t.Fatal(err)
	}
	e := d.Events[0]
	if e.Type != bot.EventCommission || e.Commission != -10000 || e.Ref != "dub:cm_claw1" || e.State != bot.CommissionVoid || e.ID != "dub:evt_claw" {
		t.Fatalf("event = %+v", e)
	}
	e.Partner = "janko"
	if err := e.Validate(); err != nil {
		t.Fatalf("a clawback does not validate: %v", err)
	}
}
