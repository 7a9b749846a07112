// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"yichuang/config"
	"yichuang/kiosk"
)

type apptView struct {
	Code      string `json:"code"`
	Matter    string `json:"matter"`
	Zone      string `json:"zone"`
	Date      string `json:"date"`
	Start     string `json:"start"`
	End       string `json:"end"`
	Status    string `json:"status"`
	TicketID  string `json:"ticket_id,omitempty"`
	Applicant struct {
		NameMasked     string `json:"name_masked"`
		IDNumberMasked string `json:"id_number_masked"`
	} `json:"applicant"`
	CreatedAt string `json:"created_at"`
}

func (s *Server) apptViews(as []kiosk.Appointment) []apptView {
	out := make([]apptView, 0, len(as))
	for _, a := range as {
		v := apptView{Code: a.Code, Matter: a.Matter, Zone: a.Zone, Date: a.Date, Start: a.Start, End: a.End,
			Status: a.Status, TicketID: a.TicketID, CreatedAt: a.CreatedAt.In(s.cfg.Location).Format(time.RFC3339)}
		v.Applicant.NameMasked = kiosk.MaskName(a.Applicant.Name)
		v.Applicant.IDNumberMasked = kiosk.MaskID(a.Applicant.IDNumber)
		out = append(out, v)
	}
	return out
}

// addAppointments takes one appointment or an array of them, all or none.
// The answer shows applicants masked: the caller sent them, nobody else reads them here.
func (s *Server) addAppointments(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	var raw json.RawMessage
	if !decode(w, r, &raw, false) {
		return
	}
	var as []kiosk.Appointment
	dec := func(v any) error {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		return d.Decode(v)
	}
	single := len(bytes.TrimSpace(raw)) > 0 && bytes.TrimSpace(raw)[0] == '{'
	var err error
	if single {
		var a kiosk.Appointment
		err = dec(&a)
		as = []kiosk.Appointment{a}
	} else {
		err = dec(&as)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "", "an appointment object or an array of them: "+err.Error())
		return
	}
	stored, err := s.hall.AddAppointments(r.Context(), c.actor(), as)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	views := s.apptViews(stored)
	if single {
		writeJSON(w, http.StatusCreated, views[0])
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"appointments": views})
}

func (s *Server) listAppointments(w http.ResponseWriter, r *http.Request) {
	date := r.URL.Query().Get("date")
	if date == "" {
		date = time.Now().In(s.cfg.Location).Format(time.DateOnly)
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		writeError(w, http.StatusBadRequest, "date", "not YYYY-MM-DD")
		return
	}
	as, err := s.hall.Appointments(r.Context(), kiosk.AppointmentQuery{Date: date, Zone: r.URL.Query().Get("zone")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"appointments": s.apptViews(as)})
}

// checkIn turns an appointment into a ticket, answered as a ticket issue:
// by its code in the path, or (POST /api/v1/appointments/check-in) by
// {"id_number"} from the card placed at the kiosk.
func (s *Server) checkIn(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	if s.up != nil {
		s.checkInUpstream(w, r, c)
		return
	}
	var req struct {
		IDNumber string `json:"id_number"`
	}
	code := r.PathValue("code")
	if !decode(w, r, &req, code != "") {
		return
	}
	if code == "" && req.IDNumber == "" {
		writeError(w, http.StatusBadRequest, "id_number", "give the applicant's ID number, or check in by code")
		return
	}
	res, err := s.hall.CheckIn(r.Context(), c.actor(), code, req.IDNumber, r.Header.Get("Idempotency-Key"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v, ok := s.answerIssued(w, r, c, res); ok && res.Created {
		// the terminal's own screen shows the ticket, however the check-in
		// came (its page, a QR read, the API)
		if err := s.hall.Emit(r.Context(), "appointment.checked_in", map[string]any{"ticket": v}, c.ID, nil); err != nil {
			s.log.Error("appointment.checked_in event", "err", err)
		}
	}
}

// lookupAppointments finds today's appointments of an ID number (the card
// placed at a kiosk): POST /api/v1/appointments/lookup {"id_number"}.
func (s *Server) lookupAppointments(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IDNumber string `json:"id_number"`
		IDType   string `json:"id_type"`
	}
	if !decode(w, r, &req, false) {
		return
	}
	as, err := s.hall.TodayAppointments(r.Context(), req.IDType, req.IDNumber)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type found struct {
		Code       string `json:"code"`
		Matter     string `json:"matter"`
		MatterName string `json:"matter_name"`
		Date       string `json:"date"`
		Start      string `json:"start"`
		End        string `json:"end"`
		State      string `json:"state"`
	}
	out := make([]found, 0, len(as))
	for _, a := range as {
		f := found{Code: a.Code, Matter: a.Matter, Date: a.Date, Start: a.Start, End: a.End, State: a.Status}
		if m, ok := s.hall.Catalog().Matter(a.Matter); ok {
			f.MatterName = m.Name
		}
		out = append(out, f)
	}
	writeJSON(w, http.StatusOK, map[string]any{"appointments": out})
}

var apptAdmins = roles(config.RoleAdmin, config.RoleGuide)
