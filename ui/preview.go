// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"yichuang/devices"
	"yichuang/devices/escpos"
	"yichuang/kiosk"
)

// previewFontHeader names the font a preview was drawn with, or "none"
// when it shows placeholder boxes (no CJK font installed, or ?glyphs=0).
const previewFontHeader = "X-Preview-Font"

// printPreview answers GET /api/v1/print/preview.png?zone=ID[&priority=1]
// (a sample ticket of a zone) or ?ticket=ID (an issued ticket) for the
// admin page: the ticket laid out exactly as this node's configured
// printer gets it (roll width, native or raster QR: escpos.PrinterLayout,
// as cmd/kioskd's printer uses), rendered back to a PNG with the glyphs of
// an installed CJK font (escpos.FacePaths), or placeholder boxes without
// one or with ?glyphs=0.
func (s *Server) printPreview(w http.ResponseWriter, r *http.Request) {
	t, ok := s.previewTicket(w, r)
	if !ok {
		return
	}
	face, name := s.previewFace(r.URL.Query().Get("glyphs") != "0")
	defer face.Close()
	var png bytes.Buffer
	p := s.cfg.Devices.Printer
	if err := escpos.PreviewTicket(&png, t, escpos.PrinterLayout(p.Width, p.NativeQR), face); err != nil {
		s.fail(w, r, fmt.Errorf("ticket preview: %w", err))
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set(previewFontHeader, name)
	_, _ = w.Write(png.Bytes())
}

// previewTicket is what the printer would print for the query: an issued
// ticket as printed (no name, no ID number), or a sample of a zone; it
// answers the error itself when there is none.
func (s *Server) previewTicket(w http.ResponseWriter, r *http.Request) (devices.Ticket, bool) {
	q := r.URL.Query()
	id, zone := q.Get("ticket"), q.Get("zone")
	switch {
	case id != "" && zone != "":
		writeError(w, http.StatusBadRequest, "ticket", "give either ticket or zone, not both")
		return devices.Ticket{}, false
	case id != "":
		t, ahead, err := s.hall.Ticket(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return devices.Ticket{}, false
		}
		pt := s.printable(&t, ahead)
		pt.Offline = t.Offline
		return pt, true
	case zone != "":
		t, ok := s.sampleTicket(zone, q.Get("priority") == "1" || q.Get("priority") == "true")
		if !ok {
			writeError(w, http.StatusBadRequest, "zone", fmt.Sprintf("no zone %q", zone))
			return devices.Ticket{}, false
		}
		return s.printable(&t, s.hall.Waiting()[zone]), true
	}
	writeError(w, http.StatusBadRequest, "zone", "a zone (?zone=A) or a ticket (?ticket=ID) is needed")
	return devices.Ticket{}, false
}

// sampleTicket is the first ticket of a zone, issued now.
func (s *Server) sampleTicket(zone string, priority bool) (kiosk.Ticket, bool) {
	for _, z := range s.cfg.Zones {
		if z.ID != zone {
			continue
		}
		prefix := z.Prefix
		if prefix == "" {
			prefix = z.ID
		}
		return kiosk.Ticket{
			ID: "preview", Zone: z.ID, Seq: 1, Number: prefix + "001", Priority: priority,
			IssuedAt: time.Now(), StatusKey: "preview",
		}, true
	}
	return kiosk.Ticket{}, false
}

// previewFace opens the first CJK font installed, when glyphs are wanted;
// nil (boxes) otherwise. It returns the font's name, or "none".
func (s *Server) previewFace(glyphs bool) (*escpos.Face, string) {
	if !glyphs {
		return nil, "none"
	}
	path, err := escpos.FindFace(escpos.FacePaths())
	if err != nil {
		return nil, "none"
	}
	face, err := escpos.OpenFace(path)
	if err != nil {
		s.log.Warn("ticket preview: font not readable; drawing boxes", "path", path, "err", err)
		return nil, "none"
	}
	return face, face.Name()
}
