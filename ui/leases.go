// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"net/http"
	"time"

	"yichuang/kiosk"
)

// leaseView is a block of numbers as a terminal node stores it.
type leaseView struct {
	Day          string    `json:"day"`
	Zone         string    `json:"zone"`
	Prefix       string    `json:"prefix"`
	Terminal     string    `json:"terminal"`
	From         int       `json:"from"`
	To           int       `json:"to"`
	GrantedAt    time.Time `json:"granted_at"`
	Expires      time.Time `json:"expires"`
	ReturnedFrom int       `json:"returned_from,omitempty"`
}

func (s *Server) leaseView(l kiosk.Lease) leaseView {
	return leaseView{Day: l.Day, Zone: l.Zone, Prefix: l.Prefix, Terminal: l.Terminal, From: l.From, To: l.To,
		GrantedAt: l.GrantedAt.In(s.cfg.Location), Expires: l.Expires.In(s.cfg.Location), ReturnedFrom: l.ReturnedFrom}
}

// grantLeases grants the calling terminal node one more block of numbers
// per zone: POST /api/v1/leases {"zones":["A",..]} (none: every zone), with
// an Idempotency-Key so a retry gets the same blocks. The answer carries the
// hall's public URL, for the status links on tickets issued offline.
func (s *Server) grantLeases(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	var req struct {
		Zones []string `json:"zones"`
	}
	if !decode(w, r, &req, true) {
		return
	}
	ls, err := s.hall.GrantLeases(r.Context(), c.actor(), r.Header.Get("Idempotency-Key"), req.Zones)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	views := make([]leaseView, 0, len(ls))
	for _, l := range ls {
		views = append(views, s.leaseView(l))
	}
	writeJSON(w, http.StatusCreated, map[string]any{"leases": views, "public_url": s.cfg.PublicURL})
}

// returnLease gives back the unused tail of one of the caller's blocks:
// POST /api/v1/leases/return {"day","zone","block_from","from"}.
func (s *Server) returnLease(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	var req struct {
		Day       string `json:"day"`
		Zone      string `json:"zone"`
		BlockFrom int    `json:"block_from"`
		From      int    `json:"from"`
	}
	if !decode(w, r, &req, false) {
		return
	}
	if _, err := time.Parse(time.DateOnly, req.Day); err != nil {
		writeError(w, http.StatusBadRequest, "day", "a date YYYY-MM-DD is needed")
		return
	}
	l, err := s.hall.ReturnLease(r.Context(), c.actor(), req.Day, req.Zone, req.BlockFrom, req.From)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"lease": s.leaseView(l)})
}

// listLeases shows the blocks granted on a day: GET /api/v1/leases?date=.
func (s *Server) listLeases(w http.ResponseWriter, r *http.Request) {
	day := r.URL.Query().Get("date")
	if day == "" {
		day = s.hall.Today()
	} else if _, err := time.Parse(time.DateOnly, day); err != nil {
		writeError(w, http.StatusBadRequest, "date", "a date YYYY-MM-DD is needed")
		return
	}
	ls := s.hall.Leases(day)
	views := make([]leaseView, 0, len(ls))
	for _, l := range ls {
		views = append(views, s.leaseView(l))
	}
	writeJSON(w, http.StatusOK, map[string]any{"day": day, "leases": views})
}
