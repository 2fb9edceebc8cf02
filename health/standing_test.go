package health

import (
	"testing"

	"partnerbot/bot"
)

func zl(v int64) bot.Amount { return bot.Amount(v * 100) }

func TestStandings_Playbook(t *testing.T) {
	// The playbook's sheet (section 02): Janko 6000 zł A, AutoSerwis
	// 2500 zł B, Apteka 300 zł C; with 17 small partners beside them so
	// the top 20% is 4 partners and nobody else is A by rank.
	in := []Input{
		{"janko", []bot.Amount{zl(5800), zl(6000)}, false},
		{"autoserwis", []bot.Amount{zl(2600), zl(2500)}, false},
		{"apteka", []bot.Amount{zl(350), zl(300)}, false},
		{"idle", []bot.Amount{0, 0}, false},
	}
	for i := range 16 {
		in = append(in, Input{string(rune('a'+i)) + "x", []bot.Amount{zl(1500), zl(1500 + int64(i))}, false})
	}
	st := Standings(DefaultRules, in)
	tests := []struct {
		id      string
		segment Segment
		tier    Tier
		rank    int
	}{
		{"janko", SegmentA, TierPlatinum, 1},
		{"autoserwis", SegmentA, TierGold, 2}, // top 20% of the 19 with turnover: A by rank
		{"apteka", SegmentC, TierBronze, 19},
		{"idle", SegmentC, TierBronze, 0}, // no turnover: no place
		{"px", SegmentA, TierGold, 3},
		{"ox", SegmentA, TierSilver, 4},
		{"nx", SegmentB, TierSilver, 5},
		{"ax", SegmentB, TierBronze, 18},
	}
	for _, tt := range tests {
		got := st[tt.id]
		if got.Segment != tt.segment || got.Tier != tt.tier || got.Rank != tt.rank || got.Of != 19 {
			t.Errorf("%s = %+v, want %s %s rank %d of 19", tt.id, got, tt.segment, tt.tier, tt.rank)
		}
	}
	if !st["idle"].Inactive || st["apteka"].Inactive {
		t.Errorf("inactive: idle %v apteka %v", st["idle"].Inactive, st["apteka"].Inactive)
	}
}

func TestStandings_TiesShareTier(t *testing.T) {
	var in []Input
	for i := range 40 {
		in = append(in, Input{string(rune('A' + i)), []bot.Amount{zl(100)}, false})
	}
	in[0].Months[0] = zl(9000)
	st := Standings(DefaultRules, in)
	if st["A"].Tier != TierPlatinum || st["A"].Rank != 1 {
		t.Fatalf("leader %+v", st["A"])
	}
	first := st["B"]
	for _, p := range in[1:] {
		if st[p.Partner].Tier != first.Tier || st[p.Partner].Rank != 2 {
			t.Fatalf("tied partners differ: %s %+v vs %+v", p.Partner, st[p.Partner], first)
		}
	}
}

func TestStandings_FiveThousandIsA(t *testing.T) {
	var in []Input
	for i := range 10 {
		in = append(in, Input{string(rune('a' + i)), []bot.Amount{zl(int64(6000 + i*1000))}, false})
	}
	for id, s := range Standings(DefaultRules, in) {
		if s.Segment != SegmentA {
			t.Errorf("%s with %v is %s, want A (5 000 zł or more)", id, s.Turnover, s.Segment)
		}
	}
}
