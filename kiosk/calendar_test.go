// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"testing"
	"time"
)

func TestAddWorkdays(t *testing.T) {
	// National Day 2026: 1–7 Oct off, Sat 10 Oct a make-up working day (example values)
	c := NewCalendar([]string{"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"}, []string{"2026-10-10"})
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-27", 0, "2026-11-27"}, // Friday, on the spot
		{"2026-11-27", 1, "2026-11-30"}, // over the weekend
		{"2026-11-28", 0, "2026-11-30"}, // accepted on a Saturday: the next working day
		{"2026-09-30", 1, "2026-10-08"}, // over the holiday
		{"2026-10-09", 1, "2026-10-10"}, // the make-up Saturday counts
		{"2026-11-27", 20, "2026-12-25"},
	}
	for _, tt := range tests {
		if got := c.AddWorkdays(day(tt.from), tt.n).Format(time.DateOnly); got != tt.want {
			t.Errorf("%s + %d = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}
