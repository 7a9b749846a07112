// SPDX-License-Identifier: AGPL-3.0-or-later

package scannersim

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"yichuang/devices/scanner"
	"yichuang/devices/scanner/scannertest"
)

func TestConformance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := New(nil)
		start := time.Now()
		scannertest.Scan(t, d, scanner.Request{}, 3)
		if took := time.Since(start); took != 3*DefaultOpts().Delay {
			t.Errorf("3 pages took %v, want 3 × %v", took, DefaultOpts().Delay)
		}
		scannertest.Scan(t, d, scanner.Request{Source: scanner.SourceDuplex}, 6)
		scannertest.Scan(t, d, scanner.Request{Source: scanner.SourceFlatbed}, 1)
		scannertest.Scan(t, d, scanner.Request{Source: scanner.SourceADF, Pages: 2}, 2)
		scannertest.Scan(t, d, scanner.Request{Pages: 5}, 3) // the feeder holds 3
	})
}

// The page number is drawn: the dots of each digit are ink, the gaps paper.
func TestPageNumberDrawn(t *testing.T) {
	for _, n := range []int{1, 7, 12} {
		b, err := Page(n, 496, 702, false)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds() != image.Rect(0, 0, 496, 702) {
			t.Fatalf("bounds %v", img.Bounds())
		}
		digits := strconv.Itoa(n)
		dot := max(1, min(496/(6*len(digits)+2), 702/4/7))
		x0, y0 := (496-(6*len(digits)-1)*dot)/2, (702-7*dot)/2
		for i, c := range digits {
			for row, bits := range font[c-'0'] {
				for col := range 5 {
					r, _, _, _ := img.At(x0+i*6*dot+col*dot+dot/2, y0+row*dot+dot/2).RGBA()
					if ink := r < 0x8000; ink != (bits&(0x10>>col) != 0) {
						t.Errorf("page %d, digit %c, row %d col %d: ink=%v", n, c, row, col, ink)
					}
				}
			}
		}
	}
}

func TestFailures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  Opts
		req   scanner.Request
		pages int
		want  error
	}{
		{"jam on page 2", Opts{JamAt: 2}, scanner.Request{}, 1, scanner.ErrJam},
		{"jam on page 1", Opts{JamAt: 1}, scanner.Request{}, 0, scanner.ErrJam},
		{"feeder empty", Opts{Empty: true}, scanner.Request{}, 0, scanner.ErrFeederEmpty},
		{"feeder empty, flatbed fine", Opts{Empty: true}, scanner.Request{Source: scanner.SourceFlatbed}, 1, nil},
		{"cover open", Opts{CoverOpen: true}, scanner.Request{}, 0, scanner.ErrCoverOpen},
		{"gone", Opts{Gone: true}, scanner.Request{}, 0, scanner.ErrNotFound},
		{"bad source", Opts{}, scanner.Request{Source: "film"}, 0, scanner.ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				d := New(&tc.opts)
				pages, err := d.Scan(context.Background(), tc.req, nil)
				if !errors.Is(err, tc.want) || len(pages) != tc.pages {
					t.Errorf("%d pages, %v; want %d, %v", len(pages), err, tc.pages, tc.want)
				}
			})
		})
	}
}

func TestSetAtRunTimeAndBusy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := New(&Opts{Sheets: 2, Delay: time.Second})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() {
			_, err := d.Scan(ctx, scanner.Request{}, nil)
			done <- err
		}()
		synctest.Wait()
		if _, err := d.Scan(context.Background(), scanner.Request{}, nil); !errors.Is(err, scanner.ErrBusy) {
			t.Errorf("concurrent scan: %v", err)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled scan: %v", err)
		}
		d.Set(Opts{Gone: true})
		if _, err := d.Scan(context.Background(), scanner.Request{}, nil); !errors.Is(err, scanner.ErrNotFound) {
			t.Errorf("after unplugging: %v", err)
		}
		if got := scanner.State(scanner.ErrNotFound); got != "offline" {
			t.Errorf("State = %q", got)
		}
		d.Set(Opts{Delay: -1})
		start := time.Now()
		if pages, err := d.Scan(context.Background(), scanner.Request{}, nil); err != nil || len(pages) != 3 || time.Since(start) != 0 {
			t.Errorf("plugged back, no delay: %d pages, %v, %v", len(pages), err, time.Since(start))
		}
	})
}

func BenchmarkPage(b *testing.B) {
	for b.Loop() {
		if _, err := Page(12, 496, 702, false); err != nil {
			b.Fatal(err)
		}
	}
}
