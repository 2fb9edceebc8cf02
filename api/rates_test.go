package api_test

import (
	"context"
	"testing"

	"partnerbot/bot"
)

func TestRates(t *testing.T) {
	e := setup(t)
	usd := `{"id":"us-1","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"10.00","commission":"1.01","currency":"USD"}` + "\n"

	// No rate: the whole request is refused, naming the field.
	code, body := e.do("POST", "/api/v1/events", "application/x-ndjson",
		`{"id":"pl-1","type":"sale","partner":"janko","at":"2026-11-16T10:00:00+01:00","amount":"5.00"}`+"\n"+usd, true)
	if code != 400 || body["code"] != bot.ENORATE || body["field"] != "currency" || body["line"] != 2.0 {
		t.Fatalf("without a rate: %d %v", code, body)
	}
	if n := e.events(); n != 0 {
		t.Fatalf("%d events stored", n)
	}

	if code, _ := e.do("PUT", "/api/v1/rates/USD", "application/json", `{"rate":"3.65"}`, false); code != 401 {
		t.Fatalf("PUT without a token: %d", code)
	}
	if code, body := e.do("GET", "/api/v1/rates/USD", "", "", true); code != 404 {
		t.Fatalf("GET before any rate: %d %v", code, body)
	}
	for _, bad := range []string{`{"rate":"0"}`, `{"rate":"abc"}`, `{}`, `{"rate":"3.65","from":"yesterday"}`, `{"rate":"3.65","fx":1}`} {
		if code, body := e.do("PUT", "/api/v1/rates/USD", "application/json", bad, true); code != 400 {
			t.Errorf("PUT %s: %d %v", bad, code, body)
		}
	}
	if code, body := e.do("PUT", "/api/v1/rates/PLN", "application/json", `{"rate":"1"}`, true); code != 400 {
		t.Errorf("a rate of the program currency: %d %v", code, body)
	}
	code, body = e.do("PUT", "/api/v1/rates/usd", "application/json", `{"rate":"3.65","from":"2026-11-01"}`, true)
	if code != 200 || body["currency"] != "USD" || body["rate"] != "3.65" || body["from"] != "2026-11-01" {
		t.Fatalf("PUT: %d %v", code, body)
	}
	if code, _ := e.do("GET", "/api/v1/rates/USD", "", "", true); code != 200 {
		t.Fatalf("GET: %d", code)
	}

	code, body = e.do("POST", "/api/v1/events", "application/x-ndjson", usd, true)
	if code != 200 || body["accepted"] != 1.0 {
		t.Fatalf("with a rate: %d %v", code, body)
	}
	evs, err := e.store.PartnerEvents(context.Background(), "janko", now.AddDate(0, -1, 0), now)
	if err != nil || len(evs) != 1 {
		t.Fatalf("events %v, %v", evs, err)
	}
	if got := evs[0]; got.Amount != 3650 || got.Commission != 369 || got.Currency != "USD" || got.OrigAmount != 1000 || got.OrigCommission != 101 {
		t.Fatalf("stored %+v", got)
	}
}

func TestEvents_MoneyBounds(t *testing.T) {
	// Five sales of 23058430092136939.51 once made the month's turnover
	// negative: each is now more than one event may carry, and the
	// request is refused whole.
	e := setup(t)
	body := ""
	for i := range 5 {
		body += `{"id":"big-` + string(rune('0'+i)) + `","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"23058430092136939.51"}` + "\n"
	}
	code, out := e.do("POST", "/api/v1/events", "application/x-ndjson", body, true)
	if code != 400 || out["field"] != "amount" || out["line"] != 1.0 {
		t.Fatalf("%d %v", code, out)
	}
	if n := e.events(); n != 0 {
		t.Fatalf("%d events stored", n)
	}
	st, err := e.store.Stats(context.Background(), "janko", bot.MonthPeriod(2026, 11), bot.DateOf(now, waw), pln)
	if err != nil || st.Current.Turnover() < 0 {
		t.Fatalf("turnover %v, %v", st.Current.Turnover(), err)
	}
}
