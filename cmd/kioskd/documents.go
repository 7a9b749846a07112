// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"yichuang/config"
	"yichuang/devices/pdf"
	"yichuang/devices/scanner"
	"yichuang/devices/scanner/folder"
	"yichuang/devices/scanner/sane"
	"yichuang/devices/sim/scannersim"
	"yichuang/kiosk"
	"yichuang/ui"
)

// documents validates uploads with MuPDF and pdfcpu and renders pages with
// MuPDF, each in a child process (no rendered page is written to disk:
// scanned pages are personal data).
type documents struct {
	limits pdf.Limits
	r      *renderer
	self   string // the kioskd binary, run as the validating child
}

func newDocuments(cfg *config.Config) (*documents, error) {
	l := pdf.DefaultLimits()
	l.MaxBytes, l.MaxPages = cfg.Materials.MaxBytes, cfg.Materials.MaxPages
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	return &documents{limits: l, r: newRenderer(self), self: self}, nil
}

// docError turns the pdf package's errors into the domain's kinds, so the
// HTTP answer is 415, 413 or 422 with the words for a citizen.
func docError(err error) error {
	kind := kiosk.Kind(0)
	switch {
	case errors.Is(err, pdf.ErrUnsupportedType):
		kind = kiosk.KindUnsupported
	case errors.Is(err, pdf.ErrTooLarge):
		kind = kiosk.KindTooLarge
	case errors.Is(err, pdf.ErrBroken), errors.Is(err, pdf.ErrEncrypted), errors.Is(err, pdf.ErrEmpty), errors.Is(err, pdf.ErrTooManyPages),
		errors.Is(err, pdf.ErrImageTooLarge):
		kind = kiosk.KindUnprocessable
	case errors.Is(err, pdf.ErrNoPage):
		kind = kiosk.KindNotFound
	case errors.Is(err, pdf.ErrBadWidth):
		kind = kiosk.KindInvalid
	default:
		return err
	}
	return &kiosk.Error{Kind: kind, Msg: err.Error()}
}

// Validate opens an upload in a child process (docchild.go): MuPDF may end
// the process it runs in on a hostile file.
func (d *documents) Validate(ctx context.Context, body []byte, contentType string) ([]byte, string, int, error) {
	return validateInChild(ctx, d.self, body, contentType, d.limits)
}

// Render draws a page in a child process (renderchild.go), within a pixel
// budget and the child's CPU and memory limits.
func (d *documents) Render(ctx context.Context, doc []byte, page, width int) ([]byte, error) {
	return d.r.Render(ctx, doc, page, width)
}

// pageScanner scans with a device and assembles the pages into one PDF.
type pageScanner struct {
	dev scanner.Scanner
}

func (p *pageScanner) Scan(ctx context.Context, pages int, progress func(int)) ([]byte, int, error) {
	imgs, err := p.dev.Scan(ctx, scanner.Request{Pages: pages}, func(pr scanner.Progress) { progress(pr.Page) })
	if err != nil {
		kind := kiosk.KindUnavailable
		if errors.Is(err, scanner.ErrBusy) {
			kind = kiosk.KindConflict
		}
		return nil, 0, &kiosk.Error{Kind: kind, Msg: err.Error()}
	}
	doc, err := pdf.Assemble(ctx, imgs, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("scan: assemble: %w", err)
	}
	return doc.PDF, doc.Pages, nil
}

// openScanner returns the configured scanner, or nil for none.
func openScanner(cfg *config.Config) (ui.Scanner, error) {
	sc := cfg.Devices.Scanner
	var dev scanner.Scanner
	switch sc.Backend {
	case "":
		return nil, nil
	case "sim":
		dev = scannersim.New(nil)
	case "sane":
		d, err := sane.New(&sane.Opts{Device: sc.Device})
		if err != nil {
			return nil, fmt.Errorf("config: devices.scanner: %w", err)
		}
		dev = d
	case "folder":
		d, err := folder.New(&folder.Opts{Dir: sc.Folder})
		if err != nil {
			return nil, fmt.Errorf("config: devices.scanner.folder: %w", err)
		}
		dev = d
	}
	return &pageScanner{dev: dev}, nil
}
