// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"yichuang/config"
)

// server returns the env's *Server.
func (e *env) server() *Server {
	e.t.Helper()
	s, ok := e.srv.Config.Handler.(*Server)
	if !ok {
		e.t.Fatalf("handler is %T", e.srv.Config.Handler)
	}
	return s
}

// terminals returns the env's configured terminals, to edit and set.
func (e *env) terminals() []config.Terminal {
	return append([]config.Terminal(nil), e.hall.Config().Terminals...)
}

func TestTokenSHA256InConfig(t *testing.T) {
	const secret = "hashed-kiosk-token-0123"
	e := startEnv(t, limitsOff, nil, nil)
	e.want(e.do("GET", "/api/v1/me", secret, ""), 401)
	ts := append(e.terminals(), config.Terminal{ID: "kiosk-9", Role: config.RoleKiosk, TokenSHA256: config.HashToken(secret)})
	if err := e.server().SetTerminals(ts); err != nil {
		t.Fatal(err)
	}
	if r := e.want(e.do("GET", "/api/v1/me", secret, ""), 200); r.body["id"] != "kiosk-9" {
		t.Fatalf("me = %v", r.body)
	}
	// the hash is not a token
	e.want(e.do("GET", "/api/v1/me", config.HashToken(secret), ""), 401)
	// upper-case hex is the same hash
	ts[len(ts)-1].TokenSHA256 = strings.ToUpper(config.HashToken(secret))
	if err := e.server().SetTerminals(ts); err != nil {
		t.Fatal(err)
	}
	e.want(e.do("GET", "/api/v1/me", secret, ""), 200)
}

func TestTokenTableKeepsNoToken(t *testing.T) {
	tab, err := newTokenTable([]config.Terminal{
		{ID: "k", Role: config.RoleKiosk, Token: "plain-token-0123456789"},
		{ID: "h", Role: config.RoleKiosk, TokenSHA256: config.HashToken("other-token-0123456789")},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"plain-token-0123456789", "other-token-0123456789"} {
		term, ok := tab.lookup(tok)
		if !ok || term.Token != "" || term.TokenSHA256 != config.HashToken(tok) {
			t.Fatalf("lookup(%s) = %+v, %v", tok, term, ok)
		}
	}
	for _, tok := range []string{"", "plain-token-012345678", config.HashToken("plain-token-0123456789")} {
		if _, ok := tab.lookup(tok); ok {
			t.Fatalf("lookup(%q) admitted", tok)
		}
	}
}

func TestSetTerminalsRotates(t *testing.T) {
	e := newEnv(t)
	s := e.server()
	const newKiosk = "rotated-kiosk-token-0123"
	ts := e.terminals()
	for i := range ts {
		if ts[i].ID == "kiosk-1" {
			ts[i].Token = newKiosk
		}
	}
	if err := s.SetTerminals(ts); err != nil {
		t.Fatal(err)
	}
	e.want(e.do("GET", "/api/v1/me", tokKiosk, ""), 401)
	if r := e.want(e.do("GET", "/api/v1/me", newKiosk, ""), 200); r.body["id"] != "kiosk-1" {
		t.Fatalf("me = %v", r.body)
	}
	// the others are untouched
	e.want(e.do("GET", "/api/v1/me", tokWin1, ""), 200)
	e.want(e.do("POST", "/api/v1/tickets", newKiosk, `{"zone":"A"}`), 201)
}

func TestSetTerminalsRefusesABadList(t *testing.T) {
	e := newEnv(t)
	s := e.server()
	good := e.terminals()
	tests := []struct {
		name string
		edit func([]config.Terminal) []config.Terminal
		want string
	}{
		{"same token twice", func(ts []config.Terminal) []config.Terminal {
			ts[1].Token = ts[0].Token
			return ts
		}, "terminals[1].token"},
		{"token and its hash for two terminals", func(ts []config.Terminal) []config.Terminal {
			ts[1].Token, ts[1].TokenSHA256 = "", config.HashToken(ts[0].Token)
			return ts
		}, "terminals[1].token_sha256"},
		{"bad hash", func(ts []config.Terminal) []config.Terminal {
			ts[0].Token, ts[0].TokenSHA256 = "", "abc"
			return ts
		}, "terminals[0].token_sha256"},
		{"both token and hash", func(ts []config.Terminal) []config.Terminal {
			ts[0].TokenSHA256 = config.HashToken("x-0123456789abcdef")
			return ts
		}, "terminals[0].token_sha256"},
		{"short token", func(ts []config.Terminal) []config.Terminal { ts[0].Token = "short"; return ts }, "terminals[0].token"},
		{"no token", func(ts []config.Terminal) []config.Terminal { ts[0].Token = ""; return ts }, "terminals[0].token"},
		{"window of no zone", func(ts []config.Terminal) []config.Terminal { ts[2].Window = 999; return ts }, "terminals[2].window"},
		{"id twice", func(ts []config.Terminal) []config.Terminal { ts[1].ID = ts[0].ID; return ts }, "terminals[1].id"},
		{"bad role", func(ts []config.Terminal) []config.Terminal { ts[0].Role = "boss"; return ts }, "terminals[0].role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.SetTerminals(tt.edit(append([]config.Terminal(nil), good...)))
			var ce *config.Error
			if !errors.As(err, &ce) || ce.Key != tt.want {
				t.Fatalf("err = %v, want one naming %s", err, tt.want)
			}
			// the old table stays
			e.want(e.do("GET", "/api/v1/me", tokKiosk, ""), 200)
			e.want(e.do("GET", "/api/v1/me", tokWin1, ""), 200)
		})
	}
}

// closeCode reads from a socket until it fails and returns the close code.
func closeCode(t *testing.T, c *websocket.Conn) int {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code
			}
			t.Fatalf("read: %v (not a close)", err)
		}
	}
}

func TestSetTerminalsClosesRevokedSockets(t *testing.T) {
	e := newEnv(t)
	s := e.server()
	display := dial(t, e, tokDisplay, "")
	kiosk := dial(t, e, tokKiosk, "")
	window := dial(t, e, tokWin1, "")
	waitClients(t, s.hub, 3)

	// the same list again closes nothing
	if err := s.SetTerminals(e.terminals()); err != nil {
		t.Fatal(err)
	}
	// the display removed, window-1 given another role: both closed
	var ts []config.Terminal
	for _, term := range e.terminals() {
		switch term.ID {
		case "display-1":
			continue
		case "window-1":
			term.Window = 2
			term.ID = "window-2b"
		case "window-2":
			term.Token = "window2-rotated-0123456"
		}
		ts = append(ts, term)
	}
	if err := s.SetTerminals(ts); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*websocket.Conn{"display": display, "window": window} {
		if code := closeCode(t, c); code != websocket.ClosePolicyViolation {
			t.Fatalf("%s closed with %d, want %d", name, code, websocket.ClosePolicyViolation)
		}
	}
	// the kiosk's socket stays and gets the next event
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	if m := readEvent(t, kiosk); m["type"] != "ticket.issued" {
		t.Fatalf("kiosk got %v", m)
	}
	// a revoked token opens no new socket
	u := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/events?token=" + tokDisplay
	if _, res, err := websocket.DefaultDialer.Dial(u, nil); err == nil || res == nil || res.StatusCode != 401 {
		t.Fatalf("a revoked token dialled: %v", err)
	}
}

func waitClients(t *testing.T, h *Hub, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for h.Clients() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d websocket clients, want %d", h.Clients(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSetTerminalsWhileServing swaps tables while requests run (go test
// -race): every answer is from the old table or the new one, never a mix.
func TestSetTerminalsWhileServing(t *testing.T) {
	e := newEnv(t)
	s := e.server()
	a := e.terminals()
	b := e.terminals()
	for i := range b {
		if b[i].ID == "kiosk-1" {
			b[i].Token = "alternate-kiosk-token-01"
		}
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			ts := a
			if i%2 == 1 {
				ts = b
			}
			if err := s.SetTerminals(ts); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 200 {
		r1 := e.do("GET", "/api/v1/me", tokKiosk, "")
		r2 := e.do("GET", "/api/v1/me", tokAdmin, "")
		if (r1.status != 200 && r1.status != 401) || r2.status != 200 {
			t.Fatalf("statuses %d %d", r1.status, r2.status)
		}
	}
	close(stop)
	wg.Wait()
}
