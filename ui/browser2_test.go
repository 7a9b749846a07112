// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

// Browser tests of what the screens gained with the devices: scanning at the
// kiosk and at a window (with small fakes of the scanner and the page
// renderer: the MuPDF path is tested elsewhere), the window's page viewer
// and checklist, the cases an acceptance opens, the admin's 督办 list, and
// printing failures at the kiosk and reprints at the guide desk. They run
// as subtests of TestBrowser, in its Chromium.

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"yichuang/devices"
	"yichuang/kiosk"
)

// tinyPDF stands for a scanned document: the store keeps any bytes and
// fakeDocs renders pages without reading them.
var tinyPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// fakeScanner "scans" pages sheets, calling progress after each, or fails
// with fail's words while fail is set.
type fakeScanner struct {
	pages int
	delay time.Duration
	fail  atomic.Pointer[kiosk.Error]
}

func (f *fakeScanner) Scan(ctx context.Context, pages int, progress func(page int)) ([]byte, int, error) {
	if e := f.fail.Load(); e != nil {
		return nil, 0, e
	}
	for p := 1; p <= f.pages; p++ {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		}
		progress(p)
	}
	return tinyPDF, f.pages, nil
}

// fakeDocs renders every page as a small A4-shaped PNG, width px wide, with
// a bar as long as the page number; it records the widths asked for.
type fakeDocs struct {
	mu     sync.Mutex
	widths []int
}

func (d *fakeDocs) Validate(ctx context.Context, body []byte, contentType string) ([]byte, string, int, error) {
	return body, "pdf", 1, nil
}

func (d *fakeDocs) Render(ctx context.Context, doc []byte, page, width int) ([]byte, error) {
	d.mu.Lock()
	d.widths = append(d.widths, width)
	d.mu.Unlock()
	img := image.NewGray(image.Rect(0, 0, width, width*1414/1000))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := width / 10; y < width/10+width/20; y++ {
		for x := width / 10; x < width/10+page*width/10 && x < width; x++ {
			img.SetGray(x, y, color.Gray{Y: 0x20})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (d *fakeDocs) asked(width int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, w := range d.widths {
		if w == width {
			return true
		}
	}
	return false
}

// testPrinter prints, or fails with fail while it is set.
type testPrinter struct {
	mu      sync.Mutex
	fail    error
	printed []string
}

func (p *testPrinter) PrintTicket(ctx context.Context, t devices.Ticket) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return p.fail
	}
	p.printed = append(p.printed, t.Number)
	return nil
}

func (p *testPrinter) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.printed)
}

// testClock is the hall's clock, shifted by a duration.
type testClock struct{ off atomic.Int64 }

func (c *testClock) now() time.Time        { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *testClock) shift(d time.Duration) { c.off.Store(int64(d)) }

// devEnv is a test hall with devices: newEnv's hall and terminals, with
// the scanners, printers, renderer and clock given.
type devEnv struct {
	*env
	docs  *fakeDocs
	clock *testClock
}

type devOptions struct {
	scanners  map[string]Scanner
	printers  map[string]Printer
	onFailure string // [devices.printer] on_failure
}

func newDevEnv(t *testing.T, o devOptions) *devEnv {
	t.Helper()
	extra := limitsOff // the pages of a terminal with devices, not the rate limits, are tested here
	if o.onFailure != "" {
		extra = "[devices.printer]\non_failure = \"" + o.onFailure + "\"\n"
	}
	clock := &testClock{}
	docs := &fakeDocs{}
	e := startEnv(t, extra, clock.now, func(opts *Options) {
		opts.Documents, opts.Scanners, opts.Printers = docs, o.scanners, o.printers
	})
	return &devEnv{env: e, docs: docs, clock: clock}
}

// imagesLoaded is a JS expression: n images match sel, all loaded.
func imagesLoaded(sel string, n int) string {
	return fmt.Sprintf(`(() => { const im = [...document.querySelectorAll(%s)]; return im.length === %d && im.every((i) => i.complete && i.naturalWidth > 0); })()`, jsq(sel), n)
}

func (b *browser) strings(expr string) []string {
	b.t.Helper()
	var out []string
	b.eval(expr, &out)
	return out
}

func (b *browser) truthy(expr string) bool {
	b.t.Helper()
	var ok bool
	b.eval(expr, &ok)
	return ok
}

// emitCard puts a card on kiosk-1's reader, as the ID card reader does.
func emitCard(t *testing.T, e *env) {
	t.Helper()
	if err := e.hall.Emit(context.Background(), "card.read",
		map[string]any{"name": "张*丰", "id_number_masked": "1101**********002X", "card_type": "resident", "valid_until": "2030-01-01"},
		"kiosk-1", map[string]any{"id_number": "11010519491231002X", "name": "张三丰"}); err != nil {
		t.Fatal(err)
	}
}

// ---- scanning at the kiosk, the pages at the window --------------------------

func testScanKioskAndWindow(t *testing.T, b *browser, e *devEnv, sc *fakeScanner) {
	b.viewport(1080, 1920)
	b.open("/kiosk?token=" + tokKiosk)
	b.wait("the event stream", `document.body.dataset.ws === 'open'`)
	emitCard(t, e.env)
	b.waitText("#greeting", "您好，张*丰")
	b.click("[data-zone=A]")
	b.click(`[data-matter="HJ-SJ-0001"]`)
	b.wait("the scanner", `!!document.querySelector('#scan:not([hidden]) [data-action=scan]')`)
	if s := b.text("#scan [data-action=scan]"); s != "开始扫描" {
		t.Errorf("scan button %q", s)
	}
	// every word the status line says on the way
	b.eval(`window.__notes = []; new MutationObserver(() => window.__notes.push(document.getElementById('scan-status').textContent))
		.observe(document.getElementById('scan-status'), { childList: true, characterData: true, subtree: true }); true`, nil)
	b.click("#scan [data-action=scan]")
	b.wait("three thumbnails", imagesLoaded("#scan-list img", 3))
	b.waitText("#scan-status", "扫描完成：第 1 份材料，共 3 页")
	notes := strings.Join(b.strings(`window.__notes`), "|")
	for _, want := range []string{"正在扫描：已扫描 1 页…", "正在扫描：已扫描 2 页…", "正在扫描：已扫描 3 页…"} {
		if !strings.Contains(notes, want) {
			t.Errorf("the progress never said %q: %s", want, notes)
		}
	}
	if alts := strings.Join(b.strings(`[...document.querySelectorAll('#scan-list img')].map((i) => i.alt)`), ","); alts != "第 1 页,第 2 页,第 3 页" {
		t.Errorf("thumbnail names %q", alts)
	}
	if !b.truthy(`[...document.querySelectorAll('#scan-list img')].every((i) => /\/pages\/\d\.png\?size=thumb&token=/.test(i.getAttribute('src')))`) {
		t.Error("the thumbnails are not the thumb pages with the token")
	}
	var first string
	b.eval(`document.querySelector('#scan-list [data-material]').dataset.material`, &first)
	b.check("kiosk-scanned")
	b.click("[data-role=elder-toggle]")
	b.wait("elder mode", `document.documentElement.classList.contains('elder')`)
	b.checkElder("kiosk-scanned")
	b.check("kiosk-scanned-elder")

	// a second scan is a second material; it can be taken out again
	b.click("#scan [data-action=scan]")
	b.wait("two materials", `document.querySelectorAll('#scan-list .scanned > li').length === 2`+` && `+imagesLoaded("#scan-list img", 6))
	b.click(`[data-action=remove-material][data-index="1"]`)
	b.waitText("#scan-status", "已移除第 2 份材料")
	b.wait("one material", `document.querySelectorAll('#scan-list .scanned > li').length === 1`)
	// a jam: the device's words
	sc.fail.Store(&kiosk.Error{Kind: kiosk.KindUnavailable, Msg: "paper jam, remove the jammed paper and try again (卡纸，请取出卡住的纸张后重试)"})
	b.click("#scan [data-action=scan]")
	b.wait("the jam in words", `document.getElementById('scan-error').textContent.includes('卡纸，请取出卡住的纸张后重试')`)
	if !strings.HasPrefix(b.text("#scan-error"), "扫描失败：") {
		t.Errorf("scan error %q", b.text("#scan-error"))
	}
	sc.fail.Store(nil)
	b.check("kiosk-scan-failed")

	b.click("[data-action=next]")
	b.click("#dlv-pickup")
	b.waitText("#sum-materials", "扫描材料：1 份，共 3 页")
	b.click("[data-action=confirm]")
	b.wait("the result", `!!document.getElementById('result-title')`)
	number := b.text("#result-title .big-number")
	tk := e.ticketByNumber(number)
	sub, _ := tk["submission"].(map[string]any)
	if ms, _ := sub["materials"].([]any); len(ms) != 1 || ms[0] != first {
		t.Fatalf("the submission's materials: %v, want [%s]", sub["materials"], first)
	}

	// the window: the pages beside the checklist, the viewer, a scan, 受理
	b.viewport(1920, 1080)
	b.open("/window?token=" + tokWin1 + "&window=1")
	b.wait("the window", `!!document.querySelector('[data-action=call]')`)
	b.click("[data-action=call]")
	b.waitText("#held [data-number]", number)
	b.wait("three thumbnails", imagesLoaded("#pages button.thumb img", 3))
	if alts := strings.Join(b.strings(`[...document.querySelectorAll('#pages button.thumb')].map((x) => x.querySelector('img').alt)`), ","); alts != "第 1 页,第 2 页,第 3 页" {
		t.Errorf("window thumbnail names %q", alts)
	}
	b.waitText("#mat-m0", "第 1 份材料（3 页）")
	if n := len(b.strings(`[...document.querySelectorAll('#checklist input[type=checkbox]')].map((c) => c.id)`)); n != 5 {
		t.Errorf("%d checklist items, want the 5 materials of HJ-SJ-0001", n)
	}
	names := b.strings(`[...document.querySelectorAll('#checklist input[type=checkbox]')].map((c) => c.getAttribute('aria-labelledby').split(' ').map((id) => document.getElementById(id).textContent).join(' '))`)
	if len(names) == 0 || names[0] != "已核对 公司登记（备案）申请书" {
		t.Errorf("checklist names %q", names)
	}
	b.click("#chk-0")
	b.waitText("#checked-count", "已核对 1 / 5 项")
	// the second material needs a correction: said in words, kept on the ticket
	b.click("[data-action=correct][data-index='1']")
	b.setValue("#corr-1", "章程缺少股东签字")
	b.click(".correction-form button[type=submit]")
	b.wait("the correction shown", `!!document.querySelector('#checklist .correction')`)
	held := e.want(e.do("GET", "/api/v1/windows/1", tokWin1, ""), 200)
	if !strings.Contains(held.raw, "章程缺少股东签字") || !strings.Contains(held.raw, `"accepted"`) {
		t.Fatalf("the marks are not on the ticket: %s", held.raw)
	}
	b.check("window-pages")

	b.click("#pg-m0-2")
	b.wait("the viewer", `document.getElementById('viewer').open && `+imagesLoaded("#viewer-img", 1))
	b.waitText("#viewer-title", "第 1 份材料 · 第 2 页（共 3 页）")
	var w int
	b.eval(`document.getElementById('viewer-img').naturalWidth`, &w)
	if w != 1200 || !e.docs.asked(1200) || !e.docs.asked(thumbWidth) {
		t.Errorf("the viewer's page is %d px wide", w)
	}
	b.check("window-viewer")
	b.run(chromedp.KeyEvent(kb.Escape))
	b.wait("closed by Esc", `!document.getElementById('viewer').open && document.activeElement && document.activeElement.id === 'pg-m0-2'`)
	b.click("#pg-m0-1")
	b.wait("the viewer", `document.getElementById('viewer').open`)
	b.click("[data-action=viewer-next]")
	b.waitText("#viewer-title", "第 1 份材料 · 第 2 页（共 3 页）")
	b.click("[data-action=viewer-close]")
	b.wait("closed by the button", `!document.getElementById('viewer').open`)

	b.click("[data-action=window-scan]")
	b.wait("the extra pages", imagesLoaded("#extra button.thumb img", 3))
	b.waitText("#wscan-status", "补充材料扫描完成，共 3 页")
	b.check("window-extra-scan")
	b.click("[data-role=elder-toggle]")
	b.wait("elder mode", `document.documentElement.classList.contains('elder')`)
	b.checkElder("window-pages")
	b.check("window-pages-elder")
	b.click("[data-role=elder-toggle]")

	b.click("[data-action=accepted]")
	b.wait("the cases", `!!document.querySelector('#cases [data-case]')`)
	cs := e.want(e.do("GET", "/api/v1/cases?ticket="+str(tk, "id"), tokAdmin, ""), 200)
	c := cs.body["cases"].([]any)[0].(map[string]any)
	if got := b.text("#cases [data-case] .case-no"); got != str(c, "number") {
		t.Errorf("case number on screen %q, want %q", got, str(c, "number"))
	}
	if got := b.text("#cases [data-case] .case-due"); !strings.Contains(got, "承诺办结："+str(c, "due")) {
		t.Errorf("due date on screen %q, want %s", got, str(c, "due"))
	}
	b.check("window-accepted")

	// a window without a scanner offers none
	e.want(e.do("POST", "/api/v1/tickets", tokGuide, `{"zone":"A"}`), 201)
	e.want(e.do("POST", "/api/v1/windows/2/call", tokWin2, ""), 200)
	b.open("/window?token=" + tokWin2 + "&window=2")
	b.wait("window 2's held ticket", `!!document.querySelector('#held [data-number]') && !!document.getElementById('pages')`)
	b.run(chromedp.Sleep(200 * time.Millisecond))
	if b.truthy(`!!document.querySelector('[data-action=window-scan]')`) {
		t.Error("window 2 has no scanner but offers to scan")
	}
}

// ---- cases: a package at the window, the admin's 督办 list -------------------

func testCasesAndOversight(t *testing.T, b *browser, e *devEnv) {
	accept := func(body string) {
		t.Helper()
		e.want(e.do("POST", "/api/v1/tickets", tokKiosk, body), 201)
		e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
		e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"accepted"}`), 200)
	}
	e.clock.shift(-40 * 24 * time.Hour) // accepted 40 days ago, due in 5 working days: overdue
	accept(`{"matter":"HJ-SJ-0010"}`)
	e.clock.shift(0)
	accept(`{"matter":"HJ-SJ-0005"}`) // 即办件: due today, yellow
	accept(`{"matter":"HJ-SJ-0012"}`) // 10 working days: green

	// a package (一件事) accepted at the window: the parts under the package case
	e.want(e.do("POST", "/api/v1/tickets", tokGuide, `{"package":"PKG-KBQY"}`), 201)
	b.viewport(1920, 1080)
	b.open("/window?token=" + tokWin1 + "&window=1")
	b.wait("the window", `!!document.querySelector('[data-action=call]')`)
	b.click("[data-action=call]")
	b.wait("the package", `(document.getElementById('submission') || { textContent: '' }).textContent.includes('开办企业一件事')`)
	b.click("[data-action=accepted]")
	b.wait("the package case", `document.querySelectorAll('#cases .case-list > li').length === 1 && document.querySelectorAll('#cases .case-parts > li').length === 7`)
	parent := b.text("#cases .case-list > li > .case-no")
	parts := b.strings(`[...document.querySelectorAll('#cases .case-parts > li > .case-no')].map((x) => x.textContent)`)
	all := e.want(e.do("GET", "/api/v1/cases?open=1", tokAdmin, ""), 200)
	under := 0
	for _, x := range all.body["cases"].([]any) {
		c := x.(map[string]any)
		if str(c, "parent") == parent && strings.Contains(strings.Join(parts, ","), str(c, "number")) {
			under++
		}
	}
	if under != 7 {
		t.Errorf("%d of the parts on screen are the package's cases (%s: %q)", under, parent, parts)
	}
	b.check("window-package-cases")

	b.open("/admin?token=" + tokAdmin)
	b.wait("the open cases", `document.querySelectorAll('#oversight tbody tr').length === 11`)
	rows := b.strings(`[...document.querySelectorAll('#oversight tbody tr')].map((r) => r.dataset.light + '|' + r.cells[0].textContent.trim() + '|' + r.cells[1].textContent)`)
	words := map[string]string{"red": "■ 已超期", "yellow": "▲ 即将到期", "green": "● 正常"}
	rank := map[string]int{"red": 0, "yellow": 1, "green": 2}
	last := -1
	for i, r := range rows {
		f := strings.Split(r, "|")
		if words[f[0]] != f[1] {
			t.Errorf("row %d: light %s said %q", i, f[0], f[1])
		}
		if rank[f[0]] < last {
			t.Errorf("row %d (%s) after a %d: %q", i, f[0], last, rows)
		}
		last = rank[f[0]]
	}
	if !strings.HasPrefix(rows[0], "red|") || !strings.HasPrefix(b.text("#oversight-sum"), "已超期 1 件") {
		t.Errorf("the overdue case is not first: %q, %q", rows[0], b.text("#oversight-sum"))
	}
	b.check("admin-oversight")
}

// ---- printing: a kiosk that cannot print, reprints at the guide desk ---------

func testPrinting(t *testing.T, b *browser) {
	jam := func() *testPrinter {
		return &testPrinter{fail: fmt.Errorf("escpos: paper out")}
	}
	// on_failure = "hold": the ticket stands, the guide desk reprints it
	guideP := &testPrinter{}
	e := newDevEnv(t, devOptions{onFailure: "hold", printers: map[string]Printer{"kiosk-1": jam(), "guide-1": guideP}})
	b.e = e.env
	b.viewport(1080, 1920)
	b.open("/kiosk?token=" + tokKiosk)
	b.click("[data-action=nocard]")
	b.click("[data-zone=A]")
	b.click("[data-action=plain]")
	b.waitText("#result-title .big-number", "A001")
	b.wait("the print failure", `!!document.getElementById('print-error')`)
	if s := b.text("#print-error"); !strings.Contains(s, "取号凭条打印失败，请到导办台补打") || !strings.Contains(s, "您的号码 A001 仍然有效") {
		t.Errorf("print failure %q", s)
	}
	b.click("[data-role=elder-toggle]")
	b.checkElder("kiosk-print-error")
	b.check("kiosk-print-error-elder")

	b.viewport(1920, 1080)
	b.open("/guide?token=" + tokGuide)
	b.click("[data-zone=B]")
	b.click("[data-kind=normal]")
	b.waitText("#issued [data-number]", "B001")
	b.click(`[data-action=reprint][data-number="B001"]`)
	b.waitText("#reprint-msg", "B001 号凭条已补打")
	b.typeInto("#reprint-number", "a001") // the kiosk's unprinted ticket
	b.click("[data-action=reprint-number]")
	b.waitText("#reprint-msg", "A001 号凭条已补打")
	if n := guideP.count(); n != 3 { // B001 issued, B001 and A001 reprinted
		t.Errorf("the guide desk printed %d tickets, want 3", n)
	}
	b.check("guide-reprinted")
	b.click("[data-role=elder-toggle]")
	b.wait("elder mode", `document.documentElement.classList.contains('elder')`)
	b.checkElder("guide-reprinted")
	b.click("[data-role=elder-toggle]")

	// on_failure = "void": no ticket; the citizen goes to the guide desk,
	// whose terminal here has no printer to reprint with
	e = newDevEnv(t, devOptions{onFailure: "void", printers: map[string]Printer{"kiosk-1": jam(), "guide-1": nil}})
	b.e = e.env
	b.viewport(1080, 1920)
	b.open("/kiosk?token=" + tokKiosk)
	b.click("[data-action=nocard]")
	b.click("[data-zone=A]")
	b.click("[data-action=plain]")
	b.wait("the 503 in words", `document.getElementById('error').textContent.includes('请到导办台取号')`)
	if s := b.text("#error"); !strings.Contains(s, "取号凭条打印失败") || !strings.Contains(s, "工作人员会为您办理") || b.truthy(`!!document.querySelector('[data-action=retry]')`) {
		t.Errorf("void answer %q", s)
	}
	b.check("kiosk-print-void")
	b.viewport(1920, 1080)
	b.open("/guide?token=" + tokGuide)
	b.click("[data-zone=A]")
	b.click("[data-kind=normal]")
	b.waitText("#issued [data-number]", "A002")
	b.click(`[data-action=reprint][data-number="A002"]`)
	b.waitText("#reprint-error", "本终端没有打印机，无法补打") // in the page's language only
	b.check("guide-reprint-noprinter")
}
