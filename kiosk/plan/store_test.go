// SPDX-License-Identifier: AGPL-3.0-or-later

package plan_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"yichuang/kiosk"
	"yichuang/kiosk/plan"
	"yichuang/kiosk/store"
)

var shanghai = time.FixedZone("CST", 8*3600)

// synthetic writes five working days (Mon 2026-11-23 .. Fri 11-27) of
// tickets through the real store:
//   - zone A: each day one ticket before opening (08:15) and two in
//     08:30–09:00, twenty in 09:00–10:00, five in 10:00–11:00 (one a
//     no-show), and one voided ticket; services cycle 8, 12, 16 minutes;
//   - zone B: four tickets on Wednesday at 14:00, 6 minutes each.
func synthetic(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	svc := []time.Duration{8 * time.Minute, 12 * time.Minute, 16 * time.Minute}
	n := 0
	for day := 23; day <= 27; day++ {
		date := fmt.Sprintf("2026-11-%02d", day)
		var ch kiosk.Change
		seq := map[string]int{}
		add := func(zone string, at time.Time, status string, service time.Duration) {
			seq[zone]++
			tk := &kiosk.Ticket{ID: fmt.Sprintf("%s-%s%03d", date, zone, seq[zone]), Day: date, Zone: zone, Seq: seq[zone],
				Number: fmt.Sprintf("%s%03d", zone, seq[zone]), Status: status, IssuedAt: at, Terminal: "kiosk-1",
				StatusKey: "k", IDHash: fmt.Sprintf("h-%s-%s-%d", date, zone, seq[zone])}
			if status == kiosk.StatusDone || status == kiosk.StatusNoShow {
				tk.CalledAt = at.Add(2 * time.Minute)
				tk.Window = 1
			}
			if status == kiosk.StatusDone {
				tk.FinishedAt = tk.CalledAt.Add(service)
				tk.Result = kiosk.ResultAccepted
			}
			ch.Tickets = append(ch.Tickets, tk)
		}
		clock := func(h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, shanghai) }
		done := func(zone string, at time.Time) {
			add(zone, at, kiosk.StatusDone, svc[n%3])
			n++
		}
		done("A", clock(8, 15))
		done("A", clock(8, 35))
		done("A", clock(8, 50))
		for i := range 20 {
			done("A", clock(9, 3*i))
		}
		for i := range 4 {
			done("A", clock(10, 10*i))
		}
		add("A", clock(10, 50), kiosk.StatusNoShow, 0)
		add("A", clock(9, 1), kiosk.StatusVoid, 0)
		if day == 25 {
			for i := range 4 {
				add("B", clock(14, 10*i), kiosk.StatusDone, 6*time.Minute)
			}
		}
		if err := db.Commit(ctx, []*kiosk.Change{&ch}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPlanFromStore(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "kioskd.db"), bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	synthetic(t, db)
	var tickets []*kiosk.Ticket
	for d := 21; d <= 29; d++ { // the weekends around hold nothing
		ts, err := db.Tickets(ctx, fmt.Sprintf("2026-11-%02d", d))
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, ts...)
	}
	h, _ := plan.ParseHours("08:30", "17:30")
	m := plan.Measure(tickets, shanghai, h)
	if m.Days != 5 || m.DaysOfWDs[time.Monday] != 1 || m.DaysOfWDs[time.Saturday] != 0 {
		t.Fatalf("days %d %v", m.Days, m.DaysOfWDs)
	}
	a, b := m.Zones["A"], m.Zones["B"]
	if a == nil || b == nil || m.Zones["C"] != nil {
		t.Fatalf("zones %v", m.Zones)
	}
	// 28 citizens a day (the voided ticket is none); 08:15 counts in the first, half-open hour
	if a.Tickets != 5*28 || a.Profile.Rate[8] != 6 || a.Profile.Rate[9] != 20 || a.Profile.Rate[10] != 5 || a.Profile.Rate[11] != 0 {
		t.Fatalf("A: %d tickets, rates %v", a.Tickets, a.Profile.Rate)
	}
	// 135 services cycling 8, 12, 16: mean 12, sample sd √(45·32/134)
	wantCV := math.Sqrt(45*32/134.0) / 12
	if a.Served != 135 || math.Abs(a.ServiceMin-12) > 1e-9 || math.Abs(a.ServiceCV-wantCV) > 1e-9 {
		t.Fatalf("A: served %d, mean %v, cv %v (want %v)", a.Served, a.ServiceMin, a.ServiceCV, wantCV)
	}
	if b.Tickets != 4 || math.Abs(b.Profile.Rate[14]-0.8) > 1e-12 || b.Weekdays[time.Wednesday].Rate[14] != 4 ||
		b.Weekdays[time.Monday].Rate[14] != 0 || b.ServiceMin != 6 || b.ServiceCV != 0 {
		t.Fatalf("B: %+v", b)
	}

	zps, err := plan.Plan([]plan.Demand{
		{Zone: "A", Profile: a.Profile, ServiceMin: a.ServiceMin, ServiceCV: a.ServiceCV, Windows: 3},
		{Zone: "B", Weekdays: b.Weekdays, ServiceMin: 8, Windows: 4},
	}, h, plan.DefaultTarget())
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]int{8: 2, 9: 5, 10: 2} // every other hour: the one window kept open
	for _, s := range zps[0].Days[0].Slots {
		w, ok := want[s.Hour]
		if !ok {
			w = 1
		}
		if s.Windows != w {
			t.Errorf("A %s: %d windows, want %d", s.Label, s.Windows, w)
		}
	}
	if zps[0].Peak != 5 {
		t.Errorf("A peak %d", zps[0].Peak)
	}
	// per weekday: five day plans, Wednesday's 14:00 the only hour with
	// arrivals: 4 an hour × 8 min = 0.53 Erlang; one window would call
	// 1 − 0.533·e^{−0.467·15/8} = 78% within 15 minutes, so two
	days := zps[1].Days
	if len(days) != 5 || days[0].Weekday != "Monday" || days[2].Weekday != "Wednesday" || days[2].Arrivals != 4 ||
		days[0].Arrivals != 0 || days[0].Peak != 1 || days[2].Peak != 2 || days[2].PeakHour != "14:00–15:00" || zps[1].Peak != 2 {
		for _, d := range days {
			t.Errorf("B %s: %v arrivals, peak %d at %s", d.Weekday, d.Arrivals, d.Peak, d.PeakHour)
		}
	}
}
