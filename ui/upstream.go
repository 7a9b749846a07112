// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"yichuang/config"
	"yichuang/kiosk"
)

// Upstream is the hall node as a terminal node reaches it (nil on the hall
// node itself). A terminal node keeps its devices, its pages, its events
// stream and its materials; the queue, cases and the rest live on the hall
// node, and their endpoints are forwarded there.
type Upstream interface {
	// Forward passes a request on to the hall node as this terminal and
	// copies the answer back (503 in words when the hall node is away).
	Forward(w http.ResponseWriter, r *http.Request)
	// ForwardPublic passes a request on without this terminal's
	// credentials: a public status link carries its own key.
	ForwardPublic(w http.ResponseWriter, r *http.Request)
	// Issue issues a ticket through the hall node's queue, or from this
	// terminal's block of numbers when the hall node cannot be reached in
	// time. key is the caller's idempotency key.
	Issue(ctx context.Context, key string, req kiosk.IssueRequest) (Forwarded, error)
	// CheckIn checks an appointment in through the hall node: path and body
	// as the caller sent them.
	CheckIn(ctx context.Context, key, path string, body []byte) (Forwarded, error)
	// Cancel withdraws a ticket that could not be printed.
	Cancel(ctx context.Context, f Forwarded, reason string) error
	// Attach hands a material of this node to the ticket window n holds,
	// durably.
	Attach(ctx context.Context, window int, materialID string) (Attached, error)
	// Status describes the link to the hall node.
	Status(ctx context.Context) UpstreamStatus
}

// Forwarded is a ticket the hall node issued to a terminal node, or that
// the terminal node issued from its block while the hall node was away.
type Forwarded struct {
	Result    kiosk.IssueResult
	StatusURL string
	// OfflineLeft is how many more tickets this terminal can issue offline
	// (-1: not known).
	OfflineLeft int
	// Key is the request's idempotency key (for Cancel).
	Key string
}

// Attached is the answer to a material handed to a window's ticket.
type Attached struct {
	Status int
	Body   []byte
	// Queued: the hall node is away; the material is kept on this node and
	// sent when it is back.
	Queued bool
}

// UpstreamStatus describes a terminal node's link to its hall node.
type UpstreamStatus struct {
	URL         string         `json:"url"`
	Online      bool           `json:"online"`
	Pending     int            `json:"pending"` // requests waiting in the outbox
	Failed      int            `json:"failed"`  // requests the hall node refused
	OfflineLeft map[string]int `json:"offline_left"`
	LastError   string         `json:"last_error,omitempty"`
	Since       time.Time      `json:"since"` // when Online last changed
}

// UpstreamError is the hall node's refusal of a request, passed on to the
// caller as it came.
type UpstreamError struct {
	Status int
	Body   []byte
}

func (e *UpstreamError) Error() string {
	return fmt.Sprintf("upstream: the hall node answered %d: %s", e.Status, e.Body)
}

// hallOwned is h on the hall node; on a terminal node the request goes on
// to the hall node (after this node checked the caller's token and role).
func (s *Server) hallOwned(h http.HandlerFunc) http.HandlerFunc {
	if s.up == nil {
		return h
	}
	return s.up.Forward
}

// hallPublic is h, which needs no terminal token, on the hall node; on a
// terminal node a request bearing one of this node's staff or kiosk tokens
// goes on as this terminal, any other as it came: never with this
// terminal's credentials for a caller who has none (nor for a display,
// which the hall node shows no personal data).
func (s *Server) hallPublic(h http.HandlerFunc) http.HandlerFunc {
	if s.up == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if t, ok := s.lookup(bearer(r)); ok && t.Role != config.RoleDisplay {
			s.up.Forward(w, r)
			return
		}
		s.up.ForwardPublic(w, r)
	}
}

// failUpstream answers an error of the upstream path.
func (s *Server) failUpstream(w http.ResponseWriter, r *http.Request, err error) {
	var ue *UpstreamError
	if errors.As(err, &ue) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(ue.Status)
		_, _ = w.Write(ue.Body)
		return
	}
	s.fail(w, r, err)
}

// localKey makes a caller's idempotency key this node's: the local
// terminal's id before it, a random one when the caller gave none.
func localKey(c caller, key string) string {
	if key == "" {
		var b [12]byte
		_, _ = rand.Read(b[:])
		key = hex.EncodeToString(b[:])
	}
	return c.ID + ":" + key
}

// issueUpstream issues a ticket on a terminal node.
func (s *Server) issueUpstream(w http.ResponseWriter, r *http.Request, c caller, req kiosk.IssueRequest) {
	if req.Offline != nil {
		writeError(w, http.StatusBadRequest, "offline", "a terminal node makes its offline claims itself")
		return
	}
	if req.Submission != nil {
		for i, id := range req.Submission.Materials {
			if _, _, err := s.hall.MaterialFor(r.Context(), c.actor(), id); err != nil {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("submission.materials[%d]", i), id+": not a material of this terminal")
				return
			}
		}
	}
	if req.Pickup != nil {
		// only the hall node knows what is ready: asked at once, never from
		// the offline block
		body, err := json.Marshal(req)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f, err := s.up.CheckIn(r.Context(), localKey(c, r.Header.Get("Idempotency-Key")), "/api/v1/tickets", body)
		if err != nil {
			s.failUpstream(w, r, err)
			return
		}
		s.answerForwarded(w, r, c, f)
		return
	}
	f, err := s.up.Issue(r.Context(), localKey(c, r.Header.Get("Idempotency-Key")), req)
	if err != nil {
		s.failUpstream(w, r, err)
		return
	}
	s.answerForwarded(w, r, c, f)
}

// answerForwarded answers a ticket a terminal node got, printed here.
func (s *Server) answerForwarded(w http.ResponseWriter, r *http.Request, c caller, f Forwarded) (issuedView, bool) {
	var left *int
	if f.OfflineLeft >= 0 {
		left = &f.OfflineLeft
	}
	return s.answer(w, r, c, f.Result, f.StatusURL, left, func(ctx context.Context, reason string) error {
		return s.up.Cancel(ctx, f, reason)
	})
}

// checkInUpstream checks an appointment in through the hall node and
// prints the ticket here.
func (s *Server) checkInUpstream(w http.ResponseWriter, r *http.Request, c caller) {
	body, err := readBody(w, r)
	if err != nil {
		return
	}
	f, err := s.up.CheckIn(r.Context(), localKey(c, r.Header.Get("Idempotency-Key")), r.URL.Path, body)
	if err != nil {
		s.failUpstream(w, r, err)
		return
	}
	// the hall node sends appointment.checked_in to this node's token; the
	// event relay passes it on to this node's screens
	s.answerForwarded(w, r, c, f)
}

// attachUpstream hands a material of this node to the ticket the window
// holds: 200 as the hall node answers, or 202 when it waits here for the
// hall node.
func (s *Server) attachUpstream(w http.ResponseWriter, r *http.Request, c caller, n int) {
	var req struct {
		MaterialID string `json:"material_id"`
	}
	if !decode(w, r, &req, false) {
		return
	}
	if _, _, err := s.hall.MaterialFor(r.Context(), c.actor(), req.MaterialID); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.up.Attach(r.Context(), n, req.MaterialID)
	if err != nil {
		s.failUpstream(w, r, err)
		return
	}
	if a.Queued {
		writeJSON(w, http.StatusAccepted, map[string]any{"queued": true,
			"message": "大厅服务器暂时无法连接，材料已保存在本机，恢复后自动上传 (the hall node is away: the material is kept here and sent when it is back)"})
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(a.Status)
	_, _ = w.Write(a.Body)
}

// upstreamStatus answers GET /api/v1/upstream: the link to the hall node
// (on the hall node itself: none).
func (s *Server) upstreamStatus(w http.ResponseWriter, r *http.Request) {
	if s.up == nil {
		writeJSON(w, http.StatusOK, map[string]any{"role": "hall"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"role": "terminal", "upstream": s.up.Status(r.Context())})
}

// readBody reads a whole request body of at most maxBody bytes; on an
// error it has answered.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusBadRequest, "", "the body could not be read whole, or is over 1 MiB")
		return nil, err
	}
	return b, nil
}

// onHallNode says whether a material this terminal node does not have (or
// may not show) is to be asked of the hall node: the materials of a
// submission the window serves live there.
func (s *Server) onHallNode(err error) bool {
	if s.up == nil {
		return false
	}
	k := kiosk.KindOf(err)
	return k == kiosk.KindNotFound || k == kiosk.KindForbidden
}

// queueUpstream answers GET /api/v1/queue on a terminal node: the hall
// node's waiting counts, with this node's event seq, which the pages pass
// as ?since= to this node's event stream (taken first, so no event falls
// between the two).
func (s *Server) queueUpstream(w http.ResponseWriter, r *http.Request) {
	seq := s.hall.LastSeq()
	rec := s.relay(r)
	var m map[string]any
	if rec.status == http.StatusOK && json.Unmarshal(rec.body.Bytes(), &m) == nil {
		m["seq"] = seq
		writeJSON(w, http.StatusOK, m)
		return
	}
	rec.passOn(w)
}

// captured is an answer held to be changed before it goes out.
type captured struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// passOn writes the held answer as it came.
func (c *captured) passOn(w http.ResponseWriter) {
	for k, v := range c.header {
		w.Header()[k] = v
	}
	w.WriteHeader(c.status)
	_, _ = w.Write(c.body.Bytes())
}

// relay sends r on to the hall node as this terminal and holds the answer.
func (s *Server) relay(r *http.Request) *captured {
	rec := &captured{header: http.Header{}}
	s.up.Forward(rec, r)
	return rec
}

// askHall asks the hall node GET path as this terminal, for the caller of
// r (its staff session goes too), and holds the answer.
func (s *Server) askHall(r *http.Request, path string) *captured {
	req := r.Clone(r.Context())
	req.Method = http.MethodGet
	req.Body, req.ContentLength = http.NoBody, 0
	req.Header.Del("Content-Type")
	req.URL.Path, req.URL.RawPath, req.URL.RawQuery = path, "", ""
	return s.relay(req)
}

func (c *captured) Header() http.Header { return c.header }
func (c *captured) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}
func (c *captured) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}

// reprintUpstream prints again, on this terminal node's printer, a waiting
// ticket as the hall node has it.
func (s *Server) reprintUpstream(w http.ResponseWriter, r *http.Request, p Printer) {
	rec := s.askHall(r, "/api/v1/tickets/"+url.PathEscape(r.PathValue("id")))
	var v ticketView
	if rec.status != http.StatusOK || json.Unmarshal(rec.body.Bytes(), &v) != nil {
		rec.passOn(w)
		return
	}
	if v.Status != kiosk.StatusWaiting {
		writeError(w, http.StatusConflict, "", "ticket "+v.Number+" is "+v.Status+", not waiting")
		return
	}
	t := kiosk.Ticket{ID: v.ID, Number: v.Number, Zone: v.Zone, Priority: v.Priority, Matter: v.Matter, Package: v.Package,
		Status: v.Status, IssuedAt: v.IssuedAt, Offline: v.Offline}
	pt := s.printable(&t, v.WaitingAhead)
	pt.StatusURL, pt.Offline = v.StatusURL, v.Offline
	if err := p.PrintTicket(r.Context(), pt); err != nil {
		writeError(w, http.StatusServiceUnavailable, "", "打印失败 (printing failed): "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"number": v.Number, "printed": true})
}
