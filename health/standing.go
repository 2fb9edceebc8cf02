// Package health judges partners: segments A/B/C and tiers from their
// turnover, and (with issue 5) the health verdicts managers are alerted
// on. Everything here is a pure function of figures and rules; reading
// the figures from the store is the callers' business.
package health

import (
	"math"
	"sort"

	"partnerbot/bot"
	"partnerbot/i18n"
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
	// NewPartnerDays is the grace period after joining (config:
	// health.new_partner_days): a partner this new is onboarding, judged
	// only on what it has had time to show. Zero means 60.
	NewPartnerDays int
}

// graceDays returns the grace period in days.
func (r Rules) graceDays() int {
	if r.NewPartnerDays <= 0 {
		return 60
	}
	return r.NewPartnerDays
}

// IsNew reports whether p is still in its grace period on today: joined
// fewer than NewPartnerDays days before (or not yet joined).
func (r Rules) IsNew(p *bot.Partner, today bot.Date) bool {
	if p.Joined.IsZero() {
		return false
	}
	return today.Before(p.Joined.AddDays(r.graceDays()))
}

// GraceUntil returns the first day p is judged like any partner.
func (r Rules) GraceUntil(p *bot.Partner) bot.Date { return p.Joined.AddDays(r.graceDays()) }

// InputOf returns p's ranking input on today from the turnover of the
// months starting on firsts (oldest first, the ranking month last). Only
// months p was in the program from their first day count: a partner that
// joined on the 20th is not judged on ten days as if on a month.
func (r Rules) InputOf(p *bot.Partner, today bot.Date, firsts []bot.Date, turnover func(i int) bot.Amount) Input {
	in := Input{Partner: p.ID}
	for i, m := range firsts {
		if m.Before(p.Joined) {
			continue
		}
		in.Months = append(in.Months, turnover(i))
	}
	in.New = r.IsNew(p, today) || len(in.Months) == 0
	return in
}

// DefaultRules are the playbooks' values.
var DefaultRules = Rules{AMinTurnover: 500000, ATopShare: 0.20, CMaxTurnover: 100000, InactiveMonths: 2,
	Platinum: 0.05, Gold: 0.15, Silver: 0.40}

// Input is one partner's turnover in its last full months, oldest first;
// the last entry is the month that ranks are taken from.
type Input struct {
	Partner string
	Months  []bot.Amount
	// New says the partner is onboarding (in its grace period, or without
	// a full month yet): it is never put in C for lack of history, and
	// with no full month it is not ranked at all.
	New bool
}

// Standing is where a partner stands among the program's active partners.
type Standing struct {
	Segment  Segment
	Tier     Tier
	Rank     int // 1 is the highest turnover; equal turnovers share a rank; 0: not ranked (no turnover)
	Of       int // how many partners were ranked: those with turnover
	Inactive bool
	Turnover bot.Amount // in the ranking month
	// New says the partner is onboarding: Segment is empty rather than C,
	// and with no full month yet Tier is empty and it has no rank.
	New bool
}

// SegmentText names the segment for people; an onboarding partner's is
// "new partner", not a letter it has not earned yet.
func (s Standing) SegmentText(l bot.Locale) string {
	if s.Segment == "" {
		return i18n.T(l, "standing.new")
	}
	return i18n.T(l, "segment."+string(s.Segment))
}

// TierText names the tier for people, "new partner" before the first
// full month.
func (s Standing) TierText(l bot.Locale) string {
	if s.Tier == "" {
		return i18n.T(l, "standing.new")
	}
	return i18n.T(l, "tier."+string(s.Tier))
}

// Standings ranks partners by their last month's turnover and gives each
// a segment and a tier. Equal turnovers share a rank (1, 2, 2, 4), so a
// tie never splits two partners into different tiers; a partner with no
// turnover has no rank (0) and is bronze, and only ranked partners count
// in Of: a month where nobody sold ranks nobody.
func Standings(r Rules, in []Input) map[string]Standing {
	type row struct {
		id   string
		last bot.Amount
	}
	rows := make([]row, 0, len(in))
	for _, p := range in {
		if p.New && len(p.Months) == 0 || last(p.Months) <= 0 {
			continue // nothing to rank it by (yet): no turnover, no place
		}
		rows = append(rows, row{p.Partner, last(p.Months)})
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
		if p.New && len(p.Months) == 0 {
			out[p.Partner] = Standing{New: true}
			continue
		}
		st := Standing{Rank: rank[p.Partner], Of: n, Turnover: last(p.Months), New: p.New}
		st.Inactive = idle(p.Months, r.InactiveMonths)
		st.Tier = tierOf(r, st.Rank, n, st.Turnover)
		switch {
		case p.New && (st.Inactive || st.Turnover < r.CMaxTurnover) && st.Turnover < r.AMinTurnover:
			st.Segment = "" // onboarding, not "to reactivate"
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
	return rank >= 1 && rank <= int(math.Ceil(float64(n)*share-1e-9))
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
