package store_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// A compacted file answers everything as the file it was made from, is
// smaller when the original had free space, goes on taking events (the
// outbox's sequence included), and leaves no copy behind.
func TestStore_Compact(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 1))
	dir := t.TempDir()
	path := filepath.Join(dir, "pb.db")
	s := mustOpen(t, path)
	partners := []string{"a", "b", "c"}
	evs := storeHistory(t, s, partners, randomHistory(r, 2000), 20)
	// A purge frees the pages of a partner's history.
	if n, err := s.DeletePartner(ctx, "c", true); err != nil || n == 0 {
		t.Fatalf("purge c: %d, %v", n, err)
	}
	first := &store.OutboxItem{Key: "before", Kind: "alert", Target: bot.Target{Platform: "slack", User: "U1"}}
	if _, err := s.Enqueue(ctx, first); err != nil {
		t.Fatal(err)
	}
	partners = partners[:2]
	want := ledgerView(t, s, partners)
	res, err := s.Compact(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.After <= 0 || res.After >= res.Before || res.Keys == 0 {
		t.Fatalf("compaction: %+v, want a smaller file with keys", res)
	}
	if st, err := os.Stat(path); err != nil || st.Size() != res.After || st.Mode().Perm() != 0o600 {
		t.Fatalf("compacted file: %v, %v", st, err)
	}
	if _, err := os.Stat(path + ".compacting"); !os.IsNotExist(err) {
		t.Fatalf("the copy was left behind: %v", err)
	}
	s, err = store.Open(path, store.Options{Location: waw, Clock: bot.NewManualClock(tstart)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sameView(t, "after compaction", ledgerView(t, s, partners), want)
	var again []bot.Event
	for _, e := range evs {
		if e.Partner != "c" && len(again) < 5 {
			again = append(again, e)
		}
	}
	if res, err := s.Ingest(ctx, again, nil); err != nil || res.Duplicates != 5 {
		t.Fatalf("re-ingest after compaction: %+v, %v", res, err)
	}
	next := &store.OutboxItem{Key: "after", Kind: "alert", Target: bot.Target{Platform: "slack", User: "U1"}}
	if created, err := s.Enqueue(ctx, next); err != nil || !created || next.ID <= first.ID {
		t.Fatalf("outbox after compaction: id %d after %d, %v, %v", next.ID, first.ID, created, err)
	}
	if created, err := s.Enqueue(ctx, first); err != nil || created {
		t.Fatalf("the outbox's keys after compaction: %v, %v", created, err)
	}
	more := []bot.Event{{ID: "after-compact", Type: bot.EventClick, Partner: "a", At: time.Date(2026, 11, 20, 10, 0, 0, 0, waw)}}
	if res, err := s.Ingest(ctx, more, nil); err != nil || res.Accepted != 1 {
		t.Fatalf("ingest after compaction: %+v, %v", res, err)
	}
}

// A read-only store is not compacted, and keeps its file.
func TestStore_CompactReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pb.db")
	s := mustOpen(t, path)
	mustPartner(t, s, "a")
	s.Close()
	ro, err := store.Open(path, store.Options{Location: waw, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Compact(ctx); err == nil {
		t.Fatal("a read-only store was compacted")
	}
	if _, err := ro.Partner(ctx, "a"); err != nil {
		t.Fatalf("the read-only store after a refused compaction: %v", err)
	}
}
