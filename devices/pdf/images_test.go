// SPDX-License-Identifier: AGPL-3.0-or-later

package pdf

import (
	"context"
	"errors"
	"testing"
	"time"

	"yichuang/devices/pdf/pdftest"
)

// TestValidateRefusesImageBombs: a PDF is refused when one of its images
// would decode to more pixels than Limits.MaxPixels, before anything
// decodes it; at the budget it is taken.
func TestValidateRefusesImageBombs(t *testing.T) {
	for _, tt := range []struct {
		name      string
		w, h      int
		maxPixels int64
		want      error
	}{
		{"the issue's bomb: 40000×40000 in a few MB", 40000, 40000, 0, ErrImageTooLarge},
		{"one pixel over a small budget", 2000, 1000, 1_999_999, ErrImageTooLarge},
		{"at the budget", 2000, 1000, 2_000_000, nil},
		{"a 600 dpi A4 scan's size under the default", 5000, 7000, 0, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := pdftest.Bomb(tt.w, tt.h)
			start := time.Now()
			doc, err := Validate(context.Background(), b, "application/pdf", &Limits{MaxPixels: tt.maxPixels})
			took := time.Since(start)
			if !errors.Is(err, tt.want) || (tt.want == nil && (err != nil || doc.Pages != 1)) {
				t.Fatalf("%d bytes: err %v, want %v", len(b), err, tt.want)
			}
			if took > 5*time.Second {
				t.Fatalf("validation took %v: something decoded the image", took)
			}
		})
	}
}

// TestRendererRefusesImageBombs: a bomb that reached the store some other
// way is not drawn either.
func TestRendererRefusesImageBombs(t *testing.T) {
	r := NewMuPDF(&RenderOpts{MaxPixels: 4_000_000})
	defer r.Close()
	start := time.Now()
	if _, err := r.Render(context.Background(), pdftest.Bomb(40000, 40000), 1, ThumbWidth); !errors.Is(err, ErrImageTooLarge) {
		t.Fatalf("err %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("refusing took %v", took)
	}
	if png, err := r.Render(context.Background(), pdftest.Bomb(1000, 1000), 1, ThumbWidth); err != nil || Sniff(png) != KindPNG {
		t.Fatalf("a small image: %v", err)
	}
}
