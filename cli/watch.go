package cli

import (
	"context"
	"log/slog"
	"time"

	"partnerbot/alerts"
	"partnerbot/api"
	"partnerbot/bot"
	"partnerbot/health"
	"partnerbot/scheduler"
	"partnerbot/store"
)

// watch judges partners and tells managers: the daily health job, and a
// re-evaluation whenever new events touch a partner.
type watch struct {
	store    *store.Store
	eval     *health.Evaluator
	notifier *alerts.Notifier
	clock    bot.Clock
	log      *slog.Logger
	touched  chan api.Ingested
	// quiet and maxDelay debounce the ingest watch (see watchQuiet).
	quiet, maxDelay time.Duration
	// passed, when set, hears the end of each pass (benchmarks wait on it).
	passed func(events int)
}

func (m *Main) newWatch(s *store.Store, n *alerts.Notifier) *watch {
	return &watch{store: s, eval: m.evaluator(s), notifier: n, clock: m.Clock, log: m.log, touched: make(chan api.Ingested, 256),
		quiet: watchQuiet, maxDelay: watchMaxDelay}
}

// notifier builds the manager alerts from the config.
func (m *Main) notifier(s *store.Store) *alerts.Notifier {
	cfg := m.cfg
	return &alerts.Notifier{Store: s, Locale: cfg.Program.Locale, Location: cfg.Location(), Currency: cfg.Currency(),
		Admins: adminTargets(cfg.Admins.Slack, cfg.Admins.Discord), Clock: m.Clock, Logger: m.log,
		Policy: alerts.Policy{RepeatAfter: time.Duration(cfg.Alerts.RepeatAfter), EscalateAfter: time.Duration(cfg.Alerts.EscalateAfter)}}
}

func adminTargets(slackIDs, discordIDs []string) []bot.Target {
	var ts []bot.Target
	for _, u := range slackIDs {
		ts = append(ts, bot.Target{Platform: "slack", User: u})
	}
	for _, u := range discordIDs {
		ts = append(ts, bot.Target{Platform: "discord", User: u})
	}
	return ts
}

// job is the calendar's health_eval entry.
func (w *watch) job(spec string, enabled bool) scheduler.Job {
	return scheduler.Job{Name: "health_eval", Spec: spec, Enabled: enabled, Period: scheduler.Daily, Run: w.all}
}

// healthBatch is how many partners' verdicts and alert states the daily
// evaluation writes per transaction: 10 000 partners take five commits
// rather than tens of thousands.
const healthBatch = 2000

// all judges every partner at due, records the verdicts and lets the
// alerts decide; paused and ended partners close any open episode.
func (w *watch) all(ctx context.Context, due time.Time) error {
	results, err := w.eval.EvaluateAll(ctx, due)
	if err != nil {
		return err
	}
	ps, err := w.store.Partners(ctx)
	if err != nil {
		return err
	}
	// Paused and ended partners are handled with no verdict: that closes
	// an episode left open when they were paused.
	for i := range ps {
		if ps[i].Status != bot.StatusActive {
			results = append(results, health.Result{Partner: ps[i]})
		}
	}
	red, judged := 0, 0
	for len(results) > 0 {
		n := min(len(results), healthBatch)
		chunk := results[:n]
		results = results[n:]
		err := w.notifier.Batch(func(handle alerts.HandleFunc, flush alerts.FlushFunc) error {
			return w.store.Update(ctx, func(tx *store.Tx) error {
				for i := range chunk {
					r := &chunk[i]
					if r.Partner.Status != bot.StatusActive {
						if err := handle(ctx, tx, &r.Partner, health.Verdict{}, due); err != nil {
							return err
						}
						continue
					}
					if err := w.judged(ctx, tx, handle, &r.Partner, r.Verdict, r.Standing, due); err != nil {
						return err
					}
					judged++
					if r.Verdict.Level == health.Red {
						red++
					}
				}
				return flush(ctx, tx) // partners red together: one message per manager
			})
		})
		if err != nil {
			return err
		}
	}
	w.log.Info("health evaluated", "partners", judged, "red", red)
	return nil
}

// judged records a verdict through tx and, unless quiet, lets the alerts
// decide on it.
func (w *watch) judged(ctx context.Context, tx *store.Tx, handle alerts.HandleFunc, p *bot.Partner, v health.Verdict, st health.Standing, now time.Time) error {
	changed, prev, err := health.Record(ctx, tx, p, v, st, now)
	if err != nil {
		return err
	}
	if changed && prev.Level != "" {
		w.log.Info("partner health changed", "partner", p.ID, "from", prev.Level, "to", string(v.Level))
	}
	if handle == nil {
		return nil
	}
	return handle(ctx, tx, p, v, now)
}

// Debouncing of the ingest watch. Ingest arrives in bursts (a shop's
// webhook retries, an import split into requests): judging partners per
// request would judge the same partner many times and rank the program
// again each time. The watch waits for a quiet interval, then judges each
// touched partner once, with the standings computed once for the pass.
const (
	// watchQuiet is how long ingest must pause before a pass.
	watchQuiet = 2 * time.Second
	// watchMaxDelay bounds the wait under steady ingest.
	watchMaxDelay = 30 * time.Second
	// backfillAge: a partner whose newest new event is older than this
	// is being backfilled, not live; its verdict is updated quietly.
	backfillAge = 48 * time.Hour
	// bulkEvents: a pass that gathered this many events is an import in
	// progress; its verdicts are updated quietly too. A partner judged on
	// half-loaded history must not page its manager: the next daily
	// evaluation decides on the whole of it.
	bulkEvents = 5000
)

// pending is what a pass will judge: each touched partner's newest event
// and how many events arrived.
type pending struct {
	newest map[string]time.Time
	events int
}

func (p *pending) add(in api.Ingested) {
	if p.newest == nil {
		p.newest = map[string]time.Time{}
	}
	for id, t := range in.Newest {
		if old, ok := p.newest[id]; !ok || t.After(old) {
			p.newest[id] = t
		}
	}
	p.events += in.Accepted
}

// quiet reports whether a partner's new verdict must raise no alert: its
// events are a backfill, or the pass is part of a bulk import.
func (p *pending) quiet(id string, now time.Time) bool {
	return p.events >= bulkEvents || p.newest[id].Before(now.Add(-backfillAge))
}

// Touched hears what new events touched; it never blocks the request
// that stored them (a full queue drops: the daily run catches up).
func (w *watch) Touched(in api.Ingested) {
	select {
	case w.touched <- in:
	default:
		w.log.Debug("health re-evaluation queue full; the daily run will catch up", "partners", len(in.Newest))
	}
}

// run re-evaluates touched partners until ctx ends: a pass after each
// quiet interval, or after watchMaxDelay under steady live ingest (an
// import waits for its end: its pass would raise no alerts). The intervals
// are wall-clock time (how long to wait), not the program's clock.
func (w *watch) run(ctx context.Context) {
	var (
		p           pending
		timer       = time.NewTimer(time.Hour)
		first, last time.Time
		waiting     bool
	)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case in := <-w.touched:
			p.add(in)
			last = time.Now()
			if !waiting {
				waiting, first = true, last
			}
			timer.Reset(min(w.quiet, w.maxDelay-time.Since(first)))
		case <-timer.C:
			if since := time.Since(last); since < w.quiet && p.events >= bulkEvents {
				// An import in progress: its verdicts would be quiet
				// anyway, so judge once when it is over.
				timer.Reset(w.quiet - since)
				continue
			}
			batch := p
			p, waiting = pending{}, false
			if err := w.pass(ctx, &batch); err != nil && ctx.Err() == nil {
				w.log.Error("health re-evaluation after ingest", "partners", len(batch.newest), "err", err)
			}
			if ctx.Err() != nil {
				return // shutting down: the daily run catches up
			}
			if w.passed != nil {
				w.passed(batch.events)
			}
		}
	}
}

// pass judges the partners of p at the clock's now and records their
// verdicts in a few transactions; alerts are raised only for partners
// with live events.
func (w *watch) pass(ctx context.Context, p *pending) error {
	now := w.clock.Now()
	ids := make([]string, 0, len(p.newest))
	for id := range p.newest {
		ids = append(ids, id)
	}
	results, err := w.eval.EvaluateSome(ctx, ids, now)
	if err != nil {
		return err
	}
	quiet := 0
	for len(results) > 0 {
		n := min(len(results), healthBatch)
		chunk := results[:n]
		results = results[n:]
		err := w.notifier.Batch(func(handle alerts.HandleFunc, flush alerts.FlushFunc) error {
			return w.store.Update(ctx, func(tx *store.Tx) error {
				for i := range chunk {
					r := &chunk[i]
					h := handle
					if p.quiet(r.Partner.ID, now) {
						h = nil
						quiet++
					}
					if err := w.judged(ctx, tx, h, &r.Partner, r.Verdict, r.Standing, now); err != nil {
						return err
					}
				}
				return flush(ctx, tx)
			})
		})
		if err != nil {
			return err
		}
	}
	if quiet > 0 {
		w.log.Info("backfill: verdicts updated without alerts; the daily evaluation decides", "partners", quiet, "events", p.events)
	}
	return nil
}
