// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// faceFiles are the Debian font files the glyph tests use when installed.
var faceFiles = []struct {
	path, name string
}{
	{"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans Mono CJK SC"}, // fonts-noto-cjk: a collection
	{"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", "AR PL SungtiL GB"},      // fonts-arphic-gbsn00lp: a TTF
}

// eachFace runs f with every installed font of faceFiles, and skips when
// there is none.
func eachFace(t *testing.T, f func(t *testing.T, face *Face)) {
	t.Helper()
	found := 0
	for _, ff := range faceFiles {
		if _, err := os.Stat(ff.path); err != nil {
			continue
		}
		found++
		t.Run(filepath.Base(ff.path), func(t *testing.T) {
			face, err := OpenFace(ff.path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := face.Close(); err != nil {
					t.Error(err)
				}
			})
			if face.Name() != ff.name {
				t.Errorf("font %q, want %q", face.Name(), ff.name)
			}
			f(t, face)
		})
	}
	if found == 0 {
		t.Skip("no CJK font file installed (apt-get install fonts-noto-cjk fonts-arphic-gbsn00lp; make test does)")
	}
}

func renderWith(t *testing.T, b *Builder, face *Face) *image.Paletted {
	t.Helper()
	job, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	img, err := Render(job, &RenderOpts{Paper: Paper58, Face: face})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestFindFace(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "font.ttf")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		paths []string
		want  string
		err   error
	}{
		{"none", nil, "", ErrNoFace},
		{"missing", []string{filepath.Join(dir, "nope.ttc")}, "", ErrNoFace},
		{"a directory is no font", []string{dir}, "", ErrNoFace},
		{"first that exists", []string{filepath.Join(dir, "nope.ttc"), file}, file, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FindFace(tc.paths)
			if got != tc.want || !errors.Is(err, tc.err) {
				t.Errorf("FindFace = %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
	if len(FacePaths()) == 0 || FacePaths()[0] != faceFiles[0].path {
		t.Errorf("FacePaths()[0] is not fonts-noto-cjk's collection: %v", FacePaths())
	}
}

func TestFaceBadFiles(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.ttf")
	if err := os.WriteFile(junk, bytes.Repeat([]byte{0, 1, 0, 0}, 64), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		open func() (*Face, error)
	}{
		{"empty data", func() (*Face, error) { return ParseFace(nil) }},
		{"not a font", func() (*Face, error) { return ParseFace([]byte("PNG but not a font")) }},
		{"junk file", func() (*Face, error) { return OpenFace(junk) }},
		{"no file", func() (*Face, error) { return OpenFace(filepath.Join(dir, "nope.ttf")) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.open()
			if err == nil || f != nil {
				t.Fatalf("= %v, %v; want an error", f, err)
			}
			if got := err.Error(); len(got) < 13 || got[:13] != "escpos: font " && got[:13] != "escpos: font:" {
				t.Errorf("error %q does not say the font failed", got)
			}
		})
	}
	var nilFace *Face
	if err := nilFace.Close(); err != nil {
		t.Errorf("Close of nil: %v", err)
	}
}

// TestFaceGlyphs draws real glyphs: each in its cell, of its size, unlike
// the placeholder boxes, and a font's bytes parse as its file opens.
func TestFaceGlyphs(t *testing.T) {
	eachFace(t, func(t *testing.T, face *Face) {
		one := func(b *Builder) image.Rectangle { return inked(renderWith(t, b, face)) }
		// 一 is one horizontal stroke: wide and thin, in the first 24 dots.
		yi := one(NewBuilder().Init().Chinese(true).Line("一"))
		if yi.Dx() < 16 || yi.Dx() > 24 || yi.Dy() > 4 || yi.Min.X < 0 || yi.Max.X > 24 {
			t.Errorf("一 inked at %v, want a bar 16..24 dots wide, at most 4 high, within x 0..24", yi)
		}
		// 丨 is one vertical stroke: tall and thin, centred in its cell.
		gun := one(NewBuilder().Init().Chinese(true).Line("丨"))
		if gun.Dy() < 16 || gun.Dx() > 4 || gun.Min.X < 8 || gun.Max.X > 16 {
			t.Errorf("丨 inked at %v, want a stroke 16+ dots high, at most 4 wide, near x 12", gun)
		}
		// Double width and height: 一 at 2×2 is twice as wide.
		yi2 := one(NewBuilder().Init().Chinese(true).Size(2, 2).Line("一"))
		if yi2.Dx() < 2*yi.Dx()-2 || yi2.Max.X > 48 || yi2.Dy() > 8 {
			t.Errorf("一 at 2×2 inked at %v (1×1: %v)", yi2, yi)
		}
		// ASCII sits in its 12-dot half-width cells: "HH" ends before 24.
		hh := one(NewBuilder().Init().Line("HH"))
		if hh.Min.X < 0 || hh.Max.X > 24 || hh.Dx() < 16 || hh.Dy() < 12 || hh.Dy() > 24 {
			t.Errorf("HH inked at %v, want two letters within x 0..24", hh)
		}

		// Glyphs are not the boxes; the image is the same size.
		b := NewBuilder().Init().Chinese(true).Line("前方等待 3 人")
		glyphs, boxes := renderWith(t, b, face), renderWith(t, b, nil)
		if glyphs.Bounds() != boxes.Bounds() {
			t.Errorf("glyphs %v, boxes %v: sizes differ", glyphs.Bounds(), boxes.Bounds())
		}
		if bytes.Equal(glyphs.Pix, boxes.Pix) {
			t.Error("the face drew the same dots as the boxes")
		}
		// Bold is darker.
		plain := black(glyphs, glyphs.Bounds())
		bold := renderWith(t, NewBuilder().Init().Chinese(true).Bold(true).Line("前方等待 3 人"), face)
		if n := black(bold, bold.Bounds()); n <= plain {
			t.Errorf("bold has %d black dots, plain %d", n, plain)
		}
		// A character the font lacks falls back to its placeholder: the
		// private-use U+E000 (GB18030 AA A1) gets the box it gets without a font.
		pua := NewBuilder().Init().Chinese(true).Raw([]byte{0xAA, 0xA1, lf})
		if got, want := renderWith(t, pua, face), renderWith(t, pua, nil); !bytes.Equal(got.Pix, want.Pix) {
			t.Error("a character missing from the font is not drawn as its box")
		}
	})
}

// TestFaceTicket renders the golden ticket with glyphs: the same size as
// the golden boxes image, the QR code still scans, and the words are ink.
func TestFaceTicket(t *testing.T) {
	eachFace(t, func(t *testing.T, face *Face) {
		for _, p := range []Paper{Paper58, Paper80} {
			o := PrinterLayout(int(p), p == Paper80)
			var glyphs, boxes bytes.Buffer
			if err := PreviewTicket(&glyphs, sampleTicket(), o, face); err != nil {
				t.Fatal(err)
			}
			if err := PreviewTicket(&boxes, sampleTicket(), o, nil); err != nil {
				t.Fatal(err)
			}
			gi, err := png.Decode(&glyphs)
			if err != nil {
				t.Fatal(err)
			}
			bi, err := png.Decode(&boxes)
			if err != nil {
				t.Fatal(err)
			}
			if gi.Bounds() != bi.Bounds() || gi.Bounds().Dx() != p.Dots() {
				t.Errorf("%s: glyphs %v, boxes %v; want %d dots wide", p, gi.Bounds(), bi.Bounds(), p.Dots())
			}
			if got := decodeQR(t, gi); got != sampleTicket().StatusURL {
				t.Errorf("%s: QR decodes to %q", p, got)
			}
			if bytes.Equal(gi.(*image.Paletted).Pix, bi.(*image.Paletted).Pix) {
				t.Errorf("%s: glyphs and boxes are the same image", p)
			}
		}
	})
}

// TestParseFaceMatchesOpenFace: a font from memory draws what the same
// font read from its file draws.
func TestParseFaceMatchesOpenFace(t *testing.T) {
	path := faceFiles[1].path // the smaller file
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("no %s (apt-get install fonts-arphic-gbsn00lp): %v", path, err)
	}
	mem, err := ParseFace(data)
	if err != nil {
		t.Fatal(err)
	}
	file, err := OpenFace(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	b := NewBuilder().Init().Chinese(true).Size(2, 1).Line("办理事项：营业执照")
	if !bytes.Equal(renderWith(t, b, mem).Pix, renderWith(t, b, file).Pix) {
		t.Error("ParseFace and OpenFace draw differently")
	}
}
