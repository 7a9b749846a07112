// SPDX-License-Identifier: AGPL-3.0-or-later

package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestOutboxPrune: what was sent or withdrawn long ago goes; what waits,
// what was refused and what is recent stays.
func TestOutboxPrune(t *testing.T) {
	ctx := context.Background()
	box, err := OpenOutbox(ctx, filepath.Join(t.TempDir(), "outbox.db"), testKey)
	if err != nil {
		t.Fatal(err)
	}
	defer box.Close()
	old, recent := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for _, e := range []struct {
		key, state string
		at         time.Time
	}{
		{"old-done", EntryDone, old}, {"old-canceled", EntryCanceled, old}, {"old-failed", EntryFailed, old},
		{"old-pending", EntryPending, old}, {"recent-done", EntryDone, recent},
	} {
		got, _, err := box.Add(ctx, Entry{Key: e.key, Kind: "ticket", Method: "POST", Path: "/api/v1/tickets", Body: []byte("{}"), CreatedAt: e.at})
		if err != nil {
			t.Fatal(err)
		}
		if e.state != EntryPending {
			if err := box.Finish(ctx, got.ID, got.Key, e.state, 201, []byte("{}"), ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := box.AddBlocks(ctx, []Block{{Day: "2026-11-01", Zone: "A", Prefix: "A", From: 901, To: 920, Expires: old}, {Day: "2026-11-02", Zone: "A", Prefix: "A", From: 901, To: 920, Expires: old}}); err != nil {
		t.Fatal(err)
	}
	if err := box.MarkReturned(ctx, Block{Day: "2026-11-01", Zone: "A", From: 901}); err != nil {
		t.Fatal(err)
	}
	n, err := box.Prune(ctx, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), "2026-11-20")
	if err != nil || n != 2 {
		t.Fatalf("pruned %d (%v), want 2", n, err)
	}
	for key, want := range map[string]bool{"old-done": false, "old-canceled": false, "old-failed": true, "old-pending": true, "recent-done": true} {
		if _, ok, err := box.Get(ctx, key); err != nil || ok != want {
			t.Errorf("%s kept %v (%v), want %v", key, ok, err, want)
		}
	}
	var blocks int
	if err := box.db.QueryRowContext(ctx, `SELECT count(*) FROM blocks`).Scan(&blocks); err != nil || blocks != 1 {
		t.Fatalf("%d blocks left (%v), want the one not returned", blocks, err)
	}
}
