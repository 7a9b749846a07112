// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// An Idempotency-Key is bound to the request it first came with and to the
// hall day it came on. The key itself is opaque: compared byte for byte as
// the header carries it (printable ASCII, no spaces, at most 128), never
// trimmed or case-folded. The request is compared by a keyed hash of its
// canonical form: the kind of request, the terminal, and the request as
// the hall decoded it, re-encoded (so spacing and field order of the body
// do not matter, and a terminal node's outbox, which re-sends the same
// body, always matches). The same key with another request is refused
// (KindUnprocessable, field Idempotency-Key); a key whose ticket is of an
// earlier hall day is refused too: a retry after midnight never gets
// yesterday's ticket, and never a second ticket nobody asked for today.

// requestHash is the keyed hash of a request's canonical form.
func (h *Hall) requestHash(kind, terminal string, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(fmt.Sprint(v))
	}
	m := hmac.New(sha256.New, h.idKey)
	m.Write([]byte("idem|" + kind + "|" + terminal + "|"))
	m.Write(b)
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// issueHash is the hash of a ticket request (without its offline claim:
// a terminal hands its offline ticket in under the key of the online
// attempt, with the same request).
func (h *Hall) issueHash(terminal string, r IssueRequest) string {
	r.Offline = nil
	r.IdempotencyKey = ""
	r.reqHash = ""
	return h.requestHash("ticket", terminal, r)
}

// keyReused is the answer to a key sent again with another request.
func keyReused() error {
	return &Error{Kind: KindUnprocessable, Field: "Idempotency-Key",
		Msg: "该请求键已用于另一请求，请为新请求使用新的键 (this Idempotency-Key was sent with a different request: use a new key for a new request)"}
}

// keyOfEarlierDay is the answer to a key whose ticket is of an earlier
// hall day (a retry after midnight).
func keyOfEarlierDay(day string) error {
	return &Error{Kind: KindUnprocessable, Field: "Idempotency-Key",
		Msg: fmt.Sprintf("该请求键属于 %s 的请求，已过期；如需取号请重新取号 (this Idempotency-Key belongs to a request of %s, a hall day that has ended: a new request needs a new key)", day, day)}
}

// checkReplay decides what a ticket request under a key already used
// answers: nil when it may be answered with t (the same request, the
// same hall day). h.mu is held.
func (h *Hall) checkReplay(t *Ticket, hash, today string) error {
	if t.Day != today && !(h.cfg.Hall.CarryOver && t.Active()) {
		return keyOfEarlierDay(t.Day)
	}
	if hash != "" && t.IdemHash != "" && t.IdemHash != hash {
		return keyReused()
	}
	return nil
}

// priorityNeedsReason is the answer to priority asked without a reason.
func priorityNeedsReason(reasons []string) error {
	return invalid("priority_reason", "优先取号须注明原因：%s (priority needs a reason, one of: %s)",
		strings.Join(reasons, "、"), strings.Join(reasons, ", "))
}
