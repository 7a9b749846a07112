// SPDX-License-Identifier: AGPL-3.0-or-later

package pdf

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"

	fitz "github.com/gen2brain/go-fitz"

	"yichuang/devices"
	"yichuang/devices/scanner"
	"yichuang/devices/sim/scannersim"
)

func readMaterial(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(materials, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sentinels are every error Validate may wrap.
var sentinels = []error{ErrUnsupportedType, ErrBroken, ErrEncrypted, ErrEmpty, ErrTooManyPages, ErrTooLarge, ErrImageTooLarge}

func TestAssembleThreePNGs(t *testing.T) {
	var pages []devices.Page
	for n := 1; n <= 3; n++ {
		pages = append(pages, devices.Page{Data: encodePNG(t, samplePage(n)), Format: "png"})
	}
	doc, err := Assemble(context.Background(), pages, nil)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Pages != 3 || doc.Kind != KindScan {
		t.Errorf("doc = %d pages, kind %q; want 3, scan", doc.Pages, doc.Kind)
	}
	f, err := fitz.NewFromMemory(doc.PDF)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n := f.NumPage(); n != 3 {
		t.Errorf("MuPDF counts %d pages, want 3", n)
	}
	r, err := f.Bound(2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Dx() != 595 || r.Dy() != 841 && r.Dy() != 842 { // A4 in points
		t.Errorf("page 3 bounds %v, want A4 595×842", r)
	}
}

// TestAssembleSimulatorScan assembles what the simulated scanner gives
// (paletted PNGs) and renders its last page.
func TestAssembleSimulatorScan(t *testing.T) {
	sim := scannersim.New(&scannersim.Opts{Sheets: 2, Delay: -1})
	pages, err := sim.Scan(context.Background(), scanner.Request{Source: scanner.SourceDuplex}, nil)
	if err != nil {
		t.Fatal(err)
	}
	gray := image.NewGray(image.Rect(0, 0, 200, 283)) // as SANE's test backend scans in grey
	pages = append(pages, devices.Page{Data: encodePNG(t, gray), Format: "png"})
	doc, err := Assemble(context.Background(), pages, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := PageCount(doc.PDF); err != nil || n != 5 {
		t.Fatalf("PageCount = %d, %v; want 5", n, err)
	}
	r := NewMuPDF(nil)
	defer r.Close()
	b, err := r.Render(context.Background(), doc.PDF, 4, ThumbWidth)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	// The simulator's pages have a blue band at the top, 1/12 in.
	c := color.RGBAModel.Convert(img.At(ThumbWidth/2, img.Bounds().Dy()*7/100)).(color.RGBA)
	if !near(c, color.RGBA{0x1f, 0x5f, 0xbf, 0xff}) {
		t.Errorf("page 4 header = %v, want the simulator's blue", c)
	}
}

func TestAssemblePageSizes(t *testing.T) {
	land := image.NewRGBA(image.Rect(0, 0, 300, 200))
	scan := image.NewRGBA(image.Rect(0, 0, 300, 600)) // 1 × 2 inches at 300 dpi
	for _, tc := range []struct {
		name string
		img  image.Image
		dpi  int
		w, h int
	}{
		{"portrait fits A4", samplePage(1), 0, 595, 842},
		{"landscape fits A4 landscape", land, 0, 842, 595},
		{"dpi gives the physical size", scan, 300, 72, 144},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Assemble(context.Background(), []devices.Page{{Data: encodePNG(t, tc.img)}}, &AssembleOpts{DPI: tc.dpi})
			if err != nil {
				t.Fatal(err)
			}
			f, err := fitz.NewFromMemory(doc.PDF)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := f.Bound(0)
			if err != nil {
				t.Fatal(err)
			}
			if abs(r.Dx()-tc.w) > 1 || abs(r.Dy()-tc.h) > 1 {
				t.Errorf("page %dx%d, want %dx%d", r.Dx(), r.Dy(), tc.w, tc.h)
			}
		})
	}
}

func abs(x int) int { return max(x, -x) }

func TestAssembleErrors(t *testing.T) {
	good := readMaterial(t, "photo.png")
	for _, tc := range []struct {
		name  string
		pages []devices.Page
		want  error
	}{
		{"no pages", nil, ErrEmpty},
		{"empty page", []devices.Page{{Format: "png"}}, ErrEmpty},
		{"pnm", []devices.Page{{Data: []byte("P5\n2 2\n255\n\x00\x00\x00\x00"), Format: "pnm"}}, ErrUnsupportedType},
		{"format disagrees", []devices.Page{{Data: good, Format: "jpeg"}}, ErrUnsupportedType},
		{"truncated png", []devices.Page{{Data: good}, {Data: readMaterial(t, "truncated.png")}}, ErrBroken},
		{"too many pixels", []devices.Page{{Data: pngClaiming(t, 8000, 8000)}}, ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Assemble(context.Background(), tc.pages, nil)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Assemble(ctx, []devices.Page{{Data: good}}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

// pngClaiming is a small PNG whose header claims w × h pixels: a
// decompression bomb as far as a size check can tell.
func pngClaiming(t *testing.T, w, h uint32) []byte {
	b := encodePNG(t, image.NewGray(image.Rect(0, 0, 1, 1)))
	// 8 bytes of signature, then IHDR: length, type, width, height, ..., CRC.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		file   string
		ct     string
		limits *Limits
		pages  int   // when valid
		kind   Kind  // when valid
		want   error // a sentinel, or nil
	}{
		{file: "good.pdf", ct: "application/pdf", pages: 1, kind: KindPDF},
		{file: "good.pdf", ct: "", pages: 1, kind: KindPDF},
		{file: "good.pdf", ct: "application/octet-stream", pages: 1, kind: KindPDF},
		{file: "two-pages.pdf", ct: "application/pdf", pages: 2, kind: KindPDF},
		{file: "photo.jpg", ct: "image/jpeg", pages: 1, kind: KindJPEG},
		{file: "photo.png", ct: "image/png; charset=binary", pages: 1, kind: KindPNG},
		{file: "two-pages.pdf", ct: "application/pdf", limits: &Limits{MaxPages: 1}, want: ErrTooManyPages},
		{file: "good.pdf", ct: "application/pdf", limits: &Limits{MaxBytes: 1000}, want: ErrTooLarge},
		{file: "photo.jpg", ct: "image/jpeg", limits: &Limits{MaxPixels: 1000}, want: ErrTooLarge},
		{file: "bomb.png", ct: "image/png", want: ErrTooLarge},
		{file: "encrypted.pdf", ct: "application/pdf", want: ErrEncrypted},
		{file: "truncated.pdf", ct: "application/pdf", want: ErrBroken},
		{file: "negative-count.pdf", ct: "application/pdf", want: ErrBroken},
		{file: "garbled.pdf", ct: "application/pdf", want: ErrBroken},
		{file: "truncated.png", ct: "image/png", want: ErrBroken},
		{file: "zero-bytes.pdf", ct: "application/pdf", want: ErrEmpty},
		{file: "zero-pages.pdf", ct: "application/pdf", want: ErrEmpty},
		{file: "png-as-pdf.pdf", ct: "application/pdf", want: ErrMislabelled},
		{file: "png-as-pdf.pdf", ct: "application/pdf", want: ErrUnsupportedType},
		{file: "photo.jpg", ct: "image/png", want: ErrUnsupportedType},
		{file: "notes.txt", ct: "text/plain", want: ErrUnsupportedType},
		{file: "notes.txt", ct: "application/pdf", want: ErrUnsupportedType},
		{file: "notes.txt", ct: "", want: ErrUnsupportedType},
		{file: "good.pdf", ct: "application/msword", want: ErrUnsupportedType},
		{file: "good.pdf", ct: "pdf;;", want: ErrUnsupportedType},
	} {
		t.Run(tc.file+" as "+tc.ct, func(t *testing.T) {
			var body []byte
			if tc.file == "bomb.png" {
				body = pngClaiming(t, 100_000, 100_000)
			} else {
				body = readMaterial(t, tc.file)
			}
			doc, err := Validate(context.Background(), body, tc.ct, tc.limits)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				if doc != nil {
					t.Errorf("doc = %v alongside an error", doc)
				}
				if n := countSentinels(err); n != 1 {
					t.Errorf("err %v wraps %d sentinels, want 1", err, n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if doc.Pages != tc.pages || doc.Kind != tc.kind {
				t.Errorf("doc = %d pages, kind %q; want %d, %q", doc.Pages, doc.Kind, tc.pages, tc.kind)
			}
			if tc.kind == KindPDF && !bytes.Equal(doc.PDF, body) {
				t.Error("an uploaded PDF was not kept byte for byte")
			}
			if n, err := PageCount(doc.PDF); err != nil || n != tc.pages {
				t.Errorf("PageCount = %d, %v; want %d", n, err, tc.pages)
			}
		})
	}
}

func countSentinels(err error) int {
	n := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			n++
		}
	}
	return n
}

func TestValidateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Validate(ctx, readMaterial(t, "good.pdf"), "application/pdf", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func TestRender(t *testing.T) {
	r := NewMuPDF(nil)
	defer r.Close()
	good := readMaterial(t, "good.pdf")
	for _, tc := range []struct {
		width int
		// height is 842/595 of the width, give or take the rounding.
		minH, maxH int
	}{
		{ThumbWidth, 339, 341},
		{ScreenWidth, 1697, 1700},
	} {
		b, err := r.Render(context.Background(), good, 1, tc.width)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		sz := img.Bounds().Size()
		if sz.X != tc.width || sz.Y < tc.minH || sz.Y > tc.maxH {
			t.Errorf("width %d: rendered %v, want %d × %d..%d", tc.width, sz, tc.width, tc.minH, tc.maxH)
		}
		// Points of the sample page (595 × 842), scaled to the bitmap.
		s := float64(tc.width) / 595
		at := func(x, y int) color.RGBA {
			r, g, b, _ := img.At(int(float64(x)*s), int(float64(y)*s)).RGBA()
			return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0xff}
		}
		for _, p := range []struct {
			x, y int
			want color.RGBA
		}{
			{150, 150, red},
			{445, 692, blue},
			{300, 328, black},
			{300, 500, color.RGBA{0xff, 0xff, 0xff, 0xff}},
			{10, 830, color.RGBA{0xff, 0xff, 0xff, 0xff}},
		} {
			if got := at(p.x, p.y); !near(got, p.want) {
				t.Errorf("width %d: pixel at point (%d,%d) = %v, want %v", tc.width, p.x, p.y, got, p.want)
			}
		}
	}
}

func near(a, b color.RGBA) bool {
	d := func(x, y uint8) int { return abs(int(x) - int(y)) }
	return d(a.R, b.R) < 24 && d(a.G, b.G) < 24 && d(a.B, b.B) < 24
}

func TestRenderErrors(t *testing.T) {
	r := NewMuPDF(&RenderOpts{MaxWidth: 2000})
	defer r.Close()
	ctx := context.Background()
	two := readMaterial(t, "two-pages.pdf")
	for _, tc := range []struct {
		name        string
		doc         []byte
		page, width int
		want        error
	}{
		{"page 0", two, 0, 240, ErrNoPage},
		{"page 3 of 2", two, 3, 240, ErrNoPage},
		{"width 0", two, 1, 0, ErrBadWidth},
		{"width over max", two, 1, 2001, ErrBadWidth},
		{"a PNG", readMaterial(t, "photo.png"), 1, 240, ErrUnsupportedType},
		{"encrypted", readMaterial(t, "encrypted.pdf"), 1, 240, ErrEncrypted},
		{"negative count", readMaterial(t, "negative-count.pdf"), 1, 240, ErrBroken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := r.Render(ctx, tc.doc, tc.page, tc.width); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := r.Render(ctx, two, 2, 100); err != nil {
		t.Errorf("page 2: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.Render(cctx, two, 1, 240); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

// TestRenderConcurrent renders several documents from many goroutines, with
// fewer open documents allowed than in use, so eviction runs while pages
// render (run with -race).
func TestRenderConcurrent(t *testing.T) {
	r := NewMuPDF(&RenderOpts{Concurrency: 4, OpenDocs: 2})
	defer r.Close()
	docs := [][]byte{readMaterial(t, "good.pdf"), readMaterial(t, "two-pages.pdf")}
	for n := 1; n <= 3; n++ {
		d, err := Assemble(context.Background(), []devices.Page{{Data: encodePNG(t, samplePage(n))}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d.PDF)
	}
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Go(func() {
			doc := docs[i%len(docs)]
			b, err := r.Render(context.Background(), doc, 1, 120)
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := png.Decode(bytes.NewReader(b)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

type countingRenderer struct {
	Renderer
	mu    sync.Mutex
	calls int
}

func (c *countingRenderer) Render(ctx context.Context, doc []byte, page, width int) ([]byte, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return c.Renderer.Render(ctx, doc, page, width)
}

func TestDiskCache(t *testing.T) {
	m := NewMuPDF(nil)
	defer m.Close()
	inner := &countingRenderer{Renderer: m}
	dir := t.TempDir()
	c, err := NewDiskCache(inner, dir)
	if err != nil {
		t.Fatal(err)
	}
	doc := readMaterial(t, "two-pages.pdf")
	first, err := c.Render(context.Background(), doc, 2, ThumbWidth)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Render(context.Background(), doc, 2, ThumbWidth)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, again) || inner.calls != 1 {
		t.Errorf("second render: same=%v, renders=%d; want the cached file and 1 render", bytes.Equal(first, again), inner.calls)
	}
	if _, err := c.Render(context.Background(), doc, 3, ThumbWidth); !errors.Is(err, ErrNoPage) {
		t.Errorf("page 3: err = %v", err)
	}
	if err := c.Forget(doc); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Errorf("after Forget: %v", left)
	}
}

// BenchmarkRenderThumb renders an A4 page at thumbnail width, the document
// already open: the sample page (an image at 72 dpi) and a page scanned at
// 300 dpi in colour (2480 × 3508 pixels, which MuPDF decodes in full).
func BenchmarkRenderThumb(b *testing.B) {
	src := samplePage(5)
	scan := image.NewRGBA(image.Rect(0, 0, 2480, 3508))
	for y := range 3508 {
		for x := range 2480 {
			i, j := scan.PixOffset(x, y), src.PixOffset(x*595/2480, y*842/3508)
			copy(scan.Pix[i:i+4], src.Pix[j:j+4])
			scan.Pix[i] -= uint8((x*7 + y*3) % 13) // paper is never flat white
		}
	}
	doc300, err := Assemble(context.Background(), []devices.Page{{Data: encodePNG(b, scan)}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		doc  []byte
	}{
		{"72dpi", readMaterial(b, "good.pdf")},
		{"300dpi", doc300.PDF},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := NewMuPDF(nil)
			defer r.Close()
			ctx := context.Background()
			if _, err := r.Render(ctx, bc.doc, 1, ThumbWidth); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := r.Render(ctx, bc.doc, 1, ThumbWidth); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRenderThumbCold also parses the document each time, as the first
// thumbnail of a new material does.
func BenchmarkRenderThumbCold(b *testing.B) {
	doc := readMaterial(b, "good.pdf")
	ctx := context.Background()
	for b.Loop() {
		r := NewMuPDF(nil)
		if _, err := r.Render(ctx, doc, 1, ThumbWidth); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

func BenchmarkRenderScreen(b *testing.B) {
	r := NewMuPDF(nil)
	defer r.Close()
	doc := readMaterial(b, "good.pdf")
	ctx := context.Background()
	for b.Loop() {
		if _, err := r.Render(ctx, doc, 1, ScreenWidth); err != nil {
			b.Fatal(err)
		}
	}
}
