package kiosk

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"yichuang/devices"
)

// Lease is a block of ticket numbers of one zone and hall day that the hall
// node granted a terminal node in advance: while the hall node cannot be
// reached, the terminal issues printed tickets from it, and they join the
// queue in issue order when it reconnects. Blocks never overlap, and the
// hall's own numbering skips them, so no number is handed out twice.
type Lease struct {
	Day       string    `json:"day"`
	Zone      string    `json:"zone"`
	Prefix    string    `json:"prefix"`
	Terminal  string    `json:"terminal"`
	From      int       `json:"from"`
	To        int       `json:"to"`
	GrantedAt time.Time `json:"granted_at"`
	Expires   time.Time `json:"expires"`
	// Request is the terminal's key for the grant, so a retried request
	// gets the same blocks.
	Request string `json:"-"`
	// ReturnedFrom > 0: the terminal gave back the numbers from here to To
	// unused; they are never issued.
	ReturnedFrom int `json:"returned_from,omitempty"`
}

// OfflineClaim hands in a ticket a terminal node issued from its block
// while the hall node could not be reached. The terminal chose the
// ticket's id and status key, so the link printed on the ticket works.
type OfflineClaim struct {
	Number    string    `json:"number"`
	IssuedAt  time.Time `json:"issued_at"`
	ID        string    `json:"id"`
	StatusKey string    `json:"status_key"`
}

var (
	reTicketID  = regexp.MustCompile(`^[0-9a-f]{32}$`)
	reStatusKey = regexp.MustCompile(`^[0-9a-f]{24}$`)
	reNumber    = regexp.MustCompile(`^([A-Z]{1,3})([0-9]{3,5})$`)
)

// leaseKey is the counter key of a zone's last leased number.
func leaseKey(zone string) string { return "lease:" + zone }

// GrantLeases grants the actor's terminal one more block of numbers for
// each zone asked (all zones when none are named). request, when set, makes
// a retry return the blocks the first request got. A zone whose daily cap
// of blocks is reached gets none.
func (h *Hall) GrantLeases(ctx context.Context, a Actor, request string, zones []string) ([]Lease, error) {
	if request != "" && !reIdemKey.MatchString(request) {
		return nil, invalid("Idempotency-Key", "1 to 128 printable characters")
	}
	if len(zones) == 0 {
		for _, z := range h.cfg.Zones {
			zones = append(zones, z.ID)
		}
	}
	if len(zones) > len(h.cfg.Zones) {
		return nil, invalid("zones", "at most %d zones", len(h.cfg.Zones))
	}
	for i, z := range zones {
		if _, ok := h.zone(z); !ok {
			return nil, invalid(fmt.Sprintf("zones[%d]", i), "unknown zone %q", z)
		}
	}
	var out []Lease
	err := h.apply(func(now time.Time, ch *Change) error {
		today := h.day(now)
		if request != "" {
			for _, ls := range h.leases {
				for _, l := range ls {
					if l.Terminal == a.Terminal && l.Request == request {
						out = append(out, *l)
					}
				}
			}
			if len(out) > 0 {
				return nil
			}
		}
		end, err := h.dayEnd(now)
		if err != nil {
			return err
		}
		expires := now.Add(time.Duration(h.cfg.Leases.TTLMinutes) * time.Minute)
		if expires.After(end) {
			expires = end
		}
		for _, z := range zones {
			key := today + "|" + z
			held := 0
			for _, l := range h.leases[key] {
				if l.Terminal == a.Terminal {
					held++
				}
			}
			if held >= h.cfg.Leases.MaxBlocks {
				continue
			}
			from := max(h.counters[today+"|"+leaseKey(z)]+1, h.cfg.Leases.FirstNumber, h.counters[key]+1)
			zi, _ := h.zone(z)
			l := &Lease{
				Day: today, Zone: z, Prefix: zi.Prefix, Terminal: a.Terminal, From: from, To: from + h.cfg.Leases.Size - 1,
				GrantedAt: now, Expires: expires, Request: request,
			}
			h.leases[key] = append(h.leases[key], l)
			h.counters[today+"|"+leaseKey(z)] = l.To
			ch.Counters = append(ch.Counters, Counter{Day: today, Key: leaseKey(z), Seq: l.To})
			ch.Leases = append(ch.Leases, *l)
			h.audit(ch, now, a, "lease.grant", nil, fmt.Sprintf("%s%03d–%s%03d to %s until %s", l.Prefix, l.From, l.Prefix, l.To,
				a.Terminal, l.Expires.In(h.cfg.Location).Format("15:04")))
			out = append(out, *l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// the same order for a retry (the blocks are found in a map then)
	slices.SortFunc(out, func(a, b Lease) int {
		if c := strings.Compare(a.Zone, b.Zone); c != 0 {
			return c
		}
		return a.From - b.From
	})
	return out, nil
}

// ReturnLease records that a terminal gives back the numbers from `from`
// to the end of one of its blocks unused: they are never issued.
func (h *Hall) ReturnLease(ctx context.Context, a Actor, day, zone string, blockFrom, from int) (Lease, error) {
	var out Lease
	err := h.apply(func(now time.Time, ch *Change) error {
		l := h.leaseOf(day, zone, a.Terminal, blockFrom)
		if l == nil || l.From != blockFrom {
			return notFound("no block of zone %s from %d on %s for %s", zone, blockFrom, day, a.Terminal)
		}
		if from < l.From || from > l.To+1 {
			return invalid("from", "%d is outside the block %d–%d", from, l.From, l.To)
		}
		if l.ReturnedFrom != 0 && l.ReturnedFrom <= from {
			out = *l
			return nil // returned already
		}
		for _, t := range h.tickets {
			if t.Day == day && t.Zone == zone && t.Offline && t.Seq >= from && t.Seq <= l.To {
				return conflict("%s was issued from this block; return the numbers after it", t.Number)
			}
		}
		l.ReturnedFrom = from
		ch.Leases = append(ch.Leases, *l)
		h.audit(ch, now, a, "lease.return", nil, fmt.Sprintf("%s%03d–%s%03d unused, from %s", l.Prefix, from, l.Prefix, l.To, a.Terminal))
		out = *l
		return nil
	})
	return out, err
}

// Leases returns the blocks granted on a hall day (all terminals).
func (h *Hall) Leases(day string) []Lease {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Lease
	for k, ls := range h.leases {
		if strings.HasPrefix(k, day+"|") {
			for _, l := range ls {
				out = append(out, *l)
			}
		}
	}
	slices.SortFunc(out, func(a, b Lease) int {
		if c := strings.Compare(a.Zone, b.Zone); c != 0 {
			return c
		}
		return a.From - b.From
	})
	return out
}

// leaseOf returns the terminal's block of a day and zone that holds
// number n. h.mu is held.
func (h *Hall) leaseOf(day, zone, terminal string, n int) *Lease {
	for _, l := range h.leases[day+"|"+zone] {
		if l.Terminal == terminal && n >= l.From && n <= l.To {
			return l
		}
	}
	return nil
}

// skipLeased moves a zone's next online number past the blocks leased to
// terminals. h.mu is held.
func (h *Hall) skipLeased(day, zone string, seq int) int {
	for moved := true; moved; {
		moved = false
		for _, l := range h.leases[day+"|"+zone] {
			if seq >= l.From && seq <= l.To {
				seq = l.To + 1
				moved = true
			}
		}
	}
	return seq
}

// dayEnd returns the end of the hall day that holds now (its next midnight).
func (h *Hall) dayEnd(now time.Time) (time.Time, error) {
	local := now.In(h.cfg.Location)
	d, err := time.ParseInLocation(time.DateOnly, local.Format(time.DateOnly), h.cfg.Location)
	if err != nil {
		return time.Time{}, fmt.Errorf("kiosk: day end: %w", err)
	}
	return d.AddDate(0, 0, 1), nil
}

// checkClaim validates an offline claim for zone by the actor's terminal
// and returns the ticket's hall day and number sequence. h.mu is held.
func (h *Hall) checkClaim(a Actor, zone string, c *OfflineClaim, now time.Time) (day string, seq int, err error) {
	if !reTicketID.MatchString(c.ID) {
		return "", 0, invalid("offline.id", "32 lowercase hex digits are needed")
	}
	if !reStatusKey.MatchString(c.StatusKey) {
		return "", 0, invalid("offline.status_key", "24 lowercase hex digits are needed")
	}
	if c.IssuedAt.IsZero() || c.IssuedAt.After(now.Add(5*time.Minute)) {
		return "", 0, invalid("offline.issued_at", "a time not in the future is needed")
	}
	m := reNumber.FindStringSubmatch(c.Number)
	zi, _ := h.zone(zone)
	if m == nil || m[1] != zi.Prefix {
		return "", 0, invalid("offline.number", "%q is not a number of zone %s (%s…)", c.Number, zone, zi.Prefix)
	}
	seq, _ = strconv.Atoi(m[2])
	day = h.day(c.IssuedAt)
	l := h.leaseOf(day, zone, a.Terminal, seq)
	if l == nil {
		return "", 0, invalid("offline.number", "%s is not in a block granted to %s for %s", c.Number, a.Terminal, day)
	}
	if l.ReturnedFrom != 0 && seq >= l.ReturnedFrom {
		return "", 0, invalid("offline.number", "%s was returned unused", c.Number)
	}
	if c.IssuedAt.Before(l.GrantedAt.Add(-time.Minute)) || c.IssuedAt.After(l.Expires.Add(time.Minute)) {
		return "", 0, invalid("offline.issued_at", "%s is outside the block's lease (%s to %s)", c.IssuedAt.Format(time.RFC3339),
			l.GrantedAt.Format(time.RFC3339), l.Expires.Format(time.RFC3339))
	}
	for _, t := range h.tickets {
		if t.Day == day && t.Number == c.Number && t.ID != c.ID {
			return "", 0, conflict("%s is already in the queue of %s", c.Number, day)
		}
	}
	return day, seq, nil
}

// takeOffline takes a ticket a terminal node issued offline. A citizen holds it
// on paper, so what this hall cannot take of it does not refuse it: an
// unknown matter or package (the terminal's catalog differs) queues it in
// its number's zone; a submission that does not pass is left out (the
// window takes it again); an unknown priority reason keeps the priority.
// Each is audited. The claim itself (its block, day, number) must hold.
func (h *Hall) takeOffline(ctx context.Context, a Actor, r IssueRequest) (IssueResult, error) {
	var notes []string
	zone, matters, err := h.resolveZone(&r)
	if err != nil {
		m := reNumber.FindStringSubmatch(r.Offline.Number)
		zone = ""
		for _, z := range h.cfg.Zones {
			if m != nil && z.Prefix == m[1] {
				zone = z.ID
			}
		}
		if zone == "" {
			return IssueResult{}, err
		}
		notes = append(notes, "queued in zone "+zone+": "+err.Error())
		r.Zone, r.Matter, r.Package, matters = zone, "", "", nil
	}
	if r.PriorityReason != "" && !slices.Contains(h.cfg.Queue.PriorityReasons, r.PriorityReason) {
		notes = append(notes, "priority reason "+r.PriorityReason+" unknown here")
		r.PriorityReason = ""
	}
	idNumber := strings.ToUpper(strings.TrimSpace(r.IDNumber))
	if r.Submission != nil {
		sub := *r.Submission
		if len(matters) == 1 && sub.Matter == "" {
			sub.Matter = matters[0].Code
		}
		if err := h.checkSubmission(ctx, a, &sub, matters); err != nil {
			notes = append(notes, "submission left out: "+err.Error())
			r.Submission = nil
		} else {
			r.Submission = &sub
			idNumber = sub.Applicant.IDNumber
		}
	}
	var idHash string
	if _, err := devices.CheckIDNumber(idNumber); idNumber != "" && err == nil {
		idHash = h.IDHash(idNumber)
	}
	return h.issueOffline(a, r, zone, idHash, strings.Join(notes, "; "))
}

// issueOffline enters a ticket a terminal node issued from its block into
// the queue at its place by issue time. A citizen holds it on paper, so the
// per-person limits do not refuse it. If the terminal's online attempt
// under the same Idempotency-Key reached the hall but its answer did not
// reach the terminal, that ticket is voided: nobody holds it.
func (h *Hall) issueOffline(a Actor, r IssueRequest, zone, idHash, note string) (IssueResult, error) {
	c := *r.Offline
	var res IssueResult
	err := h.apply(func(now time.Time, ch *Change) error {
		if t, ok := h.tickets[c.ID]; ok {
			if t.Terminal != a.Terminal || t.Number != c.Number {
				return conflict("ticket id %s is taken", c.ID)
			}
			res = IssueResult{Ticket: *t, WaitingAhead: h.ahead(t), Replay: true}
			return nil
		}
		day, seq, err := h.checkClaim(a, zone, &c, now)
		if err != nil {
			return err
		}
		if r.IdempotencyKey != "" {
			if id, ok := h.idem[a.Terminal+"|"+r.IdempotencyKey]; ok {
				if old, ok := h.tickets[id]; ok && old.Status == StatusWaiting {
					old.Status = StatusVoid
					old.FinishedAt = now
					h.save(ch, old)
					h.audit(ch, now, a, "ticket.void", old, "superseded by offline ticket "+c.Number)
					h.event(ch, now, "ticket.voided", map[string]any{"id": old.ID, "number": old.Number, "zone": old.Zone})
				}
			}
		}
		t := &Ticket{
			ID: c.ID, Day: day, Zone: zone, Seq: seq, Number: c.Number,
			Priority: r.Priority, PriorityReason: r.PriorityReason, Matter: r.Matter, Package: r.Package,
			Status: StatusWaiting, IssuedAt: c.IssuedAt, Terminal: a.Terminal,
			IDHash: idHash, StatusKey: c.StatusKey, Submission: r.Submission, Offline: true,
		}
		if t.Submission != nil {
			for _, id := range t.Submission.Materials {
				ch.MaterialLinks = append(ch.MaterialLinks, MaterialLink{MaterialID: id, TicketID: t.ID})
			}
		}
		h.tickets[t.ID] = t
		if r.IdempotencyKey != "" {
			h.idem[a.Terminal+"|"+r.IdempotencyKey] = t.ID
			ch.Idempotency = append(ch.Idempotency, IdemKey{Terminal: a.Terminal, Key: r.IdempotencyKey, TicketID: t.ID, Day: day})
		}
		h.save(ch, t)
		detail := "offline, issued at " + c.IssuedAt.In(h.cfg.Location).Format(time.TimeOnly)
		if note != "" {
			detail += "; " + note
		}
		h.audit(ch, now, a, "ticket.issue", t, detail)
		ahead := h.ahead(t)
		h.event(ch, now, "ticket.issued", map[string]any{
			"id": t.ID, "number": t.Number, "zone": t.Zone, "priority": t.Priority, "offline": true,
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

// Today returns the current hall day, YYYY-MM-DD.
func (h *Hall) Today() string { return h.day(h.now()) }

// ResolveZone returns the zone a ticket request is for, checking its
// matter or package against the catalog: a terminal node numbers its
// offline tickets by it.
func (h *Hall) ResolveZone(r IssueRequest) (string, error) {
	zone, _, err := h.resolveZone(&r)
	return zone, err
}

// DayTickets returns every ticket of a hall day, whatever its status, in
// queue order (issue time).
func (h *Hall) DayTickets(ctx context.Context, date string) ([]Ticket, error) {
	ts, _, err := h.dayData(ctx, date)
	if err != nil {
		return nil, err
	}
	out := make([]Ticket, 0, len(ts))
	for _, t := range ts {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Ticket) int {
		if earlier(&a, &b) {
			return -1
		}
		if earlier(&b, &a) {
			return 1
		}
		return 0
	})
	return out, nil
}
