package store_test

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"partnerbot/bot"
	"partnerbot/store"
)

// A schema 12 file whose first open fails after the ledger was moved
// (here: a currency mismatch, refused in the migration's last
// transaction) opens the next time with every event.
func TestStore_UpgradeAfterARefusedOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	s := mustOpen(t, path)
	storeHistory(t, s, []string{"a", "b", "c"}, randomHistory(rand.New(rand.NewPCG(1, 2)), 200), 50)
	s.Close()
	if err := store.DowngradeToSchema12(path); err != nil {
		t.Fatal(err)
	}
	_, err := store.Open(path, store.Options{Location: waw, Clock: bot.NewManualClock(tstart), Currency: "EUR"})
	if err == nil {
		t.Fatal("expected a currency mismatch")
	}
	s2, err := store.Open(path, store.Options{Location: waw, Clock: bot.NewManualClock(tstart)})
	if err != nil {
		t.Fatalf("second open with the right currency: %v", err)
	}
	defer s2.Close()
	total := 0
	for _, p := range []string{"a", "b", "c"} {
		evs, err := s2.PartnerEvents(ctx, p, tstart.AddDate(-2, 0, 0), tstart.AddDate(2, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		total += len(evs)
	}
	if n, _ := s2.EventCount(ctx); total != n {
		t.Fatalf("after the second open the partners have %d events, the index %d", total, n)
	}
}

// An upgrade run again over partners already moved (the file says an
// older schema; as after a crash) leaves them as they are.
func TestStore_UpgradeRunsAgain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	s := mustOpen(t, path)
	storeHistory(t, s, []string{"a"}, []bot.Event{ev("s1", bot.EventSale, "a", "2026-11-16T10:00:00+01:00", 1000, 10)}, 50)
	s.Close()
	if err := store.DowngradeToSchema12(path); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, path)
	s.Close()
	if err := store.SetSchemaForTest(path, 12); err != nil { // the bump never committed
		t.Fatal(err)
	}
	s2, err := store.Open(path, store.Options{Location: waw, Clock: bot.NewManualClock(tstart)})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	evs, err := s2.PartnerEvents(ctx, "a", tstart.AddDate(-1, 0, 0), tstart.AddDate(1, 0, 0))
	tot, _ := s2.Totals(ctx, "a", bot.MustDate("2026-11-01"), bot.MustDate("2026-11-30"))
	c, _ := s2.Commissions(ctx, "a", bot.MustDate("2026-11-30"))
	n, _ := s2.EventCount(ctx)
	if err != nil || len(evs) != 1 || tot.Sales != 1 || c.Pending != 10 {
		t.Fatalf("after the rerun: %d events (%v), totals %+v, commissions %+v; events index holds %d", len(evs), err, tot, c, n)
	}
}

// A sale reported in KRW whose commission rounds to 0 PLN has no
// commission item; after a currency migration to KRW its commission is
// 1 KRW again, and a refund naming it finds the item the sale keeps,
// before and after a recount.
func TestStore_CurrencyMigrationKeepsSaleItems(t *testing.T) {
	path := filepath.Join(t.TempDir(), "krw.db")
	s := mustOpen(t, path)
	mustPartner(t, s, "a")
	if _, err := s.SetRate(ctx, bot.ExchangeRate{Currency: "KRW", Rate: mustRate(t, "0.0028")}); err != nil {
		t.Fatal(err)
	}
	sale := foreign("s1", bot.EventSale, "2026-11-16T10:00:00+01:00", "KRW", 100000, 1) // 1 KRW = 0.28 grosz: 0 PLN
	sale.Partner = "a"
	if _, err := s.Ingest(ctx, []bot.Event{sale}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MigrateCurrency(ctx, "KRW", mustRate(t, "357")); err != nil {
		t.Fatal(err)
	}
	ref := bot.Event{ID: "r1", Type: bot.EventRefund, Partner: "a", Ref: "s1", At: sale.At.Add(24 * 3600e9), Amount: 0, Commission: 1}
	if _, err := s.Ingest(ctx, []bot.Event{ref}, nil); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"2026-11-30", "2026-12-16", "2027-01-30"} {
		c, err := s.Commissions(ctx, "a", bot.MustDate(d))
		if err != nil || c.Pending != 0 || c.Approved != 0 {
			t.Errorf("as of %s, a 1 KRW sale less a 1 KRW refund of it: %+v, want nothing", d, c)
		}
	}
	s.Close()
	s, err := store.Open(path, store.Options{Location: waw, Clock: bot.NewManualClock(tstart), HoldDays: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Commissions(ctx, "a", bot.MustDate("2027-01-30"))
	if err != nil || c.Pending != 0 || c.Approved != 0 {
		t.Errorf("after a recount (another hold), a 1 KRW sale less a 1 KRW refund of it: %+v, want nothing", c)
	}
}
