package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/ingest"
	"partnerbot/store"
)

var (
	ctx = context.Background()
	waw = func() *time.Location { l, _ := time.LoadLocation("Europe/Warsaw"); return l }()
)

// crashingLedger stops after some batches, as a killed import would.
type crashingLedger struct {
	*store.Store
	batches, failAt int
}

func (c *crashingLedger) Ingest(ctx context.Context, evs []bot.Event, lines []int) (bot.IngestResult, error) {
	c.batches++
	if c.batches == c.failAt {
		return bot.IngestResult{}, errors.New("killed")
	}
	return c.Store.Ingest(ctx, evs, lines)
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "i.db"), store.Options{Location: waw})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, id := range []string{"janko", "apteka"} {
		if _, err := s.PutPartner(ctx, &bot.Partner{ID: id, Name: id, Joined: bot.MustDate("2025-01-01")}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func writeEvents(t *testing.T, n int, bad int) *os.File {
	t.Helper()
	var b strings.Builder
	for i := range n {
		partner := []string{"janko", "apteka"}[i%2]
		if i == bad {
			partner = "ghost"
		}
		fmt.Fprintf(&b, `{"id":"e%d","type":"sale","partner":%q,"at":"2026-11-%02dT10:00:00+01:00","amount":"%d.50","commission":"1.00"}`+"\n",
			i, partner, 1+i%20, 10+i%90)
	}
	path := filepath.Join(t.TempDir(), "events.ndjson")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func opts() ingest.ImportOptions {
	return ingest.ImportOptions{Currency: bot.Currency{Code: "PLN", Digits: 2}, Now: time.Date(2026, 11, 22, 12, 0, 0, 0, waw),
		MaxFuture: 24 * time.Hour, BatchSize: 100}
}

func totals(t *testing.T, s *store.Store) [2]bot.Totals {
	var out [2]bot.Totals
	for i, id := range []string{"janko", "apteka"} {
		tot, err := s.Totals(ctx, id, bot.MustDate("2026-01-01"), bot.MustDate("2026-12-31"))
		if err != nil {
			t.Fatal(err)
		}
		out[i] = tot
	}
	return out
}

func TestImportFile(t *testing.T) {
	t.Run("a bad line refuses the whole file", func(t *testing.T) {
		s := openStore(t)
		_, err := ingest.ImportFile(ctx, writeEvents(t, 1000, 950), s, opts())
		e := bot.AsError(err)
		if e == nil || e.Line != 951 || e.Field != "partner" {
			t.Fatalf("err = %v, want line 951 partner", err)
		}
		if n, _ := s.EventCount(ctx); n != 0 {
			t.Fatalf("%d events stored from a refused file", n)
		}
	})

	t.Run("re-run after a crash converges", func(t *testing.T) {
		clean := openStore(t)
		res, err := ingest.ImportFile(ctx, writeEvents(t, 1000, -1), clean, opts())
		if err != nil || res.Accepted != 1000 || res.Batches != 10 {
			t.Fatalf("clean import: %+v %v", res, err)
		}
		want := totals(t, clean)

		s := openStore(t)
		f := writeEvents(t, 1000, -1)
		res, err = ingest.ImportFile(ctx, f, &crashingLedger{Store: s, failAt: 4}, opts())
		if err == nil || res.Accepted != 300 {
			t.Fatalf("crashed import: %+v %v", res, err)
		}
		f.Seek(0, 0)
		res, err = ingest.ImportFile(ctx, f, s, opts())
		if err != nil || res.Accepted != 700 || res.Duplicates != 300 {
			t.Fatalf("re-run: %+v %v", res, err)
		}
		if got := totals(t, s); got != want {
			t.Fatalf("after crash and re-run totals = %+v, want %+v", got, want)
		}
	})

	t.Run("dry run stores nothing", func(t *testing.T) {
		s := openStore(t)
		o := opts()
		o.DryRun = true
		res, err := ingest.ImportFile(ctx, writeEvents(t, 300, -1), s, o)
		if err != nil || res.Events != 300 || res.Accepted != 0 {
			t.Fatalf("dry run: %+v %v", res, err)
		}
		if n, _ := s.EventCount(ctx); n != 0 {
			t.Fatalf("dry run stored %d", n)
		}
	})
}

func TestImportFile_MoneyBoundsAcrossBatches(t *testing.T) {
	// 2 000 sales of 10^13 PLN each add up past what the ledger keeps: the
	// first pass refuses the file, so no early batch is stored.
	s := openStore(t)
	f, err := os.Create(filepath.Join(t.TempDir(), "big.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := range 2000 {
		fmt.Fprintf(f, `{"id":"b%d","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"10000000000000.00"}`+"\n", i)
	}
	o := opts()
	o.BatchSize = 100
	res, err := ingest.ImportFile(ctx, f, s, o)
	if e := bot.AsError(err); e == nil || e.Field != "amount" || e.Line < 100 {
		t.Fatalf("err = %v, want a refusal on a late line", err)
	}
	if n, _ := s.EventCount(ctx); n != 0 || res.Accepted != 0 {
		t.Fatalf("%d events stored (%d accepted)", n, res.Accepted)
	}
}

func TestImportFile_ForeignCurrency(t *testing.T) {
	s := openStore(t)
	f, err := os.Create(filepath.Join(t.TempDir(), "fx.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := range 300 {
		cur := ""
		if i == 250 {
			cur = `,"currency":"KWD"`
		}
		fmt.Fprintf(f, `{"id":"f%d","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"1.250"%s}`+"\n", i, cur)
	}
	o := opts()
	o.BatchSize = 100
	if _, err := ingest.ImportFile(ctx, f, s, o); bot.ErrorCode(err) != bot.ENORATE || bot.AsError(err).Line != 251 {
		t.Fatalf("err = %v, want ENORATE on line 251", err)
	}
	if n, _ := s.EventCount(ctx); n != 0 {
		t.Fatalf("%d events stored", n)
	}
}
