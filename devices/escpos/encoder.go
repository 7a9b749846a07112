// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"fmt"
	"image"
	"unicode/utf8"

	"github.com/skip2/go-qrcode"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Align is a line's justification (ESC a).
type Align byte

// Justifications.
const (
	AlignLeft   Align = 0
	AlignCenter Align = 1
	AlignRight  Align = 2
)

// QRLevel is a QR code's error correction level.
type QRLevel byte

// Error correction levels: about 7, 15, 25 and 30 % of the symbol can be
// restored.
const (
	QRLevelL QRLevel = iota
	QRLevelM
	QRLevelQ
	QRLevelH
)

func (l QRLevel) qrcode() qrcode.RecoveryLevel {
	switch l {
	case QRLevelL:
		return qrcode.Low
	case QRLevelQ:
		return qrcode.High
	case QRLevelH:
		return qrcode.Highest
	}
	return qrcode.Medium
}

// Limits of the commands the Builder emits.
const (
	maxSize      = 8    // GS ! multiplier
	maxQRModule  = 16   // GS ( k 167 module size
	maxQRData    = 7089 // GS ( k 180 data bytes (numeric, the best case)
	maxRasterRow = 1024 // rows per GS v 0 command; taller images are sent in bands
)

// Builder encodes an ESC/POS job. Its methods append commands and return the
// Builder so calls can be chained; the first error (a size out of range, a
// QR code too long) is kept, later calls are ignored, and Bytes reports it.
// The zero value is ready to use.
type Builder struct {
	buf []byte
	err error
	enc *encoding.Encoder
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder { return &Builder{} }

func (b *Builder) add(p ...byte) *Builder {
	if b.err == nil {
		b.buf = append(b.buf, p...)
	}
	return b
}

func (b *Builder) fail(err error) *Builder {
	if b.err == nil {
		b.err = err
	}
	return b
}

// Bytes returns the job and the first error met while building it.
func (b *Builder) Bytes() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	return append([]byte(nil), b.buf...), nil
}

// Err returns the first error met while building.
func (b *Builder) Err() error { return b.err }

// Len returns the number of bytes built so far.
func (b *Builder) Len() int { return len(b.buf) }

// Raw appends bytes as they are.
func (b *Builder) Raw(p []byte) *Builder { return b.add(p...) }

// Init resets the printer's modes (ESC @).
func (b *Builder) Init() *Builder { return b.add(esc, '@') }

// Chinese selects (FS &) or cancels (FS .) the printer's Chinese character
// mode, in which the two- and four-byte GB18030 sequences that Text writes
// print as Chinese characters.
func (b *Builder) Chinese(on bool) *Builder {
	if on {
		return b.add(fs, '&')
	}
	return b.add(fs, '.')
}

// Align sets the justification of the lines that follow (ESC a), including
// raster images and QR codes.
func (b *Builder) Align(a Align) *Builder {
	if a > AlignRight {
		return b.fail(fmt.Errorf("escpos: alignment %d out of range", a))
	}
	return b.add(esc, 'a', byte(a))
}

// Size sets the character width and height multipliers, each 1..8 (GS !).
func (b *Builder) Size(w, h int) *Builder {
	if w < 1 || w > maxSize || h < 1 || h > maxSize {
		return b.fail(fmt.Errorf("escpos: character size %dx%d out of range 1..%d", w, h, maxSize))
	}
	return b.add(gs, '!', byte((w-1)<<4|(h-1)))
}

// Bold turns emphasised printing on or off (ESC E).
func (b *Builder) Bold(on bool) *Builder {
	var n byte
	if on {
		n = 1
	}
	return b.add(esc, 'E', n)
}

// Text appends s encoded in GB18030. A newline becomes LF; other control
// characters (which could otherwise smuggle commands into the job) are
// dropped, a tab becomes a space, and invalid UTF-8 or a character GB18030
// cannot encode becomes '?', so no text can break the job.
func (b *Builder) Text(s string) *Builder {
	if b.err != nil {
		return b
	}
	if b.enc == nil {
		b.enc = simplifiedchinese.GB18030.NewEncoder()
	}
	for _, r := range s {
		b.buf = appendRune(b.buf, b.enc, r)
	}
	return b
}

// Line appends s and a line feed.
func (b *Builder) Line(s string) *Builder { return b.Text(s).LF() }

// LF prints the line buffer and feeds one line.
func (b *Builder) LF() *Builder { return b.add(lf) }

// Feed prints the line buffer and feeds n lines, 0..255 (ESC d).
func (b *Builder) Feed(n int) *Builder {
	if n < 0 || n > 255 {
		return b.fail(fmt.Errorf("escpos: feed of %d lines out of range 0..255", n))
	}
	return b.add(esc, 'd', byte(n))
}

// Cut cuts the paper partially. With feed > 0 (up to 255) it first feeds the
// paper to the cutter plus feed dots (GS V 66 n), so the last line is not
// left in the printer; with feed == 0 it sends GS V 66 0, and with feed < 0
// it cuts where the paper stands (GS V 1).
func (b *Builder) Cut(feed int) *Builder {
	switch {
	case feed < 0:
		return b.add(gs, 'V', 1)
	case feed > 255:
		return b.fail(fmt.Errorf("escpos: cut feed of %d dots out of range 0..255", feed))
	}
	return b.add(gs, 'V', 66, byte(feed))
}

// Raster appends img as a raster bit image (GS v 0): pixels darker than
// mid-grey print black. Taller images are sent in bands.
func (b *Builder) Raster(img image.Image) *Builder {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	if w <= 0 || h <= 0 {
		return b.fail(fmt.Errorf("escpos: raster image %dx%d is empty", w, h))
	}
	return b.raster(w, h, func(x, y int) bool {
		c := img.At(r.Min.X+x, r.Min.Y+y)
		cr, cg, cb, ca := c.RGBA()
		if ca < 0x8000 {
			return false // transparent: paper
		}
		// Rec. 601 luma on 16-bit channels.
		return (299*cr+587*cg+114*cb)/1000 < 0x8000
	})
}

// raster appends a w×h dot image whose dots black() says are black.
func (b *Builder) raster(w, h int, black func(x, y int) bool) *Builder {
	if b.err != nil {
		return b
	}
	xb := (w + 7) / 8
	if xb > 0xFFFF {
		return b.fail(fmt.Errorf("escpos: raster image %d dots wide is too wide", w))
	}
	for y0 := 0; y0 < h; y0 += maxRasterRow {
		rows := min(maxRasterRow, h-y0)
		b.buf = append(b.buf, gs, 'v', '0', 0, byte(xb), byte(xb>>8), byte(rows), byte(rows>>8))
		for y := y0; y < y0+rows; y++ {
			for bx := 0; bx < xb; bx++ {
				var v byte
				for bit := 0; bit < 8; bit++ {
					if x := bx*8 + bit; x < w && black(x, y) {
						v |= 0x80 >> bit
					}
				}
				b.buf = append(b.buf, v)
			}
		}
	}
	return b
}

// QRRaster draws data as a QR code with go-qrcode and appends it as a raster
// image, module dots per module (1..16), without a quiet zone: leave a blank
// line above and below it. Every printer prints it, at the cost of size:
// about (21+4v)²·module²/8 bytes for version v.
func (b *Builder) QRRaster(data string, module int, level QRLevel) *Builder {
	if b.err != nil {
		return b
	}
	bm, err := qrBitmap(data, level)
	if err != nil {
		return b.fail(err)
	}
	if module < 1 || module > maxQRModule {
		return b.fail(fmt.Errorf("escpos: QR module size %d out of range 1..%d", module, maxQRModule))
	}
	n := len(bm) * module
	return b.raster(n, n, func(x, y int) bool { return bm[y/module][x/module] })
}

// qrBitmap returns the QR code's modules, true for black, without a border.
func qrBitmap(data string, level QRLevel) ([][]bool, error) {
	if data == "" {
		return nil, fmt.Errorf("escpos: empty QR code")
	}
	q, err := qrcode.New(data, level.qrcode())
	if err != nil {
		return nil, fmt.Errorf("escpos: QR code of %d bytes: %w", len(data), err)
	}
	q.DisableBorder = true
	return q.Bitmap(), nil
}

// QRNative appends the printer's own QR code commands (GS ( k: model 2,
// module size 1..16 dots, error correction, store the data, print). Only
// printers that have them print anything; the job stays small.
func (b *Builder) QRNative(data string, module int, level QRLevel) *Builder {
	switch {
	case data == "":
		return b.fail(fmt.Errorf("escpos: empty QR code"))
	case len(data) > maxQRData:
		return b.fail(fmt.Errorf("escpos: QR code of %d bytes is too long", len(data)))
	case module < 1 || module > maxQRModule:
		return b.fail(fmt.Errorf("escpos: QR module size %d out of range 1..%d", module, maxQRModule))
	case level > QRLevelH:
		return b.fail(fmt.Errorf("escpos: QR level %d out of range", level))
	}
	b.add(gs, '(', 'k', 4, 0, 49, 65, 50, 0)        // model 2
	b.add(gs, '(', 'k', 3, 0, 49, 67, byte(module)) // module size
	b.add(gs, '(', 'k', 3, 0, 49, 69, 48+byte(level))
	p := len(data) + 3
	b.add(gs, '(', 'k', byte(p), byte(p>>8), 49, 80, 48)
	b.add([]byte(data)...)
	return b.add(gs, '(', 'k', 3, 0, 49, 81, 48) // print
}

// appendRune appends r as Text writes it.
func appendRune(dst []byte, enc *encoding.Encoder, r rune) []byte {
	switch {
	case r == '\n':
		return append(dst, lf)
	case r == '\t':
		return append(dst, ' ')
	case r < 0x20 || (r >= 0x7F && r < 0xA0) || r == 0x2028 || r == 0x2029:
		return dst
	case r < 0x80:
		return append(dst, byte(r))
	case r == utf8.RuneError:
		return append(dst, '?')
	}
	var src [utf8.UTFMax]byte
	var out [8]byte
	n := utf8.EncodeRune(src[:], r)
	enc.Reset()
	nDst, _, err := enc.Transform(out[:], src[:n], true)
	if err != nil || nDst == 0 {
		return append(dst, '?')
	}
	return append(dst, out[:nDst]...)
}

// textCols returns how many Font A columns s takes as Text writes it: one
// per single-byte character, two per Chinese (multi-byte) character.
func textCols(enc *encoding.Encoder, s string) int {
	n := 0
	for _, r := range s {
		n += runeCols(enc, r)
	}
	return n
}

func runeCols(enc *encoding.Encoder, r rune) int {
	var buf [8]byte
	switch n := len(appendRune(buf[:0], enc, r)); {
	case n == 0:
		return 0
	case n == 1:
		return 1
	}
	return 2
}
