// SPDX-License-Identifier: AGPL-3.0-or-later

// Package pdf turns what a scanner or a citizen hands in into one material:
// a PDF document. It assembles scanned page images into a PDF (with
// github.com/pdfcpu/pdfcpu), validates uploaded PDF, JPEG and PNG bodies
// (opening them with MuPDF through github.com/gen2brain/go-fitz), and renders
// pages to PNG at a given width for the screens.
//
// The package needs cgo for MuPDF (go-fitz links its vendored static
// libraries); with CGO_ENABLED=0 go-fitz falls back to loading libmupdf.so at
// run time.
//
// Like a device driver it never logs; errors carry the "pdf: " prefix and
// wrap the sentinel errors below, whose text holds the words shown to a
// citizen in Chinese and English.
package pdf

import (
	"bytes"
	"errors"

	"github.com/pdfcpu/pdfcpu/pkg/api"
)

// pdfcpu writes a configuration directory (and fonts) under the user's
// config directory unless told not to; a terminal has one writable data
// directory and this package needs no user fonts. Done once at program
// initialisation so no goroutine races the write.
func init() { api.DisableConfigDir() }

// Sentinel errors, usable with errors.Is. Each says what went wrong in words a
// citizen understands.
var (
	// ErrUnsupportedType: not a PDF, JPEG or PNG, or the declared
	// Content-Type does not match the bytes (HTTP 415).
	ErrUnsupportedType = errors.New("unsupported file type, only PDF, JPEG or PNG (仅支持 PDF、JPEG、PNG 文件)")
	// ErrMislabelled is wrapped together with ErrUnsupportedType when the
	// declared type and the bytes disagree.
	ErrMislabelled = errors.New("file type does not match its content (文件类型与内容不符)")
	// ErrBroken: the file cannot be opened or is truncated (HTTP 422).
	ErrBroken = errors.New("file is damaged and cannot be opened (文件已损坏，无法打开)")
	// ErrEncrypted: the PDF needs a password (HTTP 422).
	ErrEncrypted = errors.New("file is password-protected (文件已加密，请上传未加密的文件)")
	// ErrEmpty: zero bytes or zero pages (HTTP 422).
	ErrEmpty = errors.New("file is empty or has no pages (文件为空或没有页面)")
	// ErrTooManyPages: more pages than Limits.MaxPages (HTTP 422).
	ErrTooManyPages = errors.New("too many pages (页数超过上限)")
	// ErrTooLarge: more bytes than Limits.MaxBytes, or an image with more
	// pixels than Limits.MaxPixels (HTTP 413).
	ErrTooLarge = errors.New("file is too large (文件过大)")
	// ErrNoPage: a page number outside the document.
	ErrNoPage = errors.New("no such page (页码不存在)")
)

// Kind is what a body is, judged from its first bytes.
type Kind string

// Kinds of documents.
const (
	KindPDF  Kind = "pdf"
	KindJPEG Kind = "jpeg"
	KindPNG  Kind = "png"
	KindScan Kind = "scan" // pages from a scanner, assembled by Assemble
)

// ContentType returns the MIME type of k ("" for KindScan and unknown kinds;
// an assembled scan is application/pdf like every Doc.PDF).
func (k Kind) ContentType() string {
	switch k {
	case KindPDF:
		return "application/pdf"
	case KindJPEG:
		return "image/jpeg"
	case KindPNG:
		return "image/png"
	}
	return ""
}

// Doc is one material ready to store: always a PDF.
type Doc struct {
	PDF   []byte // the document; an uploaded PDF is kept byte for byte
	Pages int
	Kind  Kind // what came in
}

// Limits bound what Validate accepts. Zero fields take DefaultLimits()' values.
type Limits struct {
	MaxBytes  int64 // body size
	MaxPages  int   // pages in a PDF
	MaxPixels int64 // width × height of one image
}

// DefaultLimits() suit a hall: a phone photo or a long contract is fine, a
// whole archive is not.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:  20 << 20,
		MaxPages:  200,
		MaxPixels: 40_000_000, // an A4 page scanned at 600 dpi is 35 million
	}
}

func (l *Limits) withDefaults() Limits {
	out := DefaultLimits()
	if l == nil {
		return out
	}
	if l.MaxBytes > 0 {
		out.MaxBytes = l.MaxBytes
	}
	if l.MaxPages > 0 {
		out.MaxPages = l.MaxPages
	}
	if l.MaxPixels > 0 {
		out.MaxPixels = l.MaxPixels
	}
	return out
}

var (
	magicPDF  = []byte("%PDF-")
	magicPNG  = []byte("\x89PNG\r\n\x1a\n")
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
)

// Sniff tells a PDF, PNG or JPEG body by its magic bytes; "" otherwise.
func Sniff(b []byte) Kind {
	switch {
	case bytes.HasPrefix(b, magicPDF):
		return KindPDF
	case bytes.HasPrefix(b, magicPNG):
		return KindPNG
	case bytes.HasPrefix(b, magicJPEG):
		return KindJPEG
	}
	return ""
}
