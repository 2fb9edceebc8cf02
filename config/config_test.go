package config

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
)

// writeFile writes content to a partnerbot.yaml in a temp dir.
func writeFile(tb testing.TB, content string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "partnerbot.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

func mustLoad(tb testing.TB, content string) *Config {
	tb.Helper()
	c, err := Load(writeFile(tb, content))
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return c
}

func printed(tb testing.TB, c *Config) string {
	tb.Helper()
	var b bytes.Buffer
	if err := c.Print(&b); err != nil {
		tb.Fatalf("Print: %v", err)
	}
	return b.String()
}

func TestDefault(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate = %v", err)
	}
	if got := c.Location().String(); got != "Europe/Warsaw" {
		t.Fatalf("Location = %q, want Europe/Warsaw", got)
	}
	if got := c.Currency(); got != (bot.Currency{Code: "PLN", Digits: 2}) {
		t.Fatalf("Currency = %+v", got)
	}
	if got := c.Segments.AMinTurnover.Amount(); got != 500000 {
		t.Fatalf("a_min_turnover = %d, want 500000", got)
	}
	if got := c.Jobs.WeeklyReport.Cron; got != "0 9 * * 1" {
		t.Fatalf("weekly_report.cron = %q", got)
	}

	loaded, err := Load("")
	if err != nil {
		t.Fatalf(`Load("") = %v`, err)
	}
	if got, want := printed(t, loaded), printed(t, c); got != want {
		t.Fatalf(`Load("") differs from Default():\n%s\nwant\n%s`, got, want)
	}
	if got, want := printed(t, mustLoad(t, "# nothing but a comment\n")), printed(t, c); got != want {
		t.Fatalf("an empty file differs from Default():\n%s", got)
	}
}

// The example documents every key with its default: it must load, set
// every key there is, and resolve to exactly the defaults.
func TestExample(t *testing.T) {
	c, err := Load("example.yaml")
	if err != nil {
		t.Fatalf("Load(example.yaml) = %v", err)
	}
	for _, key := range Keys() {
		if strings.HasPrefix(key, "jobs.") && strings.HasSuffix(key, ".catch_up") {
			continue // documented once, above the jobs
		}
		if c.lines[key] == 0 {
			t.Errorf("example.yaml does not document %s", key)
		}
	}
	if got, want := printed(t, c), printed(t, Default()); got != want {
		t.Fatalf("example.yaml does not resolve to the defaults:\n%s\nwant\n%s", got, want)
	}
}

func TestLoad_FullFile(t *testing.T) {
	c := mustLoad(t, `
program:
  name: Program Partnerski
  timezone: America/New_York
  currency: EUR
  locale: en-US
  landing_url: https://shop.example/
http:
  listen: 127.0.0.1:0
  public_url: https://bot.example.com/
  max_body_bytes: 2048
  read_timeout: 1m
db: {path: /var/lib/partnerbot/bot.db}
ingest: {batch_size: 100, max_future: 1h}
slack: {api_url: "http://127.0.0.1:9999/api/"}
discord: {guild_id: "80351110224678912"}
admins:
  slack: [U024BE7LH, W123ABC]
  discord: ["80351110224678912"]
jobs:
  weekly_report: {cron: "@weekly", catch_up: 6h}
  promo_notice: {lead: 3d}
  tip: {every_weeks: 1}
  health_eval: {enabled: false}
segments: {a_min_turnover: 7500.50, c_max_turnover: "500", a_top_share: 0.25}
tiers: {platinum: 0.1, gold: 0.2, silver: 0.5}
health: {reply_green: 12h, reply_red: 5d, education_window: 60d}
outbox: {channel_per_second: 0.5}
log: {level: debug, format: json}
`)
	for _, tc := range []struct {
		name     string
		got, any any
	}{
		{"program.name", c.Program.Name, "Program Partnerski"},
		{"Location", c.Location().String(), "America/New_York"},
		{"Currency", c.Currency().Code, "EUR"},
		{"program.locale", c.Program.Locale, bot.LocaleEN},
		{"http.listen", c.HTTP.Listen, "127.0.0.1:0"},
		{"http.public_url", c.HTTP.PublicURL, "https://bot.example.com"},
		{"http.max_body_bytes", c.HTTP.MaxBodyBytes, int64(2048)},
		{"http.read_timeout", c.HTTP.ReadTimeout, Duration(time.Minute)},
		{"http.write_timeout", c.HTTP.WriteTimeout, Duration(30 * time.Second)},
		{"db.path", c.DB.Path, "/var/lib/partnerbot/bot.db"},
		{"db.lock_timeout", c.DB.LockTimeout, Duration(2 * time.Second)},
		{"ingest.batch_size", c.Ingest.BatchSize, 100},
		{"slack.api_url", c.Slack.APIURL, "http://127.0.0.1:9999/api/"},
		{"discord.guild_id", c.Discord.GuildID, "80351110224678912"},
		{"admins.slack", strings.Join(c.Admins.Slack, ","), "U024BE7LH,W123ABC"},
		{"jobs.weekly_report.cron", c.Jobs.WeeklyReport.Cron, "@weekly"},
		{"jobs.weekly_report.catch_up", c.Jobs.WeeklyReport.CatchUp, Duration(6 * time.Hour)},
		{"jobs.promo_notice.lead", c.Jobs.PromoNotice.Lead, Duration(72 * time.Hour)},
		{"jobs.promo_notice.cron", c.Jobs.PromoNotice.Cron, "0 * * * *"},
		{"jobs.tip.every_weeks", c.Jobs.Tip.EveryWeeks, 1},
		{"jobs.health_eval.enabled", c.Jobs.HealthEval.Enabled, false},
		{"jobs.health_eval.cron", c.Jobs.HealthEval.Cron, "0 7 * * *"},
		{"segments.a_min_turnover", c.Segments.AMinTurnover.Amount(), bot.Amount(750050)},
		{"segments.c_max_turnover", c.Segments.CMaxTurnover.Amount(), bot.Amount(50000)},
		{"segments.inactive_months", c.Segments.InactiveMonths, 2},
		{"tiers.silver", c.Tiers.Silver, 0.5},
		{"health.reply_red", c.Health.ReplyRed, Duration(5 * 24 * time.Hour)},
		{"health.transactions_green", c.Health.TransactionsGreen, 10},
		{"outbox.channel_per_second", c.Outbox.ChannelPerSecond, 0.5},
		{"outbox.global_per_second", c.Outbox.GlobalPerSecond, 20.0},
		{"log.format", c.Log.Format, "json"},
	} {
		if tc.got != tc.any {
			t.Errorf("%s = %#v, want %#v", tc.name, tc.got, tc.any)
		}
	}
}

// Decoding overlays the file on the defaults field by field.
func TestLoad_PartialJobKeepsDefaults(t *testing.T) {
	c := mustLoad(t, "jobs:\n  tip:\n    enabled: false\n")
	want := Default().Jobs.Tip
	want.Enabled = false
	if c.Jobs.Tip != want {
		t.Fatalf("jobs.tip = %+v, want %+v", c.Jobs.Tip, want)
	}
	if c.Jobs.WeeklyReport != Default().Jobs.WeeklyReport {
		t.Fatalf("jobs.weekly_report = %+v, changed by a file that does not mention it", c.Jobs.WeeklyReport)
	}
	c = mustLoad(t, "program:\n  name: Other\njobs:\n")
	if c.Program.Timezone != "Europe/Warsaw" || c.Jobs.Tip.Cron != "0 10 * * 3" {
		t.Fatalf("defaults lost next to program.name: %+v", c.Program)
	}
}

func TestLoad_Errors(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		want string // after "partnerbot.yaml:"
	}{
		{"unknown key with suggestion",
			"program:\n  name: x\n  timzone: Europe/Warsaw\n",
			"3: unknown key program.timzone (did you mean program.timezone?)"},
		{"nested unknown key",
			"jobs:\n  weekly_report:\n    crn: \"0 9 * * 1\"\n",
			"3: unknown key jobs.weekly_report.crn (did you mean jobs.weekly_report.cron?)"},
		{"unknown section",
			"progam:\n  name: x\n",
			"1: unknown key progam (did you mean program?)"},
		{"unknown key far from any",
			"frobnicate: 1\n",
			"1: unknown key frobnicate (known keys: admins, alerts, caps,"},
		{"unknown job",
			"jobs:\n  weekly: {enabled: false}\n",
			"2: unknown key jobs.weekly (known keys under jobs: care_agenda,"},
		{"bad cron",
			"jobs:\n  weekly_report:\n    cron: \"0 9 * *\"\n",
			`3: jobs.weekly_report.cron: "0 9 * *" is not a cron spec`},
		{"cron out of range",
			"jobs:\n  tip: {cron: \"0 25 * * 3\"}\n",
			`2: jobs.tip.cron: "0 25 * * 3" is not a cron spec`},
		{"cron with a zone",
			"jobs:\n  weekly_report:\n    cron: \"CRON_TZ=UTC 0 9 * * 1\"\n",
			`3: jobs.weekly_report.cron: "CRON_TZ=UTC 0 9 * * 1": leave out the time zone, jobs run in program.timezone`},
		{"cron @every",
			"jobs:\n  health_eval:\n    cron: \"@every 1h\"\n",
			`3: jobs.health_eval.cron: "@every 1h": @every counts from when the bot started`},
		{"bad timezone",
			"program:\n  timezone: Mars/Olympus\n",
			`2: program.timezone: "Mars/Olympus" is not an IANA time zone`},
		{"Local timezone",
			"program:\n  timezone: Local\n",
			`2: program.timezone: "Local" is not an IANA time zone`},
		{"bad currency",
			"program:\n  currency: zloty\n",
			`2: program.currency: currency "zloty" is not an ISO 4217 code`},
		{"bad locale",
			"program:\n  locale: de\n",
			`2: program.locale: locale "de" is not supported (use pl or en)`},
		{"relative url",
			"program:\n  landing_url: shop.example\n",
			`2: program.landing_url: "shop.example" is not an absolute http(s) URL`},
		{"public url with query",
			"http:\n  public_url: https://bot.example/?x=1\n",
			`2: http.public_url: "https://bot.example/?x=1": referral links are built on it`},
		{"listen without port",
			"http:\n  listen: \"8080\"\n",
			`2: http.listen: "8080" is not host:port`},
		{"body limit",
			"http:\n  max_body_bytes: 100\n",
			"2: http.max_body_bytes: must be 1024 (1 KiB) to 1073741824 (1 GiB), got 100"},
		{"zero duration",
			"alerts:\n  repeat_after: 0\n",
			"2: alerts.repeat_after: must be longer than 0, got 0s"},
		{"batch size",
			"ingest: {batch_size: 0}\n",
			"1: ingest.batch_size: must be 1 to 100000, got 0"},
		{"tiers out of order",
			"tiers:\n  platinum: 0.05\n  gold: 0.5\n  silver: 0.4\n",
			"4: tiers.silver: must be above tiers.gold (0.5), got 0.4"},
		{"tier out of range",
			"tiers:\n  silver: 1.5\n",
			"2: tiers.silver: must be a share between 0 and 1"},
		{"a_min not above c_max",
			"segments:\n  a_min_turnover: 1000\n",
			"2: segments.a_min_turnover: must be above segments.c_max_turnover (1000.00), got 1000.00"},
		{"c_max raised past a_min",
			"segments:\n  c_max_turnover: \"6000\"\n",
			"2: segments.c_max_turnover: must be below segments.a_min_turnover (5000.00), got 6000.00"},
		{"a_top_share",
			"segments:\n  a_top_share: 1\n",
			"2: segments.a_top_share: must be a share between 0 and 1"},
		{"money with too many digits",
			"segments:\n  a_min_turnover: \"5000.505\"\n",
			`2: segments.a_min_turnover: amount "5000.505" has more than 2 decimal places`},
		{"money that is not a number",
			"segments:\n  c_max_turnover: 1e3\n",
			`2: segments.c_max_turnover: amount "1e3" is not a plain decimal number`},
		{"money as a list",
			"segments:\n  c_max_turnover: [1]\n",
			"2: segments.c_max_turnover: expected an amount like 5000 or 5000.50, got a list"},
		{"transactions red above green",
			"health:\n  transactions_red: 12\n",
			"2: health.transactions_red: must be at most health.transactions_green (10), got 12"},
		{"reply red not after green",
			"health:\n  reply_red: 12h\n",
			"2: health.reply_red: must be longer than health.reply_green (24h), got 12h"},
		{"trend percentage",
			"health:\n  trend_stable_pct: 150\n",
			"2: health.trend_stable_pct: must be a percentage 0 to 100, got 150"},
		{"outbox rate",
			"outbox: {global_per_second: 0}\n",
			"1: outbox.global_per_second: must be above 0, got 0"},
		{"log level",
			"log:\n  level: verbose\n",
			`2: log.level: "verbose" is not a level (debug, info, warn, error)`},
		{"every_weeks range",
			"jobs:\n  tip:\n    every_weeks: 9\n",
			"3: jobs.tip.every_weeks: must be 1 to 8, got 9"},
		{"every_weeks on another job",
			"jobs:\n  weekly_report:\n    every_weeks: 2\n",
			"3: jobs.weekly_report.every_weeks: only jobs.tip runs every n weeks"},
		{"lead on another job",
			"jobs:\n  weekly_report:\n    lead: 1h\n",
			"3: jobs.weekly_report.lead: only jobs.promo_notice has a lead"},
		{"admin id",
			"admins:\n  slack:\n    - U024BE7LH\n    - \"@kasia\"\n",
			`4: admins.slack[1]: "@kasia" is not a Slack user id`},
		{"type error: text for a number",
			"ingest:\n  batch_size: many\n",
			`2: ingest.batch_size: expected a whole number, got "many"`},
		{"type error: text for a bool",
			"jobs:\n  tip:\n    enabled: sometimes\n",
			`3: jobs.tip.enabled: expected true or false, got "sometimes"`},
		{"type error: scalar for a list",
			"admins:\n  slack: U024BE7LH\n",
			`2: admins.slack: expected a list like ["a", "b"], got "U024BE7LH"`},
		{"type error: scalar for a section",
			"jobs: daily\n",
			`1: jobs: expected a mapping of keys, got "daily"`},
		{"duration without unit",
			"http:\n  read_timeout: 30\n",
			"2: http.read_timeout: 30 needs a unit, like 30s, 30h or 30d"},
		{"bad duration",
			"alerts:\n  escalate_after: 3 days\n",
			`2: alerts.escalate_after: "3 days" is not a duration like 30s, 24h or 7d`},
		{"key set twice",
			"log:\n  level: info\n  level: debug\n",
			"3: log.level is set twice (first on line 2)"},
		{"not a mapping",
			"- program\n",
			"1: the file must be a mapping of sections"},
		{"syntax error",
			"program:\n\tname: x\n",
			"2: found character that cannot start any token"},
		{"secret under its section",
			"slack:\n  bot_token: xoxb-123\n",
			"2: slack.bot_token: secrets are not read from the file; set the environment variable SLACK_BOT_TOKEN instead"},
		{"discord public key",
			"discord:\n  public_key: abc\n",
			"2: discord.public_key: secrets are not read from the file; set the environment variable DISCORD_PUBLIC_KEY instead"},
		{"secrets section",
			"secrets:\n  SLACK_BOT_TOKEN: xoxb-123\n",
			"1: secrets: secrets are not read from the file; set them in the environment (SLACK_BOT_TOKEN,"},
		{"token-looking key",
			"http:\n  bearer_token: abc\n",
			"2: http.bearer_token: secrets are not read from the file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.file)
			c, err := Load(path)
			if err == nil {
				t.Fatalf("Load = nil error, want %q", tc.want)
			}
			if c != nil {
				t.Fatalf("Load returned a config with error %v", err)
			}
			if got := bot.ErrorCode(err); got != bot.EINVALID {
				t.Fatalf("code = %q, want %q", got, bot.EINVALID)
			}
			if want := path + ":" + tc.want; !strings.Contains(err.Error(), want) {
				t.Fatalf("error:\n%v\nwant it to contain\n%s", err, want)
			}
		})
	}
}

func TestLoad_ReportsEveryProblem(t *testing.T) {
	path := writeFile(t, "program:\n  timzone: UTC\nlog:\n  level: loud\njobs:\n  weekly_report:\n    cron: \"0 9 * *\"\n")
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load = nil error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d problems, want 3:\n%v", len(lines), err)
	}
	for i, want := range []string{":2: unknown key program.timzone", ":4: log.level:", ":7: jobs.weekly_report.cron:"} {
		if !strings.HasPrefix(lines[i], path+want) {
			t.Fatalf("problem %d = %q, want prefix %q", i, lines[i], path+want)
		}
	}
}

func TestLoad_MissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Fatalf("Load = %v, want a not-exist error", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestLoad_Money(t *testing.T) {
	for _, tc := range []struct {
		currency, value string
		want            bot.Amount
		wantText        string
	}{
		{"PLN", `"5000.5"`, 500050, "5000.50"},
		{"PLN", `5000.5`, 500050, "5000.50"},
		{"PLN", `5000`, 500000, "5000.00"},
		{"PLN", `"5000,25"`, 500025, "5000.25"},
		{"PLN", `0.1`, 10, "0.10"},
		{"JPY", `5000`, 5000, "5000"},
		{"KWD", `"5000.125"`, 5000125, "5000.125"},
	} {
		c := mustLoad(t, "program: {currency: "+tc.currency+"}\nsegments:\n  c_max_turnover: 0\n  a_min_turnover: "+tc.value+"\n")
		m := c.Segments.AMinTurnover
		if m.Amount() != tc.want || m.String() != tc.wantText {
			t.Errorf("%s %s = %d %q, want %d %q", tc.currency, tc.value, m.Amount(), m, tc.want, tc.wantText)
		}
	}
	_, err := Load(writeFile(t, "program: {currency: JPY}\nsegments:\n  a_min_turnover: \"5000.5\"\n"))
	if err == nil || !strings.Contains(err.Error(), ":3: segments.a_min_turnover: amount \"5000.5\" has more than 0 decimal places") {
		t.Fatalf("JPY 5000.5: %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		str  string
	}{
		{"7d", 7 * 24 * time.Hour, "7d"},
		{"90d", 90 * 24 * time.Hour, "90d"},
		{"1d12h", 36 * time.Hour, "36h"},
		{"2d12h", 60 * time.Hour, "2d12h"},
		{"24h", 24 * time.Hour, "24h"},
		{"48h", 48 * time.Hour, "2d"},
		{"90m", 90 * time.Minute, "1h30m"},
		{"30s", 30 * time.Second, "30s"},
		{"1500ms", 1500 * time.Millisecond, "1.5s"},
		{"0s", 0, "0s"},
		{"-1d", -24 * time.Hour, "-24h"},
	} {
		got, err := ParseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			continue
		}
		if s := Duration(got).String(); s != tc.str {
			t.Errorf("Duration(%v).String() = %q, want %q", got, s, tc.str)
		}
		if back, err := ParseDuration(tc.str); err != nil || back != got {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.str, back, err, got)
		}
	}
	for _, bad := range []string{"", "7", "d", "1.5d", "7x", "d1h", "1d-1h", "+1d", "1d+1h", "7 d", "99999999999d"} {
		if got, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", bad, got)
		}
	}
	c := mustLoad(t, "alerts:\n  repeat_after: 7d\n  escalate_after: 1d12h\n")
	if got := time.Duration(c.Alerts.RepeatAfter); got != 7*24*time.Hour {
		t.Fatalf("alerts.repeat_after = %v, want 168h", got)
	}
	if got := time.Duration(c.Alerts.EscalateAfter); got != 36*time.Hour {
		t.Fatalf("alerts.escalate_after = %v, want 36h", got)
	}
}

func TestApplyEnv(t *testing.T) {
	const (
		botToken = "xoxb-1111111111-2222222222222-abcd"
		apiToken = "short-token"
	)
	env := map[string]string{
		"SLACK_BOT_TOKEN":      botToken,
		"SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
		"DISCORD_APP_ID":       "  1234567890123456789\n",
		"PARTNERBOT_API_TOKEN": apiToken,
		"PARTNERBOT_DB":        "/data/bot.db",
	}
	c := mustLoad(t, "db:\n  path: file.db\n")
	c.ApplyEnv(func(k string) string { return env[k] })

	if c.Secrets.SlackBotToken != botToken || c.Secrets.APIToken != apiToken {
		t.Fatalf("Secrets = %+v", c.Secrets)
	}
	if got := c.Secrets.DiscordAppID; got != "1234567890123456789" {
		t.Fatalf("DiscordAppID = %q, want it trimmed", got)
	}
	if c.DB.Path != "/data/bot.db" {
		t.Fatalf("db.path = %q, want PARTNERBOT_DB to win", c.DB.Path)
	}

	out := printed(t, c)
	for _, secret := range []string{botToken, "8f742231b10e8888abcd99yyyzzz85a5", "1234567890123456789", apiToken} {
		if strings.Contains(out, secret) {
			t.Fatalf("Print shows a secret in full:\n%s", out)
		}
	}
	for _, want := range []string{
		"SLACK_BOT_TOKEN: set (xoxb-…abcd)",
		"SLACK_SIGNING_SECRET: set (8f742…85a5)",
		"SLACK_APP_TOKEN: unset",
		"DISCORD_APP_ID: set (12345…6789)",
		"PARTNERBOT_API_TOKEN: set\n",
		"path: /data/bot.db",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("Print output lacks %q:\n%s", want, out)
		}
	}

	c.ApplyEnv(func(string) string { return "" })
	if c.Secrets.SlackBotToken != botToken || c.DB.Path != "/data/bot.db" {
		t.Fatal("unset variables changed the config")
	}
}

func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "unset"},
		{"abc", "set"},
		{"123456789012345", "set"},
		{"1234567890123456", "set (12345…3456)"},
		{"xoxb-1234-5678-abcd", "set (xoxb-…abcd)"},
	} {
		if got := Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// What Print writes, less the secrets, loads back to the same config.
func TestPrint_RoundTrip(t *testing.T) {
	c := mustLoad(t, "program: {currency: EUR, locale: en}\njobs:\n  tip: {enabled: false, catch_up: 2h}\nsegments: {a_min_turnover: 7000.5}\nhealth: {reply_green: 36h}\nadmins: {slack: [U1AB]}\n")
	out := printed(t, c)
	body, _, ok := strings.Cut(out, "# from the environment only")
	if !ok {
		t.Fatalf("no secrets section in:\n%s", out)
	}
	back := mustLoad(t, body)
	if got := printed(t, back); got != out {
		t.Fatalf("round trip differs:\n%s\nwant\n%s", got, out)
	}
	if _, err := Load(writeFile(t, out)); err == nil || !strings.Contains(err.Error(), "secrets: secrets are not read from the file") {
		t.Fatalf("Load(Print output with secrets) = %v, want the secrets refused", err)
	}
}

// Validate names keys without a file position for a config built in code.
func TestValidate_InCode(t *testing.T) {
	c := Default()
	c.Tiers.Gold = 0.01
	c.Jobs.Compliance.Cron = "every quarter"
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate = nil")
	}
	for _, want := range []string{"tiers.gold: must be above tiers.platinum (0.05), got 0.01", `jobs.compliance.cron: "every quarter" is not a cron spec`} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("Validate = %v, want %q", err, want)
		}
	}

	c = Default()
	c.ApplyEnv(func(k string) string {
		if k == EnvDB {
			return "x.db"
		}
		return ""
	})
	c.Log.Level = "loud"
	c.DB.Path = " "
	err = c.Validate()
	if err == nil || !strings.Contains(err.Error(), "db.path (from PARTNERBOT_DB): ") {
		t.Fatalf("Validate = %v, want db.path named with its variable", err)
	}
}

func TestJobs_List(t *testing.T) {
	var j Jobs
	list := j.List()
	if got, want := len(list), reflect.TypeFor[Jobs]().NumField(); got != want {
		t.Fatalf("List has %d jobs, Jobs has %d fields", got, want)
	}
	fields := yamlFields(reflect.TypeFor[Jobs]())
	for _, nj := range list {
		if _, ok := fields[nj.Name]; !ok {
			t.Fatalf("List names %q, which is not a key under jobs", nj.Name)
		}
	}
	tip, ok := Default().Jobs.Lookup("tip")
	if !ok || tip.EveryWeeks != 2 {
		t.Fatalf("Lookup(tip) = %+v, %v", tip, ok)
	}
	if _, ok := j.Lookup("nope"); ok {
		t.Fatal("Lookup(nope) found a job")
	}
}
