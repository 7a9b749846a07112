// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"yichuang/devices/pdf"
	"yichuang/devices/pdf/pdftest"
	"yichuang/kiosk"
)

func childCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestPDFBomb is issue #17 class 7 as an attacker tries it: a 1.7 MB PDF
// whose one page shows a Flate-compressed 40000×40000 image. Handed in,
// the validating child refuses it (422, in words) without decoding it;
// drawn (were it in the store from before), the rendering child refuses it
// the same way; and forced past that check, MuPDF runs in the child, not
// in kioskd, and is stopped at the render limit with a 422 in words.
func TestPDFBomb(t *testing.T) {
	bomb := pdftest.Bomb(40000, 40000)
	t.Logf("the bomb: %d bytes", len(bomb))

	cpu0 := childCPU(t)
	_, _, _, err := validateInChild(context.Background(), kioskdBin, bomb, "application/pdf", pdf.DefaultLimits())
	if kiosk.KindOf(err) != kiosk.KindUnprocessable || !strings.Contains(err.Error(), "图像过大") {
		t.Fatalf("validation: %v, want a 422 saying the image is too large", err)
	}
	r := newRenderer(kioskdBin)
	if _, err := r.Render(context.Background(), bomb, 1, pdf.ThumbWidth); kiosk.KindOf(err) != kiosk.KindUnprocessable || !strings.Contains(err.Error(), "图像过大") {
		t.Fatalf("render: %v, want a 422 saying the image is too large", err)
	}
	cpu1 := childCPU(t)
	t.Logf("refusing the bomb twice cost the children %v of CPU", cpu1-cpu0)
	if cpu1-cpu0 > 10*time.Second {
		t.Fatalf("refusing the bomb cost %v of CPU: something decoded it", cpu1-cpu0)
	}

	// past the image check, 2400 px wide (3.75 s of CPU and 156 MB for a
	// child built without the race detector, many times that with it): the
	// time limit, 3 s here, stops the child
	r.wait = 3 * time.Second
	start := time.Now()
	_, err = r.Render(context.Background(), bomb, 1, 2400, "--max-pixels", "4000000000")
	took := time.Since(start)
	cpu2 := childCPU(t)
	t.Logf("forced to draw: %v after %v, %v of the child's CPU", err, took, cpu2-cpu1)
	if kiosk.KindOf(err) != kiosk.KindUnprocessable || !(strings.Contains(err.Error(), "限定时间") || strings.Contains(err.Error(), "无法显示")) {
		t.Fatalf("forced render: %v, want a 422 in words", err)
	}
	if took > r.wait+5*time.Second {
		t.Fatalf("the forced render ran %v, past its limit of %v", took, r.wait)
	}

	// and an ordinary page still draws
	doc, err := os.ReadFile(filepath.Join("..", "..", "testdata", "materials", "two-pages.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	r.wait = renderWait
	b, err := r.Render(context.Background(), doc, 2, pdf.ThumbWidth)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil || img.Bounds().Dx() != pdf.ThumbWidth {
		t.Fatalf("page 2: %v, %v", err, img)
	}
	if _, err := r.Render(context.Background(), doc, 3, pdf.ThumbWidth); kiosk.KindOf(err) != kiosk.KindNotFound {
		t.Fatalf("page 3 of 2: %v, want not found", err)
	}
}

// TestPDFBombUpload hands the bomb to a real kioskd: 422 in words, and
// kioskd answers as before.
func TestPDFBombUpload(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	p := start(t, writeConfig(t, dir, addr), addr)
	req, _ := http.NewRequest("POST", "http://"+p.addr+"/api/v1/materials", bytes.NewReader(pdftest.Bomb(40000, 40000)))
	req.Header.Set("Authorization", "Bearer "+tokKiosk)
	req.Header.Set("Content-Type", "application/pdf")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(buf.String(), "图像过大") {
		t.Fatalf("upload: %d %s", res.StatusCode, buf.String())
	}
	if st, _, err := request(p.addr, "GET", "/healthz", "", ""); err != nil || st != 200 {
		t.Fatal(fmt.Sprint(st, err))
	}
}
