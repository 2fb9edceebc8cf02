package commands

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/health"
	"partnerbot/i18n"
)

// HealthFunc judges one partner at now: the health evaluator's Evaluate.
type HealthFunc func(ctx context.Context, p *bot.Partner, now time.Time) (health.Verdict, error)

// healthBoard shows a manager the dashboard of its active partners (an
// admin: everyone's), worst first: by default red and amber only.
func (s *Service) healthBoard(ctx context.Context, c *Caller, args map[string]string) (*bot.Message, error) {
	l := c.Locale
	filter := strings.ToLower(strings.TrimSpace(args["filter"]))
	var keep func(health.Level) bool
	switch filter {
	case "", "amber", "żółte", "zolte", "żółci", "zolci":
		keep = func(v health.Level) bool { return v == health.Red || v == health.Amber }
	case "red", "czerwone", "czerwoni":
		keep = func(v health.Level) bool { return v == health.Red }
	case "all", "wszystkie", "wszyscy":
		keep = func(health.Level) bool { return true }
	default:
		return nil, i18n.UserError(bot.EINVALID, "health.bad_filter", filter)
	}
	if s.opt.Health == nil {
		return private(i18n.T(l, "health.not_configured")), nil
	}
	ps, err := s.opt.Store.Partners(ctx)
	if err != nil {
		return nil, err
	}
	now, _ := s.now()
	type row struct {
		p *bot.Partner
		v health.Verdict
	}
	var rows []row
	total := 0
	for i := range ps {
		p := &ps[i]
		if p.Status != bot.StatusActive || !c.Admin && (c.Manager == nil || p.Manager != c.Manager.ID) {
			continue
		}
		total++
		v, err := s.opt.Health(ctx, p, now)
		if err != nil {
			return nil, err
		}
		if keep(v.Level) {
			rows = append(rows, row{p, v})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := health.Severity(rows[i].v.Level), health.Severity(rows[j].v.Level)
		if a != b {
			return a < b
		}
		return rows[i].p.Name < rows[j].p.Name
	})
	msg := &bot.Message{Title: i18n.T(l, "health.title", len(rows), total), Private: true,
		Footer: i18n.T(l, "health.footer")}
	if len(rows) == 0 {
		msg.Text = i18n.T(l, "health.none")
		return msg, nil
	}
	// Every row, paged by the adapters; the filter stays across pages.
	list := &bot.List{Locale: l, Source: commandSource("health", filter)}
	for _, r := range rows {
		cells := r.v.Row(l)
		list.Items = append(list.Items, fmt.Sprintf("%s %s %s (%s) — %s · %s · %s · %s", health.LevelIcon(r.v.Level), cells.Trend, r.p.Name, r.p.ID,
			cells.Transactions, cells.Responsiveness, i18n.T(l, "health.initiative", cells.Initiative),
			i18n.T(l, "health.education", cells.Education)))
	}
	msg.List = list
	return msg, nil
}

// healthFields are the /partner card's health: the verdict with its
// reasons, judged now when an evaluator is configured (else the last
// stored verdict), and the latest changes.
func (s *Service) healthFields(ctx context.Context, c *Caller, p *bot.Partner) ([]bot.Field, error) {
	l := c.Locale
	var fields []bot.Field
	switch {
	case p.Status != bot.StatusActive:
	case s.opt.Health != nil:
		now, _ := s.now()
		v, err := s.opt.Health(ctx, p, now)
		if err != nil {
			return nil, err
		}
		fields = append(fields, bot.Field{Name: i18n.T(l, "partner.health"), Value: healthValue(l, health.LevelWord(l, v.Level), v.Reasons(l))})
	default:
		rec, err := s.opt.Store.Verdict(ctx, p.ID)
		switch {
		case bot.ErrorCode(err) == bot.ENOTFOUND:
		case err != nil:
			return nil, err
		default:
			word := health.LevelWord(l, health.Level(rec.Level)) + " (" + i18n.DateTime(l, rec.At, s.opt.Location) + ")"
			fields = append(fields, bot.Field{Name: i18n.T(l, "partner.health"), Value: healthValue(l, word, rec.Reasons[l])})
		}
	}
	hist, err := s.opt.Store.VerdictHistory(ctx, p.ID, 3)
	if err != nil {
		return nil, err
	}
	if len(hist) > 0 {
		lines := make([]string, len(hist))
		for i, h := range hist {
			from := "—"
			if h.From != "" {
				from = health.LevelIcon(health.Level(h.From))
			}
			lines[i] = fmt.Sprintf("%s: %s → %s", i18n.DateTime(l, h.At, s.opt.Location), from, health.LevelIcon(health.Level(h.To)))
		}
		fields = append(fields, bot.Field{Name: i18n.T(l, "partner.health_changes"), Value: strings.Join(lines, "\n")})
	}
	return fields, nil
}

func healthValue(l bot.Locale, word string, reasons []string) string {
	if len(reasons) == 0 {
		return word
	}
	return word + "\n• " + strings.Join(reasons, "\n• ")
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"cmd.health.help":        {"your partners' health: trend, transactions, replies, initiative, education (managers)", "zdrowie Twoich partnerów: trend, transakcje, odpowiedzi, inicjatywa, edukacja (opiekunowie)"},
		"cmd.health.arg.filter":  {"red, amber (red and amber, the default) or all", "czerwone, żółte (czerwone i żółte, domyślnie) albo wszystkie"},
		"health.bad_filter":      {"Unknown filter “%s”: use red, amber or all.", "Nieznany filtr „%s”: użyj „czerwone”, „żółte” albo „wszystkie”."},
		"health.not_configured":  {"Health is not configured on this bot.", "Ocena zdrowia nie jest skonfigurowana w tym bocie."},
		"health.title":           {"Partner health: %d (of %d active)", "Zdrowie partnerów: %d (wszystkich aktywnych: %d)"},
		"health.footer":          {"trend · transactions last month · replies · initiative · education", "trend · transakcje w ostatnim miesiącu · odpowiedzi · inicjatywa · edukacja"},
		"health.none":            {"Nobody here: all your partners look fine.", "Nikogo tu nie ma: wszyscy Twoi partnerzy wyglądają dobrze."},
		"health.initiative":      {"initiative: %s", "inicjatywa: %s"},
		"health.education":       {"materials: %s", "materiały: %s"},
		"partner.health":         {"Health", "Zdrowie"},
		"partner.health_changes": {"Health changes", "Zmiany oceny"},
	})
}
