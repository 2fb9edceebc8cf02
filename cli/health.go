package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/config"
	"partnerbot/health"
	"partnerbot/store"
)

// thresholds turns the config's health section into the engine's
// thresholds; zero values keep the playbook's defaults.
func thresholds(h config.Health) health.Thresholds {
	t := health.DefaultThresholds
	if h.TrendStablePct > 0 {
		t.TrendStablePct = h.TrendStablePct
	}
	if h.TrendRedMonths > 0 {
		t.TrendRedMonths = h.TrendRedMonths
	}
	if h.TransactionsGreen > 0 {
		t.TransactionsGreen = h.TransactionsGreen
	}
	if h.TransactionsRed > 0 {
		t.TransactionsRed = h.TransactionsRed
	}
	if h.ReplyGreen > 0 {
		t.ReplyGreen = time.Duration(h.ReplyGreen)
	}
	if h.ReplyRed > 0 {
		t.ReplyRed = time.Duration(h.ReplyRed)
	}
	if h.InitiativeGreen > 0 {
		t.InitiativeGreen = h.InitiativeGreen
	}
	if h.EducationWindow > 0 {
		t.Window = time.Duration(h.EducationWindow)
	}
	return t
}

// evaluator builds the health evaluator over the store with the config's
// thresholds and rules: the one place serve, chat and health wire it.
func (m *Main) evaluator(s *store.Store) *health.Evaluator {
	cfg := m.cfg
	e := health.NewEvaluator(s, thresholds(cfg.Health), rules(cfg), cfg.Location())
	e.Currency = cfg.Currency()
	return e
}

// healthJSON is one partner in `health --json` (DESIGN.md).
type healthJSON struct {
	Partner string            `json:"partner"`
	Verdict string            `json:"verdict"`
	Segment string            `json:"segment"`
	Tier    string            `json:"tier"`
	Metrics map[string]string `json:"metrics"`
	Reasons []string          `json:"reasons"`
}

// parseAt reads --at: an RFC3339 instant, or a date meaning its first
// instant in the program zone.
func parseAt(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := bot.ParseDate(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: --at %q is not a date (2026-11-23) or an RFC3339 time", ErrUsage, s)
	}
	return d.Start(loc), nil
}

func (m *Main) health(ctx context.Context, args []string) error {
	fs := m.flags("health")
	at := fs.String("at", "", "judge as of this date or RFC3339 time (default: now)")
	only := fs.String("partner", "", "judge only this partner `id`, with the reasons")
	status := fs.String("status", "all", "which verdicts to list: red, amber (red and amber) or all")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, 0, "[--at DATE|RFC3339] [--partner ID] [--status red|amber|all] [--json]"); err != nil {
		return err
	}
	keep, err := statusFilter(*status)
	if err != nil {
		return err
	}
	s, err := m.openStore()
	if err != nil {
		return err
	}
	cfg := m.cfg
	now := m.Clock.Now()
	if *at != "" {
		if now, err = parseAt(*at, cfg.Location()); err != nil {
			return err
		}
	}
	ev := m.evaluator(s)
	var results []health.Result
	if *only != "" {
		p, err := s.Partner(ctx, *only)
		if err != nil {
			return err
		}
		v, err := ev.Evaluate(ctx, p, now)
		if err != nil {
			return err
		}
		standings, err := ev.Standings(ctx, bot.DateOf(now, cfg.Location()))
		if err != nil {
			return err
		}
		results = []health.Result{{Partner: *p, Verdict: v, Standing: standings[p.ID]}}
	} else if results, err = ev.EvaluateAll(ctx, now); err != nil {
		return err
	}
	l := cfg.Program.Locale
	var shown []health.Result
	for _, r := range results {
		if *only != "" || keep(r.Verdict.Level) {
			shown = append(shown, r)
		}
	}
	if *asJSON {
		out := make([]healthJSON, 0, len(shown))
		for _, r := range shown {
			h := healthJSON{Partner: r.Partner.ID, Verdict: string(r.Verdict.Level), Segment: orNew(string(r.Standing.Segment)),
				Tier: orNew(string(r.Standing.Tier)), Metrics: map[string]string{}, Reasons: r.Verdict.Reasons(l)}
			for _, mt := range r.Verdict.Metrics() {
				h.Metrics[mt.Name] = string(mt.Level)
			}
			if h.Reasons == nil {
				h.Reasons = []string{}
			}
			out = append(out, h)
		}
		return m.printJSON(out)
	}
	if len(shown) == 0 {
		fmt.Fprintln(m.Stdout, "no partners with that health")
		return nil
	}
	rows := make([][]string, len(shown))
	for i, r := range shown {
		row := r.Verdict.Row(l)
		rows[i] = []string{r.Partner.ID, row.Trend, row.Transactions, row.Responsiveness, row.Initiative, row.Education, row.Verdict}
	}
	// Headers in the language of the cells below them.
	cols := health.Columns(l)
	for i := range cols {
		cols[i] = strings.ToUpper(cols[i])
	}
	m.table(cols, rows)
	if *only != "" {
		r := shown[0]
		fmt.Fprintf(m.Stdout, "\n%s (%s), %s\n", r.Partner.Name, r.Partner.ID, now.In(cfg.Location()).Format("2006-01-02 15:04 MST"))
		for _, mt := range r.Verdict.Metrics() {
			fmt.Fprintf(m.Stdout, "  %s %-15s %s\n", health.LevelIcon(mt.Level), health.MetricName(l, mt.Name), mt.Reason.Text(l))
		}
		if reasons := r.Verdict.Reasons(l); len(reasons) > 0 {
			fmt.Fprintf(m.Stdout, "\n%s:\n  - %s\n", health.LevelWord(l, r.Verdict.Level), strings.Join(reasons, "\n  - "))
		}
	}
	return nil
}

// statusFilter reads --status: red, amber (red and amber, what needs a
// look) or all.
func statusFilter(s string) (func(health.Level) bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "all":
		return func(health.Level) bool { return true }, nil
	case "red":
		return func(l health.Level) bool { return l == health.Red }, nil
	case "amber":
		return func(l health.Level) bool { return l == health.Red || l == health.Amber }, nil
	}
	return nil, fmt.Errorf("%w: --status %q: want red, amber or all", ErrUsage, s)
}

// orNew writes an onboarding partner's empty segment or tier as "new".
func orNew(s string) string {
	if s == "" {
		return "new"
	}
	return s
}
