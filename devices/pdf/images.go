// SPDX-License-Identifier: AGPL-3.0-or-later

package pdf

import (
	"errors"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// ErrImageTooLarge: the PDF holds an image whose decoded size is over the
// pixel budget (HTTP 422). A few megabytes of Flate-compressed zeros can
// hold a 40000×40000 image that would take MuPDF minutes and gigabytes to
// draw; such a file is refused when it is handed in.
var ErrImageTooLarge = errors.New("file holds an image too large to show (文件中的图像过大，无法显示)")

// largestImage returns the image XObject of c with the most pixels (by its
// /Width and /Height, before any filter is undone).
func largestImage(c *model.Context) (w, h int, err error) {
	var best int64
	for nr, e := range c.Table {
		if e == nil || e.Free {
			continue
		}
		sd, ok := e.Object.(types.StreamDict)
		if !ok {
			continue
		}
		if st := sd.Subtype(); st == nil || *st != "Image" {
			continue
		}
		iw, err := dimension(c, sd, "Width")
		if err != nil {
			return 0, 0, fmt.Errorf("image object %d: %w", nr, err)
		}
		ih, err := dimension(c, sd, "Height")
		if err != nil {
			return 0, 0, fmt.Errorf("image object %d: %w", nr, err)
		}
		if px := int64(iw) * int64(ih); px > best {
			best, w, h = px, iw, ih
		}
	}
	return w, h, nil
}

func dimension(c *model.Context, sd types.StreamDict, key string) (int, error) {
	obj, ok := sd.Find(key)
	if !ok {
		return 0, fmt.Errorf("no /%s", key)
	}
	i, err := c.DereferenceInteger(obj)
	if err != nil {
		return 0, err
	}
	if i == nil || i.Value() < 0 {
		return 0, fmt.Errorf("a bad /%s", key)
	}
	return i.Value(), nil
}
