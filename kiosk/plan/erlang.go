// SPDX-License-Identifier: AGPL-3.0-or-later

// Package plan sizes the hall's windows from its demand: how many windows
// (servers) each zone needs hour by hour to meet a service target, by the
// Erlang C model of a queue (M/M/c, with an M/G/c correction when the
// service time's spread is known), and the yearly staffing view the 2019
// plan reasons in (cases per intake staff against the 6000 target, cost).
//
// Everything here is a pure function of its arguments; measuring demand
// from tickets is in measure.go, the plan's own figures in hanjiang.go.
package plan

import (
	"errors"
	"fmt"
	"math"
)

// ErlangB is the Erlang B blocking probability of c servers offered a
// Erlangs, by the recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)).
// Every step stays within [0, 1], so there are no factorials and no
// overflow for any c. It is NaN for c < 0 or a < 0.
func ErlangB(c int, a float64) float64 {
	if c < 0 || a < 0 || math.IsNaN(a) {
		return math.NaN()
	}
	b := 1.0
	for k := 1; k <= c; k++ {
		ab := a * b
		b = ab / (float64(k) + ab)
	}
	return b
}

// ErlangC is the probability that an arrival has to wait in an M/M/c queue
// with c servers and offered load a Erlangs (a = λ·s). It is computed from
// Erlang B as C = c·B / (c − a·(1 − B)); 1 when a ≥ c (the queue grows
// without bound) and 0 when a = 0.
func ErlangC(c int, a float64) float64 {
	switch {
	case c < 0 || a < 0 || math.IsNaN(a):
		return math.NaN()
	case a == 0:
		return 0
	case a >= float64(c):
		return 1
	}
	return erlangCFromB(c, a, ErlangB(c, a))
}

func erlangCFromB(c int, a, b float64) float64 {
	fc := float64(c)
	return fc * b / (fc - a*(1-b))
}

// Queue is one zone's window group in steady state: Poisson arrivals at
// Arrivals per hour, Windows servers, service times of mean ServiceMin
// minutes.
//
// With ServiceCV 1 (or 0, taken as 1: exponential service) the figures
// are exact M/M/c. Another coefficient of variation scales the waiting
// time by (1 + cv²)/2, the Allen–Cunneen approximation of M/G/c; the
// probability of waiting stays Erlang C's, and the tail of the wait is
// taken as exponential with the scaled mean (exact for cv = 1).
type Queue struct {
	Windows    int
	Arrivals   float64 // λ, per hour
	ServiceMin float64 // s, minutes
	ServiceCV  float64 // standard deviation ÷ mean of the service time; 0: 1
}

// Load is the offered load a = λ·s in Erlangs: the windows kept busy on average.
func (q Queue) Load() float64 { return q.Arrivals * q.ServiceMin / 60 }

// Stable reports whether the windows keep up (a < c), or there is nobody to serve.
func (q Queue) Stable() bool { return q.Load() == 0 || q.Load() < float64(q.Windows) }

// Occupancy is the share of the windows' time spent serving (a / c).
func (q Queue) Occupancy() float64 {
	if q.Windows == 0 {
		return 0
	}
	return math.Min(1, q.Load()/float64(q.Windows))
}

// PWait is the probability that a citizen waits at all (Erlang C).
func (q Queue) PWait() float64 { return ErlangC(q.Windows, q.Load()) }

func (q Queue) spread() float64 {
	cv := q.ServiceCV
	if cv == 0 {
		cv = 1
	}
	return (1 + cv*cv) / 2
}

// MeanWait is the mean wait in minutes from ticket to call, C·s/(c − a)
// (times the M/G/c factor); +Inf when the queue is not stable.
func (q Queue) MeanWait() float64 {
	a := q.Load()
	if a == 0 {
		return 0
	}
	if !q.Stable() {
		return math.Inf(1)
	}
	return q.PWait() * q.ServiceMin / (float64(q.Windows) - a) * q.spread()
}

// ServiceLevel is the share of citizens called within t minutes,
// P(wait ≤ t) = 1 − C·e^{−(c−a)·t/s} (the exponent divided by the M/G/c
// factor); 0 when the queue is not stable.
func (q Queue) ServiceLevel(t float64) float64 {
	a := q.Load()
	if a == 0 {
		return 1
	}
	if !q.Stable() {
		return 0
	}
	return 1 - q.PWait()*math.Exp(-(float64(q.Windows)-a)*t/(q.ServiceMin*q.spread()))
}

// Target is the service the hall promises.
type Target struct {
	WaitMinutes float64 `json:"wait_minutes"`  // t of the service level
	Level       float64 `json:"service_level"` // share called within WaitMinutes, e.g. 0.8; 0: no such target
	MaxMeanWait float64 `json:"max_mean_wait"` // minutes; 0: no mean-wait target
	MinWindows  int     `json:"min_windows"`   // windows kept open even with nobody to serve
}

// DefaultTarget() is 80% of citizens called within 15 minutes, one window per zone at least.
func DefaultTarget() Target {
	return Target{WaitMinutes: 15, Level: 0.8, MinWindows: 1}
}

// Validate says what is wrong with a target.
func (t Target) Validate() error {
	switch {
	case !(t.Level >= 0 && t.Level < 1):
		return fmt.Errorf("plan: service level %v: need a share in [0, 1)", t.Level)
	case !(t.WaitMinutes >= 0) || math.IsInf(t.WaitMinutes, 0):
		return fmt.Errorf("plan: target minutes %v: need a number ≥ 0", t.WaitMinutes)
	case !(t.MaxMeanWait >= 0) || math.IsInf(t.MaxMeanWait, 0):
		return fmt.Errorf("plan: mean wait %v: need a number ≥ 0", t.MaxMeanWait)
	case t.MinWindows < 0:
		return errors.New("plan: min windows: need a number ≥ 0")
	case t.Level == 0 && t.MaxMeanWait == 0:
		return errors.New("plan: give a service level or a mean wait to meet")
	}
	return nil
}

// Met reports whether q meets the target (a queue that does not keep up never does).
func (t Target) Met(q Queue) bool {
	if q.Windows < t.MinWindows || !q.Stable() {
		return false
	}
	if t.Level > 0 && q.ServiceLevel(t.WaitMinutes) < t.Level {
		return false
	}
	if t.MaxMeanWait > 0 && q.MeanWait() > t.MaxMeanWait {
		return false
	}
	return true
}

// maxWindows bounds the search; a valid target is met long before.
const maxWindows = 1 << 16

// Windows is the fewest windows that meet t for arrivals per hour of mean
// service serviceMin minutes (coefficient of variation cv, 0: 1). With no
// arrivals it is t.MinWindows.
func Windows(arrivals, serviceMin, cv float64, t Target) int {
	q := Queue{Arrivals: arrivals, ServiceMin: serviceMin, ServiceCV: cv}
	a := q.Load()
	if a == 0 || math.IsNaN(a) {
		return t.MinWindows
	}
	if a >= maxWindows-1 {
		return maxWindows
	}
	c := max(t.MinWindows, int(math.Floor(a))+1)
	for ; c < maxWindows; c++ {
		q.Windows = c
		if t.Met(q) {
			break
		}
	}
	return c
}
