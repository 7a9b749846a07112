// SPDX-License-Identifier: AGPL-3.0-or-later

package plan

import (
	"math"
	"testing"
)

func TestHoursSlots(t *testing.T) {
	h, err := ParseHours("08:30", "17:30")
	if err != nil {
		t.Fatal(err)
	}
	s := h.Slots()
	if len(s) != 10 || s[0] != (HourSlot{8, 0.5}) || s[1] != (HourSlot{9, 1}) || s[9] != (HourSlot{17, 0.5}) || h.Len() != 9 {
		t.Fatalf("slots %v, len %v", s, h.Len())
	}
	if h.Label(8) != "08:30–09:00" || h.Label(10) != "10:00–11:00" || h.clamp(6) != 8 || h.clamp(19) != 17 || h.clamp(12) != 12 {
		t.Fatal("labels or clamping")
	}
	if h2, _ := ParseHours("09:00", "12:00"); len(h2.Slots()) != 3 || h2.clamp(12) != 11 {
		t.Fatalf("09:00–12:00: %v", h2.Slots())
	}
	for _, bad := range [][2]string{{"17:00", "09:00"}, {"9", "17:00"}, {"09:00", "25:00"}} {
		if _, err := ParseHours(bad[0], bad[1]); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestSpread(t *testing.T) {
	h, _ := ParseHours("08:30", "17:30")
	p := Spread(120, h, DefaultShape())
	if got := p.PerDay(h); math.Abs(got-120) > 1e-9 {
		t.Fatalf("per day %v", got)
	}
	// the documented peak factor: 1.6 × 9 h ÷ 9.5 weighted hours
	if got := p.PeakFactor(h); math.Abs(got-1.6*9/9.5) > 1e-9 {
		t.Fatalf("peak factor %v", got)
	}
	if p.Rate[7] != 0 || p.Rate[18] != 0 {
		t.Fatal("arrivals outside the opening hours")
	}
	flat := Spread(90, h, [24]float64{})
	if flat.Rate[8] != 10 || flat.Rate[12] != 10 || flat.PerDay(h) != 90 {
		t.Fatalf("even spread %v", flat.Rate)
	}
}

func TestPlan(t *testing.T) {
	h, _ := ParseHours("08:30", "17:30")
	var p Profile
	p.Rate[8], p.Rate[9], p.Rate[10] = 6, 20, 5
	zps, err := Plan([]Demand{{Zone: "A", Profile: p, ServiceMin: 12, ServiceCV: 1, Windows: 3}}, h, DefaultTarget())
	if err != nil {
		t.Fatal(err)
	}
	d := zps[0].Days[0]
	want := map[int]int{8: 2, 9: 5, 10: 2}
	for _, s := range d.Slots {
		w, ok := want[s.Hour]
		if !ok {
			w = 1
		}
		if s.Windows != w {
			t.Errorf("%s: %d windows, want %d", s.Label, s.Windows, w)
		}
		if s.ServiceLevel < 0.8 {
			t.Errorf("%s: service level %v", s.Label, s.ServiceLevel)
		}
	}
	if zps[0].Peak != 5 || d.PeakHour != "09:00–10:00" || d.Arrivals != 3+20+5 || d.WindowHours != 1+5+2+6+0.5 {
		t.Errorf("peak %d at %s, %v arrivals, %v window-hours", zps[0].Peak, d.PeakHour, d.Arrivals, d.WindowHours)
	}
	if _, err := Plan([]Demand{{Zone: "A", ServiceMin: 0}}, h, DefaultTarget()); err == nil {
		t.Error("no service time accepted")
	}
	if _, err := Plan(nil, h, Target{}); err == nil {
		t.Error("no target accepted")
	}
}

// The plan's figures (HALL.md) and what the yearly view makes of them.
func TestYearlyHanjiang(t *testing.T) {
	y, err := Yearly(Hanjiang(), nil, DefaultYearly())
	if err != nil {
		t.Fatal(err)
	}
	if len(y.Zones) != 7 || y.Cases != 89809 || y.PlanWindows != 23 || y.PlanStaff != 23 {
		t.Fatalf("zones %d, cases %v, windows %d, staff %d", len(y.Zones), y.Cases, y.PlanWindows, y.PlanStaff)
	}
	wantStaff := map[string]int{"A": 2, "B": 6, "C": 5, "D": 3, "E": 1, "F": 1, "G": 1} // ceil(volume / 6000)
	for _, z := range y.Zones {
		if z.StaffAtTarget != wantStaff[z.ID] {
			t.Errorf("%s: %d staff at 6000, want %d", z.ID, z.StaffAtTarget, wantStaff[z.ID])
		}
		if z.CostPlan != float64(z.Staff)*64800 {
			t.Errorf("%s: cost %v", z.ID, z.CostPlan)
		}
	}
	if y.StaffAtTarget != 19 || y.PooledAtTarget != 15 || y.CostPlan != 1_490_400 || y.CostAtTarget != 1_231_200 {
		t.Errorf("at target %d (pooled %d), cost %v → %v", y.StaffAtTarget, y.PooledAtTarget, y.CostPlan, y.CostAtTarget)
	}
	if math.Abs(y.CasesPerStaff-89809.0/23) > 1e-9 {
		t.Errorf("cases per staff %v", y.CasesPerStaff)
	}
	c := y.Zones[2] // 不动产: 30000 a year, 4 windows
	// 4 windows × 250 days × 8 h × 60 min ÷ 30000 cases = 16 minutes
	if c.ID != "C" || c.SaturationMin != 16 || c.PeakArrivals != 22.5 || c.PeakLoad != 5.625 {
		t.Fatalf("C: %+v", c)
	}
	// at 15 min, 4 windows cannot take a peak of 5.6 Erlangs
	if c.Verdict != "under" || c.QueueWindows != Windows(22.5, 15, 1, DefaultTarget()) || c.PlanMeanWait != -1 || c.PlanServiceLevel != 0 {
		t.Errorf("C: %+v", c)
	}
	// 社会民生: 6 windows for 14,268 cases is more than the queue needs
	if d := y.Zones[3]; d.Verdict != "over" || d.Delta <= 0 {
		t.Errorf("D: %+v", d)
	}
	// a measured service time replaces the assumed one
	y2, _ := Yearly(Hanjiang(), map[string]float64{"C": 6}, DefaultYearly())
	if c2 := y2.Zones[2]; c2.ServiceMin != 6 || c2.QueueWindows >= c.QueueWindows {
		t.Errorf("C at 6 min: %+v", c2)
	}
	// pooling every zone into one queue needs fewer windows than the zones apart
	if y.PooledQueueWindows >= y.QueueWindows {
		t.Errorf("pooled %d ≥ apart %d", y.PooledQueueWindows, y.QueueWindows)
	}
	if _, err := Yearly(Hanjiang(), nil, YearlyAssumptions{Target: DefaultTarget()}); err == nil {
		t.Error("zero assumptions accepted")
	}
}
