package alerts

import (
	"strings"
	"testing"

	"partnerbot/bot"
	"partnerbot/bot/console"
	"partnerbot/commands"
)

// TestNoProbing runs every command and every button as each kind of
// caller who has no business with a partner (another partner, the
// manager of other partners, an unknown chat user), naming that partner
// and naming one that does not exist. No answer may carry the partner's
// name, the two answers must read the same (so existence does not leak
// either), and nothing may be recorded or sent.
func TestNoProbing(t *testing.T) {
	e := newEnv(t)
	e.at(0, "janko", red())
	e.at(0, "apteka", red())
	callers := []struct {
		name, platform, user string
		other                string // a partner that is not the caller's
	}{
		{"partner", "slack", "UJANKO", "apteka"},
		{"manager of others", "slack", "UOLEK", "janko"},
		{"unknown user", "slack", "UNOBODY", "janko"},
	}
	const ghost = "ghost"
	answer := func(c *commands.Caller, kind, name, target string) string {
		var m *bot.Message
		if kind == "command" {
			sp, _ := e.svc.Spec(name)
			args := map[string]string{}
			for _, a := range sp.Args {
				switch a.Name {
				case "id":
					args[a.Name] = target
				case "period":
					args[a.Name] = "2026-11"
				default:
					args[a.Name] = "hello " + target
				}
			}
			m = e.svc.Run(e.ctx, c, name, args)
		} else {
			value := target + ":1"
			if !strings.HasPrefix(name, "alert.") {
				value = target
			}
			m = e.svc.Interact(e.ctx, c, name, value)
		}
		return console.Render(m)
	}
	outboxBefore := len(e.items())
	for _, cl := range callers {
		c, err := e.svc.Resolve(e.ctx, cl.platform, cl.user, "D1")
		if err != nil {
			t.Fatal(err)
		}
		other := e.partner(cl.other)
		var runs [][2]string
		for _, sp := range e.svc.Specs() {
			runs = append(runs, [2]string{"command", sp.Name})
		}
		for _, a := range e.svc.Actions() {
			runs = append(runs, [2]string{"button", a})
		}
		for _, r := range runs {
			t.Run(cl.name+"/"+r[0]+" "+r[1], func(t *testing.T) {
				got := answer(c, r[0], r[1], other.ID)
				if strings.Contains(got, other.Name) {
					t.Errorf("answer names %s:\n%s", other.Name, got)
				}
				none := answer(c, r[0], r[1], ghost)
				if strings.ReplaceAll(none, ghost, other.ID) != got {
					t.Errorf("existing and missing partner answered differently:\n%s\n---\n%s", got, none)
				}
			})
		}
	}
	for _, id := range []string{"janko", "apteka"} {
		if evs, _ := e.store.PartnerEvents(e.ctx, id, t0.Add(-day), t0.Add(day), bot.EventContactOut); len(evs) != 0 {
			t.Errorf("a refused caller logged a contact with %s: %+v", id, evs)
		}
		if st := e.state(id); !st.AckedAt.IsZero() || !st.SnoozedUntil.IsZero() {
			t.Errorf("a refused press changed %s's alert: %+v", id, st)
		}
	}
	if n := len(e.items()); n != outboxBefore {
		t.Errorf("outbox grew from %d to %d items", outboxBefore, n)
	}
}
