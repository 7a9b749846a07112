// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

var kioskB = Actor{Terminal: "kiosk-2", Role: "kiosk"}

func claim(number string, at time.Time, n int) *OfflineClaim {
	return &OfflineClaim{Number: number, IssuedAt: at, ID: fmt.Sprintf("%032x", n), StatusKey: fmt.Sprintf("%024x", n)}
}

func TestLeasesAreDisjointAndSkipped(t *testing.T) {
	f := newFixture(t, "[leases]\nsize = 5\nfirst_number = 3\n")
	ctx := context.Background()
	f.issue(IssueRequest{Zone: "A"}) // A001
	la, err := f.hall.GrantLeases(ctx, kioskA, "r1", []string{"A"})
	if err != nil || len(la) != 1 {
		t.Fatalf("grant = %v, %v", la, err)
	}
	lb, err := f.hall.GrantLeases(ctx, kioskB, "r1", []string{"A"})
	if err != nil || len(lb) != 1 {
		t.Fatalf("grant = %v, %v", lb, err)
	}
	if la[0].From != 3 || la[0].To != 7 || lb[0].From != 8 || lb[0].To != 12 {
		t.Fatalf("blocks %d–%d and %d–%d, want 3–7 and 8–12", la[0].From, la[0].To, lb[0].From, lb[0].To)
	}
	// a retried grant gets the same block
	again, err := f.hall.GrantLeases(ctx, kioskA, "r1", []string{"A"})
	if err != nil || len(again) != 1 || again[0].From != 3 {
		t.Fatalf("retried grant = %v, %v", again, err)
	}
	// online numbering runs on past both blocks
	var got []string
	for range 3 {
		got = append(got, f.issue(IssueRequest{Zone: "A"}).Number)
	}
	if want := "[A002 A013 A014]"; fmt.Sprint(got) != want {
		t.Fatalf("online numbers %v, want %s", got, want)
	}
	// the expiry: the grant's TTL (12 h) or the hall day's end, whichever is first
	if want := time.Date(2026, 11, 27, 21, 0, 0, 0, shanghai); !la[0].Expires.Equal(want) {
		t.Fatalf("expires %v, want %v", la[0].Expires, want)
	}
	f.clock.add(14 * time.Hour)
	late, err := f.hall.GrantLeases(ctx, kioskA, "r2", []string{"B"})
	if want := time.Date(2026, 11, 28, 0, 0, 0, 0, shanghai); err != nil || !late[0].Expires.Equal(want) {
		t.Fatalf("granted at 23:00: %v, %v; want expiry at the day's end %v", late, err, want)
	}
	f.clock.add(-14 * time.Hour)
	f.restart()
	if ls := f.hall.Leases("2026-11-27"); len(ls) != 3 {
		t.Fatalf("after restart %d blocks, want 3", len(ls))
	}
	if n := f.issue(IssueRequest{Zone: "A"}).Number; n != "A015" {
		t.Fatalf("after restart %s, want A015", n)
	}
}

func TestLeaseCap(t *testing.T) {
	f := newFixture(t, "[leases]\nsize = 2\nmax_blocks = 2\n")
	ctx := context.Background()
	for i, want := range []int{1, 1, 0} {
		ls, err := f.hall.GrantLeases(ctx, kioskA, "", []string{"B"})
		if err != nil || len(ls) != want {
			t.Fatalf("grant %d: %d blocks (%v), want %d", i, len(ls), err, want)
		}
	}
	all, err := f.hall.GrantLeases(ctx, kioskA, "", nil)
	if err != nil || len(all) != len(f.cfg.Zones)-1 {
		t.Fatalf("all zones: %d blocks (%v), want %d", len(all), err, len(f.cfg.Zones)-1)
	}
	_, err = f.hall.GrantLeases(ctx, kioskA, "", []string{"Q"})
	wantKind(t, err, KindInvalid)
}

func TestOfflineClaims(t *testing.T) {
	f := newFixture(t, "[leases]\nsize = 3\n")
	ctx := context.Background()
	ls, err := f.hall.GrantLeases(ctx, kioskA, "", []string{"A"})
	if err != nil || len(ls) != 1 || ls[0].From != 901 {
		t.Fatalf("grant = %v, %v", ls, err)
	}
	t0 := f.clock.now()
	f.clock.add(time.Minute)
	// online tickets of another terminal: kiosk A itself, known online at
	// 09:02, could not have issued offline before then (checkClaim)
	a1 := f.issueAs(kioskB, IssueRequest{Zone: "A"}) // online at 09:01
	f.clock.add(time.Minute)
	a2 := f.issueAs(kioskB, IssueRequest{Zone: "A"}) // online at 09:02
	f.clock.add(5 * time.Minute)

	// handed in at 09:07, issued offline at 09:01:30: it goes between A001 and A002
	res, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", IdempotencyKey: "k1", Offline: claim("A901", t0.Add(90*time.Second), 1)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.WaitingAhead != 1 || !res.Ticket.Offline || res.Ticket.ID != fmt.Sprintf("%032x", 1) {
		t.Fatalf("offline hand-in = %+v", res)
	}
	// the same claim again: the same ticket
	res2, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", IdempotencyKey: "k1", Offline: claim("A901", t0.Add(90*time.Second), 1)})
	if err != nil || !res2.Replay || res2.Ticket.ID != res.Ticket.ID {
		t.Fatalf("replay = %+v, %v", res2, err)
	}
	if got := []string{number(f.call(1)), number(f.call(2)), number(f.call(3))}; fmt.Sprint(got) != fmt.Sprint([]string{a1.Number, "A901", a2.Number}) {
		t.Fatalf("called %v, want A001 A901 A002", got)
	}

	bad := []struct {
		name  string
		actor Actor
		req   IssueRequest
		kind  Kind
	}{
		{"another terminal's block", kioskB, IssueRequest{Zone: "A", Offline: claim("A902", t0.Add(time.Minute), 2)}, KindInvalid},
		{"outside the block", kioskA, IssueRequest{Zone: "A", Offline: claim("A904", t0.Add(time.Minute), 3)}, KindInvalid},
		{"another zone's prefix", kioskA, IssueRequest{Zone: "A", Offline: claim("B902", t0.Add(time.Minute), 4)}, KindInvalid},
		{"in the future", kioskA, IssueRequest{Zone: "A", Offline: claim("A902", f.clock.now().Add(time.Hour), 5)}, KindInvalid},
		{"before the grant", kioskA, IssueRequest{Zone: "A", Offline: claim("A902", t0.Add(-time.Hour), 6)}, KindInvalid},
		{"a number twice", kioskA, IssueRequest{Zone: "A", Offline: claim("A901", t0.Add(time.Minute), 7)}, KindConflict},
		{"a bad id", kioskA, IssueRequest{Zone: "A", Offline: &OfflineClaim{Number: "A902", IssuedAt: t0, ID: "../x", StatusKey: fmt.Sprintf("%024x", 1)}}, KindInvalid},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.store.tickets)
			_, err := f.hall.Issue(ctx, tc.actor, tc.req)
			wantKind(t, err, tc.kind)
			if len(f.store.tickets) != before {
				t.Fatal("a refused claim stored a ticket")
			}
		})
	}

	// returning the rest of the block: A902 and A903 are never issued
	if _, err := f.hall.ReturnLease(ctx, kioskA, "2026-11-27", "A", 901, 902); err != nil {
		t.Fatal(err)
	}
	_, err = f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", Offline: claim("A902", t0.Add(time.Minute), 8)})
	wantKind(t, err, KindInvalid)
	// a block's issued number cannot be returned
	_, err = f.hall.ReturnLease(ctx, kioskA, "2026-11-27", "A", 901, 901)
	wantKind(t, err, KindConflict)
}

// TestOfflineSupersedesLostAnswer: the terminal's online attempt reached the
// hall but its answer was lost, so the terminal printed an offline ticket
// under the same key; the online one, which nobody holds, is voided.
func TestOfflineSupersedesLostAnswer(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	if _, err := f.hall.GrantLeases(ctx, kioskA, "", []string{"A"}); err != nil {
		t.Fatal(err)
	}
	at := f.clock.now()
	online, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", IdempotencyKey: "lost"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", IdempotencyKey: "lost", Offline: claim("A901", at, 9)})
	if err != nil || !res.Created {
		t.Fatalf("offline = %+v, %v", res, err)
	}
	old, _, err := f.hall.Ticket(ctx, online.Ticket.ID)
	if err != nil || old.Status != StatusVoid {
		t.Fatalf("the lost online ticket is %q (%v), want void", old.Status, err)
	}
	// the key now answers with the offline ticket, after a restart too
	f.restart()
	again, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", IdempotencyKey: "lost"})
	if err != nil || again.Ticket.Number != "A901" {
		t.Fatalf("key after restart = %+v, %v", again.Ticket, err)
	}
}

// TestOfflineTicketsAlwaysQueue: a ticket a citizen holds on paper is
// queued even when this hall cannot take all of it: an unknown matter (the
// terminal's catalog differs) puts it in its number's zone, a submission
// that does not pass is left out; both are audited.
func TestOfflineTicketsAlwaysQueue(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	if _, err := f.hall.GrantLeases(ctx, kioskA, "", []string{"A"}); err != nil {
		t.Fatal(err)
	}
	at := f.clock.now()
	bad := &Submission{Applicant: Applicant{IDNumber: "11010519491231002X", Name: "张三", Phone: "12345"}}
	tests := []struct {
		name string
		req  IssueRequest
		note string
	}{
		{"unknown matter", IssueRequest{Matter: "NOT-HERE", Offline: claim("A901", at, 21)}, "queued in zone A"},
		{"bad submission", IssueRequest{Matter: "M-A1", Submission: bad, Offline: claim("A902", at, 22)}, "submission left out"},
		{"unknown priority reason", IssueRequest{Zone: "A", Priority: true, PriorityReason: "vip", Offline: claim("A903", at, 23)}, "priority reason vip unknown here: queued as a normal ticket"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := f.hall.Issue(ctx, kioskA, tc.req)
			if err != nil || !res.Created || res.Ticket.Zone != "A" || res.Ticket.Number != tc.req.Offline.Number {
				t.Fatalf("hand-in = %+v, %v", res.Ticket, err)
			}
			au, err := f.hall.Audit(ctx, AuditQuery{TicketID: res.Ticket.ID})
			if err != nil || len(au) == 0 || !strings.Contains(au[0].Detail, tc.note) {
				t.Fatalf("audit %+v, want a note %q", au, tc.note)
			}
		})
	}
	if tk, _, _ := f.hall.Ticket(ctx, fmt.Sprintf("%032x", 22)); tk.Submission != nil || tk.Matter != "M-A1" {
		t.Fatalf("the bad submission's ticket: matter %q, submission %+v", tk.Matter, tk.Submission)
	}
	// priority needs a reason this hall knows: queued as a normal ticket
	if tk, _, _ := f.hall.Ticket(ctx, fmt.Sprintf("%032x", 23)); tk.Priority || tk.PriorityReason != "" {
		t.Fatalf("the unknown reason's ticket: priority %v, reason %q", tk.Priority, tk.PriorityReason)
	}
	// a claim outside the terminal's blocks is still refused
	_, err := f.hall.Issue(ctx, kioskB, IssueRequest{Matter: "NOT-HERE", Offline: claim("A904", at, 24)})
	wantKind(t, err, KindInvalid)
}

func (f *fixture) issueAs(a Actor, r IssueRequest) Ticket {
	f.t.Helper()
	res, err := f.hall.Issue(context.Background(), a, r)
	if err != nil {
		f.t.Fatalf("issue %+v as %s: %v", r, a.Terminal, err)
	}
	return res.Ticket
}
