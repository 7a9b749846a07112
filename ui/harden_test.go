// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestKeyBoundToItsBodyOverHTTP: class 6 of issue #17 as a terminal would
// try it: a reused Idempotency-Key with another body is 422 on the field,
// in words, and changes nothing; the same body however it is spaced or
// ordered is the first answer.
func TestKeyBoundToItsBodyOverHTTP(t *testing.T) {
	e := startEnv(t, limitsOff, nil, func(o *Options) { o.Documents = oneDocs{} })
	first := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`, "Idempotency-Key", "k-17"), 201)
	for _, body := range []string{`{"zone":"J","priority_reason":"elderly"}`, `{"zone":"A","priority_reason":"elderly"}`, `{"zone":"B"}`} {
		r := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, body, "Idempotency-Key", "k-17"), 422)
		if str(r.body, "field") != "Idempotency-Key" || !strings.Contains(str(r.body, "error"), "请求键") {
			t.Fatalf("%s: %v, want Chinese words on the Idempotency-Key", body, r.body)
		}
	}
	again := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, "{ \"zone\" :\n \"A\" }", "Idempotency-Key", "k-17"), 201)
	if str(again.body, "id") != str(first.body, "id") {
		t.Fatalf("the same body spaced otherwise gave %v, the first %v", again.body, first.body)
	}
	q := e.want(e.do("GET", "/api/v1/queue", tokAdmin, ""), 200)
	if w := q.body["waiting"].(map[string]any); w["A"] != float64(1) || w["J"] != float64(0) || w["B"] != float64(0) {
		t.Fatalf("waiting %v, want one ticket in A", w)
	}
	// an upload: another document under the same key
	m := e.want(e.do("POST", "/api/v1/materials", tokKiosk, "%PDF-1.4 first", "Content-Type", "application/pdf", "Idempotency-Key", "up-17"), 201)
	r := e.want(e.do("POST", "/api/v1/materials", tokKiosk, "%PDF-1.4 second", "Content-Type", "application/pdf", "Idempotency-Key", "up-17"), 422)
	if str(r.body, "field") != "Idempotency-Key" {
		t.Fatalf("another document: %v", r.body)
	}
	if again := e.want(e.do("POST", "/api/v1/materials", tokKiosk, "%PDF-1.4 first", "Content-Type", "application/pdf", "Idempotency-Key", "up-17"), 201); str(again.body, "material_id") != str(m.body, "material_id") {
		t.Fatalf("the same document: %v, the first %v", again.body, m.body)
	}
	// leases: the same key for other zones
	e.want(e.do("POST", "/api/v1/leases", tokKiosk, `{"zones":["A"]}`, "Idempotency-Key", "l-17"), 201)
	e.want(e.do("POST", "/api/v1/leases", tokKiosk, `{"zones":["A","B"]}`, "Idempotency-Key", "l-17"), 422)
}

// TestPriorityNeedsAReasonOverHTTP: class 4, online: priority:true alone
// is 400 on priority_reason, from a kiosk and a guide desk.
func TestPriorityNeedsAReasonOverHTTP(t *testing.T) {
	e := newEnv(t)
	for _, tok := range []string{tokKiosk, tokGuide} {
		r := e.want(e.do("POST", "/api/v1/tickets", tok, `{"zone":"A","priority":true}`), 400)
		if str(r.body, "field") != "priority_reason" || !strings.Contains(str(r.body, "error"), "优先") {
			t.Fatalf("%v", r.body)
		}
	}
	r := e.want(e.do("POST", "/api/v1/tickets", tokGuide, `{"zone":"A","priority_reason":"disabled"}`), 201)
	if r.body["priority"] != true {
		t.Fatalf("with a reason: %v", r.body)
	}
}

// TestIssueCostsMore: class 10. A terminal issuing tickets as fast as it
// can gets burst/issue_cost of them at once; its reads are not counted so;
// another terminal is not slowed.
func TestIssueCostsMore(t *testing.T) {
	e := startEnv(t, "[limits]\nterminal_per_second = 1\nterminal_burst = 100\nissue_cost = 20\n", nil, nil)
	issued, limited := 0, 0
	for range 10 {
		switch e.do("POST", "/api/v1/tickets", tokGuide, `{"zone":"A"}`).status {
		case 201:
			issued++
		case 429:
			limited++
		}
	}
	if issued != 5 || limited != 5 {
		t.Fatalf("10 tickets at once: %d issued, %d limited; want 5 and 5", issued, limited)
	}
	if r := e.do("GET", "/api/v1/queue", tokGuide, ""); r.status != 429 {
		t.Fatalf("a read after the burst is spent: %d, want 429", r.status)
	}
	// the kiosk's bucket is its own: 100 reads pass
	for i := range 100 {
		if r := e.do("GET", "/api/v1/queue", tokKiosk, ""); r.status != 200 {
			t.Fatalf("read %d: %d", i, r.status)
		}
	}
}

// BenchmarkReadsHTTP measures what the node serves of a terminal's common
// reads through the whole handler (auth, limits off, JSON): the queue's
// counts and a pinyin catalog search. With BenchmarkIssueHTTP it is what the
// [limits] defaults are set against.
func BenchmarkReadsHTTP(b *testing.B) {
	for _, path := range []string{"/api/v1/queue", "/api/v1/catalog?q=sfz"} {
		b.Run(strings.TrimPrefix(path, "/api/v1/"), func(b *testing.B) {
			f := newFuzzHall(b)
			b.SetParallelism(50)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodGet, path, nil)
					req.Header.Set("Authorization", "Bearer "+tokKiosk)
					w := httptest.NewRecorder()
					f.s.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Errorf("%s: %d", path, w.Code)
						return
					}
				}
			})
		})
	}
}
