package store_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"

	"partnerbot/bot"
	"partnerbot/store"
)

// Staged events folded into the ledger at any size of fold, with reads
// between batches or not, answer every read as events written straight
// into the ledger do (FoldEvents 1: every request folds at once).
func TestStore_StagingFoldsAsDirect(t *testing.T) {
	partners := []string{"a", "b", "c"}
	for seed := range uint64(3) {
		r := rand.New(rand.NewPCG(seed, 11))
		evs := randomHistory(r, 900+r.IntN(300))
		r.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
		view := func(fold, batch int, readBetween bool) []string {
			s, err := store.Open(filepath.Join(t.TempDir(), "st.db"), store.Options{Location: waw, FoldEvents: fold})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for _, id := range partners {
				mustPartner(t, s, id)
			}
			for i := 0; i < len(evs); i += batch {
				if _, err := s.Ingest(ctx, evs[i:min(i+batch, len(evs))], nil); err != nil {
					t.Fatal(err)
				}
				if readBetween {
					if _, err := s.Totals(ctx, partners[i%3], bot.MustDate("2026-01-01"), bot.MustDate("2026-12-31")); err != nil {
						t.Fatal(err)
					}
				}
			}
			return ledgerView(t, s, partners)
		}
		want := view(1, 17, false)
		for _, c := range []struct {
			fold, batch int
			readBetween bool
		}{{7, 17, false}, {100, 17, false}, {100, 17, true}, {1 << 20, 17, false}, {50, 1, true}, {250, 60, false}} {
			sameView(t, fmt.Sprintf("seed %d, fold %d, batch %d, reads between %v", seed, c.fold, c.batch, c.readBetween),
				view(c.fold, c.batch, c.readBetween), want)
		}
	}
}

// Events staged and not yet folded are in the ledger when the file is
// opened again (Close folds; so does Open, after a crash: see
// TestStore_UncleanStop), and a second open finds nothing left to fold.
func TestStore_StagedSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "st.db")
	s, err := store.Open(path, store.Options{Location: waw, FoldEvents: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	mustPartner(t, s, "a")
	for i := range 30 {
		if _, err := s.Ingest(ctx, []bot.Event{ev(fmt.Sprint("s", i), bot.EventSale, "a", "2026-03-02T10:00:00+01:00", 1000, 100)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Staged(); n != 30 {
		t.Fatalf("Staged() = %d after 30 events, want 30", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s, err := store.Open(path, store.Options{Location: waw})
		if err != nil {
			t.Fatal(err)
		}
		tot, err := s.Totals(ctx, "a", bot.MustDate("2026-03-01"), bot.MustDate("2026-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		if tot.Sales != 30 || tot.SalesAmount != 30000 {
			t.Fatalf("after reopening: %+v, want 30 sales of 30000", tot)
		}
		if n := s.Staged(); n != 0 {
			t.Fatalf("Staged() = %d after reopening, want 0", n)
		}
		s.Close()
	}
}

// A read that follows an Ingest sees its events, whatever other writers
// and readers do meanwhile (go test -race: the fold's bookkeeping is
// shared).
func TestStore_StagedReadYourWrites(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "st.db"), store.Options{Location: waw, FoldEvents: 40})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const writers, rounds = 4, 25
	for w := range writers {
		mustPartner(t, s, fmt.Sprint("p", w))
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := fmt.Sprint("p", w)
			for i := range rounds {
				var evs []bot.Event
				for j := range 1 + i%7 {
					evs = append(evs, ev(fmt.Sprintf("%s-%d-%d", p, i, j), bot.EventClick, p, "2026-05-05T12:00:00+02:00", 0, 0))
				}
				if _, err := s.Ingest(ctx, evs, nil); err != nil {
					errs <- err
					return
				}
				want := 0
				for k := range i + 1 {
					want += 1 + k%7
				}
				tot, err := s.Totals(ctx, p, bot.MustDate("2026-05-05"), bot.MustDate("2026-05-05"))
				if err != nil {
					errs <- err
					return
				}
				if int(tot.Clicks) != want {
					errs <- fmt.Errorf("%s after round %d: %d clicks, want %d", p, i, tot.Clicks, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
