// SPDX-License-Identifier: AGPL-3.0-or-later

package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/kiosk"
	"yichuang/kiosk/staff"
	"yichuang/kiosk/store"
	"yichuang/ui"
)

var testKey = bytes.Repeat([]byte{7}, 32)

const (
	hallKiosk    = "hall-kiosk1-token-0123456789"
	hallAdmin    = "hall-admin-token-0123456789"
	hallWin1     = "hall-window1-token-012345678"
	hallGuide    = "hall-guide1-token-0123456789"
	localGuide   = "local-guide-token-0123456789"
	localKiosk   = "local-kiosk-token-0123456789"
	localWin     = "local-window-token-012345678"
	localDisplay = "local-display-token-0123456"
)

// docs takes every upload as a one-page PDF (validation is tested where it
// is done; here what matters is that the bytes travel).
type docs struct{}

func (docs) Validate(ctx context.Context, body []byte, ct string) ([]byte, string, int, error) {
	return body, "pdf", 1, nil
}
func (docs) Render(ctx context.Context, doc []byte, page, width int) ([]byte, error) { return nil, nil }

// link stands between the terminal node and the hall node: up, down (the
// connection is dropped unanswered), or losing answers (the hall node does
// the work, the answer never arrives).
type link struct {
	mode  atomic.Int32 // 0 up, 1 down, 2 lose answers
	proxy *httputil.ReverseProxy
}

const (
	linkUp = iota
	linkDown
	linkLoseAnswers
)

func (l *link) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch l.mode.Load() {
	case linkDown:
		hijackClose(w)
	case linkLoseAnswers:
		rec := httptest.NewRecorder()
		l.proxy.ServeHTTP(rec, r)
		hijackClose(w)
	default:
		l.proxy.ServeHTTP(w, r)
	}
}

// startLinked starts a hall node, a link to it and a terminal node (its
// files in dir) behind the link, and waits for the node's offline blocks.
func startLinked(t *testing.T, extra, dir string) (*hallNode, *link, *termNode) {
	t.Helper()
	h := startHall(t, extra)
	l := &link{}
	hu, _ := url.Parse(h.srv.URL)
	l.proxy = httputil.NewSingleHostReverseProxy(hu)
	ls := httptest.NewServer(l)
	t.Cleanup(ls.Close)
	tn := startTerminal(t, ls.URL, dir)
	waitFor(t, "offline blocks", tn.hasBlocks)
	return h, l, tn
}

func hijackClose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			c.Close()
		}
	}
}

type hallNode struct {
	srv  *httptest.Server
	hall *kiosk.Hall
}

func startHall(t *testing.T, extra string, set ...func(*ui.Options)) *hallNode {
	t.Helper()
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
terminals = [
  { id = "kiosk-1", role = "kiosk", token = %q },
  { id = "window-1", role = "window", window = 1, token = %q },
  { id = "admin", role = "admin", token = %q },
  { id = "guide-1", role = "guide", token = %q },
]
[limits]
terminal_per_second = 0
public_per_second = 0
`, hallKiosk, hallWin1, hallAdmin, hallGuide) + extra))
	if err != nil {
		t.Fatal(err)
	}
	h, hub := openHall(t, cfg, filepath.Join(t.TempDir(), "hall.db"))
	o := ui.Options{Hall: h, Hub: hub, Documents: docs{}}
	for _, f := range set {
		f(&o)
	}
	srv := httptest.NewServer(ui.NewServer(o))
	t.Cleanup(srv.Close)
	return &hallNode{srv: srv, hall: h}
}

func openHall(t *testing.T, cfg *config.Config, path string) (*kiosk.Hall, *ui.Hub) {
	t.Helper()
	cat, err := kiosk.ParseCatalog(config.DefaultCatalog(), []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, cfg.Mail.ExcludedDepartments)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), path, testKey)
	if err != nil {
		t.Fatal(err)
	}
	hub := ui.NewHub(nil, cfg.Location)
	cfg.Hall.IssueOutsideHours, cfg.Queue.AnonymousPerMinute = true, 0 // tests run at any hour, many plain tickets
	h, err := kiosk.Open(context.Background(), kiosk.Options{Config: cfg, Catalog: cat, Store: db, Publish: hub.Publish, IDKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(); db.Close() })
	return h, hub
}

type termNode struct {
	t     *testing.T
	srv   *httptest.Server
	hall  *kiosk.Hall
	node  *Node
	box   *store.Outbox
	print *printer
	stop  func()
	ahead *atomic.Int64 // how far the node's clock is ahead of the real one
}

// printer records what a terminal prints, or fails.
type printer struct {
	mu      sync.Mutex
	fail    bool
	tickets []devices.Ticket
	slips   []devices.CaseSlip
}

func (p *printer) PrintCaseSlip(ctx context.Context, s devices.CaseSlip) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.slips = append(p.slips, s)
	return nil
}

func (p *printer) PrintTicket(ctx context.Context, t devices.Ticket) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail {
		return fmt.Errorf("paper out")
	}
	p.tickets = append(p.tickets, t)
	return nil
}

// startTerminal starts a terminal node forwarding to base; dir keeps its
// files across restarts.
func startTerminal(t *testing.T, base, dir string) *termNode {
	t.Helper()
	return startNode(t, fmt.Sprintf(`
terminals = [
  { id = "kiosk-1", role = "kiosk", token = %q },
  { id = "window-1", role = "window", window = 1, token = %q },
  { id = "display-1", role = "display", token = %q },
]
[upstream]
url = %q
token = %q
timeout_ms = 400
[limits]
terminal_per_second = 0
public_per_second = 0
`, localKiosk, localWin, localDisplay, base, hallKiosk), dir, "kiosk-1")
}

// startNode starts a terminal node of config cfgText in dir, its printer
// that of the terminal printerOf, a staff desk with nobody on it (as
// kioskd serve makes one from a terminal node's config).
func startNode(t *testing.T, cfgText, dir, printerOf string) *termNode {
	t.Helper()
	cfg, err := config.Parse([]byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	h, hub := openHall(t, cfg, filepath.Join(dir, "local.db"))
	box, err := store.OpenOutbox(context.Background(), filepath.Join(dir, "outbox.db"), testKey)
	if err != nil {
		t.Fatal(err)
	}
	ahead := &atomic.Int64{}
	node, err := New(Options{Config: cfg, Local: h, Outbox: box, Now: func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); node.Run(ctx) }()
	p := &printer{}
	srv := httptest.NewServer(ui.NewServer(ui.Options{Hall: h, Hub: hub, Upstream: node, Documents: docs{},
		Printers: map[string]ui.Printer{printerOf: p}, Staff: staff.NewDesk(nil, 30*time.Minute, nil)}))
	tn := &termNode{t: t, srv: srv, hall: h, node: node, box: box, print: p, ahead: ahead}
	var once sync.Once
	tn.stop = func() { once.Do(func() { srv.Close(); cancel(); <-done; box.Close() }) }
	t.Cleanup(tn.stop)
	return tn
}

type answer struct {
	status int
	body   map[string]any
	raw    string
}

func do(t *testing.T, method, u, token, body string, hdr ...string) answer {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, raw: string(b)}
	_ = json.Unmarshal(b, &a.body)
	return a
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (tn *termNode) drained() bool {
	st := tn.node.Status(context.Background())
	return st.Pending == 0
}

func (tn *termNode) hasBlocks() bool {
	st := tn.node.Status(context.Background())
	return st.OfflineLeft["A"] > 0
}

// hallTickets returns the hall's tickets of today in queue order (issue time).
func hallTickets(t *testing.T, h *hallNode) []kiosk.Ticket {
	t.Helper()
	a := do(t, "GET", h.srv.URL+"/api/v1/tickets?date="+h.hall.Today(), hallAdmin, "")
	if a.status != 200 {
		t.Fatalf("list: %d %s", a.status, a.raw)
	}
	var v struct {
		Tickets []kiosk.Ticket `json:"tickets"`
	}
	if err := json.Unmarshal([]byte(a.raw), &v); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(v.Tickets, func(a, b kiosk.Ticket) int { return a.IssuedAt.Compare(b.IssuedAt) })
	return v.Tickets
}

func numbers(ts []kiosk.Ticket, status string) []string {
	var out []string
	for _, t := range ts {
		if status == "" || t.Status == status {
			out = append(out, t.Number)
		}
	}
	return out
}

func TestTicketsThroughAnOutage(t *testing.T) {
	h, l, tn := startLinked(t, "[leases]\nsize = 3\n", t.TempDir())

	issue := func(key string) answer {
		return do(t, "POST", tn.srv.URL+"/api/v1/tickets", localKiosk, `{"zone":"A"}`, "Idempotency-Key", key)
	}
	var handed []string // what citizens hold, in the order they got it
	a := issue("k1")
	if a.status != 201 || a.body["offline"] == true {
		t.Fatalf("online issue: %d %s", a.status, a.raw)
	}
	handed = append(handed, a.body["number"].(string))
	if again := issue("k1"); again.body["number"] != a.body["number"] || again.body["id"] != a.body["id"] {
		t.Fatalf("the same key gave %s, then %s", a.raw, again.raw)
	}

	l.mode.Store(linkDown)
	for i := range 3 {
		a := issue(fmt.Sprint("off", i))
		if a.status != 201 || a.body["offline"] != true {
			t.Fatalf("offline issue %d: %d %s", i, a.status, a.raw)
		}
		if left := a.body["offline_left"].(float64); int(left) != 2-i {
			t.Fatalf("offline_left %v after %d, want %d", left, i+1, 2-i)
		}
		handed = append(handed, a.body["number"].(string))
	}
	// the block is used up: the citizen is told where to go, nothing is issued
	a = issue("off-none")
	if a.status != 503 || !strings.Contains(a.raw, "导办台") {
		t.Fatalf("exhausted block: %d %s", a.status, a.raw)
	}
	// the technician's view: /metrics and /healthz say the link is down
	if m := do(t, "GET", tn.srv.URL+"/metrics", "", ""); !strings.Contains(m.raw, "kioskd_upstream_online 0") ||
		!strings.Contains(m.raw, `kioskd_offline_numbers_left{zone="A"} 0`) || !strings.Contains(m.raw, `kioskd_outbox_entries{state="pending"} 3`) {
		t.Fatalf("metrics while away:\n%s", m.raw)
	}
	if hz := do(t, "GET", tn.srv.URL+"/healthz", "", ""); !strings.Contains(hz.raw, `"online":false`) {
		t.Fatalf("healthz while away: %s", hz.raw)
	}
	if n := len(tn.print.tickets); n != 4 {
		t.Fatalf("%d tickets printed, want 4", n)
	}
	if !tn.print.tickets[1].Offline || tn.print.tickets[0].Offline {
		t.Fatalf("printed tickets' offline marks: %v %v", tn.print.tickets[0].Offline, tn.print.tickets[1].Offline)
	}
	// the status link printed on an offline ticket points at the hall node
	pub := h.hall.Config().PublicURL
	if !strings.HasPrefix(tn.print.tickets[1].StatusURL, pub+"/s/") {
		t.Fatalf("offline status link %q", tn.print.tickets[1].StatusURL)
	}

	l.mode.Store(linkUp)
	waitFor(t, "the outbox to drain", tn.drained)
	ts := hallTickets(t, h)
	if got := numbers(ts, kiosk.StatusWaiting); !slices.Equal(got, handed) {
		t.Fatalf("the hall's queue %v, want what citizens hold in issue order %v", got, handed)
	}
	// the offline ticket's printed link works on the hall node
	u := strings.TrimPrefix(tn.print.tickets[1].StatusURL, pub)
	id := strings.TrimPrefix(strings.Split(u, "?")[0], "/s/")
	if st := do(t, "GET", h.srv.URL+"/api/v1/tickets/"+id+"?"+strings.Split(u, "?")[1], "", ""); st.status != 200 || st.body["number"] != handed[1] {
		t.Fatalf("status of %s: %d %s", handed[1], st.status, st.raw)
	}
	// back online: the next ticket is the hall's again, numbered on past the blocks
	if a := issue("k2"); a.status != 201 || a.body["offline"] == true || a.body["number"] != "A002" {
		t.Fatalf("after the outage: %d %s", a.status, a.raw)
	}
}

// TestLostAnswer: the hall node issued the ticket but its answer was lost;
// the terminal handed out an offline ticket; afterwards the hall holds the
// citizen's ticket once and the lost one is void.
func TestLostAnswer(t *testing.T) {
	h, l, tn := startLinked(t, "", t.TempDir())

	l.mode.Store(linkLoseAnswers)
	a := do(t, "POST", tn.srv.URL+"/api/v1/tickets", localKiosk, `{"zone":"B"}`, "Idempotency-Key", "lost")
	if a.status != 201 || a.body["offline"] != true {
		t.Fatalf("issue: %d %s", a.status, a.raw)
	}
	l.mode.Store(linkUp)
	waitFor(t, "the outbox to drain", tn.drained)
	ts := hallTickets(t, h)
	if got := numbers(ts, kiosk.StatusWaiting); !slices.Equal(got, []string{a.body["number"].(string)}) {
		t.Fatalf("waiting %v, want only the citizen's %s", got, a.body["number"])
	}
	if got := numbers(ts, kiosk.StatusVoid); len(got) < 1 {
		t.Fatalf("the lost online ticket is not void: %+v", ts)
	}
}

// TestPrintFailureWithdraws: a ticket that did not print is voided on the
// hall node (online) or never sent (offline).
func TestPrintFailureWithdraws(t *testing.T) {
	h, l, tn := startLinked(t, "", t.TempDir())
	tn.print.fail = true
	if a := do(t, "POST", tn.srv.URL+"/api/v1/tickets", localKiosk, `{"zone":"C"}`); a.status != 503 {
		t.Fatalf("online, not printed: %d %s", a.status, a.raw)
	}
	l.mode.Store(linkDown)
	if a := do(t, "POST", tn.srv.URL+"/api/v1/tickets", localKiosk, `{"zone":"C"}`); a.status != 503 {
		t.Fatalf("offline, not printed: %d %s", a.status, a.raw)
	}
	l.mode.Store(linkUp)
	waitFor(t, "the outbox to drain", tn.drained)
	ts := hallTickets(t, h)
	if w := numbers(ts, kiosk.StatusWaiting); len(w) != 0 {
		t.Fatalf("tickets nobody holds wait in the queue: %v", w)
	}
}

// TestMaterialsAndRestart: a submission's scanned pages reach the hall
// node with the ticket, across a terminal restart while the hall node is
// away; a window's material waits locally and is attached when it is back.
func TestMaterialsAndRestart(t *testing.T) {
	h := startHall(t, "")
	l := &link{}
	hu, _ := url.Parse(h.srv.URL)
	l.proxy = httputil.NewSingleHostReverseProxy(hu)
	ls := httptest.NewServer(l)
	defer ls.Close()
	dir := t.TempDir()
	tn := startTerminal(t, ls.URL, dir)
	waitFor(t, "offline blocks", tn.hasBlocks)

	pdf := []byte("%PDF-1.4 scanned pages of 张三\n")
	up := do(t, "POST", tn.srv.URL+"/api/v1/materials", localKiosk, string(pdf), "Content-Type", "application/pdf")
	if up.status != 201 {
		t.Fatalf("upload: %d %s", up.status, up.raw)
	}
	mid := up.body["material_id"].(string)
	l.mode.Store(linkDown)
	sub := fmt.Sprintf(`{"matter":"%s","submission":{"applicant":{"id_number":"11010519491231002X","name":"张三"},"materials":[%q],"delivery":{"mode":"pickup"}}}`,
		firstMatter(t, h), mid)
	a := do(t, "POST", tn.srv.URL+"/api/v1/tickets", localKiosk, sub)
	if a.status != 201 || a.body["offline"] != true {
		t.Fatalf("offline issue with materials: %d %s", a.status, a.raw)
	}
	// the outbox holds the submission sealed: its files alone reveal no ID
	// number or name (nor do the node's own database files)
	for _, name := range []string{"outbox.db", "outbox.db-wal", "local.db", "local.db-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("11010519491231002X")) || bytes.Contains(b, []byte("张三")) {
			t.Fatalf("%s holds the applicant in clear", name)
		}
	}
	// the terminal restarts before the hall node is back
	tn.stop()
	tn = startTerminal(t, ls.URL, dir)
	l.mode.Store(linkUp)
	waitFor(t, "the outbox to drain", tn.drained)

	// the window calls it and sees the pages, through its own terminal node
	call := do(t, "POST", h.srv.URL+"/api/v1/windows/1/call", hallWin1, "")
	if call.status != 200 {
		t.Fatalf("call: %d %s", call.status, call.raw)
	}
	tk := call.body["ticket"].(map[string]any)
	if tk["number"] != a.body["number"] {
		t.Fatalf("called %v, want %v", tk["number"], a.body["number"])
	}
	got := do(t, "GET", h.srv.URL+"/api/v1/tickets/"+tk["id"].(string), hallWin1, "")
	mats := got.body["submission"].(map[string]any)["materials"].([]any)
	if len(mats) != 1 {
		t.Fatalf("submission materials %v", mats)
	}
	doc := do(t, "GET", h.srv.URL+"/api/v1/materials/"+mats[0].(string)+".pdf", hallWin1, "")
	if doc.status != 200 || doc.raw != string(pdf) {
		t.Fatalf("the hall's copy of the pages: %d %q", doc.status, doc.raw)
	}

	// a window terminal node scans more while the hall node is away
	wn := startWindowTerminal(t, ls.URL)
	more := do(t, "POST", wn.srv.URL+"/api/v1/materials", localWin, "%PDF-1.4 more", "Content-Type", "application/pdf")
	if more.status != 201 {
		t.Fatalf("window upload: %d %s", more.status, more.raw)
	}
	l.mode.Store(linkDown)
	att := do(t, "POST", wn.srv.URL+"/api/v1/windows/1/materials", localWin, fmt.Sprintf(`{"material_id":%q}`, more.body["material_id"]))
	if att.status != 202 || att.body["queued"] != true {
		t.Fatalf("attach while away: %d %s", att.status, att.raw)
	}
	// and says at once that the hall node is away
	if q := do(t, "GET", wn.srv.URL+"/api/v1/queue", localWin, ""); q.status != 503 || !strings.Contains(q.raw, "大厅服务器") {
		t.Fatalf("queue while away: %d %s", q.status, q.raw)
	}
	l.mode.Store(linkUp)
	waitFor(t, "the window's outbox to drain", wn.drained)
	got = do(t, "GET", h.srv.URL+"/api/v1/tickets/"+tk["id"].(string), hallWin1, "")
	if mats := got.body["submission"].(map[string]any)["materials"].([]any); len(mats) != 2 {
		t.Fatalf("after the window's attach: materials %v", mats)
	}
}

func firstMatter(t *testing.T, h *hallNode) string {
	t.Helper()
	for _, m := range h.hall.Catalog().Matters() {
		if m.Zone == "A" {
			return m.Code
		}
	}
	t.Fatal("no matter in zone A")
	return ""
}

// startWindowTerminal starts window 1's terminal node (its token on the
// hall node is window 1's).
func startWindowTerminal(t *testing.T, base string) *termNode {
	t.Helper()
	return startNode(t, fmt.Sprintf(`
terminals = [ { id = "window-1", role = "window", window = 1, token = %q } ]
[upstream]
url = %q
token = %q
timeout_ms = 400
[limits]
terminal_per_second = 0
public_per_second = 0
`, localWin, base, hallWin1), t.TempDir(), "window-1")
}

// TestEventsRelayed: the hall node's calls reach the terminal node's
// screens, and a restarted terminal node resumes where it stopped.
func TestEventsRelayed(t *testing.T) {
	h := startHall(t, "")
	dir := t.TempDir()
	tn := startTerminal(t, h.srv.URL, dir)
	a := do(t, "POST", tn.srv.URL+"/api/v1/tickets", localKiosk, `{"zone":"A"}`)
	if a.status != 201 {
		t.Fatalf("issue: %d %s", a.status, a.raw)
	}
	if c := do(t, "POST", h.srv.URL+"/api/v1/windows/1/call", hallWin1, ""); c.status != 200 {
		t.Fatalf("call: %d %s", c.status, c.raw)
	}
	called := func(hl *kiosk.Hall, recall bool) int {
		evs, err := hl.EventsSince(context.Background(), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			if e.Type == "ticket.called" && strings.Contains(string(e.Data), `"number":"A001"`) &&
				strings.Contains(string(e.Data), fmt.Sprintf(`"recall":%v`, recall)) {
				n++
			}
		}
		return n
	}
	waitFor(t, "ticket.called relayed", func() bool { return called(tn.hall, false) == 1 })
	tn.stop()
	tn = startTerminal(t, h.srv.URL, dir)
	if c := do(t, "POST", h.srv.URL+"/api/v1/windows/1/recall", hallWin1, ""); c.status != 200 {
		t.Fatalf("recall: %d %s", c.status, c.raw)
	}
	waitFor(t, "the recall relayed", func() bool { return called(tn.hall, true) == 1 })
	if n := called(tn.hall, false); n != 1 {
		t.Fatalf("after a restart the call was relayed %d times, want once", n)
	}
	// a node killed before its cursor reached the disk finds it in its own events
	if err := tn.box.SetSetting(context.Background(), "hall_seq", "0"); err != nil {
		t.Fatal(err)
	}
	if c, err := tn.node.relayCursor(context.Background()); err != nil || c != h.hall.LastSeq() {
		t.Fatalf("cursor from the node's events: %d (%v), want the hall's last event %d", c, err, h.hall.LastSeq())
	}
}

// TestWindowTerminal: a window terminal node calls and accepts through the
// hall node, and prints the acceptance receipt on its own printer with the
// hall node's case data.
func TestWindowTerminal(t *testing.T) {
	h := startHall(t, "")
	kn := startTerminal(t, h.srv.URL, t.TempDir())
	wn := startWindowTerminal(t, h.srv.URL)
	a := do(t, "POST", kn.srv.URL+"/api/v1/tickets", localKiosk, fmt.Sprintf(`{"matter":%q}`, firstMatter(t, h)))
	if a.status != 201 {
		t.Fatalf("issue: %d %s", a.status, a.raw)
	}
	if c := do(t, "POST", wn.srv.URL+"/api/v1/windows/1/call", localWin, ""); c.status != 200 || c.body["ticket"].(map[string]any)["number"] != a.body["number"] {
		t.Fatalf("call through the window's node: %d %s", c.status, c.raw)
	}
	f := do(t, "POST", wn.srv.URL+"/api/v1/windows/1/finish", localWin, `{"result":"accepted"}`)
	if f.status != 200 {
		t.Fatalf("finish: %d %s", f.status, f.raw)
	}
	cs := do(t, "GET", wn.srv.URL+"/api/v1/cases?ticket="+a.body["id"].(string), localWin, "")
	list, _ := cs.body["cases"].([]any)
	if cs.status != 200 || len(list) != 1 {
		t.Fatalf("cases: %d %s", cs.status, cs.raw)
	}
	number := list[0].(map[string]any)["number"].(string)
	pr := do(t, "POST", wn.srv.URL+"/api/v1/cases/"+url.PathEscape(number)+"/receipt/print", localWin, "")
	if pr.status != 200 {
		t.Fatalf("print the receipt: %d %s", pr.status, pr.raw)
	}
	if len(wn.print.slips) != 1 || wn.print.slips[0].Number != number || wn.print.slips[0].Matter == "" || wn.print.slips[0].Due == "" {
		t.Fatalf("printed slips %+v", wn.print.slips)
	}
	if pr := do(t, "POST", wn.srv.URL+"/api/v1/cases/NOPE/receipt/print", localWin, ""); pr.status != 404 {
		t.Fatalf("an unknown case: %d %s", pr.status, pr.raw)
	}
}

// TestBlocksReturned: the next day, the terminal node gives back the unused
// numbers of its blocks, once every ticket from them is handed in.
func TestBlocksReturned(t *testing.T) {
	h, l, tn := startLinked(t, "[leases]\nsize = 4\n", t.TempDir())
	l.mode.Store(linkDown)
	if a := do(t, "POST", tn.srv.URL+"/api/v1/tickets", localKiosk, `{"zone":"A"}`); a.status != 201 || a.body["number"] != "A901" {
		t.Fatalf("offline: %d %s", a.status, a.raw)
	}
	ctx := context.Background()
	// tomorrow, with the ticket not yet handed in: nothing is returned
	tn.ahead.Store(int64(24 * time.Hour))
	if err := tn.node.returnUnused(ctx); err != nil {
		t.Fatal(err)
	}
	if bs, _ := tn.box.Blocks(ctx); len(bs) != len(h.hall.Config().Zones) {
		t.Fatalf("%d blocks kept, want one per zone", len(bs))
	}
	l.mode.Store(linkUp)
	waitFor(t, "the outbox to drain", tn.drained)
	if err := tn.node.returnUnused(ctx); err != nil {
		t.Fatal(err)
	}
	if bs, _ := tn.box.Blocks(ctx); len(bs) != 0 {
		t.Fatalf("%d blocks not returned", len(bs))
	}
	for _, l := range h.hall.Leases(h.hall.Today()) {
		want := l.From // nothing issued
		if l.Zone == "A" {
			want = l.From + 1 // A901 was issued
		}
		if l.ReturnedFrom != want {
			t.Fatalf("zone %s block %d–%d returned from %d, want %d", l.Zone, l.From, l.To, l.ReturnedFrom, want)
		}
	}
}

// TestStaffThroughWindowNode: staff sign in on a window terminal node; the
// session is the hall node's, checked there, and required there.
func TestStaffThroughWindowNode(t *testing.T) {
	hash := staff.HashPIN("1357")
	desk := staff.NewDesk([]staff.Member{{ID: "S001", Name: "林工", PINHash: hash}}, 30*time.Minute, nil)
	h := startHall(t, fmt.Sprintf("[staff]\nrequired = true\nmembers = [ { id = \"S001\", name = \"林工\", pin_hash = %q } ]\n", hash),
		func(o *ui.Options) { o.Staff = desk })
	kn := startTerminal(t, h.srv.URL, t.TempDir())
	wn := startWindowTerminal(t, h.srv.URL)
	if a := do(t, "POST", kn.srv.URL+"/api/v1/tickets", localKiosk, `{"zone":"A"}`); a.status != 201 {
		t.Fatalf("issue: %d %s", a.status, a.raw)
	}
	if c := do(t, "POST", wn.srv.URL+"/api/v1/windows/1/call", localWin, ""); c.status != 401 {
		t.Fatalf("a call with nobody signed in: %d %s", c.status, c.raw)
	}
	if in := do(t, "POST", wn.srv.URL+"/api/v1/staff/sign-in", localWin, `{"staff_id":"S001","pin":"0000"}`); in.status != 401 {
		t.Fatalf("a wrong PIN: %d %s", in.status, in.raw)
	}
	in := do(t, "POST", wn.srv.URL+"/api/v1/staff/sign-in", localWin, `{"staff_id":"S001","pin":"1357"}`)
	sess, _ := in.body["session"].(string)
	if in.status != 200 || sess == "" {
		t.Fatalf("sign in: %d %s", in.status, in.raw)
	}
	c := do(t, "POST", wn.srv.URL+"/api/v1/windows/1/call", localWin, "", "X-Staff-Session", sess)
	if c.status != 200 {
		t.Fatalf("a call signed in: %d %s", c.status, c.raw)
	}
	au, err := h.hall.Audit(context.Background(), kiosk.AuditQuery{TicketID: c.body["ticket"].(map[string]any)["id"].(string)})
	if err != nil {
		t.Fatal(err)
	}
	tied := false
	for _, e := range au {
		if e.Action == "ticket.call" && e.Staff == "S001" && e.Actor == "window-1" {
			tied = true
		}
	}
	if !tied {
		t.Fatalf("the call is not tied to S001 at window-1: %+v", au)
	}
	if c := do(t, "POST", wn.srv.URL+"/api/v1/windows/1/no-show", localWin, "", "X-Staff-Session", "forged-session-0123456789"); c.status != 401 {
		t.Fatalf("a forged session: %d %s", c.status, c.raw)
	}
}

// TestPublicLinksThroughNode: a ticket's status through a terminal node
// needs this node's token or the ticket's own key; a caller with neither
// never reaches the hall node as this terminal.
func TestPublicLinksThroughNode(t *testing.T) {
	h := startHall(t, "")
	tn := startTerminal(t, h.srv.URL, t.TempDir())
	sub := `{"zone":"A","submission":{"applicant":{"id_number":"11010519491231002X","name":"张三"},"delivery":{"mode":"pickup"}}}`
	a := do(t, "POST", tn.srv.URL+"/api/v1/tickets", localKiosk, sub)
	if a.status != 201 {
		t.Fatalf("issue: %d %s", a.status, a.raw)
	}
	id := a.body["id"].(string)
	link, _ := url.Parse(a.body["status_url"].(string))
	key := link.Query().Get("token")
	tests := []struct {
		name, query, token string
		status             int
		submission         bool
	}{
		{"no token", "", "", 401, false},
		{"a wrong key", "?token=" + strings.Repeat("0", 24), "", 401, false},
		{"a wrong bearer", "", "not-a-token-of-this-node-0123", 401, false},
		{"this node's display token", "", localDisplay, 401, false},
		{"the status link's key", "?token=" + key, "", 200, false},
		{"this node's kiosk token", "", localKiosk, 200, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := do(t, "GET", tn.srv.URL+"/api/v1/tickets/"+id+tt.query, tt.token, "")
			if g.status != tt.status {
				t.Fatalf("%d %s, want %d", g.status, g.raw, tt.status)
			}
			if got := strings.Contains(g.raw, "11010519491231002X"); got != tt.submission {
				t.Fatalf("the submission shown: %v, want %v: %s", got, tt.submission, g.raw)
			}
		})
	}
}

// TestReprintOnNode: a ticket is printed again on the terminal node's own
// printer as the hall node has it, with its status link.
func TestReprintOnNode(t *testing.T) {
	h := startHall(t, "")
	tn := startTerminal(t, h.srv.URL, t.TempDir())
	a := do(t, "POST", tn.srv.URL+"/api/v1/tickets", localKiosk, `{"zone":"C"}`)
	if a.status != 201 {
		t.Fatalf("issue: %d %s", a.status, a.raw)
	}
	pr := do(t, "POST", tn.srv.URL+"/api/v1/tickets/"+a.body["id"].(string)+"/print", localKiosk, "")
	if pr.status != 200 {
		t.Fatalf("reprint: %d %s", pr.status, pr.raw)
	}
	if n := len(tn.print.tickets); n != 2 || tn.print.tickets[1].Number != a.body["number"] || tn.print.tickets[1].StatusURL != a.body["status_url"] {
		t.Fatalf("printed %d tickets; the reprint: %+v, want %s with %s", n, tn.print.tickets[len(tn.print.tickets)-1], a.body["number"], a.body["status_url"])
	}
	if pr := do(t, "POST", tn.srv.URL+"/api/v1/tickets/"+strings.Repeat("ab", 16)+"/print", localKiosk, ""); pr.status != 404 {
		t.Fatalf("an unknown ticket: %d %s", pr.status, pr.raw)
	}
}

// TestAgentTakeoverOnNode: an agent at a guide terminal node takes a ticket
// for a citizen through the hall node; it prints on the node's printer.
func TestAgentTakeoverOnNode(t *testing.T) {
	hash := staff.HashPIN("2468")
	desk := staff.NewDesk([]staff.Member{{ID: "D07", Name: "王小梅", PINHash: hash}}, 30*time.Minute, nil)
	h := startHall(t, fmt.Sprintf("[staff]\nmembers = [ { id = \"D07\", name = \"王小梅\", pin_hash = %q, agent = true } ]\n", hash),
		func(o *ui.Options) { o.Staff = desk })
	gn := startNode(t, fmt.Sprintf(`
terminals = [ { id = "guide-1", role = "guide", token = %q } ]
[upstream]
url = %q
token = %q
timeout_ms = 400
[limits]
terminal_per_second = 0
public_per_second = 0
`, localGuide, h.srv.URL, hallGuide), t.TempDir(), "guide-1")
	in := do(t, "POST", gn.srv.URL+"/api/v1/staff/sign-in", localGuide, `{"staff_id":"D07","pin":"2468"}`)
	sess, _ := in.body["session"].(string)
	if in.status != 200 || sess == "" {
		t.Fatalf("sign in: %d %s", in.status, in.raw)
	}
	body := `{"zone":"A","applicant":{"id_number":"11010519491231002X","name":"张三丰"},"consent":{"method":"id_card_placed"}}`
	a := do(t, "POST", gn.srv.URL+"/api/v1/agent/takeovers", localGuide, body, "X-Staff-Session", sess, "Idempotency-Key", "t1")
	if a.status != 201 || a.body["printed"] != true || a.body["new"] != true {
		t.Fatalf("takeover: %d %s", a.status, a.raw)
	}
	if len(gn.print.tickets) != 1 || gn.print.tickets[0].Number != a.body["number"] || gn.print.tickets[0].StatusURL == "" {
		t.Fatalf("printed %+v, want %v", gn.print.tickets, a.body["number"])
	}
	// the same request again: the same ticket, not printed again
	again := do(t, "POST", gn.srv.URL+"/api/v1/agent/takeovers", localGuide, body, "X-Staff-Session", sess, "Idempotency-Key", "t1")
	if again.status != 201 || again.body["number"] != a.body["number"] || len(gn.print.tickets) != 1 {
		t.Fatalf("replay: %d %s, %d printed", again.status, again.raw, len(gn.print.tickets))
	}
}

// TestOfflinePriorityNeedsAReason: a terminal node away from its hall node
// never prints a priority ticket the hall would refuse (no reason, or one
// not listed); with a listed reason the offline ticket is the hall's
// priority ticket once handed in.
func TestOfflinePriorityNeedsAReason(t *testing.T) {
	h, l, tn := startLinked(t, "[leases]\nsize = 3\n", t.TempDir())
	l.mode.Store(linkDown)
	for i, body := range []string{`{"zone":"A","priority":true}`, `{"zone":"A","priority":true,"priority_reason":"vip"}`} {
		a := do(t, "POST", tn.srv.URL+"/api/v1/tickets", localKiosk, body, "Idempotency-Key", fmt.Sprint("p", i))
		if a.status != 400 || a.body["field"] != "priority_reason" {
			t.Fatalf("%s: %d %s, want 400 on priority_reason", body, a.status, a.raw)
		}
	}
	if n := len(tn.print.tickets); n != 0 {
		t.Fatalf("%d tickets printed, want none", n)
	}
	a := do(t, "POST", tn.srv.URL+"/api/v1/tickets", localKiosk, `{"zone":"A","priority_reason":"elderly"}`, "Idempotency-Key", "p-ok")
	if a.status != 201 || a.body["offline"] != true {
		t.Fatalf("with a reason: %d %s", a.status, a.raw)
	}
	l.mode.Store(linkUp)
	waitFor(t, "the outbox to drain", tn.drained)
	for _, tk := range hallTickets(t, h) {
		if tk.Number == a.body["number"] && !tk.Priority {
			t.Fatalf("handed in as %+v, want priority", tk)
		}
	}
	if got := numbers(hallTickets(t, h), kiosk.StatusWaiting); !slices.Equal(got, []string{a.body["number"].(string)}) {
		t.Fatalf("waiting %v, want %v", got, a.body["number"])
	}
}

// TestPickupNeverOffline: a pickup ticket (出件) is asked of the hall node
// at once: its answer passes through (nothing ready → 404), and with the
// hall node away the kiosk says so instead of printing an offline number.
func TestPickupNeverOffline(t *testing.T) {
	h, l, tn := startLinked(t, "", t.TempDir())
	a := do(t, "POST", tn.srv.URL+"/api/v1/tickets", localKiosk, `{"pickup":{"id_number":"11010519491231002X"}}`)
	if a.status != 404 || a.body["code"] != "nothing_ready" {
		t.Fatalf("pickup: %d %s", a.status, a.raw)
	}
	l.mode.Store(linkDown)
	a = do(t, "POST", tn.srv.URL+"/api/v1/tickets", localKiosk, `{"pickup":{"case":"X"}}`)
	if a.status == 201 || a.status == 200 || a.body["offline"] == true {
		t.Fatalf("pickup while the hall is away: %d %s", a.status, a.raw)
	}
	l.mode.Store(linkUp)
	if ts := hallTickets(t, h); len(ts) != 0 {
		t.Fatalf("tickets %+v", ts)
	}
}
