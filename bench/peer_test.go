package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	_ "modernc.org/sqlite"

	"partnerbot/bot"
	"partnerbot/internal/fixture"
	"partnerbot/store"
)

var (
	nEvents    = flag.Int("events", 200_000, "events each ingest benchmark loads into a new file")
	nBatch     = flag.Int("batch", 1000, "events per transaction")
	foldEvents = flag.Int("fold", 0, "partnerbot: staged events folded into the ledger at once (0: the store's default)")
	only       = flag.String("loaders", "", "comma-separated loader names to run (all when empty), e.g. partnerbot,sqlite")
	order      = flag.String("order", "random", "the order events arrive in: random (a shuffled backfill) or time (live webhooks: by time, ids ascending)")
)

// events returns the first n events of the benchmark program (see
// internal/fixture): 10 000 partners, spread over 2026.
func events(n int) []bot.Event {
	r := rand.New(rand.NewPCG(7, 7))
	out := make([]bot.Event, n)
	for i := range out {
		out[i] = fixture.Event(r, i)
	}
	if *order == "time" {
		sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
		for i := range out {
			out[i].ID = fmt.Sprintf("ev-%08d", i)
		}
	}
	return out
}

// written returns the bytes this process has written so far (wchar of
// /proc/self/io: every write and pwrite, the WAL's and journal's too),
// or -1 where there is no such file.
func written() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}

// fileSize adds up the sizes of the files at paths that exist.
func fileSize(paths ...string) int64 {
	var n int64
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil {
			n += st.Size()
		}
	}
	return n
}

// diskSize adds up the bytes the files at paths that exist take on disk
// (allocated blocks, as du counts them): bbolt grows its file 16 MiB
// ahead of its pages, and the part never written takes no disk.
func diskSize(paths ...string) int64 {
	var n int64
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil {
			if sys, ok := st.Sys().(*syscall.Stat_t); ok {
				n += sys.Blocks * 512
			}
		}
	}
	return n
}

// loader is one way of storing the events: open a new file, store a
// batch in one durable transaction, close.
type loader interface {
	load(ctx context.Context, evs []bot.Event) error
	files() []string
	close() error
}

// partnerbotLoader is the product's store, fsync on.
type partnerbotLoader struct {
	s    *store.Store
	path string
}

func newPartnerbot(tb testing.TB, dir string) loader {
	path := filepath.Join(dir, "partnerbot.db")
	s, err := store.Open(path, store.Options{Location: fixture.Location, FoldEvents: *foldEvents})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	for i := range fixture.Partners {
		if _, err := s.PutPartner(ctx, &bot.Partner{ID: fixture.PartnerID(i), Name: "P", Joined: bot.MustDate("2025-01-01")}); err != nil {
			tb.Fatal(err)
		}
	}
	return &partnerbotLoader{s: s, path: path}
}

func (l *partnerbotLoader) load(ctx context.Context, evs []bot.Event) error {
	_, err := l.s.Ingest(ctx, evs, nil)
	return err
}

// settle folds what Ingest staged into the ledger: timed with the load,
// so the store's figure is for events in the ledger, as SQLite's are in
// its tables.
func (l *partnerbotLoader) settle() error { return l.s.Settle() }

func (l *partnerbotLoader) files() []string { return []string{l.path} }
func (l *partnerbotLoader) close() error    { return l.s.Close() }

// sqliteLoader is the peer: one events table with its id as primary key
// and an index on (partner, at), WAL with synchronous=FULL, a batch per
// transaction through one prepared insert. Duplicates are skipped as
// partnerbot skips them (INSERT OR IGNORE).
type sqliteLoader struct {
	db   *sql.DB
	path string
}

const sqliteSchema = `CREATE TABLE events (
	id TEXT PRIMARY KEY,
	partner TEXT NOT NULL,
	type INTEGER NOT NULL,
	at INTEGER NOT NULL,
	amount INTEGER NOT NULL,
	commission INTEGER NOT NULL
);
CREATE INDEX events_partner_at ON events(partner, at);`

func openSQLite(tb testing.TB, path string) *sql.DB {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

func newSQLite(tb testing.TB, dir string) loader {
	path := filepath.Join(dir, "peer.sqlite")
	db := openSQLite(tb, path)
	if _, err := db.Exec(sqliteSchema); err != nil {
		tb.Fatal(err)
	}
	return &sqliteLoader{db: db, path: path}
}

func typeCode(t bot.EventType) int {
	for i, k := range bot.EventTypes {
		if k == t {
			return i
		}
	}
	return -1
}

func (l *sqliteLoader) load(ctx context.Context, evs []bot.Event) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, "INSERT OR IGNORE INTO events(id, partner, type, at, amount, commission) VALUES (?, ?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	defer st.Close()
	for i := range evs {
		e := &evs[i]
		if _, err := st.ExecContext(ctx, e.ID, e.Partner, typeCode(e.Type), e.At.UnixNano(), int64(e.Amount), int64(e.Commission)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// sqliteLedger is the peer doing the store's work, not only keeping the
// events: in the same transaction as the events, each day's totals and
// lifecycle change per partner, each sale's commission item, the day its
// hold ends (pending to approved) and the months of both, in tables keyed
// as the store keys them (partner first, WITHOUT ROWID). Like the store it
// adds a batch up in memory first and writes each day and month once per
// batch, with an upsert.
type sqliteLedger struct {
	sqliteLoader
	hold int
}

const sqliteLedgerSchema = sqliteSchema + `;
CREATE TABLE days (
	partner TEXT NOT NULL, day INTEGER NOT NULL,
	clicks INTEGER NOT NULL, signups INTEGER NOT NULL, sales INTEGER NOT NULL,
	amount INTEGER NOT NULL, commission INTEGER NOT NULL,
	pending INTEGER NOT NULL, approved INTEGER NOT NULL,
	PRIMARY KEY (partner, day)) WITHOUT ROWID;
CREATE TABLE months (
	partner TEXT NOT NULL, month INTEGER NOT NULL,
	pending INTEGER NOT NULL, approved INTEGER NOT NULL,
	PRIMARY KEY (partner, month)) WITHOUT ROWID;
CREATE TABLE items (
	partner TEXT NOT NULL, ref TEXT NOT NULL, at INTEGER NOT NULL, commission INTEGER NOT NULL,
	PRIMARY KEY (partner, ref)) WITHOUT ROWID;`

func newSQLiteLedger(tb testing.TB, dir string) loader {
	path := filepath.Join(dir, "peer-ledger.sqlite")
	db := openSQLite(tb, path)
	if _, err := db.Exec(sqliteLedgerSchema); err != nil {
		tb.Fatal(err)
	}
	return &sqliteLedger{sqliteLoader: sqliteLoader{db: db, path: path}, hold: store.DefaultHoldDays}
}

type dayKey struct {
	partner string
	day     uint32 // YYYYMMDD, or YYYYMM for a month
}

type daySum struct{ clicks, signups, sales, amount, commission, pending, approved int64 }

func (l *sqliteLedger) load(ctx context.Context, evs []bot.Event) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, q)
		return st
	}
	insEvent := prep("INSERT OR IGNORE INTO events(id, partner, type, at, amount, commission) VALUES (?, ?, ?, ?, ?, ?)")
	insItem := prep("INSERT OR IGNORE INTO items(partner, ref, at, commission) VALUES (?, ?, ?, ?)")
	upDay := prep(`INSERT INTO days VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (partner, day) DO UPDATE SET
		clicks = clicks + excluded.clicks, signups = signups + excluded.signups, sales = sales + excluded.sales,
		amount = amount + excluded.amount, commission = commission + excluded.commission,
		pending = pending + excluded.pending, approved = approved + excluded.approved`)
	upMonth := prep(`INSERT INTO months VALUES (?, ?, ?, ?) ON CONFLICT (partner, month) DO UPDATE SET
		pending = pending + excluded.pending, approved = approved + excluded.approved`)
	if err != nil {
		return err
	}
	days, months := map[dayKey]*daySum{}, map[dayKey]*daySum{}
	sum := func(m map[dayKey]*daySum, k dayKey) *daySum {
		s := m[k]
		if s == nil {
			s = new(daySum)
			m[k] = s
		}
		return s
	}
	for i := range evs {
		e := &evs[i]
		res, err := insEvent.ExecContext(ctx, e.ID, e.Partner, typeCode(e.Type), e.At.UnixNano(), int64(e.Amount), int64(e.Commission))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			continue // a duplicate, or an error reading it: counted nowhere
		}
		d := bot.DateOf(e.At, fixture.Location)
		s := sum(days, dayKey{e.Partner, d.Key()})
		switch e.Type {
		case bot.EventClick:
			s.clicks++
		case bot.EventSignup:
			s.signups++
		case bot.EventSale:
			s.sales++
			s.amount += int64(e.Amount)
		}
		if e.Type != bot.EventSale || e.Commission == 0 {
			continue
		}
		c := int64(e.Commission)
		if _, err := insItem.ExecContext(ctx, e.Partner, e.ID, e.At.UnixNano(), c); err != nil {
			return err
		}
		s.commission += c
		s.pending += c
		sum(months, dayKey{e.Partner, uint32(d.Year*100 + int(d.Month))}).pending += c
		h := d.AddDays(l.hold)
		hs := sum(days, dayKey{e.Partner, h.Key()})
		hs.pending -= c
		hs.approved += c
		hm := sum(months, dayKey{e.Partner, uint32(h.Year*100 + int(h.Month))})
		hm.pending -= c
		hm.approved += c
	}
	for k, s := range days {
		if _, err := upDay.ExecContext(ctx, k.partner, k.day, s.clicks, s.signups, s.sales, s.amount, s.commission, s.pending, s.approved); err != nil {
			return err
		}
	}
	for k, s := range months {
		if _, err := upMonth.ExecContext(ctx, k.partner, k.day, s.pending, s.approved); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (l *sqliteLoader) files() []string { return []string{l.path, l.path + "-wal", l.path + "-shm"} }
func (l *sqliteLoader) close() error    { return l.db.Close() }

// boltFloor is raw bbolt doing the work partnerbot's ingest does, with
// nothing else: per event, a duplicate check and an id → partner entry,
// the event under a partner 0x00 BE(day) BE(time) id key, and its day's
// totals under partner 0x00 BE(day) in the same bucket, read, added to
// and written back (once per day and partner in a batch), in one fsynced
// transaction per batch. No validation, no partners check, no
// currencies, no commission lifecycle: what is left is the floor of the
// data model, not of the product.
//
// With split set it is the layout before schema 10: the events and the
// days in B-trees of their own, the id entry holding the event's key.
type boltFloor struct {
	boltFile
	loc   *time.Location
	split bool
}

var floorBuckets = [][]byte{[]byte("events"), []byte("timeline"), []byte("daily")}

func newBoltFloor(tb testing.TB, dir string) loader {
	return openBoltFloor(tb, dir, bolt.Options{FreelistType: bolt.FreelistMapType})
}

func newBoltFloorSplit(tb testing.TB, dir string) loader {
	f := openBoltFloor(tb, dir, bolt.Options{FreelistType: bolt.FreelistMapType}).(*boltFloor)
	f.split = true
	return f
}

// The floor with bbolt's other settings the store could take: the array
// free list, and not writing the free list at each commit.
func newBoltFloorArray(tb testing.TB, dir string) loader {
	return openBoltFloor(tb, dir, bolt.Options{FreelistType: bolt.FreelistArrayType})
}

func newBoltFloorNoFreelistSync(tb testing.TB, dir string) loader {
	return openBoltFloor(tb, dir, bolt.Options{FreelistType: bolt.FreelistMapType, NoFreelistSync: true})
}

func openBoltFloor(tb testing.TB, dir string, opt bolt.Options) loader {
	path := filepath.Join(dir, "floor.db")
	opt.InitialMmapSize = 64 << 20
	db, err := bolt.Open(path, 0o600, &opt)
	if err != nil {
		tb.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range floorBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &boltFloor{boltFile: boltFile{db: db, path: path}, loc: fixture.Location}
}

func (f *boltFloor) load(ctx context.Context, evs []bot.Event) error {
	return f.db.Update(func(tx *bolt.Tx) error {
		ids, tl, daily := tx.Bucket(floorBuckets[0]), tx.Bucket(floorBuckets[1]), tx.Bucket(floorBuckets[2])
		sep := byte(0)
		if !f.split {
			tl, sep = daily, 0
			ids.FillPercent = 0.9
		}
		sums := map[string][2]int64{}
		for i := range evs {
			e := &evs[i]
			if ids.Get([]byte(e.ID)) != nil {
				continue
			}
			k := append([]byte(e.Partner), sep)
			if !f.split {
				k = binary.BigEndian.AppendUint32(k, bot.DateOf(e.At, f.loc).Key())
			}
			k = append(k, binary.BigEndian.AppendUint64(nil, uint64(e.At.UnixNano())^1<<63)...)
			k = append(k, e.ID...)
			v := []byte(e.Partner)
			if f.split {
				v = k
			}
			if err := ids.Put([]byte(e.ID), v); err != nil {
				return err
			}
			v = binary.AppendVarint([]byte{byte(typeCode(e.Type))}, int64(e.Amount))
			if err := tl.Put(k, binary.AppendVarint(v, int64(e.Commission))); err != nil {
				return err
			}
			d := bot.DateOf(e.At, f.loc)
			dk := string(append(append([]byte(e.Partner), 0), binary.BigEndian.AppendUint32(nil, d.Key())...))
			s, ok := sums[dk]
			if !ok {
				if v := daily.Get([]byte(dk)); v != nil {
					a, n := binary.Varint(v)
					c, _ := binary.Varint(v[n:])
					s = [2]int64{a, c}
				}
			}
			s[0]++
			s[1] += int64(e.Amount)
			sums[dk] = s
		}
		for dk, s := range sums {
			if err := daily.Put([]byte(dk), binary.AppendVarint(binary.AppendVarint(nil, s[0]), s[1])); err != nil {
				return err
			}
		}
		return nil
	})
}

// boltEvents is raw bbolt doing the events-only peer's work, no more:
// each event's row under its id (the duplicate check), and a (partner,
// time, id) index entry, as SQLite's table, primary key and index. It
// shows where bbolt stands on the peer's own work.
type boltEvents struct{ boltFile }

// boltFile is a raw bbolt loader's file.
type boltFile struct {
	db   *bolt.DB
	path string
}

func (f *boltFile) files() []string { return []string{f.path} }
func (f *boltFile) close() error    { return f.db.Close() }

// openBolt opens a new bbolt file at path, as the store does, with the
// named buckets.
func openBolt(tb testing.TB, path string, buckets ...string) *bolt.DB {
	db, err := bolt.Open(path, 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType, InitialMmapSize: 64 << 20})
	if err != nil {
		tb.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range buckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

func newBoltEvents(tb testing.TB, dir string) loader {
	path := filepath.Join(dir, "events.db")
	return &boltEvents{boltFile{db: openBolt(tb, path, "rows", "bypartner"), path: path}}
}

func (l *boltEvents) load(ctx context.Context, evs []bot.Event) error {
	return l.db.Update(func(tx *bolt.Tx) error {
		rows, idx := tx.Bucket([]byte("rows")), tx.Bucket([]byte("bypartner"))
		rows.FillPercent = 0.9
		for i := range evs {
			e := &evs[i]
			if rows.Get([]byte(e.ID)) != nil {
				continue
			}
			v := append([]byte(e.Partner), 0, byte(typeCode(e.Type)))
			v = binary.BigEndian.AppendUint64(v, uint64(e.At.UnixNano()))
			v = binary.AppendVarint(binary.AppendVarint(v, int64(e.Amount)), int64(e.Commission))
			if err := rows.Put([]byte(e.ID), v); err != nil {
				return err
			}
			k := binary.BigEndian.AppendUint64(append([]byte(e.Partner), 0), uint64(e.At.UnixNano())^1<<63)
			if err := idx.Put(append(k, e.ID...), nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// boltPacked is raw bbolt with a partner's month in one record: the
// duplicate check (id → partner), and under partner BE(YYYYMM) the
// month's events packed one after another (day, time of day, type,
// amount, commission, id), appended once per batch. No day totals, no
// lifecycle: the floor of a packed layout, to size one before building
// it.
type boltPacked struct {
	boltFile
	loc *time.Location
}

func newBoltPacked(tb testing.TB, dir string) loader {
	path := filepath.Join(dir, "packed.db")
	return &boltPacked{boltFile: boltFile{db: openBolt(tb, path, "ids", "months"), path: path}, loc: fixture.Location}
}

// firstSeen records an event's id under its partner in ids, and reports
// false for an id already there (a duplicate).
func firstSeen(ids *bolt.Bucket, e *bot.Event) (bool, error) {
	if ids.Get([]byte(e.ID)) != nil {
		return false, nil
	}
	return true, ids.Put([]byte(e.ID), []byte(e.Partner))
}

func (l *boltPacked) load(ctx context.Context, evs []bot.Event) error {
	return l.db.Update(func(tx *bolt.Tx) error {
		ids, months := tx.Bucket([]byte("ids")), tx.Bucket([]byte("months"))
		ids.FillPercent = 0.9
		added := map[string][]byte{}
		var order []string
		for i := range evs {
			e := &evs[i]
			if ok, err := firstSeen(ids, e); !ok {
				if err != nil {
					return err
				}
				continue
			}
			at := e.At.In(l.loc)
			mk := string(binary.BigEndian.AppendUint32(append([]byte(e.Partner), 0), uint32(at.Year()*100+int(at.Month()))))
			b, ok := added[mk]
			if !ok {
				order = append(order, mk)
			}
			b = append(b, byte(at.Day()))
			b = binary.AppendUvarint(b, uint64(at.Sub(time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, l.loc))))
			b = append(b, byte(typeCode(e.Type)))
			b = binary.AppendVarint(binary.AppendVarint(b, int64(e.Amount)), int64(e.Commission))
			b = append(binary.AppendUvarint(b, uint64(len(e.ID))), e.ID...)
			added[mk] = b
		}
		for _, mk := range order {
			v := append(bytes.Clone(months.Get([]byte(mk))), added[mk]...)
			if err := months.Put([]byte(mk), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// boltPackedFull is boltPacked doing the store's work in that layout:
// the month's record starts with a head (its lifecycle change, then each
// day with events or lifecycle changes: the day's counts and amounts and
// its pending, approved and paid changes), then the events; each sale
// with commission also writes its commission item under partner 0x01 id
// (as the store does) and moves its commission from pending to approved
// on the day its hold ends, in that day's month record. What it leaves
// out of the store's work: validation, currencies, refunds and
// commission events (none in these events).
type boltPackedFull struct {
	boltPacked
	hold int
	// folded keeps a sale's commission item in the sale itself and leaves
	// the hold's end to be computed when read: no item record, no write
	// to the month the hold ends in.
	folded bool
}

func newBoltPackedFull(tb testing.TB, dir string) loader {
	p := newBoltPacked(tb, dir).(*boltPacked)
	return &boltPackedFull{boltPacked: *p, hold: store.DefaultHoldDays}
}

// packedMonth is a month record, decoded.
type packedMonth struct {
	life   [3]int64
	days   map[byte]*[14]int64 // counts and amounts (11), pending, approved, paid
	events []byte
}

func decodePackedMonth(v []byte) (*packedMonth, error) {
	m := &packedMonth{days: map[byte]*[14]int64{}}
	if len(v) == 0 {
		return m, nil
	}
	next := func() int64 {
		x, n := binary.Varint(v)
		if n <= 0 {
			panic("malformed month record")
		}
		v = v[n:]
		return x
	}
	for i := range m.life {
		m.life[i] = next()
	}
	nd := int(next())
	for range nd {
		d := v[0]
		v = v[1:]
		var f [14]int64
		for i := range f {
			f[i] = next()
		}
		m.days[d] = &f
	}
	m.events = v
	return m, nil
}

func (m *packedMonth) encode() []byte {
	b := make([]byte, 0, 32+len(m.days)*20+len(m.events))
	for _, x := range m.life {
		b = binary.AppendVarint(b, x)
	}
	b = binary.AppendVarint(b, int64(len(m.days)))
	days := make([]int, 0, len(m.days))
	for d := range m.days {
		days = append(days, int(d))
	}
	sort.Ints(days)
	for _, d := range days {
		b = append(b, byte(d))
		for _, x := range m.days[byte(d)] {
			b = binary.AppendVarint(b, x)
		}
	}
	return append(b, m.events...)
}

func (m *packedMonth) day(d int) *[14]int64 {
	f := m.days[byte(d)]
	if f == nil {
		f = new([14]int64)
		m.days[byte(d)] = f
	}
	return f
}

func newBoltPackedFolded(tb testing.TB, dir string) loader {
	l := newBoltPackedFull(tb, dir).(*boltPackedFull)
	l.folded = true
	return l
}

func (l *boltPackedFull) load(ctx context.Context, evs []bot.Event) error {
	return l.db.Update(func(tx *bolt.Tx) error {
		ids, months := tx.Bucket([]byte("ids")), tx.Bucket([]byte("months"))
		ids.FillPercent = 0.9
		recs := map[string]*packedMonth{}
		var order []string
		month := func(partner string, d bot.Date) (*packedMonth, error) {
			mk := string(binary.BigEndian.AppendUint32(append([]byte(partner), 0), uint32(d.Year*100+int(d.Month))))
			m := recs[mk]
			if m == nil {
				var err error
				if m, err = decodePackedMonth(months.Get([]byte(mk))); err != nil {
					return nil, err
				}
				m.events = bytes.Clone(m.events)
				recs[mk] = m
				order = append(order, mk)
			}
			return m, nil
		}
		for i := range evs {
			e := &evs[i]
			if ok, err := firstSeen(ids, e); !ok {
				if err != nil {
					return err
				}
				continue
			}
			at := e.At.In(l.loc)
			d := bot.DateOf(e.At, l.loc)
			m, err := month(e.Partner, d)
			if err != nil {
				return err
			}
			f := m.day(d.Day)
			switch e.Type {
			case bot.EventClick:
				f[0]++
			case bot.EventSignup:
				f[1]++
			case bot.EventSale:
				f[2]++
				f[7] += int64(e.Amount)
			}
			b := append(m.events, byte(d.Day))
			b = binary.AppendUvarint(b, uint64(at.Sub(d.Start(l.loc))))
			b = append(b, byte(typeCode(e.Type)))
			b = binary.AppendVarint(binary.AppendVarint(b, int64(e.Amount)), int64(e.Commission))
			m.events = append(binary.AppendUvarint(b, uint64(len(e.ID))), e.ID...)
			if e.Type != bot.EventSale || e.Commission == 0 {
				continue
			}
			c := int64(e.Commission)
			f[9] += c
			f[11] += c
			m.life[0] += c
			if l.folded {
				continue
			}
			ik := append(append([]byte(e.Partner), 1), e.ID...)
			entry := binary.BigEndian.AppendUint64(bytes.Clone(months.Get(ik)), uint64(e.At.UnixNano()))
			entry = append(entry, byte(typeCode(e.Type)), 0)
			entry = binary.AppendVarint(entry, c)
			entry = append(binary.AppendUvarint(entry, uint64(len(e.ID))), e.ID...)
			if err := months.Put(ik, entry); err != nil {
				return err
			}
			h := d.AddDays(l.hold)
			hm, err := month(e.Partner, h)
			if err != nil {
				return err
			}
			hf := hm.day(h.Day)
			hf[11] -= c
			hf[12] += c
			hm.life[0] -= c
			hm.life[1] += c
		}
		for _, mk := range order {
			if err := months.Put([]byte(mk), recs[mk].encode()); err != nil {
				return err
			}
		}
		return nil
	})
}

var loaders = []struct {
	name string
	open func(testing.TB, string) loader
}{
	{"partnerbot", newPartnerbot},
	{"sqlite", newSQLite},
	{"sqlite/ledger", newSQLiteLedger},
	{"bbolt-floor", newBoltFloor},
	{"bbolt-floor/schema9", newBoltFloorSplit},
	{"bbolt-floor/freelist=array", newBoltFloorArray},
	{"bbolt-floor/NoFreelistSync", newBoltFloorNoFreelistSync},
	{"bbolt-events-only", newBoltEvents},
	{"bbolt-packed-months", newBoltPacked},
	{"bbolt-packed-months/store-work", newBoltPackedFull},
	{"bbolt-packed-months/store-work-folded", newBoltPackedFolded},
}

// BenchmarkIngest loads the same -events events (200 000 by default) in
// transactions of -batch (1 000) into a new file of each: partnerbot's
// store, SQLite, and raw bbolt doing the same three-bucket work, all with
// fsync on. It reports events a second, the file's bytes per event at
// the end (the WAL included for SQLite), as its size and as the disk it
// takes, and the bytes written per event (every write call of the
// process while loading).
func BenchmarkIngest(b *testing.B) {
	evs := events(*nEvents)
	ctx := context.Background()
	for _, lo := range loaders {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), lo.name) {
			continue
		}
		b.Run(lo.name, func(b *testing.B) {
			var size, disk, wrote int64
			for b.Loop() {
				b.StopTimer()
				l := lo.open(b, b.TempDir())
				w0 := written()
				b.StartTimer()
				for i := 0; i < len(evs); i += *nBatch {
					if err := l.load(ctx, evs[i:min(i+*nBatch, len(evs))]); err != nil {
						b.Fatal(err)
					}
				}
				if st, ok := l.(interface{ settle() error }); ok {
					if err := st.settle(); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				wrote += written() - w0
				if err := l.close(); err != nil {
					b.Fatal(err)
				}
				size += fileSize(l.files()...)
				disk += diskSize(l.files()...)
				b.StartTimer()
			}
			n := float64(b.N * len(evs))
			b.ReportMetric(n/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(size)/n, "file_B/event")
			b.ReportMetric(float64(disk)/n, "disk_B/event")
			b.ReportMetric(float64(wrote)/n, "written_B/event")
		})
	}
}

// BenchmarkStats reads one partner's month, as /mystats does: partnerbot
// adds up the partner's daily totals; SQLite groups the partner's events
// of the month by type over its (partner, at) index; the bbolt floor
// walks the same day keys as partnerbot with a cursor (stepping over the
// days' events) and adds them up.
// Each op is one partner (round robin over all 10 000) and one month of
// 2026. It reports the 99th percentile beside the mean.
func BenchmarkStats(b *testing.B) {
	evs := events(*nEvents)
	ctx := context.Background()
	dir := b.TempDir()
	month := bot.MonthPeriod(2026, 6)
	from, to := month.From.Start(fixture.Location).UnixNano(), month.To.AddDays(1).Start(fixture.Location).UnixNano()

	pb := newPartnerbot(b, dir).(*partnerbotLoader)
	sq := newSQLite(b, dir).(*sqliteLoader)
	fl := newBoltFloor(b, dir).(*boltFloor)
	for _, l := range []loader{pb, sq, fl} {
		for i := 0; i < len(evs); i += *nBatch {
			if err := l.load(ctx, evs[i:min(i+*nBatch, len(evs))]); err != nil {
				b.Fatal(err)
			}
		}
	}
	defer pb.close()
	defer sq.close()
	defer fl.close()

	query, err := sq.db.Prepare(`SELECT type, COUNT(*), SUM(amount), SUM(commission) FROM events
		WHERE partner = ? AND at >= ? AND at < ? GROUP BY type`)
	if err != nil {
		b.Fatal(err)
	}
	defer query.Close()

	reads := []struct {
		name string
		read func(partner string) (int64, error)
	}{
		{"partnerbot", func(p string) (int64, error) {
			t, err := pb.s.Totals(ctx, p, month.From, month.To)
			return t.Sales + t.Clicks + t.Signups, err
		}},
		{"sqlite", func(p string) (int64, error) {
			rows, err := query.Query(p, from, to)
			if err != nil {
				return 0, err
			}
			defer rows.Close()
			var n int64
			for rows.Next() {
				var typ, count, amount, commission int64
				if err := rows.Scan(&typ, &count, &amount, &commission); err != nil {
					return 0, err
				}
				n += count
			}
			return n, rows.Err()
		}},
		{"bbolt-floor", func(p string) (int64, error) {
			var n int64
			err := fl.db.View(func(tx *bolt.Tx) error {
				c := tx.Bucket(floorBuckets[2]).Cursor()
				prefix := append([]byte(p), 0)
				lo := binary.BigEndian.AppendUint32(append([]byte(nil), prefix...), month.From.Key())
				hi := binary.BigEndian.AppendUint32(append([]byte(nil), prefix...), month.To.Key())
				for k, v := c.Seek(lo); k != nil && string(k) <= string(hi); k, v = c.Next() {
					if len(k) != len(lo) {
						continue // an event of the day before
					}
					count, _ := binary.Varint(v)
					n += count
				}
				return nil
			})
			return n, err
		}},
	}
	want := map[string]int64{}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			var lat []time.Duration
			i := 0
			for b.Loop() {
				p := fixture.PartnerID(i % fixture.Partners)
				i++
				t0 := time.Now()
				n, err := r.read(p)
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				if w, ok := want[p]; ok && w != n {
					b.Fatalf("%s: %s counts %d events, another read %d", r.name, p, n, w)
				}
				want[p] = n
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99_µs")
		})
	}
}

// TestSQLiteLedgerMatchesStore checks that the SQLite peer doing the
// store's work keeps the same figures as the store: each partner's totals
// for 2026, and its pending and approved commission as of mid-year (when
// some of its commission is still held), and that the figures are not
// all zero.
func TestSQLiteLedgerMatchesStore(t *testing.T) {
	evs := events(20_000)
	ctx := context.Background()
	dir := t.TempDir()
	pb := newPartnerbot(t, dir).(*partnerbotLoader)
	sq := newSQLiteLedger(t, dir).(*sqliteLedger)
	defer pb.close()
	defer sq.close()
	for _, l := range []loader{pb, sq} {
		for i := 0; i < len(evs); i += 1000 {
			if err := l.load(ctx, evs[i:i+1000]); err != nil {
				t.Fatal(err)
			}
		}
	}
	year, asOf := bot.YearPeriod(2026), bot.MustDate("2026-06-30")
	var all [7]int64
	for i := 0; i < fixture.Partners; i += 7 {
		p := fixture.PartnerID(i)
		tot, err := pb.s.Totals(ctx, p, year.From, year.To)
		if err != nil {
			t.Fatal(err)
		}
		c, err := pb.s.Commissions(ctx, p, asOf)
		if err != nil {
			t.Fatal(err)
		}
		var got [7]int64
		err = sq.db.QueryRow(`SELECT COALESCE(SUM(clicks), 0), COALESCE(SUM(signups), 0), COALESCE(SUM(sales), 0),
			COALESCE(SUM(amount), 0), COALESCE(SUM(commission), 0) FROM days WHERE partner = ? AND day BETWEEN ? AND ?`,
			p, year.From.Key(), year.To.Key()).Scan(&got[0], &got[1], &got[2], &got[3], &got[4])
		if err != nil {
			t.Fatal(err)
		}
		err = sq.db.QueryRow(`SELECT COALESCE(SUM(pending), 0), COALESCE(SUM(approved), 0) FROM days WHERE partner = ? AND day <= ?`,
			p, asOf.Key()).Scan(&got[5], &got[6])
		if err != nil {
			t.Fatal(err)
		}
		want := [7]int64{tot.Clicks, tot.Signups, tot.Sales, int64(tot.SalesAmount), int64(tot.Commission), int64(c.Pending), int64(c.Approved)}
		if got != want {
			t.Errorf("%s: SQLite ledger has clicks, signups, sales, amount, commission, pending, approved %v; the store %v", p, got, want)
		}
		for j := range all {
			all[j] += want[j]
		}
	}
	for j, v := range all {
		if v == 0 {
			t.Fatalf("figure %d is zero for every partner sampled (%v): the comparison proves nothing", j, all)
		}
	}
}
