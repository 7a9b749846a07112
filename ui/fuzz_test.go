// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"yichuang/config"
	"yichuang/kiosk"
	"yichuang/kiosk/store"
)

// The fuzz targets here send the API's JSON bodies (and a WebSocket's
// since) to a real hall: each input is one request to the handler, with a
// valid token. Whatever the input: no panic, no 5xx, a 400 says what is
// wrong in the error shape, and a 4xx changes nothing in the hall.

// fuzzHall is a hall server for fuzz targets, built once per target.
type fuzzHall struct {
	s    *Server
	hall *kiosk.Hall
	srv  *httptest.Server // started on demand, for WebSockets
}

const fuzzTimeout = 10 * time.Second

// the actors the fuzz halls' set-up acts as
func kioskActor() kiosk.Actor { return kiosk.Actor{Terminal: "kiosk-1", Role: config.RoleKiosk} }
func window1() kiosk.Actor {
	return kiosk.Actor{Terminal: "window-1", Role: config.RoleWindow, Window: 1}
}

func newFuzzHall(tb testing.TB) *fuzzHall {
	tb.Helper()
	cfg, err := config.Parse([]byte(testConfig + limitsOff))
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Hall.IssueOutsideHours, cfg.Queue.AnonymousPerMinute = true, 0 // any hour, many plain tickets
	cat, err := kiosk.ParseCatalog(config.DefaultCatalog(), []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, cfg.Mail.ExcludedDepartments)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "k.db"), testKey)
	if err != nil {
		tb.Fatal(err)
	}
	hub := NewHub(nil, cfg.Location)
	hall, err := kiosk.Open(context.Background(), kiosk.Options{Config: cfg, Catalog: cat, Store: db, Publish: hub.Publish, IDKey: []byte("k")})
	if err != nil {
		tb.Fatal(err)
	}
	f := &fuzzHall{s: NewServer(Options{Hall: hall, Hub: hub}), hall: hall}
	tb.Cleanup(func() {
		if f.srv != nil {
			f.srv.Close()
		}
		hall.Close()
		db.Close()
	})
	return f
}

// serve hands one request to the handler.
func (f *fuzzHall) serve(method, path, token string, body []byte, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header[hdr[i]] = []string{hdr[i+1]}
	}
	rec := httptest.NewRecorder()
	f.s.ServeHTTP(rec, req)
	return rec
}

// hallState is what a refused request must leave as it was.
type hallState struct {
	Seq       int64
	Waiting   map[string]int
	Held      string // window 1's ticket, whole
	LastAudit string
}

func (f *fuzzHall) state(tb testing.TB) hallState {
	tb.Helper()
	st := hallState{Seq: f.hall.LastSeq(), Waiting: f.hall.Waiting()}
	if t := f.hall.Held(1); t != nil {
		b, _ := json.Marshal(t)
		st.Held = string(b)
	}
	es, err := f.hall.Audit(context.Background(), kiosk.AuditQuery{Limit: 1})
	if err != nil {
		tb.Fatal(err)
	}
	b, _ := json.Marshal(es)
	st.LastAudit = string(b)
	return st
}

// check asserts the rules of every answer.
func (f *fuzzHall) check(t *testing.T, before hallState, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("answered %d: %s", rec.Code, rec.Body.String())
	}
	if rec.Code < 400 {
		return
	}
	if rec.Code == http.StatusBadRequest {
		var e apiError
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
			t.Fatalf("a 400 without the error shape: %q", rec.Body.String())
		}
	}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		var e apiError
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
			t.Fatalf("a %d answer that is not JSON: %q", rec.Code, rec.Body.String())
		}
		if _, ok := messages()[e.Code]; !ok {
			t.Fatalf("a %d answer whose code %q is not in the registry: %s", rec.Code, e.Code, rec.Body.String())
		}
	}
	if after := f.state(t); !reflect.DeepEqual(before, after) {
		t.Fatalf("a %d answer (%s) changed the hall:\nbefore %+v\nafter  %+v", rec.Code, strings.TrimSpace(rec.Body.String()), before, after)
	}
}

// matter returns a matter of zone A that is not mailed.
func (f *fuzzHall) matter(tb testing.TB) string {
	for _, m := range f.hall.Catalog().Matters() {
		if m.Zone == "A" && !m.MailOK {
			return m.Code
		}
	}
	tb.Fatal("no matter in zone A")
	return ""
}

// issue issues a zone A ticket for a matter from kiosk-1.
func (f *fuzzHall) issue(tb testing.TB) kiosk.Ticket {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), fuzzTimeout)
	defer cancel()
	res, err := f.hall.Issue(ctx, kioskActor(), kiosk.IssueRequest{Matter: f.matter(tb)})
	if err != nil {
		tb.Fatal(err)
	}
	return res.Ticket
}

// hold makes window 1 hold a ticket, calling a new one if it holds none.
func (f *fuzzHall) hold(tb testing.TB) {
	tb.Helper()
	if f.hall.Held(1) != nil {
		return
	}
	f.issue(tb)
	ctx, cancel := context.WithTimeout(context.Background(), fuzzTimeout)
	defer cancel()
	if _, err := f.hall.Call(ctx, window1(), 1, kiosk.CallRequest{}); err != nil {
		tb.Fatal(err)
	}
}

// finished serves a ticket at window 1 through to result and returns it
// with the cases it opened.
func (f *fuzzHall) finished(tb testing.TB, result string) (*kiosk.Ticket, []kiosk.Case) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), fuzzTimeout)
	defer cancel()
	if t := f.hall.Held(1); t != nil {
		if _, _, err := f.hall.Finish(ctx, window1(), 1, kiosk.FinishRequest{Result: "consulted"}); err != nil {
			tb.Fatal(err)
		}
	}
	f.hold(tb)
	t, cases, err := f.hall.Finish(ctx, window1(), 1, kiosk.FinishRequest{Result: result})
	if err != nil {
		tb.Fatal(err)
	}
	return t, cases
}

func FuzzIssueBody(f *testing.F) {
	h := newFuzzHall(f)
	m := h.matter(f)
	pkg := ""
	if ps := h.hall.Catalog().Packages(); len(ps) > 0 {
		pkg = ps[0].Code
	}
	for _, s := range []string{
		`{"zone":"A"}`, `{"matter":"` + m + `"}`, `{"package":"` + pkg + `"}`,
		`{"zone":"A","priority":true,"priority_reason":"elderly"}`,
		`{"matter":"` + m + `","submission":{"applicant":{"id_number":"11010519491231002X","name":"张三丰"},"materials":[],"delivery":{"mode":"pickup"}}}`,
		`{"matter":"` + m + `","submission":{"applicant":{"id_number":"11010519491231002X","name":"张三丰"},"delivery":{"mode":"mail","recipient":"张三丰","phone":"13800000000","address":"涵江区","postcode":"351100"}}}`,
		`{"zone":"A","id_number":"11010519491231002X"}`, `{"zone":"A","offline":{}}`,
		`{"zone":1}`, `{"zone":"A"} {}`, `[]`, `null`, `{"zone":"A","x":1}`, ``, `{"matter":""}`,
		`{"pickup":{"id_number":"11010519491231002X"}}`, `{"pickup":{"case":"X"}}`, `{"pickup":{"code":"http://h/c/X?token=1"}}`,
		`{"pickup":{}}`, `{"zone":"A","pickup":{"case":"X"}}`, `{"zone":"A","id_number":"USA350386021408"}`,
		`{"zone":"A","id_number":"E1234567","id_type":"passport"}`, `{"zone":"A","id_number":"E1234567","id_type":"visa"}`,
	} {
		f.Add([]byte(s), "")
	}
	f.Add([]byte(`{"zone":"B"}`), "key-1")
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		before := h.state(t)
		rec := h.serve("POST", "/api/v1/tickets", tokKiosk, body, "Idempotency-Key", key)
		h.check(t, before, rec)
		if rec.Code == http.StatusCreated {
			var v issuedView
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || v.ID == "" || v.Number == "" {
				t.Fatalf("a 201 without a ticket: %s", rec.Body.String())
			}
		}
	})
}

func FuzzWindowBody(f *testing.F) {
	h := newFuzzHall(f)
	ops := []string{"call", "recall", "no-show", "start", "finish", "transfer", "checklist", "materials"}
	seeds := map[string][]string{
		"call":      {``, `{}`, `{"ticket":"x","reason":"老人"}`, `{"number":"A001","reason":"r"}`, `{"number":"A001"}`},
		"recall":    {``, `{}`, `{"x":1}`},
		"no-show":   {``, `{}`},
		"start":     {``, `{}`},
		"finish":    {`{"result":"accepted"}`, `{"result":"rejected"}`, `{"result":"consulted"}`, `{"result":"accepted","matter":"` + h.matter(f) + `"}`, `{"result":"x"}`, ``},
		"transfer":  {`{"zone":"B"}`, `{"window":5}`, `{"window":1}`, `{"zone":"B","window":5}`, `{"zone":"Z","reason":"r"}`, `{}`},
		"checklist": {`{"material":"身份证","state":"accepted"}`, `{"material":"x","state":"correction","note":"n"}`, `{"material":"","state":""}`},
		"materials": {`{"material_id":"abc"}`, `{"material_id":"../../etc/passwd"}`, `{}`},
	}
	for i, op := range ops {
		for _, s := range seeds[op] {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		op := ops[int(which)%len(ops)]
		h.hold(t)
		h.issue(t) // someone waits, for call and transfer
		before := h.state(t)
		rec := h.serve("POST", "/api/v1/windows/1/"+op, tokWin1, body)
		h.check(t, before, rec)
	})
}

func FuzzRatingBody(f *testing.F) {
	h := newFuzzHall(f)
	for _, s := range []string{
		`{"level":5}`, `{"level":1,"comment":"太慢了"}`, `{"level":0}`, `{"level":6}`, `{"level":"5"}`, `{"level":5.5}`,
		`{"level":3,"comment":"` + strings.Repeat("长", 501) + `"}`, `{"level":5,"extra":true}`, `{}`, ``, `[5]`,
	} {
		f.Add([]byte(s))
	}
	var done *kiosk.Ticket
	f.Fuzz(func(t *testing.T, body []byte) {
		if done == nil {
			done, _ = h.finished(t, "consulted")
		}
		before := h.state(t)
		rec := h.serve("POST", "/api/v1/tickets/"+done.ID+"/rating", done.StatusKey, body) // the citizen, with the status link's key
		h.check(t, before, rec)
		if rec.Code == http.StatusCreated {
			done = nil // rated: the next input rates a new ticket
		}
	})
}

func FuzzAppointmentsBody(f *testing.F) {
	h := newFuzzHall(f)
	today := time.Now().In(h.hall.Config().Location).Format(time.DateOnly)
	one := func(code, date, start, end string) string {
		return fmt.Sprintf(`{"code":%q,"matter":%q,"date":%q,"start":%q,"end":%q,"applicant":{"id_number":"11010519491231002X","name":"张三丰"}}`,
			code, h.matter(f), date, start, end)
	}
	for _, s := range []string{
		one("F001", today, "09:00", "09:30"), "[" + one("F002", today, "10:00", "10:30") + "," + one("F003", today, "10:00", "10:30") + "]",
		one("F004", "2026-02-30", "09:00", "09:30"), one("F005", today, "10:00", "09:00"), one("", today, "25:00", "26:00"),
		`[]`, `{}`, `[{}]`, `{"code":1}`, `[` + one("F006", today, "09:00", "09:30") + `,{"code":"F006"}]`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		before := h.state(t)
		list := h.serve("GET", "/api/v1/appointments?date="+today, tokAdmin, nil).Body.String()
		rec := h.serve("POST", "/api/v1/appointments", tokAdmin, body)
		h.check(t, before, rec)
		if rec.Code >= 400 {
			if after := h.serve("GET", "/api/v1/appointments?date="+today, tokAdmin, nil).Body.String(); after != list {
				t.Fatalf("a refused %d stored appointments:\n%s\n%s", rec.Code, list, after)
			}
		}
	})
}

func FuzzCheckInBody(f *testing.F) {
	h := newFuzzHall(f)
	loc := h.hall.Config().Location
	now := time.Now().In(loc)
	ctx := context.Background()
	if _, err := h.hall.AddAppointments(ctx, kiosk.Actor{Terminal: "admin", Role: config.RoleAdmin}, []kiosk.Appointment{{
		Code: "FZ0001", Matter: h.matter(f), Date: now.Format(time.DateOnly), Start: "00:00", End: "23:59",
		Applicant: kiosk.Applicant{IDNumber: "11010519491231002X", Name: "张三丰"},
	}}); err != nil {
		f.Logf("no appointment to check in (%v); the target still fuzzes the bodies", err)
	}
	for _, s := range []struct{ code, body string }{
		{"FZ0001", ``}, {"FZ0001", `{}`}, {"", `{"id_number":"11010519491231002X"}`}, {"", `{}`}, {"", ``},
		{"nope", `{}`}, {"FZ0001", `{"id_number":5}`}, {"../x", `{}`}, {"", `{"id_number":"11010519491231002X","x":1}`},
	} {
		f.Add(s.code, []byte(s.body), "")
	}
	f.Fuzz(func(t *testing.T, code string, body []byte, key string) {
		path := "/api/v1/appointments/check-in"
		if code != "" {
			path = "/api/v1/appointments/" + url.PathEscape(code) + "/check-in"
		}
		before := h.state(t)
		rec := h.serve("POST", path, tokKiosk, body, "Idempotency-Key", key)
		h.check(t, before, rec)
	})
}

func FuzzCaseActionBody(f *testing.F) {
	h := newFuzzHall(f)
	actions := []string{"route", "approve", "reject", "ready", "hand-out", "mail", "close", "suspend", "resume"}
	for _, a := range actions {
		for _, s := range []string{``, `{}`, `{"reason":"材料不全"}`, `{"waybill":"SF1234567890"}`, `{"waybill":1}`, `{"x":1}`,
			`{"department":"人社局"}`, `{"department":"外星局"}`, `{"verified":"card"}`, `{"verified":"x"}`} {
			f.Add(a, []byte(s))
		}
	}
	var number string
	f.Fuzz(func(t *testing.T, action string, body []byte) {
		if number == "" {
			_, cases := h.finished(t, "accepted")
			if len(cases) == 0 {
				t.Fatal("an accepted matter opened no case")
			}
			number = cases[0].Number
		}
		if action == "" {
			action = "route"
		}
		before := h.state(t)
		rec := h.serve("POST", "/api/v1/cases/"+url.PathEscape(number)+"/"+url.PathEscape(action), tokAdmin, body)
		if rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed {
			// an action no route matches (or the mux's own answer)
			if after := h.state(t); !reflect.DeepEqual(before, after) {
				t.Fatalf("%d changed the hall", rec.Code)
			}
			return
		}
		h.check(t, before, rec)
		if rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), `"state":"closed"`) {
			number = "" // closed: act on a new case next
		}
	})
}

func FuzzOtherBodies(f *testing.F) {
	h := newFuzzHall(f)
	type target struct{ path, token string }
	var waiting string
	targets := []func() target{
		func() target { return target{"/api/v1/tickets/" + waiting + "/void", tokKiosk} },
		func() target { return target{"/api/v1/tickets/" + waiting + "/print", tokKiosk} },
		func() target { return target{"/api/v1/scans", tokKiosk} },
		func() target { return target{"/api/v1/staff/sign-in", tokWin1} },
		func() target { return target{"/api/v1/appointments/lookup", tokKiosk} },
	}
	for i, bodies := range [][]string{
		{``, `{}`, `{"reason":"打印失败"}`, `{"reason":1}`},
		{``, `{}`, `{"x":1}`},
		{``, `{"pages":0}`, `{"pages":3}`, `{"pages":-1}`, `{"pages":201}`, `{"pages":"1"}`},
		{`{"staff_id":"S001","pin":"1357"}`, `{}`, ``},
		{`{"id_number":"11010519491231002X"}`, `{"id_number":"USA350386021408"}`, `{"id_number":"E12345","id_type":"passport"}`, `{"id_number":1}`, `{}`, ``},
	} {
		for _, s := range bodies {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		if waiting == "" {
			waiting = h.issue(t).ID
		}
		tg := targets[int(which)%len(targets)]()
		before := h.state(t)
		rec := h.serve("POST", tg.path, tg.token, body)
		h.check(t, before, rec)
		if rec.Code < 300 && strings.HasSuffix(tg.path, "/void") {
			waiting = ""
		}
	})
}

// FuzzEventsSince dials the event stream with a fuzzed since: a number
// from 0 up is taken and replays from the event after it; anything else is
// a 400 naming since.
func FuzzEventsSince(f *testing.F) {
	h := newFuzzHall(f)
	for range 3 {
		h.issue(f)
	}
	h.srv = httptest.NewServer(h.s)
	for _, s := range []string{"", "0", "1", "2", "-1", "x", "1e3", "+1", "007", " 1", "9223372036854775807", "9223372036854775808", "0x10", "1.5"} {
		f.Add(s)
	}
	base := "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/api/v1/events?token=" + tokAdmin
	f.Fuzz(func(t *testing.T, since string) {
		n, perr := strconv.ParseInt(since, 10, 64)
		valid := since == "" || (perr == nil && n >= 0)
		u := base
		if since != "" {
			u += "&since=" + url.QueryEscape(since)
		}
		d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
		conn, res, err := d.Dial(u, nil)
		if res != nil && res.StatusCode >= 500 {
			t.Fatalf("since %q: %d", since, res.StatusCode)
		}
		if !valid {
			if err == nil {
				conn.Close()
				t.Fatalf("since %q accepted", since)
			}
			var e apiError
			if res == nil || res.StatusCode != http.StatusBadRequest || json.NewDecoder(res.Body).Decode(&e) != nil || e.Field != "since" {
				t.Fatalf("since %q: %v, want a 400 naming since", since, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("since %q refused: %v", since, err)
		}
		defer conn.Close()
		if since == "" || n >= h.hall.LastSeq() {
			return
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		var ev map[string]any
		if err := conn.ReadJSON(&ev); err != nil {
			t.Fatalf("since %q: no replay: %v", since, err)
		}
		if seq, _ := ev["seq"].(float64); int64(seq) != n+1 {
			t.Fatalf("since %q replayed seq %v first, want %d", since, ev["seq"], n+1)
		}
	})
}
