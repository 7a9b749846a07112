// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"yichuang/config"
	"yichuang/kiosk"
)

// Documents validates uploaded documents and renders their pages. Its
// errors are *kiosk.Error values whose kind says the status (415, 422, 413).
type Documents interface {
	Validate(ctx context.Context, body []byte, contentType string) (doc []byte, kind string, pages int, err error)
	Render(ctx context.Context, doc []byte, page, width int) ([]byte, error)
}

// Scanner scans pages at one terminal into one PDF; progress is called as
// each page is done.
type Scanner interface {
	Scan(ctx context.Context, pages int, progress func(page int)) (doc []byte, n int, err error)
}

// Page widths for the screens: thumbnails and the window's reading size.
const (
	thumbWidth  = 240
	screenWidth = 1200
)

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	if s.docs == nil {
		writeError(w, http.StatusServiceUnavailable, "", "documents are not handled on this node")
		return
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type", "say the body's type: application/pdf, image/jpeg or image/png")
		return
	}
	body, done, err := s.readUpload(w, r)
	if err != nil {
		return // answered
	}
	defer done()
	doc, kind, pages, err := s.docs.Validate(r.Context(), body, ct)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var m kiosk.Material
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		m, _, err = s.hall.AddMaterialKeyed(r.Context(), c.actor(), key, "upload", kind, doc, pages)
	} else {
		m, err = s.hall.AddMaterial(r.Context(), c.actor(), "upload", kind, doc, pages)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"material_id": m.ID, "pages": m.Pages})
}

// scan runs the caller's scanner: scan.page per page, then scan.done or
// scan.failed, to the caller alone; the pages become one material.
func (s *Server) scan(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	var req struct {
		Pages int `json:"pages"`
	}
	if !decode(w, r, &req, true) {
		return
	}
	if req.Pages < 0 || req.Pages > 200 {
		writeError(w, http.StatusBadRequest, "pages", "0 (until the feeder is empty) to 200")
		return
	}
	sc := s.scanners[c.ID]
	if sc == nil {
		writeError(w, http.StatusConflict, "", "this terminal has no scanner")
		return
	}
	ctx := r.Context()
	emit := func(typ string, data map[string]any) {
		if err := s.hall.Emit(context.WithoutCancel(ctx), typ, data, c.ID, nil); err != nil {
			s.log.Error("scan event", "type", typ, "err", err)
		}
	}
	doc, n, err := sc.Scan(ctx, req.Pages, func(page int) { emit("scan.page", map[string]any{"page": page}) })
	if err != nil {
		emit("scan.failed", map[string]any{"error": errorWords(err)})
		s.fail(w, r, err)
		return
	}
	m, err := s.hall.AddMaterial(ctx, c.actor(), "scan", "scan", doc, n)
	if err != nil {
		emit("scan.failed", map[string]any{"error": "扫描件保存失败 (the scan could not be saved)"})
		s.fail(w, r, err)
		return
	}
	emit("scan.done", map[string]any{"material_id": m.ID, "pages": m.Pages})
	writeJSON(w, http.StatusCreated, map[string]any{"material_id": m.ID, "pages": m.Pages})
}

func errorWords(err error) string {
	var de *kiosk.Error
	if errors.As(err, &de) {
		return de.Msg
	}
	return "扫描失败 (the scan failed)"
}

// materialFile serves GET /api/v1/materials/{id}.pdf, and the material's
// description at GET /api/v1/materials/{id}.
func (s *Server) materialFile(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	id, isPDF := strings.CutSuffix(r.PathValue("file"), ".pdf")
	m, doc, err := s.hall.MaterialFor(r.Context(), c.actor(), id)
	if err != nil {
		if s.onHallNode(err) {
			s.up.Forward(w, r)
			return
		}
		s.fail(w, r, err)
		return
	}
	if !isPDF {
		writeJSON(w, http.StatusOK, map[string]any{"material_id": m.ID, "pages": m.Pages, "source": m.Source, "kind": m.Kind,
			"size": m.Size, "created_at": m.CreatedAt.In(s.cfg.Location).Format(time.RFC3339)})
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Disposition", `inline; filename="`+m.ID+`.pdf"`)
	_, _ = w.Write(doc)
}

// materialPage serves GET /api/v1/materials/{id}/pages/{n}.png[?width=240|1200].
func (s *Server) materialPage(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	if s.docs == nil {
		writeError(w, http.StatusServiceUnavailable, "", "documents are not handled on this node")
		return
	}
	num, ok := strings.CutSuffix(r.PathValue("page"), ".png")
	page, err := strconv.Atoi(num)
	if !ok || err != nil || page < 1 {
		writeError(w, http.StatusNotFound, "", "ask for /api/v1/materials/ID/pages/N.png, N from 1")
		return
	}
	width := screenWidth
	if v := r.URL.Query().Get("width"); v != "" {
		if width, err = strconv.Atoi(v); err != nil || width < 16 || width > 2400 {
			writeError(w, http.StatusBadRequest, "width", "16 to 2400 pixels")
			return
		}
	}
	if r.URL.Query().Get("size") == "thumb" {
		width = thumbWidth
	}
	m, doc, err := s.hall.MaterialFor(r.Context(), c.actor(), r.PathValue("id"))
	if err != nil {
		if s.onHallNode(err) {
			s.up.Forward(w, r)
			return
		}
		s.fail(w, r, err)
		return
	}
	if page > m.Pages {
		writeError(w, http.StatusNotFound, "", fmt.Sprintf("material %s has %d pages", m.ID, m.Pages))
		return
	}
	png, err := s.docs.Render(r.Context(), doc, page, width)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(png)
}

var materialRoles = roles(config.RoleKiosk, config.RoleWindow, config.RoleAdmin)

// attachMaterial adds a material the window scanned to the ticket it holds:
// POST /api/v1/windows/{n}/materials {"material_id"}.
func (s *Server) attachMaterial(w http.ResponseWriter, r *http.Request, c caller, n int) {
	if s.up != nil {
		s.attachUpstream(w, r, c, n)
		return
	}
	var req struct {
		MaterialID string `json:"material_id"`
	}
	if !decode(w, r, &req, false) {
		return
	}
	t, err := s.hall.AttachMaterial(r.Context(), c.actor(), n, req.MaterialID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ticket": s.view(t, 0, true, true)})
}

// markMaterial records the window's verdict on a required material of the
// ticket it holds: POST /api/v1/windows/{n}/checklist
// {"material","state":"accepted"|"correction"|"","note"}.
func (s *Server) markMaterial(w http.ResponseWriter, r *http.Request, c caller, n int) {
	var req struct {
		Material string `json:"material"`
		State    string `json:"state"`
		Note     string `json:"note"`
	}
	if !decode(w, r, &req, false) {
		return
	}
	t, err := s.hall.MarkMaterial(r.Context(), c.actor(), n, req.Material, req.State, req.Note)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ticket": s.view(t, 0, true, true)})
}
