package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// migrations bring a database from version i to i+1; the schema version is
// len(migrations). Append, never edit: a released step has run on real
// files. Each runs in the same transaction as the version bump, so a
// crash leaves the file at the old version, ready to try again.
var migrations = []func(tx *bolt.Tx) error{
	// 0 → 1: the first release's buckets.
	func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketPartners, bucketManagers, bucketCodes, bucketIdentities,
			bucketEvents, bucketTimeline, bucketDaily, bucketPromos} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
	// 1 → 2: one-time link codes and managers' contact notes.
	func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketLinkCodes, bucketNotes} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
	// 2 → 3: the scheduler's record of job runs, and the outbox.
	func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketJobRuns, bucketOutbox, bucketOutboxKeys, bucketOutboxDue} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
	// 3 → 4: outbox items by partner, for the weekly cap on scheduled
	// messages; filled from the items already there.
	func(tx *bolt.Tx) error {
		byp, err := tx.CreateBucketIfNotExists(bucketOutboxByP)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			var it OutboxItem
			if err := json.Unmarshal(v, &it); err != nil {
				return err
			}
			if it.Partner == "" {
				return nil
			}
			return byp.Put(partnerItemKey(it.Partner, it.Created, it.ID), []byte(it.Kind))
		})
	},
	// 4 → 5: health verdicts, their history, and manager alerts.
	func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketVerdicts, bucketHealthLog, bucketAlerts} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
	// 5 → 6: the connectors' attribution index (external ids, coupons)
	// and parked webhook deliveries; the index is filled from partners.
	func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketAttrib, bucketParked} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketPartners).ForEach(func(k, v []byte) error {
			var p bot.Partner
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			return setAttribution(tx, p.ID, nil, &p)
		})
	},
}

// SchemaVersion is the schema this build writes.
var SchemaVersion = uint32(len(migrations))

func (s *Store) migrate() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		var v uint32
		if b := meta.Get(keySchema); len(b) == 4 {
			v = binary.BigEndian.Uint32(b)
		} else if tx.Bucket(bucketPartners) == nil && !isEmpty(tx) {
			return fmt.Errorf("the file holds a bbolt database that is not partnerbot's")
		}
		if v > SchemaVersion {
			return fmt.Errorf("database schema %d is newer than this partnerbot (%d): upgrade partnerbot", v, SchemaVersion)
		}
		for ; v < SchemaVersion; v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
			}
		}
		if err := meta.Put(keySchema, be32(SchemaVersion)); err != nil {
			return err
		}
		return s.ensureZone(tx, meta)
	})
}

// ensureZone rebuilds the daily totals when the program's time zone
// changed since they were written: a day's totals depend on where
// midnight falls.
func (s *Store) ensureZone(tx *bolt.Tx, meta *bolt.Bucket) error {
	name := []byte(s.loc.String())
	old := meta.Get(keyTZ)
	if old != nil && string(old) == string(name) {
		return nil
	}
	if old != nil {
		if err := rebuildDaily(tx, s.loc); err != nil {
			return fmt.Errorf("rebuild daily totals for %s: %w", s.loc, err)
		}
	}
	return meta.Put(keyTZ, name)
}

func (s *Store) checkReadable(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return fmt.Errorf("not a partnerbot database")
	}
	b := meta.Get(keySchema)
	if len(b) != 4 || binary.BigEndian.Uint32(b) != SchemaVersion {
		return fmt.Errorf("database schema differs from this partnerbot's (%d); open it read-write once to migrate", SchemaVersion)
	}
	if tz := meta.Get(keyTZ); string(tz) != s.loc.String() {
		return fmt.Errorf("daily totals are kept in %s, not %s; open it read-write once to rebuild them", tz, s.loc)
	}
	return nil
}

func isEmpty(tx *bolt.Tx) bool {
	empty := true
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		if string(name) != string(bucketMeta) {
			empty = false
		}
		return nil
	})
	return empty
}
