// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"bytes"
	"image"
	"image/color"
	"strings"
	"testing"
)

func TestBuilderCommands(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    *Builder
		want []byte
	}{
		{"init", NewBuilder().Init(), []byte{0x1B, 0x40}},
		{"chinese on", NewBuilder().Chinese(true), []byte{0x1C, 0x26}},
		{"chinese off", NewBuilder().Chinese(false), []byte{0x1C, 0x2E}},
		{"align center", NewBuilder().Align(AlignCenter), []byte{0x1B, 0x61, 1}},
		{"align right", NewBuilder().Align(AlignRight), []byte{0x1B, 0x61, 2}},
		{"size 1x1", NewBuilder().Size(1, 1), []byte{0x1D, 0x21, 0x00}},
		{"size 2x3", NewBuilder().Size(2, 3), []byte{0x1D, 0x21, 0x12}},
		{"size 8x8", NewBuilder().Size(8, 8), []byte{0x1D, 0x21, 0x77}},
		{"bold", NewBuilder().Bold(true).Bold(false), []byte{0x1B, 0x45, 1, 0x1B, 0x45, 0}},
		{"feed", NewBuilder().Feed(3), []byte{0x1B, 0x64, 3}},
		{"cut with feed", NewBuilder().Cut(0), []byte{0x1D, 0x56, 66, 0}},
		{"cut feed 16", NewBuilder().Cut(16), []byte{0x1D, 0x56, 66, 16}},
		{"cut now", NewBuilder().Cut(-1), []byte{0x1D, 0x56, 1}},
		{"ascii line", NewBuilder().Line("A012"), []byte("A012\n")},
		{"gb18030", NewBuilder().Text("前方"), []byte{0xC7, 0xB0, 0xB7, 0xBD}},
		{"four-byte gb18030", NewBuilder().Text("😀"), []byte{0x94, 0x39, 0xFC, 0x36}},
		{"rare han (ext. B)", NewBuilder().Text("𠀀"), []byte{0x95, 0x32, 0x82, 0x36}},
		{"controls dropped", NewBuilder().Text("a\x1b@b\x10\x04\x01c\x7f\u0085d"), []byte("a@bcd")},
		{"tab and newline", NewBuilder().Text("a\tb\nc"), []byte("a b\nc")},
		{"invalid utf-8", NewBuilder().Text("a\xff\xfeb"), []byte("a??b")},
		{"raw", NewBuilder().Raw([]byte{1, 2}), []byte{1, 2}},
		{"native qr", NewBuilder().QRNative("AB", 4, QRLevelQ), []byte{
			0x1D, 0x28, 0x6B, 4, 0, 49, 65, 50, 0,
			0x1D, 0x28, 0x6B, 3, 0, 49, 67, 4,
			0x1D, 0x28, 0x6B, 3, 0, 49, 69, 50,
			0x1D, 0x28, 0x6B, 5, 0, 49, 80, 48, 'A', 'B',
			0x1D, 0x28, 0x6B, 3, 0, 49, 81, 48,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.b.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("got % x, want % x", got, tc.want)
			}
		})
	}
}

func TestBuilderErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    *Builder
	}{
		{"size 0", NewBuilder().Size(0, 1)},
		{"size 9", NewBuilder().Size(1, 9)},
		{"align 3", NewBuilder().Align(3)},
		{"feed 256", NewBuilder().Feed(256)},
		{"feed -1", NewBuilder().Feed(-1)},
		{"cut 256", NewBuilder().Cut(256)},
		{"empty qr", NewBuilder().QRNative("", 4, QRLevelM)},
		{"native qr too long", NewBuilder().QRNative(strings.Repeat("x", 7090), 4, QRLevelM)},
		{"native qr module 0", NewBuilder().QRNative("x", 0, QRLevelM)},
		{"native qr module 17", NewBuilder().QRNative("x", 17, QRLevelM)},
		{"native qr level", NewBuilder().QRNative("x", 3, 4)},
		{"raster qr too long", NewBuilder().QRRaster(strings.Repeat("x", 3000), 4, QRLevelH)},
		{"raster qr module", NewBuilder().QRRaster("x", 0, QRLevelM)},
		{"empty image", NewBuilder().Raster(image.NewGray(image.Rect(0, 0, 0, 5)))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The first error sticks; later calls add nothing.
			tc.b.Init().Text("after")
			if _, err := tc.b.Bytes(); err == nil {
				t.Fatal("no error")
			} else if !strings.HasPrefix(err.Error(), "escpos: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestRasterRoundTrip(t *testing.T) {
	// An image with a diagonal, an odd width and a transparent corner.
	img := image.NewNRGBA(image.Rect(10, 20, 10+21, 20+9))
	want := map[image.Point]bool{}
	for y := 0; y < 9; y++ {
		for x := 0; x < 21; x++ {
			c := color.NRGBA{255, 255, 255, 255}
			black := x == 2*y || (x+y)%7 == 0
			if black {
				c = color.NRGBA{0, 0, 0, 255}
			}
			if x > 18 && y > 6 {
				c = color.NRGBA{0, 0, 0, 0} // transparent: paper
				black = false
			}
			img.Set(10+x, 20+y, c)
			want[image.Pt(x, y)] = black
		}
	}
	job, err := NewBuilder().Raster(img).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if want := 8 + 3*9; len(job) != want {
		t.Fatalf("raster of 21×9 is %d bytes, want %d", len(job), want)
	}
	out, err := Render(job, nil)
	if err != nil {
		t.Fatal(err)
	}
	for p, black := range want {
		if got := out.ColorIndexAt(p.X, p.Y) == 1; got != black {
			t.Errorf("dot %v: black %v, want %v", p, got, black)
		}
	}
	// Padding bits of the last byte stay white.
	for y := 0; y < 9; y++ {
		for x := 21; x < 24; x++ {
			if out.ColorIndexAt(x, y) != 0 {
				t.Errorf("padding dot (%d,%d) is black", x, y)
			}
		}
	}
}

func TestRasterBands(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 8, maxRasterRow+10))
	job, err := NewBuilder().Raster(img).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(job, []byte{gs, 'v', '0'}); n != 2 {
		t.Errorf("%d GS v 0 commands for %d rows, want 2", n, maxRasterRow+10)
	}
	out, err := Render(job, nil)
	if err != nil {
		t.Fatal(err)
	}
	if h := out.Bounds().Dy(); h != maxRasterRow+10 {
		t.Errorf("rendered height %d, want %d", h, maxRasterRow+10)
	}
}

func TestQRRasterSize(t *testing.T) {
	job, err := NewBuilder().QRRaster("https://hall.example.gov.cn/q/A012?k=7f3a9c21", 6, QRLevelM).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	// 45 bytes at M: version 4, 33 modules, 198 dots square, 25 bytes a row.
	if want := 8 + 25*198; len(job) != want {
		t.Errorf("QR raster is %d bytes, want %d", len(job), want)
	}
}

// FuzzText: no text, valid UTF-8 or not, can break a job. What Text writes
// is printable bytes and LF only, and it renders.
func FuzzText(f *testing.F) {
	for _, s := range []string{"前方等待 3 人", "\x1b@\x1dV\x01", "😀𠀀\u00a0\ufffd", "a\xffb", "\u2028x\u0085", "Ａ１２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		job, err := NewBuilder().Init().Chinese(true).Text(s).LF().Bytes()
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range job[4:] {
			if c < 0x20 && c != lf {
				t.Fatalf("control byte 0x%02x at %d from %q", c, 4+i, s)
			}
		}
		if _, err := Render(job, &RenderOpts{MaxHeight: 1 << 16}); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
	})
}
