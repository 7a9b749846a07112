// SPDX-License-Identifier: AGPL-3.0-or-later

package plan

import (
	"math"
	"math/big"
	"testing"
)

// exactErlangC is Erlang C in exact rational arithmetic from the textbook
// formula with factorials: (a^c/c! · c/(c−a)) / (Σ_{k<c} a^k/k! + a^c/c! · c/(c−a)).
func exactErlangC(c int, a *big.Rat) float64 {
	term := big.NewRat(1, 1) // a^k / k!
	sum := new(big.Rat)
	for k := 0; k < c; k++ {
		sum.Add(sum, term)
		term.Mul(term, a)
		term.Quo(term, big.NewRat(int64(k+1), 1))
	}
	cc := big.NewRat(int64(c), 1)
	tail := new(big.Rat).Mul(term, new(big.Rat).Quo(cc, new(big.Rat).Sub(cc, a)))
	f, _ := new(big.Rat).Quo(tail, sum.Add(sum, tail)).Float64()
	return f
}

// exactErlangB is (a^c/c!) / Σ_{k≤c} a^k/k! exactly.
func exactErlangB(c int, a *big.Rat) float64 {
	term := big.NewRat(1, 1)
	sum := big.NewRat(1, 1)
	for k := 1; k <= c; k++ {
		term.Mul(term, a)
		term.Quo(term, big.NewRat(int64(k), 1))
		sum.Add(sum, term)
	}
	f, _ := new(big.Rat).Quo(term, sum).Float64()
	return f
}

// The reference is exact rational arithmetic (math/big.Rat) on the
// factorial formula; for a = 10 Erlangs the values are also pinned to four
// decimals (0.6821, 0.4494, 0.2853, 0.1741, 0.1020 for c = 11..15, the
// figures Erlang C tables give). a = 6, c = 10 is the textbook example
// whose answer is "about 0.10".
func TestErlangCTable(t *testing.T) {
	tests := []struct {
		c       int
		num     int64 // a = num/den
		den     int64
		rounded float64 // four decimals; 0: not pinned
	}{
		{11, 10, 1, 0.6821}, {12, 10, 1, 0.4494}, {13, 10, 1, 0.2853}, {14, 10, 1, 0.1741}, {15, 10, 1, 0.1020},
		{10, 6, 1, 0.1013},
		{1, 1, 2, 0.5}, {2, 1, 1, 1.0 / 3}, // M/M/1: C = a; M/M/2: C = a²/(2+a)
		{3, 5, 2, 0}, {4, 5, 2, 0}, {5, 5, 2, 0}, {6, 5, 2, 0},
		{100, 95, 1, 0}, {110, 95, 1, 0}, {310, 300, 1, 0}, {2, 199, 100, 0},
	}
	for _, tt := range tests {
		a := float64(tt.num) / float64(tt.den)
		got := ErlangC(tt.c, a)
		want := exactErlangC(tt.c, big.NewRat(tt.num, tt.den))
		if math.Abs(got-want) > 1e-12*math.Max(1, want) {
			t.Errorf("ErlangC(%d, %g) = %.15g, exact %.15g", tt.c, a, got, want)
		}
		if tt.rounded != 0 && math.Abs(got-tt.rounded) > 5e-5 {
			t.Errorf("ErlangC(%d, %g) = %.6f, tables say %.4f", tt.c, a, got, tt.rounded)
		}
		if b, wantB := ErlangB(tt.c, a), exactErlangB(tt.c, big.NewRat(tt.num, tt.den)); math.Abs(b-wantB) > 1e-12*math.Max(1, wantB) {
			t.Errorf("ErlangB(%d, %g) = %.15g, exact %.15g", tt.c, a, b, wantB)
		}
	}
}

// No factorials: thousands of servers stay finite and in range.
func TestErlangLarge(t *testing.T) {
	for _, tt := range []struct {
		c int
		a float64
	}{{1000, 950}, {5000, 4990}, {20000, 100}, {171, 170}} {
		c := ErlangC(tt.c, tt.a)
		if math.IsNaN(c) || c < 0 || c > 1 {
			t.Errorf("ErlangC(%d, %g) = %v", tt.c, tt.a, c)
		}
	}
	for _, tt := range []struct {
		c    int
		a    float64
		want float64
	}{{0, 3, 1}, {5, 0, 0}, {3, 3, 1}, {3, 4, 1}} {
		if got := ErlangC(tt.c, tt.a); got != tt.want && !(tt.c == 0 && got == 1) {
			t.Errorf("ErlangC(%d, %g) = %v, want %v", tt.c, tt.a, got, tt.want)
		}
	}
	if !math.IsNaN(ErlangC(3, -1)) || !math.IsNaN(ErlangB(-1, 1)) {
		t.Error("negative arguments are not NaN")
	}
}

func TestQueue(t *testing.T) {
	const eps = 1e-9
	tests := []struct {
		name               string
		q                  Queue
		t                  float64
		load, pw, wait, sl float64
	}{
		// M/M/1, λ = 3/h, s = 10 min: a = 0.5, C = a, Wq = C·s/(1−a) = 10, SL(10) = 1 − 0.5·e^{−0.5}
		{"mm1", Queue{Windows: 1, Arrivals: 3, ServiceMin: 10}, 10, 0.5, 0.5, 10, 1 - 0.5*math.Exp(-0.5)},
		// M/M/2, a = 1: C = 1/3, Wq = (1/3)·s/(2−1)
		{"mm2", Queue{Windows: 2, Arrivals: 6, ServiceMin: 10}, 0, 1, 1.0 / 3, 10.0 / 3, 1 - 1.0/3},
		// cv 0.5: waits × (1 + 0.25)/2
		{"mg1", Queue{Windows: 1, Arrivals: 3, ServiceMin: 10, ServiceCV: 0.5}, 10, 0.5, 0.5, 10 * 0.625, 1 - 0.5*math.Exp(-0.5/0.625)},
		{"empty", Queue{Windows: 1, ServiceMin: 10}, 5, 0, 0, 0, 1},
		{"overloaded", Queue{Windows: 2, Arrivals: 12, ServiceMin: 10}, 5, 2, 1, math.Inf(1), 0},
	}
	for _, tt := range tests {
		q := tt.q
		if got := []float64{q.Load(), q.PWait(), q.MeanWait(), q.ServiceLevel(tt.t)}; math.Abs(got[0]-tt.load) > eps ||
			math.Abs(got[1]-tt.pw) > eps || !(math.Abs(got[2]-tt.wait) < eps || got[2] == tt.wait) || math.Abs(got[3]-tt.sl) > eps {
			t.Errorf("%s: load, P(wait), mean wait, SL = %v, want %v", tt.name, got, []float64{tt.load, tt.pw, tt.wait, tt.sl})
		}
	}
}

func TestWindows(t *testing.T) {
	tg := DefaultTarget()
	tests := []struct {
		name          string
		lam, s, cv    float64
		t             Target
		want          int
		wantSL, wantW float64 // with want windows (0: not checked)
	}{
		{"idle", 0, 10, 1, tg, 1, 0, 0},
		{"idle, no minimum", 0, 10, 1, Target{WaitMinutes: 15, Level: 0.8}, 0, 0, 0},
		// a = 4: c = 5 gives 1 − 0.5541·e^{−15/12} ≈ 0.841
		{"a=4", 20, 12, 1, tg, 5, 0.8413, 0},
		{"a=1 needs 2", 6, 10, 1, tg, 2, 0, 0},
		// M/M/1 a=0.4, t=15, s=15: 1 − 0.4·e^{−0.6} = 0.780 < 0.8 → 2
		{"light but slow", 1.6, 15, 1, tg, 2, 0, 0},
		{"a=10 80% in 0", 60, 10, 1, Target{Level: 0.8}, 14, 1 - 0.17413193359504983, 0},
		// mean wait ≤ 1 min at a = 10, s = 10: C(c)·10/(c−10) ≤ 1
		{"mean wait", 60, 10, 1, Target{MaxMeanWait: 1}, 13, 0, 0.9509},
		{"smaller cv needs no more", 20, 12, 0.3, tg, 5, 0, 0},
	}
	for _, tt := range tests {
		got := Windows(tt.lam, tt.s, tt.cv, tt.t)
		if got != tt.want {
			t.Errorf("%s: Windows = %d, want %d", tt.name, got, tt.want)
			continue
		}
		q := Queue{Windows: got, Arrivals: tt.lam, ServiceMin: tt.s, ServiceCV: tt.cv}
		if tt.wantSL != 0 && math.Abs(q.ServiceLevel(tt.t.WaitMinutes)-tt.wantSL) > 1e-4 {
			t.Errorf("%s: SL = %.5f, want %.4f", tt.name, q.ServiceLevel(tt.t.WaitMinutes), tt.wantSL)
		}
		if tt.wantW != 0 && math.Abs(q.MeanWait()-tt.wantW) > 1e-4 {
			t.Errorf("%s: mean wait = %.5f, want %.4f", tt.name, q.MeanWait(), tt.wantW)
		}
		// the fewest: one window less fails
		if got > max(tt.t.MinWindows, 1) {
			q.Windows--
			if tt.t.Met(q) {
				t.Errorf("%s: %d windows already meet the target", tt.name, got-1)
			}
		}
	}
}

// More arrivals never need fewer windows; a stricter target never fewer.
func TestWindowsMonotonic(t *testing.T) {
	for _, s := range []float64{3, 8, 15, 40} {
		for _, cv := range []float64{0.4, 1, 1.6} {
			for _, tg := range []Target{DefaultTarget(), {WaitMinutes: 5, Level: 0.95}, {MaxMeanWait: 3}, {WaitMinutes: 10, Level: 0.7, MaxMeanWait: 2, MinWindows: 2}} {
				prev := 0
				for lam := 0.0; lam <= 200; lam += 0.25 {
					c := Windows(lam, s, cv, tg)
					if c < prev {
						t.Fatalf("s=%g cv=%g %+v: λ=%g needs %d windows, λ−0.25 needed %d", s, cv, tg, lam, c, prev)
					}
					if lam > 0 && float64(c) <= lam*s/60 {
						t.Fatalf("s=%g λ=%g: %d windows do not keep up", s, lam, c)
					}
					prev = c
				}
			}
			prev := 0
			for level := 0.05; level < 0.999; level += 0.01 {
				c := Windows(30, s, cv, Target{WaitMinutes: 10, Level: level})
				if c < prev {
					t.Fatalf("s=%g: level %g needs %d, lower needed %d", s, level, c, prev)
				}
				prev = c
			}
			prev = math.MaxInt
			for wait := 0.0; wait <= 60; wait++ {
				c := Windows(30, s, cv, Target{WaitMinutes: wait, Level: 0.9})
				if c > prev {
					t.Fatalf("s=%g: %g min needs %d, shorter needed %d", s, wait, c, prev)
				}
				prev = c
			}
		}
	}
}

func TestTargetValidate(t *testing.T) {
	for _, tg := range []Target{{Level: 1, WaitMinutes: 15}, {Level: -0.1}, {Level: 0.8, WaitMinutes: -1}, {}, {MaxMeanWait: math.NaN()}, {Level: 0.8, MinWindows: -1}} {
		if tg.Validate() == nil {
			t.Errorf("%+v accepted", tg)
		}
	}
	if err := DefaultTarget().Validate(); err != nil {
		t.Error(err)
	}
}
