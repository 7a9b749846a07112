// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Appointment statuses.
const (
	ApptBooked    = "booked"
	ApptCheckedIn = "checked_in"
	ApptVoid      = "void"
)

// Appointment is a booked slot from the city's online hall or the guide desk.
type Appointment struct {
	Code      string    `json:"code"` // the check-in code on the citizen's phone
	Matter    string    `json:"matter"`
	Zone      string    `json:"zone"`
	Date      string    `json:"date"`  // YYYY-MM-DD, the hall's day
	Start     string    `json:"start"` // HH:MM in the hall's time zone
	End       string    `json:"end"`
	Applicant Applicant `json:"applicant"`
	Status    string    `json:"status"`
	TicketID  string    `json:"ticket_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	IDHash    string    `json:"-"`
}

// AppointmentQuery selects appointments; empty fields match everything.
type AppointmentQuery struct {
	Code, Date, Zone, Matter, IDHash, Status string
}

var (
	reApptCode = regexp.MustCompile(`^[A-Za-z0-9-]{4,40}$`)
	reHHMM     = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

// AddAppointments stores a batch of appointments, all or none: a rule broken
// by any of them is a 400 naming it (appointments[i].field).
func (h *Hall) AddAppointments(ctx context.Context, a Actor, as []Appointment) ([]Appointment, error) {
	if len(as) == 0 || len(as) > 1000 {
		return nil, invalid("appointments", "1 to 1000 appointments")
	}
	h.apptMu.Lock()
	defer h.apptMu.Unlock()
	today := h.day(h.now())
	slots := map[string]int{} // date|zone|start → booked in this batch
	seen := map[string]string{}
	for i := range as {
		ap := &as[i]
		field := func(f string) string {
			if len(as) == 1 {
				return f
			}
			return fmt.Sprintf("appointments[%d].%s", i, f)
		}
		ap.Code = strings.TrimSpace(ap.Code)
		if !reApptCode.MatchString(ap.Code) {
			return nil, invalid(field("code"), "4 to 40 letters, digits or -")
		}
		if _, dup := seen["code|"+ap.Code]; dup {
			return nil, invalid(field("code"), "code %s is given twice", ap.Code)
		}
		seen["code|"+ap.Code] = ""
		m, ok := h.Catalog().Matter(ap.Matter)
		if !ok {
			return nil, invalid(field("matter"), "unknown matter %q", ap.Matter)
		}
		ap.Zone = m.Zone
		if _, err := time.ParseInLocation(time.DateOnly, ap.Date, h.cfg.Location); err != nil {
			return nil, invalid(field("date"), "%q is not YYYY-MM-DD", ap.Date)
		}
		if ap.Date < today {
			return nil, invalid(field("date"), "%s is past", ap.Date)
		}
		if !reHHMM.MatchString(ap.Start) || !reHHMM.MatchString(ap.End) || ap.End <= ap.Start {
			return nil, invalid(field("start"), "a slot is HH:MM to a later HH:MM")
		}
		ap.Applicant.IDNumber = strings.ToUpper(strings.TrimSpace(ap.Applicant.IDNumber))
		ap.Applicant.Name = strings.TrimSpace(ap.Applicant.Name)
		typ, err := CheckID(field("applicant.id_number"), ap.Applicant.IDType, ap.Applicant.IDNumber)
		if err != nil {
			return nil, err
		}
		ap.Applicant.IDType = typ
		if ap.Applicant.Name == "" || len([]rune(ap.Applicant.Name)) > 64 {
			return nil, invalid(field("applicant.name"), "a name of 1 to 64 characters is needed")
		}
		ap.IDHash = h.IDHash(ap.Applicant.IDNumber)
		key := ap.IDHash + "|" + ap.Date + "|" + ap.Matter
		if _, dup := seen[key]; dup {
			return nil, invalid(field("applicant.id_number"), "one appointment per person, date and matter")
		}
		seen[key] = ""
		if old, err := h.store.Appointments(ctx, AppointmentQuery{Code: ap.Code}); err != nil {
			return nil, fmt.Errorf("kiosk: appointments: %w", err)
		} else if len(old) > 0 {
			return nil, &Error{Kind: KindConflict, Field: field("code"), Msg: fmt.Sprintf("code %s exists", ap.Code)}
		}
		same, err := h.store.Appointments(ctx, AppointmentQuery{IDHash: ap.IDHash, Date: ap.Date, Matter: ap.Matter})
		if err != nil {
			return nil, fmt.Errorf("kiosk: appointments: %w", err)
		}
		for _, o := range same {
			if o.Status != ApptVoid {
				return nil, &Error{Kind: KindConflict, Field: field("applicant.id_number"), Msg: "one appointment per person, date and matter (已有预约)"}
			}
		}
		slot := ap.Date + "|" + ap.Zone + "|" + ap.Start
		if _, counted := slots[slot]; !counted {
			booked, err := h.store.Appointments(ctx, AppointmentQuery{Date: ap.Date, Zone: ap.Zone})
			if err != nil {
				return nil, fmt.Errorf("kiosk: appointments: %w", err)
			}
			for _, o := range booked {
				if o.Start == ap.Start && o.Status != ApptVoid {
					slots[slot]++
				}
			}
		}
		slots[slot]++
		if slots[slot] > h.cfg.Appointments.SlotCapacity {
			return nil, &Error{Kind: KindConflict, Field: field("start"), Msg: fmt.Sprintf("the %s %s slot of zone %s is full (%d)", ap.Date, ap.Start, ap.Zone, h.cfg.Appointments.SlotCapacity)}
		}
		ap.Status = ApptBooked
		ap.TicketID = ""
	}
	err := h.apply(func(now time.Time, ch *Change) error {
		for i := range as {
			as[i].CreatedAt = now
			ch.Appointments = append(ch.Appointments, as[i])
			h.audit(ch, now, a, "appointment.add", nil, as[i].Code+" "+as[i].Matter+" "+as[i].Date+" "+as[i].Start)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return as, nil
}

// slotTimes returns an appointment's start and end in the hall's zone.
func (h *Hall) slotTimes(ap Appointment) (time.Time, time.Time) {
	start, _ := time.ParseInLocation("2006-01-02 15:04", ap.Date+" "+ap.Start, h.cfg.Location)
	end, _ := time.ParseInLocation("2006-01-02 15:04", ap.Date+" "+ap.End, h.cfg.Location)
	return start, end
}

// CheckIn turns an appointment into a ticket: within its slot (from
// early_minutes before the start to the end) a ticket called ahead of
// walk-ins; late but before void_after_minutes, a normal ticket; earlier or
// later, an answer in words. By code, or (code "") by the applicant's ID
// number (the card placed at the kiosk).
func (h *Hall) CheckIn(ctx context.Context, a Actor, code, idNumber, idemKey string) (IssueResult, error) {
	h.apptMu.Lock()
	defer h.apptMu.Unlock()
	now := h.now()
	code = strings.TrimSpace(code) // codes are compared as issued, without surrounding spaces
	var q AppointmentQuery
	if code != "" {
		q.Code = code
	} else {
		if _, err := CheckID("id_number", "", strings.ToUpper(strings.TrimSpace(idNumber))); err != nil {
			return IssueResult{}, err
		}
		q = AppointmentQuery{IDHash: h.IDHash(idNumber), Date: h.day(now), Status: ApptBooked}
	}
	found, err := h.store.Appointments(ctx, q)
	if err != nil {
		return IssueResult{}, fmt.Errorf("kiosk: check-in: %w", err)
	}
	if len(found) == 0 {
		return IssueResult{}, coded(KindNotFound, CodeAppointmentUnknown, "", nil, "没有找到预约 (no appointment found)")
	}
	ap := found[0]
	for _, f := range found[1:] { // by ID: the earliest slot of the day
		if f.Start < ap.Start {
			ap = f
		}
	}
	switch ap.Status {
	case ApptVoid:
		return IssueResult{}, coded(KindConflict, CodeAppointmentVoid, "", nil, "该预约已失效，请取普通号 (the appointment is void)")
	case ApptCheckedIn:
		t, ahead, err := h.Ticket(ctx, ap.TicketID)
		if err != nil {
			return IssueResult{}, err
		}
		return IssueResult{Ticket: t, WaitingAhead: ahead, Replay: true}, nil
	}
	start, end := h.slotTimes(ap)
	early := start.Add(-time.Duration(h.cfg.Appointments.EarlyMinutes) * time.Minute)
	voidAt := start.Add(time.Duration(h.cfg.Appointments.VoidAfterMinutes) * time.Minute)
	if voidAt.Before(end) {
		voidAt = end
	}
	switch {
	case h.day(now) != ap.Date || now.Before(early):
		return IssueResult{}, coded(KindConflict, CodeAppointmentEarly, "", map[string]string{"date": ap.Date, "start": ap.Start, "end": ap.End, "from": early.In(h.cfg.Location).Format("15:04")}, "预约时间为 %s %s–%s，请在 %s 后签到 (too early)", ap.Date, ap.Start, ap.End, early.In(h.cfg.Location).Format("15:04"))
	case now.After(voidAt):
		return IssueResult{}, coded(KindConflict, CodeAppointmentLate, "", nil, "预约已过时，请取普通号 (too late: the appointment is void)")
	}
	req := IssueRequest{Matter: ap.Matter, IDNumber: ap.Applicant.IDNumber, IdempotencyKey: idemKey}
	if idemKey != "" {
		req.reqHash = h.requestHash("check-in", a.Terminal, []string{code, h.IDHash(idNumber)})
	}
	inSlot := !now.After(end)
	res, err := h.issue(ctx, a, req, func(t *Ticket, ch *Change, at time.Time) {
		if inSlot {
			t.Appointment = ap.Code
		}
		ap.Status, ap.TicketID = ApptCheckedIn, t.ID
		ch.Appointments = append(ch.Appointments, ap)
		h.audit(ch, at, a, "appointment.check_in", t, ap.Code)
	})
	return res, err
}

// voidLate voids the day's appointments not checked in by their void time.
func (h *Hall) voidLate(ctx context.Context) error {
	h.apptMu.Lock()
	defer h.apptMu.Unlock()
	now := h.now()
	booked, err := h.store.Appointments(ctx, AppointmentQuery{Status: ApptBooked})
	if err != nil {
		return fmt.Errorf("kiosk: void appointments: %w", err)
	}
	var late []Appointment
	for _, ap := range booked {
		start, end := h.slotTimes(ap)
		voidAt := start.Add(time.Duration(h.cfg.Appointments.VoidAfterMinutes) * time.Minute)
		if voidAt.Before(end) {
			voidAt = end
		}
		if now.After(voidAt) {
			late = append(late, ap)
		}
	}
	if len(late) == 0 {
		return nil
	}
	return h.apply(func(now time.Time, ch *Change) error {
		for _, ap := range late {
			ap.Status = ApptVoid
			ch.Appointments = append(ch.Appointments, ap)
			h.audit(ch, now, Actor{Terminal: "kioskd", Role: "system"}, "appointment.void", nil, ap.Code+" not checked in")
		}
		return nil
	})
}

// Appointments returns the appointments matching q.
func (h *Hall) Appointments(ctx context.Context, q AppointmentQuery) ([]Appointment, error) {
	as, err := h.store.Appointments(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("kiosk: appointments: %w", err)
	}
	return as, nil
}

// TodayAppointments returns today's appointments of an ID number, every
// state, by start time: a card placed at a kiosk finds its booking.
func (h *Hall) TodayAppointments(ctx context.Context, idType, idNumber string) ([]Appointment, error) {
	id := strings.ToUpper(strings.TrimSpace(idNumber))
	if _, err := CheckID("id_number", idType, id); err != nil {
		return nil, err
	}
	as, err := h.store.Appointments(ctx, AppointmentQuery{IDHash: h.IDHash(id), Date: h.day(h.now())})
	if err != nil {
		return nil, fmt.Errorf("kiosk: appointments: %w", err)
	}
	sort.SliceStable(as, func(i, j int) bool { return as[i].Start < as[j].Start })
	return as, nil
}
