// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// IssueRequest asks for a ticket.
type IssueRequest struct {
	Zone           string      `json:"zone,omitempty"`
	Matter         string      `json:"matter,omitempty"`
	Package        string      `json:"package,omitempty"`
	Priority       bool        `json:"priority,omitempty"`
	PriorityReason string      `json:"priority_reason,omitempty"`
	Submission     *Submission `json:"submission,omitempty"`
	// IDNumber, without a submission: the card the citizen placed, so the
	// one-ticket-per-ID rule holds for plain tickets too.
	IDNumber string `json:"id_number,omitempty"`
	IDType   string `json:"id_type,omitempty"` // the document of IDNumber (kiosk/idnumber.go)
	// Pickup asks for a ticket to collect ready results (kiosk/pickup.go).
	Pickup *PickupRequest `json:"pickup,omitempty"`
	// Offline hands in a ticket a terminal node issued from its block of
	// numbers while the hall node could not be reached.
	Offline *OfflineClaim `json:"offline,omitempty"`
	// IdempotencyKey makes a retry return the first answer.
	IdempotencyKey string `json:"-"`
	// reqHash is the hash of the request the key is bound to (idem.go);
	// set by the entry point that knows the request's kind.
	reqHash string
}

// IssueResult is a ticket issue's answer.
type IssueResult struct {
	Ticket       Ticket
	WaitingAhead int
	// Created is false when an earlier ticket was returned: the same
	// Idempotency-Key, or the citizen already holds one in the zone.
	Created bool
	// Replay is true for a repeated Idempotency-Key.
	Replay bool
}

var (
	rePhone    = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	rePostcode = regexp.MustCompile(`^[0-9]{6}$`)
	reIdemKey  = regexp.MustCompile(`^[\x21-\x7e]{1,128}$`)
)

// resolveZone picks the zone of a request and checks its matter or package.
func (h *Hall) resolveZone(r *IssueRequest) (string, []*Matter, error) {
	n := 0
	for _, s := range []string{r.Zone, r.Matter, r.Package} {
		if s != "" {
			n++
		}
	}
	if n == 0 {
		return "", nil, coded(KindInvalid, CodeZoneRequired, "zone", nil, "请选择办事区、事项或一件事 (give a zone, a matter or a package)")
	}
	if r.Package != "" && r.Matter != "" {
		return "", nil, invalid("package", "give a matter or a package, not both")
	}
	zone := r.Zone
	var matters []*Matter
	switch {
	case r.Matter != "":
		m, ok := h.Catalog().Matter(r.Matter)
		if !ok {
			return "", nil, coded(KindInvalid, CodeMatterUnknown, "matter", map[string]string{"matter": r.Matter}, "没有这个事项 (unknown matter %q)", r.Matter)
		}
		matters = []*Matter{m}
		if zone != "" && zone != m.Zone {
			return "", nil, invalid("zone", "matter %s is served in zone %s, not %s", m.Code, m.Zone, zone)
		}
		zone = m.Zone
	case r.Package != "":
		p, ok := h.Catalog().Package(r.Package)
		if !ok {
			return "", nil, invalid("package", "unknown package %q", r.Package)
		}
		for _, code := range p.Matters {
			m, _ := h.Catalog().Matter(code)
			matters = append(matters, m)
		}
		if zone != "" && zone != p.LeadZone {
			return "", nil, invalid("zone", "package %s is served in zone %s, not %s", p.Code, p.LeadZone, zone)
		}
		zone = p.LeadZone
	}
	if _, ok := h.zone(zone); !ok {
		return "", nil, coded(KindInvalid, CodeZoneUnknown, "zone", map[string]string{"zone": zone}, "没有这个办事区 (unknown zone %q)", zone)
	}
	return zone, matters, nil
}

// zone returns a zone of the hall by id.
func (h *Hall) zone(id string) (zoneInfo, bool) {
	for _, z := range h.cfg.Zones {
		if z.ID == id {
			return zoneInfo{ID: z.ID, Prefix: z.Prefix, Name: z.Name}, true
		}
	}
	return zoneInfo{}, false
}

type zoneInfo struct{ ID, Prefix, Name string }

// checkSubmission validates a submission against the ticket's matters.
func (h *Hall) checkSubmission(ctx context.Context, actor Actor, s *Submission, matters []*Matter) error {
	a := &s.Applicant
	a.IDNumber = strings.ToUpper(strings.TrimSpace(a.IDNumber))
	a.Name = strings.TrimSpace(a.Name)
	typ, err := CheckID("submission.applicant.id_number", a.IDType, a.IDNumber)
	if err != nil {
		return err
	}
	a.IDType = typ
	if a.Name == "" || utf8.RuneCountInString(a.Name) > 64 {
		return invalid("submission.applicant.name", "a name of 1 to 64 characters is needed")
	}
	if a.Phone != "" && !rePhone.MatchString(a.Phone) {
		return invalid("submission.applicant.phone", "not an 11-digit mobile number")
	}
	if s.Matter != "" {
		if len(matters) == 0 {
			m, ok := h.Catalog().Matter(s.Matter)
			if !ok {
				return invalid("submission.matter", "unknown matter %q", s.Matter)
			}
			matters = []*Matter{m}
		} else if !slices.ContainsFunc(matters, func(m *Matter) bool { return m.Code == s.Matter }) {
			return invalid("submission.matter", "matter %q is not the ticket's", s.Matter)
		}
	}
	if len(s.Materials) > 200 {
		return invalid("submission.materials", "at most 200 materials")
	}
	for i, id := range s.Materials {
		problem, err := h.checkMaterial(ctx, actor, id)
		if err != nil {
			return fmt.Errorf("kiosk: check material: %w", err)
		}
		if problem != "" {
			return invalid(fmt.Sprintf("submission.materials[%d]", i), "%s: %s", id, problem)
		}
	}
	d := &s.Delivery
	switch d.Mode {
	case "", "pickup":
		d.Mode = "pickup"
		if d.Recipient != "" || d.Address != "" {
			return invalid("submission.delivery", "pickup takes no address")
		}
	case "mail":
		for _, m := range matters {
			if !m.MailOK {
				return coded(KindInvalid, CodeDeliveryNoMail, "submission.delivery.mode", map[string]string{"matter": m.Name, "department": m.Department}, "%s（%s）的结果不提供免费邮寄，请选择窗口领取", m.Name, m.Department)
			}
		}
		d.Recipient = strings.TrimSpace(d.Recipient)
		if d.Recipient == "" || utf8.RuneCountInString(d.Recipient) > 16 {
			return invalid("submission.delivery.recipient", "a recipient of 1 to 16 characters is needed")
		}
		if !rePhone.MatchString(d.Phone) {
			return invalid("submission.delivery.phone", "an 11-digit mobile number is needed")
		}
		if a := strings.TrimSpace(d.Address); a == "" || utf8.RuneCountInString(a) > 200 {
			return invalid("submission.delivery.address", "an address of 1 to 200 characters is needed")
		}
		if !rePostcode.MatchString(d.Postcode) {
			return invalid("submission.delivery.postcode", "a 6-digit postcode is needed")
		}
		if utf8.RuneCountInString(d.Remarks) > 200 {
			return invalid("submission.delivery.remarks", "at most 200 characters")
		}
	default:
		return invalid("submission.delivery.mode", "%q is not pickup or mail", d.Mode)
	}
	return nil
}

// Issue issues a ticket. The answer comes only after the ticket is on disk.
func (h *Hall) Issue(ctx context.Context, a Actor, r IssueRequest) (IssueResult, error) {
	if r.Pickup != nil {
		return h.IssuePickup(ctx, a, r)
	}
	return h.issue(ctx, a, r, nil)
}

// issue issues a ticket; onCreate, when set, adds to a new ticket and its
// change before they are saved (an appointment's check-in).
func (h *Hall) issue(ctx context.Context, a Actor, r IssueRequest, onCreate func(t *Ticket, ch *Change, now time.Time)) (IssueResult, error) {
	if r.IdempotencyKey != "" && !reIdemKey.MatchString(r.IdempotencyKey) {
		return IssueResult{}, invalid("Idempotency-Key", "1 to 128 printable characters")
	}
	if r.IdempotencyKey != "" && r.reqHash == "" {
		r.reqHash = h.issueHash(a.Terminal, r)
	}
	if r.Offline != nil {
		if onCreate != nil {
			return IssueResult{}, invalid("offline", "an appointment cannot be checked in offline")
		}
		return h.takeOffline(ctx, a, r)
	}
	zone, matters, err := h.resolveZone(&r)
	if err != nil {
		return IssueResult{}, err
	}
	if r.PriorityReason != "" {
		if !slices.Contains(h.cfg.Queue.PriorityReasons, r.PriorityReason) {
			return IssueResult{}, invalid("priority_reason", "%q is not one of %s", r.PriorityReason, strings.Join(h.cfg.Queue.PriorityReasons, ", "))
		}
		r.Priority = true
	} else if r.Priority {
		return IssueResult{}, priorityNeedsReason(h.cfg.Queue.PriorityReasons)
	}
	idNumber := strings.ToUpper(strings.TrimSpace(r.IDNumber))
	if r.Submission != nil {
		sub := *r.Submission
		if len(matters) == 1 && sub.Matter == "" {
			sub.Matter = matters[0].Code
		}
		if err := h.checkSubmission(ctx, a, &sub, matters); err != nil {
			return IssueResult{}, err
		}
		if idNumber != "" && idNumber != sub.Applicant.IDNumber {
			return IssueResult{}, coded(KindInvalid, CodeIDNumberMismatch, "id_number", nil, "取号证件号码与申请人不一致 (differs from the applicant's)")
		}
		idNumber = sub.Applicant.IDNumber
		r.Submission = &sub
	} else if idNumber != "" {
		if _, err := CheckID("id_number", r.IDType, idNumber); err != nil {
			return IssueResult{}, err
		}
	}
	var idHash string
	if idNumber != "" {
		idHash = h.IDHash(idNumber)
	}
	zi, _ := h.zone(zone)

	var res IssueResult
	err = h.apply(func(now time.Time, ch *Change) error {
		today := h.day(now)
		if r.IdempotencyKey != "" {
			if id, ok := h.idem[a.Terminal+"|"+r.IdempotencyKey]; ok {
				if t, ok := h.tickets[id]; ok {
					if err := h.checkReplay(t, r.reqHash, today); err != nil {
						return err
					}
					res = IssueResult{Ticket: *t, WaitingAhead: h.ahead(t), Replay: true}
					return nil
				}
				return keyOfEarlierDay("an earlier day")
			}
		}
		issuedToday := 0
		for _, t := range h.byIDHash[idHash] { // idHash "": none
			if t.Zone == zone && t.Active() { // the citizen's own ticket again, at any hour
				res = IssueResult{Ticket: *t, WaitingAhead: h.ahead(t)}
				return nil
			}
			if t.Day == today { // voided ones too: voiding and reissuing does not reset the cap
				issuedToday++
			}
		}
		if err := h.checkHours(now); err != nil {
			return err
		}
		if idHash == "" && a.Role == "kiosk" && onCreate == nil {
			if err := h.checkAnonymous(a.Terminal, now); err != nil {
				return err
			}
		}
		if idHash != "" {
			if c := h.cfg.Queue.DailyCapPerID; c > 0 && issuedToday >= c {
				return coded(KindLimit, CodeDailyCap, "id_number", map[string]string{"cap": fmt.Sprint(c)}, "今日取号已达 %d 次上限，请到导办台咨询 (today's limit of tickets is reached)", c)
			}
		}
		ckey := today + "|" + zone
		seq, ok := h.counters[ckey]
		if !ok && h.cfg.Hall.CarryOver {
			seq = h.carriedMax(zone, today)
		}
		seq = h.skipLeased(today, zone, seq+1)
		t := &Ticket{
			ID: randomHex(16), Day: today, Zone: zone, Seq: seq,
			Number:   fmt.Sprintf("%s%03d", zi.Prefix, seq),
			Priority: r.Priority, PriorityReason: r.PriorityReason,
			Matter: r.Matter, Package: r.Package,
			Status: StatusWaiting, IssuedAt: now, Terminal: a.Terminal,
			IDHash: idHash, StatusKey: randomHex(12), Submission: r.Submission, IdemHash: r.reqHash,
		}
		if onCreate != nil {
			onCreate(t, ch, now)
		}
		if t.Submission != nil {
			for _, id := range t.Submission.Materials {
				ch.MaterialLinks = append(ch.MaterialLinks, MaterialLink{MaterialID: id, TicketID: t.ID})
			}
		}
		if idHash == "" && a.Role == "kiosk" && onCreate == nil {
			h.noteAnonymous(a.Terminal, now)
		}
		h.counters[ckey] = seq
		h.tickets[t.ID] = t
		ch.Counters = append(ch.Counters, Counter{Day: today, Key: zone, Seq: seq})
		if r.IdempotencyKey != "" {
			h.idem[a.Terminal+"|"+r.IdempotencyKey] = t.ID
			ch.Idempotency = append(ch.Idempotency, IdemKey{Terminal: a.Terminal, Key: r.IdempotencyKey, TicketID: t.ID, Day: today})
		}
		h.save(ch, t)
		detail := ""
		if t.Priority {
			detail = "priority " + t.PriorityReason
		}
		h.audit(ch, now, a, "ticket.issue", t, detail)
		ahead := h.aheadOfNew(t)
		h.event(ch, now, "ticket.issued", map[string]any{
			"id": t.ID, "number": t.Number, "zone": t.Zone, "priority": t.Priority,
			"waiting_ahead": ahead, "waiting": h.waitingIn(zone),
		})
		res = IssueResult{Ticket: *t, WaitingAhead: ahead, Created: true}
		return nil
	})
	if err != nil {
		return IssueResult{}, err
	}
	return res, nil
}

// carriedMax is where a zone's numbering starts on a day whose counter is
// new: after the highest number still held by a ticket carried over from an
// earlier day, so no number is on two waiting tickets. h.mu is held.
func (h *Hall) carriedMax(zone, today string) int {
	max := 0
	for _, t := range h.tickets {
		if t.Zone == zone && t.Day < today && t.Active() && t.Seq > max {
			max = t.Seq
		}
	}
	return max
}

// waitingList returns the waiting tickets of a zone. h.mu is held.
func (h *Hall) waitingList(zone string) []*Ticket {
	w := make([]*Ticket, 0, len(h.waiting[zone]))
	for _, t := range h.waiting[zone] {
		w = append(w, t)
	}
	return w
}

func (h *Hall) waitingIn(zone string) int { return len(h.waiting[zone]) }

// ahead counts the people before t in its zone's queue. h.mu is held.
func (h *Hall) ahead(t *Ticket) int {
	if t.Status != StatusWaiting {
		return 0
	}
	return countAhead(h.waitingList(t.Zone), t)
}

// Ticket returns a ticket and the number of people ahead of it.
func (h *Hall) Ticket(ctx context.Context, id string) (Ticket, int, error) {
	h.mu.Lock()
	h.sync(h.now())
	if t, ok := h.tickets[id]; ok && !t.SubmissionOnDisk {
		cp, ahead := *t, h.ahead(t)
		h.mu.Unlock()
		return cp, ahead, nil
	}
	h.mu.Unlock()
	t, ok, err := h.store.Ticket(ctx, id)
	if err != nil {
		return Ticket{}, 0, fmt.Errorf("kiosk: ticket: %w", err)
	}
	if !ok {
		return Ticket{}, 0, coded(KindNotFound, CodeTicketUnknown, "", map[string]string{"id": id}, "没有找到这张号 (no ticket %s)", id)
	}
	return *t, 0, nil
}

// Waiting returns how many tickets wait in each zone.
func (h *Hall) Waiting() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sync(h.now())
	out := map[string]int{}
	for _, z := range h.cfg.Zones {
		out[z.ID] = len(h.waiting[z.ID])
	}
	return out
}

// WaitingTickets returns the waiting tickets of the zones a window serves
// (or all zones for window 0), in calling order by place.
func (h *Hall) WaitingTickets(window int) []Ticket {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sync(h.now())
	zones := h.zonesOf(window)
	var out []Ticket
	for _, t := range h.tickets {
		if t.Status == StatusWaiting && (window == 0 || slices.Contains(zones, t.Zone)) {
			out = append(out, *t)
		}
	}
	slices.SortFunc(out, func(a, b Ticket) int {
		if a.Priority != b.Priority {
			if a.Priority {
				return -1
			}
			return 1
		}
		if earlier(&a, &b) {
			return -1
		}
		return 1
	})
	return out
}

// Void ends a ticket that was never handed to the citizen (its print failed):
// it leaves the queue, and its number is not handed out again.
func (h *Hall) Void(ctx context.Context, a Actor, id, reason string) error {
	return h.apply(func(now time.Time, ch *Change) error {
		t, ok := h.tickets[id]
		if !ok {
			return notFound("no ticket %s", id)
		}
		if t.Status != StatusWaiting {
			return conflict("ticket %s is %s, not waiting", t.Number, t.Status)
		}
		t.Status = StatusVoid
		t.FinishedAt = now
		h.save(ch, t)
		h.audit(ch, now, a, "ticket.void", t, reason)
		h.event(ch, now, "ticket.voided", map[string]any{"id": t.ID, "number": t.Number, "zone": t.Zone})
		return nil
	})
}

// Sweep voids the appointments not checked in in time, and ends the tickets
// still waiting at closing time (those issued before it) and at the end of
// the hall day, unless the config carries them over.
func (h *Hall) Sweep(ctx context.Context) error {
	if err := h.voidLate(ctx); err != nil {
		return err
	}
	if h.cfg.Hall.CarryOver {
		return nil
	}
	a := Actor{Terminal: "kioskd", Role: "system"}
	return h.apply(func(now time.Time, ch *Change) error {
		today := h.day(now)
		closing, err := h.closingOf(now)
		if err != nil {
			return err
		}
		var expired []*Ticket
		for _, t := range h.tickets {
			if t.Status != StatusWaiting {
				continue
			}
			if t.Day < today || (!now.Before(closing) && t.IssuedAt.Before(closing) && t.Day == today) {
				expired = append(expired, t)
			}
		}
		slices.SortFunc(expired, func(a, b *Ticket) int { return a.IssuedAt.Compare(b.IssuedAt) })
		for _, t := range expired {
			t.Status = StatusExpired
			t.FinishedAt = now
			h.save(ch, t)
			h.audit(ch, now, a, "ticket.expire", t, "closing time")
			h.event(ch, now, "ticket.expired", map[string]any{"id": t.ID, "number": t.Number, "zone": t.Zone})
		}
		return nil
	})
}

// closingOf returns the closing time of the hall day that holds now.
func (h *Hall) closingOf(now time.Time) (time.Time, error) {
	local := now.In(h.cfg.Location)
	c, err := time.ParseInLocation("2006-01-02 15:04", local.Format(time.DateOnly)+" "+h.cfg.Hall.Closing, h.cfg.Location)
	if err != nil {
		return time.Time{}, fmt.Errorf("kiosk: closing time: %w", err)
	}
	return c, nil
}

// Run sweeps expired tickets once a minute, and at the hall's midnight
// (the day switches then even if nobody uses the hall), until ctx ends.
func (h *Hall) Run(ctx context.Context) {
	for {
		if err := h.Sweep(ctx); err != nil {
			h.log.Error("sweep", "err", err)
		}
		if _, err := h.SweepLights(ctx); err != nil {
			h.log.Error("supervision lights", "err", err)
		}
		wait := min(time.Minute, h.untilMidnight(h.now())+time.Millisecond)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
