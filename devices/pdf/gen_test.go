// SPDX-License-Identifier: AGPL-3.0-or-later

package pdf

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"yichuang/devices"
)

var update = flag.Bool("update", false, "rewrite the sample files in testdata/materials")

const materials = "../../testdata/materials"

// Colours of the sample page, checked in rendered pixels.
var (
	red   = color.RGBA{0xd0, 0x10, 0x10, 0xff}
	blue  = color.RGBA{0x10, 0x30, 0xc0, 0xff}
	black = color.RGBA{0x20, 0x20, 0x20, 0xff}
)

// samplePage is an A4 page at 72 dpi (595 × 842 pixels, one pixel a point):
// white, a red square at the top left (60..240), a blue one at the bottom
// right (355..535 × 602..782), and n black bars for page n in between.
func samplePage(n int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 595, 842))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(60, 60, 240, 240), image.NewUniform(red), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(355, 602, 535, 782), image.NewUniform(blue), image.Point{}, draw.Src)
	for i := range n {
		y := 320 + 40*i
		draw.Draw(img, image.Rect(60, y, 535, y+16), image.NewUniform(black), image.Point{}, draw.Src)
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// negativeCountPDF is a well-formed PDF whose page tree claims -1 pages:
// MuPDF aborts the process on it unless it is refused first. (Hand-written
// on purpose: no PDF library writes such a file.)
func negativeCountPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count -1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
	}
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}

// TestGenerateMaterials rewrites testdata/materials with -update.
func TestGenerateMaterials(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/materials")
	}
	ctx := context.Background()
	page1 := encodePNG(t, samplePage(1))
	page2 := encodePNG(t, samplePage(2))

	good, err := Assemble(ctx, []devices.Page{{Data: page1, Format: "png"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	two, err := Assemble(ctx, []devices.Page{{Data: page1, Format: "png"}, {Data: page2, Format: "png"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var enc bytes.Buffer
	if err := api.Encrypt(bytes.NewReader(good.PDF), &enc, model.NewAESConfiguration("1234", "5678", 256)); err != nil {
		t.Fatal(err)
	}
	var jpg bytes.Buffer
	small := image.NewRGBA(image.Rect(0, 0, 298, 421))
	draw.Draw(small, small.Bounds(), samplePage(3), image.Point{}, draw.Src) // the top-left quarter
	if err := jpeg.Encode(&jpg, small, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	photo := encodePNG(t, small)

	zc, err := pdfcpu.CreateContextWithXRefTable(model.NewDefaultConfiguration(), &a4)
	if err != nil {
		t.Fatal(err)
	}
	var zero bytes.Buffer
	if err := api.WriteContext(zc, &zero); err != nil {
		t.Fatal(err)
	}

	// Header and %%EOF intact, everything between garbled. (Damage inside
	// a content or image stream is not detected: MuPDF only warns on it.)
	garbled := bytes.Clone(good.PDF)
	for i := 16; i < len(garbled)-8; i++ {
		garbled[i] = 'x' + byte(i%3)
	}

	files := map[string][]byte{
		"garbled.pdf":        garbled,
		"zero-pages.pdf":     zero.Bytes(),
		"good.pdf":           good.PDF,
		"two-pages.pdf":      two.PDF,
		"encrypted.pdf":      enc.Bytes(),
		"truncated.pdf":      good.PDF[:len(good.PDF)*2/3],
		"zero-bytes.pdf":     {},
		"negative-count.pdf": negativeCountPDF(),
		"png-as-pdf.pdf":     photo,
		"photo.jpg":          jpg.Bytes(),
		"photo.png":          photo,
		"truncated.png":      photo[:len(photo)/2],
		"notes.txt":          []byte("这不是图片。This is not an image.\n"),
	}
	for name, b := range files {
		if len(b) > 100<<10 {
			t.Errorf("%s: %d bytes, keep samples under 100 KB", name, len(b))
		}
		if err := os.WriteFile(filepath.Join(materials, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
