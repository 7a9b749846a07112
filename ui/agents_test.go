// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"yichuang/devices"
	"yichuang/kiosk/staff"
)

// agentPIN is every test member's PIN (hashed once: Argon2id is slow on purpose).
const agentPIN = "2468"

// ticketCounter is a ticket printer that counts what it prints.
type ticketCounter struct {
	mu sync.Mutex
	n  int
}

func (p *ticketCounter) PrintTicket(ctx context.Context, t devices.Ticket) error {
	p.mu.Lock()
	p.n++
	p.mu.Unlock()
	return nil
}

func (p *ticketCounter) count() int { p.mu.Lock(); defer p.mu.Unlock(); return p.n }

// newAgentEnv starts a hall whose staff are the agents D07 and D08 and the
// clerk S01; the guide desk has a printer, and uploads are taken whole.
func newAgentEnv(t *testing.T) (*env, *ticketCounter) {
	t.Helper()
	hash := staff.HashPIN(agentPIN)
	members := []staff.Member{{ID: "D07", Name: "王小梅", PINHash: hash}, {ID: "D08", Name: "陈一帆", PINHash: hash}, {ID: "S01", Name: "林小梅", PINHash: hash}}
	extra := limitsOff + fmt.Sprintf(`[staff]
members = [
  { id = "D07", name = "王小梅", pin_hash = %[1]q, agent = true },
  { id = "D08", name = "陈一帆", pin_hash = %[1]q, agent = true },
  { id = "S01", name = "林小梅", pin_hash = %[1]q },
]
`, hash)
	p := &ticketCounter{}
	e := startEnv(t, extra, nil, func(o *Options) {
		o.Staff = staff.NewDesk(members, 30*time.Minute, nil)
		o.Documents = oneDocs{}
		o.Printers = map[string]Printer{"guide-1": p}
	})
	return e, p
}

// signIn signs a member in at the guide desk and returns the session.
func (e *env) signIn(id string) string {
	e.t.Helper()
	r := e.want(e.do("POST", "/api/v1/staff/sign-in", tokGuide, `{"staff_id":"`+id+`","pin":"`+agentPIN+`"}`), 200)
	return str(r.body, "session")
}

const (
	agentCitizen1 = "11010519491231002X" // 张三丰
	agentCitizen2 = "110105194912310011"
)

func TestAgentSignIn(t *testing.T) {
	e, _ := newAgentEnv(t)
	body := `{"zone":"A","applicant":{"id_number":"` + agentCitizen1 + `","name":"张三丰"},"consent":{"method":"id_card_placed"}}`
	r := e.want(e.do("POST", "/api/v1/agent/takeovers", tokGuide, body), 401)
	if str(r.body, "field") != staffHeader {
		t.Fatalf("401 without the staff field: %s", r.raw)
	}
	e.want(e.do("GET", "/api/v1/agent/matters", tokGuide, ""), 401)
	clerk := e.signIn("S01")
	e.want(e.do("POST", "/api/v1/agent/takeovers", tokGuide, body, staffHeader, clerk), 403)
	e.want(e.do("GET", "/api/v1/agent/matters", tokGuide, "", staffHeader, clerk), 403)
	e.want(e.do("POST", "/api/v1/agent/materials", tokGuide, "%PDF-1.4", staffHeader, clerk, "Content-Type", "application/pdf"), 403)
	agent := e.signIn("D07")
	e.want(e.do("POST", "/api/v1/agent/takeovers", tokGuide, body, staffHeader, clerk), 401) // signed out by the agent's sign-in
	e.want(e.do("POST", "/api/v1/agent/takeovers", tokGuide, body, staffHeader, agent), 201)
	if page := e.want(e.do("GET", "/agent", "", ""), 200); !strings.Contains(page.raw, `lang="zh-CN"`) || !strings.Contains(page.raw, "agent.js") {
		t.Fatalf("GET /agent: %s", page.raw)
	}
}

func TestAgentTakeoverAndMatters(t *testing.T) {
	e, printer := newAgentEnv(t)
	sess := e.signIn("D07")
	as := func(method, path, body string, hdr ...string) resp {
		return e.do(method, path, tokGuide, body, append([]string{staffHeader, sess}, hdr...)...)
	}
	form := str(e.want(as("POST", "/api/v1/agent/materials", "%PDF-1.4 form", "Content-Type", "application/pdf"), 201).body, "material_id")

	// a new ticket on the citizen's behalf, printed at the desk; a retry is the same ticket
	body := `{"matter":"HJ-SJ-0001","applicant":{"id_number":"` + agentCitizen1 + `","name":"张三丰"},"consent":{"method":"signed_form","material":"` + form + `"}}`
	r := e.want(as("POST", "/api/v1/agent/takeovers", body, "Idempotency-Key", "t-1"), 201)
	g, _ := r.body["agent"].(map[string]any)
	switch {
	case r.body["number"] != "A001" || r.body["printed"] != true || printer.count() != 1:
		t.Fatalf("takeover answer %s, %d printed", r.raw, printer.count())
	case g["agent"] != "D07" || g["agent_name"] != "王小梅" || g["consent"] != "signed_form" || g["consent_form"] != form ||
		g["citizen_id_masked"] != "1101**********002X" || g["citizen_name_masked"] != "张*丰":
		t.Fatalf("agency %v", g)
	case strings.Contains(r.raw, agentCitizen1) || strings.Contains(r.raw, "张三丰"):
		t.Fatalf("the answer shows personal data whole: %s", r.raw)
	}
	id := str(r.body, "id")
	again := e.want(as("POST", "/api/v1/agent/takeovers", body, "Idempotency-Key", "t-1"), 201)
	if str(again.body, "id") != id || printer.count() != 1 {
		t.Fatalf("retry %s, %d printed", again.raw, printer.count())
	}

	// a ticket the citizen took at the kiosk, taken over by its number: not printed again
	kt := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"B"}`), 201)
	own := `{"number":"B001","applicant":{"id_number":"` + agentCitizen2 + `","name":"李四"},"consent":{"method":"verbal_witnessed","witness":"S01"}}`
	r2 := e.want(as("POST", "/api/v1/agent/takeovers", own), 201)
	if str(r2.body, "id") != str(kt.body, "id") || r2.body["printed"] != nil || printer.count() != 1 {
		t.Fatalf("takeover of B001: %s, %d printed", r2.raw, printer.count())
	}
	for _, bad := range []struct{ body, field string }{
		{`{"zone":"A","applicant":{"id_number":"` + agentCitizen1 + `","name":"张三丰"},"consent":{"method":"nod"}}`, "consent.method"},
		{`{"zone":"A","applicant":{"id_number":"` + agentCitizen1 + `","name":"张三丰"},"consent":{"method":"id_card_placed"},"extra":1}`, "extra"},
	} {
		if r := e.want(as("POST", "/api/v1/agent/takeovers", bad.body), 400); str(r.body, "field") != bad.field {
			t.Errorf("%s: field %q, want %s", bad.body, str(r.body, "field"), bad.field)
		}
	}

	// a material handed in on the citizen's behalf
	more := str(e.want(as("POST", "/api/v1/agent/materials", "%PDF-1.4 more", "Content-Type", "application/pdf"), 201).body, "material_id")
	h := e.want(as("POST", "/api/v1/agent/matters/"+id+"/materials", `{"material_id":"`+more+`"}`), 200)
	if tk := h.body["ticket"].(map[string]any); tk["agent"] == nil || strings.Contains(h.raw, agentCitizen1) {
		t.Fatalf("hand-in answer %s", h.raw)
	}
	e.want(as("POST", "/api/v1/agent/matters/"+id+"/materials", `{"material_id":"nope"}`), 400)

	// the window serving it sees that an agent handles it, and the materials
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	ws := e.want(e.do("GET", "/api/v1/windows/1", tokWin1, ""), 200)
	wt := ws.body["ticket"].(map[string]any)
	sub := wt["submission"].(map[string]any)
	if wt["agent"].(map[string]any)["agent"] != "D07" || fmt.Sprint(sub["materials"]) != fmt.Sprint([]any{form, more}) {
		t.Fatalf("window 1 sees %s", ws.raw)
	}
	fin := e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"accepted"}`), 200)
	number := fin.body["cases"].([]any)[0].(map[string]any)["number"].(string)
	if fin.body["cases"].([]any)[0].(map[string]any)["agent"] != "D07" {
		t.Fatalf("case %s", fin.raw)
	}

	// the agent's matters: the waiting one first, then the accepted one with its case
	m := e.want(as("GET", "/api/v1/agent/matters", ""), 200)
	matters := m.body["matters"].([]any)
	if len(matters) != 2 || strings.Contains(m.raw, agentCitizen1) || strings.Contains(m.raw, agentCitizen2) {
		t.Fatalf("matters %s", m.raw)
	}
	first, second := matters[0].(map[string]any), matters[1].(map[string]any)
	if tk := first["ticket"].(map[string]any); tk["number"] != "B001" || tk["status"] != "waiting" ||
		tk["applicant"].(map[string]any)["id_number_masked"] != "1101**********0011" {
		t.Fatalf("first matter %v", first)
	}
	cs := second["cases"].([]any)
	if tk := second["ticket"].(map[string]any); tk["number"] != "A001" || tk["status"] != "done" || len(cs) != 1 ||
		cs[0].(map[string]any)["number"] != number || cs[0].(map[string]any)["state"] != "accepted" {
		t.Fatalf("second matter %v", second)
	}
	adm := e.want(e.do("GET", "/api/v1/agent/matters?agent=D07", tokAdmin, ""), 200)
	if len(adm.body["matters"].([]any)) != 2 || adm.body["agent"].(map[string]any)["name"] != "王小梅" {
		t.Fatalf("admin's view %s", adm.raw)
	}
	e.want(e.do("GET", "/api/v1/agent/matters", tokAdmin, ""), 400)
	e.want(e.do("GET", "/api/v1/agent/matters?agent=S01", tokAdmin, ""), 400)

	// the audit names agent and citizen on every entry of the ticket, never the ID number
	au := e.want(e.do("GET", "/api/v1/audit?ticket="+id, tokAdmin, ""), 200)
	entries := au.body["entries"].([]any)
	if len(entries) < 5 || strings.Contains(au.raw, agentCitizen1) {
		t.Fatalf("audit %s", au.raw)
	}
	for _, x := range entries {
		en := x.(map[string]any)
		if en["agent"] != "D07" || en["citizen"] != e.hall.IDHash(agentCitizen1) {
			t.Errorf("audit entry %v lacks agent or citizen", en)
		}
	}
}

// TestAgentPrivacy: neither the public status page nor a hall display
// shows who handles a ticket.
func TestAgentPrivacy(t *testing.T) {
	e, _ := newAgentEnv(t)
	sess := e.signIn("D07")
	body := `{"zone":"A","applicant":{"id_number":"` + agentCitizen1 + `","name":"张三丰"},"consent":{"method":"id_card_placed"}}`
	r := e.want(e.do("POST", "/api/v1/agent/takeovers", tokGuide, body, staffHeader, sess), 201)
	su := str(r.body, "status_url")
	pub := e.want(e.do("GET", "/api/v1/tickets/"+str(r.body, "id")+su[strings.Index(su, "?"):], "", ""), 200)
	disp := e.want(e.do("GET", "/api/v1/tickets/"+str(r.body, "id"), tokDisplay, ""), 200)
	for _, x := range []resp{pub, disp} {
		if x.body["agent"] != nil || strings.Contains(x.raw, "D07") || strings.Contains(x.raw, "张") {
			t.Errorf("shows the agent or the citizen: %s", x.raw)
		}
	}
	guide := e.want(e.do("GET", "/api/v1/tickets/"+str(r.body, "id"), tokGuide, ""), 200)
	if guide.body["agent"] == nil {
		t.Errorf("staff do not see the agent: %s", guide.raw)
	}
}

// TestAgentStatsCSV: the agent figures in the JSON and the CSV, by hand:
// two agent tickets (one served, one case) beside one plain ticket.
func TestAgentStatsCSV(t *testing.T) {
	e, _ := newAgentEnv(t)
	sess := e.signIn("D07")
	for _, id := range []string{agentCitizen1, agentCitizen2} {
		body := `{"matter":"HJ-SJ-0001","applicant":{"id_number":"` + id + `","name":"张三丰"},"consent":{"method":"id_card_placed"}}`
		e.want(e.do("POST", "/api/v1/agent/takeovers", tokGuide, body, staffHeader, sess), 201)
	}
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"accepted"}`), 200)
	st := e.want(e.do("GET", "/api/v1/stats", tokAdmin, ""), 200)
	tot := st.body["total"].(map[string]any)
	d07 := st.body["agents"].(map[string]any)["D07"].(map[string]any)
	for _, c := range []struct {
		name string
		f    map[string]any
		want map[string]float64
	}{
		{"total", tot, map[string]float64{"issued": 3, "served": 1, "cases_accepted": 1, "agent_tickets": 2, "agent_served": 1, "agent_cases": 1}},
		{"agent D07", d07, map[string]float64{"issued": 2, "served": 1, "waiting": 1, "cases_accepted": 1, "agent_tickets": 2, "agent_served": 1, "agent_cases": 1}},
	} {
		for k, v := range c.want {
			if c.f[k] != v {
				t.Errorf("%s %s = %v, want %v", c.name, k, c.f[k], v)
			}
		}
	}
	raw := e.want(e.do("GET", "/api/v1/stats?format=csv", tokAdmin, ""), 200).raw
	rows, err := csv.NewReader(strings.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if col["rating_5"] != 16 || col["cases_overdue"] != 25 || col["agent_tickets"] != 26 || col["agent_cases"] != 28 {
		t.Fatalf("header %v", rows[0])
	}
	var agentRow []string
	for _, row := range rows {
		if row[0] == "agent" && row[1] == "D07" {
			agentRow = row
		}
	}
	for _, c := range []struct {
		row       []string
		k, v, who string
	}{
		{rows[1], "agent_tickets", "2", "total"}, {rows[1], "agent_served", "1", "total"}, {rows[1], "agent_cases", "1", "total"},
		{agentRow, "issued", "2", "agent D07"}, {agentRow, "agent_cases", "1", "agent D07"},
	} {
		if c.row == nil || c.row[col[c.k]] != c.v {
			t.Errorf("csv %s %s: %v, want %s", c.who, c.k, c.row, c.v)
		}
	}
}
