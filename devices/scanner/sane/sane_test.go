// SPDX-License-Identifier: AGPL-3.0-or-later

package sane

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"yichuang/devices/scanner"
	"yichuang/devices/scanner/scannertest"
)

// testEnv points scanimage at a SANE configuration that loads only SANE's
// own test backend, so no system file needs editing and no network backend
// is probed. The tests skip only when scanimage is missing: `make test`
// installs sane-utils, which brings the test backend along.
func testEnv(t *testing.T) []string {
	t.Helper()
	if _, err := exec.LookPath("scanimage"); err != nil {
		t.Skip("scanimage is not installed (apt-get install sane-utils): SANE tests skipped")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dll.conf"), []byte("test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"SANE_CONFIG_DIR=" + dir}
}

// small keeps the test backend's pages tiny: 20 × 28 mm at 50 dpi.
var small = []string{"-x", "20", "-y", "28"}

func newTestDev(t *testing.T, device string, args ...string) (*Dev, string) {
	t.Helper()
	tmp := t.TempDir()
	d, err := New(&Opts{Device: device, Env: testEnv(t), Args: append(slices.Clone(small), args...), TempDir: tmp, PageTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return d, tmp
}

func TestList(t *testing.T) {
	devs, err := List(context.Background(), &Opts{Env: testEnv(t)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range devs {
		names = append(names, d.Name)
	}
	if !slices.Contains(names, "test:0") || !slices.Contains(names, "test:1") {
		t.Errorf("List = %+v, want test:0 and test:1", devs)
	}
	if devs[0].Type != "virtual device" {
		t.Errorf("type %q", devs[0].Type)
	}
}

func TestTestBackendCapabilities(t *testing.T) {
	d, _ := newTestDev(t, "test")
	c, err := d.Capabilities(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Flatbed || !c.ADF || c.Duplex || c.MaxDPI != 1200 || !slices.Contains(c.Modes, "Color") {
		t.Errorf("capabilities %+v", c)
	}
}

// The test backend's feeder holds 10 sheets.
func TestScanFeederUntilEmpty(t *testing.T) {
	d, tmp := newTestDev(t, "test")
	scannertest.Scan(t, d, scanner.Request{Source: scanner.SourceADF, Resolution: 50}, 10)
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left behind in the temp dir: %v", left)
	}
}

func TestScanFeederLimit(t *testing.T) {
	d, _ := newTestDev(t, "test:1")
	scannertest.Scan(t, d, scanner.Request{Source: scanner.SourceADF, Pages: 3, Resolution: 50}, 3)
}

// Asking for more pages than the feeder holds gives what it holds.
func TestScanFeederShort(t *testing.T) {
	d, _ := newTestDev(t, "test")
	scannertest.Scan(t, d, scanner.Request{Source: scanner.SourceADF, Pages: 12, Resolution: 50}, 10)
}

func TestScanFlatbedColour(t *testing.T) {
	d, _ := newTestDev(t, "test", "--test-picture=Color pattern")
	pages := scannertest.Scan(t, d, scanner.Request{Source: scanner.SourceFlatbed, Mode: scanner.ModeColor, Resolution: 75}, 1)
	img, err := png.Decode(bytes.NewReader(pages[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	// 20 mm at 75 dpi is 59 pixels; a colour scan is RGB.
	if w := img.Bounds().Dx(); w < 58 || w > 60 {
		t.Errorf("width %d, want 59", w)
	}
	if _, ok := img.(*image.RGBA); !ok {
		if _, ok := img.(*image.NRGBA); !ok {
			t.Errorf("a colour scan decoded as %T", img)
		}
	}
}

// TestScanErrors makes the test backend fail. (SANE_STATUS_CANCELLED is left
// out: scanimage 1.1.1 then hangs about once in 300 runs, which the page
// timeout turns into ErrFailed; TestScanError covers its mapping.)
func TestScanErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		device string
		args   []string
		req    scanner.Request
		want   error
	}{
		{"jam", "test", []string{"--read-return-value=SANE_STATUS_JAMMED"}, scanner.Request{Source: scanner.SourceADF}, scanner.ErrJam},
		{"feeder empty", "test", []string{"--read-return-value=SANE_STATUS_NO_DOCS"}, scanner.Request{Source: scanner.SourceADF}, scanner.ErrFeederEmpty},
		{"cover open", "test", []string{"--read-return-value=SANE_STATUS_COVER_OPEN"}, scanner.Request{Source: scanner.SourceADF}, scanner.ErrCoverOpen},
		{"busy", "test", []string{"--read-return-value=SANE_STATUS_DEVICE_BUSY"}, scanner.Request{}, scanner.ErrBusy},
		{"i/o error", "test", []string{"--read-return-value=SANE_STATUS_IO_ERROR"}, scanner.Request{}, scanner.ErrFailed},
		{"no such device", "test:7", nil, scanner.Request{}, scanner.ErrNotFound},
		{"no duplex", "test", nil, scanner.Request{Source: scanner.SourceDuplex}, scanner.ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, tmp := newTestDev(t, tc.device, tc.args...)
			pages, err := d.Scan(context.Background(), tc.req, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if len(pages) != 0 {
				t.Errorf("%d pages", len(pages))
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("left behind in the temp dir: %v", left)
			}
		})
	}
}

// slow makes each page of the test backend take 0.1 s.
var slow = []string{"--read-delay=yes", "--read-delay-duration=100000"}

func TestScanCancel(t *testing.T) {
	d, tmp := newTestDev(t, "test", slow...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	pages, err := d.Scan(ctx, scanner.Request{Source: scanner.SourceADF, Resolution: 50}, func(p scanner.Progress) {
		if p.Page == 1 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if len(pages) < 1 || len(pages) >= 10 {
		t.Errorf("%d pages after a cancel on page 1", len(pages))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left behind in the temp dir: %v", left)
	}
}

func TestScanStalled(t *testing.T) {
	// A 200 mm square at 150 dpi, its data delayed 0.2 s per 64 KiB: 4 s.
	d, tmp := newTestDev(t, "test", "--read-delay=yes", "--read-delay-duration=200000", "-x", "200", "-y", "200")
	if _, err := d.Capabilities(context.Background()); err != nil {
		t.Fatal(err)
	}
	d.opts.PageTimeout = 300 * time.Millisecond
	start := time.Now()
	_, err := d.Scan(context.Background(), scanner.Request{Resolution: 150}, nil)
	if !errors.Is(err, scanner.ErrFailed) {
		t.Fatalf("err = %v, want ErrFailed", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left behind in the temp dir: %v", left)
	}
}

func TestScanBusy(t *testing.T) {
	d, _ := newTestDev(t, "test", slow...)
	if _, err := d.Capabilities(context.Background()); err != nil { // read the options first
		t.Fatal(err)
	}
	started := make(chan struct{})
	var wg sync.WaitGroup
	var firstErr error
	wg.Go(func() {
		var once sync.Once
		_, firstErr = d.Scan(context.Background(), scanner.Request{Source: scanner.SourceADF, Pages: 2, Resolution: 50}, func(scanner.Progress) {
			once.Do(func() { close(started) })
		})
	})
	<-started
	if _, err := d.Scan(context.Background(), scanner.Request{}, nil); !errors.Is(err, scanner.ErrBusy) {
		t.Errorf("second scan: err = %v, want ErrBusy", err)
	}
	wg.Wait()
	if firstErr != nil {
		t.Errorf("first scan: %v", firstErr)
	}
}

func TestNewWithoutScanimage(t *testing.T) {
	if _, err := New(&Opts{Command: "/nonexistent/scanimage"}); !errors.Is(err, scanner.ErrNotFound) {
		t.Errorf("err = %v", err)
	}
	if _, err := New(&Opts{Format: "pnm"}); !errors.Is(err, scanner.ErrUnsupported) {
		t.Errorf("pnm: err = %v", err)
	}
}
