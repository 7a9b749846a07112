// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"strings"
	"testing"
)

// callMatter issues a ticket for matter HJ-SJ-0001 and has window 1 call it.
func (e *env) callMatter(id string) string {
	e.t.Helper()
	body := `{"matter":"HJ-SJ-0001","submission":{"applicant":{"id_number":"` + id + `","name":"张三丰"},"materials":[],"delivery":{"mode":"pickup"}}}`
	r := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, body), 201)
	c := e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	if c.body["ticket"].(map[string]any)["id"] != r.body["id"] {
		e.t.Fatalf("called %s, want %s", c.raw, r.raw)
	}
	return str(r.body, "id")
}

func firstCase(t *testing.T, r resp) map[string]any {
	t.Helper()
	cs, _ := r.body["cases"].([]any)
	if len(cs) != 1 {
		t.Fatalf("want one case: %s", r.raw)
	}
	return cs[0].(map[string]any)
}

// TestRejectNeedsReason: 不予受理 without a reason changes nothing; with one
// it is a case record in state rejected, whose 不予受理告知书 says the reason,
// and no back office can act on it.
func TestRejectNeedsReason(t *testing.T) {
	e := newEnv(t)
	id := e.callMatter("11010519491231002X")
	for _, body := range []string{`{"result":"rejected"}`, `{"result":"rejected","reason":"   "}`} {
		r := e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, body), 400)
		if str(r.body, "code") != "reason_required" || str(r.body, "field") != "reason" {
			t.Fatal(r.raw)
		}
	}
	if h := e.hall.Held(1); h == nil || h.ID != id {
		t.Fatal("a refused rejection let the ticket go")
	}
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"consulted","reason":"x"}`), 400)
	r := e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"rejected","reason":"不属于本中心受理范围"}`), 200)
	k := firstCase(t, r)
	num := k["number"].(string)
	if k["state"] != "rejected" || k["reason"] != "不属于本中心受理范围" || k["due"] != "" {
		t.Fatal(r.raw)
	}
	got := e.want(e.do("GET", "/api/v1/cases?ticket="+id, tokAdmin, ""), 200)
	if c := firstCase(t, got); c["state"] != "rejected" || c["reason"] != "不属于本中心受理范围" || c["light"] != nil {
		t.Fatal(got.raw)
	}
	slip := e.want(e.do("GET", "/api/v1/cases/"+num+"/slip/rejection", tokWin1, ""), 200)
	if slip.body["Kind"] != "rejection" || slip.body["Reason"] != "不属于本中心受理范围" || !strings.Contains(slip.raw, "张*丰") || strings.Contains(slip.raw, "张三丰") {
		t.Fatal(slip.raw)
	}
	for _, doc := range []string{"receipt", "correction"} {
		if r := e.want(e.do("GET", "/api/v1/cases/"+num+"/slip/"+doc, tokWin1, ""), 409); str(r.body, "code") != "case_state" {
			t.Fatal(r.raw)
		}
	}
	if r := e.do("GET", "/api/v1/cases/"+num+"/rejection.pdf", tokWin1, ""); r.status != 200 && r.status != 503 {
		t.Fatalf("rejection.pdf: %d", r.status)
	}
	if r := e.want(e.do("POST", "/api/v1/cases/"+num+"/rejection/print", tokWin1, ""), 409); str(r.body, "code") != CodeNoPrinter {
		t.Fatal(r.raw)
	}
	for _, step := range []struct{ tok, action string }{{tokDeptSJ, "approve"}, {tokDeptSJ, "ready"}, {tokWin1, "route"}, {tokWin1, "hand-out"}} {
		if r := e.want(e.do("POST", "/api/v1/cases/"+num+"/"+step.action, step.tok, ""), 409); str(r.body, "code") != "case_state" {
			t.Fatal(r.raw)
		}
	}
	if open := e.want(e.do("GET", "/api/v1/cases?open=1", tokAdmin, ""), 200); strings.Contains(open.raw, num) {
		t.Fatalf("a rejection record is listed as open work: %s", open.raw)
	}
}

// TestCorrectionNotice: 补正 needs a material marked to correct; its
// one-time notice lists every one, with the window's note.
func TestCorrectionNotice(t *testing.T) {
	e := newEnv(t)
	id := e.callMatter("11010519491231002X")
	r := e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"correction"}`), 400)
	if str(r.body, "code") != "correction_required" {
		t.Fatal(r.raw)
	}
	e.want(e.do("POST", "/api/v1/windows/1/checklist", tokWin1, `{"material":"公司章程","state":"correction","note":"缺股东签字"}`), 200)
	e.want(e.do("POST", "/api/v1/windows/1/checklist", tokWin1, `{"material":"公司登记（备案）申请书","state":"accepted"}`), 200)
	r = e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"correction","reason":"补齐后再来"}`), 200)
	k := firstCase(t, r)
	if k["state"] != "correction" || !strings.Contains(r.raw, "公司章程（缺股东签字）") || strings.Contains(r.raw, `"corrections":["公司登记`) {
		t.Fatal(r.raw)
	}
	num := k["number"].(string)
	slip := e.want(e.do("GET", "/api/v1/cases/"+num+"/slip/correction", tokWin1, ""), 200)
	if slip.body["Kind"] != "correction" || !strings.Contains(slip.raw, "公司章程（缺股东签字）") || !strings.Contains(slip.raw, "公司登记（备案）申请书") {
		t.Fatal(slip.raw)
	}
	if r := e.want(e.do("GET", "/api/v1/cases/"+num+"/slip/rejection", tokWin1, ""), 409); str(r.body, "code") != "case_state" {
		t.Fatal(r.raw)
	}
	if tk := e.want(e.do("GET", "/api/v1/tickets/"+id, tokAdmin, ""), 200); tk.body["result"] != "correction" || tk.body["status"] != "done" {
		t.Fatal(tk.raw)
	}
	if r := e.want(e.do("GET", "/api/v1/cases/"+num+"/slip/letter", tokWin1, ""), 404); str(r.body, "code") != CodeSlipUnknown {
		t.Fatal(r.raw)
	}
}
