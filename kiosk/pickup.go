// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// PurposePickup marks a ticket for collecting results (出件) at the window.
const PurposePickup = "pickup"

// PickupRequest names the results a citizen comes to collect: a case number,
// the ID number on the cases (the card placed, or typed), or the code the
// acceptance receipt's QR holds (its progress link).
type PickupRequest struct {
	Case     string `json:"case,omitempty"`
	IDNumber string `json:"id_number,omitempty"`
	IDType   string `json:"id_type,omitempty"`
	Code     string `json:"code,omitempty"`
}

// readyForPickup: a case whose result waits at the window.
func readyForPickup(c Case) bool {
	return c.State == CaseReady && c.Delivery != "mail" && !c.AtIntake && !(c.Package != "" && c.Parent == "")
}

// PickupCases finds the ready cases a pickup request names; none →
// nothing_ready (404).
func (h *Hall) PickupCases(ctx context.Context, p PickupRequest) ([]Case, error) {
	given := 0
	for _, v := range []string{p.Case, p.IDNumber, p.Code} {
		if strings.TrimSpace(v) != "" {
			given++
		}
	}
	if given != 1 {
		return nil, coded(KindInvalid, CodePickupInvalid, "pickup", nil, "请刷身份证、扫回执二维码或输入办件编号 (give one of case, id_number, code)")
	}
	var found []Case
	switch {
	case p.Code != "" || p.Case != "":
		number := strings.TrimSpace(p.Case)
		if p.Code != "" {
			n, key, ok := parseCaseCode(strings.TrimSpace(p.Code))
			if !ok || subtle.ConstantTimeCompare([]byte(key), []byte(h.CaseKey(n))) != 1 {
				return nil, coded(KindNotFound, CodeNothingReady, "pickup.code", nil, "暂无可领取的办理结果 (the code names no case)")
			}
			number = n
		}
		cs, err := h.store.Cases(ctx, CaseQuery{Number: number})
		if err != nil {
			return nil, fmt.Errorf("kiosk: pickup: %w", err)
		}
		if len(cs) == 1 && cs[0].Package != "" && cs[0].Parent == "" {
			if cs, err = h.store.Cases(ctx, CaseQuery{Parent: number}); err != nil {
				return nil, fmt.Errorf("kiosk: pickup: %w", err)
			}
		}
		found = cs
	default:
		id := strings.ToUpper(strings.TrimSpace(p.IDNumber))
		if _, err := CheckID("pickup.id_number", p.IDType, id); err != nil {
			return nil, err
		}
		cs, err := h.store.Cases(ctx, CaseQuery{State: CaseReady, Limit: 10000})
		if err != nil {
			return nil, fmt.Errorf("kiosk: pickup: %w", err)
		}
		hash := h.IDHash(id)
		for _, c := range cs {
			if !readyForPickup(c) {
				continue
			}
			t, _, err := h.Ticket(ctx, c.TicketID)
			if err != nil {
				continue
			}
			if t.IDHash == hash || t.Submission != nil && t.Submission.Applicant.IDNumber == id {
				found = append(found, c)
			}
		}
	}
	var out []Case
	for _, c := range found {
		if readyForPickup(c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, coded(KindNotFound, CodeNothingReady, "pickup", nil, "暂无可领取的办理结果 (nothing is ready to collect)")
	}
	return out, nil
}

// parseCaseCode reads a receipt's QR: the progress link …/c/NUMBER?token=KEY.
func parseCaseCode(code string) (number, key string, ok bool) {
	u, err := url.Parse(code)
	if err != nil {
		return "", "", false
	}
	i := strings.LastIndex(u.Path, "/c/")
	if i < 0 {
		return "", "", false
	}
	number, err = url.PathUnescape(u.Path[i+3:])
	key = u.Query().Get("token")
	return number, key, err == nil && number != "" && key != ""
}

// IssuePickup issues a ticket for collecting the ready cases a request
// names, in the zone of the window that accepted the first; a citizen who
// already holds an active pickup ticket for one of them gets it again.
func (h *Hall) IssuePickup(ctx context.Context, a Actor, r IssueRequest) (IssueResult, error) {
	p := *r.Pickup
	if r.Zone != "" || r.Matter != "" || r.Package != "" || r.Submission != nil || r.Offline != nil {
		return IssueResult{}, invalid("pickup", "a pickup ticket takes no zone, matter, package or submission")
	}
	cs, err := h.PickupCases(ctx, p)
	if err != nil {
		return IssueResult{}, err
	}
	numbers := make([]string, 0, len(cs))
	for _, c := range cs {
		numbers = append(numbers, c.Number)
	}
	h.mu.Lock()
	for _, t := range h.tickets {
		if t.Purpose == PurposePickup && t.Active() && slices.ContainsFunc(t.Cases, func(n string) bool { return slices.Contains(numbers, n) }) {
			cp, ahead := *t, h.ahead(t)
			h.mu.Unlock()
			return IssueResult{Ticket: cp, WaitingAhead: ahead}, nil
		}
	}
	h.mu.Unlock()
	zone := ""
	if z, ok := h.cfg.ZoneOf(cs[0].Window); ok {
		zone = z.ID
	} else if m, ok := h.cat.Matter(cs[0].Matter); ok {
		zone = m.Zone
	}
	req := IssueRequest{Zone: zone, Priority: r.Priority, PriorityReason: r.PriorityReason, IdempotencyKey: r.IdempotencyKey}
	return h.issue(ctx, a, req, func(t *Ticket, ch *Change, now time.Time) {
		t.Purpose, t.Cases = PurposePickup, numbers
		h.audit(ch, now, a, "ticket.pickup", t, strings.Join(numbers, " "))
	})
}

// pickupHeld checks that window w serves a pickup ticket listing the case
// (or its package).
func (h *Hall) pickupHeld(w int, c Case) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.held[w]
	return t != nil && t.Purpose == PurposePickup && (slices.Contains(t.Cases, c.Number) || c.Parent != "" && slices.Contains(t.Cases, c.Parent))
}
