package commands_test

import (
	"strings"
	"testing"

	"partnerbot/bot"
	"partnerbot/bot/console"
	"partnerbot/commands"
	"partnerbot/health"
	"partnerbot/report"
)

// TestHome: the home view shows a manager its health board and this
// week's care agenda, a partner its own numbers, a stranger how to link.
func TestHome(t *testing.T) {
	f := setup(t)
	pln := bot.Currency{Code: "PLN", Digits: 2}
	ev := health.NewEvaluator(f.store, health.DefaultThresholds, health.DefaultRules, waw)
	svc := commands.New(commands.Options{Store: f.store, Clock: f.clock, Location: waw, Currency: pln,
		Locale: bot.LocalePL, PublicURL: "https://bot.example", Program: "Program", Rules: health.DefaultRules,
		Health:     ev.Evaluate,
		CareAgenda: (&report.Builder{Store: f.store, Location: waw, Currency: pln, Program: "Program"}).CareAgenda,
	})
	janko, _ := f.store.Partner(ctx, "janko")
	mgr, _ := f.store.Manager(ctx, janko.Manager)
	resolve := func(user string) *commands.Caller {
		c, err := svc.Resolve(ctx, "slack", user, "")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	render := func(ms []*bot.Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, console.Render(m))
		}
		return out
	}

	home := render(svc.Home(ctx, resolve(mgr.SlackUser)))
	board := render([]*bot.Message{svc.Run(ctx, resolve(mgr.SlackUser), "health", nil)})[0]
	if len(home) != 2 || home[0] != board {
		t.Fatalf("manager's home = %d parts, first:\n%s\nwant the /health board:\n%s", len(home), home[0], board)
	}
	if !strings.Contains(home[1], "Plan opieki") || !strings.Contains(home[1], mgr.Name[:3]) {
		t.Errorf("manager's home lacks this week's care agenda:\n%s", home[1])
	}

	if home := render(svc.Home(ctx, resolve(janko.SlackUser))); len(home) != 1 || !strings.Contains(home[0], janko.Name) {
		t.Errorf("partner's home = %v", home)
	}
	if home := render(svc.Home(ctx, resolve("UNOBODY"))); len(home) != 1 || !strings.Contains(home[0], "/link") {
		t.Errorf("stranger's home = %v", home)
	}
}
