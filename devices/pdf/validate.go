// SPDX-License-Identifier: AGPL-3.0-or-later

package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"mime"

	fitz "github.com/gen2brain/go-fitz"
	"github.com/pdfcpu/pdfcpu/pkg/api"

	"yichuang/devices"
)

// Validate checks an uploaded body before anything is stored. contentType is
// the request's Content-Type header; "" or application/octet-stream lets the
// bytes decide. A PDF is opened with MuPDF and kept byte for byte; a JPEG or
// PNG is decoded, opened with MuPDF and becomes a one-page PDF the way scans
// do (Assemble).
//
// Errors wrap exactly one of: ErrUnsupportedType (also ErrMislabelled when the
// header and the bytes disagree), ErrTooLarge, ErrEmpty, ErrBroken,
// ErrEncrypted, ErrTooManyPages, ErrImageTooLarge; or ctx's error.
func Validate(ctx context.Context, body []byte, contentType string, l *Limits) (*Doc, error) {
	lim := l.withDefaults()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pdf: validate: %w", err)
	}
	if len(body) == 0 {
		return nil, fmt.Errorf("pdf: validate: zero bytes: %w", ErrEmpty)
	}
	if int64(len(body)) > lim.MaxBytes {
		return nil, fmt.Errorf("pdf: validate: %d bytes, more than %d: %w", len(body), lim.MaxBytes, ErrTooLarge)
	}
	declared, err := kindOfContentType(contentType)
	if err != nil {
		return nil, fmt.Errorf("pdf: validate: %w", err)
	}
	kind := Sniff(body)
	if kind == "" {
		return nil, fmt.Errorf("pdf: validate: content is not a PDF, JPEG or PNG: %w", ErrUnsupportedType)
	}
	if declared != "" && declared != kind {
		return nil, fmt.Errorf("pdf: validate: Content-Type %q but the bytes are %s: %w (%w)", contentType, kind, ErrUnsupportedType, ErrMislabelled)
	}
	var doc *Doc
	if kind == KindPDF {
		doc, err = validatePDF(ctx, body, lim)
	} else {
		doc, err = validateImage(ctx, body, kind, lim)
	}
	if err != nil {
		return nil, fmt.Errorf("pdf: validate %s: %w", kind, err)
	}
	return doc, nil
}

// kindOfContentType maps a Content-Type header to a Kind; "" means "let the
// bytes decide".
func kindOfContentType(ct string) (Kind, error) {
	if ct == "" {
		return "", nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", fmt.Errorf("Content-Type %q: %v: %w", ct, err, ErrUnsupportedType)
	}
	switch mt {
	case "application/octet-stream":
		return "", nil
	case "application/pdf", "application/x-pdf":
		return KindPDF, nil
	case "image/jpeg", "image/jpg", "image/pjpeg":
		return KindJPEG, nil
	case "image/png", "image/x-png":
		return KindPNG, nil
	}
	return "", fmt.Errorf("Content-Type %q: %w", ct, ErrUnsupportedType)
}

func validatePDF(ctx context.Context, b []byte, lim Limits) (*Doc, error) {
	// A file cut short (an interrupted copy from a phone or a USB stick) has
	// lost its trailer; MuPDF would silently repair it and show fewer pages.
	// Readers demand %%EOF within the last 1024 bytes; so do we.
	tail := b[max(0, len(b)-1024):]
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return nil, fmt.Errorf("no %%%%EOF at the end, truncated: %w", ErrBroken)
	}
	doc, n, err := openChecked(ctx, b, lim.MaxPages, lim.MaxPixels)
	if err != nil {
		return nil, err
	}
	doc.Close()
	return &Doc{PDF: b, Pages: n, Kind: KindPDF}, nil
}

// openChecked opens a PDF with MuPDF, after reading its page tree with
// pdfcpu, and returns it with its page count once every page loads and has
// a size, and no image in it has more than maxPixels pixels (0: any). MuPDF
// keeps reading b until the document is closed.
func openChecked(ctx context.Context, b []byte, maxPages int, maxPixels int64) (_ *fitz.Document, _ int, err error) {
	doc, err := openFitz(b)
	if err != nil {
		return nil, 0, err
	}
	defer func() {
		if err != nil {
			doc.Close()
		}
	}()
	n, err := pages(ctx, doc, b, maxPages, maxPixels)
	return doc, n, err
}

// pages returns the page count of the open doc made of b.
func pages(ctx context.Context, doc *fitz.Document, b []byte, maxPages int, maxPixels int64) (int, error) {
	// MuPDF aborts the whole process when a document's page count is
	// negative (fz_count_pages throws outside any fz_try, and go-fitz
	// calls it unguarded), so the page tree is read first with pdfcpu, in
	// Go, where a bad file is only an error.
	n, iw, ih, err := pdfcpuPageCount(b)
	switch {
	case err != nil:
		return 0, fmt.Errorf("page tree: %v: %w", err, ErrBroken)
	case maxPixels > 0 && int64(iw)*int64(ih) > maxPixels:
		return 0, fmt.Errorf("an image of %d×%d pixels, more than %d: %w", iw, ih, maxPixels, ErrImageTooLarge)
	case n < 0:
		return 0, fmt.Errorf("page tree counts %d pages: %w", n, ErrBroken)
	case n == 0:
		return 0, fmt.Errorf("zero pages: %w", ErrEmpty)
	case n > maxPages:
		return 0, fmt.Errorf("%d pages, more than %d: %w", n, maxPages, ErrTooManyPages)
	}

	m := doc.NumPage()
	switch {
	case m <= 0:
		return 0, fmt.Errorf("zero pages: %w", ErrEmpty)
	case m > maxPages:
		return 0, fmt.Errorf("%d pages, more than %d: %w", m, maxPages, ErrTooManyPages)
	}
	for i := range m {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		r, err := doc.Bound(i)
		if err != nil {
			return 0, fmt.Errorf("page %d: %v: %w", i+1, err, ErrBroken)
		}
		if r.Dx() < 1 || r.Dy() < 1 || r.Dx() > maxPagePoints || r.Dy() > maxPagePoints {
			return 0, fmt.Errorf("page %d measures %dx%d points: %w", i+1, r.Dx(), r.Dy(), ErrBroken)
		}
	}
	return m, nil
}

// maxPagePoints is PDF's own limit on a page side (14400 points, 200 inches).
const maxPagePoints = 14400

// openFitz opens b with MuPDF, mapping its errors to ours.
func openFitz(b []byte) (*fitz.Document, error) {
	doc, err := fitz.NewFromMemory(b)
	if err != nil {
		if doc != nil {
			doc.Close()
		}
		if errors.Is(err, fitz.ErrNeedsPassword) {
			return nil, ErrEncrypted
		}
		return nil, fmt.Errorf("mupdf: %v: %w", err, ErrBroken)
	}
	return doc, nil
}

// pdfcpuPageCount reads the /Count of the page tree's root the way MuPDF
// does, but in Go, and the size of the document's largest image.
func pdfcpuPageCount(b []byte) (n, imageW, imageH int, err error) {
	err = safely(func() error {
		c, err := api.ReadContext(bytes.NewReader(b), newConf())
		if err != nil {
			return err
		}
		if imageW, imageH, err = largestImage(c); err != nil {
			return err
		}
		root, err := c.Pages()
		if err != nil {
			return err
		}
		if root == nil {
			return errors.New("no page tree")
		}
		d, err := c.DereferenceDict(*root)
		if err != nil {
			return err
		}
		obj, ok := d.Find("Count")
		if !ok {
			return errors.New("page tree without /Count")
		}
		i, err := c.DereferenceInteger(obj)
		if err != nil {
			return err
		}
		if i == nil {
			return errors.New("page tree with a null /Count")
		}
		n = i.Value()
		return nil
	})
	return n, imageW, imageH, err
}

func validateImage(ctx context.Context, b []byte, kind Kind, lim Limits) (*Doc, error) {
	page := devices.Page{Data: b, Format: string(kind)}
	// Bound and decode in Go first: a decompression bomb never reaches MuPDF.
	cfg, err := checkImage(page, lim.MaxPixels)
	if err != nil {
		return nil, err
	}
	doc, err := openFitz(b)
	if err != nil {
		return nil, err
	}
	n := doc.NumPage()
	doc.Close()
	if n != 1 {
		return nil, fmt.Errorf("mupdf sees %d pages in an image: %w", n, ErrBroken)
	}
	d, err := assemble(ctx, []devices.Page{page}, nil, []image.Config{cfg})
	if err != nil {
		return nil, err
	}
	d.Kind = kind
	return d, nil
}

// PageCount returns the number of pages of a PDF this package validated or
// assembled. It refuses a file Validate would refuse as broken.
func PageCount(doc []byte) (int, error) {
	if Sniff(doc) != KindPDF {
		return 0, fmt.Errorf("pdf: page count: not a PDF: %w", ErrUnsupportedType)
	}
	d, n, err := openChecked(context.Background(), doc, maxPagesAny, 0)
	if err != nil {
		return 0, fmt.Errorf("pdf: page count: %w", err)
	}
	d.Close()
	return n, nil
}

// maxPagesAny bounds PageCount, which has no Limits.
const maxPagesAny = 100_000
