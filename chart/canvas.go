package chart

import (
	"image"
	"image/color"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// canvas draws on a paletted image. A chart has a few flat colours and
// antialiased text over them, well under the 256 colours of a paletted
// PNG, and a paletted PNG is a third of the bytes of an RGB one to
// compress and is not filtered row by row: encoding is several times
// faster and the file smaller. The palette grows in the order colours are
// first used, so the same drawing gives the same bytes.
type canvas struct {
	img   *image.Paletted
	index map[color.RGBA]uint8
}

// canvasPool keeps canvases between charts: a weekly run draws one chart
// per partner, and a fresh 640×320 canvas is 200 KB of garbage each.
var canvasPool sync.Pool

// getCanvas returns a w×h canvas filled with bg, reusing a pooled one of
// the same size; putCanvas gives it back once its PNG is encoded.
func getCanvas(w, h int, bg color.RGBA) *canvas {
	c, _ := canvasPool.Get().(*canvas)
	if c == nil || c.img.Rect.Dx() != w || c.img.Rect.Dy() != h {
		c = &canvas{
			img:   image.NewPaletted(image.Rect(0, 0, w, h), make(color.Palette, 0, 256)),
			index: make(map[color.RGBA]uint8, 64),
		}
	} else {
		clear(c.img.Pix)
		c.img.Palette = c.img.Palette[:0]
		clear(c.index)
	}
	c.colour(bg) // index 0, which the zeroed pixels already hold
	return c
}

func putCanvas(c *canvas) { canvasPool.Put(c) }

// colour returns the palette index of col, adding it while there is room.
// A full palette gives the nearest colour: a faint text edge a shade off,
// never a failed chart.
func (c *canvas) colour(col color.RGBA) uint8 {
	if i, ok := c.index[col]; ok {
		return i
	}
	if len(c.img.Palette) == 256 {
		return uint8(c.img.Palette.Index(col))
	}
	i := uint8(len(c.img.Palette))
	c.img.Palette = append(c.img.Palette, col)
	c.index[col] = i
	return i
}

// fill paints r (clipped to the image) in col.
func (c *canvas) fill(r image.Rectangle, col color.RGBA) {
	r = r.Intersect(c.img.Rect)
	if r.Empty() {
		return
	}
	i := c.colour(col)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := c.img.Pix[c.img.PixOffset(r.Min.X, y):c.img.PixOffset(r.Max.X, y)]
		for x := range row {
			row[x] = i
		}
	}
}

// text draws s with its left end at x and its baseline at y, in col
// blended over what is there. Glyph coverage is rounded to 16 levels,
// which at this size looks the same and bounds the colours text adds to
// 15 per text colour and background.
func (c *canvas) text(face font.Face, col color.RGBA, x, y int, s string) {
	dot := fixed.P(x, y)
	prev := rune(-1)
	for _, r := range s {
		if prev >= 0 {
			dot.X += face.Kern(prev, r)
		}
		dr, mask, mp, adv, _ := face.Glyph(dot, r)
		c.blend(dr, mask, mp, col)
		dot.X += adv
		prev = r
	}
}

func (c *canvas) blend(dr image.Rectangle, mask image.Image, mp image.Point, col color.RGBA) {
	clip := dr.Intersect(c.img.Rect)
	mp = mp.Add(clip.Min.Sub(dr.Min))
	alpha, _ := mask.(*image.Alpha)
	for y := clip.Min.Y; y < clip.Max.Y; y++ {
		for x := clip.Min.X; x < clip.Max.X; x++ {
			mx, my := mp.X+x-clip.Min.X, mp.Y+y-clip.Min.Y
			var a uint32
			if alpha != nil {
				a = uint32(alpha.Pix[alpha.PixOffset(mx, my)])
			} else {
				_, _, _, a16 := mask.At(mx, my).RGBA()
				a = a16 >> 8
			}
			a = (a + 8) / 17 * 17 // 0, 17, …, 255
			if a == 0 {
				continue
			}
			p := &c.img.Pix[c.img.PixOffset(x, y)]
			bg := c.img.Palette[*p].(color.RGBA)
			*p = c.colour(color.RGBA{
				R: mix(col.R, bg.R, a),
				G: mix(col.G, bg.G, a),
				B: mix(col.B, bg.B, a),
				A: 0xff,
			})
		}
	}
}

// mix is fg over bg at coverage a of 255.
func mix(fg, bg uint8, a uint32) uint8 {
	return uint8((uint32(fg)*a + uint32(bg)*(255-a) + 127) / 255)
}
