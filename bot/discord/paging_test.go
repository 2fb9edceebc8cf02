package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/health"
)

var healthIDRE = regexp.MustCompile(`\((p\d{3})\)`)

// embedLimits fails when a message breaks Discord's embed limits.
func embedLimits(t *testing.T, m *messageBody) {
	t.Helper()
	for _, e := range m.Embeds {
		total := textLen(e.Title) + textLen(e.Description)
		if e.Footer != nil {
			total += textLen(e.Footer.Text)
			if textLen(e.Footer.Text) > maxFooter {
				t.Errorf("footer of %d", textLen(e.Footer.Text))
			}
		}
		for _, f := range e.Fields {
			total += textLen(f.Name) + textLen(f.Value)
		}
		if n := textLen(e.Description); n > maxDescription {
			t.Errorf("description of %d, over %d", n, maxDescription)
		}
		if len(e.Fields) > maxFields {
			t.Errorf("%d fields", len(e.Fields))
		}
		if total > maxEmbedTotal {
			t.Errorf("embed of %d, over %d", total, maxEmbedTotal)
		}
	}
	for _, id := range m.customIDs() {
		if textLen(id) > maxCustomID {
			t.Errorf("custom_id %q over %d", id, maxCustomID)
		}
	}
}

// TestHealthPages is a manager with 300 partners on /health: every page
// within Discord's limits with the total in its footer, and next buttons
// (keeping the filter, answered by updating the message) that bring
// every partner exactly once.
func TestHealthPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := range 300 {
		p := bot.Partner{ID: fmt.Sprintf("p%03d", i), Name: fmt.Sprintf("Sklep Ogólnospożywczy „Pod Złotym Kłosem” nr %03d", i),
			Manager: "kasia", Locale: bot.LocalePL, Status: bot.StatusActive, Joined: bot.MustDate("2025-03-01")}
		if _, err := e.store.PutPartner(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	pln, _ := bot.LookupCurrency("PLN")
	svc := commands.New(commands.Options{Store: e.store, Clock: e.clock, Location: time.UTC, Currency: pln, Locale: bot.LocalePL,
		Program: "Program", Rules: health.DefaultRules,
		Health: func(ctx context.Context, p *bot.Partner, now time.Time) (health.Verdict, error) {
			return health.Verdict{Level: health.Red}, nil
		}})
	a, err := New(Options{Service: svc, BotToken: "token", AppID: "app1", APIURL: e.api.srv.URL, Clock: e.clock, Budget: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ask := func(payload map[string]any) response {
		t.Helper()
		b, _ := json.Marshal(payload)
		var i discordgo.Interaction
		if err := json.Unmarshal(b, &i); err != nil {
			t.Fatal(err)
		}
		resp, followup := a.respond(ctx, &i)
		if followup != nil {
			t.Fatal("answered late")
		}
		out, _ := json.Marshal(resp)
		var r response
		json.Unmarshal(out, &r)
		embedLimits(t, r.Data)
		return r
	}
	r := ask(e.command(userKasia, "health", map[string]string{"filter": "all"}))
	var seen []string
	for n := 0; ; n++ {
		if n > 100 {
			t.Fatal("no last page")
		}
		text := r.Data.text()
		if !strings.Contains(text, "łącznie 303") {
			t.Errorf("page %d shows no total:\n%s", n+1, text)
		}
		for _, m := range healthIDRE.FindAllStringSubmatch(text, -1) {
			seen = append(seen, m[1])
		}
		next := ""
		for _, id := range r.Data.customIDs() {
			if strings.HasPrefix(id, commands.ActionPage+":"+fmt.Sprint(n+1)+"|") {
				next = id
			}
		}
		if next == "" {
			break
		}
		if !strings.HasSuffix(next, "|cmd:health all") {
			t.Fatalf("next button %q does not keep the filter", next)
		}
		r = ask(e.component(userKasia, next))
		if r.Type != int(discordgo.InteractionResponseUpdateMessage) {
			t.Fatalf("page %d answered with type %d, want an update of the message (7)", n+2, r.Type)
		}
	}
	count := map[string]int{}
	for _, id := range seen {
		count[id]++
	}
	for i := range 300 {
		if id := fmt.Sprintf("p%03d", i); count[id] != 1 {
			t.Errorf("%s listed %d times across the pages", id, count[id])
		}
	}
}
