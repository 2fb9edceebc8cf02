package bot

import (
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Locale is a language partnerbot speaks.
type Locale string

// The supported locales.
const (
	LocalePL Locale = "pl"
	LocaleEN Locale = "en"
)

// ParseLocale accepts "pl" and "en" (and regional forms like "pl-PL").
// Returns EINVALID.
func ParseLocale(s string) (Locale, error) {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "-")
	base, _, _ = strings.Cut(base, "_")
	switch Locale(base) {
	case LocalePL, LocaleEN:
		return Locale(base), nil
	}
	return "", Errorf(EINVALID, "locale %q is not supported (use pl or en)", s)
}

// Status is where a partner stands in the program.
type Status string

// Partner statuses. A paused partner gets no reports and raises no alerts;
// an ended one is kept for history only.
const (
	StatusActive Status = "active"
	StatusPaused Status = "paused"
	StatusEnded  Status = "ended"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusActive || s == StatusPaused || s == StatusEnded
}

// Partner is a shop, creator or affiliate in the program.
type Partner struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	ContactName    string   `json:"contact_name,omitempty"`
	Manager        string   `json:"manager,omitempty"`
	Locale         Locale   `json:"locale"`
	Timezone       string   `json:"timezone,omitempty"`
	Joined         Date     `json:"joined"`
	Status         Status   `json:"status"`
	SlackUser      string   `json:"slack_user,omitempty"`
	SlackChannel   string   `json:"slack_channel,omitempty"`
	DiscordUser    string   `json:"discord_user,omitempty"`
	DiscordChannel string   `json:"discord_channel,omitempty"`
	ReferralCode   string   `json:"referral_code,omitempty"`
	LandingURL     string   `json:"landing_url,omitempty"`
	Tags           []string `json:"tags,omitempty"`
	LeaderboardOK  bool     `json:"leaderboard_opt_in,omitempty"`
	Mute           []string `json:"mute,omitempty"` // scheduled message kinds the partner turned off
	// ExternalIDs are the partner's ids on the platforms of record, keyed
	// by platform ("dub", "rewardful", "tolt"): webhooks are attributed
	// through them.
	ExternalIDs map[string]string `json:"external_ids,omitempty"`
	// Coupons are discount or promotion codes that attribute a shop's
	// sale to the partner (Stripe promotion codes, Shopify discount codes).
	Coupons []string `json:"coupons,omitempty"`
	// ContactVocative, when set, is how greetings address the contact
	// ("Cześć Kasiu"), overriding the rules that derive it.
	ContactVocative string    `json:"contact_vocative,omitempty"`
	Created         time.Time `json:"created,omitzero"`
	Updated         time.Time `json:"updated,omitzero"`
}

// Manager is an account manager who looks after partners.
type Manager struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Locale      Locale    `json:"locale"`
	Timezone    string    `json:"timezone,omitempty"`
	SlackUser   string    `json:"slack_user,omitempty"`
	DiscordUser string    `json:"discord_user,omitempty"`
	Escalation  string    `json:"escalation,omitempty"`
	Created     time.Time `json:"created,omitzero"`
	Updated     time.Time `json:"updated,omitzero"`
}

var (
	slugRE      = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	slackIDRE   = regexp.MustCompile(`^[A-Z0-9]{2,32}$`)
	snowflakeRE = regexp.MustCompile(`^[0-9]{1,20}$`)
	codeRE      = regexp.MustCompile(`^[A-Za-z0-9_-]{4,32}$`)
	platformRE  = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
)

// ValidID reports whether s can be a partner or manager id: a lower-case
// slug of letters, digits, '.', '_' and '-', at most 64 characters.
func ValidID(s string) bool { return slugRE.MatchString(s) }

// ValidReferralCode reports whether s has the shape of a referral code.
func ValidReferralCode(s string) bool { return codeRE.MatchString(s) }

// Validate checks a partner's fields. Returns EINVALID naming the field.
func (p *Partner) Validate() error {
	if !ValidID(p.ID) {
		return FieldError("id", "%q is not a valid id (lower-case letters, digits, '.', '_', '-'; at most 64)", p.ID)
	}
	if strings.TrimSpace(p.Name) == "" {
		return FieldError("name", "a partner needs a name")
	}
	if len(p.Name) > 200 || len(p.ContactName) > 100 {
		return FieldError("name", "too long")
	}
	if p.Manager != "" && !ValidID(p.Manager) {
		return FieldError("manager", "%q is not a valid manager id", p.Manager)
	}
	if _, err := ParseLocale(string(p.Locale)); err != nil {
		return FieldError("locale", "%s", ErrorMessage(err))
	}
	if err := validTimezone(p.Timezone); err != nil {
		return err
	}
	if !p.Status.Valid() {
		return FieldError("status", "%q is not a status (active, paused, ended)", p.Status)
	}
	if p.Joined.IsZero() {
		return FieldError("joined", "a partner needs a joined date")
	}
	if err := validChat(p.SlackUser, p.SlackChannel, p.DiscordUser, p.DiscordChannel); err != nil {
		return err
	}
	if p.ReferralCode != "" && !ValidReferralCode(p.ReferralCode) {
		return FieldError("referral_code", "%q must be 4-32 letters, digits, '_' or '-'", p.ReferralCode)
	}
	if p.LandingURL != "" {
		u, err := url.Parse(p.LandingURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return FieldError("landing_url", "%q is not an http(s) URL", p.LandingURL)
		}
	}
	for _, k := range p.Mute {
		if !MutableKind(k) {
			return FieldError("mute", "%q cannot be turned off (choose from %s)", k, strings.Join(MutableKinds, ", "))
		}
	}
	for _, t := range p.Tags {
		if strings.TrimSpace(t) == "" || len(t) > 64 {
			return FieldError("tags", "tags must be non-empty and at most 64 characters")
		}
	}
	for plat, id := range p.ExternalIDs {
		if !platformRE.MatchString(plat) {
			return FieldError("external_ids", "%q is not a platform name like dub, rewardful or tolt", plat)
		}
		if id == "" || len(id) > 128 || strings.ContainsAny(id, "\x00\n\r\t ") {
			return FieldError("external_ids", "the %s id %q must be 1-128 characters without spaces", plat, id)
		}
	}
	for _, c := range p.Coupons {
		if c == "" || len(c) > 64 || strings.ContainsAny(c, "\x00\n\r\t") {
			return FieldError("coupons", "coupon %q must be 1-64 characters on one line", c)
		}
	}
	return nil
}

// EarliestJoined is the earliest joined date a partner may have: an
// earlier one is a typo of the year, and would make anniversaries and
// "months since joined" absurd.
var EarliestJoined = Date{Year: 1990, Month: time.January, Day: 1}

// MaxJoinedAhead is how many days after today a joined date may lie: a
// partner signed for next Monday, not a typo of the year.
const MaxJoinedAhead = 7

// CheckJoined checks the joined date against today. Returns EINVALID on
// the field "joined" when it is before EarliestJoined or more than
// MaxJoinedAhead days after today.
func (p *Partner) CheckJoined(today Date) error {
	switch {
	case p.Joined.Before(EarliestJoined):
		return FieldError("joined", "joined date %s is before %s: check the year", p.Joined, EarliestJoined)
	case p.Joined.After(today.AddDays(MaxJoinedAhead)):
		return FieldError("joined", "joined date %s is more than %d days after today (%s): check the year", p.Joined, MaxJoinedAhead, today)
	}
	return nil
}

// Validate checks a manager's fields. Returns EINVALID naming the field.
func (m *Manager) Validate() error {
	if !ValidID(m.ID) {
		return FieldError("id", "%q is not a valid id (lower-case letters, digits, '.', '_', '-'; at most 64)", m.ID)
	}
	if strings.TrimSpace(m.Name) == "" {
		return FieldError("name", "a manager needs a name")
	}
	if _, err := ParseLocale(string(m.Locale)); err != nil {
		return FieldError("locale", "%s", ErrorMessage(err))
	}
	if err := validTimezone(m.Timezone); err != nil {
		return err
	}
	if err := validChat(m.SlackUser, "", m.DiscordUser, ""); err != nil {
		return err
	}
	if m.Escalation != "" {
		if _, _, err := ParseEscalation(m.Escalation); err != nil {
			return err
		}
		if m.Escalation == m.ID {
			return FieldError("escalation", "a manager cannot escalate to itself")
		}
	}
	return nil
}

// ParseEscalation splits an escalation target: a manager id ("kasia"), or
// a channel as "slack:C123" or "discord:123456". Returns EINVALID.
func ParseEscalation(s string) (kind, target string, err error) {
	kind, target, ok := strings.Cut(s, ":")
	if !ok {
		if ValidID(s) {
			return "manager", s, nil
		}
		return "", "", FieldError("escalation", "%q is neither a manager id nor slack:CHANNEL / discord:CHANNEL", s)
	}
	switch {
	case kind == "slack" && slackIDRE.MatchString(target):
	case kind == "discord" && snowflakeRE.MatchString(target):
	default:
		return "", "", FieldError("escalation", "%q is neither a manager id nor slack:CHANNEL / discord:CHANNEL", s)
	}
	return kind, target, nil
}

func validTimezone(tz string) error {
	if tz == "" {
		return nil
	}
	if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
		return FieldError("timezone", "%q is not an IANA time zone like Europe/Warsaw", tz)
	}
	return nil
}

func validChat(slackUser, slackChannel, discordUser, discordChannel string) error {
	for _, f := range []struct{ name, v string }{{"slack_user", slackUser}, {"slack_channel", slackChannel}} {
		if f.v != "" && !slackIDRE.MatchString(f.v) {
			return FieldError(f.name, "%q is not a Slack id like U024BE7LH or C024BE91L", f.v)
		}
	}
	for _, f := range []struct{ name, v string }{{"discord_user", discordUser}, {"discord_channel", discordChannel}} {
		if f.v != "" && !snowflakeRE.MatchString(f.v) {
			return FieldError(f.name, "%q is not a Discord id (digits)", f.v)
		}
	}
	return nil
}

// MutableKinds are the scheduled messages a partner may turn off with
// /notify. Compliance reminders and managers' alerts cannot be.
var MutableKinds = []string{"weekly", "promos", "tips"}

// MutableKind reports whether k is one of MutableKinds.
func MutableKind(k string) bool {
	for _, m := range MutableKinds {
		if k == m {
			return true
		}
	}
	return false
}

// Muted reports whether the partner turned off messages of kind k.
func (p *Partner) Muted(k string) bool {
	for _, m := range p.Mute {
		if m == k {
			return true
		}
	}
	return false
}
