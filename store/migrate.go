package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"partnerbot/bot"
)

// migrations bring a database from version i to i+1; the schema version is
// len(migrations). Append, never edit: a released step has run on real
// files. Each runs in the same transaction as the version bump, so a
// crash leaves the file at the old version, ready to try again.
var migrations = []func(tx *bolt.Tx) error{
	// 0 → 1: the first release's buckets.
	func(tx *bolt.Tx) error {
		return createBuckets(tx, bucketPartners, bucketManagers, bucketCodes, bucketIdentities,
			bucketEvents, bucketTimeline, bucketDaily, bucketPromos)
	},
	// 1 → 2: one-time link codes and managers' contact notes.
	func(tx *bolt.Tx) error {
		return createBuckets(tx, bucketLinkCodes, bucketNotes)
	},
	// 2 → 3: the scheduler's record of job runs, and the outbox.
	func(tx *bolt.Tx) error {
		return createBuckets(tx, bucketJobRuns, bucketOutbox, bucketOutboxKeys, bucketOutboxDue)
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
		return createBuckets(tx, bucketVerdicts, bucketHealthLog, bucketAlerts)
	},
	// 5 → 6: exchange rates and the commission lifecycle. (This step
	// also filled the commission items from the events stored; 9 → 10
	// refills them from the events in their new place, so it no longer
	// has to.)
	func(tx *bolt.Tx) error {
		return createBuckets(tx, bucketRates, bucketItems, bucketLifeDay, bucketLifeMonth)
	},
	// 6 → 7: ids of signed chat requests already acted on (replays), and
	// per-address click counts for the referral redirect's daily cap.
	func(tx *bolt.Tx) error {
		return createBuckets(tx, bucketReplays, bucketClickCaps)
	},
	// 7 → 8: outbox items by the platform's id of their posted message,
	// so a reply in a message's thread finds what it answers; filled
	// from the items already sent.
	func(tx *bolt.Tx) error {
		refs, err := tx.CreateBucketIfNotExists(bucketOutboxRefs)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			var it OutboxItem
			if err := json.Unmarshal(v, &it); err != nil {
				return err
			}
			if it.Ref == "" {
				return nil
			}
			return refs.Put(refKey(it.Target.Platform, it.Ref), be64(it.ID))
		})
	},
	// 8 → 9: the connectors' attribution index (external ids, coupons)
	// and parked webhook deliveries; the index is filled from partners.
	func(tx *bolt.Tx) error {
		if err := createBuckets(tx, bucketAttrib, bucketParked); err != nil {
			return err
		}
		return tx.Bucket(bucketPartners).ForEach(func(k, v []byte) error {
			var p bot.Partner
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			return setAttribution(tx, p.ID, nil, &p)
		})
	},
	// 9 → 10: the ledger (ledger.go), which buildLedger has already
	// filled from the timeline in transactions of its own. Here the events
	// index keeps only each event's partner, and a sale's time
	// (indexValue: since schema 12; a file that stops at 10 or 11 gets it
	// in upgradeLedger) and the old buckets go.
	func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketLedger); err != nil {
			return err
		}
		evb := tx.Bucket(bucketEvents)
		evb.FillPercent = 0.9
		if tl := tx.Bucket(bucketTimeline); tl != nil {
			c := tl.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				p, _, rest, ok := splitKey(k)
				if !ok || len(rest) < 9 {
					return fmt.Errorf("malformed timeline key %q", k)
				}
				e, err := decodeEventVal(string(p), bitsTime(binary.BigEndian.Uint64(rest)), string(rest[8:]), v)
				if err != nil {
					return err
				}
				if err := evb.Put(rest[8:], indexValue(&e)); err != nil {
					return err
				}
			}
		}
		for _, b := range [][]byte{bucketTimeline, bucketDaily, bucketItems, bucketLifeDay, bucketLifeMonth} {
			if err := tx.DeleteBucket(b); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return fmt.Errorf("drop %s: %w", b, err)
			}
		}
		return nil
	},
	// 10 → 11: commission the hold approves is kept on the day it was
	// created (lifeStep.matures), no longer as a change of the day the
	// hold ends. upgradeLedger has already recounted every partner's day
	// and month records that way, in transactions of its own.
	func(tx *bolt.Tx) error { return nil },
	// 11 → 12: a sale whose commission item has no other entry keeps the
	// item in itself, and the events index keeps each event's time beside
	// its partner to find it (ledger.go). upgradeLedger has already
	// dropped those items' records and rewritten the index.
	func(tx *bolt.Tx) error { return nil },
	// 12 → 13: a partner's month in one record, its days inside it, and
	// its events in runs after it (ledger.go). upgradeLedger has already
	// moved them.
	func(tx *bolt.Tx) error { return nil },
	// 13 → 14: the log of events admitted and not yet in the ledger
	// (stage.go). migrate makes sure of it too: upgradeLedger writes this
	// schema before the steps run.
	func(tx *bolt.Tx) error { return createBuckets(tx, bucketStaged) },
}

// SchemaVersion is the schema this build writes.
var SchemaVersion = uint32(len(migrations))

func (s *Store) migrate() error {
	if err := s.buildLedger(); err != nil {
		return fmt.Errorf("migrate to the ledger (schema 10): %w", err)
	}
	if err := s.upgradeLedger(); err != nil {
		return fmt.Errorf("migrate the ledger to schema %d: %w", SchemaVersion, err)
	}
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
		from := v
		for ; v < SchemaVersion; v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
			}
		}
		if from < 10 && SchemaVersion >= 10 {
			// buildLedger counted the ledger in this zone with this hold.
			if err := meta.Put(keyTZ, []byte(s.loc.String())); err != nil {
				return err
			}
			if err := meta.Put(keyHold, be32(uint32(s.hold))); err != nil {
				return err
			}
		}
		if err := meta.Put(keySchema, be32(SchemaVersion)); err != nil {
			return err
		}
		if err := s.ensureCurrency(meta); err != nil {
			return err
		}
		// Events staged before a crash go into the ledger before anything
		// reads or recounts it.
		if err := createBuckets(tx, bucketStaged); err != nil {
			return err
		}
		if err := s.foldIn(tx); err != nil {
			return err
		}
		return s.ensureLedger(tx, meta)
	})
}

// ensureCurrency stores the program currency in a file that has none
// (a new one, or one from before it was stored) and refuses a config
// that names another one than the file's: relabelling amounts would make
// every figure wrong (100 JPY is not 100 PLN).
func (s *Store) ensureCurrency(meta *bolt.Bucket) error {
	stored := string(meta.Get(keyCurrency))
	switch {
	case stored == "" && s.currency.Code == "":
		s.currency, _ = bot.LookupCurrency("PLN")
	case stored == "":
	case s.currency.Code == "":
		c, err := bot.LookupCurrency(stored)
		if err != nil {
			return fmt.Errorf("stored program currency: %w", err)
		}
		s.currency = c
		return nil
	case stored != s.currency.Code:
		return currencyMismatch(stored, s.currency.Code)
	default:
		return nil
	}
	return meta.Put(keyCurrency, []byte(s.currency.Code))
}

func currencyMismatch(stored, configured string) error {
	return fmt.Errorf("the database keeps its amounts in %s, but the configuration names %s (program.currency): "+
		"set program.currency back to %s, or convert every stored amount with `partnerbot currency migrate %s --rate RATE` "+
		"(RATE: how many %s one %s is worth)", stored, configured, stored, configured, configured, stored)
}

// ensureLedger recounts the daily totals and the commission lifecycle
// when the program's time zone or commission hold changed since they were
// written (a day's totals depend on where midnight falls, approvals on the
// hold), or when they were never computed with this schema.
func (s *Store) ensureLedger(tx *bolt.Tx, meta *bolt.Bucket) error {
	name := []byte(s.loc.String())
	tz := meta.Get(keyTZ)
	hold := meta.Get(keyHold)
	if string(tz) == string(name) && len(hold) == 4 && binary.BigEndian.Uint32(hold) == uint32(s.hold) {
		return nil
	}
	if tz != nil || hold == nil {
		if err := rebuildLedger(tx, s.loc, s.hold); err != nil {
			return fmt.Errorf("recount daily totals and commissions for %s, %d-day hold: %w", s.loc, s.hold, err)
		}
	}
	if err := meta.Put(keyTZ, name); err != nil {
		return err
	}
	return meta.Put(keyHold, be32(uint32(s.hold)))
}

func (s *Store) checkReadable(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return fmt.Errorf("not a partnerbot database")
	}
	b := meta.Get(keySchema)
	if len(b) != 4 || binary.BigEndian.Uint32(b) != SchemaVersion || meta.Get(keyUpgradeFrom) != nil {
		return fmt.Errorf("database schema differs from this partnerbot's (%d); open it read-write once to migrate", SchemaVersion)
	}
	if tz := meta.Get(keyTZ); string(tz) != s.loc.String() {
		return fmt.Errorf("daily totals are kept in %s, not %s; open it read-write once to rebuild them", tz, s.loc)
	}
	if h := meta.Get(keyHold); len(h) != 4 || binary.BigEndian.Uint32(h) != uint32(s.hold) {
		return fmt.Errorf("commissions were counted with another hold than %d days; open it read-write once to recount them", s.hold)
	}
	stored := string(meta.Get(keyCurrency))
	if s.currency.Code != "" && stored != s.currency.Code {
		return currencyMismatch(stored, s.currency.Code)
	}
	c, err := bot.LookupCurrency(stored)
	if err != nil {
		return fmt.Errorf("stored program currency: %w", err)
	}
	s.currency = c
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

// createBuckets creates the named buckets that do not exist yet: the
// whole of most migration steps.
func createBuckets(tx *bolt.Tx, names ...[]byte) error {
	for _, b := range names {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

// ledgerBatch is how many partners buildLedger moves in one transaction.
var ledgerBatch = 500

// buildLedger fills the ledger from the timeline of a file older than
// schema 10, a few hundred partners to a transaction, before the
// migration's own transaction bumps the schema and drops the old buckets.
// One transaction would not do: bbolt splits a tree's pages only at
// commit, so a million keys put into a new bucket in one transaction land
// in one ever-growing node, and each insertion in its middle copies it.
// Written partner by partner in key order, every key is appended, and the
// days, months and commission items are counted as ingest would, in the
// program's zone with its hold (which migrate then records in meta, in
// the transaction that bumps the schema). A crash half
// way leaves the file at its old schema; the next start begins again.
func (s *Store) buildLedger() error {
	var todo bool
	err := s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || tx.Bucket(bucketTimeline) == nil {
			return nil
		}
		v := meta.Get(keySchema)
		todo = len(v) == 4 && binary.BigEndian.Uint32(v) < 10
		return nil
	})
	if err != nil || !todo {
		return err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketLedger); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
			return err
		}
		_, err := tx.CreateBucket(bucketLedger)
		return err
	})
	if err != nil {
		return err
	}
	var next []byte // the first timeline key not moved yet
	for done := false; !done; {
		err := s.db.Update(func(tx *bolt.Tx) error {
			lg := tx.Bucket(bucketLedger)
			c := tx.Bucket(bucketTimeline).Cursor()
			k, v := c.First()
			if next != nil {
				k, v = c.Seek(next)
			}
			for n := 0; n < ledgerBatch; n++ {
				if k == nil {
					done = true
					return nil
				}
				p, _, _, ok := splitKey(k)
				if !ok {
					return fmt.Errorf("malformed timeline key %q", k)
				}
				partner := string(p)
				prefix := prefixKey(partner)
				items := itemSet{}
				var evs []runEvent
				for ; k != nil && hasPrefix(k, prefix); k, v = c.Next() {
					rest := k[len(prefix):]
					if len(rest) < 9 {
						return fmt.Errorf("malformed timeline key %q", k)
					}
					at := bitsTime(binary.BigEndian.Uint64(rest))
					e, err := decodeEventVal(partner, at, string(rest[8:]), v)
					if err != nil {
						return err
					}
					items.add(&e)
					evs = append(evs, runEvent{at: at, id: e.ID, val: bytes.Clone(v)})
				}
				if err := items.write(lg); err != nil {
					return err
				}
				if err := rebuildPartnerFrom(lg, partner, s.loc, s.hold, evs); err != nil {
					return err
				}
				next = append([]byte(partner), 1)
				// The writes above moved the ledger, not the timeline, but a
				// cursor must not outlive writes in its transaction.
				c = tx.Bucket(bucketTimeline).Cursor()
				k, v = c.Seek(next)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// upgradeLedger brings the ledger of a schema 10, 11 or 12 file to this
// schema, a few hundred partners to a transaction for the reason
// buildLedger gives, before the migration's own transaction. For each
// partner: the events index gets a sale's time beside its partner (from
// 10 and 11), the records of items that only their sale has are dropped
// (the sale keeps them; from 10 and 11), the events move from keys of
// their own into their months' records and runs, and the month records
// are counted from the events and items (the days' records of schema 12
// and before go). The first transaction records the schema the upgrade
// started from (keyUpgradeFrom) and already writes the new schema, so
// that a build of the old one refuses the file while it is half moved; a
// start after a crash goes on where it stopped, passing over partners
// already moved; the last transaction clears the mark.
func (s *Store) upgradeLedger() error {
	var from uint32
	err := s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || tx.Bucket(bucketLedger) == nil {
			return nil
		}
		if v := meta.Get(keyUpgradeFrom); len(v) == 4 {
			from = binary.BigEndian.Uint32(v)
		} else if v := meta.Get(keySchema); len(v) == 4 {
			from = binary.BigEndian.Uint32(v)
		}
		return nil
	})
	if err != nil || from < 10 || from >= 13 {
		return err
	}
	for next, first := "", true; first || next != ""; first = false {
		err := s.db.Update(func(tx *bolt.Tx) error {
			if first {
				meta := tx.Bucket(bucketMeta)
				if err := meta.Put(keyUpgradeFrom, be32(from)); err != nil {
					return err
				}
				if err := meta.Put(keySchema, be32(SchemaVersion)); err != nil {
					return err
				}
			}
			lg, evb := tx.Bucket(bucketLedger), tx.Bucket(bucketEvents)
			var err error
			next, err = partnersFrom(lg, next, ledgerBatch, func(partner string) error {
				return s.upgradePartner(lg, evb, partner, from)
			})
			return err
		})
		if err != nil {
			return err
		}
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Delete(keyUpgradeFrom)
	})
}

// movedAlready reports whether a partner's part of the ledger is in this
// schema's layout: a month record of this schema, or a run of events.
func movedAlready(lg *bolt.Bucket, partner string) bool {
	n := recLen(partner)
	prefix := ledgerPrefix(partner, sepDays)
	c := lg.Cursor()
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		if len(k) < n {
			return false
		}
		if binary.BigEndian.Uint32(k[n-4:n]) >= 10000101 {
			return false // the first day record of the old layout: months came first
		}
		if len(k) > n || len(v) > 0 && v[0] == monthFormat {
			return true
		}
	}
	return false
}

// upgradePartner brings a partner's part of a schema 10 to 12 ledger to
// this schema (upgradeLedger).
func (s *Store) upgradePartner(lg, evb *bolt.Bucket, partner string, from uint32) error {
	if movedAlready(lg, partner) {
		return nil
	}
	var evs []runEvent
	var ids, vals [][]byte
	err := eachEvent12(lg.Cursor(), partner, allDays[0], allDays[1], func(k, v []byte) error {
		e, err := decodeTimeline(k, v)
		if err != nil {
			return err
		}
		evs = append(evs, runEvent{at: e.At, id: e.ID, val: bytes.Clone(v)})
		ids, vals = append(ids, []byte(e.ID)), append(vals, indexValue(&e))
		return nil
	})
	if err != nil {
		return err
	}
	if from < 12 {
		for i := range ids {
			if err := evb.Put(ids[i], vals[i]); err != nil {
				return err
			}
		}
		var drop [][]byte
		prefix := ledgerPrefix(partner, sepItems)
		c := lg.Cursor()
		for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
			if implicitItem(string(k[len(prefix):]), v) {
				drop = append(drop, bytes.Clone(k))
			}
		}
		for _, k := range drop {
			if err := lg.Delete(k); err != nil {
				return err
			}
		}
	}
	if err := deletePrefix(lg, ledgerPrefix(partner, sepDays)); err != nil {
		return err
	}
	return rebuildPartnerFrom(lg, partner, s.loc, s.hold, evs)
}
