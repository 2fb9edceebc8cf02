package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"partnerbot/api"
	"partnerbot/bot"
	"partnerbot/internal/fixture"
	"partnerbot/store"
)

// BenchmarkHTTPIngestNDJSON posts NDJSON bodies of new events to a real
// server on loopback over the 1M-event program, fsync on: parsing,
// validation, one transaction per request, the answer.
func BenchmarkHTTPIngestNDJSON(b *testing.B) {
	for _, size := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			s, err := store.Open(fixture.Copy(b), store.Options{Location: fixture.Location})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			clock := bot.NewManualClock(fixture.Today.Start(fixture.Location))
			srv := httptest.NewServer(api.New(api.Options{Store: s, Clock: clock, Location: fixture.Location, Currency: pln,
				Token: token, MaxBody: 64 << 20, MaxFuture: 24 * time.Hour}))
			defer srv.Close()
			r := rand.New(rand.NewPCG(11, 11))
			next := fixture.Events
			body := func() []byte {
				var buf bytes.Buffer
				for range size {
					e := fixture.Event(r, next)
					next++
					rec := map[string]any{"id": e.ID, "type": e.Type, "partner": e.Partner, "at": e.At.Format(time.RFC3339Nano)}
					if e.Type.HasAmount() {
						rec["amount"] = e.Amount.Decimal(2)
						rec["commission"] = e.Commission.Decimal(2)
					}
					json.NewEncoder(&buf).Encode(rec)
				}
				return buf.Bytes()
			}
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				payload := body()
				b.StartTimer()
				req, _ := http.NewRequest("POST", srv.URL+"/api/v1/events", bytes.NewReader(payload))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/x-ndjson")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
			// The events staged last go into the ledger too, counted in the rate.
			t0 := time.Now()
			if err := s.Settle(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N*size)/(b.Elapsed()+time.Since(t0)).Seconds(), "events/s")
		})
	}
}
