// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// FollowUp is the follow-up of one 差评 (a rating of 1 or 2): verified,
// rectified and answered by its due date (cases.followup_days working days
// after the rating), tracked to closure by the manager. It lives in records
// the hall keeps anyway: the rating holds the due date, the audit log the
// closure with the manager's note.
type FollowUp struct {
	Rating
	Cases    []string  `json:"cases,omitempty"` // the cases the rated service opened
	Overdue  bool      `json:"overdue"`         // open past its due date
	Closed   bool      `json:"closed"`
	ClosedAt time.Time `json:"closed_at,omitzero"`
	ClosedBy string    `json:"closed_by,omitempty"` // the terminal (and staff) that closed it
	Note     string    `json:"note,omitempty"`      // what was verified, rectified and answered
}

// FollowUpQuery selects follow-ups by the hall day of their rating, From to
// To (empty: the FollowUpDays days up to today); Open keeps the open ones.
type FollowUpQuery struct {
	From, To string
	Open     bool
}

// FollowUpDays is how far back FollowUps looks when no range is given.
const FollowUpDays = 366

// followUpClose is the audit action that closes a follow-up.
const followUpClose = "rating.follow_up.close"

// FollowUps lists the follow-ups of the 差评 given in q's range: open ones
// first, overdue first among them, then by due date.
func (h *Hall) FollowUps(ctx context.Context, q FollowUpQuery) ([]FollowUp, error) {
	from, to, err := h.followUpRange(q)
	if err != nil {
		return nil, err
	}
	out := []FollowUp{}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		rs, err := h.store.Ratings(ctx, d.Format(time.DateOnly))
		if err != nil {
			return nil, fmt.Errorf("kiosk: follow-ups: %w", err)
		}
		for _, r := range rs {
			if !r.FollowUp {
				continue
			}
			f, err := h.followUpOf(ctx, r)
			if err != nil {
				return nil, err
			}
			if !q.Open || !f.Closed {
				out = append(out, f)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b FollowUp) int {
		rank := func(f FollowUp) int {
			switch {
			case f.Overdue:
				return 0
			case !f.Closed:
				return 1
			}
			return 2
		}
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.FollowUpDue, b.FollowUpDue), a.At.Compare(b.At))
	})
	return out, nil
}

// followUpRange returns q's days, checked.
func (h *Hall) followUpRange(q FollowUpQuery) (time.Time, time.Time, error) {
	today, _ := time.Parse(time.DateOnly, h.day(h.now()))
	from, to := today.AddDate(0, 0, -FollowUpDays), today
	var err error
	if q.To != "" {
		if to, err = time.Parse(time.DateOnly, q.To); err != nil {
			return from, to, invalid("to", "%q is not YYYY-MM-DD", q.To)
		}
		from = to.AddDate(0, 0, -FollowUpDays)
	}
	if q.From != "" {
		if from, err = time.Parse(time.DateOnly, q.From); err != nil {
			return from, to, invalid("from", "%q is not YYYY-MM-DD", q.From)
		}
	}
	if to.Before(from) || to.Sub(from) > (FollowUpDays+1)*24*time.Hour {
		return from, to, invalid("to", "a range of 1 to %d days", FollowUpDays+1)
	}
	return from, to, nil
}

// followUpOf completes a 差评's follow-up from the audit log and its cases.
func (h *Hall) followUpOf(ctx context.Context, r Rating) (FollowUp, error) {
	f := FollowUp{Rating: r}
	es, err := h.store.Audit(ctx, AuditQuery{TicketID: r.TicketID, Limit: 10000})
	if err != nil {
		return FollowUp{}, fmt.Errorf("kiosk: follow-up %s: %w", r.Number, err)
	}
	for _, e := range es {
		if e.Action == followUpClose {
			f.Closed, f.ClosedAt, f.Note = true, e.At, e.Detail
			f.ClosedBy = strings.TrimSuffix(e.Actor+" / "+e.Staff, " / ")
		}
	}
	cs, err := h.store.Cases(ctx, CaseQuery{TicketID: r.TicketID})
	if err != nil {
		return FollowUp{}, fmt.Errorf("kiosk: follow-up %s: %w", r.Number, err)
	}
	for _, c := range cs {
		f.Cases = append(f.Cases, c.Number)
	}
	f.Overdue = !f.Closed && f.FollowUpDue != "" && h.day(h.now()) > f.FollowUpDue
	return f, nil
}

// CloseFollowUp closes the follow-up of a ticket's 差评 with the manager's
// note (what was verified, rectified and answered), in the audit log.
func (h *Hall) CloseFollowUp(ctx context.Context, a Actor, ticketID, note string) (FollowUp, error) {
	if a.Role != "admin" {
		return FollowUp{}, forbidden("only the centre's manager closes a follow-up")
	}
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > 500 {
		return FollowUp{}, invalid("note", "say in 1 to 500 characters what was verified, rectified and answered")
	}
	t, _, err := h.Ticket(ctx, ticketID)
	if err != nil {
		return FollowUp{}, err
	}
	r, err := h.ratingOf(ctx, &t)
	if err != nil {
		return FollowUp{}, err
	}
	if !r.FollowUp {
		return FollowUp{}, conflict("ticket %s was rated %d (%s): no follow-up", t.Number, r.Level, RatingName(r.Level))
	}
	// one closure at a time, each reading what the last one committed
	h.caseMu.Lock()
	defer h.caseMu.Unlock()
	f, err := h.followUpOf(ctx, r)
	if err != nil {
		return FollowUp{}, err
	}
	if f.Closed {
		return FollowUp{}, conflict("the follow-up of ticket %s was closed already", t.Number)
	}
	err = h.apply(func(now time.Time, ch *Change) error {
		h.audit(ch, now, a, followUpClose, &t, note)
		h.event(ch, now, "rating.follow_up_closed", map[string]any{"number": t.Number, "window": r.Window, "level": r.Level})
		f.Closed, f.ClosedAt, f.Note, f.Overdue = true, now, note, false
		f.ClosedBy = strings.TrimSuffix(a.Terminal+" / "+a.Staff, " / ")
		return nil
	})
	if err != nil {
		return FollowUp{}, err
	}
	return f, nil
}

// ratingOf finds a ticket's rating: on the day it was issued or a later
// one, up to today.
func (h *Hall) ratingOf(ctx context.Context, t *Ticket) (Rating, error) {
	if !t.Rated {
		return Rating{}, notFound("ticket %s was not rated", t.Number)
	}
	from, err := time.Parse(time.DateOnly, t.Day)
	if err != nil {
		return Rating{}, fmt.Errorf("kiosk: rating of %s: day %q: %w", t.Number, t.Day, err)
	}
	today := h.day(h.now())
	for d, n := from, 0; d.Format(time.DateOnly) <= today && n <= FollowUpDays; d, n = d.AddDate(0, 0, 1), n+1 {
		rs, err := h.store.Ratings(ctx, d.Format(time.DateOnly))
		if err != nil {
			return Rating{}, fmt.Errorf("kiosk: rating of %s: %w", t.Number, err)
		}
		for _, r := range rs {
			if r.TicketID == t.ID {
				return r, nil
			}
		}
	}
	return Rating{}, notFound("no rating of ticket %s", t.Number)
}
