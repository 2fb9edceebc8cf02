package i18n

// Words shared by commands and reports: figure names, tiers, segments,
// statuses.
func init() {
	Add(map[string]Text{
		"stats.turnover":     {"Turnover", "Obrót"},
		"stats.sales":        {"Transactions", "Transakcje"},
		"stats.commission":   {"Commission", "Prowizja"},
		"stats.clicks":       {"Clicks", "Kliknięcia"},
		"stats.signups":      {"Signups", "Rejestracje"},
		"stats.tier":         {"Tier", "Poziom"},
		"stats.segment":      {"Segment", "Segment"},
		"stats.rank":         {"Rank", "Miejsce"},
		"stats.rank.value":   {"#%d of %d (%s)", "%d. z %d (%s)"},
		"stats.month_so_far": {"This month so far", "Ten miesiąc do dziś"},
		"stats.no_change":    {"no change", "bez zmian"},
		"tier.platinum":      {"Platinum", "Platynowy"},
		"tier.gold":          {"Gold", "Złoty"},
		"tier.silver":        {"Silver", "Srebrny"},
		"tier.bronze":        {"Bronze", "Brązowy"},
		"segment.A":          {"A (VIP)", "A (VIP)"},
		"segment.B":          {"B (standard)", "B (standardowy)"},
		"segment.C":          {"C (needs a boost)", "C (do aktywizacji)"},
		"status.active":      {"active", "aktywny"},
		"status.paused":      {"paused", "wstrzymany"},
		"status.ended":       {"ended", "zakończony"},
	})
}
