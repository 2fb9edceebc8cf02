package referral

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/boombuler/barcode/qr"

	"partnerbot/bot"
	"partnerbot/i18n"
)

// PrintLink returns the address of a partner's print-ready poster,
// {publicURL}/r/{code}/print.svg.
func PrintLink(publicURL, code string) string { return Link(publicURL, code) + "/print.svg" }

// The poster is an A4 page in millimetres.
const (
	posterW   = 210.0
	posterH   = 297.0
	posterQR  = 150.0 // the code's side with its quiet zone
	posterTop = 62.0  // where the code starts
)

// Poster returns a print-ready A4 poster of a partner's referral link as
// SVG, a vector image that prints sharp at any size: the partner's name,
// a call to action, the QR code (with a four-module quiet zone, medium
// error correction), the link for those who type, and the code. Texts are in l; program, when set, signs the foot of the page.
// Returns an error when the link is too long for a QR code.
func Poster(l bot.Locale, program string, p *bot.Partner, link string) ([]byte, error) {
	code, err := qr.Encode(link, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("encode QR code: %w", err)
	}
	n := code.Bounds().Dx()
	module := posterQR / float64(n+2*quietZone)
	x0 := (posterW-posterQR)/2 + quietZone*module
	y0 := posterTop + quietZone*module

	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="%gmm" height="%gmm" viewBox="0 0 %g %g">
<title>%s</title>
<rect width="100%%" height="100%%" fill="#fff"/>
`, posterW, posterH, posterW, posterH, esc(i18n.T(l, "poster.title", p.Name)))
	const font = `font-family="DejaVu Sans, Helvetica, Arial, sans-serif" text-anchor="middle"`
	text := func(y, size float64, weight, fill, s string) {
		fmt.Fprintf(&b, `<text x="%g" y="%.2f" font-size="%.2f" font-weight="%s" fill="%s" %s>%s</text>
`, posterW/2, y, size, weight, fill, font, esc(s))
	}
	// The name leads, as big as fits the width (about 0.6 em a letter).
	name := strings.TrimSpace(p.Name)
	text(30, fit(name, 14, 180), "bold", "#111", name)
	text(48, fit(i18n.T(l, "poster.cta"), 9, 186), "bold", "#0b6e4f", i18n.T(l, "poster.cta"))

	// One path for the dark modules, a run of them per rectangle: the file
	// stays small and a printer draws no hairlines between modules.
	var path strings.Builder
	for y := range n {
		for x := 0; x < n; {
			if !dark(code.At(x, y)) {
				x++
				continue
			}
			run := 1
			for x+run < n && dark(code.At(x+run, y)) {
				run++
			}
			fmt.Fprintf(&path, "M%.3f %.3fh%.3fv%.3fh-%.3fz", x0+float64(x)*module, y0+float64(y)*module,
				float64(run)*module, module, float64(run)*module)
			x += run
		}
	}
	fmt.Fprintf(&b, `<path d="%s" fill="#000" shape-rendering="crispEdges"/>
`, path.String())

	below := posterTop + posterQR
	text(below+14, 8, "normal", "#111", i18n.T(l, "poster.scan"))
	text(below+28, 6, "normal", "#333", i18n.T(l, "poster.type"))
	text(below+39, fit(link, 8, 186), "bold", "#111", link)
	text(below+54, 6, "normal", "#333", i18n.T(l, "poster.code", strings.ToUpper(p.ReferralCode)))
	if program = strings.TrimSpace(program); program != "" {
		text(posterH-10, 5, "normal", "#666", program)
	}
	b.WriteString("</svg>\n")
	return b.Bytes(), nil
}

// fit returns a font size no bigger than max at which s fits width,
// taking a letter as 0.6 em.
func fit(s string, max, width float64) float64 {
	n := float64(utf8.RuneCountInString(s))
	if n == 0 {
		return max
	}
	return min(max, width/(0.6*n))
}

func dark(c interface{ RGBA() (r, g, b, a uint32) }) bool {
	r, _, _, _ := c.RGBA()
	return r < 0x8000
}

func esc(s string) string { return html.EscapeString(s) }

// Partners finds a partner by its referral code, without regard to
// case. Returns ENOTFOUND.
type Partners interface {
	PartnerByCode(ctx context.Context, code string) (*bot.Partner, error)
}

// PosterHandler serves GET /r/{code}/print.svg: the poster of the code's
// partner, in the partner's language (or ?lang=pl / ?lang=en). Like the
// redirect, an unknown code or an ended partner's answers 404; a paused
// partner's poster is still served, its link still works. Viewing the
// poster records no click.
type PosterHandler struct {
	Store     Partners
	PublicURL string
	Program   string
	Logger    *slog.Logger
}

// ServeHTTP answers one poster request.
func (h *PosterHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	code, p, err := partnerOf(w, r, h.Store)
	switch {
	case err != nil:
		h.log(r.Context()).Error("referral poster: look up code", "code", code, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	case p == nil:
		return
	}
	l := p.Locale
	if q := bot.Locale(r.URL.Query().Get("lang")); q == bot.LocalePL || q == bot.LocaleEN {
		l = q
	}
	svg, err := Poster(l, h.Program, p, Link(h.PublicURL, p.ReferralCode))
	if err != nil {
		h.log(r.Context()).Error("referral poster", "code", code, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="qr-%s.svg"`, p.ReferralCode))
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(svg)
}

func (h *PosterHandler) log(context.Context) *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"poster.title": {"QR code of %s", "Kod QR: %s"},
		"poster.cta":   {"Shop with cashback!", "Kupuj z cashbackiem!"},
		"poster.scan":  {"Scan the code with your phone camera", "Zeskanuj kod aparatem w telefonie"},
		"poster.type":  {"or type this address:", "albo wpisz ten adres:"},
		"poster.code":  {"Partner code: %s", "Kod partnera: %s"},
		"poster.print": {"Print version (SVG, A4)", "Wersja do druku (SVG, A4)"},
	})
}
