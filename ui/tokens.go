// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"

	"github.com/gorilla/websocket"

	"yichuang/config"
)

// tokenTable is the terminals a server admits, found by the SHA-256 of
// their tokens: it holds no token itself. A table never changes once
// built; SetTerminals builds a new one and swaps it in whole.
type tokenTable struct {
	entries []tokenEntry
	bySum   map[[32]byte]config.Terminal
}

type tokenEntry struct {
	sum  [32]byte
	term config.Terminal
}

// newTokenTable builds a table; the terminals it keeps carry their
// token's hash (TokenSHA256), never the token.
func newTokenTable(ts []config.Terminal) (*tokenTable, error) {
	t := &tokenTable{bySum: make(map[[32]byte]config.Terminal, len(ts))}
	for i, term := range ts {
		sum, err := term.TokenHash()
		if err != nil {
			return nil, fmt.Errorf("terminals[%d] (%s): %w", i, term.ID, err)
		}
		if _, dup := t.bySum[sum]; dup {
			return nil, fmt.Errorf("terminals[%d] (%s): the same token is given to two terminals", i, term.ID)
		}
		term.Token, term.TokenSHA256 = "", hex.EncodeToString(sum[:])
		t.bySum[sum] = term
		t.entries = append(t.entries, tokenEntry{sum: sum, term: term})
	}
	return t, nil
}

// lookup finds the terminal a token belongs to. It compares the token's
// hash with every terminal's, in constant time, so how long it takes says
// nothing about which terminal, if any, was nearly matched.
func (t *tokenTable) lookup(token string) (config.Terminal, bool) {
	if token == "" {
		return config.Terminal{}, false
	}
	sum := sha256.Sum256([]byte(token))
	found := -1
	for i := range t.entries {
		if subtle.ConstantTimeCompare(sum[:], t.entries[i].sum[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return config.Terminal{}, false
	}
	return t.entries[found].term, true
}

// admits says whether a terminal admitted earlier (as lookup returned it)
// still is, with the same id, role, window and department.
func (t *tokenTable) admits(term config.Terminal) bool {
	sum, err := term.TokenHash()
	if err != nil {
		return false
	}
	cur, ok := t.bySum[sum]
	return ok && cur.ID == term.ID && cur.Role == term.Role && cur.Window == term.Window && cur.Department == term.Department
}

// SetTerminals replaces the terminals the server admits, at once: a token
// no longer listed (or listed with another id, role, window or department)
// is refused from the next request on, and the WebSockets it opened are
// closed. The list is checked against the running hall's zones and
// devices first; a bad list changes nothing.
func (s *Server) SetTerminals(ts []config.Terminal) error {
	if err := s.cfg.CheckTerminals(ts); err != nil {
		return fmt.Errorf("terminals: %w", err)
	}
	tab, err := newTokenTable(ts)
	if err != nil {
		return fmt.Errorf("terminals: %w", err)
	}
	s.tokens.Store(tab)
	// after the swap: a socket that registers later checks the new table
	// itself (stillAdmitted)
	if n := s.hub.closeWhere(func(t config.Terminal) bool { return !tab.admits(t) }, closeRevoked); n > 0 {
		s.log.Info("websockets of revoked terminal tokens closed", "count", n)
	}
	return nil
}

// lookup finds the terminal a token belongs to in the current table.
func (s *Server) lookup(token string) (config.Terminal, bool) {
	tab := s.tokens.Load()
	if tab == nil {
		return config.Terminal{}, false
	}
	return tab.lookup(token)
}

// stillAdmitted says whether a caller's terminal is in the current table.
func (s *Server) stillAdmitted(t config.Terminal) bool {
	tab := s.tokens.Load()
	return tab != nil && tab.admits(t)
}

// closeReason is the close frame a dropped WebSocket client is sent.
type closeReason struct {
	code int
	text string
}

var (
	closeSlow    = closeReason{websocket.CloseTryAgainLater, "too slow; reconnect with since"}
	closeRevoked = closeReason{websocket.ClosePolicyViolation, "the terminal's token was revoked"}
)

// closeWhere drops the clients whose terminal gone says is gone; it
// returns how many.
func (h *Hub) closeWhere(gone func(config.Terminal) bool, why closeReason) int {
	if h == nil {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for c := range h.clients {
		if gone(c.term) {
			delete(h.clients, c)
			c.dropFor(why)
			n++
		}
	}
	return n
}
