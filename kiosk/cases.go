package kiosk

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// caseNumber formats a case number from the configured pattern:
// {matter} the matter (or package) code, {date} yyyyMMdd, {seq4} the
// day's sequence in four digits ({seq5}, {seq6} likewise).
func caseNumber(format, code string, day time.Time, seq int) string {
	r := strings.NewReplacer(
		"{matter}", code,
		"{date}", day.Format("20060102"),
		"{seq4}", fmt.Sprintf("%04d", seq),
		"{seq5}", fmt.Sprintf("%05d", seq),
		"{seq6}", fmt.Sprintf("%06d", seq),
	)
	return r.Replace(format)
}

// nextCaseNumber hands out the next case number for a code. h.mu is held.
func (h *Hall) nextCaseNumber(ch *Change, now time.Time, code string) string {
	today := h.day(now)
	key := today + "|" + code
	h.caseSeqs[key]++
	seq := h.caseSeqs[key]
	ch.CaseSeqs = append(ch.CaseSeqs, Counter{Day: today, Key: code, Seq: seq})
	return caseNumber(h.cfg.Cases.NumberFormat, code, now.In(h.cfg.Location), seq)
}

// openCases opens the cases (办件) of an accepted ticket: one for a matter;
// for a package one per matter under a package case. h.mu is held.
func (h *Hall) openCases(ch *Change, now time.Time, a Actor, w int, t *Ticket, matter string) ([]Case, error) {
	local := now.In(h.cfg.Location)
	delivery := "pickup"
	if t.Submission != nil && t.Submission.Delivery.Mode != "" {
		delivery = t.Submission.Delivery.Mode
	}
	newCase := func(m *Matter, parent, pkg string) Case {
		return Case{
			Number: h.nextCaseNumber(ch, now, m.Code), TicketID: t.ID,
			Matter: m.Code, MatterName: m.Name, Department: m.Department,
			AcceptedAt: now, Due: h.cal.AddWorkdays(local, m.PromiseDays).Format(time.DateOnly),
			State: CaseAccepted, Parent: parent, Package: pkg, Window: w, Staff: staffOf(a), Delivery: delivery,
		}
	}
	var out []Case
	if t.Package != "" {
		p, ok := h.cat.Package(t.Package)
		if !ok {
			return nil, conflict("package %s is no longer in the catalog", t.Package)
		}
		parent := Case{
			Number: h.nextCaseNumber(ch, now, p.Code), TicketID: t.ID, Matter: p.Code, MatterName: p.Name,
			Department: strings.Join(p.Departments, "、"), AcceptedAt: now, State: CaseAccepted,
			Package: p.Code, Window: w, Staff: staffOf(a), Delivery: delivery,
		}
		due := local
		for _, code := range p.Matters {
			m, ok := h.cat.Matter(code)
			if !ok {
				return nil, conflict("matter %s of package %s is no longer in the catalog", code, p.Code)
			}
			c := newCase(m, parent.Number, p.Code)
			if d, _ := time.ParseInLocation(time.DateOnly, c.Due, h.cfg.Location); d.After(due) {
				due = d
			}
			out = append(out, c)
		}
		parent.Due = due.Format(time.DateOnly)
		out = append([]Case{parent}, out...)
	} else {
		code := matter
		if code == "" {
			code = t.Matter
		}
		if code == "" && t.Submission != nil {
			code = t.Submission.Matter
		}
		if code == "" {
			return nil, invalid("matter", "ticket %s is for a zone: name the matter accepted", t.Number)
		}
		m, ok := h.cat.Matter(code)
		if !ok {
			return nil, invalid("matter", "unknown matter %q", code)
		}
		out = append(out, newCase(m, "", ""))
	}
	ch.Cases = append(ch.Cases, out...)
	for _, c := range out {
		h.audit(ch, now, a, "case.accept", t, c.Number+" "+c.Matter+" due "+c.Due)
		h.event(ch, now, "case.accepted", map[string]any{
			"number": c.Number, "matter": c.Matter, "department": c.Department, "due": c.Due, "parent": c.Parent, "window": w,
		})
	}
	return out, nil
}

// Cases returns the cases a ticket opened.
func (h *Hall) Cases(ctx context.Context, ticketID string) ([]Case, error) {
	cs, err := h.store.Cases(ctx, ticketID)
	if err != nil {
		return nil, fmt.Errorf("kiosk: cases: %w", err)
	}
	return cs, nil
}

// Rate records the citizen's rating of a finished ticket, once.
func (h *Hall) Rate(ctx context.Context, a Actor, ticketID string, level int, comment string) (Rating, error) {
	if level < 1 || level > 5 {
		return Rating{}, invalid("level", "%d is not 1 to 5", level)
	}
	comment = strings.TrimSpace(comment)
	if len([]rune(comment)) > 500 {
		return Rating{}, invalid("comment", "at most 500 characters")
	}
	// a ticket older than memory is read from the store before the lock
	var older *Ticket
	h.mu.Lock()
	_, inMem := h.tickets[ticketID]
	h.mu.Unlock()
	if !inMem {
		t, ok, err := h.store.Ticket(ctx, ticketID)
		if err != nil {
			return Rating{}, fmt.Errorf("kiosk: rate: %w", err)
		}
		if !ok {
			return Rating{}, notFound("no ticket %s", ticketID)
		}
		older = t
	}
	var out Rating
	err := h.apply(func(now time.Time, ch *Change) error {
		t, ok := h.tickets[ticketID]
		if !ok {
			t = older
		}
		if t == nil {
			return notFound("no ticket %s", ticketID)
		}
		if t.Status != StatusDone {
			return conflict("ticket %s is %s: only a finished service is rated", t.Number, t.Status)
		}
		if t.Rated {
			return conflict("ticket %s was rated already (一次一评)", t.Number)
		}
		if a.Role == "window" && a.Window != t.Window {
			return forbidden("ticket %s was served at window %d", t.Number, t.Window)
		}
		channel := "counter"
		if a.Role == "kiosk" {
			channel = "kiosk"
		}
		r := Rating{
			TicketID: t.ID, Number: t.Number, Zone: t.Zone, Matter: t.Matter, Window: t.Window, Staff: t.Staff,
			Channel: channel, Level: level, Comment: comment, At: now, Day: h.day(now), FollowUp: level <= 2,
		}
		if r.FollowUp {
			r.FollowUpDue = h.cal.AddWorkdays(now.In(h.cfg.Location), h.cfg.Cases.FollowupDays).Format(time.DateOnly)
		}
		t.Rated = true
		h.save(ch, t)
		ch.Ratings = append(ch.Ratings, r)
		h.audit(ch, now, a, "ticket.rate", t, fmt.Sprintf("level %d", level))
		h.event(ch, now, "rating.recorded", map[string]any{
			"number": t.Number, "window": t.Window, "level": level, "follow_up": r.FollowUp,
		})
		out = r
		return nil
	})
	return out, err
}
