package store_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// ledgerView is everything the store answers from the ledger about a
// partner, over days and periods spread across a year.
func ledgerView(t *testing.T, s *store.Store, partners []string) []string {
	loc := s.Location()
	t.Helper()
	var out []string
	for _, p := range partners {
		for d := bot.MustDate("2025-12-30"); d.Before(bot.MustDate("2027-02-01")); d = d.AddDays(9) {
			c, err := s.Commissions(ctx, p, d)
			if err != nil {
				t.Fatal(err)
			}
			tot, err := s.Totals(ctx, p, d, d.AddDays(20))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s %s %+v %+v", p, d, c, tot))
			// A day's events by the program's clock (StatsAt reads these).
			day, err := s.PartnerEvents(ctx, p, d.Start(loc), d.AddDays(1).Start(loc))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range day {
				out = append(out, fmt.Sprintf("%s on %s: %s", p, d, e.ID))
			}
		}
		err := s.DailyTotals(ctx, p, bot.MustDate("2025-01-01"), bot.MustDate("2027-12-31"), func(d bot.Date, t bot.Totals) error {
			out = append(out, fmt.Sprintf("%s day %s %+v", p, d, t))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := s.PartnerEvents(ctx, p, time.Time{}, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			out = append(out, fmt.Sprintf("%+v", e))
		}
	}
	n, err := s.EventCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return append(out, fmt.Sprint("events ", n))
}

// storeHistory adds the partners and ingests evs into s, batch events a
// transaction, and returns evs.
func storeHistory(t *testing.T, s *store.Store, partners []string, evs []bot.Event, batch int) []bot.Event {
	t.Helper()
	for _, id := range partners {
		mustPartner(t, s, id)
	}
	for i := 0; i < len(evs); i += batch {
		if _, err := s.Ingest(ctx, evs[i:min(i+batch, len(evs))], nil); err != nil {
			t.Fatal(err)
		}
	}
	return evs
}

// sameView fails t at the first line where two ledger views differ.
func sameView(t *testing.T, after string, got, want []string) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("%s, line %d:\n got %s\nwant %s", after, i, got[i], want[i])
		}
	}
	t.Fatalf("%s %d lines, want %d", after, len(got), len(want))
}

// A file written in the layout before the ledger (schema 9) migrates to
// the same answers, to the cent, as the file it was made from.
func TestStore_MigratesToLedger(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	path := filepath.Join(t.TempDir(), "old.db")
	s := mustOpen(t, path)
	partners := []string{"a", "b", "c"}
	evs := storeHistory(t, s, partners, randomHistory(r, 600), 50)
	want := ledgerView(t, s, partners)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := store.DowngradeToSchema9(path); err != nil {
		t.Fatal(err)
	}
	defer store.SetLedgerBatch(2)() // three partners: two transactions
	s = mustOpen(t, path)
	sameView(t, "after migration", ledgerView(t, s, partners), want)
	// Another zone moves every event to its day there: the same answers
	// as a file written in that zone from the start.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	openUTC := func(path string) *store.Store {
		t.Helper()
		s, err := store.Open(path, store.Options{Location: time.UTC, Clock: bot.NewManualClock(tstart)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	fresh := openUTC(filepath.Join(t.TempDir(), "utc.db"))
	for _, id := range partners {
		mustPartner(t, fresh, id)
	}
	if _, err := fresh.Ingest(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	want = ledgerView(t, fresh, partners)
	s = openUTC(path)
	sameView(t, "after the move to UTC", ledgerView(t, s, partners), want)

	// Refunds naming sales stored before the migration find their items.
	refunds := refundSales(evs)
	for _, st := range []*store.Store{s, fresh} {
		if _, err := st.Ingest(ctx, refunds, nil); err != nil {
			t.Fatal(err)
		}
	}
	sameView(t, "refunds after migration", ledgerView(t, s, partners), ledgerView(t, fresh, partners))

	// The migrated file goes on as a new one would: a duplicate is still
	// one, a refund still finds its sale's partner by the event's id.
	res, err := s.Ingest(ctx, evs[:10], nil)
	if err != nil || res.Duplicates != 10 {
		t.Fatalf("re-ingest after migration: %+v, %v", res, err)
	}
	if n, err := s.DeletePartner(ctx, "a", true); err != nil || n == 0 {
		t.Fatalf("purge a: %d, %v", n, err)
	}
	if evs, err := s.PartnerEvents(ctx, "a", time.Time{}, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil || len(evs) != 0 {
		t.Fatalf("a's events after purge: %d, %v", len(evs), err)
	}
	if c, err := s.Commissions(ctx, "b", bot.MustDate("2027-01-01")); err != nil || c == (bot.Commissions{}) {
		t.Fatalf("b's commissions after a's purge: %+v, %v", c, err)
	}
}

// refundSales makes a refund of part of the commission of every tenth
// sale with commission in evs, naming the sale, a month after it.
func refundSales(evs []bot.Event) []bot.Event {
	var out []bot.Event
	for i, e := range evs {
		if e.Type == bot.EventSale && e.Commission > 1 && i%10 == 0 {
			out = append(out, bot.Event{ID: "refund-" + e.ID, Type: bot.EventRefund, Partner: e.Partner, Ref: e.ID,
				At: e.At.AddDate(0, 1, 0), Amount: e.Amount / 2, Commission: e.Commission / 2})
		}
	}
	return out
}

// A file of schema 12 (a record per day, each event under a key of its
// own), 11 (also every commission item in a record, the events index
// holding only partners) or 10 (also the hold's end written as a change of
// the day it ends) migrates to the same answers with this schema's
// records, which are fewer: a month's days in one record, its events in
// runs, no record for an item that is only its sale. Refunds naming sales
// stored before the migration then change the same figures as in a file
// written in this schema.
func TestStore_MigratesToSchema13(t *testing.T) {
	for _, from := range []int{10, 11, 12} {
		t.Run(fmt.Sprint("schema", from), func(t *testing.T) {
			r := rand.New(rand.NewPCG(8, uint64(from)))
			dir := t.TempDir()
			path := filepath.Join(dir, "old.db")
			s := mustOpen(t, path)
			fresh := mustOpen(t, filepath.Join(dir, "fresh.db"))
			partners := []string{"a", "b", "c"}
			evs := randomHistory(r, 800)
			storeHistory(t, s, partners, evs, 40)
			storeHistory(t, fresh, partners, evs, 40)
			want := ledgerView(t, s, partners)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			keys, err := store.LedgerKeys(path)
			if err != nil {
				t.Fatal(err)
			}
			switch from {
			case 10:
				err = store.DowngradeToSchema10(path, store.DefaultHoldDays)
			case 11:
				err = store.DowngradeToSchema11(path)
			default:
				err = store.DowngradeToSchema12(path)
			}
			if err != nil {
				t.Fatal(err)
			}
			if old, err := store.LedgerKeys(path); err != nil || old <= keys {
				t.Fatalf("the schema %d file has %d ledger keys, this schema %d: the downgrade changed nothing (%v)", from, old, keys, err)
			}
			defer store.SetLedgerBatch(2)() // three partners: two transactions
			s = mustOpen(t, path)
			sameView(t, "after migration", ledgerView(t, s, partners), want)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			// Runs of events may split at other events than in a file
			// filled a batch at a time, never into more of them.
			if n, err := store.LedgerKeys(path); err != nil || n > keys {
				t.Fatalf("after migration the ledger has %d keys, want at most %d as written in this schema (%v)", n, keys, err)
			}
			s = mustOpen(t, path)
			defer s.Close()
			refunds := refundSales(evs)
			if len(refunds) == 0 {
				t.Fatal("no refunds made")
			}
			for _, st := range []*store.Store{s, fresh} {
				if _, err := st.Ingest(ctx, refunds, nil); err != nil {
					t.Fatal(err)
				}
			}
			sameView(t, "refunds after migration", ledgerView(t, s, partners), ledgerView(t, fresh, partners))
		})
	}
}

// A partner's busy month, its events arriving in no order over many
// transactions, is kept in many runs: every event is found, in order,
// counted once, and refunds naming sales anywhere in the runs take their
// commission back, as a recount says. With tiny runs too, so nearly
// every event splits one.
func TestStore_BusyMonth(t *testing.T) {
	for _, size := range []int{0, 64} {
		t.Run(fmt.Sprint("max run ", size), func(t *testing.T) {
			if size > 0 {
				defer store.SetMaxRun(size)()
			}
			r := rand.New(rand.NewPCG(4, uint64(size)))
			s := mustOpen(t, "")
			mustPartner(t, s, "a")
			start := time.Date(2026, 10, 1, 0, 0, 0, 0, waw)
			var evs []bot.Event
			for i := range 3000 {
				e := bot.Event{ID: fmt.Sprintf("e%04d", i), Partner: "a", Type: bot.EventClick,
					At: start.Add(time.Duration(r.Int64N(int64(31*24*time.Hour))) / time.Second * time.Second)}
				if i%3 == 0 {
					e.Type, e.Amount, e.Commission = bot.EventSale, bot.Amount(1000+r.IntN(9000)), bot.Amount(100+r.IntN(900))
				}
				evs = append(evs, e)
			}
			for i := 0; i < len(evs); i += 97 {
				if _, err := s.Ingest(ctx, evs[i:min(i+97, len(evs))], nil); err != nil {
					t.Fatal(err)
				}
			}
			refunds := refundSales(evs)
			if _, err := s.Ingest(ctx, refunds, nil); err != nil {
				t.Fatal(err)
			}
			all := append(append([]bot.Event(nil), evs...), refunds...)
			got, err := s.PartnerEvents(ctx, "a", start.AddDate(0, -1, 0), start.AddDate(0, 3, 0))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(all) {
				t.Fatalf("%d events read back, %d stored", len(got), len(all))
			}
			seen := map[string]bool{}
			for i, e := range got {
				if i > 0 && e.At.Before(got[i-1].At) {
					t.Fatalf("event %s at %s after %s at %s", e.ID, e.At, got[i-1].ID, got[i-1].At)
				}
				if seen[e.ID] {
					t.Fatalf("event %s read twice", e.ID)
				}
				seen[e.ID] = true
			}
			tot, err := s.Totals(ctx, "a", bot.MustDate("2026-10-01"), bot.MustDate("2026-10-31"))
			if err != nil {
				t.Fatal(err)
			}
			if tot.Clicks+tot.Sales != int64(len(evs)) {
				t.Fatalf("October counts %d clicks and %d sales, %d events were stored", tot.Clicks, tot.Sales, len(evs))
			}
			for _, d := range []string{"2026-10-15", "2026-11-20", "2026-12-31"} {
				day := bot.MustDate(d)
				c, err := s.Commissions(ctx, "a", day)
				if err != nil {
					t.Fatal(err)
				}
				if want := recountCommissions(all, "a", day, store.DefaultHoldDays); c != want {
					t.Fatalf("commissions as of %s: %+v, a recount says %+v", d, c, want)
				}
			}
			if keys, err := s.LedgerKeysOpen(); err != nil || keys < 30 {
				t.Fatalf("the month is in %d keys: its runs were not split (%v)", keys, err)
			}
		})
	}
}

// AllTotalsIn answers for each period what AllTotals does for it alone:
// overlapping periods, one inside another, one-day ones, empty ones.
func TestStore_AllTotalsInMatchesAllTotals(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	s := mustOpen(t, filepath.Join(t.TempDir(), "at.db"))
	defer s.Close()
	storeHistory(t, s, []string{"a", "b", "c"}, randomHistory(r, 700), 50)
	mustPartner(t, s, "quiet") // no events: absent from every map
	var periods []bot.Period
	for range 12 {
		from := bot.MustDate("2025-12-20").AddDays(r.IntN(360))
		periods = append(periods, bot.Period{From: from, To: from.AddDays(r.IntN(70) - 3)})
	}
	periods = append(periods, bot.Period{From: bot.MustDate("2026-03-01"), To: bot.MustDate("2026-03-01")})
	got, err := s.AllTotalsIn(ctx, periods)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range periods {
		want, err := s.AllTotals(ctx, p.From, p.To)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[i], want) {
			t.Fatalf("%s..%s: AllTotalsIn %v, AllTotals %v", p.From, p.To, got[i], want)
		}
	}
}
