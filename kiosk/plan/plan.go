// SPDX-License-Identifier: AGPL-3.0-or-later

package plan

import (
	"fmt"
	"math"
	"time"
)

// Hours are the hall's opening hours of a day, in minutes after midnight.
type Hours struct {
	Open, Close int
}

// ParseHours reads "08:30" and "17:30".
func ParseHours(open, closing string) (Hours, error) {
	o, err := hhmm(open)
	if err != nil {
		return Hours{}, err
	}
	c, err := hhmm(closing)
	if err != nil {
		return Hours{}, err
	}
	if c <= o {
		return Hours{}, fmt.Errorf("plan: closing %s is not after opening %s", closing, open)
	}
	return Hours{Open: o, Close: c}, nil
}

func hhmm(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("plan: %q is not HH:MM", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

func (h Hours) String() string {
	return fmt.Sprintf("%02d:%02d–%02d:%02d", h.Open/60, h.Open%60, h.Close/60, h.Close%60)
}

// Len is the length of the open day in hours.
func (h Hours) Len() float64 { return float64(h.Close-h.Open) / 60 }

// HourSlot is one clock hour the hall is open in, wholly or in part.
type HourSlot struct {
	Hour int     // h: the slot is h:00–h+1:00 ...
	Open float64 // ... of which this share is open (0, 1]
}

// Slots are the clock hours the hall is open in, in order.
func (h Hours) Slots() []HourSlot {
	var out []HourSlot
	for hr := h.Open / 60; hr*60 < h.Close; hr++ {
		from, to := max(h.Open, hr*60), min(h.Close, (hr+1)*60)
		if to > from {
			out = append(out, HourSlot{Hour: hr, Open: float64(to-from) / 60})
		}
	}
	return out
}

// clamp maps a clock hour to the nearest open one: tickets taken before
// opening count in the first hour, after closing in the last.
func (h Hours) clamp(hour int) int {
	return min(max(hour, h.Open/60), (h.Close-1)/60)
}

// Label is the slot's span, "08:30–09:00" or "10:00–11:00".
func (h Hours) Label(hour int) string {
	from, to := max(h.Open, hour*60), min(h.Close, (hour+1)*60)
	return fmt.Sprintf("%02d:%02d–%02d:%02d", from/60, from%60, to/60, to%60)
}

// Profile is a zone's arrival rate by clock hour: Rate[h] is the mean
// number of tickets per hour in h:00–h+1:00 on an open day, counted over
// the part of the hour the hall is open (30 tickets in a half-open hour is
// a rate of 60).
type Profile struct {
	Rate [24]float64 `json:"rate"`
}

// PerDay is the arrivals of a day with this profile.
func (p Profile) PerDay(h Hours) float64 {
	sum := 0.0
	for _, s := range h.Slots() {
		sum += p.Rate[s.Hour] * s.Open
	}
	return sum
}

// Spread is perDay arrivals spread over the open hours by shape (relative
// weights per clock hour; all zero in the open hours: evenly).
func Spread(perDay float64, h Hours, shape [24]float64) Profile {
	var p Profile
	slots := h.Slots()
	w := 0.0
	for _, s := range slots {
		w += shape[s.Hour] * s.Open
	}
	for _, s := range slots {
		if w > 0 {
			p.Rate[s.Hour] = perDay * shape[s.Hour] / w
		} else {
			p.Rate[s.Hour] = perDay / h.Len()
		}
	}
	return p
}

// PeakFactor is the profile's busiest hourly rate over its mean rate across the open day.
func (p Profile) PeakFactor(h Hours) float64 {
	day := p.PerDay(h)
	if day == 0 {
		return 0
	}
	peak := 0.0
	for _, s := range h.Slots() {
		peak = math.Max(peak, p.Rate[s.Hour])
	}
	return peak / (day / h.Len())
}

// Demand is one zone's input to Plan.
type Demand struct {
	Zone string `json:"zone"`
	Name string `json:"name"`
	// Profile is an average open day's arrivals.
	Profile Profile `json:"profile"`
	// Weekdays, when set, has a profile per day of the week; Plan then
	// gives one day plan for each instead of one for every day alike.
	Weekdays   map[time.Weekday]Profile `json:"-"`
	ServiceMin float64                  `json:"service_min"`
	ServiceCV  float64                  `json:"service_cv"` // 0: 1 (exponential)
	Windows    int                      `json:"windows"`    // windows the zone has now, for comparison (0: unknown)
}

// Slot is one hour of a zone's plan.
type Slot struct {
	Hour         int     `json:"hour"`
	Label        string  `json:"label"`    // "08:30–09:00"
	Arrivals     float64 `json:"arrivals"` // per hour
	Load         float64 `json:"load"`     // Erlangs
	Windows      int     `json:"windows"`  // needed
	PWait        float64 `json:"p_wait"`
	MeanWait     float64 `json:"mean_wait_min"`
	ServiceLevel float64 `json:"service_level"` // P(wait ≤ target minutes) with Windows
	Occupancy    float64 `json:"occupancy"`
}

// DayPlan is a zone's windows hour by hour for one kind of day.
type DayPlan struct {
	Weekday  string  `json:"weekday"` // "" for every open day alike, else "Monday" ...
	Arrivals float64 `json:"arrivals"`
	Peak     int     `json:"peak_windows"`
	PeakHour string  `json:"peak_hour"` // the busiest of the hours that need Peak windows
	// WindowHours is the window-hours the day needs: the sum over slots of
	// windows × the open part of the hour.
	WindowHours float64 `json:"window_hours"`
	Slots       []Slot  `json:"slots"`
}

// ZonePlan is one zone's plan.
type ZonePlan struct {
	Demand
	Days []DayPlan `json:"days"`
	Peak int       `json:"peak_windows"` // the most windows any hour needs
}

// PlanDay sizes every open hour of a day of profile p.
func PlanDay(p Profile, serviceMin, cv float64, h Hours, t Target) DayPlan {
	var d DayPlan
	peakLam := -1.0
	for _, s := range h.Slots() {
		lam := p.Rate[s.Hour]
		c := Windows(lam, serviceMin, cv, t)
		q := Queue{Windows: c, Arrivals: lam, ServiceMin: serviceMin, ServiceCV: cv}
		d.Slots = append(d.Slots, Slot{
			Hour: s.Hour, Label: h.Label(s.Hour), Arrivals: lam, Load: q.Load(), Windows: c,
			PWait: q.PWait(), MeanWait: q.MeanWait(), ServiceLevel: q.ServiceLevel(t.WaitMinutes), Occupancy: q.Occupancy(),
		})
		d.Arrivals += lam * s.Open
		d.WindowHours += float64(c) * s.Open
		if c > d.Peak || (c == d.Peak && lam > peakLam) {
			d.Peak, d.PeakHour, peakLam = c, h.Label(s.Hour), lam
		}
	}
	return d
}

// Plan sizes each zone's windows hour by hour.
func Plan(demands []Demand, h Hours, t Target) ([]ZonePlan, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	out := make([]ZonePlan, 0, len(demands))
	for _, d := range demands {
		if !(d.ServiceMin > 0) || d.ServiceCV < 0 {
			return nil, fmt.Errorf("plan: zone %s: service time %v min, cv %v: need a time > 0 and cv ≥ 0", d.Zone, d.ServiceMin, d.ServiceCV)
		}
		zp := ZonePlan{Demand: d}
		if len(d.Weekdays) == 0 {
			zp.Days = []DayPlan{PlanDay(d.Profile, d.ServiceMin, d.ServiceCV, h, t)}
		}
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			if p, ok := d.Weekdays[wd]; ok {
				day := PlanDay(p, d.ServiceMin, d.ServiceCV, h, t)
				day.Weekday = wd.String()
				zp.Days = append(zp.Days, day)
			}
		}
		for _, day := range zp.Days {
			zp.Peak = max(zp.Peak, day.Peak)
		}
		out = append(out, zp)
	}
	return out, nil
}
