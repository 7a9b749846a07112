// SPDX-License-Identifier: AGPL-3.0-or-later

package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"yichuang/config"
	"yichuang/kiosk"
)

// BenchmarkIssueParallel issues tickets from many goroutines through the
// hall on a real database: every ticket is fsynced before Issue returns;
// concurrent issues share transactions (group commit).
func BenchmarkIssueParallel(b *testing.B) {
	ctx := context.Background()
	cfg, err := config.Parse([]byte("[queue]\ndaily_cap_per_id = 0\nanonymous_per_minute = 0\n[hall]\nissue_outside_hours = true\n"))
	if err != nil {
		b.Fatal(err)
	}
	cat, err := kiosk.ParseCatalog(config.DefaultCatalog(), []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	db, err := Open(ctx, filepath.Join(b.TempDir(), "k.db"), testKey)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	hall, err := kiosk.Open(ctx, kiosk.Options{Config: cfg, Catalog: cat, Store: db, IDKey: []byte("k")})
	if err != nil {
		b.Fatal(err)
	}
	defer hall.Close()
	zones := []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}
	b.SetParallelism(100) // 100 × GOMAXPROCS concurrent issuers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := hall.Issue(ctx, kiosk.Actor{Terminal: "bench", Role: "kiosk"}, kiosk.IssueRequest{Zone: zones[i%len(zones)]}); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkBareInsertPerTicket is the limit to compare with: the same rows
// written one transaction (and one fsync) per ticket, synchronous=FULL.
func BenchmarkBareInsertPerTicket(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "k.db"), testKey)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := fmt.Sprintf("t%d", i)
		t := &kiosk.Ticket{ID: id, Day: "2026-11-27", Zone: "A", Seq: i + 1, Number: fmt.Sprintf("A%03d", i+1), Status: kiosk.StatusWaiting, IssuedAt: now, StatusKey: "k"}
		err := db.Commit(ctx, []*kiosk.Change{{
			Tickets:  []*kiosk.Ticket{t},
			Counters: []kiosk.Counter{{Day: "2026-11-27", Key: "A", Seq: i + 1}},
			Audit:    []kiosk.AuditEntry{{At: now, Actor: "bench", Role: "kiosk", Action: "ticket.issue", TicketID: id, Number: t.Number}},
			Events:   []kiosk.Event{{Seq: int64(i + 1), Type: "ticket.issued", At: now, Data: []byte(`{}`)}},
		}})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadBusyDay reads back what a restart reads: a hall day of
// 75,000 tickets, each with a sealed submission, as kiosk.Hall.Open loads
// them (the figure behind "start to /healthz after a busy day").
func BenchmarkLoadBusyDay(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "k.db"), testKey)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const n = 75_000
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for i := 0; i < n; i += 1000 {
		ch := &kiosk.Change{}
		for j := i; j < i+1000; j++ {
			status := kiosk.StatusDone
			if j >= n-2000 {
				status = kiosk.StatusWaiting
			}
			ch.Tickets = append(ch.Tickets, &kiosk.Ticket{
				ID: fmt.Sprintf("%032x", j), Day: "2026-11-27", Zone: "A", Seq: j + 1, Number: fmt.Sprintf("A%03d", j+1),
				Matter: "HJ-SJ-0001", Status: status, IssuedAt: at.Add(time.Duration(j) * time.Millisecond), Terminal: "kiosk-1",
				IDHash: fmt.Sprintf("%064x", j), StatusKey: fmt.Sprintf("%024x", j), Window: 3, Staff: "s1",
				Submission: &kiosk.Submission{Matter: "HJ-SJ-0001", Applicant: kiosk.Applicant{IDNumber: "11010519491231002X", Name: "张三丰", Phone: "13800138000"},
					Materials: []string{fmt.Sprintf("%032x", j)}, Delivery: kiosk.Delivery{Mode: "pickup"}},
			})
		}
		if err := db.Commit(ctx, []*kiosk.Change{ch}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("store", func(b *testing.B) {
		for range b.N {
			s, err := db.Load(ctx, "2026-11-26")
			if err != nil || len(s.Tickets) != n {
				b.Fatalf("loaded %d tickets, %v", len(s.Tickets), err)
			}
		}
	})
	cfg, err := config.Parse([]byte("timezone = \"UTC\"\n"))
	if err != nil {
		b.Fatal(err)
	}
	cat, err := kiosk.ParseCatalog(config.DefaultCatalog(), []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("hall", func(b *testing.B) { // what kioskd serve does with it: the store's load, then the hall's indexes
		for range b.N {
			h, err := kiosk.Open(ctx, kiosk.Options{Config: cfg, Catalog: cat, Store: db, IDKey: []byte("k"),
				Now: func() time.Time { return at.Add(10 * time.Hour) }})
			if err != nil {
				b.Fatal(err)
			}
			h.Close()
		}
	})
}
