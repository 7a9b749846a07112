// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// Figures are one zone's or window's numbers for a day.
type Figures struct {
	Issued         int            `json:"issued"`
	Waiting        int            `json:"waiting"`
	Served         int            `json:"served"`
	NoShow         int            `json:"no_show"`
	Expired        int            `json:"expired"`
	Voided         int            `json:"voided"`
	Called         int            `json:"called"` // tickets called, whose waits the wait figures hold
	MeanWaitSec    float64        `json:"mean_wait_s"`
	P90WaitSec     float64        `json:"p90_wait_s"`
	P50WaitSec     float64        `json:"p50_wait_s"`
	MeanServiceSec float64        `json:"mean_service_s"`
	Ratings        map[string]int `json:"ratings"` // "1".."5" → count
	Accepted       int            `json:"accepted"`
	// Rated counts the ratings; SatisfactionRate is the share of them at
	// 4 or 5 (满意, 非常满意), 0 without ratings.
	Rated            int     `json:"rated"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
	// Cases (办件) the period's acceptances opened (a package counts its
	// parts), by delivery; of them, those closed by now, those closed on
	// or before their due date (OnTimeRate = on time / closed, 0 with none
	// closed) and those still open past it.
	CasesAccepted int     `json:"cases_accepted"`
	CasesMail     int     `json:"cases_mail"`
	CasesPickup   int     `json:"cases_pickup"`
	CasesClosed   int     `json:"cases_closed"`
	CasesOnTime   int     `json:"cases_on_time"`
	OnTimeRate    float64 `json:"on_time_rate"`
	CasesOverdue  int     `json:"cases_overdue"`
	// CasesPerYear projects cases_accepted over the hall's working days of
	// the year (cases ÷ working days of the period × working days of the
	// year): for a member of staff, beside the plan's 6000 a year.
	CasesPerYear float64 `json:"cases_per_year_projected"`
	// Agent-handled (代办): tickets an agent took over (not voided), of
	// them those served, and the cases their acceptances opened (as
	// cases_accepted counts them).
	AgentTickets int `json:"agent_tickets"`
	AgentServed  int `json:"agent_served"`
	AgentCases   int `json:"agent_cases"`

	waits, services []float64
}

// Stats are a day's (or a range of days') statistics per zone, window and
// member of staff.
type Stats struct {
	Date string `json:"date"`
	// Workdays is the number of the hall's working days in the period;
	// TargetCasesPerStaffYear the plan's target for each intake member of
	// staff (cases a year), beside which cases_per_year_projected reads.
	Workdays                int                 `json:"workdays"`
	TargetCasesPerStaffYear int                 `json:"target_cases_per_staff_year"`
	From                    string              `json:"from,omitempty"`
	To                      string              `json:"to,omitempty"`
	Total                   *Figures            `json:"total"`
	Zones                   map[string]*Figures `json:"zones"`
	Windows                 map[string]*Figures `json:"windows"`
	Staff                   map[string]*Figures `json:"staff"`
	// Agents are the figures of the tickets each agent (代办员) handled,
	// by the agent's staff id.
	Agents map[string]*Figures `json:"agents"`
	// IssuedByHour counts the tickets issued in each hour of the hall's
	// day (0–23), over every day of the range.
	IssuedByHour []int `json:"issued_by_hour"`
}

func newFigures() *Figures {
	return &Figures{Ratings: map[string]int{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}}
}

// Stats computes a hall day's statistics (date "": today).
func (h *Hall) Stats(ctx context.Context, date string) (*Stats, error) {
	if date == "" {
		date = h.day(h.now())
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return nil, invalid("date", "%q is not YYYY-MM-DD", date)
	}
	tickets, ratings, err := h.dayData(ctx, date)
	if err != nil {
		return nil, err
	}
	s := h.buildStats(tickets, ratings)
	s.Date = date
	if err := h.addStatsExtras(ctx, s, tickets); err != nil {
		return nil, err
	}
	return s, nil
}

// StatsRange computes the statistics of the hall days from..to (at most
// 366 days): a week, a month.
func (h *Hall) StatsRange(ctx context.Context, from, to string) (*Stats, error) {
	a, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return nil, invalid("from", "%q is not YYYY-MM-DD", from)
	}
	b, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return nil, invalid("to", "%q is not YYYY-MM-DD", to)
	}
	if b.Before(a) || b.Sub(a) > 366*24*time.Hour {
		return nil, invalid("to", "a range of 1 to 366 days from %s", from)
	}
	var tickets []*Ticket
	var ratings []Rating
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		ts, rs, err := h.dayData(ctx, d.Format(time.DateOnly))
		if err != nil {
			return nil, err
		}
		tickets, ratings = append(tickets, ts...), append(ratings, rs...)
	}
	s := h.buildStats(tickets, ratings)
	s.Date, s.From, s.To = from, from, to
	if err := h.addStatsExtras(ctx, s, tickets); err != nil {
		return nil, err
	}
	return s, nil
}

// dayData returns a hall day's tickets (from memory when it holds them)
// and ratings.
func (h *Hall) dayData(ctx context.Context, date string) ([]*Ticket, []Rating, error) {
	var tickets []*Ticket
	h.mu.Lock()
	inMemory := date >= h.yesterday(h.now())
	if inMemory {
		for _, t := range h.tickets {
			if t.Day == date {
				cp := *t
				tickets = append(tickets, &cp)
			}
		}
	}
	h.mu.Unlock()
	if !inMemory {
		var err error
		if tickets, err = h.store.Tickets(ctx, date); err != nil {
			return nil, nil, fmt.Errorf("kiosk: stats: %w", err)
		}
	}
	ratings, err := h.store.Ratings(ctx, date)
	if err != nil {
		return nil, nil, fmt.Errorf("kiosk: stats: %w", err)
	}
	return tickets, ratings, nil
}

func (h *Hall) buildStats(tickets []*Ticket, ratings []Rating) *Stats {
	s := &Stats{Total: newFigures(), Zones: map[string]*Figures{}, Windows: map[string]*Figures{}, Staff: map[string]*Figures{}, Agents: map[string]*Figures{}}
	agentOf := map[string]string{} // ticket id → its agent
	for _, z := range h.cfg.Zones {
		s.Zones[z.ID] = newFigures()
		for _, w := range z.Windows {
			s.Windows[strconv.Itoa(w)] = newFigures()
		}
	}
	staffOf := func(name string) *Figures {
		f := s.Staff[name]
		if f == nil {
			f = newFigures()
			s.Staff[name] = f
		}
		return f
	}
	for _, t := range tickets {
		figs := []*Figures{s.Total}
		if f, ok := s.Zones[t.Zone]; ok {
			figs = append(figs, f)
		}
		if t.Window != 0 {
			if f, ok := s.Windows[strconv.Itoa(t.Window)]; ok {
				figs = append(figs, f)
			}
		}
		if t.Staff != "" {
			figs = append(figs, staffOf(t.Staff))
		}
		if t.Agent != nil {
			agentOf[t.ID] = t.Agent.Agent
			figs = append(figs, s.agentFigures(t.Agent.Agent))
		}
		for _, f := range figs {
			f.add(t)
		}
	}
	for _, r := range ratings {
		key := strconv.Itoa(r.Level)
		s.Total.Ratings[key]++
		if f, ok := s.Zones[r.Zone]; ok {
			f.Ratings[key]++
		}
		if f, ok := s.Windows[strconv.Itoa(r.Window)]; ok {
			f.Ratings[key]++
		}
		if r.Staff != "" {
			staffOf(r.Staff).Ratings[key]++
		}
		if a, ok := agentOf[r.TicketID]; ok {
			s.agentFigures(a).Ratings[key]++
		}
	}
	s.Total.finish()
	for _, m := range []map[string]*Figures{s.Zones, s.Windows, s.Staff, s.Agents} {
		for _, f := range m {
			f.finish()
		}
	}
	return s
}

func (f *Figures) add(t *Ticket) {
	if t.Status != StatusVoid {
		f.Issued++
	}
	f.addAgent(t)
	switch t.Status {
	case StatusWaiting:
		f.Waiting++
	case StatusDone:
		f.Served++
		if t.Result == ResultAccepted {
			f.Accepted++
		}
		if !t.CalledAt.IsZero() {
			f.services = append(f.services, t.FinishedAt.Sub(t.CalledAt).Seconds())
		}
	case StatusNoShow:
		f.NoShow++
	case StatusExpired:
		f.Expired++
	case StatusVoid:
		f.Voided++
	}
	if !t.CalledAt.IsZero() {
		f.waits = append(f.waits, t.CalledAt.Sub(t.IssuedAt).Seconds())
	}
}

func (f *Figures) finish() {
	f.Called = len(f.waits)
	f.MeanWaitSec = round1(mean(f.waits))
	f.P90WaitSec = round1(percentile(f.waits, 0.9))
	f.P50WaitSec = round1(percentile(f.waits, 0.5))
	f.MeanServiceSec = round1(mean(f.services))
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// percentile is the nearest-rank percentile of xs.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := int(math.Ceil(p*float64(len(s)))) - 1
	return s[max(0, min(rank, len(s)-1))]
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
