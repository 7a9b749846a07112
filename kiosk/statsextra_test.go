// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// idNumber returns a valid resident ID number (the check digit computed
// as GB 11643 says) for test applicant n.
func idNumber(n int) string {
	base := fmt.Sprintf("11010519491231%03d", n)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(base[i]-'0') * w
	}
	return base + string("10X98765432"[sum%11])
}

func mailTo(n int) *Submission {
	return &Submission{Applicant: Applicant{IDNumber: idNumber(n), Name: "张三丰"},
		Delivery: Delivery{Mode: "mail", Recipient: "张三丰", Phone: "13800135678", Address: "涵江区涵华西路1号", Postcode: "351100"}}
}

// seeded is the day seedDay makes: its tickets by name and its cases.
type seeded struct {
	tickets map[string]Ticket
	cases   map[string]Case // by the name of the ticket that opened it; package parts as P.A and P.B
}

// seedDay makes Friday 2026-11-27 in zones A (window 1, staff S01) and B
// (window 4, staff S04), then works its cases until Thursday 2026-12-03
// 15:00, where the clock stays:
//
//	A1 09:00 企业设立 mail     accepted, rated 5; closed Mon 11-30 (due Wed 12-02: on time)
//	A2 09:00 企业设立 pickup   accepted, rated 4; closed Thu 12-03 (late)
//	A3 09:00 企业设立 pickup   accepted, rated 2 (差评); left routed: overdue
//	A4 10:30 zone A            consulted, rated 1 (差评)
//	A5 10:30 开办企业一件事    accepted, rated 4: parts M-A1 (due 12-02, overdue) and M-B1 (due 12-04), both open
//	B1 10:30 社保卡 mail       accepted, rated 3; closed Thu 12-03 (due Fri 12-04: on time)
//	B2 10:30 zone B            no-show
func seedDay(t *testing.T, f *fixture) seeded {
	t.Helper()
	ctx := context.Background()
	s1 := Actor{Terminal: "window-1", Role: "window", Window: 1, Staff: "S01"}
	s4 := Actor{Terminal: "window-4", Role: "window", Window: 4, Staff: "S04"}
	out := seeded{tickets: map[string]Ticket{}, cases: map[string]Case{}}
	issue := func(name string, r IssueRequest) { out.tickets[name] = f.issue(r) }
	issue("A1", IssueRequest{Matter: "M-A1", Submission: mailTo(1)})
	issue("A2", IssueRequest{Matter: "M-A1"})
	issue("A3", IssueRequest{Matter: "M-A1"})
	f.clock.set(time.Date(2026, 11, 27, 10, 30, 0, 0, shanghai))
	issue("A4", IssueRequest{Zone: "A"})
	issue("A5", IssueRequest{Package: "P-1"})
	issue("B1", IssueRequest{Matter: "M-B1", Submission: mailTo(2)})
	issue("B2", IssueRequest{Zone: "B"})
	serve := func(a Actor, name, result string, level int) {
		t.Helper()
		tk, err := f.hall.Call(ctx, a, a.Window, CallRequest{})
		if err != nil || tk == nil || tk.Number != out.tickets[name].Number {
			t.Fatalf("window %d called %s (%v), want %s", a.Window, number(tk), err, name)
		}
		f.clock.add(3 * time.Minute)
		if result == "" {
			if _, err := f.hall.NoShow(ctx, a, a.Window); err != nil {
				t.Fatal(err)
			}
			return
		}
		_, cs, err := f.hall.Finish(ctx, a, a.Window, FinishRequest{Result: result})
		if err != nil {
			t.Fatalf("finish %s: %v", name, err)
		}
		for _, c := range cs {
			switch {
			case c.Package != "" && c.Parent == "":
				out.cases[name] = c
			case c.Package != "":
				out.cases[name+"."+c.Matter] = c
			default:
				out.cases[name] = c
			}
		}
		if _, err := f.hall.Rate(ctx, a, out.tickets[name].ID, level, ""); err != nil {
			t.Fatalf("rate %s: %v", name, err)
		}
	}
	serve(s1, "A1", ResultAccepted, 5)
	serve(s1, "A2", ResultAccepted, 4)
	serve(s1, "A3", ResultAccepted, 2)
	serve(s1, "A4", ResultConsulted, 1)
	serve(s1, "A5", ResultAccepted, 4)
	serve(s4, "B1", ResultAccepted, 3)
	serve(s4, "B2", "", 0)

	admin := Actor{Terminal: "admin", Role: "admin"}
	steps := func(name string, actions ...string) {
		t.Helper()
		for _, a := range actions {
			act := CaseAction{Action: a}
			if a == "mail" {
				act.Waybill = "SF1234567890"
			}
			c, err := f.hall.ActOnCase(ctx, admin, "", out.cases[name].Number, act)
			if err != nil {
				t.Fatalf("%s %s: %v", a, name, err)
			}
			out.cases[name] = c
		}
	}
	steps("A3", "route")
	f.clock.set(time.Date(2026, 11, 30, 11, 0, 0, 0, shanghai))
	steps("A1", "route", "approve", "ready", "mail", "close")
	f.clock.set(time.Date(2026, 12, 3, 15, 0, 0, 0, shanghai))
	steps("A2", "route", "approve", "ready", "hand-out", "close")
	steps("B1", "route", "reject", "ready", "mail", "close")
	return out
}

// TestStatsSeededDay checks the rates and case counts of the seeded day
// against hand-worked answers (see seedDay).
func TestStatsSeededDay(t *testing.T) {
	f := newFixture(t, "")
	seedDay(t, f)
	st, err := f.hall.Stats(context.Background(), "2026-11-27")
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		rated                                           int
		satisfaction                                    float64
		accepted, mail, pickup, closed, onTime, overdue int
		onTimeRate                                      float64
	}
	tests := []struct {
		name string
		got  *Figures
		want want
	}{
		// ratings 5 4 2 1 4 3: three of six are 4–5; cases A1 A2 A3 A5.A A5.B B1:
		// mail A1 B1; closed A1 (on time) A2 (late) B1 (on time); overdue A3 A5.A
		{"total", st.Total, want{6, 0.5, 6, 2, 4, 3, 2, 2, 0.667}},
		{"zone A", st.Zones["A"], want{5, 0.6, 5, 1, 4, 2, 1, 2, 0.5}},
		{"zone B", st.Zones["B"], want{1, 0, 1, 1, 0, 1, 1, 0, 1}},
		{"window 1", st.Windows["1"], want{5, 0.6, 5, 1, 4, 2, 1, 2, 0.5}},
		{"window 4", st.Windows["4"], want{1, 0, 1, 1, 0, 1, 1, 0, 1}},
		{"staff S01", st.Staff["S01"], want{5, 0.6, 5, 1, 4, 2, 1, 2, 0.5}},
		{"staff S04", st.Staff["S04"], want{1, 0, 1, 1, 0, 1, 1, 0, 1}},
		{"zone C (nobody)", st.Zones["C"], want{}},
	}
	for _, tt := range tests {
		if tt.got == nil {
			t.Errorf("%s: no figures", tt.name)
			continue
		}
		g := want{tt.got.Rated, tt.got.SatisfactionRate, tt.got.CasesAccepted, tt.got.CasesMail, tt.got.CasesPickup,
			tt.got.CasesClosed, tt.got.CasesOnTime, tt.got.CasesOverdue, tt.got.OnTimeRate}
		if g != tt.want {
			t.Errorf("%s = %+v, want %+v", tt.name, g, tt.want)
		}
	}
	if st.Total.Issued != 7 || st.Total.Accepted != 5 || st.Total.NoShow != 1 {
		t.Errorf("total issued %d accepted %d no-show %d, want 7 5 1", st.Total.Issued, st.Total.Accepted, st.Total.NoShow)
	}
	hours := map[int]int{9: 3, 10: 4}
	for h, n := range st.IssuedByHour {
		if n != hours[h] {
			t.Errorf("issued at %02d:00 = %d, want %d", h, n, hours[h])
		}
	}
	// the same day as a range of one day says the same
	rg, err := f.hall.StatsRange(context.Background(), "2026-11-27", "2026-11-27")
	if err != nil {
		t.Fatal(err)
	}
	if r, d := rg.Total, st.Total; r.Rated != d.Rated || r.SatisfactionRate != d.SatisfactionRate || r.CasesAccepted != d.CasesAccepted ||
		r.CasesOnTime != d.CasesOnTime || r.OnTimeRate != d.OnTimeRate || r.CasesMail != d.CasesMail || rg.IssuedByHour[10] != 4 {
		t.Errorf("range total = %+v, want %+v", rg.Total, st.Total)
	}
	// a day without tickets has zero rates, not NaN
	empty, err := f.hall.Stats(context.Background(), "2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	if empty.Total.SatisfactionRate != 0 || empty.Total.OnTimeRate != 0 || len(empty.IssuedByHour) != 24 {
		t.Errorf("empty day = %+v", empty.Total)
	}
}

func TestShare(t *testing.T) {
	for _, tt := range []struct {
		n, of int
		want  float64
	}{{0, 0, 0}, {2, 3, 0.667}, {1, 3, 0.333}, {3, 3, 1}, {1, 8, 0.125}} {
		if got := share(tt.n, tt.of); got != tt.want {
			t.Errorf("share(%d, %d) = %v, want %v", tt.n, tt.of, got, tt.want)
		}
	}
}

// TestStatsMedianAndYear: the median wait, and accepted cases projected
// over the year's working days (2026: 261 weekdays, no holidays
// configured) beside the plan's 6000 a year.
func TestStatsMedianAndYear(t *testing.T) {
	f := newFixture(t, "")
	seedDay(t, f)
	st, err := f.hall.Stats(context.Background(), "2026-11-27")
	if err != nil {
		t.Fatal(err)
	}
	// waits: A1–A3 issued 09:00, called 10:30, 10:33, 10:36; A4, A5, B1, B2
	// issued 10:30, called 10:39, 10:42, 10:45, 10:48
	if st.Total.P50WaitSec != 1080 || st.Zones["A"].P50WaitSec != 5400 {
		t.Errorf("p50 waits: total %v, zone A %v; want 1080 and 5400", st.Total.P50WaitSec, st.Zones["A"].P50WaitSec)
	}
	if st.Workdays != 1 || st.TargetCasesPerStaffYear != 6000 {
		t.Errorf("workdays %d, target %d", st.Workdays, st.TargetCasesPerStaffYear)
	}
	if got := st.Staff["S01"].CasesPerYear; got != 5*261 {
		t.Errorf("S01 projected %v cases a year, want %d", got, 5*261)
	}
	// the week of Mon 23 to Sun 29 November: 5 working days, 6 cases
	wk, err := f.hall.StatsRange(context.Background(), "2026-11-23", "2026-11-29")
	if err != nil {
		t.Fatal(err)
	}
	if wk.Workdays != 5 || wk.Total.CasesPerYear != 313.2 {
		t.Errorf("week: %d workdays, %v a year; want 5 and 313.2 (6 × 261 ÷ 5)", wk.Workdays, wk.Total.CasesPerYear)
	}
}
