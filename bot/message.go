package bot

import "encoding/json"

// Message is what partnerbot says, in no platform's format: the Slack
// adapter renders it as Block Kit, the Discord adapter as an embed with
// components, the console as text. Commands, reports and alerts build
// Messages and never see a platform type.
type Message struct {
	// Title is the headline (an embed title, a Slack header block).
	Title string `json:"title,omitempty"`
	// Text is the body: plain text with *bold* marks around words, the
	// one emphasis every renderer can honour. Lines break on "\n".
	Text string `json:"text,omitempty"`
	// List is a long list (a row per partner, promotion or rank) shown
	// under Text. Adapters page it within their platform's limits, with
	// previous and next buttons and the total on every page: nothing is
	// cut off.
	List *List `json:"list,omitempty"`
	// Fields are labelled values laid out in columns where possible.
	Fields []Field `json:"fields,omitempty"`
	// Buttons are actions under the message.
	Buttons []Button `json:"buttons,omitempty"`
	// Image is attached or uploaded beside the message (a QR code, a
	// chart).
	Image *Image `json:"image,omitempty"`
	// Footer is small print under everything.
	Footer string `json:"footer,omitempty"`
	// Color marks the message's mood: "green", "amber", "red" or "".
	Color string `json:"color,omitempty"`
	// Private asks for an answer only the asker sees (Slack ephemeral,
	// Discord's ephemeral flag). Scheduled posts ignore it.
	Private bool `json:"private,omitempty"`
	// Form, on the answer to a button, asks the adapter to open a form
	// (a Slack or Discord modal) instead of showing a message; what is
	// typed comes back to the Service as a submitted form. Adapters
	// without forms show Text.
	Form *Form `json:"form,omitempty"`
	// Replace, on the answer to a button, replaces the message the
	// button is on (Slack's replace_original, Discord's message update)
	// instead of answering beside it: an acknowledged alert, a list's
	// next page.
	Replace bool `json:"replace,omitempty"`
}

// Form is a one-field form: what a button opens when its answer is
// typed (a reply to a partner).
type Form struct {
	Action string `json:"action"` // comes back with Value and the typed text
	Value  string `json:"value,omitempty"`
	Title  string `json:"title"`  // the form's heading (short: Slack allows 24 characters)
	Label  string `json:"label"`  // the text field's label
	Submit string `json:"submit"` // the submit button
}

// Field is one labelled value of a Message.
type Field struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

// ButtonStyle colours a button.
type ButtonStyle string

// Button styles.
const (
	ButtonDefault ButtonStyle = ""
	ButtonPrimary ButtonStyle = "primary"
	ButtonDanger  ButtonStyle = "danger"
)

// Button is an action under a message: either a link (URL set) or an
// action that comes back to the bot as an Interaction with Action and
// Value.
type Button struct {
	Action string      `json:"action,omitempty"`
	Value  string      `json:"value,omitempty"`
	Label  string      `json:"label"`
	URL    string      `json:"url,omitempty"`
	Style  ButtonStyle `json:"style,omitempty"`
}

// Image is a picture sent with a message: its bytes, or a Spec to draw
// it from at send time.
type Image struct {
	Name string `json:"name"`          // file name, e.g. "qr-janko.png"
	Alt  string `json:"alt,omitempty"` // what it shows, for screen readers and text renderings
	Type string `json:"type"`          // MIME type, "image/png"
	Data []byte `json:"data,omitempty"`
	// Spec, when Data is empty, describes the picture instead of holding
	// it (a chart's numbers and labels): a few hundred bytes in the
	// outbox rather than a PNG. The outbox draws it just before sending
	// with the renderer it was given (see outbox.Options.Render).
	Spec *ImageSpec `json:"spec,omitempty"`
}

// ImageSpec is what to draw: Kind names the drawing ("weekly_chart") and
// Data is its input, in whatever JSON form that drawing reads.
type ImageSpec struct {
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data"`
}

// List is the rows of a long list and how to show another page of it.
type List struct {
	// Items are the rows, one line each, in the neutral markup (a line
	// may be a heading, "*Segment A (12)*").
	Items []string `json:"items"`
	// Total is the count the list stands for (partners, not lines
	// with headings); zero means len(Items).
	Total int `json:"total,omitempty"`
	// Page is the page to show, from 0; adapters clamp it.
	Page int `json:"page,omitempty"`
	// Source rebuilds the message for another page when a page button
	// is pressed: "cmd:NAME ARGS" reruns a command as the presser,
	// "out:ID" reads a post from the outbox. Empty: the list has no
	// page buttons (a page shows as much as fits).
	Source string `json:"source,omitempty"`
	// Locale is the language of the page line and buttons.
	Locale Locale `json:"locale,omitempty"`
}

// Count is the number the list stands for.
func (l *List) Count() int {
	if l.Total > 0 {
		return l.Total
	}
	return len(l.Items)
}

// Paginate splits items into pages of at most perPage sections, each at
// most maxChars long by size (items joined by "\n"). An item longer than
// maxChars gets a section of its own (the renderer shortens it). Every
// item lands on exactly one page, in order; no items make one empty page.
func Paginate(items []string, maxChars, perPage int, size func(string) int) [][][]string {
	perPage = max(perPage, 1)
	var pages [][][]string
	var page [][]string
	var sect []string
	used := 0
	flush := func() {
		if len(sect) > 0 {
			page = append(page, sect)
			sect, used = nil, 0
		}
		if len(page) == perPage {
			pages = append(pages, page)
			page = nil
		}
	}
	for _, it := range items {
		n := size(it)
		if len(sect) > 0 && used+1+n > maxChars {
			flush()
		}
		if len(sect) > 0 {
			used++
		}
		sect = append(sect, it)
		used += n
	}
	if len(sect) > 0 {
		page = append(page, sect)
	}
	if len(page) > 0 || len(pages) == 0 {
		pages = append(pages, page)
	}
	return pages
}
