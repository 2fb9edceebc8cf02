package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/bot/slack"
	"partnerbot/commands"
	"partnerbot/health"
	"partnerbot/internal/fixture"
	"partnerbot/outbox"
	"partnerbot/store"
)

// The limits the fake Slack enforces on chat.postMessage. Slack
// documents "about one message per second per channel, short bursts
// allowed" and a workspace-wide limit it does not put a number on; these
// are our assumptions, as token buckets that start full:
const (
	slackChannelRate  = 1.0  // messages per second per channel
	slackChannelBurst = 2.0  // bucket size per channel
	slackTeamRate     = 50.0 // messages per second per workspace
	slackTeamBurst    = 10.0 // bucket size per workspace
)

// tokenBucket holds up to burst tokens, refilled at rate a second.
type tokenBucket struct {
	tokens float64
	at     time.Time
}

// wait returns how long until a token is there, refilling first.
func (b *tokenBucket) wait(now time.Time, rate, burst float64) time.Duration {
	if b.at.IsZero() {
		b.tokens, b.at = burst, now
	}
	b.tokens = math.Min(burst, b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

// limitedSlack is a Slack Web API that answers chat.postMessage and
// enforces the limits above: a post over either limit gets a 429 with
// Retry-After in whole seconds, at least 1, as Slack answers. With
// unlimited set it accepts everything. Each answer comes latency after
// the request: the round trip to Slack that localhost lacks.
type limitedSlack struct {
	srv       *httptest.Server
	unlimited bool
	latency   time.Duration

	mu       sync.Mutex
	team     tokenBucket
	channels map[string]*tokenBucket
	posted   map[string]int // channel → accepted posts
	accepted int
	limited  int // 429s answered
	seq      int
}

func newLimitedSlack(tb testing.TB, unlimited bool, latency time.Duration) *limitedSlack {
	f := &limitedSlack{unlimited: unlimited, latency: latency, channels: map[string]*tokenBucket{}, posted: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/chat.postMessage", f.postMessage)
	f.srv = httptest.NewServer(mux)
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *limitedSlack) postMessage(w http.ResponseWriter, r *http.Request) {
	channel := r.FormValue("channel")
	time.Sleep(f.latency)
	now := time.Now()
	f.mu.Lock()
	if !f.unlimited {
		ch := f.channels[channel]
		if ch == nil {
			ch = &tokenBucket{}
			f.channels[channel] = ch
		}
		// A refused post takes no token from either bucket.
		wait := max(ch.wait(now, slackChannelRate, slackChannelBurst), f.team.wait(now, slackTeamRate, slackTeamBurst))
		if wait > 0 {
			f.limited++
			f.mu.Unlock()
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
			return
		}
		ch.tokens--
		f.team.tokens--
	}
	f.accepted++
	f.posted[channel]++
	f.seq++
	ts := fmt.Sprintf("%d.%06d", now.Unix(), f.seq)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": channel, "ts": ts,
		"message": map[string]any{"type": "message", "ts": ts, "text": r.FormValue("text")}})
}

// allowedRate is the best average rate the fake's limits allow for
// channels × perChannel posts, buckets full at the start: a sender that
// spends both bursts at once and then keeps to both rates sends its last
// post at the later of (perChannel-burst)/rate and (total-burst)/rate.
func allowedRate(channels, perChannel int) float64 {
	n := float64(channels * perChannel)
	last := math.Max((float64(perChannel)-slackChannelBurst)/slackChannelRate, (n-slackTeamBurst)/slackTeamRate)
	return n / last
}

// dispatchCase is one run of BenchmarkDispatchSlackLimits: a workload of
// channels × perChannel posts, the dispatcher's settings, and the fake's.
type dispatchCase struct {
	channels, perChannel int
	interval             time.Duration // Options.ChannelInterval
	rate                 float64       // Options.PlatformRate
	unlimited            bool          // the fake enforces no limits
	latency              time.Duration // the fake's answer delay
	program              bool          // the outbox shares the file with the benchmark program
}

// BenchmarkDispatchSlackLimits delivers queued posts through the real
// dispatcher and Slack adapter (slack-go over HTTP) to a fake Slack that
// enforces Slack's limits (see the constants above), on the real clock
// with fsync on, and reports how close the dispatcher comes to the rate
// those limits allow (allowed_msgs/s, share_%) and how many 429s it
// provokes. Posts carry a weekly report's text and fields but no chart:
// the upload is a separate call under other limits.
//
// Each case takes real seconds; run it with -benchtime 1x. The
// dispatcher settings are serve's defaults (ChannelInterval 1 s,
// PlatformRate 20/s), a setting tuned just under the fake's workspace
// limit (45/s; 48/s in a latency case), and one above it (60/s) to show
// what 429s cost. The
// fake answers at once, as localhost does; the latency case adds a
// round trip of 100 ms, nearer what Slack's API takes from a server, to
// show what sending one post at a time costs. The ceiling case lifts
// every limit on both sides: what one sequential dispatcher does on this
// machine (two fsynced commits and one HTTP call per post). The
// program-db cases keep the outbox in a copy of the 10 000-partner,
// 1 000 000-event program, as serve does, instead of a file of its own:
// bbolt writes its free-page list on every commit, and that file has
// one of 15 000 pages.
func BenchmarkDispatchSlackLimits(b *testing.B) {
	if testing.Short() {
		b.Skip("takes real seconds")
	}
	var cases []dispatchCase
	for _, w := range []struct{ channels, perChannel int }{
		{100, 5}, // workspace-bound
		{500, 1}, // workspace-bound, every channel fresh
		{20, 25}, // channel-bound
	} {
		for _, rate := range []float64{20, 45, 60} {
			cases = append(cases, dispatchCase{channels: w.channels, perChannel: w.perChannel, interval: time.Second, rate: rate})
		}
	}
	cases = append(cases,
		dispatchCase{channels: 500, perChannel: 1, interval: time.Second, rate: 45, latency: 100 * time.Millisecond},
		dispatchCase{channels: 500, perChannel: 1, interval: time.Second, rate: 48, latency: 100 * time.Millisecond},
		dispatchCase{channels: 500, perChannel: 1, interval: time.Second, rate: 45, program: true},
		dispatchCase{channels: 500, perChannel: 1, interval: time.Nanosecond, rate: 1e9, unlimited: true},
		dispatchCase{channels: 500, perChannel: 1, interval: time.Nanosecond, rate: 1e9, unlimited: true, program: true},
	)
	for _, c := range cases {
		name := fmt.Sprintf("%dx%d/rate=%g", c.channels, c.perChannel, c.rate)
		if c.unlimited {
			name = fmt.Sprintf("%dx%d/ceiling", c.channels, c.perChannel)
		}
		if c.latency > 0 {
			name += "/latency=" + c.latency.String()
		}
		if c.program {
			name += "/program-db"
		}
		b.Run(name, func(b *testing.B) { benchDispatch(b, c) })
	}
}

func benchDispatch(b *testing.B, c dispatchCase) {
	channels, perChannel := c.channels, c.perChannel
	ctx := context.Background()
	n := channels * perChannel
	quietLog := slog.New(slog.DiscardHandler)
	var total time.Duration
	var limited int
	for b.Loop() {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "outbox.db")
		if c.program {
			path = fixture.Copy(b)
		}
		s, err := store.Open(path, store.Options{Location: fixture.Location})
		if err != nil {
			b.Fatal(err)
		}
		// Round by round, as successive jobs queue them: every
		// channel's first post, then every channel's second...
		for k := range perChannel {
			for j := range channels {
				ch := fmt.Sprintf("C%05d", j)
				it := &store.OutboxItem{Key: fmt.Sprintf("bench/%s/%d", ch, k), Kind: "weekly_report",
					Target: bot.Target{Platform: "slack", Channel: ch}, Message: benchMessage(k)}
				if _, err := s.Enqueue(ctx, it); err != nil {
					b.Fatal(err)
				}
			}
		}
		fake := newLimitedSlack(b, c.unlimited, c.latency)
		svc := commands.New(commands.Options{Store: s, Clock: bot.SystemClock{}, Location: time.UTC,
			Currency: bot.Currency{Code: "PLN", Digits: 2}, Rules: health.DefaultRules, Logger: quietLog})
		adapter, err := slack.New(slack.Options{Service: svc, BotToken: "xoxb-bench", APIURL: fake.srv.URL + "/", Logger: quietLog})
		if err != nil {
			b.Fatal(err)
		}
		var settled atomic.Int64
		var last atomic.Int64 // UnixNano of the last outcome
		done := make(chan struct{})
		d := outbox.New(outbox.Options{Store: s, Senders: map[string]outbox.Sender{"slack": adapter},
			Clock: bot.SystemClock{}, Logger: quietLog, ChannelInterval: c.interval, PlatformRate: c.rate,
			OnOutcome: func(it *store.OutboxItem) {
				last.Store(time.Now().UnixNano())
				if settled.Add(1) == int64(n) {
					close(done)
				}
			}})
		runCtx, stop := context.WithCancel(ctx)
		stopped := make(chan error, 1)
		b.StartTimer()

		start := time.Now()
		go func() { stopped <- d.Run(runCtx, time.Second) }()
		select {
		case <-done:
		case <-time.After(5 * time.Minute):
			stop()
			b.Fatalf("%d of %d settled after 5 minutes", settled.Load(), n)
		}
		elapsed := time.Unix(0, last.Load()).Sub(start)

		b.StopTimer()
		stop()
		if err := <-stopped; err != nil {
			b.Fatal(err)
		}
		adapter.Close()
		fake.mu.Lock()
		accepted, over := fake.accepted, fake.limited
		dup := 0
		for _, k := range fake.posted {
			dup += max(k-perChannel, 0)
		}
		fake.mu.Unlock()
		if accepted != n || dup > 0 {
			b.Fatalf("Slack accepted %d posts (%d more than once), want %d", accepted, dup, n)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		total += elapsed
		limited += over
		b.StartTimer()
	}
	achieved := float64(b.N*n) / total.Seconds()
	b.ReportMetric(total.Seconds()/float64(b.N), "s/run")
	b.ReportMetric(achieved, "msgs/s")
	b.ReportMetric(float64(limited)/float64(b.N), "429s")
	if !c.unlimited {
		allowed := allowedRate(channels, perChannel)
		b.ReportMetric(allowed, "allowed_msgs/s")
		b.ReportMetric(100*achieved/allowed, "share_%")
	}
}

// benchMessage is a weekly report without its chart.
func benchMessage(k int) bot.Message {
	return bot.Message{
		Title: "Your week: 16–22 Nov",
		Text:  "Hello! Here is how your shop did on 16–22 Nov. (#" + strconv.Itoa(k) + ")",
		Fields: []bot.Field{
			{Name: "Turnover", Value: "PLN 1,234.56 ↑ 12%", Inline: true},
			{Name: "Sales", Value: "17 ↑ 6%", Inline: true},
			{Name: "Commission", Value: "PLN 123.45 ↑ 12%", Inline: true},
			{Name: "Clicks", Value: "311 ↓ 3%", Inline: true},
			{Name: "Signups", Value: "9 → 0%", Inline: true},
			{Name: "November so far", Value: "PLN 4,321.00, 58 sales", Inline: true},
		},
		Footer: "Weekly report · /mystats for any period · /notify to choose what you get",
	}
}
