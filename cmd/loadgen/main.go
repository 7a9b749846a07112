// SPDX-License-Identifier: AGPL-3.0-or-later

// Command loadgen measures a real kioskd at a hall's peak, each figure beside
// the physical limit it is bounded by, measured in the same run on the same
// machine, and writes the table to BENCHMARKS.md.
//
// It builds ./cmd/kioskd (or takes -kioskd PATH), starts `kioskd serve` on
// a loopback port with a temporary data_dir and a generated config (200
// kiosks, 30 windows, 1,000 displays, an admin; every device off; a
// 10,000-matter catalog), drives it over HTTP and WebSocket, and stops by
// itself: every phase is bounded in count and in time, and the whole run by
// -timeout. A missed target is reported, never fatal; a correctness error
// (a non-201 ticket answer, a lost ticket, a ticket called twice) makes it
// exit 1 after writing the report.
//
//	go run ./cmd/loadgen                 # from the repository root
//	go run ./cmd/loadgen -kioskd bin/kioskd -out -
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"yichuang/config"
	"yichuang/kiosk"
)

type options struct {
	kioskd      string
	out         string
	kiosks      int
	clients     int
	windows     int
	layout      string
	displays    int
	matters     int
	issueFor    time.Duration
	issueMax    int
	bareFor     time.Duration
	callQueue   int
	callFor     time.Duration
	rounds      int
	searches    int
	timeout     time.Duration
	keep        bool
	skipDevices bool
}

func main() {
	var o options
	flag.StringVar(&o.kioskd, "kioskd", "", "kioskd binary to run (default: go build ./cmd/kioskd into the temporary directory)")
	flag.StringVar(&o.out, "out", "", `report file (default: BENCHMARKS.md at the repository root; "-": stdout only)`)
	flag.IntVar(&o.kiosks, "kiosks", 200, "kiosk terminals configured")
	flag.IntVar(&o.clients, "clients", 200, "concurrent ticket-issuing clients (kiosk tokens are reused when more than -kiosks)")
	flag.IntVar(&o.windows, "windows", 30, "windows configured; all of them call in the calls phase")
	flag.StringVar(&o.layout, "layout", "one", `where the windows are: "one" (all in zone A, contesting one queue) or "spread" (round robin over the nine zones)`)
	flag.IntVar(&o.displays, "displays", 1000, "display WebSockets connected for the broadcast phase")
	flag.IntVar(&o.matters, "matters", 10000, "matters in the generated catalog")
	flag.DurationVar(&o.issueFor, "issue-duration", 10*time.Second, "length of the ticket-issue phase")
	flag.IntVar(&o.issueMax, "issue-max", 200000, "most tickets the issue phase makes")
	flag.DurationVar(&o.bareFor, "bare-duration", 5*time.Second, "length of the bare SQLite loop")
	flag.IntVar(&o.callQueue, "call-queue", 6000, "tickets waiting for the windows before the calls phase (topped up in zone A)")
	flag.DurationVar(&o.callFor, "call-duration", 30*time.Second, "longest calls phase")
	flag.IntVar(&o.rounds, "rounds", 20, "calls measured in the broadcast phase")
	flag.IntVar(&o.searches, "searches", 3000, "catalog searches measured")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "the whole run's limit")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (data, config, logs)")
	flag.BoolVar(&o.skipDevices, "skip-devices", false, "skip the print job and PDF figures")
	flag.Parse()
	if o.layout != "one" && o.layout != "spread" {
		fmt.Fprintln(os.Stderr, `loadgen: -layout must be "one" or "spread"`)
		os.Exit(2)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ctx, cancel2 := context.WithTimeout(ctx, o.timeout)
	defer cancel2()
	os.Exit(run(ctx, o))
}

// report gathers every figure of a run.
type report struct {
	o        options
	started  time.Time
	machine  machine
	load0    string
	load1    string
	nofile   string
	goKioskd string
	commit   string
	version  string
	command  string
	checkOut string

	shippedRSS, bigRSS, peakRSS, afterRSS int
	freshReady, smallReady                time.Duration
	crashReady, cleanReady                time.Duration
	bigFreshReady, shippedFullReady       time.Duration
	issueCPU, callCPU                     cpuShare
	execFloor                             time.Duration
	crashTickets                          int

	search       durs
	searchIn     durs // in-process kiosk.Catalog.Search, the same queries
	health       durs // GET /healthz, the HTTP floor
	searchHits   float64
	searchBytes  float64
	broadSearch  durs
	broadHits    int
	broadBytes   int
	searchQuerys []string

	bare    *bareResult
	issue   *issueResult
	replays int
	lost    int
	topUp   *issueResult

	fan, fanBare *fanoutResult
	calls        *callResult
	callDups     int
	callMissing  int
	callWaiting  int
	callsAll     int

	jobs     []jobSize
	thumbDoc *renderResult
	thumbA4  *renderResult

	failures []string // correctness errors
	notes    []string
}

func (r *report) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.failures = append(r.failures, msg)
	fmt.Fprintln(os.Stderr, "loadgen: CORRECTNESS ERROR:", msg)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "loadgen: "+format+"\n", args...)
}

func run(ctx context.Context, o options) int {
	r := &report{o: o, started: time.Now(), load0: loadAvg()}
	r.command = commandLine()
	root, err := moduleRoot()
	if err != nil {
		logf("%v", err)
		return 2
	}
	if o.out == "" {
		o.out = filepath.Join(root, "BENCHMARKS.md")
		r.o.out = o.out
	}
	soft, hard, err := raiseNoFile()
	if err != nil {
		logf("RLIMIT_NOFILE: %v", err)
	}
	r.nofile = fmt.Sprintf("%d (hard %d)", soft, hard)
	if need := uint64(o.displays*2 + o.clients*2 + 500); soft < need {
		logf("RLIMIT_NOFILE is %d; %d displays and %d clients need about %d: raise the hard limit (ulimit -Hn)", soft, o.displays, o.clients, need)
		return 2
	}
	tmp, err := os.MkdirTemp("", "loadgen-")
	if err != nil {
		logf("%v", err)
		return 2
	}
	if o.keep {
		logf("keeping %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	r.machine = describeMachine(tmp)

	bin := o.kioskd
	if bin == "" {
		logf("building ./cmd/kioskd")
		if bin, err = buildKioskd(ctx, root, tmp); err != nil {
			logf("%v", err)
			return 2
		}
	} else if bin, err = filepath.Abs(bin); err != nil {
		logf("%v", err)
		return 2
	}
	r.goKioskd, r.commit, r.version = binaryVersion(bin)
	if strings.HasPrefix(r.commit, "unknown") {
		if c := headCommit(root); c != "" {
			r.commit = c + " (checked out; the binary carries no VCS stamp)"
		}
	}

	if err := measure(ctx, r, root, tmp, bin); err != nil {
		logf("%v", err)
		r.notes = append(r.notes, "The run stopped early: "+err.Error())
	}
	r.load1 = loadAvg()
	md := r.markdown()
	fmt.Print(md)
	if o.out != "-" {
		md += keptPart(o.out)
		if err := os.WriteFile(o.out, []byte(md), 0o644); err != nil {
			logf("%v", err)
			return 2
		}
		logf("wrote %s", o.out)
	}
	switch {
	case len(r.failures) > 0:
		return 1
	case ctx.Err() != nil:
		return 2
	}
	return 0
}

// commandLine is how loadgen was started, as a person would type it.
func commandLine() string {
	args := strings.Join(os.Args[1:], " ")
	exe, _ := os.Executable()
	cmd := os.Args[0]
	if strings.Contains(exe, "go-build") {
		cmd = "go run ./cmd/loadgen"
	}
	return strings.TrimSpace(cmd + " " + args)
}

// measure runs the phases in order; an error ends the run early.
func measure(ctx context.Context, r *report, root, tmp, bin string) error {
	o := r.o
	def, err := config.Default()
	if err != nil {
		return err
	}
	zoneNames := map[string]string{}
	for _, z := range def.Zones {
		zoneNames[z.ID] = z.Name
	}
	setup := newHallSetup(o.kiosks, o.windows, o.displays, o.layout)

	// the generated catalog
	catJSON, matters, err := bigCatalog(config.DefaultCatalog(), o.matters)
	if err != nil {
		return err
	}
	catPath := filepath.Join(tmp, "catalog.json")
	if err := os.WriteFile(catPath, catJSON, 0o644); err != nil {
		return err
	}

	// 1. the shipped catalog: idle RSS, start with a fresh and an existing database
	listen, err := freeLoopbackAddr()
	if err != nil {
		return err
	}
	cfg0 := filepath.Join(tmp, "shipped.toml")
	if err := os.WriteFile(cfg0, []byte(setup.configTOML(listen, filepath.Join(tmp, "data-shipped"), "", zoneNames)), 0o600); err != nil {
		return err
	}
	if out, err := execOut(bin, "serve", "--config", cfg0, "--check"); err != nil {
		return fmt.Errorf("kioskd serve --check refuses the generated config (devices off with \"\"): %v: %s", err, out)
	} else {
		r.checkOut = out
	}
	for range 5 {
		t0 := time.Now()
		if _, err := execOut(bin, "version"); err != nil {
			return err
		}
		if d := time.Since(t0); r.execFloor == 0 || d < r.execFloor {
			r.execFloor = d
		}
	}
	logf("phase 1: idle RSS and start time (shipped catalog)")
	p, err := startKioskd(ctx, bin, cfg0, listen, 30*time.Second)
	if err != nil {
		return err
	}
	r.freshReady = p.ready
	if err := fewRequests(ctx, p.base, setup); err != nil {
		p.kill()
		return err
	}
	time.Sleep(time.Second)
	r.shippedRSS, _ = p.rssKB()
	if err := p.stop(); err != nil {
		return err
	}
	if p, err = startKioskd(ctx, bin, cfg0, listen, 30*time.Second); err != nil {
		return err
	}
	r.smallReady = p.ready
	if err := p.stop(); err != nil {
		return err
	}

	// 2. the hall at its peak, with the 10,000-matter catalog
	listen, err = freeLoopbackAddr()
	if err != nil {
		return err
	}
	cfg := filepath.Join(tmp, "kioskd.toml")
	if err := os.WriteFile(cfg, []byte(setup.configTOML(listen, filepath.Join(tmp, "data"), catPath, zoneNames)), 0o600); err != nil {
		return err
	}
	logf("phase 2: idle RSS with %d matters", len(matters))
	if p, err = startKioskd(ctx, bin, cfg, listen, 30*time.Second); err != nil {
		return err
	}
	defer func() { p.kill() }()
	r.bigFreshReady = p.ready
	if err := fewRequests(ctx, p.base, setup); err != nil {
		return err
	}
	time.Sleep(time.Second)
	r.bigRSS, _ = p.rssKB()

	// 3. catalog search
	logf("phase 3: catalog search")
	if err := searchPhase(ctx, r, p.base, setup, catJSON); err != nil {
		return err
	}

	// 4. the bare SQLite loop, kioskd idle
	logf("phase 4: bare SQLite loop for %s", o.bareFor)
	if r.bare, err = bareLoop(ctx, tmp, o.bareFor, 1_000_000); err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(tmp, "bare.db"))
	_ = os.Remove(filepath.Join(tmp, "bare.db-wal"))
	_ = os.Remove(filepath.Join(tmp, "bare.db-shm"))

	// 5. ticket issue at the peak
	logf("phase 5: %d clients issue tickets for %s", o.clients, o.issueFor)
	pick := func(i int) (string, string) { return matters[(i*7919)%len(matters)].Code, "" }
	c0 := sampleCPU(p.cmd.Process.Pid)
	r.issue = issueLoad(ctx, p.base, setup.Kiosks, o.clients, o.issueFor, o.issueMax, pick)
	r.issueCPU = shareBetween(c0, sampleCPU(p.cmd.Process.Pid))
	all := append([]issued(nil), r.issue.Tickets...)
	if r.issue.Non201+r.issue.Errors > 0 {
		r.fail("ticket issue: %d answers other than 201 and %d errors; first: %s", r.issue.Non201, r.issue.Errors, r.issue.FirstErr)
	}
	if msg := checkUnique(all); msg != "" {
		r.fail("ticket issue: %s", msg)
	}
	n, bad := replayCheck(ctx, p.base, setup.Kiosks, all, 100)
	r.replays = n
	if bad != "" {
		r.fail("idempotency: %s", bad)
	}
	r.peakRSS, _ = p.rssKB()

	// 6. kill -9 and restart on the full database: every answered ticket is there
	logf("phase 6: kill -9, restart, check %d tickets", len(all))
	p.kill()
	if p, err = startKioskd(ctx, bin, cfg, listen, 60*time.Second); err != nil {
		return err
	}
	r.crashReady = p.ready
	waiting, err := waitingTickets(ctx, p.base, setup.Admin.Token)
	if err != nil {
		return err
	}
	r.crashTickets = len(waiting)
	have := map[string]bool{}
	for _, id := range waiting {
		have[id] = true
	}
	for _, t := range all {
		if !have[t.ID] {
			r.lost++
		}
	}
	if r.lost > 0 {
		r.fail("%d of %d answered tickets missing after kill -9 and restart", r.lost, len(all))
	}

	// 7. top the queue of the calling windows up
	served := func(t issued) bool { return o.layout == "spread" || t.Zone == "A" }
	inQueue := 0
	for _, t := range all {
		if served(t) {
			inQueue++
		}
	}
	if need := o.callQueue - inQueue; need > 0 {
		logf("phase 7: top zone A up with %d tickets", need)
		r.topUp = issueLoad(ctx, p.base, setup.Kiosks, min(o.clients, need), time.Minute, need, func(int) (string, string) { return "", "A" })
		if r.topUp.Non201+r.topUp.Errors > 0 {
			r.fail("ticket issue (top-up): %d non-201, %d errors; first: %s", r.topUp.Non201, r.topUp.Errors, r.topUp.FirstErr)
		}
		all = append(all, r.topUp.Tickets...)
	}
	var queue []issued
	for _, t := range all {
		if served(t) {
			queue = append(queue, t)
		}
	}
	r.callWaiting = len(queue)

	// 8. one call to 1,000 displays, beside a bare gorilla/websocket broadcast
	logf("phase 8: %d displays", o.displays)
	var fanCalls []called
	screens, err := connectScreens(ctx, o.displays, func(i int) string {
		return "ws://" + listen + "/api/v1/events?token=" + setup.Displays[i%len(setup.Displays)].Token
	})
	if err != nil {
		return err
	}
	hc := newClient(1)
	w1 := setup.Windows[0]
	r.fan, err = fanout(ctx, screens, o.rounds, 100*time.Millisecond, func() (string, error) {
		t, err := callOnce(ctx, hc, p.base, w1)
		if err != nil {
			return "", err
		}
		if t == nil {
			return "", errors.New("window 1 found nobody waiting")
		}
		fanCalls = append(fanCalls, *t)
		return t.Number, nil
	})
	closeScreens(screens)
	if err != nil {
		return err
	}
	bh, err := startBareHub()
	if err != nil {
		return err
	}
	bscreens, err := connectScreens(ctx, o.displays, func(int) string { return "ws://" + bh.addr + "/ws" })
	if err != nil {
		bh.close()
		return err
	}
	r.fanBare, err = fanout(ctx, bscreens, o.rounds, 100*time.Millisecond, func() (string, error) {
		st, b, err := do(ctx, hc, "POST", "http://"+bh.addr+"/call", "", nil, nil)
		if err != nil || st != http.StatusOK {
			return "", fmt.Errorf("bare hub: %v %d", err, st)
		}
		var v struct{ Number string }
		_ = json.Unmarshal(b, &v)
		return v.Number, nil
	})
	closeScreens(bscreens)
	bh.close()
	if err != nil {
		return err
	}

	// 9. calls contested by every window
	logf("phase 9: %d windows call %d waiting tickets", o.windows, len(queue)-len(fanCalls))
	c0 = sampleCPU(p.cmd.Process.Pid)
	r.calls = callLoad(ctx, p.base, setup.Windows, o.callFor, len(queue)+o.windows*2)
	r.callCPU = shareBetween(c0, sampleCPU(p.cmd.Process.Pid))
	if r.calls.FirstErr != "" {
		r.fail("calls: %s", r.calls.FirstErr)
	}
	allCalls := append(append([]called(nil), fanCalls...), r.calls.Calls...)
	r.callsAll = len(allCalls)
	var msg string
	r.callDups, r.callMissing, msg = checkCalls(allCalls, queue, r.calls.Drained)
	if msg != "" {
		r.fail("calls: %s (%d duplicates, %d never called)", msg, r.callDups, r.callMissing)
	}
	if !r.calls.Drained {
		r.notes = append(r.notes, "The calls phase ended on its bound before the queue was empty: only duplicates were checked, not that every ticket was called.")
	}

	// 10. a clean restart on the full database
	logf("phase 10: clean restart")
	if err := p.stop(); err != nil {
		return err
	}
	if p, err = startKioskd(ctx, bin, cfg, listen, 60*time.Second); err != nil {
		return err
	}
	r.cleanReady = p.ready
	time.Sleep(500 * time.Millisecond)
	r.afterRSS, _ = p.rssKB()
	if err := p.stop(); err != nil {
		return err
	}
	// the same full database with the shipped catalog: the database's share
	// of the start without the 10,000 matters' pinyin
	cfgFull := filepath.Join(tmp, "full-shipped.toml")
	if err := os.WriteFile(cfgFull, []byte(setup.configTOML(listen, filepath.Join(tmp, "data"), "", zoneNames)), 0o600); err != nil {
		return err
	}
	if p, err = startKioskd(ctx, bin, cfgFull, listen, 60*time.Second); err != nil {
		return err
	}
	r.shippedFullReady = p.ready
	if err := p.stop(); err != nil {
		return err
	}

	// 11. the print job and the PDF thumbnail, in this process
	if !o.skipDevices {
		logf("phase 11: ticket print job, PDF thumbnails")
		if r.jobs, err = ticketJobs(def.Devices.Printer.Notices); err != nil {
			return err
		}
		doc, err := os.ReadFile(filepath.Join(root, "testdata", "materials", "two-pages.pdf"))
		if err != nil {
			return err
		}
		if r.thumbDoc, err = renderThumbs(ctx, doc, 3*time.Second); err != nil {
			return err
		}
		a4, err := scannedA4(ctx, 200)
		if err != nil {
			return err
		}
		if r.thumbA4, err = renderThumbs(ctx, a4, 3*time.Second); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func execOut(bin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := execCommand(ctx, bin, args...)
	return strings.TrimSpace(out), err
}

// fewRequests is what a hall does right after start: screens and terminals
// ask for the catalog, the queue and who they are.
func fewRequests(ctx context.Context, base string, s *hallSetup) error {
	c := newClient(1)
	defer c.CloseIdleConnections()
	for _, q := range []struct{ path, tok string }{
		{"/healthz", ""},
		{"/api/v1/me", s.Kiosks[0].Token},
		{"/api/v1/queue", s.Displays[0].Token},
		{"/api/v1/catalog?q=sfz", s.Kiosks[0].Token},
		{"/api/v1/catalog?q=%E7%A4%BE%E4%BC%9A%E4%BF%9D%E9%9A%9C%E5%8D%A1", s.Kiosks[0].Token},
		{"/api/v1/windows/1", s.Windows[0].Token},
	} {
		st, b, err := do(ctx, c, "GET", base+q.path, q.tok, nil, nil)
		if err != nil {
			return err
		}
		if st != http.StatusOK {
			return fmt.Errorf("GET %s: HTTP %d: %s", q.path, st, b)
		}
	}
	return nil
}

// searchQueries are what citizens type at a kiosk: pinyin initials, full
// pinyin, characters and a code.
var searchQueries = []string{"sfz", "yyzz", "hydj", "shebao", "bdcdj", "jiehun", "hukou", "营业执照", "社会保障卡", "不动产", "yibao", "HJ-SJ-0001", "jsz", "ylbx", "公积金"}

const broadQuery = "dj" // 登记: matches a large part of the catalog

func searchPhase(ctx context.Context, r *report, base string, s *hallSetup, catJSON []byte) error {
	cat, err := kiosk.ParseCatalog(catJSON, zoneIDs, nil)
	if err != nil {
		return fmt.Errorf("generated catalog: %w", err)
	}
	r.searchQuerys = searchQueries
	c := newClient(1)
	defer c.CloseIdleConnections()
	// one kiosk after another, as a hall's kiosks search: a terminal's own
	// rate limit is never what is measured
	tok := func(i int) string { return s.Kiosks[i%len(s.Kiosks)].Token }
	var hits, bytesN int
	start := time.Now()
	for i := 0; i < r.o.searches && time.Since(start) < 30*time.Second; i++ {
		q := searchQueries[i%len(searchQueries)]
		t0 := time.Now()
		st, b, err := do(ctx, c, "GET", base+"/api/v1/catalog?q="+urlQuery(q), tok(i), nil, nil)
		r.search = append(r.search, time.Since(t0))
		if err != nil {
			return err
		}
		if st != http.StatusOK {
			return fmt.Errorf("catalog search %q: HTTP %d", q, st)
		}
		bytesN += len(b)
		t1 := time.Now()
		ms, _ := cat.Search(q)
		r.searchIn = append(r.searchIn, time.Since(t1))
		hits += len(ms)
	}
	r.searchHits = float64(hits) / float64(len(r.search))
	r.searchBytes = float64(bytesN) / float64(len(r.search))
	for i := 0; i < 200 && time.Since(start) < 40*time.Second; i++ {
		t0 := time.Now()
		st, b, err := do(ctx, c, "GET", base+"/api/v1/catalog?q="+broadQuery, tok(i), nil, nil)
		r.broadSearch = append(r.broadSearch, time.Since(t0))
		if err != nil || st != http.StatusOK {
			return fmt.Errorf("catalog search %q: %v %d", broadQuery, err, st)
		}
		r.broadBytes = len(b)
	}
	ms, _ := cat.Search(broadQuery)
	r.broadHits = len(ms)
	for i := 0; i < r.o.searches && time.Since(start) < 60*time.Second; i++ {
		t0 := time.Now()
		st, _, err := do(ctx, c, "GET", base+"/healthz", "", nil, nil)
		r.health = append(r.health, time.Since(t0))
		if err != nil || st != http.StatusOK {
			return fmt.Errorf("healthz: %v %d", err, st)
		}
	}
	return nil
}

// waitingTickets lists the ids of every waiting ticket, as admin.
func waitingTickets(ctx context.Context, base, adminTok string) ([]string, error) {
	c := &http.Client{Timeout: 2 * time.Minute}
	st, b, err := do(ctx, c, "GET", base+"/api/v1/tickets", adminTok, nil, nil)
	if err != nil {
		return nil, err
	}
	if st != http.StatusOK {
		return nil, fmt.Errorf("GET /api/v1/tickets: HTTP %d: %.200s", st, b)
	}
	var v struct {
		Tickets []struct{ ID string } `json:"tickets"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	out := make([]string, len(v.Tickets))
	for i, t := range v.Tickets {
		out[i] = t.ID
	}
	return out, nil
}

func urlQuery(q string) string { return url.QueryEscape(q) }

func execCommand(ctx context.Context, bin string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	return string(out), err
}

// keptMarker starts the part of the report written by hand (what was
// profiled and changed, before and after): a new run keeps it.
const keptMarker = "<!-- written by hand below; cmd/loadgen keeps it -->"

// keptPart returns the hand-written part of an existing report, or "".
func keptPart(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if i := strings.Index(string(b), keptMarker); i >= 0 {
		return "\n" + string(b[i:])
	}
	return ""
}
