package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/outbox"
	"partnerbot/store"
)

// attachingPlatform is a fake Slack that uploads images apart from posts.
type attachingPlatform struct {
	checkingPlatform
	attached   map[string][][]byte // key → images attached
	attachErrs []error             // consumed one per Attach; nil = success
}

func (a *attachingPlatform) Attach(ctx context.Context, t bot.Target, ref string, img *bot.Image, key string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if ref != "ref-"+key {
		return errors.New("attached to the wrong post " + ref)
	}
	if len(a.attachErrs) > 0 {
		err := a.attachErrs[0]
		a.attachErrs = a.attachErrs[1:]
		if err != nil {
			return err
		}
	}
	a.attached[key] = append(a.attached[key], img.Data)
	return nil
}

func enqueueWithChart(t *testing.T, s *store.Store, key string) {
	t.Helper()
	spec := &bot.ImageSpec{Kind: "weekly_chart", Data: json.RawMessage(`{"values":[1,2,3]}`)}
	if _, err := s.Enqueue(ctx, &store.OutboxItem{Key: key, Kind: "weekly_report", Target: bot.Target{Platform: "slack", Channel: "C1"},
		Message: bot.Message{Text: key, Image: &bot.Image{Name: "weeks.png", Type: "image/png", Spec: spec}}}); err != nil {
		t.Fatal(err)
	}
}

func attachingDispatcher(s *store.Store, clock bot.Clock, p *attachingPlatform, renders *int) *outbox.Dispatcher {
	return outbox.New(outbox.Options{Store: s, Senders: map[string]outbox.Sender{"slack": p}, Clock: clock, Logger: quiet,
		Render: func(_ context.Context, spec *bot.ImageSpec) ([]byte, error) {
			*renders++
			if spec.Kind != "weekly_chart" {
				return nil, errors.New("unknown kind " + spec.Kind)
			}
			return append([]byte("PNG:"), spec.Data...), nil
		}})
}

// TestImageAfterUnknownOutcome: the post reached Slack but the answer was
// a 500; the dispatcher finds the post and still attaches its image,
// once, drawn from the spec stored in the outbox.
func TestImageAfterUnknownOutcome(t *testing.T) {
	clock := bot.NewManualClock(t0)
	s := openStore(t, clock)
	enqueueWithChart(t, s, "k1")
	fake := newFake(clock)
	fake.answers = []error{&bot.SendError{Unknown: true, Reason: "http_500", Err: errors.New("500 after posting")}}
	p := &attachingPlatform{checkingPlatform: checkingPlatform{fake}, attached: map[string][][]byte{}}
	renders := 0
	d := attachingDispatcher(s, clock, p, &renders)
	d.Step(ctx, t0)
	if len(p.attached["k1"]) != 0 {
		t.Fatalf("attached before the post was confirmed")
	}
	clock.Advance(time.Hour)
	d.Step(ctx, clock.Now())
	clock.Advance(time.Hour)
	d.Step(ctx, clock.Now())
	if fake.posts["k1"] != 1 || len(fake.calls) != 1 {
		t.Fatalf("posts %v, %d calls: want one post", fake.posts, len(fake.calls))
	}
	if got := p.attached["k1"]; len(got) != 1 || string(got[0]) != `PNG:{"values":[1,2,3]}` {
		t.Fatalf("attached %q, want the drawn chart once", got)
	}
	if st := status(t, s, "k1"); st.Status != store.OutboxSent || !st.Attached || !st.Posted || st.Ref != "ref-k1" {
		t.Fatalf("status %+v", st)
	}
}

// TestAttachRetryDoesNotRepost: a failed upload is retried as an upload;
// the message is not posted again, also across a restart in between.
func TestAttachRetryDoesNotRepost(t *testing.T) {
	clock := bot.NewManualClock(t0)
	s := openStore(t, clock)
	enqueueWithChart(t, s, "k1")
	fake := newFake(clock)
	p := &attachingPlatform{checkingPlatform: checkingPlatform{fake}, attached: map[string][][]byte{},
		attachErrs: []error{&bot.SendError{Reason: "http_503", Err: errors.New("upload failed")}}}
	renders := 0
	d := attachingDispatcher(s, clock, p, &renders)
	d.Step(ctx, t0)
	if st := status(t, s, "k1"); st.Status != store.OutboxPending || !st.Posted || st.Attached {
		t.Fatalf("after a failed upload: %+v", st)
	}
	d = attachingDispatcher(s, clock, p, &renders) // a restart
	if err := d.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	d.Step(ctx, clock.Now())
	if fake.posts["k1"] != 1 || len(p.attached["k1"]) != 1 {
		t.Fatalf("posts %v, attached %d: want 1 and 1", fake.posts, len(p.attached["k1"]))
	}
	if st := status(t, s, "k1"); st.Status != store.OutboxSent || !st.Attached {
		t.Fatalf("status %+v", st)
	}

	t.Run("an image that cannot be drawn", func(t *testing.T) {
		if _, err := s.Enqueue(ctx, &store.OutboxItem{Key: "k2", Target: bot.Target{Platform: "slack", Channel: "C2"},
			Message: bot.Message{Text: "k2", Image: &bot.Image{Name: "x.png", Spec: &bot.ImageSpec{Kind: "nonsense"}}}}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
		d.Step(ctx, clock.Now())
		if st := status(t, s, "k2"); st.Status != store.OutboxSent || st.Attached || st.Error == "" || fake.posts["k2"] != 1 {
			t.Fatalf("status %+v, posts %d: want the message sent without its image, saying so", st, fake.posts["k2"])
		}
	})
}
