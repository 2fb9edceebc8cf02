package referral

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"partnerbot/bot"
)

// quietZone is the white margin around a QR code, in modules, that the
// standard asks for; scanners struggle without it (and a chat client may
// show the image on a dark background).
const quietZone = 4

// maxQRSize bounds QR's size so a caller's mistake cannot allocate
// gigabytes.
const maxQRSize = 4096

// QR returns a PNG of a QR code for text, size×size pixels, black on
// white, with medium error correction (a printed code survives a crease
// or a stain) and a quiet zone of at least four modules. Modules are a
// whole number of pixels, so the code stays crisp; any pixels left over
// widen the margin. The same text and size always give the same bytes.
// Returns EINVALID when size is too small for the code or above 4096,
// and an error when text is too long for a QR code.
func QR(text string, size int) ([]byte, error) {
	if size <= 0 || size > maxQRSize {
		return nil, bot.Errorf(bot.EINVALID, "QR size %d is out of range (1-%d pixels)", size, maxQRSize)
	}
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("encode QR code: %w", err)
	}
	modules := code.Bounds().Dx()
	scale := size / (modules + 2*quietZone)
	if scale < 1 {
		return nil, bot.Errorf(bot.EINVALID, "QR size %d is too small: this code needs at least %d pixels", size, modules+2*quietZone)
	}
	side := modules * scale
	scaled, err := barcode.Scale(code, side, side)
	if err != nil {
		return nil, fmt.Errorf("scale QR code: %w", err)
	}
	// A two-colour palette makes a 1-bit PNG: a fraction of the size of
	// an RGBA one.
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	off := (size - side) / 2
	draw.Draw(img, image.Rect(off, off, off+side, off+side), scaled, image.Point{}, draw.Src)

	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode QR PNG: %w", err)
	}
	return buf.Bytes(), nil
}
