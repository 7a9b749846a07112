// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yichuang/devices/escpos"
)

// TestCitizenPathEndToEnd drives a real kioskd with its simulated devices
// from a real browser: a card placed on the simulated reader (a pty, read
// by the real GA 467 driver), a matter picked, three pages scanned by the
// simulated scanner, pickup chosen, the ticket printed on an ESC/POS
// printer simulator over TCP; then the window calls it and sees the pages.
func TestCitizenPathEndToEnd(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run the browser tests (make deps installs chromium)")
		}
		t.Skip("no chromium at " + chromium)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	printer := startPrinterSim(t, ctx)

	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := writeConfig(t, dir, addr)
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, append(b, []byte(fmt.Sprintf("[devices.printer]\nuri = %q\n[devices.voice]\nengine = \"off\"\n", printer.URI()))...), 0o600)
	start(t, cfg, addr)

	bctx, wait, click := newBrowser(t, ctx, chromium)
	base := "http://" + addr
	if err := chromedp.Run(bctx, chromedp.Navigate(base+"/kiosk?token="+tokKiosk)); err != nil {
		t.Fatal(err)
	}
	wait("the welcome and the event stream", `document.body.dataset.ws === 'open' && !!document.getElementById('welcome-title')`)
	if code, _, _ := request(addr, "POST", "/api/v1/sim/idcard", tokKiosk, `{"card":"resident"}`); code != 204 {
		t.Fatal(code)
	}
	wait("the greeting from the card", `(document.getElementById('greeting') || {}).textContent === '您好，刘*'`)
	click("[data-zone=A]")
	click(`[data-matter="HJ-SJ-0001"]`)
	wait("the scanner", `!!document.querySelector('#scan:not([hidden]) [data-action=scan]')`)
	click("#scan [data-action=scan]")
	wait("three scanned pages", `document.querySelectorAll('#scan-list img').length === 3 && [...document.querySelectorAll('#scan-list img')].every((i) => i.complete && i.naturalWidth > 0)`)
	click("[data-action=next]")
	click("#dlv-pickup")
	click("[data-action=confirm]")
	wait("the ticket", `!!document.getElementById('result-title') && /A\d{3}/.test(document.getElementById('result-title').textContent)`)
	var title string
	if err := chromedp.Run(bctx, chromedp.Text("#result-title", &title, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	number := title[strings.Index(title, "A") : strings.Index(title, "A")+4]

	// the ticket came out of the printer, its QR the status link
	pctx, pcancel := context.WithTimeout(ctx, 10*time.Second)
	defer pcancel()
	if err := printer.WaitBytes(pctx, 200); err != nil {
		t.Fatal(err)
	}
	for n := -1; n != len(printer.Bytes()); { // until the whole job is in
		n = len(printer.Bytes())
		time.Sleep(100 * time.Millisecond)
	}
	img, err := escpos.Render(printer.Bytes(), &escpos.RenderOpts{Paper: escpos.Paper80})
	if err != nil || img.Bounds().Dy() < 300 {
		t.Fatalf("the printed ticket does not render: %v", err)
	}
	if !strings.Contains(string(printer.Bytes()), number) {
		t.Fatalf("the printed ticket lacks %s", number)
	}

	// the window calls it and sees the three pages
	if err := chromedp.Run(bctx, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(base+"/window?window=1&token="+tokWin)); err != nil {
		t.Fatal(err)
	}
	click("[data-action=call]")
	wait("the ticket's three pages at the window", `document.body.innerText.includes(`+fmt.Sprintf("%q", number)+`) && document.querySelectorAll('img[alt*="第"]').length >= 3`)
}

// newBrowser starts a headless Chromium at a kiosk's screen size; wait
// polls a JavaScript condition (failing with the page's text), click waits
// for a control to be clickable and clicks it.
func newBrowser(t *testing.T, ctx context.Context, chromium string) (context.Context, func(what, expr string), func(sel string)) {
	t.Helper()
	// Chromium may still be writing its profile as it exits: remove it with
	// retries rather than through t.TempDir, whose cleanup fails the test
	profile, err := os.MkdirTemp("", "kioskd-e2e-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("could not remove %s", profile)
	})
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("mute-audio", true), chromedp.WindowSize(1080, 1920))
	t.Cleanup(cancelAlloc)
	bctx, cancelB := chromedp.NewContext(alloc)
	t.Cleanup(cancelB)
	wait := func(what, expr string) {
		t.Helper()
		if err := chromedp.Run(bctx, chromedp.Poll(expr, nil, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
			var text string
			_ = chromedp.Run(bctx, chromedp.Evaluate(`document.body.innerText.slice(0, 400)`, &text))
			t.Fatalf("waiting for %s: %v\npage: %s", what, err, text)
		}
	}
	click := func(sel string) {
		t.Helper()
		wait("clickable "+sel, fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && !e.disabled && e.getClientRects().length > 0; })()`, sel))
		if err := chromedp.Run(bctx, chromedp.Click(sel, chromedp.ByQuery)); err != nil {
			t.Fatalf("click %s: %v", sel, err)
		}
	}
	return bctx, wait, click
}
