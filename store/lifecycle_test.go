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

// recountCommissions is the brute force the store must agree with: it
// reads a partner's events as the lifecycle's rules say (lifecycle.go),
// item by item, at one day, with no stored state at all.
func recountCommissions(evs []bot.Event, partner string, d bot.Date, hold int) bot.Commissions {
	var out bot.Commissions
	items := map[string][]bot.Event{}
	for _, e := range evs {
		if e.Partner != partner {
			continue
		}
		day := bot.DateOf(e.At, waw)
		switch e.Type {
		case bot.EventPayout:
			if !day.After(d) {
				out.Paid += e.Amount
			}
		case bot.EventSale:
			if e.Commission != 0 {
				items[e.ID] = append(items[e.ID], e)
			}
		case bot.EventRefund:
			switch {
			case e.Commission == 0:
			case e.Ref == "":
				items[e.ID] = append(items[e.ID], e)
			default:
				items[e.Ref] = append(items[e.Ref], e)
			}
		case bot.EventCommission:
			items[e.Ref] = append(items[e.Ref], e)
		}
	}
	for _, es := range items {
		sort.SliceStable(es, func(i, j int) bool {
			if !es[i].At.Equal(es[j].At) {
				return es[i].At.Before(es[j].At)
			}
			return es[i].ID < es[j].ID
		})
		created := bot.DateOf(es[0].At, waw)
		if created.After(d) {
			continue
		}
		var value bot.Amount
		approved := !created.AddDays(hold).After(d)
		voided := false
		for i, e := range es {
			day := bot.DateOf(e.At, waw)
			if day.After(d) {
				break
			}
			switch {
			case i == 0 && e.Type == bot.EventRefund:
				value = -e.Commission
			case i == 0:
				value = e.Commission
			case e.Type == bot.EventSale:
				value += e.Commission
			case e.Type == bot.EventRefund:
				value -= e.Commission
			case e.Commission != 0:
				value = e.Commission
			}
			if e.Type == bot.EventCommission && e.State == bot.CommissionApproved {
				approved = true
			}
			if e.Type == bot.EventCommission && e.State == bot.CommissionVoid {
				voided = true
				break
			}
		}
		switch {
		case voided:
		case approved:
			out.Approved += value
		default:
			out.Pending += value
		}
	}
	return out
}

// randomHistory makes events of three partners over a year: sales with
// commission, refunds naming their sale, an unknown ref or none,
// commission events creating items or approving, voiding and replacing
// them (clawbacks too), and payouts.
func randomHistory(r *rand.Rand, n int) []bot.Event {
	partners := []string{"a", "b", "c"}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, waw)
	at := func() time.Time {
		// Whole minutes around midnight now and then: day edges matter.
		return start.Add(time.Duration(r.Int64N(int64(330*24*time.Hour))) / time.Minute * time.Minute)
	}
	var evs []bot.Event
	var sales []bot.Event
	states := []bot.CommissionState{"", bot.CommissionPending, bot.CommissionApproved, bot.CommissionApproved, bot.CommissionVoid}
	for i := range n {
		e := bot.Event{ID: fmt.Sprintf("e%d", i), Partner: partners[r.IntN(3)], At: at()}
		switch k := r.IntN(10); {
		case k < 4:
			e.Type, e.Amount, e.Commission = bot.EventSale, bot.Amount(100+r.IntN(100000)), bot.Amount(r.IntN(3000))
			sales = append(sales, e)
		case k < 6:
			e.Type, e.Amount, e.Commission = bot.EventRefund, bot.Amount(r.IntN(50000)), bot.Amount(r.IntN(1500))
			switch {
			case len(sales) > 0 && r.IntN(3) > 0:
				s := sales[r.IntN(len(sales))]
				e.Partner, e.Ref = s.Partner, s.ID
				if r.IntN(2) == 0 { // mostly after its sale, sometimes before
					e.At = s.At.Add(time.Duration(r.IntN(60*24)) * time.Hour)
				}
			case r.IntN(2) == 0:
				e.Ref = fmt.Sprintf("gone%d", r.IntN(5))
			}
		case k < 8:
			e.Type, e.State = bot.EventCommission, states[r.IntN(len(states))]
			if r.IntN(3) > 0 {
				e.Commission = bot.Amount(r.IntN(4000) - 800)
			}
			if len(sales) > 0 && r.IntN(2) == 0 {
				s := sales[r.IntN(len(sales))]
				e.Partner, e.Ref = s.Partner, s.ID
				e.At = s.At.Add(time.Duration(r.IntN(40*24)-24) * time.Hour)
			} else {
				e.Ref = fmt.Sprintf("cm%d", r.IntN(n/4+1))
			}
		case k < 9:
			e.Type, e.Amount = bot.EventPayout, bot.Amount(1+r.IntN(20000))
		default:
			e.Type = bot.EventClick
		}
		evs = append(evs, e)
	}
	return evs
}

func TestStore_CommissionLifecycleMatchesRecount(t *testing.T) {
	for seed := range uint64(6) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			hold := []int{0, 1, 14, 30, 45, 90}[r.IntN(6)]
			path := filepath.Join(t.TempDir(), "lc.db")
			s, err := store.Open(path, store.Options{Location: waw, Clock: bot.NewManualClock(tstart), HoldDays: holdOption(hold)})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { s.Close() }()
			for _, id := range []string{"a", "b", "c"} {
				mustPartner(t, s, id)
			}
			evs := randomHistory(r, 400+r.IntN(400))
			for _, e := range evs {
				if err := e.Validate(); err != nil {
					t.Fatalf("the generator made an invalid event %+v: %v", e, err)
				}
			}
			// Stored in random order and batches: arrival order must not matter.
			arrival := append([]bot.Event(nil), evs...)
			r.Shuffle(len(arrival), func(i, j int) { arrival[i], arrival[j] = arrival[j], arrival[i] })
			for i := 0; i < len(arrival); {
				j := min(len(arrival), i+1+r.IntN(60))
				if _, err := s.Ingest(ctx, arrival[i:j], nil); err != nil {
					t.Fatal(err)
				}
				i = j
			}
			check := func(hold int) {
				t.Helper()
				days := []bot.Date{bot.MustDate("2025-12-31"), bot.MustDate("2026-12-31"), bot.MustDate("2027-03-01")}
				for range 25 {
					days = append(days, bot.MustDate("2026-01-01").AddDays(r.IntN(420)))
				}
				for _, d := range days {
					for _, p := range []string{"a", "b", "c"} {
						got, err := s.Commissions(ctx, p, d)
						if err != nil {
							t.Fatal(err)
						}
						if want := recountCommissions(evs, p, d, hold); got != want {
							t.Fatalf("hold %d, %s as of %s: store %+v, recount %+v", hold, p, d, got, want)
						}
					}
				}
				// A period's commission is the lifecycle's net change over it.
				for range 10 {
					from := bot.MustDate("2026-01-01").AddDays(r.IntN(330))
					to := from.AddDays(r.IntN(60))
					p := []string{"a", "b", "c"}[r.IntN(3)]
					tot, err := s.Totals(ctx, p, from, to)
					if err != nil {
						t.Fatal(err)
					}
					end, begin := recountCommissions(evs, p, to, hold), recountCommissions(evs, p, from.AddDays(-1), hold)
					if want := end.Pending + end.Approved - begin.Pending - begin.Approved; tot.Commission != want {
						t.Fatalf("hold %d, %s commission %s..%s = %d, want %d", hold, p, from, to, tot.Commission, want)
					}
				}
			}
			check(hold)

			// Another hold at the next start recounts the lifecycle.
			s.Close()
			hold2 := []int{0, 7, 30, 60}[r.IntN(4)]
			if s, err = store.Open(path, store.Options{Location: waw, Clock: bot.NewManualClock(tstart), HoldDays: holdOption(hold2)}); err != nil {
				t.Fatal(err)
			}
			check(hold2)
		})
	}
}

func holdOption(days int) int {
	if days == 0 {
		return -1
	}
	return days
}

func TestStore_CommissionLifecycle(t *testing.T) {
	s := mustOpen(t, "") // 30-day hold
	mustPartner(t, s, "janko")
	at := func(d string) string { return d + "T12:00:00+01:00" }
	cm := func(id, ref, day string, c bot.Amount, st bot.CommissionState) bot.Event {
		e := ev(id, bot.EventCommission, "janko", at(day), 0, c)
		e.Ref, e.State = ref, st
		return e
	}
	refund := ev("r1", bot.EventRefund, "janko", at("2026-10-10"), 1000, 200)
	refund.Ref = "o1"
	evs := []bot.Event{
		ev("o1", bot.EventSale, "janko", at("2026-10-01"), 10000, 1000),
		refund, // 2.00 of o1's 10.00 back
		ev("o2", bot.EventSale, "janko", at("2026-10-05"), 5000, 500),
		cm("c1", "o2", "2026-10-06", 0, bot.CommissionApproved), // the platform approves o2 early
		ev("o3", bot.EventSale, "janko", at("2026-10-07"), 5000, 300),
		cm("c2", "o3", "2026-10-08", 0, bot.CommissionVoid), // and voids o3
		cm("c3", "dub-9", "2026-10-20", 700, bot.CommissionPending),
		cm("c4", "dub-9", "2026-10-25", -100, ""), // a clawback replaces its amount
		ev("p1", bot.EventPayout, "janko", at("2026-10-15"), 400, 0),
	}
	if _, err := s.Ingest(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		day                     string
		pending, approved, paid bot.Amount
	}{
		{"2026-09-30", 0, 0, 0},
		{"2026-10-05", 1000 + 500, 0, 0},
		{"2026-10-06", 1000, 500, 0},
		{"2026-10-07", 1000 + 300, 500, 0},
		{"2026-10-10", 800, 500, 0},
		{"2026-10-15", 800, 500, 400},
		{"2026-10-20", 800 + 700, 500, 400},
		{"2026-10-25", 800 - 100, 500, 400},
		{"2026-10-31", -100, 500 + 800, 400}, // o1's hold ended on the 31st
	} {
		got, err := s.Commissions(ctx, "janko", bot.MustDate(tt.day))
		if err != nil {
			t.Fatal(err)
		}
		want := bot.Commissions{Pending: tt.pending, Approved: tt.approved, Paid: tt.paid}
		if got != want {
			t.Errorf("as of %s: %+v, want %+v", tt.day, got, want)
		}
	}
	st, err := s.Stats(ctx, "janko", bot.MonthPeriod(2026, 10), bot.MustDate("2026-11-22"), pln)
	if err != nil {
		t.Fatal(err)
	}
	if st.Owed.ToPay() != 1300-400 || st.Owed.Pending != 700-800 || st.PrevOwed != (bot.Commissions{}) {
		t.Errorf("stats owed %+v, before %+v", st.Owed, st.PrevOwed)
	}
}

func TestStore_StatsAtCountsBoundaryDayCommission(t *testing.T) {
	// On 1 December at 10:00 the period before is 1 November up to 10:00:
	// the commission of the sale before the cut counts, the one after not.
	s := mustOpen(t, "")
	mustPartner(t, s, "janko")
	evs := []bot.Event{
		ev("n1", bot.EventSale, "janko", "2026-11-01T09:00:00+01:00", 10000, 300),
		ev("n2", bot.EventSale, "janko", "2026-11-01T15:00:00+01:00", 10000, 500),
	}
	if _, err := s.Ingest(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	st, err := s.StatsAt(ctx, "janko", bot.MonthPeriod(2026, 12), time.Date(2026, 12, 1, 10, 0, 0, 0, waw), pln)
	if err != nil {
		t.Fatal(err)
	}
	if st.Previous.Commission != 300 || st.Previous.SalesAmount != 10000 {
		t.Fatalf("previous = %+v, want the 09:00 sale's 3.00 commission only", st.Previous)
	}
}
