package health

import (
	"fmt"

	"partnerbot/bot"
	"partnerbot/i18n"
)

// Row is a verdict as one row of the playbook's dashboard (002, section
// 07): trend arrow, transactions, responsiveness, initiative, education
// and the verdict, each a short cell in the reader's language.
type Row struct {
	Trend, Transactions, Responsiveness, Initiative, Education, Verdict string
}

// Row renders the verdict's dashboard row in l.
func (v *Verdict) Row(l bot.Locale) Row {
	return Row{
		Trend:          v.Arrow(),
		Transactions:   v.txCell(l),
		Responsiveness: v.replyCell(l),
		Initiative:     levelCell(l, "init", v.Initiative.Level),
		Education:      levelCell(l, "edu", v.Education.Level),
		Verdict:        LevelWord(l, v.Level),
	}
}

// LevelIcon is a level's colour as one symbol.
func LevelIcon(level Level) string {
	switch level {
	case Green:
		return "🟢"
	case Amber:
		return "🟡"
	case Red:
		return "🔴"
	}
	return "⚪"
}

// LevelWord is a verdict as the dashboard writes it: "✅ dobrze",
// "⚠️ uwaga", "🔴 ryzyko".
func LevelWord(l bot.Locale, level Level) string {
	return i18n.T(l, "health.level."+string(level))
}

func (v *Verdict) txCell(l bot.Locale) string {
	m := v.Transactions
	if m.Level == Unknown || len(m.Reason.Args) == 0 {
		return "?"
	}
	if c, ok := m.Reason.Args[0].(count); ok {
		return i18n.T(l, "health.cell.tx", c.N)
	}
	return "?"
}

func (v *Verdict) replyCell(l bot.Locale) string {
	r := v.Response.Reason
	var d duration
	if len(r.Args) > 0 {
		d, _ = r.Args[0].(duration)
	}
	switch r.Key {
	case "health.reply.fast", "health.reply.late", "health.reply.slow":
		return d.text(l)
	case "health.reply.silent", "health.reply.pending":
		return i18n.T(l, "health.cell.noreply", d.text(l))
	case "health.reply.waiting", "health.reply.none":
		return "—"
	}
	return "?"
}

func levelCell(l bot.Locale, metric string, level Level) string {
	if level == Unknown {
		return "?"
	}
	return i18n.T(l, fmt.Sprintf("health.cell.%s.%s", metric, level))
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"health.level.green":        {"✅ healthy", "✅ dobrze"},
		"health.level.amber":        {"⚠️ watch", "⚠️ uwaga"},
		"health.level.red":          {"🔴 at risk", "🔴 ryzyko"},
		"health.level.unknown":      {"? unknown", "? brak danych"},
		"health.cell.tx":            {"%d/month", "%d/mies."},
		"health.cell.noreply":       {"no reply (%s)", "brak odp. (%s)"},
		"health.cell.init.green":    {"high", "wysoka"},
		"health.cell.init.amber":    {"medium", "średnia"},
		"health.cell.init.red":      {"none", "brak"},
		"health.cell.edu.green":     {"yes", "TAK"},
		"health.cell.edu.red":       {"no", "NIE"},
		"health.cell.edu.amber":     {"some", "trochę"},
		"health.col.partner":        {"partner", "partner"},
		"health.col.trend":          {"trend", "trend"},
		"health.col.transactions":   {"transactions", "transakcje"},
		"health.col.responsiveness": {"responsiveness", "odpowiedzi"},
		"health.col.initiative":     {"initiative", "inicjatywa"},
		"health.col.education":      {"education", "edukacja"},
		"health.col.verdict":        {"verdict", "ocena"},
	})
}

// Columns names the dashboard's columns in l, partner first and the
// verdict last, the metrics in Verdict.Metrics order between them.
func Columns(l bot.Locale) []string {
	names := []string{"partner", "trend", "transactions", "responsiveness", "initiative", "education", "verdict"}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = i18n.T(l, "health.col."+n)
	}
	return out
}

// MetricName names a metric (Verdict.Metrics) in l.
func MetricName(l bot.Locale, name string) string { return i18n.T(l, "health.col."+name) }
