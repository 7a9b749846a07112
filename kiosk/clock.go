// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Now is the hall's clock (a chosen one in a drill).
func (h *Hall) Now() time.Time { return h.now() }

// ClockFrom returns a clock that reads start at the moment it is made and
// runs forward in real time from there: a drill or a test runs the hall on
// a chosen day and hour (KIOSKD_CLOCK).
func ClockFrom(start time.Time) func() time.Time {
	base := time.Now()
	return func() time.Time { return start.Add(time.Since(base)) }
}

// ParseClock reads a chosen start time: RFC 3339 with its offset, e.g.
// "2026-12-08T23:59:30+08:00".
func ParseClock(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("kiosk: clock %q is not an RFC 3339 time such as 2026-12-08T23:59:30+08:00", s)
	}
	return t, nil
}

// rollDay switches the hall to the day of now, atomically under h.mu: the
// first use after the hall's midnight (any call, read or change, and the
// timer in Run) ends every ticket of an earlier day still waiting (过号),
// unless tickets carry over, before anything else sees the new day. So a
// window never calls yesterday's ticket beside today's. It returns the
// change to commit, nil when the day is the same. h.mu is held.
func (h *Hall) rollDay(now time.Time) *Change {
	if h.day(now) == h.loadedOn {
		return nil
	}
	ch := h.endDays(now)
	h.roll(now)
	if ch.empty() {
		return nil
	}
	return ch
}

// endDays ends the waiting tickets of days before now's (unless tickets
// carry over) and returns the change. h.mu is held.
func (h *Hall) endDays(now time.Time) *Change {
	today := h.day(now)
	ch := &Change{}
	if !h.cfg.Hall.CarryOver {
		var ended []*Ticket
		for _, t := range h.tickets {
			if t.Status == StatusWaiting && t.Day < today {
				ended = append(ended, t)
			}
		}
		slices.SortFunc(ended, func(a, b *Ticket) int { return a.IssuedAt.Compare(b.IssuedAt) })
		a := Actor{Terminal: "kioskd", Role: "system"}
		for _, t := range ended {
			t.Status = StatusExpired
			t.FinishedAt = now
			h.save(ch, t)
			h.audit(ch, now, a, "ticket.expire", t, "the hall day ended")
			h.event(ch, now, "ticket.expired", map[string]any{"id": t.ID, "number": t.Number, "zone": t.Zone})
		}
	}
	return ch
}

// sync brings memory to the hall day of now; a read calls it before it
// looks. The day's change is queued for commit (not waited for: a failed
// commit reloads the state and the next use rolls again). h.mu is held.
func (h *Hall) sync(now time.Time) {
	if ch := h.rollDay(now); ch != nil {
		h.enqueue(ch)
	}
}

// Closed is the answer to a ticket asked for when no window serves today.
func closedErr(msg string) error { return &Error{Kind: KindConflict, Field: "zone", Msg: msg} }

// checkHours refuses a ticket no window can serve today: after closing
// time, or on a day the hall does not work (a weekend or holiday that is
// not a make-up working day). Before opening a ticket is issued: it is
// served from opening. Carried-over halls and [hall] issue_outside_hours
// issue at any time. It reads only the config and the calendar.
func (h *Hall) checkHours(now time.Time) error {
	if h.cfg.Hall.CarryOver || h.cfg.Hall.IssueOutsideHours {
		return nil
	}
	local := now.In(h.cfg.Location)
	if !h.cal.IsWorkday(local) {
		return closedErr(fmt.Sprintf("今日（%s）非办公日，已停止取号，请于工作日 %s–%s 前来 (the hall does not serve today, %s: no tickets are issued)",
			local.Format(time.DateOnly), h.cfg.Hall.Opening, h.cfg.Hall.Closing, local.Format(time.DateOnly)))
	}
	closing, err := h.closingOf(now)
	if err != nil {
		return err
	}
	if !now.Before(closing) {
		return closedErr(fmt.Sprintf("今日已停止取号（办理时间 %s–%s），请于下一个工作日前来 (tickets are no longer issued today: the hall closed at %s)",
			h.cfg.Hall.Opening, h.cfg.Hall.Closing, h.cfg.Hall.Closing))
	}
	return nil
}

// untilMidnight is how long from now to the hall's next midnight.
func (h *Hall) untilMidnight(now time.Time) time.Duration {
	end, err := h.dayEnd(now)
	if err != nil {
		return time.Minute
	}
	return end.Sub(now)
}

// RollNow switches the hall day if it has changed and waits until the
// switch is on disk.
func (h *Hall) RollNow(ctx context.Context) error {
	return h.apply(func(time.Time, *Change) error { return nil })
}

// checkAnonymous refuses a kiosk's ticket without an ID number when the
// kiosk has issued [queue] anonymous_per_minute of them in the last minute:
// a citizen at a kiosk takes a ticket in tens of seconds, so more is a
// script, not a queue. h.mu is held.
func (h *Hall) checkAnonymous(terminal string, now time.Time) error {
	limit := h.cfg.Queue.AnonymousPerMinute
	if limit <= 0 {
		return nil
	}
	recent := 0
	for _, at := range h.anon[terminal] {
		if now.Sub(at) < time.Minute && !at.After(now) {
			recent++
		}
	}
	if recent >= limit {
		return &Error{Kind: KindLimit, Field: "id_number", Msg: fmt.Sprintf(
			"本机一分钟内已发出 %d 张未刷身份证的号票，请刷身份证取号或到导办台取号 (this kiosk issued %d tickets without an ID card in the last minute: place an ID card, or go to the guide desk)", limit, limit)}
	}
	return nil
}

// noteAnonymous records a kiosk's ticket without an ID number. h.mu is held.
func (h *Hall) noteAnonymous(terminal string, now time.Time) {
	if h.cfg.Queue.AnonymousPerMinute <= 0 {
		return
	}
	if h.anon == nil {
		h.anon = map[string][]time.Time{}
	}
	kept := h.anon[terminal][:0]
	for _, at := range h.anon[terminal] {
		if now.Sub(at) < time.Minute {
			kept = append(kept, at)
		}
	}
	h.anon[terminal] = append(kept, now)
}
