// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// smallDisk mounts a tmpfs of size bytes at a new folder, or skips the test
// where this machine may not mount one.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("no small filesystem for this test: mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file in dir until the filesystem has no room left.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	// the last few blocks too
	for _, n := range []int{4096, 512, 1} {
		for {
			if _, err := f.Write(buf[:n]); err != nil {
				break
			}
		}
	}
	return path
}

func healthz(t *testing.T, addr string) map[string]any {
	t.Helper()
	st, m, err := request(addr, "GET", "/healthz", "", "")
	if err != nil || st != http.StatusOK {
		t.Fatalf("healthz: %d %v", st, err)
	}
	return m
}

// TestDiskFull is issue #17 class 8 on a real small filesystem: a kioskd
// whose data_dir is a 24 MB tmpfs issues tickets until the disk is filled;
// then every write is answered 507 in words and nothing is half-written,
// /healthz (still 200) says "degraded" with a disk entry saying why; once
// the space is freed, healthz goes back to ok and tickets are issued again
// without a restart; and after a restart every ticket answered 201 is there.
func TestDiskFull(t *testing.T) {
	disk := smallDisk(t, "24m")
	addr := freeAddr(t)
	cfgDir := t.TempDir()
	cfg := writeConfig(t, cfgDir, addr)
	// data_dir on the small disk
	b, _ := os.ReadFile(cfg)
	b = bytes.Replace(b, []byte(filepath.Join(cfgDir, "data")), []byte(filepath.Join(disk, "data")), 1)
	os.WriteFile(cfg, b, 0o600)
	p := start(t, cfg, addr)

	var issued []string
	issue := func() (int, map[string]any) {
		st, m, err := request(p.addr, "POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`)
		if err != nil {
			t.Fatal(err)
		}
		if st == http.StatusCreated {
			issued = append(issued, m["id"].(string))
		}
		return st, m
	}
	for range 5 {
		if st, m := issue(); st != http.StatusCreated {
			t.Fatalf("before the disk is full: %d %v", st, m)
		}
	}
	if h := healthz(t, p.addr); h["status"] != "ok" {
		t.Fatalf("healthz before: %v", h)
	}

	filler := fill(t, disk)
	var refused map[string]any
	for i := 0; i < 5000 && refused == nil; i++ {
		switch st, m := issue(); st {
		case http.StatusCreated:
		case http.StatusInsufficientStorage:
			refused = m
		default:
			t.Fatalf("ticket %d on a full disk: %d %v", i, st, m)
		}
	}
	if refused == nil {
		t.Fatal("5000 tickets issued on a full disk and none refused")
	}
	t.Logf("the disk filled after %d tickets; then: %v", len(issued), refused)
	if msg, _ := refused["error"].(string); !strings.Contains(msg, "磁盘已满") || !strings.Contains(msg, "nothing was saved") {
		t.Fatalf("the refusal does not say why in words: %v", refused)
	}
	// it stays refused, and says so, while the disk is full
	for range 3 {
		if st, m := issue(); st != http.StatusInsufficientStorage {
			t.Fatalf("a ticket on a full disk: %d %v", st, m)
		}
	}
	req, _ := http.NewRequest("POST", "http://"+p.addr+"/api/v1/materials", bytes.NewReader(bytes.Repeat([]byte("%PDF-1.7\n"), 10000)))
	req.Header.Set("Authorization", "Bearer "+tokKiosk)
	req.Header.Set("Content-Type", "application/pdf")
	if res, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else if res.Body.Close(); res.StatusCode != http.StatusInsufficientStorage {
		t.Fatalf("an upload on a full disk: %d", res.StatusCode)
	}
	h := healthz(t, p.addr)
	d, _ := h["disk"].(map[string]any)
	if h["status"] != "degraded" || d == nil || d["state"] != "full" || !strings.Contains(d["error"].(string), "磁盘已满") {
		t.Fatalf("healthz on a full disk: %v", h)
	}

	// space returns: healthz and tickets recover without a restart
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for healthz(t, p.addr)["status"] != "ok" {
		if time.Now().After(deadline) {
			t.Fatalf("healthz after space returned: %v", healthz(t, p.addr))
		}
		time.Sleep(200 * time.Millisecond)
	}
	for range 3 {
		if st, m := issue(); st != http.StatusCreated {
			t.Fatalf("a ticket after space returned: %d %v", st, m)
		}
	}

	// every ticket answered 201 is there after a restart
	p.stop(t, syscall.SIGTERM)
	p = start(t, cfg, addr)
	for _, id := range issued {
		if st, m, err := request(p.addr, "GET", "/api/v1/tickets/"+id, tokAdmin, ""); err != nil || st != http.StatusOK {
			t.Fatalf("ticket %s, answered 201, after the restart: %d %v %v", id, st, m, err)
		}
	}
	t.Logf("all %d tickets answered 201 are there after the restart", len(issued))
}
