// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gorilla/websocket"

	"yichuang/devices"
	"yichuang/docs"
	"yichuang/kiosk"
	"yichuang/kiosk/staff"
)

// pdfDocs takes PDFs only, as the real document checker refuses what it cannot read.
type pdfDocs struct{ oneDocs }

func (d pdfDocs) Validate(ctx context.Context, body []byte, ct string) ([]byte, string, int, error) {
	if ct != "application/pdf" {
		return nil, "", 0, &kiosk.Error{Kind: kiosk.KindUnsupported, Field: "Content-Type", Msg: "不支持的文件类型 (PDF, JPEG or PNG)"}
	}
	return d.oneDocs.Validate(ctx, body, ct)
}

// slipCounter is a window's ticket and receipt printer.
type slipCounter struct{ ticketCounter }

func (p *slipCounter) PrintCaseSlip(ctx context.Context, s devices.CaseSlip) error { return nil }

// loadOpenAPI loads docs/openapi.json and checks it is a valid OpenAPI 3.1 document.
func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(docs.OpenAPI())
	if err != nil {
		t.Fatalf("docs/openapi.json does not load: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("docs/openapi.json is OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("docs/openapi.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

// docPath maps a ServeMux pattern to the path the document gives it:
// "GET /{$}" is "/", a subtree "GET /static/" is "/static/{path}". ok is
// false for patterns that are no operation of their own.
func docPath(pattern string) (method, path string, ok bool) {
	method, path, _ = strings.Cut(pattern, " ")
	switch {
	case path == "/api/v1/": // the catch-all that answers 404 in JSON for unknown endpoints
		return "", "", false
	case strings.HasSuffix(path, "/{$}"):
		path = strings.TrimSuffix(path, "{$}")
	case strings.HasSuffix(path, "/") && path != "/":
		path += "{path}"
	}
	return method, path, true
}

// TestOpenAPIDocumentsEveryRoute walks the server's route table: a route
// missing from docs/openapi.json fails, and so does a documented operation
// the server does not have.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	e := newOpenAPIEnv(t, nil)
	s := e.srv.Config.Handler.(*Server)
	if len(s.patterns) < 40 {
		t.Fatalf("the route table has %d routes: not recorded?", len(s.patterns))
	}
	registered := map[string]bool{}
	for _, p := range s.patterns {
		method, path, ok := docPath(p)
		if !ok {
			continue
		}
		registered[method+" "+path] = true
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(method) == nil {
			t.Errorf("route %q is not in docs/openapi.json (want %s %s)", p, method, path)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !registered[method+" "+path] {
				t.Errorf("docs/openapi.json documents %s %s, which the server has no route for", method, path)
			}
		}
	}
}

// TestOpenAPIServed: GET /api/v1/openapi.json answers the repository's file byte for byte, without a token.
func TestOpenAPIServed(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("..", "docs", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	r := e.want(e.do("GET", "/api/v1/openapi.json", "", ""), 200)
	if r.raw != string(want) {
		t.Fatalf("GET /api/v1/openapi.json is not docs/openapi.json (%d bytes, want %d)", len(r.raw), len(want))
	}
}

// apiStep is one request of the contract walk: the documented path
// template with its parameters, and the status the server must answer.
type apiStep struct {
	method, tmpl string
	params       map[string]string // path parameters; values may name saved vars as $NAME
	query        string            // raw query, $NAME expanded
	token        string
	body         string // $NAME expanded
	hdr          []string
	status       int
	// invalid: the request breaks the document on purpose (no token, a
	// value out of its range); the document must say so.
	invalid bool
	save    func(v map[string]string, body map[string]any)
}

type walkEnv struct {
	*env
	clock *stepClock
}

// newOpenAPIEnv is a hall with every optional part the routes need: staff
// with an agent, documents, a scanner, a printer at the guide desk, voice
// and the simulated card reader; its clock stands at a Monday morning.
func newOpenAPIEnv(t *testing.T, clock *stepClock) *walkEnv {
	t.Helper()
	if clock == nil {
		clock = &stepClock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	}
	hash := staff.HashPIN(agentPIN)
	members := []staff.Member{{ID: "D07", Name: "王小梅", PINHash: hash}, {ID: "S01", Name: "林小梅", PINHash: hash}}
	extra := limitsOff + fmt.Sprintf("[staff]\nmembers = [\n  { id = \"D07\", name = \"王小梅\", pin_hash = %[1]q, agent = true },\n  { id = \"S01\", name = \"林小梅\", pin_hash = %[1]q },\n]\n", hash)
	wav := []byte("RIFF\x24\x00\x00\x00WAVEfmt ")
	e := startEnv(t, extra, clock.now, func(o *Options) {
		o.Staff = staff.NewDesk(members, 30*time.Minute, nil)
		o.Documents = pdfDocs{}
		o.Printers = map[string]Printer{"guide-1": &ticketCounter{}, "window-1": &slipCounter{}}
		o.Scanners = map[string]Scanner{"kiosk-1": &fakeScanner{pages: 2}}
		o.District = &hubDouble{}
		o.Speak = func(ctx context.Context, text string) ([]byte, error) { return wav, nil }
		o.Voice = func(id int64) ([]byte, bool) { return wav, id == 1 }
		o.SimCard = func(kind string) error {
			if kind != "" && kind != "resident" {
				return fmt.Errorf("no sample card %q", kind)
			}
			return nil
		}
	})
	return &walkEnv{env: e, clock: clock}
}

// authFunc checks a request carries what a security scheme asks for.
func authFunc(ctx context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	switch in.SecuritySchemeName {
	case "bearer":
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			return fmt.Errorf("no bearer token")
		}
	case "token", "statusKey":
		if r.URL.Query().Get("token") == "" {
			return fmt.Errorf("no ?token=")
		}
	default:
		return fmt.Errorf("unknown security scheme %q", in.SecuritySchemeName)
	}
	return nil
}

func init() {
	// bodies that are files: validated as binary strings
	for _, ct := range []string{"application/pdf", "image/jpeg", "image/png", "image/svg+xml", "audio/wav", "text/html", "text/javascript", "text/css", "text/csv"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

// run sends one step, validating the request against the document before
// it goes and the answer after it comes.
func (w *walkEnv) run(t *testing.T, doc *openapi3.T, vars map[string]string, st apiStep) {
	t.Helper()
	names := slices.Collect(maps.Keys(vars))
	slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) }) // $T1KEY before $T1
	expand := func(s string) string {
		for _, k := range names {
			s = strings.ReplaceAll(s, "$"+k, vars[k])
		}
		return s
	}
	name := st.method + " " + st.tmpl
	item := doc.Paths.Value(st.tmpl)
	if item == nil || item.GetOperation(st.method) == nil {
		t.Errorf("%s: not in docs/openapi.json", name)
		return
	}
	path, params := st.tmpl, map[string]string{}
	for k, v := range st.params {
		v = expand(v)
		params[k] = v
		path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
	}
	if q := expand(st.query); q != "" {
		path += "?" + q
	}
	name += " (" + path + ")"
	newReq := func() *http.Request {
		req, err := http.NewRequest(st.method, w.srv.URL+path, strings.NewReader(expand(st.body)))
		if err != nil {
			t.Fatal(err)
		}
		if st.token != "" {
			req.Header.Set("Authorization", "Bearer "+st.token)
		}
		if st.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(st.hdr); i += 2 {
			req.Header.Set(st.hdr[i], expand(st.hdr[i+1]))
		}
		return req
	}
	route := &routers.Route{Spec: doc, Path: st.tmpl, PathItem: item, Method: st.method, Operation: item.GetOperation(st.method)}
	in := &openapi3filter.RequestValidationInput{Request: newReq(), PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: authFunc, IncludeResponseStatus: true, MultiError: true}}
	err := openapi3filter.ValidateRequest(context.Background(), in)
	switch {
	case st.invalid && err == nil:
		t.Errorf("%s: the document accepts a request the server must refuse", name)
	case !st.invalid && err != nil:
		t.Errorf("%s: the request does not match the document: %v", name, err)
	}
	var status int
	var header http.Header
	var body []byte
	if st.status == http.StatusSwitchingProtocols {
		hdr := http.Header{}
		hdr.Set("Authorization", "Bearer "+st.token)
		c, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(w.srv.URL, "http")+path, hdr)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		c.Close()
		status, header = res.StatusCode, res.Header
	} else {
		res, err := http.DefaultClient.Do(newReq())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		body, _ = io.ReadAll(res.Body)
		res.Body.Close()
		status, header = res.StatusCode, res.Header
	}
	if status != st.status {
		t.Errorf("%s: status %d, want %d: %.300s", name, status, st.status, body)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: in.Options}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s: the %d answer does not match the document: %v\n%.400s", name, status, err, body)
	}
	if st.save != nil && status == st.status {
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		st.save(vars, m)
	}
}

// TestOpenAPIContract drives the running server through every documented
// operation (the happy path and the main errors), validating each request
// and answer against docs/openapi.json.
//
// A new route: document it in docs/openapi.json (TestOpenAPIDocumentsEveryRoute
// fails until it is), then add its steps below where its data exists: one
// that succeeds and one per main error. A step names the documented path
// template and its parameters; values saved from earlier answers ($T1, $CASE,
// …) expand in parameters, queries, bodies and headers; invalid marks a
// request the document itself must refuse. The hall's clock stands still at
// Monday 2 March 2026, 10:00 in the hall's time zone.
func TestOpenAPIContract(t *testing.T) {
	doc := loadOpenAPI(t)
	w := newOpenAPIEnv(t, nil)
	matterA := matterOf(t, w.env, "A")
	vars := map[string]string{"MATTER": matterA, "TODAY": "2026-03-02"}
	for _, m := range w.hall.Catalog().Matters() {
		if m.Code == matterA && len(m.Materials) > 0 {
			vars["MATERIAL"] = m.Materials[0]
		}
	}
	keep := func(pairs ...string) func(v map[string]string, b map[string]any) {
		return func(v map[string]string, b map[string]any) {
			for i := 0; i+1 < len(pairs); i += 2 {
				v[pairs[i]] = fmt.Sprint(b[pairs[i+1]])
			}
		}
	}
	const pdf = "%PDF-1.4 contract"
	steps := []apiStep{
		{method: "GET", tmpl: "/healthz", status: 200},
		{method: "GET", tmpl: "/metrics", status: 200},
		{method: "GET", tmpl: "/api/v1/openapi.json", status: 200},
		{method: "GET", tmpl: "/api/v1/me", token: tokWin1, status: 200},
		{method: "GET", tmpl: "/api/v1/me", token: tokCounter, status: 200},
		{method: "GET", tmpl: "/api/v1/me", token: tokKiosk, status: 200},
		{method: "GET", tmpl: "/api/v1/me", status: 401, invalid: true},
		{method: "GET", tmpl: "/api/v1/me", token: "not-a-token", status: 401},
		{method: "GET", tmpl: "/api/v1/messages", status: 200},
		{method: "GET", tmpl: "/api/v1/departments", token: tokWin1, status: 200,
			save: func(v map[string]string, b map[string]any) {
				if ds, _ := b["departments"].([]any); len(ds) > 0 {
					v["DEPT"] = fmt.Sprint(ds[len(ds)-1])
				}
			}},
		{method: "GET", tmpl: "/api/v1/departments", status: 401, invalid: true},
		{method: "GET", tmpl: "/api/v1/catalog", query: "q=sfz", token: tokKiosk, status: 200},
		{method: "GET", tmpl: "/api/v1/catalog", query: "token=" + tokKiosk, status: 200},
		{method: "PUT", tmpl: "/api/v1/catalog", token: tokAdmin, body: `{"matters":[],"packages":[]}`, status: 200},
		{method: "PUT", tmpl: "/api/v1/catalog", token: tokKiosk, body: `{"matters":[]}`, status: 403},
		{method: "GET", tmpl: "/api/v1/district/centres", token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/district/centres", token: tokKiosk, status: 403},
		{method: "GET", tmpl: "/api/v1/district/stats", query: "from=2026-03-01&to=2026-03-02", token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/district/stats", query: "from=2026-13-01", token: tokAdmin, status: 400},

		// tickets
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"matter":"$MATTER"}`, hdr: []string{"Idempotency-Key", "k-1"}, status: 201,
			save: func(v map[string]string, b map[string]any) {
				v["T1"] = str(b, "id")
				u, _ := url.Parse(str(b, "status_url"))
				v["T1KEY"] = u.Query().Get("token")
			}},
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"matter":"$MATTER"}`, hdr: []string{"Idempotency-Key", "k-1"}, status: 201},
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"zone":"A"}`, hdr: []string{"Idempotency-Key", "k-1"}, status: 422}, // the key with another body
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"zone":"A","submission":{"applicant":{"id_number":"11010519491231002X","name":"张三丰"},"delivery":{"mode":"pickup"}}}`, status: 201, save: keep("T2", "id")},
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"zone":"A","submission":{"applicant":{"id_number":"11010519491231002X","name":"张三丰"},"delivery":{"mode":"pickup"}}}`, status: 200},
		{method: "POST", tmpl: "/api/v1/tickets", token: tokGuide, body: `{"zone":"A"}`, status: 201, save: keep("TG", "id")},
		{method: "POST", tmpl: "/api/v1/tickets", token: tokGuide, body: `{"zone":"B"}`, status: 201, save: keep("TV", "id")},
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"zone":"Q"}`, status: 400},
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"zone":7}`, status: 400, invalid: true},
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"zone":"A","colour":"red"}`, status: 400},
		{method: "POST", tmpl: "/api/v1/tickets", token: tokWin1, body: `{"zone":"A"}`, status: 403},
		{method: "POST", tmpl: "/api/v1/tickets", body: `{"zone":"A"}`, status: 401, invalid: true},
		{method: "GET", tmpl: "/api/v1/tickets/{id}", params: map[string]string{"id": "$T1"}, token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/tickets/{id}", params: map[string]string{"id": "$T1"}, query: "token=$T1KEY", status: 200},
		{method: "GET", tmpl: "/api/v1/tickets/{id}", params: map[string]string{"id": "no-such-ticket"}, token: tokAdmin, status: 404},
		{method: "GET", tmpl: "/api/v1/tickets/{id}/qr.png", params: map[string]string{"id": "$T1"}, query: "token=$T1KEY", status: 200},
		{method: "GET", tmpl: "/api/v1/tickets/{id}/qr.png", params: map[string]string{"id": "$T1"}, token: tokKiosk, status: 200},
		{method: "GET", tmpl: "/api/v1/tickets/{id}/qr.png", params: map[string]string{"id": "$T1"}, query: "token=wrong", status: 401},
		{method: "GET", tmpl: "/api/v1/tickets/{id}/qr.png", params: map[string]string{"id": "no-such-ticket"}, token: tokKiosk, status: 404},
		{method: "GET", tmpl: "/api/v1/tickets", token: tokGuide, status: 200},
		{method: "GET", tmpl: "/api/v1/tickets", query: "date=$TODAY", token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/tickets", token: tokKiosk, status: 403},
		{method: "GET", tmpl: "/api/v1/queue", token: tokDisplay, status: 200},
		{method: "POST", tmpl: "/api/v1/tickets/{id}/print", params: map[string]string{"id": "$TG"}, token: tokGuide, status: 200},
		{method: "POST", tmpl: "/api/v1/tickets/{id}/void", params: map[string]string{"id": "$TV"}, token: tokKiosk, status: 403},
		{method: "POST", tmpl: "/api/v1/tickets/{id}/void", params: map[string]string{"id": "$TV"}, token: tokGuide, body: `{"reason":"print jam"}`, status: 204},
		{method: "POST", tmpl: "/api/v1/tickets/{id}/void", params: map[string]string{"id": "$TV"}, token: tokGuide, status: 409},

		// offline number blocks
		{method: "POST", tmpl: "/api/v1/leases", token: tokKiosk, body: `{"zones":["A"]}`, hdr: []string{"Idempotency-Key", "l-1"}, status: 201,
			save: func(v map[string]string, b map[string]any) {
				ls, _ := b["leases"].([]any)
				if len(ls) == 1 {
					l := ls[0].(map[string]any)
					v["LDAY"], v["LZONE"], v["LFROM"] = str(l, "day"), str(l, "zone"), fmt.Sprint(l["from"])
				}
			}},
		{method: "POST", tmpl: "/api/v1/leases", token: tokWin1, status: 403},
		{method: "POST", tmpl: "/api/v1/leases/return", token: tokKiosk, body: `{"day":"$LDAY","zone":"$LZONE","block_from":$LFROM,"from":$LFROM}`, status: 200},
		{method: "POST", tmpl: "/api/v1/leases/return", token: tokKiosk, body: `{"day":"someday"}`, status: 400, invalid: true},
		{method: "GET", tmpl: "/api/v1/leases", token: tokAdmin, status: 200},

		// materials
		{method: "POST", tmpl: "/api/v1/materials", token: tokWin1, body: pdf, hdr: []string{"Content-Type", "application/pdf"}, status: 201, save: keep("MW", "material_id")},
		{method: "POST", tmpl: "/api/v1/materials", token: tokKiosk, body: pdf, hdr: []string{"Content-Type", "application/pdf", "Idempotency-Key", "m-1"}, status: 201, save: keep("MK", "material_id")},
		{method: "POST", tmpl: "/api/v1/materials", token: tokKiosk, body: "hello", hdr: []string{"Content-Type", "text/plain"}, status: 415, invalid: true},
		{method: "POST", tmpl: "/api/v1/scans", token: tokKiosk, body: `{"pages":0}`, status: 201},
		{method: "POST", tmpl: "/api/v1/scans", token: tokWin1, body: `{"pages":0}`, status: 409}, // no scanner at window 1
		{method: "GET", tmpl: "/api/v1/materials/{file}", params: map[string]string{"file": "$MK"}, token: tokKiosk, status: 200},
		{method: "GET", tmpl: "/api/v1/materials/{file}", params: map[string]string{"file": "$MK.pdf"}, token: tokKiosk, status: 200},
		{method: "GET", tmpl: "/api/v1/materials/{file}", params: map[string]string{"file": "$MK"}, token: tokWin2, status: 403},
		{method: "GET", tmpl: "/api/v1/materials/{id}/pages/{page}", params: map[string]string{"id": "$MK", "page": "1.png"}, query: "size=thumb", token: tokKiosk, status: 200},
		{method: "GET", tmpl: "/api/v1/materials/{id}/pages/{page}", params: map[string]string{"id": "$MK", "page": "first"}, token: tokKiosk, status: 404, invalid: true},

		// window 1 serves the matter ticket
		{method: "POST", tmpl: "/api/v1/windows/{n}/call", params: map[string]string{"n": "2"}, token: tokWin1, status: 403},
		{method: "POST", tmpl: "/api/v1/windows/{n}/call", params: map[string]string{"n": "99"}, token: tokAdmin, status: 403},
		{method: "POST", tmpl: "/api/v1/windows/{n}/call", params: map[string]string{"n": "1"}, token: tokWin1, status: 200},
		{method: "GET", tmpl: "/api/v1/windows/{n}", params: map[string]string{"n": "1"}, token: tokWin1, status: 200},
		{method: "GET", tmpl: "/api/v1/windows/{n}", params: map[string]string{"n": "99"}, token: tokAdmin, status: 404},
		{method: "POST", tmpl: "/api/v1/windows/{n}/recall", params: map[string]string{"n": "1"}, token: tokWin1, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/start", params: map[string]string{"n": "1"}, token: tokWin1, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/materials", params: map[string]string{"n": "1"}, token: tokWin1, body: `{"material_id":"$MW"}`, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/materials", params: map[string]string{"n": "1"}, token: tokWin1, body: `{}`, status: 400, invalid: true},
		{method: "POST", tmpl: "/api/v1/windows/{n}/checklist", params: map[string]string{"n": "1"}, token: tokWin1, body: `{"material":"no such material","state":"accepted"}`, status: 400},
		{method: "POST", tmpl: "/api/v1/windows/{n}/checklist", params: map[string]string{"n": "1"}, token: tokWin1, body: `{"material":"$MATERIAL","state":"correction","note":"缺少签字"}`, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/finish", params: map[string]string{"n": "1"}, token: tokWin1, body: `{"result":"approved"}`, status: 400, invalid: true},
		{method: "POST", tmpl: "/api/v1/windows/{n}/finish", params: map[string]string{"n": "1"}, token: tokWin1, body: `{"result":"accepted"}`, status: 200,
			save: func(v map[string]string, b map[string]any) {
				if cs, _ := b["cases"].([]any); len(cs) > 0 {
					v["CASE"] = str(cs[0].(map[string]any), "number")
				}
			}},
		{method: "POST", tmpl: "/api/v1/tickets/{id}/rating", params: map[string]string{"id": "$T1"}, token: tokCounter, body: `{"level":9}`, status: 400, invalid: true},
		{method: "POST", tmpl: "/api/v1/tickets/{id}/rating", params: map[string]string{"id": "$T1"}, token: tokWin1, body: `{"level":5}`, status: 403},  // staff never rate
		{method: "POST", tmpl: "/api/v1/tickets/{id}/rating", params: map[string]string{"id": "$T1"}, token: tokKiosk, body: `{"level":5}`, status: 403}, // nor a kiosk
		{method: "POST", tmpl: "/api/v1/tickets/{id}/rating", params: map[string]string{"id": "$T1"}, token: tokCounter, body: `{"level":1,"comment":"太慢"}`, status: 201},
		{method: "POST", tmpl: "/api/v1/tickets/{id}/rating", params: map[string]string{"id": "$T1"}, token: tokCounter, body: `{"level":5}`, status: 409},
		{method: "POST", tmpl: "/api/v1/windows/{n}/call", params: map[string]string{"n": "1"}, token: tokWin1, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/transfer", params: map[string]string{"n": "1"}, token: tokWin1, body: `{"zone":"B"}`, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/transfer", params: map[string]string{"n": "1"}, token: tokWin1, body: `{"zone":"B"}`, status: 409},
		{method: "POST", tmpl: "/api/v1/windows/{n}/call", params: map[string]string{"n": "1"}, token: tokWin1, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/no-show", params: map[string]string{"n": "1"}, token: tokWin1, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/call", params: map[string]string{"n": "1"}, token: tokWin1, status: 204},
		// a matter not accepted (不予受理), and one sent back for correction (补正)
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"matter":"$MATTER"}`, status: 201,
			save: func(v map[string]string, b map[string]any) {
				v["TR"] = str(b, "id")
				u, _ := url.Parse(str(b, "status_url"))
				v["TRKEY"] = u.Query().Get("token")
			}},
		{method: "POST", tmpl: "/api/v1/windows/{n}/call", params: map[string]string{"n": "1"}, token: tokWin1, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/start", params: map[string]string{"n": "1"}, token: tokWin1, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/finish", params: map[string]string{"n": "1"}, token: tokWin1, body: `{"result":"rejected"}`, status: 400}, // no reason
		{method: "POST", tmpl: "/api/v1/windows/{n}/finish", params: map[string]string{"n": "1"}, token: tokWin1, body: `{"result":"rejected","reason":"不属于本中心受理范围"}`, status: 200,
			save: func(v map[string]string, b map[string]any) {
				if cs, _ := b["cases"].([]any); len(cs) > 0 {
					v["RCASE"] = str(cs[0].(map[string]any), "number")
				}
			}},
		{method: "POST", tmpl: "/api/v1/tickets/{id}/rating", params: map[string]string{"id": "$TR"}, query: "token=wrong", body: `{"level":4}`, status: 401},
		{method: "POST", tmpl: "/api/v1/tickets/{id}/rating", params: map[string]string{"id": "$TR"}, query: "token=$TRKEY", body: `{"level":4}`, status: 201}, // the status page
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"matter":"$MATTER"}`, status: 201, save: keep("TC", "id")},
		{method: "POST", tmpl: "/api/v1/windows/{n}/call", params: map[string]string{"n": "1"}, token: tokWin1, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/start", params: map[string]string{"n": "1"}, token: tokWin1, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/finish", params: map[string]string{"n": "1"}, token: tokWin1, body: `{"result":"correction"}`, status: 400}, // nothing marked
		{method: "POST", tmpl: "/api/v1/windows/{n}/checklist", params: map[string]string{"n": "1"}, token: tokWin1, body: `{"material":"$MATERIAL","state":"correction","note":"缺少签字"}`, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/finish", params: map[string]string{"n": "1"}, token: tokWin1, body: `{"result":"correction"}`, status: 200,
			save: func(v map[string]string, b map[string]any) {
				if cs, _ := b["cases"].([]any); len(cs) > 0 {
					v["CCASE"] = str(cs[0].(map[string]any), "number")
				}
			}},
		// one more accepted, to be routed to a department named
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"matter":"$MATTER"}`, status: 201},
		{method: "POST", tmpl: "/api/v1/windows/{n}/call", params: map[string]string{"n": "1"}, token: tokWin1, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/start", params: map[string]string{"n": "1"}, token: tokWin1, status: 200},
		{method: "POST", tmpl: "/api/v1/windows/{n}/finish", params: map[string]string{"n": "1"}, token: tokWin1, body: `{"result":"accepted"}`, status: 200,
			save: func(v map[string]string, b map[string]any) {
				if cs, _ := b["cases"].([]any); len(cs) > 0 {
					v["CASE2"] = str(cs[0].(map[string]any), "number")
				}
			}},

		// cases and their slips
		{method: "GET", tmpl: "/api/v1/cases", query: "ticket=$T1", token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/cases", query: "ticket=$T1", token: tokKiosk, status: 403},
		{method: "GET", tmpl: "/api/v1/cases", query: "window=1", token: tokWin1, status: 200},
		{method: "GET", tmpl: "/api/v1/cases", query: "window=2", token: tokWin1, status: 403},
		{method: "GET", tmpl: "/api/v1/cases", query: "window=0", token: tokAdmin, status: 400, invalid: true},
		{method: "GET", tmpl: "/api/v1/cases/{number}/rejection.pdf", params: map[string]string{"number": "$RCASE"}, token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/cases/{number}/rejection.pdf", params: map[string]string{"number": "$CASE"}, token: tokAdmin, status: 409}, // accepted
		{method: "GET", tmpl: "/api/v1/cases/{number}/correction.pdf", params: map[string]string{"number": "$CCASE"}, token: tokWin1, status: 200},
		{method: "GET", tmpl: "/api/v1/cases/{number}/correction.pdf", params: map[string]string{"number": "$RCASE"}, token: tokAdmin, status: 409},
		{method: "GET", tmpl: "/api/v1/cases/{number}/correction.pdf", params: map[string]string{"number": "NO-SUCH-CASE"}, token: tokAdmin, status: 404},
		{method: "GET", tmpl: "/api/v1/cases/{number}/receipt.pdf", params: map[string]string{"number": "$RCASE"}, token: tokAdmin, status: 409}, // not accepted: no receipt
		{method: "GET", tmpl: "/api/v1/cases/{number}/slip/{doc}", params: map[string]string{"number": "$RCASE", "doc": "rejection"}, token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/cases/{number}/slip/{doc}", params: map[string]string{"number": "$CCASE", "doc": "correction"}, token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/cases/{number}/slip/{doc}", params: map[string]string{"number": "$CASE", "doc": "label"}, token: tokAdmin, status: 409}, // no waybill
		{method: "POST", tmpl: "/api/v1/cases/{number}/{doc}/print", params: map[string]string{"number": "$RCASE", "doc": "rejection"}, token: tokWin1, status: 200},
		{method: "GET", tmpl: "/api/v1/cases/{number}/slip/{doc}", params: map[string]string{"number": "$CASE", "doc": "receipt"}, token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/cases/{number}/slip/{doc}", params: map[string]string{"number": "$CASE", "doc": "letter"}, token: tokAdmin, status: 404, invalid: true},
		{method: "GET", tmpl: "/api/v1/cases/{number}/receipt.pdf", params: map[string]string{"number": "$CASE"}, token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/cases/{number}/notice.pdf", params: map[string]string{"number": "$CASE"}, token: tokAdmin, status: 409}, // no result yet
		{method: "POST", tmpl: "/api/v1/cases/{number}/{doc}/print", params: map[string]string{"number": "$CASE", "doc": "receipt"}, token: tokWin1, status: 200},
		{method: "POST", tmpl: "/api/v1/cases/{number}/{doc}/print", params: map[string]string{"number": "$CASE", "doc": "receipt"}, token: tokWin2, status: 409}, // no receipt printer
		{method: "POST", tmpl: "/api/v1/cases/{number}/{action}", params: map[string]string{"number": "$CASE", "action": "route"}, token: tokAdmin, body: `{"department":"no such office"}`, status: 400},
		{method: "POST", tmpl: "/api/v1/cases/{number}/{action}", params: map[string]string{"number": "$CASE", "action": "route"}, token: tokAdmin, status: 200},
		{method: "POST", tmpl: "/api/v1/cases/{number}/{action}", params: map[string]string{"number": "$CASE", "action": "route"}, token: tokAdmin, status: 409}, // routed already
		{method: "POST", tmpl: "/api/v1/cases/{number}/{action}", params: map[string]string{"number": "$CASE2", "action": "route"}, token: tokWin1, body: `{"department":"$DEPT"}`, status: 200},
		{method: "POST", tmpl: "/api/v1/cases/{number}/{action}", params: map[string]string{"number": "$RCASE", "action": "route"}, token: tokAdmin, status: 409}, // not accepted: no step applies
		{method: "POST", tmpl: "/api/v1/cases/{number}/{action}", params: map[string]string{"number": "$CASE", "action": "approve"}, token: tokAdmin, status: 200},
		{method: "POST", tmpl: "/api/v1/cases/{number}/{action}", params: map[string]string{"number": "$CASE", "action": "ready"}, token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/cases/{number}/notice.pdf", params: map[string]string{"number": "$CASE"}, token: tokAdmin, status: 200},
		// its pickup: a ticket by the case number, then the hand-out at the window that calls it
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"pickup":{"case":"NO-SUCH-CASE"}}`, status: 404},
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"pickup":{"code":"no-such-code"}}`, status: 404},
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"pickup":{"id_number":"110105198001010016","id_type":"resident"}}`, status: 404}, // 王五: nothing ready
		{method: "POST", tmpl: "/api/v1/tickets", token: tokKiosk, body: `{"pickup":{"case":"$CASE"}}`, status: 201, save: keep("TP", "id")},
		// the pickup ticket already held
		{method: "POST", tmpl: "/api/v1/tickets", token: tokGuide, body: `{"pickup":{"case":"$CASE"}}`, status: 200},
		{method: "POST", tmpl: "/api/v1/cases/{number}/{action}", params: map[string]string{"number": "$CASE", "action": "hand-out"}, token: tokWin1, body: `{"verified":"card"}`, status: 409}, // not called yet
		{method: "POST", tmpl: "/api/v1/windows/{n}/call", params: map[string]string{"n": "1"}, token: tokWin1, status: 200},
		{method: "GET", tmpl: "/api/v1/tickets/{id}", params: map[string]string{"id": "$TP"}, token: tokWin1, status: 200},
		{method: "POST", tmpl: "/api/v1/cases/{number}/{action}", params: map[string]string{"number": "$CASE", "action": "hand-out"}, token: tokWin1, status: 400}, // not verified
		{method: "POST", tmpl: "/api/v1/cases/{number}/{action}", params: map[string]string{"number": "$CASE", "action": "hand-out"}, token: tokWin1, body: `{"verified":"a glance"}`, status: 400, invalid: true},
		{method: "POST", tmpl: "/api/v1/cases/{number}/{action}", params: map[string]string{"number": "$CASE", "action": "hand-out"}, token: tokWin1, body: `{"verified":"card"}`, status: 200},
		{method: "POST", tmpl: "/api/v1/cases/{number}/{action}", params: map[string]string{"number": "$CASE", "action": "explode"}, token: tokAdmin, status: 404, invalid: true},
		{method: "GET", tmpl: "/api/v1/progress/{number}", params: map[string]string{"number": "$CASE"}, query: "token=$CASEKEY", status: 200},
		{method: "GET", tmpl: "/api/v1/progress/{number}", params: map[string]string{"number": "$CASE"}, query: "token=wrong", status: 404},
		{method: "GET", tmpl: "/api/v1/followups", token: tokAdmin, status: 200},
		{method: "POST", tmpl: "/api/v1/followups/{ticket}/close", params: map[string]string{"ticket": "$T1"}, token: tokAdmin, body: `{"note":"已回访"}`, status: 200},
		{method: "POST", tmpl: "/api/v1/followups/{ticket}/close", params: map[string]string{"ticket": "$T1"}, token: tokAdmin, body: `{"note":"again"}`, status: 409},

		// the manager's figures
		{method: "GET", tmpl: "/api/v1/stats", token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/stats", query: "from=2026-02-24&to=$TODAY&format=csv", token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/stats", query: "format=xml", token: tokAdmin, status: 400, invalid: true},
		{method: "GET", tmpl: "/api/v1/stats", token: tokWin1, status: 403},
		{method: "GET", tmpl: "/api/v1/stats/packages", token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/stats/chart.svg", query: "kind=hourly", token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/stats/chart.svg", query: "kind=pie", token: tokAdmin, status: 400, invalid: true},
		{method: "GET", tmpl: "/api/v1/print/preview.png", query: "zone=A", token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/audit", query: "ticket=$T1&limit=50", token: tokAdmin, status: 200},
		{method: "GET", tmpl: "/api/v1/audit", query: "limit=0", token: tokAdmin, status: 400, invalid: true},

		// screens, voice, the link
		{method: "GET", tmpl: "/api/v1/events", query: "since=0", token: tokDisplay, status: 101},
		{method: "GET", tmpl: "/api/v1/events", status: 401, invalid: true},
		{method: "GET", tmpl: "/api/v1/upstream", token: tokKiosk, status: 200},
		{method: "GET", tmpl: "/api/v1/voice/{file}", params: map[string]string{"file": "1.wav"}, token: tokDisplay, status: 200},
		{method: "GET", tmpl: "/api/v1/voice/{file}", params: map[string]string{"file": "2.wav"}, token: tokDisplay, status: 404},
		{method: "GET", tmpl: "/api/v1/say", query: "text=" + url.QueryEscape("请取号"), token: tokKiosk, status: 200},
		{method: "GET", tmpl: "/api/v1/say", token: tokKiosk, status: 400, invalid: true},
		{method: "POST", tmpl: "/api/v1/sim/idcard", token: tokKiosk, body: `{"card":"resident"}`, status: 204},
		{method: "POST", tmpl: "/api/v1/sim/idcard", token: tokKiosk, body: `{"card":"dragon"}`, status: 400, invalid: true},
		{method: "POST", tmpl: "/api/v1/sim/idcard", token: tokKiosk, body: `{"kind":"resident"}`, status: 204},
		{method: "POST", tmpl: "/api/v1/sim/idcard", token: tokKiosk, body: `{"kind":"foreign18"}`, status: 400}, // the test's reader has no such sample
		{method: "POST", tmpl: "/api/v1/sim/idcard", token: tokAdmin, body: `{"kind":""}`, status: 204},
		{method: "POST", tmpl: "/api/v1/sim/idcard", token: tokWin1, body: `{"kind":""}`, status: 403},

		// appointments
		{method: "POST", tmpl: "/api/v1/appointments", token: tokAdmin, body: `{"code":"YY0001","matter":"$MATTER","date":"$TODAY","start":"09:30","end":"10:30","applicant":{"id_number":"110105194912310011","name":"李四"}}`, status: 201},
		{method: "POST", tmpl: "/api/v1/appointments", token: tokGuide, body: `[{"code":"YY0002","matter":"$MATTER","date":"$TODAY","start":"14:00","end":"15:00","applicant":{"id_number":"11010519491231002X","name":"张三丰"}}]`, status: 201},
		{method: "POST", tmpl: "/api/v1/appointments", token: tokAdmin, body: `{"code":"YY0003","matter":"$MATTER","date":"2 March","start":"09:30","end":"10:30","applicant":{"id_number":"110105194912310011","name":"李四"}}`, status: 400, invalid: true},
		{method: "GET", tmpl: "/api/v1/appointments", query: "date=$TODAY", token: tokGuide, status: 200},
		{method: "POST", tmpl: "/api/v1/appointments/{code}/check-in", params: map[string]string{"code": "YY0001"}, token: tokKiosk, status: 201},
		{method: "POST", tmpl: "/api/v1/appointments/{code}/check-in", params: map[string]string{"code": "NOPE"}, token: tokKiosk, status: 404},
		{method: "POST", tmpl: "/api/v1/appointments/{code}/check-in", params: map[string]string{"code": "YY0002"}, token: tokKiosk, status: 409}, // too early
		{method: "POST", tmpl: "/api/v1/appointments", token: tokAdmin, body: `{"code":"YY0004","matter":"$MATTER","date":"$TODAY","start":"09:45","end":"10:45","applicant":{"id_number":"110105198001010016","name":"王五"}}`, status: 201},
		{method: "POST", tmpl: "/api/v1/appointments/check-in", token: tokKiosk, body: `{"id_number":"110105198001010016"}`, status: 201},
		{method: "POST", tmpl: "/api/v1/appointments/check-in", token: tokKiosk, body: `{}`, status: 400, invalid: true},
		{method: "POST", tmpl: "/api/v1/appointments/lookup", token: tokKiosk, body: `{"id_number":"11010519491231002X","id_type":"resident"}`, status: 200},
		{method: "POST", tmpl: "/api/v1/appointments/lookup", token: tokKiosk, body: `{"id_number":"11010519491231002X","id_type":"dragon"}`, status: 400, invalid: true},
		{method: "POST", tmpl: "/api/v1/appointments/lookup", token: tokWin1, body: `{"id_number":"11010519491231002X"}`, status: 403},

		// staff and agents
		{method: "POST", tmpl: "/api/v1/staff/sign-in", token: tokGuide, body: `{"staff_id":"D07","pin":"0000"}`, status: 401},
		{method: "POST", tmpl: "/api/v1/staff/sign-in", token: tokKiosk, body: `{"staff_id":"D07","pin":"` + agentPIN + `"}`, status: 403},
		{method: "POST", tmpl: "/api/v1/staff/sign-in", token: tokGuide, body: `{"staff_id":"D07","pin":"` + agentPIN + `"}`, status: 200, save: keep("SESS", "session")},
		{method: "POST", tmpl: "/api/v1/agent/materials", token: tokGuide, body: pdf, hdr: []string{"Content-Type", "application/pdf", staffHeader, "$SESS"}, status: 201, save: keep("MA", "material_id")},
		{method: "POST", tmpl: "/api/v1/agent/takeovers", token: tokGuide, hdr: []string{staffHeader, "$SESS"}, status: 201, save: keep("TA", "id"),
			body: `{"zone":"B","applicant":{"id_number":"110105194912310011","name":"李四"},"consent":{"method":"id_card_placed"}}`},
		{method: "POST", tmpl: "/api/v1/agent/takeovers", token: tokGuide, hdr: []string{staffHeader, "$SESS"}, status: 400, invalid: true,
			body: `{"zone":"B","applicant":{"id_number":"110105194912310011","name":"李四"},"consent":{"method":"a nod"}}`},
		{method: "GET", tmpl: "/api/v1/agent/matters", token: tokGuide, hdr: []string{staffHeader, "$SESS"}, status: 200},
		{method: "POST", tmpl: "/api/v1/agent/matters/{ticket}/materials", params: map[string]string{"ticket": "$TA"}, token: tokGuide, hdr: []string{staffHeader, "$SESS"}, body: `{"material_id":"$MA"}`, status: 200},
		{method: "POST", tmpl: "/api/v1/staff/sign-out", token: tokGuide, hdr: []string{staffHeader, "$SESS"}, status: 204},
		{method: "GET", tmpl: "/api/v1/agent/matters", token: tokGuide, status: 401}, // signed out
		{method: "GET", tmpl: "/api/v1/agent/matters", token: tokKiosk, status: 403},

		// pages
		{method: "GET", tmpl: "/", status: 200},
		{method: "GET", tmpl: "/kiosk", query: "token=" + tokKiosk, status: 200},
		{method: "GET", tmpl: "/guide", status: 200},
		{method: "GET", tmpl: "/window", status: 200},
		{method: "GET", tmpl: "/display", status: 200},
		{method: "GET", tmpl: "/admin", status: 200},
		{method: "GET", tmpl: "/counter", query: "token=" + tokCounter, status: 200},
		{method: "GET", tmpl: "/backoffice", status: 200},
		{method: "GET", tmpl: "/agent", status: 200},
		{method: "GET", tmpl: "/s/{id}", params: map[string]string{"id": "$T1"}, query: "token=$T1KEY", status: 200},
		{method: "GET", tmpl: "/c/{number}", params: map[string]string{"number": "$CASE"}, query: "token=$CASEKEY", status: 200},
		{method: "GET", tmpl: "/static/{path}", params: map[string]string{"path": "app.css"}, status: 200},
		{method: "GET", tmpl: "/static/{path}", params: map[string]string{"path": "nothing.js"}, status: 404},
		{method: "GET", tmpl: "/config.js", status: 200},
	}
	ran := map[string][]int{}
	for _, st := range steps {
		if st.tmpl == "/api/v1/progress/{number}" || st.tmpl == "/c/{number}" {
			vars["CASEKEY"] = w.hall.CaseKey(vars["CASE"])
		}
		w.run(t, doc, vars, st)
		ran[st.method+" "+st.tmpl] = append(ran[st.method+" "+st.tmpl], st.status)
	}
	// every documented operation was driven, and at least once to success
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			codes := ran[method+" "+path]
			if len(codes) == 0 {
				t.Errorf("%s %s: documented but no step drives it", method, path)
			} else if !slices.ContainsFunc(codes, func(c int) bool { return c < 300 }) {
				t.Errorf("%s %s: no step reaches a successful answer", method, path)
			}
		}
	}
}
