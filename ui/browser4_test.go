// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

// Browser coverage of the case slips' pages: a department's back office
// acting on its case, the admin's 差评 follow-ups and charts, and a case's
// public progress page (run by TestBrowser).

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"yichuang/devices"
)

func testBackOfficeAndFollowUps(t *testing.T, b *browser, p *slipPrinter) {
	e := b.e
	// the window accepts a case: its receipt prints at once, and again on demand
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"matter":"HJ-SJ-0002"}`), 201)
	b.viewport(1920, 1080)
	b.open("/window?token=" + tokWin1 + "&window=1")
	b.click("[data-action=call]")
	b.waitText("#held [data-number]", "A001")
	b.click("[data-action=accepted]")
	b.wait("the receipt printed", `!!document.getElementById('slip-status')?.textContent.startsWith('已打印受理回执')`)
	b.check("window-receipt")
	b.click("[data-slip=print]")
	b.wait("the receipt printed again", `document.querySelectorAll('[data-slip]').length === 2`)
	for range 50 {
		if p.mu.Lock(); len(p.slips) == 2 {
			p.mu.Unlock()
			break
		}
		p.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	if s := p.last(); len(p.slips) != 2 || s.Kind != devices.SlipReceipt || s.Matter != "企业变更登记" || !strings.Contains(s.ProgressURL, "/c/"+s.Number+"?token=") {
		t.Fatalf("printed %d slips, the last %+v", len(p.slips), s)
	}

	number, _ := acceptMailCase(t, e)
	e.want(e.do("POST", "/api/v1/cases/"+number+"/route", tokWin1, ""), 200)
	tk := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	id := str(tk.body, "id")
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"consulted"}`), 200)
	e.want(e.rateAsCitizen(id, `{"level":1}`), 201)

	// the back office of 市场监管局 approves the case and makes it ready
	b.viewport(1280, 900)
	b.open("/backoffice?token=" + tokDeptSJ)
	b.wait("the cases", `document.querySelectorAll('#bo-cases [data-case]').length === 2`)
	if h := b.text("h1"); !strings.Contains(h, "市场监管局") {
		t.Errorf("heading %q", h)
	}
	b.check("backoffice")
	mine := `[data-case="` + number + `"]`
	b.click(`[data-action=approve][data-for="` + number + `"]`)
	b.waitText(mine+" .case-state", "已审批")
	b.click(`[data-action=ready][data-for="` + number + `"]`)
	b.waitText(mine+" .case-state", "待领取")
	b.wait("the notice button", `!!document.querySelector('`+mine+` [data-pdf=notice]')`)
	// a window prints its result notice when handing it out
	b.open("/window?token=" + tokWin1 + "&window=1")
	b.typeInto("#slip-number", number)
	b.click("#slip-print-notice")
	b.wait("the notice printed", `!!document.getElementById('lookup-status')?.textContent.startsWith('已打印结果通知')`)
	if s := p.last(); s.Kind != devices.SlipNotice || s.Number != number || s.Outcome != devices.OutcomeApproved {
		t.Errorf("the notice printed %+v", s)
	}
	b.check("window-notice")
	// another department sees nothing of it
	b.open("/backoffice?token=" + tokDeptRS)
	b.wait("no cases", `!!document.getElementById('bo-none')`)
	if h := b.text("h1"); !strings.Contains(h, "人社局") {
		t.Errorf("heading without cases %q", h)
	}

	// the manager closes the follow-up of the 差评 with a note
	b.viewport(1600, 3400) // tall enough for the screenshot to show the charts
	b.open("/admin?token=" + tokAdmin)
	b.wait("the follow-up and the charts", `document.querySelectorAll('#followups tbody tr').length === 1 &&
		document.querySelectorAll('figure.chart svg').length === 4`)
	b.check("admin-followups")
	b.typeInto("#note-"+id, "已电话回访并致歉")
	b.click(`[data-close="` + id + `"]`)
	b.wait("the follow-up closed", `!!document.getElementById('followup-none')`)

	// the receipt's QR code leads to the public progress page
	u, _ := url.Parse(e.srv.URL + "/c/" + url.PathEscape(number) + "?token=" + e.hall.CaseKey(number))
	b.viewport(390, 844)
	b.open(u.RequestURI())
	b.waitText("#state", "待领取")
	if due := b.text("#due"); !strings.Contains(due, "2026-11-30") {
		t.Errorf("due %q", due)
	}
	b.check("progress-phone")
}
