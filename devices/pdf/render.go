// SPDX-License-Identifier: AGPL-3.0-or-later

package pdf

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"

	fitz "github.com/gen2brain/go-fitz"
)

// Widths pages are usually rendered at.
const (
	ScreenWidth = 1200 // a page on a window terminal's or a kiosk's screen
	ThumbWidth  = 240  // a thumbnail in a list of pages
)

// ErrBadWidth: a render width outside 1..RenderOpts.MaxWidth.
var ErrBadWidth = errors.New("render width out of range (图像宽度超出范围)")

// Renderer draws one page of a PDF as a PNG image width pixels wide (the
// height follows the page). page is 1-based. A caller may wrap a Renderer to
// cache its results, as DiskCache does.
type Renderer interface {
	Render(ctx context.Context, doc []byte, page, width int) ([]byte, error)
}

// RenderOpts tune MuPDF. Zero fields take DefaultRenderOpts()' values.
type RenderOpts struct {
	// Concurrency is how many pages render at once (each render holds a
	// full-size bitmap in memory).
	Concurrency int
	// OpenDocs is how many parsed documents stay open between calls, so a
	// document's thumbnails do not parse it again for each page.
	OpenDocs int
	// MaxWidth bounds the width argument.
	MaxWidth int
	// MaxPixels bounds one rendered bitmap; a very long page is rendered
	// narrower than asked rather than exhausting memory.
	MaxPixels int64
}

// DefaultRenderOpts() suit a kiosk-class machine.
func DefaultRenderOpts() RenderOpts {
	return RenderOpts{
		Concurrency: min(4, runtime.GOMAXPROCS(0)),
		OpenDocs:    8,
		MaxWidth:    4000,
		MaxPixels:   40_000_000,
	}
}

// MuPDF renders pages with MuPDF (go-fitz). It is safe for concurrent use:
// each open document is guarded by its own mutex, since a go-fitz Document is
// not safe for concurrent use, and documents are independent MuPDF contexts.
type MuPDF struct {
	opts RenderOpts
	sem  chan struct{}

	mu     sync.Mutex
	docs   map[[32]byte]*openDoc
	lru    [][32]byte // most recently used last
	closed bool
}

type openDoc struct {
	mu    sync.Mutex // guards doc
	doc   *fitz.Document
	pages int

	refs    int  // guarded by MuPDF.mu
	evicted bool // guarded by MuPDF.mu
}

// NewMuPDF returns a MuPDF renderer. Close it to free the open documents.
func NewMuPDF(o *RenderOpts) *MuPDF {
	opts := DefaultRenderOpts()
	if o != nil {
		if o.Concurrency > 0 {
			opts.Concurrency = o.Concurrency
		}
		if o.OpenDocs > 0 {
			opts.OpenDocs = o.OpenDocs
		}
		if o.MaxWidth > 0 {
			opts.MaxWidth = o.MaxWidth
		}
		if o.MaxPixels > 0 {
			opts.MaxPixels = o.MaxPixels
		}
	}
	opts.Concurrency = max(1, opts.Concurrency)
	return &MuPDF{
		opts: opts,
		sem:  make(chan struct{}, opts.Concurrency),
		docs: make(map[[32]byte]*openDoc),
	}
}

// Render implements Renderer. The PNG is exactly width pixels wide unless
// the page is so long that MaxPixels makes it narrower. Errors wrap ErrNoPage,
// ErrBadWidth, or what Validate would say about doc.
func (m *MuPDF) Render(ctx context.Context, doc []byte, page, width int) ([]byte, error) {
	if width < 1 || width > m.opts.MaxWidth {
		return nil, fmt.Errorf("pdf: render: width %d: %w", width, ErrBadWidth)
	}
	if page < 1 {
		return nil, fmt.Errorf("pdf: render: page %d: %w", page, ErrNoPage)
	}
	select {
	case m.sem <- struct{}{}:
		defer func() { <-m.sem }()
	case <-ctx.Done():
		return nil, fmt.Errorf("pdf: render: %w", ctx.Err())
	}
	od, err := m.acquire(ctx, doc)
	if err != nil {
		return nil, fmt.Errorf("pdf: render: %w", err)
	}
	defer m.release(od)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pdf: render: %w", err)
	}

	od.mu.Lock()
	img, encoded, err := renderPage(od, page, width, m.opts.MaxPixels)
	od.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("pdf: render page %d: %w", page, err)
	}
	if encoded != nil {
		return encoded, nil
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("pdf: render page %d: %w", page, err)
	}
	return buf.Bytes(), nil
}

// renderPage draws page (1-based) of od, which the caller has locked. It
// returns the bitmap, or PNG bytes when MuPDF had to encode it itself.
func renderPage(od *openDoc, page, width int, maxPixels int64) (image.Image, []byte, error) {
	if page > od.pages {
		return nil, nil, fmt.Errorf("the document has %d pages: %w", od.pages, ErrNoPage)
	}
	r, err := od.doc.Bound(page - 1)
	if err != nil {
		return nil, nil, fmt.Errorf("%v: %w", err, ErrBroken)
	}
	// Bound truncates the page's size to whole points, so the true width is
	// within a point above r.Dx(): the bitmap comes out width or width+1
	// pixels wide and is cropped to width.
	pw, ph := float64(r.Dx()), float64(r.Dy())
	if pw < 1 || ph < 1 {
		return nil, nil, fmt.Errorf("page measures %dx%d points: %w", r.Dx(), r.Dy(), ErrBroken)
	}
	scale := float64(width) / pw
	if px := float64(width+1) * (ph + 1) * scale; px > float64(maxPixels) {
		scale *= math.Sqrt(float64(maxPixels) / px)
	}
	dpi := 72 * scale
	if r.Min != (image.Point{}) {
		// go-fitz's ImageDPI copies the bitmap assuming it starts at
		// (0,0); let MuPDF encode such a page itself.
		b, err := od.doc.ImagePNG(page-1, dpi)
		if err != nil {
			return nil, nil, fmt.Errorf("%v: %w", err, ErrBroken)
		}
		return nil, b, nil
	}
	img, err := od.doc.ImageDPI(page-1, dpi)
	if err != nil {
		return nil, nil, fmt.Errorf("%v: %w", err, ErrBroken)
	}
	if b := img.Bounds(); b.Dx() > width {
		return img.SubImage(image.Rect(b.Min.X, b.Min.Y, b.Min.X+width, b.Max.Y)), nil, nil
	}
	return img, nil, nil
}

// acquire returns the open document for doc, opening it if needed.
func (m *MuPDF) acquire(ctx context.Context, doc []byte) (*openDoc, error) {
	key := sha256.Sum256(doc)
	if od := m.lookup(key); od != nil {
		return od, nil
	}
	if Sniff(doc) != KindPDF {
		return nil, fmt.Errorf("not a PDF: %w", ErrUnsupportedType)
	}
	// MuPDF keeps reading the bytes it was given: hand it a copy the caller
	// cannot change under it.
	fd, n, err := openChecked(ctx, bytes.Clone(doc), maxPagesAny, m.opts.MaxPixels)
	if err != nil {
		return nil, err
	}
	od := &openDoc{doc: fd, pages: n, refs: 1}

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		fd.Close()
		return nil, errors.New("renderer closed")
	}
	if other, ok := m.docs[key]; ok { // opened meanwhile by another call
		other.refs++
		m.touch(key)
		fd.Close()
		return other, nil
	}
	m.docs[key] = od
	m.lru = append(m.lru, key)
	for len(m.lru) > m.opts.OpenDocs {
		old := m.lru[0]
		m.lru = m.lru[1:]
		victim := m.docs[old]
		delete(m.docs, old)
		victim.evicted = true
		if victim.refs == 0 {
			victim.doc.Close()
		}
	}
	return od, nil
}

func (m *MuPDF) lookup(key [32]byte) *openDoc {
	m.mu.Lock()
	defer m.mu.Unlock()
	od, ok := m.docs[key]
	if !ok {
		return nil
	}
	od.refs++
	m.touch(key)
	return od
}

// touch marks key most recently used; m.mu is held.
func (m *MuPDF) touch(key [32]byte) {
	for i, k := range m.lru {
		if k == key {
			m.lru = append(append(m.lru[:i:i], m.lru[i+1:]...), key)
			return
		}
	}
}

func (m *MuPDF) release(od *openDoc) {
	m.mu.Lock()
	defer m.mu.Unlock()
	od.refs--
	if od.evicted && od.refs == 0 {
		od.doc.Close()
	}
}

// Close frees every open document once its renders finish. Render fails
// after Close.
func (m *MuPDF) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	for k, od := range m.docs {
		delete(m.docs, k)
		od.evicted = true
		if od.refs == 0 {
			od.doc.Close()
		}
	}
	m.lru = nil
	return nil
}

// DiskCache is a Renderer that keeps rendered pages as PNG files in a
// directory, named by the SHA-256 of the document, the page and the width.
// The files are personal information like the documents: call Forget when a
// material is deleted.
type DiskCache struct {
	r   Renderer
	dir string
}

// NewDiskCache returns a cache in dir (created, mode 0700) in front of r.
func NewDiskCache(r Renderer, dir string) (*DiskCache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("pdf: cache: %w", err)
	}
	return &DiskCache{r: r, dir: dir}, nil
}

// Render implements Renderer. A page already in the cache is read back;
// failing to write the cache does not fail the render.
func (c *DiskCache) Render(ctx context.Context, doc []byte, page, width int) ([]byte, error) {
	sum := sha256.Sum256(doc)
	path := filepath.Join(c.dir, hex.EncodeToString(sum[:])+"-"+strconv.Itoa(page)+"-"+strconv.Itoa(width)+".png")
	if b, err := os.ReadFile(path); err == nil && Sniff(b) == KindPNG {
		return b, nil
	}
	b, err := c.r.Render(ctx, doc, page, width)
	if err != nil {
		return nil, err
	}
	if f, err := os.CreateTemp(c.dir, ".render-*"); err == nil {
		_, werr := f.Write(b)
		cerr := f.Close()
		if werr != nil || cerr != nil || os.Rename(f.Name(), path) != nil {
			os.Remove(f.Name())
		}
	}
	return b, nil
}

// Forget removes every cached page of doc.
func (c *DiskCache) Forget(doc []byte) error {
	sum := sha256.Sum256(doc)
	files, err := filepath.Glob(filepath.Join(c.dir, hex.EncodeToString(sum[:])+"-*.png"))
	if err != nil {
		return fmt.Errorf("pdf: cache: %w", err)
	}
	var errs []error
	for _, f := range files {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("pdf: cache: %w", err)
	}
	return nil
}
