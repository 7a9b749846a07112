// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// ErrNoFace means none of the font files FindFace looks for is there.
var ErrNoFace = errors.New("escpos: no CJK font file (install the Debian package fonts-noto-cjk or fonts-arphic-gbsn00lp)")

// faceEm is the em of a Face in dots at character size 1×1: the height of
// the Font A cell, and the width of a Chinese character.
const faceEm = fontAH

// FacePaths are the font files with Chinese glyphs FindFace looks for, in
// order: where Debian's font packages install them; fonts-noto-cjk (an
// OpenType collection) first, then fonts-arphic-gbsn00lp (a TrueType font).
func FacePaths() []string {
	return []string{
		"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",    // fonts-noto-cjk
		"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",    // fonts-arphic-gbsn00lp
		"/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf",    // fonts-arphic-gkai00mp
		"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",            // fonts-wqy-microhei
		"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",              // fonts-wqy-zenhei
		"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", // fonts-droid-fallback
	}
}

// FindFace returns the first of paths that is a readable regular file, or
// ErrNoFace.
func FindFace(paths []string) (string, error) {
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", ErrNoFace
}

// Face is a font Render draws characters with instead of its placeholder
// boxes: a TrueType or OpenType font, or one font of a collection (.ttc).
// A Face is safe for concurrent use by several Render calls.
type Face struct {
	font     *sfnt.Font
	name     string
	baseline float64   // dots from the top of a 1×1 cell to the baseline
	closer   io.Closer // the font file, for a Face from OpenFace
}

// ParseFace reads a font from data: a TrueType or OpenType font, or a
// collection, of which it takes the font for Simplified Chinese (a name
// with "SC" or "GB"; monospaced preferred, since ASCII sits in half-width
// cells), or else the first.
func ParseFace(data []byte) (*Face, error) {
	if len(data) == 0 {
		return nil, errors.New("escpos: font: no data") // sfnt reads a nil slice as a nil io.ReaderAt
	}
	c, err := sfnt.ParseCollection(data)
	if err != nil {
		return nil, fmt.Errorf("escpos: font: %w", err)
	}
	return newFace(c, nil)
}

// OpenFace reads the font file at path as ParseFace does, reading its
// tables from the file as glyphs are drawn rather than all at once (a CJK
// collection is 20 MB). Close the Face after use.
func OpenFace(path string) (*Face, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("escpos: font: %w", err)
	}
	c, err := sfnt.ParseCollectionReaderAt(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("escpos: font %s: %w", path, err)
	}
	face, err := newFace(c, f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	return face, nil
}

func newFace(c *sfnt.Collection, closer io.Closer) (*Face, error) {
	var b sfnt.Buffer
	best, bestScore := (*sfnt.Font)(nil), -1
	bestName := ""
	for i := range c.NumFonts() {
		f, err := c.Font(i)
		if err != nil {
			return nil, fmt.Errorf("escpos: font %d of the collection: %w", i, err)
		}
		name, _ := f.Name(&b, sfnt.NameIDFamily)
		if s := faceScore(name); s > bestScore {
			best, bestScore, bestName = f, s, name
		}
	}
	if best == nil {
		return nil, errors.New("escpos: font: the collection holds no font")
	}
	base, err := faceBaseline(best, &b)
	if err != nil {
		return nil, err
	}
	return &Face{font: best, name: bestName, baseline: base, closer: closer}, nil
}

// faceScore ranks a font of a collection by its family name.
func faceScore(name string) int {
	s := 0
	if strings.Contains(name, " SC") || strings.Contains(name, "GB") {
		s += 2
	}
	if strings.Contains(name, "Mono") {
		s++
	}
	return s
}

// faceBaseline returns where the baseline lies in a 1×1 cell so that an
// ideograph (国) sits in the middle of its 24×24 dots; without one, from the
// font's ascent and descent.
func faceBaseline(f *sfnt.Font, b *sfnt.Buffer) (float64, error) {
	ppem := fixed.I(faceEm)
	if i, err := f.GlyphIndex(b, '国'); err == nil && i != 0 {
		bounds, _, err := f.GlyphBounds(b, i, ppem, font.HintingNone)
		if err == nil && bounds.Max.Y > bounds.Min.Y {
			top, h := -fx(bounds.Min.Y), fx(bounds.Max.Y-bounds.Min.Y)
			return (faceEm-h)/2 + top, nil
		}
	}
	m, err := f.Metrics(b, ppem, font.HintingNone)
	if err != nil {
		return 0, fmt.Errorf("escpos: font metrics: %w", err)
	}
	a, d := fx(m.Ascent), fx(m.Descent)
	if a+d <= 0 {
		return 0, errors.New("escpos: font: no ascent or descent")
	}
	return faceEm * a / (a + d), nil
}

func fx(v fixed.Int26_6) float64 { return float64(v) / 64 }

// Name is the family name of the face's font, such as "Noto Sans Mono CJK SC".
func (f *Face) Name() string { return f.name }

// Close closes the font file of a Face from OpenFace.
func (f *Face) Close() error {
	if f == nil || f.closer == nil {
		return nil
	}
	if err := f.closer.Close(); err != nil {
		return fmt.Errorf("escpos: font: %w", err)
	}
	return nil
}

// faceDrawer is one Render's state for drawing with a Face.
type faceDrawer struct {
	face *Face
	buf  sfnt.Buffer
	dec  *encoding.Decoder
	ras  vector.Rasterizer
}

func newFaceDrawer(f *Face) *faceDrawer {
	return &faceDrawer{face: f, dec: simplifiedchinese.GB18030.NewDecoder()}
}

// runeOf decodes the GB18030 bytes of one character.
func (d *faceDrawer) runeOf(code []byte) (rune, bool) {
	if len(code) == 1 && code[0] < utf8.RuneSelf {
		return rune(code[0]), true
	}
	b, err := d.dec.Bytes(code)
	if err != nil {
		return 0, false
	}
	r, n := utf8.DecodeRune(b)
	if r == utf8.RuneError || n != len(b) {
		return 0, false
	}
	return r, true
}

// drawFace draws g's character with the face into its cell at x, y and
// reports whether the face has it. The em is 24 dots times the height
// multiplier; a glyph wider than the cell (a proportional Latin letter in
// a half-width cell) is narrowed to fit; bold strikes it twice, shifted.
func (r *renderer) drawFace(g glyph, x, y int) bool {
	d := r.face
	c, ok := d.runeOf(g.code)
	if !ok {
		return false
	}
	f := d.face.font
	idx, err := f.GlyphIndex(&d.buf, c)
	if err != nil || idx == 0 {
		return false
	}
	ppem := fixed.I(faceEm)
	adv, err := f.GlyphAdvance(&d.buf, idx, ppem, font.HintingNone)
	if err != nil {
		return false
	}
	baseW := float64(g.width() / g.w) // 12 or 24 dots
	kx, ky := float64(g.w), float64(g.h)
	if a := fx(adv); a > baseW {
		kx *= baseW / a
	}
	segs, err := f.LoadGlyph(&d.buf, idx, ppem, nil)
	if err != nil {
		return false
	}
	cw, ch := g.width(), fontAH*g.h
	m := 2 * max(g.w, g.h) // room for strokes that leave the cell
	ox := float64(m) + (float64(cw)-fx(adv)*kx)/2
	oy := float64(m) + d.face.baseline*ky
	mask := d.raster(segs, cw+2*m, ch+2*m, ox, oy, kx, ky)
	shift := 0
	if g.bold {
		shift = max(1, g.w)
	}
	r.stamp(mask, x-m, y-m, shift)
	return true
}

// raster fills the outline segs, scaled by kx, ky around the origin ox, oy,
// into a w×h coverage mask.
func (d *faceDrawer) raster(segs sfnt.Segments, w, h int, ox, oy, kx, ky float64) *image.Alpha {
	z := &d.ras
	z.Reset(w, h)
	pt := func(p fixed.Point26_6) (float32, float32) {
		return float32(ox + fx(p.X)*kx), float32(oy + fx(p.Y)*ky)
	}
	for _, s := range segs {
		x0, y0 := pt(s.Args[0])
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			z.MoveTo(x0, y0)
		case sfnt.SegmentOpLineTo:
			z.LineTo(x0, y0)
		case sfnt.SegmentOpQuadTo:
			x1, y1 := pt(s.Args[1])
			z.QuadTo(x0, y0, x1, y1)
		case sfnt.SegmentOpCubeTo:
			x1, y1 := pt(s.Args[1])
			x2, y2 := pt(s.Args[2])
			z.CubeTo(x0, y0, x1, y1, x2, y2)
		}
	}
	z.ClosePath()
	mask := image.NewAlpha(image.Rect(0, 0, w, h))
	z.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	return mask
}

// stamp prints the dots of mask covered at least half, with its top left
// corner at x, y, and again shift dots to the right when shift is not 0.
func (r *renderer) stamp(mask *image.Alpha, x, y, shift int) {
	b := mask.Bounds()
	for j := b.Min.Y; j < b.Max.Y; j++ {
		for i := b.Min.X; i < b.Max.X; i++ {
			if mask.AlphaAt(i, j).A < 0x80 {
				continue
			}
			r.set(x+i, y+j)
			if shift != 0 {
				r.fill(x+i+1, y+j, x+i+1+shift, y+j+1)
			}
		}
	}
}
