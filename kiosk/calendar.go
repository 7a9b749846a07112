// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"time"
)

// Calendar counts working days: weekends and holidays are skipped, and
// make-up working days (调休) count although they fall on a weekend.
type Calendar struct {
	holidays map[string]bool
	workdays map[string]bool
}

// NewCalendar builds a calendar from YYYY-MM-DD lists.
func NewCalendar(holidays, workdays []string) *Calendar {
	c := &Calendar{holidays: map[string]bool{}, workdays: map[string]bool{}}
	for _, d := range holidays {
		c.holidays[d] = true
	}
	for _, d := range workdays {
		c.workdays[d] = true
	}
	return c
}

// IsWorkday reports whether the date is a working day.
func (c *Calendar) IsWorkday(d time.Time) bool {
	key := d.Format(time.DateOnly)
	if c.workdays[key] {
		return true
	}
	if c.holidays[key] {
		return false
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkdays returns the date n working days after from (n = 0: from itself,
// or the next working day when from is not one). Only the date part counts.
func (c *Calendar) AddWorkdays(from time.Time, n int) time.Time {
	d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, from.Location())
	for !c.IsWorkday(d) {
		d = d.AddDate(0, 0, 1)
	}
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.IsWorkday(d) {
			n--
		}
	}
	return d
}
