// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"bytes"
	"errors"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRenderErrors(t *testing.T) {
	init := []byte{esc, '@'}
	for _, tc := range []struct {
		name   string
		job    []byte
		offset int
		msg    string
	}{
		{"unknown ESC", append(init, 'a', 'b', esc, 'z'), 4, `unknown command ESC 'z'`},
		{"unknown control byte", []byte("ab\x07"), 2, "unknown control byte 0x07"},
		{"unknown GS", []byte{gs, 'L', 0, 0}, 0, `unknown command GS 'L'`},
		{"unknown FS", append(init, fs, 'p', 1, 0), 2, `unknown command FS 'p'`},
		{"DLE other", []byte{dle, 0x14, 1}, 0, "unknown command DLE 0x14"},
		{"DLE EOT 5", []byte{dle, eot, 5}, 0, "DLE EOT 5"},
		{"truncated ESC a", []byte{'x', esc, 'a'}, 1, "truncated ESC 'a'"},
		{"truncated ESC", []byte{esc}, 0, "truncated ESC"},
		{"truncated raster", []byte{gs, 'v', '0', 0, 2, 0, 2, 0, 1, 2, 3}, 0, "needs 12 bytes, has 11"},
		{"empty raster", []byte{gs, 'v', '0', 0, 0, 0, 2, 0}, 0, "empty image"},
		{"raster mode", []byte{gs, 'v', '0', 7, 1, 0, 1, 0, 0}, 0, "unknown mode 7"},
		{"bad cut", []byte{gs, 'V', 9}, 0, "GS V 9"},
		{"bad align", []byte{esc, 'a', 7}, 0, "ESC a 7"},
		{"bad size", []byte{gs, '!', 0x88}, 0, "GS ! 0x88"},
		{"pdf417", []byte{gs, '(', 'k', 3, 0, 48, 67, 3}, 0, "symbol type 48"},
		{"qr function", []byte{esc, '@', gs, '(', 'k', 3, 0, 49, 99, 0}, 2, "function not supported"},
		{"qr module 0", []byte{gs, '(', 'k', 3, 0, 49, 67, 0}, 0, "module size 0"},
		{"qr level", []byte{gs, '(', 'k', 3, 0, 49, 69, 70}, 0, "error correction 70"},
		{"qr short", []byte{gs, '(', 'k', 2, 0, 49, 67}, 0, "missing parameter"},
		{"qr p too short", []byte{gs, '(', 'k', 1, 0, 49}, 0, "too short"},
		{"too long", bytes.Repeat([]byte{esc, 'd', 255}, 20), 3 * 3, "longer than"}, // the 4th feed passes 30000 dots,
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Render(tc.job, &RenderOpts{MaxHeight: 30000})
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Error("error does not wrap ErrMalformed")
			}
			if pe.Offset != tc.offset {
				t.Errorf("offset %d, want %d (%v)", pe.Offset, tc.offset, err)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "escpos: offset ") {
				t.Errorf("error %q, want it to contain %q", err, tc.msg)
			}
		})
	}
}

// black counts black dots in r.
func black(img *image.Paletted, r image.Rectangle) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.ColorIndexAt(x, y) == 1 {
				n++
			}
		}
	}
	return n
}

// inked returns the bounding box of the black dots.
func inked(img *image.Paletted) image.Rectangle {
	var r image.Rectangle
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.ColorIndexAt(x, y) == 1 {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

func TestRenderLayout(t *testing.T) {
	render := func(b *Builder) *image.Paletted {
		t.Helper()
		job, err := b.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		img, err := Render(job, &RenderOpts{Paper: Paper58})
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	t.Run("line height and spacing", func(t *testing.T) {
		img := render(NewBuilder().Init().Line("a").Line("b"))
		if h := img.Bounds().Dy(); h != 2*defaultSpacing {
			t.Errorf("two lines are %d dots, want %d", h, 2*defaultSpacing)
		}
		img = render(NewBuilder().Init().Size(1, 3).Line("a"))
		if h := img.Bounds().Dy(); h != 3*fontAH {
			t.Errorf("a triple-height line is %d dots, want %d", h, 3*fontAH)
		}
		img = render(NewBuilder().Init().Feed(4))
		if h := img.Bounds().Dy(); h != 4*defaultSpacing {
			t.Errorf("ESC d 4 feeds %d dots, want %d", h, 4*defaultSpacing)
		}
	})
	t.Run("alignment", func(t *testing.T) {
		for _, tc := range []struct {
			a      Align
			lo, hi int
		}{{AlignLeft, 0, 12}, {AlignCenter, 186, 198}, {AlignRight, 372, 384}} {
			img := render(NewBuilder().Init().Align(tc.a).Line("H"))
			r := inked(img)
			if r.Min.X < tc.lo || r.Max.X > tc.hi {
				t.Errorf("align %d: ink at x %d..%d, want within %d..%d", tc.a, r.Min.X, r.Max.X, tc.lo, tc.hi)
			}
		}
	})
	t.Run("widths", func(t *testing.T) {
		// Two CJK characters at width 2 are 96 dots, like eight ASCII ones.
		cjk := inked(render(NewBuilder().Init().Chinese(true).Size(2, 1).Line("前方")))
		if cjk.Max.X > 96 || cjk.Max.X < 90 {
			t.Errorf("2 CJK at 2x: ink to x=%d, want just under 96", cjk.Max.X)
		}
		// Without Chinese mode the same bytes are four one-byte boxes.
		sb := inked(render(NewBuilder().Init().Chinese(false).Line("前方")))
		if sb.Max.X > 48 || sb.Max.X < 40 {
			t.Errorf("4 single bytes: ink to x=%d, want just under 48", sb.Max.X)
		}
	})
	t.Run("printer wraps", func(t *testing.T) {
		img := render(NewBuilder().Init().Line(strings.Repeat("x", 33)))
		if h := img.Bounds().Dy(); h != 2*defaultSpacing {
			t.Errorf("33 characters on 32 columns: %d dots, want two lines", h)
		}
	})
	t.Run("bold is darker", func(t *testing.T) {
		plain := black(render(NewBuilder().Init().Line("HELLO")), image.Rect(0, 0, 384, 30))
		bold := black(render(NewBuilder().Init().Bold(true).Line("HELLO")), image.Rect(0, 0, 384, 30))
		if bold <= plain {
			t.Errorf("bold has %d black dots, plain %d", bold, plain)
		}
	})
	t.Run("ESC @ resets", func(t *testing.T) {
		a := render(NewBuilder().Init().Line("x"))
		b := render(NewBuilder().Align(AlignRight).Size(3, 3).Bold(true).Init().Line("x"))
		if !bytes.Equal(a.Pix, b.Pix) {
			t.Error("ESC @ did not reset alignment, size and bold")
		}
	})
	t.Run("native QR decodes", func(t *testing.T) {
		const url = "https://hall.example.gov.cn/q/B007"
		img := render(NewBuilder().Init().Feed(1).Align(AlignCenter).QRNative(url, 5, QRLevelH).Feed(1))
		if got := decodeQR(t, img); got != url {
			t.Errorf("native QR decodes to %q", got)
		}
		// Modules of 5 dots, centred.
		bm, err := qrBitmap(url, QRLevelH)
		if err != nil {
			t.Fatal(err)
		}
		size := 5 * len(bm)
		if r := inked(img); r.Dx() != size || r.Min.X != (384-size)/2 {
			t.Errorf("QR at %v, want %d dots wide centred", r, size)
		}
	})
	t.Run("status requests print nothing", func(t *testing.T) {
		img := render(NewBuilder().Raw([]byte{dle, eot, 1, dle, eot, 4}))
		if black(img, img.Bounds()) != 0 || img.Bounds().Dy() != 1 {
			t.Error("DLE EOT drew something")
		}
	})
	t.Run("raster scale modes", func(t *testing.T) {
		for m, want := range map[byte]image.Point{0: {8, 2}, 1: {16, 2}, 2: {8, 4}, 3: {16, 4}, 51: {16, 4}} {
			img := render(NewBuilder().Raw([]byte{gs, 'v', '0', m, 1, 0, 2, 0, 0xFF, 0xFF}))
			if r := inked(img); r.Size() != want {
				t.Errorf("mode %d: %v, want %v", m, r.Size(), want)
			}
		}
	})
}

func FuzzRender(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(goldenDir, "*.bin"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte{esc, '@', fs, '&', 0xC7, 0xB0, 0x94, 0x39, 0xFC, 0x36, 0x81, lf})
	f.Add([]byte{gs, '(', 'k', 5, 0, 49, 80, 48, 'A', 'B', gs, '(', 'k', 3, 0, 49, 81, 48})
	f.Add([]byte{gs, 'v', '0', 3, 1, 0, 1, 0, 0xAA, esc, 'J', 9})
	f.Fuzz(func(t *testing.T, job []byte) {
		img, err := Render(job, &RenderOpts{Paper: Paper80, MaxHeight: 4096})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > len(job) {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		if b := img.Bounds(); b.Dx() != 576 || b.Dy() < 1 || b.Dy() > 4096 {
			t.Fatalf("image bounds %v", b)
		}
		// The simulator's lenient tokeniser must consume every byte.
		for off := 0; off < len(job); {
			n, _, err := ScanCommands(job[off:], true)
			if err != nil || n <= 0 {
				t.Fatalf("offset %d: tokeniser failed on a job Render accepted: %v", off, err)
			}
			off += n
		}
	})
}
