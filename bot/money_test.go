package bot

import "testing"

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in     string
		digits int
		want   Amount
		ok     bool
	}{
		{"129.99", 2, 12999, true},
		{"129,99", 2, 12999, true},
		{"129.9", 2, 12990, true},
		{"129", 2, 12900, true},
		{"0.01", 2, 1, true},
		{"-5", 2, -500, true},
		{"+5.50", 2, 550, true},
		{" 7.00 ", 2, 700, true},
		{"1.2300", 2, 123, true}, // trailing zeros are exact
		{"1200", 0, 1200, true},
		{"1.234", 3, 1234, true},
		{"0.1", 2, 10, true}, // the float trap: exact here
		{"1.999", 2, 0, false},
		{"1,234.56", 2, 0, false},
		{"1e3", 2, 0, false},
		{"", 2, 0, false},
		{"-", 2, 0, false},
		{".5", 2, 0, false},
		{"5.", 2, 0, false},
		{"abc", 2, 0, false},
		{"12 345", 2, 0, false},
		{"99999999999999999999", 2, 0, false},
		{"NaN", 2, 0, false},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in, tt.digits)
		if (err == nil) != tt.ok {
			t.Errorf("ParseAmount(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("ParseAmount(%q) code = %q, want invalid", tt.in, ErrorCode(err))
		}
		if got != tt.want {
			t.Errorf("ParseAmount(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestAmountDecimalAndFormat(t *testing.T) {
	pln := Currency{"PLN", 2}
	tests := []struct {
		a      Amount
		dec    string
		pl, en string
	}{
		{123456, "1234.56", "1 234,56 zł", "PLN 1,234.56"},
		{0, "0.00", "0,00 zł", "PLN 0.00"},
		{5, "0.05", "0,05 zł", "PLN 0.05"},
		{-50, "-0.50", "-0,50 zł", "PLN -0.50"},
		{123456789, "1234567.89", "1 234 567,89 zł", "PLN 1,234,567.89"},
		{99999, "999.99", "999,99 zł", "PLN 999.99"},
	}
	for _, tt := range tests {
		if got := tt.a.Decimal(2); got != tt.dec {
			t.Errorf("Decimal(%d) = %q, want %q", tt.a, got, tt.dec)
		}
		if got := pln.Format(tt.a, LocalePL); got != tt.pl {
			t.Errorf("Format pl(%d) = %q, want %q", tt.a, got, tt.pl)
		}
		if got := pln.Format(tt.a, LocaleEN); got != tt.en {
			t.Errorf("Format en(%d) = %q, want %q", tt.a, got, tt.en)
		}
	}
	if got := (Currency{"EUR", 2}).Format(150, LocalePL); got != "1,50 EUR" {
		t.Errorf("EUR pl = %q", got)
	}
	if got := Amount(1200).Decimal(0); got != "1200" {
		t.Errorf("Decimal(0) = %q", got)
	}
}

func TestLookupCurrency(t *testing.T) {
	for code, digits := range map[string]int{"PLN": 2, "EUR": 2, "JPY": 0, "KWD": 3} {
		c, err := LookupCurrency(code)
		if err != nil || c.Digits != digits {
			t.Errorf("LookupCurrency(%s) = %v, %v; want %d digits", code, c, err, digits)
		}
	}
	for _, bad := range []string{"pln", "PL", "ZŁOTY", ""} {
		if _, err := LookupCurrency(bad); err == nil {
			t.Errorf("LookupCurrency(%q) accepted", bad)
		}
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]string{"3.65": "3.65", "3,650": "3.65", "0.0245": "0.0245", "120": "120", "007.10": "7.1", "0.000000000001": "0.000000000001"} {
		r, err := ParseRate(in)
		if err != nil || r.String() != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %s", in, r, err, want)
		}
	}
	for _, bad := range []string{"", "0", "0.000", "-3.65", "3.65.1", "1e3", "abc", "1 000", "0.0000000000001", "1234567890"} {
		if r, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) = %v, want an error", bad, r)
		}
	}
}

func TestRate_Convert(t *testing.T) {
	pln, jpy, kwd := Currency{"PLN", 2}, Currency{"JPY", 0}, Currency{"KWD", 3}
	for _, tt := range []struct {
		a        Amount
		rate     string
		from, to Currency
		want     Amount
	}{
		{100, "0.0245", jpy, pln, 245},              // ¥100 = 2.45 zł exactly
		{1, "0.0245", jpy, pln, 2},                  // 2.45 grosze: 2
		{2, "0.0245", jpy, pln, 5},                  // 4.9 grosze: 5
		{-2, "0.0245", jpy, pln, -5},                // half away from zero, both ways
		{1500, "13.1", kwd, pln, 1965},              // 1.500 KWD
		{1, "0.5", pln, jpy, 0},                     // 0.005 yen: 0
		{50, "2", Currency{"EUR", 2}, jpy, 1},       // 0.50 EUR × 2 = ¥1
		{101, "3.65", Currency{"USD", 2}, pln, 369}, // 3.6865: 3.69
		{-101, "3.65", Currency{"USD", 2}, pln, -369},
	} {
		r, err := ParseRate(tt.rate)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Convert(tt.a, tt.from, tt.to)
		if err != nil || got != tt.want {
			t.Errorf("%d %s at %s = %d, %v; want %d", tt.a, tt.from.Code, tt.rate, got, err, tt.want)
		}
	}
	r, _ := ParseRate("1000")
	if _, err := r.Convert(MaxAmount, pln, pln); err == nil {
		t.Error("a converted amount past MaxAmount was accepted")
	}
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"3.65", "0,0245", "120", "", "-1", "1e9", "999999999.999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			return
		}
		if r.Units <= 0 || r.Scale < 0 || r.Scale > MaxRateDigits {
			t.Fatalf("ParseRate(%q) = %+v", s, r)
		}
		back, err := ParseRate(r.String())
		if err != nil || back != r {
			t.Fatalf("%q → %s → %+v, %v", s, r, back, err)
		}
	})
}
