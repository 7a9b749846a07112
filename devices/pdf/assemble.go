// SPDX-License-Identifier: AGPL-3.0-or-later

package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"yichuang/devices"
)

// AssembleOpts say how page images become PDF pages.
type AssembleOpts struct {
	// DPI is the images' resolution. With DPI > 0 each PDF page has the
	// image's physical size (pixels / DPI inches); with 0 each image is fitted
	// into an A4 page, portrait or landscape as the image is.
	DPI int
	// MaxPixels bounds width × height of one image (0: DefaultLimits()').
	MaxPixels int64
}

// a4 is A4 in PDF points (1/72 inch).
var a4 = types.Dim{Width: 595, Height: 842}

// Assemble puts pages, in order, into one PDF with pdfcpu's image import,
// one image per page. Page formats: "png", "jpeg" ("jpg"), "tiff" ("tif");
// the bytes decide, Format only has to agree with them when set. A page that
// does not decode wraps ErrBroken; another format wraps ErrUnsupportedType.
func Assemble(ctx context.Context, pages []devices.Page, o *AssembleOpts) (*Doc, error) {
	doc, err := assemble(ctx, pages, o, nil)
	if err != nil {
		return nil, fmt.Errorf("pdf: assemble: %w", err)
	}
	return doc, nil
}

// assemble is Assemble; cfgs, when not nil, holds the pages' already checked
// headers.
func assemble(ctx context.Context, pages []devices.Page, o *AssembleOpts, cfgs []image.Config) (*Doc, error) {
	var opts AssembleOpts
	if o != nil {
		opts = *o
	}
	if opts.MaxPixels <= 0 {
		opts.MaxPixels = DefaultLimits().MaxPixels
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("no pages: %w", ErrEmpty)
	}

	// Consecutive pages with the same page size go into one import call.
	type group struct {
		dim  types.Dim
		imgs []io.Reader
	}
	var groups []*group
	var err error
	for i, p := range pages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var cfg image.Config
		if cfgs != nil {
			cfg = cfgs[i]
		} else if cfg, err = checkImage(p, opts.MaxPixels); err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		dim := pageDim(cfg, opts.DPI)
		if n := len(groups); n == 0 || groups[n-1].dim != dim {
			groups = append(groups, &group{dim: dim})
		}
		g := groups[len(groups)-1]
		g.imgs = append(g.imgs, bytes.NewReader(p.Data))
	}

	var out []byte
	for _, g := range groups {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		dim := g.dim
		imp := &pdfcpu.Import{
			PageDim: &dim,
			UserDim: true,
			Pos:     types.Center,
			Scale:   1, // relative: as large as the page allows, aspect kept
			InpUnit: types.POINTS,
		}
		var rs io.ReadSeeker
		if out != nil {
			rs = bytes.NewReader(out)
		}
		var buf bytes.Buffer
		if err := safely(func() error {
			return api.ImportImages(rs, &buf, g.imgs, imp, newConf())
		}); err != nil {
			return nil, fmt.Errorf("pdfcpu: %v: %w", err, ErrBroken)
		}
		out = buf.Bytes()
	}
	return &Doc{PDF: out, Pages: len(pages), Kind: KindScan}, nil
}

// checkImage sniffs, bounds and (for JPEG, which pdfcpu embeds without
// decoding) fully decodes one page image.
func checkImage(p devices.Page, maxPixels int64) (image.Config, error) {
	if len(p.Data) == 0 {
		return image.Config{}, ErrEmpty
	}
	kind, err := imageKind(p.Data)
	if err != nil {
		return image.Config{}, err
	}
	if p.Format != "" && !formatMatches(p.Format, kind) {
		return image.Config{}, fmt.Errorf("format %q but bytes are %s: %w (%w)", p.Format, kind, ErrUnsupportedType, ErrMislabelled)
	}
	var cfg image.Config
	if err := safely(func() (err error) {
		cfg, _, err = image.DecodeConfig(bytes.NewReader(p.Data))
		return err
	}); err != nil {
		return cfg, decodeErr("header", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return cfg, fmt.Errorf("%s of %dx%d pixels: %w", kind, cfg.Width, cfg.Height, ErrBroken)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return cfg, fmt.Errorf("%s of %dx%d pixels, more than %d: %w", kind, cfg.Width, cfg.Height, maxPixels, ErrTooLarge)
	}
	if kind == "jpeg" || kind == "png" {
		if err := safely(func() error {
			_, _, err := image.Decode(bytes.NewReader(p.Data))
			return err
		}); err != nil {
			return cfg, decodeErr("decode", err)
		}
	}
	return cfg, nil
}

// decodeErr classifies an image decoder's error: a feature Go's decoders
// lack (12-bit or arithmetic-coded JPEG) is an unsupported type, anything
// else a broken file.
func decodeErr(what string, err error) error {
	var ju jpeg.UnsupportedError
	var pu png.UnsupportedError
	if errors.As(err, &ju) || errors.As(err, &pu) {
		return fmt.Errorf("%s: %v: %w", what, err, ErrUnsupportedType)
	}
	return fmt.Errorf("%s: %v: %w", what, err, ErrBroken)
}

// imageKind names the image format pdfcpu can import.
func imageKind(b []byte) (string, error) {
	switch {
	case bytes.HasPrefix(b, magicPNG):
		return "png", nil
	case bytes.HasPrefix(b, magicJPEG):
		return "jpeg", nil
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return "tiff", nil
	}
	return "", fmt.Errorf("not a PNG, JPEG or TIFF image: %w", ErrUnsupportedType)
}

func formatMatches(format, kind string) bool {
	switch format {
	case "png":
		return kind == "png"
	case "jpeg", "jpg":
		return kind == "jpeg"
	case "tiff", "tif":
		return kind == "tiff"
	}
	return false
}

// pageDim is the PDF page an image of cfg's size goes on.
func pageDim(cfg image.Config, dpi int) types.Dim {
	if dpi > 0 {
		return types.Dim{
			Width:  float64(cfg.Width) * 72 / float64(dpi),
			Height: float64(cfg.Height) * 72 / float64(dpi),
		}
	}
	if cfg.Width > cfg.Height {
		return types.Dim{Width: a4.Height, Height: a4.Width}
	}
	return a4
}

// newConf is pdfcpu's default configuration (the config directory is
// disabled in init, so this touches no file).
func newConf() *model.Configuration {
	return model.NewDefaultConfiguration()
}

// safely runs f, turning a panic in a third-party decoder into an error: a
// crafted file must never take the daemon down.
func safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}
