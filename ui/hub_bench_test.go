// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"yichuang/config"
	"yichuang/kiosk"
)

// BenchmarkHubPublish fans one ticket.called event out to n connected
// screens: one encoding, then a channel send per client; each client's
// channel is drained by its own goroutine, as each WebSocket's writer does.
// Publishing back to back outruns the drainers on a busy machine, so the
// channels are deeper than the hub's own; "dropped" counts the clients the
// hub dropped anyway (0 when the figure is for all n).
func BenchmarkHubPublish(b *testing.B) {
	data, _ := json.Marshal(map[string]any{"id": "0123456789abcdef0123456789abcdef", "number": "A012", "zone": "A", "window": 3, "recall": false, "waiting": 17})
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			h := NewHub(nil, time.UTC)
			var wg sync.WaitGroup
			var clients []*client
			depth := max(1024, min(b.N+1, 1<<20/n))
			for i := range n {
				c := &client{term: config.Terminal{ID: fmt.Sprintf("display-%d", i), Role: config.RoleDisplay}, send: make(chan outMsg, depth), gone: make(chan struct{})}
				clients = append(clients, c)
				h.clients[c] = struct{}{}
				wg.Go(func() {
					for {
						select {
						case <-c.send:
						case <-c.gone:
							return
						}
					}
				})
			}
			e := kiosk.Event{Type: "ticket.called", At: time.Now(), Data: data}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e.Seq++
				h.Publish(e)
			}
			b.StopTimer()
			b.ReportMetric(float64(n-h.Clients()), "dropped")
			for _, c := range clients {
				c.drop()
			}
			wg.Wait()
		})
	}
}

// BenchmarkHubEncode is one event's encoding, the part of Publish done once.
func BenchmarkHubEncode(b *testing.B) {
	h := NewHub(nil, time.UTC)
	data, _ := json.Marshal(map[string]any{"id": "0123456789abcdef0123456789abcdef", "number": "A012", "zone": "A", "window": 3, "recall": false, "waiting": 17})
	e := kiosk.Event{Seq: 1, Type: "ticket.called", At: time.Now(), Data: data}
	for b.Loop() {
		h.encode(e, nil)
	}
}
