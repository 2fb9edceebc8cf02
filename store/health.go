package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// VerdictRecord is a partner's stored health verdict: its level, the
// level of each metric, and the reasons already rendered in every
// language, so readers (alerts, /partner, the API) need not judge again.
type VerdictRecord struct {
	Partner string                  `json:"partner"`
	At      time.Time               `json:"at"`      // when it was judged
	Level   string                  `json:"verdict"` // green, amber, red
	Metrics map[string]string       `json:"metrics"` // metric name → level
	Reasons map[bot.Locale][]string `json:"reasons,omitempty"`
	Segment string                  `json:"segment,omitempty"`
	Tier    string                  `json:"tier,omitempty"`
	// Since is when the partner turned to this level; PutVerdict keeps it
	// while the level stays the same.
	Since time.Time `json:"since"`
}

// HealthChange is one entry of a partner's health history: the verdict
// turned from one level to another ("" for the first verdict).
type HealthChange struct {
	Partner string                  `json:"-"`
	At      time.Time               `json:"at"`
	From    string                  `json:"from"`
	To      string                  `json:"to"`
	Reasons map[bot.Locale][]string `json:"reasons,omitempty"`
}

// PutVerdict stores rec as the partner's current verdict. When there was
// none, or its level differs from the stored one, the change is appended
// to the partner's health history and changed is true; prev is the
// verdict it replaced (zero when there was none). rec.Since is set from
// the stored verdict: rec.At on a change, the old Since otherwise.
//
// Returns EINVALID when rec names no partner or level.
func (s *Store) PutVerdict(ctx context.Context, rec VerdictRecord) (changed bool, prev VerdictRecord, err error) {
	if rec, err = s.checkVerdict(rec); err != nil {
		return false, VerdictRecord{}, err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		var err error
		changed, prev, err = putVerdictTx(tx, rec)
		return err
	})
	return changed, prev, wrap("put verdict", err)
}

func (s *Store) checkVerdict(rec VerdictRecord) (VerdictRecord, error) {
	if rec.Partner == "" || rec.Level == "" {
		return rec, bot.Errorf(bot.EINVALID, "a verdict needs a partner and a level")
	}
	if rec.At.IsZero() {
		rec.At = s.now()
	}
	rec.At = rec.At.UTC()
	return rec, nil
}

// putVerdictTx is PutVerdict inside tx; rec is valid and stamped.
func putVerdictTx(tx *bolt.Tx, rec VerdictRecord) (changed bool, prev VerdictRecord, err error) {
	b := tx.Bucket(bucketVerdicts)
	found := false
	if v := b.Get([]byte(rec.Partner)); v != nil {
		if err := json.Unmarshal(v, &prev); err != nil {
			return false, VerdictRecord{}, fmt.Errorf("decode verdict %q: %w", rec.Partner, err)
		}
		found = true
	}
	if found && prev.Level == rec.Level {
		rec.Since = prev.Since
	} else {
		changed, rec.Since = true, rec.At
		ch := HealthChange{At: rec.At, From: prev.Level, To: rec.Level, Reasons: rec.Reasons}
		k := binary.BigEndian.AppendUint64(prefixKey(rec.Partner), timeBits(rec.At))
		if err := putJSON(tx.Bucket(bucketHealthLog), string(k), &ch); err != nil {
			return false, VerdictRecord{}, err
		}
	}
	return changed, prev, putJSON(b, rec.Partner, &rec)
}

// Verdict returns a partner's current verdict. Returns ENOTFOUND when the
// partner has none (never judged, or paused before its first verdict).
func (s *Store) Verdict(ctx context.Context, partner string) (VerdictRecord, error) {
	var rec VerdictRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketVerdicts), partner, &rec, "verdict of partner")
	})
	return rec, err
}

// Verdicts returns every stored verdict, by partner id.
func (s *Store) Verdicts(ctx context.Context) ([]VerdictRecord, error) {
	out, err := allJSON[VerdictRecord](s.db, bucketVerdicts, "verdict")
	return out, err
}

// VerdictHistory returns a partner's health changes, newest first, at
// most limit of them (all when limit <= 0).
func (s *Store) VerdictHistory(ctx context.Context, partner string, limit int) ([]HealthChange, error) {
	var out []HealthChange
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := prefixKey(partner)
		c := tx.Bucket(bucketHealthLog).Cursor()
		// Seek past the prefix and walk back: newest first.
		k, v := c.Seek(append(bytes.Clone(prefix), 0xff))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && hasPrefix(k, prefix) && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var ch HealthChange
			if err := json.Unmarshal(v, &ch); err != nil {
				return fmt.Errorf("decode health change %q: %w", k, err)
			}
			ch.Partner = partner
			out = append(out, ch)
		}
		return nil
	})
	return out, err
}
