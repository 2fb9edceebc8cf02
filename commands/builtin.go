package commands

import "partnerbot/bot"

// maxPeriod fits every period syntax ("2026-11-01..2026-11-15").
const maxPeriod = 40

// partnerArg is the partner id managers' commands take; Discord suggests
// the caller's own partners.
var partnerArg = Arg{Name: "id", Required: true, Partner: true, MaxLen: 64}

// builtin declares partnerbot's commands. Order matters: it is the order
// of /help and of the Slack manifest.
func builtin() []*Spec {
	return []*Spec{
		{Name: "mystats", Args: []Arg{{Name: "period", MaxLen: maxPeriod}}, Audience: Partners, Run: (*Service).myStats,
			Examples: []string{"/mystats", "/mystats 2026-11", "/mystats 30d"}},
		{Name: "referral", Audience: Partners, Run: (*Service).referral, Examples: []string{"/referral"}},
		{Name: "leaderboard", Args: []Arg{{Name: "period", MaxLen: maxPeriod}}, Audience: Partners, Run: (*Service).leaderboard,
			Examples: []string{"/leaderboard", "/leaderboard 2026-W47"}},
		{Name: "promos", Audience: Partners, Run: (*Service).promos, Examples: []string{"/promos"}},
		{Name: "notify", Args: []Arg{{Name: "kind", Choices: bot.MutableKinds}, {Name: "state", Choices: []string{"on", "off"}}}, Audience: Partners, Run: (*Service).notify,
			Examples: []string{"/notify", "/notify weekly off"}},
		{Name: "link", Args: []Arg{{Name: "code", Required: true, MaxLen: 32}}, Audience: Anyone, Run: (*Service).link,
			Examples: []string{"/link K7M-P2Q-9XD"}},
		{Name: "help", Audience: Anyone, Run: (*Service).help, Examples: []string{"/help"}},
		{Name: "partner", Args: []Arg{partnerArg}, Audience: Managers, Run: (*Service).partnerCard,
			Examples: []string{"/partner janko"}},
		{Name: "health", Args: []Arg{{Name: "filter", Choices: []string{"red", "amber", "all"}}}, Audience: Managers, Run: (*Service).healthBoard,
			Examples: []string{"/health", "/health red", "/health all"}},
		{Name: "contact", Args: []Arg{partnerArg, {Name: "note", Rest: true, MaxLen: 500}}, Audience: Managers,
			Run: (*Service).contact, Examples: []string{"/contact janko called about the new QR"}},
		{Name: "message", Args: []Arg{partnerArg, {Name: "text", Rest: true, MaxLen: 2000}}, Audience: Managers,
			Run: (*Service).message, Examples: []string{"/message apteka Dzień dobry, czy QR jest dobrze widoczny?"}},
		{Name: "linkcode", Args: []Arg{partnerArg}, Audience: Managers, Run: (*Service).linkCode,
			Examples: []string{"/linkcode janko"}},
	}
}
