package alerts

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/health"
	"partnerbot/store"
)

var (
	warsaw, _ = time.LoadLocation("Europe/Warsaw")
	t0        = time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	day       = 24 * time.Hour
	pln       = bot.Currency{Code: "PLN", Digits: 2}
	admin     = bot.Target{Platform: "slack", User: "UADMIN"}
)

// env is a program with managers, partners, a store, a commands service
// with the alert buttons, and a notifier, on a manual clock.
type env struct {
	t     *testing.T
	ctx   context.Context
	clock *bot.ManualClock
	store *store.Store
	svc   *commands.Service
	n     *Notifier
}

// The people:
//   - kasia looks after janko and salon-bez; escalates to boss (Discord DM);
//   - olek looks after apteka; escalates to the Slack channel CESC;
//   - tomek has no chat account and looks after nowy;
//   - sierota has no manager.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	clock := bot.NewManualClock(t0)
	st, err := store.Open(filepath.Join(t.TempDir(), "test.db"), store.Options{Location: warsaw, Clock: clock, DefaultLocale: bot.LocaleEN})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	managers := []bot.Manager{
		{ID: "boss", Name: "Basia Boss", Locale: bot.LocalePL, DiscordUser: "900"},
		{ID: "kasia", Name: "Kasia", Locale: bot.LocaleEN, SlackUser: "UKASIA", DiscordUser: "901", Escalation: "boss"},
		{ID: "olek", Name: "Olek", Locale: bot.LocalePL, SlackUser: "UOLEK", Escalation: "slack:CESC"},
		{ID: "tomek", Name: "Tomek", Locale: bot.LocaleEN},
	}
	for i := range managers {
		if _, err := st.PutManager(ctx, &managers[i]); err != nil {
			t.Fatal(err)
		}
	}
	partners := []bot.Partner{
		{ID: "janko", Name: "Sklep u Janka", Manager: "kasia", SlackUser: "UJANKO", DiscordUser: "100"},
		{ID: "apteka", Name: "Apteka Pod Lipami", Manager: "olek"},
		{ID: "nowy", Name: "Nowy Sklep", Manager: "tomek"},
		{ID: "sierota", Name: "Sierota"},
	}
	for i := range partners {
		p := partners[i]
		p.Locale, p.Status, p.Joined = bot.LocalePL, bot.StatusActive, bot.MustDate("2025-03-01")
		if _, err := st.PutPartner(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	svc := commands.New(commands.Options{Store: st, Clock: clock, Location: warsaw, Currency: pln, Locale: bot.LocaleEN,
		PublicURL: "https://bot.example", Program: "Test", Rules: health.DefaultRules,
		Admins: map[string][]string{"slack": {"UADMIN"}}, Logger: slog.New(slog.DiscardHandler)})
	n := &Notifier{Store: st, Locale: bot.LocaleEN, Location: warsaw, Currency: pln, Admins: []bot.Target{admin},
		Clock: clock, Logger: slog.New(slog.DiscardHandler), Policy: DefaultPolicy}
	Register(svc, n)
	return &env{t: t, ctx: ctx, clock: clock, store: st, svc: svc, n: n}
}

func (e *env) partner(id string) *bot.Partner {
	e.t.Helper()
	p, err := e.store.Partner(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// handle runs the notifier for partner id at the clock's now.
func (e *env) handle(id string, v health.Verdict) {
	e.t.Helper()
	if err := e.n.Handle(e.ctx, e.partner(id), v, e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
}

// at moves the clock to t0+d and runs the notifier.
func (e *env) at(d time.Duration, id string, v health.Verdict) {
	e.t.Helper()
	e.clock.Set(t0.Add(d))
	e.handle(id, v)
}

func (e *env) items() []store.OutboxItem {
	e.t.Helper()
	its, err := e.store.OutboxItems(e.ctx, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return its
}

// kinds lists the outbox items as "kind→target".
func (e *env) kinds() []string {
	var out []string
	for _, it := range e.items() {
		out = append(out, it.Kind+"→"+it.Target.String())
	}
	return out
}

func (e *env) state(id string) store.AlertState {
	e.t.Helper()
	st, _, err := e.store.AlertState(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

// press runs a button as a chat user through the commands service.
func (e *env) press(platform, user, action, value string) *bot.Message {
	e.t.Helper()
	c, err := e.svc.Resolve(e.ctx, platform, user, "D1")
	if err != nil {
		e.t.Fatal(err)
	}
	return e.svc.Interact(e.ctx, c, action, value)
}

func red() health.Verdict {
	return health.Verdict{Level: health.Red,
		Trend:        health.Metric{Level: health.Red, Reason: health.Reason{Key: "health.trend.falling", Args: []any{3, "3 000 → 1 500 → 500 zł"}}},
		Transactions: health.Metric{Level: health.Red, Reason: health.Reason{Key: "health.tx.low", Args: []any{"2 sales", "October", 10}}},
		Response:     health.Metric{Level: health.Green, Reason: health.Reason{Key: "health.reply.fast", Args: []any{"3 hours"}}},
	}
}

func amber() health.Verdict {
	return health.Verdict{Level: health.Amber,
		Transactions: health.Metric{Level: health.Red, Reason: health.Reason{Key: "health.tx.low", Args: []any{"2 sales", "October", 10}}}}
}

func green() health.Verdict { return health.Verdict{Level: health.Green} }

func equal(a, b []string) bool { return strings.Join(a, "|") == strings.Join(b, "|") }
