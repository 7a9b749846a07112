// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// screen is one connected display: it notes when each call reaches it.
type screen struct {
	conn *websocket.Conn
	mu   sync.Mutex
	got  map[string]time.Time // number called → when it arrived
	n    *atomic.Int64        // ticket.called arrivals, across all screens
	done chan struct{}
}

// readLoop timestamps each message first, then looks at it.
func (s *screen) readLoop() {
	defer close(s.done)
	for {
		_, msg, err := s.conn.ReadMessage()
		at := time.Now()
		if err != nil {
			return
		}
		if !bytes.Contains(msg, []byte(`"ticket.called"`)) {
			continue
		}
		var v struct{ Number string }
		if json.Unmarshal(msg, &v) != nil {
			continue
		}
		s.mu.Lock()
		if _, dup := s.got[v.Number]; !dup {
			s.got[v.Number] = at
		}
		s.mu.Unlock()
		s.n.Add(1)
	}
}

// connectScreens opens n WebSockets at url(i), 50 handshakes at a time.
func connectScreens(ctx context.Context, n int, url func(i int) string) ([]*screen, error) {
	arrived := &atomic.Int64{}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 1024,
		NetDialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	screens := make([]*screen, n)
	sem := make(chan struct{}, 50)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c, resp, err := d.DialContext(ctx, url(i), nil)
			if resp != nil && resp.Body != nil {
				resp.Body.Close()
			}
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("display %d: %w", i+1, err)
				}
				mu.Unlock()
				return
			}
			s := &screen{conn: c, got: map[string]time.Time{}, n: arrived, done: make(chan struct{})}
			screens[i] = s
			go s.readLoop()
		})
	}
	wg.Wait()
	if firstErr != nil {
		closeScreens(screens)
		return nil, firstErr
	}
	return screens, nil
}

func closeScreens(screens []*screen) {
	for _, s := range screens {
		if s != nil {
			_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
			s.conn.Close()
		}
	}
	for _, s := range screens {
		if s != nil {
			<-s.done
		}
	}
}

type fanoutResult struct {
	Delivery durs // from the trigger's HTTP answer to each screen's receipt
	FromSend durs // from the trigger's HTTP request being sent
	Early    int  // receipts before the HTTP answer (counted as 0)
	Missed   int  // screens that did not get a round's call within the wait
	Rounds   int
}

// fanout runs rounds: trigger() makes one call over HTTP and returns its
// number once the answer is read; each round makes exactly one
// ticket.called event, and every screen must show it within 5 s.
func fanout(ctx context.Context, screens []*screen, rounds int, gap time.Duration, trigger func() (string, error)) (*fanoutResult, error) {
	res := &fanoutResult{}
	arrived := screens[0].n
	for r := 0; r < rounds && ctx.Err() == nil; r++ {
		before := arrived.Load()
		sent := time.Now()
		num, err := trigger()
		t0 := time.Now()
		if err != nil {
			return res, err
		}
		target := before + int64(len(screens))
		wait := time.Now().Add(5 * time.Second)
		for arrived.Load() < target && time.Now().Before(wait) {
			time.Sleep(500 * time.Microsecond)
		}
		for _, s := range screens {
			s.mu.Lock()
			at, ok := s.got[num]
			s.mu.Unlock()
			if !ok {
				res.Missed++
				continue
			}
			res.FromSend = append(res.FromSend, at.Sub(sent))
			d := at.Sub(t0)
			if d < 0 {
				res.Early++
				d = 0
			}
			res.Delivery = append(res.Delivery, d)
		}
		res.Rounds++
		// let the round's other events (ticket.finished) arrive before the next
		time.Sleep(gap)
	}
	return res, nil
}

// bareHub is the limit: a bare gorilla/websocket broadcast server, one
// writer goroutine per client as kioskd's hub has, no hall behind it.
type bareHub struct {
	mu      sync.Mutex
	clients map[chan []byte]struct{}
	seq     int64
	srv     *http.Server
	addr    string
}

func startBareHub() (*bareHub, error) {
	h := &bareHub{clients: map[chan []byte]struct{}{}}
	up := websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 4096}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		ch := make(chan []byte, 1024)
		h.mu.Lock()
		h.clients[ch] = struct{}{}
		h.mu.Unlock()
		defer func() {
			h.mu.Lock()
			delete(h.clients, ch)
			h.mu.Unlock()
		}()
		gone := make(chan struct{})
		go func() {
			defer close(gone)
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					return
				}
			}
		}()
		for {
			select {
			case b := <-ch:
				_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
				if err := conn.WriteMessage(websocket.TextMessage, b); err != nil {
					return
				}
			case <-gone:
				return
			}
		}
	})
	mux.HandleFunc("POST /call", func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.seq++
		num := fmt.Sprintf("A%03d", h.seq)
		b, _ := json.Marshal(map[string]any{"type": "ticket.called", "seq": h.seq, "at": time.Now().Format(time.RFC3339),
			"id": "0123456789abcdef0123456789abcdef", "number": num, "zone": "A", "window": 1, "recall": false, "waiting": 100})
		for ch := range h.clients {
			select {
			case ch <- b:
			default:
			}
		}
		h.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"number":%q}`, num)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h.addr = ln.Addr().String()
	h.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = h.srv.Serve(ln) }() // ends with close
	return h, nil
}

func (h *bareHub) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = h.srv.Shutdown(ctx)
	h.srv.Close()
}
