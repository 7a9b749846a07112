// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"
)

// addStatsExtras adds to s what buildStats does not count: the rates of
// satisfaction, the cases the tickets' acceptances opened (mail or pickup,
// closed on time or not) and the tickets issued per hour.
func (h *Hall) addStatsExtras(ctx context.Context, s *Stats, tickets []*Ticket) error {
	s.IssuedByHour = make([]int, 24)
	var accepted []*Ticket
	for _, t := range tickets {
		if t.Status != StatusVoid && !t.IssuedAt.IsZero() {
			s.IssuedByHour[t.IssuedAt.In(h.cfg.Location).Hour()]++
		}
		if t.Status == StatusDone && t.Result == ResultAccepted {
			accepted = append(accepted, t)
		}
	}
	casesOf, err := h.casesOfTickets(ctx, accepted)
	if err != nil {
		return err
	}
	for _, t := range accepted {
		cs := casesOf[t.ID]
		for _, f := range figuresOf(s, t) {
			h.addCases(f, cs)
			if t.Agent != nil {
				f.AgentCases += countCases(cs)
			}
		}
	}
	for _, f := range allFigures(s) {
		f.rates()
	}
	h.projectYear(s)
	return nil
}

// CasesPerStaffYear is the plan's target: 6000 cases a year for each
// member of the comprehensive windows' intake staff (HALL.md).
const CasesPerStaffYear = 6000

// projectYear projects each scope's accepted cases over the year of the
// period's end, by working days.
func (h *Hall) projectYear(s *Stats) {
	from, to := s.From, s.To
	if from == "" {
		from, to = s.Date, s.Date
	}
	s.TargetCasesPerStaffYear = CasesPerStaffYear
	a, errA := time.ParseInLocation(time.DateOnly, from, h.cfg.Location)
	b, errB := time.ParseInLocation(time.DateOnly, to, h.cfg.Location)
	if errA != nil || errB != nil {
		return
	}
	s.Workdays = h.workdaysIn(a, b)
	year := h.workdaysIn(time.Date(b.Year(), 1, 1, 0, 0, 0, 0, h.cfg.Location), time.Date(b.Year(), 12, 31, 0, 0, 0, 0, h.cfg.Location))
	if s.Workdays == 0 {
		return
	}
	for _, f := range allFigures(s) {
		f.CasesPerYear = math.Round(float64(f.CasesAccepted)*float64(year)/float64(s.Workdays)*10) / 10
	}
}

// workdaysIn counts the hall's working days from a to b, both included.
func (h *Hall) workdaysIn(a, b time.Time) int {
	n := 0
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		if h.cal.IsWorkday(d) {
			n++
		}
	}
	return n
}

// figuresOf returns the figures a ticket counts in: the total, its zone,
// its window, its member of staff and its agent (as buildStats counts it).
func figuresOf(s *Stats, t *Ticket) []*Figures {
	out := []*Figures{s.Total}
	if f, ok := s.Zones[t.Zone]; ok {
		out = append(out, f)
	}
	if f, ok := s.Windows[strconv.Itoa(t.Window)]; ok && t.Window != 0 {
		out = append(out, f)
	}
	if f, ok := s.Staff[t.Staff]; ok && t.Staff != "" {
		out = append(out, f)
	}
	if t.Agent != nil {
		if f, ok := s.Agents[t.Agent.Agent]; ok {
			out = append(out, f)
		}
	}
	return out
}

func allFigures(s *Stats) []*Figures {
	out := []*Figures{s.Total}
	for _, m := range []map[string]*Figures{s.Zones, s.Windows, s.Staff, s.Agents} {
		for _, f := range m {
			out = append(out, f)
		}
	}
	return out
}

// addCases counts a ticket's cases; a package case is counted by its parts.
func (h *Hall) addCases(f *Figures, cs []Case) {
	for _, c := range cs {
		if c.Package != "" && c.Parent == "" {
			continue
		}
		f.CasesAccepted++
		if c.Delivery == "mail" {
			f.CasesMail++
		} else {
			f.CasesPickup++
		}
		switch {
		case c.State == CaseClosed && !c.DoneAt.IsZero():
			f.CasesClosed++
			if h.day(c.DoneAt) <= c.Due {
				f.CasesOnTime++
			}
		case h.Light(c) == "red":
			f.CasesOverdue++
		}
	}
}

// rates works out the shares from the counts.
func (f *Figures) rates() {
	f.Rated = 0
	for _, n := range f.Ratings {
		f.Rated += n
	}
	f.SatisfactionRate = share(f.Ratings["4"]+f.Ratings["5"], f.Rated)
	f.OnTimeRate = share(f.CasesOnTime, f.CasesClosed)
}

// share is n/of rounded to three places, 0 when of is 0.
func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return math.Round(float64(n)/float64(of)*1000) / 1000
}

// casesOfTickets reads the cases of many tickets, a few hundred tickets a
// query, in the store's order.
func (h *Hall) casesOfTickets(ctx context.Context, ts []*Ticket) (map[string][]Case, error) {
	out := make(map[string][]Case, len(ts))
	const chunk = 400
	for i := 0; i < len(ts); i += chunk {
		ids := make([]string, 0, chunk)
		for _, t := range ts[i:min(i+chunk, len(ts))] {
			ids = append(ids, t.ID)
		}
		cs, err := h.store.Cases(ctx, CaseQuery{TicketIDs: ids, Limit: 10000})
		if err != nil {
			return nil, fmt.Errorf("kiosk: stats: cases: %w", err)
		}
		for _, c := range cs {
			out[c.TicketID] = append(out[c.TicketID], c)
		}
	}
	return out, nil
}
