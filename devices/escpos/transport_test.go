// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseURI(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want URI
		str  string // String(), if not in
	}{
		{"serial:///dev/ttyS1?baud=9600", URI{Scheme: SchemeSerial, Path: "/dev/ttyS1", Baud: 9600}, ""},
		{"serial:///dev/ttyUSB0?baud=115200", URI{Scheme: SchemeSerial, Path: "/dev/ttyUSB0", Baud: 115200}, ""},
		{"serial:///dev/ttyS1", URI{Scheme: SchemeSerial, Path: "/dev/ttyS1", Baud: 9600}, "serial:///dev/ttyS1?baud=9600"},
		{"SERIAL:///dev/ttyS1?baud=19200", URI{Scheme: SchemeSerial, Path: "/dev/ttyS1", Baud: 19200}, "serial:///dev/ttyS1?baud=19200"},
		{"usb://0416:5011", URI{Scheme: SchemeUSB, VID: 0x0416, PID: 0x5011}, ""},
		{"usb://04B8:0E15", URI{Scheme: SchemeUSB, VID: 0x04b8, PID: 0x0e15}, "usb://04b8:0e15"},
		{"usb://0416:5011?serial=P58-001", URI{Scheme: SchemeUSB, VID: 0x0416, PID: 0x5011, Serial: "P58-001"}, ""},
		{"tcp://10.0.0.9:9100", URI{Scheme: SchemeTCP, Addr: "10.0.0.9:9100"}, ""},
		{"tcp://10.0.0.9", URI{Scheme: SchemeTCP, Addr: "10.0.0.9:9100"}, "tcp://10.0.0.9:9100"},
		{"tcp://printer.hall.lan:9101/", URI{Scheme: SchemeTCP, Addr: "printer.hall.lan:9101"}, "tcp://printer.hall.lan:9101"},
		{"tcp://[fe80::1]:9100", URI{Scheme: SchemeTCP, Addr: "[fe80::1]:9100"}, ""},
		{"tcp://[fe80::1]", URI{Scheme: SchemeTCP, Addr: "[fe80::1]:9100"}, "tcp://[fe80::1]:9100"},
		{"file:///var/spool/kioskd/tickets.bin", URI{Scheme: SchemeFile, Path: "/var/spool/kioskd/tickets.bin"}, ""},
		{"sim", URI{Scheme: SchemeSim}, ""},
	} {
		got, err := ParseURI(tc.in)
		if err != nil {
			t.Errorf("ParseURI(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseURI(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
		want := tc.str
		if want == "" {
			want = tc.in
		}
		if s := got.String(); s != want {
			t.Errorf("ParseURI(%q).String() = %q, want %q", tc.in, s, want)
		}
		if again, err := ParseURI(got.String()); err != nil || again != got {
			t.Errorf("round trip of %q: %+v, %v", tc.in, again, err)
		}
	}
}

func TestParseURIErrors(t *testing.T) {
	for _, tc := range []struct{ in, msg string }{
		{"", "empty"},
		{"/dev/ttyS1", "no scheme"},
		{"lpt://1", `unknown scheme "lpt"`},
		{"sim://x", "write just sim"},
		{"serial://dev/ttyS1", "absolute path"},
		{"serial:///dev/ttyS1?baud=9601", `unsupported baud "9601"`},
		{"serial:///dev/ttyS1?baud=fast", `unsupported baud "fast"`},
		{"serial:///dev/ttyS1?speed=9600", `unknown parameter "speed"`},
		{"serial:///dev/ttyS1?baud=%zz", "bad query"},
		{"usb://0416", "VID:PID"},
		{"usb://0416:50g1", "hexadecimal"},
		{"usb://10416:5011", "hexadecimal"},
		{"usb://:5011", "hexadecimal"},
		{"usb://0416:5011?bus=1", `unknown parameter "bus"`},
		{"tcp://", "host"},
		{"tcp://10.0.0.9:99999", `bad port "99999"`},
		{"tcp://10.0.0.9:http", `bad port "http"`},
		{"tcp://10.0.0.9:9100/queue", "host[:port]"},
		{"tcp://:9100", "missing host"},
		{"tcp://fe80::1", "host:port"},
		{"tcp://10.0.0.9?timeout=1", `unknown parameter "timeout"`},
		{"file://tickets.bin", "absolute path"},
		{"file:///", "absolute path"},
	} {
		_, err := ParseURI(tc.in)
		if err == nil {
			t.Errorf("ParseURI(%q): no error", tc.in)
			continue
		}
		if !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "escpos: printer URI ") {
			t.Errorf("ParseURI(%q): %q, want it to mention %q", tc.in, err, tc.msg)
		}
	}
}

func TestOpenFileAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jobs.bin")
	if err := os.WriteFile(path, []byte("old|"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, job := range []string{"one|", "two"} {
		w, err := Open(ctx, "file://"+path)
		if err != nil {
			t.Fatal(err)
		}
		d, err := New(w, nil)
		if err != nil {
			t.Fatal(err)
		}
		if d.CanStatus() {
			t.Error("a file transport claims status")
		}
		if err := d.Print(ctx, []byte(job)); err != nil {
			t.Fatal(err)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "old|one|two" {
		t.Errorf("file holds %q", b)
	}
	if _, err := Open(ctx, "sim"); !errors.Is(err, ErrSim) {
		t.Errorf("Open(sim): %v, want ErrSim", err)
	}
	if _, err := Open(ctx, "bogus"); err == nil {
		t.Error("Open(bogus): no error")
	}
	if _, err := Open(ctx, "serial:///nonexistent/tty?baud=9600"); err == nil {
		t.Error("Open of a missing tty: no error")
	}
}

// fakeSysfs builds the parts of sysfs and /dev that FindUSBLP reads.
type fakeSysfs struct {
	t              *testing.T
	sys, dev       string
	withoutUevent  bool
	devNodeTargets map[string]string // lp name -> symlink target for its node
}

func newFakeSysfs(t *testing.T) *fakeSysfs {
	root := t.TempDir()
	f := &fakeSysfs{t: t, sys: filepath.Join(root, "sys"), dev: filepath.Join(root, "dev"), devNodeTargets: map[string]string{}}
	for _, d := range []string{filepath.Join(f.sys, "class", "usbmisc"), filepath.Join(f.dev, "usb")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// plug adds a printer on USB port (e.g. "1-2") as lpN, the way the kernel
// lays it out:
//
//	devices/.../usb1/1-2/{idVendor,idProduct,serial}
//	devices/.../usb1/1-2/1-2:1.0/usbmisc/lpN/{uevent,device -> ../../../1-2:1.0}
//	class/usbmisc/lpN -> ../../devices/.../usb1/1-2/1-2:1.0/usbmisc/lpN
func (f *fakeSysfs) plug(port string, n int, vid, pid uint16, serial string) {
	t := f.t
	lp := fmt.Sprintf("lp%d", n)
	usbDev := filepath.Join(f.sys, "devices", "pci0000:00", "0000:00:14.0", "usb1", port)
	intf := filepath.Join(usbDev, port+":1.0")
	class := filepath.Join(intf, "usbmisc", lp)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(class, 0o755))
	must(os.WriteFile(filepath.Join(usbDev, "idVendor"), fmt.Appendf(nil, "%04x\n", vid), 0o644))
	must(os.WriteFile(filepath.Join(usbDev, "idProduct"), fmt.Appendf(nil, "%04x\n", pid), 0o644))
	if serial != "" {
		must(os.WriteFile(filepath.Join(usbDev, "serial"), []byte(serial+"\n"), 0o644))
	}
	if !f.withoutUevent {
		must(os.WriteFile(filepath.Join(class, "uevent"), fmt.Appendf(nil, "MAJOR=180\nMINOR=%d\nDEVNAME=usb/%s\n", n, lp), 0o644))
	}
	must(os.Symlink(filepath.Join("..", "..", "..", port+":1.0"), filepath.Join(class, "device")))
	rel, err := filepath.Rel(filepath.Join(f.sys, "class", "usbmisc"), class)
	must(err)
	must(os.Symlink(rel, filepath.Join(f.sys, "class", "usbmisc", lp)))
	node := filepath.Join(f.dev, "usb", lp)
	if target := f.devNodeTargets[lp]; target != "" {
		must(os.Symlink(target, node))
	} else {
		must(os.WriteFile(node, nil, 0o644))
	}
}

// unplug removes lpN and its USB device, as the kernel does.
func (f *fakeSysfs) unplug(port string, n int) {
	lp := fmt.Sprintf("lp%d", n)
	for _, p := range []string{
		filepath.Join(f.sys, "class", "usbmisc", lp),
		filepath.Join(f.sys, "devices", "pci0000:00", "0000:00:14.0", "usb1", port),
		filepath.Join(f.dev, "usb", lp),
	} {
		if err := os.RemoveAll(p); err != nil {
			f.t.Fatal(err)
		}
	}
}

func TestFindUSBLP(t *testing.T) {
	f := newFakeSysfs(t)
	f.plug("1-1", 0, 0x04b8, 0x0202, "")      // an Epson
	f.plug("1-2", 1, 0x0416, 0x5011, "P58-A") // ours
	f.plug("1-3", 2, 0x0416, 0x5011, "P58-B") // its twin
	f.plug("1-10", 10, 0x0416, 0x5011, "P58-C")
	for _, tc := range []struct {
		vid, pid uint16
		serial   string
		want     string // lp name, or "" for ErrNoDevice
	}{
		{0x0416, 0x5011, "", "lp1"}, // the lowest N wins (lp10 sorts after lp2)
		{0x0416, 0x5011, "P58-B", "lp2"},
		{0x0416, 0x5011, "P58-C", "lp10"},
		{0x04b8, 0x0202, "", "lp0"},
		{0x0416, 0x5011, "nope", ""},
		{0x1234, 0x5678, "", ""},
	} {
		got, err := FindUSBLP(f.sys, f.dev, tc.vid, tc.pid, tc.serial)
		if tc.want == "" {
			if !errors.Is(err, ErrNoDevice) {
				t.Errorf("%04x:%04x %q: %q, %v; want ErrNoDevice", tc.vid, tc.pid, tc.serial, got, err)
			}
			continue
		}
		if want := filepath.Join(f.dev, "usb", tc.want); err != nil || got != want {
			t.Errorf("%04x:%04x %q: %q, %v; want %q", tc.vid, tc.pid, tc.serial, got, err, want)
		}
	}

	// Without uevent the node name comes from the class name.
	g := newFakeSysfs(t)
	g.withoutUevent = true
	g.plug("2-1", 3, 0x0416, 0x5011, "")
	if got, err := FindUSBLP(g.sys, g.dev, 0x0416, 0x5011, ""); err != nil || got != filepath.Join(g.dev, "usb", "lp3") {
		t.Errorf("without uevent: %q, %v", got, err)
	}

	// No usbmisc class at all: usblp is not loaded.
	_, err := FindUSBLP(t.TempDir(), "", 0x0416, 0x5011, "")
	if !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "usblp") {
		t.Errorf("no usbmisc: %v", err)
	}
}

func TestUSBReplug(t *testing.T) {
	f := newFakeSysfs(t)
	f.plug("1-1", 0, 0x04b8, 0x0202, "")
	f.plug("1-2", 1, 0x0416, 0x5011, "")
	o := &OpenOpts{Sysfs: f.sys, DevRoot: f.dev}
	u, err := OpenURI(context.Background(), URI{Scheme: SchemeUSB, VID: 0x0416, PID: 0x5011}, o)
	if err != nil {
		t.Fatal(err)
	}
	usb := u.(*USB)
	defer usb.Close()
	if got := usb.Path(); got != filepath.Join(f.dev, "usb", "lp1") {
		t.Fatalf("path %q", got)
	}
	if _, err := usb.Write([]byte("job1")); err != nil {
		t.Fatal(err)
	}

	// Unplugged and plugged into another port: the kernel hands out lp2.
	f.unplug("1-2", 1)
	f.plug("1-4", 2, 0x0416, 0x5011, "")
	if err := usb.Reopen(); err != nil {
		t.Fatal(err)
	}
	if got := usb.Path(); got != filepath.Join(f.dev, "usb", "lp2") {
		t.Fatalf("after replug: path %q", got)
	}
	if _, err := usb.Write([]byte("job2")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(f.dev, "usb", "lp2")); string(b) != "job2" {
		t.Errorf("lp2 holds %q", b)
	}

	// Unplugged for good: reopening fails.
	f.unplug("1-4", 2)
	if err := usb.Reopen(); !errors.Is(err, ErrNoDevice) {
		t.Errorf("reopen while unplugged: %v", err)
	}
	if usb.Path() != "" {
		t.Error("a path while unplugged")
	}
}

// TestUSBReopensAfterWriteError: a write that fails (the node is gone, or
// here /dev/full) drops the node; the next write finds the printer again.
func TestUSBReopensAfterWriteError(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	f := newFakeSysfs(t)
	f.devNodeTargets["lp0"] = "/dev/full"
	f.plug("1-2", 0, 0x0416, 0x5011, "")
	usb, err := OpenUSB(0x0416, 0x5011, "", &OpenOpts{Sysfs: f.sys, DevRoot: f.dev})
	if err != nil {
		t.Fatal(err)
	}
	defer usb.Close()
	if _, err := usb.Write([]byte("lost")); err == nil {
		t.Fatal("write to /dev/full succeeded")
	}
	if usb.Path() != "" {
		t.Error("node kept after a failed write")
	}
	f.unplug("1-2", 0)
	f.plug("1-3", 1, 0x0416, 0x5011, "")
	if _, err := usb.Write([]byte("job")); err != nil {
		t.Fatalf("write after replug: %v", err)
	}
	if got := usb.Path(); got != filepath.Join(f.dev, "usb", "lp1") {
		t.Errorf("path %q", got)
	}
	if err := usb.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := usb.Write([]byte("x")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("write after Close: %v", err)
	}
}
