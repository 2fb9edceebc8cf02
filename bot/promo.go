package bot

import (
	"net/url"
	"strings"
	"time"
)

// Promotion is a campaign partners are told about: monthly in the promo
// calendar and 48 hours before it starts. Title and Description are in
// the program's language; TitlePL/TitleEN and DescriptionPL/
// DescriptionEN give them in each language, so a partner reads the
// promotion in its own (TitleIn, DescriptionIn).
type Promotion struct {
	ID            string    `json:"id"`
	Title         string    `json:"title"`
	Description   string    `json:"description,omitempty"`
	TitlePL       string    `json:"title_pl,omitempty"`
	TitleEN       string    `json:"title_en,omitempty"`
	DescriptionPL string    `json:"description_pl,omitempty"`
	DescriptionEN string    `json:"description_en,omitempty"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Link          string    `json:"link,omitempty"`
	Segments      []string  `json:"segments,omitempty"`
	Tiers         []string  `json:"tiers,omitempty"`
	Created       time.Time `json:"created,omitzero"`
}

// TitleIn returns the title in l, or the program-language title (or the
// other language's) when the promotion has none in l.
func (p *Promotion) TitleIn(l Locale) string {
	for _, t := range []string{p.byLocale(l, p.TitlePL, p.TitleEN), p.Title, p.TitlePL, p.TitleEN} {
		if t = strings.TrimSpace(t); t != "" {
			return t
		}
	}
	return ""
}

// DescriptionIn returns the description in l, or the program-language
// description when the promotion has none in l.
func (p *Promotion) DescriptionIn(l Locale) string {
	if d := strings.TrimSpace(p.byLocale(l, p.DescriptionPL, p.DescriptionEN)); d != "" {
		return d
	}
	return p.Description
}

func (p *Promotion) byLocale(l Locale, pl, en string) string {
	if l == LocalePL {
		return pl
	}
	return en
}

// Validate checks a promotion. Returns EINVALID naming the field.
func (p *Promotion) Validate() error {
	if !ValidID(p.ID) {
		return FieldError("id", "%q is not a valid id", p.ID)
	}
	if strings.TrimSpace(p.Title+p.TitlePL+p.TitleEN) == "" {
		return FieldError("title", "a promotion needs a title")
	}
	if p.Start.IsZero() || p.End.IsZero() {
		return FieldError("start", "a promotion needs a start and an end")
	}
	if !p.End.After(p.Start) {
		return FieldError("end", "the end must be after the start")
	}
	if p.Link != "" {
		if u, err := url.Parse(p.Link); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return FieldError("link", "%q is not an http(s) URL", p.Link)
		}
	}
	for _, s := range p.Segments {
		if s != "A" && s != "B" && s != "C" {
			return FieldError("segments", "%q is not a segment (A, B, C)", s)
		}
	}
	for _, t := range p.Tiers {
		switch t {
		case "platinum", "gold", "silver", "bronze":
		default:
			return FieldError("tiers", "%q is not a tier (platinum, gold, silver, bronze)", t)
		}
	}
	return nil
}
