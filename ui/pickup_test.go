// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"slices"
	"strings"
	"testing"

	"yichuang/devices"
)

// readyCase takes an accepted case through the back office to ready.
func (e *env) readyCase(number string) {
	e.t.Helper()
	e.want(e.do("POST", "/api/v1/cases/"+number+"/route", tokWin1, ""), 200)
	e.want(e.do("POST", "/api/v1/cases/"+number+"/approve", tokDeptSJ, ""), 200)
	e.want(e.do("POST", "/api/v1/cases/"+number+"/ready", tokDeptSJ, ""), 200)
}

// TestPickupChain: a citizen comes back for a result: nothing ready → said,
// no ticket; ready → a pickup ticket (by the card, the receipt's QR, the
// case number) listing it; only the window serving that ticket hands it
// out, with identity verified, and the case closes.
func TestPickupChain(t *testing.T) {
	e := newEnv(t)
	const id = "11010519491231002X"
	num := e.accept(id)
	waiting := func() int { return e.hall.Waiting()["A"] }
	before := waiting()
	for _, body := range []string{`{"pickup":{"id_number":"` + id + `"}}`, `{"pickup":{"case":"` + num + `"}}`} {
		r := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, body), 404)
		if str(r.body, "code") != "nothing_ready" {
			t.Fatal(r.raw)
		}
	}
	if waiting() != before {
		t.Fatal("a refused pickup made a ticket")
	}
	e.readyCase(num)
	r := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"pickup":{"id_number":"`+id+`"}}`), 201)
	if r.body["purpose"] != "pickup" || !slices.Equal(anyStrings(r.body["cases"]), []string{num}) || r.body["zone"] != "A" {
		t.Fatal(r.raw)
	}
	pid := str(r.body, "id")
	// the same citizen again, by the receipt's QR or the case number: the same ticket
	code := e.srv.URL + "/c/" + num + "?token=" + e.hall.CaseKey(num)
	for _, body := range []string{`{"pickup":{"code":"` + code + `"}}`, `{"pickup":{"case":"` + num + `"}}`} {
		if again := e.want(e.do("POST", "/api/v1/tickets", tokGuide, body), 200); str(again.body, "id") != pid {
			t.Fatal(again.raw)
		}
	}
	for _, tt := range []struct {
		body   string
		status int
		code   string
	}{
		{`{"pickup":{"code":"` + e.srv.URL + "/c/" + num + `?token=0000"}}`, 404, "nothing_ready"},
		{`{"pickup":{"code":"not a code"}}`, 404, "nothing_ready"},
		{`{"pickup":{"id_number":"11010519491231002Y"}}`, 400, "id_number_invalid"},
		{`{"pickup":{"id_number":"` + id + `","case":"` + num + `"}}`, 400, "pickup_invalid"},
		{`{"pickup":{}}`, 400, "pickup_invalid"},
		{`{"zone":"A","pickup":{"case":"` + num + `"}}`, 400, CodeBadRequest},
		{`{"pickup":{"case":"nope"}}`, 404, "nothing_ready"},
	} {
		r := e.do("POST", "/api/v1/tickets", tokKiosk, tt.body)
		if r.status != tt.status || str(r.body, "code") != tt.code {
			t.Errorf("%s: %d %s, want %d %s", tt.body, r.status, r.raw, tt.status, tt.code)
		}
	}
	e.want(e.do("POST", "/api/v1/tickets", tokWin1, `{"pickup":{"case":"`+num+`"}}`), 403)
	// not served yet: no window hands it out
	if r := e.want(e.do("POST", "/api/v1/cases/"+num+"/hand-out", tokWin1, `{"verified":"card"}`), 409); str(r.body, "code") != "not_serving_pickup" {
		t.Fatal(r.raw)
	}
	c := e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	if c.body["ticket"].(map[string]any)["id"] != pid {
		t.Fatal(c.raw)
	}
	v := e.want(e.do("GET", "/api/v1/tickets/"+pid, tokWin1, ""), 200)
	cs, _ := v.body["cases"].([]any)
	if v.body["purpose"] != "pickup" || len(cs) != 1 || cs[0].(map[string]any)["number"] != num || cs[0].(map[string]any)["state"] != "ready" {
		t.Fatal(v.raw)
	}
	if r := e.want(e.do("POST", "/api/v1/cases/"+num+"/hand-out", tokWin1, ``), 400); str(r.body, "code") != "verified_invalid" {
		t.Fatal(r.raw)
	}
	e.want(e.do("POST", "/api/v1/cases/"+num+"/hand-out", tokWin1, `{"verified":"photo"}`), 400)
	e.want(e.do("POST", "/api/v1/cases/"+num+"/hand-out", tokWin2, `{"verified":"card"}`), 409)
	h := e.want(e.do("POST", "/api/v1/cases/"+num+"/hand-out", tokWin1, `{"verified":"receipt"}`), 200)
	k := h.body["case"].(map[string]any)
	if k["state"] != "closed" || !strings.Contains(h.raw, `"action":"hand-out"`) || !strings.Contains(h.raw, "receipt") {
		t.Fatal(h.raw)
	}
	e.want(e.do("POST", "/api/v1/cases/"+num+"/hand-out", tokWin1, `{"verified":"card"}`), 409)
	if r := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"pickup":{"id_number":"`+id+`"}}`), 404); str(r.body, "code") != "nothing_ready" {
		t.Fatal(r.raw)
	}
}

func anyStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// TestMailLabel: a mailed result's waybill is recorded, then its address
// label prints on the window's receipt printer with the recipient in full;
// no label before the waybill, none for a back office, no hand-out.
func TestMailLabel(t *testing.T) {
	e, p := newSlipEnv(t)
	num, _ := acceptMailCase(t, e)
	e.readyCase(num)
	if r := e.want(e.do("POST", "/api/v1/cases/"+num+"/label/print", tokWin1, ""), 409); str(r.body, "code") != "case_state" {
		t.Fatal(r.raw)
	}
	if r := e.want(e.do("POST", "/api/v1/cases/"+num+"/hand-out", tokAdmin, `{"verified":"card"}`), 409); str(r.body, "code") != "case_is_mail" {
		t.Fatal(r.raw)
	}
	if r := e.want(e.do("POST", "/api/v1/cases/"+num+"/mail", tokWin1, `{"waybill":" "}`), 400); str(r.body, "code") != "waybill_required" {
		t.Fatal(r.raw)
	}
	e.want(e.do("POST", "/api/v1/cases/"+num+"/mail", tokWin1, `{"waybill":"EMS1234567890"}`), 200)
	e.want(e.do("POST", "/api/v1/cases/"+num+"/label/print", tokWin1, ""), 200)
	l := p.last()
	if l.Kind != devices.SlipLabel || l.MailTo == nil || l.MailTo.Recipient != "李四光" || l.MailTo.Phone != "13800135678" || l.MailTo.Address != "涵江区涵华西路1号" ||
		l.MailTo.Postcode != "351100" || l.Waybill != "EMS1234567890" || l.Number != num || l.ProgressURL != "" {
		t.Fatalf("label %+v", l)
	}
	rows := ""
	for _, r := range l.Rows() {
		rows += r.Label + "：" + r.Value + "\n"
	}
	if !strings.Contains(rows, "收件人：李四光") || !strings.Contains(rows, "运单号：EMS1234567890") || l.Title() != "邮寄地址标签" {
		t.Fatal(rows)
	}
	e.want(e.do("GET", "/api/v1/cases/"+num+"/slip/label", tokDeptSJ, ""), 403)
	e.want(e.do("POST", "/api/v1/cases/"+num+"/label/print", tokWin2, ""), 409) // window 2 has no printer
}
