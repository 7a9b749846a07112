// SPDX-License-Identifier: AGPL-3.0-or-later

// Package ui serves the hall over HTTP: the JSON API of DESIGN.md, the
// WebSocket event stream and the embedded web app.
package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/kiosk"
	"yichuang/kiosk/staff"
)

// Server is the hall's HTTP front.
type Server struct {
	hall          *kiosk.Hall
	up            Upstream
	district      District
	cfg           *config.Config
	log           *slog.Logger
	hub           *Hub
	tokens        atomic.Pointer[tokenTable] // swapped whole by SetTerminals
	health        *devices.Health
	printers      map[string]Printer
	simCard       func(kind string) error
	docs          Documents
	voice         func(id int64) ([]byte, bool)
	staff         *staff.Desk
	speak         func(ctx context.Context, text string) ([]byte, error)
	scanners      map[string]Scanner
	terminalLimit *limiter
	publicLimit   *limiter
	mux           *http.ServeMux
	handler       http.Handler
	metrics       *metrics
	start         time.Time
	spoolDir      string
	uploadSlots   chan struct{} // uploads held in memory at once (uploads.go)
	disk          *diskWatch    // disk.go
	materialSlots chan struct{} // heavy.go
	rangeSlots    chan struct{}
	patterns      []string // every route registered, in order (routeTable)
}

// Options configure a Server.
type Options struct {
	Hall   *kiosk.Hall
	Hub    *Hub
	Logger *slog.Logger
	// Health holds this machine's devices' states for /healthz; nil: none.
	Health *devices.Health
	// Printers are the ticket printers by terminal id: a ticket issued by
	// that terminal counts only once it is printed.
	Printers map[string]Printer
	// Documents validates uploads and renders pages; nil: none on this node.
	Documents Documents
	// Scanners are the document scanners by terminal id.
	Scanners map[string]Scanner
	// Speak renders words to speech (WAV) for the kiosk's elder-mode voice
	// guidance; nil: the pages use the browser's own speech, if any.
	Speak func(ctx context.Context, text string) ([]byte, error)
	// Staff signs window and guide staff in; nil: nobody signs in.
	Staff *staff.Desk
	// Voice returns a spoken call's audio by the id in voice.ready events.
	Voice func(id int64) ([]byte, bool)
	// Upstream, on a terminal node, is the hall node it forwards to.
	Upstream Upstream
	// District, when this hall node is part of one: the hub or a centre.
	District District
	// DataDir is where the hall writes: /healthz probes it after a write
	// failed for want of disk; "": not watched.
	DataDir string
	// SpoolDir holds upload bodies while they arrive (removed once
	// answered); "": the system's temporary directory.
	SpoolDir string
	// Build names this build for kioskd_build_info.
	Build BuildInfo
	// SimCard, when set, places a sample card on the simulated ID card
	// reader (kind "" lifts it): POST /api/v1/sim/idcard, for trying a kiosk by hand.
	SimCard func(kind string) error
}

// Printer prints a ticket on a terminal's printer.
type Printer interface {
	PrintTicket(ctx context.Context, t devices.Ticket) error
}

// NewServer builds the HTTP handler.
func NewServer(o Options) *Server {
	s := &Server{
		hall: o.Hall, up: o.Upstream, district: o.District, cfg: o.Hall.Config(), log: o.Logger, hub: o.Hub, health: o.Health, printers: o.Printers, simCard: o.SimCard,
		docs: o.Documents, scanners: o.Scanners, voice: o.Voice, staff: o.Staff, speak: o.Speak,
		mux: http.NewServeMux(), start: time.Now(),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := s.SetTerminals(s.cfg.Terminals); err != nil {
		s.log.Error("no terminal token is admitted", "err", err) // Validate has passed them: not reached
	}
	s.terminalLimit = newLimiter(s.cfg.Limits.TerminalPerSecond, s.cfg.Limits.TerminalBurst)
	s.publicLimit = newLimiter(s.cfg.Limits.PublicPerSecond, s.cfg.Limits.PublicBurst)
	s.spoolDir, s.uploadSlots = o.SpoolDir, make(chan struct{}, uploadSlots)
	s.disk = &diskWatch{dir: o.DataDir}
	s.materialSlots, s.rangeSlots = make(chan struct{}, materialSlots), make(chan struct{}, rangeSlots)
	if s.spoolDir == "" {
		s.spoolDir = os.TempDir()
	}
	s.metrics = newMetrics(s, o.Build)
	if s.up == nil && s.hub != nil { // a terminal node's relayed events are the hall node's to count
		s.hub.observe(s.metrics.observe)
	}
	s.routes()
	s.handler = s.metrics.instrument(s.mux)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", contentSecurityPolicy) // ui/csp.go
	s.handler.ServeHTTP(w, r)
}

func (s *Server) routes() {
	m := routeTable{mux: s.mux, patterns: &s.patterns}
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /metrics", s.metricsHandler())
	m.HandleFunc("GET /api/v1/openapi.json", s.openAPI()) // docs/openapi.json
	m.HandleFunc("GET /api/v1/me", s.auth(anyRole, s.me))
	m.HandleFunc("GET /api/v1/messages", s.messagesHandler) // the error codes' words: no token
	m.HandleFunc("POST /api/v1/staff/sign-in", s.auth(roles(config.RoleWindow, config.RoleGuide), s.hallOwned(s.signIn)))
	m.HandleFunc("POST /api/v1/staff/sign-out", s.auth(roles(config.RoleWindow, config.RoleGuide), s.hallOwned(s.signOut)))
	m.HandleFunc("GET /api/v1/catalog", s.auth(anyRole, s.catalog))
	m.HandleFunc("PUT /api/v1/catalog", s.auth(roles(config.RoleAdmin), s.hallOwned(s.putCatalog)))
	m.HandleFunc("GET /api/v1/district/centres", s.auth(roles(config.RoleAdmin), s.hallOwned(s.districtCentres)))
	m.HandleFunc("GET /api/v1/district/stats", s.auth(roles(config.RoleAdmin), s.hallOwned(s.districtStats)))
	m.HandleFunc("GET /api/v1/departments", s.auth(anyRole, s.departments))
	m.HandleFunc("POST /api/v1/tickets", s.auth(roles(config.RoleKiosk, config.RoleGuide), s.issue))
	m.HandleFunc("POST /api/v1/leases", s.auth(roles(config.RoleKiosk, config.RoleGuide), s.hallOwned(s.grantLeases)))
	m.HandleFunc("POST /api/v1/leases/return", s.auth(roles(config.RoleKiosk, config.RoleGuide), s.hallOwned(s.returnLease)))
	m.HandleFunc("GET /api/v1/leases", s.auth(roles(config.RoleAdmin), s.hallOwned(s.listLeases)))
	m.HandleFunc("GET /api/v1/tickets", s.auth(roles(config.RoleGuide, config.RoleWindow, config.RoleAdmin, config.RoleDisplay), s.hallOwned(s.listTickets)))
	m.HandleFunc("GET /api/v1/tickets/{id}", s.hallPublic(s.getTicket)) // a terminal token or the ticket's status token

	// the status link as a QR code (ticketqr.go)
	m.HandleFunc("GET /api/v1/tickets/{id}/qr.png", s.hallPublic(s.ticketQR))
	// the citizen rates: the status link's key, or the window's citizen screen (counter)
	m.HandleFunc("POST /api/v1/tickets/{id}/rating", s.hallPublic(s.rate))
	m.HandleFunc("POST /api/v1/tickets/{id}/print", s.auth(roles(config.RoleKiosk, config.RoleGuide), s.reprint))
	m.HandleFunc("POST /api/v1/tickets/{id}/void", s.auth(roles(config.RoleKiosk, config.RoleGuide, config.RoleAdmin), s.hallOwned(s.void)))
	m.HandleFunc("GET /api/v1/queue", s.auth(anyRole, s.queue))
	m.HandleFunc("GET /api/v1/windows/{n}", s.auth(roles(config.RoleWindow, config.RoleAdmin), s.hallOwned(s.window(s.windowState))))
	for _, op := range []string{"call", "recall", "no-show", "start", "finish", "transfer"} {
		m.HandleFunc("POST /api/v1/windows/{n}/"+op, s.auth(roles(config.RoleWindow), s.hallOwned(s.window(s.windowOp(op)))))
	}
	m.HandleFunc("POST /api/v1/windows/{n}/checklist", s.auth(roles(config.RoleWindow), s.hallOwned(s.window(s.markMaterial))))
	m.HandleFunc("POST /api/v1/windows/{n}/materials", s.auth(roles(config.RoleWindow), s.window(s.attachMaterial)))
	m.HandleFunc("GET /api/v1/cases", s.auth(roles(config.RoleAdmin, config.RoleWindow, config.RoleDepartment), s.hallOwned(s.cases)))
	m.HandleFunc("POST /api/v1/cases/{number}/{action}", s.auth(roles(config.RoleAdmin, config.RoleWindow, config.RoleDepartment), s.hallOwned(s.caseAction)))
	m.HandleFunc("GET /api/v1/stats", s.auth(roles(config.RoleAdmin), s.hallOwned(s.rangeSlot(s.stats))))
	m.HandleFunc("GET /api/v1/stats/packages", s.auth(roles(config.RoleAdmin), s.hallOwned(s.packageStats)))
	m.HandleFunc("GET /api/v1/stats/chart.svg", s.auth(roles(config.RoleAdmin), s.hallOwned(s.rangeSlot(s.statsChart))))
	m.HandleFunc("GET /api/v1/print/preview.png", s.auth(roles(config.RoleAdmin), s.printPreview)) // this node's printer: local on a terminal node
	m.HandleFunc("GET /api/v1/cases/{number}/receipt.pdf", s.auth(slipReaders, s.hallOwned(s.casePDF(devices.SlipReceipt))))
	m.HandleFunc("GET /api/v1/cases/{number}/notice.pdf", s.auth(slipReaders, s.hallOwned(s.casePDF(devices.SlipNotice))))
	m.HandleFunc("GET /api/v1/cases/{number}/rejection.pdf", s.auth(slipReaders, s.hallOwned(s.casePDF(devices.SlipRejection))))
	m.HandleFunc("GET /api/v1/cases/{number}/correction.pdf", s.auth(slipReaders, s.hallOwned(s.casePDF(devices.SlipCorrection))))
	m.HandleFunc("GET /api/v1/cases/{number}/slip/{doc}", s.auth(slipReaders, s.hallOwned(s.slipData)))
	// a case slip prints on this node's printer; the progress page's key is in its link
	m.HandleFunc("POST /api/v1/cases/{number}/{doc}/print", s.auth(roles(config.RoleWindow), s.printSlip))
	m.HandleFunc("GET /api/v1/progress/{number}", s.hallPublic(s.progress))
	m.HandleFunc("GET /api/v1/followups", s.auth(roles(config.RoleAdmin), s.hallOwned(s.followUps)))
	m.HandleFunc("POST /api/v1/followups/{ticket}/close", s.auth(roles(config.RoleAdmin), s.hallOwned(s.closeFollowUp)))
	m.HandleFunc("GET /api/v1/audit", s.auth(roles(config.RoleAdmin), s.hallOwned(s.audit)))
	m.HandleFunc("GET /api/v1/events", s.auth(anyRole, s.events))
	m.HandleFunc("GET /api/v1/upstream", s.auth(anyRole, s.upstreamStatus))
	m.HandleFunc("GET /api/v1/voice/{file}", s.auth(anyRole, s.voiceWAV))
	m.HandleFunc("GET /api/v1/say", s.auth(roles(config.RoleKiosk), s.say))
	m.HandleFunc("POST /api/v1/appointments", s.auth(apptAdmins, s.hallOwned(s.addAppointments)))
	m.HandleFunc("GET /api/v1/appointments", s.auth(apptAdmins, s.hallOwned(s.listAppointments)))
	m.HandleFunc("POST /api/v1/appointments/{code}/check-in", s.auth(roles(config.RoleKiosk, config.RoleGuide), s.checkIn))
	m.HandleFunc("POST /api/v1/appointments/check-in", s.auth(roles(config.RoleKiosk, config.RoleGuide), s.checkIn))
	m.HandleFunc("POST /api/v1/appointments/lookup", s.auth(roles(config.RoleKiosk, config.RoleGuide), s.hallOwned(s.lookupAppointments)))
	// agents (代办员): a member flagged agent signed in at a guide terminal (ui/agents.go)
	m.HandleFunc("POST /api/v1/agent/takeovers", s.auth(roles(config.RoleGuide), s.takeOverRoute()))
	m.HandleFunc("GET /api/v1/agent/matters", s.auth(roles(config.RoleGuide, config.RoleAdmin), s.hallOwned(s.agentMatters)))
	m.HandleFunc("POST /api/v1/agent/materials", s.auth(roles(config.RoleGuide), s.hallOwned(s.agentOnly(s.agentUpload))))
	m.HandleFunc("POST /api/v1/agent/matters/{ticket}/materials", s.auth(roles(config.RoleGuide), s.hallOwned(s.agentOnly(s.handIn))))
	m.HandleFunc("POST /api/v1/materials", s.auth(roles(config.RoleKiosk, config.RoleWindow), s.upload))
	m.HandleFunc("POST /api/v1/scans", s.auth(roles(config.RoleKiosk, config.RoleWindow), s.scan))
	m.HandleFunc("GET /api/v1/materials/{file}", s.auth(materialRoles, s.withSlot(s.materialSlots, s.materialFile)))
	m.HandleFunc("GET /api/v1/materials/{id}/pages/{page}", s.auth(materialRoles, s.withSlot(s.materialSlots, s.materialPage)))
	if s.simCard != nil {
		m.HandleFunc("POST /api/v1/sim/idcard", s.auth(roles(config.RoleKiosk, config.RoleAdmin), s.simIDCard))
	}
	m.HandleFunc("GET /api/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeCoded(w, http.StatusNotFound, "", CodeNoEndpoint, nil, "no such endpoint")
	})
	s.pages(m)
}

// apiError is the one shape of every error answer: words (Chinese first,
// English in parentheses), the field at fault, and a stable code the pages
// translate (GET /api/v1/messages) with params filling its placeholders.
type apiError struct {
	Error  string            `json:"error"`
	Field  string            `json:"field,omitempty"`
	Code   string            `json:"code"`
	Params map[string]string `json:"params,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError answers an error with the generic code of its status.
func writeError(w http.ResponseWriter, status int, field, msg string) {
	writeJSON(w, status, apiError{Error: msg, Field: field, Code: statusCode(status)})
}

// writeCoded answers an error with its own code; with no words given, the
// registry's, both languages.
func writeCoded(w http.ResponseWriter, status int, field, code string, params map[string]string, msg string) {
	if msg == "" {
		m := messages()[code]
		msg = render(m.ZH+" ("+m.EN+")", params)
	}
	writeJSON(w, status, apiError{Error: msg, Field: field, Code: code, Params: params})
}

// fail answers an error from the domain with the status its kind says.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var de *kiosk.Error
	if errors.As(err, &de) {
		status := map[kiosk.Kind]int{
			kiosk.KindInvalid: http.StatusBadRequest, kiosk.KindNotFound: http.StatusNotFound,
			kiosk.KindConflict: http.StatusConflict, kiosk.KindForbidden: http.StatusForbidden,
			kiosk.KindLimit: http.StatusTooManyRequests, kiosk.KindUnsupported: http.StatusUnsupportedMediaType,
			kiosk.KindUnprocessable: http.StatusUnprocessableEntity, kiosk.KindTooLarge: http.StatusRequestEntityTooLarge,
			kiosk.KindUnavailable: http.StatusServiceUnavailable,
		}[de.Kind]
		if status == 0 {
			status = http.StatusBadRequest
		}
		code := de.Code
		if code == "" {
			code = statusCode(status)
		}
		writeCoded(w, status, de.Field, code, de.Params, de.Msg)
		return
	}
	if s.diskFailed(w, r, err) {
		return
	}
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	writeCoded(w, http.StatusInternalServerError, "", CodeInternal, nil, "")
}

// caller is the authenticated terminal of a request, and the member of
// staff signed in on it, if any.
type caller struct {
	config.Terminal
	staff string
}

func (c caller) actor() kiosk.Actor {
	return kiosk.Actor{Terminal: c.ID, Role: c.Role, Window: c.Window, Staff: c.staff}
}

// staffHeader carries a staff session (from POST /api/v1/staff/sign-in).
const staffHeader = "X-Staff-Session"

type ctxKey struct{}

func callerOf(r *http.Request) (caller, bool) {
	c, ok := r.Context().Value(ctxKey{}).(caller)
	return c, ok
}

// bearer returns the token of a request: the Authorization header, or the
// token query parameter (pages and WebSockets opened with ?token=).
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if after, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(after)
		}
		return ""
	}
	return r.URL.Query().Get("token")
}

type roleCheck func(role string) bool

func anyRole(string) bool { return true }

func roles(rs ...string) roleCheck {
	return func(role string) bool {
		for _, r := range rs {
			if r == role {
				return true
			}
		}
		return false
	}
}

// auth admits callers with a valid token (401 otherwise) and an allowed role (403).
func (s *Server) auth(ok roleCheck, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, found := s.lookup(bearer(r))
		if !found {
			// guessing tokens is slowed down like any public caller
			if !s.publicLimit.allow(clientAddr(r)) {
				tooMany(w)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="kioskd"`)
			writeCoded(w, http.StatusUnauthorized, "", CodeTokenRequired, nil, "a valid terminal token is needed")
			return
		}
		if !s.terminalLimit.allowN(t.ID, s.costOf(r)) {
			tooMany(w)
			return
		}
		if !ok(t.Role) {
			writeCoded(w, http.StatusForbidden, "", CodeRoleForbidden, map[string]string{"role": t.Role}, fmt.Sprintf("a %s terminal may not do this", t.Role))
			return
		}
		c := caller{Terminal: t}
		// on a terminal node the hall node holds the staff sessions and checks them
		if tok := r.Header.Get(staffHeader); tok != "" && s.staff != nil && s.up == nil {
			sess, err := s.staff.Session(t.ID, tok)
			if err != nil {
				writeCoded(w, http.StatusUnauthorized, staffHeader, CodeStaffSessionEnded, nil, "")
				return
			}
			c.staff = sess.Staff
		}
		// with staff.required, a window or guide terminal changes nothing
		// until someone signs in on it
		if s.up == nil && s.cfg.Staff.Required && c.staff == "" && r.Method == http.MethodPost &&
			(t.Role == config.RoleWindow || t.Role == config.RoleGuide) && !strings.HasPrefix(r.URL.Path, "/api/v1/staff/") {
			writeCoded(w, http.StatusUnauthorized, staffHeader, CodeStaffSignIn, nil, "")
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, c)))
	}
}

const maxBody = 1 << 20

// decode reads one JSON object into v: unknown fields, wrong types,
// trailing data and oversized bodies are 400s naming the field.
func decode(w http.ResponseWriter, r *http.Request, v any, optional bool) bool {
	body := http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) && optional {
		return true
	}
	if err == nil {
		if dec.More() {
			err = errors.New("trailing data after the JSON object")
		} else if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("trailing data after the JSON object")
		}
	}
	if err == nil {
		return true
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &te):
		writeCoded(w, http.StatusBadRequest, te.Field, CodeFieldType, map[string]string{"field": te.Field}, fmt.Sprintf("%s must be %s, not %s", te.Field, te.Type, te.Value))
	case errors.As(err, &se):
		writeCoded(w, http.StatusBadRequest, "", CodeMalformedJSON, nil, fmt.Sprintf("malformed JSON at byte %d", se.Offset))
	case errors.As(err, &mbe):
		writeCoded(w, http.StatusRequestEntityTooLarge, "", CodeBodyTooLarge, nil, fmt.Sprintf("the body is over %d bytes", maxBody))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		writeCoded(w, http.StatusBadRequest, field, CodeUnknownField, map[string]string{"field": field}, "unknown field "+field)
	case errors.Is(err, io.EOF):
		writeCoded(w, http.StatusBadRequest, "", CodeBodyRequired, nil, "a JSON body is needed")
	default:
		writeCoded(w, http.StatusBadRequest, "", CodeMalformedJSON, nil, "bad JSON: "+err.Error())
	}
	return false
}
