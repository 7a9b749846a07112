// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// codeConstants reads every Code… string constant of a Go file.
func codeConstants(t *testing.T, file string) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range vs.Names {
			if !strings.HasPrefix(name.Name, "Code") || i >= len(vs.Values) {
				continue
			}
			if lit, ok := vs.Values[i].(*ast.BasicLit); ok {
				v, _ := strconv.Unquote(lit.Value)
				out[name.Name] = v
			}
		}
		return true
	})
	return out
}

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// TestMessageRegistry: every code the code defines has words in both
// languages, each language pure (no Chinese in the English, Chinese in the
// Chinese), the same placeholders in both; no word without a code.
func TestMessageRegistry(t *testing.T) {
	reg := messages()
	defined := map[string]bool{}
	for _, file := range []string{"messages.go", "../kiosk/codes.go"} {
		cs := codeConstants(t, file)
		if len(cs) < 10 {
			t.Fatalf("%s: only %d codes read", file, len(cs))
		}
		for name, code := range cs {
			if defined[code] {
				t.Errorf("code %q defined twice", code)
			}
			defined[code] = true
			if _, ok := reg[code]; !ok {
				t.Errorf("%s (%s) of %s has no message", name, code, file)
			}
			if !regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(code) {
				t.Errorf("code %q is not a lowercase id", code)
			}
		}
	}
	for code, m := range reg {
		if !defined[code] {
			t.Errorf("message %q has no code constant", code)
		}
		if !hasHan(m.ZH) {
			t.Errorf("%s: the Chinese %q has no Chinese", code, m.ZH)
		}
		if hasHan(m.EN) || m.EN == "" {
			t.Errorf("%s: the English %q has Chinese in it (or is empty)", code, m.EN)
		}
		zp, ep := placeholder.FindAllString(m.ZH, -1), placeholder.FindAllString(m.EN, -1)
		slices.Sort(zp)
		slices.Sort(ep)
		if !slices.Equal(slices.Compact(zp), slices.Compact(ep)) {
			t.Errorf("%s: placeholders %v in Chinese, %v in English", code, zp, ep)
		}
	}
}

// TestMessagesEndpoint: GET /api/v1/messages needs no token and serves the
// registry; error answers carry a registered code with params that fill
// every placeholder of both languages.
func TestMessagesEndpoint(t *testing.T) {
	e := newEnv(t)
	r := e.want(e.do("GET", "/api/v1/messages", "", ""), 200)
	var got struct {
		Messages map[string]message `json:"messages"`
	}
	if err := json.Unmarshal([]byte(r.raw), &got); err != nil || len(got.Messages) != len(messages()) {
		t.Fatalf("messages: %v %d: %.300s", err, len(got.Messages), r.raw)
	}
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	tests := []struct {
		name, method, path, token, body string
		status                          int
		code                            string
	}{
		{"no token", "GET", "/api/v1/stats", "", "", 401, CodeTokenRequired},
		{"wrong role", "GET", "/api/v1/stats", tokKiosk, "", 403, CodeRoleForbidden},
		{"unknown field", "POST", "/api/v1/tickets", tokKiosk, `{"zone":"A","x":1}`, 400, CodeUnknownField},
		{"wrong type", "POST", "/api/v1/tickets", tokKiosk, `{"zone":1}`, 400, CodeFieldType},
		{"broken JSON", "POST", "/api/v1/tickets", tokKiosk, `{"zone":`, 400, CodeMalformedJSON},
		{"no body", "POST", "/api/v1/tickets", tokKiosk, ``, 400, CodeBodyRequired},
		{"unknown zone", "POST", "/api/v1/tickets", tokKiosk, `{"zone":"Z"}`, 400, "zone_unknown"},
		{"unknown matter", "POST", "/api/v1/tickets", tokKiosk, `{"matter":"NOPE"}`, 400, "matter_unknown"},
		{"no endpoint", "GET", "/api/v1/nothing", tokKiosk, ``, 404, CodeNoEndpoint},
		{"zone ticket accepted without matter", "POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"accepted"}`, 400, "matter_required"},
		{"rejected without a reason", "POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"rejected","matter":"HJ-SJ-0001"}`, 400, "reason_required"},
		{"a window rates", "POST", "/api/v1/tickets/x/rating", tokWin1, `{"level":5}`, 403, "rating_forbidden"},
		{"nothing ready", "POST", "/api/v1/tickets", tokKiosk, `{"pickup":{"id_number":"11010519491231002X"}}`, 404, "nothing_ready"},
		{"bad passport", "POST", "/api/v1/tickets", tokGuide, `{"zone":"A","id_number":"E1","id_type":"passport"}`, 400, "passport_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tt.method, tt.path, tt.token, tt.body)
			var a apiError
			if r.status != tt.status || json.Unmarshal([]byte(r.raw), &a) != nil || a.Code != tt.code {
				t.Fatalf("%d %s, want %d code %s", r.status, r.raw, tt.status, tt.code)
			}
			m, ok := got.Messages[a.Code]
			if !ok {
				t.Fatalf("code %s not served", a.Code)
			}
			for _, text := range []string{render(m.ZH, a.Params), render(m.EN, a.Params)} {
				if placeholder.MatchString(text) {
					t.Errorf("%q: a placeholder left unfilled (params %v)", text, a.Params)
				}
			}
			if en := render(m.EN, a.Params); hasHan(en) {
				t.Errorf("the English %q has Chinese", en)
			}
		})
	}
}

// statusKey is the key of an issue answer's status link.
func statusKey(r resp) string {
	u := str(r.body, "status_url")
	return u[strings.Index(u, "token=")+len("token="):]
}
