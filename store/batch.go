package store

import (
	"context"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// Tx is one write transaction over many domain operations. Jobs that
// touch every partner (the daily health evaluation, the Monday reports)
// write through it in chunks: a fsynced commit per partner would cost
// 10 000 commits, each sorting the file's free pages, where a handful do
// the same work. Its methods mean what the Store's methods of the same
// name mean; what they write is durable once the Update that made the
// Tx returns nil, and nothing of it is when it returns an error.
//
// A Tx is valid only inside its Update and only on that goroutine.
type Tx struct {
	s  *Store
	tx *bolt.Tx
}

// Update runs fn in one write transaction and commits it when fn returns
// nil; an error from fn rolls every write of fn back and is returned.
// fn must not call the Store's reads of the ledger (Stats, Totals and
// the like): they may fold staged events, which takes the writer's lock
// fn holds. Read before, then write in fn. For the same reason no read
// of the ledger may run inside another's callback (DailyTotals'): a fold
// that grows the file waits for every open read transaction.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return fn(&Tx{s: s, tx: tx}) })
}

// PutVerdict is Store.PutVerdict inside the transaction.
func (t *Tx) PutVerdict(ctx context.Context, rec VerdictRecord) (changed bool, prev VerdictRecord, err error) {
	if rec, err = t.s.checkVerdict(rec); err != nil {
		return false, VerdictRecord{}, err
	}
	changed, prev, err = putVerdictTx(t.tx, rec)
	return changed, prev, wrap("put verdict", err)
}

// AlertState is Store.AlertState inside the transaction.
func (t *Tx) AlertState(ctx context.Context, partner string) (AlertState, bool, error) {
	st, found, err := alertStateTx(t.tx, partner)
	return st, found, wrap("alert state", err)
}

// PutAlertState is Store.PutAlertState inside the transaction.
func (t *Tx) PutAlertState(ctx context.Context, st AlertState) error {
	if st.Partner == "" {
		return bot.Errorf(bot.EINVALID, "an alert state needs a partner")
	}
	return wrap("put alert state", putJSON(t.tx.Bucket(bucketAlerts), st.Partner, &st))
}

// Enqueue is Store.Enqueue inside the transaction.
func (t *Tx) Enqueue(ctx context.Context, it *OutboxItem) (bool, error) {
	if it.Key == "" {
		return false, bot.Errorf(bot.EINVALID, "an outbox item needs an idempotency key")
	}
	created, err := t.s.enqueueTx(t.tx, it)
	return created, wrap("enqueue", err)
}

// Partner is Store.Partner inside the transaction.
func (t *Tx) Partner(ctx context.Context, id string) (*bot.Partner, error) {
	var p bot.Partner
	if err := getJSON(t.tx.Bucket(bucketPartners), id, &p, "partner"); err != nil {
		return nil, err
	}
	return &p, nil
}

// Manager is Store.Manager inside the transaction.
func (t *Tx) Manager(ctx context.Context, id string) (*bot.Manager, error) {
	var m bot.Manager
	if err := getJSON(t.tx.Bucket(bucketManagers), id, &m, "manager"); err != nil {
		return nil, err
	}
	return &m, nil
}

// Queued is Store.Queued inside the transaction.
func (t *Tx) Queued(ctx context.Context, key string) (bool, error) {
	return t.tx.Bucket(bucketOutboxKeys).Get([]byte(key)) != nil, nil
}

// CountForPartner is Store.CountForPartner inside the transaction.
func (t *Tx) CountForPartner(ctx context.Context, partner string, since time.Time, kinds ...string) (int, error) {
	return countForPartnerTx(t.tx, partner, since, kinds), nil
}
