// SPDX-License-Identifier: AGPL-3.0-or-later

package plan

import (
	"math"
	"time"

	"yichuang/kiosk"
)

// Measurement is what a range of tickets says about each zone's demand.
type Measurement struct {
	// Days are the open days: days with at least one ticket in any zone.
	Days      int                      `json:"days"`
	DaysOfWDs [7]int                   `json:"-"` // open days by day of the week
	Zones     map[string]*ZoneMeasured `json:"zones"`
}

// ZoneMeasured is one zone's measured demand.
type ZoneMeasured struct {
	Tickets  int                      `json:"tickets"` // every ticket but voided ones: each is a citizen who came
	Profile  Profile                  `json:"profile"`
	Weekdays map[time.Weekday]Profile `json:"-"`
	// Served are the done tickets with a call and a finish: the service
	// time samples (FinishedAt − CalledAt: the window's time, walk-up included).
	Served     int     `json:"served"`
	ServiceMin float64 `json:"service_min"`
	ServiceCV  float64 `json:"service_cv"` // sample standard deviation ÷ mean; 0 with fewer than 2 samples
}

// Measure counts arrivals per zone and clock hour (in loc, the hall's
// timezone) and service times. Rates are per open day and per open hour:
// a slot's count is divided by the open days and by the open part of the
// hour; tickets taken outside the opening hours count in the nearest open
// hour. A ticket counts in the zone it ended in (after a transfer).
func Measure(tickets []*kiosk.Ticket, loc *time.Location, h Hours) *Measurement {
	m := &Measurement{Zones: map[string]*ZoneMeasured{}}
	type counts struct {
		all      [24]float64
		byWD     [7][24]float64
		services []float64
		n        int
	}
	cs := map[string]*counts{}
	days := map[string]time.Weekday{}
	for _, t := range tickets {
		if t.Status == kiosk.StatusVoid {
			continue
		}
		issued := t.IssuedAt.In(loc)
		day := t.Day
		if day == "" {
			day = issued.Format(time.DateOnly)
		}
		wd := issued.Weekday()
		if d, err := time.Parse(time.DateOnly, day); err == nil {
			wd = d.Weekday()
		}
		days[day] = wd
		c := cs[t.Zone]
		if c == nil {
			c = &counts{}
			cs[t.Zone] = c
		}
		hr := h.clamp(issued.Hour())
		c.n++
		c.all[hr]++
		c.byWD[wd][hr]++
		if t.Status == kiosk.StatusDone && !t.CalledAt.IsZero() && t.FinishedAt.After(t.CalledAt) {
			c.services = append(c.services, t.FinishedAt.Sub(t.CalledAt).Minutes())
		}
	}
	m.Days = len(days)
	for _, wd := range days {
		m.DaysOfWDs[wd]++
	}
	slots := h.Slots()
	for zone, c := range cs {
		z := &ZoneMeasured{Tickets: c.n, Weekdays: map[time.Weekday]Profile{}, Served: len(c.services)}
		for _, s := range slots {
			z.Profile.Rate[s.Hour] = c.all[s.Hour] / (float64(m.Days) * s.Open)
		}
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			if m.DaysOfWDs[wd] == 0 {
				continue
			}
			var p Profile
			for _, s := range slots {
				p.Rate[s.Hour] = c.byWD[wd][s.Hour] / (float64(m.DaysOfWDs[wd]) * s.Open)
			}
			z.Weekdays[wd] = p
		}
		z.ServiceMin, z.ServiceCV = meanCV(c.services)
		m.Zones[zone] = z
	}
	return m
}

// Weekdays are the days of the week with open days, each with a zero
// profile: the starting point for a zone with no tickets.
func (m *Measurement) Weekdays() map[time.Weekday]Profile {
	out := map[time.Weekday]Profile{}
	for wd, n := range m.DaysOfWDs {
		if n > 0 {
			out[time.Weekday(wd)] = Profile{}
		}
	}
	return out
}

func meanCV(xs []float64) (mean, cv float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 || mean == 0 {
		return mean, 0
	}
	ss := 0.0
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss/float64(len(xs)-1)) / mean
}
