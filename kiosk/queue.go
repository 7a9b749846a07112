// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"time"
)

// Policy is the calling order's tunable part (README: "Calling order").
type Policy struct {
	// PriorityRatio 0: a waiting priority ticket always goes first.
	// N > 0: after a priority ticket is called, the next N calls of the zone
	// go to normal tickets while any wait; then a priority ticket again.
	PriorityRatio int
	// MaxWait > 0: a ticket that has waited longer is "aged" and goes before
	// every ticket that has not, oldest first, whatever its class.
	MaxWait time.Duration
}

// zoneCounter is what the ratio rule remembers of a zone's calls today.
type zoneCounter struct {
	normalsSincePriority int
	anyPriorityCalled    bool
}

// earlier orders tickets by their place: issue time, then number sequence.
func earlier(a, b *Ticket) bool {
	if pa, pb := a.place(), b.place(); !pa.Equal(pb) {
		return pa.Before(pb)
	}
	if a.Day != b.Day {
		return a.Day < b.Day
	}
	return a.Seq < b.Seq
}

// pickInZone returns the ticket a window should call next from one zone's
// waiting tickets, or nil. window is the calling window: tickets pinned to
// another window are skipped, tickets pinned to it go first.
func pickInZone(waiting []*Ticket, window int, p Policy, zc zoneCounter, now time.Time) *Ticket {
	var pinned, appt, aged, prio, normal *Ticket
	for _, t := range waiting {
		if t.PinnedWindow != 0 && t.PinnedWindow != window {
			continue
		}
		if t.PinnedWindow == window {
			if pinned == nil || earlier(t, pinned) {
				pinned = t
			}
			continue
		}
		if t.Appointment != "" {
			if appt == nil || earlier(t, appt) {
				appt = t
			}
			continue
		}
		if p.MaxWait > 0 && now.Sub(t.place()) > p.MaxWait {
			if aged == nil || earlier(t, aged) {
				aged = t
			}
		}
		if t.Priority {
			if prio == nil || earlier(t, prio) {
				prio = t
			}
		} else if normal == nil || earlier(t, normal) {
			normal = t
		}
	}
	switch {
	case pinned != nil:
		return pinned
	case appt != nil: // checked in within its slot: ahead of walk-ins
		return appt
	case aged != nil:
		return aged
	case prio == nil:
		return normal
	case normal == nil:
		return prio
	case p.PriorityRatio == 0:
		return prio
	case !zc.anyPriorityCalled || zc.normalsSincePriority >= p.PriorityRatio:
		return prio
	default:
		return normal
	}
}

// countAhead counts the waiting tickets of the zone that go before t under
// the default order (priority first, then by place); pinned tickets of other
// windows are not counted. With a ratio or ageing set it is an estimate.
func countAhead(waiting []*Ticket, t *Ticket) int {
	n := 0
	for _, o := range waiting {
		if o == t || o.Zone != t.Zone {
			continue
		}
		switch {
		case o.Appointment != "" && t.Appointment == "":
			n++
		case t.Appointment != "" && o.Appointment == "":
		case o.Priority && !t.Priority:
			n++
		case o.Priority == t.Priority && earlier(o, t):
			n++
		}
	}
	return n
}
