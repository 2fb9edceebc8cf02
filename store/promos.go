package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// PutPromotion creates or replaces a promotion and reports whether it was
// created. Returns EINVALID.
func (s *Store) PutPromotion(ctx context.Context, p *bot.Promotion) (created bool, err error) {
	np := *p
	if err := np.Validate(); err != nil {
		return false, err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPromos)
		var old bot.Promotion
		if v := b.Get([]byte(np.ID)); v != nil {
			if err := json.Unmarshal(v, &old); err != nil {
				return fmt.Errorf("decode promotion %q: %w", np.ID, err)
			}
			np.Created = old.Created
		} else {
			created = true
			np.Created = s.now()
		}
		return putJSON(b, np.ID, &np)
	})
	if err != nil {
		return false, wrap("put promotion", err)
	}
	*p = np
	return created, nil
}

// Promotion returns a promotion. Returns ENOTFOUND.
func (s *Store) Promotion(ctx context.Context, id string) (*bot.Promotion, error) {
	var p bot.Promotion
	err := s.db.View(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketPromos), id, &p, "promotion") })
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Promotions returns every promotion ordered by start.
func (s *Store) Promotions(ctx context.Context) ([]bot.Promotion, error) {
	out, err := allJSON[bot.Promotion](s.db, bucketPromos, "promotion")
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, err
}

// DeletePromotion removes a promotion. Returns ENOTFOUND.
func (s *Store) DeletePromotion(ctx context.Context, id string) error {
	return wrap("delete promotion", s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPromos)
		if b.Get([]byte(id)) == nil {
			return notFound("promotion", id)
		}
		return b.Delete([]byte(id))
	}))
}
