// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"fmt"
	"regexp"
	"slices"
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
	// RequestHash is the keyed hash of the request (its zones) Request
	// came with: the same key with other zones is refused.
	RequestHash string `json:"request_hash,omitempty"`
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
	hash := ""
	if request != "" {
		hash = h.requestHash("leases", a.Terminal, zones)
	}
	var out []Lease
	err := h.apply(func(now time.Time, ch *Change) error {
		today := h.day(now)
		if request != "" {
			for _, ls := range h.leases {
				for _, l := range ls {
					if l.Terminal != a.Terminal || l.Request != request {
						continue
					}
					if l.Day != today {
						return keyOfEarlierDay(l.Day)
					}
					if l.RequestHash != "" && l.RequestHash != hash {
						return keyReused()
					}
					out = append(out, *l)
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
				GrantedAt: now, Expires: expires, Request: request, RequestHash: hash,
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

// claimSkew is how far a terminal node's clock may be from the hall's.
const claimSkew = time.Minute

// checkClaim validates an offline claim for zone by the actor's terminal
// against what the hall itself recorded, and returns the ticket's hall
// day, its number sequence and its place in the queue. Nothing of the
// claim is taken as given:
//   - the number (read in its canonical form: A0911 is A911) must be in a
//     block granted to this terminal for this zone and day, not returned,
//     and on no other ticket of the day;
//   - its time must lie within the block's lease (granted to expiry, with
//     claimSkew for the terminal's clock) and not in the future;
//   - claims of one block come in number order: a number cannot be dated
//     before a lower number of its block handed in already, nor after a
//     higher one;
//   - its place is never before the hall last knew the terminal online:
//     the grant of its block, and the last ticket the hall issued to the
//     terminal online that day (but the one this claim supersedes). A
//     terminal issues offline only when the hall does not answer, so an
//     earlier time is a wrong clock or a forgery; the ticket, which a
//     citizen holds on paper, is taken but placed after that moment.
//
// So a forged time never puts a claim ahead of a ticket the hall issued
// while the terminal was known to be online. c.Number is made canonical.
// supersedes is the ticket of the same Idempotency-Key, if any. h.mu is held.
func (h *Hall) checkClaim(a Actor, zone string, c *OfflineClaim, supersedes string, now time.Time) (day string, seq int, place time.Time, err error) {
	if !reTicketID.MatchString(c.ID) {
		return "", 0, time.Time{}, invalid("offline.id", "离线票号的编号须为 32 位小写十六进制 (32 lowercase hex digits are needed)")
	}
	if !reStatusKey.MatchString(c.StatusKey) {
		return "", 0, time.Time{}, invalid("offline.status_key", "离线票号的查询密钥须为 24 位小写十六进制 (24 lowercase hex digits are needed)")
	}
	if c.IssuedAt.IsZero() || c.IssuedAt.After(now.Add(claimSkew)) {
		return "", 0, time.Time{}, invalid("offline.issued_at", "离线取号时间不能为空或晚于现在 (a time not in the future is needed)")
	}
	zi, _ := h.zone(zone)
	prefix, seq, canonical, ok := ParseNumber(c.Number)
	if !ok || prefix != zi.Prefix {
		return "", 0, time.Time{}, invalid("offline.number", "%q 不是 %s 区的号码 (not a number of zone %s, %s…)", c.Number, zi.Name, zone, zi.Prefix)
	}
	c.Number = canonical
	day = h.day(c.IssuedAt)
	l := h.leaseOf(day, zone, a.Terminal, seq)
	if l == nil {
		return "", 0, time.Time{}, invalid("offline.number", "%s 不在本终端 %s 当日的离线号段内 (not in a block granted to %s for %s)", canonical, day, a.Terminal, day)
	}
	if l.ReturnedFrom != 0 && seq >= l.ReturnedFrom {
		return "", 0, time.Time{}, invalid("offline.number", "%s 已作为未用号码退回 (returned unused)", canonical)
	}
	if c.IssuedAt.Before(l.GrantedAt.Add(-claimSkew)) || c.IssuedAt.After(l.Expires.Add(claimSkew)) {
		return "", 0, time.Time{}, invalid("offline.issued_at", "%s 不在号段的有效期内 (outside the block's lease, %s to %s)", c.IssuedAt.Format(time.RFC3339),
			l.GrantedAt.Format(time.RFC3339), l.Expires.Format(time.RFC3339))
	}
	for _, t := range h.tickets {
		if t.Day != day || t.Zone != zone || t.ID == c.ID {
			continue
		}
		if t.Seq == seq || t.Number == canonical {
			return "", 0, time.Time{}, conflict("%s 已在 %s 的队列中 (already in the queue of %s)", canonical, day, day)
		}
		if !t.Offline || t.Terminal != a.Terminal || t.Seq < l.From || t.Seq > l.To {
			continue
		}
		claimed := t.IssuedAt
		if t.Seq < seq && c.IssuedAt.Before(claimed) {
			return "", 0, time.Time{}, invalid("offline.issued_at", "%s 的取号时间早于同号段已交回的 %s (%s is dated before %s of its block, handed in already)",
				canonical, t.Number, canonical, t.Number)
		}
		if t.Seq > seq && c.IssuedAt.After(claimed) {
			return "", 0, time.Time{}, invalid("offline.issued_at", "%s 的取号时间晚于同号段已交回的 %s (%s is dated after %s of its block, handed in already)",
				canonical, t.Number, canonical, t.Number)
		}
	}
	place = c.IssuedAt
	if place.After(now) {
		place = now
	}
	bound := l.GrantedAt
	if on := h.lastOnline(a.Terminal, day, supersedes); on.After(bound) {
		bound = on
	}
	if !place.After(bound) {
		place = bound.Add(time.Millisecond)
	}
	return day, seq, place, nil
}

// lastOnline is the issue time of the last ticket the hall issued online to
// terminal on day, but except and those superseded by offline tickets (their
// answers never reached the terminal): the last moment the hall knows the
// terminal was online and issuing. h.mu is held.
func (h *Hall) lastOnline(terminal, day, except string) time.Time {
	var last time.Time
	for _, t := range h.tickets {
		if t.Terminal == terminal && t.Day == day && !t.Offline && !t.Superseded && t.ID != except &&
			t.Agent == nil && t.Appointment == "" && t.IssuedAt.After(last) {
			last = t.IssuedAt
		}
	}
	return last
}

// takeOffline takes a ticket a terminal node issued offline. A citizen holds it
// on paper, so what this hall cannot take of it does not refuse it: an
// unknown matter or package (the terminal's catalog differs) queues it in
// its number's zone; a submission that does not pass is left out (the
// window takes it again); a priority reason this hall does not know queues
// it as a normal ticket. Each is audited. The claim itself (its block,
// day, number, time) must hold, and priority without a reason is refused:
// a terminal node refuses that itself before printing.
func (h *Hall) takeOffline(ctx context.Context, a Actor, r IssueRequest) (IssueResult, error) {
	var notes []string
	if r.Priority && r.PriorityReason == "" {
		return IssueResult{}, priorityNeedsReason(h.cfg.Queue.PriorityReasons)
	}
	zone, matters, err := h.resolveZone(&r)
	if err != nil {
		zone = ""
		if p, _, _, ok := ParseNumber(r.Offline.Number); ok {
			if zi, ok := h.zoneOfPrefix(p); ok {
				zone = zi.ID
			}
		}
		if zone == "" {
			return IssueResult{}, err
		}
		notes = append(notes, "queued in zone "+zone+": "+err.Error())
		r.Zone, r.Matter, r.Package, matters = zone, "", "", nil
	}
	if r.PriorityReason != "" && !slices.Contains(h.cfg.Queue.PriorityReasons, r.PriorityReason) {
		notes = append(notes, "priority reason "+r.PriorityReason+" unknown here: queued as a normal ticket")
		r.PriorityReason, r.Priority = "", false
	}
	if r.PriorityReason != "" {
		r.Priority = true
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
// the queue at its place (checkClaim). A citizen holds it on paper, so the
// per-person limits do not refuse it (it counts towards them). If the
// terminal's online attempt under the same Idempotency-Key reached the
// hall but its answer did not reach the terminal, that ticket is voided:
// nobody holds it. A ticket of a hall day that has ended is taken as
// expired (过号), as the tickets of that day still waiting were.
func (h *Hall) issueOffline(a Actor, r IssueRequest, zone, idHash, note string) (IssueResult, error) {
	c := *r.Offline
	if _, _, canonical, ok := ParseNumber(c.Number); ok {
		c.Number = canonical
	}
	var res IssueResult
	err := h.apply(func(now time.Time, ch *Change) error {
		if t, ok := h.tickets[c.ID]; ok {
			if t.Terminal != a.Terminal || t.Number != c.Number {
				return conflict("ticket id %s is taken", c.ID)
			}
			res = IssueResult{Ticket: *t, WaitingAhead: h.ahead(t), Replay: true}
			return nil
		}
		var old *Ticket
		if r.IdempotencyKey != "" {
			if id, ok := h.idem[a.Terminal+"|"+r.IdempotencyKey]; ok {
				old = h.tickets[id]
			}
		}
		if old != nil && r.reqHash != "" && old.IdemHash != "" && old.IdemHash != r.reqHash {
			return keyReused()
		}
		except := ""
		if old != nil {
			if old.Offline {
				return conflict("Idempotency-Key 已用于离线票 %s (the key was used for offline ticket %s)", old.Number, old.Number)
			}
			except = old.ID
		}
		day, seq, place, err := h.checkClaim(a, zone, &c, except, now)
		if err != nil {
			return err
		}
		if old != nil && old.Status == StatusWaiting && !old.Offline {
			old.Status = StatusVoid
			old.Superseded = true
			old.FinishedAt = now
			h.save(ch, old)
			h.audit(ch, now, a, "ticket.void", old, "superseded by offline ticket "+c.Number)
			h.event(ch, now, "ticket.voided", map[string]any{"id": old.ID, "number": old.Number, "zone": old.Zone})
		}
		t := &Ticket{
			ID: c.ID, Day: day, Zone: zone, Seq: seq, Number: c.Number,
			Priority: r.Priority, PriorityReason: r.PriorityReason, Matter: r.Matter, Package: r.Package,
			Status: StatusWaiting, IssuedAt: c.IssuedAt, Terminal: a.Terminal,
			IDHash: idHash, StatusKey: c.StatusKey, Submission: r.Submission, Offline: true, IdemHash: r.reqHash,
		}
		detail := "offline, issued at " + c.IssuedAt.In(h.cfg.Location).Format(time.TimeOnly)
		if !place.Equal(c.IssuedAt) {
			t.PlacedAt = place
			detail += ", placed at " + place.In(h.cfg.Location).Format("15:04:05.000") + " (the hall knew the terminal online then)"
		}
		if day < h.day(now) && !h.cfg.Hall.CarryOver {
			t.Status, t.FinishedAt = StatusExpired, now
			detail += "; its day had ended: expired"
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
// matter or package against the catalog and its priority against the
// listed reasons and the hall's hours: a terminal node numbers its offline
// tickets by it, and never prints one the hall node would refuse.
func (h *Hall) ResolveZone(r IssueRequest) (string, error) {
	switch {
	case r.PriorityReason != "" && !slices.Contains(h.cfg.Queue.PriorityReasons, r.PriorityReason):
		return "", invalid("priority_reason", "%q 不是可用的优先原因：%s (not one of %s)", r.PriorityReason,
			strings.Join(h.cfg.Queue.PriorityReasons, "、"), strings.Join(h.cfg.Queue.PriorityReasons, ", "))
	case r.Priority && r.PriorityReason == "":
		return "", priorityNeedsReason(h.cfg.Queue.PriorityReasons)
	}
	zone, _, err := h.resolveZone(&r)
	if err != nil {
		return "", err
	}
	// nor one no window would serve today (checkHours reads only the config)
	if err := h.checkHours(h.now()); err != nil {
		return "", err
	}
	return zone, nil
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
