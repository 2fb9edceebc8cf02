package discord

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"partnerbot/bot"
)

func TestRender(t *testing.T) {
	many := func(n int) []bot.Field {
		fs := make([]bot.Field, n)
		for i := range fs {
			fs[i] = bot.Field{Name: fmt.Sprint("f", i), Value: "v"}
		}
		return fs
	}
	btns := func(n int) []bot.Button {
		bs := make([]bot.Button, n)
		for i := range bs {
			bs[i] = bot.Button{Action: "a", Value: fmt.Sprint(i), Label: fmt.Sprint("b", i)}
		}
		return bs
	}
	tests := []struct {
		name  string
		msg   bot.Message
		check func(t *testing.T, r rendered)
	}{
		{"bold becomes Discord bold, quotes stay", bot.Message{Text: "Hi *Janek*!\n> share *this*\n2 * 3 * 4"},
			func(t *testing.T, r rendered) {
				if want := "Hi **Janek**!\n> share **this**\n2 * 3 * 4"; r.Embed.Description != want {
					t.Errorf("description = %q, want %q", r.Embed.Description, want)
				}
			}},
		{"field values get bold too", bot.Message{Fields: []bot.Field{{Name: "N", Value: "*1.* you", Inline: true}}},
			func(t *testing.T, r rendered) {
				f := r.Embed.Fields[0]
				if f.Value != "**1.** you" || !f.Inline || f.Name != "N" {
					t.Errorf("field = %+v", f)
				}
			}},
		{"long title is cut with an ellipsis", bot.Message{Title: strings.Repeat("a", 300)},
			func(t *testing.T, r rendered) {
				if n := textLen(r.Embed.Title); n != maxTitle || !strings.HasSuffix(r.Embed.Title, "…") {
					t.Errorf("title length %d, ends %q", n, r.Embed.Title[len(r.Embed.Title)-4:])
				}
			}},
		{"limits count UTF-16 units", bot.Message{Title: strings.Repeat("😀", 200)},
			func(t *testing.T, r rendered) {
				if n := textLen(r.Embed.Title); n > maxTitle {
					t.Errorf("title is %d units", n)
				}
			}},
		{"description, value, footer limits", bot.Message{Text: strings.Repeat("x", 5000), Footer: strings.Repeat("f", 3000),
			Fields: []bot.Field{{Name: strings.Repeat("n", 300), Value: strings.Repeat("v", 2000)}}},
			func(t *testing.T, r rendered) {
				e := r.Embed
				if textLen(e.Footer.Text) != maxFooter || textLen(e.Fields[0].Name) != maxFieldName || textLen(e.Fields[0].Value) != maxFieldValue {
					t.Errorf("footer %d, name %d, value %d", textLen(e.Footer.Text), textLen(e.Fields[0].Name), textLen(e.Fields[0].Value))
				}
				total := textLen(e.Title) + textLen(e.Description) + textLen(e.Footer.Text) + textLen(e.Fields[0].Name) + textLen(e.Fields[0].Value)
				if total > maxEmbedTotal {
					t.Errorf("embed total %d > %d", total, maxEmbedTotal)
				}
			}},
		{"at most 25 fields", bot.Message{Fields: many(30)},
			func(t *testing.T, r rendered) {
				if len(r.Embed.Fields) != 25 || r.Embed.Fields[24].Name != "f24" {
					t.Errorf("fields = %d", len(r.Embed.Fields))
				}
			}},
		{"empty field value is kept valid", bot.Message{Fields: []bot.Field{{Name: "", Value: ""}}},
			func(t *testing.T, r rendered) {
				if f := r.Embed.Fields[0]; f.Name == "" || f.Value == "" {
					t.Errorf("field = %+v", f)
				}
			}},
		{"footer", bot.Message{Title: "t", Footer: "small print"},
			func(t *testing.T, r rendered) {
				if r.Embed.Footer == nil || r.Embed.Footer.Text != "small print" {
					t.Errorf("footer = %+v", r.Embed.Footer)
				}
			}},
		{"green", bot.Message{Title: "t", Color: "green"}, wantColor(colorGreen)},
		{"amber", bot.Message{Title: "t", Color: "amber"}, wantColor(colorAmber)},
		{"red", bot.Message{Title: "t", Color: "red"}, wantColor(colorRed)},
		{"default", bot.Message{Title: "t"}, wantColor(colorDefault)},
		{"buttons: styles, link, custom_id", bot.Message{Title: "t", Buttons: []bot.Button{
			{Action: "alert.ack", Value: "janko", Label: "OK", Style: bot.ButtonPrimary},
			{Action: "alert.snooze", Value: "janko", Label: "Later", Style: bot.ButtonDanger},
			{Action: "contact.log", Value: "janko", Label: "Log"},
			{Label: "Open", URL: "https://partners.example/r/abc"},
		}}, func(t *testing.T, r rendered) {
			row := rowButtons(t, r.Components, 0)
			want := []discordgo.Button{
				{Label: "OK", Style: discordgo.PrimaryButton, CustomID: "alert.ack:janko"},
				{Label: "Later", Style: discordgo.DangerButton, CustomID: "alert.snooze:janko"},
				{Label: "Log", Style: discordgo.SecondaryButton, CustomID: "contact.log:janko"},
				{Label: "Open", Style: discordgo.LinkButton, URL: "https://partners.example/r/abc"},
			}
			if len(row) != len(want) {
				t.Fatalf("buttons = %+v", row)
			}
			for i := range want {
				if row[i] != want[i] {
					t.Errorf("button %d = %+v, want %+v", i, row[i], want[i])
				}
			}
		}},
		{"five buttons a row", bot.Message{Title: "t", Buttons: btns(7)},
			func(t *testing.T, r rendered) {
				if len(r.Components) != 2 || len(rowButtons(t, r.Components, 0)) != 5 || len(rowButtons(t, r.Components, 1)) != 2 {
					t.Errorf("rows = %d", len(r.Components))
				}
			}},
		{"at most five rows", bot.Message{Title: "t", Buttons: btns(27)},
			func(t *testing.T, r rendered) {
				if len(r.Components) != 5 || len(r.Dropped) != 2 {
					t.Errorf("rows = %d, dropped %v", len(r.Components), r.Dropped)
				}
			}},
		{"a custom_id over 100 is dropped, not cut", bot.Message{Title: "t", Buttons: []bot.Button{
			{Action: "a", Value: strings.Repeat("v", 99), Label: "long"}, {Action: "a", Value: "ok", Label: "short"}}},
			func(t *testing.T, r rendered) {
				row := rowButtons(t, r.Components, 0)
				if len(row) != 1 || row[0].CustomID != "a:ok" || len(r.Dropped) != 1 {
					t.Errorf("buttons = %+v, dropped %v", row, r.Dropped)
				}
			}},
		{"image is an attachment the embed shows", bot.Message{Title: "QR", Image: &bot.Image{Name: "qr-ab c.png", Type: "image/png", Data: []byte("png")}},
			func(t *testing.T, r rendered) {
				if r.FileName != "qr-ab_c.png" || r.Embed.Image == nil || r.Embed.Image.URL != "attachment://qr-ab_c.png" {
					t.Errorf("file %q, image %+v", r.FileName, r.Embed.Image)
				}
				fs := r.files()
				if len(fs) != 1 || fs[0].Name != "qr-ab_c.png" || fs[0].ContentType != "image/png" {
					t.Errorf("files = %+v", fs)
				}
			}},
		{"empty message still renders", bot.Message{},
			func(t *testing.T, r rendered) {
				if r.Embed.Description == "" {
					t.Error("empty embed")
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := render(&tt.msg)
			tt.check(t, r)
			if _, err := json.Marshal(r.Components); err != nil {
				t.Fatalf("components do not marshal: %v", err)
			}
		})
	}
}

func wantColor(c int) func(*testing.T, rendered) {
	return func(t *testing.T, r rendered) {
		if r.Embed.Color != c {
			t.Errorf("color = %#x, want %#x", r.Embed.Color, c)
		}
	}
}

func rowButtons(t *testing.T, rows []discordgo.MessageComponent, i int) []discordgo.Button {
	t.Helper()
	if i >= len(rows) {
		t.Fatalf("no row %d of %d", i, len(rows))
	}
	row, ok := rows[i].(discordgo.ActionsRow)
	if !ok {
		t.Fatalf("row %d is %T", i, rows[i])
	}
	var out []discordgo.Button
	for _, c := range row.Components {
		out = append(out, c.(discordgo.Button))
	}
	return out
}

func TestCustomID(t *testing.T) {
	for _, tt := range []struct{ id, action, value string }{
		{"mystats.share:2026-11", "mystats.share", "2026-11"},
		{"alert.ack:janko:2026-11-20T10:00", "alert.ack", "janko:2026-11-20T10:00"},
		{"help", "help", ""},
	} {
		a, v := parseCustomID(tt.id)
		if a != tt.action || v != tt.value {
			t.Errorf("parseCustomID(%q) = %q, %q", tt.id, a, v)
		}
		if tt.value != "" && customID(a, v) != tt.id {
			t.Errorf("customID round trip of %q", tt.id)
		}
	}
}
