package store_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"partnerbot/bot"
	"partnerbot/store"
)

func mustRate(tb testing.TB, s string) bot.Rate {
	tb.Helper()
	r, err := bot.ParseRate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func foreign(id string, typ bot.EventType, at, cur string, amount, commission bot.Amount) bot.Event {
	e := ev(id, typ, "janko", at, amount, commission)
	e.Currency = cur
	return e
}

func TestStore_Currency(t *testing.T) {
	s := mustOpen(t, "")
	mustPartner(t, s, "janko")

	t.Run("no rate refuses the whole request", func(t *testing.T) {
		_, err := s.Ingest(ctx, []bot.Event{
			ev("pl1", bot.EventSale, "janko", "2026-11-16T10:00:00+01:00", 1000, 10),
			foreign("us1", bot.EventSale, "2026-11-16T10:00:00+01:00", "USD", 1000, 100),
		}, []int{3, 4})
		e := bot.AsError(err)
		if e == nil || e.Code != bot.ENORATE || e.Field != "currency" || e.Line != 4 {
			t.Fatalf("err = %#v, want ENORATE on line 4 field currency", err)
		}
		if !strings.Contains(e.Message, "USD") || !strings.Contains(e.Message, "2026-11-16") {
			t.Errorf("message %q names neither the currency nor the day", e.Message)
		}
		if n, _ := s.EventCount(ctx); n != 0 {
			t.Fatalf("%d events stored despite the refusal", n)
		}
	})

	t.Run("a state change in another currency needs no rate", func(t *testing.T) {
		e := foreign("cm-void", bot.EventCommission, "2026-11-16T11:00:00+01:00", "CHF", 0, 0)
		e.Ref, e.State = "nothing-yet", bot.CommissionVoid
		if _, err := s.Ingest(ctx, []bot.Event{e}, nil); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a rate set, then accepted and converted", func(t *testing.T) {
		r, err := s.SetRate(ctx, bot.ExchangeRate{Currency: "USD", Rate: mustRate(t, "3.65")})
		if err != nil {
			t.Fatal(err)
		}
		if r.From != store.EarliestRateDay {
			t.Errorf("first rate from %s, want %s", r.From, store.EarliestRateDay)
		}
		// A later rate from 2026-11-20: days before keep 3.65.
		if _, err := s.SetRate(ctx, bot.ExchangeRate{Currency: "USD", From: bot.MustDate("2026-11-20"), Rate: mustRate(t, "4")}); err != nil {
			t.Fatal(err)
		}
		res, err := s.Ingest(ctx, []bot.Event{
			foreign("us1", bot.EventSale, "2026-11-16T10:00:00+01:00", "USD", 1000, 101), // 10.00 USD, 1.01 USD
			foreign("us2", bot.EventSale, "2026-11-20T00:30:00+01:00", "USD", 1000, 0),   // Warsaw's 20th: the new rate
			foreign("pl2", bot.EventSale, "2026-11-16T11:00:00+01:00", "PLN", 500, 0),    // the program currency
		}, nil)
		if err != nil || res.Accepted != 3 {
			t.Fatalf("ingest = %+v, %v", res, err)
		}
		evs, err := s.PartnerEvents(ctx, "janko", tstart.AddDate(0, -1, 0), tstart, bot.EventSale)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bot.Event{}
		for _, e := range evs {
			got[e.ID] = e
		}
		// 1.01 USD × 3.65 = 3.6865 PLN: 3.69 (half away from zero).
		if e := got["us1"]; e.Amount != 3650 || e.Commission != 369 || e.Currency != "USD" || e.OrigAmount != 1000 || e.OrigCommission != 101 {
			t.Errorf("us1 = %+v, want 36.50/3.69 PLN from 10.00/1.01 USD", e)
		}
		if e := got["us2"]; e.Amount != 4000 {
			t.Errorf("us2 amount = %d, want 4000 (rate 4 from the 20th)", e.Amount)
		}
		if e := got["pl2"]; e.Currency != "" || e.Amount != 500 || e.OrigAmount != 0 {
			t.Errorf("pl2 = %+v, want a plain PLN event", e)
		}
		tot, _ := s.Totals(ctx, "janko", bot.MustDate("2026-11-01"), bot.MustDate("2026-11-30"))
		if tot.SalesAmount != 3650+4000+500 || tot.Commission != 369 {
			t.Errorf("totals = %+v", tot)
		}
	})

	t.Run("JPY has no minor unit, KWD three", func(t *testing.T) {
		if _, err := s.SetRate(ctx, bot.ExchangeRate{Currency: "JPY", Rate: mustRate(t, "0.0245")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetRate(ctx, bot.ExchangeRate{Currency: "KWD", Rate: mustRate(t, "13.1")}); err != nil {
			t.Fatal(err)
		}
		_, err := s.Ingest(ctx, []bot.Event{
			foreign("jp1", bot.EventSale, "2026-11-17T10:00:00+01:00", "JPY", 10000, 1), // ¥10 000, ¥1
			foreign("kw1", bot.EventSale, "2026-11-17T10:00:00+01:00", "KWD", 1500, 0),  // 1.500 KWD
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		evs, _ := s.PartnerEvents(ctx, "janko", bot.MustDate("2026-11-17").Start(waw), bot.MustDate("2026-11-18").Start(waw))
		for _, e := range evs {
			switch e.ID {
			case "jp1": // ¥10 000 × 0.0245 = 245.00 PLN; ¥1 = 0.0245 PLN: 0.02
				if e.Amount != 24500 || e.Commission != 2 || e.OrigAmount != 10000 {
					t.Errorf("jp1 = %+v", e)
				}
			case "kw1": // 1.500 KWD × 13.1 = 19.65 PLN
				if e.Amount != 1965 || e.OrigAmount != 1500 {
					t.Errorf("kw1 = %+v", e)
				}
			}
		}
	})

	t.Run("a rate of the program currency is refused", func(t *testing.T) {
		if _, err := s.SetRate(ctx, bot.ExchangeRate{Currency: "PLN", Rate: mustRate(t, "1")}); bot.ErrorCode(err) != bot.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})

	t.Run("rates listed by currency and day", func(t *testing.T) {
		rs, err := s.Rates(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, r := range rs {
			b.WriteString(r.Currency + " " + r.From.String() + " " + r.Rate.String() + "; ")
		}
		want := "JPY 2000-01-01 0.0245; KWD 2000-01-01 13.1; USD 2000-01-01 3.65; USD 2026-11-20 4; "
		if b.String() != want {
			t.Fatalf("rates = %q, want %q", b.String(), want)
		}
	})
}

func TestStore_CurrencyFixedAtCreation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cur.db")
	s, err := store.Open(path, store.Options{Location: waw, Currency: "JPY"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Currency().Code != "JPY" || s.Currency().Digits != 0 {
		t.Fatalf("currency = %+v", s.Currency())
	}
	s.Close()

	_, err = store.Open(path, store.Options{Location: waw, Currency: "PLN"})
	if err == nil || !strings.Contains(err.Error(), "JPY") || !strings.Contains(err.Error(), "PLN") {
		t.Fatalf("opening a JPY file as PLN: err = %v, want a refusal naming both", err)
	}
	_, err = store.Open(path, store.Options{Location: waw, Currency: "PLN", ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "JPY") {
		t.Fatalf("read-only: err = %v, want a refusal", err)
	}
	s, err = store.Open(path, store.Options{Location: waw})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Currency().Code != "JPY" {
		t.Fatalf("no currency given: %s, want the file's JPY", s.Currency().Code)
	}
}

func TestStore_MoneyBounds(t *testing.T) {
	s := mustOpen(t, "")
	mustPartner(t, s, "janko")
	var evs []bot.Event
	for i := range 3000 {
		evs = append(evs, ev(fmt.Sprintf("big%d", i), bot.EventSale, "janko", "2026-11-16T10:00:00+01:00", bot.MaxAmount, 0))
	}
	_, err := s.Ingest(ctx, evs, nil)
	if e := bot.AsError(err); e == nil || e.Code != bot.EINVALID || e.Field != "amount" || e.Line == 0 {
		t.Fatalf("err = %#v, want the request refused on an amount's line", err)
	}
	if n, _ := s.EventCount(ctx); n != 0 {
		t.Fatalf("%d events stored", n)
	}
	// What stays under the bound is kept, and sums are exact.
	if _, err := s.Ingest(ctx, evs[:1000], nil); err != nil {
		t.Fatal(err)
	}
	tot, _ := s.Totals(ctx, "janko", bot.MustDate("2026-11-01"), bot.MustDate("2026-11-30"))
	if tot.Turnover() != 1000*bot.MaxAmount {
		t.Fatalf("turnover = %d", tot.Turnover())
	}
	// A converted amount past the bound is refused.
	if _, err := s.SetRate(ctx, bot.ExchangeRate{Currency: "USD", Rate: mustRate(t, "100")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Ingest(ctx, []bot.Event{foreign("us-big", bot.EventSale, "2026-11-16T10:00:00+01:00", "USD", bot.MaxAmount/10, 0)}, nil)
	if e := bot.AsError(err); e == nil || e.Field != "amount" {
		t.Fatalf("err = %#v, want a refused converted amount", err)
	}
}

func TestStore_IngestLeavesEventsAsGiven(t *testing.T) {
	// A failed transaction (or a group commit running it again) must not
	// convert the same events twice.
	s := mustOpen(t, "")
	mustPartner(t, s, "janko")
	if _, err := s.SetRate(ctx, bot.ExchangeRate{Currency: "EUR", Rate: mustRate(t, "4.25")}); err != nil {
		t.Fatal(err)
	}
	evs := []bot.Event{foreign("eu1", bot.EventSale, "2026-11-16T10:00:00+01:00", "EUR", 1000, 100)}
	s.FailAfter(1)
	if _, err := s.Ingest(ctx, evs, nil); err == nil {
		t.Fatal("injected failure not reported")
	}
	s.FailAfter(0)
	if evs[0].Amount != 1000 || evs[0].Currency != "EUR" || evs[0].OrigAmount != 0 {
		t.Fatalf("the caller's event changed: %+v", evs[0])
	}
	if _, err := s.Ingest(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := s.PartnerEvents(ctx, "janko", bot.MustDate("2026-11-16").Start(waw), bot.MustDate("2026-11-17").Start(waw))
	if len(got) != 1 || got[0].Amount != 4250 || got[0].Commission != 425 || got[0].OrigAmount != 1000 {
		t.Fatalf("stored %+v, want 42.50 PLN from 10.00 EUR", got)
	}
}
