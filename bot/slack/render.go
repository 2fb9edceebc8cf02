package slack

import (
	"strconv"
	"strings"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/i18n"
)

// Block Kit limits (https://docs.slack.dev/reference/block-kit).
const (
	maxHeader        = 150  // header block plain_text
	maxSectionText   = 3000 // section text
	maxFieldText     = 2000 // one section field
	maxFieldsPerSect = 10
	maxContextText   = 3000
	maxButtonLabel   = 75
	maxButtonValue   = 2000
	maxButtonURL     = 3000
	maxActionID      = 255
	maxActionsPerBlk = 25
	maxFallback      = 3000 // top-level text: Slack takes more, notifications show little
	maxMessageBlocks = 50
	maxHomeBlocks    = 100
)

// linkActionID marks link buttons. Slack reports a click on them as an
// interaction too; it is acknowledged and otherwise ignored.
const linkActionID = "partnerbot.link"

// actionSep separates an action from the index that keeps repeated
// action ids unique within a block.
const actionSep = "|"

// Render turns a message into Block Kit blocks for a message and the
// fallback text that notifications and screen readers show: a header
// for the title, a section for the text, sections of fields, action
// blocks for the buttons and a context block for the footer. Image is
// not rendered (Slack has files for that) and Color is ignored (blocks
// have none). Every text is cut to Block Kit's limits.
func Render(m *bot.Message) (blocks []slackapi.Block, fallback string) {
	return renderBlocks(m, maxMessageBlocks), fallbackText(m)
}

func renderBlocks(m *bot.Message, maxBlocks int) []slackapi.Block {
	var blocks []slackapi.Block
	if t := strings.TrimSpace(m.Title); t != "" {
		blocks = append(blocks, slackapi.NewHeaderBlock(
			slackapi.NewTextBlockObject(slackapi.PlainTextType, cutPlain(t, maxHeader), true, false)))
	}
	if strings.TrimSpace(m.Text) != "" {
		blocks = append(blocks, slackapi.NewSectionBlock(
			slackapi.NewTextBlockObject(slackapi.MarkdownType, cutMrkdwn(mrkdwn(m.Text), maxSectionText), false, false), nil, nil))
	}
	if m.List != nil {
		others := len(blocks) + (len(m.Fields)+maxFieldsPerSect-1)/maxFieldsPerSect +
			(len(m.Buttons)+maxActionsPerBlk-1)/maxActionsPerBlk + 1 // + the footer
		blocks = append(blocks, listBlocks(m.List, maxBlocks-others)...)
	}
	for start := 0; start < len(m.Fields); start += maxFieldsPerSect {
		var fields []*slackapi.TextBlockObject
		for _, f := range m.Fields[start:min(start+maxFieldsPerSect, len(m.Fields))] {
			fields = append(fields, slackapi.NewTextBlockObject(slackapi.MarkdownType, fieldText(f), false, false))
		}
		blocks = append(blocks, slackapi.NewSectionBlock(nil, fields, nil))
	}
	for start := 0; start < len(m.Buttons); start += maxActionsPerBlk {
		used := map[string]bool{}
		var elems []slackapi.BlockElement
		for i, b := range m.Buttons[start:min(start+maxActionsPerBlk, len(m.Buttons))] {
			elems = append(elems, button(b, i, used))
		}
		blocks = append(blocks, slackapi.NewActionBlock("", elems...))
	}
	if f := strings.TrimSpace(m.Footer); f != "" {
		blocks = append(blocks, slackapi.NewContextBlock("",
			slackapi.NewTextBlockObject(slackapi.MarkdownType, cutMrkdwn(mrkdwn(f), maxContextText), false, false)))
	}
	if len(blocks) > maxBlocks {
		blocks = blocks[:maxBlocks]
	}
	return blocks
}

// maxListSections is how many sections of a list one message shows:
// more would make a wall of text nobody scrolls.
const maxListSections = 3

// listBlocks renders the page of a list it asks for within room blocks:
// sections of whole lines, each within Block Kit's 3 000 characters, a
// context line with the page and the total, and previous and next
// buttons that carry the list's source.
func listBlocks(l *bot.List, room int) []slackapi.Block {
	per := max(min(maxListSections, room-2), 1)
	pages := bot.Paginate(l.Items, maxSectionText, per, func(s string) int { return utf8.RuneCountInString(mrkdwn(s)) })
	p := min(max(l.Page, 0), len(pages)-1)
	var blocks []slackapi.Block
	for _, sect := range pages[p] {
		blocks = append(blocks, slackapi.NewSectionBlock(
			slackapi.NewTextBlockObject(slackapi.MarkdownType, cutMrkdwn(mrkdwn(strings.Join(sect, "\n")), maxSectionText), false, false), nil, nil))
	}
	line := i18n.T(l.Locale, "list.all", l.Count())
	if len(pages) > 1 {
		line = i18n.T(l.Locale, "list.page", p+1, len(pages), l.Count())
	}
	blocks = append(blocks, slackapi.NewContextBlock("", slackapi.NewTextBlockObject(slackapi.MarkdownType, escape(line), false, false)))
	if nav := pageButtons(l, p, len(pages)); len(nav) > 0 {
		used := map[string]bool{}
		var elems []slackapi.BlockElement
		for i, b := range nav {
			elems = append(elems, button(b, i, used))
		}
		blocks = append(blocks, slackapi.NewActionBlock("", elems...))
	}
	return blocks
}

// pageButtons are the previous and next buttons of page p of n.
func pageButtons(l *bot.List, p, n int) []bot.Button {
	if l.Source == "" || n < 2 {
		return nil
	}
	var bs []bot.Button
	if p > 0 {
		bs = append(bs, bot.Button{Action: commands.ActionPage, Value: commands.PageValue(p-1, l.Source), Label: i18n.T(l.Locale, "list.prev")})
	}
	if p < n-1 {
		bs = append(bs, bot.Button{Action: commands.ActionPage, Value: commands.PageValue(p+1, l.Source), Label: i18n.T(l.Locale, "list.next"), Style: bot.ButtonPrimary})
	}
	return bs
}

// fieldText is "*Name*\nValue" in mrkdwn.
func fieldText(f bot.Field) string {
	var s string
	switch name := strings.TrimSpace(f.Name); {
	case name == "":
		s = mrkdwn(f.Value)
	case f.Value == "":
		s = "*" + escape(name) + "*"
	default:
		s = "*" + escape(name) + "*\n" + mrkdwn(f.Value)
	}
	if s == "" {
		s = "—"
	}
	return cutMrkdwn(s, maxFieldText)
}

// button renders one button; i is its place in its block, used to keep
// action ids unique there (Slack refuses repeats).
func button(b bot.Button, i int, used map[string]bool) *slackapi.ButtonBlockElement {
	label := strings.TrimSpace(b.Label)
	if label == "" {
		label = b.Action
	}
	if label == "" {
		label = "Open"
	}
	id := b.Action
	if b.URL != "" || id == "" {
		id = linkActionID
	}
	if used[id] {
		id += actionSep + strconv.Itoa(i)
	}
	used[id] = true
	if len(id) > maxActionID {
		id = id[:maxActionID]
	}
	value := b.Value
	if len(value) > maxButtonValue {
		value = value[:maxButtonValue]
	}
	el := slackapi.NewButtonBlockElement(id, value,
		slackapi.NewTextBlockObject(slackapi.PlainTextType, cutPlain(label, maxButtonLabel), true, false))
	if b.URL != "" && len(b.URL) <= maxButtonURL {
		el.URL = b.URL
	}
	switch b.Style {
	case bot.ButtonPrimary:
		el.Style = slackapi.StylePrimary
	case bot.ButtonDanger:
		el.Style = slackapi.StyleDanger
	}
	return el
}

// actionOf undoes the uniqueness suffix of an action id: the Service's
// action, or linkActionID for a link button.
func actionOf(actionID string) string {
	if i := strings.LastIndex(actionID, actionSep); i >= 0 {
		if _, err := strconv.Atoi(actionID[i+1:]); err == nil {
			return actionID[:i]
		}
	}
	return actionID
}

// fallbackText is the title and text as one notification line.
func fallbackText(m *bot.Message) string {
	var parts []string
	for _, s := range []string{m.Title, m.Text} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		switch {
		case len(m.Fields) > 0:
			parts = append(parts, m.Fields[0].Name+": "+m.Fields[0].Value)
		case m.Footer != "":
			parts = append(parts, m.Footer)
		case m.Image != nil:
			parts = append(parts, m.Image.Alt)
		}
	}
	s := cutMrkdwn(mrkdwn(strings.Join(parts, "\n")), maxFallback)
	if strings.TrimSpace(s) == "" {
		s = "…"
	}
	return s
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape makes text safe for mrkdwn: Slack reads <...> as links and
// mentions and &...; as entities.
func escape(s string) string { return escaper.Replace(s) }

// mrkdwn turns the neutral text into Slack mrkdwn: *bold* already is,
// "> " at a line's start stays a quote, everything else is escaped.
func mrkdwn(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		switch {
		case l == ">":
			lines[i] = ">"
		case strings.HasPrefix(l, "> "):
			lines[i] = "> " + escape(l[2:])
		default:
			lines[i] = escape(l)
		}
	}
	return strings.Join(lines, "\n")
}

// cutPlain shortens s to at most n characters, ending in "…" when cut.
func cutPlain(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " \n") + "…"
}

// cutMrkdwn is cutPlain for escaped text: it never leaves half an
// entity ("&am…") behind.
func cutMrkdwn(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := string([]rune(s)[:n-1])
	if amp := strings.LastIndexByte(cut, '&'); amp >= 0 && !strings.Contains(cut[amp:], ";") {
		cut = cut[:amp]
	}
	return strings.TrimRight(cut, " \n") + "…"
}
