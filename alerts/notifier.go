package alerts

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"partnerbot/bot"
	"partnerbot/health"
	"partnerbot/i18n"
	"partnerbot/store"
)

// Store is what the Notifier needs of the ledger; *store.Store has it.
type Store interface {
	AlertState(ctx context.Context, partner string) (store.AlertState, bool, error)
	PutAlertState(ctx context.Context, st store.AlertState) error
	Partner(ctx context.Context, id string) (*bot.Partner, error)
	Manager(ctx context.Context, id string) (*bot.Manager, error)
	Enqueue(ctx context.Context, it *store.OutboxItem) (bool, error)
}

// Notifier turns verdicts into manager alerts in the outbox and answers
// the alert buttons.
type Notifier struct {
	Store    Store
	Locale   bot.Locale     // the program's language: admins and channels
	Location *time.Location // times in messages; nil is UTC
	Currency bot.Currency
	// Admins get the alerts of partners with no manager (or whose
	// manager has no chat account).
	Admins []bot.Target
	Clock  bot.Clock // for button presses; nil is the system clock
	Logger *slog.Logger
	Policy Policy

	// mu serializes read-decide-write of alert states between Handle
	// and the buttons, so a press is never overwritten by a tick.
	mu sync.Mutex
	// group collects the new red episodes of one evaluation, by
	// recipient, while mu is held; flush sends them.
	group map[bot.Target]*pendingGroup
}

// pendingGroup is the new red episodes one recipient is to hear of.
type pendingGroup struct {
	r       recipient
	multi   bool // the partners' alerts go to more than one recipient
	entries []pendingAlert
}

type pendingAlert struct {
	p   *bot.Partner
	v   health.Verdict
	st  store.AlertState
	now time.Time
}

func (n *Notifier) loc() *time.Location {
	if n.Location == nil {
		return time.UTC
	}
	return n.Location
}

func (n *Notifier) now() time.Time {
	if n.Clock == nil {
		return time.Now()
	}
	return n.Clock.Now()
}

func (n *Notifier) log() *slog.Logger {
	if n.Logger == nil {
		return slog.Default()
	}
	return n.Logger
}

func (n *Notifier) locale() bot.Locale {
	if n.Locale == "" {
		return bot.LocalePL
	}
	return n.Locale
}

// recipient is one reader of an alert: where it goes and in which
// language.
type recipient struct {
	target bot.Target
	locale bot.Locale
}

// Handle decides what partner p's verdict v at now calls for, enqueues
// the messages and records the new state. Paused and ended partners raise
// no alerts; an episode open when they were paused is closed quietly.
// Calling it again with the same facts sends nothing twice.
func (n *Notifier) Handle(ctx context.Context, p *bot.Partner, v health.Verdict, now time.Time) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.group = map[bot.Target]*pendingGroup{}
	if err := n.handle(ctx, n.Store, p, v, now); err != nil {
		return err
	}
	return n.flush(ctx, n.Store)
}

// HandleFunc is Handle reading and writing through st: one transaction
// of the caller's, shared by many partners.
type HandleFunc func(ctx context.Context, st Store, p *bot.Partner, v health.Verdict, now time.Time) error

// FlushFunc sends, through st, the alerts the partners handled so far
// raised: one message per recipient, grouping every partner that turned
// red. Call it in the same transaction as the handles, before it commits.
type FlushFunc func(ctx context.Context, st Store) error

// Batch runs fn with the notifier held, handing it Handle and Flush
// through a store of fn's choosing (a write transaction over many
// partners): partners that turn red in one batch reach each recipient as
// one grouped message when flush runs, not one DM each. Hold the notifier
// before opening the transaction: a button press holds it while it
// writes through the store, so the other order deadlocks.
func (n *Notifier) Batch(fn func(handle HandleFunc, flush FlushFunc) error) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.group = map[bot.Target]*pendingGroup{}
	defer func() { n.group = nil }()
	return fn(n.handle, n.flush)
}

func (n *Notifier) handle(ctx context.Context, s Store, p *bot.Partner, v health.Verdict, now time.Time) error {
	st, had, err := s.AlertState(ctx, p.ID)
	if err != nil {
		return fmt.Errorf("alert %s: %w", p.ID, err)
	}
	st.Partner = p.ID
	if p.Status != bot.StatusActive && p.Status != "" {
		if had && st.Red {
			return n.put(ctx, s, Close(st, now))
		}
		return nil
	}
	next, acts := Decide(st, had, v.Level, now, n.Policy)
	if len(acts) == 0 && sameState(next, st) {
		return nil
	}
	var mgr *bot.Manager
	if p.Manager != "" {
		m, err := s.Manager(ctx, p.Manager)
		switch {
		case bot.ErrorCode(err) == bot.ENOTFOUND:
			n.log().Warn("alert: partner's manager not found; telling admins", "partner", p.ID, "manager", p.Manager)
		case err != nil:
			return fmt.Errorf("alert %s: %w", p.ID, err)
		default:
			mgr = m
		}
	}
	for _, a := range acts {
		if a == Alert && n.group != nil {
			n.hold(p, mgr, v, next)
			continue
		}
		if err := n.send(ctx, s, a, p, mgr, v, next); err != nil {
			return fmt.Errorf("alert %s: %w", p.ID, err)
		}
	}
	return n.put(ctx, s, next)
}

// sameState compares two alert states.
func sameState(a, b store.AlertState) bool { return reflect.DeepEqual(a, b) }

// hold keeps a new red episode for flush.
func (n *Notifier) hold(p *bot.Partner, mgr *bot.Manager, v health.Verdict, st store.AlertState) {
	to := n.managerTargets(mgr)
	if len(to) == 0 {
		n.log().Warn("alert: nobody to tell", "partner", p.ID, "kind", string(Alert))
		return
	}
	for _, r := range to {
		g := n.group[r.target]
		if g == nil {
			g = &pendingGroup{r: r}
			n.group[r.target] = g
		}
		g.multi = g.multi || len(to) > 1
		g.entries = append(g.entries, pendingAlert{p: p, v: v, st: st, now: st.AlertedAt})
	}
}

// flush sends what hold kept: to each recipient, one alert for one
// partner, or one grouped alert for several. Each partner's state
// records the message (Announced), for the reminders' thread and the
// answers' updates. Keys are alert/PARTNER/EPISODE/alert[/TARGET] and
// alert_group/UNIXNANO/TARGET: a repeated evaluation doubles nothing.
func (n *Notifier) flush(ctx context.Context, s Store) error {
	groups := n.group
	n.group = map[bot.Target]*pendingGroup{}
	targets := make([]bot.Target, 0, len(groups))
	for t := range groups {
		targets = append(targets, t)
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].String() < targets[j].String() })
	for _, t := range targets {
		g := groups[t]
		var key string
		var msg *bot.Message
		if len(g.entries) == 1 {
			e := g.entries[0]
			key = fmt.Sprintf("alert/%s/%d/%s", e.p.ID, e.st.Episode, Alert)
			if g.multi {
				key += "/" + t.String()
			}
			msg = n.alertMessage(g.r.locale, e.p, e.v, e.st)
		} else {
			key = fmt.Sprintf("alert_group/%d/%s", g.entries[0].now.UnixNano(), t)
			msg = n.groupMessage(g.r.locale, key, g.entries)
		}
		if _, err := s.Enqueue(ctx, &store.OutboxItem{Key: key, Kind: string(Alert), Target: t, Message: *msg}); err != nil {
			return fmt.Errorf("alert to %s: %w", t, err)
		}
		for _, e := range g.entries {
			st, _, err := s.AlertState(ctx, e.p.ID)
			if err != nil {
				return fmt.Errorf("alert %s: %w", e.p.ID, err)
			}
			if st.Episode != e.st.Episode {
				continue
			}
			if st.Announced == nil {
				st.Announced = map[string]string{}
			}
			st.Announced[t.String()] = key
			if err := n.put(ctx, s, st); err != nil {
				return err
			}
		}
	}
	return nil
}

func (n *Notifier) put(ctx context.Context, s Store, st store.AlertState) error {
	if err := s.PutAlertState(ctx, st); err != nil {
		return fmt.Errorf("alert %s: %w", st.Partner, err)
	}
	return nil
}

// send enqueues one action's messages. Keys are
// alert/PARTNER/EPISODE/KIND[/N], with the target appended when a
// message goes to more than one: a repeated tick never doubles them.
func (n *Notifier) send(ctx context.Context, s Store, a Action, p *bot.Partner, mgr *bot.Manager, v health.Verdict, st store.AlertState) error {
	key := fmt.Sprintf("alert/%s/%d/%s", p.ID, st.Episode, a)
	if a == Remind {
		key += "/" + strconv.Itoa(st.Reminders)
	}
	var to []recipient
	if a == Escalate {
		if mgr == nil {
			return nil // the admins had the alert already
		}
		to = n.escalationTargets(ctx, s, mgr)
		if err := n.escalationNote(ctx, s, key, p, mgr, to); err != nil {
			return err
		}
	} else {
		to = n.managerTargets(mgr)
	}
	if len(to) == 0 {
		n.log().Warn("alert: nobody to tell", "partner", p.ID, "kind", string(a))
		return nil
	}
	for _, r := range to {
		var msg *bot.Message
		switch a {
		case Alert:
			msg = n.alertMessage(r.locale, p, v, st)
		case Remind:
			msg = n.reminderMessage(r.locale, p, v, st)
		case Escalate:
			msg = n.escalationMessage(r.locale, p, mgr, v, st)
		case Recovered:
			msg = n.recoveredMessage(r.locale, p, v)
		}
		k := key
		if len(to) > 1 {
			k += "/" + r.target.String()
		}
		// Partner stays empty: alerts go to managers and must never
		// count against the partner's weekly cap. Reminders and the
		// recovered note follow in the thread of the announcement.
		it := &store.OutboxItem{Key: k, Kind: string(a), Target: r.target, Message: *msg}
		if a == Remind || a == Recovered {
			it.Thread = st.Announced[r.target.String()]
		}
		if _, err := s.Enqueue(ctx, it); err != nil {
			return err
		}
	}
	return nil
}

// escalationNote tells the manager, in the thread of the alert it did
// not answer, whom the episode went to.
func (n *Notifier) escalationNote(ctx context.Context, s Store, key string, p *bot.Partner, mgr *bot.Manager, to []recipient) error {
	st, _, err := s.AlertState(ctx, p.ID)
	if err != nil {
		return err
	}
	// Whom it went to, as people know them: a manager's name, a channel.
	var names []string
	if kind, target, err := bot.ParseEscalation(mgr.Escalation); err == nil && mgr.Escalation != "" {
		switch boss, err := s.Manager(ctx, target); {
		case kind != "manager":
			names = append(names, "#"+target)
		case err == nil && boss.Name != "":
			names = append(names, boss.Name)
		default:
			names = append(names, target)
		}
	}

	sent := map[bot.Target]bool{}
	for _, r := range to {
		sent[r.target] = true
	}
	for _, r := range n.managerTargets(mgr) {
		parent := st.Announced[r.target.String()]
		if parent == "" || sent[r.target] {
			continue // never announced there, or the escalation itself goes there
		}
		who := strings.Join(names, ", ")
		if who == "" {
			who = i18n.T(r.locale, "alert.escalated.admins")
		}
		msg := bot.Message{Text: i18n.T(r.locale, "alert.escalated.note", p.Name, who), Color: "red"}
		if _, err := s.Enqueue(ctx, &store.OutboxItem{Key: key + "/note/" + r.target.String(), Kind: "alert_escalation_note",
			Target: r.target, Thread: parent, Message: msg}); err != nil {
			return err
		}
	}
	return nil
}

// dm is a person's DM target: Slack when they have it, else Discord.
func dm(slackUser, discordUser string) (bot.Target, bool) {
	switch {
	case slackUser != "":
		return bot.Target{Platform: "slack", User: slackUser}, true
	case discordUser != "":
		return bot.Target{Platform: "discord", User: discordUser}, true
	}
	return bot.Target{}, false
}

// managerTargets is the manager's DM, or the admins' when the partner
// has no manager or its manager no chat account.
func (n *Notifier) managerTargets(mgr *bot.Manager) []recipient {
	if mgr != nil {
		if t, ok := dm(mgr.SlackUser, mgr.DiscordUser); ok {
			return []recipient{{t, localeOr(mgr.Locale, n.locale())}}
		}
	}
	return n.adminTargets()
}

func (n *Notifier) adminTargets() []recipient {
	var out []recipient
	for _, t := range n.Admins {
		out = append(out, recipient{t, n.locale()})
	}
	return out
}

// escalationTargets is the manager's escalation target: another
// manager's DM or a channel. A manager with none escalates to the admins;
// a partner with no manager was the admins' already.
func (n *Notifier) escalationTargets(ctx context.Context, s Store, mgr *bot.Manager) []recipient {
	if mgr.Escalation == "" {
		return n.adminTargets()
	}
	kind, target, err := bot.ParseEscalation(mgr.Escalation)
	if err != nil {
		n.log().Warn("alert: bad escalation target; telling admins", "manager", mgr.ID, "escalation", mgr.Escalation)
		return n.adminTargets()
	}
	if kind != "manager" {
		return []recipient{{bot.Target{Platform: kind, Channel: target}, n.locale()}}
	}
	boss, err := s.Manager(ctx, target)
	if err == nil {
		if t, ok := dm(boss.SlackUser, boss.DiscordUser); ok {
			return []recipient{{t, localeOr(boss.Locale, n.locale())}}
		}
	}
	n.log().Warn("alert: escalation manager unreachable; telling admins", "manager", mgr.ID, "escalation", target)
	return n.adminTargets()
}

func localeOr(l, def bot.Locale) bot.Locale {
	if l == "" {
		return def
	}
	return l
}

func buttonValue(st store.AlertState) string { return st.Partner + ":" + strconv.Itoa(st.Episode) }

func (n *Notifier) buttons(l bot.Locale, st store.AlertState) []bot.Button {
	v := buttonValue(st)
	return []bot.Button{
		{Action: ActionAck, Value: v, Label: i18n.T(l, "alert.btn.ack"), Style: bot.ButtonPrimary},
		{Action: ActionSnooze, Value: v, Label: i18n.T(l, "alert.btn.snooze", days(l, n.Policy.snooze()))},
		{Action: ActionContact, Value: v, Label: i18n.T(l, "alert.btn.contact")},
	}
}

func days(l bot.Locale, d time.Duration) string {
	return i18n.N(l, int64(d/(24*time.Hour)), "day")
}

func bullets(lines []string) string {
	var b strings.Builder
	for i, s := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("• " + s)
	}
	return b.String()
}

// NextSteps returns the playbook's next steps (002, sections 05, 06 and
// 09) for what is red in v, in l.
func NextSteps(l bot.Locale, v health.Verdict) []string {
	var keys []string
	if v.Inactive {
		keys = append(keys, "alert.step.inactive")
	}
	if v.Trend.Level == health.Red {
		keys = append(keys, "alert.step.trend")
	}
	if v.Transactions.Level == health.Red && !v.Inactive {
		keys = append(keys, "alert.step.tx")
	}
	if v.Response.Level == health.Red {
		keys = append(keys, "alert.step.reply")
	}
	if v.Initiative.Level == health.Red {
		keys = append(keys, "alert.step.init")
	}
	if v.Education.Level == health.Red {
		keys = append(keys, "alert.step.edu")
	}
	if len(keys) == 0 {
		keys = append(keys, "alert.step.default")
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = i18n.T(l, k)
	}
	return out
}

func (n *Notifier) alertMessage(l bot.Locale, p *bot.Partner, v health.Verdict, st store.AlertState) *bot.Message {
	return &bot.Message{
		Title: i18n.T(l, "alert.title", p.Name, p.ID),
		Text: i18n.T(l, "alert.text", i18n.DateTime(l, st.Since, n.loc())) + "\n" + bullets(v.Reasons(l)) +
			"\n\n*" + i18n.T(l, "alert.next") + "*\n" + bullets(NextSteps(l, v)),
		Footer:  i18n.T(l, "alert.footer"),
		Color:   "red",
		Buttons: n.buttons(l, st),
	}
}

func (n *Notifier) reminderMessage(l bot.Locale, p *bot.Partner, v health.Verdict, st store.AlertState) *bot.Message {
	text := i18n.T(l, "alert.reminder.text", i18n.DateTime(l, st.Since, n.loc()))
	if r := v.Reasons(l); len(r) > 0 {
		text += "\n" + bullets(r)
	}
	return &bot.Message{
		Title:   i18n.T(l, "alert.reminder.title", p.Name, p.ID),
		Text:    text,
		Color:   "red",
		Buttons: n.buttons(l, st),
	}
}

func (n *Notifier) escalationMessage(l bot.Locale, p *bot.Partner, mgr *bot.Manager, v health.Verdict, st store.AlertState) *bot.Message {
	who := mgr.Name
	if who == "" {
		who = mgr.ID
	}
	return &bot.Message{
		Title: i18n.T(l, "alert.escalation.title", p.Name, p.ID),
		Text: i18n.T(l, "alert.escalation.text", i18n.DateTime(l, st.Since, n.loc()), who, mgr.ID, i18n.DateTime(l, st.AlertedAt, n.loc())) +
			"\n" + bullets(v.Reasons(l)) + "\n\n*" + i18n.T(l, "alert.next") + "*\n" + bullets(NextSteps(l, v)),
		Color:   "red",
		Buttons: n.buttons(l, st),
	}
}

// groupMessage announces several partners that turned red in one
// evaluation: each with its reasons and next step, as a list the
// adapters page, and buttons that answer for all of them.
func (n *Notifier) groupMessage(l bot.Locale, key string, entries []pendingAlert) *bot.Message {
	list := &bot.List{Locale: l, Total: len(entries)}
	for _, e := range entries {
		item := "*🔴 " + e.p.Name + " (" + e.p.ID + ")*"
		if r := e.v.Reasons(l); len(r) > 0 {
			item += "\n" + bullets(r)
		}
		item += "\n→ " + strings.Join(NextSteps(l, e.v), " ")
		list.Items = append(list.Items, item)
	}
	v := groupPrefix + key
	return &bot.Message{
		Title:   i18n.T(l, "alert.group.title", i18n.N(l, int64(len(entries)), "partner")),
		Text:    i18n.T(l, "alert.group.text", i18n.DateTime(l, entries[0].now, n.loc())),
		List:    list,
		Footer:  i18n.T(l, "alert.group.footer"),
		Color:   "red",
		Buttons: n.groupButtons(l, v, entries),
	}
}

// groupContactButtons is how many partners of a group get a Log contact
// button of their own: more would not fit Discord's 25 buttons nicely.
const groupContactButtons = 8

// groupButtons answer for the whole group, and for a small group log a
// contact with each partner.
func (n *Notifier) groupButtons(l bot.Locale, v string, entries []pendingAlert) []bot.Button {
	bs := []bot.Button{
		{Action: ActionAck, Value: v, Label: i18n.T(l, "alert.btn.ack_all"), Style: bot.ButtonPrimary},
		{Action: ActionSnooze, Value: v, Label: i18n.T(l, "alert.btn.snooze_all", days(l, n.Policy.snooze()))},
	}
	if len(entries) > groupContactButtons {
		return bs
	}
	for _, e := range entries {
		bs = append(bs, bot.Button{Action: ActionContact, Value: buttonValue(e.st), Label: i18n.T(l, "alert.btn.contact_with", e.p.Name)})
	}
	return bs
}

func (n *Notifier) recoveredMessage(l bot.Locale, p *bot.Partner, v health.Verdict) *bot.Message {
	return &bot.Message{
		Title: i18n.T(l, "alert.recovered.title", p.Name, p.ID),
		Text:  i18n.T(l, "alert.recovered.text", p.Name, i18n.T(l, "alert.level."+string(v.Level))),
		Color: string(v.Level),
	}
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"alert.title":            {"🔴 %s (%s) turned red", "🔴 %s (%s) – stan czerwony"},
		"alert.text":             {"Health turned red on %s. Why:", "Zdrowie relacji na czerwono od %s. Dlaczego:"},
		"alert.next":             {"Next step", "Następny krok"},
		"alert.footer":           {"Playbook 002, sections 05, 06, 09. Acknowledge to stop reminders.", "Podręcznik programu 002, sekcje 05, 06, 09. Potwierdź, by wyłączyć przypomnienia."},
		"alert.step.trend":       {"Call to diagnose the drop (the AutoSerwis case: new staff were not told about the QR → train the staff, put up a bigger QR sticker).", "Zadzwoń i ustal przyczynę spadku (jak w AutoSerwisie: nowi pracownicy nie wiedzieli o kodzie QR → przeszkol personel, daj większą naklejkę z kodem)."},
		"alert.step.tx":          {"Ask whether they tell customers about cashback; check that the QR is visible; offer a new, larger QR.", "Zapytaj, czy klienci słyszą o cashbacku; sprawdź, czy kod QR jest widoczny; zaproponuj nowy, większy kod."},
		"alert.step.inactive":    {"Reactivation call: find out why. If they want to come back, a fresh start with a new QR and materials and a 2-week test of 3 transactions a week; if not, propose a pause or end fairly.", "Telefon reaktywacyjny: zapytaj, co się stało. Jeśli partner chce wrócić – nowy start (nowy kod QR, materiały) i dwutygodniowa próba: 3 transakcje w tygodniu; jeśli nie – zaproponuj przerwę albo zakończcie współpracę uczciwie."},
		"alert.step.reply":       {"Phone instead of writing: the message may not have arrived.", "Zadzwoń zamiast pisać: może wiadomość nie dotarła."},
		"alert.step.init":        {"Ask: is everything OK? Is anything bothering you?", "Zapytaj: „Czy wszystko w porządku? Czy coś przeszkadza?”"},
		"alert.step.edu":         {"Ask why the QR isn't shown; offer materials.", "Zapytaj, dlaczego kod QR nie jest na widoku; zaproponuj materiały."},
		"alert.step.default":     {"Call to diagnose: ask, don't accuse.", "Zadzwoń i ustal przyczynę: pytaj, nie oskarżaj."},
		"alert.btn.ack":          {"Acknowledge", "Potwierdź"},
		"alert.btn.snooze":       {"Snooze %s", "Odłóż na %s"},
		"alert.btn.contact":      {"Log contact", "Zapisz kontakt"},
		"alert.escalated.note":   {"⬆️ Not acknowledged: %s went to %s.", "⬆️ Bez potwierdzenia: alert o %s trafił do: %s."},
		"alert.escalated.admins": {"the admins", "administratorów"},
		"alert.btn.contact_with": {"Log contact: %s", "Zapisz kontakt: %s"},
		"alert.btn.ack_all":      {"Acknowledge all", "Potwierdź wszystkie"},
		"alert.btn.snooze_all":   {"Snooze all %s", "Odłóż wszystkie na %s"},
		"alert.group.title":      {"🔴 %s turned red", "🔴 Na czerwono: %s"},
		"alert.group.text":       {"Health turned red on %s. Each with why and the next step:", "Zdrowie relacji na czerwono od %s. Przy każdym: dlaczego i następny krok."},
		"alert.group.footer":     {"Log a contact with its button or /contact ID. Acknowledge to stop reminders.", "Kontakt zapisz przyciskiem albo przez /contact ID. Potwierdź, by wyłączyć przypomnienia."},
		"alert.reminder.title":   {"Reminder: %s (%s) is still red", "Przypomnienie: %s (%s) nadal na czerwono"},
		"alert.reminder.text":    {"Still red since %s, not acknowledged.", "Na czerwono od %s, bez potwierdzenia."},
		"alert.escalation.title": {"Escalation: %s (%s) is red", "Eskalacja: %s (%s) na czerwono"},
		"alert.escalation.text":  {"Red since %s; %s (%s) has not acknowledged the alert sent %s.", "Na czerwono od %[1]s; alert wysłany %[4]s nadal czeka na potwierdzenie (opiekun: %[2]s, %[3]s)."},
		"alert.recovered.title":  {"%s (%s) recovered", "%s (%s): już nie na czerwono"},
		"alert.recovered.text":   {"%s recovered: now %s.", "%s: koniec stanu czerwonego, teraz %s."},
		"alert.level.green":      {"green", "zielony"},
		"alert.level.amber":      {"amber", "żółty"},
		"alert.level.red":        {"red", "czerwony"},
		"alert.level.unknown":    {"unknown", "nieznany"},
	})
}
