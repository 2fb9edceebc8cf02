package slack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"partnerbot/bot"
)

// blocksJSON writes blocks the way the tests' expectations read.
func blocksJSON(t testing.TB, blocks []slackapi.Block) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(blocks); err != nil {
		t.Fatal(err)
	}
	// Some slack-go types marshal themselves with HTML escaping.
	return strings.NewReplacer(`\u0026`, "&", `\u003c`, "<", `\u003e`, ">").Replace(strings.TrimSpace(buf.String()))
}

func TestRender(t *testing.T) {
	tests := []struct {
		name     string
		msg      bot.Message
		blocks   string
		fallback string
	}{
		{
			name:     "title and text",
			msg:      bot.Message{Title: "Your results: November 2026", Text: "Hi *Janek*! Q&A <today>"},
			blocks:   `[{"type":"header","text":{"type":"plain_text","text":"Your results: November 2026","emoji":true}},{"type":"section","text":{"type":"mrkdwn","text":"Hi *Janek*! Q&amp;A &lt;today&gt;"}}]`,
			fallback: "Your results: November 2026\nHi *Janek*! Q&amp;A &lt;today&gt;",
		},
		{
			name:     "quotes stay quotes",
			msg:      bot.Message{Text: "Share this:\n> Buy at <Janek's> & save\n>\n> 10% off > 5%"},
			blocks:   `[{"type":"section","text":{"type":"mrkdwn","text":"Share this:\n> Buy at &lt;Janek's&gt; &amp; save\n>\n> 10% off &gt; 5%"}}]`,
			fallback: "Share this:\n> Buy at &lt;Janek's&gt; &amp; save\n>\n> 10% off &gt; 5%",
		},
		{
			name:     "fields",
			msg:      bot.Message{Fields: []bot.Field{{Name: "Turnover", Value: "6 000,00 zł ↑ 12%", Inline: true}, {Name: "R&D", Value: "<1"}}},
			blocks:   `[{"type":"section","fields":[{"type":"mrkdwn","text":"*Turnover*\n6 000,00 zł ↑ 12%"},{"type":"mrkdwn","text":"*R&amp;D*\n&lt;1"}]}]`,
			fallback: "Turnover: 6 000,00 zł ↑ 12%",
		},
		{
			name: "buttons",
			msg: bot.Message{Title: "Alert", Buttons: []bot.Button{
				{Action: "alert.ack", Value: "apteka", Label: "Acknowledge", Style: bot.ButtonPrimary},
				{Action: "alert.ack", Value: "janko", Label: "Acknowledge too", Style: bot.ButtonDanger},
				{Label: "Open the link", URL: "https://bot.example.com/r/ABC"},
			}},
			blocks: `[{"type":"header","text":{"type":"plain_text","text":"Alert","emoji":true}},{"type":"actions","elements":[` +
				`{"type":"button","text":{"type":"plain_text","text":"Acknowledge","emoji":true},"action_id":"alert.ack","value":"apteka","style":"primary"},` +
				`{"type":"button","text":{"type":"plain_text","text":"Acknowledge too","emoji":true},"action_id":"alert.ack|1","value":"janko","style":"danger"},` +
				`{"type":"button","text":{"type":"plain_text","text":"Open the link","emoji":true},"action_id":"partnerbot.link","url":"https://bot.example.com/r/ABC"}]}]`,
			fallback: "Alert",
		},
		{
			name:     "footer",
			msg:      bot.Message{Text: "x", Footer: "Changes against 1–17 Oct <2026>", Color: "red"},
			blocks:   `[{"type":"section","text":{"type":"mrkdwn","text":"x"}},{"type":"context","elements":[{"type":"mrkdwn","text":"Changes against 1–17 Oct &lt;2026&gt;"}]}]`,
			fallback: "x",
		},
		{
			name:     "empty",
			msg:      bot.Message{},
			blocks:   `null`,
			fallback: "…",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks, fallback := Render(&tt.msg)
			if got := blocksJSON(t, blocks); got != tt.blocks {
				t.Errorf("blocks:\n got %s\nwant %s", got, tt.blocks)
			}
			if fallback != tt.fallback {
				t.Errorf("fallback = %q, want %q", fallback, tt.fallback)
			}
		})
	}
}

func TestRender_Limits(t *testing.T) {
	var fields []bot.Field
	for i := range 23 {
		fields = append(fields, bot.Field{Name: fmt.Sprintf("F%d", i), Value: strings.Repeat("v", 2500)})
	}
	var buttons []bot.Button
	for i := range 30 {
		buttons = append(buttons, bot.Button{Action: "same", Value: fmt.Sprint(i), Label: strings.Repeat("L", 100)})
	}
	m := &bot.Message{
		Title:   strings.Repeat("T", 200),
		Text:    strings.Repeat("ab&", 2000), // 10 000 characters escaped
		Fields:  fields,
		Buttons: buttons,
		Footer:  strings.Repeat("f", 4000),
	}
	blocks, fallback := Render(m)

	// header, text, 3 field sections, 2 action blocks, context
	if len(blocks) != 8 {
		t.Fatalf("%d blocks, want 8: %s", len(blocks), blocksJSON(t, blocks))
	}
	header := blocks[0].(*slackapi.HeaderBlock).Text.Text
	if n := utf8.RuneCountInString(header); n != maxHeader || !strings.HasSuffix(header, "…") {
		t.Errorf("header has %d characters, want %d ending in …", n, maxHeader)
	}
	text := blocks[1].(*slackapi.SectionBlock).Text.Text
	if n := utf8.RuneCountInString(text); n > maxSectionText || !strings.HasSuffix(text, "…") {
		t.Errorf("section text has %d characters, want at most %d ending in …", n, maxSectionText)
	}
	if cut := strings.TrimSuffix(text, "…"); strings.LastIndex(cut, "&") > strings.LastIndex(cut, ";") {
		t.Errorf("section text ends in half an entity: …%s", cut[len(cut)-10:])
	}
	for i, want := range []int{10, 10, 3} {
		s := blocks[2+i].(*slackapi.SectionBlock)
		if len(s.Fields) != want {
			t.Errorf("field section %d has %d fields, want %d", i, len(s.Fields), want)
		}
		for _, f := range s.Fields {
			if utf8.RuneCountInString(f.Text) > maxFieldText {
				t.Errorf("field of %d characters", utf8.RuneCountInString(f.Text))
			}
		}
	}
	for i, want := range []int{25, 5} {
		a := blocks[5+i].(*slackapi.ActionBlock)
		if len(a.Elements.ElementSet) != want {
			t.Errorf("actions block %d has %d buttons, want %d", i, len(a.Elements.ElementSet), want)
		}
		ids := map[string]bool{}
		for _, el := range a.Elements.ElementSet {
			b := el.(*slackapi.ButtonBlockElement)
			if ids[b.ActionID] {
				t.Errorf("action id %q repeated in a block", b.ActionID)
			}
			ids[b.ActionID] = true
			if actionOf(b.ActionID) != "same" {
				t.Errorf("actionOf(%q) = %q, want same", b.ActionID, actionOf(b.ActionID))
			}
			if utf8.RuneCountInString(b.Text.Text) > maxButtonLabel {
				t.Errorf("button label of %d characters", utf8.RuneCountInString(b.Text.Text))
			}
		}
	}
	ctx := blocks[7].(*slackapi.ContextBlock).ContextElements.Elements[0].(*slackapi.TextBlockObject).Text
	if utf8.RuneCountInString(ctx) > maxContextText {
		t.Errorf("context of %d characters", utf8.RuneCountInString(ctx))
	}
	if utf8.RuneCountInString(fallback) > maxFallback {
		t.Errorf("fallback of %d characters", utf8.RuneCountInString(fallback))
	}

	many := &bot.Message{}
	for i := range 70 {
		many.Buttons = append(many.Buttons, bot.Button{Action: "a", Value: fmt.Sprint(i), Label: "x"})
	}
	for i := range 600 {
		many.Fields = append(many.Fields, bot.Field{Name: fmt.Sprint(i), Value: "v"})
	}
	if blocks, _ := Render(many); len(blocks) != maxMessageBlocks {
		t.Errorf("%d blocks, want at most %d", len(blocks), maxMessageBlocks)
	}
}

func TestActionOf(t *testing.T) {
	for in, want := range map[string]string{
		"mystats.share":     "mystats.share",
		"mystats.share|3":   "mystats.share",
		"partnerbot.link":   "partnerbot.link",
		"partnerbot.link|2": "partnerbot.link",
		"odd|name":          "odd|name",
	} {
		if got := actionOf(in); got != want {
			t.Errorf("actionOf(%q) = %q, want %q", in, got, want)
		}
	}
}
