// SPDX-License-Identifier: AGPL-3.0-or-later

// Package scannertest checks any scanner.Scanner against the contract, the
// way periph's conformance suites do: the simulator, SANE's test backend, a
// hot folder and real hardware alike.
package scannertest

import (
	"bytes"
	"context"
	"errors"
	"image"
	_ "image/jpeg" // page formats a scanner returns
	_ "image/png"
	"testing"

	"yichuang/devices"
	"yichuang/devices/scanner"
)

// Scan runs s with r, which must yield want pages, and checks that:
// progress came once per page, in order, with the very pages returned;
// every page decodes as an image in the format it claims; a scan started
// with an already cancelled context fails with its error. It returns the
// pages.
func Scan(t *testing.T, s scanner.Scanner, r scanner.Request, want int) []devices.Page {
	t.Helper()
	var seen []scanner.Progress
	pages, err := s.Scan(context.Background(), r, func(p scanner.Progress) { seen = append(seen, p) })
	if err != nil {
		t.Fatalf("Scan(%+v): %v", r, err)
	}
	if len(pages) != want {
		t.Fatalf("Scan(%+v) = %d pages, want %d", r, len(pages), want)
	}
	if len(seen) != len(pages) {
		t.Errorf("progress called %d times for %d pages", len(seen), len(pages))
	}
	for i, p := range seen {
		if p.Page != i+1 {
			t.Errorf("progress #%d reports page %d", i+1, p.Page)
		}
		if i < len(pages) && !bytes.Equal(p.Image.Data, pages[i].Data) {
			t.Errorf("progress #%d carries another image than page %d", i+1, i+1)
		}
	}
	for i, p := range pages {
		CheckPage(t, i+1, p)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, err := s.Scan(ctx, r, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Scan with a cancelled context = %d pages, %v; want context.Canceled", len(got), err)
	}
	return pages
}

// CheckPage checks that page n decodes in the format it claims.
func CheckPage(t *testing.T, n int, p devices.Page) {
	t.Helper()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(p.Data))
	switch {
	case err != nil:
		t.Errorf("page %d (%s, %d bytes): %v", n, p.Format, len(p.Data), err)
	case format != p.Format:
		t.Errorf("page %d says %q but is %q", n, p.Format, format)
	case cfg.Width < 1 || cfg.Height < 1:
		t.Errorf("page %d is %d×%d", n, cfg.Width, cfg.Height)
	}
}
