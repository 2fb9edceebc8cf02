package chart

import (
	"fmt"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
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
		return opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
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
