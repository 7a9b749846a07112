// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

// The one-window chain by touch (run by TestBrowser): every step a
// citizen, a window officer and a back office take, through the pages
// alone. The test calls the API only to set up (the terminals) and for
// what a device does (a card placed on the reader, a QR code read), and
// reads the API only to check what the pages did.

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/devices/sim/idcardsim"
	"yichuang/kiosk"
	"yichuang/kiosk/store"
)

// chainConfig is the hall of the chain: a kiosk and a window with
// printers, a guide desk, the window's citizen-facing screen, 市场监管局's
// back office.
const chainConfig = `
terminals = [
  { id = "kiosk-1", role = "kiosk", token = "kiosk-token-0123456789" },
  { id = "guide-1", role = "guide", token = "guide-token-0123456789" },
  { id = "window-1", role = "window", window = 1, token = "window1-token-01234567" },
  { id = "counter-1", role = "counter", window = 1, token = "counter1-token-0123456" },
  { id = "admin", role = "admin", token = "admin-token-0123456789" },
  { id = "display-1", role = "display", token = "display-token-01234567" },
  { id = "dept-sj", role = "department", department = "市场监管局", token = "dept-sj-token-0123456" },
]
` + limitsOff

// newChainEnv starts the chain's hall: printers on the kiosk and the window.
func newChainEnv(t *testing.T) (*env, *slipPrinter) {
	t.Helper()
	cfg, err := config.Parse([]byte(chainConfig))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := kiosk.ParseCatalog(config.DefaultCatalog(), []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, cfg.Mail.ExcludedDepartments)
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
	p := &slipPrinter{}
	srv := httptest.NewServer(NewServer(Options{Hall: hall, Hub: hub, Printers: map[string]Printer{"window-1": p, "kiosk-1": &testPrinter{}}}))
	t.Cleanup(func() { srv.Close(); hall.Close(); db.Close() })
	return &env{t: t, srv: srv, hall: hall, db: db}, p
}

// placeCard puts a card on kiosk-1's reader, as the reader's driver does.
func placeCard(t *testing.T, e *env, c devices.Card, cardType string) {
	t.Helper()
	if err := e.hall.Emit(context.Background(), "card.read",
		map[string]any{"name": "张*丰", "id_number_masked": "****", "card_type": cardType, "valid_until": "2035-01-01"},
		"kiosk-1", map[string]any{"id_number": c.IDNumber, "name": c.Name}); err != nil {
		t.Fatal(err)
	}
}

// readQR is kiosk-1's QR reader reading data.
func readQR(t *testing.T, e *env, data string) {
	t.Helper()
	if err := e.hall.Emit(context.Background(), "qr.scanned", map[string]any{"data": data}, "kiosk-1", nil); err != nil {
		t.Fatal(err)
	}
}

const tokCounter1 = "counter1-token-0123456"

var cjk = regexp.MustCompile(`[\p{Han}]`)
var latinWord = regexp.MustCompile(`[A-Za-z]{4,}`)

// oneLanguage fails when an error shown in lang mixes in the other language.
func oneLanguage(t *testing.T, where, lang, text string) {
	t.Helper()
	if text == "" {
		t.Errorf("%s: no error shown", where)
		return
	}
	if lang == "en" && cjk.MatchString(text) {
		t.Errorf("%s (English): %q has Chinese in it", where, text)
	}
	if lang == "zh" && latinWord.MatchString(text) {
		t.Errorf("%s (Chinese): %q has English in it", where, text)
	}
}

func testChain(t *testing.T, b *browser, printer *slipPrinter) {
	e := b.e
	resident := idcardsim.SampleResident()

	// ---- the kiosk: language and elder mode survive a card ------------------
	b.viewport(1080, 1920)
	b.open("/kiosk?token=" + tokKiosk)
	b.wait("the event stream", `document.body.dataset.ws === 'open'`)
	b.click("[data-role=lang-toggle]")
	b.click("[data-role=elder-toggle]")
	b.wait("English, elder mode", `App.lang === 'en' && App.isElder()`)
	placeCard(t, e, resident, "resident")
	b.wait("the picker", `document.querySelector('main').dataset.screen === 'picker'`)
	if !b.truthy(`App.lang === 'en' && App.isElder() && document.documentElement.classList.contains('elder')`) {
		t.Fatal("placing the card reset the language or the elder mode")
	}
	b.check("chain-kiosk-picker-en-elder")
	// an error in English is English only (an unknown appointment code)
	b.click("[data-action=home]")
	b.wait("back home in Chinese", `App.lang === 'zh' && !App.isElder()`)
	b.click("[data-role=lang-toggle]")
	b.click("[data-action=checkin]")
	for _, k := range []string{"Z", "Z", "9", "9"} {
		b.click(`.code-keys [data-key="` + k + `"]`)
	}
	b.click("[data-action=checkin-go]")
	b.wait("the check-in refused", `!!document.getElementById('error')?.textContent`)
	oneLanguage(t, "kiosk check-in", "en", b.text("#error"))
	b.click("[data-role=lang-toggle]")
	b.click("[data-action=checkin-go]")
	b.wait("the check-in refused in Chinese", `/[\u4e00-\u9fff]/.test(document.getElementById('error')?.textContent || '')`)
	oneLanguage(t, "kiosk check-in", "zh", b.text("#error"))
	b.click("[data-action=back]")

	// ---- card → matter → ticket ------------------------------------------------
	placeCard(t, e, resident, "resident")
	b.wait("the picker", `document.querySelector('main').dataset.screen === 'picker'`)
	b.click(`[data-zone="A"]`)
	b.click(`[data-matter="HJ-SJ-0002"]`)
	b.click("[data-action=next]")
	b.click("#dlv-pickup")
	b.click("[data-action=confirm]")
	b.wait("the result", `document.querySelector('main').dataset.screen === 'result'`)
	var number string
	b.eval(`document.getElementById('result-title').dataset.number`, &number)
	b.wait("the status QR code", `(document.getElementById('status-qr') || {}).naturalWidth > 100`)
	b.wait("take the ticket", `!!document.getElementById('take-ticket')`)
	if s := b.text("#result-title"); !strings.Contains(s, "前方等待0人") {
		t.Errorf("result %q: no people ahead", s)
	}
	b.check("chain-kiosk-result")
	b.click("[data-action=done]")

	// ---- the window accepts and routes ---------------------------------------------
	b.viewport(1920, 1080)
	b.open("/window?token=" + tokWin1 + "&window=1")
	b.click("[data-action=call]")
	b.waitText("#held [data-number]", number)
	b.click("[data-action=start]")
	b.click("[data-action=accepted]")
	b.wait("the case", `!!document.querySelector('#cases [data-case][data-state=accepted]')`)
	caseNo := b.text("#cases [data-case] .case-no")
	b.wait("the matter's department preselected, others choosable", `document.querySelector('#cases select[data-route-for]').value === '市场监管局' && document.querySelectorAll('#cases select[data-route-for] option').length > 5`)
	b.check("chain-window-accepted")
	b.click(`#cases [data-action=route]`)
	b.wait("routed", `!!document.querySelector('#cases [data-case][data-state=routed]')`)
	b.wait("the window's cases list it", `!!document.querySelector('#mine [data-case="`+caseNo+`"][data-state=routed]')`)
	b.wait("the receipt printed", `!!document.getElementById('slip-status')?.textContent`)

	// ---- the citizen rates on the window's citizen-facing screen -----------------
	b.viewport(1280, 800)
	b.open("/counter?token=" + tokCounter1)
	b.wait("the faces", `!!document.querySelector('.counter-screen [data-level="5"]')`)
	b.check("chain-counter-rate")
	b.click(`.counter-screen [data-level="5"]`)
	b.wait("thanks", `document.querySelector('.counter-screen').dataset.mode === 'thanks'`)

	// ---- the back office approves; the result is ready ------------------------------
	b.viewport(1280, 900)
	b.open("/backoffice?token=" + tokDeptSJ)
	b.click(`[data-action=approve][data-for="` + caseNo + `"]`)
	b.waitText(`[data-case="`+caseNo+`"] .case-state`, "已审批")
	b.click(`[data-action=ready][data-for="` + caseNo + `"]`)
	b.waitText(`[data-case="`+caseNo+`"] .case-state`, "待领取")

	// ---- the citizen comes back with the receipt's QR code ----------------------------
	progress := ""
	for _, s := range slipsOf(printer) {
		if s.Number == caseNo && s.ProgressURL != "" {
			progress = s.ProgressURL
		}
	}
	if progress == "" {
		t.Fatal("no receipt was printed for " + caseNo)
	}
	b.viewport(1080, 1920)
	b.open("/kiosk?token=" + tokKiosk)
	b.wait("the event stream", `document.body.dataset.ws === 'open'`)
	b.click("[data-action=pickup]")
	b.wait("the pickup screen", `document.querySelector('main').dataset.screen === 'pickup'`)
	readQR(t, e, progress)
	b.wait("the pickup ticket", `document.querySelector('main').dataset.screen === 'result' && !!document.querySelector('#pickup-cases [data-case="`+caseNo+`"]')`)
	var pickupNo string
	b.eval(`document.getElementById('result-title').dataset.number`, &pickupNo)
	b.check("chain-kiosk-pickup")
	b.click("[data-action=done]")

	// nothing ready for another ID: said in words, no ticket
	b.click("[data-action=pickup]")
	placeCard(t, e, idcardsim.SampleResidencePermit(), "residence_permit")
	b.wait("nothing ready", `document.querySelector('main').dataset.screen === 'pickup' && !!document.getElementById('error')?.textContent`)
	oneLanguage(t, "kiosk pickup", "zh", b.text("#error"))
	b.click("[data-action=home]")

	// ---- the window hands out ----------------------------------------------------------
	b.viewport(1920, 1080)
	b.open("/window?token=" + tokWin1 + "&window=1")
	b.click("[data-action=call]")
	b.waitText("#held [data-number]", pickupNo)
	b.wait("the pickup's case", `!!document.querySelector('#pickup [data-case="`+caseNo+`"]')`)
	b.setValue(`#pickup select[data-verify-for="`+caseNo+`"]`, "receipt")
	b.check("chain-window-pickup")
	b.click(`#pickup [data-action=hand-out]`)
	b.wait("handed out", `['handed_out', 'closed'].includes(document.querySelector('#pickup [data-case="`+caseNo+`"]')?.dataset.state)`)
	b.click("[data-action=finish-pickup]")
	b.wait("nothing held", `!document.querySelector('#held [data-number]')`)
	cs := e.want(e.do("GET", "/api/v1/cases?window=1", tokWin1, ""), 200)
	handed := false
	for _, x := range cs.body["cases"].([]any) {
		if c := x.(map[string]any); c["number"] == caseNo {
			handed = c["state"] == "handed_out" || c["state"] == "closed"
		}
	}
	if !handed {
		t.Errorf("case %s after the hand-out: %s", caseNo, cs.raw)
	}

	// ---- the citizen rates the pickup on the phone, once ------------------------------
	status := ""
	tl := e.want(e.do("GET", "/api/v1/tickets?date="+time.Now().In(e.hall.Config().Location).Format(time.DateOnly), tokAdmin, ""), 200)
	for _, x := range tl.body["tickets"].([]any) {
		if tk := x.(map[string]any); tk["number"] == pickupNo {
			status = str(tk, "status_url")
		}
	}
	u, err := url.Parse(status)
	if err != nil || status == "" {
		t.Fatalf("no status link for %s: %v", pickupNo, err)
	}
	b.viewport(390, 844)
	b.open(u.Path + "?" + u.RawQuery)
	b.wait("the faces", `!!document.querySelector('#rate [data-level="4"]')`)
	b.check("chain-status-rate")
	b.click("[data-role=lang-toggle]") // the citizen reads English
	b.waitText("#rate-title", "Please rate this service")
	b.click(`#rate [data-level="4"]`)
	b.waitText("#rate .thanks", "Thank you for your rating!")
	b.open(u.Path + "?" + u.RawQuery)
	b.wait("rated once", `!!document.querySelector('#rate .thanks') && !document.querySelector('#rate [data-level]')`)
	e.want(e.do("POST", "/api/v1/tickets/"+strings.TrimPrefix(u.Path, "/s/")+"/rating?token="+u.Query().Get("token"), "", `{"level":1}`), 409)

	// ---- a result to be mailed: the window records the waybill, the label prints ------
	// (set up: a mail case accepted, routed, approved and ready)
	mailNo, _ := acceptMailCase(t, e)
	e.want(e.do("POST", "/api/v1/cases/"+mailNo+"/route", tokWin1, ""), 200)
	e.want(e.do("POST", "/api/v1/cases/"+mailNo+"/approve", tokDeptSJ, ""), 200)
	e.want(e.do("POST", "/api/v1/cases/"+mailNo+"/ready", tokDeptSJ, ""), 200)
	b.open("/window?token=" + tokWin1 + "&window=1")
	b.wait("the ready mail case", `!!document.querySelector('#mine [data-case="`+mailNo+`"][data-state=ready] [data-action=mail]')`)
	b.click(`#mine [data-action=mail][data-case="` + mailNo + `"]`)
	b.waitText("#error", "请填写快递单号")
	b.typeInto(`#waybill-`+mailNo, "SF1234567890")
	b.click(`#mine [data-action=mail][data-case="` + mailNo + `"]`)
	b.wait("mailed, the label printed", `document.getElementById('msg').textContent.includes('SF1234567890') && document.getElementById('msg').textContent.includes('地址标签')`)
	b.wait("the case mailed", `['mailed', 'closed'].includes(document.querySelector('#mine [data-case="`+mailNo+`"]')?.dataset.state)`)
	labelled := false
	for _, s := range slipsOf(printer) {
		labelled = labelled || (s.Kind == devices.SlipLabel && s.Number == mailNo && s.Waybill == "SF1234567890")
	}
	if !labelled {
		t.Errorf("no address label with the waybill was printed for %s", mailNo)
	}

	// ---- a walk-in at the guide desk; the window does not accept: a reason, the notice --
	b.viewport(1920, 1080)
	b.open("/guide?token=" + tokGuide)
	// the guide desk in English: a refusal in English only
	b.click("[data-role=lang-toggle]")
	b.typeInto("#desk-what", "NOPE-1")
	b.click("[data-action=desk-checkin]")
	b.wait("the refusal", `!!document.getElementById('desk-error').textContent`)
	oneLanguage(t, "guide check-in", "en", b.text("#desk-error"))
	b.click("[data-role=lang-toggle]")
	b.wait("the refusal in Chinese", `!document.getElementById('desk-error').textContent || /[\u4e00-\u9fff]/.test(document.getElementById('desk-error').textContent)`)
	// a passport number typed at the guide desk goes as a passport: checked
	// by the passport's rule (a valid one has nothing ready, a short one is
	// refused as a document number)
	b.setValue("#desk-idtype", "passport")
	b.setValue("#desk-what", "E12345678")
	b.click("[data-action=desk-pickup]")
	b.wait("nothing ready for the passport", `document.getElementById('desk-error').textContent.includes('暂无可领取的办理结果')`)
	b.setValue("#desk-what", "E1")
	b.click("[data-action=desk-pickup]")
	b.wait("the short passport number refused", `document.getElementById('desk-error').textContent.includes('护照号码应为 5 到 17 位字母或数字')`)
	b.setValue("#desk-idtype", "")
	b.setValue("#desk-what", "")
	b.click(`[data-zone="A"]`)
	b.click(`[data-kind="normal"]`)
	b.wait("the walk-in's ticket", `!!document.querySelector('#issued [data-number]')`)
	walkIn := b.text("#issued [data-number]")
	b.open("/window?token=" + tokWin1 + "&window=1")
	b.click("[data-action=call]")
	b.waitText("#held [data-number]", walkIn)
	b.setValue("#finish-matter", "HJ-SJ-0001")
	b.click("[data-action=rejected]")
	b.click("[data-action=reject-confirm]")
	b.waitText("#error", "请填写不予受理的理由")
	b.typeInto("#reject-reason", "经营范围涉及前置审批，须先取得许可")
	b.click("[data-action=reject-confirm]")
	b.wait("the rejection's record", `!!document.querySelector('#cases [data-case][data-state=rejected]')`)
	b.wait("the rejection notice printed", `!!document.getElementById('slip-status')?.textContent.includes('不予受理告知书')`)
	b.check("chain-window-rejected")
	rejected := false
	for _, s := range slipsOf(printer) {
		rejected = rejected || (s.Kind == devices.SlipRejection && strings.Contains(s.Reason, "前置审批"))
	}
	if !rejected {
		t.Errorf("no 不予受理告知书 with the reason was printed: %+v", slipsOf(printer))
	}

	// ---- no card, a matter; the window asks for a correction: the one-time notice -----
	b.viewport(1080, 1920)
	b.open("/kiosk?token=" + tokKiosk)
	b.click("[data-action=nocard]")
	b.click(`[data-zone="A"]`)
	b.click(`[data-matter="HJ-SJ-0002"]`)
	b.click("[data-action=next]")
	b.click("#dlv-pickup")
	b.click("[data-action=confirm]")
	b.wait("the result", `document.querySelector('main').dataset.screen === 'result'`)
	var third string
	b.eval(`document.getElementById('result-title').dataset.number`, &third)
	b.viewport(1920, 1080)
	b.open("/window?token=" + tokWin1 + "&window=1")
	b.click("[data-action=call]")
	b.waitText("#held [data-number]", third)
	if !b.truthy(`document.querySelector('[data-action=correction]').disabled`) {
		t.Error("需补正 is offered before any material is marked")
	}
	b.click(`[data-action=correct][data-index="0"]`)
	b.typeInto("#corr-0", "缺少全体股东签字")
	b.click(".correction-form button[type=submit]")
	b.wait("the mark", `document.querySelector('#checklist li').dataset.state === 'correction'`)
	b.click("[data-action=correction]")
	b.wait("the correction's record", `!!document.querySelector('#cases [data-case][data-state=correction]')`)
	b.wait("the one-time notice printed", `!!document.getElementById('slip-status')?.textContent.includes('一次性告知书')`)
	corrected := false
	for _, s := range slipsOf(printer) {
		corrected = corrected || (s.Kind == devices.SlipCorrection && strings.Contains(strings.Join(s.Corrections, " "), "缺少全体股东签字"))
	}
	if !corrected {
		t.Errorf("no 一次性告知书 naming the material was printed: %+v", slipsOf(printer))
	}
	// the window in English: a refusal from the server is English only, and the
	// Chinese words said before are gone
	b.click("[data-role=lang-toggle]")
	if s := b.text("#msg"); cjk.MatchString(s) {
		t.Errorf("after switching to English the window still says %q", s)
	}
	b.typeInto("#pick-number", "A099")
	b.typeInto("#pick-reason", "wheelchair")
	b.click("[data-action=call-number]")
	b.wait("the refusal", `!!document.getElementById('error').textContent`)
	oneLanguage(t, "window call", "en", b.text("#error"))
	b.click("[data-role=lang-toggle]")

	// ---- a booked citizen places the card: today's appointment is offered, checked in ----
	// (set up: the appointment booked)
	today := time.Now().In(e.hall.Config().Location).Format(time.DateOnly)
	e.want(e.do("POST", "/api/v1/appointments", tokAdmin, `{"code":"CHAIN-APPT-1","matter":"HJ-SJ-0001","date":"`+today+
		`","start":"00:00","end":"23:59","applicant":{"id_number":"`+resident.IDNumber+`","name":"`+resident.Name+`"}}`), 201)
	b.viewport(1080, 1920)
	b.open("/kiosk?token=" + tokKiosk)
	b.wait("the event stream", `document.body.dataset.ws === 'open'`)
	placeCard(t, e, resident, "resident")
	b.wait("the appointment offered", `!!document.querySelector('#appointments [data-checkin="CHAIN-APPT-1"]')`)
	b.check("chain-kiosk-appointment")
	b.click(`#appointments [data-checkin="CHAIN-APPT-1"]`)
	b.wait("the check-in's ticket", `document.querySelector('main').dataset.screen === 'result' && !!document.getElementById('result-title')?.dataset.number`)
	appts := e.want(e.do("GET", "/api/v1/appointments?date="+today, tokAdmin, ""), 200)
	if !strings.Contains(appts.raw, `"checked_in"`) {
		t.Errorf("the appointment after the kiosk: %s", appts.raw)
	}

	// ---- the hall display: landscape and portrait, nothing cut off or broken ---------
	for _, size := range [][2]int64{{1920, 1080}, {1080, 1920}} {
		b.viewport(size[0], size[1])
		b.open("/display?token=" + tokDisplay)
		b.wait("the calls", `!!document.querySelector('.latest-num') && document.querySelectorAll('#recent li').length >= 2`)
		for _, lang := range []string{"zh", "en"} {
			if lang == "en" {
				b.click("[data-role=lang-toggle]")
				b.wait("English", `App.lang === 'en'`)
			}
			var bad []string
			b.eval(`(() => {
				const out = [], H = innerHeight, W = innerWidth;
				if (document.documentElement.scrollHeight > H) out.push('page ' + document.documentElement.scrollHeight + ' px tall');
				const line = (el) => el.getBoundingClientRect().height < 1.6 * parseFloat(getComputedStyle(el).fontSize);
				const num = document.querySelector('.latest-num');
				if (!line(num)) out.push('the latest number breaks: ' + num.getBoundingClientRect().height + ' px');
				for (const li of document.querySelectorAll('#recent li')) {
					const kids = [...li.children], top = kids[0].getBoundingClientRect().top;
					for (const k of kids) {
						if (!line(k) || Math.abs(k.getBoundingClientRect().top - top) > 0.8 * parseFloat(getComputedStyle(k).fontSize)) out.push('a recent call wraps: ' + li.textContent);
					}
				}
				for (const el of document.querySelectorAll('.latest, .zone-strip > div, .display-foot')) {
					const r = el.getBoundingClientRect();
					if (r.bottom > H + 0.5 || r.right > W + 0.5) out.push((el.className || el.tagName) + ' cut off at ' + Math.round(r.bottom) + '/' + Math.round(r.right));
				}
				return out;
			})()`, &bad)
			for _, x := range bad {
				t.Errorf("display %dx%d (%s): %s", size[0], size[1], lang, x)
			}
			b.check(fmt.Sprintf("chain-display-%dx%d-%s", size[0], size[1], lang))
		}
		b.click("[data-role=lang-toggle]")
	}

	// ---- a foreign 15-character card and a residence permit each take a ticket -----------
	for _, c := range []struct {
		card devices.Card
		kind string
	}{{idcardsim.SampleForeign(), "foreign"}, {idcardsim.SampleResidencePermit(), "residence_permit"}} {
		b.viewport(1080, 1920)
		b.open("/kiosk?token=" + tokKiosk)
		b.wait("the event stream", `document.body.dataset.ws === 'open'`)
		placeCard(t, e, c.card, c.kind)
		b.wait("the picker", `document.querySelector('main').dataset.screen === 'picker'`)
		b.click(`[data-zone="A"]`)
		b.click(`[data-matter="HJ-SJ-0002"]`)
		b.click("[data-action=next]")
		b.click("#dlv-pickup")
		b.click("[data-action=confirm]")
		b.wait(c.kind+"'s ticket", `document.querySelector('main').dataset.screen === 'result' && !!document.getElementById('result-title')?.dataset.number`)
	}
}

// slipsOf is what window 1's receipt printer printed.
func slipsOf(p *slipPrinter) []devices.CaseSlip {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]devices.CaseSlip(nil), p.slips...)
}
