// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"yichuang/config"
	"yichuang/kiosk"
	"yichuang/kiosk/store"
)

// BenchmarkIssueHTTP issues tickets with submissions through the whole
// HTTP handler (auth, limits, JSON, the hall, group commit on a real
// database, the answer), from many goroutines: the CPU a ticket costs
// kioskd, without the network.
func BenchmarkIssueHTTP(b *testing.B) {
	cfg, err := config.Parse([]byte(testConfig + limitsOff + "[queue]\ndaily_cap_per_id = 0\nanonymous_per_minute = 0\n[hall]\nissue_outside_hours = true\n"))
	if err != nil {
		b.Fatal(err)
	}
	cat, err := kiosk.ParseCatalog(config.DefaultCatalog(), []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "k.db"), testKey)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	hub := NewHub(nil, cfg.Location)
	hall, err := kiosk.Open(context.Background(), kiosk.Options{Config: cfg, Catalog: cat, Store: db, Publish: hub.Publish, IDKey: []byte("k")})
	if err != nil {
		b.Fatal(err)
	}
	defer hall.Close()
	srv := NewServer(Options{Hall: hall, Hub: hub})
	matter := cat.Matters()[0].Code
	var n, failed atomic.Int64
	b.SetParallelism(100)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := fmt.Sprintf(`{"matter":%q,"submission":{"applicant":{"id_number":%q,"name":"张三丰"},"delivery":{"mode":"pickup"}}}`, matter, idNumber(i))
			req := httptest.NewRequest(http.MethodPost, "/api/v1/tickets", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tokKiosk)
			req.Header.Set("Idempotency-Key", fmt.Sprintf("k%d", i))
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			if w.Code != http.StatusCreated {
				if failed.Add(1) == 1 {
					b.Errorf("%d %s", w.Code, w.Body)
				}
				return
			}
		}
	})
}

// idNumber makes the i-th distinct valid resident ID number (GB 11643:
// address code, birth date, sequence, check digit).
func idNumber(i int64) string {
	base := fmt.Sprintf("110105%s%03d", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(i/1000)).Format("20060102"), i%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for k, c := range base {
		sum += int(c-'0') * weights[k]
	}
	return base + string("10X98765432"[sum%11])
}
