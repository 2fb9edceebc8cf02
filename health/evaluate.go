package health

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// TrendMonths is how many full months a trend is judged over.
const TrendMonths = 6

// EvalSource is what an Evaluator reads: the store.
type EvalSource interface {
	Partners(ctx context.Context) ([]bot.Partner, error)
	Totals(ctx context.Context, partner string, from, to bot.Date) (bot.Totals, error)
	AllTotals(ctx context.Context, from, to bot.Date) (map[string]bot.Totals, error)
	AllTotalsIn(ctx context.Context, periods []bot.Period) ([]map[string]bot.Totals, error)
	PartnerEvents(ctx context.Context, partner string, start, end time.Time, types ...bot.EventType) ([]bot.Event, error)
	ChangeStamp(from, to bot.Date) uint64
}

// Evaluator gathers a partner's Facts from the store and judges them. It
// only reads; storing verdicts is Record's.
type Evaluator struct {
	// Currency writes the amounts in reasons; PLN when zero.
	Currency bot.Currency

	src   EvalSource
	t     Thresholds
	rules Rules
	loc   *time.Location
	board *Board

	mu   sync.Mutex
	prog programCache
}

// programCache remembers what the program records (contacts, materials)
// for one window, so judging one partner does not read every partner.
type programCache struct {
	from, to bot.Date
	stamp    uint64
	flags    programFlags
	ok       bool
}

type programFlags struct{ contacts, materials bool }

// Result is one partner's verdict with its standing.
type Result struct {
	Partner  bot.Partner
	Verdict  Verdict
	Standing Standing
}

// NewEvaluator returns an evaluator over src judging by t, with segments
// and inactivity by r, in the program zone loc. A zero Window in t is
// DefaultThresholds.Window.
func NewEvaluator(src EvalSource, t Thresholds, r Rules, loc *time.Location) *Evaluator {
	if t.Window <= 0 {
		t.Window = DefaultThresholds.Window
	}
	if loc == nil {
		loc = time.UTC
	}
	return &Evaluator{src: src, t: t, rules: r, loc: loc, board: NewBoard(src, r)}
}

// Thresholds returns the thresholds the evaluator judges by.
func (e *Evaluator) Thresholds() Thresholds { return e.t }

// Standings returns every active partner's standing on today (cached by
// the evaluator's board).
func (e *Evaluator) Standings(ctx context.Context, today bot.Date) (map[string]Standing, error) {
	return e.board.Standings(ctx, today)
}

// window returns the contact window ending at now and the days that
// cover it, for counting materials.
func (e *Evaluator) window(now time.Time) (start time.Time, from, to bot.Date) {
	start = now.Add(-e.t.Window)
	return start, bot.DateOf(start, e.loc), bot.DateOf(now, e.loc)
}

// fullMonths returns the first days of the n full months before today's,
// oldest first.
func fullMonths(today bot.Date, n int) []bot.Date {
	out := make([]bot.Date, n)
	for i := range n {
		out[i] = today.AddMonths(i - n)
	}
	return out
}

func monthEnd(first bot.Date) bot.Date { return first.AddMonths(1).AddDays(-1) }

// Evaluate judges one partner at now, whatever its status (callers skip
// paused and ended partners).
func (e *Evaluator) Evaluate(ctx context.Context, p *bot.Partner, now time.Time) (Verdict, error) {
	_, from, today := e.window(now)
	prog, err := e.program(ctx, from, today)
	if err != nil {
		return Verdict{}, err
	}
	return e.evaluate(ctx, p, now, prog)
}

// evaluate is Evaluate with the program's flags already read.
func (e *Evaluator) evaluate(ctx context.Context, p *bot.Partner, now time.Time, prog programFlags) (Verdict, error) {
	start, from, today := e.window(now)
	var err error
	firsts := fullMonths(today, TrendMonths)
	months := make([]bot.Totals, len(firsts))
	for i, m := range firsts {
		if m.Before(p.Joined) {
			continue
		}
		if months[i], err = e.src.Totals(ctx, p.ID, m, monthEnd(m)); err != nil {
			return Verdict{}, fmt.Errorf("health of %s: %w", p.ID, err)
		}
	}
	win, err := e.src.Totals(ctx, p.ID, from, today)
	if err != nil {
		return Verdict{}, fmt.Errorf("health of %s: %w", p.ID, err)
	}
	var contacts []bot.Event
	if prog.contacts {
		if contacts, err = e.src.PartnerEvents(ctx, p.ID, start, now, bot.EventContactIn, bot.EventContactOut); err != nil {
			return Verdict{}, fmt.Errorf("health of %s: %w", p.ID, err)
		}
	}
	return Judge(e.t, e.facts(p, now, firsts, months, win, contacts, prog)), nil
}

// program reports whether any partner recorded contacts or materials on
// the days from one date to another, cached while the store says nothing
// changed on them.
func (e *Evaluator) program(ctx context.Context, from, to bot.Date) (programFlags, error) {
	stamp := e.src.ChangeStamp(from, to)
	e.mu.Lock()
	defer e.mu.Unlock()
	if c := e.prog; c.ok && c.from == from && c.to == to && c.stamp == stamp {
		return c.flags, nil
	}
	all, err := e.src.AllTotals(ctx, from, to)
	if err != nil {
		return programFlags{}, fmt.Errorf("health: %w", err)
	}
	f := flagsOf(all)
	e.prog = programCache{from: from, to: to, stamp: stamp, flags: f, ok: true}
	return f, nil
}

func flagsOf(all map[string]bot.Totals) programFlags {
	var f programFlags
	for _, t := range all {
		f.contacts = f.contacts || t.ContactsIn+t.ContactsOut > 0
		f.materials = f.materials || t.Materials > 0
		if f.contacts && f.materials {
			break
		}
	}
	return f
}

// facts assembles what Judge needs. months are the totals of the full
// months starting on firsts; those before the partner joined are left out.
func (e *Evaluator) facts(p *bot.Partner, now time.Time, firsts []bot.Date, months []bot.Totals, win bot.Totals, contacts []bot.Event, prog programFlags) Facts {
	today := bot.DateOf(now, e.loc)
	f := Facts{Now: now, Currency: e.Currency, Materials: win.Materials, ProgramUsesMaterials: prog.materials,
		ProgramRecordsContacts: prog.contacts, InactiveMonths: e.rules.InactiveMonths,
		Joined: p.Joined, NotJoined: today.Before(p.Joined), New: e.rules.IsNew(p, today), GraceUntil: e.rules.GraceUntil(p)}
	if !p.Joined.IsZero() {
		f.DaysIn = today.Sub(p.Joined) + 1
	}
	for i, m := range firsts {
		// Only months the partner was in from their first day: ten days
		// are not judged as a month.
		if m.Before(p.Joined) {
			continue
		}
		f.Months = append(f.Months, months[i].Turnover())
		f.Sales = append(f.Sales, months[i].Sales)
		f.MonthNames = append(f.MonthNames, fmt.Sprintf("%04d-%02d", m.Year, m.Month))
	}
	for _, c := range contacts {
		f.Contacts = append(f.Contacts, Contact{At: c.At, Out: c.Type == bot.EventContactOut})
	}
	// Inactive by the partner's own months: a partner that joined last
	// month has not been quiet for two full months yet.
	f.Inactive = idle(f.Months, e.rules.InactiveMonths)
	return f
}

// EvaluateAll judges every active partner at now (paused and ended
// partners get no verdict), worst first, then by id. It reads each month
// once for all partners and reads events only of partners with contacts
// in the window, so its cost grows with partners, not their square.
func (e *Evaluator) EvaluateAll(ctx context.Context, now time.Time) ([]Result, error) {
	ps, err := e.src.Partners(ctx)
	if err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	return e.evaluateAll(ctx, ps, now)
}

// evaluateAll is EvaluateAll over partners already read.
func (e *Evaluator) evaluateAll(ctx context.Context, ps []bot.Partner, now time.Time) ([]Result, error) {
	start, from, today := e.window(now)
	k := max(e.rules.InactiveMonths, 1)
	n := max(TrendMonths, k)
	firsts := fullMonths(today, n)
	// The months, and then the window, in one read of each partner.
	periods := make([]bot.Period, n+1)
	for i, m := range firsts {
		periods[i] = bot.Period{From: m, To: monthEnd(m)}
	}
	periods[n] = bot.Period{From: from, To: today}
	sums, err := e.src.AllTotalsIn(ctx, periods)
	if err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	byMonth, win := sums[:n], sums[n]
	prog := flagsOf(win)
	e.mu.Lock()
	e.prog = programCache{from: from, to: today, stamp: e.src.ChangeStamp(from, today), flags: prog, ok: true}
	e.mu.Unlock()

	var active []*bot.Partner
	var in []Input
	for i := range ps {
		p := &ps[i]
		if p.Status != bot.StatusActive {
			continue
		}
		active = append(active, p)
		in = append(in, e.rules.InputOf(p, today, firsts[n-k:], func(j int) bot.Amount { return byMonth[n-k+j][p.ID].Turnover() }))
	}
	standings := Standings(e.rules, in)

	out := make([]Result, 0, len(active))
	months := make([]bot.Totals, TrendMonths)
	for _, p := range active {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for i := range TrendMonths {
			months[i] = byMonth[n-TrendMonths+i][p.ID]
		}
		w := win[p.ID]
		var contacts []bot.Event
		if prog.contacts && w.ContactsIn+w.ContactsOut > 0 {
			if contacts, err = e.src.PartnerEvents(ctx, p.ID, start, now, bot.EventContactIn, bot.EventContactOut); err != nil {
				return nil, fmt.Errorf("health of %s: %w", p.ID, err)
			}
		}
		v := Judge(e.t, e.facts(p, now, firsts[n-TrendMonths:], months, w, contacts, prog))
		out = append(out, Result{Partner: *p, Verdict: v, Standing: standings[p.ID]})
	}
	SortResults(out)
	return out, nil
}

// Severity orders levels worst first: red 0, amber 1, green 2, unknown 3.
func Severity(l Level) int {
	switch l {
	case Red:
		return 0
	case Amber:
		return 1
	case Green:
		return 2
	}
	return 3
}

// SortResults orders results worst verdict first, then by partner id.
func SortResults(rs []Result) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := Severity(rs[i].Verdict.Level), Severity(rs[j].Verdict.Level)
		if a != b {
			return a < b
		}
		return rs[i].Partner.ID < rs[j].Partner.ID
	})
}

// VerdictStore keeps verdicts: the store.
type VerdictStore interface {
	PutVerdict(ctx context.Context, rec store.VerdictRecord) (changed bool, prev store.VerdictRecord, err error)
}

// NewRecord renders a verdict for storing: metric levels, and the reasons
// in Polish and English, so alerts and cards read them without judging.
func NewRecord(p *bot.Partner, v Verdict, s Standing, now time.Time) store.VerdictRecord {
	rec := store.VerdictRecord{Partner: p.ID, At: now.UTC(), Level: string(v.Level), Metrics: map[string]string{},
		Reasons: map[bot.Locale][]string{}, Segment: string(s.Segment), Tier: string(s.Tier)}
	for _, m := range v.Metrics() {
		rec.Metrics[m.Name] = string(m.Level)
	}
	for _, l := range []bot.Locale{bot.LocalePL, bot.LocaleEN} {
		rec.Reasons[l] = v.Reasons(l)
	}
	return rec
}

// Record stores a partner's verdict judged at now and reports whether its
// level changed (or it is the partner's first), with the verdict it
// replaced.
func Record(ctx context.Context, st VerdictStore, p *bot.Partner, v Verdict, s Standing, now time.Time) (changed bool, prev store.VerdictRecord, err error) {
	changed, prev, err = st.PutVerdict(ctx, NewRecord(p, v, s, now))
	if err != nil {
		return false, store.VerdictRecord{}, fmt.Errorf("record health of %s: %w", p.ID, err)
	}
	return changed, prev, nil
}

// EvaluateSome judges the given partners at now with their standings:
// what the ingest watch does for the partners new events touched. The
// program's flags and the standings are read once for all of them; when
// they are a large share of the program, every partner is judged at once
// (EvaluateAll's month-at-a-time reads) and the rest dropped. Partners
// that are not active get no result.
func (e *Evaluator) EvaluateSome(ctx context.Context, ids []string, now time.Time) ([]Result, error) {
	ps, err := e.src.Partners(ctx)
	if err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	if len(ids)*8 >= len(ps) {
		all, err := e.evaluateAll(ctx, ps, now)
		if err != nil {
			return nil, err
		}
		out := all[:0]
		for _, r := range all {
			if want[r.Partner.ID] {
				out = append(out, r)
			}
		}
		return out, nil
	}
	_, from, today := e.window(now)
	prog, err := e.program(ctx, from, today)
	if err != nil {
		return nil, err
	}
	standings, err := e.board.Standings(ctx, today)
	if err != nil {
		return nil, err
	}
	var out []Result
	for i := range ps {
		p := &ps[i]
		if !want[p.ID] || p.Status != bot.StatusActive {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v, err := e.evaluate(ctx, p, now, prog)
		if err != nil {
			return nil, err
		}
		out = append(out, Result{Partner: *p, Verdict: v, Standing: standings[p.ID]})
	}
	return out, nil
}
