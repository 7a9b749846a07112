// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
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

// TestMaterialReadFloodMemoryBounded: the kiosk that made a 4 MiB material
// asks for its PDF 40 times at once. Each read holds the document and its
// sealed copy; before, all 40 did at once (about 320 MiB); now
// materialSlots do, and the heap, sampled throughout, grows by less than
// heapBound. Every read still gets the whole document.
func TestMaterialReadFloodMemoryBounded(t *testing.T) {
	const (
		size      = 4 << 20
		readers   = 40
		heapBound = 80 << 20 // materialSlots × 2 × size, and the GC's slack
	)
	e := startEnv(t, limitsOff+fmt.Sprintf("[materials]\nmax_bytes = %d\n", size), nil, func(o *Options) { o.Documents = copyingDocs{} })
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/materials", &pdfish{left: size})
	req.ContentLength = size
	req.Header.Set("Authorization", "Bearer "+tokKiosk)
	req.Header.Set("Content-Type", "application/pdf")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var up struct {
		MaterialID string `json:"material_id"`
	}
	err = json.NewDecoder(res.Body).Decode(&up)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusCreated || up.MaterialID == "" {
		t.Fatalf("upload: %d %v", res.StatusCode, err)
	}

	base := heapInUse()
	var peak atomic.Uint64
	stop, sampled := make(chan struct{}), make(chan struct{})
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
	var wg sync.WaitGroup
	var whole atomic.Int32
	for range readers {
		wg.Go(func() {
			req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/materials/"+up.MaterialID+".pdf", nil)
			req.Header.Set("Authorization", "Bearer "+tokKiosk)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			n, _ := io.Copy(io.Discard, res.Body)
			if res.StatusCode == http.StatusOK && n == size {
				whole.Add(1)
			}
		})
	}
	wg.Wait()
	close(stop)
	<-sampled
	grown := int64(peak.Load()) - int64(base)
	t.Logf("%d parallel reads of a %d MiB material: %d whole, heap peak +%d MiB (bound %d MiB)", readers, size>>20, whole.Load(), grown>>20, heapBound>>20)
	if whole.Load() != readers {
		t.Errorf("%d of %d reads got the whole document", whole.Load(), readers)
	}
	if grown > heapBound {
		t.Errorf("the heap grew by %d MiB, over the bound of %d MiB", grown>>20, heapBound>>20)
	}
}
