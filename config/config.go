// Package config reads partnerbot's configuration: one YAML file plus
// secrets from the environment, with a default for every key so that no
// file is needed at all.
//
// A file is read strictly: an unknown key, a value of the wrong type or a
// value out of range is an error that names the dotted key and the file's
// line, and every problem in the file is reported at once. Secrets (chat
// tokens, the API token) are never read from the file, so a config file
// can be committed and shown in `partnerbot config check`.
package config

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"

	// The program zone must load even on hosts (scratch containers)
	// without a zoneinfo database.
	_ "time/tzdata"

	"gopkg.in/yaml.v3"

	"partnerbot/bot"
)

// Config is partnerbot's resolved configuration. Get one from Default or
// Load; after changing fields in code, call Validate, which also resolves
// Location, Currency and the Money thresholds.
type Config struct {
	Program   Program   `yaml:"program"`
	HTTP      HTTP      `yaml:"http"`
	DB        DB        `yaml:"db"`
	Ingest    Ingest    `yaml:"ingest"`
	Slack     Slack     `yaml:"slack"`
	Discord   Discord   `yaml:"discord"`
	Admins    Admins    `yaml:"admins"`
	Community Community `yaml:"community"`
	Jobs      Jobs      `yaml:"jobs"`
	Segments  Segments  `yaml:"segments"`
	Tiers     Tiers     `yaml:"tiers"`
	Health    Health    `yaml:"health"`
	Alerts    Alerts    `yaml:"alerts"`
	Outbox    Outbox    `yaml:"outbox"`
	Caps      Caps      `yaml:"caps"`
	// Commissions configures the commission lifecycle.
	Commissions Commissions `yaml:"commissions"`
	Log         Log         `yaml:"log"`

	// Secrets come from the environment only (ApplyEnv).
	Secrets Secrets `yaml:"-"`

	file    string            // the file Load read, for error positions
	lines   map[string]int    // dotted key -> line in file
	fromEnv map[string]string // dotted key -> env var that set it
	loc     *time.Location
	cur     bot.Currency
	proxies []netip.Prefix
}

// Program describes the partner program itself.
type Program struct {
	Name       string     `yaml:"name"`
	Timezone   string     `yaml:"timezone"` // IANA zone; schedules and calendars run in it
	Currency   string     `yaml:"currency"` // ISO 4217
	Locale     bot.Locale `yaml:"locale"`   // default language of messages
	LandingURL string     `yaml:"landing_url"`
}

// HTTP configures the API, webhook and referral server.
type HTTP struct {
	Listen string `yaml:"listen"`
	// PublicURL is the bot's address as the internet sees it; referral
	// links are PublicURL + "/r/" + code. Validate strips a trailing slash.
	PublicURL       string   `yaml:"public_url"`
	MaxBodyBytes    int64    `yaml:"max_body_bytes"`
	ReadTimeout     Duration `yaml:"read_timeout"`
	WriteTimeout    Duration `yaml:"write_timeout"`
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// TrustedProxies are the addresses (CIDRs or single IPs) of reverse
	// proxies whose X-Forwarded-For is believed; from anyone else the
	// header is ignored. Empty: nobody's.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// MaxClicksPerAddress is how many referral clicks one address may
	// have counted per code per day; more are redirected but not counted.
	MaxClicksPerAddress int `yaml:"max_clicks_per_address"`
}

// DB configures the bbolt file.
type DB struct {
	Path        string   `yaml:"path"`
	LockTimeout Duration `yaml:"lock_timeout"`
}

// Ingest bounds event ingestion.
type Ingest struct {
	BatchSize int `yaml:"batch_size"` // events per import transaction
	// MaxRequestEvents is the most events one POST /api/v1/events may
	// carry (413 beyond it).
	MaxRequestEvents int      `yaml:"max_request_events"`
	MaxFuture        Duration `yaml:"max_future"` // how far ahead of now an event time may be
}

// Slack configures the Slack client; tokens are in Secrets.
type Slack struct {
	APIURL string `yaml:"api_url"` // "" means Slack itself
}

// Discord configures the Discord client; tokens are in Secrets.
type Discord struct {
	APIURL  string `yaml:"api_url"`  // "" means Discord itself
	GuildID string `yaml:"guild_id"` // "" registers commands globally
	// DMCommands registers the commands globally with the bot-DM context
	// as well as servers, so partners can use them in a DM with the bot.
	// Global commands reach clients slowly (up to an hour); a guild_id
	// set beside it has its guild commands cleared, so none show twice.
	DMCommands bool `yaml:"dm_commands"`
}

// Community names the program's shared channels: the promo calendar and
// the tips go there.
type Community struct {
	SlackChannel   string `yaml:"slack_channel"`
	DiscordChannel string `yaml:"discord_channel"`
}

// Admins lists the chat users allowed to run admin commands.
type Admins struct {
	Slack   []string `yaml:"slack"`
	Discord []string `yaml:"discord"`
}

// Job is one entry of the communication calendar.
type Job struct {
	// Cron is a standard five-field spec or a descriptor like @daily,
	// read in the program's time zone.
	Cron    string `yaml:"cron"`
	Enabled bool   `yaml:"enabled"`
	// CatchUp is how long after its due time a run missed while the bot
	// was down is still made up; 0 means until the end of that day.
	CatchUp Duration `yaml:"catch_up,omitempty"`
	// Lead is how far ahead promo_notice announces a promotion; only
	// promo_notice has one.
	Lead Duration `yaml:"lead,omitempty"`
	// EveryWeeks makes tip run only every n-th ISO week; only tip has
	// it, 0 elsewhere.
	EveryWeeks int `yaml:"every_weeks,omitempty"`
}

// Jobs is the communication calendar.
type Jobs struct {
	WeeklyReport    Job `yaml:"weekly_report"`
	PromoCalendar   Job `yaml:"promo_calendar"`
	PromoNotice     Job `yaml:"promo_notice"`
	Tip             Job `yaml:"tip"`
	Compliance      Job `yaml:"compliance"`
	CareAgenda      Job `yaml:"care_agenda"`
	RetentionReview Job `yaml:"retention_review"`
	HealthEval      Job `yaml:"health_eval"`
	FailureNote     Job `yaml:"failure_note"`
}

// NamedJob is a job with its config name ("weekly_report").
type NamedJob struct {
	Name string
	Job  Job
}

// List returns every job with its name, in the order of the file.
func (j *Jobs) List() []NamedJob {
	return []NamedJob{
		{"weekly_report", j.WeeklyReport},
		{"promo_calendar", j.PromoCalendar},
		{"promo_notice", j.PromoNotice},
		{"tip", j.Tip},
		{"compliance", j.Compliance},
		{"care_agenda", j.CareAgenda},
		{"retention_review", j.RetentionReview},
		{"health_eval", j.HealthEval},
		{"failure_note", j.FailureNote},
	}
}

// Lookup returns the job called name.
func (j *Jobs) Lookup(name string) (Job, bool) {
	for _, n := range j.List() {
		if n.Name == name {
			return n.Job, true
		}
	}
	return Job{}, false
}

// Segments holds the A/B/C segment thresholds on monthly turnover.
type Segments struct {
	AMinTurnover   Money   `yaml:"a_min_turnover"`  // at least this is A
	CMaxTurnover   Money   `yaml:"c_max_turnover"`  // under this is C
	ATopShare      float64 `yaml:"a_top_share"`     // the top share by turnover is A too
	InactiveMonths int     `yaml:"inactive_months"` // full months without turnover: inactive, C
}

// Tiers holds cumulative top shares by turnover rank; the rest is bronze.
type Tiers struct {
	Platinum float64 `yaml:"platinum"`
	Gold     float64 `yaml:"gold"`
	Silver   float64 `yaml:"silver"`
}

// Health holds the thresholds of the health metrics.
type Health struct {
	TrendStablePct    float64  `yaml:"trend_stable_pct"`   // ±% counted as stable
	TrendRedMonths    int      `yaml:"trend_red_months"`   // falling this many months in a row is red
	TransactionsGreen int      `yaml:"transactions_green"` // per month, at least
	TransactionsRed   int      `yaml:"transactions_red"`   // per month, under this is red
	ReplyGreen        Duration `yaml:"reply_green"`
	ReplyRed          Duration `yaml:"reply_red"`
	InitiativeGreen   int      `yaml:"initiative_green"` // partner-initiated contacts per month
	EducationWindow   Duration `yaml:"education_window"` // material use counted over this window
	NewPartnerDays    int      `yaml:"new_partner_days"` // grace period after joining: no red for lack of history, no alerts
}

// Alerts paces manager alerts about red partners.
type Alerts struct {
	RepeatAfter   Duration `yaml:"repeat_after"`   // remind while red and unacknowledged
	EscalateAfter Duration `yaml:"escalate_after"` // then tell the escalation target
}

// Outbox paces message delivery.
type Outbox struct {
	ChannelPerSecond float64 `yaml:"channel_per_second"`
	GlobalPerSecond  float64 `yaml:"global_per_second"`
	MaxAttempts      int     `yaml:"max_attempts"`
}

// Commissions configures the commission lifecycle.
type Commissions struct {
	// HoldDays is how many days a commission stays pending (the return
	// window) before it is approved, unless the platform of record
	// approves or voids it sooner. 0 approves it the day it is earned.
	HoldDays int `yaml:"hold_days"`
}

// Caps limits what partners are sent.
type Caps struct {
	WeeklyScheduledPerPartner int `yaml:"weekly_scheduled_per_partner"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text, json
}

// Secrets are read from the environment by ApplyEnv, never from the file.
type Secrets struct {
	SlackBotToken      string
	SlackAppToken      string
	SlackSigningSecret string
	DiscordBotToken    string
	DiscordAppID       string
	DiscordPublicKey   string
	APIToken           string
	// Webhook secrets of the platforms of record; a platform whose secret
	// is empty has no /hooks/ route.
	DubWebhookSecret       string
	RewardfulWebhookSecret string
	ToltWebhookSecret      string
	StripeWebhookSecret    string
	ShopifyWebhookSecret   string
}

// WebhookSecrets returns the webhook secrets by platform name.
func (s *Secrets) WebhookSecrets() map[string]string {
	return map[string]string{
		"dub": s.DubWebhookSecret, "rewardful": s.RewardfulWebhookSecret, "tolt": s.ToltWebhookSecret,
		"stripe": s.StripeWebhookSecret, "shopify": s.ShopifyWebhookSecret,
	}
}

// byEnv lists the secrets by environment variable, in print order.
func (s *Secrets) byEnv() []struct {
	env string
	v   *string
} {
	return []struct {
		env string
		v   *string
	}{
		{"SLACK_BOT_TOKEN", &s.SlackBotToken},
		{"SLACK_APP_TOKEN", &s.SlackAppToken},
		{"SLACK_SIGNING_SECRET", &s.SlackSigningSecret},
		{"DISCORD_BOT_TOKEN", &s.DiscordBotToken},
		{"DISCORD_APP_ID", &s.DiscordAppID},
		{"DISCORD_PUBLIC_KEY", &s.DiscordPublicKey},
		{"PARTNERBOT_API_TOKEN", &s.APIToken},
		{"DUB_WEBHOOK_SECRET", &s.DubWebhookSecret},
		{"REWARDFUL_WEBHOOK_SECRET", &s.RewardfulWebhookSecret},
		{"TOLT_WEBHOOK_SECRET", &s.ToltWebhookSecret},
		{"STRIPE_WEBHOOK_SECRET", &s.StripeWebhookSecret},
		{"SHOPIFY_WEBHOOK_SECRET", &s.ShopifyWebhookSecret},
	}
}

// The program's name when the config gives none, in its language.
const (
	DefaultNamePL = "Program partnerski"
	DefaultNameEN = "Partner program"
)

// EnvDB is the environment variable that overrides db.path.
const EnvDB = "PARTNERBOT_DB"

// Default returns the configuration partnerbot runs on with no file: every
// key at its default, validated, with Location and Currency resolved.
func Default() *Config {
	c := &Config{
		Program: Program{
			Name:       DefaultNamePL,
			Timezone:   "Europe/Warsaw",
			Currency:   "PLN",
			Locale:     bot.LocalePL,
			LandingURL: "https://example.com/",
		},
		HTTP: HTTP{
			Listen:              ":8080",
			PublicURL:           "http://localhost:8080",
			MaxBodyBytes:        10 << 20,
			ReadTimeout:         Duration(30 * time.Second),
			WriteTimeout:        Duration(30 * time.Second),
			ShutdownTimeout:     Duration(15 * time.Second),
			TrustedProxies:      []string{},
			MaxClicksPerAddress: 20,
		},
		DB:     DB{Path: "partnerbot.db", LockTimeout: Duration(2 * time.Second)},
		Ingest: Ingest{BatchSize: 5000, MaxRequestEvents: 10000, MaxFuture: Duration(24 * time.Hour)},
		Admins: Admins{Slack: []string{}, Discord: []string{}},
		Jobs: Jobs{
			WeeklyReport:    Job{Cron: "0 9 * * 1", Enabled: true},
			PromoCalendar:   Job{Cron: "0 9 1 * *", Enabled: true},
			PromoNotice:     Job{Cron: "0 * * * *", Enabled: true, Lead: Duration(48 * time.Hour)},
			Tip:             Job{Cron: "0 10 * * 3", Enabled: true, EveryWeeks: 2},
			Compliance:      Job{Cron: "0 9 1 1,4,7,10 *", Enabled: true},
			CareAgenda:      Job{Cron: "30 8 * * 1", Enabled: true},
			RetentionReview: Job{Cron: "0 9 1 1,4,7,10 *", Enabled: true},
			HealthEval:      Job{Cron: "0 7 * * *", Enabled: true},
			FailureNote:     Job{Cron: "0 8 * * *", Enabled: true},
		},
		Segments: Segments{
			AMinTurnover:   NewMoney("5000"),
			CMaxTurnover:   NewMoney("1000"),
			ATopShare:      0.20,
			InactiveMonths: 2,
		},
		Tiers: Tiers{Platinum: 0.05, Gold: 0.15, Silver: 0.40},
		Health: Health{
			TrendStablePct:    10,
			TrendRedMonths:    2,
			TransactionsGreen: 10,
			TransactionsRed:   5,
			ReplyGreen:        Duration(24 * time.Hour),
			ReplyRed:          Duration(7 * 24 * time.Hour),
			InitiativeGreen:   1,
			EducationWindow:   Duration(90 * 24 * time.Hour),
			NewPartnerDays:    60,
		},
		Alerts: Alerts{RepeatAfter: Duration(7 * 24 * time.Hour), EscalateAfter: Duration(3 * 24 * time.Hour)},
		Outbox: Outbox{ChannelPerSecond: 1, GlobalPerSecond: 20, MaxAttempts: 8},
		Caps:   Caps{WeeklyScheduledPerPartner: 3},

		Commissions: Commissions{HoldDays: 30},
		Log:         Log{Level: "info", Format: "text"},
	}
	if err := c.Validate(); err != nil {
		// The defaults are tested to validate; this is a programming error.
		panic("config: defaults do not validate: " + err.Error())
	}
	return c
}

// Load returns the defaults overlaid with the YAML file at path; path ""
// means defaults only. Keys the file leaves out keep their defaults, down
// to single fields of a job. The result is validated.
//
// Returns an EINVALID *bot.Error listing every problem, one a line, each
// as "file:line: key: what is wrong" (unknown and misspelled keys, values
// of the wrong type, secrets in the file, values Validate refuses), or
// the wrapped error of reading the file.
func Load(path string) (*Config, error) {
	c := Default()
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return parse(path, data)
}

// parse is Load of a file's contents.
func parse(path string, data []byte) (*Config, error) {
	c := Default()
	c.file = path
	c.lines = map[string]int{}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, syntaxError(path, err)
	}
	d := &decoder{file: path, lines: c.lines}
	d.document(&root, c)
	if c.Program.Name == DefaultNamePL && c.Program.Locale == bot.LocaleEN {
		c.Program.Name = DefaultNameEN // an English program left unnamed
	}
	probs := append(d.probs, c.validate()...)
	if err := joinProblems(probs); err != nil {
		return nil, err
	}
	return c, nil
}

// ApplyEnv reads the secrets through getenv (os.Getenv in production) and
// lets PARTNERBOT_DB override db.path. Unset or blank variables change
// nothing. The values need no further validation.
func (c *Config) ApplyEnv(getenv func(string) string) {
	for _, s := range c.Secrets.byEnv() {
		if v := strings.TrimSpace(getenv(s.env)); v != "" {
			*s.v = v
		}
	}
	if v := strings.TrimSpace(getenv(EnvDB)); v != "" {
		c.DB.Path = v
		if c.fromEnv == nil {
			c.fromEnv = map[string]string{}
		}
		c.fromEnv["db.path"] = EnvDB
	}
}

// TrustedProxies returns http.trusted_proxies as prefixes (a single IP
// is a /32 or /128), as resolved by the last successful Validate.
func (c *Config) TrustedProxies() []netip.Prefix { return c.proxies }

// Location returns the program's time zone as resolved by the last
// successful Validate (Default and Load validate), or UTC for a Config
// that was never validated.
func (c *Config) Location() *time.Location {
	if c.loc == nil {
		return time.UTC
	}
	return c.loc
}

// Currency returns the program's currency as resolved by the last
// successful Validate, or PLN for a Config that was never validated.
func (c *Config) Currency() bot.Currency {
	if c.cur.Code == "" {
		return bot.Currency{Code: "PLN", Digits: 2}
	}
	return c.cur
}

// Print writes the resolved configuration as YAML that Load reads back,
// followed by a `secrets` section (which Load refuses) saying which
// secret variables are set, masked: "set (xoxb-…abcd)" for a value of 16
// characters or more, "set" for a shorter one, "unset".
func (c *Config) Print(w io.Writer) error {
	var doc yaml.Node
	if err := doc.Encode(c); err != nil {
		return fmt.Errorf("print config: %w", err)
	}
	sec := &yaml.Node{Kind: yaml.MappingNode}
	for _, s := range c.Secrets.byEnv() {
		sec.Content = append(sec.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: s.env},
			&yaml.Node{Kind: yaml.ScalarNode, Value: Mask(*s.v)})
	}
	doc.Content = append(doc.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Value: "secrets",
			HeadComment: "from the environment only, masked; not a config key"},
		sec)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("print config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("print config: %w", err)
	}
	return nil
}

// Mask shows whether a secret is set without giving it away: "unset",
// "set", or for a value of 16 characters or more its first 5 and last 4,
// "set (xoxb-…abcd)".
func Mask(s string) string {
	if s == "" {
		return "unset"
	}
	r := []rune(s)
	if len(r) < 16 {
		return "set"
	}
	return "set (" + string(r[:5]) + "…" + string(r[len(r)-4:]) + ")"
}
