// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"yichuang/devices/sim/displaysim"
	"yichuang/devices/sim/idcardsim"
)

var kioskdBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kioskd-test")
	if err != nil {
		panic(err)
	}
	kioskdBin = filepath.Join(dir, "kioskd")
	out, err := exec.Command("go", "build", "-race", "-o", kioskdBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build kioskd: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	tokKiosk = "kiosk-token-0123456789"
	tokAdmin = "admin-token-0123456789"
	tokWin   = "window1-token-01234567"
)

func writeConfig(t *testing.T, dir, listen string) string {
	t.Helper()
	path := filepath.Join(dir, "kioskd.toml")
	cfg := fmt.Sprintf(`listen = %q
data_dir = %q
log_level = "warn"
terminals = [
  { id = "kiosk-1", role = "kiosk", token = %q },
  { id = "admin", role = "admin", token = %q },
  { id = "window-1", role = "window", window = 1, token = %q },
]
[queue]
daily_cap_per_id = 0
anonymous_per_minute = 0
[hall]
issue_outside_hours = true
[limits]
terminal_per_second = 0
`, listen, filepath.Join(dir, "data"), tokKiosk, tokAdmin, tokWin)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type proc struct {
	cmd  *exec.Cmd
	addr string
}

// start runs kioskd serve and waits for /healthz.
func start(t *testing.T, cfgPath, addr string) *proc {
	t.Helper()
	cmd := exec.Command(kioskdBin, "serve", "--config", cfgPath)
	cmd.Stdout = io.Discard
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, addr: addr}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("kioskd did not come up")
	return nil
}

func (p *proc) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	_ = p.cmd.Process.Signal(sig)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("kioskd did not stop")
	}
}

func request(addr, method, path, token, body string) (int, map[string]any, error) {
	req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var m map[string]any
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, nil, err
	}
	_ = json.Unmarshal(b, &m)
	return res.StatusCode, m, nil
}

func TestConfigErrorsExitNonZero(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ toml, want string }{
		{"colour = \"red\"\n", "colour: unknown key"},
		{"[queue]\nmax_recalls = -1\n", "queue.max_recalls"},
		{"[[zones]]\nid = \"A\"\nname = \"a\"\nwindows = [1]\n[[zones]]\nid = \"B\"\nname = \"b\"\nwindows = [1]\n", "window 1 is in zone A and zone B"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, "bad.toml")
		os.WriteFile(path, []byte(tt.toml), 0o600)
		for _, args := range [][]string{{"serve", "--config", path}, {"serve", "--config", path, "--check"}} {
			out, err := exec.Command(kioskdBin, args...).CombinedOutput()
			if err == nil {
				t.Fatalf("%v exited 0 on %q", args, tt.toml)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Fatalf("%v said %q, want one line with %q", args, out, tt.want)
			}
		}
	}
	good := writeConfig(t, dir, freeAddr(t))
	if out, err := exec.Command(kioskdBin, "serve", "--config", good, "--check").CombinedOutput(); err != nil || !strings.Contains(string(out), "config ok") {
		t.Fatalf("--check on a good config: %v %s", err, out)
	}
	if out, err := exec.Command(kioskdBin, "version").CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "kioskd ") {
		t.Fatalf("version: %v %s", err, out)
	}
}

func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := writeConfig(t, t.TempDir(), ln.Addr().String())
	out, err := exec.Command(kioskdBin, "serve", "--config", cfg).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "already in use") {
		t.Fatalf("port in use: %v %s", err, out)
	}
}

// TestRestart: state survives a graceful restart and numbering continues.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := writeConfig(t, dir, addr)
	p := start(t, cfg, addr)
	var ids []string
	for i := 0; i < 3; i++ {
		code, m, err := request(addr, "POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`)
		if err != nil || code != 201 {
			t.Fatal(code, err)
		}
		ids = append(ids, m["id"].(string))
	}
	if code, _, _ := request(addr, "POST", "/api/v1/windows/1/call", tokWin, ""); code != 200 {
		t.Fatal(code)
	}
	p.stop(t, syscall.SIGTERM)
	if p.cmd.ProcessState.ExitCode() != 0 {
		t.Fatalf("SIGTERM exit code %d", p.cmd.ProcessState.ExitCode())
	}
	start(t, cfg, addr)
	code, m, _ := request(addr, "GET", "/api/v1/tickets/"+ids[0], tokAdmin, "")
	if code != 200 || m["status"] != "called" || m["window"] != float64(1) {
		t.Fatalf("after restart: %d %v", code, m)
	}
	_, m, _ = request(addr, "POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`)
	if m["number"] != "A004" {
		t.Fatalf("numbering after restart: %v", m["number"])
	}
	_, m, _ = request(addr, "POST", "/api/v1/windows/1/call", tokWin, "")
	if tk := m["ticket"].(map[string]any); tk["number"] != "A002" {
		t.Fatalf("call after restart: %v", tk["number"])
	}
}

// TestCrash kills kioskd with SIGKILL while kiosks issue tickets: every
// ticket answered with 201 is there after the restart, and no number is
// handed out twice.
func TestCrash(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := writeConfig(t, dir, addr)
	for round := 0; round < 3; round++ {
		p := start(t, cfg, addr)
		var mu sync.Mutex
		answered := map[string]string{} // id → number
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for k := 0; k < 8; k++ {
			wg.Add(1)
			go func(k int) {
				defer wg.Done()
				zones := []string{"A", "B", "C"}
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					code, m, err := request(addr, "POST", "/api/v1/tickets", tokKiosk, fmt.Sprintf(`{"zone":%q}`, zones[(k+i)%3]))
					if err != nil || code != 201 {
						continue // the process died mid-request: nothing was promised
					}
					mu.Lock()
					answered[m["id"].(string)] = m["number"].(string)
					mu.Unlock()
				}
			}(k)
		}
		time.Sleep(time.Duration(300+200*round) * time.Millisecond)
		p.stop(t, syscall.SIGKILL)
		close(stop)
		wg.Wait()
		if len(answered) == 0 {
			t.Fatal("no ticket was issued before the kill")
		}
		p2 := start(t, cfg, addr)
		seen := map[string]string{}
		for id, number := range answered {
			code, m, err := request(addr, "GET", "/api/v1/tickets/"+id, tokAdmin, "")
			if err != nil || code != 200 || m["number"] != number {
				t.Fatalf("round %d: ticket %s (%s) answered 201 before the kill is lost: %d %v %v", round, id, number, code, m, err)
			}
			if other, dup := seen[number]; dup {
				t.Fatalf("number %s handed out twice (%s, %s)", number, other, id)
			}
			seen[number] = id
		}
		// the next ticket continues after every number handed out
		_, m, _ := request(addr, "POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`)
		if _, dup := seen[m["number"].(string)]; dup {
			t.Fatalf("after the crash, %s was handed out again", m["number"])
		}
		t.Logf("round %d: %d tickets answered before SIGKILL, all present after restart", round, len(answered))
		p2.stop(t, syscall.SIGTERM)
	}
}

func TestPrintTestToFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "printer.bin")
	cfg := filepath.Join(dir, "k.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("[devices.printer]\nuri = \"file://%s\"\nwidth_mm = 58\n", out)), 0o600)
	res, err := exec.Command(kioskdBin, "print-test", "--config", cfg).CombinedOutput()
	if err != nil {
		t.Fatalf("print-test: %v %s", err, res)
	}
	job, err := os.ReadFile(out)
	if err != nil || len(job) < 100 || job[0] != 0x1b || job[1] != '@' {
		t.Fatalf("printed file: %d bytes, %v", len(job), err)
	}
	os.WriteFile(cfg, []byte("[devices.printer]\nuri = \"lpt://x\"\n"), 0o600)
	if res, err := exec.Command(kioskdBin, "print-test", "--config", cfg).CombinedOutput(); err == nil || !strings.Contains(string(res), "devices.printer.uri") {
		t.Fatalf("bad uri: %v %s", err, res)
	}
}

// TestCardReadEvent: a card placed on the simulated reader (served on a
// pseudo-terminal, read through the real driver and serial stack) reaches
// the kiosk as card.read within a second, with the full number for that
// kiosk alone; lifting it sends card.removed.
func TestCardReadEvent(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := writeConfig(t, dir, addr)
	start(t, cfg, addr)
	dialWS := func(token string) *websocket.Conn {
		c, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/api/v1/events?token="+token, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	kioskWS := dialWS(tokKiosk)
	windowWS := dialWS(tokWin)
	next := func(c *websocket.Conn, typ string, within time.Duration) map[string]any {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			_ = c.SetReadDeadline(deadline)
			var m map[string]any
			if err := c.ReadJSON(&m); err != nil {
				t.Fatalf("waiting for %s: %v", typ, err)
			}
			if m["type"] == typ {
				return m
			}
			if c != kioskWS && strings.HasPrefix(m["type"].(string), "card.") {
				t.Fatalf("a terminal other than the reader's got %v", m)
			}
		}
	}
	placed := time.Now()
	if code, _, err := request(addr, "POST", "/api/v1/sim/idcard", tokKiosk, `{"card":"resident"}`); err != nil || code != 204 {
		t.Fatal(code, err)
	}
	m := next(kioskWS, "card.read", time.Second)
	t.Logf("card.read %v after the card was placed", time.Since(placed))
	if m["name"] != "刘*" || m["id_number"] == nil || m["card_type"] != "resident" || m["valid"] != true ||
		!strings.Contains(m["id_number_masked"].(string), "****") {
		t.Fatalf("card.read = %v", m)
	}
	if code, _, _ := request(addr, "POST", "/api/v1/sim/idcard", tokKiosk, `{"card":""}`); code != 204 {
		t.Fatal(code)
	}
	next(kioskWS, "card.removed", 3*time.Second)
	// the window terminal never saw the card: it reads on to the next ticket without a card event
	request(addr, "POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`)
	next(windowWS, "ticket.issued", 3*time.Second)
	if code, _, _ := request(addr, "POST", "/api/v1/sim/idcard", tokKiosk, `{"card":"martian"}`); code != 400 {
		t.Fatal(code)
	}
	_, _, metrics := get(t, addr, "/metrics", "")
	for _, want := range []string{`kioskd_device_state{device="idcard",state="ok"} 1`, `kioskd_device_state{device="printer",state="ok"} 1`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestSimIDCardCommand(t *testing.T) {
	cmd := exec.Command(kioskdBin, "sim", "idcard")
	cmd.Stdin = strings.NewReader("place permit\nremove\nplace martian\n")
	var out strings.Builder
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	s := out.String()
	if !strings.Contains(s, `port = "/dev/pts/`) || strings.Count(s, "ok\n") != 2 || !strings.Contains(s, `unknown sample card "martian"`) {
		t.Fatalf("sim idcard said:\n%s", s)
	}
}

func upload(t *testing.T, addr, token, file, ctype string) (int, map[string]any) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "materials", file))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/materials", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

func get(t *testing.T, addr, path, token string) (int, string, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), b
}

// TestMaterialsPath: a citizen scans three pages at the kiosk (simulated
// scanner), uploads a photo, takes a ticket with them; the window that calls
// the ticket sees the pages rendered; bad files are refused and stored nowhere.
func TestMaterialsPath(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := writeConfig(t, dir, addr)
	// a second window to check access
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(b), "]\n[queue]", "  { id = \"window-2\", role = \"window\", window = 2, token = \"window2-token-01234567\" },\n]\n[queue]", 1)), 0o600)
	start(t, cfg, addr)
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/api/v1/events?token="+tokKiosk, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()

	code, scan, err := request(addr, "POST", "/api/v1/scans", tokKiosk, `{"pages":0}`)
	if err != nil || code != 201 || scan["pages"] != float64(3) {
		t.Fatalf("scan: %d %v %v", code, scan, err)
	}
	var pagesSeen []float64
	for done := false; !done; {
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		var m map[string]any
		if err := ws.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		switch m["type"] {
		case "scan.page":
			pagesSeen = append(pagesSeen, m["page"].(float64))
		case "scan.done":
			done = true
		}
	}
	if len(pagesSeen) != 3 || pagesSeen[2] != 3 {
		t.Fatalf("scan.page events: %v", pagesSeen)
	}
	code, photo := upload(t, addr, tokKiosk, "photo.jpg", "image/jpeg")
	if code != 201 || photo["pages"] != float64(1) {
		t.Fatalf("photo: %d %v", code, photo)
	}
	for _, bad := range []struct {
		file, ctype string
		status      int
	}{
		{"encrypted.pdf", "application/pdf", 422},
		{"truncated.pdf", "application/pdf", 422},
		{"zero-bytes.pdf", "application/pdf", 422},
		{"negative-count.pdf", "application/pdf", 422},
		{"png-as-pdf.pdf", "application/pdf", 415},
		{"notes.txt", "text/plain", 415},
		{"good.pdf", "", 415},
	} {
		if code, m := upload(t, addr, tokKiosk, bad.file, bad.ctype); code != bad.status || m["error"] == nil {
			t.Errorf("%s: %d %v, want %d", bad.file, code, m, bad.status)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "data", "materials", "*"))
	if len(files) != 2 {
		t.Fatalf("%d material files after 2 good and 7 bad uploads", len(files))
	}
	// kioskd is still alive after the crafted PDF
	if code, _, _ := request(addr, "GET", "/healthz", "", ""); code != 200 {
		t.Fatal("kioskd died on a crafted PDF")
	}
	sub := fmt.Sprintf(`{"matter":"HJ-SJ-0001","submission":{"applicant":{"id_number":"11010519491231002X","name":"张三丰"},"materials":[%q,%q],"delivery":{"mode":"pickup"}}}`,
		scan["material_id"], photo["material_id"])
	if code, m, _ := request(addr, "POST", "/api/v1/tickets", tokKiosk, sub); code != 201 {
		t.Fatalf("ticket: %d %v", code, m)
	}
	id := scan["material_id"].(string)
	// before the call, window 1 may not see the pages
	if code, _, _ := get(t, addr, "/api/v1/materials/"+id+".pdf", tokWin); code != 403 {
		t.Fatalf("window before the call: %d", code)
	}
	if code, _, _ := request(addr, "POST", "/api/v1/windows/1/call", tokWin, ""); code != 200 {
		t.Fatal(code)
	}
	code, ctype, doc := get(t, addr, "/api/v1/materials/"+id+".pdf", tokWin)
	if code != 200 || ctype != "application/pdf" || !strings.HasPrefix(string(doc), "%PDF") {
		t.Fatalf("pdf: %d %s", code, ctype)
	}
	for page := 1; page <= 3; page++ {
		code, ctype, png := get(t, addr, fmt.Sprintf("/api/v1/materials/%s/pages/%d.png?size=thumb", id, page), tokWin)
		if code != 200 || ctype != "image/png" || len(png) < 100 || string(png[1:4]) != "PNG" {
			t.Fatalf("page %d: %d %s %d bytes", page, code, ctype, len(png))
		}
	}
	if code, _, _ := get(t, addr, "/api/v1/materials/"+id+"/pages/4.png", tokWin); code != 404 {
		t.Fatalf("page 4 of 3: %d", code)
	}
	if code, _, _ := get(t, addr, "/api/v1/materials/"+id+".pdf", "window2-token-01234567"); code != 403 {
		t.Fatalf("another window: %d", code)
	}
	if code, _, _ := get(t, addr, "/api/v1/materials/..%2F..%2Fkioskd.db.pdf", tokAdmin); code != 404 {
		t.Fatalf("path traversal: %d", code)
	}
	if code, _, _ := get(t, addr, "/api/v1/materials/"+id+".pdf", tokAdmin); code != 200 {
		t.Fatalf("admin: %d", code)
	}
}

// TestCallShownAndSpoken: a window's call appears on its LED strip (a
// simulated framed screen on a pty) and is spoken: the display gets
// voice.ready with a WAV made by espeak-ng.
func TestCallShownAndSpoken(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must have espeak-ng (make deps installs it)")
		}
		t.Skip("espeak-ng is not installed (apt-get install espeak-ng)")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	led, err := displaysim.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = led.Run(ctx) }()
	defer led.Close()
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := writeConfig(t, dir, addr)
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, append(b, []byte(fmt.Sprintf("[[devices.led]]\nport = %q\nformat = \"framed\"\naddress = 7\nwidth = 20\nwindow = 1\n", led.Path()))...), 0o600)
	start(t, cfg, addr)
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/api/v1/events?token="+tokAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	request(addr, "POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`)
	if code, _, _ := request(addr, "POST", "/api/v1/windows/1/call", tokWin, ""); code != 200 {
		t.Fatal(code)
	}
	var audio string
	for audio == "" {
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		var m map[string]any
		if err := ws.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		if m["type"] == "voice.ready" {
			if m["number"] != "A001" || m["window"] != float64(1) || !strings.Contains(m["text"].(string), "A零零一号") {
				t.Fatalf("voice.ready = %v", m)
			}
			audio, _ = m["audio"].(string)
			if audio == "" {
				t.Fatalf("no audio: %v", m)
			}
		}
	}
	code, ctype, wav := get(t, addr, audio, tokKiosk)
	if code != 200 || ctype != "audio/wav" || string(wav[:4]) != "RIFF" || string(wav[8:12]) != "WAVE" || len(wav) < 20000 {
		t.Fatalf("audio: %d %s %d bytes", code, ctype, len(wav))
	}
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	if err := led.Wait(wctx, 1); err != nil {
		t.Fatal(err)
	}
	if shown, _ := led.Shown(7); shown != "A001 请到1号窗口" {
		t.Fatalf("LED shows %q", shown)
	}
}

// TestDoctor: the doctor asks each real device who it is (here the
// simulators, through the real drivers) and says what is wrong, in words.
func TestDoctor(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reader, err := idcardsim.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = reader.Run(ctx) }()
	defer reader.Close()
	printer := startPrinterSim(t, ctx)
	printer.SetPaperOut(true)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "k.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`data_dir = %q
[devices.idcard]
port = %q
[devices.printer]
uri = %q
[devices.voice]
engine = "off"
[upstream]
url = "http://127.0.0.1:1"
token = "x"
`, filepath.Join(dir, "data"), reader.Path(), printer.URI())), 0o600)
	out, err := exec.Command(kioskdBin, "doctor", "--config", cfg).CombinedOutput()
	s := string(out)
	if err == nil {
		t.Fatalf("doctor passed with no paper and no upstream:\n%s", s)
	}
	for _, want := range []string{"✓ idcard     SAM ", "✗ printer", "paper", "✗ upstream", "cannot be reached", "✓ data_dir", "✓ clock"} {
		if !strings.Contains(s, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, s)
		}
	}
}

// TestPlatformHandOff: an accepted case and a rating reach the city's
// platform folder as JSON files, also across a restart.
func TestPlatformHandOff(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := writeConfig(t, dir, addr)
	out := filepath.Join(dir, "platform")
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, append(b, []byte(fmt.Sprintf("[platform]\ndir = %q\n", out))...), 0o600)
	p := start(t, cfg, addr)
	_, issued, _ := request(addr, "POST", "/api/v1/tickets", tokKiosk, `{"matter":"HJ-SJ-0001"}`)
	statusURL, _ := issued["status_url"].(string)
	statusKey := statusURL[strings.Index(statusURL, "token=")+len("token="):]
	request(addr, "POST", "/api/v1/windows/1/call", tokWin, "")
	if code, _, _ := request(addr, "POST", "/api/v1/windows/1/finish", tokWin, `{"result":"accepted"}`); code != 200 {
		t.Fatal(code)
	}
	waitFor(t, "the case file", func() bool { fs, _ := filepath.Glob(filepath.Join(out, "*.json")); return len(fs) == 1 })
	p.stop(t, syscall.SIGTERM)
	start(t, cfg, addr)
	// rate the service after the restart: the hand-off goes on from its cursor
	_, list, _ := request(addr, "GET", "/api/v1/cases", tokAdmin, "")
	ticket := list["cases"].([]any)[0].(map[string]any)["ticket"].(string)
	// the citizen rates, with the status link's key (a window may not)
	if code, _, _ := request(addr, "POST", "/api/v1/tickets/"+ticket+"/rating", statusKey, `{"level":5}`); code != 201 {
		t.Fatal(code)
	}
	waitFor(t, "the rating file", func() bool { fs, _ := filepath.Glob(filepath.Join(out, "*.json")); return len(fs) == 2 })
	fs, _ := filepath.Glob(filepath.Join(out, "*.json"))
	doc, _ := os.ReadFile(fs[1])
	if !strings.Contains(string(doc), `"type":"rating.recorded"`) || !strings.Contains(string(doc), `"hall":"350303"`) {
		t.Fatalf("rating doc %s", doc)
	}
}

// TestUploadLimitFromConfig: the size limit of an upload is the config's.
func TestUploadLimitFromConfig(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := writeConfig(t, dir, addr)
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, append(b, []byte("[materials]\nmax_bytes = 2048\nmax_pages = 200\n")...), 0o600)
	start(t, cfg, addr)
	if code, m := upload(t, addr, tokKiosk, "photo.jpg", "image/jpeg"); code != 413 {
		t.Fatalf("a %s over the configured 2 KiB: %d %v", "photo", code, m)
	}
}

func TestPackagesFileChecked(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "packages.csv")
	cfg := filepath.Join(dir, "k.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("[catalog]\npackages_file = %q\n", csvPath)), 0o600)
	os.WriteFile(csvPath, []byte("code,name,matters\nP1,开办企业一件事,HJ-SJ-0001;HJ-RS-0001\n"), 0o600)
	if out, err := exec.Command(kioskdBin, "serve", "--config", cfg, "--check").CombinedOutput(); err != nil {
		t.Fatalf("a good packages file: %v %s", err, out)
	}
	os.WriteFile(csvPath, []byte("code,name,matters\nP1,开办企业一件事,NOPE\n"), 0o600)
	out, err := exec.Command(kioskdBin, "serve", "--config", cfg, "--check").CombinedOutput()
	if err == nil || !strings.Contains(string(out), `unknown matter "NOPE"`) || strings.Count(strings.TrimSpace(string(out)), "\n") != 0 {
		t.Fatalf("a bad packages file: %v %s", err, out)
	}
}
