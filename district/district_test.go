// SPDX-License-Identifier: AGPL-3.0-or-later

package district

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

// freePort returns a loopback address nobody listens on.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

const token = "district-test-token-0123456789"

func startHub(t *testing.T, addr, dir string) *Node {
	t.Helper()
	n, err := Start(context.Background(), Config{Centre: "350303-00", Name: "区中心", Hub: true, LeafListen: addr,
		Token: token, StoreDir: dir, Heartbeat: 200 * time.Millisecond}, testLog(t))
	if err != nil {
		t.Fatalf("hub: %v", err)
	}
	return n
}

func startCentre(t *testing.T, code, hubAddr, dir string) *Node {
	t.Helper()
	n, err := Start(context.Background(), Config{Centre: code, Name: "镇中心 " + code, URLs: []string{"nats-leaf://" + hubAddr},
		Token: token, StoreDir: dir, Heartbeat: 200 * time.Millisecond}, testLog(t))
	if err != nil {
		t.Fatalf("centre %s: %v", code, err)
	}
	return n
}

func eventually(t *testing.T, what string, d time.Duration, ok func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	var last string
	for time.Now().Before(deadline) {
		var done bool
		if done, last = ok(); done {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s (last: %s)", what, d, last)
}

// catalogs collects the versions a node applies.
type catalogs struct {
	mu       sync.Mutex
	versions []uint64
	data     map[uint64]string
}

func (c *catalogs) apply(v uint64, b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if string(b) == "refuse me" {
		return fmt.Errorf("not a catalog")
	}
	c.versions = append(c.versions, v)
	if c.data == nil {
		c.data = map[uint64]string{}
	}
	c.data[v] = string(b)
	return nil
}

func (c *catalogs) last() (uint64, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.versions) == 0 {
		return 0, ""
	}
	v := c.versions[len(c.versions)-1]
	return v, c.data[v]
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no centre", Config{Token: "x", Hub: true, LeafListen: "127.0.0.1:7422"}, "district.centre"},
		{"bad centre", Config{Centre: "a b", Token: "x", Hub: true, LeafListen: "127.0.0.1:7422"}, "district.centre"},
		{"no token", Config{Centre: "350303-00", Hub: true, LeafListen: "127.0.0.1:7422"}, "district.token"},
		{"hub without listen", Config{Centre: "350303-00", Token: "x", Hub: true}, "district.leaf_listen"},
		{"centre without url", Config{Centre: "350303-01", Token: "x"}, "district.url"},
		{"centre with a bad url", Config{Centre: "350303-01", Token: "x", URLs: []string{"::"}}, "district.url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if err == nil || !contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want an error naming %s", err, tc.want)
			}
		})
	}
	if err := (Config{Centre: "350303-01", Token: "x", URLs: []string{"nats-leaf://127.0.0.1:7422"}}).Validate(); err != nil {
		t.Fatalf("a good centre config: %v", err)
	}
}

func contains(s, sub string) bool { return len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0) }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// A hub and two centres: the catalog flows down to both (one of them down
// when it is published), every centre's events reach the hub once and in
// order, across a cut link, and the hub lists the centres.
func TestHubAndCentres(t *testing.T) {
	ctx := context.Background()
	hubAddr := freePort(t)
	hubDir, aDir, bDir := t.TempDir(), t.TempDir(), t.TempDir()
	hub := startHub(t, hubAddr, hubDir)
	defer func() { hub.Close() }()
	var hubCat catalogs
	if err := hub.WatchCatalog(ctx, hubCat.apply); err != nil {
		t.Fatal(err)
	}

	a := startCentre(t, "350303-01", hubAddr, aDir)
	defer func() { a.Close() }()
	var aCat catalogs
	if err := a.WatchCatalog(ctx, aCat.apply); err != nil {
		t.Fatal(err)
	}
	b := startCentre(t, "350303-02", hubAddr, bDir)
	var bCat catalogs
	if err := b.WatchCatalog(ctx, bCat.apply); err != nil {
		t.Fatal(err)
	}
	eventually(t, "both centres registered and online", 15*time.Second, func() (bool, string) {
		cs, err := hub.Centres(ctx)
		if err != nil {
			return false, err.Error()
		}
		on := 0
		for _, c := range cs {
			if c.Online {
				on++
			}
		}
		return len(cs) == 3 && on == 3, fmt.Sprintf("%+v", cs)
	})

	v1, err := hub.PublishCatalog(ctx, []byte(`{"version":"one"}`))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "version 1 at both centres", 15*time.Second, func() (bool, string) {
		va, _ := aCat.last()
		vb, _ := bCat.last()
		vh, _ := hubCat.last()
		return va == v1 && vb == v1 && vh == v1, fmt.Sprint(va, vb, vh)
	})

	eventually(t, "the hub sees every node run version 1", 15*time.Second, func() (bool, string) {
		cs, err := hub.Centres(ctx)
		if err != nil {
			return false, err.Error()
		}
		for _, c := range cs {
			if c.CatalogVersion != v1 {
				return false, fmt.Sprintf("%+v", cs)
			}
		}
		return true, ""
	})

	// centre B goes down; a new version is published meanwhile
	b.Close()
	v2, err := hub.PublishCatalog(ctx, []byte(`{"version":"two"}`))
	if err != nil {
		t.Fatal(err)
	}
	if v2 <= v1 {
		t.Fatalf("version %d after %d", v2, v1)
	}
	// a version a centre refuses is skipped; the last good one stays
	if _, err := hub.PublishCatalog(ctx, []byte("refuse me")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "version 2 at centre A", 15*time.Second, func() (bool, string) {
		v, d := aCat.last()
		return v == v2 && d == `{"version":"two"}`, fmt.Sprint(v, d)
	})
	eventually(t, "centre B offline at the hub", 15*time.Second, func() (bool, string) {
		cs, _ := hub.Centres(ctx)
		for _, c := range cs {
			if c.Centre == "350303-02" {
				return !c.Online && c.CatalogVersion == v1 && c.LastSeen != nil, fmt.Sprintf("%+v", c)
			}
		}
		return false, "B not listed"
	})

	// B restarts on its own store: it gets version 2 on reconnect
	b = startCentre(t, "350303-02", hubAddr, bDir)
	defer func() { b.Close() }()
	bCat = catalogs{}
	if err := b.WatchCatalog(ctx, bCat.apply); err != nil {
		t.Fatal(err)
	}
	eventually(t, "version 2 at centre B after its restart", 15*time.Second, func() (bool, string) {
		v, d := bCat.last()
		return v == v2 && d == `{"version":"two"}`, fmt.Sprint(v, d)
	})

	// events: A publishes while the hub is down (its stream is local), with
	// one retry of an id; the hub gets each once, in order, when it is back
	hub.Close()
	for i := 1; i <= 20; i++ {
		id := "ev-" + strconv.Itoa(i)
		if _, err := a.Publish(ctx, "case.accepted", id, []byte(id)); err != nil {
			t.Fatalf("publish %s with the hub down: %v", id, err)
		}
		if i == 7 { // a retry after a crash: the same id again
			if _, err := a.Publish(ctx, "case.accepted", id, []byte(id)); err != nil {
				t.Fatal(err)
			}
		}
	}
	hub = startHub(t, hubAddr, hubDir)
	eventually(t, "A's 20 events at the hub", 30*time.Second, func() (bool, string) {
		ms, err := hub.Events(ctx, 1, 100)
		if err != nil {
			return false, err.Error()
		}
		var got []string
		for _, m := range ms {
			if m.Subject == eventSubject("350303-01", "case.accepted") {
				got = append(got, string(m.Data))
			}
		}
		if len(got) != 20 {
			return false, fmt.Sprint(got)
		}
		for i, g := range got {
			if g != "ev-"+strconv.Itoa(i+1) {
				t.Fatalf("event %d is %s: %v", i+1, g, got)
			}
		}
		return true, ""
	})
	eventually(t, "nothing behind after catch-up", 15*time.Second, func() (bool, string) {
		cs, err := hub.Centres(ctx)
		if err != nil {
			return false, err.Error()
		}
		for _, c := range cs {
			if c.Behind != 0 || !c.Online {
				return false, fmt.Sprintf("%+v", cs)
			}
		}
		return len(cs) == 3, fmt.Sprintf("%+v", cs)
	})
}

func testLog(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return nil
}
