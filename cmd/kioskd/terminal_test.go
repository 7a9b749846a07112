// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yichuang/config"
)

// netLink is a TCP proxy between terminal nodes and the hall node that can
// be cut (connections dropped and refused) or stalled (connections
// accepted, nothing passed on).
type netLink struct {
	ln     net.Listener
	target string
	mode   atomic.Int32
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
}

const (
	netUp = iota
	netCut
	netStall
)

func newNetLink(t *testing.T, target string) *netLink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &netLink{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	t.Cleanup(func() { ln.Close(); l.set(netCut) })
	go l.serve()
	return l
}

func (l *netLink) addr() string { return l.ln.Addr().String() }

func (l *netLink) track(c net.Conn) {
	l.mu.Lock()
	l.conns[c] = struct{}{}
	l.mu.Unlock()
}

// set changes the mode; cutting or stalling drops what is open.
func (l *netLink) set(mode int32) {
	l.mode.Store(mode)
	if mode == netUp {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.conns {
		c.Close()
		delete(l.conns, c)
	}
}

func (l *netLink) serve() {
	for {
		c, err := l.ln.Accept()
		if err != nil {
			return
		}
		switch l.mode.Load() {
		case netCut:
			c.Close()
			continue
		case netStall:
			l.track(c) // held open, unanswered, until the mode changes
			continue
		}
		up, err := net.Dial("tcp", l.target)
		if err != nil {
			c.Close()
			continue
		}
		l.track(c)
		l.track(up)
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		go func() { _, _ = io.Copy(c, up); c.Close() }()
	}
}

const (
	tokKiosk2   = "kiosk2-token-0123456789"
	tokLocal    = "local-kiosk-token-0123456"
	hallOnlyDev = `
[devices.printer]
uri = ""
[devices.idcard]
port = ""
[devices.scanner]
backend = ""
[devices.voice]
engine = "off"
`
)

func writeConf(t *testing.T, path, s string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// hallConfig is a hall node with two kiosks' terminal nodes.
func hallConfig(t *testing.T, dir, listen string) string {
	return writeConf(t, filepath.Join(dir, "hall.toml"), fmt.Sprintf(`listen = %q
data_dir = %q
log_level = "warn"
terminals = [
  { id = "kiosk-1", role = "kiosk", token = %q },
  { id = "kiosk-2", role = "kiosk", token = %q },
  { id = "admin", role = "admin", token = %q },
  { id = "window-1", role = "window", window = 1, token = %q },
]
[queue]
daily_cap_per_id = 0
anonymous_per_minute = 0
[hall]
issue_outside_hours = true
[limits]
terminal_per_second = 0
[leases]
size = 10
`, listen, filepath.Join(dir, "hall-data"), tokKiosk, tokKiosk2, tokAdmin, tokWin)+hallOnlyDev)
}

// terminalConfig is a kiosk's terminal node: its own token for its page,
// and hallToken on the hall node behind link.
func terminalConfig(t *testing.T, dir, name, listen, link, hallToken string) string {
	return writeConf(t, filepath.Join(dir, name+".toml"), fmt.Sprintf(`listen = %q
data_dir = %q
log_level = "warn"
terminals = [ { id = "kiosk-1", role = "kiosk", token = %q } ]
[limits]
terminal_per_second = 0
[hall]
issue_outside_hours = true
[upstream]
url = "http://%s"
token = %q
timeout_ms = 1000
`, listen, filepath.Join(dir, name+"-data"), tokLocal, link, hallToken)+hallOnlyDev)
}

type handed struct {
	id, number, issuedAt string
	offline              bool
}

// upstreamState reads a terminal node's link to its hall node.
func upstreamState(t *testing.T, addr string) (pending int, left float64) {
	t.Helper()
	code, m, err := request(addr, "GET", "/api/v1/upstream", tokLocal, "")
	if err != nil || code != 200 {
		return -1, 0
	}
	up, _ := m["upstream"].(map[string]any)
	p, _ := up["pending"].(float64)
	l, _ := up["offline_left"].(map[string]any)
	a, _ := l["A"].(float64)
	return int(p), a
}

func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHallOutage: two kiosks' terminal nodes issue tickets while the hall
// node is killed (SIGKILL) and restarted, the network between them stalls
// and is cut, and one terminal node is itself killed. Afterwards every
// ticket a citizen was handed is in the hall's queue exactly once, with
// the number and issue time it was handed with, no number twice.
func TestHallOutage(t *testing.T) {
	dir := t.TempDir()
	hallAddr := freeAddr(t)
	hcfg := hallConfig(t, dir, hallAddr)
	hall := start(t, hcfg, hallAddr)
	link := newNetLink(t, hallAddr)
	type term struct {
		name, addr, cfg string
		p               *proc
	}
	terms := []*term{{name: "t1", addr: freeAddr(t)}, {name: "t2", addr: freeAddr(t)}}
	for i, tm := range terms {
		tm.cfg = terminalConfig(t, dir, tm.name, tm.addr, link.addr(), []string{tokKiosk, tokKiosk2}[i])
		tm.p = start(t, tm.cfg, tm.addr)
	}
	for _, tm := range terms {
		waitUntil(t, tm.name+"'s offline blocks", 20*time.Second, func() bool { _, l := upstreamState(t, tm.addr); return l > 0 })
	}

	var mu sync.Mutex
	got := map[string][]handed{} // terminal → tickets handed out
	var refused atomic.Int32
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var seq atomic.Int64
	for _, tm := range terms {
		for k := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					zone := []string{"A", "B"}[(k+i)%2]
					req, _ := http.NewRequest("POST", "http://"+tm.addr+"/api/v1/tickets", strings.NewReader(fmt.Sprintf(`{"zone":%q}`, zone)))
					req.Header.Set("Authorization", "Bearer "+tokLocal)
					req.Header.Set("Idempotency-Key", fmt.Sprintf("c%d", seq.Add(1)))
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						time.Sleep(50 * time.Millisecond)
						continue // the terminal node itself is down: nothing was promised
					}
					b, _ := io.ReadAll(res.Body)
					res.Body.Close()
					if res.StatusCode != 201 {
						refused.Add(1) // said in words; nothing handed out
						time.Sleep(50 * time.Millisecond)
						continue
					}
					var v struct {
						ID, Number, IssuedAt string
						Offline              bool
					}
					var raw map[string]any
					_ = json.Unmarshal(b, &raw)
					v.ID, _ = raw["id"].(string)
					v.Number, _ = raw["number"].(string)
					v.IssuedAt, _ = raw["issued_at"].(string)
					v.Offline, _ = raw["offline"].(bool)
					mu.Lock()
					got[tm.name] = append(got[tm.name], handed{v.ID, v.Number, v.IssuedAt, v.Offline})
					mu.Unlock()
					time.Sleep(20 * time.Millisecond)
				}
			}()
		}
	}

	time.Sleep(700 * time.Millisecond)
	hall.stop(t, syscall.SIGKILL) // the power cord
	time.Sleep(1500 * time.Millisecond)
	start(t, hcfg, hallAddr) // the hall again; its cleanup stops it
	time.Sleep(700 * time.Millisecond)
	link.set(netStall)
	time.Sleep(1500 * time.Millisecond)
	link.set(netCut)
	terms[0].p.stop(t, syscall.SIGKILL) // a kiosk loses power while its outbox is full
	time.Sleep(500 * time.Millisecond)
	terms[0].p = start(t, terms[0].cfg, terms[0].addr)
	time.Sleep(700 * time.Millisecond)
	link.set(netUp)
	time.Sleep(700 * time.Millisecond)
	close(stop)
	wg.Wait()

	for _, tm := range terms {
		waitUntil(t, tm.name+"'s outbox to drain", 60*time.Second, func() bool { p, _ := upstreamState(t, tm.addr); return p == 0 })
	}
	code, m, err := request(hallAddr, "GET", "/api/v1/tickets?date="+time.Now().In(shanghai(t)).Format(time.DateOnly), tokAdmin, "")
	if err != nil || code != 200 {
		t.Fatalf("the hall's tickets: %d %v", code, err)
	}
	type hallTicket struct {
		number, status, issuedAt string
		offline                  bool
	}
	inHall := map[string]hallTicket{}
	placedAt := map[string]string{}
	numbers := map[string]string{}
	for _, x := range m["tickets"].([]any) {
		tk := x.(map[string]any)
		id, num, status := tk["id"].(string), tk["number"].(string), tk["status"].(string)
		off, _ := tk["offline"].(bool)
		inHall[id] = hallTicket{num, status, tk["issued_at"].(string), off}
		if at, ok := tk["placed_at"].(string); ok {
			placedAt[id] = at // an offline claim the hall placed after its printed time
		}
		if status == "void" {
			continue
		}
		if other, dup := numbers[num]; dup {
			t.Fatalf("number %s is in the hall's queue twice (%s, %s)", num, other, id)
		}
		numbers[num] = id
	}
	total, offline := 0, 0
	for name, hs := range got {
		for _, h := range hs {
			total++
			if h.offline {
				offline++
			}
			ht, ok := inHall[h.id]
			if !ok {
				t.Fatalf("%s handed out %s (%s, offline %v) but the hall has no such ticket", name, h.number, h.id, h.offline)
			}
			if ht.number != h.number || ht.status != "waiting" {
				t.Fatalf("%s handed out %s, the hall has it as %s, %s", name, h.number, ht.number, ht.status)
			}
			a, _ := time.Parse(time.RFC3339Nano, h.issuedAt)
			b, _ := time.Parse(time.RFC3339Nano, ht.issuedAt)
			if !a.Equal(b) {
				t.Fatalf("%s: %s issued at %s, queued in the hall at %s", name, h.number, h.issuedAt, ht.issuedAt)
			}
		}
	}
	if offline == 0 || offline == total {
		t.Fatalf("%d of %d tickets offline: the outage was not exercised", offline, total)
	}
	// a ticket waits that no client was answered: only a ticket the killed
	// terminal node numbered offline before it died (it may have printed
	// it: such a ticket is handed in, never dropped), at most one per client
	// of that node
	handedIDs := map[string]bool{}
	for _, hs := range got {
		for _, h := range hs {
			handedIDs[h.id] = true
		}
	}
	var extra []string
	zoneA := []handed{}
	for id, ht := range inHall {
		if ht.status != "waiting" {
			continue
		}
		if !handedIDs[id] {
			if !ht.offline {
				t.Fatalf("%s waits in the hall's queue, but nobody was handed it and it was not issued offline", ht.number)
			}
			extra = append(extra, ht.number)
		}
		if strings.HasPrefix(ht.number, "A") {
			// its place in the queue: its issue time, or where the hall placed it
			place := ht.issuedAt
			if at, ok := placedAt[id]; ok {
				place = at
			}
			zoneA = append(zoneA, handed{id, ht.number, place, ht.offline})
		}
	}
	if len(extra) > 3 {
		t.Fatalf("%d tickets wait that nobody was answered: %v", len(extra), extra)
	}
	slices.SortFunc(zoneA, func(a, b handed) int {
		ta, _ := time.Parse(time.RFC3339Nano, a.issuedAt)
		tb, _ := time.Parse(time.RFC3339Nano, b.issuedAt)
		return ta.Compare(tb)
	})
	for i, want := range zoneA {
		code, m, err := request(hallAddr, "POST", "/api/v1/windows/1/call", tokWin, "")
		if err != nil || code != 200 {
			t.Fatalf("call %d: %d %v", i, code, err)
		}
		if num := m["ticket"].(map[string]any)["number"].(string); num != want.number {
			t.Fatalf("call %d: %s, want %s (queued at %s: the order tickets were handed out, or placed by the hall)", i, num, want.number, want.issuedAt)
		}
		if code, _, err := request(hallAddr, "POST", "/api/v1/windows/1/finish", tokWin, `{"result":"consulted"}`); err != nil || code != 200 {
			t.Fatalf("finish %d: %d %v", i, code, err)
		}
	}
	t.Logf("%d tickets handed out by 2 terminal nodes (%d offline, %d refused in words), all in the hall's queue once, zone A called in issue order; numbered offline by the killed node but not answered: %v",
		total, offline, refused.Load(), extra)
}

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestTerminalNodeKioskPage drives a kiosk's page on a terminal node in a
// real browser: the network to the hall node is cut, the page says so at
// once and how many tickets it can still issue, a citizen takes a ticket
// (issued offline, said so on the screen), the network comes back, the
// banner goes and the ticket is in the hall's queue.
func TestTerminalNodeKioskPage(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run the browser tests (make deps installs chromium)")
		}
		t.Skip("no chromium at " + chromium)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	hallAddr := freeAddr(t)
	start(t, hallConfig(t, dir, hallAddr), hallAddr)
	link := newNetLink(t, hallAddr)
	termAddr := freeAddr(t)
	start(t, terminalConfig(t, dir, "t1", termAddr, link.addr(), tokKiosk), termAddr)
	waitUntil(t, "offline blocks", 20*time.Second, func() bool { _, l := upstreamState(t, termAddr); return l > 0 })

	bctx, wait, click := newBrowser(t, ctx, chromium)
	if err := chromedp.Run(bctx, chromedp.Navigate("http://"+termAddr+"/kiosk?token="+tokLocal)); err != nil {
		t.Fatal(err)
	}
	wait("the welcome and the event stream", `document.body.dataset.ws === 'open' && !!document.getElementById('welcome-title')`)
	banner := `(() => { const b = document.getElementById('upstream-banner'); return b && !b.hidden ? b.textContent : ''; })()`
	wait("no banner while the hall node answers", `document.getElementById('upstream-banner') !== null && `+banner+` === ''`)

	link.set(netCut)
	wait("the banner", `/离线取号中，还可取 90 张/.test(`+banner+`)`)
	click("[data-action=nocard]")
	click("[data-zone=A]")
	click("[data-action=plain]")
	wait("the offline ticket", `/离线取号/.test((document.getElementById('result-title') || {}).textContent || '')`)
	var number string
	if err := chromedp.Run(bctx, chromedp.Evaluate(`document.getElementById('result-title').dataset.number`, &number)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(number, "A9") {
		t.Fatalf("offline ticket %q, want one of the block A9xx", number)
	}
	wait("one ticket fewer left", `/还可取 89 张/.test(`+banner+`)`)

	link.set(netUp)
	wait("the banner gone", banner+` === ''`)
	waitUntil(t, "the ticket in the hall's queue", 20*time.Second, func() bool {
		code, m, err := request(hallAddr, "GET", "/api/v1/tickets?date="+time.Now().In(shanghai(t)).Format(time.DateOnly), tokAdmin, "")
		if err != nil || code != 200 {
			return false
		}
		for _, x := range m["tickets"].([]any) {
			if tk := x.(map[string]any); tk["number"] == number && tk["status"] == "waiting" && tk["offline"] == true {
				return true
			}
		}
		return false
	})
}

// TestDoctorComparesCatalog: kioskd doctor on a terminal node says whether
// its zones and matters are its hall node's.
func TestDoctorComparesCatalog(t *testing.T) {
	dir := t.TempDir()
	hallAddr := freeAddr(t)
	start(t, hallConfig(t, dir, hallAddr), hallAddr)
	same := terminalConfig(t, dir, "t1", freeAddr(t), hallAddr, tokKiosk)
	out, _ := exec.Command(kioskdBin, "doctor", "--config", same).CombinedOutput()
	if !strings.Contains(string(out), "✓ catalog    the same 9 zones and 203 matters as the hall node") {
		t.Fatalf("doctor on the same catalog:\n%s", out)
	}
	// a node whose catalog lacks most of the hall's matters
	var f map[string]json.RawMessage
	if err := json.Unmarshal(config.DefaultCatalog(), &f); err != nil {
		t.Fatal(err)
	}
	var ms []json.RawMessage
	if err := json.Unmarshal(f["matters"], &ms); err != nil {
		t.Fatal(err)
	}
	f["matters"], _ = json.Marshal(ms[:3])
	f["packages"] = json.RawMessage("[]")
	small, _ := json.Marshal(f)
	catPath := writeConf(t, filepath.Join(dir, "small.json"), string(small))
	b, _ := os.ReadFile(same)
	other := writeConf(t, filepath.Join(dir, "t2.toml"), strings.Replace(string(b), "[upstream]", fmt.Sprintf("[catalog]\nfile = %q\n[upstream]", catPath), 1))
	out, err := exec.Command(kioskdBin, "doctor", "--config", other).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "✗ catalog    differs from the hall node's: 0 matters only here, 200 only on the hall node, 0 in another zone") {
		t.Fatalf("doctor on a smaller catalog (%v):\n%s", err, out)
	}
}
