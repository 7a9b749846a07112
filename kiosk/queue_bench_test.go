// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"yichuang/config"
)

// benchHall opens a hall on a memory store with every window in zone A
// (they all contest one queue) and issues waiting tickets there.
func benchHall(b *testing.B, windows, waiting int) *Hall {
	b.Helper()
	var ws []string
	for n := 1; n <= windows; n++ {
		ws = append(ws, strconv.Itoa(n))
	}
	var toml strings.Builder
	fmt.Fprintf(&toml, "[queue]\ndaily_cap_per_id = 0\n\n[[zones]]\nid = \"A\"\nname = \"商事登记区\"\nwindows = [%s]\n", strings.Join(ws, ", "))
	for _, z := range []string{"B", "C", "D", "E", "F", "G", "H", "J"} {
		fmt.Fprintf(&toml, "\n[[zones]]\nid = %q\nname = \"区%s\"\nwindows = []\n", z, z)
	}
	cfg, err := config.Parse([]byte(toml.String()))
	if err != nil {
		b.Fatal(err)
	}
	cat, err := ParseCatalog([]byte(testCatalog), []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	h, err := Open(context.Background(), Options{Config: cfg, Catalog: cat, Store: newMemStore(), IDKey: []byte("bench-key")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(h.Close)
	for i := range waiting {
		benchIssue(b, h, i%10 == 0)
	}
	return h
}

func benchIssue(b *testing.B, h *Hall, priority bool) {
	if _, err := h.Issue(context.Background(), kioskA, IssueRequest{Zone: "A", Priority: priority, PriorityReason: reasonIf(priority)}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkHallCall is one window's "next" (Hall.Call: pick the next
// ticket of the zone by the calling rules, finish the held one, commit)
// plus one ticket issued (Hall.Issue) to keep the queue at its length;
// windows take turns. Both walk the zone's waiting tickets under the hall's
// lock: BenchmarkPickInZone and BenchmarkCountAhead are those walks alone.
func BenchmarkHallCall(b *testing.B) {
	for _, waiting := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("waiting=%d", waiting), func(b *testing.B) {
			h := benchHall(b, 30, waiting)
			ctx := context.Background()
			w := 0
			for b.Loop() {
				w = w%30 + 1
				t, err := h.Call(ctx, win(w), w, CallRequest{})
				if err != nil || t == nil {
					b.Fatalf("call %d: %v, %v", w, t, err)
				}
				benchIssue(b, h, w%10 == 0)
			}
		})
	}
}

// BenchmarkHallCallParallel has 30 windows call at once, each on its own
// goroutine, contesting the hall's lock and its committer; every call
// also issues one ticket to keep the queue full.
func BenchmarkHallCallParallel(b *testing.B) {
	h := benchHall(b, 30, 1000)
	ctx := context.Background()
	var next atomic.Int64
	b.SetParallelism(15) // 30 goroutines on 2 CPUs
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := int(next.Add(1)-1)%30 + 1
		for pb.Next() {
			t, err := h.Call(ctx, win(w), w, CallRequest{})
			if err != nil || t == nil {
				b.Errorf("call %d: %v, %v", w, t, err)
				return
			}
			if _, err := h.Issue(ctx, kioskA, IssueRequest{Zone: "A"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkPickInZone is the calling rule alone over a zone's waiting
// tickets (a tenth of them priority), as Call runs it under the hall's lock.
func BenchmarkPickInZone(b *testing.B) {
	now := time.Now()
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("waiting=%d", n), func(b *testing.B) {
			ws := benchWaiting(n, now)
			p := Policy{PriorityRatio: 2, MaxWait: time.Hour}
			for b.Loop() {
				if pickInZone(ws, 1, p, zoneCounter{normalsSincePriority: 1, anyPriorityCalled: true}, now) == nil {
					b.Fatal("nothing picked")
				}
			}
		})
	}
}

// BenchmarkCountAhead is what Issue does under the hall's lock to answer
// waiting_ahead: one pass over the zone's waiting tickets.
func BenchmarkCountAhead(b *testing.B) {
	now := time.Now()
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("waiting=%d", n), func(b *testing.B) {
			ws := benchWaiting(n, now)
			last := ws[len(ws)-1]
			for b.Loop() {
				countAhead(ws, last)
			}
		})
	}
}

func benchWaiting(n int, now time.Time) []*Ticket {
	ws := make([]*Ticket, n)
	for i := range ws {
		ws[i] = &Ticket{ID: fmt.Sprintf("t%d", i), Day: "2026-11-27", Zone: "A", Seq: i + 1, Number: fmt.Sprintf("A%03d", i+1),
			Priority: i%10 == 0, Status: StatusWaiting, IssuedAt: now.Add(time.Duration(i-n) * time.Second)}
	}
	return ws
}
