// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"encoding/json"
	"log/slog"
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
	// sockets counts the open event sockets of each terminal (replay.go)
	sockets map[string]int
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
	return &Hub{log: log, loc: loc, clients: map[*client]struct{}{}, sockets: map[string]int{}}
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
