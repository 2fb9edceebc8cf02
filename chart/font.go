package chart

import (
	"fmt"
	"image"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The Go fonts cover Latin Extended-A (ą, ę, ł, ó, ś, ż, ź, ć, ń) and the
// dashes and ellipsis, so Polish titles are drawn as written, not
// transliterated. They are embedded in the binary: nothing is read from
// disk at run time.
var (
	fontsOnce             sync.Once
	regularFont, boldFont *opentype.Font
	fontsErr              error
)

func parseFonts() {
	regularFont, fontsErr = opentype.Parse(goregular.TTF)
	if fontsErr != nil {
		fontsErr = fmt.Errorf("parse go regular font: %w", fontsErr)
		return
	}
	boldFont, fontsErr = opentype.Parse(gobold.TTF)
	if fontsErr != nil {
		fontsErr = fmt.Errorf("parse go bold font: %w", fontsErr)
	}
}

// Text sizes in pixels (the faces use 72 DPI, so points are pixels).
const (
	titleSize = 15
	labelSize = 12
)

// faces are the font faces one chart is drawn with. An opentype face keeps
// a scratch buffer and must not be shared between goroutines, so each
// drawing takes a set from facePool; the parsed fonts behind them are
// shared and parsed once.
type faces struct {
	title, label, strong font.Face
}

var facePool sync.Pool

func getFaces() (*faces, error) {
	if f, ok := facePool.Get().(*faces); ok {
		return f, nil
	}
	fontsOnce.Do(parseFonts)
	if fontsErr != nil {
		return nil, fontsErr
	}
	newFace := func(f *opentype.Font, size float64) (font.Face, error) {
		face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			return nil, err
		}
		return newCachedFace(face), nil
	}
	var fs faces
	var err error
	if fs.title, err = newFace(boldFont, titleSize); err != nil {
		return nil, fmt.Errorf("title face: %w", err)
	}
	if fs.label, err = newFace(regularFont, labelSize); err != nil {
		return nil, fmt.Errorf("label face: %w", err)
	}
	if fs.strong, err = newFace(boldFont, labelSize); err != nil {
		return nil, fmt.Errorf("strong label face: %w", err)
	}
	return &fs, nil
}

func putFaces(f *faces) { facePool.Put(f) }

// textWidth is the advance of s in pixels, rounded up.
func textWidth(face font.Face, s string) int {
	return font.MeasureString(face, s).Ceil()
}

// fitText shortens s with an ellipsis until it is at most max pixels wide.
func fitText(face font.Face, s string, max int) string {
	if textWidth(face, s) <= max {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		t := string(r) + "…"
		if textWidth(face, t) <= max {
			return t
		}
	}
	return ""
}

// cachedFace remembers the glyphs, advances and kerns of a face: a weekly
// run draws the same few dozen characters ten thousand times, and
// rasterizing each from its outlines was a quarter of a chart's time. It
// belongs to one faces set, so to one goroutine at a time: no locks.
type cachedFace struct {
	font.Face
	glyphs   map[glyphKey]glyph
	advances map[rune]advance
	kerns    map[[2]rune]fixed.Int26_6
}

// glyphKey is a rune at a sub-pixel offset of the dot.
type glyphKey struct {
	r    rune
	x, y fixed.Int26_6
}

type glyph struct {
	dr      image.Rectangle // relative to the dot's whole pixel
	mask    *image.Alpha    // a copy: the face reuses its buffer
	advance fixed.Int26_6
	ok      bool
}

type advance struct {
	a  fixed.Int26_6
	ok bool
}

func newCachedFace(f font.Face) *cachedFace {
	return &cachedFace{Face: f, glyphs: map[glyphKey]glyph{}, advances: map[rune]advance{}, kerns: map[[2]rune]fixed.Int26_6{}}
}

func (c *cachedFace) Glyph(dot fixed.Point26_6, r rune) (image.Rectangle, image.Image, image.Point, fixed.Int26_6, bool) {
	whole := image.Pt(dot.X.Floor(), dot.Y.Floor())
	k := glyphKey{r, dot.X & 63, dot.Y & 63}
	g, hit := c.glyphs[k]
	if !hit {
		dr, mask, mp, adv, ok := c.Face.Glyph(fixed.Point26_6{X: k.x, Y: k.y}, r)
		g = glyph{dr: dr, advance: adv, ok: ok}
		if ok && !dr.Empty() {
			a := image.NewAlpha(image.Rect(0, 0, dr.Dx(), dr.Dy()))
			for y := range dr.Dy() {
				for x := range dr.Dx() {
					_, _, _, av := mask.At(mp.X+x, mp.Y+y).RGBA()
					a.Pix[a.PixOffset(x, y)] = uint8(av >> 8)
				}
			}
			g.mask = a
		}
		c.glyphs[k] = g
	}
	if g.mask == nil {
		return image.Rectangle{}, nil, image.Point{}, g.advance, g.ok
	}
	return g.dr.Add(whole), g.mask, image.Point{}, g.advance, g.ok
}

func (c *cachedFace) GlyphAdvance(r rune) (fixed.Int26_6, bool) {
	a, hit := c.advances[r]
	if !hit {
		a.a, a.ok = c.Face.GlyphAdvance(r)
		c.advances[r] = a
	}
	return a.a, a.ok
}

func (c *cachedFace) Kern(r0, r1 rune) fixed.Int26_6 {
	k := [2]rune{r0, r1}
	v, hit := c.kerns[k]
	if !hit {
		v = c.Face.Kern(r0, r1)
		c.kerns[k] = v
	}
	return v
}
