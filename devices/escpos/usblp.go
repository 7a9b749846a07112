// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrNoDevice is wrapped when no USB printer matches.
var ErrNoDevice = errors.New("escpos: no such USB printer")

// FindUSBLP returns the device node (/dev/usb/lpN) of the USB printer-class
// printer with the given vendor and product IDs, and serial number if serial
// is not empty, by walking sysfs/class/usbmisc/lp*: each lpN's device link
// is the USB interface, whose parent holds idVendor, idProduct and serial.
// The lowest N wins. sysfs and devRoot default to /sys and /dev.
func FindUSBLP(sysfs, devRoot string, vid, pid uint16, serial string) (string, error) {
	if sysfs == "" {
		sysfs = "/sys"
	}
	if devRoot == "" {
		devRoot = "/dev"
	}
	dir := filepath.Join(sysfs, "class", "usbmisc")
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("%w %04x:%04x: no %s (is the usblp module loaded?)", ErrNoDevice, vid, pid, dir)
		}
		return "", fmt.Errorf("escpos: %w", err)
	}
	type cand struct {
		n    int
		name string
	}
	var lps []cand
	for _, e := range ents {
		num, ok := strings.CutPrefix(e.Name(), "lp")
		if n, err := strconv.Atoi(num); ok && err == nil {
			lps = append(lps, cand{n, e.Name()})
		}
	}
	sort.Slice(lps, func(i, j int) bool { return lps[i].n < lps[j].n })
	seen := 0
	for _, lp := range lps {
		intf, err := filepath.EvalSymlinks(filepath.Join(dir, lp.name, "device"))
		if err != nil {
			continue // unplugged while we looked
		}
		usbDev := filepath.Dir(intf)
		v, errV := readHex(filepath.Join(usbDev, "idVendor"))
		p, errP := readHex(filepath.Join(usbDev, "idProduct"))
		if errV != nil || errP != nil {
			continue
		}
		seen++
		if v != vid || p != pid {
			continue
		}
		if serial != "" {
			s, _ := os.ReadFile(filepath.Join(usbDev, "serial"))
			if strings.TrimSpace(string(s)) != serial {
				continue
			}
		}
		return filepath.Join(devRoot, devName(filepath.Join(dir, lp.name), lp.name)), nil
	}
	what := fmt.Sprintf("%04x:%04x", vid, pid)
	if serial != "" {
		what += " serial " + serial
	}
	return "", fmt.Errorf("%w %s among %d USB printers in %s", ErrNoDevice, what, seen, dir)
}

// devName returns the node name relative to /dev from the class device's
// uevent (DEVNAME=usb/lp0), or usb/<name>.
func devName(classDir, name string) string {
	b, err := os.ReadFile(filepath.Join(classDir, "uevent"))
	if err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "DEVNAME="); ok && v != "" && !strings.Contains(v, "..") {
				return filepath.Clean(v)
			}
		}
	}
	return filepath.Join("usb", name)
}

func readHex(path string) (uint16, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 16, 16)
	return uint16(n), err
}

// USB is a printer on the kernel's usblp driver, found by VID:PID. When a
// read or write fails (the printer was unplugged) it closes its node, and
// the next read or write finds the printer again in sysfs (its lpN may have
// changed) and reopens it; Reopen does the same on demand.
type USB struct {
	vid, pid       uint16
	serial         string
	sysfs, devRoot string

	mu     sync.Mutex
	f      *os.File
	path   string
	rdl    time.Time // read deadline, applied again on reopen
	closed bool
}

// OpenUSB finds and opens the printer; o may be nil.
func OpenUSB(vid, pid uint16, serial string, o *OpenOpts) (*USB, error) {
	u := &USB{vid: vid, pid: pid, serial: serial}
	if o != nil {
		u.sysfs, u.devRoot = o.Sysfs, o.DevRoot
	}
	if err := u.Reopen(); err != nil {
		return nil, err
	}
	return u, nil
}

func (u *USB) String() string { return fmt.Sprintf("usb:%04x:%04x", u.vid, u.pid) }

// Path returns the device node in use, or "" while closed.
func (u *USB) Path() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.f == nil {
		return ""
	}
	return u.path
}

// Reopen closes the node if open, finds the printer again and opens it.
func (u *USB) Reopen() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.f != nil {
		_ = u.f.Close()
		u.f = nil
	}
	_, err := u.openLocked()
	return err
}

func (u *USB) openLocked() (*os.File, error) {
	if u.closed {
		return nil, fmt.Errorf("escpos: %s: %w", u, os.ErrClosed)
	}
	if u.f != nil {
		return u.f, nil
	}
	path, err := FindUSBLP(u.sysfs, u.devRoot, u.vid, u.pid, u.serial)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrPermission) {
		f, err = os.OpenFile(path, os.O_WRONLY, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("escpos: %w", err)
	}
	if !u.rdl.IsZero() {
		_ = f.SetReadDeadline(u.rdl)
	}
	u.f, u.path = f, path
	return f, nil
}

func (u *USB) file() (*os.File, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.openLocked()
}

// drop closes f after a failure, if it is still the open node.
func (u *USB) drop(f *os.File) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.f == f {
		_ = f.Close()
		u.f = nil
	}
}

// Write writes to the printer, reopening it first if an earlier call failed.
func (u *USB) Write(p []byte) (int, error) {
	f, err := u.file()
	if err != nil {
		return 0, err
	}
	n, err := f.Write(p)
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		u.drop(f)
		err = fmt.Errorf("escpos: %s: %w", u, err)
	}
	return n, err
}

// Read reads from the printer (status answers). A printer that usblp
// drives one-way gives an error wrapping ErrNoStatus.
func (u *USB) Read(p []byte) (int, error) {
	f, err := u.file()
	if err != nil {
		return 0, err
	}
	n, err := f.Read(p)
	switch {
	case err == nil, errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, io.EOF):
	case errors.Is(err, syscall.EINVAL):
		err = fmt.Errorf("%w: %s is one-way", ErrNoStatus, u)
	default:
		u.drop(f)
		err = fmt.Errorf("escpos: %s: %w", u, err)
	}
	return n, err
}

// SetReadDeadline bounds reads. It fails (and a Dev then skips status
// requests) if the node cannot take deadlines.
func (u *USB) SetReadDeadline(t time.Time) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.rdl = t
	if u.f == nil {
		return nil
	}
	return u.f.SetReadDeadline(t)
}

// SetWriteDeadline bounds writes where the node supports it.
func (u *USB) SetWriteDeadline(t time.Time) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.f == nil {
		return nil
	}
	return u.f.SetWriteDeadline(t)
}

// Close closes the node.
func (u *USB) Close() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.closed = true
	if u.f == nil {
		return nil
	}
	err := u.f.Close()
	u.f = nil
	return err
}
