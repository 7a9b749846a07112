// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"yichuang/devices"
)

// newClient returns an HTTP client that keeps a connection per concurrent
// caller open, as terminals do.
func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        conns * 2,
			MaxIdleConnsPerHost: conns * 2,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
	}
}

// do sends one request and reads the whole answer.
func do(ctx context.Context, c *http.Client, method, url, tok string, body []byte, hdr map[string]string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// idSeq numbers the citizens of a run; each gets a distinct, valid ID number.
var idSeq atomic.Int64

// nextIDNumber returns a valid 18-character ID number no other ticket of
// the run has: region 350303 (涵江区), a birth date and a sequence, and the
// GB 11643 check character.
func nextIDNumber() string {
	n := idSeq.Add(1)
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n/1000))
	first := fmt.Sprintf("350303%s%03d", birth.Format("20060102"), n%1000)
	c, _ := devices.IDCheckDigit(first)
	return first + string(c)
}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田")
var givens = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂")

func citizenName(n int64) string {
	return string([]rune{surnames[n%int64(len(surnames))], givens[(n/7)%int64(len(givens))], givens[(n/13)%int64(len(givens))]})
}

// issueBody is a kiosk's ticket request: a matter (or a zone) and the
// citizen's submission.
func issueBody(matter, zone string) []byte {
	id := nextIDNumber()
	req := map[string]any{
		"submission": map[string]any{
			"applicant": map[string]any{"id_number": id, "name": citizenName(idSeq.Load())},
			"delivery":  map[string]any{"mode": "pickup"},
		},
	}
	if matter != "" {
		req["matter"] = matter
	} else {
		req["zone"] = zone
	}
	b, _ := json.Marshal(req)
	return b
}

// issued is one ticket kioskd answered 201 for.
type issued struct {
	ID, Number, Zone string
	Key              string // its Idempotency-Key
	Kiosk            int
}

type issueResult struct {
	Tickets  []issued
	Lat      durs
	Elapsed  time.Duration
	Non201   int
	Errors   int
	FirstErr string
}

// issueLoad runs clients concurrent kiosks, each issuing tickets one after
// another for d (or until max tickets), with a submission and an
// Idempotency-Key each. pick says what each ticket is for. Every kiosk
// first issues one ticket untimed, so connections are open when the clock
// starts.
func issueLoad(ctx context.Context, base string, kiosks []terminal, clients int, d time.Duration, maxTickets int, pick func(i int) (matter, zone string)) *issueResult {
	c := newClient(clients)
	defer c.CloseIdleConnections()
	var (
		mu    sync.Mutex
		res   = &issueResult{}
		count atomic.Int64
		seq   atomic.Int64
	)
	one := func(k int, timed bool, lat *durs, out *[]issued) bool {
		i := int(seq.Add(1))
		matter, zone := pick(i)
		key := fmt.Sprintf("lg-%d-%d", time.Now().UnixNano(), i)
		body := issueBody(matter, zone)
		t0 := time.Now()
		status, b, err := do(ctx, c, "POST", base+"/api/v1/tickets", kiosks[k%len(kiosks)].Token, body, map[string]string{"Idempotency-Key": key})
		el := time.Since(t0)
		if err != nil || status != http.StatusCreated {
			mu.Lock()
			if err != nil {
				res.Errors++
			} else {
				res.Non201++
			}
			if res.FirstErr == "" {
				if err != nil {
					res.FirstErr = err.Error()
				} else {
					res.FirstErr = fmt.Sprintf("HTTP %d: %s", status, bytes.TrimSpace(b))
				}
			}
			mu.Unlock()
			return false
		}
		var v struct{ ID, Number, Zone string }
		if err := json.Unmarshal(b, &v); err != nil || v.ID == "" {
			mu.Lock()
			res.Errors++
			if res.FirstErr == "" {
				res.FirstErr = fmt.Sprintf("bad answer %q", b)
			}
			mu.Unlock()
			return false
		}
		*out = append(*out, issued{ID: v.ID, Number: v.Number, Zone: v.Zone, Key: key, Kiosk: k % len(kiosks)})
		if timed {
			*lat = append(*lat, el)
		}
		return true
	}
	var wg sync.WaitGroup
	warm := make(chan struct{})
	var ready sync.WaitGroup
	ready.Add(clients)
	var start time.Time
	for k := range clients {
		wg.Go(func() {
			var lat durs
			var out []issued
			one(k, false, &lat, &out)
			ready.Done()
			<-warm
			deadline := start.Add(d)
			for ctx.Err() == nil && time.Now().Before(deadline) && int(count.Add(1)) <= maxTickets {
				if !one(k, true, &lat, &out) {
					break // a correctness error: stop this client
				}
			}
			mu.Lock()
			res.Lat = append(res.Lat, lat...)
			res.Tickets = append(res.Tickets, out...)
			mu.Unlock()
		})
	}
	ready.Wait()
	start = time.Now()
	close(warm)
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res
}

// replayCheck sends n of the tickets' requests again with the same
// Idempotency-Key and the same kiosk: each must answer the same ticket.
func replayCheck(ctx context.Context, base string, kiosks []terminal, ts []issued, n int) (checked int, bad string) {
	c := newClient(1)
	defer c.CloseIdleConnections()
	step := max(1, len(ts)/max(1, n))
	for i := 0; i < len(ts) && checked < n; i += step {
		t := ts[i]
		status, b, err := do(ctx, c, "POST", base+"/api/v1/tickets", kiosks[t.Kiosk].Token, issueBody("", t.Zone), map[string]string{"Idempotency-Key": t.Key})
		if err != nil {
			return checked, err.Error()
		}
		var v struct{ ID string }
		_ = json.Unmarshal(b, &v)
		if (status != http.StatusCreated && status != http.StatusOK) || v.ID != t.ID {
			return checked, fmt.Sprintf("Idempotency-Key %s again: HTTP %d, ticket %q, want %q", t.Key, status, v.ID, t.ID)
		}
		checked++
	}
	return checked, ""
}

// checkUnique reports tickets that share an id or a number.
func checkUnique(ts []issued) string {
	ids := map[string]bool{}
	nums := map[string]bool{}
	for _, t := range ts {
		if ids[t.ID] {
			return "ticket id " + t.ID + " answered twice"
		}
		ids[t.ID] = true
		if nums[t.Number] {
			return "ticket number " + t.Number + " handed out twice"
		}
		nums[t.Number] = true
	}
	return ""
}
