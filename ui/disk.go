// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"yichuang/kiosk"
)

// A write that fails for want of disk is answered 507 (full) or 503 (the
// disk failing), in words, and nothing of the request is kept (the hall
// commits a request whole or not at all). /healthz then says "degraded"
// with a "disk" entry until a probe write of probeSize bytes to the data
// directory succeeds again: space returning needs no restart.
const (
	probeSize  = 1 << 20
	probeEvery = 2 * time.Second
)

// diskWatch remembers the last disk fault and when it was last probed.
type diskWatch struct {
	dir string // the data directory; "": faults are answered but not remembered

	mu     sync.Mutex
	fault  kiosk.DiskFault
	why    string
	since  time.Time
	probed time.Time
}

// noteFault records a fault a request met.
func (d *diskWatch) noteFault(f kiosk.DiskFault, err error) {
	if d.dir == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fault == kiosk.DiskOK {
		d.since = time.Now()
	}
	d.fault, d.why, d.probed = f, err.Error(), time.Now()
}

// state probes the disk if a fault is remembered (at most every
// probeEvery) and says whether it is still there, with the entry /healthz
// shows.
func (d *diskWatch) state() (healthy bool, entry map[string]any) {
	if d.dir == "" {
		return true, nil
	}
	entry = map[string]any{}
	var st syscall.Statfs_t
	if err := syscall.Statfs(d.dir, &st); err == nil {
		entry["free_bytes"] = st.Bavail * uint64(st.Bsize)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fault != kiosk.DiskOK && time.Since(d.probed) >= probeEvery {
		d.probed = time.Now()
		if err := probe(d.dir); err == nil {
			d.fault, d.why = kiosk.DiskOK, ""
		} else if f := kiosk.DiskFaultOf(err); f != kiosk.DiskOK {
			d.fault, d.why = f, err.Error()
		}
	}
	switch d.fault {
	case kiosk.DiskFull:
		entry["state"] = "full"
		entry["error"] = "服务器磁盘已满，新的数据无法保存 (the disk is full: nothing new can be saved)"
	case kiosk.DiskFailing:
		entry["state"] = "failing"
		entry["error"] = "服务器磁盘读写故障 (the disk fails to write)"
	default:
		entry["state"] = "ok"
		return true, entry
	}
	entry["since"] = d.since.Format(time.RFC3339)
	entry["detail"] = d.why
	return false, entry
}

// probe writes, syncs and removes probeSize bytes in dir.
func probe(dir string) error {
	f, err := os.CreateTemp(dir, ".disk-probe-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(make([]byte, probeSize))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("disk probe %s: %w", filepath.Base(f.Name()), err)
	}
	return nil
}

// diskFailed answers a request whose write met a full or failing disk
// (507 or 503, in words) and says whether it did.
func (s *Server) diskFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	f := kiosk.DiskFaultOf(err)
	if f == kiosk.DiskOK {
		return false
	}
	s.disk.noteFault(f, err)
	s.log.Error("disk fault; nothing of the request was saved", "method", r.Method, "path", r.URL.Path, "err", err)
	w.Header().Set("Retry-After", "60")
	if f == kiosk.DiskFull {
		writeError(w, http.StatusInsufficientStorage, "", "服务器磁盘已满 (the server's disk is full: nothing was saved)")
	} else {
		writeError(w, http.StatusServiceUnavailable, "", "服务器磁盘读写故障 (the server's disk failed to write: nothing was saved)")
	}
	return true
}

// diskHealth marks a /healthz answer degraded while the disk is at fault.
func (s *Server) diskHealth(out map[string]any) {
	healthy, entry := s.disk.state()
	if entry != nil {
		out["disk"] = entry
	}
	if !healthy {
		out["status"] = "degraded"
	}
}
