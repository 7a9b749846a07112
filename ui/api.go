// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/kiosk"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	devs := map[string]devices.Status{}
	if s.health != nil {
		devs = s.health.Snapshot()
	}
	out := map[string]any{"status": "ok", "devices": devs}
	s.diskHealth(out) // disk.go
	if s.up != nil {
		out["upstream"] = s.up.Status(r.Context())
	}
	writeJSON(w, http.StatusOK, out)
}

type zoneView struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	NameEN      string   `json:"name_en,omitempty"`
	Prefix      string   `json:"prefix"`
	Windows     []int    `json:"windows"`
	Departments []string `json:"departments"`
}

func (s *Server) zoneViews() []zoneView {
	out := make([]zoneView, 0, len(s.cfg.Zones))
	for _, z := range s.cfg.Zones {
		out = append(out, zoneView{ID: z.ID, Name: z.Name, NameEN: z.NameEN, Prefix: z.Prefix, Windows: z.Windows, Departments: z.Departments})
	}
	return out
}

func (s *Server) catalog(w http.ResponseWriter, r *http.Request) {
	cat := s.hall.Catalog()
	ms, ps := cat.Search(r.URL.Query().Get("q"))
	// the matters' and packages' JSON was encoded once, with the catalog:
	// an answer is their concatenation (the same bytes json.Marshal gives)
	var zb bytes.Buffer
	enc := json.NewEncoder(&zb)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s.zoneViews()); err != nil {
		s.fail(w, r, err)
		return
	}
	zones := bytes.TrimSuffix(zb.Bytes(), []byte("\n"))
	b := make([]byte, 0, 4096+300*(len(ms)+len(ps)))
	b = append(b, `{"matters":[`...)
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		b = cat.AppendJSON(b, m)
	}
	b = append(b, `],"packages":[`...)
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = cat.AppendJSON(b, p)
	}
	b = strconv.AppendUint(append(b, `],"version":`...), s.hall.CatalogVersion(), 10)
	b = append(append(append(b, `,"zones":`...), zones...), "}\n"...)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// statusURL is the public link of a ticket's status page.
func (s *Server) statusURL(t *kiosk.Ticket) string {
	return s.cfg.PublicURL + "/s/" + t.ID + "?token=" + t.StatusKey
}

type issuedView struct {
	ID           string    `json:"id"`
	Number       string    `json:"number"`
	Zone         string    `json:"zone"`
	ZoneName     string    `json:"zone_name"`
	Matter       string    `json:"matter,omitempty"`
	Package      string    `json:"package,omitempty"`
	Priority     bool      `json:"priority"`
	Status       string    `json:"status"`
	WaitingAhead int       `json:"waiting_ahead"`
	IssuedAt     time.Time `json:"issued_at"`
	StatusURL    string    `json:"status_url"`
	Printed      *bool     `json:"printed,omitempty"`
	PrintError   string    `json:"print_error,omitempty"`
	// Offline: issued by a terminal node from its block of numbers while
	// the hall node could not be reached.
	Offline bool `json:"offline,omitempty"`
	// OfflineLeft: how many more tickets the terminal can issue offline.
	OfflineLeft *int `json:"offline_left,omitempty"`
	// Agent: the agent (代办员) who took the ticket on the citizen's behalf.
	Agent *kiosk.Agency `json:"agent,omitempty"`
	// New: this request made the ticket (not a replay, nor a ticket the
	// citizen already held): a terminal node prints it.
	New bool `json:"new,omitempty"`
	// Purpose "pickup": the ticket collects the ready Cases (出件).
	Purpose string   `json:"purpose,omitempty"`
	Cases   []string `json:"cases,omitempty"`
}

func (s *Server) zoneName(id string) string {
	for _, z := range s.cfg.Zones {
		if z.ID == id {
			return z.Name
		}
	}
	return ""
}

func (s *Server) issue(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	var req kiosk.IssueRequest
	if !decode(w, r, &req, false) {
		return
	}
	if s.up != nil {
		s.issueUpstream(w, r, c, req)
		return
	}
	req.IdempotencyKey = r.Header.Get("Idempotency-Key")
	res, err := s.hall.Issue(r.Context(), c.actor(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.answerIssued(w, r, c, res)
}

// answerIssued answers a ticket issue (or an appointment's check-in): a new
// ticket on a terminal with a printer counts only once printed.
func (s *Server) answerIssued(w http.ResponseWriter, r *http.Request, c caller, res kiosk.IssueResult) (issuedView, bool) {
	return s.answer(w, r, c, res, s.statusURL(&res.Ticket), nil, func(ctx context.Context, reason string) error {
		return s.hall.Void(ctx, c.actor(), res.Ticket.ID, reason)
	})
}

// answer answers a ticket issued here or by the hall node: printed first
// on a terminal with a printer; a ticket that did not print is voided
// (void) unless config holds it for reprint.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, c caller, res kiosk.IssueResult, statusURL string, offlineLeft *int,
	void func(ctx context.Context, reason string) error) (issuedView, bool) {
	t := res.Ticket
	status := http.StatusCreated
	if !res.Created && !res.Replay {
		status = http.StatusOK // the citizen already holds this ticket (请勿重复取号)
	}
	v := issuedView{
		ID: t.ID, Number: t.Number, Zone: t.Zone, ZoneName: s.zoneName(t.Zone), Matter: t.Matter, Package: t.Package,
		Priority: t.Priority, Status: t.Status, WaitingAhead: res.WaitingAhead, IssuedAt: t.IssuedAt.In(s.cfg.Location),
		StatusURL: statusURL, Offline: t.Offline, OfflineLeft: offlineLeft, New: res.Created && !res.Replay, Agent: s.agencyView(t.Agent),
		Purpose: t.Purpose, Cases: t.Cases,
	}
	if p := s.printers[c.ID]; p != nil && res.Created {
		printed := true
		pt := s.printable(&t, res.WaitingAhead)
		pt.StatusURL, pt.Offline = statusURL, t.Offline
		if perr := p.PrintTicket(r.Context(), pt); perr != nil {
			printed = false
			s.metrics.printFailures.Inc()
			s.log.Warn("ticket not printed", "terminal", c.ID, "ticket", t.Number, "err", perr)
			if s.cfg.Devices.Printer.OnFailure != "hold" {
				// a ticket nobody holds on paper must not wait in the queue
				if verr := void(r.Context(), "print failed: "+perr.Error()); verr != nil {
					s.failUpstream(w, r, verr)
					return v, false
				}
				writeCoded(w, http.StatusServiceUnavailable, "", CodeTicketPrintFailed, nil, "取号凭条打印失败，请到导办台取号 (the ticket could not be printed; please go to the guide desk)")
				return v, false
			}
			v.PrintError = "取号凭条打印失败，请到导办台补打 (not printed: the guide desk reprints it)"
		}
		v.Printed = &printed
	}
	writeJSON(w, status, v)
	return v, true
}

// printable is what the printer prints of a ticket: no name, no ID number.
func (s *Server) printable(t *kiosk.Ticket, ahead int) devices.Ticket {
	pt := devices.Ticket{
		Hall: s.cfg.Hall.Name, Zone: t.Zone, ZoneName: s.zoneName(t.Zone), Number: t.Number,
		WaitingAhead: ahead, IssuedAt: t.IssuedAt.In(s.cfg.Location), StatusURL: s.statusURL(t),
		Priority: t.Priority, Notices: s.cfg.Devices.Printer.Notices,
	}
	if m, ok := s.hall.Catalog().Matter(t.Matter); ok {
		pt.Matter = m.Name
	} else if p, ok := s.hall.Catalog().Package(t.Package); ok {
		pt.Matter = p.Name
	}
	return pt
}

// reprint prints a waiting ticket again on the caller's printer.
func (s *Server) reprint(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	if !decode(w, r, &struct{}{}, true) {
		return
	}
	p := s.printers[c.ID]
	if p == nil {
		writeError(w, http.StatusConflict, "", "this terminal has no printer")
		return
	}
	if s.up != nil {
		s.reprintUpstream(w, r, p)
		return
	}
	t, ahead, err := s.hall.Ticket(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if t.Status != kiosk.StatusWaiting {
		writeError(w, http.StatusConflict, "", "ticket "+t.Number+" is "+t.Status+", not waiting")
		return
	}
	if err := p.PrintTicket(r.Context(), s.printable(&t, ahead)); err != nil {
		writeError(w, http.StatusServiceUnavailable, "", "打印失败 (printing failed): "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"number": t.Number, "printed": true})
}

// ticketView is a ticket as a caller may see it: the submission only for
// the window serving it, the terminal that issued it and admins.
type ticketView struct {
	ID           string     `json:"id"`
	Number       string     `json:"number"`
	Zone         string     `json:"zone"`
	ZoneName     string     `json:"zone_name"`
	Status       string     `json:"status"`
	Window       *int       `json:"window"`
	WaitingAhead int        `json:"waiting_ahead"`
	Priority     bool       `json:"priority"`
	Matter       string     `json:"matter,omitempty"`
	Package      string     `json:"package,omitempty"`
	IssuedAt     time.Time  `json:"issued_at"`
	CalledAt     *time.Time `json:"called_at,omitempty"`
	FinishedAt   *time.Time `json:"finished_at,omitempty"`
	Result       string     `json:"result,omitempty"`
	Recalls      int        `json:"recalls"`
	Transferred  bool       `json:"transferred,omitempty"`
	Offline      bool       `json:"offline,omitempty"` // issued by a terminal node while the hall node was away
	// PlacedAt: an offline ticket's place in the queue, when the hall put
	// it later than its printed time (after it last knew its terminal online)
	PlacedAt   *time.Time            `json:"placed_at,omitempty"`
	StatusURL  string                `json:"status_url,omitempty"` // staff: the public status link, for a reprint
	Rated      bool                  `json:"rated,omitempty"`
	Submission *kiosk.Submission     `json:"submission,omitempty"`
	Applicant  *maskedApplicant      `json:"applicant,omitempty"`
	Checklist  map[string]kiosk.Mark `json:"checklist,omitempty"`
	Agent      *kiosk.Agency         `json:"agent,omitempty"` // staff only: the agent (代办员) handling it
	Purpose    string                `json:"purpose,omitempty"`
	// Cases, of a pickup ticket: the case numbers, or to the window serving
	// it (and admins) the cases whole (caseView)
	Cases any `json:"cases,omitempty"`
}

type maskedApplicant struct {
	Name           string `json:"name_masked"`
	IDNumberMasked string `json:"id_number_masked"`
}

func (s *Server) view(t *kiosk.Ticket, ahead int, full, staff bool) ticketView {
	v := ticketView{
		ID: t.ID, Number: t.Number, Zone: t.Zone, ZoneName: s.zoneName(t.Zone), Status: t.Status,
		WaitingAhead: ahead, Priority: t.Priority, Matter: t.Matter, Package: t.Package,
		IssuedAt: t.IssuedAt.In(s.cfg.Location), Recalls: t.Recalls, Transferred: t.Transferred, Offline: t.Offline,
	}
	if !t.PlacedAt.IsZero() {
		at := t.PlacedAt.In(s.cfg.Location)
		v.PlacedAt = &at
	}
	if t.Window != 0 {
		n := t.Window
		v.Window = &n
	}
	v.Purpose = t.Purpose
	if staff {
		if len(t.Cases) > 0 {
			v.Cases = t.Cases
		}
		v.Result, v.Rated, v.Checklist = t.Result, t.Rated, t.Checklist
		v.StatusURL = s.statusURL(t)
		v.Agent = s.agencyView(t.Agent)
		if !t.CalledAt.IsZero() {
			at := t.CalledAt.In(s.cfg.Location)
			v.CalledAt = &at
		}
		if !t.FinishedAt.IsZero() {
			at := t.FinishedAt.In(s.cfg.Location)
			v.FinishedAt = &at
		}
		if t.Submission != nil {
			if full {
				v.Submission = t.Submission
			} else {
				v.Applicant = &maskedApplicant{Name: kiosk.MaskName(t.Submission.Applicant.Name), IDNumberMasked: kiosk.MaskID(t.Submission.Applicant.IDNumber)}
			}
		}
	}
	return v
}

// mayReadSubmission says whether a caller sees a ticket's submission whole.
func mayReadSubmission(c caller, t *kiosk.Ticket) bool {
	switch c.Role {
	case config.RoleAdmin:
		return true
	case config.RoleWindow:
		return t.Window == c.Window && (t.Status == kiosk.StatusCalled || t.Status == kiosk.StatusServing || t.Status == kiosk.StatusDone)
	case config.RoleKiosk, config.RoleGuide:
		return t.Terminal == c.ID && t.Active()
	}
	return false
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	tok := bearer(r)
	term, isTerminal := s.lookup(tok)
	t, ahead, err := s.hall.Ticket(r.Context(), id)
	if err != nil {
		if kiosk.KindOf(err) == kiosk.KindNotFound && !isTerminal {
			if !s.publicLimit.allow(clientAddr(r)) {
				tooMany(w)
				return
			}
			writeError(w, http.StatusUnauthorized, "", "a valid terminal token or the ticket's status link is needed")
			return
		}
		s.fail(w, r, err)
		return
	}
	if isTerminal {
		c := caller{Terminal: term}
		full := mayReadSubmission(c, &t)
		v := s.view(&t, ahead, full, c.Role != config.RoleDisplay)
		if full && len(t.Cases) > 0 {
			v.Cases = s.pickupCaseViews(r.Context(), t.Cases)
		}
		writeJSON(w, http.StatusOK, v)
		return
	}
	if !s.publicLimit.allow(clientAddr(r)) {
		tooMany(w)
		return
	}
	if tok == "" || !constantEqual(tok, t.StatusKey) {
		writeError(w, http.StatusUnauthorized, "", "a valid terminal token or the ticket's status link is needed")
		return
	}
	writeJSON(w, http.StatusOK, s.view(&t, ahead, false, false))
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	win := 0
	if c.Role == config.RoleWindow {
		win = c.Window
	}
	ts := s.hall.WaitingTickets(win)
	if date := r.URL.Query().Get("date"); date != "" {
		// a whole day, every status: admins only (GET /api/v1/tickets?date=YYYY-MM-DD)
		if c.Role != config.RoleAdmin {
			writeError(w, http.StatusForbidden, "date", "only an admin sees a whole day's tickets")
			return
		}
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			writeError(w, http.StatusBadRequest, "date", "a date YYYY-MM-DD is needed")
			return
		}
		var err error
		if ts, err = s.hall.DayTickets(r.Context(), date); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	out := make([]ticketView, 0, len(ts))
	for i := range ts {
		out = append(out, s.view(&ts[i], 0, false, c.Role != config.RoleDisplay))
	}
	writeJSON(w, http.StatusOK, map[string]any{"tickets": out})
}

func (s *Server) queue(w http.ResponseWriter, r *http.Request) {
	if s.up != nil {
		s.queueUpstream(w, r)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"zones": s.zoneViews(), "waiting": s.hall.Waiting(), "seq": s.hall.LastSeq()})
}

// rate records the citizen's rating: with the ticket's status link key
// (?token=KEY, no terminal token), or from the counter (the window's
// citizen screen) of the window that finished it. A kiosk, a window or any
// other terminal → 403: staff never rate, nor a stranger at a kiosk.
func (s *Server) rate(w http.ResponseWriter, r *http.Request) {
	tok := bearer(r)
	var a kiosk.Actor
	if term, ok := s.lookup(tok); ok {
		if !s.terminalLimit.allow(term.ID) {
			tooMany(w)
			return
		}
		if term.Role != config.RoleCounter {
			writeCoded(w, http.StatusForbidden, "", kiosk.CodeRatingForbidden, nil, "评价只能由办事群众本人进行 (a "+term.Role+" terminal may not rate)")
			return
		}
		a = caller{Terminal: term}.actor()
	} else {
		if !s.publicLimit.allow(clientAddr(r)) {
			tooMany(w)
			return
		}
		t, _, err := s.hall.Ticket(r.Context(), r.PathValue("id"))
		if err != nil && kiosk.KindOf(err) != kiosk.KindNotFound {
			s.fail(w, r, err)
			return
		}
		if err != nil || tok == "" || !constantEqual(tok, t.StatusKey) {
			writeCoded(w, http.StatusUnauthorized, "", CodeTokenRequired, nil, "a valid terminal token or the ticket's status link is needed")
			return
		}
		a = kiosk.Actor{Terminal: "status-link", Role: kiosk.RoleCitizen}
	}
	var req struct {
		Level   int    `json:"level"`
		Comment string `json:"comment"`
	}
	if !decode(w, r, &req, false) {
		return
	}
	rt, err := s.hall.Rate(r.Context(), a, r.PathValue("id"), req.Level, req.Comment)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"ticket": rt.Number, "level": rt.Level, "name": kiosk.RatingName(rt.Level),
		"follow_up": rt.FollowUp, "follow_up_due": rt.FollowUpDue,
	})
}

func (s *Server) void(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	var req struct {
		Reason string `json:"reason"`
	}
	if !decode(w, r, &req, true) {
		return
	}
	t, _, err := s.hall.Ticket(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if c.Role != config.RoleAdmin && t.Terminal != c.ID {
		writeError(w, http.StatusForbidden, "", "only the terminal that issued a ticket voids it")
		return
	}
	if err := s.hall.Void(r.Context(), c.actor(), t.ID, req.Reason); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// window wraps a window handler: {n} must be a window, and a window
// terminal may act only on its own number.
func (s *Server) window(next func(w http.ResponseWriter, r *http.Request, c caller, n int)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, _ := callerOf(r)
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 1 {
			writeError(w, http.StatusNotFound, "", "no window "+r.PathValue("n"))
			return
		}
		if _, ok := s.cfg.ZoneOf(n); !ok {
			writeError(w, http.StatusNotFound, "", "no window "+r.PathValue("n"))
			return
		}
		if c.Role == config.RoleWindow && c.Window != n {
			writeError(w, http.StatusForbidden, "", "this terminal is window "+strconv.Itoa(c.Window))
			return
		}
		next(w, r, c, n)
	}
}

func (s *Server) windowState(w http.ResponseWriter, r *http.Request, c caller, n int) {
	z, _ := s.cfg.ZoneOf(n)
	out := map[string]any{"window": n, "zone": z.ID, "zone_name": z.Name, "helps": s.cfg.Helps(n), "ticket": nil}
	if t := s.hall.Held(n); t != nil {
		out["ticket"] = s.view(t, 0, true, true)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) windowOp(op string) func(w http.ResponseWriter, r *http.Request, c caller, n int) {
	return func(w http.ResponseWriter, r *http.Request, c caller, n int) {
		a := c.actor()
		var t *kiosk.Ticket
		var err error
		out := map[string]any{}
		switch op {
		case "call":
			var req kiosk.CallRequest
			if !decode(w, r, &req, true) {
				return
			}
			if t, err = s.hall.Call(r.Context(), a, n, req); err == nil && t == nil {
				w.WriteHeader(http.StatusNoContent)
				return
			}
		case "recall":
			if !decode(w, r, &struct{}{}, true) {
				return
			}
			t, err = s.hall.Recall(r.Context(), a, n)
		case "no-show":
			if !decode(w, r, &struct{}{}, true) {
				return
			}
			t, err = s.hall.NoShow(r.Context(), a, n)
		case "start":
			if !decode(w, r, &struct{}{}, true) {
				return
			}
			t, err = s.hall.Start(r.Context(), a, n)
		case "transfer":
			var req kiosk.TransferRequest
			if !decode(w, r, &req, false) {
				return
			}
			t, err = s.hall.Transfer(r.Context(), a, n, req)
		case "finish":
			var req kiosk.FinishRequest
			if !decode(w, r, &req, true) {
				return
			}
			var cases []kiosk.Case
			t, cases, err = s.hall.Finish(r.Context(), a, n, req)
			if cases != nil {
				out["cases"] = s.caseViews(cases)
			}
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out["ticket"] = s.view(t, 0, true, true)
		writeJSON(w, http.StatusOK, out)
	}
}

type caseView struct {
	Number     string   `json:"number"`
	Ticket     string   `json:"ticket"`
	Matter     string   `json:"matter"`
	MatterName string   `json:"matter_name"`
	Department string   `json:"department"`
	Due        string   `json:"due"`
	State      string   `json:"state"`
	Parent     string   `json:"parent"`
	Package    string   `json:"package,omitempty"`
	Delivery   string   `json:"delivery"`
	Light      string   `json:"light,omitempty"` // green, yellow, red (督办)
	Suspended  string   `json:"suspended,omitempty"`
	Waybill    string   `json:"waybill,omitempty"`
	Materials  []string `json:"materials,omitempty"`
	AcceptedAt string   `json:"accepted_at"`
	Agent      string   `json:"agent,omitempty"` // the agent (代办员) handling it
	// a window's decision not to accept (不予受理, 补正): its reason or the
	// materials to correct; the case's steps (routed to whom)
	Reason      string           `json:"reason,omitempty"`
	Corrections []string         `json:"corrections,omitempty"`
	History     []kiosk.CaseStep `json:"history,omitempty"`
}

func (s *Server) caseViews(cs []kiosk.Case) []caseView {
	out := make([]caseView, 0, len(cs))
	for _, c := range cs {
		out = append(out, caseView{Number: c.Number, Ticket: c.TicketID, Matter: c.Matter, MatterName: c.MatterName, Department: c.Department,
			Due: c.Due, State: c.State, Parent: c.Parent, Package: c.Package, Delivery: c.Delivery, Light: s.hall.Light(c),
			Suspended: c.Suspended, Waybill: c.Waybill, Materials: c.Materials, Agent: c.Agent,
			Reason: c.Reason, Corrections: c.Corrections, History: c.History,
			AcceptedAt: c.AcceptedAt.In(s.cfg.Location).Format(time.RFC3339)})
	}
	return out
}

// cases lists cases: ?ticket=ID (the contract: admin, or the window that
// served it); admins and back offices also by ?department=, ?open=1 and
// ?light=red|yellow|green (a back office sees its own department only).
func (s *Server) cases(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	q := r.URL.Query()
	cq := kiosk.CaseQuery{TicketID: q.Get("ticket"), Department: q.Get("department"), Open: q.Get("open") == "1" || q.Get("open") == "true"}
	if win := q.Get("window"); win != "" {
		n, err := strconv.Atoi(win)
		switch {
		case err != nil || n <= 0:
			writeCoded(w, http.StatusBadRequest, "window", CodeWindowRequired, nil, "窗口号有误 (a window number is needed)")
			return
		case c.Role == config.RoleWindow && n != c.Window:
			writeCoded(w, http.StatusForbidden, "window", CodeWindowNotYours, map[string]string{"window": strconv.Itoa(c.Window)}, "")
			return
		case c.Role == config.RoleDepartment:
			writeError(w, http.StatusForbidden, "window", "a back office lists its department's cases")
			return
		}
		s.windowCases(w, r, kiosk.CaseQuery{Window: n, TicketID: cq.TicketID, Open: cq.Open})
		return
	}
	if cq.TicketID != "" {
		t, _, err := s.hall.Ticket(r.Context(), cq.TicketID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if c.Role == config.RoleWindow && t.Window != c.Window {
			writeError(w, http.StatusForbidden, "", "ticket "+t.Number+" is not served at this window")
			return
		}
	} else if c.Role == config.RoleWindow {
		writeError(w, http.StatusBadRequest, "ticket", "give ?ticket=ID")
		return
	}
	if c.Role == config.RoleDepartment {
		if cq.Department != "" && cq.Department != c.Department {
			writeError(w, http.StatusForbidden, "department", "this terminal handles "+c.Department)
			return
		}
		cq.Department = c.Department
	}
	light := q.Get("light")
	switch light {
	case "", "red", "yellow", "green":
	default:
		writeError(w, http.StatusBadRequest, "light", "red, yellow or green")
		return
	}
	cs, err := s.hall.Cases(r.Context(), cq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if light != "" {
		kept := cs[:0]
		for _, k := range cs {
			if s.hall.Light(k) == light {
				kept = append(kept, k)
			}
		}
		cs = kept
	}
	if c.Role == config.RoleDepartment && cq.TicketID != "" {
		kept := cs[:0]
		for _, k := range cs {
			if k.Department == c.Department {
				kept = append(kept, k)
			}
		}
		cs = kept
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": s.caseViews(cs)})
}

// caseAction moves a case: route, approve, reject, ready, hand-out, mail,
// close, suspend, resume.
func (s *Server) caseAction(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	act := kiosk.CaseAction{Action: r.PathValue("action")}
	if !decode(w, r, &act, true) {
		return
	}
	k, err := s.hall.ActOnCase(r.Context(), c.actor(), c.Department, r.PathValue("number"), act)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"case": s.caseViews([]kiosk.Case{k})[0]})
}

// stats answers a day's statistics (?date=), or a range's (?from=&to=: a
// week, a month), as JSON or, with ?format=csv, as one CSV table.
func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var st *kiosk.Stats
	var err error
	if q.Get("from") != "" || q.Get("to") != "" {
		st, err = s.hall.StatsRange(r.Context(), q.Get("from"), q.Get("to"))
	} else {
		st, err = s.hall.Stats(r.Context(), q.Get("date"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch q.Get("format") {
	case "", "json":
		writeJSON(w, http.StatusOK, st)
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="kioskd-stats-`+st.Date+`.csv"`)
		writeStatsCSV(w, st)
	default:
		writeError(w, http.StatusBadRequest, "format", "json or csv")
	}
}

// writeStatsCSV writes one row per scope (total, zone, window, staff, agent).
func writeStatsCSV(w io.Writer, st *kiosk.Stats) {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"scope", "key", "issued", "waiting", "served", "no_show", "expired", "voided", "accepted",
		"mean_wait_s", "p90_wait_s", "mean_service_s", "rating_1", "rating_2", "rating_3", "rating_4", "rating_5",
		"rated", "satisfaction_rate", "cases_accepted", "cases_mail", "cases_pickup", "cases_closed", "cases_on_time", "on_time_rate", "cases_overdue",
		"agent_tickets", "agent_served", "agent_cases", "p50_wait_s", "cases_per_year_projected"})
	row := func(scope, key string, f *kiosk.Figures) {
		rec := []string{scope, key}
		for _, n := range []int{f.Issued, f.Waiting, f.Served, f.NoShow, f.Expired, f.Voided, f.Accepted} {
			rec = append(rec, strconv.Itoa(n))
		}
		for _, x := range []float64{f.MeanWaitSec, f.P90WaitSec, f.MeanServiceSec} {
			rec = append(rec, strconv.FormatFloat(x, 'f', 1, 64))
		}
		for l := 1; l <= 5; l++ {
			rec = append(rec, strconv.Itoa(f.Ratings[strconv.Itoa(l)]))
		}
		rec = append(rec, strconv.Itoa(f.Rated), strconv.FormatFloat(f.SatisfactionRate, 'f', 3, 64),
			strconv.Itoa(f.CasesAccepted), strconv.Itoa(f.CasesMail), strconv.Itoa(f.CasesPickup), strconv.Itoa(f.CasesClosed),
			strconv.Itoa(f.CasesOnTime), strconv.FormatFloat(f.OnTimeRate, 'f', 3, 64), strconv.Itoa(f.CasesOverdue),
			strconv.Itoa(f.AgentTickets), strconv.Itoa(f.AgentServed), strconv.Itoa(f.AgentCases),
			strconv.FormatFloat(f.P50WaitSec, 'f', 1, 64), strconv.FormatFloat(f.CasesPerYear, 'f', 1, 64))
		_ = cw.Write(rec)
	}
	row("total", "", st.Total)
	for _, m := range []struct {
		scope string
		figs  map[string]*kiosk.Figures
	}{{"zone", st.Zones}, {"window", st.Windows}, {"staff", st.Staff}, {"agent", st.Agents}} {
		keys := make([]string, 0, len(m.figs))
		for k := range m.figs {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			a, errA := strconv.Atoi(keys[i])
			b, errB := strconv.Atoi(keys[j])
			if errA == nil && errB == nil {
				return a < b
			}
			return keys[i] < keys[j]
		})
		for _, k := range keys {
			row(m.scope, k, m.figs[k])
		}
	}
	cw.Flush()
}

func (s *Server) audit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	aq := kiosk.AuditQuery{TicketID: q.Get("ticket"), Actor: q.Get("actor")}
	if d := q.Get("date"); d != "" {
		day, err := time.ParseInLocation(time.DateOnly, d, s.cfg.Location)
		if err != nil {
			writeError(w, http.StatusBadRequest, "date", "not YYYY-MM-DD")
			return
		}
		aq.From, aq.To = day, day.AddDate(0, 0, 1)
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 10000 {
			writeError(w, http.StatusBadRequest, "limit", "1 to 10000")
			return
		}
		aq.Limit = n
	}
	es, err := s.hall.Audit(r.Context(), aq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if es == nil {
		es = []kiosk.AuditEntry{}
	}
	for i := range es {
		es[i].At = es[i].At.In(s.cfg.Location)
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": es})
}

func constantEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// simIDCard places a sample card on the simulated reader, or lifts it.
func (s *Server) simIDCard(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Kind string  `json:"kind"`
		Card *string `json:"card"` // the older name of kind
	}
	if !decode(w, r, &req, false) {
		return
	}
	if req.Card != nil && req.Kind == "" {
		req.Kind = *req.Card
	}
	if err := s.simCard(req.Kind); err != nil {
		writeCoded(w, http.StatusBadRequest, "kind", CodeSimCardUnknown, map[string]string{"kind": req.Kind}, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// me tells a terminal who it is: its id, role and window (the window page
// defaults to its own number).
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	out := map[string]any{"id": c.ID, "role": c.Role}
	if c.Role == config.RoleWindow || c.Role == config.RoleCounter {
		out["window"] = c.Window
	}
	if c.Role == config.RoleDepartment {
		out["department"] = c.Department // the back office page's heading
	}
	out["staff_required"] = s.cfg.Staff.Required
	if c.staff != "" {
		out["staff"] = c.staff
	}
	_, out["printer"] = s.printers[c.ID]
	_, out["scanner"] = s.scanners[c.ID]
	// the simulated ID card panel (POST /api/v1/sim/idcard) is this caller's
	out["sim_idcard"] = s.simCard != nil && (c.Role == config.RoleKiosk || c.Role == config.RoleAdmin)
	writeJSON(w, http.StatusOK, out)
}

// voiceWAV serves a spoken call (GET /api/v1/voice/{id}.wav), as announced
// by a voice.ready event.
func (s *Server) voiceWAV(w http.ResponseWriter, r *http.Request) {
	num, ok := strings.CutSuffix(r.PathValue("file"), ".wav")
	id, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || s.voice == nil {
		writeError(w, http.StatusNotFound, "", "no such call audio")
		return
	}
	wav, found := s.voice(id)
	if !found {
		writeError(w, http.StatusNotFound, "", "no such call audio (only the newest calls are kept)")
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "private, max-age=600")
	_, _ = w.Write(wav)
}

// signIn opens a staff session on the caller's terminal:
// {"staff_id","pin"} → {"session","staff","name"}.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	var req struct {
		StaffID string `json:"staff_id"`
		PIN     string `json:"pin"`
	}
	if !decode(w, r, &req, false) {
		return
	}
	if s.staff == nil {
		writeError(w, http.StatusConflict, "", "no staff are configured on this hall")
		return
	}
	// PIN guessing is slowed down per terminal
	if !s.publicLimit.allow("sign-in:" + c.ID) {
		tooMany(w)
		return
	}
	sess, err := s.staff.SignIn(c.ID, req.StaffID, req.PIN)
	if err != nil {
		s.log.Warn("staff sign-in refused", "terminal", c.ID, "staff", req.StaffID)
		writeError(w, http.StatusUnauthorized, "pin", "工号或密码错误 (wrong staff id or PIN)")
		return
	}
	if err := s.hall.Emit(r.Context(), "staff.signed_in", map[string]any{"terminal": c.ID, "staff": sess.Staff}, c.ID, nil); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"session": sess.Token, "staff": sess.Staff, "name": sess.Name})
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if s.staff != nil {
		s.staff.SignOut(r.Header.Get(staffHeader))
	}
	w.WriteHeader(http.StatusNoContent)
}

// packageStats shows each 一件事 package's end-to-end time beside the sum of
// its parts' promised times.
func (s *Server) packageStats(w http.ResponseWriter, r *http.Request) {
	ps, err := s.hall.PackageStats(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ps == nil {
		ps = []kiosk.PackageFigures{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"packages": ps})
}

// say speaks the words a kiosk screen shows, for elder mode's voice
// guidance: GET /api/v1/say?text=… → WAV.
func (s *Server) say(w http.ResponseWriter, r *http.Request) {
	text := strings.TrimSpace(r.URL.Query().Get("text"))
	if text == "" || utf8.RuneCountInString(text) > 200 {
		writeError(w, http.StatusBadRequest, "text", "1 to 200 characters to say")
		return
	}
	if s.speak == nil {
		writeError(w, http.StatusNotFound, "", "this hall has no voice engine")
		return
	}
	wav, err := s.speak(r.Context(), text)
	if err != nil {
		s.log.Warn("voice guidance", "err", err)
		writeError(w, http.StatusServiceUnavailable, "", "语音暂不可用 (speech is not available)")
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(wav)
}
