// SPDX-License-Identifier: AGPL-3.0-or-later

package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"yichuang/kiosk"
	"yichuang/kiosk/store"
)

// Entry kinds.
const (
	kindTicket   = "ticket"
	kindMaterial = "material"
	kindAttach   = "attach"
	kindVoid     = "void"
	// kindWithdraw re-sends a ticket request that no citizen was answered
	// (the terminal node stopped first) under its key, to void what the
	// hall node made of it.
	kindWithdraw = "withdraw"
)

// withdrawUnanswered runs once at start: a ticket request still pending
// without an offline number was never answered (an online answer comes
// only once the hall node took it), so nobody holds its ticket; if the hall
// node made one before this node stopped, it is voided.
func (n *Node) withdrawUnanswered(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	es, err := n.box.PendingOf(ctx, kindTicket)
	if err != nil {
		return err
	}
	for _, e := range es {
		if len(e.Offline) > 0 {
			continue
		}
		if err := n.box.Finish(ctx, e.ID, e.Key, store.EntryCanceled, 0, nil, "never answered: the terminal node stopped"); err != nil {
			return err
		}
		if _, _, err := n.box.Add(ctx, store.Entry{Key: "withdraw:" + e.Key, Kind: kindWithdraw, Method: e.Method, Path: e.Path,
			ContentType: e.ContentType, Body: e.Body, Ref: e.Key}); err != nil {
			return err
		}
		n.log.Info("withdrawing a ticket request nobody was answered", "key", e.Key)
	}
	return nil
}

// sendLoop sends the outbox in order: the oldest pending entry until the
// hall node takes it (retrying with backoff) or refuses it, then the next.
func (n *Node) sendLoop(ctx context.Context) {
	const minBackoff, maxBackoff = 250 * time.Millisecond, 5 * time.Second
	backoff := minBackoff
	idle := time.NewTicker(10 * time.Second)
	defer idle.Stop()
	for ctx.Err() == nil {
		e, ok, err := n.box.Next(ctx)
		if err != nil {
			n.log.Error("outbox", "err", err)
			sleep(ctx, time.Second)
			continue
		}
		if !ok {
			select {
			case <-ctx.Done():
			case <-n.kick:
			case <-idle.C:
			}
			continue
		}
		if err := n.deliver(ctx, e); err != nil {
			if ctx.Err() != nil {
				return
			}
			n.setOnline(false, err)
			if aerr := n.box.Attempted(ctx, e.ID, err.Error()); aerr != nil {
				n.log.Error("outbox", "err", aerr)
			}
			sleep(ctx, backoff)
			backoff = min(backoff*2, maxBackoff)
			continue
		}
		backoff = minBackoff
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// deliver sends one entry. A transient failure is returned (the entry stays
// pending); an answer is recorded on the entry.
func (n *Node) deliver(ctx context.Context, e store.Entry) error {
	n.mu.Lock()
	cur, ok, err := n.box.Get(ctx, e.Key)
	n.mu.Unlock()
	if err != nil || !ok || cur.State != store.EntryPending {
		return err
	}
	withClaim := len(cur.Offline) > 0
	ct, body, perr := n.prepare(ctx, cur)
	if perr != nil && !errors.Is(perr, errUnsendable) {
		return perr
	}
	var status int
	var answer []byte
	if perr == nil {
		key := cur.Key
		if cur.Kind == kindWithdraw {
			key = cur.Ref // the request it withdraws: the hall node answers with what it made of it
		}
		status, answer, err = n.call(ctx, cur.Method, cur.Path, ct, key, body)
		if err != nil {
			return err
		}
		n.setOnline(true, nil)
	}

	n.mu.Lock()
	defer n.mu.Unlock()
	latest, _, gerr := n.box.Get(ctx, e.Key)
	if gerr != nil {
		return gerr
	}
	defer n.notify(e.Key)
	if perr != nil {
		n.log.Error("outbox entry cannot be sent", "kind", cur.Kind, "key", cur.Key, "err", perr)
		return n.box.Finish(ctx, cur.ID, cur.Key, store.EntryFailed, 0, nil, perr.Error())
	}
	ok2xx := status >= 200 && status < 300
	switch {
	case ok2xx && latest.Kind == kindTicket && len(latest.Offline) > 0 && !withClaim:
		// the citizen was handed an offline ticket while this attempt was on
		// its way: send again with the claim (the hall voids this one)
		return nil
	case ok2xx && latest.State == store.EntryCanceled:
		// withdrawn while on its way (its ticket did not print): void it
		if latest.Kind == kindTicket {
			return n.addVoid(ctx, latest.Key, answer, "print failed")
		}
		return nil
	case ok2xx && cur.Kind == kindWithdraw:
		if err := n.addVoid(ctx, cur.Ref, answer, "never handed out: the terminal node stopped"); err != nil {
			return err
		}
		return n.box.Finish(ctx, cur.ID, cur.Key, store.EntryDone, status, answer, "")
	case ok2xx:
		if cur.Kind == kindMaterial {
			var m struct {
				ID string `json:"material_id"`
			}
			if err := json.Unmarshal(answer, &m); err != nil || m.ID == "" {
				return n.box.Finish(ctx, cur.ID, cur.Key, store.EntryFailed, status, answer, "the hall node's answer has no material_id")
			}
			if err := n.box.MapMaterial(ctx, cur.Ref, m.ID); err != nil {
				return err
			}
		}
		return n.box.Finish(ctx, cur.ID, cur.Key, store.EntryDone, status, answer, "")
	default:
		if withClaim {
			// a ticket a citizen holds on paper was refused: loud, and kept
			n.log.Error("the hall node refused an offline ticket", "key", cur.Key, "status", status, "answer", string(answer))
		} else {
			n.log.Warn("the hall node refused a request", "kind", cur.Kind, "key", cur.Key, "status", status, "answer", string(answer))
		}
		return n.box.Finish(ctx, cur.ID, cur.Key, store.EntryFailed, status, answer, fmt.Sprintf("refused: %d", status))
	}
}

// addVoid queues the voiding of a ticket the hall node issued that nobody
// holds. n.mu is held.
func (n *Node) addVoid(ctx context.Context, key string, answer []byte, reason string) error {
	var t struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(answer, &t); err != nil || t.ID == "" {
		return fmt.Errorf("upstream: void: the hall node's answer has no ticket id")
	}
	body, _ := json.Marshal(map[string]string{"reason": reason})
	_, _, err := n.box.Add(ctx, store.Entry{Key: "void:" + key, Kind: kindVoid, Method: http.MethodPost,
		Path: "/api/v1/tickets/" + t.ID + "/void", ContentType: "application/json", Body: body, Ref: t.ID})
	n.kickSender()
	return err
}

// errUnsendable is an entry that can never be sent as it is.
var errUnsendable = errors.New("upstream: entry cannot be sent")

// prepare makes the body to send: a material's document from this node's
// store; a ticket's or an attachment's material ids as the hall node knows
// them, and a ticket's offline claim.
func (n *Node) prepare(ctx context.Context, e store.Entry) (string, []byte, error) {
	switch e.Kind {
	case kindMaterial:
		m, doc, err := n.local.MaterialFor(ctx, kiosk.Actor{Terminal: "upstream", Role: "admin"}, e.Ref)
		if err != nil {
			return "", nil, fmt.Errorf("%w: material %s: %v", errUnsendable, e.Ref, err)
		}
		return contentType(m.Kind), doc, nil
	case kindTicket, kindWithdraw:
		var req kiosk.IssueRequest
		if err := json.Unmarshal(e.Body, &req); err != nil {
			return "", nil, fmt.Errorf("%w: %v", errUnsendable, err)
		}
		if req.Submission != nil {
			ids := make([]string, 0, len(req.Submission.Materials))
			for _, id := range req.Submission.Materials {
				hid, ok, err := n.box.HallMaterial(ctx, id)
				if err != nil {
					return "", nil, err
				}
				if !ok {
					// the hall node refused the document: the ticket goes without it
					n.log.Error("a material of a submission never reached the hall node", "material", id, "key", e.Key)
					continue
				}
				ids = append(ids, hid)
			}
			req.Submission.Materials = ids
		}
		if len(e.Offline) > 0 {
			req.Offline = &kiosk.OfflineClaim{}
			if err := json.Unmarshal(e.Offline, req.Offline); err != nil {
				return "", nil, fmt.Errorf("%w: offline claim: %v", errUnsendable, err)
			}
		}
		b, err := json.Marshal(req)
		return "application/json", b, err
	case kindAttach:
		hid, ok, err := n.box.HallMaterial(ctx, e.Ref)
		if err != nil {
			return "", nil, err
		}
		if !ok {
			return "", nil, fmt.Errorf("%w: material %s never reached the hall node", errUnsendable, e.Ref)
		}
		b, _ := json.Marshal(map[string]string{"material_id": hid})
		return "application/json", b, nil
	default:
		return e.ContentType, e.Body, nil
	}
}

// contentType is the media type of a stored material's kind.
func contentType(kind string) string {
	switch kind {
	case "jpeg":
		return "image/jpeg"
	case "png":
		return "image/png"
	default:
		return "application/pdf"
	}
}
