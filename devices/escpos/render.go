// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"

	"golang.org/x/image/font/basicfont"
)

// Font A cell, and the printer's default line spacing (ESC 2), in dots.
const (
	fontAW         = 12
	fontAH         = 24
	cjkW           = 24
	defaultSpacing = 30
	defaultMaxH    = 1 << 15 // about 4 m of paper
)

// RenderOpts configures Render.
type RenderOpts struct {
	Paper     Paper // the image's width; 0 means Paper58
	MaxHeight int   // longest image in dots before Render gives up; 0 means 32768
	// Face, when set, draws text with a font's glyphs (see ParseFace,
	// OpenFace) instead of placeholder boxes: for previews. Golden tests
	// leave it nil, so their images are the same on every machine.
	Face *Face
}

// Render draws job as the printer would print it, one image pixel per dot,
// black on white. It is meant for golden tests and previews, so it is exact
// where exactness is cheap and plain elsewhere:
//
//   - Raster images (GS v 0, all four scale modes) are drawn dot for dot.
//   - Native QR codes (GS ( k) are drawn by regenerating the symbol with
//     go-qrcode from the stored data, level and module size.
//   - ASCII text uses the 7×13 basicfont glyphs, scaled by whole dots and
//     centred in the 12×24 Font A cell times the GS ! / ESC ! multipliers.
//   - A Chinese (multi-byte GB18030) character in Chinese mode is drawn as a
//     placeholder of the right width (24×24 times the multipliers): a box
//     with a 4×4 pattern derived from its code, so different characters look
//     different. Single bytes ≥ 0x80 outside Chinese mode get a plain box.
//   - With RenderOpts.Face, Chinese and ASCII characters are drawn with the
//     font's glyphs instead, in the same cells (24 dots to the em times the
//     multipliers); a character the font lacks falls back to the above.
//   - Alignment (ESC a, taken at the start of each line), bold, underline,
//     line spacing (ESC 2, ESC 3), feeds (LF, ESC d, ESC J) and automatic
//     wrapping are honoured; Font B (ESC ! bit 0) is drawn as Font A; a cut
//     is a dashed line; DLE EOT, ESC t and FS C are accepted and ignored.
//   - Text left in the line buffer at the end of the job is drawn (a printer
//     would wait for the next LF).
//
// Bytes it does not understand give a *ParseError naming their offset.
func Render(job []byte, o *RenderOpts) (*image.Paletted, error) {
	var opts RenderOpts
	if o != nil {
		opts = *o
	}
	if opts.Paper == 0 {
		opts.Paper = Paper58
	}
	if opts.Paper.Dots() == 0 {
		return nil, fmt.Errorf("escpos: unknown paper width %d mm", int(opts.Paper))
	}
	if opts.MaxHeight <= 0 {
		opts.MaxHeight = defaultMaxH
	}
	r := &renderer{w: opts.Paper.Dots(), maxH: opts.MaxHeight}
	if opts.Face != nil {
		r.face = newFaceDrawer(opts.Face)
	}
	r.reset()
	for off := 0; off < len(job); {
		_, tok, err := ScanCommands(job[off:], true)
		if err != nil {
			return nil, &ParseError{Offset: off, Msg: trimPrefix(err.Error())}
		}
		if err := r.exec(tok); err != nil {
			return nil, &ParseError{Offset: off, Msg: err.Error()}
		}
		off += len(tok)
	}
	if len(r.line) > 0 {
		if err := r.flush(defaultSpacing); err != nil {
			return nil, &ParseError{Offset: len(job), Msg: err.Error()}
		}
	}
	h := max(r.y, 1)
	r.grow(h)
	img := &image.Paletted{
		Pix:     r.pix[:r.w*h],
		Stride:  r.w,
		Rect:    image.Rect(0, 0, r.w, h),
		Palette: color.Palette{color.White, color.Black},
	}
	return img, nil
}

// RenderPNG renders job and writes it to w as a PNG.
func RenderPNG(w io.Writer, job []byte, o *RenderOpts) error {
	img, err := Render(job, o)
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("escpos: png: %w", err)
	}
	return nil
}

func trimPrefix(s string) string {
	const p = "escpos: "
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// glyph is one character waiting in the line buffer.
type glyph struct {
	code      []byte
	kind      glyphKind
	w, h      int // multipliers
	bold      bool
	underline bool
}

type glyphKind byte

const (
	glyphASCII glyphKind = iota
	glyphCJK
	glyphByte // a single byte with no ASCII glyph
)

func (g glyph) width() int {
	if g.kind == glyphCJK {
		return cjkW * g.w
	}
	return fontAW * g.w
}

type renderer struct {
	w, maxH int
	pix     []byte      // w bytes per row; 0 white, 1 black
	face    *faceDrawer // nil: placeholder boxes and basicfont
	y       int

	align      Align
	mulW, mulH int
	bold       bool
	underline  bool
	kanji      bool
	spacing    int

	line      []glyph
	lineW     int
	lineAlign Align

	qrData   []byte
	qrModule int
	qrLevel  QRLevel
	qrCache  [][]bool // the symbol of qrData at qrLevel, once drawn
}

func (r *renderer) reset() {
	r.align, r.mulW, r.mulH = AlignLeft, 1, 1
	r.bold, r.underline, r.kanji = false, false, false
	r.spacing = defaultSpacing
	r.line, r.lineW = r.line[:0], 0
	r.qrData, r.qrModule, r.qrLevel, r.qrCache = nil, 3, QRLevelL, nil
}

func (r *renderer) grow(rows int) {
	if n := rows * r.w; len(r.pix) < n {
		r.pix = append(r.pix, make([]byte, n-len(r.pix))...)
	}
}

func (r *renderer) set(x, y int) {
	if x < 0 || x >= r.w || y < 0 || y >= r.maxH {
		return
	}
	r.grow(y + 1)
	r.pix[y*r.w+x] = 1
}

func (r *renderer) fill(x0, y0, x1, y1 int) {
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			r.set(x, y)
		}
	}
}

// advance moves the paper by n dots.
func (r *renderer) advance(n int) error {
	r.y += n
	if r.y > r.maxH {
		return fmt.Errorf("job longer than %d dots", r.maxH)
	}
	return nil
}

// startX returns where a line or image w dots wide starts under a.
func (r *renderer) startX(a Align, w int) int {
	switch a {
	case AlignCenter:
		return max(0, (r.w-w)/2)
	case AlignRight:
		return max(0, r.w-w)
	}
	return 0
}

// flush prints the line buffer and feeds: at least feed dots, and at least
// the line's height.
func (r *renderer) flush(feed int) error {
	height := 0
	for _, g := range r.line {
		height = max(height, fontAH*g.h)
	}
	x := r.startX(r.lineAlign, r.lineW)
	for _, g := range r.line {
		top := r.y + height - fontAH*g.h // bottom-aligned
		r.drawGlyph(g, x, top)
		x += g.width()
	}
	r.line, r.lineW = r.line[:0], 0
	return r.advance(max(feed, height))
}

func (r *renderer) addGlyph(g glyph) error {
	if r.lineW+g.width() > r.w && len(r.line) > 0 {
		if err := r.flush(r.spacing); err != nil {
			return err
		}
	}
	if len(r.line) == 0 {
		r.lineAlign = r.align
	}
	r.line = append(r.line, g)
	r.lineW += g.width()
	return nil
}

func (r *renderer) text(p []byte) error {
	for i := 0; i < len(p); {
		g := glyph{w: r.mulW, h: r.mulH, bold: r.bold, underline: r.underline}
		n := 1
		c := p[i]
		switch {
		case c < 0x7F:
			g.kind = glyphASCII
		case r.kanji && c >= 0x81 && c <= 0xFE && i+1 < len(p):
			c2 := p[i+1]
			switch {
			case c2 >= 0x30 && c2 <= 0x39 && i+3 < len(p) &&
				p[i+2] >= 0x81 && p[i+2] <= 0xFE && p[i+3] >= 0x30 && p[i+3] <= 0x39:
				g.kind, n = glyphCJK, 4
			case c2 >= 0x40 && c2 <= 0xFE && c2 != 0x7F:
				g.kind, n = glyphCJK, 2
			default:
				g.kind = glyphByte
			}
		default:
			g.kind = glyphByte
		}
		g.code = p[i : i+n]
		if err := r.addGlyph(g); err != nil {
			return err
		}
		i += n
	}
	return nil
}

func (r *renderer) drawGlyph(g glyph, x, y int) {
	cw, ch := g.width(), fontAH*g.h
	switch {
	case g.kind == glyphASCII && g.code[0] == ' ':
		// nothing to draw
	case g.kind != glyphByte && r.face != nil && r.drawFace(g, x, y):
		// drawn with the font
	case g.kind == glyphASCII:
		r.drawASCII(rune(g.code[0]), x, y, cw, ch, g.bold)
	case g.kind == glyphCJK:
		r.drawCJK(g, x, y)
	default:
		// A box for a byte the font has no glyph for.
		sx, sy := g.w, g.h
		r.box(x+2*sx, y+4*sy, x+cw-2*sx, y+ch-4*sy, sx, sy)
	}
	if g.underline {
		r.fill(x, y+ch-2, x+cw, y+ch)
	}
}

// drawASCII draws a basicfont glyph scaled by whole dots, centred in the
// cw×ch cell at x, y.
func (r *renderer) drawASCII(c rune, x, y, cw, ch int, bold bool) {
	face := basicfont.Face7x13
	gw, gh := face.Width, face.Height // the mask holds glyphs gw×gh, one below the other
	sx, sy := max(1, cw/face.Advance), max(1, ch/gh)
	ox := x + (cw-face.Advance*sx)/2 + sx/2
	oy := y + (ch-gh*sy)/2
	mask, ok := face.Mask.(*image.Alpha)
	if !ok {
		return
	}
	idx := -1
	for _, rg := range face.Ranges {
		if c >= rg.Low && c < rg.High {
			idx = rg.Offset + int(c-rg.Low)
			break
		}
	}
	if idx < 0 {
		return
	}
	shift := max(1, sx/2)
	for j := 0; j < gh; j++ {
		for i := 0; i < gw; i++ {
			if mask.AlphaAt(i, idx*gh+j).A < 0x80 {
				continue
			}
			px, py := ox+i*sx, oy+j*sy
			r.fill(px, py, px+sx, py+sy)
			if bold {
				r.fill(px+shift, py, px+sx+shift, py+sy)
			}
		}
	}
}

// drawCJK draws the placeholder for a Chinese character: a box with a 4×4
// pattern taken from its code bytes.
func (r *renderer) drawCJK(g glyph, x, y int) {
	sx, sy := g.w, g.h
	tx, ty := sx, sy
	if g.bold {
		tx, ty = 2*sx, 2*sy
	}
	r.box(x+2*sx, y+2*sy, x+22*sx, y+22*sy, tx, ty)
	var v uint32
	for _, b := range g.code {
		v = v*131 + uint32(b)
	}
	bits := uint16(v ^ v>>16)
	for k := 0; k < 16; k++ {
		if bits&(1<<k) == 0 {
			continue
		}
		cx, cy := x+(6+3*(k%4))*sx, y+(6+3*(k/4))*sy
		r.fill(cx, cy, cx+3*sx, cy+3*sy)
	}
}

// box draws a rectangle outline tx dots thick at the sides and ty at top and
// bottom.
func (r *renderer) box(x0, y0, x1, y1, tx, ty int) {
	r.fill(x0, y0, x1, y0+ty)
	r.fill(x0, y1-ty, x1, y1)
	r.fill(x0, y0, x0+tx, y1)
	r.fill(x1-tx, y0, x1, y1)
}

// flushIfAny prints a non-empty line buffer as LF would.
func (r *renderer) flushIfAny() error {
	if len(r.line) == 0 {
		return nil
	}
	return r.flush(r.spacing)
}

func (r *renderer) exec(t []byte) error {
	c := t[0]
	if c >= 0x20 {
		return r.text(t)
	}
	switch c {
	case lf:
		return r.flush(r.spacing)
	case cr:
		return nil
	case dle:
		return nil // DLE EOT: a real-time status request prints nothing
	}
	n := byte(0)
	if len(t) > 2 {
		n = t[2]
	}
	switch string(t[:2]) {
	case "\x1b@":
		r.reset()
	case "\x1ba":
		switch n {
		case 0, 1, 2, 48, 49, 50:
			r.align = Align(n & 3)
		default:
			return fmt.Errorf("ESC a %d: unknown alignment", n)
		}
	case "\x1bE":
		r.bold = n&1 != 0
	case "\x1b-":
		r.underline = n&3 != 0
	case "\x1b!":
		r.bold, r.underline = n&0x08 != 0, n&0x80 != 0
		r.mulW, r.mulH = 1+int(n>>5&1), 1+int(n>>4&1)
	case "\x1bd":
		if len(r.line) > 0 {
			if err := r.flush(r.spacing); err != nil {
				return err
			}
			n = max(n, 1) - 1
		}
		return r.advance(int(n) * r.spacing)
	case "\x1bJ":
		if len(r.line) > 0 {
			return r.flush(int(n))
		}
		return r.advance(int(n))
	case "\x1b2":
		r.spacing = defaultSpacing
	case "\x1b3":
		r.spacing = int(n)
	case "\x1bt", "\x1cC":
		// code page, Chinese code system: nothing to draw
	case "\x1c&":
		r.kanji = true
	case "\x1c.":
		r.kanji = false
	case "\x1d!":
		if n&0x88 != 0 {
			return fmt.Errorf("GS ! 0x%02x: size out of range", n)
		}
		r.mulW, r.mulH = 1+int(n>>4), 1+int(n&7)
	case "\x1dV":
		if err := r.flushIfAny(); err != nil {
			return err
		}
		if len(t) == 4 {
			if err := r.advance(int(t[3])); err != nil {
				return err
			}
		}
		for x := 0; x < r.w; x += 8 {
			r.fill(x, r.y, min(x+4, r.w), r.y+1)
		}
		return r.advance(1)
	case "\x1dv":
		return r.raster(t)
	case "\x1d(":
		return r.qr(t)
	default:
		return fmt.Errorf("unknown command %s", cmdName(t))
	}
	return nil
}

// raster draws a GS v 0 image.
func (r *renderer) raster(t []byte) error {
	if err := r.flushIfAny(); err != nil {
		return err
	}
	m := t[3] & 3
	xb := int(t[4]) | int(t[5])<<8
	rows := int(t[6]) | int(t[7])<<8
	sx, sy := 1+int(m&1), 1+int(m>>1)
	w, h := xb*8*sx, rows*sy
	if r.y+h > r.maxH {
		return fmt.Errorf("job longer than %d dots", r.maxH)
	}
	x0 := r.startX(r.align, w)
	data := t[8:]
	for y := 0; y < rows; y++ {
		for bx := 0; bx < xb; bx++ {
			v := data[y*xb+bx]
			for bit := 0; bit < 8 && v != 0; bit++ {
				if v&(0x80>>bit) == 0 {
					continue
				}
				px := x0 + (bx*8+bit)*sx
				if px >= r.w {
					break
				}
				r.fill(px, r.y+y*sy, px+sx, r.y+(y+1)*sy)
			}
		}
	}
	return r.advance(h)
}

// qr handles GS ( k: QR code functions (cn 49) only.
func (r *renderer) qr(t []byte) error {
	p := int(t[3]) | int(t[4])<<8
	args := t[5 : 5+p]
	cn, fn := args[0], args[1]
	if cn != 49 {
		return fmt.Errorf("GS ( k: symbol type %d not supported (only QR, 49)", cn)
	}
	arg := func(i int) (byte, error) {
		if 2+i >= len(args) {
			return 0, fmt.Errorf("GS ( k 49 %d: missing parameter", fn)
		}
		return args[2+i], nil
	}
	switch fn {
	case 65: // model
		n, err := arg(0)
		if err != nil {
			return err
		}
		if n < 49 || n > 51 {
			return fmt.Errorf("GS ( k 49 65: unknown model %d", n)
		}
	case 67: // module size
		n, err := arg(0)
		if err != nil {
			return err
		}
		if n < 1 || n > maxQRModule {
			return fmt.Errorf("GS ( k 49 67: module size %d out of range 1..%d", n, maxQRModule)
		}
		r.qrModule = int(n)
	case 69: // error correction
		n, err := arg(0)
		if err != nil {
			return err
		}
		if n < 48 || n > 51 {
			return fmt.Errorf("GS ( k 49 69: unknown error correction %d", n)
		}
		r.qrLevel, r.qrCache = QRLevel(n-48), nil
	case 80: // store
		if _, err := arg(0); err != nil {
			return err
		}
		if len(args)-3 > maxQRData {
			return fmt.Errorf("GS ( k 49 80: %d bytes is too long for a QR code", len(args)-3)
		}
		r.qrData, r.qrCache = append(r.qrData[:0], args[3:]...), nil
	case 81: // print
		if err := r.flushIfAny(); err != nil {
			return err
		}
		if len(r.qrData) == 0 {
			return nil // a printer prints nothing
		}
		if r.qrCache == nil {
			bm, err := qrBitmap(string(r.qrData), r.qrLevel)
			if err != nil {
				return fmt.Errorf("GS ( k 49 81: %s", trimPrefix(err.Error()))
			}
			r.qrCache = bm
		}
		bm := r.qrCache
		mod := r.qrModule
		size := len(bm) * mod
		if r.y+size > r.maxH {
			return fmt.Errorf("job longer than %d dots", r.maxH)
		}
		x0 := r.startX(r.align, size)
		for j, row := range bm {
			for i, black := range row {
				if black {
					r.fill(x0+i*mod, r.y+j*mod, x0+(i+1)*mod, r.y+(j+1)*mod)
				}
			}
		}
		return r.advance(size)
	case 82: // transmit size information: nothing to draw
	default:
		return fmt.Errorf("GS ( k 49 %d: function not supported", fn)
	}
	return nil
}
