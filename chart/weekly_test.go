package chart

import (
	"bytes"
	"image"
	"os"
	"testing"

	"partnerbot/bot"
)

func weeklyData(l bot.Locale) Weekly {
	vals := []bot.Amount{320000, 410000, 390000, 520000, 480000, 610000, 590000, 730000, 680000, 820000, 760000, 915000}
	return Weekly{First: bot.MustDate("2026-09-07"), Values: vals, Joined: bot.MustDate("2025-01-01"), Locale: l, Currency: pln}
}

// inkRows counts the non-background pixels in rows y0 to y1 across the
// middle of the plot.
func inkRows(img image.Image, y0, y1 int) int {
	n := 0
	for y := y0; y < y1; y++ {
		for x := 150; x < 500; x++ {
			if rgba(img.At(x, y)) != colBackground {
				n++
			}
		}
	}
	return n
}

func TestWeeklyPNG(t *testing.T) {
	t.Run("a paletted PNG, the same bytes for the same data", func(t *testing.T) {
		for _, l := range []bot.Locale{bot.LocalePL, bot.LocaleEN} {
			a, err := WeeklyPNG(weeklyData(l))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := WeeklyPNG(weeklyData(l))
			if !bytes.Equal(a, b) {
				t.Errorf("%s: two drawings of the same data differ", l)
			}
			img := mustDecode(t, a)
			if _, ok := img.(*image.Paletted); !ok {
				t.Errorf("%s: decoded as %T, want a paletted image", l, img)
			}
			if got := img.Bounds().Size(); got != image.Pt(640, 320) {
				t.Errorf("%s: size %v", l, got)
			}
			if os.Getenv("CHART_OUT") != "" {
				os.WriteFile(os.Getenv("CHART_OUT")+"/weekly-"+string(l)+".png", a, 0o644)
			}
		}
	})

	t.Run("weeks are labelled by their Monday", func(t *testing.T) {
		cases := []struct {
			l    bot.Locale
			d    string
			want string
		}{
			{bot.LocalePL, "2026-11-16", "16.11"},
			{bot.LocalePL, "2026-09-07", "7.09"},
			{bot.LocaleEN, "2026-11-16", "Nov 16"},
		}
		for _, c := range cases {
			if got := weekLabel(c.l, bot.MustDate(c.d)); got != c.want {
				t.Errorf("weekLabel(%s, %s) = %q, want %q", c.l, c.d, got, c.want)
			}
		}
	})

	t.Run("a new partner gets a note, not a row of zeros", func(t *testing.T) {
		for _, l := range []bot.Locale{bot.LocalePL, bot.LocaleEN} {
			zeros := Weekly{First: bot.MustDate("2026-09-07"), Values: make([]bot.Amount, 12), Locale: l, Currency: pln}
			old := zeros
			old.Joined = bot.MustDate("2025-01-01")
			fresh := zeros
			fresh.Joined = bot.MustDate("2026-11-20")
			oldPNG, err := WeeklyPNG(old)
			if err != nil {
				t.Fatal(err)
			}
			freshPNG, err := WeeklyPNG(fresh)
			if err != nil {
				t.Fatal(err)
			}
			// The note sits in the middle of the plot, where a long-quiet
			// partner's chart (zeros are data) has nothing.
			if n := inkRows(mustDecode(t, oldPNG), 120, 220); n != 0 {
				t.Errorf("%s: a quiet partner's chart has %d pixels of ink mid-plot, want none", l, n)
			}
			if n := inkRows(mustDecode(t, freshPNG), 120, 220); n < 200 {
				t.Errorf("%s: a new partner's chart has %d pixels of ink mid-plot, want the note", l, n)
			}
			if os.Getenv("CHART_OUT") != "" {
				os.WriteFile(os.Getenv("CHART_OUT")+"/weekly-new-"+string(l)+".png", freshPNG, 0o644)
			}
		}
	})

	t.Run("weeks before joining have no bar", func(t *testing.T) {
		w := weeklyData(bot.LocalePL)
		w.Joined = bot.MustDate("2026-11-10") // a Tuesday: its week counts
		img := mustDecode(t, mustWeekly(t, w))
		if bars := barColumns(img, colBar, 5); len(bars) != 2 {
			t.Errorf("%d grey bars, want 2 (the weeks of 9 and 16 November)", len(bars))
		}
	})

	t.Run("invalid", func(t *testing.T) {
		for _, n := range []int{0, 53} {
			_, err := WeeklyPNG(Weekly{Values: make([]bot.Amount, n)})
			if bot.ErrorCode(err) != bot.EINVALID {
				t.Errorf("%d weeks: err = %v, want EINVALID", n, err)
			}
		}
	})
}

func mustWeekly(tb testing.TB, w Weekly) []byte {
	tb.Helper()
	b, err := WeeklyPNG(w)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkWeeklyPNG draws the weekly chart, as the Monday job does once
// per partner; allocations per chart are what a run of 10 000 leaves.
func BenchmarkWeeklyPNG(b *testing.B) {
	w := weeklyData(bot.LocalePL)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := WeeklyPNG(w); err != nil {
				b.Fatal(err)
			}
		}
	})
}
