// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" : not a number
	}{
		{"A911", "A911"}, {"A0911", "A911"}, {"A00911", "A911"}, {"a911", "A911"}, {" A911 ", "A911"},
		{"Ａ９１１", "A911"}, {"ａ0911", "A911"}, {"A001", "A001"}, {"A0001", "A001"}, {"A1000", "A1000"},
		{"A01000", "A1000"}, {"AB012", "AB012"},
		{"A01", ""}, {"A1", ""}, {"A000", ""}, {"A0000", ""}, {"911", ""}, {"A", ""}, {"", ""}, {"A-911", ""},
		{"A 911", ""}, {"A911X", ""}, {"ABCD911", ""}, {"A000000911", ""}, {"A99999999", ""}, {"Å911", ""}, {"A٩١١", ""},
	}
	for _, tc := range tests {
		_, _, got, ok := ParseNumber(tc.in)
		if !ok {
			got = ""
		}
		if got != tc.want {
			t.Errorf("ParseNumber(%q) = %q (ok %v), want %q", tc.in, got, ok, tc.want)
		}
	}
}

// TestOneNumberOnceWhateverItsSpelling: class 3 of issue #17. A terminal
// hands in its offline number again under every spelling of it; the hall
// takes the first and refuses the rest, so the number waits once.
func TestOneNumberOnceWhateverItsSpelling(t *testing.T) {
	f := newFixture(t, "[leases]\nsize = 20\n")
	ctx := context.Background()
	if _, err := f.hall.GrantLeases(ctx, kioskA, "", []string{"A"}); err != nil {
		t.Fatal(err)
	}
	at := f.clock.now().Add(time.Second)
	f.clock.add(time.Minute)
	first, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", Offline: claim("A0911", at, 1)})
	if err != nil || first.Ticket.Number != "A911" {
		t.Fatalf("A0911 handed in as %+v, %v; want A911", first.Ticket, err)
	}
	for i, spelling := range []string{"A911", "A0911", "A00911", "a911", " A911", "Ａ９１１", "A000911"} {
		_, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", Offline: claim(spelling, at.Add(time.Duration(i)*time.Millisecond), 10+i)})
		wantKind(t, err, KindConflict)
	}
	for _, spelling := range []string{"A91", "A9110", "AA911", "B911", "A0", "A-911"} {
		_, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", Offline: claim(spelling, at, 30)})
		if KindOf(err) != KindInvalid && KindOf(err) != KindConflict {
			t.Fatalf("%q: %v, want refused", spelling, err)
		}
	}
	if n := f.hall.Waiting()["A"]; n != 1 {
		t.Fatalf("%d tickets wait in zone A, want 1", n)
	}
	// the same claim (its id) again, spelled otherwise: the same ticket
	again, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", Offline: claim("A00911", at, 1)})
	if err != nil || !again.Replay || again.Ticket.ID != first.Ticket.ID {
		t.Fatalf("replay = %+v, %v", again, err)
	}
	// a call by number finds it however it is written
	got, err := f.hall.Call(ctx, win(1), 1, CallRequest{Number: "ａ0911", Reason: "叫号测试"})
	if err != nil || got == nil || got.ID != first.Ticket.ID {
		t.Fatalf("call a0911 = %v, %v", got, err)
	}
}

// TestForgedClaims: class 4. Every field of an offline claim forged in
// turn; none jumps the queue or is taken on its word.
func TestForgedClaims(t *testing.T) {
	f := newFixture(t, "[leases]\nsize = 5\n")
	ctx := context.Background()
	t0 := f.clock.now() // 09:00, the grant
	if _, err := f.hall.GrantLeases(ctx, kioskA, "", []string{"A"}); err != nil {
		t.Fatal(err)
	}
	f.clock.add(10 * time.Minute)
	own := f.issueAs(kioskA, IssueRequest{Zone: "A"}) // 09:10: kiosk A is online and issuing
	f.clock.add(time.Minute)
	other := f.issueAs(kioskB, IssueRequest{Zone: "A"}) // 09:11
	f.clock.add(10 * time.Minute)                       // 09:21

	bad := []struct {
		name  string
		actor Actor
		req   IssueRequest
		kind  Kind
	}{
		{"id not hex", kioskA, IssueRequest{Zone: "A", Offline: &OfflineClaim{Number: "A901", IssuedAt: t0.Add(15 * time.Minute), ID: strings.Repeat("Z", 32), StatusKey: fmt.Sprintf("%024x", 1)}}, KindInvalid},
		{"id of an online ticket", kioskA, IssueRequest{Zone: "A", Offline: &OfflineClaim{Number: "A901", IssuedAt: t0.Add(15 * time.Minute), ID: own.ID, StatusKey: fmt.Sprintf("%024x", 1)}}, KindConflict},
		{"status key short", kioskA, IssueRequest{Zone: "A", Offline: &OfflineClaim{Number: "A901", IssuedAt: t0.Add(15 * time.Minute), ID: fmt.Sprintf("%032x", 2), StatusKey: "abc"}}, KindInvalid},
		{"no time", kioskA, IssueRequest{Zone: "A", Offline: claim("A901", time.Time{}, 3)}, KindInvalid},
		{"tomorrow", kioskA, IssueRequest{Zone: "A", Offline: claim("A901", f.clock.now().Add(24*time.Hour), 4)}, KindInvalid},
		{"before the grant", kioskA, IssueRequest{Zone: "A", Offline: claim("A901", t0.Add(-10*time.Minute), 5)}, KindInvalid},
		{"yesterday", kioskA, IssueRequest{Zone: "A", Offline: claim("A901", t0.Add(-20*time.Hour), 6)}, KindInvalid},
		{"another terminal's block", kioskB, IssueRequest{Zone: "A", Offline: claim("A901", t0.Add(15*time.Minute), 7)}, KindInvalid},
		{"a number past the block", kioskA, IssueRequest{Zone: "A", Offline: claim("A906", t0.Add(15*time.Minute), 8)}, KindInvalid},
		{"an online number", kioskA, IssueRequest{Zone: "A", Offline: claim(own.Number, t0.Add(15*time.Minute), 9)}, KindInvalid},
		{"another zone's prefix", kioskA, IssueRequest{Zone: "A", Offline: claim("B901", t0.Add(15*time.Minute), 10)}, KindInvalid},
		{"priority without a reason", kioskA, IssueRequest{Zone: "A", Priority: true, Offline: claim("A901", t0.Add(15*time.Minute), 11)}, KindInvalid},
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

	// dated at the grant (09:00), the claim does not go to the head: kiosk A
	// was online at 09:10, so it is placed after A001 (and the paper's time kept)
	res, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", Offline: claim("A903", t0, 20)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Ticket.IssuedAt.Equal(t0) || !res.Ticket.PlacedAt.After(own.IssuedAt) || res.WaitingAhead != 1 {
		t.Fatalf("claim dated at the grant: issued %v placed %v, %d ahead; want placed after %v, 1 ahead",
			res.Ticket.IssuedAt, res.Ticket.PlacedAt, res.WaitingAhead, own.IssuedAt)
	}
	// block order: A904 cannot be dated before A903 (09:00, handed in), A902 not after it
	_, err = f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", Offline: claim("A902", t0.Add(5*time.Minute), 21)})
	wantKind(t, err, KindInvalid)
	// priority with a reason the hall does not know: taken, as a normal ticket
	res2, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", Priority: true, PriorityReason: "vip", Offline: claim("A904", t0.Add(20*time.Minute), 22)})
	if err != nil || res2.Ticket.Priority {
		t.Fatalf("unknown reason: %+v, %v; want a normal ticket", res2.Ticket, err)
	}
	_, err = f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", Offline: claim("A905", t0.Add(19*time.Minute), 23)})
	wantKind(t, err, KindInvalid) // dated before A904, handed in already

	// the order windows call: A001 (online, kiosk A), A903 (placed after it), A002, A904
	var got []string
	for range 4 {
		got = append(got, number(f.call(1)))
	}
	if want := fmt.Sprint([]string{own.Number, "A903", other.Number, "A904"}); fmt.Sprint(got) != want {
		t.Fatalf("called %v, want %s", got, want)
	}
}

// TestPriorityNeedsAReason: class 4, online. priority:true alone is refused
// on every path that issues a ticket; a listed reason is taken.
func TestPriorityNeedsAReason(t *testing.T) {
	f := newFixture(t, agentStaff)
	ctx := context.Background()
	_, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", Priority: true})
	wantKind(t, err, KindInvalid)
	// an agent's takeover of a new ticket, too
	_, err = f.hall.TakeOver(ctx, agentD08, TakeoverRequest{Zone: "A", Priority: true, Applicant: citizen(5),
		Consent: Consent{Method: ConsentVerbalWitnessed, Witness: "G01"}})
	wantKind(t, err, KindInvalid)
	_, err = f.hall.Issue(ctx, guide, IssueRequest{Zone: "A", Priority: true, PriorityReason: "vip"})
	wantKind(t, err, KindInvalid)
	if n := f.hall.Waiting()["A"]; n != 0 {
		t.Fatalf("%d waiting after refusals", n)
	}
	tk := f.issue(IssueRequest{Zone: "A", PriorityReason: "elderly"})
	if !tk.Priority {
		t.Fatal("a listed reason did not give priority")
	}
}

// TestIdempotencyKeyBoundToItsRequest: class 6. The same key with another
// body is refused in words and changes nothing; with the same body it is
// the first answer; after midnight it is not yesterday's ticket.
func TestIdempotencyKeyBoundToItsRequest(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	first, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", IdempotencyKey: "k-1"})
	if err != nil {
		t.Fatal(err)
	}
	changed := []IssueRequest{
		{Zone: "J", PriorityReason: "elderly"},
		{Zone: "A", PriorityReason: "elderly"},
		{Zone: "A", IDNumber: "11010519491231002X"},
		{Matter: "M-A1"},
		{Zone: "B"},
	}
	for _, r := range changed {
		r.IdempotencyKey = "k-1"
		_, err := f.hall.Issue(ctx, kioskA, r)
		wantKind(t, err, KindUnprocessable)
		var e *Error
		if !asError(err, &e) || e.Field != "Idempotency-Key" || !strings.Contains(e.Msg, "different request") {
			t.Fatalf("%+v: %v, want words on the Idempotency-Key", r, err)
		}
	}
	// the key is opaque: another case is another key
	other, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", IdempotencyKey: "K-1"})
	if err != nil || !other.Created {
		t.Fatalf("K-1: %+v, %v", other, err)
	}
	again, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", IdempotencyKey: "k-1"})
	if err != nil || !again.Replay || again.Ticket.ID != first.Ticket.ID {
		t.Fatalf("same body: %+v, %v", again, err)
	}
	if n := f.hall.Waiting(); n["A"] != 2 || n["J"] != 0 || n["B"] != 0 {
		t.Fatalf("waiting %v, want two in A only", n)
	}
	// after the restart too (the hash is stored with the ticket)
	f.restart()
	_, err = f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "J", IdempotencyKey: "k-1"})
	wantKind(t, err, KindUnprocessable)

	// leases: the same key for other zones
	if _, err := f.hall.GrantLeases(ctx, kioskA, "L-1", []string{"A"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.hall.GrantLeases(ctx, kioskA, "L-1", []string{"A", "B"})
	wantKind(t, err, KindUnprocessable)

	// materials: the same key with another document
	m1, _, err := f.hall.AddMaterialKeyed(ctx, kioskA, "up-1", "upload", "pdf", []byte("%PDF-1 first"), 1)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.hall.AddMaterialKeyed(ctx, kioskA, "up-1", "upload", "pdf", []byte("%PDF-1 second"), 1)
	wantKind(t, err, KindUnprocessable)
	m2, replay, err := f.hall.AddMaterialKeyed(ctx, kioskA, "up-1", "upload", "pdf", []byte("%PDF-1 first"), 1)
	if err != nil || !replay || m2.ID != m1.ID {
		t.Fatalf("same document: %+v %v %v", m2, replay, err)
	}

	// across midnight: the key of yesterday's ticket is refused, no ticket made
	f.clock.set(time.Date(2026, 11, 28, 0, 0, 5, 0, shanghai)) // just after midnight
	_, err = f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", IdempotencyKey: "k-1"})
	wantKind(t, err, KindUnprocessable)
	_, err = f.hall.GrantLeases(ctx, kioskA, "L-1", []string{"A"})
	wantKind(t, err, KindUnprocessable)
	if n := f.hall.Waiting()["A"]; n != 0 {
		t.Fatalf("%d waiting in A after midnight, want 0", n)
	}
	fresh, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", IdempotencyKey: "k-2"})
	if err != nil || fresh.Ticket.Number != "A001" || fresh.Ticket.Day != "2026-11-28" {
		t.Fatalf("a new key today: %+v, %v", fresh.Ticket, err)
	}
}

// TestDailyCapWhateverThePath: class 10. Voiding and reissuing does not
// reset the cap; a check-in counts; a takeover cannot give a capped ID
// another ticket.
func TestDailyCapWhateverThePath(t *testing.T) {
	f := newFixture(t, "[queue]\ndaily_cap_per_id = 2\n")
	ctx := context.Background()
	id := "11010519491231002X"
	for i := range 2 {
		res, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", IDNumber: id})
		if err != nil {
			t.Fatalf("ticket %d: %v", i, err)
		}
		if err := f.hall.Void(ctx, kioskA, res.Ticket.ID, "print failed"); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "B", IDNumber: id})
	wantKind(t, err, KindLimit)
	_, err = f.hall.Issue(ctx, guide, IssueRequest{Zone: "C", IDNumber: strings.ToLower(" " + id)})
	wantKind(t, err, KindLimit)
	// without an ID the guide desk still issues (walk-ins)
	if _, err := f.hall.Issue(ctx, guide, IssueRequest{Zone: "C"}); err != nil {
		t.Fatal(err)
	}
}

// TestMidnightSwitchesAtOnce: class 9. Tickets issued after closing wait
// (issue_outside_hours here); at the hall's midnight, before any sweep,
// the first use of the hall sees the new day whole: a window's call, a
// read of the queue, a ticket's status.
func TestMidnightSwitchesAtOnce(t *testing.T) {
	for _, first := range []string{"call", "waiting", "ticket", "issue"} {
		t.Run(first, func(t *testing.T) {
			f := newFixture(t, "[hall]\nissue_outside_hours = true\n")
			ctx := context.Background()
			f.clock.set(time.Date(2026, 11, 26, 23, 59, 58, 0, shanghai)) // Thursday, after closing
			late := f.issue(IssueRequest{Zone: "A"})
			f.clock.add(2*time.Second + time.Millisecond) // 00:00:00.001, Friday
			switch first {
			case "call":
				if got := f.call(1); got != nil {
					t.Fatalf("window 1 called %s of yesterday after midnight", got.Number)
				}
			case "waiting":
				if n := f.hall.Waiting()["A"]; n != 0 {
					t.Fatalf("%d waiting in A after midnight", n)
				}
				if ws := f.hall.WaitingTickets(0); len(ws) != 0 {
					t.Fatalf("waiting list after midnight: %v", ws)
				}
			case "ticket":
				tk, _, err := f.hall.Ticket(ctx, late.ID)
				if err != nil || tk.Status != StatusExpired {
					t.Fatalf("yesterday's ticket is %q after midnight (%v), want expired", tk.Status, err)
				}
			case "issue":
				res, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A"})
				if err != nil || res.Ticket.Number != "A001" || res.WaitingAhead != 0 {
					t.Fatalf("first ticket of the day: %+v, %v; want A001 with nobody ahead", res, err)
				}
			}
			if got := f.call(1); got != nil && got.ID == late.ID {
				t.Fatal("yesterday's ticket was called")
			}
			// on disk too: after a restart it stays expired
			f.restart()
			tk, _, err := f.hall.Ticket(ctx, late.ID)
			if err != nil || tk.Status != StatusExpired {
				t.Fatalf("after restart yesterday's ticket is %q (%v)", tk.Status, err)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			expired := 0
			for _, e := range f.pub {
				if e.Type == "ticket.expired" && strings.Contains(string(e.Data), late.ID) {
					expired++
				}
			}
			if expired != 1 {
				t.Fatalf("%d ticket.expired events for yesterday's ticket, want 1", expired)
			}
		})
	}
}

// TestNoTicketWhenNobodyServes: class 9. After closing and on a day the
// hall does not work no ticket is issued, in words; before opening one is.
func TestNoTicketWhenNobodyServes(t *testing.T) {
	f := newFixture(t, "[hall]\nissue_outside_hours = false\nholidays = [\"2026-12-01\"]\nworkdays = [\"2026-11-29\"]\n")
	ctx := context.Background()
	tests := []struct {
		at   time.Time
		want Kind // 0: issued
		word string
	}{
		{time.Date(2026, 11, 27, 8, 0, 0, 0, shanghai), 0, ""},                     // Friday before opening
		{time.Date(2026, 11, 27, 17, 29, 59, 0, shanghai), 0, ""},                  // just before closing
		{time.Date(2026, 11, 27, 17, 30, 0, 0, shanghai), KindConflict, "今日已停止取号"}, // closing
		{time.Date(2026, 11, 27, 23, 59, 0, 0, shanghai), KindConflict, "今日已停止取号"}, // night
		{time.Date(2026, 11, 28, 10, 0, 0, 0, shanghai), KindConflict, "非办公日"},     // Saturday
		{time.Date(2026, 11, 29, 10, 0, 0, 0, shanghai), 0, ""},                    // a make-up working Sunday
		{time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai), KindConflict, "非办公日"},      // a holiday
	}
	f.clock.set(time.Date(2026, 11, 27, 17, 0, 0, 0, shanghai))
	mine := f.issue(IssueRequest{Zone: "C", IDNumber: "11010519491231002X"})
	f.clock.set(time.Date(2026, 11, 27, 17, 45, 0, 0, shanghai))
	// after closing the citizen who holds a ticket still gets it back
	if again, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "C", IDNumber: "11010519491231002X"}); err != nil || again.Created || again.Ticket.ID != mine.ID {
		t.Fatalf("the citizen's own ticket after closing: %+v, %v", again, err)
	}
	for _, tc := range tests {
		f.clock.set(tc.at)
		for _, a := range []Actor{kioskA, guide} {
			res, err := f.hall.Issue(ctx, a, IssueRequest{Zone: "B"})
			if tc.want == 0 {
				if err != nil || !res.Created {
					t.Fatalf("%v by %s: %v, want a ticket", tc.at, a.Terminal, err)
				}
				continue
			}
			wantKind(t, err, tc.want)
			if !strings.Contains(err.Error(), tc.word) {
				t.Fatalf("%v: %v, want words with %q", tc.at, err, tc.word)
			}
		}
	}
}

// TestAnonymousKioskTickets: class 10. A kiosk cannot pour out tickets
// without an ID; with an ID card each is the ID's, and a guide desk's
// walk-ins are not capped.
func TestAnonymousKioskTickets(t *testing.T) {
	f := newFixture(t, "[queue]\nanonymous_per_minute = 3\ndaily_cap_per_id = 0\n")
	ctx := context.Background()
	for i := range 3 {
		if _, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A"}); err != nil {
			t.Fatalf("ticket %d: %v", i, err)
		}
		f.clock.add(time.Second)
	}
	_, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "B"})
	wantKind(t, err, KindLimit)
	// another kiosk, a guide desk, an ID card: not this kiosk's anonymous cap
	if _, err := f.hall.Issue(ctx, kioskB, IssueRequest{Zone: "A"}); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := f.hall.Issue(ctx, guide, IssueRequest{Zone: "A"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "C", IDNumber: "11010519491231002X"}); err != nil {
		t.Fatal(err)
	}
	f.clock.add(time.Minute)
	if _, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A"}); err != nil {
		t.Fatalf("a minute later: %v", err)
	}
}

// TestDailyCapCountsTakeovers: an agent cannot give a citizen at the cap
// one more ticket by taking over a ticket taken without a card.
func TestDailyCapCountsTakeovers(t *testing.T) {
	f := newFixture(t, agentStaff+"[queue]\ndaily_cap_per_id = 1\n")
	ctx := context.Background()
	if _, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "B", IDNumber: idNumber(3)}); err != nil {
		t.Fatal(err)
	}
	held := f.issue(IssueRequest{Zone: "A"}) // taken without a card
	_, err := f.hall.TakeOver(ctx, agentD08, TakeoverRequest{Ticket: held.ID, Applicant: citizen(3),
		Consent: Consent{Method: ConsentVerbalWitnessed, Witness: "G01"}})
	wantKind(t, err, KindLimit)
	if tk, _, _ := f.hall.Ticket(ctx, held.ID); tk.Agent != nil || tk.IDHash != "" {
		t.Fatalf("the refused takeover changed the ticket: %+v", tk)
	}
	// another citizen under the cap: taken over
	if _, err := f.hall.TakeOver(ctx, agentD08, TakeoverRequest{Ticket: held.ID, Applicant: citizen(4),
		Consent: Consent{Method: ConsentVerbalWitnessed, Witness: "G01"}}); err != nil {
		t.Fatal(err)
	}
}

// TestDownOverMidnight: a hall node stopped before midnight and started
// after it does not show yesterday's waiting tickets for a moment.
func TestDownOverMidnight(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	f.clock.set(time.Date(2026, 11, 26, 23, 0, 0, 0, shanghai))
	late := f.issue(IssueRequest{Zone: "A"})
	f.hall.Close()
	f.clock.set(time.Date(2026, 11, 27, 8, 0, 0, 0, shanghai))
	f.open()
	if ws := f.hall.WaitingTickets(0); len(ws) != 0 {
		t.Fatalf("after a start on the next day %d tickets wait", len(ws))
	}
	f.restart() // and on disk
	if tk, _, err := f.hall.Ticket(ctx, late.ID); err != nil || tk.Status != StatusExpired {
		t.Fatalf("yesterday's ticket after a restart: %q, %v", tk.Status, err)
	}
}
