// Package health judges partners: segments A/B/C and tiers from their
// turnover, and (with issue 5) the health verdicts managers are alerted
// on. Everything here is a pure function of figures and rules; reading
// the figures from the store is the callers' business.
package health

import (
	"math"
	"sort"

	"partnerbot/bot"
)

// Segment is the playbook's A (VIP), B (standard) or C (at risk).
type Segment string

// The segments.
const (
	SegmentA Segment = "A"
	SegmentB Segment = "B"
	SegmentC Segment = "C"
)

// Tier is a partner's rank band by turnover.
type Tier string

// The tiers, best first.
const (
	TierPlatinum Tier = "platinum"
	TierGold     Tier = "gold"
	TierSilver   Tier = "silver"
	TierBronze   Tier = "bronze"
)

// Rules are the thresholds of segments and tiers (config: segments,
// tiers).
type Rules struct {
	AMinTurnover   bot.Amount // segment A from this monthly turnover...
	ATopShare      float64    // ...or within this top share by turnover
	CMaxTurnover   bot.Amount // segment C under this monthly turnover
	InactiveMonths int        // C and inactive after this many months with no turnover
	Platinum       float64    // cumulative top shares of the tiers
	Gold           float64
	Silver         float64
}

// DefaultRules are the playbooks' values.
var DefaultRules = Rules{AMinTurnover: 500000, ATopShare: 0.20, CMaxTurnover: 100000, InactiveMonths: 2,
	Platinum: 0.05, Gold: 0.15, Silver: 0.40}

// Input is one partner's turnover in its last full months, oldest first;
// the last entry is the month that ranks are taken from.
type Input struct {
	Partner string
	Months  []bot.Amount
}

// Standing is where a partner stands among the program's active partners.
type Standing struct {
	Segment  Segment
	Tier     Tier
	Rank     int // 1 is the highest turnover; equal turnovers share a rank
	Of       int // how many partners were ranked
	Inactive bool
	Turnover bot.Amount // in the ranking month
}

// Standings ranks partners by their last month's turnover and gives each
// a segment and a tier. Equal turnovers share a rank (1, 2, 2, 4), so a
// tie never splits two partners into different tiers; a partner with no
// turnover is bronze whatever its rank.
func Standings(r Rules, in []Input) map[string]Standing {
	type row struct {
		id   string
		last bot.Amount
	}
	rows := make([]row, len(in))
	for i, p := range in {
		rows[i] = row{p.Partner, last(p.Months)}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].last != rows[j].last {
			return rows[i].last > rows[j].last
		}
		return rows[i].id < rows[j].id
	})
	n := len(rows)
	rank := map[string]int{}
	for i, rw := range rows {
		if i > 0 && rw.last == rows[i-1].last {
			rank[rw.id] = rank[rows[i-1].id]
		} else {
			rank[rw.id] = i + 1
		}
	}
	out := make(map[string]Standing, n)
	for _, p := range in {
		st := Standing{Rank: rank[p.Partner], Of: n, Turnover: last(p.Months)}
		st.Inactive = idle(p.Months, r.InactiveMonths)
		st.Tier = tierOf(r, st.Rank, n, st.Turnover)
		switch {
		case st.Inactive || st.Turnover < r.CMaxTurnover:
			st.Segment = SegmentC
		case st.Turnover >= r.AMinTurnover || within(st.Rank, n, r.ATopShare):
			st.Segment = SegmentA
		default:
			st.Segment = SegmentB
		}
		out[p.Partner] = st
	}
	return out
}

// within reports whether rank falls in the top share of n: the top 20%
// of 60 partners are ranks 1 to 12.
func within(rank, n int, share float64) bool {
	return rank <= int(math.Ceil(float64(n)*share-1e-9))
}

func tierOf(r Rules, rank, n int, turnover bot.Amount) Tier {
	switch {
	case turnover <= 0:
		return TierBronze
	case within(rank, n, r.Platinum):
		return TierPlatinum
	case within(rank, n, r.Gold):
		return TierGold
	case within(rank, n, r.Silver):
		return TierSilver
	}
	return TierBronze
}

// idle reports whether the last k months all had no turnover.
func idle(months []bot.Amount, k int) bool {
	if k <= 0 || len(months) < k {
		return false
	}
	for _, m := range months[len(months)-k:] {
		if m > 0 {
			return false
		}
	}
	return true
}

func last(ms []bot.Amount) bot.Amount {
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1]
}
