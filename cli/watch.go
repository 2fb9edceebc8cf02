package cli

import (
	"context"
	"log/slog"
	"time"

	"partnerbot/alerts"
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
	touched  chan []string
}

func (m *Main) newWatch(s *store.Store, n *alerts.Notifier) *watch {
	return &watch{store: s, eval: m.evaluator(s), notifier: n, clock: m.Clock, log: m.log, touched: make(chan []string, 64)}
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

// all judges every partner at due, records the verdicts and lets the
// alerts decide; paused and ended partners close any open episode.
func (w *watch) all(ctx context.Context, due time.Time) error {
	results, err := w.eval.EvaluateAll(ctx, due)
	if err != nil {
		return err
	}
	red := 0
	for i := range results {
		r := &results[i]
		if err := w.judged(ctx, &r.Partner, r.Verdict, r.Standing, due); err != nil {
			return err
		}
		if r.Verdict.Level == health.Red {
			red++
		}
	}
	ps, err := w.store.Partners(ctx)
	if err != nil {
		return err
	}
	for i := range ps {
		if ps[i].Status != bot.StatusActive {
			if err := w.notifier.Handle(ctx, &ps[i], health.Verdict{}, due); err != nil {
				return err
			}
		}
	}
	w.log.Info("health evaluated", "partners", len(results), "red", red)
	return nil
}

func (w *watch) judged(ctx context.Context, p *bot.Partner, v health.Verdict, st health.Standing, now time.Time) error {
	changed, prev, err := health.Record(ctx, w.store, p, v, st, now)
	if err != nil {
		return err
	}
	if changed && prev.Level != "" {
		w.log.Info("partner health changed", "partner", p.ID, "from", prev.Level, "to", string(v.Level))
	}
	return w.notifier.Handle(ctx, p, v, now)
}

// Touched hears partners that new events touched; it never blocks the
// request that stored them (a full queue drops: the daily run catches up).
func (w *watch) Touched(ids []string) {
	select {
	case w.touched <- ids:
	default:
		w.log.Debug("health re-evaluation queue full; the daily run will catch up", "partners", len(ids))
	}
}

// run re-evaluates touched partners, a batch at a time, until ctx ends.
func (w *watch) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ids := <-w.touched:
			// Gather what else arrived meanwhile: one evaluation each.
			set := map[string]bool{}
			for _, id := range ids {
				set[id] = true
			}
		drain:
			for {
				select {
				case more := <-w.touched:
					for _, id := range more {
						set[id] = true
					}
				default:
					break drain
				}
			}
			now := w.clock.Now()
			for id := range set {
				p, err := w.store.Partner(ctx, id)
				if err != nil || p.Status != bot.StatusActive {
					continue
				}
				v, err := w.eval.Evaluate(ctx, p, now)
				if ctx.Err() != nil {
					return // shutting down: the daily run catches up
				}
				if err != nil {
					w.log.Error("evaluate after ingest", "partner", id, "err", err)
					continue
				}
				standings, _ := w.eval.Standings(ctx, bot.DateOf(now, w.store.Location()))
				if err := w.judged(ctx, p, v, standings[id], now); err != nil && ctx.Err() == nil {
					w.log.Error("record health after ingest", "partner", id, "err", err)
				}
			}
		}
	}
}
