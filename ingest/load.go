package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"partnerbot/bot"
)

// Collect reads every event of r into memory, checking each one's time
// against now: what an HTTP request (already bounded by the body limit)
// needs before its all-or-nothing transaction. It returns the events with
// their lines, or the first problem.
func Collect(r *Reader, now time.Time, maxFuture time.Duration) ([]bot.Event, []int, error) {
	return CollectMax(r, now, maxFuture, 0)
}

// TooManyEvents is CollectMax's error for a request with more events than
// its limit.
type TooManyEvents struct{ Max int }

func (e *TooManyEvents) Error() string {
	return fmt.Sprintf("more than %d events in one request; split them into several requests", e.Max)
}

// CollectMax is Collect for at most max events (no limit when max <= 0):
// one more is a *TooManyEvents, and reading stops there.
func CollectMax(r *Reader, now time.Time, maxFuture time.Duration, max int) ([]bot.Event, []int, error) {
	var evs []bot.Event
	var lines []int
	for {
		e, line, err := r.Next()
		if errors.Is(err, io.EOF) {
			return evs, lines, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if max > 0 && len(evs) == max {
			return nil, nil, &TooManyEvents{Max: max}
		}
		if err := checkTime(&e, line, now, maxFuture); err != nil {
			return nil, nil, err
		}
		evs = append(evs, e)
		lines = append(lines, line)
	}
}

func checkTime(e *bot.Event, line int, now time.Time, maxFuture time.Duration) error {
	if err := e.CheckTime(now, maxFuture); err != nil {
		be := *bot.AsError(err)
		be.Line = line
		return &be
	}
	return nil
}

// Ledger is what an import needs of the store.
type Ledger interface {
	Partner(ctx context.Context, id string) (*bot.Partner, error)
	Ingest(ctx context.Context, evs []bot.Event, lines []int) (bot.IngestResult, error)
}

// EventChecker is what a Ledger may offer to check an event's money as
// storing it would (a rate in force for its currency, the converted
// amount's bound), so the first pass of an import refuses a file that the
// second pass could not store whole. CheckEvent returns the event as it
// would be stored (converted); LedgerRoom how much more money, summed in
// absolute values, the ledger can take (see bot.MaxLedgerMoney).
type EventChecker interface {
	CheckEvent(ctx context.Context, e bot.Event) (bot.Event, error)
	LedgerRoom(ctx context.Context) (int64, error)
}

// ImportOptions configure ImportFile.
type ImportOptions struct {
	Format    Format
	Currency  bot.Currency
	Now       time.Time
	MaxFuture time.Duration
	BatchSize int  // events per transaction; 5000 when zero
	DryRun    bool // check everything, store nothing
}

// ImportResult counts what an import read and stored.
type ImportResult struct {
	Events     int // events in the file
	Accepted   int
	Duplicates int
	Batches    int // transactions committed
}

// ImportFile imports a file of events in two passes. The first reads the
// whole file and checks every event, including that its partner exists
// and, when l is an EventChecker, that its money can be converted,
// holding one event at a time: a bad line refuses the file before anything
// is stored. The second stores the events in transactions of BatchSize,
// so memory stays constant for any file size. Should the second pass stop
// half-way (a crash, a partner removed meanwhile), running the same file
// again converges to the same state: stored event ids count as duplicates.
// Both passes read f from its start, wherever its offset was. A file with
// no events (empty, or a CSV header alone) is EINVALID: an import that
// stores nothing must not look like one that worked.
func ImportFile(ctx context.Context, f io.ReadSeeker, l Ledger, opt ImportOptions) (ImportResult, error) {
	var res ImportResult
	if opt.BatchSize <= 0 {
		opt.BatchSize = 5000
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return res, fmt.Errorf("rewind: %w", err)
	}
	known := map[string]bool{}
	room := int64(-1) // unknown yet
	err := scan(ctx, f, opt, func(e *bot.Event, line int) error {
		res.Events++
		ok, seen := known[e.Partner]
		if !seen {
			_, err := l.Partner(ctx, e.Partner)
			switch {
			case err == nil:
				ok = true
			case bot.ErrorCode(err) != bot.ENOTFOUND:
				return err
			}
			known[e.Partner] = ok
		}
		if !ok {
			return &bot.Error{Code: bot.EINVALID, Line: line, Field: "partner", Message: fmt.Sprintf("unknown partner %q", e.Partner)}
		}
		if ck, isChecker := l.(EventChecker); isChecker {
			if room < 0 {
				var err error
				if room, err = ck.LedgerRoom(ctx); err != nil {
					return err
				}
			}
			conv := *e
			if e.Currency != "" {
				var err error
				if conv, err = ck.CheckEvent(ctx, *e); err != nil {
					if be := bot.AsError(err); be != nil {
						c := *be
						c.Line = line
						return &c
					}
					return err
				}
			}
			// Summed here, so that a file too large for the ledger is
			// refused before its first batch, not half-way.
			for _, a := range []bot.Amount{conv.Amount, conv.Commission} {
				room -= int64(max(a, -a))
			}
			if room < 0 {
				return &bot.Error{Code: bot.EINVALID, Line: line, Field: "amount", Message: "with this event the file would take the money partnerbot keeps past the largest sum it can add up exactly; nothing was stored: check the amounts (are they in major units, like 129.99?)"}
			}
		}
		return nil
	})
	if err == nil && res.Events == 0 {
		err = bot.Errorf(bot.EINVALID, "no events in the file: it is empty, or a CSV with only its header")
	}
	if err != nil || opt.DryRun {
		return res, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return res, fmt.Errorf("rewind: %w", err)
	}
	evs := make([]bot.Event, 0, opt.BatchSize)
	lines := make([]int, 0, opt.BatchSize)
	flush := func() error {
		if len(evs) == 0 {
			return nil
		}
		r, err := l.Ingest(ctx, evs, lines)
		if err != nil {
			return err
		}
		res.Accepted += r.Accepted
		res.Duplicates += r.Duplicates
		res.Batches++
		evs, lines = evs[:0], lines[:0]
		return nil
	}
	err = scan(ctx, f, opt, func(e *bot.Event, line int) error {
		evs = append(evs, *e)
		lines = append(lines, line)
		if len(evs) == opt.BatchSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return res, err
}

// scan calls fn for every event of f, checked and with its line.
func scan(ctx context.Context, f io.Reader, opt ImportOptions, fn func(*bot.Event, int) error) error {
	r := NewReader(f, opt.Format, opt.Currency)
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		e, line, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := checkTime(&e, line, opt.Now, opt.MaxFuture); err != nil {
			return err
		}
		if err := fn(&e, line); err != nil {
			return err
		}
	}
}
