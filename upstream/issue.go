// SPDX-License-Identifier: AGPL-3.0-or-later

package upstream

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"yichuang/kiosk"
	"yichuang/kiosk/store"
	"yichuang/ui"
)

// awayWait is how long a ticket waits for a hall node already known to be
// away before it is issued offline.
const awayWait = 800 * time.Millisecond

// Issue issues a ticket: the request is on disk in the outbox first, then
// sent; if the hall node has not answered within the configured timeout,
// the ticket is issued from this terminal's block of numbers and handed in
// when the hall node is back.
func (n *Node) Issue(ctx context.Context, key string, req kiosk.IssueRequest) (ui.Forwarded, error) {
	zone, err := n.local.ResolveZone(req)
	if err != nil {
		return ui.Forwarded{}, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return ui.Forwarded{}, fmt.Errorf("upstream: issue: %w", err)
	}
	if req.Submission != nil {
		for _, id := range req.Submission.Materials {
			if err := n.queueMaterial(ctx, id); err != nil {
				return ui.Forwarded{}, err
			}
		}
	}
	n.mu.Lock()
	e, existed, err := n.box.Add(ctx, store.Entry{Key: key, Kind: kindTicket, Method: http.MethodPost, Path: "/api/v1/tickets",
		ContentType: "application/json", Body: body, CreatedAt: n.now()})
	if err != nil {
		n.mu.Unlock()
		return ui.Forwarded{}, err
	}
	if existed && (e.State != store.EntryPending || len(e.Offline) > 0) {
		// the same key again: the first answer, not printed again
		defer n.mu.Unlock()
		f, err := n.answerOf(ctx, e, zone)
		f.Result.Created, f.Result.Replay = false, true
		return f, err
	}
	done := n.waiter(key)
	n.mu.Unlock()
	n.kickSender()
	// from here the request is in the outbox: the citizen leaving the page
	// must not leave it half-decided (a ticket sent that nobody holds)
	ctx = context.WithoutCancel(ctx)

	wait := n.timeout
	if !n.isOnline() {
		wait = min(wait, awayWait)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}

	n.mu.Lock()
	defer n.mu.Unlock()
	e, _, err = n.box.Get(ctx, key)
	if err != nil {
		return ui.Forwarded{}, err
	}
	if e.State != store.EntryPending || len(e.Offline) > 0 {
		return n.answerOf(ctx, e, zone)
	}
	return n.issueOffline(ctx, e, req, zone)
}

// issueOffline gives a pending ticket request a number of this terminal's
// block. n.mu is held.
func (n *Node) issueOffline(ctx context.Context, e store.Entry, req kiosk.IssueRequest, zone string) (ui.Forwarded, error) {
	now := n.now()
	var claim kiosk.OfflineClaim
	_, _, ok, err := n.box.TakeNumber(ctx, e.ID, n.day(now), zone, now, func(b store.Block, num int) ([]byte, error) {
		claim = kiosk.OfflineClaim{Number: fmt.Sprintf("%s%03d", b.Prefix, num), IssuedAt: now, ID: randomHex(16), StatusKey: randomHex(12)}
		return json.Marshal(claim)
	})
	if err != nil {
		return ui.Forwarded{}, err
	}
	if !ok {
		if ferr := n.box.Finish(ctx, e.ID, e.Key, store.EntryCanceled, 0, nil, "no offline numbers left"); ferr != nil {
			return ui.Forwarded{}, ferr
		}
		return ui.Forwarded{}, away("本机离线号段已用完，请到导办台取号 (no offline numbers left on this kiosk: please go to the guide desk)")
	}
	n.log.Warn("ticket issued offline", "number", claim.Number, "key", e.Key)
	return n.offlineAnswer(ctx, e, req, zone, claim)
}

// offlineAnswer is a ticket issued offline as the caller sees it.
func (n *Node) offlineAnswer(ctx context.Context, e store.Entry, req kiosk.IssueRequest, zone string, c kiosk.OfflineClaim) (ui.Forwarded, error) {
	left, err := n.offlineLeft(ctx)
	if err != nil {
		return ui.Forwarded{}, err
	}
	status := ""
	if pu, _ := n.box.Setting(ctx, "public_url"); pu != "" {
		status = pu + "/s/" + c.ID + "?token=" + c.StatusKey
	}
	t := kiosk.Ticket{ID: c.ID, Number: c.Number, Zone: zone, Matter: req.Matter, Package: req.Package, Priority: req.Priority,
		PriorityReason: req.PriorityReason, Status: kiosk.StatusWaiting, IssuedAt: c.IssuedAt, Offline: true, StatusKey: c.StatusKey}
	return ui.Forwarded{Result: kiosk.IssueResult{Ticket: t, Created: true}, StatusURL: status, OfflineLeft: left[zone], Key: e.Key}, nil
}

// answerOf is what a finished or offline entry answers. n.mu is held.
func (n *Node) answerOf(ctx context.Context, e store.Entry, zone string) (ui.Forwarded, error) {
	switch {
	case e.State == store.EntryFailed:
		if e.Status == 0 {
			return ui.Forwarded{}, away(e.LastError)
		}
		return ui.Forwarded{}, &ui.UpstreamError{Status: e.Status, Body: e.Answer}
	case e.State == store.EntryCanceled:
		return ui.Forwarded{}, away("本次取号未成功，请到导办台取号 (this ticket was not issued: please go to the guide desk)")
	case len(e.Offline) > 0:
		var c kiosk.OfflineClaim
		var req kiosk.IssueRequest
		if err := json.Unmarshal(e.Offline, &c); err != nil {
			return ui.Forwarded{}, fmt.Errorf("upstream: offline claim: %w", err)
		}
		_ = json.Unmarshal(e.Body, &req)
		f, err := n.offlineAnswer(ctx, e, req, zone, c)
		f.Result.Created = false
		return f, err
	default:
		return n.hallAnswer(e.Status, e.Answer, e.Key)
	}
}

// hallAnswer reads the hall node's answer to a ticket issue.
func (n *Node) hallAnswer(status int, answer []byte, key string) (ui.Forwarded, error) {
	var v struct {
		ID           string    `json:"id"`
		Number       string    `json:"number"`
		Zone         string    `json:"zone"`
		Matter       string    `json:"matter"`
		Package      string    `json:"package"`
		Priority     bool      `json:"priority"`
		Status       string    `json:"status"`
		WaitingAhead int       `json:"waiting_ahead"`
		IssuedAt     time.Time `json:"issued_at"`
		StatusURL    string    `json:"status_url"`
		Offline      bool      `json:"offline"`
	}
	if err := json.Unmarshal(answer, &v); err != nil || v.ID == "" || v.Number == "" {
		return ui.Forwarded{}, fmt.Errorf("upstream: the hall node's ticket answer cannot be read: %s", answer)
	}
	t := kiosk.Ticket{ID: v.ID, Number: v.Number, Zone: v.Zone, Matter: v.Matter, Package: v.Package, Priority: v.Priority,
		Status: v.Status, IssuedAt: v.IssuedAt.In(n.cfg.Location), Offline: v.Offline}
	return ui.Forwarded{Result: kiosk.IssueResult{Ticket: t, WaitingAhead: v.WaitingAhead, Created: status == http.StatusCreated},
		StatusURL: v.StatusURL, OfflineLeft: -1, Key: key}, nil
}

// Cancel withdraws a ticket that did not print: not sent if it has not
// been; voided on the hall node (durably) if it has.
func (n *Node) Cancel(ctx context.Context, f ui.Forwarded, reason string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	e, ok, err := n.box.Get(ctx, f.Key)
	if err != nil || !ok {
		return err
	}
	switch e.State {
	case store.EntryPending:
		// if it is on its way, the sender voids what the hall node makes of it
		return n.box.Finish(ctx, e.ID, e.Key, store.EntryCanceled, 0, nil, reason)
	case store.EntryDone:
		return n.addVoid(ctx, e.Key, e.Answer, reason)
	}
	return nil
}

// CheckIn checks an appointment in through the hall node; there is no
// offline way (the appointments live there).
func (n *Node) CheckIn(ctx context.Context, key, path string, body []byte) (ui.Forwarded, error) {
	status, answer, err := n.call(ctx, http.MethodPost, path, "application/json", key, body)
	if err != nil {
		n.setOnline(false, err)
		return ui.Forwarded{}, away("请到导办台签到 (please check in at the guide desk)")
	}
	if status != http.StatusOK && status != http.StatusCreated {
		return ui.Forwarded{}, &ui.UpstreamError{Status: status, Body: answer}
	}
	return n.hallAnswer(status, answer, key)
}

// Attach hands a material of this node to the ticket window w holds. The
// material and the request are in the outbox first; if the hall node does
// not answer in time, they wait there (Queued).
func (n *Node) Attach(ctx context.Context, w int, materialID string) (ui.Attached, error) {
	if err := n.queueMaterial(ctx, materialID); err != nil {
		return ui.Attached{}, err
	}
	key := "attach:" + strconv.Itoa(w) + ":" + materialID
	n.mu.Lock()
	e, _, err := n.box.Add(ctx, store.Entry{Key: key, Kind: kindAttach, Method: http.MethodPost,
		Path: "/api/v1/windows/" + strconv.Itoa(w) + "/materials", ContentType: "application/json", Ref: materialID, CreatedAt: n.now()})
	if err != nil {
		n.mu.Unlock()
		return ui.Attached{}, err
	}
	var done chan struct{}
	if e.State == store.EntryPending {
		done = n.waiter(key)
	}
	n.mu.Unlock()
	if done != nil {
		n.kickSender()
		wait := n.timeout
		if !n.isOnline() {
			wait = min(wait, awayWait)
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
		case <-ctx.Done():
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if e, _, err = n.box.Get(ctx, key); err != nil {
		return ui.Attached{}, err
	}
	switch e.State {
	case store.EntryDone:
		return ui.Attached{Status: e.Status, Body: e.Answer}, nil
	case store.EntryFailed:
		if e.Status == 0 {
			return ui.Attached{}, away(e.LastError)
		}
		return ui.Attached{}, &ui.UpstreamError{Status: e.Status, Body: e.Answer}
	}
	return ui.Attached{Queued: true}, nil
}

// queueMaterial puts the upload of a local material in the outbox, once.
func (n *Node) queueMaterial(ctx context.Context, id string) error {
	if !kiosk.ValidMaterialID(id) {
		return &ui.UpstreamError{Status: http.StatusBadRequest, Body: []byte(`{"error":"not a material id","field":"material_id"}`)}
	}
	if _, ok, err := n.box.HallMaterial(ctx, id); err != nil || ok {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	_, _, err := n.box.Add(ctx, store.Entry{Key: "material:" + id, Kind: kindMaterial, Method: http.MethodPost,
		Path: "/api/v1/materials", Ref: id, CreatedAt: n.now()})
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
