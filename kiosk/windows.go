// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// zonesOf returns the zones window w serves: its own first, then the ones it
// helps when its own is empty. h.cfg is immutable, so no lock is needed.
func (h *Hall) zonesOf(w int) []string {
	z, ok := h.cfg.ZoneOf(w)
	if !ok {
		return nil
	}
	return append([]string{z.ID}, h.cfg.Helps(w)...)
}

// CallRequest asks a window to call a ticket. Empty: the next by the rules.
// A chosen ticket (by id or number) is an out-of-order call and needs a reason.
type CallRequest struct {
	TicketID string `json:"ticket,omitempty"`
	Number   string `json:"number,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

func (h *Hall) checkWindow(a Actor, w int) error {
	if _, ok := h.cfg.ZoneOf(w); !ok {
		return notFound("no window %d", w)
	}
	if a.Role == "window" && a.Window != w {
		return forbidden("this terminal is window %d, not %d", a.Window, w)
	}
	return nil
}

// finishHeld ends the ticket window w holds, if any. h.mu is held.
func (h *Hall) finishHeld(ch *Change, now time.Time, a Actor, w int, result, detail string) *Ticket {
	t := h.held[w]
	if t == nil {
		return nil
	}
	delete(h.held, w)
	t.Status = StatusDone
	t.Result = result
	t.FinishedAt = now
	h.save(ch, t)
	h.audit(ch, now, a, "ticket.finish", t, strings.TrimSpace(result+" "+detail))
	h.event(ch, now, "ticket.finished", map[string]any{"id": t.ID, "number": t.Number, "zone": t.Zone, "window": w, "result": result,
		"service_seconds": seconds(now.Sub(t.CalledAt))})
	return t
}

// Call calls the next ticket (or a chosen one) to window w. A ticket the
// window still holds is finished first, as pressing "next" at a counter does.
// It returns nil when nobody waits for the window's zones.
func (h *Hall) Call(ctx context.Context, a Actor, w int, r CallRequest) (*Ticket, error) {
	if err := h.checkWindow(a, w); err != nil {
		return nil, err
	}
	chosen := r.TicketID != "" || r.Number != ""
	if chosen && strings.TrimSpace(r.Reason) == "" {
		return nil, coded(KindInvalid, CodeReasonRequired, "reason", nil, "请填写理由 (an out-of-order call needs a reason)")
	}
	if r.Number != "" {
		// one number however it is written (A0911, a911 → A911)
		r.Number = CanonicalNumber(r.Number)
	}
	zones := h.zonesOf(w)
	var called *Ticket
	err := h.apply(func(now time.Time, ch *Change) error {
		var next *Ticket
		if chosen {
			for _, t := range h.tickets {
				if (r.TicketID != "" && t.ID == r.TicketID) || (r.TicketID == "" && t.Number == r.Number && t.Status == StatusWaiting) {
					next = t
					break
				}
			}
			if next == nil {
				return notFound("no waiting ticket %s%s", r.TicketID, r.Number)
			}
			if next.Status != StatusWaiting {
				return conflict("ticket %s is %s, not waiting", next.Number, next.Status)
			}
			if !slices.Contains(zones, next.Zone) {
				return conflict("window %d does not serve zone %s", w, next.Zone)
			}
			if next.PinnedWindow != 0 && next.PinnedWindow != w {
				return conflict("ticket %s was transferred to window %d", next.Number, next.PinnedWindow)
			}
		} else {
			for _, z := range zones {
				if next = pickInZone(h.waitingList(z), w, h.policy, h.zc[z], now); next != nil {
					break
				}
			}
		}
		h.finishHeld(ch, now, a, w, ResultServed, "by the next call")
		if next == nil {
			return nil
		}
		next.Status = StatusCalled
		next.Window = w
		next.CalledAt = now
		next.Staff = staffOf(a)
		h.held[w] = next
		h.noteCall(next)
		h.save(ch, next)
		if chosen {
			h.audit(ch, now, a, "ticket.call_out_of_order", next, r.Reason)
		} else {
			h.audit(ch, now, a, "ticket.call", next, "")
		}
		h.event(ch, now, "ticket.called", map[string]any{
			"id": next.ID, "number": next.Number, "zone": next.Zone, "window": w,
			"recall": false, "waiting": h.waitingIn(next.Zone), "wait_seconds": seconds(now.Sub(next.IssuedAt)),
		})
		cp := *next
		called = &cp
		return nil
	})
	return called, err
}

// seconds is a duration for an event: whole milliseconds, never below zero
// (an offline ticket's issue time comes from the terminal's clock).
func seconds(d time.Duration) float64 {
	return float64(max(d, 0).Milliseconds()) / 1000
}

func staffOf(a Actor) string {
	if a.Staff != "" {
		return a.Staff
	}
	return a.Terminal
}

// heldOp runs fn on the ticket window w holds.
func (h *Hall) heldOp(a Actor, w int, fn func(now time.Time, ch *Change, t *Ticket) error) (*Ticket, error) {
	if err := h.checkWindow(a, w); err != nil {
		return nil, err
	}
	var out *Ticket
	err := h.apply(func(now time.Time, ch *Change) error {
		t := h.held[w]
		if t == nil {
			return coded(KindConflict, CodeWindowEmpty, "", map[string]string{"window": fmt.Sprint(w)}, "%d 号窗口当前没有在办的号 (window %d holds no ticket)", w, w)
		}
		if err := fn(now, ch, t); err != nil {
			return err
		}
		cp := *t
		out = &cp
		return nil
	})
	return out, err
}

// Recall calls the held ticket again; beyond max_recalls it becomes a no-show.
func (h *Hall) Recall(ctx context.Context, a Actor, w int) (*Ticket, error) {
	return h.heldOp(a, w, func(now time.Time, ch *Change, t *Ticket) error {
		if t.Status != StatusCalled {
			return conflict("ticket %s is already being served", t.Number)
		}
		if t.Recalls >= h.cfg.Queue.MaxRecalls {
			h.noShow(ch, now, a, w, t, fmt.Sprintf("no answer after %d recalls", t.Recalls))
			return nil
		}
		t.Recalls++
		h.save(ch, t)
		h.audit(ch, now, a, "ticket.recall", t, fmt.Sprintf("recall %d", t.Recalls))
		h.event(ch, now, "ticket.called", map[string]any{
			"id": t.ID, "number": t.Number, "zone": t.Zone, "window": w, "recall": true, "recalls": t.Recalls,
		})
		return nil
	})
}

func (h *Hall) noShow(ch *Change, now time.Time, a Actor, w int, t *Ticket, detail string) {
	delete(h.held, w)
	t.Status = StatusNoShow
	t.FinishedAt = now
	h.save(ch, t)
	h.audit(ch, now, a, "ticket.no_show", t, detail)
	h.event(ch, now, "ticket.no_show", map[string]any{"id": t.ID, "number": t.Number, "zone": t.Zone, "window": w})
}

// NoShow marks the held ticket a no-show (after no_show_after_recalls recalls).
func (h *Hall) NoShow(ctx context.Context, a Actor, w int) (*Ticket, error) {
	return h.heldOp(a, w, func(now time.Time, ch *Change, t *Ticket) error {
		if t.Status != StatusCalled {
			return conflict("ticket %s is being served; finish it instead", t.Number)
		}
		if n := h.cfg.Queue.NoShowAfterRecalls; t.Recalls < n {
			return conflict("recall ticket %s %d time(s) before marking it a no-show", t.Number, n-t.Recalls)
		}
		h.noShow(ch, now, a, w, t, "")
		return nil
	})
}

// Start marks the called citizen as arrived and being served.
func (h *Hall) Start(ctx context.Context, a Actor, w int) (*Ticket, error) {
	return h.heldOp(a, w, func(now time.Time, ch *Change, t *Ticket) error {
		if t.Status == StatusServing {
			return nil
		}
		t.Status = StatusServing
		t.ServingAt = now
		h.save(ch, t)
		h.audit(ch, now, a, "ticket.start", t, "")
		h.event(ch, now, "ticket.serving", map[string]any{"id": t.ID, "number": t.Number, "zone": t.Zone, "window": w})
		return nil
	})
}

// TransferRequest moves the held ticket to another zone or window.
type TransferRequest struct {
	Zone   string `json:"zone,omitempty"`
	Window int    `json:"window,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Transfer puts the held ticket back in a queue: another zone's (it keeps
// its number and its place by issue time) or one window's.
func (h *Hall) Transfer(ctx context.Context, a Actor, w int, r TransferRequest) (*Ticket, error) {
	if (r.Zone == "") == (r.Window == 0) {
		return nil, invalid("zone", "give a zone or a window")
	}
	target := r.Zone
	if r.Window != 0 {
		z, ok := h.cfg.ZoneOf(r.Window)
		if !ok {
			return nil, invalid("window", "no window %d", r.Window)
		}
		if r.Window == w {
			return nil, invalid("window", "the ticket is at window %d already", w)
		}
		target = z.ID
	} else if _, ok := h.zone(r.Zone); !ok {
		return nil, invalid("zone", "unknown zone %q", r.Zone)
	}
	return h.heldOp(a, w, func(now time.Time, ch *Change, t *Ticket) error {
		delete(h.held, w)
		from := t.Zone
		t.Status = StatusWaiting
		t.Zone = target
		t.PinnedWindow = r.Window
		t.Transferred = true
		t.Window = 0
		t.CalledAt, t.ServingAt = time.Time{}, time.Time{}
		t.Recalls = 0
		h.save(ch, t)
		dest := "zone " + target
		if r.Window != 0 {
			dest = fmt.Sprintf("window %d", r.Window)
		}
		h.audit(ch, now, a, "ticket.transfer", t, strings.TrimSpace(fmt.Sprintf("from window %d zone %s to %s %s", w, from, dest, r.Reason)))
		h.event(ch, now, "ticket.transferred", map[string]any{
			"id": t.ID, "number": t.Number, "from_window": w, "zone": target, "window": r.Window,
		})
		return nil
	})
}

// FinishRequest ends the service of the held ticket.
type FinishRequest struct {
	Result string `json:"result"`
	// Matter names the matter accepted when the ticket was for a zone only.
	Matter string `json:"matter,omitempty"`
	// Reason: why the matter is not accepted (不予受理), required then.
	Reason string `json:"reason,omitempty"`
}

// Finish ends the held ticket's service; "accepted" opens its cases.
func (h *Hall) Finish(ctx context.Context, a Actor, w int, r FinishRequest) (*Ticket, []Case, error) {
	switch r.Result {
	case "":
		r.Result = ResultServed
	case ResultAccepted, ResultRejected, ResultConsulted, ResultServed, ResultCorrection:
	default:
		return nil, nil, coded(KindInvalid, CodeResultInvalid, "result", map[string]string{"result": r.Result},
			"办理结果无效 (%q is not accepted, rejected, correction or consulted)", r.Result)
	}
	r.Reason = strings.TrimSpace(r.Reason)
	switch {
	case r.Result == ResultRejected && r.Reason == "":
		return nil, nil, coded(KindInvalid, CodeReasonRequired, "reason", nil, "请填写不予受理的理由 (a rejection needs a reason)")
	case len([]rune(r.Reason)) > 500:
		return nil, nil, invalid("reason", "至多 500 字 (at most 500 characters)")
	case r.Reason != "" && r.Result != ResultRejected && r.Result != ResultCorrection:
		return nil, nil, invalid("reason", "只有不予受理或补正需要理由 (a reason goes with rejected or correction only)")
	}
	var cases []Case
	t, err := h.heldOp(a, w, func(now time.Time, ch *Change, t *Ticket) error {
		in := intake{state: CaseAccepted}
		switch r.Result {
		case ResultRejected:
			in = intake{state: CaseRejected, reason: r.Reason}
		case ResultCorrection:
			for _, name := range h.checklistOrder(t) {
				if t.Checklist[name].State == "correction" {
					line := name
					if n := t.Checklist[name].Note; n != "" {
						line += "（" + n + "）"
					}
					in.corrections = append(in.corrections, line)
				}
			}
			if len(in.corrections) == 0 {
				return coded(KindInvalid, CodeCorrectionRequired, "result", nil, "请至少标记一项需补正的材料 (mark at least one material to be corrected)")
			}
			in.state, in.reason = CaseCorrection, r.Reason
		}
		if r.Result == ResultAccepted || r.Result == ResultRejected || r.Result == ResultCorrection {
			var err error
			if cases, err = h.openCases(ch, now, a, w, t, r.Matter, in); err != nil {
				return err
			}
		}
		h.finishHeld(ch, now, a, w, r.Result, "")
		return nil
	})
	return t, cases, err
}

// Held returns a copy of the ticket window w holds, or nil.
func (h *Hall) Held(w int) *Ticket {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t := h.held[w]; t != nil {
		cp := *t
		return &cp
	}
	return nil
}
