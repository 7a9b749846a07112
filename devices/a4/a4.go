// SPDX-License-Identifier: AGPL-3.0-or-later

// Package a4 lays the hall's documents out for an A4 printer, as PDF (with
// github.com/signintech/gopdf): the case slips, acceptance receipts (受理回执)
// and result notices (结果通知), saying what the receipt printer's slips say.
//
// Chinese text is set in a TrueType font with CJK glyphs that the caller
// passes in, so the PDF carries the glyphs it uses (a subset) and any viewer
// shows them. FindFont looks for one in the places Debian's font packages
// install it: fonts-arphic-gbsn00lp (AR PL SungtiL GB, a Song face, the
// style of official documents) first. Noto CJK is not usable: its files are
// OpenType/CFF collections, which gopdf does not read.
//
// Like a device driver it never logs; errors carry the "a4: " prefix.
package a4

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/signintech/gopdf"
	"github.com/skip2/go-qrcode"

	"yichuang/devices"
)

// ErrNoFont: none of the font files is there.
var ErrNoFont = errors.New("a4: no Chinese TrueType font (install the Debian package fonts-arphic-gbsn00lp)")

// FontPaths are the TrueType fonts with Chinese glyphs FindFont looks for,
// best first: each covers GB 2312 and has Latin letters of its own.
func FontPaths() []string {
	return []string{
		"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", // fonts-arphic-gbsn00lp
		"/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf", // fonts-arphic-gkai00mp
	}
}

// FindFont returns the first of paths that is a readable file, or ErrNoFont.
func FindFont(paths []string) (string, error) {
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", ErrNoFont
}

// LoadFont reads the first font FindFont finds in FontPaths.
func LoadFont() ([]byte, error) {
	p, err := FindFont(FontPaths())
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("a4: font: %w", err)
	}
	return b, nil
}

// Page geometry in millimetres.
const (
	pageW, pageH = 210.0, 297.0
	margin       = 20.0
	bodyW        = pageW - 2*margin
	labelW       = 36.0 // the label column
	bottom       = pageH - 20.0
	qrSize       = 42.0
	family       = "cjk"
)

// doc is a PDF being laid out top to bottom.
type doc struct {
	pdf *gopdf.GoPdf
	y   float64
	err error // the first error; later calls do nothing
}

// CaseSlip returns s as an A4 PDF set in font (TrueType data): the hall,
// the title, the slip's rows in two columns, the QR code of the case's
// public progress page with its caption, the notices and the print time.
// A long slip continues on a second page.
func CaseSlip(s devices.CaseSlip, font []byte) ([]byte, error) {
	d := &doc{pdf: &gopdf.GoPdf{}, y: margin}
	d.pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	d.pdf.SetInfo(gopdf.PdfInfo{Title: s.Title() + " " + s.Number, Creator: "kioskd", Producer: "kioskd", CreationDate: s.PrintedAt})
	if err := d.pdf.AddTTFFontData(family, font); err != nil {
		return nil, fmt.Errorf("a4: font: %w", err)
	}
	d.pdf.AddPage()
	d.heading(s)
	for _, r := range s.Rows() {
		d.row(r)
	}
	d.qr(s.ProgressURL)
	d.footer(s)
	if d.err != nil {
		return nil, fmt.Errorf("a4: case slip %s: %w", s.Number, d.err)
	}
	b, err := d.pdf.GetBytesPdfReturnErr()
	if err != nil {
		return nil, fmt.Errorf("a4: case slip %s: %w", s.Number, err)
	}
	return b, nil
}

func (d *doc) heading(s devices.CaseSlip) {
	if s.Hall != "" {
		d.centred(s.Hall, 14, 8)
	}
	d.centred(s.Title(), 24, 12)
	d.centred(s.TitleEN(), 11, 7)
	d.rule()
}

// centred writes one line centred on the page and moves down by advance.
func (d *doc) centred(text string, size, advance float64) {
	if !d.font(size) {
		return
	}
	w, err := d.pdf.MeasureTextWidth(text)
	if err != nil {
		d.err = err
		return
	}
	d.text(margin+max(0, (bodyW-w)/2), text)
	d.y += advance
}

// rule draws a line across the body.
func (d *doc) rule() {
	if d.err != nil {
		return
	}
	d.y += 2
	d.pdf.SetLineWidth(0.3)
	d.pdf.Line(margin, d.y, pageW-margin, d.y)
	d.y += 5
}

// row writes a label and, beside it, its value and its items numbered,
// each wrapped to the value column.
func (d *doc) row(r devices.SlipRow) {
	size := 12.0
	if r.Strong {
		size = 13.5
	}
	var lines []string
	if r.Value != "" {
		lines = append(lines, d.wrap(r.Value, size, bodyW-labelW)...)
	}
	for i, it := range r.Items {
		lines = append(lines, d.wrap(strconv.Itoa(i+1)+". "+it, size, bodyW-labelW)...)
	}
	if len(lines) == 0 {
		return
	}
	d.room(7)
	if !d.font(12) {
		return
	}
	d.text(margin, r.Label+"：")
	if !d.font(size) {
		return
	}
	for i, l := range lines {
		if i > 0 {
			d.room(7)
		}
		d.text(margin+labelW, l)
		d.y += 7
	}
	d.y += 1.5
}

// wrap splits text into lines no wider than width at size.
func (d *doc) wrap(text string, size, width float64) []string {
	if d.err != nil || !d.font(size) {
		return nil
	}
	var out []string
	for _, para := range strings.Split(text, "\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		ls, err := d.pdf.SplitText(para, width)
		if err != nil {
			d.err = err
			return nil
		}
		out = append(out, ls...)
	}
	return out
}

// qr draws the progress page's QR code centred, with its caption.
func (d *doc) qr(url string) {
	if url == "" || d.err != nil {
		return
	}
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		d.err = fmt.Errorf("QR code: %w", err)
		return
	}
	d.room(qrSize + 14)
	d.y += 3
	img := q.Image(512) // large enough that no viewer blurs the modules
	if err := d.pdf.ImageFrom(img, (pageW-qrSize)/2, d.y, &gopdf.Rect{W: qrSize, H: qrSize}); err != nil {
		d.err = fmt.Errorf("QR code: %w", err)
		return
	}
	d.y += qrSize + 3
	d.centred(devices.SlipQRCaption, 11, 8)
}

func (d *doc) footer(s devices.CaseSlip) {
	if len(s.Notices) == 0 && s.PrintedAt.IsZero() {
		return
	}
	d.room(12)
	d.rule()
	for _, n := range s.Notices {
		for _, l := range d.wrap(n, 11, bodyW) {
			d.room(6)
			d.text(margin, l)
			d.y += 6
		}
	}
	if !s.PrintedAt.IsZero() && d.font(10) {
		d.room(6)
		d.text(margin, "打印时间："+s.PrintedAt.Format("2006-01-02 15:04:05"))
		d.y += 6
	}
}

// room starts a new page unless h millimetres are left on this one.
func (d *doc) room(h float64) {
	if d.err == nil && d.y+h > bottom {
		d.pdf.AddPage()
		d.y = margin
	}
}

func (d *doc) font(size float64) bool {
	if d.err != nil {
		return false
	}
	if err := d.pdf.SetFont(family, "", size); err != nil {
		d.err = err
		return false
	}
	return true
}

func (d *doc) text(x float64, s string) {
	if d.err != nil {
		return
	}
	d.pdf.SetXY(x, d.y)
	if err := d.pdf.Cell(nil, s); err != nil {
		d.err = err
	}
}
