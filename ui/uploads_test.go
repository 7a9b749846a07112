// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// copyingDocs accepts any body as a one-page PDF and hands back a copy, as
// the validating child does (its answer is read into a new buffer).
type copyingDocs struct{}

func (copyingDocs) Validate(ctx context.Context, body []byte, contentType string) ([]byte, string, int, error) {
	return bytes.Clone(body), "pdf", 1, nil
}

func (copyingDocs) Render(ctx context.Context, doc []byte, page, width int) ([]byte, error) {
	return nil, fmt.Errorf("not rendered here")
}

// pdfish yields n bytes that start like a PDF, without holding them.
type pdfish struct{ left, off int64 }

func (p *pdfish) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(b)), p.left))
	for i := range n {
		b[i] = '0' + byte((p.off+int64(i))%10)
	}
	if p.off == 0 && n >= 5 {
		copy(b, "%PDF-")
	}
	p.off += int64(n)
	p.left -= int64(n)
	return n, nil
}

// noLength hides a reader's length, so the client sends it chunked.
type noLength struct{ io.Reader }

// TestUploadFloodMemoryBounded is issue #17 class 2 as an attacker tries it:
// 30 oversized bodies that declare their length (half of them asking
// "Expect: 100-continue", as a careful client does), 30 oversized bodies
// sent chunked (no length), and 10 bodies of exactly the limit, all at once.
// The declared ones are refused before they are read (a client that sends
// its body anyway may see the connection closed instead of the 413), the
// chunked ones once max_bytes+1 has been spooled (the same), the limit-sized ones are
// stored; the heap, sampled throughout, never grows by more than heapBound
// (before, every body was read into memory, up to 64 MiB: 60 × 5 MiB here),
// and after the flood it is back within settleBound of where it was.
func TestUploadFloodMemoryBounded(t *testing.T) {
	const (
		limit       = 4 << 20
		oversize    = 5 << 20
		heapBound   = 64 << 20 // uploadSlots × 3 × limit, and the GC's slack
		settleBound = 8 << 20
	)
	e := startEnv(t, limitsOff+fmt.Sprintf("[materials]\nmax_bytes = %d\n", limit), nil, func(o *Options) { o.Documents = copyingDocs{} })
	base := heapInUse()
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	type shot struct {
		name   string
		size   int64
		length bool
		expect bool
		want   int
	}
	var shots []shot
	for i := range 30 {
		shots = append(shots, shot{"declared oversize", oversize, true, i%2 == 0, http.StatusRequestEntityTooLarge},
			shot{"chunked oversize", oversize, false, false, http.StatusRequestEntityTooLarge})
	}
	for range 10 {
		shots = append(shots, shot{"limit-sized", limit, true, false, http.StatusCreated})
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, ExpectContinueTimeout: 5 * time.Second}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[string]map[int]int{}
	for _, s := range shots {
		wg.Go(func() {
			var body io.Reader = &pdfish{left: s.size}
			if !s.length {
				body = noLength{body}
			}
			req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/materials", body)
			if s.length {
				req.ContentLength = s.size
			}
			req.Header.Set("Authorization", "Bearer "+tokKiosk)
			req.Header.Set("Content-Type", "application/pdf")
			if s.expect {
				req.Header.Set("Expect", "100-continue")
			}
			status := -1 // the connection closed before an answer
			res, err := client.Do(req)
			if err == nil {
				var ae apiError
				_ = json.NewDecoder(res.Body).Decode(&ae)
				res.Body.Close()
				status = res.StatusCode
				if status == http.StatusRequestEntityTooLarge && ae.Error == "" {
					t.Errorf("%s: a 413 without words", s.name)
				}
			}
			mu.Lock()
			if got[s.name] == nil {
				got[s.name] = map[int]int{}
			}
			got[s.name][status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	close(stop)
	<-sampled
	after := heapInUse()
	t.Logf("answers %v; heap peak +%d MiB (bound %d MiB), after the flood %+d KiB (bound %d KiB)",
		got, (int64(peak.Load())-int64(base))>>20, heapBound>>20, (int64(after)-int64(base))>>10, settleBound>>10)
	want := map[string]map[int]bool{
		"declared oversize": {413: true, -1: true},
		"chunked oversize":  {413: true, -1: true},
		"limit-sized":       {201: true},
	}
	for name, answers := range got {
		for status := range answers {
			if !want[name][status] {
				t.Errorf("%s: answers %v", name, answers)
			}
		}
	}
	if got["declared oversize"][413] < 15 {
		t.Errorf("declared oversize: answers %v; every one that asked 100-continue must get its 413", got["declared oversize"])
	}
	if grown := int64(peak.Load()) - int64(base); grown > heapBound {
		t.Errorf("the heap grew by %d MiB under the flood, over the bound of %d MiB", grown>>20, heapBound>>20)
	}
	if grown := int64(after) - int64(base); grown > settleBound {
		t.Errorf("the heap stayed %d KiB above its start after the flood", grown>>10)
	}
}
