package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

var (
	ctx    = context.Background()
	waw    = mustLoc("Europe/Warsaw")
	pln    = bot.Currency{Code: "PLN", Digits: 2}
	tstart = time.Date(2026, 11, 22, 12, 0, 0, 0, waw)
)

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func mustOpen(tb testing.TB, path string) *store.Store {
	tb.Helper()
	if path == "" {
		path = filepath.Join(tb.TempDir(), "test.db")
	}
	s, err := store.Open(path, store.Options{Location: waw, Clock: bot.NewManualClock(tstart)})
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func mustPartner(tb testing.TB, s *store.Store, id string) *bot.Partner {
	tb.Helper()
	p := &bot.Partner{ID: id, Name: "Partner " + id, Joined: bot.MustDate("2025-03-01")}
	if _, err := s.PutPartner(ctx, p); err != nil {
		tb.Fatalf("put partner %s: %v", id, err)
	}
	return p
}

func ev(id string, typ bot.EventType, partner, at string, amount, commission bot.Amount) bot.Event {
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		panic(err)
	}
	return bot.Event{ID: id, Type: typ, Partner: partner, At: t, Amount: amount, Commission: commission}
}

func TestStore_Ingest(t *testing.T) {
	s := mustOpen(t, "")
	mustPartner(t, s, "janko")
	mustPartner(t, s, "apteka")
	evs := []bot.Event{
		ev("o1", bot.EventSale, "janko", "2026-11-16T10:15:00+01:00", 12999, 260),
		ev("o2", bot.EventSale, "janko", "2026-11-16T23:30:00+01:00", 5000, 100),
		ev("c1", bot.EventClick, "janko", "2026-11-16T09:00:00+01:00", 0, 0),
		ev("r1", bot.EventRefund, "janko", "2026-11-17T08:00:00+01:00", 5000, 100),
		ev("p1", bot.EventPayout, "janko", "2026-11-18T08:00:00+01:00", 100, 0),
		ev("s1", bot.EventSignup, "apteka", "2026-11-18T08:00:00+01:00", 0, 0),
	}
	res, err := s.Ingest(ctx, evs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 6 || res.Duplicates != 0 {
		t.Fatalf("result = %+v, want 6 accepted", res)
	}
	tot, err := s.Totals(ctx, "janko", bot.MustDate("2026-11-01"), bot.MustDate("2026-11-30"))
	if err != nil {
		t.Fatal(err)
	}
	want := bot.Totals{Clicks: 1, Sales: 2, Refunds: 1, SalesAmount: 17999, RefundAmount: 5000, Commission: 260, Payouts: 100}
	if tot != want {
		t.Fatalf("totals = %+v, want %+v", tot, want)
	}
	if tot.Turnover() != 12999 || tot.Balance() != 160 {
		t.Fatalf("turnover %d balance %d", tot.Turnover(), tot.Balance())
	}

	t.Run("duplicate id", func(t *testing.T) {
		res, err := s.Ingest(ctx, []bot.Event{
			ev("o1", bot.EventSale, "janko", "2026-11-20T10:15:00+01:00", 99999, 0), // same id, other data
			ev("o3", bot.EventSale, "janko", "2026-11-20T10:15:00+01:00", 100, 0),
			ev("o3", bot.EventSale, "janko", "2026-11-20T10:15:00+01:00", 100, 0), // repeated within the request
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 1 || res.Duplicates != 2 {
			t.Fatalf("result = %+v, want 1 accepted 2 duplicates", res)
		}
		tot, _ := s.Totals(ctx, "janko", bot.MustDate("2026-11-01"), bot.MustDate("2026-11-30"))
		if tot.Sales != 3 || tot.SalesAmount != 18099 {
			t.Fatalf("after duplicates: sales %d amount %d, want 3 and 18099", tot.Sales, tot.SalesAmount)
		}
	})

	t.Run("unknown partner stores nothing", func(t *testing.T) {
		before, _ := s.EventCount(ctx)
		_, err := s.Ingest(ctx, []bot.Event{
			ev("n1", bot.EventSale, "janko", "2026-11-20T10:15:00+01:00", 100, 0),
			ev("n2", bot.EventSale, "nobody", "2026-11-20T10:15:00+01:00", 100, 0),
		}, []int{7, 9})
		e := bot.AsError(err)
		if e == nil || e.Code != bot.EINVALID || e.Line != 9 || e.Field != "partner" {
			t.Fatalf("err = %#v, want invalid line 9 field partner", err)
		}
		after, _ := s.EventCount(ctx)
		if ok, _ := s.HasEvent(ctx, "n1"); ok || after != before {
			t.Fatalf("events stored despite the error: %d → %d", before, after)
		}
	})

	t.Run("failure in the middle stores nothing", func(t *testing.T) {
		before, _ := s.Totals(ctx, "janko", bot.MustDate("2026-01-01"), bot.MustDate("2026-12-31"))
		s.FailAfter(2)
		defer s.FailAfter(0)
		_, err := s.Ingest(ctx, []bot.Event{
			ev("f1", bot.EventSale, "janko", "2026-11-20T10:15:00+01:00", 100, 0),
			ev("f2", bot.EventSale, "janko", "2026-11-21T10:15:00+01:00", 100, 0),
			ev("f3", bot.EventSale, "janko", "2026-11-22T10:15:00+01:00", 100, 0),
		}, nil)
		if err == nil {
			t.Fatal("injected failure not reported")
		}
		after, _ := s.Totals(ctx, "janko", bot.MustDate("2026-01-01"), bot.MustDate("2026-12-31"))
		for _, id := range []string{"f1", "f2", "f3"} {
			if ok, _ := s.HasEvent(ctx, id); ok {
				t.Errorf("event %s stored by a failed request", id)
			}
		}
		if after != before {
			t.Fatalf("totals changed by a failed request: %+v → %+v", before, after)
		}
	})
}

func TestStore_DayFollowsProgramZone(t *testing.T) {
	s := mustOpen(t, "")
	mustPartner(t, s, "janko")
	// 23:30 UTC on 31 Oct is 00:30 on 1 Nov in Warsaw (CET, +01:00).
	if _, err := s.Ingest(ctx, []bot.Event{ev("x", bot.EventSale, "janko", "2026-10-31T23:30:00Z", 100, 0)}, nil); err != nil {
		t.Fatal(err)
	}
	oct, _ := s.Totals(ctx, "janko", bot.MustDate("2026-10-01"), bot.MustDate("2026-10-31"))
	nov, _ := s.Totals(ctx, "janko", bot.MustDate("2026-11-01"), bot.MustDate("2026-11-30"))
	if oct.Sales != 0 || nov.Sales != 1 {
		t.Fatalf("October %d sales, November %d; want the sale in November", oct.Sales, nov.Sales)
	}
}

func TestStore_StatsAcrossBoundaries(t *testing.T) {
	s := mustOpen(t, "")
	mustPartner(t, s, "janko")
	// One sale of 1 zł at each instant; the expected periods are Warsaw's.
	instants := map[string][]string{
		"2026-W13": {"2026-03-23T00:00:00+01:00", "2026-03-29T01:59:59+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T23:59:59+02:00"},
		"2026-W14": {"2026-03-30T00:00:00+02:00"},
		"2026-W43": {"2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00", "2026-10-25T23:59:59+01:00"}, // the repeated hour, twice
		"2026-W44": {"2026-10-25T23:00:00Z"},                                                                // 00:00 Monday in Warsaw
		"2025-W52": {"2025-12-28T23:59:59+01:00"},
		"2026-W01": {"2025-12-29T00:00:00+01:00", "2026-01-01T00:00:00+01:00", "2026-01-04T23:59:59+01:00"},
	}
	var evs []bot.Event
	n := 0
	for _, ins := range instants {
		for _, at := range ins {
			n++
			evs = append(evs, ev(fmt.Sprintf("e%d", n), bot.EventSale, "janko", at, 100, 0))
		}
	}
	if _, err := s.Ingest(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	today := bot.MustDate("2026-11-22")
	for period, ins := range instants {
		p, _ := bot.ParsePeriod(period, today)
		st, err := s.Stats(ctx, "janko", p, today, pln)
		if err != nil {
			t.Fatal(err)
		}
		if st.Current.Sales != int64(len(ins)) {
			t.Errorf("%s: %d sales, want %d", period, st.Current.Sales, len(ins))
		}
	}
	tests := []struct {
		period string
		sales  int64
	}{
		{"2025", 2},
		{"2026", int64(n - 2)},
		{"2025-12", 2},
		{"2026-01", 2},
		{"2026-03", 5},
		{"2026-Q1", 7},
		{"2026-10", 4},
		{"2026-10-25..2026-10-25", 3},
		{"2026-10-26..2026-10-26", 1},
	}
	for _, tt := range tests {
		p, err := bot.ParsePeriod(tt.period, today)
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.Stats(ctx, "janko", p, today, pln)
		if err != nil {
			t.Fatal(err)
		}
		if st.Current.Sales != tt.sales {
			t.Errorf("%s: %d sales, want %d", tt.period, st.Current.Sales, tt.sales)
		}
	}
}

// TestStore_StatsMatchRecount checks stats read from daily totals against
// a brute-force recount of the same random events for random periods.
func TestStore_StatsMatchRecount(t *testing.T) {
	s := mustOpen(t, "")
	r := rand.New(rand.NewPCG(1, 2))
	partners := []string{"a", "b", "c"}
	for _, id := range partners {
		mustPartner(t, s, id)
	}
	start := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	var all []bot.Event
	for i := range 4000 {
		typ := bot.EventTypes[r.IntN(len(bot.EventTypes))]
		if typ == bot.EventCommission { // the lifecycle's own test covers them
			typ = bot.EventSale
		}
		e := bot.Event{ID: fmt.Sprintf("ev%d", i), Type: typ, Partner: partners[r.IntN(3)],
			At: start.Add(time.Duration(r.Int64N(int64(450 * 24 * time.Hour))))}
		if typ.HasAmount() {
			e.Amount = bot.Amount(1 + r.IntN(100000))
		}
		if typ.HasCommission() {
			e.Commission = bot.Amount(r.IntN(2000))
		}
		if r.IntN(10) == 0 && i > 0 { // some duplicates
			e.ID = fmt.Sprintf("ev%d", r.IntN(i))
		}
		all = append(all, e)
	}
	for i := 0; i < len(all); i += 500 {
		if _, err := s.Ingest(ctx, all[i:min(i+500, len(all))], nil); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	var unique []bot.Event
	for _, e := range all {
		if !seen[e.ID] {
			seen[e.ID] = true
			unique = append(unique, e)
		}
	}
	recount := func(partner string, from, to bot.Date) bot.Totals {
		var t bot.Totals
		startT, endT := from.Start(waw), to.AddDays(1).Start(waw)
		for i := range unique {
			e := &unique[i]
			if e.Partner == partner && !e.At.Before(startT) && e.At.Before(endT) {
				t.Add(e)
				switch e.Type { // refunds without a ref take commission back on their own day
				case bot.EventSale:
					t.Commission += e.Commission
				case bot.EventRefund:
					t.Commission -= e.Commission
				}
			}
		}
		return t
	}
	today := bot.MustDate("2026-11-22")
	periods := []string{"2026-W47", "2026-11", "2026-Q4", "2026", "2025", "30d", "week", "month", "2026-03-29..2026-04-02", "2026-W13", "2026-10"}
	for range 40 {
		a := bot.MustDate("2025-09-01").AddDays(r.IntN(440))
		periods = append(periods, a.String()+".."+a.AddDays(r.IntN(120)).String())
	}
	for _, ps := range periods {
		p, err := bot.ParsePeriod(ps, today)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range partners {
			st, err := s.Stats(ctx, id, p, today, pln)
			if err != nil {
				t.Fatal(err)
			}
			if want := recount(id, p.From, st.Through); st.Current != want {
				t.Errorf("%s %s current = %+v, recount %+v", id, ps, st.Current, want)
			}
			if want := recount(id, st.PrevPeriod.From, st.PrevThrough); st.Previous != want {
				t.Errorf("%s %s previous = %+v, recount %+v", id, ps, st.Previous, want)
			}
		}
	}
}

func TestStore_ZoneChangeRebuildsDaily(t *testing.T) {
	path := filepath.Join(t.TempDir(), "z.db")
	s := mustOpen(t, path)
	mustPartner(t, s, "janko")
	if _, err := s.Ingest(ctx, []bot.Event{ev("x", bot.EventSale, "janko", "2026-10-31T23:30:00Z", 100, 0)}, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := store.Open(path, store.Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	oct, _ := s2.Totals(ctx, "janko", bot.MustDate("2026-10-01"), bot.MustDate("2026-10-31"))
	if oct.Sales != 1 {
		t.Fatalf("after switching to UTC the sale belongs to October; got %d", oct.Sales)
	}
}

func TestStore_LockedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	mustOpen(t, path)
	_, err := store.Open(path, store.Options{Location: waw, LockTimeout: 50 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "in use by another process") || !strings.Contains(err.Error(), path) {
		t.Fatalf("second open: %v", err)
	}
}

func TestStore_RefusesForeignAndNewerFiles(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database ", 1000)), 0o600)
	if _, err := store.Open(junk, store.Options{}); err == nil {
		t.Fatal("opened a junk file")
	}
}

// TestStore_UncleanStop kills a process that is ingesting and checks that
// every event it had acknowledged is in the file after reopening.
func TestStore_UncleanStop(t *testing.T) {
	if os.Getenv("PARTNERBOT_CRASH_CHILD") != "" {
		crashChild()
		return
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	s := mustOpen(t, path)
	mustPartner(t, s, "janko")
	s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestStore_UncleanStop$")
	cmd.Env = append(os.Environ(), "PARTNERBOT_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Read acknowledgements until enough have come, then kill -9.
	buf := make([]byte, 0, 1<<16)
	tmp := make([]byte, 4096)
	for strings.Count(string(buf), "\n") < 50 {
		n, err := out.Read(tmp)
		if err != nil {
			t.Fatalf("child stopped early: %v: %s", err, buf)
		}
		buf = append(buf, tmp[:n]...)
	}
	cmd.Process.Kill()
	cmd.Wait()

	var acked []string
	for _, line := range strings.Split(string(buf), "\n") {
		if id, ok := strings.CutPrefix(line, "ack "); ok {
			acked = append(acked, id)
		}
	}
	s2 := mustOpen(t, path)
	for _, id := range acked {
		if ok, err := s2.HasEvent(ctx, id); err != nil || !ok {
			t.Fatalf("acknowledged event %s lost after kill -9 (err %v)", id, err)
		}
	}
	n, _ := s2.EventCount(ctx)
	tot, _ := s2.Totals(ctx, "janko", bot.MustDate("2026-01-01"), bot.MustDate("2026-12-31"))
	if int(tot.Sales) != n {
		t.Fatalf("daily totals count %d sales but %d events are stored", tot.Sales, n)
	}
	t.Logf("%d acknowledged batches survived; %d events in the file", len(acked), n)
}

func crashChild() {
	path := os.Getenv("PARTNERBOT_CRASH_CHILD")
	s, err := store.Open(path, store.Options{Location: waw})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		var evs []bot.Event
		for j := range 20 {
			evs = append(evs, ev(fmt.Sprintf("b%d-%d", i, j), bot.EventSale, "janko", "2026-11-16T10:00:00+01:00", 100, 0))
		}
		if _, err := s.Ingest(ctx, evs, nil); err != nil {
			fmt.Println("ingest:", err)
			os.Exit(1)
		}
		// Acknowledged only after Ingest returned: the commit is synced.
		fmt.Printf("ack b%d-19\n", i)
	}
}

// An event whose time cannot be kept (nanoseconds since 1970 past an
// int64) is refused, naming its line and field, and nothing is stored.
func TestStore_IngestTimeOutOfRange(t *testing.T) {
	s := mustOpen(t, "")
	mustPartner(t, s, "a")
	for _, at := range []string{"2300-01-15T10:00:00Z", "1600-01-15T10:00:00Z"} {
		evs := []bot.Event{ev("ok1", bot.EventClick, "a", "2026-11-16T10:00:00Z", 0, 0), ev("s1", bot.EventSale, "a", at, 1000, 100)}
		_, err := s.Ingest(ctx, evs, nil)
		if be := bot.AsError(err); be == nil || be.Code != bot.EINVALID || be.Field != "at" || be.Line != 2 {
			t.Fatalf("a sale at %s: %v", at, err)
		}
	}
	if n, err := s.EventCount(ctx); err != nil || n != 0 {
		t.Fatalf("%d events stored, %v", n, err)
	}
}
