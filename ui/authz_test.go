// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"slices"
	"strings"
	"testing"
)

// TestAuthorizationMatrix asserts every endpoint × every caller: no token →
// 401, a role that may not → 403, a role that may → neither (whatever the
// body makes of it). "win1" is window 1's terminal, "win2" another window's;
// "agent" is the guide terminal with an agent (代办员) signed in: allowed what
// a guide is, and the agent endpoints, where a guide with nobody signed in
// is asked to sign in (401).
func TestAuthorizationMatrix(t *testing.T) {
	e, _ := newAgentEnv(t)
	callers := map[string]string{
		"kiosk": tokKiosk, "guide": tokGuide, "win1": tokWin1, "win2": tokWin2,
		"display": tokDisplay, "admin": tokAdmin, "dept": tokDeptSJ, "agent": tokGuide, "counter": tokCounter,
	}
	headers := map[string][]string{"agent": {staffHeader, e.signIn("D07")}}
	all := []string{"kiosk", "guide", "win1", "win2", "display", "admin", "dept", "agent", "counter"}
	tests := []struct {
		method, path, body string
		allowed            []string
	}{
		{"GET", "/api/v1/me", "", all},
		{"GET", "/api/v1/catalog", "", all},
		{"PUT", "/api/v1/catalog", `{"matters":[]}`, []string{"admin"}},
		{"GET", "/api/v1/district/centres", "", []string{"admin"}},
		{"GET", "/api/v1/district/stats", "", []string{"admin"}},
		{"GET", "/api/v1/queue", "", all},
		{"POST", "/api/v1/tickets", `{"zone":"A"}`, []string{"kiosk", "guide"}},
		{"GET", "/api/v1/tickets", "", []string{"guide", "win1", "win2", "display", "admin"}},
		{"POST", "/api/v1/leases", `{"zones":["A"]}`, []string{"kiosk", "guide"}},
		{"POST", "/api/v1/leases/return", `{"day":"2026-11-27","zone":"A","block_from":1,"from":1}`, []string{"kiosk", "guide"}},
		{"GET", "/api/v1/leases", "", []string{"admin"}},
		{"POST", "/api/v1/tickets/x/rating", `{"level":5}`, []string{"counter"}},
		{"POST", "/api/v1/tickets/x/print", "", []string{"kiosk", "guide"}},
		{"POST", "/api/v1/tickets/x/void", "", []string{"kiosk", "guide", "admin"}},
		{"GET", "/api/v1/windows/1", "", []string{"win1", "admin"}},
		{"POST", "/api/v1/windows/1/call", "", []string{"win1"}},
		{"POST", "/api/v1/windows/1/recall", "", []string{"win1"}},
		{"POST", "/api/v1/windows/1/no-show", "", []string{"win1"}},
		{"POST", "/api/v1/windows/1/start", "", []string{"win1"}},
		{"POST", "/api/v1/windows/1/finish", "", []string{"win1"}},
		{"POST", "/api/v1/windows/1/transfer", `{"zone":"B"}`, []string{"win1"}},
		{"GET", "/api/v1/cases?open=1", "", []string{"admin", "dept", "win1", "win2"}},
		{"POST", "/api/v1/cases/x/approve", "", []string{"admin", "dept"}},
		{"POST", "/api/v1/cases/x/route", "", []string{"admin", "win1", "win2"}},
		{"GET", "/api/v1/stats", "", []string{"admin"}},
		{"GET", "/api/v1/say?text=hi", "", []string{"kiosk"}},
		{"GET", "/api/v1/stats/packages", "", []string{"admin"}},
		{"GET", "/api/v1/stats/chart.svg?kind=hourly", "", []string{"admin"}},
		{"GET", "/api/v1/print/preview.png?zone=A&glyphs=0", "", []string{"admin"}},
		{"GET", "/api/v1/cases/x/receipt.pdf", "", []string{"admin", "dept", "win1", "win2"}},
		{"GET", "/api/v1/cases/x/slip/receipt", "", []string{"admin", "dept", "win1", "win2"}},
		{"GET", "/api/v1/cases/x/notice.pdf", "", []string{"admin", "dept", "win1", "win2"}},
		{"GET", "/api/v1/cases/x/rejection.pdf", "", []string{"admin", "dept", "win1", "win2"}},
		{"GET", "/api/v1/cases/x/correction.pdf", "", []string{"admin", "dept", "win1", "win2"}},
		{"GET", "/api/v1/cases/x/slip/rejection", "", []string{"admin", "dept", "win1", "win2"}},
		{"POST", "/api/v1/cases/x/rejection/print", "", []string{"win1", "win2"}},
		{"POST", "/api/v1/cases/x/correction/print", "", []string{"win1", "win2"}},
		{"GET", "/api/v1/departments", "", all},
		{"POST", "/api/v1/cases/x/label/print", "", []string{"win1", "win2"}},
		{"GET", "/api/v1/cases/x/slip/label", "", []string{"admin", "dept", "win1", "win2"}},
		{"GET", "/api/v1/cases?window=1", "", []string{"admin", "win1"}},
		{"POST", "/api/v1/cases/x/receipt/print", "", []string{"win1", "win2"}},
		{"POST", "/api/v1/cases/x/notice/print", "", []string{"win1", "win2"}},
		{"GET", "/api/v1/followups", "", []string{"admin"}},
		{"POST", "/api/v1/followups/x/close", `{"note":"n"}`, []string{"admin"}},
		{"GET", "/api/v1/audit", "", []string{"admin"}},
		{"POST", "/api/v1/appointments", `{}`, []string{"admin", "guide"}},
		{"GET", "/api/v1/appointments", "", []string{"admin", "guide"}},
		{"POST", "/api/v1/appointments/x/check-in", "", []string{"kiosk", "guide"}},
		{"POST", "/api/v1/appointments/check-in", `{}`, []string{"kiosk", "guide"}},
		{"POST", "/api/v1/appointments/lookup", `{}`, []string{"kiosk", "guide"}},
		{"POST", "/api/v1/materials", "x", []string{"kiosk", "win1", "win2"}},
		{"POST", "/api/v1/scans", `{}`, []string{"kiosk", "win1", "win2"}},
		{"GET", "/api/v1/materials/" + strings.Repeat("a", 32) + ".pdf", "", []string{"kiosk", "win1", "win2", "admin"}},
		{"GET", "/api/v1/materials/" + strings.Repeat("a", 32) + "/pages/1.png", "", []string{"kiosk", "win1", "win2", "admin"}},
		{"POST", "/api/v1/agent/takeovers", `{}`, []string{"agent"}},
		{"GET", "/api/v1/agent/matters", "", []string{"agent", "admin"}},
		{"POST", "/api/v1/agent/materials", "x", []string{"agent"}},
		{"POST", "/api/v1/agent/matters/x/materials", `{"material_id":"x"}`, []string{"agent"}},
	}
	for _, tt := range tests {
		if r := e.do(tt.method, tt.path, "", tt.body); r.status != 401 {
			t.Errorf("%s %s without a token: %d, want 401", tt.method, tt.path, r.status)
		}
		for _, who := range all {
			r := e.do(tt.method, tt.path, callers[who], tt.body, headers[who]...)
			ok := slices.Contains(tt.allowed, who) || (who == "agent" && slices.Contains(tt.allowed, "guide"))
			signIn := who == "guide" && slices.Contains(tt.allowed, "agent") && r.status == 401
			switch {
			case ok && (r.status == 401 || r.status == 403):
				t.Errorf("%s %s as %s: %d (%s), want it allowed", tt.method, tt.path, who, r.status, r.raw)
			case !ok && r.status != 403 && !signIn:
				t.Errorf("%s %s as %s: %d, want 403", tt.method, tt.path, who, r.status)
			}
		}
	}
}

// TestPublicEndpoints: a case's progress (like a ticket's status) needs no
// terminal token but the key of its link; without it, or with a terminal
// token instead, there is nothing, the same for every caller.
func TestPublicEndpoints(t *testing.T) {
	e := newEnv(t)
	for _, tok := range []string{"", tokKiosk, tokWin1, tokAdmin, tokDeptSJ} {
		for _, path := range []string{"/api/v1/progress/x", "/api/v1/progress/x?token=" + e.hall.CaseKey("x")} {
			if r := e.do("GET", path, tok, ""); r.status != 404 {
				t.Errorf("GET %s with token %q: %d, want 404", path, tok, r.status)
			}
		}
	}
	for _, page := range []string{"/c/x", "/backoffice"} {
		if r := e.do("GET", page, "", ""); r.status != 200 || !strings.Contains(r.raw, `lang="zh-CN"`) {
			t.Errorf("GET %s: %d", page, r.status)
		}
	}
}
