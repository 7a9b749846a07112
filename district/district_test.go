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

// Every centre's figures reach the hub, the last word of each day counting
// (a day told again with newer figures replaces it, the same figures again
// change nothing), also those told while the hub was down; the district's
// sum is the sum of the centres'.
func TestFigures(t *testing.T) {
	ctx := context.Background()
	hubAddr := freePort(t)
	hubDir := t.TempDir()
	hub := startHub(t, hubAddr, hubDir)
	defer func() { hub.Close() }()
	a := startCentre(t, "350303-01", hubAddr, t.TempDir())
	defer a.Close()
	b := startCentre(t, "350303-02", hubAddr, t.TempDir())
	defer b.Close()
	eventually(t, "both centres registered", 15*time.Second, func() (bool, string) {
		cs, err := hub.Centres(ctx)
		return err == nil && len(cs) == 3, fmt.Sprint(cs, err)
	})
	day := func(date string, issued, served, accepted, overdue, r5, r1, staff int, waitSum float64) DayFigures {
		return DayFigures{Date: date, Issued: issued, Served: served, Waited: served, WaitSumSec: waitSum,
			CasesAccepted: accepted, CasesOverdue: overdue, Ratings: map[string]int{"5": r5, "1": r1}, Rated: r5 + r1, IntakeStaff: staff}
	}
	for _, f := range []DayFigures{
		day("2026-12-01", 100, 90, 40, 1, 30, 2, 3, 90*600),
		day("2026-12-02", 50, 40, 20, 0, 10, 0, 3, 40*300),
		day("2026-12-02", 60, 55, 25, 0, 12, 1, 3, 55*300), // the day told again: this counts
		day("2026-12-09", 999, 999, 999, 9, 9, 9, 3, 1),    // outside the period asked
	} {
		if err := a.PublishFigures(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.PublishFigures(ctx, day("2026-12-01", 10, 8, 4, 0, 3, 0, 2, 8*120)); err != nil {
		t.Fatal(err)
	}
	// the hub goes down; B tells a day meanwhile, and the same figures twice
	hub.Close()
	for range 2 {
		if err := b.PublishFigures(ctx, day("2026-12-02", 20, 18, 9, 2, 5, 1, 2, 18*240)); err != nil {
			t.Fatal(err)
		}
	}
	hub = startHub(t, hubAddr, hubDir)
	want := map[string]Totals{
		"350303-01": {Issued: 160, Served: 145, CasesAccepted: 65, CasesOverdue: 1, Rated: 45, IntakeStaff: 3, Days: 2},
		"350303-02": {Issued: 30, Served: 26, CasesAccepted: 13, CasesOverdue: 2, Rated: 9, IntakeStaff: 2, Days: 2},
	}
	eventually(t, "the district's figures", 30*time.Second, func() (bool, string) {
		f, err := hub.Figures(ctx, "2026-12-01", "2026-12-08")
		if err != nil {
			return false, err.Error()
		}
		got := map[string]Totals{}
		for _, c := range f.Centres {
			if c.Days > 0 {
				got[c.Centre] = c.Totals
			}
		}
		for k, w := range want {
			g := got[k]
			if g.Issued != w.Issued || g.Served != w.Served || g.CasesAccepted != w.CasesAccepted || g.CasesOverdue != w.CasesOverdue ||
				g.Rated != w.Rated || g.IntakeStaff != w.IntakeStaff || g.Days != w.Days {
				return false, fmt.Sprintf("%s: %+v", k, g)
			}
		}
		s := f.Sum
		if s.Issued != 190 || s.Served != 171 || s.CasesAccepted != 78 || s.CasesOverdue != 3 || s.Rated != 54 ||
			s.IntakeStaff != 5 || s.Ratings["5"] != 12+30+3+5 || s.Ratings["1"] != 2+1+1 {
			return false, fmt.Sprintf("sum %+v", s)
		}
		// mean wait over every service: (90·600 + 55·300 + 8·120 + 18·240) / 171
		if w := (90.0*600 + 55*300 + 8*120 + 18*240) / 171; s.MeanWaitSec < w-0.001 || s.MeanWaitSec > w+0.001 {
			return false, fmt.Sprintf("mean wait %.3f, want %.3f", s.MeanWaitSec, w)
		}
		if got := s.CasesPerStaff; got < 78.0/5-0.001 || got > 78.0/5+0.001 {
			return false, fmt.Sprintf("cases per staff %.3f", got)
		}
		return true, ""
	})
}
