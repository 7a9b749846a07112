// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"testing"
	"time"
)

// TestAppointmentLookupAndCheckInEvent: a card placed at a kiosk finds
// today's appointments of that ID (no other day's, no other person's); a
// check-in by code, however it came, shows the ticket on that kiosk's own
// stream, and on no other terminal's.
func TestAppointmentLookupAndCheckInEvent(t *testing.T) {
	e := newEnv(t)
	today := e.hall.Today()
	tomorrow := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	body := `[{"code":"APPT-1","matter":"HJ-SJ-0001","date":"` + today + `","start":"00:00","end":"23:59","applicant":{"id_number":"11010519491231002X","name":"张三丰"}},
	{"code":"APPT-2","matter":"HJ-SJ-0001","date":"` + tomorrow + `","start":"09:00","end":"09:30","applicant":{"id_number":"11010519491231002X","name":"张三丰"}},
	{"code":"APPT-3","matter":"HJ-SJ-0001","date":"` + today + `","start":"00:00","end":"23:59","applicant":{"id_number":"USA350386021408","name":"SMITH"}}]`
	e.want(e.do("POST", "/api/v1/appointments", tokAdmin, body), 201)
	r := e.want(e.do("POST", "/api/v1/appointments/lookup", tokKiosk, `{"id_number":"11010519491231002x"}`), 200)
	as, _ := r.body["appointments"].([]any)
	if len(as) != 1 {
		t.Fatal(r.raw)
	}
	a := as[0].(map[string]any)
	if a["code"] != "APPT-1" || a["matter"] != "HJ-SJ-0001" || a["matter_name"] != "企业设立登记" || a["state"] != "booked" || a["start"] != "00:00" {
		t.Fatal(r.raw)
	}
	if r := e.want(e.do("POST", "/api/v1/appointments/lookup", tokGuide, `{"id_number":"USA350386021408"}`), 200); len(r.body["appointments"].([]any)) != 1 {
		t.Fatal(r.raw)
	}
	if r := e.want(e.do("POST", "/api/v1/appointments/lookup", tokKiosk, `{"id_number":"44010419680307123X"}`), 400); str(r.body, "code") != "id_number_invalid" {
		t.Fatal(r.raw)
	}
	if r := e.want(e.do("POST", "/api/v1/appointments/lookup", tokKiosk, `{"id_number":"E1234567","id_type":"passport"}`), 200); len(r.body["appointments"].([]any)) != 0 {
		t.Fatal(r.raw)
	}
	e.want(e.do("POST", "/api/v1/appointments/lookup", tokWin1, `{"id_number":"11010519491231002X"}`), 403)

	kiosk := dial(t, e, tokKiosk, "")
	guide := dial(t, e, tokGuide, "")
	ci := e.want(e.do("POST", "/api/v1/appointments/APPT-1/check-in", tokKiosk, ""), 201)
	var got map[string]any
	for got == nil {
		ev := readEvent(t, kiosk)
		if ev["type"] == "appointment.checked_in" {
			got = ev
		}
	}
	tk, _ := got["ticket"].(map[string]any)
	if tk == nil {
		if d, ok := got["data"].(map[string]any); ok {
			tk, _ = d["ticket"].(map[string]any)
		}
	}
	if tk == nil || tk["id"] != ci.body["id"] || tk["number"] != ci.body["number"] || tk["status_url"] != ci.body["status_url"] {
		t.Fatalf("event %v, check-in %s", got, ci.raw)
	}
	// the guide's stream does not get it
	_ = guide.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	for {
		var m map[string]any
		if err := guide.ReadJSON(&m); err != nil {
			break // the deadline: nothing more came
		}
		if m["type"] == "appointment.checked_in" {
			t.Fatalf("the guide's stream got the kiosk's check-in: %v", m)
		}
	}
	r = e.want(e.do("POST", "/api/v1/appointments/lookup", tokKiosk, `{"id_number":"11010519491231002X"}`), 200)
	if a := r.body["appointments"].([]any)[0].(map[string]any); a["state"] != "checked_in" {
		t.Fatal(r.raw)
	}
}
