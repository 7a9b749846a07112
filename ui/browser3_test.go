package ui

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"yichuang/config"
	"yichuang/kiosk"
	"yichuang/kiosk/staff"
	"yichuang/kiosk/store"
)

// newStaffEnv is a hall whose window and guide terminals need a member of
// staff signed in (S001, PIN 1357).
func newStaffEnv(t *testing.T) *env {
	t.Helper()
	hash := staff.HashPIN("1357")
	cfg, err := config.Parse([]byte(testConfig + limitsOff + "[staff]\nrequired = true\nmembers = [{ id = \"S001\", name = \"林小梅\", pin_hash = \"" + hash + "\" }]\n"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := kiosk.ParseCatalog(config.DefaultCatalog(), []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "k.db"), testKey)
	if err != nil {
		t.Fatal(err)
	}
	hub := NewHub(nil, cfg.Location)
	hall, err := kiosk.Open(context.Background(), kiosk.Options{Config: cfg, Catalog: cat, Store: db, Publish: hub.Publish, IDKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	desk := staff.NewDesk([]staff.Member{{ID: "S001", Name: "林小梅", PINHash: hash}}, 30*time.Minute, nil)
	srv := httptest.NewServer(NewServer(Options{Hall: hall, Hub: hub, Staff: desk}))
	t.Cleanup(func() { srv.Close(); hall.Close(); db.Close() })
	return &env{t: t, srv: srv, hall: hall, db: db}
}

// testStaff: the window page asks for a sign-in first; a wrong PIN is said
// in words; after signing in the window calls, and the call carries the member.
func testStaff(t *testing.T, b *browser) {
	e := b.e
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	b.viewport(1920, 1080)
	b.open("/window?window=1&token=" + tokWin1)
	b.wait("the sign-in panel", `!!document.getElementById('staff-pin')`)
	b.check("staff-gate")
	b.setValue("#staff-id", "S001")
	b.setValue("#staff-pin", "0000")
	b.click(".staff-gate button[type=submit]")
	b.waitText(".staff-gate .err", "工号或密码错误")
	b.setValue("#staff-pin", "1357")
	b.click(".staff-gate button[type=submit]")
	b.wait("the signed-in window", `!!document.querySelector('.staff-bar') && !document.querySelector('.staff-gate')`)
	b.click("[data-action=call]")
	b.wait("the called ticket", `document.body.innerText.includes('A001')`)
	au := e.want(e.do("GET", "/api/v1/audit", tokAdmin, ""), 200)
	found := false
	for _, a := range au.body["entries"].([]any) {
		if m := a.(map[string]any); m["action"] == "ticket.call" && m["staff"] == "S001" {
			found = true
		}
	}
	if !found {
		t.Fatalf("the call from the page is not tied to S001: %s", au.raw)
	}
}
