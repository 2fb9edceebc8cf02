package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// A sale that a change of zone moves into another month keeps its
// commission item there: a refund naming it afterwards takes it back, and
// a partner whose id begins with the first's is left alone.
func TestStore_ZoneMoveThenRefund(t *testing.T) {
	path := filepath.Join(t.TempDir(), "z.db")
	open := func(loc *time.Location) *store.Store {
		s, err := store.Open(path, store.Options{Location: loc, Clock: bot.NewManualClock(tstart)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open(time.UTC)
	mustPartner(t, s, "ab")
	mustPartner(t, s, "ab-2")
	sale := ev("s1", bot.EventSale, "ab", "2026-11-30T23:30:00Z", 1000, 100) // Dec 1 in Warsaw
	other := ev("s2", bot.EventSale, "ab-2", "2026-11-30T23:30:00Z", 1000, 100)
	if _, err := s.Ingest(ctx, []bot.Event{sale, other}, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(waw)
	defer s.Close()
	r := ev("r1", bot.EventRefund, "ab", "2026-12-02T10:00:00Z", 500, 100)
	r.Ref = "s1"
	if _, err := s.Ingest(ctx, []bot.Event{r}, nil); err != nil {
		t.Fatal(err)
	}
	all := []bot.Event{sale, other, r}
	for _, d := range []string{"2026-12-01", "2026-12-31", "2027-01-05"} {
		for _, p := range []string{"ab", "ab-2"} {
			c, _ := s.Commissions(ctx, p, bot.MustDate(d))
			if w := recountCommissions(all, p, bot.MustDate(d), 30); c != w {
				t.Errorf("%s %s: %+v want %+v", p, d, c, w)
			}
		}
	}
	tot, _ := s.Totals(ctx, "ab", bot.MustDate("2026-12-01"), bot.MustDate("2026-12-01"))
	if tot.Sales != 1 {
		t.Errorf("Dec 1 totals %+v", tot)
	}
}
