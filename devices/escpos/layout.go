// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"fmt"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"

	"yichuang/devices"
)

// Paper is a roll width in millimetres.
type Paper int

// Roll widths.
const (
	Paper58 Paper = 58 // 384 dots, 32 Font A columns
	Paper80 Paper = 80 // 576 dots, 48 Font A columns
)

// Dots returns the printable width in dots at 203 dpi, or 0 for an unknown
// width.
func (p Paper) Dots() int {
	switch p {
	case Paper58:
		return 384
	case Paper80:
		return 576
	}
	return 0
}

// Columns returns how many Font A (12×24 dots) characters fit on a line.
func (p Paper) Columns() int { return p.Dots() / fontAW }

func (p Paper) String() string { return fmt.Sprintf("%d mm", int(p)) }

// CutMode says how a layout ends.
type CutMode int

// Cut modes.
const (
	CutFeed CutMode = iota // feed to the cutter, then partial cut (GS V 66 0)
	CutNow                 // partial cut where the paper stands (GS V 1)
	CutNone                // no cut: tear-off printers
)

// LayoutOpts shapes the jobs LayoutTicket and LayoutReceipt make.
type LayoutOpts struct {
	Paper    Paper
	NativeQR bool    // use the printer's GS ( k QR code instead of a raster image
	QRModule int     // dots per QR module; 0: 6 (a 33-module code is 25 mm wide)
	QRLevel  QRLevel // error correction; the zero value is L, DefaultLayout uses M
	Feed     int     // lines fed (ESC d) after the last line, before the cut
	Cut      CutMode
}

// DefaultLayout returns the layout options for paper p.
func DefaultLayout(p Paper) LayoutOpts {
	return LayoutOpts{Paper: p, QRModule: 6, QRLevel: QRLevelM, Feed: 1}
}

// Line is one paragraph of a receipt; it is wrapped to the paper width.
type Line struct {
	Text  string
	Align Align
	W, H  int  // character width and height multipliers, 1..8; 0 means 1
	Bold  bool // emphasised
	Fit   bool // shrink W and H (keeping their ratio) until Text fits one line
	Rule  bool // a full-width rule of '-'; Text is ignored
	Blank bool // an empty line; Text is ignored
}

// Receipt is a generic layout: lines, an optional QR code, more lines.
type Receipt struct {
	Head []Line
	QR   string // printed centred between Head and Tail if not empty
	Tail []Line
}

// TicketReceipt lays a queue ticket out as a Receipt: the hall, the zone,
// a priority mark, the number large, the people waiting ahead, the matter,
// the issue time, a QR code of the status link and the notices. A Ticket
// carries no name and no ID number, so the ticket shows none.
func TicketReceipt(t devices.Ticket) Receipt {
	var r Receipt
	add := func(l Line) { r.Head = append(r.Head, l) }
	if t.Hall != "" {
		add(Line{Text: t.Hall, Align: AlignCenter, Bold: true})
	}
	if t.ZoneName != "" {
		add(Line{Text: t.ZoneName, Align: AlignCenter, W: 2, H: 2, Fit: true})
	}
	if t.Priority {
		add(Line{Text: "★ 优先 ★", Align: AlignCenter, W: 2, H: 2, Bold: true, Fit: true})
	}
	add(Line{Blank: true})
	add(Line{Text: t.Number, Align: AlignCenter, W: 5, H: 5, Bold: true, Fit: true})
	add(Line{Blank: true})
	if t.Offline {
		add(Line{Text: "离线取号 按取号时间排队", Align: AlignCenter, Bold: true, Fit: true})
		add(Line{Text: "(issued offline: queued by time)", Align: AlignCenter, Fit: true})
	} else {
		add(Line{Text: fmt.Sprintf("前方等待 %d 人", max(t.WaitingAhead, 0)), Align: AlignCenter, W: 2, H: 2, Fit: true})
	}
	if t.Matter != "" {
		add(Line{Text: "办理事项：" + t.Matter, Align: AlignCenter})
	}
	if !t.IssuedAt.IsZero() {
		add(Line{Text: "取号时间：" + t.IssuedAt.Format("2006-01-02 15:04:05"), Align: AlignCenter})
	}
	if t.StatusURL != "" {
		add(Line{Blank: true})
		r.QR = t.StatusURL
		r.Tail = append(r.Tail, Line{Text: "扫码查看排队进度", Align: AlignCenter})
	}
	if len(t.Notices) > 0 {
		r.Tail = append(r.Tail, Line{Rule: true})
		for _, n := range t.Notices {
			r.Tail = append(r.Tail, Line{Text: n})
		}
	}
	return r
}

// LayoutTicket returns the job that prints t; o nil means DefaultLayout(Paper58).
func LayoutTicket(t devices.Ticket, o *LayoutOpts) ([]byte, error) {
	return LayoutReceipt(TicketReceipt(t), o)
}

// LayoutReceipt returns the job that prints r; o nil means
// DefaultLayout(Paper58).
func LayoutReceipt(r Receipt, o *LayoutOpts) ([]byte, error) {
	opts := DefaultLayout(Paper58)
	if o != nil {
		opts = *o
	}
	cols := opts.Paper.Columns()
	if cols == 0 {
		return nil, fmt.Errorf("escpos: unknown paper width %d mm", int(opts.Paper))
	}
	module := opts.QRModule
	if module == 0 {
		module = 6
	}
	enc := simplifiedchinese.GB18030.NewEncoder()
	b := NewBuilder().Init().Chinese(true)
	for _, l := range r.Head {
		writeLine(b, enc, l, cols)
	}
	if r.QR != "" {
		b.Align(AlignCenter)
		bm, err := qrBitmap(r.QR, opts.QRLevel)
		if err != nil {
			return nil, err
		}
		// Shrink the modules until the code fits the paper.
		module = max(1, min(module, opts.Paper.Dots()/len(bm)))
		if opts.NativeQR {
			b.QRNative(r.QR, module, opts.QRLevel)
		} else {
			b.QRRaster(r.QR, module, opts.QRLevel)
		}
		b.LF()
	}
	for _, l := range r.Tail {
		writeLine(b, enc, l, cols)
	}
	if opts.Feed > 0 {
		b.Feed(opts.Feed)
	}
	switch opts.Cut {
	case CutFeed:
		b.Cut(0)
	case CutNow:
		b.Cut(-1)
	case CutNone:
	default:
		return nil, fmt.Errorf("escpos: unknown cut mode %d", opts.Cut)
	}
	return b.Bytes()
}

// writeLine appends one Line, leaving the printer in its default modes
// (left, 1×1, not bold) afterwards.
func writeLine(b *Builder, enc *encoding.Encoder, l Line, cols int) {
	switch {
	case l.Blank:
		b.LF()
		return
	case l.Rule:
		b.Align(AlignLeft).Line(strings.Repeat("-", cols))
		return
	}
	w, h := max(l.W, 1), max(l.H, 1)
	if l.Fit {
		// Shrink both multipliers in step until one line holds the text.
		need := 0
		for _, p := range strings.Split(l.Text, "\n") {
			need = max(need, textCols(enc, p))
		}
		for w > 1 && need*w > cols {
			h = max(1, h*(w-1)/w)
			w--
		}
	}
	if l.Align != AlignLeft {
		b.Align(l.Align)
	}
	if w != 1 || h != 1 {
		b.Size(w, h)
	}
	if l.Bold {
		b.Bold(true)
	}
	for _, s := range wrap(enc, l.Text, max(1, cols/w)) {
		b.Line(s)
	}
	if l.Bold {
		b.Bold(false)
	}
	if w != 1 || h != 1 {
		b.Size(1, 1)
	}
	if l.Align != AlignLeft {
		b.Align(AlignLeft)
	}
}

// wrap splits text into lines of at most cols columns, breaking ASCII words
// at spaces where it can and Chinese text anywhere.
func wrap(enc *encoding.Encoder, text string, cols int) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		var line []rune
		width := 0
		lastSpace := -1 // index in line of the last space
		for _, r := range para {
			rc := runeCols(enc, r)
			if width+rc > cols && len(line) > 0 {
				if r != ' ' && lastSpace > 0 && isWordRune(r) && isWordRune(line[len(line)-1]) {
					out = append(out, strings.TrimRight(string(line[:lastSpace]), " "))
					line = append([]rune(nil), line[lastSpace+1:]...)
				} else {
					out = append(out, strings.TrimRight(string(line), " "))
					line = line[:0]
				}
				width, lastSpace = 0, -1
				for i, lr := range line {
					width += runeCols(enc, lr)
					if lr == ' ' {
						lastSpace = i
					}
				}
				if r == ' ' {
					continue // no space at the start of a wrapped line
				}
			}
			if r == ' ' {
				lastSpace = len(line)
			}
			line = append(line, r)
			width += rc
		}
		out = append(out, strings.TrimRight(string(line), " "))
	}
	return out
}

func isWordRune(r rune) bool { return r > ' ' && r < 0x80 }
