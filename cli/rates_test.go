package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRatesAndCurrencyMigration(t *testing.T) {
	r := newRun(t)
	r.must("partner", "add", "janko", "--name", "Sklep u Janka")
	ev := r.file("ev.ndjson", `{"id":"o1","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"100.00","commission":"10.00"}
{"id":"o2","type":"sale","partner":"janko","at":"2026-11-17T10:15:00+01:00","amount":"1000","commission":"100","currency":"JPY"}
`)
	if code := r.cmd("import", ev); code != 1 || !strings.Contains(r.errOut, "line 2: currency: no JPY rate") || !strings.Contains(r.errOut, "nothing was stored") {
		t.Fatalf("import without a rate: exit %d\n%s", code, r.errOut)
	}
	if out := r.must("rates", "list"); !strings.Contains(out, "no exchange rates") {
		t.Fatalf("rates list: %s", out)
	}
	r.must("rates", "set", "JPY", "0.0245")
	r.must("rates", "set", "JPY", "0.03", "--from", "2026-12-01")
	var rates []map[string]string
	if err := json.Unmarshal([]byte(r.must("rates", "list", "--json")), &rates); err != nil || len(rates) != 2 || rates[1]["rate"] != "0.03" {
		t.Fatalf("rates list --json: %v %v", rates, err)
	}
	r.must("import", ev)
	var st map[string]any
	if err := json.Unmarshal([]byte(r.must("stats", "janko", "--period", "2026-11", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	// 100.00 + ¥1000 × 0.0245 = 124.50 PLN; commission 10.00 + 2.45, pending.
	if st["turnover"] != "124.50" || st["commission_pending"] != "12.45" || st["to_pay"] != "0.00" || st["balance"] != "12.45" {
		t.Fatalf("stats: %v", st)
	}

	// A config naming another currency is refused, naming both: at the
	// start of serve too, before anything listens.
	eur := r.file("eur.yaml", "program:\n  currency: EUR\n")
	if code := r.cmd("--config", eur, "serve", "--listen", "127.0.0.1:0"); code != 1 || !strings.Contains(r.errOut, "keeps its amounts in PLN, but the configuration names EUR") {
		t.Fatalf("serve with EUR config: exit %d\n%s", code, r.errOut)
	}
	if code := r.cmd("--config", eur, "stats", "janko"); code != 1 || !strings.Contains(r.errOut, "PLN") || !strings.Contains(r.errOut, "EUR") {
		t.Fatalf("stats with EUR config: exit %d\n%s", code, r.errOut)
	}
	out := r.must("--config", eur, "currency", "migrate", "EUR", "--rate", "0.25")
	if !strings.Contains(out, "from PLN to EUR") || !strings.Contains(out, "JPY") {
		t.Fatalf("migrate: %s", out)
	}
	if err := json.Unmarshal([]byte(r.must("--config", eur, "stats", "janko", "--period", "2026-11", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	// 100.00 PLN → 25.00 EUR; 24.50 PLN → 6.13 EUR (6.125, half away from zero).
	if st["currency"] != "EUR" || st["turnover"] != "31.13" {
		t.Fatalf("stats after migration: %v", st)
	}
	if code := r.cmd("stats", "janko"); code != 1 || !strings.Contains(r.errOut, "keeps its amounts in EUR") {
		t.Fatalf("the default PLN config after migration: exit %d\n%s", code, r.errOut)
	}
}
