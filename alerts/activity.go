package alerts

import (
	"context"
	"fmt"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// ActivityStore is what Activity needs of the ledger; *store.Store has it.
type ActivityStore interface {
	IdentityOf(ctx context.Context, platform, user string) (store.Identity, error)
	Ingest(ctx context.Context, evs []bot.Event, lines []int) (bot.IngestResult, error)
}

// Activity records that a chat user wrote or used a command at now: for
// a linked partner, one contact_in event (initiative and responsiveness
// are judged from them). Its id has the second in it, so a burst within
// a second is one fact. Managers and unknown users record nothing, and
// the text is never seen. The channel is not used yet: any message the
// bot sees from the partner counts.
func Activity(ctx context.Context, st ActivityStore, platform, user, channel string, now time.Time) error {
	if user == "" {
		return nil
	}
	id, err := st.IdentityOf(ctx, platform, user)
	switch {
	case bot.ErrorCode(err) == bot.ENOTFOUND:
		return nil
	case err != nil:
		return fmt.Errorf("activity of %s user %s: %w", platform, user, err)
	case id.Kind != "partner":
		return nil
	}
	ev := bot.Event{ID: fmt.Sprintf("contact-in-%s-%s-%d", platform, user, now.Unix()), Type: bot.EventContactIn, Partner: id.ID, At: now}
	if _, err := st.Ingest(ctx, []bot.Event{ev}, nil); err != nil {
		return fmt.Errorf("activity of %s user %s: %w", platform, user, err)
	}
	return nil
}
