// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"yichuang/devices/sim/idcardsim"
)

// accept has window 1 call and accept a ticket of matter HJ-SJ-0001 and
// returns its case number.
func (e *env) accept(id string) string {
	e.t.Helper()
	e.callMatter(id)
	r := e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"accepted"}`), 200)
	return firstCase(e.t, r)["number"].(string)
}

// TestRouteToDepartment: 转办 goes to the matter's department by default or
// to another department of the hall, recorded in the case's history; that
// department's back office then holds it, the first one no longer does.
func TestRouteToDepartment(t *testing.T) {
	e := newEnv(t)
	deps := e.want(e.do("GET", "/api/v1/departments", tokKiosk, ""), 200)
	var dl struct{ Departments []string }
	_ = json.Unmarshal([]byte(deps.raw), &dl)
	if !slices.Contains(dl.Departments, "市场监管局") || !slices.Contains(dl.Departments, "人社局") {
		t.Fatal(deps.raw)
	}
	first := e.accept("11010519491231002X")
	second := e.accept(idcardsim.SampleResident().IDNumber)
	r := e.want(e.do("POST", "/api/v1/cases/"+first+"/route", tokWin1, ""), 200)
	k := r.body["case"].(map[string]any)
	h, _ := k["history"].([]any)
	if k["department"] != "市场监管局" || k["state"] != "routed" || len(h) != 1 || h[0].(map[string]any)["department"] != "市场监管局" || h[0].(map[string]any)["terminal"] != "window-1" {
		t.Fatal(r.raw)
	}
	// a department the hall does not have, and a department on another step, change nothing
	bad := e.want(e.do("POST", "/api/v1/cases/"+second+"/route", tokWin1, `{"department":"外星局"}`), 400)
	if str(bad.body, "code") != "department_unknown" || str(bad.body, "field") != "department" {
		t.Fatal(bad.raw)
	}
	e.want(e.do("POST", "/api/v1/cases/"+first+"/approve", tokDeptSJ, `{"department":"人社局"}`), 400)
	r = e.want(e.do("POST", "/api/v1/cases/"+second+"/route", tokWin1, `{"department":"人社局"}`), 200)
	if k := r.body["case"].(map[string]any); k["department"] != "人社局" || k["state"] != "routed" {
		t.Fatal(r.raw)
	}
	if r := e.want(e.do("POST", "/api/v1/cases/"+second+"/approve", tokDeptSJ, ""), 403); str(r.body, "code") != "case_not_yours" {
		t.Fatal(r.raw)
	}
	rs := e.want(e.do("GET", "/api/v1/cases", tokDeptRS, ""), 200)
	if cs := rs.body["cases"].([]any); len(cs) != 1 || cs[0].(map[string]any)["number"] != second {
		t.Fatalf("人社局's cases: %s", rs.raw)
	}
	e.want(e.do("POST", "/api/v1/cases/"+second+"/approve", tokDeptRS, ""), 200)
	e.want(e.do("POST", "/api/v1/cases/"+first+"/approve", tokDeptSJ, ""), 200)
}

// TestWindowCases: a window follows its own cases, newest first, with the
// ticket's number and the applicant masked; another window may not look.
func TestWindowCases(t *testing.T) {
	e := newEnv(t)
	older := e.accept("11010519491231002X")
	newer := e.accept(idcardsim.SampleResident().IDNumber)
	r := e.want(e.do("GET", "/api/v1/cases?window=1", tokWin1, ""), 200)
	cs := r.body["cases"].([]any)
	if len(cs) != 2 {
		t.Fatal(r.raw)
	}
	c0, c1 := cs[0].(map[string]any), cs[1].(map[string]any)
	if c0["number"] != newer || c1["number"] != older {
		t.Fatalf("not newest first: %s", r.raw)
	}
	app, _ := c1["applicant"].(map[string]any)
	if c1["ticket_number"] != "A001" || app["id_number_masked"] != "1101**********002X" || app["name_masked"] != "张*丰" ||
		c1["state"] != "accepted" || c1["light"] == nil || c1["due"] == "" || c1["department"] != "市场监管局" || c1["matter"] != "HJ-SJ-0001" {
		t.Fatal(r.raw)
	}
	for _, raw := range []string{"张三丰", "11010519491231002X"} {
		if strings.Contains(r.raw, raw) {
			t.Fatalf("%s unmasked in %s", raw, r.raw)
		}
	}
	if r := e.want(e.do("GET", "/api/v1/cases?window=1", tokWin2, ""), 403); str(r.body, "code") != CodeWindowNotYours {
		t.Fatal(r.raw)
	}
	e.want(e.do("GET", "/api/v1/cases?window=1", tokDeptSJ, ""), 403)
	e.want(e.do("GET", "/api/v1/cases?window=x", tokAdmin, ""), 400)
	if r := e.want(e.do("GET", "/api/v1/cases?window=1", tokAdmin, ""), 200); len(r.body["cases"].([]any)) != 2 {
		t.Fatal(r.raw)
	}
	if r := e.want(e.do("GET", "/api/v1/cases?window=2", tokWin2, ""), 200); len(r.body["cases"].([]any)) != 0 {
		t.Fatal(r.raw)
	}
}
