package store_test

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
	"partnerbot/internal/fixture"
	"partnerbot/store"
)

// BenchmarkStats reads a random partner's stats for a month and its
// comparison month (two ranges of daily totals), and for a year.
func BenchmarkStats(b *testing.B) {
	s, err := store.Open(fixture.Path(b), store.Options{Location: fixture.Location, ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	today := fixture.Today
	for _, period := range []string{"2026-10", "2026", "30d"} {
		p, _ := bot.ParsePeriod(period, today)
		b.Run(period, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Stats(ctx, fixture.PartnerID(r.IntN(fixture.Partners)), p, today, pln); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStatsAt reads a running month's stats as of an instant: the
// same daily totals as Stats, plus the boundary day's events of the month
// before, cut at the clock time (the 15th at 15:30 against 1–14 October
// and 15 October up to 15:30).
func BenchmarkStatsAt(b *testing.B) {
	s, err := store.Open(fixture.Path(b), store.Options{Location: fixture.Location, ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Date(fixture.Today.Year, fixture.Today.Month, 15, 15, 30, 0, 0, fixture.Location)
	p := bot.MonthPeriod(now.Year(), now.Month())
	r := rand.New(rand.NewPCG(1, 1))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.StatsAt(ctx, fixture.PartnerID(r.IntN(fixture.Partners)), p, now, pln); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawGet is the floor under BenchmarkStats: one plain bbolt Get
// of a month record's key in its own read transaction.
func BenchmarkRawGet(b *testing.B) {
	db, err := bolt.Open(fixture.Path(b), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	r := rand.New(rand.NewPCG(1, 1))
	b.ReportAllocs()
	for b.Loop() {
		key := append([]byte(fixture.PartnerID(r.IntN(fixture.Partners))), 0)
		key = binary.BigEndian.AppendUint32(key, 202610)
		db.View(func(tx *bolt.Tx) error {
			tx.Bucket([]byte("ledger")).Get(key)
			return nil
		})
	}
}

// BenchmarkIngest stores batches of 1 000 new events into the 1M-event
// program, fsync on: the events index and the ledger (events, days, the
// commission lifecycle).
func BenchmarkIngest(b *testing.B) {
	s, err := store.Open(fixture.Copy(b), store.Options{Location: fixture.Location})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(9, 9))
	next := fixture.Events
	batch := make([]bot.Event, 1000)
	b.ResetTimer()
	for b.Loop() {
		for j := range batch {
			batch[j] = fixture.Event(r, next)
			next++
		}
		if _, err := s.Ingest(ctx, batch, nil); err != nil {
			b.Fatal(err)
		}
	}
	// The events staged last go into the ledger too, counted in the rate.
	t0 := time.Now()
	if err := s.Settle(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*len(batch))/(b.Elapsed()+time.Since(t0)).Seconds(), "events/s")
}

// BenchmarkRawPut is a floor under BenchmarkIngest: the same events'
// ledger keys and values put in batches of 1 000 in the ledger, fsync
// on, and nothing else.
func BenchmarkRawPut(b *testing.B) {
	db, err := bolt.Open(fixture.Copy(b), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	r := rand.New(rand.NewPCG(9, 9))
	next := fixture.Events
	val := []byte{1, 0, 2, 2}
	b.ResetTimer()
	for b.Loop() {
		err := db.Update(func(tx *bolt.Tx) error {
			bk := tx.Bucket([]byte("ledger"))
			for range 1000 {
				e := fixture.Event(r, next)
				next++
				key := append([]byte(e.Partner), 0)
				key = binary.BigEndian.AppendUint32(key, bot.DateOf(e.At, fixture.Location).Key())
				key = binary.BigEndian.AppendUint64(key, uint64(e.At.UnixNano())^(1<<63))
				key = append(key, e.ID...)
				if err := bk.Put(key, val); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkStats_LongHistory reads the stats of a partner with 4 000
// sales, their refunds and monthly payouts over three years: the
// commission lifecycle as of a day is read from monthly and daily
// deltas, so the read does not grow with the history.
func BenchmarkStats_LongHistory(b *testing.B) {
	s, err := store.Open(filepath.Join(b.TempDir(), "long.db"), store.Options{Location: waw, NoSync: true, Clock: bot.NewManualClock(tstart)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	mustPartner(b, s, "janko")
	r := rand.New(rand.NewPCG(3, 3))
	start := time.Date(2023, 11, 1, 0, 0, 0, 0, waw)
	var evs []bot.Event
	for i := range 4000 {
		at := start.Add(time.Duration(r.Int64N(int64(3 * 365 * 24 * time.Hour))))
		evs = append(evs, bot.Event{ID: fmt.Sprintf("o%d", i), Type: bot.EventSale, Partner: "janko", At: at,
			Amount: bot.Amount(1000 + r.IntN(50000)), Commission: bot.Amount(r.IntN(2000))})
		if i%10 == 0 {
			evs = append(evs, bot.Event{ID: fmt.Sprintf("r%d", i), Type: bot.EventRefund, Partner: "janko", At: at.Add(72 * time.Hour),
				Amount: 500, Commission: 10, Ref: fmt.Sprintf("o%d", i)})
		}
	}
	for m := range 36 {
		evs = append(evs, bot.Event{ID: fmt.Sprintf("p%d", m), Type: bot.EventPayout, Partner: "janko", At: start.AddDate(0, m, 10), Amount: 10000})
	}
	if _, err := s.Ingest(ctx, evs, nil); err != nil {
		b.Fatal(err)
	}
	today := bot.MustDate("2026-11-22")
	b.Run("commissions", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Commissions(ctx, "janko", today); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, period := range []string{"2026-10", "2026"} {
		p, _ := bot.ParsePeriod(period, today)
		b.Run(period, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Stats(ctx, "janko", p, today, pln); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCompact compacts a copy of the fixture (10 000 partners, 1 M
// events by default): the time, and the file's bytes per event before
// and after.
func BenchmarkCompact(b *testing.B) {
	var before, after int64
	for b.Loop() {
		b.StopTimer()
		s, err := store.Open(fixture.Copy(b), store.Options{Location: fixture.Location})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := s.Compact(ctx)
		if err != nil {
			b.Fatal(err)
		}
		before, after = res.Before, res.After
	}
	b.ReportMetric(float64(before)/float64(fixture.Events), "before_B/event")
	b.ReportMetric(float64(after)/float64(fixture.Events), "after_B/event")
	fixture.ReportPeakRSS(b)
}
