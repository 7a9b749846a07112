// SPDX-License-Identifier: AGPL-3.0-or-later

package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"yichuang/kiosk"
)

// TestAgentRecords: an agent-handled ticket keeps its agency in its plain
// data (masked forms only), its cases are found by agent, and its audit
// entries keep the agent and the citizen's ID hash.
func TestAgentRecords(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	db := open(t, path)
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	t1 := ticket("t1", "2026-11-27", "A001")
	t1.Agent = &kiosk.Agency{Agent: "D07", AgentName: "王小梅", CitizenName: "张*丰", CitizenID: "1101**********002X",
		Consent: kiosk.ConsentSignedForm, Terminal: "guide-1", Since: at}
	t2 := ticket("t2", "2026-11-27", "A002")
	cases := []kiosk.Case{
		{Number: "C1", TicketID: "t1", Matter: "M", Department: "D", Due: "2026-12-02", State: kiosk.CaseAccepted, AcceptedAt: at, Agent: "D07"},
		{Number: "C2", TicketID: "t1", Matter: "M", Department: "D", Due: "2026-12-02", State: kiosk.CaseClosed, AcceptedAt: at, Agent: "D07"},
		{Number: "C3", TicketID: "t2", Matter: "M", Department: "D", Due: "2026-12-02", State: kiosk.CaseAccepted, AcceptedAt: at},
	}
	err := db.Commit(ctx, []*kiosk.Change{{
		Tickets: []*kiosk.Ticket{t1, t2},
		Cases:   cases,
		Audit: []kiosk.AuditEntry{
			{At: at, Actor: "guide-1", Role: "guide", Staff: "D07", Action: "agent.takeover", TicketID: "t1", Number: "A001", Agent: "D07", Citizen: "h-t1"},
			{At: at, Actor: "kiosk-1", Role: "kiosk", Action: "ticket.issue", TicketID: "t2", Number: "A002"},
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var data string
	if err := db.r.QueryRowContext(ctx, `SELECT data FROM tickets WHERE id = 't1'`).Scan(&data); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(data, `"citizen_id_masked":"1101**********002X"`) || strings.Contains(data, "11010519491231002X") {
		t.Fatalf("plain ticket data %s", data)
	}
	got, ok, err := db.Ticket(ctx, "t1")
	if err != nil || !ok || got.Agent == nil || *got.Agent != *t1.Agent {
		t.Fatalf("ticket t1 = %+v, %v", got, err)
	}
	tests := []struct {
		q    kiosk.CaseQuery
		want string
	}{
		{kiosk.CaseQuery{Agent: "D07"}, "C1/D07 C2/D07"},
		{kiosk.CaseQuery{Agent: "D07", Open: true}, "C1/D07"},
		{kiosk.CaseQuery{Agent: "D08"}, ""},
		{kiosk.CaseQuery{TicketID: "t2"}, "C3/"},
	}
	for _, tt := range tests {
		cs, err := db.Cases(ctx, tt.q)
		if err != nil {
			t.Fatal(err)
		}
		var numbers []string
		for _, c := range cs {
			numbers = append(numbers, c.Number+"/"+c.Agent)
		}
		if g := strings.Join(numbers, " "); g != tt.want {
			t.Errorf("cases %+v = %q, want %q", tt.q, g, tt.want)
		}
	}
	es, err := db.Audit(ctx, kiosk.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Agent != "D07" || es[0].Citizen != "h-t1" || es[1].Agent != "" || es[1].Citizen != "" {
		t.Fatalf("audit = %+v", es)
	}
}

// TestAgentMigration: a database from before the agents step keeps its
// cases and audit entries, read with no agent.
func TestAgentMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	step := -1
	for i, m := range migrations {
		if strings.Contains(m, "cases_agent") {
			step = i
		}
	}
	if step < 0 {
		t.Fatal("no agents step among the migrations")
	}
	all := migrations
	t.Cleanup(func() { migrations = all })
	migrations = all[:step]
	db := open(t, path) // the schema before the agents step
	migrations = all
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC).UnixMilli()
	for _, q := range []string{
		`INSERT INTO tickets(id, day, zone, number, status, issued_at, status_key, data) VALUES('t1', '2026-11-27', 'A', 'A001', 'done', 0, 'k', '{}')`,
		`INSERT INTO cases(number, ticket_id, matter, department, due, state, accepted_at, data) VALUES('C1', 't1', 'M', 'D', '2026-12-02', 'accepted', 0, '{"number":"C1"}')`,
		`INSERT INTO audit(at, actor, role, staff, action, ticket_id, number, detail) VALUES(?, 'kiosk-1', 'kiosk', '', 'ticket.issue', 't1', 'A001', '')`,
	} {
		var args []any
		if strings.Contains(q, "?") {
			args = append(args, at)
		}
		if _, err := db.w.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	db = open(t, path)
	cs, err := db.Cases(ctx, kiosk.CaseQuery{TicketID: "t1"})
	if err != nil || len(cs) != 1 || cs[0].Agent != "" {
		t.Fatalf("cases = %+v, %v", cs, err)
	}
	if cs, err := db.Cases(ctx, kiosk.CaseQuery{Agent: "D07"}); err != nil || len(cs) != 0 {
		t.Fatalf("cases of D07 = %+v, %v", cs, err)
	}
	es, err := db.Audit(ctx, kiosk.AuditQuery{TicketID: "t1"})
	if err != nil || len(es) != 1 || es[0].Action != "ticket.issue" || es[0].Agent != "" || es[0].Citizen != "" {
		t.Fatalf("audit = %+v, %v", es, err)
	}
}
