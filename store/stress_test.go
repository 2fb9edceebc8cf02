package store_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// Partners whose ids are prefixes of one another, so that a key of one
// sorting into another's range shows.
var revPartners = []string{"ab", "ab-2", "ab.c"}

// revHistory is randomHistory for revPartners, with a sixth of the events
// moved exactly onto a month's edge in Warsaw, or a nanosecond before it.
func revHistory(r *rand.Rand, n int) []bot.Event {
	evs := randomHistory(r, n)
	m := map[string]string{"a": "ab", "b": "ab-2", "c": "ab.c"}
	for i := range evs {
		evs[i].Partner = m[evs[i].Partner]
		if r.IntN(6) == 0 { // exactly on a month edge in Warsaw, or a nanosecond before
			t := evs[i].At.In(waw)
			edge := time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, waw)
			if r.IntN(2) == 0 {
				edge = edge.Add(-time.Nanosecond)
			}
			evs[i].At = edge
		}
	}
	return evs
}

// checkAgainst compares everything the store answers about revPartners
// with evs: the events, in order; the totals; the commissions as of
// dozens of days, against the brute-force recount.
func checkAgainst(t *testing.T, s *store.Store, evs []bot.Event, hold int, r *rand.Rand, what string) {
	t.Helper()
	for _, p := range revPartners {
		var want []string
		for _, e := range evs {
			if e.Partner == p {
				want = append(want, e.ID)
			}
		}
		got, err := s.PartnerEvents(ctx, p, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []string
		for i, e := range got {
			if e.Partner != p {
				t.Fatalf("%s: %s's events hold one of %s", what, p, e.Partner)
			}
			if i > 0 && e.At.Before(got[i-1].At) {
				t.Fatalf("%s: out of order", what)
			}
			gotIDs = append(gotIDs, e.ID)
		}
		sort.Strings(want)
		sort.Strings(gotIDs)
		if fmt.Sprint(want) != fmt.Sprint(gotIDs) {
			t.Fatalf("%s: %s has %d events, want %d", what, p, len(gotIDs), len(want))
		}
		var tot bot.Totals
		for _, e := range evs {
			if e.Partner == p {
				tot.Add(&e)
			}
		}
		st, err := s.Totals(ctx, p, bot.MustDate("2020-01-01"), bot.MustDate("2030-01-01"))
		if err != nil {
			t.Fatal(err)
		}
		st.Commission = 0
		if st != tot {
			t.Fatalf("%s: %s totals %+v want %+v", what, p, st, tot)
		}
		days := []bot.Date{bot.MustDate("2025-12-31"), bot.MustDate("2026-12-31"), bot.MustDate("2027-03-01")}
		for range 40 {
			days = append(days, bot.MustDate("2026-01-01").AddDays(r.IntN(420)))
		}
		for _, d := range days {
			c, err := s.Commissions(ctx, p, d)
			if err != nil {
				t.Fatal(err)
			}
			if w := recountCommissions(evs, p, d, hold); c != w {
				t.Fatalf("%s: %s as of %s: %+v, recount %+v", what, p, d, c, w)
			}
		}
	}
}

// The ledger under stress: runs of 1 byte to 1 KB, holds of 0 to 45
// days, events arriving shuffled and twice, on month edges, refunds before
// their sales and in the same batch; then a change of zone there and
// back, a migration from schema 12, more refunds and commission events
// naming sales that keep their items, and a purge. Every answer matches
// the recount after each step.
func TestStore_LedgerStress(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			defer store.SetMaxRun([]int{1, 48, 200, 1024}[seed%4])()
			r := rand.New(rand.NewPCG(seed, 99))
			hold := []int{0, 1, 30, 45}[r.IntN(4)]
			path := filepath.Join(t.TempDir(), "x.db")
			open := func(loc *time.Location, hold int) *store.Store {
				s, err := store.Open(path, store.Options{Location: loc, Clock: bot.NewManualClock(tstart), HoldDays: holdOption(hold)})
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			s := open(waw, hold)
			for _, p := range revPartners {
				mustPartner(t, s, p)
			}
			evs := revHistory(r, 600)
			arrival := append([]bot.Event(nil), evs...)
			r.Shuffle(len(arrival), func(i, j int) { arrival[i], arrival[j] = arrival[j], arrival[i] })
			// some duplicates
			arrival = append(arrival, arrival[:20]...)
			for i := 0; i < len(arrival); {
				j := min(len(arrival), i+1+r.IntN(30))
				if _, err := s.Ingest(ctx, arrival[i:j], nil); err != nil {
					t.Fatal(err)
				}
				i = j
			}
			checkAgainst(t, s, evs, hold, r, "ingest")
			s.Close()
			s = open(time.UTC, hold)
			s.Close()
			s = open(waw, hold)
			checkAgainst(t, s, evs, hold, r, "zone round trip")
			s.Close()
			for _, f := range []func(string) error{store.DowngradeToSchema12, store.DowngradeToSchema11, func(p string) error { return store.DowngradeToSchema10(p, holdOption(hold)) }} {
				_ = f
			}
			if err := store.DowngradeToSchema12(path); err != nil {
				t.Fatal(err)
			}
			s = open(waw, hold)
			checkAgainst(t, s, evs, hold, r, "from 12")
			// more events after, then purge ab
			more := revHistory(rand.New(rand.NewPCG(seed, 5)), 200)
			for i := range more {
				more[i].ID = "m" + more[i].ID
				if more[i].Ref != "" && r.IntN(2) == 0 {
					// refunds / commissions naming old sales
					for _, e := range evs {
						if e.Type == bot.EventSale && e.Commission != 0 && e.Partner == more[i].Partner && (more[i].Type == bot.EventRefund || more[i].Type == bot.EventCommission) {
							more[i].Ref = e.ID
							if r.IntN(3) == 0 {
								break
							}
						}
					}
				}
			}
			if _, err := s.Ingest(ctx, more, nil); err != nil {
				t.Fatal(err)
			}
			all := append(append([]bot.Event(nil), evs...), more...)
			checkAgainst(t, s, all, hold, r, "more")
			if _, err := s.DeletePartner(ctx, "ab", true); err != nil {
				t.Fatal(err)
			}
			var rest []bot.Event
			for _, e := range all {
				if e.Partner != "ab" {
					rest = append(rest, e)
				}
			}
			mustPartner(t, s, "ab")
			checkAgainst(t, s, rest, hold, r, "purge")
			s.Close()
		})
	}
}
