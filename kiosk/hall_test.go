// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"yichuang/config"
)

const testCatalog = `{"matters":[
 {"code":"M-A1","name":"企业设立登记","department":"市场监管局","zone":"A","promise_days":3,"statutory_days":15,"materials":["居民身份证","公司章程"],"mail_ok":true},
 {"code":"M-A2","name":"个体工商户设立登记","department":"市场监管局","zone":"A","promise_days":0,"statutory_days":15,"materials":["居民身份证"],"mail_ok":true},
 {"code":"M-J1","name":"居民身份证换领","department":"公安局","zone":"J","promise_days":20,"statutory_days":60,"materials":["居民身份证","户口簿"],"mail_ok":true},
 {"code":"M-B1","name":"社会保障卡申领","department":"人社局","zone":"B","promise_days":5,"statutory_days":20,"materials":["居民身份证"],"mail_ok":true}
],"packages":[
 {"code":"P-1","name":"开办企业一件事","matters":["M-A1","M-B1"]}
]}`

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type fixture struct {
	t     *testing.T
	hall  *Hall
	store *memStore
	clock *clock
	cfg   *config.Config
	mu    sync.Mutex
	pub   []Event
}

var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// newFixture opens a hall on a memory store; toml overrides the default config.
// The clock starts on Friday 2026-11-27 09:00 in Shanghai.
func newFixture(t *testing.T, toml string) *fixture {
	t.Helper()
	cfg, err := config.Parse([]byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	// the fixture's clock moves freely across closing time and issues
	// many plain tickets at one instant: the hours rule and the anonymous
	// cap apply only where a test names them
	if !strings.Contains(toml, "issue_outside_hours") {
		cfg.Hall.IssueOutsideHours = true
	}
	if !strings.Contains(toml, "anonymous_per_minute") {
		cfg.Queue.AnonymousPerMinute = 0
	}
	f := &fixture{t: t, store: newMemStore(), cfg: cfg,
		clock: &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, shanghai)}}
	f.open()
	return f
}

func (f *fixture) open() {
	f.t.Helper()
	cat, err := ParseCatalog([]byte(testCatalog), []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, f.cfg.Mail.ExcludedDepartments)
	if err != nil {
		f.t.Fatal(err)
	}
	h, err := Open(context.Background(), Options{
		Config: f.cfg, Catalog: cat, Store: f.store, Now: f.clock.now, IDKey: []byte("test-key"),
		Publish: func(e Event) { f.mu.Lock(); f.pub = append(f.pub, e); f.mu.Unlock() },
	})
	if err != nil {
		f.t.Fatal(err)
	}
	f.hall = h
	f.t.Cleanup(h.Close)
}

// restart closes the hall and opens a new one on the same store.
func (f *fixture) restart() {
	f.hall.Close()
	f.open()
}

var (
	kioskA = Actor{Terminal: "kiosk-1", Role: "kiosk"}
	guide  = Actor{Terminal: "guide-1", Role: "guide"}
)

func win(n int) Actor { return Actor{Terminal: fmt.Sprintf("window-%d", n), Role: "window", Window: n} }

func (f *fixture) issue(r IssueRequest) Ticket {
	f.t.Helper()
	res, err := f.hall.Issue(context.Background(), kioskA, r)
	if err != nil {
		f.t.Fatalf("issue %+v: %v", r, err)
	}
	return res.Ticket
}

func (f *fixture) call(w int) *Ticket {
	f.t.Helper()
	t, err := f.hall.Call(context.Background(), win(w), w, CallRequest{})
	if err != nil {
		f.t.Fatalf("call at window %d: %v", w, err)
	}
	return t
}

func number(t *Ticket) string {
	if t == nil {
		return "-"
	}
	return t.Number
}

func wantKind(t *testing.T, err error, k Kind) {
	t.Helper()
	if KindOf(err) != k {
		t.Fatalf("err = %v (kind %d), want kind %d", err, KindOf(err), k)
	}
}

func TestNumbering(t *testing.T) {
	f := newFixture(t, "")
	for i, want := range []string{"A001", "A002", "A003"} {
		if got := f.issue(IssueRequest{Zone: "A"}).Number; got != want {
			t.Fatalf("ticket %d = %s, want %s", i, got, want)
		}
	}
	if got := f.issue(IssueRequest{Zone: "B"}).Number; got != "B001" {
		t.Fatalf("first B = %s", got)
	}
	if got := f.issue(IssueRequest{Matter: "M-J1"}).Number; got != "J001" {
		t.Fatalf("matter in J = %s", got)
	}
	// numbering continues after a restart
	f.restart()
	if got := f.issue(IssueRequest{Zone: "A"}).Number; got != "A004" {
		t.Fatalf("after restart = %s, want A004", got)
	}
	// the hall's midnight (Asia/Shanghai), not UTC's, restarts numbering
	f.clock.set(time.Date(2026, 11, 27, 23, 59, 0, 0, shanghai))
	if got := f.issue(IssueRequest{Zone: "A"}).Number; got != "A005" {
		t.Fatalf("before midnight = %s", got)
	}
	f.clock.set(time.Date(2026, 11, 28, 0, 0, 1, 0, shanghai))
	if got := f.issue(IssueRequest{Zone: "A"}).Number; got != "A001" {
		t.Fatalf("after midnight = %s, want A001", got)
	}
}

func TestNumberGrowsPast999(t *testing.T) {
	f := newFixture(t, "[queue]\ndaily_cap_per_id = 0\n")
	var last string
	for i := 0; i < 1001; i++ {
		last = f.issue(IssueRequest{Zone: "C"}).Number
	}
	if last != "C1001" {
		t.Fatalf("ticket 1001 = %s, want C1001", last)
	}
}

func TestIssueErrors(t *testing.T) {
	f := newFixture(t, "")
	good := &Submission{Applicant: Applicant{IDNumber: "11010519491231002X", Name: "张三丰"}}
	tests := []struct {
		name  string
		req   IssueRequest
		field string
	}{
		{"nothing", IssueRequest{}, "zone"},
		{"unknown zone", IssueRequest{Zone: "Z"}, "zone"},
		{"unknown matter", IssueRequest{Matter: "nope"}, "matter"},
		{"matter in other zone", IssueRequest{Zone: "B", Matter: "M-A1"}, "zone"},
		{"unknown package", IssueRequest{Package: "nope"}, "package"},
		{"bad reason", IssueRequest{Zone: "A", PriorityReason: "vip"}, "priority_reason"},
		{"bad id", IssueRequest{Zone: "A", Submission: &Submission{Applicant: Applicant{IDNumber: "110105194912310021", Name: "张三"}}}, "submission.applicant.id_number"},
		{"no name", IssueRequest{Zone: "A", Submission: &Submission{Applicant: Applicant{IDNumber: "11010519491231002X"}}}, "submission.applicant.name"},
		{"bad mode", IssueRequest{Zone: "A", Submission: &Submission{Applicant: good.Applicant, Delivery: Delivery{Mode: "drone"}}}, "submission.delivery.mode"},
		{"mail excluded department", IssueRequest{Matter: "M-J1", Submission: &Submission{Applicant: good.Applicant,
			Delivery: Delivery{Mode: "mail", Recipient: "张三", Phone: "13800138000", Address: "涵江区", Postcode: "351100"}}}, "submission.delivery.mode"},
		{"mail bad phone", IssueRequest{Matter: "M-A1", Submission: &Submission{Applicant: good.Applicant,
			Delivery: Delivery{Mode: "mail", Recipient: "张三", Phone: "12345", Address: "涵江区", Postcode: "351100"}}}, "submission.delivery.phone"},
		{"mail bad postcode", IssueRequest{Matter: "M-A1", Submission: &Submission{Applicant: good.Applicant,
			Delivery: Delivery{Mode: "mail", Recipient: "张三", Phone: "13800138000", Address: "涵江区", Postcode: "35"}}}, "submission.delivery.postcode"},
		{"mail long recipient", IssueRequest{Matter: "M-A1", Submission: &Submission{Applicant: good.Applicant,
			Delivery: Delivery{Mode: "mail", Recipient: "一二三四五六七八九十一二三四五六七", Phone: "13800138000", Address: "涵江区", Postcode: "351100"}}}, "submission.delivery.recipient"},
		{"bad idempotency key", IssueRequest{Zone: "A", IdempotencyKey: "has space"}, "Idempotency-Key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.hall.Issue(context.Background(), kioskA, tt.req)
			var de *Error
			if !errors.As(err, &de) || de.Kind != KindInvalid || de.Field != tt.field {
				t.Fatalf("err = %#v, want invalid %s", err, tt.field)
			}
		})
	}
	if n := f.store.commits; n != 0 {
		t.Fatalf("%d commits after only bad requests", n)
	}
	if got := f.issue(IssueRequest{Zone: "A"}).Number; got != "A001" {
		t.Fatalf("bad requests used numbers: first good ticket is %s", got)
	}
}

func TestIdempotencyAndOnePerID(t *testing.T) {
	f := newFixture(t, "[queue]\ndaily_cap_per_id = 3\n")
	ctx := context.Background()
	r1, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", IdempotencyKey: "k-1"})
	if err != nil || !r1.Created {
		t.Fatal(r1, err)
	}
	r2, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", IdempotencyKey: "k-1"})
	if err != nil || r2.Ticket.ID != r1.Ticket.ID || !r2.Replay {
		t.Fatalf("retry gave %+v, %v", r2, err)
	}
	// the same key from another terminal is another request
	r3, err := f.hall.Issue(ctx, guide, IssueRequest{Zone: "A", IdempotencyKey: "k-1"})
	if err != nil || r3.Ticket.ID == r1.Ticket.ID {
		t.Fatalf("other terminal's key gave the same ticket")
	}
	f.restart()
	r4, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", IdempotencyKey: "k-1"})
	if err != nil || r4.Ticket.ID != r1.Ticket.ID {
		t.Fatalf("retry after restart gave %s, want %s", r4.Ticket.Number, r1.Ticket.Number)
	}

	id := "11010519491231002X"
	a1, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "B", IDNumber: id})
	if err != nil {
		t.Fatal(err)
	}
	a2, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "B", IDNumber: id})
	if err != nil || a2.Ticket.ID != a1.Ticket.ID || a2.Created {
		t.Fatalf("second ticket for the same ID in zone B: %+v %v", a2, err)
	}
	// another zone is another queue
	if _, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "C", IDNumber: id}); err != nil {
		t.Fatal(err)
	}
	// after the first is served, the citizen may queue again in B
	f.call(4)
	if _, _, err := f.hall.Finish(ctx, win(4), 4, FinishRequest{Result: ResultConsulted}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "B", IDNumber: id}); err != nil {
		t.Fatal(err)
	}
	// the daily cap (3) is reached
	_, err = f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "D", IDNumber: id})
	wantKind(t, err, KindLimit)
}

func TestCallOrder(t *testing.T) {
	tests := []struct {
		name   string
		config string
		issue  []IssueRequest
		age    time.Duration // clock advance after the first ticket
		want   []string
	}{
		{"fifo", "", []IssueRequest{{Zone: "A"}, {Zone: "A"}, {Zone: "A"}}, 0, []string{"A001", "A002", "A003", "-"}},
		{"priority first by default", "", []IssueRequest{{Zone: "A"}, {Zone: "A"}, {Zone: "A", Priority: true, PriorityReason: "pregnant"}, {Zone: "A", PriorityReason: "elderly"}},
			0, []string{"A003", "A004", "A001", "A002"}},
		{"one priority per two normal", "[queue]\npriority_ratio = 2\n",
			[]IssueRequest{{Zone: "A"}, {Zone: "A"}, {Zone: "A"}, {Zone: "A", Priority: true, PriorityReason: "pregnant"}, {Zone: "A", Priority: true, PriorityReason: "pregnant"}, {Zone: "A"}},
			0, []string{"A004", "A001", "A002", "A005", "A003", "A006"}},
		{"ageing beats priority", "[queue]\nmax_wait_minutes = 30\n",
			[]IssueRequest{{Zone: "A"}, {Zone: "A", Priority: true, PriorityReason: "pregnant"}}, 31 * time.Minute, []string{"A001", "A002"}},
		{"other zones not called", "", []IssueRequest{{Zone: "B"}}, 0, []string{"-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.config)
			for i, r := range tt.issue {
				f.issue(r)
				if i == 0 {
					f.clock.add(tt.age)
				}
				f.clock.add(time.Second)
			}
			for i, want := range tt.want {
				if got := number(f.call(1)); got != want {
					t.Fatalf("call %d = %s, want %s", i+1, got, want)
				}
			}
		})
	}
}

func TestHelpOtherZones(t *testing.T) {
	// window 20 (zone F) helps E and G when F is empty; window 18 (E) helps nobody
	f := newFixture(t, "")
	f.issue(IssueRequest{Zone: "G"})
	f.issue(IssueRequest{Zone: "F"})
	if got := number(f.call(18)); got != "-" {
		t.Fatalf("window 18 called %s from another zone", got)
	}
	if got := number(f.call(20)); got != "F001" {
		t.Fatalf("window 20 first call = %s, want its own zone's F001", got)
	}
	if got := number(f.call(20)); got != "G001" {
		t.Fatalf("window 20 second call = %s, want G001 (helping)", got)
	}
}

func TestRecallNoShowTransfer(t *testing.T) {
	f := newFixture(t, "[queue]\nmax_recalls = 2\nno_show_after_recalls = 1\n")
	ctx := context.Background()
	a1 := f.issue(IssueRequest{Zone: "A"})
	f.clock.add(time.Minute)
	f.issue(IssueRequest{Zone: "A"})
	f.call(1)
	_, err := f.hall.NoShow(ctx, win(1), 1)
	wantKind(t, err, KindConflict) // needs one recall first
	for i := 1; i <= 2; i++ {
		tk, err := f.hall.Recall(ctx, win(1), 1)
		if err != nil || tk.Recalls != i || tk.Status != StatusCalled {
			t.Fatalf("recall %d: %+v %v", i, tk, err)
		}
	}
	tk, err := f.hall.Recall(ctx, win(1), 1) // beyond max: no-show
	if err != nil || tk.Status != StatusNoShow {
		t.Fatalf("third recall: %+v %v", tk, err)
	}
	if tk.ID != a1.ID {
		t.Fatal("wrong ticket")
	}
	_, err = f.hall.Recall(ctx, win(1), 1)
	wantKind(t, err, KindConflict)

	// transfer A002 to zone B: it keeps its number and its place by issue time
	f.call(1)
	f.clock.add(time.Minute)
	f.issue(IssueRequest{Zone: "B"}) // B001 issued after A002
	moved, err := f.hall.Transfer(ctx, win(1), 1, TransferRequest{Zone: "B"})
	if err != nil || moved.Number != "A002" || moved.Zone != "B" || moved.Status != StatusWaiting {
		t.Fatalf("transfer: %+v %v", moved, err)
	}
	if got := number(f.call(4)); got != "A002" {
		t.Fatalf("zone B called %s first, want the transferred A002 (earlier issue)", got)
	}
	// transfer to window 6: only window 6 calls it, ahead of others
	f.issue(IssueRequest{Zone: "B"})
	if _, err := f.hall.Transfer(ctx, win(4), 4, TransferRequest{Window: 6}); err != nil {
		t.Fatal(err)
	}
	if got := number(f.call(5)); got != "B001" {
		t.Fatalf("window 5 = %s, want B001 (A002 is pinned to 6)", got)
	}
	if got := number(f.call(6)); got != "A002" {
		t.Fatalf("window 6 = %s, want pinned A002", got)
	}
	_, err = f.hall.Transfer(ctx, win(6), 6, TransferRequest{Window: 6})
	wantKind(t, err, KindInvalid)
	_, err = f.hall.Transfer(ctx, win(6), 6, TransferRequest{})
	wantKind(t, err, KindInvalid)
}

func TestOutOfOrderCall(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	f.issue(IssueRequest{Zone: "A"})
	a2 := f.issue(IssueRequest{Zone: "A"})
	_, err := f.hall.Call(ctx, win(1), 1, CallRequest{Number: "A002"})
	wantKind(t, err, KindInvalid) // no reason
	_, err = f.hall.Call(ctx, win(4), 4, CallRequest{Number: "A002", Reason: "x"})
	wantKind(t, err, KindConflict) // window 4 does not serve A
	_, err = f.hall.Call(ctx, win(2), 1, CallRequest{})
	wantKind(t, err, KindForbidden) // window 2 acting as 1
	tk, err := f.hall.Call(ctx, win(1), 1, CallRequest{Number: "A002", Reason: "预约人员"})
	if err != nil || tk.ID != a2.ID {
		t.Fatalf("chosen call: %+v %v", tk, err)
	}
	es, _ := f.hall.Audit(ctx, AuditQuery{TicketID: a2.ID})
	found := false
	for _, e := range es {
		if e.Action == "ticket.call_out_of_order" && e.Detail == "预约人员" && e.Actor == "window-1" {
			found = true
		}
	}
	if !found {
		t.Fatalf("out-of-order call not audited with who and why: %+v", es)
	}
}

func TestFinishAcceptedOpensCases(t *testing.T) {
	f := newFixture(t, "[hall]\nholidays = [\"2026-11-30\"]\n")
	ctx := context.Background()
	f.issue(IssueRequest{Matter: "M-A1"}) // promise 3 working days
	f.call(1)
	// Friday 27th + 3 working days, skipping the weekend and Monday 30th (holiday) = Thursday 3 Dec
	tk, cases, err := f.hall.Finish(ctx, win(1), 1, FinishRequest{Result: ResultAccepted})
	if err != nil {
		t.Fatal(err)
	}
	if tk.Status != StatusDone || tk.Result != ResultAccepted || len(cases) != 1 {
		t.Fatalf("finish: %+v %+v", tk, cases)
	}
	if c := cases[0]; c.Due != "2026-12-03" || c.Number != "M-A1202611270001" || c.Department != "市场监管局" {
		t.Fatalf("case = %+v", c)
	}
	// a zone ticket needs the matter named
	f.issue(IssueRequest{Zone: "A"})
	f.call(1)
	_, _, err = f.hall.Finish(ctx, win(1), 1, FinishRequest{Result: ResultAccepted})
	wantKind(t, err, KindInvalid)
	_, cases, err = f.hall.Finish(ctx, win(1), 1, FinishRequest{Result: ResultAccepted, Matter: "M-A1"})
	if err != nil || cases[0].Number != "M-A1202611270002" {
		t.Fatalf("second case: %+v %v", cases, err)
	}
	// a package opens a package case and one case per matter
	pt := f.issue(IssueRequest{Package: "P-1"})
	if pt.Zone != "A" {
		t.Fatalf("package zone = %s", pt.Zone)
	}
	f.call(1)
	_, cases, err = f.hall.Finish(ctx, win(1), 1, FinishRequest{Result: ResultAccepted})
	if err != nil || len(cases) != 3 {
		t.Fatalf("package: %+v %v", cases, err)
	}
	if cases[1].Parent != cases[0].Number || cases[2].Parent != cases[0].Number || cases[2].Department != "人社局" {
		t.Fatalf("package parts: %+v", cases)
	}
	if cases[0].Due != "2026-12-07" { // the latest part: 5 working days for M-B1
		t.Fatalf("package due %s", cases[0].Due)
	}
	listed, _ := f.hall.Cases(ctx, CaseQuery{TicketID: pt.ID})
	if len(listed) != 3 {
		t.Fatalf("listed %d cases", len(listed))
	}
	_, _, err = f.hall.Finish(ctx, win(1), 1, FinishRequest{Result: "maybe"})
	wantKind(t, err, KindInvalid)
}

func TestRating(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	tk := f.issue(IssueRequest{Zone: "A"})
	_, err := f.hall.Rate(ctx, win(1), tk.ID, 5, "")
	wantKind(t, err, KindConflict) // not served yet
	f.call(1)
	if _, _, err := f.hall.Finish(ctx, win(1), 1, FinishRequest{Result: ResultConsulted}); err != nil {
		t.Fatal(err)
	}
	_, err = f.hall.Rate(ctx, win(1), tk.ID, 6, "")
	wantKind(t, err, KindInvalid)
	_, err = f.hall.Rate(ctx, win(2), tk.ID, 5, "")
	wantKind(t, err, KindForbidden)
	r, err := f.hall.Rate(ctx, win(1), tk.ID, 2, "等太久")
	if err != nil || !r.FollowUp || r.FollowUpDue != "2026-12-04" || r.Window != 1 || r.Channel != "counter" {
		t.Fatalf("rating = %+v, %v", r, err)
	}
	_, err = f.hall.Rate(ctx, win(1), tk.ID, 5, "")
	wantKind(t, err, KindConflict) // once
	st, err := f.hall.Stats(ctx, "")
	if err != nil || st.Zones["A"].Ratings["2"] != 1 || st.Windows["1"].Ratings["2"] != 1 {
		t.Fatalf("stats ratings: %+v %v", st.Zones["A"], err)
	}
}

func TestExpiryAtClosing(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	f.issue(IssueRequest{Zone: "A"})
	f.issue(IssueRequest{Zone: "A"})
	f.call(1)
	f.clock.set(time.Date(2026, 11, 27, 17, 29, 0, 0, shanghai))
	if err := f.hall.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.hall.Waiting()["A"]; n != 1 {
		t.Fatalf("before closing %d waiting", n)
	}
	f.clock.set(time.Date(2026, 11, 27, 17, 30, 0, 0, shanghai))
	if err := f.hall.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.hall.Waiting()["A"]; n != 0 {
		t.Fatalf("after closing %d waiting", n)
	}
	// a ticket issued after closing waits until the day ends
	late := f.issue(IssueRequest{Zone: "A"})
	_ = f.hall.Sweep(ctx)
	if tk, _, _ := f.hall.Ticket(ctx, late.ID); tk.Status != StatusWaiting {
		t.Fatalf("late ticket %s", tk.Status)
	}
	f.clock.set(time.Date(2026, 11, 28, 8, 0, 0, 0, shanghai))
	_ = f.hall.Sweep(ctx)
	if tk, _, _ := f.hall.Ticket(ctx, late.ID); tk.Status != StatusExpired {
		t.Fatalf("late ticket next morning: %s", tk.Status)
	}
	st, _ := f.hall.Stats(ctx, "2026-11-27")
	if st.Zones["A"].Expired != 2 || st.Zones["A"].Issued != 3 {
		t.Fatalf("stats: %+v", st.Zones["A"])
	}
}

func TestCarryOver(t *testing.T) {
	f := newFixture(t, "[hall]\ncarry_over = true\n")
	ctx := context.Background()
	f.issue(IssueRequest{Zone: "A"})
	f.issue(IssueRequest{Zone: "A"})
	f.clock.set(time.Date(2026, 11, 28, 8, 30, 0, 0, shanghai))
	_ = f.hall.Sweep(ctx)
	f.restart()
	if n := f.hall.Waiting()["A"]; n != 2 {
		t.Fatalf("carried %d", n)
	}
	// the new day's numbers start after the carried ones
	if got := f.issue(IssueRequest{Zone: "A"}).Number; got != "A003" {
		t.Fatalf("first of the new day = %s, want A003", got)
	}
	if got := number(f.call(1)); got != "A001" {
		t.Fatalf("carried ticket called %s", got)
	}
}

func TestFailedCommitChangesNothing(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	f.issue(IssueRequest{Zone: "A"})
	f.store.mu.Lock()
	f.store.failNext = true
	f.store.mu.Unlock()
	if _, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A"}); !errors.Is(err, errInjected) {
		t.Fatalf("err = %v", err)
	}
	if n := f.hall.Waiting()["A"]; n != 1 {
		t.Fatalf("%d waiting after a failed issue", n)
	}
	if got := f.issue(IssueRequest{Zone: "A"}).Number; got != "A002" {
		t.Fatalf("next = %s: a failed issue used a number", got)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, e := range f.pub {
		if e.Seq != int64(i+1) {
			t.Fatalf("published seq %d at %d: a failed commit left a gap or a ghost", e.Seq, i)
		}
	}
}

func TestStats(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		f.issue(IssueRequest{Zone: "B"})
	}
	for i := 0; i < 10; i++ {
		f.clock.add(time.Duration(i+1) * time.Minute) // ticket i waits 1+2+...+(i+1) minutes
		f.call(4)
		f.clock.add(2 * time.Minute)
		if i%3 == 0 {
			if _, err := f.hall.NoShow(ctx, win(4), 4); err != nil {
				t.Fatal(err)
			}
		} else if _, _, err := f.hall.Finish(ctx, win(4), 4, FinishRequest{Result: ResultConsulted}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := f.hall.Stats(ctx, "2026-11-27")
	if err != nil {
		t.Fatal(err)
	}
	b := st.Zones["B"]
	if b.Issued != 10 || b.Served != 6 || b.NoShow != 4 || b.MeanServiceSec != 120 {
		t.Fatalf("zone B = %+v", b)
	}
	// waits in minutes: 1, 1+2+2=5, 5+3+2=10, 16, 23, 31, 40, 50, 61, 73 → mean 31, p90 (9th) 61
	if b.MeanWaitSec != 31*60 || b.P90WaitSec != 61*60 {
		t.Fatalf("waits mean %v p90 %v", b.MeanWaitSec, b.P90WaitSec)
	}
	if w := st.Windows["4"]; w.Served != 6 || w.NoShow != 4 {
		t.Fatalf("window 4 = %+v", w)
	}
	_, err = f.hall.Stats(ctx, "27/11")
	wantKind(t, err, KindInvalid)
}

// TestConcurrentCalls has 30 windows of one zone call at once while kiosks
// issue: no ticket is called twice, none is lost.
func TestConcurrentCalls(t *testing.T) {
	var zone string
	zone = "[[zones]]\nid = \"A\"\nname = \"综合\"\nwindows = ["
	for w := 1; w <= 30; w++ {
		if w > 1 {
			zone += ", "
		}
		zone += fmt.Sprint(w)
	}
	zone += "]\n"
	f := newFixture(t, "[queue]\nmax_wait_minutes = 0\n"+zone+"[[windows]]\nnumber = 1\nhelps = []\n")
	ctx := context.Background()
	const tickets = 600
	var issueWG sync.WaitGroup
	for k := 0; k < 4; k++ {
		issueWG.Add(1)
		go func(k int) {
			defer issueWG.Done()
			a := Actor{Terminal: fmt.Sprintf("kiosk-%d", k), Role: "kiosk"}
			for i := 0; i < tickets/4; i++ {
				if _, err := f.hall.Issue(ctx, a, IssueRequest{Zone: "A", Priority: i%5 == 0, PriorityReason: reasonIf(i%5 == 0)}); err != nil {
					t.Error(err)
					return
				}
			}
		}(k)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	done := make(chan struct{})
	go func() { issueWG.Wait(); close(done) }()
	for w := 1; w <= 30; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				tk, err := f.hall.Call(ctx, win(w), w, CallRequest{})
				if err != nil {
					t.Error(err)
					return
				}
				if tk == nil {
					select {
					case <-done:
						if f.hall.Waiting()["A"] == 0 {
							return
						}
					default:
					}
					continue
				}
				mu.Lock()
				seen[tk.ID]++
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	if len(seen) != tickets {
		t.Fatalf("%d distinct tickets called, want %d", len(seen), tickets)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("ticket %s called %d times", id, n)
		}
	}
}

func TestCaseLifecycle(t *testing.T) {
	f := newFixture(t, "[cases]\nyellow_days = 2\n")
	ctx := context.Background()
	m1, err := f.hall.AddMaterial(ctx, kioskA, "scan", "scan", []byte("%PDF-1 one"), 1)
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := f.hall.AddMaterial(ctx, kioskA, "upload", "pdf", []byte("%PDF-1 two"), 2)
	// a material of another terminal cannot be attached
	other, _ := f.hall.AddMaterial(ctx, guide, "upload", "pdf", []byte("%PDF-1 three"), 1)
	_, err = f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "A", Submission: &Submission{
		Applicant: Applicant{IDNumber: "11010519491231002X", Name: "张三丰"}, Materials: []string{other.ID}}})
	wantKind(t, err, KindInvalid)
	f.issue(IssueRequest{Package: "P-1", Submission: &Submission{
		Applicant: Applicant{IDNumber: "11010519491231002X", Name: "张三丰"}, Materials: []string{m1.ID, m2.ID},
		Delivery: Delivery{Mode: "mail", Recipient: "张三丰", Phone: "13800138000", Address: "涵江区", Postcode: "351100"}}})
	f.call(1)
	// the window serving the ticket sees its materials; another window does not
	if _, doc, err := f.hall.MaterialFor(ctx, win(1), m2.ID); err != nil || string(doc) != "%PDF-1 two" {
		t.Fatalf("serving window: %v", err)
	}
	if _, _, err := f.hall.MaterialFor(ctx, win(2), m2.ID); KindOf(err) != KindForbidden {
		t.Fatalf("another window: %v", err)
	}
	if _, _, err := f.hall.MaterialFor(ctx, win(1), "../../etc/passwd"); KindOf(err) != KindNotFound {
		t.Fatalf("path: %v", err)
	}
	_, cases, err := f.hall.Finish(ctx, win(1), 1, FinishRequest{Result: ResultAccepted})
	if err != nil {
		t.Fatal(err)
	}
	pkg, a1, b1 := cases[0], cases[1], cases[2]
	if len(a1.Materials) != 2 || len(b1.Materials) != 2 {
		t.Fatal("materials are not attached to every part")
	}
	admin := Actor{Terminal: "admin", Role: "admin"}
	dept := Actor{Terminal: "rs", Role: "department"}
	act := func(a Actor, d, number, action string, extra ...string) (Case, error) {
		ca := CaseAction{Action: action}
		if len(extra) > 0 {
			ca.Waybill = extra[0]
		}
		return f.hall.ActOnCase(ctx, a, d, number, ca)
	}
	if _, err := act(admin, "", pkg.Number, "route"); KindOf(err) != KindConflict {
		t.Fatalf("acting on the package case: %v", err)
	}
	if _, err := act(win(1), "", a1.Number, "approve"); KindOf(err) != KindForbidden {
		t.Fatalf("a window approved: %v", err)
	}
	if _, err := act(win(1), "", a1.Number, "ready"); KindOf(err) != KindForbidden {
		t.Fatal(err)
	}
	if _, err := act(admin, "", a1.Number, "approve"); KindOf(err) != KindConflict {
		t.Fatalf("approved before routing: %v", err)
	}
	if _, err := act(admin, "", a1.Number, "fly"); KindOf(err) != KindNotFound {
		t.Fatal(err)
	}
	for _, n := range []string{a1.Number, b1.Number} {
		if _, err := act(win(1), "", n, "route"); err != nil {
			t.Fatal(err)
		}
	}
	// 人社局's back office may not approve 市场监管局's part
	if _, err := act(dept, "人社局", a1.Number, "approve"); KindOf(err) != KindForbidden {
		t.Fatalf("another department approved: %v", err)
	}
	// suspension moves the due date by the working days suspended
	if _, err := act(dept, "人社局", b1.Number, "suspend"); err != nil {
		t.Fatal(err)
	}
	f.clock.add(3 * 24 * time.Hour) // Fri → Mon: one working day suspended (Friday)
	c, err := act(dept, "人社局", b1.Number, "resume")
	if err != nil || c.Due != "2026-12-07" || c.Suspended != "" {
		t.Fatalf("after resuming: due %s (was %s) %v", c.Due, b1.Due, err)
	}
	for _, step := range []struct {
		a      Actor
		d      string
		action string
	}{{admin, "", "approve"}, {admin, "", "ready"}} {
		if _, err := act(step.a, step.d, a1.Number, step.action); err != nil {
			t.Fatal(step.action, err)
		}
	}
	if _, err := act(dept, "人社局", b1.Number, "reject"); err != nil {
		t.Fatal(err)
	}
	if _, err := act(dept, "人社局", b1.Number, "ready"); err != nil {
		t.Fatal(err)
	}
	if _, err := act(win(2), "", a1.Number, "hand-out"); KindOf(err) != KindConflict {
		t.Fatalf("handed out a case to be mailed: %v", err)
	}
	if _, err := act(win(2), "", a1.Number, "mail"); KindOf(err) != KindInvalid {
		t.Fatalf("mailed without a waybill: %v", err)
	}
	for _, n := range []string{a1.Number, b1.Number} {
		if _, err := act(win(2), "", n, "mail", "SF1234567890"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := act(win(2), "", a1.Number, "close"); err != nil {
		t.Fatal(err)
	}
	ps, _ := f.hall.Cases(ctx, CaseQuery{Number: pkg.Number})
	if ps[0].State == CaseClosed {
		t.Fatal("the package closed before its last part")
	}
	if _, err := act(win(2), "", b1.Number, "close"); err != nil {
		t.Fatal(err)
	}
	ps, _ = f.hall.Cases(ctx, CaseQuery{Number: pkg.Number})
	if ps[0].State != CaseClosed || ps[0].DoneAt.IsZero() {
		t.Fatalf("the package did not close with its last part: %+v", ps[0])
	}
	open, _ := f.hall.Cases(ctx, CaseQuery{Open: true})
	if len(open) != 0 {
		t.Fatalf("%d cases still open", len(open))
	}
	// the package took one working day end to end (Fri → Mon), against
	// 3 + 5 promised for its parts one after another
	ps2, err := f.hall.PackageStats(ctx)
	if err != nil || len(ps2) != 1 {
		t.Fatal(ps2, err)
	}
	if p := ps2[0]; p.Code != "P-1" || p.Accepted != 1 || p.Done != 1 || p.MeanDays != 1 || p.PromisedSum != 8 || p.PromisedLatest != 5 {
		t.Fatalf("package stats %+v", p)
	}
}

func TestLights(t *testing.T) {
	f := newFixture(t, "[cases]\nyellow_days = 2\n")
	tests := []struct{ due, state, want string }{
		{"2026-12-31", CaseRouted, "green"},
		{"2026-12-01", CaseRouted, "yellow"}, // Fri 27 Nov + 2 working days = Tue 1 Dec
		{"2026-11-27", CaseRouted, "yellow"},
		{"2026-11-26", CaseRouted, "red"},
		{"2026-11-26", CaseMailed, ""},
	}
	for _, tt := range tests {
		if got := f.hall.Light(Case{Due: tt.due, State: tt.state}); got != tt.want {
			t.Errorf("due %s %s: %q, want %q", tt.due, tt.state, got, tt.want)
		}
	}
}

func TestAppointments(t *testing.T) {
	f := newFixture(t, "[appointments]\nslot_capacity = 2\nearly_minutes = 30\nvoid_after_minutes = 30\n")
	ctx := context.Background()
	admin := Actor{Terminal: "admin", Role: "admin"}
	ap := func(code, id, start, end string) Appointment {
		return Appointment{Code: code, Matter: "M-A1", Date: "2026-11-27", Start: start, End: end,
			Applicant: Applicant{IDNumber: id, Name: "张三丰"}}
	}
	ids := []string{"11010519491231002X", "440524188001010014", "350303199001011235", "350303199001011243"}
	got, err := f.hall.AddAppointments(ctx, admin, []Appointment{ap("AP-0001", ids[0], "10:00", "10:30"), ap("AP-0002", ids[1], "10:00", "10:15")})
	if err != nil || len(got) != 2 || got[0].Zone != "A" || got[0].Status != ApptBooked {
		t.Fatalf("add: %+v %v", got, err)
	}
	tests := []struct {
		name  string
		batch []Appointment
		field string
		kind  Kind
	}{
		{"slot full", []Appointment{ap("AP-0003", ids[2], "10:00", "10:30")}, "start", KindConflict},
		{"same person date matter", []Appointment{ap("AP-0004", ids[0], "11:00", "11:30")}, "applicant.id_number", KindConflict},
		{"code exists", []Appointment{ap("AP-0001", ids[2], "11:00", "11:30")}, "code", KindConflict},
		{"bad time", []Appointment{ap("AP-0005", ids[2], "11:30", "11:00")}, "start", KindInvalid},
		{"bad id", []Appointment{ap("AP-0006", "123", "11:00", "11:30")}, "applicant.id_number", KindInvalid},
		{"past", []Appointment{{Code: "AP-0007", Matter: "M-A1", Date: "2026-11-26", Start: "10:00", End: "10:30", Applicant: Applicant{IDNumber: ids[2], Name: "x"}}}, "date", KindInvalid},
		{"the second of a batch names itself", []Appointment{ap("AP-0008", ids[2], "11:00", "11:30"), ap("AP-0009", ids[3], "25:00", "26:00")}, "appointments[1].start", KindInvalid},
	}
	for _, tt := range tests {
		_, err := f.hall.AddAppointments(ctx, admin, tt.batch)
		var de *Error
		if !errors.As(err, &de) || de.Kind != tt.kind || de.Field != tt.field {
			t.Errorf("%s: %v, want kind %d field %s", tt.name, err, tt.kind, tt.field)
		}
	}
	// nothing of a failed batch was stored
	if as, _ := f.store.Appointments(ctx, AppointmentQuery{Code: "AP-0008"}); len(as) != 0 {
		t.Fatal("a failed batch stored its first appointment")
	}
	// 09:00: too early for a 10:00 slot (opens 09:30)
	_, err = f.hall.CheckIn(ctx, kioskA, "AP-0001", "", "")
	wantKind(t, err, KindConflict)
	f.issue(IssueRequest{Zone: "A"}) // a walk-in waiting before the appointment
	f.clock.set(time.Date(2026, 11, 27, 9, 45, 0, 0, shanghai))
	res, err := f.hall.CheckIn(ctx, kioskA, "AP-0001", "", "")
	if err != nil || res.Ticket.Appointment != "AP-0001" || res.Ticket.Zone != "A" {
		t.Fatalf("check-in: %+v %v", res.Ticket, err)
	}
	// again: the same ticket
	if again, err := f.hall.CheckIn(ctx, kioskA, "AP-0001", "", ""); err != nil || again.Ticket.ID != res.Ticket.ID {
		t.Fatalf("second check-in: %v", err)
	}
	// the appointment goes ahead of the earlier walk-in
	if got := number(f.call(1)); got != res.Ticket.Number {
		t.Fatalf("called %s, want the appointment %s", got, res.Ticket.Number)
	}
	// by ID card, late after the slot but within the grace: a normal ticket
	f.clock.set(time.Date(2026, 11, 27, 10, 20, 0, 0, shanghai))
	late, err := f.hall.CheckIn(ctx, kioskA, "", ids[1], "")
	if err != nil || late.Ticket.Appointment != "" {
		t.Fatalf("late check-in: %+v %v", late.Ticket, err)
	}
	// unknown
	_, err = f.hall.CheckIn(ctx, kioskA, "AP-9999", "", "")
	wantKind(t, err, KindNotFound)
	// void after the grace
	if _, err := f.hall.AddAppointments(ctx, admin, []Appointment{ap("AP-0010", ids[2], "11:00", "11:30")}); err != nil {
		t.Fatal(err)
	}
	f.clock.set(time.Date(2026, 11, 27, 11, 31, 0, 0, shanghai))
	if err := f.hall.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = f.hall.CheckIn(ctx, kioskA, "AP-0010", "", "")
	wantKind(t, err, KindConflict)
	if as, _ := f.store.Appointments(ctx, AppointmentQuery{Code: "AP-0010"}); as[0].Status != ApptVoid {
		t.Fatalf("not void: %+v", as[0])
	}
}

func TestRateLast(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	pad := Actor{Terminal: "rating-pad-1", Role: "window", Window: 1}
	_, err := f.hall.RateLast(ctx, pad, 1, 5)
	wantKind(t, err, KindConflict) // nothing served yet
	tk := f.issue(IssueRequest{Zone: "A"})
	f.call(1)
	if _, _, err := f.hall.Finish(ctx, win(1), 1, FinishRequest{Result: ResultConsulted}); err != nil {
		t.Fatal(err)
	}
	r, err := f.hall.RateLast(ctx, pad, 1, 4)
	if err != nil || r.TicketID != tk.ID || r.Level != 4 || r.Channel != "counter" {
		t.Fatalf("rate last: %+v %v", r, err)
	}
	_, err = f.hall.RateLast(ctx, pad, 1, 5) // once
	wantKind(t, err, KindConflict)
	f.issue(IssueRequest{Zone: "A"})
	f.call(1)
	f.hall.Finish(ctx, win(1), 1, FinishRequest{Result: ResultConsulted})
	f.clock.add(11 * time.Minute) // too long after the service
	_, err = f.hall.RateLast(ctx, pad, 1, 5)
	wantKind(t, err, KindConflict)
}

// TestWaitingAheadOfNewTickets: the O(1) count given at issue agrees with
// a full count of the queue, through calls, transfers and priorities.
func TestWaitingAheadOfNewTickets(t *testing.T) {
	f := newFixture(t, "[queue]\ndaily_cap_per_id = 0\n")
	ctx := context.Background()
	for i := 0; i < 60; i++ {
		res, err := f.hall.Issue(ctx, kioskA, IssueRequest{Zone: "B", Priority: i%4 == 1, PriorityReason: reasonIf(i%4 == 1)})
		if err != nil {
			t.Fatal(err)
		}
		f.hall.mu.Lock()
		want := countAhead(f.hall.waitingList("B"), f.hall.tickets[res.Ticket.ID])
		f.hall.mu.Unlock()
		if res.WaitingAhead != want {
			t.Fatalf("ticket %d: %d ahead at issue, %d by a full count", i, res.WaitingAhead, want)
		}
		switch i % 7 {
		case 3:
			f.call(4)
		case 5:
			f.call(5)
			if _, err := f.hall.Transfer(ctx, win(5), 5, TransferRequest{Zone: "B"}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestLightEvents: a case.light event when a case turns yellow and again
// when it turns red, each once.
func TestLightEvents(t *testing.T) {
	f := newFixture(t, "[cases]\nyellow_days = 1\n")
	ctx := context.Background()
	f.issue(IssueRequest{Matter: "M-A1"}) // promise 3 working days: due Wed 2 Dec
	f.call(1)
	_, cases, err := f.hall.Finish(ctx, win(1), 1, FinishRequest{Result: ResultAccepted})
	if err != nil || len(cases) != 1 || cases[0].Due != "2026-12-02" {
		t.Fatalf("accept: %+v %v", cases, err)
	}
	lights := func() []string {
		f.mu.Lock()
		defer f.mu.Unlock()
		var out []string
		for _, e := range f.pub {
			if e.Type == "case.light" {
				var m map[string]any
				_ = json.Unmarshal(e.Data, &m)
				out = append(out, fmt.Sprint(m["number"], " ", m["light"]))
			}
		}
		return out
	}
	steps := []struct {
		at   time.Time
		want int // case.light events announced by this sweep
	}{
		{time.Date(2026, 11, 27, 10, 0, 0, 0, shanghai), 0}, // green: noted, not announced
		{time.Date(2026, 11, 30, 9, 0, 0, 0, shanghai), 0},  // Mon: due Wed, 2 working days away: green
		{time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai), 1},   // Tue: within 1 working day: yellow
		{time.Date(2026, 12, 1, 15, 0, 0, 0, shanghai), 0},  // still yellow: once
		{time.Date(2026, 12, 3, 9, 0, 0, 0, shanghai), 1},   // Thu: overdue, red
		{time.Date(2026, 12, 4, 9, 0, 0, 0, shanghai), 0},
	}
	for _, s := range steps {
		f.clock.set(s.at)
		n, err := f.hall.SweepLights(ctx)
		if err != nil || n != s.want {
			t.Fatalf("%s: announced %d (%v), want %d", s.at.Format(time.DateTime), n, err, s.want)
		}
	}
	want := []string{cases[0].Number + " yellow", cases[0].Number + " red"}
	if got := lights(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("case.light events %v, want %v", got, want)
	}
	// a closed case has no light and is not announced
	for _, act := range []string{"route", "approve", "ready", "hand-out", "close"} {
		a := win(1)
		if act == "approve" || act == "ready" || act == "hand-out" { // a window hands out only against a pickup ticket (kiosk/pickup.go)
			a = Actor{Terminal: "admin", Role: "admin"}
		}
		if _, err := f.hall.ActOnCase(ctx, a, "", cases[0].Number, CaseAction{Action: act}); err != nil {
			t.Fatalf("%s: %v", act, err)
		}
	}
	f.clock.set(time.Date(2026, 12, 10, 9, 0, 0, 0, shanghai))
	if n, err := f.hall.SweepLights(ctx); err != nil || n != 0 {
		t.Fatalf("after closing: %d %v", n, err)
	}
}

// reasonIf is a priority reason when p (priority needs one).
func reasonIf(p bool) string {
	if p {
		return "elderly"
	}
	return ""
}
