package commands_test

import (
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/i18n"
)

func TestMyStatsShowsWhatIsOwed(t *testing.T) {
	f := setup(t)
	pln := bot.Currency{Code: "PLN", Digits: 2}
	today := bot.DateOf(now, waw)
	janko := f.caller(t, "slack", "UJANKO")
	st, err := f.store.Stats(ctx, "janko", bot.MonthPeriod(2026, time.November), today, pln)
	if err != nil {
		t.Fatal(err)
	}
	if st.Owed.Approved == 0 || st.Owed.Pending == 0 {
		t.Fatalf("the demo gives janko no approved or pending commission: %+v", st.Owed)
	}
	_, out := f.run(t, janko, "/mystats")
	for _, want := range []string{
		"Prowizja oczekująca", i18n.Money(bot.LocalePL, pln, st.Owed.Pending),
		"Zatwierdzona, do wypłaty",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/mystats lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Saldo") || strings.Contains(out, "na dzień") {
		t.Errorf("/mystats for this month shows a balance or an as-of note:\n%s", out)
	}

	// A past period: the figures as of its last day, and said so.
	oct, _ := f.store.Stats(ctx, "janko", bot.MonthPeriod(2026, time.October), today, pln)
	_, out = f.run(t, janko, "/mystats 2026-10")
	if !strings.Contains(out, "na dzień 31 października 2026") || !strings.Contains(out, i18n.Money(bot.LocalePL, pln, oct.Owed.ToPay())) {
		t.Errorf("/mystats 2026-10 (to pay %v):\n%s", oct.Owed.ToPay(), out)
	}

	// A partner with no commission at all gets no row of zeros; in English.
	if _, err := f.store.PutPartner(ctx, &bot.Partner{ID: "nowy", Name: "New Shop", Locale: bot.LocaleEN, SlackUser: "UNEW", Joined: today}); err != nil {
		t.Fatal(err)
	}
	_, out = f.run(t, f.caller(t, "slack", "UNEW"), "/mystats")
	if strings.Contains(out, "to be paid") || strings.Contains(out, "pending") || strings.Contains(out, "Balance") {
		t.Errorf("/mystats of a partner without commission:\n%s", out)
	}

	// Paid more than approved (an advance): said in words, not as a negative.
	if _, err := f.store.Ingest(ctx, []bot.Event{{ID: "adv", Type: bot.EventPayout, Partner: "nowy", At: now.Add(-time.Hour), Amount: 5000}}, nil); err != nil {
		t.Fatal(err)
	}
	_, out = f.run(t, f.caller(t, "slack", "UNEW"), "/mystats")
	if !strings.Contains(out, "Paid ahead of approval") || !strings.Contains(out, "PLN 50.00") || strings.Contains(out, "-") && strings.Contains(out, "-50") {
		t.Errorf("/mystats after an advance:\n%s", out)
	}
	t.Log(out)
}

func TestPartnerCardShowsWhatIsOwed(t *testing.T) {
	f := setup(t)
	janko, _ := f.store.Partner(ctx, "janko")
	mgr, _ := f.store.Manager(ctx, janko.Manager)
	owed, err := f.store.Commissions(ctx, "janko", bot.DateOf(now, waw))
	if err != nil {
		t.Fatal(err)
	}
	_, out := f.run(t, f.caller(t, "slack", mgr.SlackUser), "/partner janko")
	l := mgr.Locale
	if l == "" {
		l = bot.LocalePL
	}
	pln := bot.Currency{Code: "PLN", Digits: 2}
	for _, want := range []string{i18n.T(l, "owed.to_pay"), i18n.Money(l, pln, owed.ToPay()), i18n.T(l, "owed.paid")} {
		if !strings.Contains(out, want) {
			t.Errorf("/partner janko lacks %q:\n%s", want, out)
		}
	}
}
