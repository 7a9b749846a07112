// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// clockConfig is a drill hall (or a production one) whose tickets are
// issued at any hour, so a ticket waits before midnight.
func clockConfig(t *testing.T, dir, addr, mode string, outside bool) string {
	t.Helper()
	path := filepath.Join(dir, "kioskd.toml")
	cfg := fmt.Sprintf(`listen = %q
data_dir = %q
log_level = "warn"
mode = %q
terminals = [
  { id = "kiosk-1", role = "kiosk", token = %q },
  { id = "admin", role = "admin", token = %q },
  { id = "window-1", role = "window", window = 1, token = %q },
]
[hall]
issue_outside_hours = %v
[devices.voice]
engine = "off"
`, addr, filepath.Join(dir, "data"), mode, tokKiosk, tokAdmin, tokWin, outside)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestClockRefusedInProduction: a production node does not start on a
// chosen clock; it says why in one line.
func TestClockRefusedInProduction(t *testing.T) {
	dir := t.TempDir()
	cfg := clockConfig(t, dir, freeAddr(t), "production", false)
	for _, v := range []string{"2026-12-08T23:59:30+08:00", "yesterday"} {
		cmd := exec.Command(kioskdBin, "serve", "--config", cfg)
		cmd.Env = append(os.Environ(), "KIOSKD_CLOCK="+v)
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("KIOSKD_CLOCK=%s: kioskd started in production mode", v)
		}
		if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "KIOSKD_CLOCK") ||
			!strings.Contains(lines[0], "production") {
			t.Fatalf("KIOSKD_CLOCK=%s: %q, want one line naming KIOSKD_CLOCK and production mode", v, out)
		}
	}
	// a drill with a clock that is not a time: refused too
	dcfg := clockConfig(t, t.TempDir(), freeAddr(t), "drill", false)
	cmd := exec.Command(kioskdBin, "serve", "--config", dcfg)
	cmd.Env = append(os.Environ(), "KIOSKD_CLOCK=tomorrow at nine")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "RFC 3339") {
		t.Fatalf("a bad clock: %v, %q", err, out)
	}
}

// TestMidnightOnAChosenClock: class 9 of issue #17 with a real kioskd
// started at 23:59:50 of the hall's day. A ticket issued before midnight
// waits; from the first moment after midnight it is expired everywhere
// (queue, window call, its status) and numbering restarts; a hall with
// the default hours refuses tickets at that time, in words.
func TestMidnightOnAChosenClock(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	cmd := exec.Command(kioskdBin, "serve", "--config", clockConfig(t, dir, addr, "drill", true))
	cmd.Env = append(os.Environ(), "KIOSKD_CLOCK=2026-12-08T23:59:50+08:00")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitHealthy(t, addr)

	if code, body := keyed(t, addr, "night-1", `{"zone":"A"}`); code != 201 || !strings.Contains(body, `"A001"`) {
		t.Fatalf("before midnight: %d %s", code, body)
	}
	code, m, err := request(addr, "POST", "/api/v1/tickets", tokKiosk, `{"zone":"A","id_number":"11010519491231002X"}`)
	if err != nil || code != 201 || m["number"] != "A002" || !strings.HasPrefix(fmt.Sprint(m["issued_at"]), "2026-12-08T23:59:") {
		t.Fatalf("before midnight: %d %v %v", code, m, err)
	}
	asked := time.Now()
	late := m["id"].(string)
	issued, err := time.Parse(time.RFC3339Nano, fmt.Sprint(m["issued_at"]))
	if err != nil {
		t.Fatal(err)
	}
	if code, q, _ := request(addr, "GET", "/api/v1/queue", tokAdmin, ""); code != 200 || fmt.Sprint(waitingIn(q, "A")) != "2" {
		t.Fatalf("queue before midnight: %d %v", code, q)
	}
	// just after the hall's midnight, by the hall's own clock
	midnight := time.Date(2026, 12, 9, 0, 0, 0, 0, issued.Location())
	time.Sleep(time.Until(asked.Add(midnight.Sub(issued) + 200*time.Millisecond)))
	if code, q, _ := request(addr, "GET", "/api/v1/queue", tokAdmin, ""); code != 200 || fmt.Sprint(waitingIn(q, "A")) != "0" {
		t.Fatalf("queue after midnight: %d %v, want nobody waiting in A", code, q)
	}
	if code, body, _ := request(addr, "POST", "/api/v1/windows/1/call", tokWin, ""); code != 204 {
		t.Fatalf("window 1 called after midnight: %d %v, want 204", code, body)
	}
	if code, tk, _ := request(addr, "GET", "/api/v1/tickets/"+late, tokAdmin, ""); code != 200 || tk["status"] != "expired" {
		t.Fatalf("yesterday's ticket after midnight: %d %v, want expired", code, tk)
	}
	// the kiosk's retry of yesterday's request under its key: not yesterday's ticket
	if code, body := keyed(t, addr, "night-1", `{"zone":"A"}`); code != 422 || !strings.Contains(body, "Idempotency-Key") {
		t.Fatalf("yesterday's key after midnight: %d %s, want 422 on Idempotency-Key", code, body)
	}
	code, m, err = request(addr, "POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`)
	if err != nil || code != 201 || m["number"] != "A001" || !strings.HasPrefix(fmt.Sprint(m["issued_at"]), "2026-12-09T00:00:0") ||
		fmt.Sprint(m["waiting_ahead"]) != "0" {
		t.Fatalf("first ticket of the new day: %d %v %v", code, m, err)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()

	// the same moment with the default hours: no ticket, in words
	dir2 := t.TempDir()
	addr2 := freeAddr(t)
	cmd2 := exec.Command(kioskdBin, "serve", "--config", clockConfig(t, dir2, addr2, "drill", false))
	cmd2.Env = append(os.Environ(), "KIOSKD_CLOCK=2026-12-08T23:59:30+08:00")
	cmd2.Stderr = os.Stderr
	if err := cmd2.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd2.Process.Kill(); _ = cmd2.Wait() })
	waitHealthy(t, addr2)
	code, m, _ = request(addr2, "POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`)
	if code != 409 || !strings.Contains(fmt.Sprint(m["error"]), "今日已停止取号") {
		t.Fatalf("after closing: %d %v, want 409 今日已停止取号", code, m)
	}
}

// keyed issues a ticket under an Idempotency-Key and returns the answer.
func keyed(t *testing.T, addr, key, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/tickets", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tokKiosk)
	req.Header.Set("Idempotency-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func waitingIn(q map[string]any, zone string) any {
	w, _ := q["waiting"].(map[string]any)
	return w[zone]
}

func waitHealthy(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if code, _, err := request(addr, "GET", "/healthz", "", ""); err == nil && code == 200 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("kioskd did not come up")
}
