package discord

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/bwmarrin/discordgo"

	"partnerbot/bot"
)

// autocomplete is the interaction Discord sends while user types typed
// into the option opt of /name.
func (e *env) autocomplete(user, name, opt, typed string) map[string]any {
	p := e.command(user, name, nil)
	p["type"] = int(discordgo.InteractionApplicationCommandAutocomplete)
	p["data"].(map[string]any)["options"] = []map[string]any{{"name": opt, "type": 3, "value": typed, "focused": true}}
	return p
}

// suggested posts a signed autocomplete interaction and returns the
// suggestions as value=label.
func (e *env) suggested(payload map[string]any) []string {
	t := e.t
	t.Helper()
	body, _ := json.Marshal(payload)
	sig, ts := e.sign(body)
	code, out := e.postRaw(body, sig, ts)
	var r struct {
		Type int `json:"type"`
		Data struct {
			Choices []struct {
				Name  string `json:"name"`
				Value string `json:"value"`
			} `json:"choices"`
		} `json:"data"`
	}
	if err := json.Unmarshal(out, &r); err != nil || code != 200 {
		t.Fatalf("autocomplete: HTTP %d %s (%v)", code, out, err)
	}
	if r.Type != int(discordgo.InteractionApplicationCommandAutocompleteResult) {
		t.Fatalf("type = %d, want %d", r.Type, discordgo.InteractionApplicationCommandAutocompleteResult)
	}
	var res []string
	for _, c := range r.Data.Choices {
		res = append(res, c.Value+"="+c.Name)
	}
	return res
}

// TestInteractions_Autocomplete types into /partner id: through a signed
// interaction, as Discord sends it.
func TestInteractions_Autocomplete(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const userOlek = "600000000000000009"
	if _, err := e.store.PutManager(ctx, &bot.Manager{ID: "olek", Name: "Olek", Locale: bot.LocalePL, DiscordUser: userOlek}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.PutPartner(ctx, &bot.Partner{ID: "apteka-olka", Name: "Apteka Olka", Manager: "olek", Locale: bot.LocalePL, Joined: bot.MustDate("2025-03-01")}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		who, user, cmd, typed string
		want                  []string
	}{
		{"kasia, by id", userKasia, "partner", "ap", []string{"apteka=Apteka Pod Lipami (apteka)"}},
		{"kasia, by name", userKasia, "linkcode", "sklep", []string{"janko=Sklep u Janka (janko)", "nowy=Nowy Sklep (nowy)"}},
		{"kasia, nothing typed", userKasia, "contact", "", []string{"apteka=Apteka Pod Lipami (apteka)", "janko=Sklep u Janka (janko)", "nowy=Nowy Sklep (nowy)"}},
		{"olek sees only his own", userOlek, "partner", "ap", []string{"apteka-olka=Apteka Olka (apteka-olka)"}},
		{"a partner gets none", userJanko, "partner", "", nil},
		{"a stranger gets none", userNobody, "partner", "", nil},
	} {
		t.Run(tt.who, func(t *testing.T) {
			got := e.suggested(e.autocomplete(tt.user, tt.cmd, "id", tt.typed))
			if !slices.Equal(got, tt.want) {
				t.Errorf("suggestions = %v, want %v", got, tt.want)
			}
		})
	}
	// Suggestions are not a use of the command.
	e.adapter.inflight.wait(0)
	if acts := e.activities(); len(acts) != 0 {
		t.Errorf("autocomplete counted as activity: %v", acts)
	}
	// An option without suggestions gets an empty list, not an error.
	if got := e.suggested(e.autocomplete(userKasia, "contact", "note", "x")); len(got) != 0 {
		t.Errorf("note suggestions = %v", got)
	}
}
