// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/kiosk"
	"yichuang/kiosk/store"
)

const (
	tokKiosk   = "kiosk-token-0123456789"
	tokGuide   = "guide-token-0123456789"
	tokWin1    = "window1-token-01234567"
	tokWin2    = "window2-token-01234567"
	tokDisplay = "display-token-01234567"
	tokAdmin   = "admin-token-0123456789"
	tokDeptSJ  = "dept-sj-token-0123456"
	tokDeptRS  = "dept-rs-token-0123456"
	tokCounter = "counter1-token-0123456"
)

const testConfig = `
terminals = [
  { id = "kiosk-1", role = "kiosk", token = "kiosk-token-0123456789" },
  { id = "guide-1", role = "guide", token = "guide-token-0123456789" },
  { id = "window-1", role = "window", window = 1, token = "window1-token-01234567" },
  { id = "window-2", role = "window", window = 2, token = "window2-token-01234567" },
  { id = "display-1", role = "display", token = "display-token-01234567" },
  { id = "admin", role = "admin", token = "admin-token-0123456789" },
  { id = "dept-sj", role = "department", department = "市场监管局", token = "dept-sj-token-0123456" },
  { id = "dept-rs", role = "department", department = "人社局", token = "dept-rs-token-0123456" },
  { id = "counter-1", role = "counter", window = 1, token = "counter1-token-0123456" },
]
`

// limitsOff turns rate limits off for tests that make many requests quickly.
const limitsOff = "[limits]\npublic_per_second = 0\nterminal_per_second = 0\n"

type env struct {
	t    *testing.T
	srv  *httptest.Server
	hall *kiosk.Hall
	db   *store.DB
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return startEnv(t, limitsOff, nil, nil)
}

// startEnv starts a hall server whose config is the test config plus
// extra; now, when set, is the hall's clock; set, when set, adds to the
// server's options (devices, staff, documents).
func startEnv(t *testing.T, extra string, now func() time.Time, set func(*Options)) *env {
	t.Helper()
	cfg, err := config.Parse([]byte(testConfig + extra))
	if err != nil {
		t.Fatal(err)
	}
	// tests run at any hour and issue many plain tickets from one kiosk:
	// the hours rule and the anonymous cap apply only where a test names them
	if !strings.Contains(extra, "issue_outside_hours") {
		cfg.Hall.IssueOutsideHours = true
	}
	if !strings.Contains(extra, "anonymous_per_minute") {
		cfg.Queue.AnonymousPerMinute = 0
	}
	cat, err := kiosk.ParseCatalog(config.DefaultCatalog(), []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, cfg.Mail.ExcludedDepartments)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "k.db"), testKey)
	if err != nil {
		t.Fatal(err)
	}
	hub := NewHub(nil, cfg.Location)
	hall, err := kiosk.Open(context.Background(), kiosk.Options{Config: cfg, Catalog: cat, Store: db, Publish: hub.Publish, IDKey: []byte("k"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Hall: hall, Hub: hub}
	if set != nil {
		set(&o)
	}
	srv := httptest.NewServer(NewServer(o))
	t.Cleanup(func() { srv.Close(); hall.Close(); db.Close() })
	return &env{t: t, srv: srv, hall: hall, db: db}
}

type resp struct {
	status int
	body   map[string]any
	raw    string
}

func (e *env) do(method, path, token, body string, hdr ...string) resp {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, raw: string(b)}
	_ = json.Unmarshal(b, &r.body)
	return r
}

func (e *env) want(r resp, status int) resp {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

func TestAuth(t *testing.T) {
	e := newEnv(t)
	e.want(e.do("GET", "/api/v1/catalog", "", ""), 401)
	e.want(e.do("GET", "/api/v1/catalog", "wrong-token-0123456789", ""), 401)
	e.want(e.do("GET", "/api/v1/catalog?token="+tokDisplay, "", ""), 200)
	e.want(e.do("POST", "/api/v1/tickets", tokWin1, `{"zone":"A"}`), 403)
	e.want(e.do("POST", "/api/v1/tickets", tokDisplay, `{"zone":"A"}`), 403)
	e.want(e.do("POST", "/api/v1/windows/1/call", tokKiosk, ``), 403)
	e.want(e.do("POST", "/api/v1/windows/2/call", tokWin1, ``), 403)
	e.want(e.do("POST", "/api/v1/windows/99/call", tokWin1, ``), 404)
	e.want(e.do("GET", "/api/v1/stats", tokWin1, ``), 403)
	e.want(e.do("GET", "/api/v1/audit", tokKiosk, ``), 403)
	r := e.want(e.do("GET", "/api/v1/stats", "", ``), 401)
	if str(r.body, "error") == "" {
		t.Fatal("401 without an error message")
	}
	e.want(e.do("GET", "/healthz", "", ""), 200)
	me := e.want(e.do("GET", "/api/v1/me", tokWin2, ""), 200)
	if me.body["id"] != "window-2" || me.body["role"] != "window" || me.body["window"] != float64(2) {
		t.Fatalf("me = %s", me.raw)
	}
	e.want(e.do("GET", "/api/v1/me", "", ""), 401)
}

func TestTicketFlow(t *testing.T) {
	e := newEnv(t)
	r := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`, "Idempotency-Key", "abc-1"), 201)
	for _, k := range []string{"id", "number", "zone", "issued_at", "status_url"} {
		if _, ok := r.body[k]; !ok {
			t.Fatalf("issue answer lacks %s: %s", k, r.raw)
		}
	}
	if r.body["number"] != "A001" || r.body["waiting_ahead"] != float64(0) {
		t.Fatalf("first ticket: %s", r.raw)
	}
	again := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`, "Idempotency-Key", "abc-1"), 201)
	if again.body["id"] != r.body["id"] {
		t.Fatal("the same key made a second ticket")
	}
	sub := `{"matter":"HJ-SJ-0001","submission":{"applicant":{"id_number":"11010519491231002X","name":"张三丰"},"materials":[],"delivery":{"mode":"pickup"}}}`
	r2 := e.want(e.do("POST", "/api/v1/tickets", tokGuide, sub), 201)
	if r2.body["number"] != "A002" || r2.body["waiting_ahead"] != float64(1) {
		t.Fatalf("second: %s", r2.raw)
	}
	// the same citizen again in the same zone gets the same ticket
	dup := e.want(e.do("POST", "/api/v1/tickets", tokGuide, sub), 200)
	if dup.body["id"] != r2.body["id"] {
		t.Fatal("one active ticket per ID per zone broken")
	}
	// public status link: no personal data
	statusURL := str(r2.body, "status_url")
	u := statusURL[strings.Index(statusURL, "/s/"):]
	id := str(r2.body, "id")
	token := u[strings.Index(u, "token=")+6:]
	pub := e.want(e.do("GET", "/api/v1/tickets/"+id+"?token="+token, "", ""), 200)
	if strings.Contains(pub.raw, "张") || strings.Contains(pub.raw, "1101") || pub.body["status"] != "waiting" {
		t.Fatalf("public view: %s", pub.raw)
	}
	e.want(e.do("GET", "/api/v1/tickets/"+id+"?token=wrong", "", ""), 401)
	e.want(e.do("GET", "/api/v1/tickets/"+id, "", ""), 401)
	page := e.want(e.do("GET", u, "", ""), 200)
	if !strings.Contains(page.raw, `lang="zh-CN"`) {
		t.Fatal("status page")
	}
	// window 1 calls A001, then A002 (finishing A001 implicitly)
	c1 := e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	if tk := c1.body["ticket"].(map[string]any); tk["number"] != "A001" || tk["window"] != float64(1) || tk["status"] != "called" {
		t.Fatalf("call: %s", c1.raw)
	}
	c2 := e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, "{}"), 200)
	tk := c2.body["ticket"].(map[string]any)
	if tk["number"] != "A002" {
		t.Fatalf("second call %s", c2.raw)
	}
	// the window serving it sees the submission whole; window 2 and the display do not
	full := e.want(e.do("GET", "/api/v1/tickets/"+id, tokWin1, ""), 200)
	if !strings.Contains(full.raw, "11010519491231002X") {
		t.Fatalf("serving window lacks the submission: %s", full.raw)
	}
	other := e.want(e.do("GET", "/api/v1/tickets/"+id, tokWin2, ""), 200)
	if strings.Contains(other.raw, "11010519491231002X") || strings.Contains(other.raw, "张三丰") {
		t.Fatalf("another window sees personal data: %s", other.raw)
	}
	e.want(e.do("POST", "/api/v1/windows/1/start", tokWin1, ""), 200)
	e.want(e.do("POST", "/api/v1/windows/1/recall", tokWin1, ""), 409) // serving already
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"nope"}`), 400)
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":`), 400)
	f := e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"accepted"}`), 200)
	cases := f.body["cases"].([]any)
	if len(cases) != 1 {
		t.Fatalf("finish: %s", f.raw)
	}
	cs := e.want(e.do("GET", "/api/v1/cases?ticket="+id, tokAdmin, ""), 200)
	c := cs.body["cases"].([]any)[0].(map[string]any)
	for _, k := range []string{"number", "matter", "department", "due", "state", "parent"} {
		if _, ok := c[k]; !ok {
			t.Fatalf("case lacks %s: %s", k, cs.raw)
		}
	}
	e.want(e.do("GET", "/api/v1/cases?ticket="+id, tokWin1, ""), 200)
	e.want(e.do("GET", "/api/v1/cases?ticket="+id, tokWin2, ""), 403)
	e.want(e.do("GET", "/api/v1/cases", tokWin1, ""), 400)
	e.want(e.do("GET", "/api/v1/cases", tokAdmin, ""), 200)
	// rating: 1..5, once, by the window that served it
	e.want(e.do("POST", "/api/v1/tickets/"+id+"/rating", tokWin2, `{"level":5}`), 403)
	e.want(e.do("POST", "/api/v1/tickets/"+id+"/rating", tokWin1, `{"level":5}`), 403) // a window never rates (issue #17)
	e.want(e.rateAsCitizen(id, `{"level":0}`), 400)
	e.want(e.rateAsCitizen(id, `{"level":"5"}`), 400)
	e.want(e.rateAsCitizen(id, `{"level":5,"comment":"好"}`), 201)
	e.want(e.rateAsCitizen(id, `{"level":5}`), 409)
	// nobody waits: 204
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 204)
	e.want(e.do("POST", "/api/v1/windows/1/recall", tokWin1, ""), 409)
	st := e.want(e.do("GET", "/api/v1/stats", tokAdmin, ""), 200)
	zones := st.body["zones"].(map[string]any)
	a := zones["A"].(map[string]any)
	if a["issued"] != float64(2) || a["served"] != float64(2) {
		t.Fatalf("stats A: %v", a)
	}
	au := e.want(e.do("GET", "/api/v1/audit?ticket="+id, tokAdmin, ""), 200)
	if n := len(au.body["entries"].([]any)); n < 4 {
		t.Fatalf("audit has %d entries for the ticket", n)
	}
	e.want(e.do("GET", "/api/v1/stats?date=yesterday", tokAdmin, ""), 400)
}

func TestBadRequests(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		body, field string
		status      int
	}{
		{`{"zone":"A","extra":1}`, "extra", 400},
		{`{"zone":1}`, "zone", 400},
		{`{"zone":"A"} {"zone":"B"}`, "", 400},
		{`{"zone":"A"`, "", 400},
		{``, "", 400},
		{`[]`, "", 400},
		{`{"zone":"Z"}`, "zone", 400},
		{`{"matter":"NOPE"}`, "matter", 400},
		{`{"zone":"J","submission":{"applicant":{"id_number":"11010519491231002X","name":"张三"},"delivery":{"mode":"mail","recipient":"张三","phone":"13800138000","address":"x","postcode":"351100"}},"matter":"` + matterOf(t, e, "J") + `"}`, "submission.delivery.mode", 400},
		{`{"zone":"A","submission":{"applicant":{"id_number":"123","name":"张三"}}}`, "submission.applicant.id_number", 400},
		{`{"zone":"A","priority_reason":"vip"}`, "priority_reason", 400},
		{`{"zone":"` + strings.Repeat("A", 2<<20) + `"}`, "", 413},
	}
	for i, tt := range tests {
		r := e.do("POST", "/api/v1/tickets", tokKiosk, tt.body)
		if r.status != tt.status || str(r.body, "field") != tt.field || str(r.body, "error") == "" {
			t.Errorf("case %d: %d %s, want %d field %q", i, r.status, r.raw, tt.status, tt.field)
		}
	}
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`, "Idempotency-Key", "bad key"), 400)
	// nothing was half-written: the first good ticket is A001 and the audit is empty of issues
	r := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	if r.body["number"] != "A001" {
		t.Fatalf("bad requests used numbers: %s", r.raw)
	}
	e.want(e.do("POST", "/api/v1/windows/1/transfer", tokWin1, `{"zone":"B"}`), 409) // holds nothing
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ``), 200)
	e.want(e.do("POST", "/api/v1/windows/1/transfer", tokWin1, `{}`), 400)
	e.want(e.do("POST", "/api/v1/windows/1/transfer", tokWin1, `{"zone":"Q"}`), 400)
	e.want(e.do("POST", "/api/v1/windows/1/transfer", tokWin1, `{"window":"5"}`), 400)
	tr := e.want(e.do("POST", "/api/v1/windows/1/transfer", tokWin1, `{"window":5}`), 200)
	if tk := tr.body["ticket"].(map[string]any); tk["zone"] != "B" || tk["number"] != "A001" {
		t.Fatalf("transfer: %s", tr.raw)
	}
	e.want(e.do("GET", "/api/v1/nothing", tokAdmin, ""), 404)
	e.want(e.do("GET", "/api/v1/tickets/nope", tokAdmin, ""), 404)
}

func matterOf(t *testing.T, e *env, zone string) string {
	for _, m := range e.hall.Catalog().Matters() {
		if m.Zone == zone && !m.MailOK {
			return m.Code
		}
	}
	t.Fatalf("no matter without mailing in zone %s", zone)
	return ""
}

func TestCatalogSearch(t *testing.T) {
	e := newEnv(t)
	r := e.want(e.do("GET", "/api/v1/catalog?q=sfz", tokKiosk, ""), 200)
	ms := r.body["matters"].([]any)
	if len(ms) == 0 {
		t.Fatal("sfz found nothing")
	}
	for _, m := range ms {
		if name := m.(map[string]any)["name"].(string); !strings.Contains(name, "身份证") {
			t.Errorf("sfz found %s", name)
		}
	}
	all := e.want(e.do("GET", "/api/v1/catalog", tokKiosk, ""), 200)
	if n := len(all.body["zones"].([]any)); n != 9 {
		t.Fatalf("%d zones", n)
	}
}

func dial(t *testing.T, e *env, token, query string) *websocket.Conn {
	t.Helper()
	u := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/events?token=" + token + query
	c, res, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dial: %v (%d)", err, status)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func readEvent(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m map[string]any
	if err := c.ReadJSON(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEvents(t *testing.T) {
	e := newEnv(t)
	if _, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(e.srv.URL, "http")+"/api/v1/events", nil); err == nil || res.StatusCode != 401 {
		t.Fatal("websocket without a token accepted")
	}
	live := dial(t, e, tokDisplay, "")
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	m1 := readEvent(t, live)
	m2 := readEvent(t, live)
	if m1["type"] != "ticket.issued" || m2["type"] != "ticket.called" || m2["number"] != "A001" || m2["window"] != float64(1) {
		t.Fatalf("live events %v %v", m1, m2)
	}
	if m2["seq"].(float64) != m1["seq"].(float64)+1 {
		t.Fatal("seq does not grow by one")
	}
	if _, err := time.Parse(time.RFC3339, m1["at"].(string)); err != nil {
		t.Fatal(err)
	}
	// a screen that reconnects with since gets what it missed, in order
	for i := 0; i < 3; i++ {
		e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"B"}`), 201)
	}
	since := int64(m1["seq"].(float64))
	re := dial(t, e, tokDisplay, fmt.Sprintf("&since=%d", since))
	want := since + 1
	for i := 0; i < 4; i++ {
		m := readEvent(t, re)
		if int64(m["seq"].(float64)) != want {
			t.Fatalf("replay gave seq %v, want %d", m["seq"], want)
		}
		want++
	}
	// then live
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"C"}`), 201)
	if m := readEvent(t, re); int64(m["seq"].(float64)) != want || m["zone"] != "C" {
		t.Fatalf("after replay: %v", m)
	}
	// a terminal-only event (card.read) reaches only that terminal, with its private part
	kiosk := dial(t, e, tokKiosk, "")
	if err := e.hall.Emit(context.Background(), "card.read", map[string]any{"name": "张*丰", "id_number_masked": "1101**********002X"}, "kiosk-1",
		map[string]any{"id_number": "11010519491231002X"}); err != nil {
		t.Fatal(err)
	}
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"D"}`), 201)
	if m := readEvent(t, kiosk); m["type"] != "card.read" || m["id_number"] != "11010519491231002X" {
		t.Fatalf("kiosk got %v", m)
	}
	if m := readEvent(t, re); m["type"] != "ticket.issued" {
		t.Fatalf("the display got %v, not the next ticket (card.read must skip it)", m)
	}
	// replay never carries the private part
	rk := dial(t, e, tokKiosk, fmt.Sprintf("&since=%d", want))
	if m := readEvent(t, rk); m["type"] != "card.read" || m["id_number"] != nil {
		t.Fatalf("replayed card.read: %v", m)
	}
	e.want(e.do("GET", "/api/v1/events?since=x&token="+tokAdmin, "", ""), 400)
}

func TestPages(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/kiosk", "/guide", "/window", "/display", "/admin", "/"} {
		r := e.want(e.do("GET", p, "", ""), 200)
		if !strings.Contains(r.raw, `<html lang="zh-CN">`) {
			t.Errorf("%s is not zh-CN", p)
		}
	}
	r := e.want(e.do("GET", "/config.js", "", ""), 200)
	if !bytes.Contains([]byte(r.raw), []byte("涵江区行政服务中心")) {
		t.Fatal(r.raw)
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t)
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	r := e.want(e.do("GET", "/metrics", "", ""), 200) // httptest listens on loopback
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(r.raw))
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text: %v", err)
	}
	value := func(name string, labels map[string]string) (float64, bool) {
		f := fams[name]
		if f == nil {
			return 0, false
		}
	next:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
					continue next
				}
			}
			if g := m.GetGauge(); g != nil {
				return g.GetValue(), true
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue(), true
			}
			return 0, true
		}
		return 0, false
	}
	if v, ok := value("kioskd_queue_waiting", map[string]string{"zone": "A"}); !ok || v != 1 {
		t.Errorf("kioskd_queue_waiting{zone=A} = %v %v", v, ok)
	}
	if v, ok := value("kioskd_tickets_today", map[string]string{"zone": "A", "status": "issued"}); !ok || v != 1 {
		t.Errorf("kioskd_tickets_today issued A = %v %v", v, ok)
	}
	for _, name := range []string{"kioskd_http_request_duration_seconds", "go_goroutines", "kioskd_events_total", "kioskd_websocket_clients"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
}

// fakePrinter fails while fail is set and records what it printed.
type fakePrinter struct {
	fail    error
	printed []devices.Ticket
}

func (p *fakePrinter) PrintTicket(ctx context.Context, t devices.Ticket) error {
	if p.fail != nil {
		return p.fail
	}
	p.printed = append(p.printed, t)
	return nil
}

func newPrinterEnv(t *testing.T, onFailure string, p Printer) *env {
	t.Helper()
	return startEnv(t, limitsOff+"[devices.printer]\non_failure = \""+onFailure+"\"\n", nil,
		func(o *Options) { o.Printers = map[string]Printer{"kiosk-1": p} })
}

func TestPrintedTickets(t *testing.T) {
	p := &fakePrinter{}
	e := newPrinterEnv(t, "void", p)
	r := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"matter":"HJ-SJ-0001"}`, "Idempotency-Key", "p1"), 201)
	if r.body["printed"] != true || len(p.printed) != 1 {
		t.Fatalf("not printed: %s", r.raw)
	}
	pt := p.printed[0]
	if pt.Number != "A001" || pt.StatusURL != r.body["status_url"] || pt.Matter == "" || pt.Hall == "" {
		t.Fatalf("printed %+v", pt)
	}
	// a retry with the same key does not print a second ticket
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"matter":"HJ-SJ-0001"}`, "Idempotency-Key", "p1"), 201)
	if len(p.printed) != 1 {
		t.Fatal("a retried request printed again")
	}
	// the guide desk has no printer here: no print, a plain 201
	if g := e.want(e.do("POST", "/api/v1/tickets", tokGuide, `{"zone":"B"}`), 201); g.body["printed"] != nil {
		t.Fatal(g.raw)
	}
	// paper out: the ticket is voided, the citizen is sent to the guide desk, no ghost waits
	p.fail = errors.New("escpos: paper out")
	f := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 503)
	if !strings.Contains(str(f.body, "error"), "导办台") {
		t.Fatal(f.raw)
	}
	if m := e.want(e.do("GET", "/metrics", "", ""), 200); !strings.Contains(m.raw, "kioskd_print_failures_total 1") {
		t.Fatal("the failed print is not counted in /metrics")
	}
	if n := e.hall.Waiting()["A"]; n != 1 {
		t.Fatalf("%d waiting in A after a failed print, want 1", n)
	}
	p.fail = nil
	// the voided number is not handed out again
	if n := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201); n.body["number"] != "A003" {
		t.Fatalf("after a voided A002: %s", n.raw)
	}
	e.want(e.do("POST", "/api/v1/tickets/"+str(r.body, "id")+"/print", tokKiosk, ""), 200)
	e.want(e.do("POST", "/api/v1/tickets/"+str(r.body, "id")+"/print", tokGuide, ""), 409) // no printer
}

func TestPrintFailureHeld(t *testing.T) {
	p := &fakePrinter{fail: errors.New("escpos: offline")}
	e := newPrinterEnv(t, "hold", p)
	r := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	if r.body["printed"] != false || str(r.body, "print_error") == "" {
		t.Fatal(r.raw)
	}
	if n := e.hall.Waiting()["A"]; n != 1 {
		t.Fatalf("held ticket not waiting: %d", n)
	}
	p.fail = nil
	e.want(e.do("POST", "/api/v1/tickets/"+str(r.body, "id")+"/print", tokKiosk, ""), 200)
	if len(p.printed) != 1 {
		t.Fatal("reprint did not print")
	}
}

var testKey = bytes.Repeat([]byte{7}, 32)

func TestCaseEndpoints(t *testing.T) {
	e := newEnv(t)
	r := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"matter":"HJ-SJ-0001"}`), 201)
	id := str(r.body, "id")
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	f := e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"accepted"}`), 200)
	number := f.body["cases"].([]any)[0].(map[string]any)["number"].(string)
	if l := f.body["cases"].([]any)[0].(map[string]any)["light"]; l != "green" && l != "yellow" {
		t.Fatalf("light %v", l)
	}
	e.want(e.do("POST", "/api/v1/cases/"+number+"/route", tokWin1, ""), 200)
	e.want(e.do("POST", "/api/v1/cases/"+number+"/approve", tokWin1, ""), 403)
	e.want(e.do("POST", "/api/v1/cases/"+number+"/approve", tokDeptRS, ""), 403) // another department
	e.want(e.do("POST", "/api/v1/cases/"+number+"/approve", tokKiosk, ""), 403)
	e.want(e.do("POST", "/api/v1/cases/"+number+"/approve", tokDeptSJ, `{"colour":1}`), 400)
	e.want(e.do("POST", "/api/v1/cases/"+number+"/approve", tokDeptSJ, ""), 200)
	e.want(e.do("POST", "/api/v1/cases/"+number+"/approve", tokDeptSJ, ""), 409)
	e.want(e.do("POST", "/api/v1/cases/nope/approve", tokDeptSJ, ""), 404)
	// a back office lists its own department's open cases, not another's
	mine := e.want(e.do("GET", "/api/v1/cases?open=1", tokDeptSJ, ""), 200)
	if n := len(mine.body["cases"].([]any)); n != 1 {
		t.Fatalf("市场监管局 sees %d cases", n)
	}
	theirs := e.want(e.do("GET", "/api/v1/cases?open=1", tokDeptRS, ""), 200)
	if n := len(theirs.body["cases"].([]any)); n != 0 {
		t.Fatalf("人社局 sees %d cases of 市场监管局", n)
	}
	e.want(e.do("GET", "/api/v1/cases?department=市场监管局", tokDeptRS, ""), 403)
	e.want(e.do("GET", "/api/v1/cases?light=blue", tokAdmin, ""), 400)
	e.want(e.do("GET", "/api/v1/cases?ticket="+id, tokDeptSJ, ""), 200)
	if ps := e.want(e.do("GET", "/api/v1/stats/packages", tokAdmin, ""), 200); ps.body["packages"] == nil {
		t.Fatal(ps.raw)
	}
	red := e.want(e.do("GET", "/api/v1/cases?light=red", tokAdmin, ""), 200)
	if n := len(red.body["cases"].([]any)); n != 0 {
		t.Fatalf("%d red cases", n)
	}
}

func TestAppointmentEndpoints(t *testing.T) {
	e := newEnv(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	today := time.Now().In(loc).Format(time.DateOnly)
	tomorrow := time.Now().In(loc).AddDate(0, 0, 1).Format(time.DateOnly)
	one := fmt.Sprintf(`{"code":"HJ-APPT-1","matter":"HJ-SJ-0001","date":%q,"start":"00:00","end":"23:59","applicant":{"id_number":"11010519491231002X","name":"张三丰"}}`, today)
	r := e.want(e.do("POST", "/api/v1/appointments", tokAdmin, one), 201)
	if r.body["code"] != "HJ-APPT-1" || r.body["zone"] != "A" || r.body["status"] != "booked" || strings.Contains(r.raw, "11010519491231002X") {
		t.Fatalf("stored: %s", r.raw)
	}
	batch := fmt.Sprintf(`[{"code":"HJ-APPT-2","matter":"HJ-SJ-0001","date":%q,"start":"09:00","end":"09:30","applicant":{"id_number":"440524188001010014","name":"李四"}},
		{"code":"HJ-APPT-3","matter":"HJ-SJ-0001","date":%q,"start":"9:00","end":"09:30","applicant":{"id_number":"350303199001011235","name":"王五"}}]`, tomorrow, tomorrow)
	bad := e.want(e.do("POST", "/api/v1/appointments", tokGuide, batch), 400)
	if str(bad.body, "field") != "appointments[1].start" {
		t.Fatalf("batch error: %s", bad.raw)
	}
	e.want(e.do("POST", "/api/v1/appointments", tokKiosk, one), 403)
	e.want(e.do("POST", "/api/v1/appointments", tokAdmin, one), 409) // the code exists
	e.want(e.do("POST", "/api/v1/appointments", tokAdmin, `{"code":"X"`), 400)
	fixed := strings.Replace(batch, `"start":"9:00","end":"09:30"`, `"start":"09:30","end":"10:00"`, 1)
	if b := e.want(e.do("POST", "/api/v1/appointments", tokGuide, fixed), 201); len(b.body["appointments"].([]any)) != 2 {
		t.Fatal(b.raw)
	}
	// tomorrow's: too early, in words
	early := e.want(e.do("POST", "/api/v1/appointments/HJ-APPT-2/check-in", tokKiosk, ""), 409)
	if !strings.Contains(str(early.body, "error"), "签到") {
		t.Fatalf("too early: %s", early.raw)
	}
	e.want(e.do("POST", "/api/v1/appointments/NOPE-1/check-in", tokKiosk, ""), 404)
	e.want(e.do("POST", "/api/v1/appointments/HJ-APPT-1/check-in", tokWin1, ""), 403)
	// a walk-in first, then the appointment checks in and goes ahead of it
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	ci := e.want(e.do("POST", "/api/v1/appointments/HJ-APPT-1/check-in", tokGuide, ""), 201)
	for _, k := range []string{"id", "number", "zone", "waiting_ahead", "issued_at", "status_url"} {
		if _, ok := ci.body[k]; !ok {
			t.Fatalf("check-in answer lacks %s: %s", k, ci.raw)
		}
	}
	call := e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	if call.body["ticket"].(map[string]any)["number"] != ci.body["number"] {
		t.Fatalf("called %v, want the appointment %v", call.body["ticket"], ci.body["number"])
	}
	// by ID card at the kiosk: nothing booked today for this one
	e.want(e.do("POST", "/api/v1/appointments/check-in", tokKiosk, `{"id_number":"440524188001010014"}`), 404)
	e.want(e.do("POST", "/api/v1/appointments/check-in", tokKiosk, `{}`), 400)
	list := e.want(e.do("GET", "/api/v1/appointments?date="+tomorrow, tokGuide, ""), 200)
	if n := len(list.body["appointments"].([]any)); n != 2 {
		t.Fatalf("listed %d", n)
	}
}

func TestRateLimits(t *testing.T) {
	e := startEnv(t, "[limits]\npublic_per_second = 1\npublic_burst = 3\nterminal_per_second = 1\nterminal_burst = 5\n", nil, nil)
	codes := func(n int, token string) (ok, limited int) {
		for i := 0; i < n; i++ {
			switch e.do("GET", "/api/v1/queue", token, "").status {
			case 429:
				limited++
			default:
				ok++
			}
		}
		return
	}
	if ok, limited := codes(10, "wrong-token-0123456789"); ok != 3 || limited != 7 {
		t.Fatalf("token guessing: %d answered, %d limited; want 3 and 7", ok, limited)
	}
	if ok, limited := codes(10, tokKiosk); ok != 5 || limited != 5 {
		t.Fatalf("a runaway terminal: %d answered, %d limited; want 5 and 5", ok, limited)
	}
	// another terminal is not slowed by the first
	if ok, _ := codes(3, tokGuide); ok != 3 {
		t.Fatal("one terminal's limit slowed another")
	}
}

type oneDocs struct{}

func (oneDocs) Validate(ctx context.Context, body []byte, ct string) ([]byte, string, int, error) {
	return body, "pdf", 2, nil
}
func (oneDocs) Render(ctx context.Context, doc []byte, page, width int) ([]byte, error) {
	return []byte("\x89PNG"), nil
}

func TestWindowAttachesItsScan(t *testing.T) {
	e := startEnv(t, limitsOff, nil, func(o *Options) { o.Documents = oneDocs{} })
	up := e.want(e.do("POST", "/api/v1/materials", tokWin1, "%PDF-1.4 x", "Content-Type", "application/pdf"), 201)
	id := str(up.body, "material_id")
	meta := e.want(e.do("GET", "/api/v1/materials/"+id, tokWin1, ""), 200)
	if meta.body["pages"] != float64(2) || meta.body["source"] != "upload" {
		t.Fatalf("meta %s", meta.raw)
	}
	e.want(e.do("GET", "/api/v1/materials/"+id, tokWin2, ""), 403)
	e.want(e.do("POST", "/api/v1/windows/1/materials", tokWin1, `{"material_id":"`+id+`"}`), 409) // holds nothing
	tk := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	e.want(e.do("POST", "/api/v1/windows/1/materials", tokWin1, `{"material_id":"nope"}`), 400)
	a := e.want(e.do("POST", "/api/v1/windows/1/materials", tokWin1, `{"material_id":"`+id+`"}`), 200)
	if !strings.Contains(a.raw, id) {
		t.Fatalf("attach: %s", a.raw)
	}
	got := e.want(e.do("GET", "/api/v1/tickets/"+str(tk.body, "id"), tokWin1, ""), 200)
	if !strings.Contains(got.raw, id) {
		t.Fatal("the ticket does not list the attached material")
	}
	// window 2 cannot attach window 1's scan, even when serving
	e.want(e.do("POST", "/api/v1/windows/2/materials", tokWin2, `{"material_id":"`+id+`"}`), 400)
}

func TestStaffSignIn(t *testing.T) {
	e := newStaffEnv(t)

	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201) // kiosks need no staff
	r := e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 401)
	if str(r.body, "field") != "X-Staff-Session" {
		t.Fatal(r.raw)
	}
	e.want(e.do("POST", "/api/v1/tickets", tokGuide, `{"zone":"A"}`), 401)
	e.want(e.do("POST", "/api/v1/staff/sign-in", tokWin1, `{"staff_id":"S001","pin":"0000"}`), 401)
	e.want(e.do("POST", "/api/v1/staff/sign-in", tokKiosk, `{"staff_id":"S001","pin":"1357"}`), 403)
	in := e.want(e.do("POST", "/api/v1/staff/sign-in", tokWin1, `{"staff_id":"S001","pin":"1357"}`), 200)
	sess := str(in.body, "session")
	if in.body["name"] != "林小梅" || len(sess) < 32 {
		t.Fatal(in.raw)
	}
	// the session belongs to window 1's terminal only
	e.want(e.do("POST", "/api/v1/windows/2/call", tokWin2, "", "X-Staff-Session", sess), 401)
	c := e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, "", "X-Staff-Session", sess), 200)
	id := c.body["ticket"].(map[string]any)["id"].(string)
	me := e.want(e.do("GET", "/api/v1/me", tokWin1, "", "X-Staff-Session", sess), 200)
	if me.body["staff"] != "S001" || me.body["staff_required"] != true {
		t.Fatal(me.raw)
	}
	au := e.want(e.do("GET", "/api/v1/audit?ticket="+id, tokAdmin, ""), 200)
	found := false
	for _, a := range au.body["entries"].([]any) {
		m := a.(map[string]any)
		if m["action"] == "ticket.call" && m["staff"] == "S001" {
			found = true
		}
	}
	if !found {
		t.Fatalf("the call is not tied to the member of staff: %s", au.raw)
	}
	e.want(e.do("POST", "/api/v1/staff/sign-out", tokWin1, "", "X-Staff-Session", sess), 204)
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, "", "X-Staff-Session", sess), 401)
}

func TestMetricsNeedAdminOffLoopback(t *testing.T) {
	e := newEnv(t)
	h := e.srv.Config.Handler
	for _, tt := range []struct {
		token string
		want  int
	}{{"", 401}, {tokKiosk, 403}, {tokAdmin, 200}} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = "192.0.2.7:40000" // a documentation address: another machine
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("token %q from another machine: %d, want %d", tt.token, rec.Code, tt.want)
		}
	}
}

func TestChecklistMarks(t *testing.T) {
	e := newEnv(t)
	tk := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"matter":"HJ-SJ-0001"}`), 201)
	e.want(e.do("POST", "/api/v1/windows/1/checklist", tokWin1, `{"material":"公司章程","state":"accepted"}`), 409) // holds nothing
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	mats := e.hall.Catalog()
	m, _ := mats.Matter("HJ-SJ-0001")
	first, second := m.Materials[0], m.Materials[1]
	e.want(e.do("POST", "/api/v1/windows/1/checklist", tokWin1, `{"material":"户口本的复印件","state":"accepted"}`), 400)
	e.want(e.do("POST", "/api/v1/windows/1/checklist", tokWin1, `{"material":"`+first+`","state":"maybe"}`), 400)
	e.want(e.do("POST", "/api/v1/windows/1/checklist", tokWin1, `{"material":"`+first+`","state":"correction"}`), 400) // a correction says what
	e.want(e.do("POST", "/api/v1/windows/1/checklist", tokWin1, `{"material":"`+first+`","state":"accepted"}`), 200)
	r := e.want(e.do("POST", "/api/v1/windows/1/checklist", tokWin1, `{"material":"`+second+`","state":"correction","note":"缺少股东签字"}`), 200)
	cl := r.body["ticket"].(map[string]any)["checklist"].(map[string]any)
	if cl[first].(map[string]any)["state"] != "accepted" || cl[second].(map[string]any)["note"] != "缺少股东签字" {
		t.Fatalf("checklist %v", cl)
	}
	e.want(e.do("POST", "/api/v1/windows/2/checklist", tokWin1, `{"material":"`+first+`","state":"accepted"}`), 403)
	got := e.want(e.do("GET", "/api/v1/tickets/"+str(tk.body, "id"), tokWin1, ""), 200)
	if !strings.Contains(got.raw, "缺少股东签字") {
		t.Fatal("the marks are not on the ticket")
	}
	au := e.want(e.do("GET", "/api/v1/audit?ticket="+str(tk.body, "id"), tokAdmin, ""), 200)
	if !strings.Contains(au.raw, "material.correction") || !strings.Contains(au.raw, "material.accepted") {
		t.Fatalf("marks not audited: %s", au.raw)
	}
}

func TestStatsRangeAndCSV(t *testing.T) {
	e := newEnv(t)
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"B"}`), 201)
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"consulted"}`), 200)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	today := time.Now().In(loc)
	from := today.AddDate(0, 0, -6).Format(time.DateOnly)
	to := today.Format(time.DateOnly)
	week := e.want(e.do("GET", "/api/v1/stats?from="+from+"&to="+to, tokAdmin, ""), 200)
	if tot := week.body["total"].(map[string]any); tot["issued"] != float64(2) || tot["served"] != float64(1) {
		t.Fatalf("week: %s", week.raw)
	}
	if staff := week.body["staff"].(map[string]any); staff["window-1"] == nil {
		t.Fatalf("no figures for the member of staff (here the window terminal): %s", week.raw)
	}
	c := e.do("GET", "/api/v1/stats?from="+from+"&to="+to+"&format=csv", tokAdmin, "")
	if c.status != 200 {
		t.Fatal(c.status)
	}
	rows, err := csv.NewReader(strings.NewReader(c.raw)).ReadAll()
	if err != nil || len(rows) < 3 || rows[0][0] != "scope" || rows[1][0] != "total" || rows[1][2] != "2" {
		t.Fatalf("csv: %v %q", err, rows[:min(3, len(rows))])
	}
	e.want(e.do("GET", "/api/v1/stats?from="+to+"&to="+from, tokAdmin, ""), 400)
	e.want(e.do("GET", "/api/v1/stats?format=xml", tokAdmin, ""), 400)
	e.want(e.do("GET", "/api/v1/stats?from=2026-01-01&to=2027-06-01", tokAdmin, ""), 400)
}
