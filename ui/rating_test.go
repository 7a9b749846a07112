// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// rateAsCitizen rates a ticket as its citizen does: with the status link's key.
func (e *env) rateAsCitizen(id, body string) resp {
	e.t.Helper()
	t, _, err := e.hall.Ticket(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do("POST", "/api/v1/tickets/"+id+"/rating?token="+t.StatusKey, "", body)
}

// TestRatingFromEveryRole: only the citizen rates (the status link's key,
// or the counter screen of the window that served, for its last finished
// service), once, after the service and within 24 hours of it; a staff or
// kiosk terminal never rates; the window's page hears the rating.
func TestRatingFromEveryRole(t *testing.T) {
	var mu sync.Mutex
	now := fixedNow()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	e := startEnv(t, limitsOff, clock, nil)
	serve := func() (string, string) {
		advance(time.Minute)
		r := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
		e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
		return str(r.body, "id"), statusKey(r)
	}
	if me := e.want(e.do("GET", "/api/v1/me", tokCounter, ""), 200); me.body["role"] != "counter" || me.body["window"] != float64(1) {
		t.Fatal(me.raw)
	}
	first, firstKey := serve()
	// before the service ends: not yet
	if r := e.want(e.do("POST", "/api/v1/tickets/"+first+"/rating?token="+firstKey, "", `{"level":5}`), 409); str(r.body, "code") != "not_done" {
		t.Fatal(r.raw)
	}
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"consulted"}`), 200)
	for who, tok := range map[string]string{"kiosk": tokKiosk, "guide": tokGuide, "window 1": tokWin1, "window 2": tokWin2,
		"display": tokDisplay, "admin": tokAdmin, "department": tokDeptSJ} {
		r := e.want(e.do("POST", "/api/v1/tickets/"+first+"/rating", tok, `{"level":1}`), 403)
		if str(r.body, "code") != "rating_forbidden" {
			t.Errorf("%s: %s", who, r.raw)
		}
	}
	e.want(e.do("POST", "/api/v1/tickets/"+first+"/rating", "", `{"level":1}`), 401)
	e.want(e.do("POST", "/api/v1/tickets/"+first+"/rating?token=0123456789abcdef01234567", "", `{"level":1}`), 401)
	e.want(e.do("POST", "/api/v1/tickets/nope/rating?token="+firstKey, "", `{"level":1}`), 401)
	second, secondKey := serve()
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"consulted"}`), 200)
	// the counter rates its window's last finished service only
	if r := e.want(e.do("POST", "/api/v1/tickets/"+first+"/rating", tokCounter, `{"level":1}`), 403); str(r.body, "code") != "rating_forbidden" {
		t.Fatal(r.raw)
	}
	r := e.want(e.do("POST", "/api/v1/tickets/"+second+"/rating", tokCounter, `{"level":2}`), 201)
	if r.body["follow_up"] != true {
		t.Fatal(r.raw)
	}
	for _, try := range []resp{
		e.do("POST", "/api/v1/tickets/"+second+"/rating", tokCounter, `{"level":5}`),
		e.do("POST", "/api/v1/tickets/"+second+"/rating?token="+secondKey, "", `{"level":5}`),
	} {
		if try.status != 409 || str(try.body, "code") != "already_rated" {
			t.Fatalf("a second rating: %d %s", try.status, try.raw)
		}
	}
	// the first, by its citizen, within 24 hours; then no more
	advance(23 * time.Hour)
	e.want(e.do("POST", "/api/v1/tickets/"+first+"/rating?token="+firstKey, "", `{"level":1,"comment":"太慢"}`), 201)
	third, thirdKey := serve()
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"consulted"}`), 200)
	advance(24*time.Hour + time.Minute)
	if r := e.want(e.do("POST", "/api/v1/tickets/"+third+"/rating?token="+thirdKey, "", `{"level":1}`), 409); str(r.body, "code") != "rating_closed" {
		t.Fatal(r.raw)
	}
	// two 差评, one follow-up each
	fs := e.want(e.do("GET", "/api/v1/followups?from=2026-11-01&to=2026-12-31", tokAdmin, ""), 200)
	if n := len(fs.body["followups"].([]any)); n != 2 {
		t.Fatalf("%d follow-ups: %s", n, fs.raw)
	}
	evs, err := e.db.EventsSince(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	rated := 0
	for _, ev := range evs {
		if ev.Type == "ticket.rated" {
			rated++
			if !strings.Contains(string(ev.Data), `"window":1`) || !strings.Contains(string(ev.Data), `"level"`) || !strings.Contains(string(ev.Data), `"ticket"`) {
				t.Fatal(string(ev.Data))
			}
		}
	}
	if rated != 2 {
		t.Fatalf("%d ticket.rated events, want 2", rated)
	}
}
