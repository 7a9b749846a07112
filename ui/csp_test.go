// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestCSPHeader: pages, API answers, errors and static files all carry the policy.
func TestCSPHeader(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/", "/kiosk", "/admin", "/s/x", "/static/app.js", "/config.js", "/healthz",
		"/api/v1/catalog", "/api/v1/nothing", "/metrics", "/api/v1/openapi.json"} {
		res, err := e.srv.Client().Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Content-Security-Policy"); got != contentSecurityPolicy {
			t.Errorf("GET %s (%d): Content-Security-Policy %q", path, res.StatusCode, got)
		}
	}
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "*"} {
		if strings.Contains(contentSecurityPolicy, bad) {
			t.Errorf("the policy admits %s", bad)
		}
	}
}

// TestPagesHaveNothingInline reads the embedded pages: no inline script,
// no style block or attribute, no on…= handler, which the policy would refuse.
func TestPagesHaveNothingInline(t *testing.T) {
	inline := []*regexp.Regexp{
		regexp.MustCompile(`(?i)<script\b[^>]*>\s*[^<\s]`), // a script with a body
		regexp.MustCompile(`(?i)<style\b`),
		regexp.MustCompile(`(?i)\sstyle\s*=`),
		regexp.MustCompile(`(?i)\son[a-z]+\s*=`),
		regexp.MustCompile(`(?i)javascript:`),
	}
	pages, err := fs.Glob(webFS, "web/*.html")
	if err != nil || len(pages) < 8 {
		t.Fatalf("pages %v: %v", pages, err)
	}
	for _, p := range pages {
		b, err := fs.ReadFile(webFS, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range inline {
			if loc := re.FindIndex(b); loc != nil {
				t.Errorf("%s: %q is inline, which the Content-Security-Policy refuses", p, b[loc[0]:min(loc[1]+20, len(b))])
			}
		}
	}
}

// TestBrowserCSP opens every page in headless Chromium, lets it load its
// data and WebSocket, and fails on any Content-Security-Policy violation:
// a "Refused to …" console message or a securitypolicyviolation event.
func TestBrowserCSP(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must run the browser tests, but there is no chromium at %s: %v", chromiumPath, err)
		}
		t.Skipf("no chromium binary at %s (apt-get install chromium): %v", chromiumPath, err)
	}
	e := newEnv(t)
	tk := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"matter":"`+matterOf(t, e, "A")+`"}`), 201)
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"B"}`), 201)
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	fin := e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"accepted"}`), 200)
	statusURL := str(tk.body, "status_url")
	statusPath := statusURL[strings.Index(statusURL, "/s/"):]
	key := statusURL[strings.Index(statusURL, "token=")+len("token="):]
	// the citizen rates from the status page (a 差评: the admin page lists its follow-up)
	e.want(e.do("POST", "/api/v1/tickets/"+str(tk.body, "id")+"/rating?token="+key, "", `{"level":2}`), 201)
	cases, _ := fin.body["cases"].([]any)
	if len(cases) == 0 {
		t.Fatalf("no case: %s", fin.raw)
	}
	caseNo := str(cases[0].(map[string]any), "number")

	profile := chromiumProfile(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("mute-audio", true), chromedp.WindowSize(1920, 1080))
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	var mu sync.Mutex
	var refused []string
	chromedp.ListenTarget(bctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *cdplog.EventEntryAdded:
			msg = ev.Entry.Text
		case *runtime.EventConsoleAPICalled:
			for _, a := range ev.Args {
				msg += string(a.Value) + a.Description + " "
			}
		}
		if strings.Contains(msg, "Refused to") || strings.Contains(msg, "Content Security Policy") {
			mu.Lock()
			refused = append(refused, msg)
			mu.Unlock()
		}
	})
	// seen before any script of the page runs: every violation the page meets
	const record = `window.__csp = []; document.addEventListener('securitypolicyviolation',
	  (e) => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber), true);`
	if err := chromedp.Run(bctx, cdplog.Enable(), runtime.Enable(), chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(record).Do(ctx)
		return err
	})); err != nil {
		t.Fatalf("start chromium: %v", err)
	}

	for _, c := range []struct {
		path  string
		ready string // what shows the page has rendered its data
	}{
		{"/", `document.querySelectorAll('a').length > 0`},
		{"/kiosk?token=" + tokKiosk, `document.querySelectorAll('#app button').length > 0`},
		{"/guide?token=" + tokGuide, `document.querySelectorAll('#app button').length > 0`},
		{"/window?window=1&token=" + tokWin1, `document.querySelectorAll('#app button').length > 0`},
		{"/display?token=" + tokDisplay, `!!document.querySelector('.zone-strip-wrap')`},
		{"/admin?token=" + tokAdmin, `document.querySelectorAll('figure.chart svg').length > 0`},
		{"/backoffice?token=" + tokDeptSJ, `document.querySelectorAll('#app button').length > 0`},
		{"/agent?token=" + tokGuide, `document.querySelectorAll('#app *').length > 3`},
		{statusPath, `document.getElementById('number').textContent !== '—'`},
		{"/c/" + caseNo + "?token=" + e.hall.CaseKey(caseNo), `document.getElementById('number').textContent !== '—'`},
	} {
		mu.Lock()
		refused = nil
		mu.Unlock()
		var ok bool
		err := chromedp.Run(bctx, chromedp.Navigate(e.srv.URL+c.path),
			chromedp.Poll(c.ready, &ok, chromedp.WithPollingTimeout(15*time.Second)),
			chromedp.Sleep(500*time.Millisecond)) // late fetches and the WebSocket
		if err != nil {
			t.Errorf("%s: the page did not render (%s): %v", c.path, c.ready, err)
		}
		var seen string
		if err := chromedp.Run(bctx, chromedp.Evaluate(`JSON.stringify(window.__csp || ['no recorder'])`, &seen)); err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		var violations []string
		_ = json.Unmarshal([]byte(seen), &violations)
		mu.Lock()
		got := append(violations, refused...)
		mu.Unlock()
		if len(got) > 0 {
			t.Errorf("%s: Content-Security-Policy violations:\n%s", c.path, strings.Join(got, "\n"))
		}
	}
}
