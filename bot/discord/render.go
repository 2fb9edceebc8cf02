package discord

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf16"

	"github.com/bwmarrin/discordgo"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/i18n"
)

// Discord's limits, counted in UTF-16 code units as Discord counts them.
const (
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxEmbedTotal  = 6000
	maxRowButtons  = 5
	maxRows        = 5
	maxLabel       = 80
	maxCustomID    = 100
	maxButtonURL   = 512
)

// The embed colours of a message's mood.
const (
	colorGreen   = 0x2ECC71
	colorAmber   = 0xF1C40F
	colorRed     = 0xE74C3C
	colorDefault = 0x5865F2 // Discord's blurple
)

// rendered is a bot.Message in Discord's terms.
type rendered struct {
	Embed      *discordgo.MessageEmbed
	Components []discordgo.MessageComponent
	// Image is the picture to attach, under FileName (the name the embed
	// refers to as attachment://FileName).
	Image    *bot.Image
	FileName string
	// Dropped lists buttons that could not be rendered (a custom_id over
	// 100 characters would not come back whole, a duplicate is refused).
	Dropped []string
}

// files returns the attachment to upload, with a fresh reader each call
// so a follow-up can be sent more than once.
func (r *rendered) files() []*discordgo.File {
	if r.Image == nil {
		return nil
	}
	ct := r.Image.Type
	if ct == "" {
		ct = "image/png"
	}
	return []*discordgo.File{{Name: r.FileName, ContentType: ct, Reader: bytes.NewReader(r.Image.Data)}}
}

// embeds returns the embed as the list Discord's payloads take.
func (r *rendered) embeds() []*discordgo.MessageEmbed { return []*discordgo.MessageEmbed{r.Embed} }

// customID is how a neutral button travels through Discord and back.
func customID(action, value string) string { return action + ":" + value }

// parseCustomID splits a custom_id into the button's action and value.
// Actions never contain ':'; values may.
func parseCustomID(id string) (action, value string) {
	action, value, _ = strings.Cut(id, ":")
	return action, value
}

// render turns a message into an embed, button rows and an attachment,
// within Discord's limits: long texts are cut with "…", fields beyond 25
// and buttons beyond 25 are left out.
func render(m *bot.Message) rendered {
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Title:       truncate(m.Title, maxTitle),
		Description: truncate(discordMarkdown(m.Text), maxDescription),
		Color:       color(m.Color),
	}
	for i, f := range m.Fields {
		if i == maxFields {
			break
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name:   nonEmpty(truncate(f.Name, maxFieldName)),
			Value:  nonEmpty(truncate(discordMarkdown(f.Value), maxFieldValue)),
			Inline: f.Inline,
		})
	}
	if m.Footer != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: truncate(m.Footer, maxFooter)}
	}
	var nav []bot.Button
	if m.List != nil {
		nav = renderList(e, m.List)
	}
	fitEmbed(e)
	if e.Title == "" && e.Description == "" && len(e.Fields) == 0 && e.Footer == nil {
		e.Description = "—" // Discord refuses an empty embed
	}
	r := rendered{Embed: e}
	if m.Image != nil {
		r.Image = m.Image
		r.FileName = fileName(m.Image.Name)
		e.Image = &discordgo.MessageEmbedImage{URL: "attachment://" + r.FileName}
	}
	r.Components, r.Dropped = buttons(append(nav, m.Buttons...))
	return r
}

// minListRoom is the least room a list page gets, however long the rest.
const minListRoom = 500

// renderList puts the page of a list it asks for under the description,
// whole lines within what the embed has left of Discord's 4 096 for a
// description and 6 000 for an embed, adds the page and the total to
// the footer, and returns the previous and next buttons.
func renderList(e *discordgo.MessageEmbed, l *bot.List) []bot.Button {
	line := i18n.T(l.Locale, "list.all", l.Count())
	footer := func(line string) string {
		if e.Footer == nil || e.Footer.Text == "" {
			return line
		}
		return truncate(line+"\n"+e.Footer.Text, maxFooter)
	}
	// The longest page line it may get, to leave room for it.
	longest := i18n.T(l.Locale, "list.page", len(l.Items), len(l.Items), l.Count())
	rest := textLen(e.Title) + textLen(footer(longest))
	for _, f := range e.Fields {
		rest += textLen(f.Name) + textLen(f.Value)
	}
	sep := 0
	if e.Description != "" {
		sep = 2
	}
	room := min(maxDescription-textLen(e.Description)-sep, maxEmbedTotal-rest-textLen(e.Description)-sep)
	if room < minListRoom {
		// The text gives way: the list is what the message is for.
		room = minListRoom
		keep := max(min(maxDescription, maxEmbedTotal-rest)-room-sep, 0)
		e.Description = truncate(e.Description, max(keep, 1))
	}
	pages := bot.Paginate(l.Items, room, 1, func(s string) int { return textLen(discordMarkdown(s)) })
	p := min(max(l.Page, 0), len(pages)-1)
	var body string
	for _, sect := range pages[p] {
		body = truncate(discordMarkdown(strings.Join(sect, "\n")), room)
	}
	if e.Description != "" && body != "" {
		e.Description += "\n\n"
	}
	e.Description += body
	if len(pages) > 1 {
		line = i18n.T(l.Locale, "list.page", p+1, len(pages), l.Count())
	}
	e.Footer = &discordgo.MessageEmbedFooter{Text: footer(line)}
	if l.Source == "" || len(pages) < 2 {
		return nil
	}
	var bs []bot.Button
	if p > 0 {
		bs = append(bs, bot.Button{Action: commands.ActionPage, Value: commands.PageValue(p-1, l.Source), Label: i18n.T(l.Locale, "list.prev")})
	}
	if p < len(pages)-1 {
		bs = append(bs, bot.Button{Action: commands.ActionPage, Value: commands.PageValue(p+1, l.Source), Label: i18n.T(l.Locale, "list.next"), Style: bot.ButtonPrimary})
	}
	return bs
}

// fitEmbed keeps an embed within Discord's 6000-character total: the
// description gives way first, then fields from the end.
func fitEmbed(e *discordgo.MessageEmbed) {
	total := func() int {
		n := textLen(e.Title) + textLen(e.Description)
		if e.Footer != nil {
			n += textLen(e.Footer.Text)
		}
		for _, f := range e.Fields {
			n += textLen(f.Name) + textLen(f.Value)
		}
		return n
	}
	if over := total() - maxEmbedTotal; over > 0 {
		e.Description = truncate(e.Description, max(textLen(e.Description)-over, 1))
	}
	for total() > maxEmbedTotal && len(e.Fields) > 0 {
		e.Fields = e.Fields[:len(e.Fields)-1]
	}
}

// buttons lays buttons out in action rows of five, at most five rows.
func buttons(bs []bot.Button) (rows []discordgo.MessageComponent, dropped []string) {
	var row []discordgo.MessageComponent
	seen := map[string]bool{}
	for _, b := range bs {
		label := b.Label
		if label == "" {
			label = b.Action
		}
		btn := discordgo.Button{Label: truncate(label, maxLabel)}
		switch {
		case b.URL != "":
			if textLen(b.URL) > maxButtonURL {
				dropped = append(dropped, b.URL)
				continue
			}
			btn.Style, btn.URL = discordgo.LinkButton, b.URL
		default:
			id := customID(b.Action, b.Value)
			if b.Action == "" || textLen(id) > maxCustomID || seen[id] {
				dropped = append(dropped, id)
				continue
			}
			seen[id] = true
			btn.CustomID, btn.Style = id, buttonStyle(b.Style)
		}
		if len(rows) == maxRows {
			dropped = append(dropped, label)
			continue
		}
		row = append(row, btn)
		if len(row) == maxRowButtons {
			rows = append(rows, discordgo.ActionsRow{Components: row})
			row = nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, discordgo.ActionsRow{Components: row})
	}
	return rows, dropped
}

func buttonStyle(s bot.ButtonStyle) discordgo.ButtonStyle {
	switch s {
	case bot.ButtonPrimary:
		return discordgo.PrimaryButton
	case bot.ButtonDanger:
		return discordgo.DangerButton
	}
	return discordgo.SecondaryButton
}

func color(mood string) int {
	switch mood {
	case "green":
		return colorGreen
	case "amber":
		return colorAmber
	case "red":
		return colorRed
	}
	return colorDefault
}

// boldRE finds the neutral *bold* mark: a star, text that neither starts
// nor ends with a space, a star, within one line. "2 * 3 * 4" is left be.
var boldRE = regexp.MustCompile(`\*([^\s*](?:[^*\n]*[^\s*])?)\*`)

// discordMarkdown turns the neutral *bold* into Discord's **bold**
// (a single star is italics there). "> " quote lines are Discord's own
// syntax and stay.
func discordMarkdown(s string) string { return boldRE.ReplaceAllString(s, "**$1**") }

// fileNameRE lists what may stay in an attachment name: Discord rewrites
// other characters, and attachment:// must match the stored name exactly.
var fileNameRE = regexp.MustCompile(`[^A-Za-z0-9._-]`)

func fileName(name string) string {
	name = fileNameRE.ReplaceAllString(name, "_")
	if name == "" || strings.Trim(name, "._") == "" {
		return "image.png"
	}
	return name
}

// nonEmpty keeps a field valid: Discord refuses empty names and values.
func nonEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "\u200b"
	}
	return s
}

// textLen counts s as Discord does, in UTF-16 code units.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// truncate cuts s to at most n UTF-16 code units, ending in "…" when cut.
func truncate(s string, n int) string {
	if textLen(s) <= n {
		return s
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		w := utf16.RuneLen(r)
		if used+w > n-1 {
			break
		}
		b.WriteRune(r)
		used += w
	}
	return strings.TrimRight(b.String(), " ") + "…"
}
