package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// Outbox statuses.
const (
	OutboxPending = "pending" // waiting for its next attempt
	OutboxSending = "sending" // handed to a platform; outcome not yet recorded
	OutboxSent    = "sent"
	OutboxFailed  = "failed" // given up: Reason says why
)

// OutboxItem is one outgoing message, written before it is sent.
type OutboxItem struct {
	ID       uint64      `json:"id"`
	Key      string      `json:"key"`  // idempotency key: one message per key, ever
	Kind     string      `json:"kind"` // weekly_report, promo_calendar, alert, ...
	Partner  string      `json:"partner,omitempty"`
	Target   bot.Target  `json:"target"`
	Message  bot.Message `json:"message"`
	Status   string      `json:"status"`
	Attempts int         `json:"attempts"`
	NextAt   time.Time   `json:"next_at"`
	Created  time.Time   `json:"created"`
	SentAt   time.Time   `json:"sent_at,omitzero"`
	FailedAt time.Time   `json:"failed_at,omitzero"`
	Ref      string      `json:"ref,omitempty"` // the platform's id of the posted message
	Reason   string      `json:"reason,omitempty"`
	Error    string      `json:"error,omitempty"`
	// Unverified marks an item whose last attempt may have been posted
	// (a timeout after sending): before sending again, ask the platform.
	Unverified bool `json:"unverified,omitempty"`
	// Thread is the key of an earlier item whose posted message this
	// one answers in its thread (Slack thread_ts, a Discord reply).
	// When that item was never posted, this one is posted on its own.
	Thread string `json:"thread,omitempty"`
	// Updates is the key of an earlier item whose posted message this
	// one replaces in place (chat.update, a Discord edit): nothing new
	// is posted, and the earlier item keeps the new content.
	Updates string `json:"updates,omitempty"`
	// Transient items carry words people wrote to each other (a relayed
	// conversation): the text and fields are cleared once the item is
	// settled, sent or failed, and only the fact stays.
	Transient bool `json:"transient,omitempty"`
	// Posted: the message itself is on the platform (Ref); what is left
	// is its image, sent as a step of its own by platforms that post
	// images separately (Slack). A retry then attaches, never reposts.
	Posted bool `json:"posted,omitempty"`
	// Attached: the message's image went out too.
	Attached bool `json:"attached,omitempty"`
	// AttachUnverified marks an item whose last upload may have
	// completed (no clear answer): before uploading again, ask.
	AttachUnverified bool `json:"attach_unverified,omitempty"`
}

// Forget clears what a transient item's people wrote, keeping the
// title (who wrote) and the delivery record.
func (it *OutboxItem) Forget() {
	it.Message.Text, it.Message.Fields, it.Message.Buttons = "", nil, nil
}

func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func dueKey(at time.Time, id uint64) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, timeBits(at)), id)
}

// Enqueue stores a new outgoing message unless one with the same key was
// ever stored, and reports whether it was new. This is what makes a job
// that runs twice (a retry, a catch-up after a crash) post once.
func (s *Store) Enqueue(ctx context.Context, it *OutboxItem) (bool, error) {
	if it.Key == "" {
		return false, bot.Errorf(bot.EINVALID, "an outbox item needs an idempotency key")
	}
	created := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		created, err = s.enqueueTx(tx, it)
		return err
	})
	return created, wrap("enqueue", err)
}

// enqueueTx is Enqueue inside tx.
func (s *Store) enqueueTx(tx *bolt.Tx, it *OutboxItem) (bool, error) {
	keys := tx.Bucket(bucketOutboxKeys)
	if keys.Get([]byte(it.Key)) != nil {
		return false, nil
	}
	b := tx.Bucket(bucketOutbox)
	id, err := b.NextSequence()
	if err != nil {
		return false, err
	}
	it.ID, it.Status, it.Created = id, OutboxPending, s.now()
	if it.NextAt.IsZero() {
		it.NextAt = it.Created
	}
	if err := putItem(tx, it); err != nil {
		return false, err
	}
	if it.Partner != "" {
		if err := tx.Bucket(bucketOutboxByP).Put(partnerItemKey(it.Partner, it.Created, id), []byte(it.Kind)); err != nil {
			return false, err
		}
	}
	return true, keys.Put([]byte(it.Key), be64(id))
}

func putItem(tx *bolt.Tx, it *OutboxItem) error {
	data, err := json.Marshal(it)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketOutbox).Put(be64(it.ID), data); err != nil {
		return err
	}
	if it.Ref != "" && it.Updates == "" { // an update's ref is its original's
		if err := tx.Bucket(bucketOutboxRefs).Put(refKey(it.Target.Platform, it.Ref), be64(it.ID)); err != nil {
			return err
		}
	}
	if it.Status == OutboxPending {
		return tx.Bucket(bucketOutboxDue).Put(dueKey(it.NextAt, it.ID), nil)
	}
	return nil
}

func refKey(platform, ref string) []byte { return []byte(platform + ":" + ref) }

func getItem(tx *bolt.Tx, id uint64) (*OutboxItem, error) {
	v := tx.Bucket(bucketOutbox).Get(be64(id))
	if v == nil {
		return nil, bot.Keyed(bot.ENOTFOUND, "store.outbox.not_found", "outbox item %d not found", id)
	}
	var it OutboxItem
	if err := json.Unmarshal(v, &it); err != nil {
		return nil, fmt.Errorf("decode outbox item %d: %w", id, err)
	}
	return &it, nil
}

// Due returns up to limit pending items whose next attempt is at or
// before now, oldest due first.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]OutboxItem, error) {
	var out []OutboxItem
	err := s.db.View(func(tx *bolt.Tx) error {
		end := dueKey(now, ^uint64(0))
		c := tx.Bucket(bucketOutboxDue).Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k, end) <= 0 && len(out) < limit; k, _ = c.Next() {
			it, err := getItem(tx, binary.BigEndian.Uint64(k[8:]))
			if err != nil {
				return err
			}
			out = append(out, *it)
		}
		return nil
	})
	return out, err
}

// Sending returns the items left in the sending state: a stop came
// between handing them to a platform and recording the outcome.
func (s *Store) Sending(ctx context.Context) ([]OutboxItem, error) {
	return s.OutboxItems(ctx, func(it *OutboxItem) bool { return it.Status == OutboxSending })
}

// OutboxItems returns the items for which keep is true (all when nil),
// oldest first.
func (s *Store) OutboxItems(ctx context.Context, keep func(*OutboxItem) bool) ([]OutboxItem, error) {
	var out []OutboxItem
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			var it OutboxItem
			if err := json.Unmarshal(v, &it); err != nil {
				return err
			}
			if keep == nil || keep(&it) {
				out = append(out, it)
			}
			return nil
		})
	})
	return out, err
}

// UpdateOutbox changes an item in one transaction: fn gets the stored
// item and changes it; the due index follows its status and next attempt.
// Concurrent calls share a commit (the dispatcher's sends in flight each
// record their outcome), so fn may run more than once, each time on the
// stored item: it must only change the item it is given.
// Returns ENOTFOUND.
func (s *Store) UpdateOutbox(ctx context.Context, id uint64, fn func(*OutboxItem)) (*OutboxItem, error) {
	var it *OutboxItem
	err := s.db.Batch(func(tx *bolt.Tx) error {
		var err error
		if it, err = getItem(tx, id); err != nil {
			return err
		}
		if it.Status == OutboxPending {
			if err := tx.Bucket(bucketOutboxDue).Delete(dueKey(it.NextAt, it.ID)); err != nil {
				return err
			}
		}
		fn(it)
		return putItem(tx, it)
	})
	return it, wrap("update outbox", err)
}

func partnerItemKey(partner string, created time.Time, id uint64) []byte {
	k := binary.BigEndian.AppendUint64(prefixKey(partner), timeBits(created))
	return binary.BigEndian.AppendUint64(k, id)
}

// CountForPartner counts the outbox items for a partner created since a
// time whose kind is one of kinds (all kinds when none are given): what
// the weekly cap on scheduled messages is checked against.
func (s *Store) CountForPartner(ctx context.Context, partner string, since time.Time, kinds ...string) (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = countForPartnerTx(tx, partner, since, kinds)
		return nil
	})
	return n, err
}

func countForPartnerTx(tx *bolt.Tx, partner string, since time.Time, kinds []string) int {
	n := 0
	prefix := prefixKey(partner)
	c := tx.Bucket(bucketOutboxByP).Cursor()
	for k, v := c.Seek(binary.BigEndian.AppendUint64(bytes.Clone(prefix), timeBits(since))); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		if len(kinds) == 0 || slices.Contains(kinds, string(v)) {
			n++
		}
	}
	return n
}

// Queued reports whether a message with this idempotency key was ever
// queued.
func (s *Store) Queued(ctx context.Context, key string) (bool, error) {
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bucketOutboxKeys).Get([]byte(key)) != nil
		return nil
	})
	return ok, err
}

// OutboxBacklog counts the messages waiting to be sent by platform, and
// returns when the oldest of them was queued (zero when none waits): what
// an operator alerts on when delivery stalls. It reads only the pending
// index, so its cost follows the backlog, not the outbox's history.
func (s *Store) OutboxBacklog(ctx context.Context) (map[string]int, time.Time, error) {
	count := map[string]int{}
	var oldest time.Time
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutboxDue).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			it, err := getItem(tx, binary.BigEndian.Uint64(k[8:]))
			if err != nil {
				return err
			}
			count[it.Target.Platform]++
			if oldest.IsZero() || it.Created.Before(oldest) {
				oldest = it.Created
			}
		}
		return nil
	})
	return count, oldest, wrap("outbox backlog", err)
}

// OutboxItem returns the item with id. Returns ENOTFOUND.
func (s *Store) OutboxItem(ctx context.Context, id uint64) (*OutboxItem, error) {
	var it *OutboxItem
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		it, err = getItem(tx, id)
		return err
	})
	return it, err
}

// OutboxByKey returns the item queued under an idempotency key: the
// message a later one threads under or updates. Returns ENOTFOUND.
func (s *Store) OutboxByKey(ctx context.Context, key string) (*OutboxItem, error) {
	var it *OutboxItem
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketOutboxKeys).Get([]byte(key))
		if v == nil {
			return bot.Keyed(bot.ENOTFOUND, "store.outbox.not_found", "no outbox item with key %q", key)
		}
		var err error
		it, err = getItem(tx, binary.BigEndian.Uint64(v))
		return err
	})
	return it, err
}

// OutboxByRef returns the item whose posted message has the platform's
// id ref (a Slack ts, a Discord message id): what a reply in that
// message's thread answers. Returns ENOTFOUND.
func (s *Store) OutboxByRef(ctx context.Context, platform, ref string) (*OutboxItem, error) {
	var it *OutboxItem
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketOutboxRefs).Get(refKey(platform, ref))
		if v == nil {
			return bot.Keyed(bot.ENOTFOUND, "store.outbox.not_found", "no outbox item posted as %s", platform+" "+ref)
		}
		var err error
		it, err = getItem(tx, binary.BigEndian.Uint64(v))
		return err
	})
	return it, err
}
