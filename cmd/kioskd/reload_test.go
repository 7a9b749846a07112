// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"yichuang/config"
)

// syncBuffer is a bytes.Buffer safe to write from a process's output
// copier while a test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitLong polls cond until it holds or 10 s pass (a saved file is seen
// within configPoll).
func waitLong(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// terminalsConfig is a served config with the given terminals lines.
func terminalsConfig(listen, dataDir, terminals string) string {
	// no rate limits: the tests poll with tokens that are not (yet) valid
	return fmt.Sprintf("listen = %q\ndata_dir = %q\nlog_level = \"info\"\nterminals = [\n%s]\n[devices.voice]\nengine = \"off\"\n[limits]\npublic_per_second = 0\nterminal_per_second = 0\n[hall]\nissue_outside_hours = true\n",
		listen, dataDir, terminals)
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	// through a rename, as editors save: the reader never sees half a file
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// startLogged runs kioskd serve with its log in a buffer and waits for
// base+/healthz through client.
func startLogged(t *testing.T, cfgPath, base string, client *http.Client) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	cmd := exec.Command(kioskdBin, "serve", "--config", cfgPath)
	cmd.Stdout = io.Discard
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("kioskd log:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := client.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return cmd, logs
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("kioskd did not come up:\n%s", logs.String())
	return nil, nil
}

// status asks base+path with a bearer token and returns the status code.
func status(t *testing.T, client *http.Client, base, path, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestReloadTerminals runs kioskd, rotates a token in its config file and
// sends SIGHUP: the old token stops at once, the new one works, the old
// token's WebSocket is closed; a bad file is refused and changes nothing;
// a saved file applies without a signal.
func TestReloadTerminals(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	base := "http://" + addr
	cfgPath := filepath.Join(dir, "kioskd.toml")
	data := filepath.Join(dir, "data")
	const (
		oldKiosk = "kiosk-token-0123456789"
		newKiosk = "kiosk-rotated-01234567"
		display  = "display-token-0123456"
	)
	writeFile(t, cfgPath, terminalsConfig(addr, data, fmt.Sprintf(
		"  { id = \"kiosk-1\", role = \"kiosk\", token = %q },\n  { id = \"display-1\", role = \"display\", token = %q },\n", oldKiosk, display)))
	cmd, logs := startLogged(t, cfgPath, base, http.DefaultClient)

	kioskWS, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/api/v1/events?token="+oldKiosk, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer kioskWS.Close()
	displayWS, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/api/v1/events?token="+display, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer displayWS.Close()

	// rotate kiosk-1 to a new token given by its hash
	writeFile(t, cfgPath, terminalsConfig(addr, data, fmt.Sprintf(
		"  { id = \"kiosk-1\", role = \"kiosk\", token_sha256 = %q },\n  { id = \"display-1\", role = \"display\", token = %q },\n",
		config.HashToken(newKiosk), display)))
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLong(t, "the new token", func() bool { return status(t, http.DefaultClient, base, "/api/v1/me", newKiosk) == 200 })
	if got := status(t, http.DefaultClient, base, "/api/v1/me", oldKiosk); got != 401 {
		t.Fatalf("the old token answered %d after the reload", got)
	}
	_ = kioskWS.SetReadDeadline(time.Now().Add(5 * time.Second))
	var ce *websocket.CloseError
	for {
		if _, _, err := kioskWS.ReadMessage(); err != nil {
			if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation {
				t.Fatalf("the old token's socket ended with %v, want a policy-violation close", err)
			}
			break
		}
	}
	// the log line follows the swap: it may come a moment after the new token works
	logged := func() bool {
		return strings.Contains(logs.String(), `"msg":"terminals reloaded","trigger":"SIGHUP"`) && strings.Contains(logs.String(), `"changed":["kiosk-1"]`)
	}
	for deadline := time.Now().Add(5 * time.Second); !logged() && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if !logged() {
		t.Fatalf("no reload log line:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), newKiosk) || strings.Contains(logs.String(), oldKiosk) {
		t.Fatal("a token is in the log")
	}

	// a bad file is refused; the new token keeps working
	writeFile(t, cfgPath, terminalsConfig(addr, data, "  { id = \"kiosk-1\", role = \"boss\", token = \"kiosk-boss-0123456789\" },\n"))
	_ = cmd.Process.Signal(syscall.SIGHUP)
	waitLong(t, "the refusal", func() bool { return strings.Contains(logs.String(), "config reload refused") })
	if !strings.Contains(logs.String(), "terminals[0].role") {
		t.Fatalf("the refusal does not name the key:\n%s", logs.String())
	}
	if got := status(t, http.DefaultClient, base, "/api/v1/me", newKiosk); got != 200 {
		t.Fatalf("after a refused reload the token answered %d", got)
	}

	// saved without a signal, with a change that needs a restart: the
	// terminals apply, the rest is logged
	writeFile(t, cfgPath, terminalsConfig(addr, data, fmt.Sprintf(
		"  { id = \"kiosk-1\", role = \"kiosk\", token = %q },\n", oldKiosk))+"[queue]\nmax_recalls = 5\n")
	waitLong(t, "the saved file", func() bool { return status(t, http.DefaultClient, base, "/api/v1/me", oldKiosk) == 200 })
	if got := status(t, http.DefaultClient, base, "/api/v1/me", newKiosk); got != 401 {
		t.Fatalf("the rotated-out token answered %d", got)
	}
	if got := status(t, http.DefaultClient, base, "/api/v1/me", display); got != 401 {
		t.Fatalf("the removed display answered %d", got)
	}
	_ = displayWS.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := displayWS.ReadMessage(); err != nil {
			break
		}
	}
	waitLong(t, "the restart note", func() bool {
		return strings.Contains(logs.String(), "take effect only after a restart") && strings.Contains(logs.String(), `"keys":["queue.max_recalls"]`)
	})
	// still alive
	if got := status(t, http.DefaultClient, base, "/healthz", ""); got != 200 {
		t.Fatalf("healthz %d", got)
	}
}

func TestRestartKeys(t *testing.T) {
	a, err := config.Parse([]byte(`terminals = [{ id = "kiosk-1", role = "kiosk", token = "kiosk-token-0123456789" }]`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, toml string
		want       []string
	}{
		{"terminals only", `terminals = [{ id = "kiosk-2", role = "kiosk", token = "kiosk-token-9876543210" }]
[devices]
terminal = "kiosk-2"`, []string{"devices.terminal"}},
		{"listen and a table", `terminals = [{ id = "kiosk-1", role = "kiosk", token = "kiosk-token-0123456789" }]
listen = "127.0.0.1:9999"
[queue]
max_recalls = 4`, []string{"listen", "public_url", "queue.max_recalls"}},
		{"the first kiosk changes", `terminals = [{ id = "kiosk-0", role = "kiosk", token = "kiosk-token-0123456789" }]`, []string{"devices.terminal"}},
		{"nothing", `terminals = [{ id = "kiosk-1", role = "kiosk", token = "kiosk-token-0123456789" }]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := config.Parse([]byte(tt.toml))
			if err != nil {
				t.Fatal(err)
			}
			if got := restartKeys(a, b); !slices.Equal(got, tt.want) {
				t.Fatalf("restartKeys = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDiffTerminals(t *testing.T) {
	k := config.Terminal{ID: "k", Role: "kiosk", Token: "kiosk-token-0123456789"}
	w := config.Terminal{ID: "w", Role: "window", Window: 1, Token: "window-token-012345678"}
	d := config.Terminal{ID: "d", Role: "display", Token: "display-token-01234567"}
	kHashed := k
	kHashed.Token, kHashed.TokenSHA256 = "", config.HashToken(k.Token)
	w2 := w
	w2.Window = 2
	added, removed, changed := diffTerminals([]config.Terminal{k, w, d}, []config.Terminal{kHashed, w2, {ID: "n", Role: "guide", Token: "guide-token-0123456789"}})
	if !slices.Equal(added, []string{"n"}) || !slices.Equal(removed, []string{"d"}) || !slices.Equal(changed, []string{"w"}) {
		t.Fatalf("added %v removed %v changed %v", added, removed, changed)
	}
}

// TestReloaderRefuses runs reload on files in turn with a fake table.
func TestReloaderRefuses(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.toml")
	running, err := config.Parse([]byte(`terminals = [{ id = "kiosk-1", role = "kiosk", token = "kiosk-token-0123456789" }]`))
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	var sets [][]config.Terminal
	r := &reloader{path: path, running: running, current: running.Terminals, log: slog.New(slog.NewTextHandler(&logs, nil)),
		set: func(ts []config.Terminal) error { sets = append(sets, ts); return nil }}
	tests := []struct {
		name, file, wantLog string
		applied             bool
	}{
		{"syntax", "terminals = [", "config reload refused", false},
		{"unknown key", "colour = 1\n", "colour: unknown key", false},
		{"no terminals", "", "it lists no terminals", false},
		{"good", `terminals = [{ id = "kiosk-1", role = "kiosk", token = "kiosk-token-9999999999" }]`, "terminals reloaded", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(sets)
			writeFile(t, path, tt.file)
			r.reload("test")
			if applied := len(sets) > n; applied != tt.applied {
				t.Fatalf("applied = %v, want %v", applied, tt.applied)
			}
			if !strings.Contains(logs.String(), tt.wantLog) {
				t.Fatalf("log lacks %q:\n%s", tt.wantLog, logs.String())
			}
		})
	}
	// a missing file is refused too
	os.Remove(path)
	r.reload("test")
	if !strings.Contains(logs.String(), "no such file") {
		t.Fatalf("log: %s", logs.String())
	}
	// a hall on development tokens keeps them while the file lists none
	dev := *running
	dev.DevTokens = true
	r = &reloader{path: path, running: &dev, current: dev.Terminals, log: r.log, set: r.set}
	n := len(sets)
	writeFile(t, path, "[queue]\nmax_recalls = 3\n")
	r.reload("test")
	if len(sets) != n || !strings.Contains(logs.String(), "the development tokens stay") {
		t.Fatalf("dev tokens: %d sets, log:\n%s", len(sets)-n, logs.String())
	}
	if strings.Contains(logs.String(), "devices.terminal") {
		t.Fatalf("an empty list reported devices.terminal:\n%s", logs.String())
	}
}
