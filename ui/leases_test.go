// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLeasesOverHTTP: a terminal node gets a block, hands in a ticket it
// issued offline, and the ticket's printed status link works.
func TestLeasesOverHTTP(t *testing.T) {
	e := newEnv(t)
	g := e.want(e.do("POST", "/api/v1/leases", tokKiosk, `{"zones":["A","B"]}`, "Idempotency-Key", "g1"), 201)
	ls, _ := g.body["leases"].([]any)
	if len(ls) != 2 || str(g.body, "public_url") == "" {
		t.Fatalf("grant = %s", g.raw)
	}
	a := ls[0].(map[string]any)
	if a["zone"] != "A" || a["from"].(float64) != 901 || a["to"].(float64) != 920 || ls[1].(map[string]any)["zone"] != "B" {
		t.Fatalf("block A = %v", a)
	}
	again := e.want(e.do("POST", "/api/v1/leases", tokKiosk, `{"zones":["A","B"]}`, "Idempotency-Key", "g1"), 201)
	if again.raw != g.raw {
		t.Fatalf("a retried grant differs:\n%s\n%s", again.raw, g.raw)
	}
	e.want(e.do("POST", "/api/v1/leases", tokKiosk, `{"zones":["Z"]}`), 400)
	e.want(e.do("POST", "/api/v1/leases", tokKiosk, `{"zones":"A"}`), 400)

	id, key := strings.Repeat("ab", 16), strings.Repeat("cd", 12)
	at := time.Now().Add(-time.Second).Format(time.RFC3339Nano)
	body := fmt.Sprintf(`{"zone":"A","offline":{"number":"A901","issued_at":%q,"id":%q,"status_key":%q}}`, at, id, key)
	r := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, body, "Idempotency-Key", "o1"), 201)
	if r.body["offline"] != true || str(r.body, "id") != id || !strings.HasSuffix(str(r.body, "status_url"), "/s/"+id+"?token="+key) {
		t.Fatalf("hand-in = %s", r.raw)
	}
	e.want(e.do("GET", "/api/v1/tickets/"+id+"?token="+key, "", ""), 200)
	// another kiosk's number, or the guide desk claiming kiosk-1's block
	e.want(e.do("POST", "/api/v1/tickets", tokGuide, strings.NewReplacer("A901", "A902", id, strings.Repeat("ef", 16)).Replace(body)), 400)
	// the online counter runs on below the block
	if n := str(e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201).body, "number"); n != "A001" {
		t.Fatalf("online number %s, want A001", n)
	}
	ret := e.want(e.do("POST", "/api/v1/leases/return", tokKiosk, fmt.Sprintf(`{"day":%q,"zone":"A","block_from":901,"from":902}`, e.hall.Today())), 200)
	if !strings.Contains(ret.raw, `"returned_from":902`) {
		t.Fatalf("return = %s", ret.raw)
	}
	list := e.want(e.do("GET", "/api/v1/leases", tokAdmin, ""), 200)
	if n := len(list.body["leases"].([]any)); n != 2 {
		t.Fatalf("admin sees %d blocks, want 2: %s", n, list.raw)
	}
}

// TestUploadIdempotencyKey: a retried upload (the same Idempotency-Key from
// the same terminal) gives the material the first one made.
func TestUploadIdempotencyKey(t *testing.T) {
	e := startEnv(t, limitsOff, nil, func(o *Options) { o.Documents = oneDocs{} })
	up := func(token, key string) string {
		t.Helper()
		r := e.want(e.do("POST", "/api/v1/materials", token, "%PDF-1.4 pages", "Content-Type", "application/pdf", "Idempotency-Key", key), 201)
		return str(r.body, "material_id")
	}
	a := up(tokKiosk, "material:one")
	if b := up(tokKiosk, "material:one"); b != a {
		t.Fatalf("a retried upload made %s, the first %s", b, a)
	}
	if c := up(tokKiosk, "material:two"); c == a {
		t.Fatal("another key gave the same material")
	}
	if d := up(tokWin1, "material:one"); d == a {
		t.Fatal("another terminal's key gave kiosk-1's material")
	}
	e.want(e.do("GET", "/api/v1/materials/"+a, tokKiosk, ""), 200)
	e.want(e.do("POST", "/api/v1/materials", tokKiosk, "%PDF-1.4", "Content-Type", "application/pdf", "Idempotency-Key", "bad key"), 400)
}
