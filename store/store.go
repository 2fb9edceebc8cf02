// Package store keeps partnerbot's state in one bbolt file: partners,
// managers, chat identities, referral codes, promotions, events, and the
// per-partner daily totals that every stats answer is read from.
//
// Daily totals are updated in the same write transaction as the events
// they count, so a committed event is always counted and never counted
// twice; stats for any period add up days and never scan events.
package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"partnerbot/bot"
)

// Bucket names. Keys are documented beside each.
var (
	bucketMeta       = []byte("meta")       // "schema" → BE uint32; "tz" → zone name of daily keys; see keyCurrency, keyHold, keyLedgerMoney
	bucketPartners   = []byte("partners")   // id → JSON bot.Partner
	bucketManagers   = []byte("managers")   // id → JSON bot.Manager
	bucketCodes      = []byte("codes")      // referral code → partner id
	bucketIdentities = []byte("identities") // "slack:U1" → "partner:janko" | "manager:kasia"
	bucketEvents     = []byte("events")     // event id → its partner (and a sale's time: indexValue)
	bucketLedger     = []byte("ledger")     // each partner's events, days, months and commission items (ledger.go)
	bucketStaged     = []byte("staged")     // BE(seq) → events admitted and not yet in the ledger (stage.go)
	bucketPromos     = []byte("promos")     // id → JSON bot.Promotion
	bucketLinkCodes  = []byte("linkcodes")  // one-time code → JSON LinkCode
	bucketNotes      = []byte("notes")      // partner 0x00 BE(time) → JSON Note
	bucketJobRuns    = []byte("jobruns")    // "weekly_report/2026-W47" → JSON JobRun
	bucketOutbox     = []byte("outbox")     // BE(id) → JSON OutboxItem
	bucketOutboxKeys = []byte("outboxkeys") // idempotency key → BE(id)
	bucketOutboxDue  = []byte("outboxdue")  // BE(next attempt, ns) BE(id) → nil, for pending items
	bucketOutboxByP  = []byte("outboxbyp")  // partner 0x00 BE(created, ns) BE(id) → kind, for caps
	bucketVerdicts   = []byte("verdicts")   // partner → JSON: the current health verdict
	bucketHealthLog  = []byte("healthlog")  // partner 0x00 BE(time) → JSON: a verdict change (when, from, to, why)
	bucketAlerts     = []byte("alerts")     // partner → JSON: the manager alert state of its red episode
	bucketRates      = []byte("rates")      // currency BE(YYYYMMDD from) → rate text ("3.65")
	bucketReplays    = []byte("replays")    // platform-scoped signed request id → BE(expiry, ns)
	bucketClickCaps  = []byte("clickcaps")  // BE(YYYYMMDD) code 0x00 address → BE(uint32 clicks counted)
	bucketOutboxRefs = []byte("outboxrefs") // "platform:ref" → BE(id): a posted message's outbox item

	keySchema = []byte("schema")
	keyTZ     = []byte("tz")
	// keyCurrency is the program currency's code, fixed when the file is
	// created: every amount stored is in it.
	keyCurrency = []byte("currency")
	// keyHold is the commission hold (days, BE uint32) the lifecycle
	// buckets were computed with.
	keyHold = []byte("hold")
	// keyLedgerMoney is the sum of the absolute values of every amount
	// and commission stored (BE uint64), kept under bot.MaxLedgerMoney.
	keyLedgerMoney = []byte("ledgermoney")
	// keyUpgradeFrom is the schema (BE uint32) a ledger upgrade that has
	// not finished started from (upgradeLedger); the file already says
	// the new schema, so that older builds refuse it.
	keyUpgradeFrom = []byte("upgradefrom")

	// Buckets of schema 9 and before, which schema 10 folded into
	// bucketLedger; named here for the migrations only.
	bucketTimeline  = []byte("timeline")  // partner 0x00 BE(time) event id → encoded event
	bucketDaily     = []byte("daily")     // partner 0x00 BE(YYYYMMDD) → encoded bot.Totals
	bucketItems     = []byte("commitems") // partner 0x00 ref → commission item entries
	bucketLifeDay   = []byte("lifeday")   // partner 0x00 BE(YYYYMMDD) → changes of pending, approved, paid
	bucketLifeMonth = []byte("lifemonth") // partner 0x00 BE(YYYYMM) → the same, by month
)

// Options configure Open.
type Options struct {
	// Location is the program's time zone: the calendar of daily totals.
	Location *time.Location
	// LockTimeout is how long Open waits for another process to release
	// the file. Zero means one second.
	LockTimeout time.Duration
	// Clock stamps created/updated times. Nil means the system clock.
	Clock bot.Clock
	// DefaultLocale is given to partners and managers that name none.
	DefaultLocale bot.Locale
	// NoSync skips fsync on commit. Only for bulk loads that are
	// thrown away on failure (benchmarks, demo generation into a new
	// file): a crash can lose or corrupt recent commits.
	NoSync bool
	// ReadOnly opens the file for reading only (a shared lock), so
	// several readers can inspect a database a server is not using. It
	// cannot fold staged events (stage.go): after a crash, events staged
	// and not yet folded show once a read-write open has folded them.
	ReadOnly bool
	// Currency is the program currency (config program.currency). A new
	// file stores it; a file that stores another one is refused (see
	// MigrateCurrency). Empty means the file's own, or PLN for a new one.
	Currency string
	// HoldDays is how many days commission stays pending
	// (commissions.hold_days): zero means DefaultHoldDays, a negative
	// value none (approved the day it is earned).
	HoldDays int
	// FoldEvents is how many staged events Ingest folds into the ledger
	// at once (stage.go). Zero means defaultFoldEvents; benchmarks set it
	// to compare.
	FoldEvents int
}

// Store is partnerbot's bbolt-backed state. It is safe for concurrent use.
type Store struct {
	db            *bolt.DB
	path          string
	loc           *time.Location
	clock         bot.Clock
	defaultLocale bot.Locale
	currency      bot.Currency
	hold          int
	failAfter     int // tests only: see ingestTx

	// stamps count changes in memory, so caches of derived figures
	// (ranks, tiers) know when to recompute; see ChangeStamp.
	stampMu      sync.Mutex
	monthStamps  map[uint32]uint64 // YYYYMM → commits that touched it
	partnerStamp uint64

	sweepMu   sync.Mutex
	lastSweep time.Time // replay records, see FirstUse
	// group commit of webhook deliveries: see hooks.go
	commitQ    chan *commitReq
	commitStop chan struct{}
	commitDone chan struct{}
	stopOnce   sync.Once

	groupCommits, groupWrites atomic.Uint64

	// Staging (stage.go): stages begun under the writer's lock, and the
	// last of them known to be folded into the ledger.
	foldEvents          int
	stageSeq, foldedSeq atomic.Uint64
}

// Open opens or creates the database file at path and brings its schema
// up to date. Returns an error naming the file when another process holds
// it, when it is not a partnerbot database, or when it was written by a
// newer partnerbot.
func Open(path string, opt Options) (*Store, error) {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.LockTimeout <= 0 {
		opt.LockTimeout = time.Second
	}
	if opt.Clock == nil {
		opt.Clock = bot.SystemClock{}
	}
	if opt.DefaultLocale == "" {
		opt.DefaultLocale = bot.LocalePL
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:         opt.LockTimeout,
		NoSync:          opt.NoSync,
		ReadOnly:        opt.ReadOnly,
		InitialMmapSize: 64 << 20,
		FreelistType:    bolt.FreelistMapType,
	})
	if err == nil {
		// bbolt grows the file 16 MiB ahead of its pages by default, a
		// sixth of a 1 M event file; 4 MiB costs a few more fsyncs of
		// the file's size in a load and keeps the file near its pages.
		db.AllocSize = 4 << 20
	}
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("open %s: the database is in use by another process (no lock within %s); stop the other partnerbot or pass another --db", path, opt.LockTimeout)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch), errors.Is(err, bolterrors.ErrChecksum):
		return nil, fmt.Errorf("open %s: not a partnerbot database or damaged: %w", path, err)
	case err != nil:
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	switch {
	case opt.HoldDays == 0:
		opt.HoldDays = DefaultHoldDays
	case opt.HoldDays < 0:
		opt.HoldDays = 0
	}
	s := &Store{db: db, path: path, loc: opt.Location, clock: opt.Clock, defaultLocale: opt.DefaultLocale,
		hold: opt.HoldDays, monthStamps: map[uint32]uint64{}, foldEvents: opt.FoldEvents}
	if s.foldEvents <= 0 {
		s.foldEvents = defaultFoldEvents
	}
	if opt.Currency != "" {
		if s.currency, err = bot.LookupCurrency(opt.Currency); err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	if opt.ReadOnly {
		err = db.View(func(tx *bolt.Tx) error { return s.checkReadable(tx) })
	} else {
		err = s.migrate()
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if !opt.ReadOnly {
		s.startCommitter()
	}
	return s, nil
}

// Close folds the events Ingest staged into the ledger and closes the
// database file. Should the fold fail, they stay staged, as durable as
// before, for the next open to fold.
func (s *Store) Close() error {
	s.stopCommitter()
	err := s.settle()
	return errors.Join(err, s.db.Close())
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Location returns the time zone daily totals are kept in.
func (s *Store) Location() *time.Location { return s.loc }

// Currency returns the program currency: the one every stored amount is in.
func (s *Store) Currency() bot.Currency { return s.currency }

// HoldDays returns how many days commission stays pending.
func (s *Store) HoldDays() int { return s.hold }

// Backup writes a consistent copy of the whole database to w while the
// store stays in use, and returns the number of bytes written.
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	// A copy with the ledger whole reads the same anywhere, even opened
	// read-only (which cannot fold); what is staged after this is not in
	// the copy either way.
	err := s.viewLedger(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

// BackupFile writes a consistent copy of the database to path, through a
// temporary file renamed into place so a failed backup leaves no torn file.
func (s *Store) BackupFile(ctx context.Context, path string) (int64, error) {
	tmp, err := os.CreateTemp(dirOf(path), ".partnerbot-backup-*")
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := s.Backup(ctx, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if os.IsPathSeparator(path[i]) {
			return path[:i+1]
		}
	}
	return "."
}

// Size returns the database file's size in bytes.
func (s *Store) Size() int64 {
	var n int64
	_ = s.db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n
}

func (s *Store) now() time.Time { return s.clock.Now().UTC() }

func (s *Store) today() bot.Date { return bot.DateOf(s.clock.Now(), s.loc) }

// be32 and be64 encode fixed-width big-endian keys: byte order is sort
// order, so cursors range over days and instants.
func be32(v uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return b[:]
}

func prefixKey(id string) []byte {
	k := make([]byte, 0, len(id)+1)
	k = append(k, id...)
	return append(k, 0)
}

// timeBits maps an instant to a uint64 whose byte order is time order.
func timeBits(t time.Time) uint64 { return uint64(t.UnixNano()) ^ (1 << 63) }

func bitsTime(v uint64) time.Time { return time.Unix(0, int64(v^(1<<63))).UTC() }

// ChangeStamp returns a number that changes whenever partners change or
// events are stored on days from one date to another: a cache of figures
// derived from those days (ranks, tiers) is fresh while its stamp is the
// same. Stamps live in memory; a new process starts them again.
func (s *Store) ChangeStamp(from, to bot.Date) uint64 {
	s.stampMu.Lock()
	defer s.stampMu.Unlock()
	sum := s.partnerStamp
	for m := from.Year*100 + int(from.Month); m <= to.Year*100+int(to.Month); m++ {
		if m%100 == 13 {
			m += 88 // December → January of the next year
		}
		sum += s.monthStamps[uint32(m)]
	}
	return sum
}

func (s *Store) touchMonths(days map[uint32]bool) {
	s.stampMu.Lock()
	for d := range days {
		s.monthStamps[d/100]++
	}
	s.stampMu.Unlock()
}

func (s *Store) touchPartners() {
	s.stampMu.Lock()
	s.partnerStamp++
	s.stampMu.Unlock()
}
