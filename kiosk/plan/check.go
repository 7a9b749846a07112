// SPDX-License-Identifier: AGPL-3.0-or-later

package plan

import (
	"fmt"
	"math"
)

// This file puts the plan through the simulation (sim.go): the day each
// zone's plan describes, hour by hour, against Erlang C (CrossCheck), and
// the windows the hall has, alone and with the windows that help other
// zones, against Erlang C on the zones pooled into one queue (Pooling).

// SlotCheck is one hour of a zone's day: Erlang C's service level with the
// windows the plan needs that hour, and the simulation's with the same.
type SlotCheck struct {
	Hour               int     `json:"hour"`
	Label              string  `json:"label"`
	Windows            int     `json:"windows"`
	ErlangServiceLevel float64 `json:"erlang_service_level"`
	SimServiceLevel    float64 `json:"simulated_service_level"`
	SimMeanWait        float64 `json:"simulated_mean_wait_min"`
	SimTickets         int     `json:"simulated_tickets"` // over every simulated day
}

// DayCheck is a zone's kind of day; its service levels are shares of the
// whole day's citizens (Erlang C's: the hours' weighted by their arrivals).
type DayCheck struct {
	Weekday            string      `json:"weekday"`
	ErlangServiceLevel float64     `json:"erlang_service_level"`
	SimServiceLevel    float64     `json:"simulated_service_level"`
	SimMeanWait        float64     `json:"simulated_mean_wait_min"`
	SimTickets         int         `json:"simulated_tickets"`
	Slots              []SlotCheck `json:"slots"`
}

// ZoneCheck is one zone's cross-check, a DayCheck per kind of day of its plan.
type ZoneCheck struct {
	Zone string     `json:"zone"`
	Days []DayCheck `json:"days"`
}

// CrossCheck simulates every zone's planned day (each hour with the
// windows the plan needs in it, each zone on its own windows, FIFO) for
// o.Days days and sets the simulated service levels beside Erlang C's.
// Erlang C takes each hour as a steady state of its own; the simulation
// carries the queue over from hour to hour and starts the day empty, so
// the two part where the day is far from steady.
func CrossCheck(zps []ZonePlan, h Hours, t Target, o SimOptions) ([]ZoneCheck, error) {
	kinds, err := dayKinds(zps, h)
	if err != nil {
		return nil, err
	}
	out := make([]ZoneCheck, len(zps))
	for i, zp := range zps {
		out[i].Zone = zp.Zone
	}
	for d := range kinds {
		sc := neededScenario(zps, d, h, t)
		res, err := Simulate(sc, o)
		if err != nil {
			return nil, fmt.Errorf("plan: cross-check: %w", err)
		}
		for i, zp := range zps {
			out[i].Days = append(out[i].Days, dayCheck(zp.Days[d], h, res.Zones[i]))
		}
	}
	return out, nil
}

// dayKinds checks that the zones plan the same kinds of day over the
// same hours, and returns how many kinds there are.
func dayKinds(zps []ZonePlan, h Hours) (int, error) {
	if len(zps) == 0 {
		return 0, nil
	}
	n, slots := len(zps[0].Days), len(h.Slots())
	for _, zp := range zps {
		if len(zp.Days) != n {
			return 0, fmt.Errorf("plan: zone %s plans %d kinds of day, zone %s %d", zp.Zone, len(zp.Days), zps[0].Zone, n)
		}
		for d, day := range zp.Days {
			if day.Weekday != zps[0].Days[d].Weekday {
				return 0, fmt.Errorf("plan: zone %s plans %q where zone %s plans %q", zp.Zone, day.Weekday, zps[0].Zone, zps[0].Days[d].Weekday)
			}
			if len(day.Slots) != slots {
				return 0, fmt.Errorf("plan: zone %s has %d hours in a day of %d (%s)", zp.Zone, len(day.Slots), slots, h)
			}
		}
	}
	return n, nil
}

// baseScenario is the day's slots and the zones' demand on day kind d, with no windows.
func baseScenario(zps []ZonePlan, d int, h Hours, t Target) SimScenario {
	sc := SimScenario{WaitMinutes: t.WaitMinutes}
	for _, s := range h.Slots() {
		sc.SlotMinutes = append(sc.SlotMinutes, s.Open*60)
	}
	for _, zp := range zps {
		z := SimZone{ID: zp.Zone, ServiceMin: zp.ServiceMin, ServiceCV: zp.ServiceCV}
		for _, s := range zp.Days[d].Slots {
			z.Arrivals = append(z.Arrivals, s.Arrivals)
		}
		sc.Zones = append(sc.Zones, z)
	}
	return sc
}

// neededScenario opens, in each hour, the windows the plan needs in it:
// a zone's k-th window is open in the hours that need more than k.
func neededScenario(zps []ZonePlan, d int, h Hours, t Target) SimScenario {
	sc := baseScenario(zps, d, h, t)
	for i, zp := range zps {
		day := zp.Days[d]
		most := 0
		for _, s := range day.Slots {
			most = max(most, s.Windows)
		}
		for k := range most {
			w := SimWindow{Serves: []int{i}, Open: make([]bool, len(day.Slots))}
			for j, s := range day.Slots {
				w.Open[j] = k < s.Windows
			}
			sc.Windows = append(sc.Windows, w)
		}
	}
	return sc
}

func dayCheck(day DayPlan, h Hours, res SimZoneResult) DayCheck {
	dc := DayCheck{Weekday: day.Weekday}
	slots := h.Slots()
	var erl weighted
	for j, s := range day.Slots {
		st := res.Slots[j]
		dc.Slots = append(dc.Slots, SlotCheck{Hour: s.Hour, Label: s.Label, Windows: s.Windows,
			ErlangServiceLevel: s.ServiceLevel, SimServiceLevel: st.ServiceLevel(), SimMeanWait: st.MeanWait(),
			SimTickets: st.Tickets + st.Unserved})
		erl.add(s.ServiceLevel, s.Arrivals*slots[j].Open)
	}
	tot := res.Total()
	dc.ErlangServiceLevel = erl.mean(1)
	dc.SimServiceLevel, dc.SimMeanWait, dc.SimTickets = tot.ServiceLevel(), tot.MeanWait(), tot.Tickets+tot.Unserved
	return dc
}

// weighted is a weighted mean.
type weighted struct{ sum, w float64 }

func (m *weighted) add(x, w float64) { m.sum, m.w = m.sum+x*w, m.w+w }

// mean is the weighted mean, or empty when nothing weighed.
func (m weighted) mean(empty float64) float64 {
	if m.w <= 0 {
		return empty
	}
	return m.sum / m.w
}

// PoolWindow is one of the hall's windows: its zone and the zones it
// helps when its own has nobody waiting, in that order.
type PoolWindow struct {
	Number int      `json:"window"`
	Zone   string   `json:"zone"`
	Helps  []string `json:"helps,omitempty"`
}

// PoolZone is one zone with the windows it has (all open all day), alone
// and with the hall's helping windows, simulated over every kind of day.
type PoolZone struct {
	Zone           string  `json:"zone"`
	WindowsPlanned int     `json:"windows_planned"`
	Group          int     `json:"group"`    // index into PoolReport.Groups; −1: no window helps it or is helped
	Arrivals       float64 `json:"arrivals"` // a day, averaged over the kinds of day
	// ErlangServiceLevel is Erlang C's, the zone a queue of its own on its
	// planned windows, its hours weighted by their arrivals.
	ErlangServiceLevel float64 `json:"erlang_service_level"`
	SimSeparate        float64 `json:"simulated_service_level_separate"` // no window helps another zone
	SimHelping         float64 `json:"simulated_service_level_helping"`  // windows help as configured
	SimWaitSeparate    float64 `json:"simulated_mean_wait_min_separate"`
	SimWaitHelping     float64 `json:"simulated_mean_wait_min_helping"`
	// HelpedShare is the share of the zone's citizens another zone's window called.
	HelpedShare float64 `json:"helped_share"`
}

// PoolSlot is one hour of a pool group.
type PoolSlot struct {
	Hour       int     `json:"hour"`
	Label      string  `json:"label"`
	Arrivals   float64 `json:"arrivals"` // the group's, per hour
	ServiceMin float64 `json:"service_min"`
	ServiceCV  float64 `json:"service_cv"`
	// NeededSeparate sums the zones' windows needed; NeededPooled is what
	// Erlang C asks of the group as one queue (every window takes every
	// zone's citizens) with the mixed service time.
	NeededSeparate int `json:"windows_needed_separate"`
	NeededPooled   int `json:"windows_needed_pooled"`
	// The service levels of the hour's citizens on the group's planned windows.
	ErlangSeparate float64 `json:"erlang_service_level_separate"` // each zone its own queue
	ErlangPooled   float64 `json:"erlang_service_level_pooled"`   // one queue
	SimSeparate    float64 `json:"simulated_service_level_separate"`
	SimHelping     float64 `json:"simulated_service_level_helping"`
}

// PoolDay is a pool group's kind of day.
type PoolDay struct {
	Weekday  string  `json:"weekday"`
	Arrivals float64 `json:"arrivals"`
	// Peak windows any hour needs, and window-hours over the day.
	PeakSeparate        int        `json:"peak_windows_separate"`
	PeakPooled          int        `json:"peak_windows_pooled"`
	WindowHoursSeparate float64    `json:"window_hours_separate"`
	WindowHoursPooled   float64    `json:"window_hours_pooled"`
	ErlangSeparate      float64    `json:"erlang_service_level_separate"`
	ErlangPooled        float64    `json:"erlang_service_level_pooled"`
	SimSeparate         float64    `json:"simulated_service_level_separate"`
	SimHelping          float64    `json:"simulated_service_level_helping"`
	Slots               []PoolSlot `json:"slots"`
}

// PoolGroup is zones joined by windows that help: a window of one zone
// that helps another joins the two.
type PoolGroup struct {
	Zones          []string     `json:"zones"`
	Helpers        []PoolWindow `json:"helpers"` // the group's windows that help
	WindowsPlanned int          `json:"windows_planned"`
	Days           []PoolDay    `json:"days"`
}

// PoolReport is the effect of the windows that help other zones.
type PoolReport struct {
	Zones  []PoolZone  `json:"zones"`
	Groups []PoolGroup `json:"groups"`
}

// poolRuns are the two simulations of a kind of day on the planned windows.
type poolRuns struct{ separate, helping SimResult }

// pooler holds what the pooling figures are made of.
type pooler struct {
	zps     []ZonePlan
	windows []PoolWindow
	index   map[string]int // zone id → index into zps
	planned []int          // each zone's windows
	h       Hours
	t       Target
	runs    []poolRuns // one per kind of day
}

// Pooling compares, for the hall's planned windows (windows, all open all
// day), each zone alone with the zones its windows help, by Erlang C
// (each zone its own queue against each group as one queue) and by the
// simulation (no window helps against windows that help as configured,
// the same citizens in both). It also sets the windows each group would
// need pooled beside the sum its zones need alone.
func Pooling(zps []ZonePlan, windows []PoolWindow, h Hours, t Target, o SimOptions) (PoolReport, error) {
	kinds, err := dayKinds(zps, h)
	if err != nil {
		return PoolReport{}, err
	}
	p := &pooler{zps: zps, windows: windows, index: map[string]int{}, h: h, t: t}
	for i, zp := range zps {
		p.index[zp.Zone] = i
	}
	if p.planned, err = plannedWindows(windows, p.index); err != nil {
		return PoolReport{}, err
	}
	for d := range kinds {
		r, err := p.simulate(d, o)
		if err != nil {
			return PoolReport{}, err
		}
		p.runs = append(p.runs, r)
	}
	rep := PoolReport{Groups: p.groups()}
	group := make([]int, len(zps))
	for i := range group {
		group[i] = -1
	}
	for g := range rep.Groups {
		for _, z := range rep.Groups[g].Zones {
			group[p.index[z]] = g
		}
		for d := range kinds {
			rep.Groups[g].Days = append(rep.Groups[g].Days, p.day(rep.Groups[g].Zones, d))
		}
	}
	for i := range zps {
		rep.Zones = append(rep.Zones, p.zone(i, group[i]))
	}
	return rep, nil
}

// plannedWindows counts each zone's windows.
func plannedWindows(windows []PoolWindow, index map[string]int) ([]int, error) {
	planned := make([]int, len(index))
	for _, w := range windows {
		i, ok := index[w.Zone]
		if !ok {
			return nil, fmt.Errorf("plan: pooling: window %d is in zone %q, which has no plan", w.Number, w.Zone)
		}
		planned[i]++
		for _, z := range w.Helps {
			if _, ok := index[z]; !ok {
				return nil, fmt.Errorf("plan: pooling: window %d helps zone %q, which has no plan", w.Number, z)
			}
		}
	}
	return planned, nil
}

// simulate runs day kind d on the planned windows, open all day, without
// and with helping.
func (p *pooler) simulate(d int, o SimOptions) (poolRuns, error) {
	sep, help := baseScenario(p.zps, d, p.h, p.t), baseScenario(p.zps, d, p.h, p.t)
	for _, w := range p.windows {
		own := p.index[w.Zone]
		sep.Windows = append(sep.Windows, SimWindow{Serves: []int{own}})
		serves := []int{own}
		for _, z := range w.Helps {
			if i := p.index[z]; i != own {
				serves = append(serves, i)
			}
		}
		help.Windows = append(help.Windows, SimWindow{Serves: serves})
	}
	var r poolRuns
	var err error
	if r.separate, err = Simulate(sep, o); err != nil {
		return r, fmt.Errorf("plan: pooling: %w", err)
	}
	if r.helping, err = Simulate(help, o); err != nil {
		return r, fmt.Errorf("plan: pooling: %w", err)
	}
	return r, nil
}

// groups joins zones by their helping windows (union-find) and keeps the
// groups of two zones or more, in the order of their first zone.
func (p *pooler) groups() []PoolGroup {
	parent := make([]int, len(p.zps))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, w := range p.windows {
		for _, z := range w.Helps {
			a, b := find(p.index[w.Zone]), find(p.index[z])
			parent[max(a, b)] = min(a, b)
		}
	}
	byRoot := map[int]*PoolGroup{}
	var order []int
	for i, zp := range p.zps {
		r := find(i)
		g, ok := byRoot[r]
		if !ok {
			g = &PoolGroup{}
			byRoot[r] = g
			order = append(order, r)
		}
		g.Zones = append(g.Zones, zp.Zone)
		g.WindowsPlanned += p.planned[i]
	}
	for _, w := range p.windows {
		if len(w.Helps) > 0 {
			g := byRoot[find(p.index[w.Zone])]
			g.Helpers = append(g.Helpers, w)
		}
	}
	var out []PoolGroup
	for _, r := range order {
		if g := byRoot[r]; len(g.Zones) > 1 {
			out = append(out, *g)
		}
	}
	return out
}

// day is a group's kind of day d.
func (p *pooler) day(zones []string, d int) PoolDay {
	pd := PoolDay{Weekday: p.zps[p.index[zones[0]]].Days[d].Weekday}
	var erlSep, erlPool weighted
	var simSep, simHelp SimStats
	for j, hs := range p.h.Slots() {
		ps, sep, help := p.slot(zones, d, j)
		pd.Slots = append(pd.Slots, ps)
		pd.Arrivals += ps.Arrivals * hs.Open
		pd.PeakSeparate, pd.PeakPooled = max(pd.PeakSeparate, ps.NeededSeparate), max(pd.PeakPooled, ps.NeededPooled)
		pd.WindowHoursSeparate += float64(ps.NeededSeparate) * hs.Open
		pd.WindowHoursPooled += float64(ps.NeededPooled) * hs.Open
		erlSep.add(ps.ErlangSeparate, ps.Arrivals*hs.Open)
		erlPool.add(ps.ErlangPooled, ps.Arrivals*hs.Open)
		simSep, simHelp = simSep.Add(sep), simHelp.Add(help)
	}
	pd.ErlangSeparate, pd.ErlangPooled = erlSep.mean(1), erlPool.mean(1)
	pd.SimSeparate, pd.SimHelping = simSep.ServiceLevel(), simHelp.ServiceLevel()
	return pd
}

// effectiveCV is a service time's spread as Queue reads it (0: 1).
func effectiveCV(cv float64) float64 {
	if cv == 0 {
		return 1
	}
	return cv
}

// slot is hour j of a group's day kind d, with the group's simulated
// counts of that hour, without and with helping.
func (p *pooler) slot(zones []string, d, j int) (PoolSlot, SimStats, SimStats) {
	var ps PoolSlot
	var sep, help SimStats
	var erlSep weighted
	var lam, m1, m2 float64 // arrivals, and the first two moments of service weighted by them
	windows := 0
	for _, z := range zones {
		i := p.index[z]
		zp := p.zps[i]
		s := zp.Days[d].Slots[j]
		ps.Hour, ps.Label = s.Hour, s.Label
		ps.NeededSeparate += s.Windows
		windows += p.planned[i]
		q := Queue{Windows: p.planned[i], Arrivals: s.Arrivals, ServiceMin: zp.ServiceMin, ServiceCV: zp.ServiceCV}
		erlSep.add(q.ServiceLevel(p.t.WaitMinutes), s.Arrivals)
		cv := effectiveCV(zp.ServiceCV)
		lam += s.Arrivals
		m1 += s.Arrivals * zp.ServiceMin
		m2 += s.Arrivals * zp.ServiceMin * zp.ServiceMin * (1 + cv*cv)
		sep, help = sep.Add(p.runs[d].separate.Zones[i].Slots[j]), help.Add(p.runs[d].helping.Zones[i].Slots[j])
	}
	ps.Arrivals = lam
	if lam > 0 {
		ps.ServiceMin = m1 / lam
		ps.ServiceCV = math.Sqrt(math.Max(0, m2/lam/(ps.ServiceMin*ps.ServiceMin)-1))
	}
	ps.NeededPooled = Windows(lam, ps.ServiceMin, ps.ServiceCV, p.t)
	pooled := Queue{Windows: windows, Arrivals: lam, ServiceMin: ps.ServiceMin, ServiceCV: ps.ServiceCV}
	ps.ErlangSeparate, ps.ErlangPooled = erlSep.mean(1), pooled.ServiceLevel(p.t.WaitMinutes)
	ps.SimSeparate, ps.SimHelping = sep.ServiceLevel(), help.ServiceLevel()
	return ps, sep, help
}

// zone is zone i over every kind of day.
func (p *pooler) zone(i, group int) PoolZone {
	zp := p.zps[i]
	pz := PoolZone{Zone: zp.Zone, WindowsPlanned: p.planned[i], Group: group}
	var erl weighted
	var sep, help SimStats
	slots := p.h.Slots()
	for d, r := range p.runs {
		for j, s := range zp.Days[d].Slots {
			q := Queue{Windows: p.planned[i], Arrivals: s.Arrivals, ServiceMin: zp.ServiceMin, ServiceCV: zp.ServiceCV}
			erl.add(q.ServiceLevel(p.t.WaitMinutes), s.Arrivals*slots[j].Open)
			pz.Arrivals += s.Arrivals * slots[j].Open / float64(len(p.runs))
		}
		sep, help = sep.Add(r.separate.Zones[i].Total()), help.Add(r.helping.Zones[i].Total())
	}
	pz.ErlangServiceLevel = erl.mean(1)
	pz.SimSeparate, pz.SimHelping = sep.ServiceLevel(), help.ServiceLevel()
	pz.SimWaitSeparate, pz.SimWaitHelping = sep.MeanWait(), help.MeanWait()
	if help.Tickets > 0 {
		pz.HelpedShare = float64(help.Helped) / float64(help.Tickets)
	}
	return pz
}
