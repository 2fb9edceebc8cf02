// Package commands is what partnerbot answers, on every platform. A
// command gets who is asking (a Caller) and its named arguments and
// returns a platform-neutral bot.Message; the Slack, Discord and console
// adapters only translate. One registry of Specs generates Slack routing,
// Discord command registration, the console and /help in both languages.
//
// Authorization lives here, not in the adapters: a partner sees only its
// own data, a manager only its own partners, admins everything.
package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"partnerbot/bot"
	"partnerbot/health"
	"partnerbot/i18n"
	"partnerbot/store"
)

// Store is what commands need of the ledger.
type Store interface {
	IdentityOf(ctx context.Context, platform, user string) (store.Identity, error)
	Partner(ctx context.Context, id string) (*bot.Partner, error)
	Partners(ctx context.Context) ([]bot.Partner, error)
	PutPartner(ctx context.Context, p *bot.Partner) (bool, error)
	Manager(ctx context.Context, id string) (*bot.Manager, error)
	Stats(ctx context.Context, partner string, p bot.Period, today bot.Date, cur bot.Currency) (bot.Stats, error)
	StatsAt(ctx context.Context, partner string, p bot.Period, now time.Time, cur bot.Currency) (bot.Stats, error)
	AllTotals(ctx context.Context, from, to bot.Date) (map[string]bot.Totals, error)
	ChangeStamp(from, to bot.Date) uint64
	Promotions(ctx context.Context) ([]bot.Promotion, error)
	Ingest(ctx context.Context, evs []bot.Event, lines []int) (bot.IngestResult, error)
	PutLinkCode(ctx context.Context, code string, lc store.LinkCode) error
	RedeemLinkCode(ctx context.Context, code, platform, user string, now time.Time) (*bot.Partner, error)
	AddNote(ctx context.Context, partner string, n store.Note) error
	Enqueue(ctx context.Context, it *store.OutboxItem) (bool, error)
	Notes(ctx context.Context, partner string, limit int) ([]store.Note, error)
	Verdict(ctx context.Context, partner string) (store.VerdictRecord, error)
	VerdictHistory(ctx context.Context, partner string, limit int) ([]store.HealthChange, error)
	OutboxByRef(ctx context.Context, platform, ref string) (*store.OutboxItem, error)
	OutboxItem(ctx context.Context, id uint64) (*store.OutboxItem, error)
}

// Options configure a Service.
type Options struct {
	Store     Store
	Clock     bot.Clock
	Location  *time.Location
	Currency  bot.Currency
	Locale    bot.Locale // the program's language, for people partnerbot does not know
	PublicURL string     // referral links are PublicURL/r/CODE
	Program   string     // the program's name
	Rules     health.Rules
	Admins    map[string][]string // platform → admin user ids
	LinkTTL   time.Duration       // how long a /linkcode code lasts; 7 days when zero
	Logger    *slog.Logger
	// Health judges a partner for /health and /partner; nil means health
	// is not configured (/partner then shows the last stored verdict).
	Health HealthFunc
	// CareAgenda builds a manager's care agenda for the week of today
	// (the Monday DM's content) for the Home view; nil leaves it out.
	CareAgenda func(ctx context.Context, m *bot.Manager, partners []bot.Partner, standings map[string]health.Standing, today bot.Date) (*bot.Message, error)
}

// Service runs commands and button actions.
type Service struct {
	opt     Options
	board   *health.Board
	specs   []*Spec
	byName  map[string]*Spec
	actions map[string]ActionFunc
	forms   map[string]FormFunc
	guard   linkGuard
}

// New returns a Service with every command registered.
func New(opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.LinkTTL <= 0 {
		opt.LinkTTL = 7 * 24 * time.Hour
	}
	if opt.Locale == "" {
		opt.Locale = bot.LocalePL
	}
	s := &Service{opt: opt, board: health.NewBoard(opt.Store, opt.Rules), byName: map[string]*Spec{}, actions: map[string]ActionFunc{},
		forms: map[string]FormFunc{}}
	s.guard.attempts = map[string][]time.Time{}
	for _, sp := range builtin() {
		s.Register(sp)
	}
	s.HandleAction(actionShareStats, (*Service).shareStats)
	s.HandleAction(ActionLogContact, (*Service).logContactAction)
	s.HandleAction(ActionReply, (*Service).replyForm)
	s.HandleAction(ActionPage, (*Service).page)
	s.HandleForm(FormReply, func(s *Service, ctx context.Context, c *Caller, id, text string) (*bot.Message, error) {
		return s.Run(ctx, c, "message", map[string]string{"id": id, "text": text}), nil
	})
	s.HandleForm(FormContact, func(s *Service, ctx context.Context, c *Caller, id, text string) (*bot.Message, error) {
		p, err := s.managed(ctx, c, id)
		if err != nil {
			return nil, err
		}
		return s.logContact(ctx, c, p, strings.TrimSpace(text))
	})
	return s
}

// Board returns the standings board the service ranks partners with, so
// reports share one cache.
func (s *Service) Board() *health.Board { return s.board }

// Audience says who may run a command.
type Audience int

// The audiences.
const (
	Anyone Audience = iota
	Partners
	Managers // managers and admins
)

// Arg is one argument of a command.
type Arg struct {
	Name     string
	Required bool
	// Rest takes the rest of a text command line ("/contact janko called
	// about the new QR"); only the last argument may.
	Rest bool
	// Choices, when set, are the only values the argument takes: Discord
	// offers them as a list. Empty means free text.
	Choices []string
	// MaxLen caps free text (Discord's max_length); 0 leaves the
	// platform's own limit.
	MaxLen int
	// Partner marks an argument naming one of the caller's partners:
	// Discord suggests them while the user types (see CompletePartners).
	Partner bool
}

// Handler runs a command for a caller with its named arguments.
type Handler func(s *Service, ctx context.Context, c *Caller, args map[string]string) (*bot.Message, error)

// Spec declares a command. Help texts come from i18n under
// "cmd.NAME.help" and "cmd.NAME.arg.ARG".
type Spec struct {
	Name     string
	Args     []Arg
	Audience Audience
	Examples []string
	Run      Handler
}

// Help returns the command's one-line description in locale l.
func (sp *Spec) Help(l bot.Locale) string { return i18n.T(l, "cmd."+sp.Name+".help") }

// ArgHelp returns an argument's description in locale l.
func (sp *Spec) ArgHelp(l bot.Locale, arg string) string {
	return i18n.T(l, "cmd."+sp.Name+".arg."+arg)
}

// Usage returns "/contact ID [note]".
func (sp *Spec) Usage() string { return sp.UsageIn(bot.LocaleEN) }

// argName is an argument's placeholder in l: "OKRES", "ID", "treść…".
func argName(l bot.Locale, a Arg) string {
	name := a.Name
	if key := "arg." + a.Name; i18n.Has(key) {
		name = i18n.T(l, key)
	}
	if a.Rest {
		return strings.ToLower(name) + "…"
	}
	return strings.ToUpper(name)
}

// UsageIn writes the command's usage with placeholders in l:
// "/mystats [OKRES]".
func (sp *Spec) UsageIn(l bot.Locale) string {
	var b strings.Builder
	b.WriteString("/" + sp.Name)
	for _, a := range sp.Args {
		name := argName(l, a)
		if a.Required {
			b.WriteString(" " + name)
		} else {
			b.WriteString(" [" + name + "]")
		}
	}
	return b.String()
}

// Register adds a command. Registering a name twice panics: the registry
// is built at start.
func (s *Service) Register(sp *Spec) {
	if _, dup := s.byName[sp.Name]; dup {
		panic("commands: duplicate command " + sp.Name)
	}
	s.specs = append(s.specs, sp)
	s.byName[sp.Name] = sp
}

// Specs returns every command in registration order: what the adapters
// register with Slack and Discord.
func (s *Service) Specs() []*Spec { return s.specs }

// Spec returns a command by name.
func (s *Service) Spec(name string) (*Spec, bool) {
	sp, ok := s.byName[strings.TrimPrefix(name, "/")]
	return sp, ok
}

// Caller is who is asking, resolved from a chat account.
type Caller struct {
	Platform  string // "slack", "discord" or "console"
	UserID    string
	ChannelID string
	Partner   *bot.Partner // a linked partner, or nil
	Manager   *bot.Manager // a linked manager, or nil
	Admin     bool         // listed in the config's admins
	Locale    bot.Locale
	// MessageRef is the platform's id of the message whose button was
	// pressed (a Slack ts, a Discord message id), when there is one.
	MessageRef string
}

// Known reports whether partnerbot knows the caller at all.
func (c *Caller) Known() bool { return c.Partner != nil || c.Manager != nil || c.Admin }

// Resolve finds who a chat account belongs to. An unknown account is not
// an error: it gets a Caller with no partner or manager, whom commands
// answer with how to link.
func (s *Service) Resolve(ctx context.Context, platform, userID, channelID string) (*Caller, error) {
	c := &Caller{Platform: platform, UserID: userID, ChannelID: channelID, Locale: s.opt.Locale}
	for _, id := range s.opt.Admins[platform] {
		if id == userID {
			c.Admin = true
		}
	}
	id, err := s.opt.Store.IdentityOf(ctx, platform, userID)
	switch {
	case bot.ErrorCode(err) == bot.ENOTFOUND:
		return c, nil
	case err != nil:
		return nil, fmt.Errorf("resolve %s user %s: %w", platform, userID, err)
	}
	return c, s.fill(ctx, c, id)
}

// ResolveID builds the caller for a partner or manager id: the console's
// `chat --as ID`. Returns ENOTFOUND when neither exists.
func (s *Service) ResolveID(ctx context.Context, id string) (*Caller, error) {
	c := &Caller{Platform: "console", UserID: id, Locale: s.opt.Locale}
	if _, err := s.opt.Store.Partner(ctx, id); err == nil {
		return c, s.fill(ctx, c, store.Identity{Kind: "partner", ID: id})
	}
	if _, err := s.opt.Store.Manager(ctx, id); err == nil {
		return c, s.fill(ctx, c, store.Identity{Kind: "manager", ID: id})
	}
	if id == "admin" {
		c.Admin = true
		return c, nil
	}
	return nil, bot.Errorf(bot.ENOTFOUND, "no partner or manager %q (or use --as admin)", id)
}

func (s *Service) fill(ctx context.Context, c *Caller, id store.Identity) error {
	switch id.Kind {
	case "partner":
		p, err := s.opt.Store.Partner(ctx, id.ID)
		if err != nil {
			return err
		}
		c.Partner, c.Locale = p, p.Locale
	case "manager":
		m, err := s.opt.Store.Manager(ctx, id.ID)
		if err != nil {
			return err
		}
		c.Manager, c.Locale = m, m.Locale
	}
	return nil
}

// ParseText turns a text command line ("2026-11", "janko called about
// QR") into named arguments by the command's declaration. Words beyond
// the declaration are kept aside for Run, which explains the usage in
// the caller's language.
func (s *Service) ParseText(name, text string) (map[string]string, error) {
	sp, ok := s.Spec(name)
	if !ok {
		return nil, bot.Keyed(bot.ENOTFOUND, "err.unknown_command", "unknown command /%s", name)
	}
	args := map[string]string{}
	rest := strings.TrimSpace(text)
	for i, a := range sp.Args {
		if rest == "" {
			break
		}
		if a.Rest || i == len(sp.Args)-1 && a.Rest {
			args[a.Name] = rest
			rest = ""
			break
		}
		word, tail, _ := strings.Cut(rest, " ")
		args[a.Name] = word
		rest = strings.TrimSpace(tail)
	}
	if rest != "" {
		args[ExtraArgs] = rest
	}
	return args, nil
}

// Run runs a command for a caller and always returns a message to show:
// problems become a friendly, private explanation in the caller's
// language, and internal errors are logged, never shown.
func (s *Service) Run(ctx context.Context, c *Caller, name string, args map[string]string) *bot.Message {
	l := c.Locale
	sp, ok := s.Spec(name)
	if !ok {
		return private(i18n.T(l, "err.unknown_command", "/"+strings.TrimPrefix(name, "/")))
	}
	if msg := s.admit(c, sp); msg != nil {
		return msg
	}
	if extra := args[ExtraArgs]; extra != "" {
		return private(i18n.T(l, "err.too_many_args", extra, sp.UsageIn(l)))
	}
	for _, a := range sp.Args {
		if a.Required && strings.TrimSpace(args[a.Name]) == "" {
			return private(i18n.T(l, "err.missing_arg", argName(l, a), sp.UsageIn(l)))
		}
	}
	msg, err := sp.Run(s, ctx, c, args)
	if err != nil {
		return s.failure(c, "/"+sp.Name, err)
	}
	return msg
}

// admit decides whether the caller may run the command, and if not, what
// to tell them.
func (s *Service) admit(c *Caller, sp *Spec) *bot.Message {
	l := c.Locale
	switch {
	case sp.Audience == Anyone:
		return nil
	case !c.Known():
		return s.unknownUser(c)
	case sp.Audience == Partners && c.Partner == nil:
		return private(i18n.T(l, "err.partners_only", "/"+sp.Name))
	case sp.Audience == Managers && c.Manager == nil && !c.Admin:
		return private(i18n.T(l, "err.managers_only", "/"+sp.Name))
	}
	return nil
}

// unknownUser explains how to link a chat account, in the program's
// language and, for a Polish program, in English too.
func (s *Service) unknownUser(c *Caller) *bot.Message {
	text := i18n.T(s.opt.Locale, "err.unknown_user")
	if s.opt.Locale != bot.LocaleEN {
		text += "\n\n" + i18n.T(bot.LocaleEN, "err.unknown_user")
	}
	return &bot.Message{Title: i18n.T(s.opt.Locale, "err.unknown_user.title"), Text: text, Private: true}
}

func (s *Service) failure(c *Caller, what string, err error) *bot.Message {
	l := c.Locale
	if e := bot.AsError(err); e != nil && e.Code != bot.EINTERNAL {
		text, ok := i18n.ErrorText(l, e)
		if !ok {
			s.opt.Logger.Warn("user error has no text in the catalogue", "command", what, "code", e.Code, "err", err)
		}
		return private(text)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return private(i18n.T(l, "err.timeout"))
	}
	s.opt.Logger.Error("command failed", "command", what, "platform", c.Platform, "user", c.UserID, "err", err)
	return private(i18n.T(l, "err.internal"))
}

// ExtraArgs is the key under which ParseText keeps the words typed beyond
// a command's arguments; Run answers them with the usage.
const ExtraArgs = "\x00extra"

func private(text string) *bot.Message { return &bot.Message{Text: text, Private: true} }

// ActionFunc handles a button press.
type ActionFunc func(s *Service, ctx context.Context, c *Caller, value string) (*bot.Message, error)

// HandleAction registers what a button's action does. Packages that add
// buttons (alerts) register theirs.
func (s *Service) HandleAction(action string, fn ActionFunc) {
	if _, dup := s.actions[action]; dup {
		panic("commands: duplicate action " + action)
	}
	s.actions[action] = fn
}

// Actions returns the name of every registered button action, sorted:
// what a test that must cover every button ranges over.
func (s *Service) Actions() []string {
	out := make([]string, 0, len(s.actions))
	for a := range s.actions {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Interact runs a button press and returns the message to show; like Run
// it never returns a raw error.
func (s *Service) Interact(ctx context.Context, c *Caller, action, value string) *bot.Message {
	fn, ok := s.actions[action]
	if !ok {
		return private(i18n.T(c.Locale, "err.unknown_action"))
	}
	if !c.Known() {
		return s.unknownUser(c)
	}
	msg, err := fn(s, ctx, c, value)
	if err != nil {
		return s.failure(c, "action "+action, err)
	}
	return msg
}

// HelpText lists the commands the caller may use, in their language.
func (s *Service) HelpText(c *Caller) *bot.Message {
	l := c.Locale
	var fields []bot.Field
	for _, sp := range s.specs {
		if sp.Audience == Partners && c.Partner == nil || sp.Audience == Managers && c.Manager == nil && !c.Admin {
			continue
		}
		fields = append(fields, bot.Field{Name: sp.UsageIn(l), Value: sp.Help(l)})
	}
	msg := &bot.Message{Title: i18n.T(l, "help.title", s.programName(l)), Fields: fields, Private: true,
		Footer: i18n.T(l, "help.footer", i18n.T(l, "period.syntax"))}
	if !c.Known() {
		msg.Text = i18n.T(l, "err.unknown_user")
	}
	return msg
}

// linkGuard limits /link guesses per chat account: a code is short enough
// to type, so guessing must be slow.
type linkGuard struct {
	mu       sync.Mutex
	attempts map[string][]time.Time
}

const (
	linkMaxFailures = 5
	linkWindow      = 15 * time.Minute
)

// allow reports whether key may try again at now, and if not, when.
func (g *linkGuard) allow(key string, now time.Time) (bool, time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	recent := g.attempts[key][:0]
	for _, t := range g.attempts[key] {
		if now.Sub(t) < linkWindow {
			recent = append(recent, t)
		}
	}
	g.attempts[key] = recent
	if len(recent) >= linkMaxFailures {
		return false, recent[0].Add(linkWindow)
	}
	return true, time.Time{}
}

func (g *linkGuard) fail(key string, now time.Time) {
	g.mu.Lock()
	g.attempts[key] = append(g.attempts[key], now)
	g.mu.Unlock()
}

func (g *linkGuard) reset(key string) {
	g.mu.Lock()
	delete(g.attempts, key)
	g.mu.Unlock()
}

// programName is the program's name for a reader: a name left at its
// default (Polish or English) is given in the reader's language, so an
// English partner of a Polish program does not read "Program partnerski".
func (s *Service) programName(l bot.Locale) string {
	for _, loc := range []bot.Locale{bot.LocalePL, bot.LocaleEN} {
		if s.opt.Program == i18n.T(loc, "program.default_name") {
			return i18n.T(l, "program.default_name")
		}
	}
	return s.opt.Program
}
