package referral_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/referral"
	"partnerbot/store"
)

// oneByOne records every click in a transaction of its own, as clicks
// were written before group commit: the baseline.
type oneByOne struct{ *store.Store }

func (s oneByOne) RecordClick(ctx context.Context, ev bot.Event, code, address string, max int) (store.ClickResult, error) {
	r, err := s.Ingest(ctx, []bot.Event{ev}, nil)
	if err != nil || r.Accepted == 0 {
		return store.ClickDuplicate, err
	}
	return store.ClickAccepted, nil
}

// BenchmarkClickFlood floods /r/{code} from 48 goroutines, each click
// from a new address, while one client ingests single events; it reports
// the clicks per second and the ingest latency (p50, p99) under the
// flood, with clicks written by group commit and, for comparison, one
// transaction each.
func BenchmarkClickFlood(b *testing.B) {
	for _, mode := range []string{"group-commit", "one-by-one"} {
		b.Run(mode, func(b *testing.B) {
			s, err := store.Open(filepath.Join(b.TempDir(), "flood.db"), store.Options{Location: waw})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			p := bot.Partner{ID: "janko", Name: "Sklep u Janka", ReferralCode: "janko2026", LandingURL: "https://shop.example/", Joined: bot.MustDate("2025-03-01")}
			if _, err := s.PutPartner(ctx, &p); err != nil {
				b.Fatal(err)
			}
			var st referral.Store = s
			if mode == "one-by-one" {
				st = oneByOne{s}
			}
			h := &referral.Redirect{Store: st, Location: waw, Logger: discardLogger(), MaxClicksPerAddress: 1000}
			var n atomic.Int64
			stop := make(chan struct{})
			var lat []time.Duration
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					start := time.Now()
					ev := bot.Event{ID: fmt.Sprintf("sale-%s-%d", mode, i), Type: bot.EventSale, Partner: "janko", At: time.Now(), Amount: 100}
					if _, err := s.Ingest(ctx, []bot.Event{ev}, nil); err != nil {
						b.Error(err)
						return
					}
					lat = append(lat, time.Since(start))
				}
			}()
			b.SetParallelism(24) // 48 clicking goroutines on 2 cores
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					r := httptest.NewRequest("GET", "/r/janko2026", nil)
					r.SetPathValue("code", "janko2026")
					r.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:5000", i>>16&255, i>>8&255, i&255)
					r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0")
					h.ServeHTTP(httptest.NewRecorder(), r)
				}
			})
			elapsed := time.Since(start)
			close(stop)
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(n.Load())/elapsed.Seconds(), "clicks/s")
			if len(lat) > 0 {
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ingest-p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ingest-p99-ms")
			}
		})
	}
}
