// SPDX-License-Identifier: AGPL-3.0-or-later

package plan

import (
	"container/heap"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// This file is a discrete-event simulation (DES) of the hall's queues, the
// cross-check of Erlang C: Poisson arrivals at a rate that is constant
// within each slot of the day (an hour, or part of one), service times
// drawn from a distribution of the zone's mean and spread, windows that
// open and close slot by slot, and FIFO within a zone. A window serves its
// own zone first and, when nobody waits there, the zones it helps, in
// their order: the hall's calling rule (kiosk.Hall's zonesOf).
//
// Randomness comes from math/rand/v2's PCG, seeded from SimOptions.Seed
// and the zone's id: one stream for a zone's arrivals and one for its
// service times, drawn when the citizen arrives. The same seed gives the
// same day, and two scenarios that differ only in their windows see the
// same citizens (common random numbers), so the difference between them
// is the windows' doing, not the dice's.

// Dist is the service-time distribution a simulation draws from.
type Dist int

const (
	// DistAuto is exponential for a coefficient of variation of 1 (or 0,
	// taken as 1, as Queue takes it), else log-normal with that spread:
	// the distribution the Erlang C figures assume.
	DistAuto Dist = iota
	// DistExponential ignores the spread: M/M/c, where Erlang C is exact.
	DistExponential
	// DistLognormal is log-normal with the zone's mean and spread (cv 0: 1).
	DistLognormal
)

// ParseDist reads "auto", "exp" (or "exponential") and "lognormal".
func ParseDist(s string) (Dist, error) {
	switch s {
	case "auto", "":
		return DistAuto, nil
	case "exp", "exponential":
		return DistExponential, nil
	case "lognormal":
		return DistLognormal, nil
	}
	return 0, fmt.Errorf("plan: service distribution %q: want auto, exp or lognormal", s)
}

func (d Dist) String() string {
	switch d {
	case DistAuto:
		return "auto"
	case DistExponential:
		return "exp"
	case DistLognormal:
		return "lognormal"
	}
	return fmt.Sprintf("Dist(%d)", int(d))
}

// SimOptions are a simulation's dice and length.
type SimOptions struct {
	Seed uint64 `json:"seed"`
	Days int    `json:"days"` // independent days simulated (replications)
	Dist Dist   `json:"-"`
}

// DefaultSimOptions() is 400 days, seed 1, the distribution Erlang C assumes.
func DefaultSimOptions() SimOptions { return SimOptions{Seed: 1, Days: 400} }

// Bounds that keep a simulation from running away on odd input.
const (
	maxSimDays    = 100_000
	maxSimTickets = 20_000_000 // expected tickets over all simulated days
)

// Validate says what is wrong with the options.
func (o SimOptions) Validate() error {
	switch {
	case o.Days < 1 || o.Days > maxSimDays:
		return fmt.Errorf("plan: simulate %d days: need 1 to %d", o.Days, maxSimDays)
	case o.Dist < DistAuto || o.Dist > DistLognormal:
		return fmt.Errorf("plan: simulate: unknown distribution %v", o.Dist)
	}
	return nil
}

// SimScenario is one kind of day to simulate.
type SimScenario struct {
	// SlotMinutes is the length of each slot of the day, in order; the day
	// closes (no more arrivals) at their sum, and the windows open in the
	// last slot serve whoever is still waiting.
	SlotMinutes []float64
	Zones       []SimZone
	Windows     []SimWindow
	WaitMinutes float64 // the target wait: SimStats.Within counts calls within it
}

// SimZone is one zone's demand.
type SimZone struct {
	ID         string
	Arrivals   []float64 // per hour, one rate per slot
	ServiceMin float64
	ServiceCV  float64 // 0: 1
}

// SimWindow is one window: the zones it calls from, by index into
// SimScenario.Zones, its own first; and the slots it is open in (nil:
// every slot). A window that closes while serving finishes its citizen.
type SimWindow struct {
	Serves []int
	Open   []bool
}

// SimStats count the citizens of a zone who arrived in one slot.
type SimStats struct {
	Tickets  int     `json:"tickets"`  // called
	Within   int     `json:"within"`   // called within the target wait
	Waited   int     `json:"waited"`   // waited at all (> 0)
	Helped   int     `json:"helped"`   // called by a window of another zone
	Unserved int     `json:"unserved"` // never called: no open window served their zone
	WaitSum  float64 `json:"wait_sum_min"`
	MaxWait  float64 `json:"max_wait_min"`
}

// Add sums two counts.
func (s SimStats) Add(o SimStats) SimStats {
	return SimStats{Tickets: s.Tickets + o.Tickets, Within: s.Within + o.Within, Waited: s.Waited + o.Waited,
		Helped: s.Helped + o.Helped, Unserved: s.Unserved + o.Unserved, WaitSum: s.WaitSum + o.WaitSum,
		MaxWait: math.Max(s.MaxWait, o.MaxWait)}
}

// ServiceLevel is the share called within the target wait; the unserved
// count as late. 1 with nobody (as Erlang C's is with no arrivals).
func (s SimStats) ServiceLevel() float64 {
	n := s.Tickets + s.Unserved
	if n == 0 {
		return 1
	}
	return float64(s.Within) / float64(n)
}

// MeanWait is the called citizens' mean wait in minutes (0 with nobody).
func (s SimStats) MeanWait() float64 {
	if s.Tickets == 0 {
		return 0
	}
	return s.WaitSum / float64(s.Tickets)
}

// PWait is the share of the called who waited at all.
func (s SimStats) PWait() float64 {
	if s.Tickets == 0 {
		return 0
	}
	return float64(s.Waited) / float64(s.Tickets)
}

// SimZoneResult is one zone's counts, slot by slot, over every simulated day.
type SimZoneResult struct {
	Zone  string     `json:"zone"`
	Slots []SimStats `json:"slots"`
}

// Total is the zone's counts over the whole day.
func (r SimZoneResult) Total() SimStats {
	var t SimStats
	for _, s := range r.Slots {
		t = t.Add(s)
	}
	return t
}

// SimResult is a simulation's counts, zone by zone in the scenario's order.
type SimResult struct {
	Days  int             `json:"days"`
	Zones []SimZoneResult `json:"zones"`
}

// Simulate runs o.Days independent days of the scenario.
func Simulate(sc SimScenario, o SimOptions) (SimResult, error) {
	if err := o.Validate(); err != nil {
		return SimResult{}, err
	}
	if err := sc.validate(o.Days); err != nil {
		return SimResult{}, err
	}
	r := newSimRun(sc, o)
	for range o.Days {
		r.day()
	}
	res := SimResult{Days: o.Days, Zones: make([]SimZoneResult, len(sc.Zones))}
	for i, z := range sc.Zones {
		res.Zones[i] = SimZoneResult{Zone: z.ID, Slots: r.stats[i]}
	}
	return res, nil
}

func (sc SimScenario) validate(days int) error {
	n := len(sc.SlotMinutes)
	if n == 0 {
		return errors.New("plan: simulate: a day needs at least one slot")
	}
	for i, m := range sc.SlotMinutes {
		if !(m > 0) || math.IsInf(m, 0) {
			return fmt.Errorf("plan: simulate: slot %d lasts %v minutes: need a time > 0", i, m)
		}
	}
	if !(sc.WaitMinutes >= 0) || math.IsInf(sc.WaitMinutes, 0) {
		return fmt.Errorf("plan: simulate: target wait %v: need a number ≥ 0", sc.WaitMinutes)
	}
	expected := 0.0
	ids := map[string]bool{}
	for _, z := range sc.Zones {
		if ids[z.ID] {
			return fmt.Errorf("plan: simulate: zone %q listed twice", z.ID)
		}
		ids[z.ID] = true
		e, err := z.validate(sc.SlotMinutes)
		if err != nil {
			return err
		}
		expected += e
	}
	if expected*float64(days) > maxSimTickets {
		return fmt.Errorf("plan: simulate: %.0f tickets a day for %d days is more than %d", expected, days, maxSimTickets)
	}
	for i, w := range sc.Windows {
		if err := w.validate(len(sc.Zones), n); err != nil {
			return fmt.Errorf("plan: simulate: window %d: %w", i, err)
		}
	}
	return nil
}

// validate checks a zone and returns its expected tickets a day.
func (z SimZone) validate(slots []float64) (float64, error) {
	if len(z.Arrivals) != len(slots) {
		return 0, fmt.Errorf("plan: simulate: zone %s has %d arrival rates for %d slots", z.ID, len(z.Arrivals), len(slots))
	}
	if !(z.ServiceMin > 0) || math.IsInf(z.ServiceMin, 0) || !(z.ServiceCV >= 0) || math.IsInf(z.ServiceCV, 0) {
		return 0, fmt.Errorf("plan: simulate: zone %s: service %v min, cv %v: need a time > 0 and cv ≥ 0", z.ID, z.ServiceMin, z.ServiceCV)
	}
	e := 0.0
	for i, a := range z.Arrivals {
		if !(a >= 0) || math.IsInf(a, 0) {
			return 0, fmt.Errorf("plan: simulate: zone %s, slot %d: %v arrivals an hour: need a number ≥ 0", z.ID, i, a)
		}
		e += a * slots[i] / 60
	}
	return e, nil
}

func (w SimWindow) validate(zones, slots int) error {
	if len(w.Serves) == 0 {
		return errors.New("serves no zone")
	}
	for _, z := range w.Serves {
		if z < 0 || z >= zones {
			return fmt.Errorf("serves zone %d of %d", z, zones)
		}
	}
	if w.Open != nil && len(w.Open) != slots {
		return fmt.Errorf("open in %d slots of %d", len(w.Open), slots)
	}
	return nil
}

// sampler draws service times of a mean and spread.
type sampler struct {
	mean, mu, sigma float64
	lognormal       bool
}

func newSampler(mean, cv float64, d Dist) sampler {
	if cv == 0 {
		cv = 1
	}
	if d == DistExponential || (d == DistAuto && cv == 1) {
		return sampler{mean: mean}
	}
	s2 := math.Log1p(cv * cv)
	return sampler{mean: mean, mu: math.Log(mean) - s2/2, sigma: math.Sqrt(s2), lognormal: true}
}

func (s sampler) draw(r *rand.Rand) float64 {
	if s.lognormal {
		return math.Exp(s.mu + s.sigma*r.NormFloat64())
	}
	return s.mean * r.ExpFloat64()
}

// streamSeed names a random stream by the zone's id and its use.
func streamSeed(use, zone string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(use + "\x00" + zone)) //nolint:errcheck // a hash never fails
	return h.Sum64()
}

type simTicket struct {
	at      float64 // minutes after opening
	slot    int
	service float64
}

// fifo is a zone's waiting line.
type fifo struct {
	buf  []simTicket
	head int
}

func (q *fifo) len() int { return len(q.buf) - q.head }

func (q *fifo) push(t simTicket) { q.buf = append(q.buf, t) }

func (q *fifo) pop() simTicket {
	t := q.buf[q.head]
	q.head++
	if q.head > 1024 && q.head*2 > len(q.buf) {
		q.buf = append(q.buf[:0], q.buf[q.head:]...)
		q.head = 0
	}
	return t
}

func (q *fifo) reset() { q.buf, q.head = q.buf[:0], 0 }

type evKind uint8

const (
	evSlot   evKind = iota // a slot starts: windows open and close
	evFinish               // a window finishes its citizen
	evArrive               // a citizen takes a ticket
)

type simEvent struct {
	at   float64
	seq  uint64 // ties go in the order the events were made
	kind evKind
	idx  int // the slot, window or zone
	slot int // an arrival's slot
}

type eventHeap []simEvent

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(simEvent)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// simRun is one simulation's state.
type simRun struct {
	sc       SimScenario
	ends     []float64 // each slot's end, minutes after opening
	arrive   []*rand.Rand
	serve    []*rand.Rand
	samplers []sampler
	stats    [][]SimStats // zone × slot
	// the day's state
	events eventHeap
	seq    uint64
	slot   int
	queues []fifo
	busy   []bool
}

func newSimRun(sc SimScenario, o SimOptions) *simRun {
	r := &simRun{sc: sc, queues: make([]fifo, len(sc.Zones)), busy: make([]bool, len(sc.Windows))}
	end := 0.0
	for _, m := range sc.SlotMinutes {
		end += m
		r.ends = append(r.ends, end)
	}
	for _, z := range sc.Zones {
		r.arrive = append(r.arrive, rand.New(rand.NewPCG(o.Seed, streamSeed("arrivals", z.ID))))
		r.serve = append(r.serve, rand.New(rand.NewPCG(o.Seed, streamSeed("service", z.ID))))
		r.samplers = append(r.samplers, newSampler(z.ServiceMin, z.ServiceCV, o.Dist))
		r.stats = append(r.stats, make([]SimStats, len(sc.SlotMinutes)))
	}
	return r
}

func (r *simRun) push(e simEvent) {
	r.seq++
	e.seq = r.seq
	heap.Push(&r.events, e)
}

// day simulates one day from an empty hall to the last citizen called.
func (r *simRun) day() {
	r.events, r.slot = r.events[:0], 0
	for i := range r.queues {
		r.queues[i].reset()
	}
	clear(r.busy)
	for k := 1; k < len(r.ends); k++ {
		r.push(simEvent{at: r.ends[k-1], kind: evSlot, idx: k})
	}
	for z := range r.sc.Zones {
		r.nextArrival(z, 0, 0)
	}
	for r.events.Len() > 0 {
		e := heap.Pop(&r.events).(simEvent)
		switch e.kind {
		case evSlot:
			r.slot = e.idx
			r.pullAll(e.at)
		case evFinish:
			r.busy[e.idx] = false
			r.pull(e.idx, e.at)
		case evArrive:
			r.arrival(e)
		}
	}
	for z := range r.queues {
		for r.queues[z].len() > 0 {
			t := r.queues[z].pop()
			r.stats[z][t.slot].Unserved++
		}
	}
}

// nextArrival schedules zone z's next citizen after t (in slot k), if
// one comes before closing. Rates are constant within a slot, so a draw
// that runs past the slot's end is dropped and drawn again from there
// at the next slot's rate (the exponential forgets).
func (r *simRun) nextArrival(z int, t float64, k int) {
	for k < len(r.ends) {
		if rate := r.sc.Zones[z].Arrivals[k] / 60; rate > 0 {
			if next := t + r.arrive[z].ExpFloat64()/rate; next < r.ends[k] {
				r.push(simEvent{at: next, kind: evArrive, idx: z, slot: k})
				return
			}
		}
		t = r.ends[k]
		k++
	}
}

func (r *simRun) arrival(e simEvent) {
	z := e.idx
	t := simTicket{at: e.at, slot: e.slot, service: r.samplers[z].draw(r.serve[z])}
	r.nextArrival(z, e.at, e.slot)
	if w := r.idleFor(z); w >= 0 {
		r.start(w, z, t, e.at)
		return
	}
	r.queues[z].push(t)
}

// idleFor is an open, idle window that serves zone z: one of the zone's
// own first, then a helper; −1 when there is none.
func (r *simRun) idleFor(z int) int {
	helper := -1
	for w, win := range r.sc.Windows {
		if r.busy[w] || !r.open(w) {
			continue
		}
		for i, s := range win.Serves {
			if s != z {
				continue
			}
			if i == 0 {
				return w
			}
			if helper < 0 {
				helper = w
			}
		}
	}
	return helper
}

// open reports whether window w takes citizens now; after closing, the
// windows of the last slot stay to serve the queue out.
func (r *simRun) open(w int) bool {
	o := r.sc.Windows[w].Open
	return o == nil || o[r.slot]
}

// pull has idle window w call the next citizen of the first zone it
// serves that has one waiting.
func (r *simRun) pull(w int, now float64) {
	if r.busy[w] || !r.open(w) {
		return
	}
	for _, z := range r.sc.Windows[w].Serves {
		if r.queues[z].len() > 0 {
			r.start(w, z, r.queues[z].pop(), now)
			return
		}
	}
}

func (r *simRun) pullAll(now float64) {
	for w := range r.sc.Windows {
		r.pull(w, now)
	}
}

// start has window w call ticket t of zone z at now.
func (r *simRun) start(w, z int, t simTicket, now float64) {
	wait := now - t.at
	s := &r.stats[z][t.slot]
	s.Tickets++
	s.WaitSum += wait
	s.MaxWait = math.Max(s.MaxWait, wait)
	if wait > 0 {
		s.Waited++
	}
	if wait <= r.sc.WaitMinutes {
		s.Within++
	}
	if r.sc.Windows[w].Serves[0] != z {
		s.Helped++
	}
	r.busy[w] = true
	r.push(simEvent{at: now + t.service, kind: evFinish, idx: w})
}

// QueueSim is a steady-state simulation of one Queue.
type QueueSim struct {
	Tickets      int     `json:"tickets"` // after the warm-up
	ServiceLevel float64 `json:"service_level"`
	// StdErr is the service level's standard error by batch means.
	StdErr   float64 `json:"std_err"`
	MeanWait float64 `json:"mean_wait_min"`
	PWait    float64 `json:"p_wait"`
}

// queueBatches is the number of batches SimulateQueue splits its run into.
const queueBatches = 20

// SimulateQueue runs q in steady state: constant arrivals, q.Windows
// windows always open, about `tickets` citizens counted after a warm-up
// of a tenth as many (which starts from an empty hall and is not
// counted). The standard error comes from 20 batches of equal length.
func SimulateQueue(q Queue, waitMin float64, tickets int, seed uint64, dist Dist) (QueueSim, error) {
	switch {
	case !(q.Arrivals > 0) || math.IsInf(q.Arrivals, 0):
		return QueueSim{}, fmt.Errorf("plan: simulate queue: %v arrivals an hour: need a rate > 0", q.Arrivals)
	case q.Windows < 1:
		return QueueSim{}, fmt.Errorf("plan: simulate queue: %d windows: need at least 1", q.Windows)
	case !q.Stable():
		return QueueSim{}, fmt.Errorf("plan: simulate queue: load %.3g on %d windows has no steady state", q.Load(), q.Windows)
	case tickets < queueBatches || tickets > maxSimTickets:
		return QueueSim{}, fmt.Errorf("plan: simulate queue: %d tickets: need %d to %d", tickets, queueBatches, maxSimTickets)
	}
	batch := float64(tickets) / queueBatches / q.Arrivals * 60 // minutes
	slots := make([]float64, queueBatches+1)
	rates := make([]float64, queueBatches+1)
	for i := range slots {
		slots[i], rates[i] = batch, q.Arrivals
	}
	slots[0] = batch * queueBatches / 10
	sc := SimScenario{SlotMinutes: slots, WaitMinutes: waitMin,
		Zones: []SimZone{{ID: "q", Arrivals: rates, ServiceMin: q.ServiceMin, ServiceCV: q.ServiceCV}}}
	for range q.Windows {
		sc.Windows = append(sc.Windows, SimWindow{Serves: []int{0}})
	}
	res, err := Simulate(sc, SimOptions{Seed: seed, Days: 1, Dist: dist})
	if err != nil {
		return QueueSim{}, err
	}
	return batchMeans(res.Zones[0].Slots[1:]), nil
}

// batchMeans pools the batches and estimates the standard error of the
// service level from the spread of the batches' own levels.
func batchMeans(batches []SimStats) QueueSim {
	var all SimStats
	for _, b := range batches {
		all = all.Add(b)
	}
	out := QueueSim{Tickets: all.Tickets, ServiceLevel: all.ServiceLevel(), MeanWait: all.MeanWait(), PWait: all.PWait()}
	if n := float64(len(batches)); n > 1 {
		ss := 0.0
		for _, b := range batches {
			d := b.ServiceLevel() - out.ServiceLevel
			ss += d * d
		}
		out.StdErr = math.Sqrt(ss / (n - 1) / n)
	}
	return out
}
