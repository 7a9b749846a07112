// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"yichuang/devices/pdf"
	"yichuang/kiosk"
)

// TestValidatorDyingRefusesTheFile: a document that kills the validating
// child (as MuPDF may, on a hostile file) is refused as broken; kioskd lives.
func TestValidatorDyingRefusesTheFile(t *testing.T) {
	dir := t.TempDir()
	dying := filepath.Join(dir, "dying")
	if err := os.WriteFile(dying, []byte("#!/bin/sh\ncat >/dev/null\nkill -SEGV $$\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, _, _, err := validateInChild(context.Background(), dying, []byte("%PDF-1.7"), "application/pdf", pdf.DefaultLimits())
	if kiosk.KindOf(err) != kiosk.KindUnprocessable {
		t.Fatalf("err = %v, want unprocessable", err)
	}
	garbled := filepath.Join(dir, "garbled")
	os.WriteFile(garbled, []byte("#!/bin/sh\ncat >/dev/null\necho nonsense\n"), 0o755)
	if _, _, _, err := validateInChild(context.Background(), garbled, []byte("x"), "application/pdf", pdf.DefaultLimits()); err == nil {
		t.Fatal("a malformed answer was taken")
	}
}

// TestValidatorChild runs the real child (this package's kioskd binary) on
// good and bad files.
func TestValidatorChild(t *testing.T) {
	for _, tt := range []struct {
		file, ctype string
		kind        kiosk.Kind
		pages       int
	}{
		{"two-pages.pdf", "application/pdf", 0, 2},
		{"photo.png", "image/png", 0, 1},
		{"encrypted.pdf", "application/pdf", kiosk.KindUnprocessable, 0},
		{"png-as-pdf.pdf", "application/pdf", kiosk.KindUnsupported, 0},
	} {
		body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "materials", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		doc, _, pages, err := validateInChild(context.Background(), kioskdBin, body, tt.ctype, pdf.DefaultLimits())
		if kiosk.KindOf(err) != tt.kind || (tt.kind == 0 && (err != nil || pages != tt.pages || string(doc[:4]) != "%PDF")) {
			t.Errorf("%s: pages %d, err %v", tt.file, pages, err)
		}
	}
}
