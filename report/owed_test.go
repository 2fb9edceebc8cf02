package report_test

import (
	"strings"
	"testing"

	"partnerbot/bot"
	"partnerbot/bot/console"
	"partnerbot/i18n"
)

func TestWeeklyShowsWhatIsOwed(t *testing.T) {
	s, b := setup(t)
	week, _ := bot.WeekPeriod(2026, 47)
	for _, id := range []string{"janko", "apteka"} {
		p, err := s.Partner(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		w, err := b.Figures(ctx, p, week, bot.MustDate("2026-11-23"))
		if err != nil {
			t.Fatal(err)
		}
		if w.Owed.IsZero() {
			t.Fatalf("%s: the demo owes nothing", id)
		}
		m, err := b.WeeklyMessage(p, w, nil)
		if err != nil {
			t.Fatal(err)
		}
		out := console.Render(m)
		l := p.Locale
		wants := []string{i18n.T(l, "owed.to_pay"), i18n.Money(l, pln, w.Owed.ToPay())}
		if w.Owed.Pending != 0 {
			wants = append(wants, i18n.T(l, "owed.pending"), i18n.Money(l, pln, w.Owed.Pending))
		}
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Errorf("%s: report lacks %q:\n%s", id, want, out)
			}
		}
		if strings.Contains(out, "Saldo") || strings.Contains(out, "Balance") {
			t.Errorf("%s: report shows a balance:\n%s", id, out)
		}
	}
}
