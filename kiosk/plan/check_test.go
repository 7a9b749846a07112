// SPDX-License-Identifier: AGPL-3.0-or-later

package plan

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// flatDemand is a zone with the same arrivals every open hour.
func flatDemand(zone string, perHour, serviceMin float64, windows int, h Hours) Demand {
	var p Profile
	for _, s := range h.Slots() {
		p.Rate[s.Hour] = perHour
	}
	return Demand{Zone: zone, Name: "zone " + zone, Profile: p, ServiceMin: serviceMin, Windows: windows}
}

func mustPlan(t *testing.T, ds []Demand, h Hours, tg Target) []ZonePlan {
	t.Helper()
	zps, err := Plan(ds, h, tg)
	if err != nil {
		t.Fatal(err)
	}
	return zps
}

// A flat day is Erlang C's steady state but for its start (an empty
// hall at opening) and its end: the simulated day agrees with it within
// 0.02, and every hour within 0.03, but the first, which the empty
// start helps.
func TestCrossCheckFlatDay(t *testing.T) {
	h, _ := ParseHours("08:00", "18:00")
	tg := Target{WaitMinutes: 5, Level: 0.8, MinWindows: 1}
	zps := mustPlan(t, []Demand{flatDemand("A", 30, 10, 6, h), flatDemand("B", 5, 15, 2, h)}, h, tg)
	checks, err := CrossCheck(zps, h, tg, SimOptions{Seed: 1, Days: 400})
	if err != nil {
		t.Fatal(err)
	}
	// A: a = 5 Erlangs, 6 windows give 0.6437, 7 give 0.8808; B: a = 1.25, 2 give 0.6256, 3 give 0.9132
	// (80% within 5 minutes)
	wantWindows := map[string]int{"A": 7, "B": 3}
	wantSL := map[string]float64{"A": 0.8808, "B": 0.9132}
	for i, c := range checks {
		d := c.Days[0]
		t.Logf("%s: %d windows, Erlang C %.4f, DES %.4f (%d tickets), first hour %.4f", c.Zone, d.Slots[0].Windows,
			d.ErlangServiceLevel, d.SimServiceLevel, d.SimTickets, d.Slots[0].SimServiceLevel)
		if c.Zone != zps[i].Zone || len(d.Slots) != 10 || d.Slots[3].Windows != wantWindows[c.Zone] {
			t.Fatalf("%s: %d slots, %d windows", c.Zone, len(d.Slots), d.Slots[3].Windows)
		}
		if math.Abs(d.ErlangServiceLevel-wantSL[c.Zone]) > 5e-5 {
			t.Errorf("%s: day Erlang C %.5f, by hand %.4f", c.Zone, d.ErlangServiceLevel, wantSL[c.Zone])
		}
		if diff := math.Abs(d.SimServiceLevel - d.ErlangServiceLevel); diff > 0.02 {
			t.Errorf("%s: day DES %.4f, Erlang C %.4f", c.Zone, d.SimServiceLevel, d.ErlangServiceLevel)
		}
		for _, s := range d.Slots[1:] {
			if diff := math.Abs(s.SimServiceLevel - s.ErlangServiceLevel); diff > 0.03 {
				t.Errorf("%s %s: DES %.4f, Erlang C %.4f", c.Zone, s.Label, s.SimServiceLevel, s.ErlangServiceLevel)
			}
		}
		if first := d.Slots[0]; first.SimServiceLevel <= first.ErlangServiceLevel {
			t.Errorf("%s: the first hour, from an empty hall, DES %.4f ≤ Erlang C %.4f", c.Zone, first.SimServiceLevel, first.ErlangServiceLevel)
		}
		perDay := 30.0
		if c.Zone == "B" {
			perDay = 5
		}
		if n := float64(d.SimTickets) / 400 / 10; math.Abs(n-perDay) > 0.05*perDay {
			t.Errorf("%s: %.2f tickets an hour simulated, want %g", c.Zone, n, perDay)
		}
	}
}

// Where the plan drops windows from one hour to the next, the queue the
// busy hour leaves is served by fewer windows: the hour after a peak does
// worse in the simulation than in Erlang C, which starts every hour afresh.
func TestCrossCheckCarriesQueueOver(t *testing.T) {
	h, _ := ParseHours("09:00", "11:00")
	var p Profile
	p.Rate[9], p.Rate[10] = 40, 4
	tg := Target{WaitMinutes: 10, Level: 0.8, MinWindows: 1}
	zps := mustPlan(t, []Demand{{Zone: "A", Profile: p, ServiceMin: 12}}, h, tg)
	checks, err := CrossCheck(zps, h, tg, SimOptions{Seed: 5, Days: 2000})
	if err != nil {
		t.Fatal(err)
	}
	peak, after := checks[0].Days[0].Slots[0], checks[0].Days[0].Slots[1]
	t.Logf("peak %d windows: EC %.4f DES %.4f; after %d windows: EC %.4f DES %.4f (mean wait %.2f)", peak.Windows,
		peak.ErlangServiceLevel, peak.SimServiceLevel, after.Windows, after.ErlangServiceLevel, after.SimServiceLevel, after.SimMeanWait)
	if peak.Windows <= after.Windows || after.SimServiceLevel > after.ErlangServiceLevel-0.02 {
		t.Errorf("after the peak: %d → %d windows, DES %.4f, Erlang C %.4f", peak.Windows, after.Windows,
			after.SimServiceLevel, after.ErlangServiceLevel)
	}
}

func TestCrossCheckWeekdaysAndRefusals(t *testing.T) {
	h, _ := ParseHours("09:00", "12:00")
	tg := DefaultTarget()
	a := flatDemand("A", 10, 10, 2, h)
	b := flatDemand("B", 3, 10, 1, h)
	a.Weekdays = map[time.Weekday]Profile{1: a.Profile, 2: {}}
	b.Weekdays = map[time.Weekday]Profile{1: {}, 2: b.Profile}
	zps := mustPlan(t, []Demand{a, b}, h, tg)
	checks, err := CrossCheck(zps, h, tg, SimOptions{Seed: 1, Days: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(checks[0].Days) != 2 || checks[0].Days[0].Weekday != "Monday" || checks[0].Days[1].SimTickets != 0 ||
		checks[1].Days[0].SimTickets != 0 || checks[1].Days[1].SimTickets == 0 || checks[1].Days[0].SimServiceLevel != 1 {
		t.Errorf("weekdays: %+v", checks)
	}
	bad := append([]ZonePlan(nil), zps...)
	bad[1].Days = bad[1].Days[:1]
	if _, err := CrossCheck(bad, h, tg, SimOptions{Seed: 1, Days: 5}); err == nil || !strings.Contains(err.Error(), "kinds of day") {
		t.Errorf("mismatched days: %v", err)
	}
	other, _ := ParseHours("09:00", "13:00")
	if _, err := CrossCheck(zps, other, tg, SimOptions{Seed: 1, Days: 5}); err == nil || !strings.Contains(err.Error(), "hours in a day") {
		t.Errorf("other hours: %v", err)
	}
	if _, err := CrossCheck(zps, h, tg, SimOptions{Seed: 1}); err == nil {
		t.Error("0 days simulated")
	}
}

// Two zones and a helping window: X has no citizens and one window that
// helps Y; Y has one window; Z is on its own. Figures by hand:
//   - Y alone on its window, a = 0.75: 1 − 0.75·e^{−0.25·15/10} = 0.4845;
//     needs 2 windows: C(2, 0.75) = 0.5625/2.75, SL = 1 − 0.2045·e^{−1.875} = 0.9686;
//   - pooled, the same: X adds no citizens, so the group needs 2 (Y's) where
//     the zones alone need 1 + 2 = 3, and on the 2 planned windows Erlang C
//     gives the M/M/2 figure, 0.9686;
//   - the simulation with X's window helping is that M/M/2.
func TestPooling(t *testing.T) {
	h, _ := ParseHours("08:00", "18:00")
	tg := DefaultTarget()
	zps := mustPlan(t, []Demand{flatDemand("X", 0, 10, 1, h), flatDemand("Y", 4.5, 10, 1, h), flatDemand("Z", 3, 10, 1, h)}, h, tg)
	windows := []PoolWindow{{Number: 1, Zone: "X", Helps: []string{"Y"}}, {Number: 2, Zone: "Y"}, {Number: 3, Zone: "Z"}}
	rep, err := Pooling(zps, windows, h, tg, SimOptions{Seed: 1, Days: 400})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 1 || !reflect.DeepEqual(rep.Groups[0].Zones, []string{"X", "Y"}) || rep.Groups[0].WindowsPlanned != 2 ||
		!reflect.DeepEqual(rep.Groups[0].Helpers, windows[:1]) || len(rep.Groups[0].Days) != 1 {
		t.Fatalf("groups: %+v", rep.Groups)
	}
	d := rep.Groups[0].Days[0]
	for _, s := range d.Slots {
		if s.NeededSeparate != 3 || s.NeededPooled != 2 || math.Abs(s.ErlangSeparate-0.4845) > 5e-5 ||
			math.Abs(s.ErlangPooled-0.9686) > 5e-5 || s.Arrivals != 4.5 || s.ServiceMin != 10 || math.Abs(s.ServiceCV-1) > 1e-12 {
			t.Errorf("%s: %+v", s.Label, s)
		}
	}
	if d.PeakSeparate != 3 || d.PeakPooled != 2 || d.WindowHoursSeparate != 30 || d.WindowHoursPooled != 20 || d.Arrivals != 45 {
		t.Errorf("day: %+v", d)
	}
	x, y, z := rep.Zones[0], rep.Zones[1], rep.Zones[2]
	t.Logf("Y: EC alone %.4f, DES alone %.4f, DES helped %.4f (M/M/2 %.4f), helped share %.3f; day: DES %.4f → %.4f",
		y.ErlangServiceLevel, y.SimSeparate, y.SimHelping, d.ErlangPooled, y.HelpedShare, d.SimSeparate, d.SimHelping)
	if x.Group != 0 || y.Group != 0 || z.Group != -1 || y.WindowsPlanned != 1 || y.Arrivals != 45 {
		t.Errorf("zones: %+v", rep.Zones)
	}
	if math.Abs(y.SimHelping-d.ErlangPooled) > 0.01 {
		t.Errorf("Y helped: DES %.4f, M/M/2 %.4f", y.SimHelping, d.ErlangPooled)
	}
	// M/M/1 at ρ = 0.75 settles slowly (hours): the day, begun empty, beats the steady state
	if y.SimSeparate < y.ErlangServiceLevel || y.SimSeparate > y.SimHelping-0.2 {
		t.Errorf("Y alone: DES %.4f, Erlang C %.4f, helped %.4f", y.SimSeparate, y.ErlangServiceLevel, y.SimHelping)
	}
	if y.HelpedShare < 0.1 || y.HelpedShare > 0.5 || x.HelpedShare != 0 || z.HelpedShare != 0 {
		t.Errorf("helped shares: X %.3f, Y %.3f, Z %.3f", x.HelpedShare, y.HelpedShare, z.HelpedShare)
	}
	// the same citizens, and nobody helps Z: identical runs
	if z.SimSeparate != z.SimHelping || z.SimWaitSeparate != z.SimWaitHelping || z.SimSeparate == 1 {
		t.Errorf("Z: %+v", z)
	}
}

// The pooled queue's service time is the mixture of the zones': mean
// (3·10 + 6·20)/9 = 16.667 min, E[S²] = (3·200 + 6·800)/9 = 600, so
// cv = √(600/16.667² − 1) = √1.16. With a = 2.5 and the M/G/c factor
// (1 + 1.16)/2 = 1.08: 3 windows give C = 0.7022, SL = 1 − 0.7022·e^{−0.5·15/18} = 0.537;
// 4 give C = 0.3199, SL = 1 − 0.3199·e^{−1.5·15/18} = 0.908: 4 windows.
func TestPoolingMixedService(t *testing.T) {
	h, _ := ParseHours("09:00", "10:00")
	tg := DefaultTarget()
	zps := mustPlan(t, []Demand{flatDemand("A", 3, 10, 1, h), flatDemand("B", 6, 20, 3, h)}, h, tg)
	windows := []PoolWindow{{Number: 1, Zone: "A", Helps: []string{"B"}}, {Number: 2, Zone: "B", Helps: []string{"A"}},
		{Number: 3, Zone: "B"}, {Number: 4, Zone: "B"}}
	rep, err := Pooling(zps, windows, h, tg, SimOptions{Seed: 1, Days: 20})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Groups[0].Days[0].Slots[0]
	if math.Abs(s.ServiceMin-150.0/9) > 1e-9 || math.Abs(s.ServiceCV-math.Sqrt(1.16)) > 1e-9 || s.Arrivals != 9 {
		t.Errorf("mixed service: %+v", s)
	}
	if s.NeededPooled != 4 || math.Abs(s.ErlangPooled-0.9083) > 5e-4 {
		t.Errorf("pooled: %d windows needed, %.4f on the 4 planned", s.NeededPooled, s.ErlangPooled)
	}
	if rep.Groups[0].WindowsPlanned != 4 || len(rep.Groups[0].Helpers) != 2 {
		t.Errorf("group: %+v", rep.Groups[0])
	}
}

func TestPoolingRefuses(t *testing.T) {
	h, _ := ParseHours("09:00", "10:00")
	zps := mustPlan(t, []Demand{flatDemand("A", 3, 10, 1, h)}, h, DefaultTarget())
	o := SimOptions{Seed: 1, Days: 2}
	for _, tt := range []struct {
		windows []PoolWindow
		want    string
	}{
		{[]PoolWindow{{Number: 1, Zone: "Q"}}, `window 1 is in zone "Q"`},
		{[]PoolWindow{{Number: 1, Zone: "A", Helps: []string{"Q"}}}, `window 1 helps zone "Q"`},
	} {
		if _, err := Pooling(zps, tt.windows, h, DefaultTarget(), o); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.windows, err, tt.want)
		}
	}
	rep, err := Pooling(zps, []PoolWindow{{Number: 1, Zone: "A", Helps: []string{"A"}}}, h, DefaultTarget(), o)
	if err != nil || len(rep.Groups) != 0 || rep.Zones[0].Group != -1 {
		t.Errorf("a window helping its own zone: %+v, %v", rep, err)
	}
}
