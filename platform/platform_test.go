// SPDX-License-Identifier: AGPL-3.0-or-later

package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"yichuang/kiosk"
)

type events []kiosk.Event

func (es events) EventsSince(ctx context.Context, seq int64, limit int) ([]kiosk.Event, error) {
	var out []kiosk.Event
	for _, e := range es {
		if e.Seq > seq && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func sample() events {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	return events{
		{Seq: 1, Type: "ticket.issued", At: at, Data: []byte(`{"number":"A001"}`)},
		{Seq: 2, Type: "case.accepted", At: at, Data: []byte(`{"number":"C1"}`)},
		{Seq: 3, Type: "card.read", At: at, Data: []byte(`{}`), Terminal: "kiosk-1"},
		{Seq: 4, Type: "rating.recorded", At: at, Data: []byte(`{"level":2}`)},
		{Seq: 5, Type: "case.updated", At: at, Data: []byte(`{"number":"C1","state":"routed"}`)},
	}
}

// runUntil runs f until cond holds, then stops it.
func runUntil(t *testing.T, f *Forwarder, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}

func TestWebhookSignedInOrderWithRetries(t *testing.T) {
	secret := []byte("s3cret")
	var mu sync.Mutex
	var got []int64
	fails := 2
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Kioskd-Signature") != Sign(secret, body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		var d Doc
		if err := json.Unmarshal(body, &d); err != nil || d.Hall != "350303" || fmt.Sprint(d.Seq) != r.Header.Get("X-Kioskd-Event") {
			http.Error(w, "bad doc", 400)
			return
		}
		got = append(got, d.Seq)
	}))
	defer srv.Close()
	cursor := filepath.Join(t.TempDir(), "cursor")
	f := &Forwarder{Hall: "350303", Source: sample(), Sink: &Webhook{URL: srv.URL, Secret: secret}, Cursor: cursor,
		MinBackoff: time.Millisecond, Poll: time.Millisecond}
	runUntil(t, f, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 3 })
	if fmt.Sprint(got) != "[2 4 5]" {
		t.Fatalf("delivered %v, want [2 4 5] (cases and ratings, in order, not terminal events)", got)
	}
	b, _ := os.ReadFile(cursor)
	if string(b) != "5\n" {
		t.Fatalf("cursor %q", b)
	}
	// a restart hands over only what came after the cursor
	more := append(sample(), kiosk.Event{Seq: 6, Type: "case.updated", Data: []byte(`{}`)})
	f.Source = more
	runUntil(t, f, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 4 })
	if fmt.Sprint(got) != "[2 4 5 6]" {
		t.Fatalf("after restart %v", got)
	}
}

func TestFolder(t *testing.T) {
	dir := t.TempDir()
	f := &Forwarder{Hall: "350303", Source: sample(), Sink: &Folder{Dir: filepath.Join(dir, "out")}, Cursor: filepath.Join(dir, "cursor"), Poll: time.Millisecond}
	runUntil(t, f, func() bool { fs, _ := filepath.Glob(filepath.Join(dir, "out", "*.json")); return len(fs) == 3 })
	b, err := os.ReadFile(filepath.Join(dir, "out", "000000000004.json"))
	var d Doc
	if err != nil || json.Unmarshal(b, &d) != nil || d.Type != "rating.recorded" {
		t.Fatalf("file: %s %v", b, err)
	}
	// with no cursor the forwarder starts where Start says: history is not replayed
	f2 := &Forwarder{Source: sample(), Sink: &Folder{Dir: filepath.Join(dir, "out2")}, Cursor: filepath.Join(dir, "cursor2"),
		Start: func() int64 { return 4 }, Poll: time.Millisecond}
	runUntil(t, f2, func() bool { fs, _ := filepath.Glob(filepath.Join(dir, "out2", "*.json")); return len(fs) == 1 })
}
