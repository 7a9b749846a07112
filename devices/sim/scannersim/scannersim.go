// SPDX-License-Identifier: AGPL-3.0-or-later

// Package scannersim is a simulated scanner for tests and the default run:
// it "scans" A4-shaped PNG pages with the page number drawn on them, one
// every Opts.Delay, and fails on demand (a jam on page k, an empty feeder,
// an open cover, an unplugged device).
package scannersim

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"sync"
	"time"

	"yichuang/devices"
	"yichuang/devices/scanner"
)

// Opts are the simulator's knobs. Zero fields take DefaultOpts' values,
// except the failure knobs, whose zero value is "no failure".
type Opts struct {
	Sheets int           // sheets in the feeder at each scan
	Delay  time.Duration // time to scan one page; negative: none
	Width  int           // page image size in pixels
	Height int

	JamAt     int  // jam while feeding this page (1-based); 0: never
	Empty     bool // the feeder is empty (a flatbed scan still works)
	CoverOpen bool
	Gone      bool // unplugged: every scan fails with ErrNotFound
}

// DefaultOpts returns three sheets, 0.4 s a page, A4 at 60 dpi.
func DefaultOpts() Opts {
	return Opts{Sheets: 3, Delay: 400 * time.Millisecond, Width: 496, Height: 702}
}

// Dev is a simulated scanner, safe for concurrent use.
type Dev struct {
	busy chan struct{}

	mu   sync.Mutex
	opts Opts
}

var _ scanner.Scanner = (*Dev)(nil)

// New returns a simulated scanner.
func New(o *Opts) *Dev {
	d := &Dev{busy: make(chan struct{}, 1)}
	var opts Opts
	if o != nil {
		opts = *o
	}
	d.Set(opts)
	return d
}

// Set changes the knobs, for the next scan (a test, or the simulator console
// of `kioskd sim`, pulls the paper or the plug with it).
func (d *Dev) Set(o Opts) {
	if o.Sheets <= 0 {
		o.Sheets = DefaultOpts().Sheets
	}
	if o.Delay < 0 {
		o.Delay = 0
	} else if o.Delay == 0 {
		o.Delay = DefaultOpts().Delay
	}
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = DefaultOpts().Width, DefaultOpts().Height
	}
	d.mu.Lock()
	d.opts = o
	d.mu.Unlock()
}

// Opts returns the knobs in effect.
func (d *Dev) Opts() Opts {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.opts
}

// String names the device.
func (d *Dev) String() string { return "sim" }

// Scan implements scanner.Scanner. The feeder (the default source) holds
// Opts.Sheets sheets, both sides of each in duplex; a flatbed scans one page
// unless Request.Pages asks for more. Resolution is ignored: pages are
// always Opts.Width × Opts.Height. Grey and black-and-white modes give grey
// pages.
func (d *Dev) Scan(ctx context.Context, r scanner.Request, progress func(scanner.Progress)) ([]devices.Page, error) {
	select {
	case d.busy <- struct{}{}:
		defer func() { <-d.busy }()
	default:
		return nil, fmt.Errorf("scannersim: a scan is running: %w", scanner.ErrBusy)
	}
	o := d.Opts()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scannersim: %w", err)
	}
	if o.Gone {
		return nil, fmt.Errorf("scannersim: unplugged: %w", scanner.ErrNotFound)
	}
	if r.Pages < 0 {
		return nil, fmt.Errorf("scannersim: %d pages: %w", r.Pages, scanner.ErrUnsupported)
	}
	if o.CoverOpen {
		return nil, fmt.Errorf("scannersim: %w", scanner.ErrCoverOpen)
	}
	n := o.Sheets
	switch r.Source {
	case scanner.SourceFlatbed:
		n = 1
	case scanner.SourceDefault, scanner.SourceADF:
	case scanner.SourceDuplex:
		n = 2 * o.Sheets
	default:
		return nil, fmt.Errorf("scannersim: source %q: %w", r.Source, scanner.ErrUnsupported)
	}
	if r.Source != scanner.SourceFlatbed && o.Empty {
		return nil, fmt.Errorf("scannersim: %w", scanner.ErrFeederEmpty)
	}
	if r.Pages > 0 && (r.Source == scanner.SourceFlatbed || r.Pages < n) {
		n = r.Pages
	}
	gray := r.Mode == scanner.ModeGray || r.Mode == scanner.ModeLineart

	var pages []devices.Page
	timer := time.NewTimer(o.Delay)
	defer timer.Stop()
	for i := 1; i <= n; i++ {
		if i > 1 {
			timer.Reset(o.Delay)
		}
		select {
		case <-ctx.Done():
			return pages, fmt.Errorf("scannersim: page %d: %w", i, ctx.Err())
		case <-timer.C:
		}
		if i == o.JamAt {
			return pages, fmt.Errorf("scannersim: page %d: %w", i, scanner.ErrJam)
		}
		data, err := Page(i, o.Width, o.Height, gray)
		if err != nil {
			return pages, fmt.Errorf("scannersim: page %d: %v: %w", i, err, scanner.ErrFailed)
		}
		p := devices.Page{Data: data, Format: "png"}
		pages = append(pages, p)
		if progress != nil {
			progress(scanner.Progress{Page: i, Image: p})
		}
	}
	return pages, nil
}

// Page draws page n, w × h pixels, as a PNG: a header band, lines of
// "text", and n in large digits in the middle.
func Page(n, w, h int, gray bool) ([]byte, error) {
	accent := color.RGBA{0x1f, 0x5f, 0xbf, 0xff}
	if gray {
		accent = color.RGBA{0x60, 0x60, 0x60, 0xff}
	}
	ink := color.RGBA{0x30, 0x30, 0x30, 0xff}
	text := color.RGBA{0xb0, 0xb0, 0xb0, 0xff}
	pal := color.Palette{color.White, accent, ink, text}
	img := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	fill := func(x0, y0, x1, y1 int, c uint8) {
		r := image.Rect(x0, y0, x1, y1).Intersect(img.Rect)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				img.Pix[img.PixOffset(x, y)] = c
			}
		}
	}
	m := w / 12 // margin
	fill(m, m, w-m, m+h/20, 1)
	for y := m + h/10; y < h-m; y += h / 40 {
		if y > h*3/10 && y < h*7/10 { // room for the number
			continue
		}
		end := w - m
		if (y/(h/40))%5 == 4 {
			end = w / 2 // a paragraph's last line
		}
		fill(m, y, end, y+h/120+1, 3)
	}
	// The page number, in a 5 × 7 dot font.
	digits := strconv.Itoa(n)
	dot := max(1, min(w/(6*len(digits)+2), h/4/7))
	x := (w - (6*len(digits)-1)*dot) / 2
	y := (h - 7*dot) / 2
	for _, c := range digits {
		for row, bits := range font[c-'0'] {
			for col := range 5 {
				if bits&(0x10>>col) != 0 {
					fill(x+col*dot, y+row*dot, x+(col+1)*dot, y+(row+1)*dot, 2)
				}
			}
		}
		x += 6 * dot
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// font holds the digits 0-9, 5 × 7 dots, one byte a row, high bit left.
var font = [10][7]uint8{
	{0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e},
	{0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e},
	{0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f},
	{0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e},
	{0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02},
	{0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e},
	{0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e},
	{0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08},
	{0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e},
	{0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c},
}
