// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"yichuang/devices"
	"yichuang/kiosk/staff"
)

// newStaffEnv is a hall whose window and guide terminals need a member of
// staff signed in (S001, PIN 1357).
func newStaffEnv(t *testing.T) *env {
	t.Helper()
	hash := staff.HashPIN("1357")
	desk := staff.NewDesk([]staff.Member{{ID: "S001", Name: "林小梅", PINHash: hash}}, 30*time.Minute, nil)
	return startEnv(t, limitsOff+"[staff]\nrequired = true\nmembers = [{ id = \"S001\", name = \"林小梅\", pin_hash = \""+hash+"\" }]\n", nil,
		func(o *Options) { o.Staff = desk })
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
	var au resp
	found := false
	for deadline := time.Now().Add(10 * time.Second); !found && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		au = e.want(e.do("GET", "/api/v1/audit", tokAdmin, ""), 200)
		for _, a := range au.body["entries"].([]any) {
			if m := a.(map[string]any); m["action"] == "ticket.call" && m["staff"] == "S001" {
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("the call from the page is not tied to S001: %s", au.raw)
	}
}

// newDeviceEnv is a hall whose kiosk has a printer and device health.
func newDeviceEnv(t *testing.T, health *devices.Health) *env {
	t.Helper()
	return startEnv(t, limitsOff, nil, func(o *Options) {
		o.Health = health
		o.Printers = map[string]Printer{"kiosk-1": &fakePrinter{}}
	})
}

// testPrinterDownAndQR: a kiosk whose printer is out offers no ticket and
// sends the citizen to the guide desk, until the printer is back; an
// appointment's QR code read at the kiosk checks it in; a ticket's QR code
// read at a window calls that ticket.
func testPrinterDownAndQR(t *testing.T, b *browser, health *devices.Health) {
	e := b.e
	ctx := context.Background()
	emit := func(typ string, data map[string]any, terminal string) {
		t.Helper()
		if err := e.hall.Emit(ctx, typ, data, terminal, nil); err != nil {
			t.Fatal(err)
		}
	}
	health.Set(devices.Status{Device: "printer", State: devices.StatePaperOut, At: time.Now()})
	b.viewport(1080, 1920)
	b.open("/kiosk?token=" + tokKiosk)
	b.wait("the printer notice", `!!document.getElementById('printer-down')`)
	var offered bool
	b.eval(`!!document.querySelector('[data-action=nocard]')`, &offered)
	if offered {
		t.Fatal("a kiosk without paper offers tickets")
	}
	b.check("kiosk-printer-down")
	b.wait("the event stream", `document.body.dataset.ws === 'open'`)
	emit("device.status", map[string]any{"device": "printer", "state": "ok"}, "")
	b.wait("tickets offered again", `!!document.querySelector('[data-action=nocard]') && !document.getElementById('printer-down')`)

	loc, _ := time.LoadLocation("Asia/Shanghai")
	today := time.Now().In(loc).Format(time.DateOnly)
	e.want(e.do("POST", "/api/v1/appointments", tokAdmin, `{"code":"QR-APPT-7","matter":"HJ-SJ-0001","date":"`+today+`","start":"00:00","end":"23:59","applicant":{"id_number":"11010519491231002X","name":"张三丰"}}`), 201)
	emit("qr.scanned", map[string]any{"data": "QR-APPT-7"}, "kiosk-1")
	b.wait("the checked-in ticket", `!!document.getElementById('result-title') && /A\d{3}/.test(document.getElementById('result-title').textContent)`)
	list := e.want(e.do("GET", "/api/v1/appointments?date="+today, tokAdmin, ""), 200)
	if st := list.body["appointments"].([]any)[0].(map[string]any)["status"]; st != "checked_in" {
		t.Fatalf("appointment %v", st)
	}

	tk := e.want(e.do("POST", "/api/v1/tickets", tokGuide, `{"zone":"A"}`), 201)
	b.viewport(1920, 1080)
	b.open("/window?window=1&token=" + tokWin1)
	b.wait("the window's event stream", `document.body.dataset.ws === 'open'`)
	emit("qr.scanned", map[string]any{"data": str(tk.body, "status_url")}, "window-1")
	deadline := time.Now().Add(10 * time.Second)
	for {
		w := e.want(e.do("GET", "/api/v1/windows/1", tokWin1, ""), 200)
		if held, _ := w.body["ticket"].(map[string]any); held != nil {
			if held["id"] != str(tk.body, "id") {
				t.Fatalf("window 1 holds %v, want the scanned %s", held["number"], tk.body["number"])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the scanned ticket was not called")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// the window's state changes in memory before its batch is on disk: the
	// audit (read from the database) may follow a moment later
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		au := e.want(e.do("GET", "/api/v1/audit?ticket="+str(tk.body, "id"), tokAdmin, ""), 200)
		if strings.Contains(au.raw, "ticket.call_out_of_order") && strings.Contains(au.raw, "扫码叫号") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scanned call is not recorded as out of order with its reason: %s", au.raw)
		}
	}
}

type sayer struct{ said []string }

func (s *sayer) speak(ctx context.Context, text string) ([]byte, error) {
	s.said = append(s.said, text)
	return []byte("RIFF....WAVE"), nil
}

// testElderVoice: in elder mode each new kiosk screen's heading is spoken
// with the hall's voice engine, the same words the screen shows.
func testElderVoice(t *testing.T, b *browser, s *sayer) {
	b.viewport(1080, 1920)
	b.open("/kiosk?token=" + tokKiosk)
	b.wait("the welcome", `!!document.querySelector('[data-action=nocard]')`)
	// record what the page asks to play instead of playing it
	b.eval(`(() => { window.__played = []; window.Audio = function (src) { window.__played.push(src); return { play: () => Promise.resolve(), pause: () => {} }; }; return true; })()`, new(bool))
	b.click("[data-role=elder-toggle]")
	b.wait("the welcome spoken", `window.__played.some((u) => decodeURIComponent(u).includes('请刷身份证'))`)
	b.click("[data-action=nocard]")
	b.wait("the next screen spoken", `window.__played.length >= 2`)
	var src string
	b.eval(`window.__played[window.__played.length - 1]`, &src)
	e := b.e
	code := e.do("GET", strings.TrimPrefix(src, e.srv.URL), "", "").status
	if code != 200 || len(s.said) == 0 {
		t.Fatalf("GET %s: %d; said %v", src, code, s.said)
	}
}

// testTouchTargets: every button on the touch terminals' screens is at
// least 60×60 px (15 mm on a 1080p 21.5" panel), elder mode or not.
func testTouchTargets(t *testing.T, b *browser) {
	for _, page := range []string{"/kiosk?token=" + tokKiosk, "/guide?token=" + tokGuide, "/window?window=1&token=" + tokWin1} {
		b.viewport(1080, 1920)
		b.open(page)
		b.wait("buttons on "+page, `document.querySelectorAll('main button').length > 0`)
		var small []string
		b.eval(`[...document.querySelectorAll('button')].filter((e) => e.getClientRects().length > 0).filter((e) => { const r = e.getBoundingClientRect(); return r.width < 59.5 || r.height < 59.5; }).map((e) => (e.getAttribute('aria-label') || e.textContent).trim() + ' ' + Math.round(e.getBoundingClientRect().width) + 'x' + Math.round(e.getBoundingClientRect().height))`, &small)
		if len(small) > 0 {
			t.Errorf("%s: targets under 60 px: %v", page, small)
		}
	}
}
