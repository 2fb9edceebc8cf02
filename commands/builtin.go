package commands

// builtin declares partnerbot's commands. Order matters: it is the order
// of /help and of the Slack manifest.
func builtin() []*Spec {
	return []*Spec{
		{Name: "mystats", Args: []Arg{{Name: "period"}}, Audience: Partners, Run: (*Service).myStats,
			Examples: []string{"/mystats", "/mystats 2026-11", "/mystats 30d"}},
		{Name: "referral", Audience: Partners, Run: (*Service).referral, Examples: []string{"/referral"}},
		{Name: "leaderboard", Args: []Arg{{Name: "period"}}, Audience: Partners, Run: (*Service).leaderboard,
			Examples: []string{"/leaderboard", "/leaderboard 2026-W47"}},
		{Name: "promos", Audience: Partners, Run: (*Service).promos, Examples: []string{"/promos"}},
		{Name: "notify", Args: []Arg{{Name: "kind"}, {Name: "state"}}, Audience: Partners, Run: (*Service).notify,
			Examples: []string{"/notify", "/notify weekly off"}},
		{Name: "link", Args: []Arg{{Name: "code", Required: true}}, Audience: Anyone, Run: (*Service).link,
			Examples: []string{"/link K7M-P2Q-9XD"}},
		{Name: "help", Audience: Anyone, Run: (*Service).help, Examples: []string{"/help"}},
		{Name: "partner", Args: []Arg{{Name: "id", Required: true}}, Audience: Managers, Run: (*Service).partnerCard,
			Examples: []string{"/partner janko"}},
		{Name: "health", Args: []Arg{{Name: "filter"}}, Audience: Managers, Run: (*Service).healthBoard,
			Examples: []string{"/health", "/health red", "/health all"}},
		{Name: "contact", Args: []Arg{{Name: "id", Required: true}, {Name: "note", Rest: true}}, Audience: Managers,
			Run: (*Service).contact, Examples: []string{"/contact janko called about the new QR"}},
		{Name: "message", Args: []Arg{{Name: "id", Required: true}, {Name: "text", Required: true, Rest: true}}, Audience: Managers,
			Run: (*Service).message, Examples: []string{"/message apteka Dzień dobry, czy QR jest dobrze widoczny?"}},
		{Name: "linkcode", Args: []Arg{{Name: "id", Required: true}}, Audience: Managers, Run: (*Service).linkCode,
			Examples: []string{"/linkcode janko"}},
	}
}
