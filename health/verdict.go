package health

import (
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/i18n"
)

// Level is a metric's or a verdict's colour.
type Level string

// The levels. Unknown means there is nothing to judge by (a partner too
// new for a trend, a program that records no materials) and does not
// count towards the verdict.
const (
	Green   Level = "green"
	Amber   Level = "amber"
	Red     Level = "red"
	Unknown Level = "unknown"
)

// Thresholds are the playbook's health thresholds (config: health).
type Thresholds struct {
	TrendStablePct    float64       // ±% still counted as stable
	TrendRedMonths    int           // falling this many months in a row is red
	TransactionsGreen int           // per month, at least
	TransactionsRed   int           // per month, under this is red
	ReplyGreen        time.Duration // replies within this are green
	ReplyRed          time.Duration // no reply, or after this, is red
	InitiativeGreen   int           // partner-initiated contacts per month for green
	Window            time.Duration // contacts and materials are counted over this window
}

// DefaultThresholds are playbook 002, section 07.
var DefaultThresholds = Thresholds{TrendStablePct: 10, TrendRedMonths: 2, TransactionsGreen: 10, TransactionsRed: 5,
	ReplyGreen: 24 * time.Hour, ReplyRed: 7 * 24 * time.Hour, InitiativeGreen: 1, Window: 90 * 24 * time.Hour}

// Contact is one contact event, in time order.
type Contact struct {
	At  time.Time
	Out bool // the manager reached out (contact_out); false: the partner wrote (contact_in)
}

// Facts are what a verdict is judged from.
type Facts struct {
	Now time.Time
	// Months are the turnover of the last full months, oldest first;
	// Sales the transactions in the same months. Months before the
	// partner joined are left out, so a new partner has few.
	Months     []bot.Amount
	MonthNames []string // for reasons: "październik"
	Sales      []int64
	// Contacts in the window, oldest first.
	Contacts []Contact
	// Materials used in the window; ProgramUsesMaterials says whether the
	// program records materials at all (if not, education is unknown).
	Materials            int64
	ProgramUsesMaterials bool
	// ProgramRecordsContacts says whether any contact is recorded in the
	// program; if not, responsiveness and initiative are unknown.
	ProgramRecordsContacts bool
	Inactive               bool // no turnover for the inactive months
	InactiveMonths         int
	// Currency of the amounts, for reasons; PLN when zero.
	Currency bot.Currency
	// Joined is the partner's joining day; NotJoined says Now is before
	// it (nothing is judged), New that the partner is in its grace period
	// until GraceUntil (nothing is red for lack of history, the verdict is
	// never red). DaysIn counts the days since joining, that one included.
	Joined     bot.Date
	NotJoined  bool
	New        bool
	GraceUntil bot.Date
	DaysIn     int
}

// Metric is one judged metric with its reason.
type Metric struct {
	Level  Level  `json:"level"`
	Reason Reason `json:"reason"`
}

// Reason is a sentence in a language-neutral form: an i18n key with its
// arguments, rendered for the reader (partner or manager) by Text.
type Reason struct {
	Key  string `json:"key"`
	Args []any  `json:"args,omitempty"`
}

// Text renders the reason in l.
func (r Reason) Text(l bot.Locale) string {
	if r.Key == "" {
		return ""
	}
	args := make([]any, len(r.Args))
	for i, a := range r.Args {
		switch v := a.(type) {
		case moneySeq:
			args[i] = v.text(l)
		case duration:
			args[i] = v.text(l)
		case count:
			args[i] = i18n.N(l, v.N, v.Noun)
		case date:
			args[i] = v.text(l)
		default:
			args[i] = a
		}
	}
	return i18n.T(l, r.Key, args...)
}

// Verdict is a partner's overall health with every metric and reason.
type Verdict struct {
	Level        Level  `json:"verdict"`
	Trend        Metric `json:"trend"`
	Transactions Metric `json:"transactions"`
	Response     Metric `json:"responsiveness"`
	Initiative   Metric `json:"initiative"`
	Education    Metric `json:"education"`
	Inactive     bool   `json:"inactive"`
	// New says the partner is in its grace period: judged gently, never
	// red, never alerted on. Note says why, first among the reasons.
	New  bool   `json:"new,omitempty"`
	Note Reason `json:"note,omitempty"`
}

// Metrics lists the five metrics with their names, in dashboard order.
func (v *Verdict) Metrics() []NamedMetric {
	return []NamedMetric{{"trend", v.Trend}, {"transactions", v.Transactions}, {"responsiveness", v.Response},
		{"initiative", v.Initiative}, {"education", v.Education}}
}

// NamedMetric is a metric with its name.
type NamedMetric struct {
	Name string
	Metric
}

// Reasons returns the reasons that explain the verdict, worst first: why
// it is red or amber, in words and numbers.
func (v *Verdict) Reasons(l bot.Locale) []string {
	var out []string
	if v.Note.Key != "" {
		out = append(out, v.Note.Text(l))
	}
	if v.Inactive {
		out = append(out, i18n.T(l, "health.inactive"))
	}
	for _, want := range []Level{Red, Amber} {
		for _, m := range v.Metrics() {
			if m.Level == want {
				out = append(out, m.Reason.Text(l))
			}
		}
	}
	return out
}

// Judge gives the verdict: red when the trend is red, the partner is
// inactive, or two or more metrics are red; amber when any metric is red
// or two are amber; green otherwise. Unknown metrics do not count.
func Judge(t Thresholds, f Facts) Verdict {
	if f.NotJoined {
		// Nothing happened yet that could be judged.
		none := Metric{Unknown, Reason{Key: "health.not_joined.metric"}}
		return Verdict{Level: Unknown, Trend: none, Transactions: none, Response: none, Initiative: none, Education: none,
			Note: Reason{Key: "health.not_joined", Args: []any{date(f.Joined)}}}
	}
	v := Verdict{
		Trend:        trend(t, f),
		Transactions: transactions(t, f),
		Response:     responsiveness(t, f),
		Initiative:   initiative(t, f),
		Education:    education(f),
		Inactive:     f.Inactive,
	}
	reds, ambers := 0, 0
	for _, m := range v.Metrics() {
		switch m.Level {
		case Red:
			reds++
		case Amber:
			ambers++
		}
	}
	switch {
	case v.Trend.Level == Red || v.Inactive || reds >= 2:
		v.Level = Red
	case reds == 1 || ambers >= 2:
		v.Level = Amber
	default:
		v.Level = Green
	}
	if f.New {
		// A grace period: what a new partner has not had time to show is
		// unknown above, and nothing else makes it red either.
		v.New = true
		v.Note = Reason{Key: "health.new", Args: []any{date(f.Joined), date(f.GraceUntil)}}
		if v.Level == Red {
			v.Level = Amber
		}
	}
	return v
}

// date renders a day in the reader's language: "5 listopada".
type date bot.Date

func (d date) text(l bot.Locale) string { return i18n.ShortDate(l, bot.Date(d)) }

// moneySeq renders "3 000 → 1 500 → 500 zł" in the reader's language.
type moneySeq struct {
	Amounts  []bot.Amount
	Currency bot.Currency
}

func (m moneySeq) text(l bot.Locale) string {
	cur := m.Currency
	if cur.Code == "" {
		cur = bot.Currency{Code: "PLN", Digits: 2}
	}
	parts := make([]string, len(m.Amounts))
	for i, a := range m.Amounts {
		s := i18n.Money(l, cur, a)
		if i < len(m.Amounts)-1 {
			// The unit once, at the end, as people write a series.
			s = strings.TrimSuffix(strings.TrimPrefix(s, cur.Code+" "), " zł")
			s = strings.TrimSuffix(s, " "+cur.Code)
		}
		parts[i] = s
	}
	return strings.Join(parts, " → ")
}

// count renders "2 transakcje" with the reader's plural.
type count struct {
	N    int64
	Noun string
}

// duration renders a reply time in days or hours.
type duration time.Duration

func (d duration) text(l bot.Locale) string {
	td := time.Duration(d)
	if td >= 48*time.Hour {
		return i18n.N(l, int64(td/(24*time.Hour)), "day")
	}
	return i18n.N(l, int64((td+time.Hour-1)/time.Hour), "hour")
}

func trend(t Thresholds, f Facts) Metric {
	n := len(f.Months)
	if n < 2 {
		return Metric{Unknown, Reason{Key: "health.trend.unknown"}}
	}
	if f.New && n < t.TrendRedMonths+1 {
		return Metric{Unknown, Reason{Key: "health.trend.unknown"}}
	}
	// Count the months in a row, back from the last, that fell by more
	// than the stable band.
	falls := 0
	for i := n - 1; i > 0; i-- {
		if !fell(t, f.Months[i-1], f.Months[i]) {
			break
		}
		falls++
	}
	seq := moneySeq{f.Months[max(0, n-1-falls):], f.Currency}
	last, prev := f.Months[n-1], f.Months[n-2]
	switch {
	case falls >= t.TrendRedMonths:
		return Metric{Red, Reason{Key: "health.trend.falling", Args: []any{falls, seq}}}
	case falls == 1:
		return Metric{Amber, Reason{Key: "health.trend.fell", Args: []any{moneySeq{[]bot.Amount{prev, last}, f.Currency}}}}
	case prev == 0 && last > 0, prev > 0 && float64(last-prev)/float64(prev)*100 > t.TrendStablePct:
		return Metric{Green, Reason{Key: "health.trend.growing", Args: []any{moneySeq{[]bot.Amount{prev, last}, f.Currency}}}}
	}
	return Metric{Green, Reason{Key: "health.trend.stable", Args: []any{moneySeq{[]bot.Amount{prev, last}, f.Currency}}}}
}

// fell reports whether turnover fell from a to b by more than the band.
func fell(t Thresholds, a, b bot.Amount) bool {
	if a <= 0 {
		return false
	}
	return float64(a-b)/float64(a)*100 > t.TrendStablePct
}

func transactions(t Thresholds, f Facts) Metric {
	if len(f.Sales) == 0 {
		return Metric{Unknown, Reason{Key: "health.tx.unknown"}}
	}
	n := f.Sales[len(f.Sales)-1]
	month := ""
	if len(f.MonthNames) > 0 {
		month = f.MonthNames[len(f.MonthNames)-1]
	}
	switch {
	case n >= int64(t.TransactionsGreen):
		return Metric{Green, Reason{Key: "health.tx.ok", Args: []any{count{n, "sale"}, month}}}
	case n < int64(t.TransactionsRed):
		return Metric{Red, Reason{Key: "health.tx.low", Args: []any{count{n, "sale"}, month, t.TransactionsGreen}}}
	}
	return Metric{Amber, Reason{Key: "health.tx.some", Args: []any{count{n, "sale"}, month, t.TransactionsGreen}}}
}

// responsiveness judges the manager's latest contact_out in the window:
// how long until the partner's next contact_in.
func responsiveness(t Thresholds, f Facts) Metric {
	if !f.ProgramRecordsContacts {
		return Metric{Unknown, Reason{Key: "health.reply.unknown"}}
	}
	var lastOut time.Time
	var reply time.Duration
	answered := false
	for i, c := range f.Contacts {
		if !c.Out {
			continue
		}
		// Judge the last outreach that has had time to be answered, or
		// the very last one if it was answered already.
		next := time.Time{}
		for _, d := range f.Contacts[i+1:] {
			if !d.Out {
				next = d.At
				break
			}
		}
		if !next.IsZero() {
			lastOut, reply, answered = c.At, next.Sub(c.At), true
		} else if f.Now.Sub(c.At) >= t.ReplyGreen || lastOut.IsZero() {
			lastOut, reply, answered = c.At, f.Now.Sub(c.At), false
		}
	}
	switch {
	case lastOut.IsZero():
		return Metric{Unknown, Reason{Key: "health.reply.none"}}
	case !answered && reply >= t.ReplyRed:
		return Metric{Red, Reason{Key: "health.reply.silent", Args: []any{duration(reply)}}}
	case !answered && reply < t.ReplyGreen:
		return Metric{Unknown, Reason{Key: "health.reply.waiting"}}
	case !answered:
		return Metric{Amber, Reason{Key: "health.reply.pending", Args: []any{duration(reply)}}}
	case reply >= t.ReplyRed:
		return Metric{Red, Reason{Key: "health.reply.slow", Args: []any{duration(reply)}}}
	case reply > t.ReplyGreen:
		return Metric{Amber, Reason{Key: "health.reply.late", Args: []any{duration(reply)}}}
	}
	return Metric{Green, Reason{Key: "health.reply.fast", Args: []any{duration(reply)}}}
}

// initiative counts the partner's messages that did not answer an
// outreach: a contact_in with no contact_out since its last contact_in.
func initiative(t Thresholds, f Facts) Metric {
	if !f.ProgramRecordsContacts {
		return Metric{Unknown, Reason{Key: "health.init.unknown"}}
	}
	own := 0
	pending := false // an outreach not yet answered
	for _, c := range f.Contacts {
		switch {
		case c.Out:
			pending = true
		case pending:
			pending = false // a reply, not initiative
		default:
			own++
		}
	}
	months := max(int(t.Window/(30*24*time.Hour)), 1)
	if f.DaysIn > 0 && f.DaysIn < months*30 {
		months = max(f.DaysIn/30, 1) // judged over the time it has been here
	}
	switch {
	case own == 0 && f.New:
		return Metric{Unknown, Reason{Key: "health.init.new"}}
	case own == 0:
		return Metric{Red, Reason{Key: "health.init.never", Args: []any{count{int64(months), "month"}}}}
	case own >= t.InitiativeGreen*months:
		return Metric{Green, Reason{Key: "health.init.ok", Args: []any{count{int64(own), "time"}, count{int64(months), "month"}}}}
	}
	return Metric{Amber, Reason{Key: "health.init.rare", Args: []any{count{int64(own), "time"}, count{int64(months), "month"}}}}
}

func education(f Facts) Metric {
	switch {
	case !f.ProgramUsesMaterials:
		return Metric{Unknown, Reason{Key: "health.edu.unknown"}}
	case f.Materials == 0 && f.New:
		return Metric{Unknown, Reason{Key: "health.edu.new"}}
	case f.Materials == 0:
		return Metric{Red, Reason{Key: "health.edu.none"}}
	}
	return Metric{Green, Reason{Key: "health.edu.ok", Args: []any{count{f.Materials, "time"}}}}
}

// Arrow is the dashboard's trend arrow.
func (v *Verdict) Arrow() string {
	switch v.Trend.Reason.Key {
	case "health.trend.growing":
		return "↑"
	case "health.trend.falling", "health.trend.fell":
		return "↓"
	case "health.trend.stable":
		return "→"
	}
	return "?"
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"health.not_joined":        {"not judged: joins the program on %s", "bez oceny: dołącza do programu %s"},
		"health.not_joined.metric": {"not in the program yet", "jeszcze poza programem"},
		"health.new":               {"new partner since %s: grace period until %s, no alerts until then", "nowy partner od %s: okres wdrożenia do %s, do tego czasu bez alertów"},
		"health.init.new":          {"new partner: too early to judge initiative", "nowy partner: za wcześnie, by ocenić inicjatywę"},
		"health.edu.new":           {"new partner: no materials used yet", "nowy partner: jeszcze bez materiałów"},
		"standing.new":             {"new partner", "nowy partner"},
		"health.inactive":          {"inactive: no turnover for 2+ full months", "brak aktywności: bez obrotu od 2+ pełnych miesięcy"},
		"health.trend.unknown":     {"too new for a trend", "za krótko w programie, by ocenić trend"},
		"health.trend.falling":     {"turnover down %d months in a row: %s", "obrót spada %d. miesiąc z rzędu: %s"},
		"health.trend.fell":        {"turnover fell last month: %s", "obrót spadł w ostatnim miesiącu: %s"},
		"health.trend.growing":     {"turnover growing: %s", "obrót rośnie: %s"},
		"health.trend.stable":      {"turnover stable: %s", "obrót stabilny: %s"},
		"health.tx.unknown":        {"no full month yet", "jeszcze bez pełnego miesiąca"},
		"health.tx.ok":             {"%s in %s", "%s (%s)"},
		"health.tx.low":            {"only %s in %s (healthy: %d+)", "tylko %s (%s; zdrowo: %d+)"},
		"health.tx.some":           {"%s in %s (healthy: %d+)", "%s (%s; zdrowo: %d+)"},
		"health.reply.unknown":     {"the program records no contacts", "program nie rejestruje kontaktów"},
		"health.reply.none":        {"no outreach to judge replies by", "brak kontaktu, po którym można ocenić odpowiedź"},
		"health.reply.waiting":     {"waiting for a reply (asked recently)", "czeka na odpowiedź (niedawne pytanie)"},
		"health.reply.silent":      {"no reply for %s", "bez odpowiedzi: %s"},
		"health.reply.pending":     {"no reply yet after %s", "bez odpowiedzi, czas oczekiwania: %s"},
		"health.reply.slow":        {"replied after %s", "czas odpowiedzi: %s (za długo)"},
		"health.reply.late":        {"replies after %s (healthy: within 24 hours)", "czas odpowiedzi: %s (zdrowo: do 24 godzin)"},
		"health.reply.fast":        {"replies within %s", "czas odpowiedzi: %s"},
		"health.init.unknown":      {"the program records no contacts", "program nie rejestruje kontaktów"},
		"health.init.never":        {"never writes first (over %s)", "nie pisze z własnej inicjatywy (okres: %s)"},
		"health.init.ok":           {"wrote first %s over %s", "własna inicjatywa: %s (okres: %s)"},
		"health.init.rare":         {"wrote first only %s over %s", "własna inicjatywa tylko %s (okres: %s)"},
		"health.edu.unknown":       {"the program records no materials", "program nie rejestruje materiałów"},
		"health.edu.none":          {"no education material used", "nie używa materiałów edukacyjnych"},
		"health.edu.ok":            {"used materials %s", "materiały użyte %s"},
	})
}
