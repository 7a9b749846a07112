// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestFollowUps tracks the seeded day's two 差评 (A3 rated 2, A4 rated 1;
// due five working days on, Friday 2026-12-04) to closure.
func TestFollowUps(t *testing.T) {
	f := newFixture(t, "")
	day := seedDay(t, f)
	ctx := context.Background()
	admin := Actor{Terminal: "admin", Role: "admin", Staff: "M01"}

	fs, err := f.hall.FollowUps(ctx, FollowUpQuery{Open: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[0].Number != day.tickets["A3"].Number || fs[1].Number != day.tickets["A4"].Number {
		t.Fatalf("open follow-ups = %+v, want A3 then A4", fs)
	}
	a3 := fs[0]
	if a3.Level != 2 || a3.FollowUpDue != "2026-12-04" || a3.Overdue || a3.Closed || a3.Window != 1 || a3.Staff != "S01" ||
		len(a3.Cases) != 1 || a3.Cases[0] != day.cases["A3"].Number {
		t.Fatalf("A3's follow-up = %+v", a3)
	}
	if len(fs[1].Cases) != 0 { // a consultation opens no case
		t.Fatalf("A4's follow-up has cases %v", fs[1].Cases)
	}

	// Monday: both are past their due date
	f.clock.set(time.Date(2026, 12, 7, 9, 0, 0, 0, shanghai))
	fs, _ = f.hall.FollowUps(ctx, FollowUpQuery{})
	if len(fs) != 2 || !fs[0].Overdue || !fs[1].Overdue {
		t.Fatalf("follow-ups on Monday = %+v, want both overdue", fs)
	}

	tests := []struct {
		name   string
		a      Actor
		ticket string
		note   string
		kind   Kind
	}{
		{"a window", win(1), day.tickets["A3"].ID, "called back", KindForbidden},
		{"no note", admin, day.tickets["A3"].ID, "  ", KindInvalid},
		{"a long note", admin, day.tickets["A3"].ID, strings.Repeat("长", 501), KindInvalid},
		{"a good rating", admin, day.tickets["A1"].ID, "nothing to do", KindConflict},
		{"not rated", admin, day.tickets["B2"].ID, "nothing to do", KindNotFound},
		{"no ticket", admin, "nope", "nothing to do", KindNotFound},
	}
	for _, tt := range tests {
		if _, err := f.hall.CloseFollowUp(ctx, tt.a, tt.ticket, tt.note); KindOf(err) != tt.kind {
			t.Errorf("%s: %v, want kind %d", tt.name, err, tt.kind)
		}
	}

	note := "已核实：等候时间过长；已调整午间窗口排班，并电话回复申请人。"
	got, err := f.hall.CloseFollowUp(ctx, admin, day.tickets["A3"].ID, note)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Closed || got.Overdue || got.Note != note || got.ClosedBy != "admin / M01" || !got.ClosedAt.Equal(f.clock.now()) {
		t.Fatalf("closed follow-up = %+v", got)
	}
	if _, err := f.hall.CloseFollowUp(ctx, admin, day.tickets["A3"].ID, "again"); KindOf(err) != KindConflict {
		t.Fatalf("closed twice: %v", err)
	}
	// the closure is in the audit log, with the note, and survives a restart
	f.restart()
	es, _ := f.hall.Audit(ctx, AuditQuery{TicketID: day.tickets["A3"].ID})
	if last := es[len(es)-1]; last.Action != "rating.follow_up.close" || last.Detail != note || last.Staff != "M01" {
		t.Fatalf("last audit entry = %+v", last)
	}
	open, _ := f.hall.FollowUps(ctx, FollowUpQuery{Open: true})
	if len(open) != 1 || open[0].Number != day.tickets["A4"].Number {
		t.Fatalf("open after closing A3 = %+v", open)
	}
	all, _ := f.hall.FollowUps(ctx, FollowUpQuery{From: "2026-11-27", To: "2026-11-27"})
	if len(all) != 2 || all[0].Number != day.tickets["A4"].Number || !all[1].Closed || all[1].Note != note {
		t.Fatalf("all follow-ups = %+v, want A4 (overdue) then A3 (closed)", all)
	}
	if none, _ := f.hall.FollowUps(ctx, FollowUpQuery{From: "2026-11-28", To: "2026-12-07"}); len(none) != 0 {
		t.Fatalf("follow-ups after the day = %+v", none)
	}
	for _, q := range []FollowUpQuery{{From: "27/11"}, {To: "x"}, {From: "2026-12-07", To: "2026-11-27"}, {From: "2024-01-01", To: "2026-11-27"}} {
		if _, err := f.hall.FollowUps(ctx, q); KindOf(err) != KindInvalid {
			t.Errorf("%+v: %v", q, err)
		}
	}
	// an event says it closed: the ticket's number, no words of the note
	f.mu.Lock()
	defer f.mu.Unlock()
	found := false
	for _, e := range f.pub {
		if e.Type == "rating.follow_up_closed" {
			found = strings.Contains(string(e.Data), day.tickets["A3"].Number) && !strings.Contains(string(e.Data), "电话")
		}
	}
	if !found {
		t.Error("no rating.follow_up_closed event with the ticket's number")
	}
}

// TestCaseProgress checks the public progress link: its key, what it shows.
func TestCaseProgress(t *testing.T) {
	f := newFixture(t, "")
	day := seedDay(t, f)
	ctx := context.Background()
	a2, pkg := day.cases["A2"], day.cases["A5"]
	p, err := f.hall.CaseProgress(ctx, a2.Number, f.hall.CaseKey(a2.Number))
	if err != nil {
		t.Fatal(err)
	}
	if p.Number != a2.Number || p.State != CaseClosed || p.Due != "2026-12-02" || len(p.Parts) != 0 {
		t.Fatalf("progress = %+v", p)
	}
	p, err = f.hall.CaseProgress(ctx, pkg.Number, f.hall.CaseKey(pkg.Number))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Parts) != 2 || p.Parts[0].Due != "2026-12-02" || p.Parts[1].Due != "2026-12-04" || p.Parts[0].State != CaseAccepted || p.Due != "2026-12-04" {
		t.Fatalf("package progress = %+v", p)
	}
	if k1, k2 := f.hall.CaseKey(a2.Number), f.hall.CaseKey(pkg.Number); len(k1) != 24 || k1 == k2 || k1 == f.hall.IDHash(a2.Number)[:24] {
		t.Fatalf("keys %s %s", k1, k2)
	}
	for _, tt := range []struct{ number, key string }{
		{a2.Number, f.hall.CaseKey(pkg.Number)}, // another case's key
		{a2.Number, ""},
		{"M-A1202611279999", f.hall.CaseKey("M-A1202611279999")}, // a good key of no case
		{"", f.hall.CaseKey("")},
	} {
		if _, err := f.hall.CaseProgress(ctx, tt.number, tt.key); KindOf(err) != KindNotFound {
			t.Errorf("%q with key %q: %v, want not found", tt.number, tt.key, err)
		}
	}
}

// TestCaseOutcome keeps the back office's decision for the result notice.
func TestCaseOutcome(t *testing.T) {
	f := newFixture(t, "")
	day := seedDay(t, f)
	if got := day.cases["A1"].Outcome; got != CaseApproved {
		t.Errorf("A1 outcome %q, want approved", got)
	}
	if got := day.cases["B1"].Outcome; got != CaseRejected {
		t.Errorf("B1 outcome %q, want rejected", got)
	}
	if got := day.cases["A3"].Outcome; got != "" {
		t.Errorf("A3 outcome %q before a decision", got)
	}
}
