// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"yichuang/devices/escpos"
)

// getPNG fetches path as the admin and decodes the PNG it answers.
func (e *env) getPNG(path string) (image.Image, http.Header) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+tokAdmin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		e.t.Fatalf("GET %s: %d %s: %s", path, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	return img, res.Header
}

func paletted(t *testing.T, img image.Image) *image.Paletted {
	t.Helper()
	p, ok := img.(*image.Paletted)
	if !ok {
		t.Fatalf("a %T, want a two-colour paletted PNG", img)
	}
	return p
}

// TestPrintPreview: the preview is the configured printer's job rendered
// back, as wide as its paper in dots; with a CJK font installed, glyphs.
func TestPrintPreview(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config string
		dots   int
	}{
		{"58 mm raster QR", "[devices.printer]\nwidth_mm = 58\n", 384},
		{"80 mm native QR", "[devices.printer]\nwidth_mm = 80\nnative_qr = true\n", 576},
		{"default width", "", 576},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startEnv(t, limitsOff+tc.config, nil, nil)
			issued := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A","priority":true,"priority_reason":"elderly"}`), 201)
			id := str(issued.body, "id")

			boxes, hdr := e.getPNG("/api/v1/print/preview.png?glyphs=0&ticket=" + id)
			if got := boxes.Bounds().Dx(); got != tc.dots {
				t.Errorf("preview %d dots wide, want %d", got, tc.dots)
			}
			if f := hdr.Get(previewFontHeader); f != "none" {
				t.Errorf("%s %q with glyphs=0", previewFontHeader, f)
			}
			// The same code path as a print: the job of the printer's
			// layout, rendered back.
			srv := e.srv.Config.Handler.(*Server)
			tk, ahead, err := e.hall.Ticket(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			p := srv.cfg.Devices.Printer
			o := escpos.PrinterLayout(p.Width, p.NativeQR)
			job, err := escpos.LayoutTicket(srv.printable(&tk, ahead), &o)
			if err != nil {
				t.Fatal(err)
			}
			if want := bytes.Contains(job, []byte{0x1d, '(', 'k'}); want != p.NativeQR {
				t.Errorf("native QR in the job: %v, config says %v", want, p.NativeQR)
			}
			want, err := escpos.Render(job, &escpos.RenderOpts{Paper: o.Paper})
			if err != nil {
				t.Fatal(err)
			}
			if got := paletted(t, boxes); got.Bounds() != want.Bounds() || !bytes.Equal(got.Pix, want.Pix) {
				t.Errorf("preview %v is not the printer's job rendered (%v)", got.Bounds(), want.Bounds())
			}

			// A zone's sample ticket: the same width.
			sample, _ := e.getPNG("/api/v1/print/preview.png?zone=B&priority=1")
			if got := sample.Bounds().Dx(); got != tc.dots {
				t.Errorf("zone sample %d dots wide, want %d", got, tc.dots)
			}

			if _, err := escpos.FindFace(escpos.FacePaths()); err != nil {
				t.Skipf("glyph part skipped: %v", err)
			}
			glyphs, hdr := e.getPNG("/api/v1/print/preview.png?ticket=" + id)
			if f := hdr.Get(previewFontHeader); f == "none" || f == "" {
				t.Errorf("%s %q with a font installed", previewFontHeader, f)
			}
			if glyphs.Bounds() != boxes.Bounds() {
				t.Errorf("glyphs %v, boxes %v", glyphs.Bounds(), boxes.Bounds())
			}
			if bytes.Equal(paletted(t, glyphs).Pix, paletted(t, boxes).Pix) {
				t.Error("the glyph preview is the box preview")
			}
		})
	}
}

func TestPrintPreviewErrors(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		query  string
		status int
		field  string
	}{
		{"", 400, "zone"},
		{"?zone=Z", 400, "zone"},
		{"?zone=A&ticket=x", 400, "ticket"},
		{"?ticket=nope", 404, ""},
	} {
		r := e.do("GET", "/api/v1/print/preview.png"+tc.query, tokAdmin, "")
		if r.status != tc.status || str(r.body, "field") != tc.field || str(r.body, "error") == "" {
			t.Errorf("%q: %d %s, want %d naming %q", tc.query, r.status, r.raw, tc.status, tc.field)
		}
	}
}

// forwardCounter is a terminal node's link to the hall node that counts
// what it forwards.
type forwardCounter struct {
	Upstream
	n atomic.Int32
}

func (f *forwardCounter) Forward(w http.ResponseWriter, r *http.Request) {
	f.n.Add(1)
	writeError(w, http.StatusBadGateway, "", "forwarded")
}

// TestPrintPreviewLocalOnTerminal: on a terminal node the preview is about
// this terminal's printer, drawn here, not asked of the hall node.
func TestPrintPreviewLocalOnTerminal(t *testing.T) {
	up := &forwardCounter{}
	e := startEnv(t, limitsOff+"[devices.printer]\nwidth_mm = 58\n", nil, func(o *Options) { o.Upstream = up })
	img, _ := e.getPNG("/api/v1/print/preview.png?zone=A")
	if img.Bounds().Dx() != 384 {
		t.Errorf("%d dots wide, want 384", img.Bounds().Dx())
	}
	if n := up.n.Load(); n != 0 {
		t.Errorf("forwarded %d requests to the hall node", n)
	}
	// the check is real: a hall-owned endpoint is forwarded
	if r := e.do("GET", "/api/v1/audit", tokAdmin, ""); r.status != 502 || !strings.Contains(r.raw, "forwarded") || up.n.Load() != 1 {
		t.Errorf("GET /api/v1/audit on a terminal node: %d %s", r.status, r.raw)
	}
}
