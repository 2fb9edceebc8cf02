package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// Buckets of the connectors to the platforms of record.
var (
	bucketAttrib = []byte("attrib") // "x:" platform ":" id | "c:" lower(coupon) → partner id
	bucketParked = []byte("parked") // delivery key ("stripe:evt_1") → JSON Parked
)

// Match is one way a webhook delivery names its partner: a platform's
// partner or affiliate id (By "external", with Platform), a coupon or
// promotion code ("coupon"), a referral code ("code"), or a stored event
// whose partner it is ("event": a refund names the sale it reverses).
type Match struct {
	By       string `json:"by"`
	Platform string `json:"platform,omitempty"`
	Value    string `json:"value"`
}

func (m Match) String() string {
	if m.Platform != "" {
		return m.By + " " + m.Platform + ":" + m.Value
	}
	return m.By + " " + m.Value
}

// Attribute returns the partner the first resolvable match names, or ""
// when none does.
func (s *Store) Attribute(ctx context.Context, ms []Match) (string, error) {
	var id string
	err := s.db.View(func(tx *bolt.Tx) error {
		id = attribute(tx, ms)
		return nil
	})
	return id, err
}

func attribute(tx *bolt.Tx, ms []Match) string {
	at := tx.Bucket(bucketAttrib)
	for _, m := range ms {
		if m.Value == "" {
			continue
		}
		var v []byte
		switch m.By {
		case "external":
			v = at.Get(extKey(m.Platform, m.Value))
		case "coupon":
			v = at.Get(couponKey(m.Value))
		case "code":
			v = tx.Bucket(bucketCodes).Get([]byte(strings.ToLower(m.Value)))
		case "event":
			v = indexPartner(tx.Bucket(bucketEvents).Get([]byte(m.Value)))
		}
		if v != nil && tx.Bucket(bucketPartners).Get(v) != nil {
			return string(v)
		}
	}
	return ""
}

func extKey(platform, id string) []byte { return []byte("x:" + platform + ":" + id) }

func couponKey(c string) []byte { return []byte("c:" + strings.ToLower(strings.TrimSpace(c))) }

func attribKeys(p *bot.Partner) (keys [][]byte, fields []string) {
	for _, plat := range sortedKeys(p.ExternalIDs) {
		keys = append(keys, extKey(plat, p.ExternalIDs[plat]))
		fields = append(fields, "external_ids")
	}
	for _, c := range p.Coupons {
		keys = append(keys, couponKey(c))
		fields = append(fields, "coupons")
	}
	return keys, fields
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// setAttribution moves a partner's external ids and coupons in the index
// from old to new, refusing any another partner already claims.
func setAttribution(tx *bolt.Tx, id string, old, new *bot.Partner) error {
	b := tx.Bucket(bucketAttrib)
	var newKeys [][]byte
	if new != nil {
		var fields []string
		newKeys, fields = attribKeys(new)
		for i, k := range newKeys {
			if v := b.Get(k); v != nil && string(v) != id {
				what := "external id " + string(k[2:])
				if fields[i] == "coupons" {
					what = "coupon " + string(k[2:])
				}
				return &bot.Error{Code: bot.ECONFLICT, Field: fields[i], Message: fmt.Sprintf("%s already belongs to partner %q", what, v)}
			}
		}
	}
	if old != nil {
		oldKeys, _ := attribKeys(old)
		for _, k := range oldKeys {
			if !slices.ContainsFunc(newKeys, func(n []byte) bool { return string(n) == string(k) }) {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
		}
	}
	for _, k := range newKeys {
		if err := b.Put(k, []byte(id)); err != nil {
			return err
		}
	}
	return nil
}

// normalizeAttribution trims coupons and drops repeats (coupons match
// without regard to case).
func normalizeAttribution(p *bot.Partner) {
	if len(p.Coupons) > 0 {
		var out []string
		seen := map[string]bool{}
		for _, c := range p.Coupons {
			c = strings.TrimSpace(c)
			if c == "" || seen[strings.ToLower(c)] {
				continue
			}
			seen[strings.ToLower(c)] = true
			out = append(out, c)
		}
		p.Coupons = out
	}
	if len(p.ExternalIDs) > 0 {
		m := make(map[string]string, len(p.ExternalIDs))
		for k, v := range p.ExternalIDs {
			if v = strings.TrimSpace(v); v != "" {
				m[strings.ToLower(strings.TrimSpace(k))] = v
			}
		}
		p.ExternalIDs = m
	}
}

// Parked is a verified webhook delivery kept because it could not be
// applied yet: it maps to no partner, needs an exchange rate that does
// not exist, or does not make valid events. Body is the raw signed body,
// so it can be applied later exactly as received.
type Parked struct {
	Key      string            `json:"key"`
	Platform string            `json:"platform"`
	Reason   string            `json:"reason"`
	Detail   string            `json:"detail"`
	Received time.Time         `json:"received"`
	Updated  time.Time         `json:"updated"`
	Attempts int               `json:"attempts"`
	Headers  map[string]string `json:"headers,omitempty"`
	Body     []byte            `json:"body"`
	// Events are the ids of the ledger events it makes, and Match the
	// ways it names its partner, when known: Reapply tries Match without
	// parsing the body again.
	Events []string `json:"events,omitempty"`
	Match  []Match  `json:"match,omitempty"`
}

// Reasons a delivery is parked.
const (
	ParkUnmatched = "unmatched" // no partner has the id, coupon or code
	ParkNoRate    = "no_rate"   // its currency has no rate for its day
	ParkInvalid   = "invalid"   // it does not make valid events
)

// Park keeps a delivery, or updates the one kept under the same key
// (its first received time stays). For an unmatched delivery it first
// tries ms again in the same transaction: when a partner now matches
// (it gained the id while the delivery was on its way), nothing is
// parked and that partner is returned, for the caller to apply it.
func (s *Store) Park(ctx context.Context, p *Parked, ms []Match) (partner string, err error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	now := s.now()
	err = s.groupUpdate(func(tx *bolt.Tx) error {
		partner = ""
		if p.Reason == ParkUnmatched {
			if partner = attribute(tx, ms); partner != "" {
				return nil
			}
		}
		b := tx.Bucket(bucketParked)
		rec := *p
		rec.Received, rec.Updated, rec.Attempts = now, now, 1
		if v := b.Get([]byte(p.Key)); v != nil {
			var old Parked
			if err := json.Unmarshal(v, &old); err == nil {
				rec.Received, rec.Attempts = old.Received, old.Attempts+1
			}
		}
		return putJSON(b, rec.Key, &rec)
	})
	return partner, wrap("park delivery", err)
}

// ParkedDeliveries returns the parked deliveries, oldest first.
func (s *Store) ParkedDeliveries(ctx context.Context) ([]Parked, error) {
	out, err := allJSON[Parked](s.db, bucketParked, "parked delivery")
	sort.SliceStable(out, func(i, j int) bool { return out[i].Received.Before(out[j].Received) })
	return out, err
}

// ParkedProduces reports whether a parked delivery would make the event
// with this id (a refund asks whether its sale is waiting).
func (s *Store) ParkedProduces(ctx context.Context, eventID string) (bool, error) {
	ps, err := s.ParkedDeliveries(ctx)
	for _, p := range ps {
		if slices.Contains(p.Events, eventID) {
			return true, err
		}
	}
	return false, err
}

// ParkedCount returns how many deliveries are parked, by reason.
func (s *Store) ParkedCount(ctx context.Context) (map[string]int, error) {
	ps, err := s.ParkedDeliveries(ctx)
	out := map[string]int{}
	for _, p := range ps {
		out[p.Reason]++
	}
	return out, err
}

// Deliver stores the events of a webhook delivery like Ingest, and, when
// parkedKey is set, removes that parked delivery in the same transaction.
// Concurrent calls share one commit (one fsync); each returns only after
// the commit its events were in. Returns what Ingest returns.
func (s *Store) Deliver(ctx context.Context, evs []bot.Event, parkedKey string) (bot.IngestResult, error) {
	var res bot.IngestResult
	if err := ctx.Err(); err != nil {
		return res, err
	}
	var days map[uint32]bool
	err := s.groupUpdate(func(tx *bolt.Tx) error {
		res = bot.IngestResult{}
		days = map[uint32]bool{}
		// A fresh copy each run: a group that fails elsewhere runs again,
		// and ingest may rewrite the events it is given (conversion).
		if err := s.ingestIn(tx, slices.Clone(evs), &res, days); err != nil {
			return err
		}
		if parkedKey != "" {
			return tx.Bucket(bucketParked).Delete([]byte(parkedKey))
		}
		return nil
	})
	if err != nil {
		return bot.IngestResult{}, wrap(fmt.Sprintf("deliver %d events", len(evs)), err)
	}
	s.touchMonths(days)
	return res, nil
}

// DropParked removes a parked delivery (one already applied elsewhere).
func (s *Store) DropParked(ctx context.Context, key string) error {
	return wrap("drop parked delivery", s.groupUpdate(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketParked).Delete([]byte(key))
	}))
}

// ingestIn is where deliveries meet the ledger: the same write Ingest does.
func (s *Store) ingestIn(tx *bolt.Tx, evs []bot.Event, res *bot.IngestResult, days map[uint32]bool) error {
	return s.ingestTx(tx, evs, nil, res, days)
}

// Group commit. Writers that come while a commit is running wait for the
// next one, which takes them all: under load many deliveries share one
// fsync, and alone a delivery waits for nobody (no timer, unlike
// bolt.DB.Batch). A function that fails is taken out and the others run
// again without it, so one bad delivery never undoes another; functions
// must therefore be safe to run more than once.

type commitReq struct {
	fn   func(*bolt.Tx) error
	done chan error
}

const maxGroup = 512

var errClosed = errors.New("store is closed")

func (s *Store) startCommitter() {
	s.commitQ = make(chan *commitReq, maxGroup)
	s.commitStop = make(chan struct{})
	s.commitDone = make(chan struct{})
	go s.committer()
}

func (s *Store) stopCommitter() {
	if s.commitStop == nil {
		return
	}
	s.stopOnce.Do(func() { close(s.commitStop) })
	<-s.commitDone
}

// GroupStats returns how many group commits ran and how many writes they
// held: writes/commits is how many deliveries shared an fsync.
func (s *Store) GroupStats() (commits, writes uint64) {
	return s.groupCommits.Load(), s.groupWrites.Load()
}

func (s *Store) groupUpdate(fn func(*bolt.Tx) error) error {
	if s.commitQ == nil {
		return s.db.Update(fn)
	}
	r := &commitReq{fn: fn, done: make(chan error, 1)}
	select {
	case s.commitQ <- r:
	case <-s.commitStop:
		return errClosed
	}
	return <-r.done
}

// gatherWait is how long the committer waits for stragglers when fewer
// writers came than the last group had: writers answered together come
// back together, and waiting a fraction of a commit for them keeps the
// groups from splitting into a large one and a small one in turn.
var gatherWait = 1 * time.Millisecond

func (s *Store) committer() {
	defer close(s.commitDone)
	last := 0
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		var first *commitReq
		select {
		case first = <-s.commitQ:
		case <-s.commitStop:
			for {
				select {
				case r := <-s.commitQ:
					r.done <- errClosed
				default:
					return
				}
			}
		}
		group := []*commitReq{first}
	drain:
		for len(group) < maxGroup {
			select {
			case r := <-s.commitQ:
				group = append(group, r)
			default:
				break drain
			}
		}
		if len(group) < last && gatherWait > 0 {
			timer.Reset(gatherWait)
		gather:
			for len(group) < last {
				select {
				case r := <-s.commitQ:
					group = append(group, r)
				case <-timer.C:
					break gather
				}
			}
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
		last = len(group)
		s.groupCommits.Add(1)
		s.groupWrites.Add(uint64(len(group)))
		s.commitGroup(group)
	}
}

func (s *Store) commitGroup(group []*commitReq) {
	for len(group) > 0 {
		failed := -1
		var ferr error
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i, r := range group {
				if err := r.fn(tx); err != nil {
					failed, ferr = i, err
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			for _, r := range group {
				r.done <- err
			}
			return
		}
		group[failed].done <- ferr
		group = slices.Delete(group, failed, failed+1)
	}
}
