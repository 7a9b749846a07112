// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"net/http"

	"github.com/skip2/go-qrcode"

	"yichuang/kiosk"
)

// ticketQR answers GET /api/v1/tickets/{id}/qr.png: the ticket's status
// link as a QR code, for the kiosk's result screen (a phone follows the
// queue from it). The same callers as GET /api/v1/tickets/{id}: any
// terminal token, or the status link's own key; a display's token too (it
// shows no personal data: the link holds none).
func (s *Server) ticketQR(w http.ResponseWriter, r *http.Request) {
	tok := bearer(r)
	_, isTerminal := s.lookup(tok)
	if !isTerminal && !s.publicLimit.allow(clientAddr(r)) {
		tooMany(w)
		return
	}
	t, _, err := s.hall.Ticket(r.Context(), r.PathValue("id"))
	if err != nil {
		if kiosk.KindOf(err) == kiosk.KindNotFound && !isTerminal {
			writeError(w, http.StatusUnauthorized, "", "a valid terminal token or the ticket's status link is needed")
			return
		}
		s.fail(w, r, err)
		return
	}
	if !isTerminal && (tok == "" || !constantEqual(tok, t.StatusKey)) {
		writeError(w, http.StatusUnauthorized, "", "a valid terminal token or the ticket's status link is needed")
		return
	}
	png, err := qrcode.Encode(s.statusURL(&t), qrcode.Medium, 320)
	if err != nil {
		s.log.Error("ticket QR", "ticket", t.ID, "err", err)
		writeError(w, http.StatusInternalServerError, "", "二维码生成失败 (the QR code could not be made)")
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(png)
}
