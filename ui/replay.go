// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

// What one event socket may hold in memory, whatever its caller asks:
// replay reads the store a page at a time and writes each page out before
// the next is read, after the upgrade; events published meanwhile wait in
// the client's send channel (liveBuffer deep), and a client that lets it
// fill is dropped with closeSlow and reconnects with ?since=.
const (
	replayPage = 100
	liveBuffer = 1024
)

var closeReplayFailed = closeReason{websocket.CloseInternalServerErr, "the missed events could not be read; reconnect with since"}

// admit registers cl with the hub unless its terminal already has max
// sockets open (max 0: no cap). A registered client is sent every event
// published from now on.
func (h *Hub) admit(cl *client, max int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if max > 0 && h.sockets[cl.term.ID] >= max {
		return false
	}
	h.sockets[cl.term.ID]++
	h.clients[cl] = struct{}{}
	return true
}

// leave undoes admit once cl's socket is closed.
func (h *Hub) leave(cl *client) {
	h.mu.Lock()
	delete(h.clients, cl)
	if h.sockets[cl.term.ID]--; h.sockets[cl.term.ID] <= 0 {
		delete(h.sockets, cl.term.ID)
	}
	h.mu.Unlock()
	cl.drop()
}

// events upgrades to a WebSocket and streams events; ?since=SEQ first
// replays every stored event after SEQ, in order, then goes live: each
// event exactly once, none missing between the replay and the live ones.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	var since int64 = -1
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "since", "a sequence number is needed")
			return
		}
		since = n
	}
	// register before the handshake completes: an event published the
	// moment the client sees the socket open must not fall between the two
	cl := &client{term: c.Terminal, send: make(chan outMsg, liveBuffer), gone: make(chan struct{})}
	if max := s.cfg.Limits.SocketsPerTerminal; !s.hub.admit(cl, max) {
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusTooManyRequests, "", fmt.Sprintf(
			"此终端打开的实时连接过多 (this terminal already has %d event sockets open; close one and retry)", max))
		return
	}
	defer s.hub.leave(cl)
	// a token revoked between auth and the registration above
	if !s.stillAdmitted(c.Terminal) {
		writeError(w, http.StatusUnauthorized, "", "a valid terminal token is needed")
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	defer conn.Close()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() { // reader: pongs, and the close from the client
		defer cancel()
		conn.SetReadLimit(wsReadLimit)
		_ = conn.SetReadDeadline(time.Now().Add(wsPongWait))
		conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(wsPongWait)) })
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	write := func(b []byte) error {
		_ = conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
		return conn.WriteMessage(websocket.TextMessage, b)
	}
	closeFor := func(why closeReason) {
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(why.code, why.text), time.Now().Add(time.Second))
	}

	last := since
	if since >= 0 {
		if last, err = s.replay(ctx, cl, since, write); err != nil {
			switch {
			case errors.Is(err, errDropped):
				closeFor(cl.why)
			case ctx.Err() == nil && !errors.Is(err, errWrite):
				s.log.Error("websocket replay", "terminal", c.ID, "err", err)
				closeFor(closeReplayFailed)
			}
			return
		}
	}
	ping := time.NewTicker(wsPingPeriod)
	defer ping.Stop()
	for {
		select {
		case m := <-cl.send:
			if m.seq <= last {
				continue // already replayed
			}
			last = m.seq
			if err := write(m.data); err != nil {
				return
			}
		case <-ping.C:
			_ = conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
			if err := conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		case <-cl.gone:
			closeFor(cl.why)
			return
		case <-ctx.Done():
			return
		}
	}
}

var (
	errDropped = errors.New("ui: replay: the client was dropped")
	errWrite   = errors.New("ui: replay: write")
)

// replay writes the stored events after since that cl may see, a page at
// a time, and returns the seq of the last one read. Events published
// meanwhile are in cl.send; the live loop skips those at or below it. A
// private part (card.read) is never stored, so never replayed.
func (s *Server) replay(ctx context.Context, cl *client, since int64, write func([]byte) error) (int64, error) {
	last, sent := since, 0
	for sent < maxReplay {
		select {
		case <-cl.gone:
			return last, errDropped
		case <-ctx.Done():
			return last, ctx.Err()
		default:
		}
		evs, err := s.hall.EventsSince(ctx, last, replayPage)
		if err != nil {
			return last, fmt.Errorf("ui: replay after %d: %w", last, err)
		}
		for i := range evs {
			e := &evs[i]
			last = e.Seq
			if !visible(*e, cl.term) {
				continue
			}
			if err := write(s.hub.encode(*e, nil)); err != nil {
				return last, fmt.Errorf("%w: %w", errWrite, err)
			}
			sent++
		}
		if len(evs) < replayPage {
			break
		}
	}
	return last, nil
}
