// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
)

// CaseKey returns the secret of a case's public progress link: a keyed hash
// of its number, so the link cannot be guessed from the number (printed on
// the receipt) and needs nothing stored. The hash is separated from the ID
// number hashes made with the same key by a prefix no ID number has.
func (h *Hall) CaseKey(number string) string {
	m := hmac.New(sha256.New, h.idKey)
	m.Write([]byte("case-progress\x00" + number))
	return hex.EncodeToString(m.Sum(nil)[:12])
}

// Progress is what a case's public progress page shows: its state and its
// due date, and those of a package's parts. Nothing personal.
type Progress struct {
	Number string     `json:"number"`
	State  string     `json:"state"`
	Due    string     `json:"due"`
	Parts  []Progress `json:"parts,omitempty"`
}

// CaseProgress returns a case's progress for the key of its public link. A
// wrong key and an unknown case are the same not-found error, so the link
// tells nobody which case numbers exist.
func (h *Hall) CaseProgress(ctx context.Context, number, key string) (Progress, error) {
	if number == "" || subtle.ConstantTimeCompare([]byte(key), []byte(h.CaseKey(number))) != 1 {
		return Progress{}, notFound("no case progress at this link")
	}
	cs, err := h.store.Cases(ctx, CaseQuery{Number: number})
	if err != nil {
		return Progress{}, fmt.Errorf("kiosk: case progress: %w", err)
	}
	if len(cs) == 0 {
		return Progress{}, notFound("no case progress at this link")
	}
	c := cs[0]
	p := Progress{Number: c.Number, State: c.State, Due: c.Due}
	if c.Package != "" && c.Parent == "" {
		parts, err := h.store.Cases(ctx, CaseQuery{Parent: c.Number})
		if err != nil {
			return Progress{}, fmt.Errorf("kiosk: case progress: %w", err)
		}
		for _, k := range parts {
			p.Parts = append(p.Parts, Progress{Number: k.Number, State: k.State, Due: k.Due})
		}
	}
	return p, nil
}
