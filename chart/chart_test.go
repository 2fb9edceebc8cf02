package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"slices"
	"sync"
	"testing"

	"golang.org/x/image/font"

	"partnerbot/bot"
)

var pln = bot.Currency{Code: "PLN", Digits: 2}

// zl is an amount of whole złoty.
func zl(n int64) bot.Amount { return bot.Amount(n * 100) }

// weeks returns twelve weekly bars with the last one highlighted, the
// shape the weekly report draws.
func weeks() []Bar {
	values := []int64{3200, 4100, 3900, 5200, 4800, 6100, 5900, 7300, 6800, 8200, 7600, 9150}
	bars := make([]Bar, len(values))
	for i, v := range values {
		bars[i] = Bar{Label: fmt.Sprintf("W%d", 36+i), Value: zl(v)}
	}
	bars[len(bars)-1].Highlight = true
	return bars
}

func mustBars(tb testing.TB, bars []Bar, o Options) []byte {
	tb.Helper()
	b, err := Bars(bars, o)
	if err != nil {
		tb.Fatalf("Bars: %v", err)
	}
	return b
}

func mustDecode(tb testing.TB, b []byte) image.Image {
	tb.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("decode png: %v", err)
	}
	return img
}

func rgba(c color.Color) color.RGBA {
	r, g, b, a := c.RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

// columnHeight counts the pixels of colour c in column x.
func columnHeight(img image.Image, x int, c color.RGBA) int {
	n := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		if rgba(img.At(x, y)) == c {
			n++
		}
	}
	return n
}

// barColumns returns, for each run of columns that hold at least minRun
// pixels of colour c, the x of its middle column, left to right.
func barColumns(img image.Image, c color.RGBA, minRun int) []int {
	var mids []int
	start := -1
	for x := img.Bounds().Min.X; x <= img.Bounds().Max.X; x++ {
		in := x < img.Bounds().Max.X && columnHeight(img, x, c) >= minRun
		switch {
		case in && start < 0:
			start = x
		case !in && start >= 0:
			mids = append(mids, (start+x-1)/2)
			start = -1
		}
	}
	return mids
}

func TestBars(t *testing.T) {
	t.Run("default size", func(t *testing.T) {
		img := mustDecode(t, mustBars(t, weeks(), Options{Title: "Obrót — ostatnie 12 tygodni"}))
		if got := img.Bounds().Size(); got != (image.Point{640, 320}) {
			t.Fatalf("size = %v, want 640x320", got)
		}
	})

	t.Run("custom size", func(t *testing.T) {
		img := mustDecode(t, mustBars(t, weeks(), Options{Width: 600, Height: 300}))
		if got := img.Bounds().Size(); got != (image.Point{600, 300}) {
			t.Fatalf("size = %v, want 600x300", got)
		}
	})

	t.Run("twelve bars, the highlighted one in the accent colour", func(t *testing.T) {
		img := mustDecode(t, mustBars(t, weeks(), Options{Locale: bot.LocalePL, Currency: pln}))
		if got := barColumns(img, colBar, 5); len(got) != 11 {
			t.Errorf("plain bars = %d, want 11", len(got))
		}
		hl := barColumns(img, colHighlight, 5)
		if len(hl) != 1 {
			t.Fatalf("highlighted bars = %d, want 1", len(hl))
		}
		if plain := barColumns(img, colBar, 5); hl[0] < plain[len(plain)-1] {
			t.Errorf("highlighted bar at x=%d is left of the plain bars (last at %d)", hl[0], plain[len(plain)-1])
		}
		if !hasColour(img, colAccentText) {
			t.Error("no value label in the accent text colour")
		}
	})

	t.Run("a taller value gives a taller bar", func(t *testing.T) {
		bars := []Bar{{Label: "a", Value: zl(1000)}, {Label: "b", Value: zl(3000)}, {Label: "c", Value: zl(2000)}}
		img := mustDecode(t, mustBars(t, bars, Options{}))
		cols := barColumns(img, colBar, 1)
		if len(cols) != 3 {
			t.Fatalf("bars = %d, want 3", len(cols))
		}
		h := []int{columnHeight(img, cols[0], colBar), columnHeight(img, cols[1], colBar), columnHeight(img, cols[2], colBar)}
		if !(h[0] < h[2] && h[2] < h[1]) {
			t.Fatalf("bar heights = %v, want 1000 < 2000 < 3000 zł in that order", h)
		}
		// Heights are proportional: the zero line is the axis.
		if d := h[1] - 3*h[0]; d < -2 || d > 2 {
			t.Errorf("3000 zł bar is %d px, 1000 zł bar %d px: not three times as tall", h[1], h[0])
		}
	})

	t.Run("same input, same bytes", func(t *testing.T) {
		o := Options{Title: "Obrót — ostatnie 12 tygodni", Locale: bot.LocalePL, Currency: pln}
		a := mustBars(t, weeks(), o)
		b := mustBars(t, weeks(), o)
		if !bytes.Equal(a, b) {
			t.Fatal("two charts of the same input differ")
		}
	})

	t.Run("concurrent calls draw the same chart", func(t *testing.T) {
		o := Options{Title: "Obrót — ostatnie 12 tygodni", Locale: bot.LocalePL, Currency: pln}
		want := mustBars(t, weeks(), o)
		var wg sync.WaitGroup
		got := make([][]byte, 8)
		for i := range got {
			wg.Go(func() { got[i], _ = Bars(weeks(), o) })
		}
		wg.Wait()
		for i, b := range got {
			if !bytes.Equal(b, want) {
				t.Fatalf("chart %d of 8 concurrent ones differs", i)
			}
		}
	})

	t.Run("empty", func(t *testing.T) {
		img := mustDecode(t, mustBars(t, nil, Options{Title: "Obrót"}))
		if got := img.Bounds().Size(); got != (image.Point{640, 320}) {
			t.Fatalf("size = %v", got)
		}
		if !hasColour(img, colAxis) {
			t.Error("no zero axis drawn")
		}
		if !hasColour(img, colTitle) {
			t.Error("no title drawn")
		}
	})

	t.Run("all zero", func(t *testing.T) {
		bars := weeks()
		for i := range bars {
			bars[i].Value = 0
		}
		img := mustDecode(t, mustBars(t, bars, Options{Title: "Obrót"}))
		if !hasColour(img, colAxis) {
			t.Error("no zero axis drawn")
		}
		if n := len(barColumns(img, colBar, 2)); n != 0 {
			t.Errorf("zero values drew %d bars", n)
		}
	})

	t.Run("a tiny value still shows", func(t *testing.T) {
		bars := []Bar{{Value: zl(100000)}, {Value: 1}}
		img := mustDecode(t, mustBars(t, bars, Options{}))
		if n := len(barColumns(img, colBar, 1)); n != 2 {
			t.Errorf("bars = %d, want 2", n)
		}
	})

	t.Run("negative values go below the zero line", func(t *testing.T) {
		bars := []Bar{{Label: "a", Value: zl(2000)}, {Label: "b", Value: zl(-1000), Highlight: true}}
		img := mustDecode(t, mustBars(t, bars, Options{}))
		pos, neg := barColumns(img, colBar, 2), barColumns(img, colHighlight, 2)
		if len(pos) != 1 || len(neg) != 1 {
			t.Fatalf("bars = %d plain, %d highlighted; want 1 and 1", len(pos), len(neg))
		}
		posBottom, negTop := lastRow(img, pos[0], colBar), firstRow(img, neg[0], colHighlight)
		if negTop <= posBottom {
			t.Errorf("negative bar starts at row %d, above the positive bar's bottom %d", negTop, posBottom)
		}
	})

	t.Run("53 weeks", func(t *testing.T) {
		bars := make([]Bar, 53)
		for i := range bars {
			bars[i] = Bar{Label: fmt.Sprintf("W%d", i+1), Value: zl(int64(1000 + 97*i))}
		}
		bars[52].Highlight = true
		img := mustDecode(t, mustBars(t, bars, Options{}))
		if n := len(barColumns(img, colBar, 5)); n != 52 {
			t.Errorf("plain bars = %d, want 52", n)
		}
	})

	t.Run("invalid size", func(t *testing.T) {
		for _, o := range []Options{{Width: -1}, {Width: 10, Height: 10}, {Width: 100000}} {
			_, err := Bars(weeks(), o)
			if code := bot.ErrorCode(err); code != bot.EINVALID {
				t.Errorf("Bars(%+v) code = %q (%v), want %q", o, code, err, bot.EINVALID)
			}
		}
	})

	t.Run("too many bars", func(t *testing.T) {
		_, err := Bars(make([]Bar, 1000), Options{Width: 300, Height: 200})
		var e *bot.Error
		if !errors.As(err, &e) || e.Code != bot.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})
}

func hasColour(img image.Image, c color.RGBA) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if rgba(img.At(x, y)) == c {
				return true
			}
		}
	}
	return false
}

func firstRow(img image.Image, x int, c color.RGBA) int {
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		if rgba(img.At(x, y)) == c {
			return y
		}
	}
	return -1
}

func lastRow(img image.Image, x int, c color.RGBA) int {
	for y := img.Bounds().Max.Y - 1; y >= img.Bounds().Min.Y; y-- {
		if rgba(img.At(x, y)) == c {
			return y
		}
	}
	return -1
}

func TestNiceTicks(t *testing.T) {
	const unit = 100 // grosze in a złoty
	tests := []struct {
		lo, hi int64
		want   []int64
	}{
		{0, 0, []int64{0}},
		{0, 1, []int64{0, 100}},
		{0, 915000, []int64{0, 500000, 1000000}},
		{0, 1000000, []int64{0, 500000, 1000000}},
		{0, 1999900, []int64{0, 500000, 1000000, 1500000, 2000000}},
		{0, 450000, []int64{0, 200000, 400000, 600000}},
		{-100000, 200000, []int64{-100000, 0, 100000, 200000}},
		{-300, 0, []int64{-300, -200, -100, 0}},
		{-600, 0, []int64{-600, -400, -200, 0}},
	}
	for _, tt := range tests {
		got := niceTicks(tt.lo, tt.hi, unit)
		if !slices.Equal(got, tt.want) {
			t.Errorf("niceTicks(%d, %d) = %v, want %v", tt.lo, tt.hi, got, tt.want)
		}
		if len(got) > 5 {
			t.Errorf("niceTicks(%d, %d) has %d gridlines, want at most 5", tt.lo, tt.hi, len(got))
		}
	}
}

func TestCompactMoney(t *testing.T) {
	tests := []struct {
		locale bot.Locale
		cur    bot.Currency
		a      bot.Amount
		want   string
	}{
		{bot.LocalePL, pln, 0, "0 zł"},
		{bot.LocalePL, pln, zl(950), "950 zł"},
		{bot.LocalePL, pln, 95040, "950 zł"},
		{bot.LocalePL, pln, zl(6000), "6 tys. zł"},
		{bot.LocalePL, pln, zl(12500), "12,5 tys. zł"},
		{bot.LocalePL, pln, zl(1200000), "1,2 mln zł"},
		{bot.LocalePL, pln, zl(999960), "1 mln zł"},
		{bot.LocalePL, pln, zl(999), "999 zł"},
		{bot.LocalePL, pln, zl(999) + 60, "1 tys. zł"},
		{bot.LocalePL, pln, zl(3_400_000_000), "3,4 mld zł"},
		{bot.LocalePL, pln, zl(-6000), "-6 tys. zł"},
		{bot.LocalePL, pln, -10, "0 zł"},
		{bot.LocalePL, bot.Currency{Code: "EUR", Digits: 2}, zl(6000), "6 tys. EUR"},
		{bot.LocalePL, bot.Currency{}, zl(6000), "6 tys. zł"},
		{bot.LocaleEN, pln, 0, "PLN 0"},
		{bot.LocaleEN, pln, zl(950), "PLN 950"},
		{bot.LocaleEN, pln, zl(6000), "PLN 6k"},
		{bot.LocaleEN, pln, zl(12500), "PLN 12.5k"},
		{bot.LocaleEN, pln, zl(1200000), "PLN 1.2M"},
		{bot.LocaleEN, pln, zl(-12500), "PLN -12.5k"},
		{bot.LocaleEN, bot.Currency{Code: "JPY", Digits: 0}, 1500, "JPY 1.5k"},
		{bot.LocaleEN, pln, zl(1_234_000_000_000), "PLN 1,234B"},
	}
	for _, tt := range tests {
		if got := CompactMoney(tt.locale, tt.cur, tt.a); got != tt.want {
			t.Errorf("CompactMoney(%s, %s, %d) = %q, want %q", tt.locale, tt.cur.Code, tt.a, got, tt.want)
		}
	}
}

func TestPolishGlyphs(t *testing.T) {
	fs, err := getFaces()
	if err != nil {
		t.Fatal(err)
	}
	defer putFaces(fs)
	for _, r := range "ąęłóśżźćńĄĘŁÓŚŻŹĆŃ—…" {
		for _, face := range []font.Face{fs.title, fs.label, fs.strong} {
			b, _, ok := face.GlyphBounds(r)
			if !ok || b.Empty() {
				t.Errorf("glyph %q: ok=%v bounds=%v, want a drawn glyph", r, ok, b)
			}
		}
	}

	// And drawn on a chart: a title of only Polish letters leaves ink.
	img := mustDecode(t, mustBars(t, nil, Options{Title: "ąęłóśżźćń"}))
	if !hasColour(img, colTitle) {
		t.Error("Polish title left no ink")
	}
}

func TestSample(t *testing.T) {
	path := os.Getenv("CHART_SAMPLE")
	if path == "" {
		t.Skip("set CHART_SAMPLE=/tmp/chart-sample.png to write a sample chart")
	}
	b := mustBars(t, weeks(), Options{Title: "Obrót — ostatnie 12 tygodni", Locale: bot.LocalePL, Currency: pln})
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkBars(b *testing.B) {
	bars := weeks()
	o := Options{Title: "Obrót — ostatnie 12 tygodni", Locale: bot.LocalePL, Currency: pln}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Bars(bars, o); err != nil {
			b.Fatal(err)
		}
	}
}
