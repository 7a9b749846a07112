// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"yichuang/devices/sim/idcardsim"
)

// TestIDDocumentsTakeTickets: every document a citizen may carry takes a
// ticket with a submission (the foreign 15-character card, the 2023 card, a
// residence permit; a passport typed at the guide desk), and the window
// serving it sees it masked by its own rule; a number breaking its rule is
// refused with its code and changes nothing.
func TestIDDocumentsTakeTickets(t *testing.T) {
	e := newEnv(t)
	sub := func(id, idType string) string {
		a := map[string]string{"id_number": id, "name": "测试"}
		if idType != "" {
			a["id_type"] = idType
		}
		b, _ := json.Marshal(map[string]any{"matter": "HJ-SJ-0001", "submission": map[string]any{
			"applicant": a, "materials": []string{}, "delivery": map[string]string{"mode": "pickup"}}})
		return string(b)
	}
	ok := []struct {
		name, token, id, idType, masked string
	}{
		{"foreign 15", tokKiosk, idcardsim.SampleForeign().IDNumber, "", "USA********0101"},
		{"foreign 2023", tokKiosk, idcardsim.SampleForeign2023().IDNumber, "", "9124**********"},
		{"residence permit", tokKiosk, idcardsim.SampleResidencePermit().IDNumber, "", "8100**********"},
		{"passport at the guide desk", tokGuide, "E12345678", "passport", "E1*****78"},
	}
	for i, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			r := e.want(e.do("POST", "/api/v1/tickets", tt.token, sub(tt.id, tt.idType)), 201)
			c := e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
			tk := c.body["ticket"].(map[string]any)
			if tk["id"] != r.body["id"] {
				t.Fatalf("window 1 called %v, want %v (ticket %d)", tk["id"], r.body["id"], i)
			}
			// the display sees no applicant; the window the whole submission
			v := e.want(e.do("GET", "/api/v1/tickets/"+str(r.body, "id"), tokAdmin, ""), 200)
			subm, _ := v.body["submission"].(map[string]any)
			app, _ := subm["applicant"].(map[string]any)
			if app["id_number"] != tt.id {
				t.Fatalf("submission: %s", v.raw)
			}
			list := e.want(e.do("GET", "/api/v1/tickets?date="+time0(t, e), tokAdmin, ""), 200)
			if !strings.Contains(list.raw, tt.masked) || strings.Contains(list.raw, tt.id) {
				t.Fatalf("masked %q not in, or the number %q in: %.400s", tt.masked, tt.id, list.raw)
			}
		})
	}
	bad := []struct {
		name, id, idType, code string
	}{
		{"15 digits", "110105491231002", "", "id_number_invalid"},
		{"foreign 15 with a digit in the letters", "US1350386021408", "", "id_number_invalid"},
		{"permit with a wrong check digit", idcardsim.SampleResidencePermit().IDNumber[:17] + "Z", "", "id_number_invalid"},
		{"passport of 4", "E123", "passport", "passport_invalid"},
		{"passport unnamed", "E12345678", "", "id_number_invalid"},
		{"resident called foreign", "11010519491231002X", "foreign", "id_type_mismatch"},
		{"unknown document", "11010519491231002X", "visa", "id_type_invalid"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			before := e.hall.Waiting()["A"]
			r := e.want(e.do("POST", "/api/v1/tickets", tokGuide, sub(tt.id, tt.idType)), 400)
			if str(r.body, "code") != tt.code || !strings.HasPrefix(str(r.body, "field"), "submission.applicant.id_") {
				t.Fatalf("%s", r.raw)
			}
			if e.hall.Waiting()["A"] != before {
				t.Fatal("a refused ticket changed the queue")
			}
		})
	}
	// a plain ticket with the card's number alone (no submission)
	e.want(e.do("POST", "/api/v1/tickets", tokGuide, `{"zone":"B","id_number":"P1234567","id_type":"passport"}`), 201)
	r := e.want(e.do("POST", "/api/v1/tickets", tokGuide, `{"zone":"B","id_number":"P12"}`), 400)
	if str(r.body, "code") != "id_number_invalid" {
		t.Fatal(r.raw)
	}
}

func time0(t *testing.T, e *env) string {
	t.Helper()
	return e.hall.Today()
}

// TestSimIDCardKinds: the simulated reader's panel takes the kinds the
// pages offer; /me says whether this caller has it.
func TestSimIDCardKinds(t *testing.T) {
	var placed []string
	e := startEnv(t, limitsOff, nil, func(o *Options) {
		o.SimCard = func(kind string) error {
			switch kind {
			case "", "resident", "foreign15", "foreign18", "permit":
				placed = append(placed, kind)
				return nil
			}
			return errors.New("unknown sample card")
		}
	})
	for _, kind := range []string{"resident", "foreign15", "foreign18", "permit", ""} {
		e.want(e.do("POST", "/api/v1/sim/idcard", tokKiosk, `{"kind":"`+kind+`"}`), 204)
	}
	e.want(e.do("POST", "/api/v1/sim/idcard", tokKiosk, `{"card":"permit"}`), 204)
	if strings.Join(placed, ",") != "resident,foreign15,foreign18,permit,,permit" {
		t.Fatalf("placed %v", placed)
	}
	r := e.want(e.do("POST", "/api/v1/sim/idcard", tokKiosk, `{"kind":"martian"}`), 400)
	if str(r.body, "code") != CodeSimCardUnknown || r.body["params"].(map[string]any)["kind"] != "martian" {
		t.Fatal(r.raw)
	}
	e.want(e.do("POST", "/api/v1/sim/idcard", tokWin1, `{"kind":"resident"}`), 403)
	if me := e.want(e.do("GET", "/api/v1/me", tokKiosk, ""), 200); me.body["sim_idcard"] != true {
		t.Fatal(me.raw)
	}
	if me := e.want(e.do("GET", "/api/v1/me", tokWin1, ""), 200); me.body["sim_idcard"] != false {
		t.Fatal(me.raw)
	}
	plain := newEnv(t)
	if me := plain.want(plain.do("GET", "/api/v1/me", tokKiosk, ""), 200); me.body["sim_idcard"] != false {
		t.Fatal(me.raw)
	}
}
