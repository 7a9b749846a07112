// SPDX-License-Identifier: AGPL-3.0-or-later

package hid

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Sentinel errors, for errors.Is.
var (
	// ErrNotFound: no HID device matches the selector (unplugged).
	ErrNotFound = errors.New("hid: no such device")
	// ErrUnsupported: this build cannot reach USB (built without cgo).
	ErrUnsupported = errors.New("hid: USB HID not supported by this build (needs cgo)")
	// ErrClosed: the device was closed.
	ErrClosed = errors.New("hid: device closed")
	// ErrReport: an input report of the wrong size or with impossible
	// contents.
	ErrReport = errors.New("hid: malformed report")
	// ErrTimeout: a half-received scan was dropped because the next report
	// did not come in time.
	ErrTimeout = errors.New("hid: scan incomplete")
	// ErrTooLong: a scan longer than the decoder's limit was dropped.
	ErrTooLong = errors.New("hid: scan too long")
	// ErrAmbiguous: one report pressed keys of two levels at once; neither
	// counts.
	ErrAmbiguous = errors.New("hid: keys of several levels pressed at once")
	// ErrKeyMap: a key map that cannot work.
	ErrKeyMap = errors.New("hid: bad key map")
)

// Device is the transport: one open HID interface. Read returns one input
// report per call, with its report ID as the first byte when the device
// numbers its reports, and blocks until one arrives; a Read error means the
// device is gone. Close must make a blocked Read return (karalabe/usb's
// devices do: hidapi wakes the reader when the handle closes). Dev never
// calls Read and Close from more than one goroutine each.
type Device interface {
	Read(p []byte) (int, error)
	Close() error
}

// Info describes one HID interface found on a bus.
type Info struct {
	Path         string // platform path, e.g. "0001:0004:00" (libusb bus:address:interface)
	VendorID     uint16
	ProductID    uint16
	Release      uint16 // bcdDevice
	Serial       string
	Manufacturer string
	Product      string
	Interface    int    // the USB interface number
	UsagePage    uint16 // the top-level usage page; 0 on Linux (hidapi's libusb backend does not read it)
	Usage        uint16
}

// String is "VID:PID/interface product (path)", for status details.
func (i Info) String() string {
	s := fmt.Sprintf("%04x:%04x/%d", i.VendorID, i.ProductID, i.Interface)
	if i.Product != "" {
		s += " " + i.Product
	}
	if i.Path != "" {
		s += " (" + i.Path + ")"
	}
	return s
}

// Bus finds and opens HID devices: USB() on real hardware, a simulated bus
// (devices/sim/hidsim) in tests.
type Bus interface {
	// Enumerate lists the HID interfaces of devices with this vendor and
	// product ID; 0 matches any.
	Enumerate(vendorID, productID uint16) ([]Info, error)
	// Open opens an interface that Enumerate listed.
	Open(info Info) (Device, error)
}

// AnyInterface in a Selector matches any USB interface.
const AnyInterface = -1

// Selector picks one HID interface: by vendor and product ID, and, for a
// composite device (a reader that is a keyboard and a HID-POS scanner at
// once), by interface number or serial number.
type Selector struct {
	VendorID  uint16
	ProductID uint16
	Interface int    // a USB interface number, or AnyInterface
	Serial    string // "" matches any
}

// String is "VID:PID" or "VID:PID/interface", as ParseSelector reads.
func (s Selector) String() string {
	if s.Interface < 0 {
		return fmt.Sprintf("%04x:%04x", s.VendorID, s.ProductID)
	}
	return fmt.Sprintf("%04x:%04x/%d", s.VendorID, s.ProductID, s.Interface)
}

// ParseSelector reads "VID:PID" or "VID:PID/INTERFACE", IDs in hex as lsusb
// prints them ("1a86:e026", "0c2e:0b61/1"), with an optional "usb://".
func ParseSelector(s string) (Selector, error) {
	bad := func(why string) (Selector, error) {
		return Selector{}, fmt.Errorf("hid: device %q: %s (want VID:PID or VID:PID/INTERFACE, in hex)", s, why)
	}
	rest := strings.TrimPrefix(strings.TrimSpace(s), "usb://")
	sel := Selector{Interface: AnyInterface}
	if ids, ifc, ok := strings.Cut(rest, "/"); ok {
		n, err := strconv.ParseUint(ifc, 10, 8)
		if err != nil {
			return bad("bad interface number")
		}
		sel.Interface = int(n)
		rest = ids
	}
	v, p, ok := strings.Cut(rest, ":")
	if !ok {
		return bad("no ':'")
	}
	vid, err1 := strconv.ParseUint(strings.TrimPrefix(v, "0x"), 16, 16)
	pid, err2 := strconv.ParseUint(strings.TrimPrefix(p, "0x"), 16, 16)
	if err1 != nil || err2 != nil || v == "" || p == "" {
		return bad("bad hex ID")
	}
	sel.VendorID, sel.ProductID = uint16(vid), uint16(pid)
	return sel, nil
}

// Match reports whether info is an interface s selects.
func (s Selector) Match(info Info) bool {
	return (s.VendorID == 0 || info.VendorID == s.VendorID) &&
		(s.ProductID == 0 || info.ProductID == s.ProductID) &&
		(s.Interface < 0 || info.Interface == s.Interface) &&
		(s.Serial == "" || info.Serial == s.Serial)
}

// Opener finds and opens the device; Run calls it again after the device
// failed or was not there.
type Opener func(ctx context.Context) (Device, Info, error)

// Find returns an Opener that enumerates bus afresh on every call (so a
// replugged device, with its new path, is found again) and opens the first
// interface sel matches, lowest interface number first. No match is an
// error wrapping ErrNotFound.
func Find(bus Bus, sel Selector) Opener {
	return func(ctx context.Context) (Device, Info, error) {
		if err := ctx.Err(); err != nil {
			return nil, Info{}, err
		}
		infos, err := bus.Enumerate(sel.VendorID, sel.ProductID)
		if err != nil {
			return nil, Info{}, fmt.Errorf("hid: enumerate %s: %w", sel, err)
		}
		infos = slices.DeleteFunc(infos, func(i Info) bool { return !sel.Match(i) })
		if len(infos) == 0 {
			return nil, Info{}, fmt.Errorf("%w: %s", ErrNotFound, sel)
		}
		slices.SortStableFunc(infos, func(a, b Info) int {
			return cmp.Or(cmp.Compare(a.Interface, b.Interface), cmp.Compare(a.Path, b.Path))
		})
		info := infos[0]
		d, err := bus.Open(info)
		if err != nil {
			return nil, Info{}, fmt.Errorf("hid: open %s: %w", info, err)
		}
		return d, info, nil
	}
}
