package config

import (
	"fmt"
	"math"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"partnerbot/bot"
)

// Validate checks every value, normalizes a few (the locale, a trailing
// slash on http.public_url) and resolves Location, Currency and the Money
// thresholds. Returns an EINVALID *bot.Error listing every problem, one a
// line, each naming the dotted key and, for a key from the file,
// "file:line".
func (c *Config) Validate() error { return joinProblems(c.validate()) }

// checker collects problems, placing each key in the file when it came
// from there.
type checker struct {
	c     *Config
	probs []problem
}

func (v *checker) addf(key, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if env := v.c.fromEnv[key]; env != "" {
		// The environment overrode whatever the file said.
		v.probs = append(v.probs, problem{0, key + " (from " + env + "): " + msg})
		return
	}
	if line := v.c.lines[key]; line > 0 {
		v.probs = append(v.probs, problem{line, fmt.Sprintf("%s:%d: %s: %s", v.c.file, line, key, msg)})
		return
	}
	v.probs = append(v.probs, problem{0, key + ": " + msg})
}

// order reports that the value of lowKey must stay below that of
// highKey (in the sense of above and below), on the key the file set: the
// higher one, unless only the lower one came from the file.
func (v *checker) order(lowKey string, low any, highKey string, high any, above, below string) {
	if v.c.lines[highKey] == 0 && v.c.lines[lowKey] > 0 {
		v.addf(lowKey, "must be %s %s (%v), got %v", below, highKey, high, low)
		return
	}
	v.addf(highKey, "must be %s %s (%v), got %v", above, lowKey, low, high)
}

func (v *checker) positive(key string, d Duration) {
	if d <= 0 {
		v.addf(key, "must be longer than 0, got %s", d)
	}
}

func (v *checker) intRange(key string, n, lo, hi int) {
	if n < lo || n > hi {
		v.addf(key, "must be %d to %d, got %d", lo, hi, n)
	}
}

func (v *checker) url(key, s string, optional bool) {
	if s == "" && optional {
		return
	}
	if !httpURL(s) {
		v.addf(key, "%q is not an absolute http(s) URL like https://example.com/", s)
	}
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

var (
	slackIDRE   = regexp.MustCompile(`^[A-Z0-9]{2,32}$`)
	snowflakeRE = regexp.MustCompile(`^[0-9]{1,20}$`)
)

// jobOnly names the one job each of these Job fields is for.
var jobOnly = map[string]string{"lead": "promo_notice", "every_weeks": "tip"}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func (c *Config) validate() []problem {
	v := &checker{c: c}

	p := &c.Program
	if strings.TrimSpace(p.Name) == "" {
		v.addf("program.name", "the program needs a name")
	}
	if loc, err := time.LoadLocation(p.Timezone); err != nil || p.Timezone == "" || p.Timezone == "Local" {
		v.addf("program.timezone", "%q is not an IANA time zone like Europe/Warsaw", p.Timezone)
	} else {
		c.loc = loc
	}
	digits := 2
	if cur, err := bot.LookupCurrency(p.Currency); err != nil {
		v.addf("program.currency", "%s", bot.ErrorMessage(err))
	} else {
		c.cur, digits = cur, cur.Digits
	}
	if l, err := bot.ParseLocale(string(p.Locale)); err != nil {
		v.addf("program.locale", "%s", bot.ErrorMessage(err))
	} else {
		p.Locale = l
	}
	v.url("program.landing_url", p.LandingURL, false)

	h := &c.HTTP
	if host, port, err := net.SplitHostPort(h.Listen); err != nil || strings.ContainsAny(host, " /") {
		v.addf("http.listen", "%q is not host:port like :8080 or 127.0.0.1:8080", h.Listen)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		v.addf("http.listen", "%q: the port must be a number 0 to 65535", h.Listen)
	}
	h.PublicURL = strings.TrimRight(h.PublicURL, "/")
	if u, err := url.Parse(h.PublicURL); err == nil && httpURL(h.PublicURL) && (u.RawQuery != "" || u.Fragment != "") {
		v.addf("http.public_url", "%q: referral links are built on it, so it takes no query or fragment", h.PublicURL)
	} else {
		v.url("http.public_url", h.PublicURL, false)
	}
	if h.MaxBodyBytes < 1<<10 || h.MaxBodyBytes > 1<<30 {
		v.addf("http.max_body_bytes", "must be 1024 (1 KiB) to 1073741824 (1 GiB), got %d", h.MaxBodyBytes)
	}
	v.positive("http.read_timeout", h.ReadTimeout)
	v.positive("http.write_timeout", h.WriteTimeout)
	v.positive("http.shutdown_timeout", h.ShutdownTimeout)
	c.proxies = c.proxies[:0]
	for _, p := range h.TrustedProxies {
		pre, err := netip.ParsePrefix(strings.TrimSpace(p))
		if err != nil {
			addr, aerr := netip.ParseAddr(strings.TrimSpace(p))
			if aerr != nil {
				v.addf("http.trusted_proxies", "%q is neither a CIDR like 10.0.0.0/8 nor an IP address", p)
				continue
			}
			pre = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		c.proxies = append(c.proxies, pre.Masked())
	}
	v.intRange("http.max_clicks_per_address", h.MaxClicksPerAddress, 1, 1000000)

	if strings.TrimSpace(c.DB.Path) == "" {
		v.addf("db.path", "the database needs a file path")
	}
	v.positive("db.lock_timeout", c.DB.LockTimeout)

	v.intRange("ingest.batch_size", c.Ingest.BatchSize, 1, 100000)
	v.intRange("ingest.max_request_events", c.Ingest.MaxRequestEvents, 1, 1000000)
	v.positive("ingest.max_future", c.Ingest.MaxFuture)

	v.url("slack.api_url", c.Slack.APIURL, true)
	v.url("discord.api_url", c.Discord.APIURL, true)
	if g := c.Discord.GuildID; g != "" && !snowflakeRE.MatchString(g) {
		v.addf("discord.guild_id", "%q is not a Discord id (digits)", g)
	}
	for i, id := range c.Admins.Slack {
		if !slackIDRE.MatchString(id) {
			v.addf(fmt.Sprintf("admins.slack[%d]", i), "%q is not a Slack user id like U024BE7LH", id)
		}
	}
	if ch := c.Community.SlackChannel; ch != "" && !slackIDRE.MatchString(ch) {
		v.addf("community.slack_channel", "%q is not a Slack channel id like C024BE91L", ch)
	}
	if ch := c.Community.DiscordChannel; ch != "" && !snowflakeRE.MatchString(ch) {
		v.addf("community.discord_channel", "%q is not a Discord channel id (digits)", ch)
	}
	for i, id := range c.Admins.Discord {
		if !snowflakeRE.MatchString(id) {
			v.addf(fmt.Sprintf("admins.discord[%d]", i), "%q is not a Discord user id (digits)", id)
		}
	}

	for _, nj := range c.Jobs.List() {
		key, j := "jobs."+nj.Name, nj.Job
		if j.Cron == "" {
			if j.Enabled {
				v.addf(key+".cron", "an enabled job needs a schedule like \"0 9 * * 1\"")
			}
		} else if msg := checkCron(j.Cron); msg != "" {
			v.addf(key+".cron", "%s", msg)
		}
		if j.CatchUp < 0 {
			v.addf(key+".catch_up", "must not be negative (0 means until the end of the day), got %s", j.CatchUp)
		}
		if nj.Name == jobOnly["lead"] {
			v.positive(key+".lead", j.Lead)
		} else if j.Lead != 0 {
			v.addf(key+".lead", "only jobs.%s has a lead", jobOnly["lead"])
		}
		if nj.Name == jobOnly["every_weeks"] {
			v.intRange(key+".every_weeks", j.EveryWeeks, 1, 8)
		} else if j.EveryWeeks != 0 {
			v.addf(key+".every_weeks", "only jobs.%s runs every n weeks", jobOnly["every_weeks"])
		}
	}

	s := &c.Segments
	errA := s.AMinTurnover.resolve(digits)
	if errA != nil {
		v.addf("segments.a_min_turnover", "%s", bot.ErrorMessage(errA))
	}
	errC := s.CMaxTurnover.resolve(digits)
	if errC != nil {
		v.addf("segments.c_max_turnover", "%s", bot.ErrorMessage(errC))
	} else if s.CMaxTurnover.Amount() < 0 {
		v.addf("segments.c_max_turnover", "must not be negative, got %s", s.CMaxTurnover)
	}
	if errA == nil && errC == nil && s.AMinTurnover.Amount() <= s.CMaxTurnover.Amount() {
		v.order("segments.c_max_turnover", s.CMaxTurnover, "segments.a_min_turnover", s.AMinTurnover, "above", "below")
	}
	if !(s.ATopShare > 0 && s.ATopShare < 1) {
		v.addf("segments.a_top_share", "must be a share between 0 and 1 like 0.2, got %v", s.ATopShare)
	}
	v.intRange("segments.inactive_months", s.InactiveMonths, 1, 24)

	t := c.Tiers
	tiers := []struct {
		key string
		x   float64
	}{{"tiers.platinum", t.Platinum}, {"tiers.gold", t.Gold}, {"tiers.silver", t.Silver}}
	inRange := true
	for _, tr := range tiers {
		if !(tr.x > 0 && tr.x < 1) {
			v.addf(tr.key, "must be a share between 0 and 1 like 0.15, got %v", tr.x)
			inRange = false
		}
	}
	if inRange {
		for i := 1; i < len(tiers); i++ {
			a, b := tiers[i-1], tiers[i]
			if !(a.x < b.x) {
				v.order(a.key, a.x, b.key, b.x, "above", "below")
			}
		}
	}

	he := &c.Health
	if !(he.TrendStablePct >= 0 && he.TrendStablePct <= 100) {
		v.addf("health.trend_stable_pct", "must be a percentage 0 to 100, got %v", he.TrendStablePct)
	}
	v.intRange("health.trend_red_months", he.TrendRedMonths, 1, 24)
	v.intRange("health.transactions_green", he.TransactionsGreen, 1, 1_000_000)
	v.intRange("health.transactions_red", he.TransactionsRed, 0, 1_000_000)
	if he.TransactionsRed > he.TransactionsGreen {
		v.order("health.transactions_red", he.TransactionsRed, "health.transactions_green", he.TransactionsGreen, "at least", "at most")
	}
	v.positive("health.reply_green", he.ReplyGreen)
	v.positive("health.reply_red", he.ReplyRed)
	if he.ReplyGreen > 0 && he.ReplyRed <= he.ReplyGreen {
		v.order("health.reply_green", he.ReplyGreen, "health.reply_red", he.ReplyRed, "longer than", "shorter than")
	}
	v.intRange("health.initiative_green", he.InitiativeGreen, 1, 1000)
	v.positive("health.education_window", he.EducationWindow)
	v.intRange("health.new_partner_days", he.NewPartnerDays, 1, 3650)

	v.positive("alerts.repeat_after", c.Alerts.RepeatAfter)
	v.positive("alerts.escalate_after", c.Alerts.EscalateAfter)

	o := c.Outbox
	if !(o.ChannelPerSecond > 0 && finite(o.ChannelPerSecond)) {
		v.addf("outbox.channel_per_second", "must be above 0, got %v", o.ChannelPerSecond)
	}
	if !(o.GlobalPerSecond > 0 && finite(o.GlobalPerSecond)) {
		v.addf("outbox.global_per_second", "must be above 0, got %v", o.GlobalPerSecond)
	}
	v.intRange("outbox.max_attempts", o.MaxAttempts, 1, 100)

	v.intRange("caps.weekly_scheduled_per_partner", c.Caps.WeeklyScheduledPerPartner, 1, 100)
	v.intRange("commissions.hold_days", c.Commissions.HoldDays, 0, 365)

	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		v.addf("log.level", "%q is not a level (debug, info, warn, error)", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		v.addf("log.format", "%q is not a format (text, json)", c.Log.Format)
	}
	return v.probs
}

// checkCron returns what is wrong with a job's schedule, or "".
func checkCron(spec string) string {
	s := strings.TrimSpace(spec)
	switch {
	case strings.HasPrefix(s, "CRON_TZ=") || strings.HasPrefix(s, "TZ="):
		return fmt.Sprintf("%q: leave out the time zone, jobs run in program.timezone", spec)
	case strings.HasPrefix(s, "@every"):
		return fmt.Sprintf("%q: @every counts from when the bot started and would drift with restarts; use a calendar spec like \"0 * * * *\" or @hourly", spec)
	}
	if _, err := cron.ParseStandard(s); err != nil {
		return fmt.Sprintf("%q is not a cron spec (%v); use five fields, minute hour day-of-month month day-of-week, like \"0 9 * * 1\", or @daily", spec, err)
	}
	return ""
}
