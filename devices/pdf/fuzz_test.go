// SPDX-License-Identifier: AGPL-3.0-or-later

package pdf

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

var fuzzTypes = []string{"application/pdf", "image/jpeg", "image/png", "", "text/plain"}

// FuzzValidate feeds Validate mutations of the sample files: it must never
// panic or abort (MuPDF aborts the process on some errors it does not
// catch), must fail with exactly one sentinel, and what it accepts must have
// pages MuPDF can render.
//
//	go test -run '^$' -fuzz FuzzValidate -fuzztime=20s -fuzzminimizetime=1x ./devices/pdf
//
// (Minimizing each new input for the default 60 s shows as 0 execs/s.)
func FuzzValidate(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(materials, "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for i := range fuzzTypes {
			f.Add(b, uint8(i))
		}
	}
	r := NewMuPDF(&RenderOpts{OpenDocs: 1})
	f.Cleanup(func() { r.Close() })
	lim := &Limits{MaxBytes: 1 << 20, MaxPages: 20, MaxPixels: 250_000}
	f.Fuzz(func(t *testing.T, body []byte, ct uint8) {
		ctx := context.Background()
		doc, err := Validate(ctx, body, fuzzTypes[int(ct)%len(fuzzTypes)], lim)
		if err != nil {
			if doc != nil {
				t.Fatalf("a doc alongside %v", err)
			}
			if n := countSentinels(err); n != 1 {
				t.Fatalf("%v wraps %d sentinels", err, n)
			}
			return
		}
		if doc.Pages < 1 || doc.Pages > lim.MaxPages {
			t.Fatalf("accepted with %d pages", doc.Pages)
		}
		if _, err := r.Render(ctx, doc.PDF, doc.Pages, 32); err != nil && !errors.Is(err, ErrBroken) {
			t.Fatalf("accepted, then render: %v", err)
		}
	})
}
