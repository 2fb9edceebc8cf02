package outbox_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/outbox"
	"partnerbot/store"
)

var (
	ctx   = context.Background()
	t0    = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
)

// fakePlatform records posts and answers as told. With idempotent set it
// behaves like Discord's nonce: a repeated key returns the first post.
type fakePlatform struct {
	mu         sync.Mutex
	posts      map[string]int // key → times actually posted
	calls      []time.Time
	clock      bot.Clock
	idempotent bool
	answers    []error // consumed one per call; nil = success
}

func newFake(clock bot.Clock) *fakePlatform {
	return &fakePlatform{posts: map[string]int{}, clock: clock}
}

func (f *fakePlatform) Send(ctx context.Context, t bot.Target, m *bot.Message, key string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, f.clock.Now())
	if len(f.answers) > 0 {
		err := f.answers[0]
		f.answers = f.answers[1:]
		if err != nil {
			var se *bot.SendError
			if errors.As(err, &se) && se.Unknown {
				f.posts[key]++ // it reached the platform, the answer got lost
			}
			return "", err
		}
	}
	if f.idempotent && f.posts[key] > 0 {
		return "ref-" + key, nil
	}
	f.posts[key]++
	return "ref-" + key, nil
}

// checkingPlatform is a fake Slack: not idempotent, but it can be asked.
type checkingPlatform struct{ *fakePlatform }

func (c checkingPlatform) Posted(ctx context.Context, t bot.Target, key string, since time.Time) (string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return "ref-" + key, c.posts[key] > 0, nil
}

func openStore(t *testing.T, clock bot.Clock) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "o.db"), store.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func enqueue(t *testing.T, s *store.Store, key, channel string) {
	t.Helper()
	if _, err := s.Enqueue(ctx, &store.OutboxItem{Key: key, Kind: "weekly_report",
		Target: bot.Target{Platform: "slack", Channel: channel}, Message: bot.Message{Text: key}}); err != nil {
		t.Fatal(err)
	}
}

func dispatcher(s outbox.Store, clock bot.Clock, sender outbox.Sender) *outbox.Dispatcher {
	return outbox.New(outbox.Options{Store: s, Senders: map[string]outbox.Sender{"slack": sender}, Clock: clock, Logger: quiet})
}

func status(t *testing.T, s *store.Store, key string) store.OutboxItem {
	t.Helper()
	items, err := s.OutboxItems(ctx, func(it *store.OutboxItem) bool { return it.Key == key })
	if err != nil || len(items) != 1 {
		t.Fatalf("items for %s: %v %v", key, items, err)
	}
	return items[0]
}

func TestEnqueueOncePerKey(t *testing.T) {
	clock := bot.NewManualClock(t0)
	s := openStore(t, clock)
	enqueue(t, s, "weekly_report/2026-W48/janko", "C1")
	enqueue(t, s, "weekly_report/2026-W48/janko", "C1")
	fake := newFake(clock)
	dispatcher(s, clock, fake).Step(ctx, t0)
	if fake.posts["weekly_report/2026-W48/janko"] != 1 || len(fake.calls) != 1 {
		t.Fatalf("posts %v calls %d", fake.posts, len(fake.calls))
	}
}

// crashStore loses the outcome of an attempt: the process died between
// the platform's answer and the record.
type crashStore struct {
	*store.Store
	writes, crashAt int
}

func (c *crashStore) UpdateOutbox(ctx context.Context, id uint64, fn func(*store.OutboxItem)) (*store.OutboxItem, error) {
	c.writes++
	if c.writes == c.crashAt {
		return nil, errors.New("killed")
	}
	return c.Store.UpdateOutbox(ctx, id, fn)
}

func TestKillBetweenSendAndMark(t *testing.T) {
	for _, tt := range []struct {
		name     string
		crashAt  int // 1: before the send (the sending mark is lost), 2: after it
		checking bool
		idem     bool
	}{
		{"slack: killed after the post", 2, true, false},
		{"slack: killed before the post", 1, true, false},
		{"discord nonce: killed after the post", 2, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := bot.NewManualClock(t0)
			s := openStore(t, clock)
			enqueue(t, s, "k1", "C1")
			fake := newFake(clock)
			fake.idempotent = tt.idem
			var sender outbox.Sender = fake
			if tt.checking {
				sender = checkingPlatform{fake}
			}
			first := dispatcher(&crashStore{Store: s, crashAt: tt.crashAt}, clock, sender)
			if _, _, err := first.Step(ctx, t0); err == nil {
				t.Fatal("the crash did not happen")
			}
			// A new process over the same file.
			clock.Advance(time.Minute)
			second := dispatcher(s, clock, sender)
			if err := second.Recover(ctx); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				second.Step(ctx, clock.Now())
				clock.Advance(time.Minute)
			}
			if fake.posts["k1"] != 1 {
				t.Fatalf("posted %d times, want exactly once", fake.posts["k1"])
			}
			if st := status(t, s, "k1"); st.Status != store.OutboxSent {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

func TestUnknownOutcomeIsVerifiedBeforeRetry(t *testing.T) {
	clock := bot.NewManualClock(t0)
	s := openStore(t, clock)
	enqueue(t, s, "k1", "C1")
	fake := newFake(clock)
	fake.answers = []error{&bot.SendError{Unknown: true, Reason: "timeout", Err: errors.New("timeout")}}
	d := dispatcher(s, clock, checkingPlatform{fake})
	d.Step(ctx, t0)
	clock.Advance(time.Hour)
	d.Step(ctx, clock.Now())
	if fake.posts["k1"] != 1 || len(fake.calls) != 1 {
		t.Fatalf("posts %v after an unknown outcome, %d calls", fake.posts, len(fake.calls))
	}
	if st := status(t, s, "k1"); st.Status != store.OutboxSent {
		t.Fatalf("status %+v", st)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	clock := bot.NewManualClock(t0)
	s := openStore(t, clock)
	enqueue(t, s, "k1", "C1")
	enqueue(t, s, "k2", "C2")
	fake := newFake(clock)
	fake.answers = []error{&bot.SendError{RetryAfter: 7 * time.Second, Reason: "ratelimited", Err: errors.New("429")}}
	d := dispatcher(s, clock, fake)
	d.Step(ctx, t0)
	for _, after := range []time.Duration{time.Second, 3 * time.Second, 6*time.Second + 900*time.Millisecond} {
		clock.Set(t0.Add(after))
		d.Step(ctx, clock.Now())
	}
	if len(fake.calls) != 1 {
		t.Fatalf("%d requests before Retry-After elapsed: %v", len(fake.calls), fake.calls)
	}
	clock.Set(t0.Add(7 * time.Second))
	d.Step(ctx, clock.Now())
	clock.Set(t0.Add(8 * time.Second))
	d.Step(ctx, clock.Now())
	if fake.posts["k1"] != 1 || fake.posts["k2"] != 1 {
		t.Fatalf("after the wait: %v", fake.posts)
	}
	for _, c := range fake.calls[1:] {
		if c.Before(t0.Add(7 * time.Second)) {
			t.Fatalf("request at %v, inside the Retry-After", c)
		}
	}
}

func TestPermanentFailureStops(t *testing.T) {
	clock := bot.NewManualClock(t0)
	s := openStore(t, clock)
	enqueue(t, s, "k1", "CGONE")
	fake := newFake(clock)
	fake.answers = []error{&bot.SendError{Permanent: true, Reason: "channel_not_found", Err: errors.New("channel_not_found")}}
	var outcomes []string
	d := outbox.New(outbox.Options{Store: s, Senders: map[string]outbox.Sender{"slack": fake}, Clock: clock, Logger: quiet,
		OnOutcome: func(it *store.OutboxItem) { outcomes = append(outcomes, it.Status) }})
	for range 5 {
		d.Step(ctx, clock.Now())
		clock.Advance(2 * time.Hour)
	}
	if len(fake.calls) != 1 {
		t.Fatalf("%d attempts after a permanent failure", len(fake.calls))
	}
	failed, _ := s.OutboxItems(ctx, func(it *store.OutboxItem) bool { return it.Status == store.OutboxFailed })
	if len(failed) != 1 || failed[0].Reason != "channel_not_found" || len(outcomes) != 1 || outcomes[0] != "failed" {
		t.Fatalf("failed items %+v, outcomes %v", failed, outcomes)
	}
}

func TestTemporaryFailuresBackOffThenGiveUp(t *testing.T) {
	clock := bot.NewManualClock(t0)
	s := openStore(t, clock)
	enqueue(t, s, "k1", "C1")
	fake := newFake(clock)
	for range 20 {
		fake.answers = append(fake.answers, &bot.SendError{Reason: "http_503", Err: errors.New("503")})
	}
	d := dispatcher(s, clock, fake)
	for range 40 {
		d.Step(ctx, clock.Now())
		clock.Advance(time.Hour)
	}
	if len(fake.calls) != 8 {
		t.Fatalf("%d attempts, want 8", len(fake.calls))
	}
	for i := 1; i < len(fake.calls); i++ {
		if gap := fake.calls[i].Sub(fake.calls[i-1]); gap < outbox.Backoff(i) {
			t.Fatalf("attempt %d came %v after the one before, under the backoff %v", i+1, gap, outbox.Backoff(i))
		}
	}
	if st := status(t, s, "k1"); st.Status != store.OutboxFailed || st.Reason != "gave up after 8 attempts" {
		t.Fatalf("status %+v", st)
	}
}

func TestRateLimits(t *testing.T) {
	clock := bot.NewManualClock(t0)
	s := openStore(t, clock)
	for _, k := range []string{"a", "b", "c"} {
		enqueue(t, s, k, "C1")
	}
	enqueue(t, s, "d", "C2")
	fake := newFake(clock)
	d := dispatcher(s, clock, fake) // 1 s per channel, 20 posts/s per platform
	steps := []struct {
		at   time.Duration
		sent int
	}{
		{0, 1},                      // a
		{20 * time.Millisecond, 0},  // the platform's 50 ms spacing
		{50 * time.Millisecond, 1},  // d, to the other channel
		{500 * time.Millisecond, 0}, // C1 waits a second after a
		{time.Second, 1},            // b
		{1500 * time.Millisecond, 0},
		{2 * time.Second, 1}, // c
	}
	for _, st := range steps {
		clock.Set(t0.Add(st.at))
		if n, _, _ := d.Step(ctx, clock.Now()); n != st.sent {
			t.Fatalf("at +%v sent %d, want %d", st.at, n, st.sent)
		}
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 7: 32 * time.Minute, 8: time.Hour, 20: time.Hour} {
		if got := outbox.Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, want)
		}
	}
}
