// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"slices"
	"testing"
	"time"
)

// agentStaff lists two agents, a window clerk and a guide (pin hashes are
// not checked here: nobody signs in through the domain).
const agentStaff = `
[staff]
[[staff.members]]
id = "D07"
name = "王小梅"
pin_hash = "$argon2id$x"
agent = true
[[staff.members]]
id = "D08"
name = "陈一帆"
pin_hash = "$argon2id$x"
agent = true
[[staff.members]]
id = "S01"
name = "林小梅"
pin_hash = "$argon2id$x"
[[staff.members]]
id = "G01"
name = "郑大海"
pin_hash = "$argon2id$x"
`

var (
	agentD07 = Actor{Terminal: "guide-1", Role: "guide", Staff: "D07"}
	agentD08 = Actor{Terminal: "guide-2", Role: "guide", Staff: "D08"}
	clerk1   = Actor{Terminal: "window-1", Role: "window", Window: 1, Staff: "S01"}
)

func citizen(n int) Applicant { return Applicant{IDNumber: idNumber(n), Name: "张三丰"} }

// material stores a one-page upload made at a's terminal.
func (f *fixture) material(a Actor) string {
	f.t.Helper()
	m, err := f.hall.AddMaterial(context.Background(), a, "upload", "pdf", []byte("%PDF-1.4 "+a.Terminal), 1)
	if err != nil {
		f.t.Fatal(err)
	}
	return m.ID
}

func (f *fixture) takeOver(a Actor, r TakeoverRequest) IssueResult {
	f.t.Helper()
	if r.Consent.Method == "" {
		r.Consent.Method = ConsentIDCardPlaced
	}
	res, err := f.hall.TakeOver(context.Background(), a, r)
	if err != nil {
		f.t.Fatalf("take over %+v: %v", r, err)
	}
	return res
}

func (f *fixture) serve(a Actor, result string) (*Ticket, []Case) {
	f.t.Helper()
	ctx := context.Background()
	if _, err := f.hall.Call(ctx, a, a.Window, CallRequest{}); err != nil {
		f.t.Fatal(err)
	}
	f.clock.add(4 * time.Minute)
	t, cs, err := f.hall.Finish(ctx, a, a.Window, FinishRequest{Result: result})
	if err != nil {
		f.t.Fatalf("finish: %v", err)
	}
	return t, cs
}

// TestAgentAttribution: every action on an agent-handled ticket, the
// agent's and the window's, names the agent and the citizen in the audit;
// the ticket and its case carry the agent.
func TestAgentAttribution(t *testing.T) {
	f := newFixture(t, agentStaff)
	ctx := context.Background()
	form := f.material(agentD07)
	res := f.takeOver(agentD07, TakeoverRequest{Matter: "M-A1", Applicant: citizen(1),
		Consent: Consent{Method: ConsentSignedForm, Material: form}})
	tk := res.Ticket
	hash := f.hall.IDHash(idNumber(1))
	switch {
	case !res.Created || tk.Number != "A001":
		t.Fatalf("takeover answered %+v", res)
	case tk.IDHash != hash || tk.Terminal != "guide-1":
		t.Fatalf("ticket holder %q terminal %q", tk.IDHash, tk.Terminal)
	case tk.Agent == nil || tk.Agent.Agent != "D07" || tk.Agent.AgentName != "王小梅" || tk.Agent.Consent != ConsentSignedForm ||
		tk.Agent.ConsentForm != form || tk.Agent.CitizenName != "张*丰" || tk.Agent.CitizenID != "1101**********"+idNumber(1)[14:]:
		t.Fatalf("agency = %+v", tk.Agent)
	case tk.Submission == nil || tk.Submission.Applicant.IDNumber != idNumber(1) || !slices.Equal(tk.Submission.Materials, []string{form}):
		t.Fatalf("submission = %+v", tk.Submission)
	}
	more := f.material(agentD07)
	if _, err := f.hall.HandIn(ctx, agentD07, tk.ID, more, false); err != nil {
		t.Fatal(err)
	}
	_, cs := f.serve(clerk1, ResultAccepted)
	if len(cs) != 1 || cs[0].Agent != "D07" || !slices.Equal(cs[0].Materials, []string{form, more}) {
		t.Fatalf("cases = %+v", cs)
	}
	got, err := f.hall.Audit(ctx, AuditQuery{TicketID: tk.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ action, actor, staff string }{
		{"agent.takeover", "guide-1", "D07"},
		{"ticket.issue", "guide-1", "D07"},
		{"agent.hand_in", "guide-1", "D07"},
		{"ticket.call", "window-1", "S01"},
		{"case.accept", "window-1", "S01"},
		{"ticket.finish", "window-1", "S01"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d audit entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		e := got[i]
		if e.Action != w.action || e.Actor != w.actor || e.Staff != w.staff || e.Agent != "D07" || e.Citizen != hash {
			t.Errorf("entry %d = %s by %s/%s for agent %q citizen %q; want %s by %s/%s for D07 %s",
				i, e.Action, e.Actor, e.Staff, e.Agent, e.Citizen, w.action, w.actor, w.staff, hash)
		}
	}
	if d := got[0].Detail; d != "consent signed_form form "+form+"; citizen 张*丰 "+tk.Agent.CitizenID {
		t.Errorf("takeover detail %q", d)
	}
	// a plain ticket's entries name nobody
	plain := f.issue(IssueRequest{Zone: "A"})
	es, _ := f.hall.Audit(ctx, AuditQuery{TicketID: plain.ID})
	if len(es) != 1 || es[0].Agent != "" || es[0].Citizen != "" {
		t.Errorf("plain ticket's audit = %+v", es)
	}
}

// TestAgentTakeoverOfHeldTicket: the agent takes over the ticket a citizen
// took at the kiosk without a card; the citizen's card makes its submission.
func TestAgentTakeoverOfHeldTicket(t *testing.T) {
	f := newFixture(t, agentStaff)
	held := f.issue(IssueRequest{Matter: "M-A1"})
	res := f.takeOver(agentD08, TakeoverRequest{Number: "a001", Applicant: citizen(3),
		Consent: Consent{Method: ConsentVerbalWitnessed, Witness: "G01"}})
	tk := res.Ticket
	if res.Created || tk.ID != held.ID || tk.Terminal != "kiosk-1" || tk.IDHash != f.hall.IDHash(idNumber(3)) ||
		tk.Agent == nil || tk.Agent.Agent != "D08" || tk.Agent.Witness != "G01" || tk.Agent.Terminal != "guide-2" {
		t.Fatalf("takeover = %+v agency %+v", res, tk.Agent)
	}
	if s := tk.Submission; s == nil || s.Matter != "M-A1" || s.Delivery.Mode != "pickup" || s.Applicant.Name != "张三丰" {
		t.Fatalf("submission = %+v", tk.Submission)
	}
	// the same request again is answered with the same ticket
	again := f.takeOver(agentD08, TakeoverRequest{Ticket: held.ID, Applicant: citizen(3),
		Consent: Consent{Method: ConsentVerbalWitnessed, Witness: "G01"}})
	if !again.Replay || again.Ticket.ID != held.ID {
		t.Fatalf("retry = %+v", again)
	}
	// a new ticket asked for a citizen who holds one in the zone takes that one over
	mine := f.issue(IssueRequest{Zone: "A", IDNumber: idNumber(4)})
	got := f.takeOver(agentD07, TakeoverRequest{Zone: "A", Applicant: citizen(4)})
	if got.Created || got.Ticket.ID != mine.ID || got.Ticket.Agent == nil || got.Ticket.Agent.Agent != "D07" {
		t.Fatalf("takeover of the citizen's own ticket = %+v", got)
	}
}

func TestAgentTakeoverRules(t *testing.T) {
	f := newFixture(t, agentStaff)
	ctx := context.Background()
	kioskForm := f.material(kioskA)
	taken := f.takeOver(agentD07, TakeoverRequest{Zone: "B", Applicant: citizen(5)}).Ticket
	other := f.issue(IssueRequest{Zone: "C", IDNumber: idNumber(6)})
	called := f.issue(IssueRequest{Zone: "A"})
	f.call(1)
	card := Consent{Method: ConsentIDCardPlaced}
	tests := []struct {
		name  string
		a     Actor
		r     TakeoverRequest
		kind  Kind
		field string
	}{
		{"a clerk who is no agent", Actor{Terminal: "guide-1", Role: "guide", Staff: "S01"}, TakeoverRequest{Zone: "A", Applicant: citizen(7), Consent: card}, KindForbidden, ""},
		{"nobody signed in", Actor{Terminal: "guide-1", Role: "guide"}, TakeoverRequest{Zone: "A", Applicant: citizen(7), Consent: card}, KindForbidden, ""},
		{"an agent at a window", Actor{Terminal: "window-1", Role: "window", Window: 1, Staff: "D07"}, TakeoverRequest{Zone: "A", Applicant: citizen(7), Consent: card}, KindForbidden, ""},
		{"no consent", agentD07, TakeoverRequest{Zone: "A", Applicant: citizen(7)}, KindInvalid, "consent.method"},
		{"unknown consent", agentD07, TakeoverRequest{Zone: "A", Applicant: citizen(7), Consent: Consent{Method: "nod"}}, KindInvalid, "consent.method"},
		{"verbal, no witness", agentD07, TakeoverRequest{Zone: "A", Applicant: citizen(7), Consent: Consent{Method: ConsentVerbalWitnessed}}, KindInvalid, "consent.witness"},
		{"the agent as witness", agentD07, TakeoverRequest{Zone: "A", Applicant: citizen(7), Consent: Consent{Method: ConsentVerbalWitnessed, Witness: "D07"}}, KindInvalid, "consent.witness"},
		{"an unknown witness", agentD07, TakeoverRequest{Zone: "A", Applicant: citizen(7), Consent: Consent{Method: ConsentVerbalWitnessed, Witness: "X9"}}, KindInvalid, "consent.witness"},
		{"a form scanned elsewhere", agentD07, TakeoverRequest{Zone: "A", Applicant: citizen(7), Consent: Consent{Method: ConsentSignedForm, Material: kioskForm}}, KindInvalid, "consent.material"},
		{"a bad ID number", agentD07, TakeoverRequest{Zone: "A", Applicant: Applicant{IDNumber: badID(7), Name: "张三丰"}, Consent: card}, KindInvalid, "submission.applicant.id_number"},
		{"a ticket and a zone", agentD07, TakeoverRequest{Ticket: other.ID, Zone: "C", Applicant: citizen(6), Consent: card}, KindInvalid, "ticket"},
		{"another person's ticket", agentD07, TakeoverRequest{Ticket: other.ID, Applicant: citizen(7), Consent: card}, KindInvalid, "applicant.id_number"},
		{"another agent's ticket", agentD08, TakeoverRequest{Ticket: taken.ID, Applicant: citizen(5), Consent: card}, KindConflict, ""},
		{"a ticket at a window", agentD07, TakeoverRequest{Ticket: called.ID, Applicant: citizen(7), Consent: card}, KindConflict, ""},
		{"no such number", agentD07, TakeoverRequest{Number: "A999", Applicant: citizen(7), Consent: card}, KindNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.hall.TakeOver(ctx, tt.a, tt.r)
			wantKind(t, err, tt.kind)
			var de *Error
			if tt.field != "" && (!asError(err, &de) || de.Field != tt.field) {
				t.Fatalf("err = %v, want field %s", err, tt.field)
			}
		})
	}
	// materials: only the agent handling the ticket hands them in, while it is active
	mine := f.material(agentD08)
	if _, err := f.hall.HandIn(ctx, agentD08, taken.ID, mine, false); KindOf(err) != KindForbidden {
		t.Errorf("another agent's hand-in: %v", err)
	}
	if _, err := f.hall.HandIn(ctx, agentD07, taken.ID, kioskForm, false); KindOf(err) != KindInvalid {
		t.Errorf("a kiosk's material: %v", err)
	}
	form := f.material(agentD07)
	tk, err := f.hall.HandIn(ctx, agentD07, taken.ID, form, true)
	if err != nil || tk.Agent.ConsentForm != form || !slices.Contains(tk.Submission.Materials, form) {
		t.Fatalf("consent form handed in: %v %+v", err, tk.Agent)
	}
}

// badID is idNumber(n) with a wrong check digit.
func badID(n int) string {
	id := idNumber(n)
	if id[17] == '0' {
		return id[:17] + "1"
	}
	return id[:17] + "0"
}

func asError(err error, de **Error) bool {
	e, ok := err.(*Error)
	*de = e
	return ok
}

// TestAgentStats: agent-handled tickets and cases are counted apart, in
// every scope and per agent. The day:
//
//	A001 D07 企业设立      accepted: 1 case; rated 5
//	A002 kiosk 企业设立    accepted: 1 case
//	A003 kiosk zone A, taken over by D08: consulted
//	A004 D07 开办企业一件事 accepted: a package case and 2 parts (2 counted)
//	B001 D07 社保卡        voided (its print failed)
//	B002 D07 zone B        waiting
func TestAgentStats(t *testing.T) {
	f := newFixture(t, agentStaff)
	ctx := context.Background()
	a1 := f.takeOver(agentD07, TakeoverRequest{Matter: "M-A1", Applicant: citizen(1)}).Ticket
	f.issue(IssueRequest{Matter: "M-A1"})
	a3 := f.issue(IssueRequest{Zone: "A"})
	f.takeOver(agentD08, TakeoverRequest{Ticket: a3.ID, Applicant: citizen(3)})
	f.takeOver(agentD07, TakeoverRequest{Package: "P-1", Applicant: citizen(4)})
	b1 := f.takeOver(agentD07, TakeoverRequest{Matter: "M-B1", Applicant: citizen(5)}).Ticket
	if err := f.hall.Void(ctx, agentD07, b1.ID, "print failed"); err != nil {
		t.Fatal(err)
	}
	f.takeOver(agentD07, TakeoverRequest{Zone: "B", Applicant: citizen(6)})
	for _, result := range []string{ResultAccepted, ResultAccepted, ResultConsulted, ResultAccepted} {
		f.serve(clerk1, result)
	}
	if _, err := f.hall.Rate(ctx, clerk1, a1.ID, 5, ""); err != nil {
		t.Fatal(err)
	}
	st, err := f.hall.Stats(ctx, "2026-11-27")
	if err != nil {
		t.Fatal(err)
	}
	type want struct{ issued, served, casesAccepted, agentTickets, agentServed, agentCases, rated int }
	tests := []struct {
		name string
		f    *Figures
		want want
	}{
		{"total", st.Total, want{5, 4, 4, 4, 3, 3, 1}},
		{"zone A", st.Zones["A"], want{4, 4, 4, 3, 3, 3, 1}},
		{"zone B", st.Zones["B"], want{1, 0, 0, 1, 0, 0, 0}},
		{"window 1", st.Windows["1"], want{4, 4, 4, 3, 3, 3, 1}},
		{"clerk S01", st.Staff["S01"], want{4, 4, 4, 3, 3, 3, 1}},
		{"agent D07", st.Agents["D07"], want{3, 2, 3, 3, 2, 3, 1}},
		{"agent D08", st.Agents["D08"], want{1, 1, 0, 1, 1, 0, 0}},
	}
	for _, tt := range tests {
		if tt.f == nil {
			t.Errorf("%s: no figures", tt.name)
			continue
		}
		got := want{tt.f.Issued, tt.f.Served, tt.f.CasesAccepted, tt.f.AgentTickets, tt.f.AgentServed, tt.f.AgentCases, tt.f.Rated}
		if got != tt.want {
			t.Errorf("%s = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if d07 := st.Agents["D07"]; d07 != nil && (d07.Voided != 1 || d07.Waiting != 1 || d07.Ratings["5"] != 1) {
		t.Errorf("agent D07 voided %d waiting %d ratings %v", d07.Voided, d07.Waiting, d07.Ratings)
	}
	if len(st.Agents) != 2 {
		t.Errorf("agents = %v", st.Agents)
	}
}

// TestAgentMatters: the agent's current matters, active first, each with its
// cases; after the days have turned and the hall restarted, the matters with
// a case still open are found through the store.
func TestAgentMatters(t *testing.T) {
	f := newFixture(t, agentStaff)
	ctx := context.Background()
	f.takeOver(agentD07, TakeoverRequest{Matter: "M-A1", Applicant: citizen(1)})
	f.clock.add(time.Minute)
	f.takeOver(agentD07, TakeoverRequest{Package: "P-1", Applicant: citizen(2)})
	f.clock.add(time.Minute)
	f.takeOver(agentD08, TakeoverRequest{Matter: "M-A1", Applicant: citizen(3)})
	f.clock.add(time.Minute)
	f.takeOver(agentD07, TakeoverRequest{Zone: "B", Applicant: citizen(4)})
	f.serve(clerk1, ResultAccepted) // A001
	f.serve(clerk1, ResultAccepted) // A002: the package
	f.serve(clerk1, ResultConsulted)
	type row struct {
		number, status string
		cases          int
	}
	list := func() []row {
		t.Helper()
		ms, err := f.hall.AgentMatters(ctx, "D07")
		if err != nil {
			t.Fatal(err)
		}
		var out []row
		for _, m := range ms {
			out = append(out, row{m.Ticket.Number, m.Ticket.Status, len(m.Cases)})
		}
		return out
	}
	want := []row{{"B001", StatusWaiting, 0}, {"A002", StatusDone, 3}, {"A001", StatusDone, 1}}
	if got := list(); !slices.Equal(got, want) {
		t.Fatalf("matters = %+v, want %+v", got, want)
	}
	f.clock.set(time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai))
	f.restart()
	// B001 was still waiting when its day ended: expired (过号), no longer a matter
	want = want[1:]
	if got := list(); !slices.Equal(got, want) {
		t.Fatalf("after restart: matters = %+v, want %+v", got, want)
	}
	if ms, _ := f.hall.AgentMatters(ctx, "S01"); len(ms) != 0 {
		t.Fatalf("a clerk's matters = %+v", ms)
	}
}
