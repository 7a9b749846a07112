// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"time"

	"yichuang/devices"
	"yichuang/devices/escpos"
	"yichuang/devices/pdf"
)

// sampleTicket is a ticket as kioskd prints it: the default hall, a status
// link under a LAN public_url with kioskd's id (32 hex) and key (24 hex).
func sampleTicket(notices []string) devices.Ticket {
	return devices.Ticket{
		Hall: "涵江区行政服务中心", Zone: "A", ZoneName: "商事登记区", Number: "A123",
		Matter: "企业设立登记", WaitingAhead: 17, IssuedAt: time.Now(),
		StatusURL: "http://192.168.1.10:8080/s/" + randHex(16) + "?token=" + randHex(12),
		Notices:   notices,
	}
}

type jobSize struct {
	Paper    escpos.Paper
	NativeQR bool
	Bytes    int
}

// wire is the time a job takes on a 9600 baud serial line (8N1: 10 bits a byte).
func (j jobSize) wire() time.Duration {
	return time.Duration(float64(j.Bytes) * 10 / 9600 * float64(time.Second))
}

func ticketJobs(notices []string) ([]jobSize, error) {
	t := sampleTicket(notices)
	var out []jobSize
	for _, p := range []escpos.Paper{escpos.Paper80, escpos.Paper58} {
		for _, native := range []bool{true, false} {
			o := escpos.DefaultLayout(p)
			o.NativeQR = native
			b, err := escpos.LayoutTicket(t, &o)
			if err != nil {
				return nil, fmt.Errorf("escpos: %w", err)
			}
			out = append(out, jobSize{Paper: p, NativeQR: native, Bytes: len(b)})
		}
	}
	return out, nil
}

type renderResult struct {
	Warm, Cold durs
	Bytes      int
	Pages      int
}

// renderThumbs renders the pages of a PDF at thumbnail width with go-fitz
// through devices/pdf: warm (the document stays open, as for a material's
// list of pages) and cold (a new renderer parses the document each time).
func renderThumbs(ctx context.Context, doc []byte, budget time.Duration) (*renderResult, error) {
	n, err := pdf.PageCount(doc)
	if err != nil {
		return nil, err
	}
	res := &renderResult{Pages: n}
	r := pdf.NewMuPDF(nil)
	defer r.Close()
	if _, err := r.Render(ctx, doc, 1, pdf.ThumbWidth); err != nil {
		return nil, err
	}
	start := time.Now()
	for i := 0; i < 400 && (i < 20 || time.Since(start) < budget); i++ {
		t0 := time.Now()
		b, err := r.Render(ctx, doc, 1+i%n, pdf.ThumbWidth)
		if err != nil {
			return nil, err
		}
		res.Warm = append(res.Warm, time.Since(t0))
		res.Bytes = len(b)
	}
	start = time.Now()
	for i := 0; i < 100 && (i < 10 || time.Since(start) < budget); i++ {
		t0 := time.Now()
		cr := pdf.NewMuPDF(nil)
		_, err := cr.Render(ctx, doc, 1, pdf.ThumbWidth)
		cr.Close()
		if err != nil {
			return nil, err
		}
		res.Cold = append(res.Cold, time.Since(t0))
	}
	return res, nil
}

// scannedA4 returns a one-page PDF holding an A4 page scanned at dpi in
// colour (a JPEG, as scanners deliver), put together by devices/pdf.
func scannedA4(ctx context.Context, dpi int) ([]byte, error) {
	w, h := 210*dpi*10/254, 297*dpi*10/254
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8(235 + (x*7+y*3)%13) // paper is never flat white
			if (y/(dpi/6))%2 == 0 && x > w/10 && x < w*9/10 && (x/(dpi/20))%3 != 0 && (y%(dpi/6)) < dpi/12 {
				v = 40 // lines of text
			}
			img.SetRGBA(x, y, color.RGBA{v, v, v - 5, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	d, err := pdf.Assemble(ctx, []devices.Page{{Data: buf.Bytes(), Format: "jpeg"}}, &pdf.AssembleOpts{DPI: dpi})
	if err != nil {
		return nil, err
	}
	return d.PDF, nil
}
