// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"yichuang/config"
	"yichuang/kiosk"
	"yichuang/kiosk/store"
)

// startEnvWithEvents starts a hall server whose store already holds n
// events of about 400 bytes each (a busy day's worth of calls).
func startEnvWithEvents(t *testing.T, extra string, n int) *env {
	t.Helper()
	cfg, err := config.Parse([]byte(testConfig + extra))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := kiosk.ParseCatalog(config.DefaultCatalog(), []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, cfg.Mail.ExcludedDepartments)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "k.db"), testKey)
	if err != nil {
		t.Fatal(err)
	}
	pad := strings.Repeat("x", 300)
	ch := &kiosk.Change{}
	for i := 1; i <= n; i++ {
		data, _ := json.Marshal(map[string]any{"number": fmt.Sprintf("A%03d", i%1000), "window": i % 27, "zone": "A", "note": pad})
		ch.Events = append(ch.Events, kiosk.Event{Seq: int64(i), Type: "ticket.called", At: time.Now(), Data: data})
	}
	if err := db.Commit(context.Background(), []*kiosk.Change{ch}); err != nil {
		t.Fatal(err)
	}
	hub := NewHub(nil, cfg.Location)
	hall, err := kiosk.Open(context.Background(), kiosk.Options{Config: cfg, Catalog: cat, Store: db, Publish: hub.Publish, IDKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(Options{Hall: hall, Hub: hub}))
	t.Cleanup(func() { srv.Close(); hall.Close(); db.Close() })
	return &env{t: t, srv: srv, hall: hall, db: db}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestReplayFloodMemoryBounded is issue #17 class 1 as an attacker tries it:
// every token the hall has, a display's included, opens as many sockets as
// it may with since=0 over 20,000 stored events, and none of them reads.
// Before, each such socket held every missed event in memory before the
// upgrade (about 10 MB each here). Now a terminal gets at most
// sockets_per_terminal sockets (the next is a 429 in words, before any
// upgrade), and a socket holds one replay page: the heap grows by less
// than socketBound per socket.
func TestReplayFloodMemoryBounded(t *testing.T) {
	const (
		events      = 20000
		perTerminal = 8
		socketBound = 256 << 10 // bytes of heap one stalled replaying socket may hold
	)
	e := startEnvWithEvents(t, limitsOff+fmt.Sprintf("sockets_per_terminal = %d\n", perTerminal), events)
	tokens := []string{tokKiosk, tokGuide, tokWin1, tokWin2, tokDisplay, tokAdmin, tokDeptSJ, tokDeptRS}
	base := heapInUse()
	u := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/events?since=0&token="
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}
	var conns []*websocket.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for _, tok := range tokens {
		for i := 0; i < perTerminal+3; i++ {
			c, res, err := d.Dial(u+tok, nil)
			if i < perTerminal {
				if err != nil {
					t.Fatalf("socket %d of %s refused: %v", i+1, tok, err)
				}
				conns = append(conns, c)
				continue
			}
			if err == nil {
				c.Close()
				t.Fatalf("socket %d of %s accepted; the cap is %d", i+1, tok, perTerminal)
			}
			var ae apiError
			if res == nil || res.StatusCode != http.StatusTooManyRequests || json.NewDecoder(res.Body).Decode(&ae) != nil || !strings.Contains(ae.Error, "实时连接过多") {
				t.Fatalf("socket %d of %s: %v, %+v; want a 429 in words", i+1, tok, err, ae)
			}
		}
	}
	// let every socket's replay fill the network buffers and stall
	time.Sleep(500 * time.Millisecond)
	grown := int64(heapInUse()) - int64(base)
	n := len(conns)
	t.Logf("%d stalled replaying sockets over %d events: heap grew %d KiB (%d KiB a socket; bound %d KiB)",
		n, events, grown>>10, grown/int64(n)>>10, socketBound>>10)
	if grown > int64(n*socketBound) {
		t.Fatalf("heap grew %d bytes for %d sockets, over the bound of %d a socket", grown, n, socketBound)
	}
	// the sockets are real: one of them, read now, replays from the start
	_ = conns[0].SetReadDeadline(time.Now().Add(5 * time.Second))
	var m map[string]any
	if err := conns[0].ReadJSON(&m); err != nil || m["seq"] != float64(1) {
		t.Fatalf("first replayed event: %v, %v", m, err)
	}
	// closing sockets gives the terminal its places back
	for _, c := range conns[:perTerminal] {
		c.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, _, err := d.Dial(u+tokens[0], nil)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a terminal whose sockets closed is still refused: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReplayThenLiveExactlyOnce: events published while a long replay is
// being streamed come after the replayed ones, each exactly once, with no
// gap.
func TestReplayThenLiveExactlyOnce(t *testing.T) {
	const stored, live = 5000, 300
	e := startEnvWithEvents(t, limitsOff, stored)
	c := dial(t, e, tokDisplay, "&since=0")
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; i < live; i++ {
			if err := e.hall.Emit(context.Background(), "device.status", map[string]any{"device": "printer", "state": "ok", "i": i}, "", nil); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for want := int64(1); want <= stored+live; want++ {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		var m map[string]any
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("waiting for seq %d: %v", want, err)
		}
		if got := int64(m["seq"].(float64)); got != want {
			t.Fatalf("got seq %d, want %d (a gap or a repeat)", got, want)
		}
	}
	wg.Wait()
	// and nothing more: no event twice
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	var m map[string]any
	if err := c.ReadJSON(&m); err == nil {
		t.Fatalf("an extra event after the last: %v", m)
	}
}

// TestSocketsPerTerminalConfig: the cap is a config key, checked.
func TestSocketsPerTerminalConfig(t *testing.T) {
	for _, tt := range []struct {
		toml string
		want int
		ok   bool
	}{
		{"", 8, true},
		{"[limits]\nsockets_per_terminal = 2\n", 2, true},
		{"[limits]\nsockets_per_terminal = 0\n", 0, true},
		{"[limits]\nsockets_per_terminal = -1\n", 0, false},
	} {
		cfg, err := config.Parse([]byte(testConfig + tt.toml))
		if (err == nil) != tt.ok {
			t.Errorf("%q: err %v", tt.toml, err)
			continue
		}
		if err == nil && cfg.Limits.SocketsPerTerminal != tt.want {
			t.Errorf("%q: %d, want %d", tt.toml, cfg.Limits.SocketsPerTerminal, tt.want)
		}
	}
}
