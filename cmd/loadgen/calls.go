// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// called is one ticket a window's call answered.
type called struct {
	ID, Number, Zone string
	Window           int
}

type callResult struct {
	Calls    []called
	Lat      durs
	Elapsed  time.Duration
	Drained  bool // every window ended on a 204: nobody waits for it
	FirstErr string
}

// callOnce presses "next" at window w.
func callOnce(ctx context.Context, c *http.Client, base string, w terminal) (*called, error) {
	status, b, err := do(ctx, c, "POST", fmt.Sprintf("%s/api/v1/windows/%d/call", base, w.Window), w.Token, nil, nil)
	if err != nil {
		return nil, err
	}
	switch status {
	case http.StatusNoContent:
		return nil, nil
	case http.StatusOK:
	default:
		return nil, fmt.Errorf("window %d call: HTTP %d: %s", w.Window, status, b)
	}
	var v struct {
		Ticket struct{ ID, Number, Zone string }
	}
	if err := json.Unmarshal(b, &v); err != nil || v.Ticket.ID == "" {
		return nil, fmt.Errorf("window %d call: bad answer %q", w.Window, b)
	}
	return &called{ID: v.Ticket.ID, Number: v.Ticket.Number, Zone: v.Ticket.Zone, Window: w.Window}, nil
}

// callLoad has every window press "next" as fast as kioskd answers until
// nobody waits for it, for at most d or maxCalls calls in all.
func callLoad(ctx context.Context, base string, windows []terminal, d time.Duration, maxCalls int) *callResult {
	c := newClient(len(windows))
	defer c.CloseIdleConnections()
	res := &callResult{Drained: true}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	total := 0
	for _, w := range windows {
		wg.Go(func() {
			var lat durs
			var out []called
			drained := false
			for ctx.Err() == nil && time.Now().Before(deadline) {
				mu.Lock()
				total++
				over := total > maxCalls
				mu.Unlock()
				if over {
					break
				}
				t0 := time.Now()
				t, err := callOnce(ctx, c, base, w)
				lat = append(lat, time.Since(t0))
				if err != nil {
					mu.Lock()
					if res.FirstErr == "" {
						res.FirstErr = err.Error()
					}
					mu.Unlock()
					break
				}
				if t == nil {
					drained = true
					break
				}
				out = append(out, *t)
			}
			mu.Lock()
			res.Calls = append(res.Calls, out...)
			res.Lat = append(res.Lat, lat...)
			res.Drained = res.Drained && drained
			mu.Unlock()
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res
}

// checkCalls checks that no ticket was called twice and, when the queue was
// drained, that every ticket that waited for these windows was called once.
func checkCalls(calls []called, waiting []issued, drained bool) (dups int, missing int, msg string) {
	seen := map[string]int{}
	for _, c := range calls {
		seen[c.ID]++
	}
	for id, n := range seen {
		if n > 1 {
			dups += n - 1
			if msg == "" {
				msg = fmt.Sprintf("ticket %s called %d times", id, n)
			}
		}
	}
	want := map[string]bool{}
	for _, t := range waiting {
		want[t.ID] = true
		if drained && seen[t.ID] == 0 {
			missing++
			if msg == "" {
				msg = fmt.Sprintf("ticket %s (%s) waited but was never called", t.ID, t.Number)
			}
		}
	}
	for id := range seen {
		if !want[id] && msg == "" {
			msg = fmt.Sprintf("ticket %s was called but loadgen never issued it", id)
		}
	}
	return dups, missing, msg
}
