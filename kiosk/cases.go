// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"fmt"
	"slices"
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
func (h *Hall) openCases(ch *Change, now time.Time, a Actor, w int, t *Ticket, matter string, in intake) ([]Case, error) {
	local := now.In(h.cfg.Location)
	delivery := "pickup"
	if t.Submission != nil && t.Submission.Delivery.Mode != "" {
		delivery = t.Submission.Delivery.Mode
	}
	var materials []string
	if t.Submission != nil {
		materials = t.Submission.Materials
	}
	newCase := func(m *Matter, parent, pkg string) Case {
		return Case{Materials: materials,
			Number: h.nextCaseNumber(ch, now, m.Code), TicketID: t.ID,
			Matter: m.Code, MatterName: m.Name, Department: m.Department,
			AcceptedAt: now, Due: h.cal.AddWorkdays(local, m.PromiseDays).Format(time.DateOnly),
			State: CaseAccepted, Parent: parent, Package: pkg, Window: w, Staff: staffOf(a), Delivery: delivery,
		}
	}
	var out []Case
	if t.Package != "" {
		p, ok := h.Catalog().Package(t.Package)
		if !ok {
			return nil, conflict("package %s is no longer in the catalog", t.Package)
		}
		parent := Case{Materials: materials,
			Number: h.nextCaseNumber(ch, now, p.Code), TicketID: t.ID, Matter: p.Code, MatterName: p.Name,
			Department: strings.Join(p.Departments, "、"), AcceptedAt: now, State: CaseAccepted,
			Package: p.Code, Window: w, Staff: staffOf(a), Delivery: delivery,
		}
		due := local
		for _, code := range p.Matters {
			m, ok := h.Catalog().Matter(code)
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
			return nil, coded(KindInvalid, CodeMatterRequired, "matter", map[string]string{"number": t.Number}, "%s 号是按区取的号，请选择受理的事项 (ticket %s is for a zone: name the matter accepted)", t.Number, t.Number)
		}
		m, ok := h.Catalog().Matter(code)
		if !ok {
			return nil, coded(KindInvalid, CodeMatterUnknown, "matter", map[string]string{"matter": code}, "没有这个事项 (unknown matter %q)", code)
		}
		out = append(out, newCase(m, "", ""))
	}
	markAgent(t, out)
	if in.state != CaseAccepted {
		// a record of the window's decision: no due date, no back office
		for i := range out {
			c := &out[i]
			c.State, c.AtIntake, c.Reason, c.Corrections, c.Due = in.state, true, in.reason, in.corrections, ""
		}
	}
	ch.Cases = append(ch.Cases, out...)
	for _, c := range out {
		if in.state != CaseAccepted {
			h.audit(ch, now, a, "case."+in.state, t, strings.TrimSpace(c.Number+" "+c.Matter+" "+in.reason))
			h.event(ch, now, "case.updated", map[string]any{
				"number": c.Number, "matter": c.Matter, "department": c.Department, "state": c.State, "parent": c.Parent, "window": w,
			})
			continue
		}
		h.audit(ch, now, a, "case.accept", t, c.Number+" "+c.Matter+" due "+c.Due)
		h.event(ch, now, "case.accepted", map[string]any{
			"number": c.Number, "matter": c.Matter, "department": c.Department, "due": c.Due, "parent": c.Parent, "window": w,
		})
	}
	return out, nil
}

// intake is what the window decided of a ticket's matter: accepted (a case
// for the back office), rejected with a reason (不予受理), or materials to
// correct (补正).
type intake struct {
	state       string
	reason      string
	corrections []string
}

// checklistOrder lists the names a ticket's checklist may hold: the
// matter's or package's materials in the catalog's order, then any other
// marked, sorted.
func (h *Hall) checklistOrder(t *Ticket) []string {
	var order []string
	if p, ok := h.Catalog().Package(t.Package); ok {
		order = append(order, p.Materials...)
	} else if m, ok := h.Catalog().Matter(t.Matter); ok {
		order = append(order, m.Materials...)
	}
	var rest []string
	for name := range t.Checklist {
		if !slices.Contains(order, name) {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	return append(order, rest...)
}

// Cases returns the cases matching q.
func (h *Hall) Cases(ctx context.Context, q CaseQuery) ([]Case, error) {
	cs, err := h.store.Cases(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("kiosk: cases: %w", err)
	}
	return cs, nil
}

// Light is a case's supervision light (督办): green on time, yellow within
// yellow_days working days of its due date, red overdue; "" once closed.
func (h *Hall) Light(c Case) string {
	if c.State == CaseClosed || c.State == CaseHandedOut || c.State == CaseMailed || c.AtIntake {
		return ""
	}
	now := h.now().In(h.cfg.Location)
	today := now.Format(time.DateOnly)
	if today > c.Due {
		return "red"
	}
	if h.cal.AddWorkdays(now, h.cfg.Cases.YellowDays).Format(time.DateOnly) >= c.Due {
		return "yellow"
	}
	return "green"
}

// caseMove is one step of a case: the states it starts from, the state it
// leads to ("" keeps the state), and the roles that may take it
// ("department" only for the case's own department).
type caseMove struct {
	from  []string
	to    string
	roles []string
}

// caseMoveOf returns the step an action names.
func caseMoveOf(action string) (caseMove, bool) {
	backOffice, front := []string{"department", "admin"}, []string{"window", "admin"}
	switch action {
	case "route":
		return caseMove{[]string{CaseAccepted}, CaseRouted, front}, true
	case "approve":
		return caseMove{[]string{CaseRouted}, CaseApproved, backOffice}, true
	case "reject":
		return caseMove{[]string{CaseRouted}, CaseRejected, backOffice}, true
	case "ready":
		return caseMove{[]string{CaseApproved, CaseRejected}, CaseReady, backOffice}, true
	case "hand-out":
		return caseMove{[]string{CaseReady}, CaseHandedOut, front}, true
	case "mail":
		return caseMove{[]string{CaseReady}, CaseMailed, front}, true
	case "close":
		return caseMove{[]string{CaseHandedOut, CaseMailed}, CaseClosed, front}, true
	case "suspend", "resume":
		return caseMove{[]string{CaseRouted}, "", backOffice}, true
	}
	return caseMove{}, false
}

// CaseAction is a step of a case: route, approve, reject, ready, hand-out,
// mail (with a waybill), close, suspend, resume.
type CaseAction struct {
	Action  string `json:"-"`
	Waybill string `json:"waybill,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Department, for route: the back office it goes to (default: the
	// matter's); any department of the hall.
	Department string `json:"department,omitempty"`
	// Verified, for hand-out: how the window checked the collector's
	// identity: "card" (the ID card placed) or "receipt". A window hands
	// out only a case its pickup ticket lists, verified; the case closes.
	Verified string `json:"verified,omitempty"`
}

// ActOnCase moves a case along its states. A package case is never acted on
// itself: it closes when its last part closes. Suspension (挂起) stops the
// clock: resuming moves the due date by the working days suspended.
func (h *Hall) ActOnCase(ctx context.Context, a Actor, department, number string, act CaseAction) (Case, error) {
	move, ok := caseMoveOf(act.Action)
	if !ok {
		return Case{}, notFound("no case action %q", act.Action)
	}
	if !slices.Contains(move.roles, a.Role) {
		return Case{}, forbidden("a %s terminal may not %s a case", a.Role, act.Action)
	}
	// one case action at a time, each reading what the last one committed
	h.caseMu.Lock()
	defer h.caseMu.Unlock()
	cs, err := h.store.Cases(ctx, CaseQuery{Number: number})
	if err != nil {
		return Case{}, fmt.Errorf("kiosk: case: %w", err)
	}
	if len(cs) == 0 {
		return Case{}, coded(KindNotFound, CodeCaseUnknown, "", map[string]string{"number": number}, "没有找到办件 %s (no case %s)", number, number)
	}
	c := cs[0]
	if c.Package != "" && c.Parent == "" {
		return Case{}, conflict("case %s is a package: act on its parts", c.Number)
	}
	if c.AtIntake {
		return Case{}, coded(KindConflict, CodeCaseState, "", map[string]string{"number": c.Number, "state": c.State, "action": act.Action},
			"办件 %s 未予受理，不能执行此操作 (case %s was not accepted at the window: it is a record)", c.Number, c.Number)
	}
	if a.Role == "department" && c.Department != department {
		return Case{}, coded(KindForbidden, CodeCaseNotYours, "", map[string]string{"number": c.Number, "department": c.Department}, "办件 %s 属于 %s (case %s belongs to %s)", c.Number, c.Department, c.Number, c.Department)
	}
	if !slices.Contains(move.from, c.State) {
		return Case{}, coded(KindConflict, CodeCaseState, "", map[string]string{"number": c.Number, "state": c.State, "action": act.Action}, "办件 %s 当前状态为 %s，不能执行此操作 (case %s is %s: cannot %s)", c.Number, c.State, c.Number, c.State, act.Action)
	}
	switch act.Action {
	case "mail":
		act.Waybill = strings.TrimSpace(act.Waybill)
		if act.Waybill == "" || len(act.Waybill) > 40 {
			return Case{}, coded(KindInvalid, CodeWaybillRequired, "waybill", nil, "请填写邮件运单号 (a waybill number is needed)")
		}
		if c.Delivery != "mail" {
			return Case{}, coded(KindConflict, CodeCasePickup, "", map[string]string{"number": c.Number}, "办件 %s 为窗口领取 (case %s is for pickup)", c.Number, c.Number)
		}
	case "hand-out":
		if c.Delivery == "mail" {
			return Case{}, coded(KindConflict, CodeCaseMail, "", map[string]string{"number": c.Number}, "办件 %s 为邮寄送达 (case %s is to be mailed)", c.Number, c.Number)
		}
	case "suspend":
		if c.Suspended != "" {
			return Case{}, conflict("case %s is suspended already", c.Number)
		}
	case "resume":
		if c.Suspended == "" {
			return Case{}, conflict("case %s is not suspended", c.Number)
		}
	}
	if act.Verified != "" && act.Action != "hand-out" {
		return Case{}, invalid("verified", "只有出件需核验身份 (verified goes with hand-out only)")
	}
	if act.Action == "hand-out" {
		switch {
		case act.Verified != "" && act.Verified != "card" && act.Verified != "receipt":
			return Case{}, coded(KindInvalid, CodeVerifiedInvalid, "verified", nil, "请先核验身份 (verified is card or receipt)")
		case a.Role == "window" && act.Verified == "":
			return Case{}, coded(KindInvalid, CodeVerifiedInvalid, "verified", nil, "请先核验身份：刷身份证或查验回执 (verify identity: card or receipt)")
		case a.Role == "window" && !h.pickupHeld(a.Window, c):
			return Case{}, coded(KindConflict, CodeNotServingPickup, "", map[string]string{"number": c.Number},
				"本窗口当前叫号不是领取办件 %s 的号 (window %d serves no pickup ticket listing case %s)", c.Number, a.Window, c.Number)
		}
	}
	if act.Department != "" && act.Action != "route" {
		return Case{}, invalid("department", "只有转办可选部门 (only route names a department)")
	}
	if act.Action == "route" {
		act.Department = strings.TrimSpace(act.Department)
		if act.Department == "" {
			act.Department = c.Department
			if m, ok := h.Catalog().Matter(c.Matter); ok {
				act.Department = m.Department
			}
		}
		if !slices.Contains(h.Departments(), act.Department) {
			return Case{}, coded(KindInvalid, CodeDepartmentUnknown, "department", map[string]string{"department": act.Department},
				"本中心没有这个部门 (no department %q in this hall)", act.Department)
		}
	}
	var siblings []Case
	if c.Parent != "" {
		if siblings, err = h.store.Cases(ctx, CaseQuery{Parent: c.Parent}); err != nil {
			return Case{}, fmt.Errorf("kiosk: case: %w", err)
		}
	}
	var parent []Case
	if c.Parent != "" {
		if parent, err = h.store.Cases(ctx, CaseQuery{Number: c.Parent}); err != nil {
			return Case{}, fmt.Errorf("kiosk: case: %w", err)
		}
	}
	err = h.apply(func(now time.Time, ch *Change) error {
		local := now.In(h.cfg.Location)
		switch act.Action {
		case "suspend":
			c.Suspended = local.Format(time.DateOnly)
		case "resume":
			from, _ := time.ParseInLocation(time.DateOnly, c.Suspended, h.cfg.Location)
			days := 0
			for d := from; d.Format(time.DateOnly) < local.Format(time.DateOnly); d = d.AddDate(0, 0, 1) {
				if h.cal.IsWorkday(d) {
					days++
				}
			}
			due, _ := time.ParseInLocation(time.DateOnly, c.Due, h.cfg.Location)
			if days > 0 {
				c.Due = h.cal.AddWorkdays(due, days).Format(time.DateOnly)
			}
			c.Suspended = ""
		default:
			c.State = move.to
		}
		if act.Action == "approve" || act.Action == "reject" {
			c.Outcome = move.to // the result notice says it after the case is ready
		}
		if act.Action == "mail" {
			c.Waybill = act.Waybill
		}
		if act.Action == "route" {
			c.Department = act.Department
		}
		c.History = append(c.History, CaseStep{At: now, Action: act.Action, Department: c.Department, Terminal: a.Terminal, Staff: a.Staff,
			Note: strings.TrimSpace(act.Waybill + " " + act.Reason + " " + act.Verified)})
		if act.Action == "hand-out" && act.Verified != "" {
			// handed over to the verified citizen: the case is done
			c.State, c.DoneAt = CaseClosed, now
			c.History = append(c.History, CaseStep{At: now, Action: "close", Department: c.Department, Terminal: a.Terminal, Staff: a.Staff})
		}
		if c.State == CaseClosed {
			c.DoneAt = now
		}
		ch.Cases = append(ch.Cases, c)
		detail := strings.TrimSpace(c.Number + " " + act.Action + " " + act.Waybill + " " + act.Reason)
		h.audit(ch, now, a, "case."+act.Action, nil, detail)
		h.event(ch, now, "case.updated", map[string]any{"number": c.Number, "state": c.State, "department": c.Department, "due": c.Due, "parent": c.Parent})
		// the package case closes with its last part
		if c.State == CaseClosed && len(parent) == 1 {
			done := true
			for _, s := range siblings {
				if s.Number != c.Number && s.State != CaseClosed {
					done = false
				}
			}
			if done {
				p := parent[0]
				p.State, p.DoneAt = CaseClosed, now
				ch.Cases = append(ch.Cases, p)
				h.audit(ch, now, a, "case.close", nil, p.Number+" package done")
				h.event(ch, now, "case.updated", map[string]any{"number": p.Number, "state": p.State, "department": p.Department, "due": p.Due})
			}
		}
		return nil
	})
	return c, err
}

// Rate records the citizen's rating of a finished ticket, once.
func (h *Hall) Rate(ctx context.Context, a Actor, ticketID string, level int, comment string) (Rating, error) {
	if level < 1 || level > 5 {
		return Rating{}, coded(KindInvalid, CodeLevelInvalid, "level", nil, "请选择 1 到 5 级评价 (%d is not 1 to 5)", level)
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
			return coded(KindConflict, CodeNotDone, "", map[string]string{"number": t.Number}, "%s 号尚未办结，办结后才能评价 (ticket %s is %s: only a finished service is rated)", t.Number, t.Number, t.Status)
		}
		if t.Rated {
			return coded(KindConflict, CodeAlreadyRated, "", map[string]string{"number": t.Number}, "%s 号已经评价过了 (ticket %s was rated already: 一次一评)", t.Number, t.Number)
		}
		if now.Sub(t.FinishedAt) > RatingWindow {
			return coded(KindConflict, CodeRatingClosed, "", map[string]string{"number": t.Number},
				"%s 号的评价时间已过 (ticket %s finished more than 24 hours ago)", t.Number, t.Number)
		}
		if (a.Role == "window" || a.Role == "counter") && a.Window != t.Window {
			return forbidden("ticket %s was served at window %d", t.Number, t.Window)
		}
		if a.Role == "counter" && h.lastFinished(t.Window) != t {
			return coded(KindForbidden, CodeRatingForbidden, "", nil, "评价屏只能评价本窗口刚办结的服务 (a counter rates its window's last finished service)")
		}
		var channel string
		switch a.Role {
		case "window", "counter": // the window's rating pad (in process) or citizen screen
			channel = "counter"
		case RoleCitizen:
			channel = "online"
		default:
			return coded(KindForbidden, CodeRatingForbidden, "", nil, "评价只能由办事群众本人进行 (only the citizen served rates)")
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
		// the window's page shows the rating; it never asks for it
		h.event(ch, now, "ticket.rated", map[string]any{"ticket": t.ID, "number": t.Number, "window": t.Window, "level": level})
		out = r
		return nil
	})
	return out, err
}

// RatingWindow is how long after a service ends the citizen may rate it.
const RatingWindow = 24 * time.Hour

// RoleCitizen is the actor of a rating made with a ticket's status link.
const RoleCitizen = "citizen"

// lastFinished is the ticket window w finished last (nil: none in memory).
// h.mu is held.
func (h *Hall) lastFinished(w int) *Ticket {
	var last *Ticket
	for _, t := range h.tickets {
		if t.Window == w && t.Status == StatusDone && (last == nil || t.FinishedAt.After(last.FinishedAt) ||
			t.FinishedAt.Equal(last.FinishedAt) && t.IssuedAt.After(last.IssuedAt)) {
			last = t
		}
	}
	return last
}

// RateLast records a rating from a window's rating pad: for the last ticket
// the window finished, once, within ten minutes of the finish.
func (h *Hall) RateLast(ctx context.Context, a Actor, window, level int) (Rating, error) {
	h.mu.Lock()
	var last *Ticket
	for _, t := range h.tickets {
		if t.Window == window && t.Status == StatusDone && (last == nil || t.FinishedAt.After(last.FinishedAt)) {
			last = t
		}
	}
	var id string
	if last != nil && !last.Rated && h.now().Sub(last.FinishedAt) <= 10*time.Minute {
		id = last.ID
	}
	h.mu.Unlock()
	if id == "" {
		return Rating{}, conflict("window %d has no finished service to rate", window)
	}
	return h.Rate(ctx, a, id, level, "")
}

// PackageFigures compare a 一件事 package's end-to-end time with the sum of
// its parts' promised times: the saving the reform promises, shown.
type PackageFigures struct {
	Code           string  `json:"code"`
	Name           string  `json:"name"`
	Accepted       int     `json:"accepted"`        // package cases opened
	Done           int     `json:"done"`            // package cases closed (every part done)
	MeanDays       float64 `json:"mean_days"`       // working days from acceptance to the last part done
	PromisedSum    int     `json:"promised_sum"`    // the parts' promised working days, added up
	PromisedLatest int     `json:"promised_latest"` // the longest part's promise (parts run side by side)
}

// PackageStats counts the package cases and their end-to-end times.
func (h *Hall) PackageStats(ctx context.Context) ([]PackageFigures, error) {
	cs, err := h.store.Cases(ctx, CaseQuery{Limit: 10000})
	if err != nil {
		return nil, fmt.Errorf("kiosk: package stats: %w", err)
	}
	by := map[string]*PackageFigures{}
	var order []string
	days := map[string][]float64{}
	for _, c := range cs {
		if c.Package == "" || c.Parent != "" {
			continue
		}
		f := by[c.Package]
		if f == nil {
			f = &PackageFigures{Code: c.Package}
			if p, ok := h.Catalog().Package(c.Package); ok {
				f.Name = p.Name
				for _, code := range p.Matters {
					if m, ok := h.Catalog().Matter(code); ok {
						f.PromisedSum += m.PromiseDays
						f.PromisedLatest = max(f.PromisedLatest, m.PromiseDays)
					}
				}
			}
			by[c.Package] = f
			order = append(order, c.Package)
		}
		f.Accepted++
		if c.State == CaseClosed && !c.DoneAt.IsZero() {
			f.Done++
			days[c.Package] = append(days[c.Package], float64(h.workdaysBetween(c.AcceptedAt, c.DoneAt)))
		}
	}
	out := make([]PackageFigures, 0, len(order))
	for _, code := range order {
		f := by[code]
		f.MeanDays = round1(mean(days[code]))
		out = append(out, *f)
	}
	return out, nil
}

// workdaysBetween counts the working days after from up to and including to.
func (h *Hall) workdaysBetween(from, to time.Time) int {
	a := from.In(h.cfg.Location)
	b := to.In(h.cfg.Location).Format(time.DateOnly)
	n := 0
	for d := a.AddDate(0, 0, 1); d.Format(time.DateOnly) <= b; d = d.AddDate(0, 0, 1) {
		if h.cal.IsWorkday(d) {
			n++
		}
	}
	return n
}

// Departments lists the hall's departments: the zones' in config order,
// then any other a matter of the catalog names.
func (h *Hall) Departments() []string {
	var out []string
	for _, z := range h.cfg.Zones {
		for _, d := range z.Departments {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	for _, m := range h.Catalog().Matters() {
		if m.Department != "" && !slices.Contains(out, m.Department) {
			out = append(out, m.Department)
		}
	}
	return out
}
