// Package chart draws small PNG charts for chat messages: the weekly
// report's bars of the last weeks' turnover, sized for Slack and Discord
// to show inline. It draws with the standard image packages and the Go
// fonts (which have the Polish letters), so the same input always gives
// the same bytes and nothing outside the binary is read.
package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/bits"
	"sync"

	"partnerbot/bot"
)

// Bar is one bar of a bar chart.
type Bar struct {
	Label     string     // under the bar, e.g. "W36" or "16.11"
	Value     bot.Amount // money in minor units; a negative one is drawn below the zero line
	Highlight bool       // drawn in the accent colour with its value above it: the current week
	// Missing marks a slot with no figure (a week before the partner
	// joined): its label is drawn, no bar, and its value is not plotted.
	Missing bool
}

// Options shape a chart. The zero value draws a 640×320 chart with no
// title and English labels in PLN (any locale but pl is English, as in
// i18n).
type Options struct {
	Width, Height int        // pixels; 0 means 640×320
	Title         string     // at the top left, e.g. "Obrót — ostatnie 12 tygodni"; shortened with "…" if too wide
	Locale        bot.Locale // language of the axis labels (see CompactMoney)
	Currency      bot.Currency
	// Note, when set, is written in the middle of the plot: the chart's
	// "no data yet" state.
	Note string
}

// Size limits: small enough that a mistaken option cannot allocate
// gigabytes, large enough for a retina-sized chart.
const (
	defaultWidth, defaultHeight = 640, 320
	minWidth, minHeight         = 200, 120
	maxWidth, maxHeight         = 4000, 4000
)

// maxValue bounds the values drawn, so that the axis arithmetic cannot
// overflow; bot.ParseAmount refuses amounts above it anyway.
const maxValue = math.MaxInt64 / 4

// Colours: a white card, a neutral grey grid, blue-grey bars and one
// strong accent for the highlighted bar.
var (
	colBackground = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colGrid       = color.RGBA{0xe5, 0xe7, 0xeb, 0xff}
	colAxis       = color.RGBA{0x9c, 0xa3, 0xaf, 0xff}
	colText       = color.RGBA{0x4b, 0x55, 0x63, 0xff}
	colTitle      = color.RGBA{0x11, 0x18, 0x27, 0xff}
	colBar        = color.RGBA{0x94, 0xa3, 0xb8, 0xff}
	colHighlight  = color.RGBA{0xea, 0x58, 0x0c, 0xff}
	colAccentText = color.RGBA{0xc2, 0x41, 0x0c, 0xff}
)

// Bars draws a bar chart and returns it as PNG. The y axis starts at zero
// (and goes below it when a value is negative) and has three to five
// gridlines at 1-2-5 steps of whole currency units, labelled with
// CompactMoney. X labels that would overlap are thinned to every second
// (third, …) one, always keeping the first highlighted bar's. No bars, or
// only zeros, still give a chart with the title and a zero axis.
//
// Returns EINVALID when the size is outside 200×120 to 4000×4000, or when
// there are more bars than fit at two pixels each.
func Bars(bars []Bar, o Options) ([]byte, error) {
	w, h := o.Width, o.Height
	if w == 0 {
		w = defaultWidth
	}
	if h == 0 {
		h = defaultHeight
	}
	if w < minWidth || h < minHeight || w > maxWidth || h > maxHeight {
		return nil, bot.Errorf(bot.EINVALID, "chart size %d×%d is outside %d×%d to %d×%d", w, h, minWidth, minHeight, maxWidth, maxHeight)
	}
	cur := o.Currency
	if cur.Code == "" {
		cur = bot.Currency{Code: "PLN", Digits: 2}
	}

	fs, err := getFaces()
	if err != nil {
		return nil, fmt.Errorf("chart fonts: %w", err)
	}
	defer putFaces(fs)

	img := getCanvas(w, h, colBackground)
	defer putCanvas(img)

	const pad = 12
	lm := fs.label.Metrics()
	sm := fs.strong.Metrics()
	labelAscent, labelHeight := lm.Ascent.Ceil(), lm.Ascent.Ceil()+lm.Descent.Ceil()
	strongHeight := sm.Ascent.Ceil() + sm.Descent.Ceil()

	// Top down: title, room for the highlighted value, the plot; bottom
	// up: the x labels.
	top := pad
	if o.Title != "" {
		tm := fs.title.Metrics()
		title := fitText(fs.title, o.Title, w-2*pad)
		img.text(fs.title, colTitle, pad, top+tm.Ascent.Ceil(), title)
		top += tm.Ascent.Ceil() + tm.Descent.Ceil() + 8
	}
	plotTop := top + strongHeight + 4
	plotBottom := h - pad - labelHeight - 6

	// The value range always includes zero, so bars grow from a zero line.
	var lo, hi int64
	for _, b := range bars {
		if b.Missing {
			continue
		}
		v := clampValue(b.Value)
		lo, hi = min(lo, v), max(hi, v)
	}
	ticks := niceTicks(lo, hi, int64(pow10(cur.Digits)))
	tlo, thi := ticks[0], ticks[len(ticks)-1]

	yLabels := make([]string, len(ticks))
	yLabelWidth := 0
	for i, t := range ticks {
		yLabels[i] = CompactMoney(o.Locale, cur, bot.Amount(t))
		yLabelWidth = max(yLabelWidth, textWidth(fs.label, yLabels[i]))
	}
	plotLeft := pad + yLabelWidth + 8
	plotRight := w - pad
	plotW, plotH := plotRight-plotLeft, plotBottom-plotTop
	if plotH < 20 || plotW < 20 {
		return nil, bot.Errorf(bot.EINVALID, "chart size %d×%d leaves no room to plot", w, h)
	}
	if len(bars) > plotW/2 {
		return nil, bot.Errorf(bot.EINVALID, "%d bars do not fit in a chart %d pixels wide", len(bars), w)
	}

	// yOf maps a value to a pixel row; with only zeros the zero line sits
	// at the bottom of the plot.
	yOf := func(v int64) int {
		if thi == tlo {
			return plotBottom
		}
		return plotBottom - int(scale(uint64(v-tlo), uint64(plotH), uint64(thi-tlo)))
	}

	capHalf := lm.CapHeight.Ceil() / 2
	for i, t := range ticks {
		y := yOf(t)
		if t != 0 {
			img.fill(image.Rect(plotLeft, y, plotRight, y+1), colGrid)
		}
		x := plotLeft - 8 - textWidth(fs.label, yLabels[i])
		img.text(fs.label, colText, x, y+capHalf, yLabels[i])
	}

	// Bars: each gets an equal slot, with a gap of about a third of a
	// slot and at most 64 pixels of bar, so one or two bars do not become
	// slabs.
	type placed struct{ x0, x1, top, bottom int }
	pos := make([]placed, len(bars))
	zero := yOf(0)
	for i, b := range bars {
		s0 := plotLeft + i*plotW/len(bars)
		s1 := plotLeft + (i+1)*plotW/len(bars)
		bw := min(max((s1-s0)*7/10, 1), 64)
		x0 := s0 + (s1-s0-bw)/2
		v := clampValue(b.Value)
		t, btm := yOf(max(v, 0)), yOf(min(v, 0))
		if v != 0 && t == btm {
			// A tiny value next to big ones still shows it is not zero.
			if v > 0 {
				t--
			} else {
				btm++
			}
		}
		pos[i] = placed{x0, x0 + bw, t, btm}
		if b.Missing {
			continue
		}
		c := colBar
		if b.Highlight {
			c = colHighlight
		}
		img.fill(image.Rect(x0, t, x0+bw, btm), c)
	}
	img.fill(image.Rect(plotLeft, zero, plotRight, zero+1), colAxis)

	// X labels, thinned to every k-th so that neighbours keep a gap,
	// counted from the highlighted bar (or the last) so that it keeps its
	// label.
	if len(bars) > 0 {
		widest := 0
		anchor := len(bars) - 1
		for i := len(bars) - 1; i >= 0; i-- {
			widest = max(widest, textWidth(fs.strong, bars[i].Label))
			if bars[i].Highlight {
				anchor = i
			}
		}
		k := 1
		for k < len(bars) && plotW*k/len(bars) < widest+6 {
			k++
		}
		baseline := plotBottom + 6 + labelAscent
		for i, b := range bars {
			if (anchor-i)%k != 0 || b.Label == "" {
				continue
			}
			face, c := fs.label, colText
			switch {
			case b.Highlight:
				face, c = fs.strong, colAccentText
			case b.Missing:
				c = colAxis // a week before the partner joined: not a zero
			}
			centre := (pos[i].x0 + pos[i].x1) / 2
			img.text(face, c, centred(centre, textWidth(face, b.Label), w), baseline, b.Label)
		}
	}

	// The highlighted value, just above the bar's upper end (the zero
	// line, for a negative value).
	for i, b := range bars {
		if !b.Highlight || b.Missing {
			continue
		}
		s := CompactMoney(o.Locale, cur, b.Value)
		centre := (pos[i].x0 + pos[i].x1) / 2
		img.text(fs.strong, colAccentText, centred(centre, textWidth(fs.strong, s), w), pos[i].top-5, s)
	}

	if o.Note != "" {
		note := fitText(fs.strong, o.Note, plotW-16)
		y := (plotTop+zero)/2 + capHalf
		img.text(fs.strong, colText, centred((plotLeft+plotRight)/2, textWidth(fs.strong, note), w), y, note)
	}

	buf := outBuffers.Get().(*bytes.Buffer)
	defer outBuffers.Put(buf)
	buf.Reset()
	enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: encoderBuffers}
	if err := enc.Encode(buf, img.img); err != nil {
		return nil, fmt.Errorf("encode chart png: %w", err)
	}
	return bytes.Clone(buf.Bytes()), nil
}

// outBuffers are the PNG output buffers: the chart's bytes are copied out
// at their exact size, so a run of charts leaves one allocation each.
var outBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 16<<10)) }}

// niceTicks returns the gridline values: from a multiple of step at or
// below lo to one at or above hi, where step is the smallest of 1, 2, 5,
// 10, 20, 50, … times unit that needs at most four intervals. lo <= 0 <=
// hi. With lo == hi == 0 it returns just the zero line.
func niceTicks(lo, hi, unit int64) []int64 {
	if lo == 0 && hi == 0 {
		return []int64{0}
	}
	step := unit
	for m := unit; ; m *= 10 {
		found := false
		for _, f := range [...]int64{1, 2, 5} {
			step = m * f
			if ceilDiv(hi, step)-floorDiv(lo, step) <= 4 {
				found = true
				break
			}
		}
		if found || m > math.MaxInt64/100 {
			break
		}
	}
	var ticks []int64
	for t := floorDiv(lo, step) * step; ; t += step {
		ticks = append(ticks, t)
		if t >= hi {
			break
		}
	}
	return ticks
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a > 0 {
		q++
	}
	return q
}

// scale returns v*num/den rounded to nearest, exactly, for v <= den (so
// the result fits).
func scale(v, num, den uint64) uint64 {
	hi, lo := bits.Mul64(v, num)
	lo, carry := bits.Add64(lo, den/2, 0)
	hi += carry
	q, _ := bits.Div64(hi, lo, den)
	return q
}

func clampValue(a bot.Amount) int64 {
	return min(max(int64(a), -maxValue), maxValue)
}

// centred returns the left end of a text of width tw centred on x, kept
// inside an image of width w.
func centred(x, tw, w int) int {
	return min(max(x-tw/2, 2), w-2-tw)
}

// encoderBuffers lets PNG encoders reuse their compression buffers across
// charts: a weekly run draws one chart per partner.
var encoderBuffers = &bufferPool{}

type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() *png.EncoderBuffer {
	eb, _ := b.p.Get().(*png.EncoderBuffer)
	return eb
}

func (b *bufferPool) Put(eb *png.EncoderBuffer) { b.p.Put(eb) }
