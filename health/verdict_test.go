package health

import (
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
)

var now = time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)

func days(n float64) time.Duration { return time.Duration(n * 24 * float64(time.Hour)) }

// contacts builds a contact history: "o" an outreach, "i" the partner
// writing, each with its age in days.
func contacts(spec ...any) []Contact {
	var out []Contact
	for i := 0; i < len(spec); i += 2 {
		out = append(out, Contact{At: now.Add(-days(spec[i+1].(float64))), Out: spec[i] == "o"})
	}
	return out
}

func facts(months []bot.Amount, sales []int64, cs []Contact, materials int64) Facts {
	return Facts{Now: now, Months: months, Sales: sales, MonthNames: []string{"a", "b", "c", "d", "e", "f", "g"}[:len(months)],
		Contacts: cs, Materials: materials, ProgramUsesMaterials: true, ProgramRecordsContacts: true, InactiveMonths: 2}
}

func TestJudge_PlaybookDashboard(t *testing.T) {
	tests := []struct {
		name    string
		f       Facts
		verdict Level
		metrics [5]Level // trend, transactions, responsiveness, initiative, education
	}{
		{"Janko: growing, 15 a month, replies within 24 h, writes often, uses materials",
			facts([]bot.Amount{zl(5000), zl(5500), zl(6000)}, []int64{14, 15, 15},
				contacts("i", 80.0, "o", 60.0, "i", 59.2, "i", 40.0, "o", 20.0, "i", 19.0, "i", 5.0), 3),
			Green, [5]Level{Green, Green, Green, Green, Green}},
		{"AutoSerwis: stable, 8 a month, replies in 48 h, writes sometimes, uses materials",
			facts([]bot.Amount{zl(2500), zl(2450), zl(2500)}, []int64{8, 9, 8},
				contacts("o", 50.0, "i", 48.0, "i", 30.0, "o", 10.0, "i", 8.0), 2),
			Amber, [5]Level{Green, Amber, Amber, Amber, Green}},
		{"Apteka: falling, 2 a month, replies after 7 days, never writes first, no materials",
			facts([]bot.Amount{zl(450), zl(380), zl(300)}, []int64{3, 2, 2},
				contacts("o", 40.0, "i", 33.0, "o", 20.0, "i", 13.0), 0),
			Red, [5]Level{Red, Red, Red, Red, Red}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Judge(DefaultThresholds, tt.f)
			got := [5]Level{v.Trend.Level, v.Transactions.Level, v.Response.Level, v.Initiative.Level, v.Education.Level}
			if v.Level != tt.verdict || got != tt.metrics {
				t.Fatalf("verdict %s %v, want %s %v\nreasons: %v", v.Level, got, tt.verdict, tt.metrics, v.Reasons(bot.LocaleEN))
			}
		})
	}
}

// The AutoSerwis case (section 08): 3 000–4 000 zł, then 1 500, 500, 0,
// then back to 2 500 after the new employee was trained.
func TestJudge_AutoSerwisCase(t *testing.T) {
	steps := []struct {
		months  []bot.Amount
		sales   []int64
		verdict Level
		reason  string
	}{
		{[]bot.Amount{zl(3000), zl(4000), zl(3800)}, []int64{12, 14, 13}, Green, ""},
		{[]bot.Amount{zl(3000), zl(4000), zl(3800), zl(1500)}, []int64{12, 14, 13, 6}, Amber, "obrót spadł w ostatnim miesiącu: 3 800,00 → 1 500,00 zł"},
		{[]bot.Amount{zl(4000), zl(3800), zl(1500), zl(500)}, []int64{14, 13, 6, 2}, Red, "obrót spada 2. miesiąc z rzędu: 3 800,00 → 1 500,00 → 500,00 zł"},
		{[]bot.Amount{zl(3800), zl(1500), zl(500), 0}, []int64{13, 6, 2, 0}, Red, "obrót spada 3. miesiąc z rzędu: 3 800,00 → 1 500,00 → 500,00 → 0,00 zł"},
		{[]bot.Amount{zl(1500), zl(500), 0, zl(2500)}, []int64{6, 2, 0, 9}, Green, "9 transakcji"},
	}
	// A manager in touch: answered within a day, the partner writes now
	// and then, materials in use.
	cs := contacts("i", 60.0, "o", 30.0, "i", 29.5, "i", 15.0, "i", 4.0)
	for i, st := range steps {
		v := Judge(DefaultThresholds, facts(st.months, st.sales, cs, 1))
		reasons := strings.Join(v.Reasons(bot.LocalePL), "; ")
		if v.Level != st.verdict || !strings.Contains(reasons, st.reason) {
			t.Errorf("month %d: %s (%s), want %s with %q", i+3, v.Level, reasons, st.verdict, st.reason)
		}
	}
}

func TestJudge_InactiveAfterTwoEmptyMonths(t *testing.T) {
	f := facts([]bot.Amount{0, 0}, []int64{0, 0}, contacts("o", 10.0, "i", 9.5, "i", 2.0), 1)
	f.Inactive = true
	v := Judge(DefaultThresholds, f)
	if v.Level != Red || !strings.Contains(strings.Join(v.Reasons(bot.LocalePL), ";"), "brak aktywności") {
		t.Fatalf("verdict %s %v", v.Level, v.Reasons(bot.LocalePL))
	}
}

func TestJudge_UnknownDoesNotCount(t *testing.T) {
	f := Facts{Now: now, Months: []bot.Amount{zl(2000)}, Sales: []int64{12}}
	v := Judge(DefaultThresholds, f)
	for _, m := range v.Metrics() {
		if m.Name != "transactions" && m.Level != Unknown {
			t.Errorf("%s = %s, want unknown", m.Name, m.Level)
		}
	}
	if v.Level != Green {
		t.Fatalf("a new partner with nothing to judge is %s", v.Level)
	}
}

func TestResponsiveness(t *testing.T) {
	for _, tt := range []struct {
		name string
		cs   []Contact
		want Level
	}{
		{"replied in 3 h", contacts("o", 5.0, "i", 4.9), Green},
		{"replied in 3 days", contacts("o", 5.0, "i", 2.0), Amber},
		{"replied after 8 days", contacts("o", 20.0, "i", 12.0), Red},
		{"silent for 9 days", contacts("o", 9.0), Red},
		{"silent for 3 days", contacts("o", 3.0), Amber},
		{"asked an hour ago, answered the time before", contacts("o", 10.0, "i", 9.9, "o", 0.04), Green},
		{"never asked", contacts("i", 3.0), Unknown},
	} {
		f := facts([]bot.Amount{zl(1), zl(1)}, []int64{1, 1}, tt.cs, 1)
		if got := responsiveness(DefaultThresholds, f); got.Level != tt.want {
			t.Errorf("%s: %s (%s), want %s", tt.name, got.Level, got.Reason.Text(bot.LocaleEN), tt.want)
		}
	}
}
