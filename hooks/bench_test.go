package hooks_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partnerbot/api"
	"partnerbot/bot"
	"partnerbot/hooks"
	"partnerbot/store"
)

// benchStore opens a store with fsync on (the default) and one partner
// with a Dub id.
func benchStore(b *testing.B) (*store.Store, *bot.ManualClock) {
	clock := bot.NewManualClock(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{Location: time.UTC, Clock: clock, Currency: "USD"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	p := &bot.Partner{ID: "janko", Name: "Janko", Joined: bot.MustDate("2025-01-01"), ExternalIDs: map[string]string{"dub": "pn_bench"}}
	if _, err := st.PutPartner(context.Background(), p); err != nil {
		b.Fatal(err)
	}
	return st, clock
}

func dubSale(i int) []byte {
	return []byte(fmt.Sprintf(`{"id":"evt_bench%08d","event":"sale.created","createdAt":"2026-03-02T10:%02d:%02dZ","data":{"link":{"partnerId":"pn_bench"},"sale":{"amount":%d,"currency":"usd","paymentProcessor":"stripe"}}}`, i, i/60%60, i%60, 1000+i%5000))
}

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128}}
}

// BenchmarkWebhookDeliveries sends signed Dub sales over HTTP to a real
// listener on 127.0.0.1, fsync on, from 1, 8 and 32 concurrent senders.
// Concurrent deliveries share commits (group commit); each answer comes
// after its own commit.
func BenchmarkWebhookDeliveries(b *testing.B) {
	for _, senders := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
			st, clock := benchStore(b)
			rcv := hooks.New(hooks.Options{Store: st, Clock: clock, Logger: quiet, Secrets: map[string]string{"dub": dubSecret}})
			mux := http.NewServeMux()
			mux.Handle("POST /hooks/{platform}", rcv)
			srv := httptest.NewServer(mux)
			defer srv.Close()
			bodies := make([][]byte, b.N)
			sigs := make([]string, b.N)
			for i := range bodies {
				bodies[i] = dubSale(i)
				sigs[i] = hexMAC([]byte(dubSecret), bodies[i])
			}
			client := benchClient()
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1)) - 1
						if i >= b.N {
							return
						}
						req, _ := http.NewRequest("POST", srv.URL+"/hooks/dub", bytes.NewReader(bodies[i]))
						req.Header.Set("Dub-Signature", sigs[i])
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 200 {
							b.Errorf("delivery %d: %d", i, resp.StatusCode)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "deliveries/s")
			if commits, writes := st.GroupStats(); commits > 0 {
				b.ReportMetric(float64(writes)/float64(commits), "deliveries/commit")
			}
		})
	}
}

// BenchmarkNDJSONIngest posts the same events as one NDJSON request to
// POST /api/v1/events, for comparison.
func BenchmarkNDJSONIngest(b *testing.B) {
	st, clock := benchStore(b)
	srv := httptest.NewServer(api.New(api.Options{Store: st, Clock: clock, Location: time.UTC, Currency: bot.Currency{Code: "USD", Digits: 2},
		Token: "tok", MaxBody: 1 << 30, MaxFuture: 24 * time.Hour, Logger: quiet}))
	defer srv.Close()
	var body strings.Builder
	for i := range b.N {
		fmt.Fprintf(&body, `{"id":"dub:evt_bench%08d","type":"sale","partner":"janko","at":"2026-03-02T10:%02d:%02dZ","amount":"%d.%02d"}`+"\n", i, i/60%60, i%60, (1000+i%5000)/100, (1000+i%5000)%100)
	}
	b.ResetTimer()
	start := time.Now()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/events", strings.NewReader(body.String()))
	req.Header.Set("Authorization", "Bearer tok")
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := benchClient().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("ingest: %d %s", resp.StatusCode, msg)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}
