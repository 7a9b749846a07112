// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"net/http"
	"time"
)

// Requests whose answer is built whole in memory are bounded by how many
// run at once, not by what they ask: a material read holds the document
// and its sealed copy (up to twice [materials] max_bytes), so only
// materialSlots run at once; statistics over a range of days hold every
// ticket of the range (up to a year's), so only one such runs at once.
// The others wait up to slotWait, then are told to retry (503, in words).
const (
	materialSlots = 4
	rangeSlots    = 1
	slotWait      = 30 * time.Second
)

// withSlot runs next holding one of slots.
func (s *Server) withSlot(slots chan struct{}, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(slotWait)
		defer t.Stop()
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next(w, r)
		case <-t.C:
			w.Header().Set("Retry-After", "5")
			writeError(w, http.StatusServiceUnavailable, "", "服务器正忙，请稍后再试 (the server is busy with other large requests; try again shortly)")
		case <-r.Context().Done():
		}
	}
}

// rangeSlot runs next holding a range slot when it asks for a range of
// days (from, to); a single day's statistics need none.
func (s *Server) rangeSlot(next http.HandlerFunc) http.HandlerFunc {
	slotted := s.withSlot(s.rangeSlots, next)
	return func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query(); q.Get("from") != "" || q.Get("to") != "" {
			slotted(w, r)
			return
		}
		next(w, r)
	}
}
