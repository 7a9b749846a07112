package ui

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"yichuang/config"
	"yichuang/kiosk"
)

// Hub fans the hall's events out to connected screens. A client too slow to
// take its messages is dropped (it reconnects with ?since= and heals);
// the hub never blocks the hall.
type Hub struct {
	log     *slog.Logger
	loc     *time.Location
	mu      sync.Mutex
	clients map[*client]struct{}
	// observers see every published event (the metrics); they must not block.
	observers []func(kiosk.Event)
}

// observe adds fn to the functions every published event is handed to.
func (h *Hub) observe(fn func(kiosk.Event)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.observers = append(h.observers, fn)
}

// NewHub makes a hub; loc is the hall's time zone for "at".
func NewHub(log *slog.Logger, loc *time.Location) *Hub {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Hub{log: log, loc: loc, clients: map[*client]struct{}{}}
}

type client struct {
	term config.Terminal
	send chan outMsg
	once sync.Once
	gone chan struct{}
	why  closeReason // set before gone closes
}

type outMsg struct {
	seq  int64
	data []byte
}

func (c *client) drop() { c.dropFor(closeSlow) }

func (c *client) dropFor(why closeReason) { c.once.Do(func() { c.why = why; close(c.gone) }) }

// encode renders an event as one WebSocket message: the event's data
// fields with "type", "at" and "seq" beside them.
func (h *Hub) encode(e kiosk.Event, private map[string]any) []byte {
	m := map[string]any{}
	_ = json.Unmarshal(e.Data, &m)
	for k, v := range private {
		m[k] = v
	}
	m["type"] = e.Type
	m["seq"] = e.Seq
	m["at"] = e.At.In(h.loc).Format(time.RFC3339)
	b, _ := json.Marshal(m)
	return b
}

// visible says whether an event may go to a terminal.
func visible(e kiosk.Event, t config.Terminal) bool {
	return e.Terminal == "" || e.Terminal == t.ID || t.Role == config.RoleAdmin
}

// Publish sends a committed event to every client that may see it.
func (h *Hub) Publish(e kiosk.Event) {
	var shared, private []byte
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, fn := range h.observers {
		fn(e)
	}
	for c := range h.clients {
		if !visible(e, c.term) {
			continue
		}
		var b []byte
		if e.Terminal != "" && c.term.ID == e.Terminal && len(e.Private) > 0 {
			if private == nil {
				private = h.encode(e, e.Private)
			}
			b = private
		} else {
			if shared == nil {
				shared = h.encode(e, nil)
			}
			b = shared
		}
		select {
		case c.send <- outMsg{seq: e.Seq, data: b}:
		default:
			h.log.Warn("websocket client too slow; dropped", "terminal", c.term.ID)
			delete(h.clients, c)
			c.drop()
		}
	}
}

// Clients returns the number of connected clients.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

var upgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 4096}

const (
	wsWriteWait  = 10 * time.Second
	wsPongWait   = 60 * time.Second
	wsPingPeriod = 25 * time.Second
	wsReadLimit  = 4096
	// maxReplay bounds what a reconnecting screen is sent of what it
	// missed; a screen away longer reloads its state from the API.
	maxReplay = 20000
)

// events upgrades to a WebSocket and streams events; ?since=SEQ first
// replays every stored event after SEQ, in order.
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
	cl := &client{term: c.Terminal, send: make(chan outMsg, 1024), gone: make(chan struct{})}
	s.hub.mu.Lock()
	s.hub.clients[cl] = struct{}{}
	s.hub.mu.Unlock()
	defer func() {
		s.hub.mu.Lock()
		delete(s.hub.clients, cl)
		s.hub.mu.Unlock()
		cl.drop()
	}()
	// a token revoked between auth and the registration above
	if !s.stillAdmitted(c.Terminal) {
		writeError(w, http.StatusUnauthorized, "", "a valid terminal token is needed")
		return
	}
	// read what the client missed before the handshake completes, so an
	// event published once the client sees the socket open comes live, whole
	// (a card.read's private part is never stored, so never replayed)
	var missed []kiosk.Event
	last := since
	if since >= 0 {
		for len(missed) < maxReplay {
			evs, err := s.hall.EventsSince(r.Context(), last, 500)
			if err != nil {
				s.log.Error("websocket replay", "terminal", c.ID, "err", err)
				writeError(w, http.StatusInternalServerError, "", "the missed events could not be read")
				return
			}
			for _, e := range evs {
				last = e.Seq
				if visible(e, c.Terminal) {
					missed = append(missed, e)
				}
			}
			if len(evs) < 500 {
				break
			}
		}
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
	for _, e := range missed {
		if err := write(s.hub.encode(e, nil)); err != nil {
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
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(cl.why.code, cl.why.text), time.Now().Add(time.Second))
			return
		case <-ctx.Done():
			return
		}
	}
}
