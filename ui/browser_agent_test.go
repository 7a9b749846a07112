// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

// Browser coverage of the agent desk (run by TestBrowser/agent): an agent
// signs in at the guide terminal, takes a ticket on a citizen's behalf with
// the consent recorded, and follows the matter to its case; the window
// serving it sees that an agent handles it.

import (
	"strings"
	"testing"
)

func testAgentDesk(t *testing.T, b *browser) {
	e := b.e
	b.viewport(1920, 1080)
	b.open("/agent?token=" + tokGuide)
	b.wait("the sign-in panel", `!!document.getElementById('staff-pin')`)
	b.setValue("#staff-id", "D07")
	b.setValue("#staff-pin", agentPIN)
	b.click(".staff-gate button[type=submit]")
	b.wait("the agent's empty list", `!!document.getElementById('no-matters')`)
	if h := b.text("h1"); !strings.Contains(h, "王小梅") {
		t.Errorf("heading %q", h)
	}
	b.setValue("#citizen-id", agentCitizen1)
	b.setValue("#citizen-name", "张三丰")
	b.setValue("#zone", "A")
	b.setValue("#matter", "HJ-SJ-0001")
	b.click("#consent-id_card_placed")
	b.check("agent-form")
	b.click("#takeover-submit")
	b.wait("the ticket taken", `document.querySelector('#takeover-result [data-number]')?.dataset.number === 'A001'`)
	b.wait("the matter listed", `!!document.querySelector('.agent-matter[data-number="A001"]')`)
	var shows bool
	b.eval(`document.body.innerText.includes(`+jsq(agentCitizen1)+`) || document.body.innerText.includes('张三丰')`, &shows)
	if shows {
		t.Error("the agent page shows the citizen's ID number or name whole")
	}
	b.check("agent-matters")
	var small []string
	b.eval(`[...document.querySelectorAll('main button, main select, main input:not([type=radio]):not([type=checkbox])')].filter((e) => e.getClientRects().length > 0)
		.filter((e) => { const r = e.getBoundingClientRect(); return r.height < 59.5 || (e.tagName === 'BUTTON' && r.width < 59.5); })
		.map((e) => (e.id || e.textContent).trim() + ' ' + Math.round(e.getBoundingClientRect().width) + 'x' + Math.round(e.getBoundingClientRect().height))`, &small)
	if len(small) > 0 {
		t.Errorf("targets under 60 px: %v", small)
	}

	// the window calls it and sees the agent
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	b.open("/window?window=1&token=" + tokWin1)
	b.wait("the agent at the window", `document.getElementById('held-agent')?.textContent.includes('王小梅（D07）代张*丰办理')`)
	b.check("window-agent")
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"accepted"}`), 200)

	// back at the desk, the matter shows its case
	b.open("/agent?token=" + tokGuide)
	b.wait("the case listed", `!!document.querySelector('.agent-matter[data-number="A001"] [data-case]')`)
	if s := b.text(".agent-matter[data-number=\"A001\"] [data-case]"); !strings.Contains(s, "已受理") {
		t.Errorf("the case reads %q", s)
	}
	// and in English
	b.click("[data-role=lang-toggle]")
	b.wait("the English page", `document.querySelector('h1')?.textContent.startsWith('Agent desk: 王小梅')`)
	b.check("agent-en")
}
