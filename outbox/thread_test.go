package outbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// threadingPlatform records replies and updates beside posts.
type threadingPlatform struct {
	*fakePlatform
	tmu     sync.Mutex
	replies map[string]string // key → parent ref
	updates map[string]string // ref → new text
}

func (p *threadingPlatform) SendReply(ctx context.Context, t bot.Target, parent string, m *bot.Message, key string) (string, error) {
	p.tmu.Lock()
	p.replies[key] = parent
	p.tmu.Unlock()
	return p.Send(ctx, t, m, key)
}

func (p *threadingPlatform) Update(ctx context.Context, t bot.Target, ref string, m *bot.Message) error {
	p.tmu.Lock()
	defer p.tmu.Unlock()
	p.updates[ref] = m.Text
	return nil
}

func TestThreadUpdateAndTransient(t *testing.T) {
	clock := bot.NewManualClock(t0)
	s := openStore(t, clock)
	fake := &threadingPlatform{fakePlatform: newFake(clock), replies: map[string]string{}, updates: map[string]string{}}
	d := dispatcher(s, clock, fake)
	dm := bot.Target{Platform: "slack", User: "U1"}
	put := func(it store.OutboxItem) {
		t.Helper()
		it.Target, it.Kind = dm, "alert"
		if _, err := s.Enqueue(ctx, &it); err != nil {
			t.Fatal(err)
		}
	}
	put(store.OutboxItem{Key: "alert/x", Message: bot.Message{Text: "red"}})
	// Queued before the parent is posted: they wait for it.
	put(store.OutboxItem{Key: "remind/x", Thread: "alert/x", Message: bot.Message{Text: "still red"}})
	put(store.OutboxItem{Key: "ack/x", Updates: "alert/x", Message: bot.Message{Text: "red, acknowledged"}})
	put(store.OutboxItem{Key: "orphan", Thread: "never/queued", Message: bot.Message{Text: "alone"}})
	put(store.OutboxItem{Key: "relay", Transient: true, Message: bot.Message{Title: "From Apteka", Text: "secret words"}})

	now := t0
	for range 10 {
		d.Step(ctx, now)
		now = now.Add(10 * time.Second)
		clock.Set(now)
	}
	if got := fake.replies["remind/x"]; got != "ref-alert/x" {
		t.Errorf("reminder threaded under %q, want ref-alert/x", got)
	}
	if _, ok := fake.replies["orphan"]; ok || fake.posts["orphan"] != 1 {
		t.Errorf("an item whose parent was never queued: replies %v posts %d, want a plain post", fake.replies, fake.posts["orphan"])
	}
	if got := fake.updates["ref-alert/x"]; got != "red, acknowledged" {
		t.Errorf("update of the alert = %q", got)
	}
	if fake.posts["ack/x"] != 0 {
		t.Errorf("an update posted a new message")
	}
	if got := status(t, s, "alert/x").Message.Text; got != "red, acknowledged" {
		t.Errorf("the updated item keeps %q, want the new content", got)
	}
	relay := status(t, s, "relay")
	if relay.Status != store.OutboxSent || relay.Message.Text != "" || relay.Message.Title != "From Apteka" {
		t.Errorf("transient item after delivery: %+v, want sent with its text cleared", relay)
	}
	byRef, err := s.OutboxByRef(ctx, "slack", "ref-alert/x")
	if err != nil || byRef.Key != "alert/x" {
		t.Errorf("OutboxByRef = %v, %v", byRef, err)
	}
}

func TestUpdateOfNeverPostedFails(t *testing.T) {
	clock := bot.NewManualClock(t0)
	s := openStore(t, clock)
	fake := &threadingPlatform{fakePlatform: newFake(clock), replies: map[string]string{}, updates: map[string]string{}}
	if _, err := s.Enqueue(ctx, &store.OutboxItem{Key: "upd", Kind: "alert", Updates: "missing",
		Target: bot.Target{Platform: "slack", User: "U1"}, Message: bot.Message{Text: "x"}}); err != nil {
		t.Fatal(err)
	}
	dispatcher(s, clock, fake).Step(ctx, t0)
	if it := status(t, s, "upd"); it.Status != store.OutboxFailed {
		t.Fatalf("status %s, want failed", it.Status)
	}
}
