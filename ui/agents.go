// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"encoding/json"
	"net/http"

	"yichuang/config"
	"yichuang/kiosk"
)

// Agents (代办员) work at a guide terminal, signed in as a member of staff
// whom config flags agent. Their endpoints (all hall-owned):
//
//	POST /api/v1/agent/takeovers                  take over a citizen's matter, with consent → 201 as a ticket issue answers, with "agent"
//	GET  /api/v1/agent/matters                    the agent's current matters and their cases (an admin: ?agent=ID)
//	POST /api/v1/agent/materials                  a document (PDF, JPEG, PNG) → 201 {"material_id","pages"}
//	POST /api/v1/agent/matters/{ticket}/materials {"material_id","consent_form"} → hands it in on the citizen's behalf

// agentOnly admits an agent: nobody signed in on the terminal → 401 (the
// page asks for the sign-in), a member who is no agent → 403.
func (s *Server) agentOnly(next func(w http.ResponseWriter, r *http.Request, c caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, _ := callerOf(r)
		if c.staff == "" {
			writeError(w, http.StatusUnauthorized, staffHeader, "请代办员登录工号 (an agent must sign in on this terminal)")
			return
		}
		if _, ok := s.hall.Agent(c.staff); !ok {
			writeError(w, http.StatusForbidden, "", c.staff+" 不是代办员 (the member of staff signed in is not an agent)")
			return
		}
		next(w, r, c)
	}
}

// agencyView is a ticket's agency as people see it: masked forms only, the
// time in the hall's zone.
func (s *Server) agencyView(g *kiosk.Agency) *kiosk.Agency {
	if g == nil {
		return nil
	}
	v := *g
	v.Since = v.Since.In(s.cfg.Location)
	return &v
}

// takeOver records an agent's takeover: POST /api/v1/agent/takeovers with
// {"ticket"|"number"} or {"zone"|"matter"|"package", "priority_reason"},
// and {"applicant":{"id_number","name"}, "materials", "delivery",
// "consent":{"method","witness","material"}}. A new ticket prints as an
// issued one does; an existing one taken over answers 201 unprinted.
func (s *Server) takeOver(w http.ResponseWriter, r *http.Request, c caller) {
	var req kiosk.TakeoverRequest
	if !decode(w, r, &req, false) {
		return
	}
	req.IdempotencyKey = r.Header.Get("Idempotency-Key")
	res, err := s.hall.TakeOver(r.Context(), c.actor(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !res.Created {
		res.Replay = true // 201 with the ticket the citizen holds, nothing printed
	}
	s.answerIssued(w, r, c, res)
}

type agentMatterView struct {
	Ticket ticketView `json:"ticket"`
	Cases  []caseView `json:"cases"`
}

// agentMatters lists an agent's current matters: GET /api/v1/agent/matters
// for the agent signed in; an admin names the agent (?agent=ID).
func (s *Server) agentMatters(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	if c.Role != config.RoleAdmin {
		s.agentOnly(s.listAgentMatters(c.staff))(w, r)
		return
	}
	id := r.URL.Query().Get("agent")
	if _, ok := s.hall.Agent(id); !ok {
		writeError(w, http.StatusBadRequest, "agent", "give ?agent= the staff id of an agent")
		return
	}
	s.listAgentMatters(id)(w, r, c)
}

func (s *Server) listAgentMatters(id string) func(w http.ResponseWriter, r *http.Request, c caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		ms, err := s.hall.AgentMatters(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out := make([]agentMatterView, 0, len(ms))
		for i := range ms {
			out = append(out, agentMatterView{Ticket: s.view(&ms[i].Ticket, ms[i].WaitingAhead, false, true), Cases: s.caseViews(ms[i].Cases)})
		}
		m, _ := s.hall.Agent(id)
		writeJSON(w, http.StatusOK, map[string]any{"agent": map[string]string{"id": m.ID, "name": m.Name}, "matters": out})
	}
}

// agentUpload stores a document the agent scanned or photographed as a
// material of this terminal, to hand in or to record as a consent form.
func (s *Server) agentUpload(w http.ResponseWriter, r *http.Request, c caller) {
	s.upload(w, r)
}

// handIn hands a material in on the citizen's behalf:
// POST /api/v1/agent/matters/{ticket}/materials {"material_id","consent_form"}.
func (s *Server) handIn(w http.ResponseWriter, r *http.Request, c caller) {
	var req struct {
		MaterialID  string `json:"material_id"`
		ConsentForm bool   `json:"consent_form"`
	}
	if !decode(w, r, &req, false) {
		return
	}
	t, err := s.hall.HandIn(r.Context(), c.actor(), r.PathValue("ticket"), req.MaterialID, req.ConsentForm)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, ahead, _ := s.hall.Ticket(r.Context(), t.ID)
	writeJSON(w, http.StatusOK, map[string]any{"ticket": s.view(&t, ahead, false, true)})
}

// takeOverRoute is the agent's takeover: on a terminal node it goes to the
// hall node, and a ticket it makes prints on this node's printer.
func (s *Server) takeOverRoute() http.HandlerFunc {
	if s.up == nil {
		return s.agentOnly(s.takeOver)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		c, _ := callerOf(r)
		rec := s.relay(r)
		var v issuedView
		p := s.printers[c.ID]
		if rec.status != http.StatusCreated || p == nil || json.Unmarshal(rec.body.Bytes(), &v) != nil || !v.New {
			rec.passOn(w)
			return
		}
		t := kiosk.Ticket{ID: v.ID, Number: v.Number, Zone: v.Zone, Priority: v.Priority, Matter: v.Matter, Package: v.Package,
			Status: v.Status, IssuedAt: v.IssuedAt}
		pt := s.printable(&t, v.WaitingAhead)
		pt.StatusURL = v.StatusURL
		printed := true
		if err := p.PrintTicket(r.Context(), pt); err != nil {
			printed = false
			s.metrics.printFailures.Inc()
			s.log.Warn("ticket not printed", "terminal", c.ID, "ticket", v.Number, "err", err)
			v.PrintError = "取号凭条打印失败，请补打 (not printed: print it again)"
		}
		v.Printed = &printed
		writeJSON(w, http.StatusCreated, v)
	}
}
