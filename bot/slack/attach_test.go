package slack

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/outbox"
	"partnerbot/store"
)

// outboxSlack is the adapter as serve hands it to the outbox: a Sender,
// an Attacher and a Checker.
type outboxSlack struct{ *Adapter }

func (s outboxSlack) Posted(ctx context.Context, t bot.Target, key string, since time.Time) (string, bool, error) {
	where := t.Channel
	if where == "" {
		where = t.User
	}
	return s.Adapter.Posted(ctx, where, key, since)
}

// TestOutbox_ChartAfterUnknownOutcome: Slack stores a weekly report but
// answers 500, and then does the same with its chart's upload. The
// dispatcher finds the post by its metadata, uploads the chart, finds
// that upload in the channel, and so shows it once; nothing is posted or
// uploaded twice.
func TestOutbox_ChartAfterUnknownOutcome(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	clock := bot.NewManualClock(time.Unix(1700000000, 0))
	st, err := store.Open(filepath.Join(t.TempDir(), "outbox.db"), store.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	png := []byte("\x89PNG chart")
	for _, k := range []string{"weekly/janko/2026-W47", "weekly/salon/2026-W47"} {
		if _, err := st.Enqueue(ctx, &store.OutboxItem{Key: k, Kind: "weekly_report", Target: bot.Target{Platform: Platform, Channel: "C" + k[7:12]},
			Message: bot.Message{Title: "Weekly report", Text: k, Image: &bot.Image{Name: k[7:12] + ".png", Type: "image/png", Data: png}}}); err != nil {
			t.Fatal(err)
		}
	}
	e.fake.mu.Lock()
	e.fake.failAfterPost = 1   // the first report: stored, answered 500
	e.fake.failAfterUpload = 1 // its chart too, once found
	e.fake.mu.Unlock()
	d := outbox.New(outbox.Options{Store: st, Senders: map[string]outbox.Sender{Platform: outboxSlack{e.adapter}}, Clock: clock,
		Logger: slog.New(slog.DiscardHandler)})
	for range 4 {
		if _, _, err := d.Step(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
	}
	posts, uploads := e.fake.Posts(), e.fake.Uploads()
	if len(posts) != 2 {
		t.Fatalf("%d posts, want 2: %+v", len(posts), posts)
	}
	got := map[string]int{}
	for _, u := range uploads {
		got[u.Channel+"/"+u.Filename]++
	}
	if len(uploads) != 2 || got["Cjanko/janko.png"] != 1 || got["Csalon/salon.png"] != 1 {
		t.Fatalf("uploads = %v, want each chart once in its channel", got)
	}
	items, _ := st.OutboxItems(ctx, nil)
	for _, it := range items {
		if it.Status != store.OutboxSent || !it.Attached || it.Ref == "" {
			t.Errorf("item %s: %+v", it.Key, it)
		}
	}
}
