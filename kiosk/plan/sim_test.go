// SPDX-License-Identifier: AGPL-3.0-or-later

package plan

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// The simulation against Erlang C in steady state. Each case runs one
// long day (SimulateQueue: a warm-up, then 20 batches) with seed 1, so
// the figures are the same on every run; the tolerance is stated per
// case. It is wider under heavy load, where waits are long and strongly
// correlated and a run of a few hundred thousand citizens still has a
// standard error of about 0.01. Each case also checks that the tolerance
// means something: the batch-means standard error is well inside it, and
// Erlang C with one window more is far outside it.
func TestSimulateQueueMatchesErlangC(t *testing.T) {
	tests := []struct {
		name    string
		q       Queue
		wait    float64 // target minutes
		tickets int
		tol     float64 // |DES − Erlang C| of the service level
		waitTol float64 // relative, of the mean wait
	}{
		{"M/M/1 a=0.5", Queue{Windows: 1, Arrivals: 3, ServiceMin: 10}, 10, 200_000, 0.01, 0.05},
		{"M/M/2 a=1", Queue{Windows: 2, Arrivals: 6, ServiceMin: 10}, 5, 200_000, 0.01, 0.05},
		{"M/M/5 a=4", Queue{Windows: 5, Arrivals: 20, ServiceMin: 12}, 15, 200_000, 0.01, 0.06},
		{"M/M/12 a=10", Queue{Windows: 12, Arrivals: 60, ServiceMin: 10}, 5, 200_000, 0.015, 0.06},
		{"light M/M/2 a=0.5", Queue{Windows: 2, Arrivals: 2, ServiceMin: 15}, 0, 100_000, 0.01, 0.10},
		{"heavy M/M/1 ρ=0.9", Queue{Windows: 1, Arrivals: 5.4, ServiceMin: 10}, 10, 400_000, 0.02, 0.10},
		{"heavy M/M/10 ρ=0.95", Queue{Windows: 10, Arrivals: 57, ServiceMin: 10}, 10, 400_000, 0.04, 0.12},
		{"heavy M/M/20 ρ=0.95", Queue{Windows: 20, Arrivals: 114, ServiceMin: 10}, 2, 400_000, 0.04, 0.12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SimulateQueue(tt.q, tt.wait, tt.tickets, 1, DistAuto)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.q.ServiceLevel(tt.wait)
			t.Logf("Erlang C %.4f, DES %.4f ± %.4f (%d tickets); mean wait %.3f vs %.3f; P(wait) %.4f vs %.4f",
				want, got.ServiceLevel, got.StdErr, got.Tickets, tt.q.MeanWait(), got.MeanWait, tt.q.PWait(), got.PWait)
			if d := math.Abs(got.ServiceLevel - want); d > tt.tol {
				t.Errorf("service level: DES %.4f, Erlang C %.4f: off by %.4f > %.3f", got.ServiceLevel, want, d, tt.tol)
			}
			if d := math.Abs(got.PWait - tt.q.PWait()); d > tt.tol {
				t.Errorf("P(wait): DES %.4f, Erlang C %.4f: off by %.4f > %.3f", got.PWait, tt.q.PWait(), d, tt.tol)
			}
			if w := tt.q.MeanWait(); math.Abs(got.MeanWait-w) > tt.waitTol*w+0.01 {
				t.Errorf("mean wait: DES %.3f, Erlang C %.3f: off by more than %.0f%%", got.MeanWait, w, 100*tt.waitTol)
			}
			if got.StdErr <= 0 || got.StdErr > tt.tol/2 {
				t.Errorf("standard error %.4f: want (0, %.4f]", got.StdErr, tt.tol/2)
			}
			if got.Tickets < tt.tickets*9/10 || got.Tickets > tt.tickets*11/10 {
				t.Errorf("%d tickets counted, asked for about %d", got.Tickets, tt.tickets)
			}
			more := tt.q
			more.Windows++
			if d := math.Abs(got.ServiceLevel - more.ServiceLevel(tt.wait)); d < 3*tt.tol {
				t.Errorf("one window more is only %.4f away: the tolerance %.3f cannot tell them apart", d, tt.tol)
			}
		})
	}
}

// With a spread other than 1 Erlang C's figures are the Allen–Cunneen
// approximation of M/G/c, and the simulation draws log-normal times: close
// for a small spread, further for a large one, where the approximation
// (which keeps the exponential tail) is the more pessimistic: stated
// tolerances 0.02 and 0.06. Asked for exponential times, the simulation
// ignores the spread and meets plain M/M/c.
func TestSimulateQueueSpread(t *testing.T) {
	base := Queue{Windows: 5, Arrivals: 20, ServiceMin: 12}
	tests := []struct {
		name string
		cv   float64
		dist Dist
		tol  float64
		want float64 // Erlang C's service level
	}{
		{"lognormal cv 0.5", 0.5, DistAuto, 0.02, 0},
		{"lognormal cv 1.5", 1.5, DistLognormal, 0.06, 0},
		{"exp ignores cv 0.5", 0.5, DistExponential, 0.01, base.ServiceLevel(15)},
		{"lognormal cv 0 is cv 1", 0, DistLognormal, 0.02, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := base
			q.ServiceCV = tt.cv
			want := tt.want
			if want == 0 {
				want = q.ServiceLevel(15)
			}
			got, err := SimulateQueue(q, 15, 200_000, 1, tt.dist)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("Erlang C %.4f, DES %.4f ± %.4f; mean wait %.3f vs %.3f", want, got.ServiceLevel, got.StdErr, q.MeanWait(), got.MeanWait)
			if d := math.Abs(got.ServiceLevel - want); d > tt.tol {
				t.Errorf("DES %.4f, Erlang C %.4f: off by %.4f > %.2f", got.ServiceLevel, want, d, tt.tol)
			}
		})
	}
}

func TestSimulateQueueReproducible(t *testing.T) {
	q := Queue{Windows: 3, Arrivals: 15, ServiceMin: 10}
	a, errA := SimulateQueue(q, 5, 20_000, 42, DistAuto)
	b, errB := SimulateQueue(q, 5, 20_000, 42, DistAuto)
	c, errC := SimulateQueue(q, 5, 20_000, 43, DistAuto)
	if errA != nil || errB != nil || errC != nil {
		t.Fatal(errA, errB, errC)
	}
	if a != b {
		t.Errorf("seed 42 twice: %+v and %+v", a, b)
	}
	if a == c {
		t.Errorf("seeds 42 and 43 gave the same run: %+v", a)
	}
}

// oneZone is a day of one slot per rate, each lasting minutes.
func oneZone(id string, minutes float64, rates ...float64) ([]float64, SimZone) {
	slots := make([]float64, len(rates))
	for i := range slots {
		slots[i] = minutes
	}
	return slots, SimZone{ID: id, Arrivals: rates, ServiceMin: 10}
}

// A window of a zone with nobody to serve that helps another zone makes
// that zone an M/M/2 queue; without the help it is M/M/1. The same
// citizens come in both runs (the streams are the zone's).
func TestSimulateHelping(t *testing.T) {
	const hours = 20_000.0
	sc := SimScenario{SlotMinutes: []float64{hours * 60}, WaitMinutes: 5, Zones: []SimZone{
		{ID: "X", Arrivals: []float64{0}, ServiceMin: 10},
		{ID: "Y", Arrivals: []float64{4.5}, ServiceMin: 10},
	}}
	alone, helped := sc, sc
	alone.Windows = []SimWindow{{Serves: []int{0}}, {Serves: []int{1}}}
	helped.Windows = []SimWindow{{Serves: []int{0, 1}}, {Serves: []int{1}}}
	o := SimOptions{Seed: 1, Days: 1}
	ra, err := Simulate(alone, o)
	if err != nil {
		t.Fatal(err)
	}
	rh, err := Simulate(helped, o)
	if err != nil {
		t.Fatal(err)
	}
	ya, yh := ra.Zones[1].Total(), rh.Zones[1].Total()
	mm1 := Queue{Windows: 1, Arrivals: 4.5, ServiceMin: 10}
	mm2 := Queue{Windows: 2, Arrivals: 4.5, ServiceMin: 10}
	t.Logf("alone: DES %.4f, M/M/1 %.4f; helped: DES %.4f, M/M/2 %.4f; helper called %d of %d", ya.ServiceLevel(),
		mm1.ServiceLevel(5), yh.ServiceLevel(), mm2.ServiceLevel(5), yh.Helped, yh.Tickets)
	if ya.Tickets+ya.Unserved != yh.Tickets+yh.Unserved || ya.Tickets < 80_000 {
		t.Errorf("not the same citizens: %d and %d", ya.Tickets+ya.Unserved, yh.Tickets+yh.Unserved)
	}
	if d := math.Abs(ya.ServiceLevel() - mm1.ServiceLevel(5)); d > 0.02 {
		t.Errorf("alone: DES %.4f, M/M/1 %.4f", ya.ServiceLevel(), mm1.ServiceLevel(5))
	}
	if d := math.Abs(yh.ServiceLevel() - mm2.ServiceLevel(5)); d > 0.01 {
		t.Errorf("helped: DES %.4f, M/M/2 %.4f", yh.ServiceLevel(), mm2.ServiceLevel(5))
	}
	if ya.Helped != 0 || yh.Helped == 0 || yh.Helped > yh.Tickets/2 {
		t.Errorf("helped: %d alone, %d of %d with help (want some, under half: its own window goes first)", ya.Helped, yh.Helped, yh.Tickets)
	}
}

// A zone's citizens depend on the seed and its id only: another zone
// beside it changes nothing while no window serves both.
func TestSimulateStreamsPerZone(t *testing.T) {
	slots, a := oneZone("A", 60, 10, 20, 5)
	_, b := oneZone("B", 60, 30, 30, 30)
	solo := SimScenario{SlotMinutes: slots, WaitMinutes: 5, Zones: []SimZone{a}, Windows: []SimWindow{{Serves: []int{0}}, {Serves: []int{0}}}}
	both := SimScenario{SlotMinutes: slots, WaitMinutes: 5, Zones: []SimZone{b, a},
		Windows: []SimWindow{{Serves: []int{0}}, {Serves: []int{1}}, {Serves: []int{0}}, {Serves: []int{1}}, {Serves: []int{0}}}}
	o := SimOptions{Seed: 9, Days: 50}
	r1, err := Simulate(solo, o)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Simulate(both, o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r1.Zones[0], r2.Zones[1]) {
		t.Errorf("zone A alone %+v\nbeside B %+v", r1.Zones[0], r2.Zones[1])
	}
	again, _ := Simulate(both, o)
	if !reflect.DeepEqual(r2, again) {
		t.Error("the same seed gave another day")
	}
	o.Seed = 10
	other, _ := Simulate(both, o)
	if reflect.DeepEqual(r2, other) {
		t.Error("another seed gave the same day")
	}
}

// Windows open and close with the slots: citizens of a slot with no
// window open wait for the next; those of a last slot with none are never
// called and count as late.
func TestSimulateOpening(t *testing.T) {
	closedFirst := SimScenario{SlotMinutes: []float64{30, 30}, WaitMinutes: 0,
		Zones: []SimZone{{ID: "A", Arrivals: []float64{20, 0}, ServiceMin: 1}}, Windows: []SimWindow{{Serves: []int{0}, Open: []bool{false, true}}}}
	r, err := Simulate(closedFirst, SimOptions{Seed: 3, Days: 200})
	if err != nil {
		t.Fatal(err)
	}
	s0, s1 := r.Zones[0].Slots[0], r.Zones[0].Slots[1]
	// 10 citizens a day expected: 2000 ± 5σ (σ ≈ 45)
	if s0.Tickets < 1775 || s0.Tickets > 2225 || s0.Unserved != 0 || s0.Waited != s0.Tickets || s0.Within != 0 || s1.Tickets != 0 {
		t.Errorf("closed first slot: %+v, %+v", s0, s1)
	}
	// everyone waits for 30:00; the first to come, about 30 minutes
	if s0.MaxWait < 25 || s0.MeanWait() < 15 || s0.ServiceLevel() != 0 {
		t.Errorf("closed first slot: max wait %.1f, mean %.1f, SL %v", s0.MaxWait, s0.MeanWait(), s0.ServiceLevel())
	}

	closedLast := closedFirst
	closedLast.Zones = []SimZone{{ID: "A", Arrivals: []float64{0, 20}, ServiceMin: 1}}
	closedLast.Windows = []SimWindow{{Serves: []int{0}, Open: []bool{true, false}}}
	r, err = Simulate(closedLast, SimOptions{Seed: 3, Days: 200})
	if err != nil {
		t.Fatal(err)
	}
	s1 = r.Zones[0].Slots[1]
	if s1.Tickets != 0 || s1.Unserved < 1775 || s1.ServiceLevel() != 0 || r.Zones[0].Total().MeanWait() != 0 {
		t.Errorf("closed last slot: %+v", s1)
	}
}

func TestSimStats(t *testing.T) {
	tests := []struct {
		s            SimStats
		sl, wait, pw float64
	}{
		{SimStats{}, 1, 0, 0},
		{SimStats{Tickets: 4, Within: 3, Waited: 2, WaitSum: 10}, 0.75, 2.5, 0.5},
		{SimStats{Tickets: 3, Within: 3, Unserved: 1, WaitSum: 3}, 0.75, 1, 0},
	}
	for _, tt := range tests {
		if got := []float64{tt.s.ServiceLevel(), tt.s.MeanWait(), tt.s.PWait()}; !reflect.DeepEqual(got, []float64{tt.sl, tt.wait, tt.pw}) {
			t.Errorf("%+v: SL, mean wait, P(wait) = %v, want %v", tt.s, got, []float64{tt.sl, tt.wait, tt.pw})
		}
	}
	sum := SimStats{Tickets: 1, Within: 1, MaxWait: 3, Helped: 1}.Add(SimStats{Tickets: 2, Unserved: 1, MaxWait: 2, WaitSum: 4})
	if sum != (SimStats{Tickets: 3, Within: 1, Unserved: 1, Helped: 1, WaitSum: 4, MaxWait: 3}) {
		t.Errorf("Add: %+v", sum)
	}
}

func TestParseDist(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Dist
		ok   bool
	}{{"", DistAuto, true}, {"auto", DistAuto, true}, {"exp", DistExponential, true}, {"exponential", DistExponential, true},
		{"lognormal", DistLognormal, true}, {"gamma", 0, false}, {"EXP", 0, false}} {
		got, err := ParseDist(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDist(%q) = %v, %v", tt.in, got, err)
		}
		if tt.ok && tt.in != "" && tt.in != "exponential" && got.String() != tt.in {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
}

func TestSimulateRefuses(t *testing.T) {
	slots, z := oneZone("A", 60, 10)
	ok := SimScenario{SlotMinutes: slots, Zones: []SimZone{z}, Windows: []SimWindow{{Serves: []int{0}}}, WaitMinutes: 5}
	o := SimOptions{Seed: 1, Days: 1}
	tests := []struct {
		name   string
		change func(*SimScenario, *SimOptions)
		want   string
	}{
		{"no days", func(_ *SimScenario, o *SimOptions) { o.Days = 0 }, "simulate 0 days"},
		{"bad dist", func(_ *SimScenario, o *SimOptions) { o.Dist = 7 }, "unknown distribution"},
		{"no slots", func(s *SimScenario, _ *SimOptions) { s.SlotMinutes = nil }, "at least one slot"},
		{"empty slot", func(s *SimScenario, _ *SimOptions) { s.SlotMinutes = []float64{0} }, "slot 0 lasts 0"},
		{"NaN slot", func(s *SimScenario, _ *SimOptions) { s.SlotMinutes = []float64{math.NaN()} }, "slot 0 lasts NaN"},
		{"bad target", func(s *SimScenario, _ *SimOptions) { s.WaitMinutes = -1 }, "target wait -1"},
		{"rates", func(s *SimScenario, _ *SimOptions) {
			s.Zones = []SimZone{{ID: "A", Arrivals: []float64{1, 2}, ServiceMin: 1}}
		}, "2 arrival rates for 1 slots"},
		{"negative rate", func(s *SimScenario, _ *SimOptions) {
			s.Zones = []SimZone{{ID: "A", Arrivals: []float64{-1}, ServiceMin: 1}}
		}, "-1 arrivals"},
		{"no service", func(s *SimScenario, _ *SimOptions) { s.Zones = []SimZone{{ID: "A", Arrivals: []float64{1}}} }, "service 0 min"},
		{"twice", func(s *SimScenario, _ *SimOptions) { s.Zones = []SimZone{z, z} }, `zone "A" listed twice`},
		{"too many", func(s *SimScenario, _ *SimOptions) {
			s.Zones = []SimZone{{ID: "A", Arrivals: []float64{1e9}, ServiceMin: 1}}
		}, "more than"},
		{"serves nothing", func(s *SimScenario, _ *SimOptions) { s.Windows = []SimWindow{{}} }, "window 0: serves no zone"},
		{"serves unknown", func(s *SimScenario, _ *SimOptions) { s.Windows = []SimWindow{{Serves: []int{1}}} }, "serves zone 1 of 1"},
		{"open", func(s *SimScenario, _ *SimOptions) {
			s.Windows = []SimWindow{{Serves: []int{0}, Open: []bool{true, true}}}
		}, "open in 2 slots of 1"},
	}
	if _, err := Simulate(ok, o); err != nil {
		t.Fatalf("the valid scenario: %v", err)
	}
	for _, tt := range tests {
		sc, oo := ok, o
		sc.Zones = append([]SimZone(nil), ok.Zones...)
		tt.change(&sc, &oo)
		if _, err := Simulate(sc, oo); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	for _, q := range []Queue{{Windows: 1, Arrivals: 6, ServiceMin: 10}, {Windows: 0, Arrivals: 1, ServiceMin: 1}, {Windows: 1, ServiceMin: 1}} {
		if _, err := SimulateQueue(q, 5, 1000, 1, DistAuto); err == nil {
			t.Errorf("SimulateQueue(%+v) ran", q)
		}
	}
	if _, err := SimulateQueue(Queue{Windows: 1, Arrivals: 1, ServiceMin: 1}, 5, 5, 1, DistAuto); err == nil {
		t.Error("SimulateQueue ran 5 tickets in 20 batches")
	}
}
