package commands_test

import (
	"strings"
	"testing"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/health"
)

// withHealth is setup with the health evaluator wired in, as serve does.
func withHealth(t *testing.T) *env {
	t.Helper()
	f := setup(t)
	ev := health.NewEvaluator(f.store, health.DefaultThresholds, health.DefaultRules, waw)
	f.svc = commands.New(commands.Options{Store: f.store, Clock: f.clock, Location: waw, Currency: bot.Currency{Code: "PLN", Digits: 2},
		Locale: bot.LocalePL, PublicURL: "https://bot.example", Program: "Program", Rules: health.DefaultRules,
		Admins: map[string][]string{"slack": {"UADMIN"}}, Health: ev.Evaluate})
	return f
}

func TestHealth(t *testing.T) {
	f := withHealth(t)

	t.Run("a manager sees only its partners", func(t *testing.T) {
		kasia, err := f.svc.ResolveID(ctx, "kasia")
		if err != nil {
			t.Fatal(err)
		}
		_, out := f.run(t, kasia, "/health all")
		if !strings.Contains(out, "Apteka Pod Lipami") || !strings.Contains(out, "Sklep u Janka") {
			t.Fatalf("kasia's board lacks her partners:\n%s", out)
		}
		if strings.Contains(out, "AutoSerwis") {
			t.Fatalf("kasia sees tomek's partner:\n%s", out)
		}
		// Red first.
		if i, j := strings.Index(out, "Apteka Pod Lipami"), strings.Index(out, "Sklep u Janka"); i > j {
			t.Fatalf("apteka (red) after janko:\n%s", out)
		}
		_, out = f.run(t, kasia, "/health")
		if !strings.Contains(out, "Apteka Pod Lipami") || strings.Contains(out, "Sklep u Janka") {
			t.Fatalf("default filter (red and amber):\n%s", out)
		}
		_, out = f.run(t, kasia, "/health purple")
		if !strings.Contains(out, "purple") {
			t.Fatalf("bad filter:\n%s", out)
		}
	})

	t.Run("an admin sees everyone", func(t *testing.T) {
		_, out := f.run(t, f.caller(t, "slack", "UADMIN"), "/health red")
		if !strings.Contains(out, "AutoSerwis") || !strings.Contains(out, "Apteka Pod Lipami") {
			t.Fatalf("admin board:\n%s", out)
		}
	})

	t.Run("a partner is refused", func(t *testing.T) {
		janko, err := f.svc.ResolveID(ctx, "janko")
		if err != nil {
			t.Fatal(err)
		}
		m, out := f.run(t, janko, "/health all")
		if !m.Private || strings.Contains(out, "Apteka") {
			t.Fatalf("partner got:\n%s", out)
		}
	})

	t.Run("partner card shows the verdict and its changes", func(t *testing.T) {
		p, err := f.store.Partner(ctx, "apteka")
		if err != nil {
			t.Fatal(err)
		}
		v, err := health.NewEvaluator(f.store, health.DefaultThresholds, health.DefaultRules, waw).Evaluate(ctx, p, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := health.Record(ctx, f.store, p, v, health.Standing{}, now); err != nil {
			t.Fatal(err)
		}
		_, out := f.run(t, f.caller(t, "slack", "UADMIN"), "/partner apteka")
		if !strings.Contains(out, "Zdrowie") || !strings.Contains(out, "ryzyko") || !strings.Contains(out, "Zmiany oceny") {
			t.Fatalf("card:\n%s", out)
		}
	})

	t.Run("not configured", func(t *testing.T) {
		_, out := setup(t).run(t, f.caller(t, "slack", "UADMIN"), "/health")
		if !strings.Contains(out, "nie jest skonfigurowana") {
			t.Fatalf("no evaluator:\n%s", out)
		}
	})
}
