// SPDX-License-Identifier: AGPL-3.0-or-later

// Package hidsim simulates the counter's USB HID devices behind the small
// interfaces of package hid: a Bus to plug devices into, unplug them from
// and plug them into again, and Devices that play input reports (a rating
// pad's key presses, a QR scan in HID-POS or keyboard mode) and fail their
// reads when unplugged, as a real device does.
//
// Report sequences come from the generators (PadPress, KeyboardScan,
// POSScan) or from recorded hex files (ParseHex: one report a line, plus
// "pause 50ms" and "unplug" lines), so tests and `kioskd sim` run the real
// decoders on the same bytes:
//
//	bus := hidsim.NewBus()
//	pad := bus.Plug(hidsim.PadInfo())
//	go hid.RunPad(ctx, hid.Find(bus, hid.Selector{VendorID: hidsim.VendorID, ProductID: hidsim.PadProductID, Interface: hid.AnyInterface}), nil, dec, onKey, onStatus)
//	pad.Send(hidsim.PadPress(km, 5)...)
//	bus.Unplug(pad.Info().Path)
package hidsim

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"yichuang/devices/hid"
)

// The simulated devices' IDs: pid.codes' vendor ID, in its test range.
const (
	VendorID        uint16 = 0x1209
	PadProductID    uint16 = 0x0001 // a rating pad that is a 5-key keyboard
	ReaderProductID uint16 = 0x0002 // a QR reader
)

// PadInfo describes a simulated rating pad.
func PadInfo() hid.Info {
	return hid.Info{Path: "sim:pad", VendorID: VendorID, ProductID: PadProductID, Manufacturer: "yichuang", Product: "Simulated rating pad"}
}

// ReaderInfo describes a simulated QR reader.
func ReaderInfo() hid.Info {
	return hid.Info{Path: "sim:qr", VendorID: VendorID, ProductID: ReaderProductID, Manufacturer: "yichuang", Product: "Simulated QR reader"}
}

// Errors a simulated device's reads and opens fail with.
var (
	ErrUnplugged = errors.New("hidsim: device unplugged")
	ErrClosed    = errors.New("hidsim: handle closed")
	ErrBusy      = errors.New("hidsim: device already open")
)

// Device is a simulated HID device. Its methods are safe for concurrent
// use.
type Device struct {
	info hid.Info
	bus  *Bus

	mu        sync.Mutex
	queue     [][]byte
	unplugged bool
	open      *handle
	opens     int
	sent      int
	changed   chan struct{} // closed and replaced on every change
}

// NewDevice returns a device on no bus; Open gives its handle.
func NewDevice(info hid.Info) *Device {
	return &Device{info: info, changed: make(chan struct{})}
}

// Info describes the device.
func (d *Device) Info() hid.Info { return d.info }

func (d *Device) notify() {
	close(d.changed)
	d.changed = make(chan struct{})
}

// Send queues input reports for the device's reader; they wait for a
// handle to read them, as reports wait in hidapi's queue.
func (d *Device) Send(reports ...[]byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range reports {
		d.queue = append(d.queue, bytes.Clone(r))
	}
	d.sent += len(reports)
	d.notify()
}

// Unplug makes the device's reads fail with ErrUnplugged, now and later,
// and takes it off its bus.
func (d *Device) Unplug() {
	d.mu.Lock()
	d.unplugged = true
	d.queue = nil
	d.notify()
	d.mu.Unlock()
	if d.bus != nil {
		d.bus.remove(d)
	}
}

// Pending returns how many sent reports were not read yet.
func (d *Device) Pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.queue)
}

// Opens returns how many times the device was opened.
func (d *Device) Opens() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.opens
}

// IsOpen reports whether a handle is open on the device.
func (d *Device) IsOpen() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.open != nil
}

// WaitIdle waits until a handle is open and has read every report sent,
// or ctx ends.
func (d *Device) WaitIdle(ctx context.Context) error {
	return d.wait(ctx, func() bool { return d.open != nil && len(d.queue) == 0 })
}

// WaitOpen waits until a handle is open on the device, or ctx ends.
func (d *Device) WaitOpen(ctx context.Context) error {
	return d.wait(ctx, func() bool { return d.open != nil })
}

func (d *Device) wait(ctx context.Context, cond func() bool) error {
	for {
		d.mu.Lock()
		ok, ch := cond(), d.changed
		d.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// Open opens the device; one handle at a time, as a claimed USB interface.
func (d *Device) Open() (hid.Device, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case d.unplugged:
		return nil, ErrUnplugged
	case d.open != nil:
		return nil, ErrBusy
	}
	h := &handle{d: d}
	d.open = h
	d.opens++
	d.notify()
	return h, nil
}

// Play sends steps in order: reports, pauses and an unplug. It returns
// ctx.Err() if ctx ends first.
func (d *Device) Play(ctx context.Context, steps []Step) error {
	for _, s := range steps {
		switch {
		case s.Unplug:
			d.Unplug()
		case s.Pause > 0:
			t := time.NewTimer(s.Pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		case s.Report != nil:
			d.Send(s.Report)
		}
	}
	return ctx.Err()
}

// handle is one open of a Device: hid.Device.
type handle struct {
	d      *Device
	closed bool // under d.mu
}

// Read blocks until a report is queued, the device is unplugged or the
// handle closed.
func (h *handle) Read(p []byte) (int, error) {
	d := h.d
	for {
		d.mu.Lock()
		switch {
		case h.closed:
			d.mu.Unlock()
			return 0, ErrClosed
		case d.unplugged:
			d.mu.Unlock()
			return 0, ErrUnplugged
		case len(d.queue) > 0:
			r := d.queue[0]
			d.queue = d.queue[1:]
			d.notify()
			d.mu.Unlock()
			return copy(p, r), nil // a short buffer truncates, as hid_read does
		}
		ch := d.changed
		d.mu.Unlock()
		<-ch
	}
}

// Close releases the handle and wakes its Read.
func (h *handle) Close() error {
	d := h.d
	d.mu.Lock()
	defer d.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	if d.open == h {
		d.open = nil
	}
	d.notify()
	return nil
}

// Bus is a simulated USB bus: hid.Bus. Its methods are safe for concurrent
// use.
type Bus struct {
	mu           sync.Mutex
	devs         []*Device // plugged, in plug order
	enumerations int
	enumErr      error
	changed      chan struct{}
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{changed: make(chan struct{})} }

func (b *Bus) notify() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// Plug plugs a new device described by info in; a device already plugged
// at the same path is unplugged first.
func (b *Bus) Plug(info hid.Info) *Device {
	if old := b.Device(info.Path); old != nil {
		old.Unplug()
	}
	d := NewDevice(info)
	d.bus = b
	b.mu.Lock()
	b.devs = append(b.devs, d)
	b.notify()
	b.mu.Unlock()
	return d
}

// Unplug unplugs the device at path, if any.
func (b *Bus) Unplug(path string) {
	if d := b.Device(path); d != nil {
		d.Unplug()
	}
}

func (b *Bus) remove(d *Device) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.devs = slices.DeleteFunc(b.devs, func(x *Device) bool { return x == d })
	b.notify()
}

// Device returns the device plugged at path, or nil.
func (b *Bus) Device(path string) *Device {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, d := range b.devs {
		if d.info.Path == path {
			return d
		}
	}
	return nil
}

// SetEnumerateError makes Enumerate fail with err (nil: succeed again), as
// a USB stack without permissions does.
func (b *Bus) SetEnumerateError(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.enumErr = err
}

// Enumerations returns how many times Enumerate was called.
func (b *Bus) Enumerations() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.enumerations
}

// WaitEnumerations waits until Enumerate was called at least n times, or
// ctx ends.
func (b *Bus) WaitEnumerations(ctx context.Context, n int) error {
	for {
		b.mu.Lock()
		ok, ch := b.enumerations >= n, b.changed
		b.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// Enumerate implements hid.Bus.
func (b *Bus) Enumerate(vendorID, productID uint16) ([]hid.Info, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.enumerations++
	b.notify()
	if b.enumErr != nil {
		return nil, b.enumErr
	}
	var infos []hid.Info
	for _, d := range b.devs {
		if (vendorID == 0 || d.info.VendorID == vendorID) && (productID == 0 || d.info.ProductID == productID) {
			infos = append(infos, d.info)
		}
	}
	return infos, nil
}

// Open implements hid.Bus.
func (b *Bus) Open(info hid.Info) (hid.Device, error) {
	d := b.Device(info.Path)
	if d == nil {
		return nil, fmt.Errorf("%w: %s", ErrUnplugged, info.Path)
	}
	return d.Open()
}

// Step is one step of a recorded sequence: a report, a pause or an unplug.
type Step struct {
	Report []byte
	Pause  time.Duration
	Unplug bool
}

// Reports wraps reports as steps.
func Reports(reports ...[]byte) []Step {
	steps := make([]Step, len(reports))
	for i, r := range reports {
		steps[i] = Step{Report: r}
	}
	return steps
}

// ReportsOf returns the reports of steps, leaving pauses and unplugs out.
func ReportsOf(steps []Step) [][]byte {
	var reports [][]byte
	for _, s := range steps {
		if s.Report != nil {
			reports = append(reports, s.Report)
		}
	}
	return reports
}

// FormatHex writes steps in the recorded format ParseHex reads: comment
// lines ("# ..."), one report a line in hex, "pause DURATION", "unplug".
func FormatHex(comment string, steps []Step) []byte {
	var w bytes.Buffer
	for _, line := range strings.Split(strings.TrimRight(comment, "\n"), "\n") {
		fmt.Fprintf(&w, "# %s\n", line)
	}
	for _, s := range steps {
		switch {
		case s.Unplug:
			w.WriteString("unplug\n")
		case s.Pause > 0:
			fmt.Fprintf(&w, "pause %v\n", s.Pause)
		default:
			fmt.Fprintf(&w, "% X\n", s.Report)
		}
	}
	return w.Bytes()
}

// ParseHex reads the recorded format FormatHex writes. Blank lines and
// lines starting with '#' are skipped; hex may be spaced or not.
func ParseHex(data []byte) ([]Step, error) {
	var steps []Step
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case line == "unplug":
			steps = append(steps, Step{Unplug: true})
		case strings.HasPrefix(line, "pause "):
			d, err := time.ParseDuration(strings.TrimSpace(strings.TrimPrefix(line, "pause ")))
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("hidsim: line %d: bad pause %q", i+1, line)
			}
			steps = append(steps, Step{Pause: d})
		default:
			b, err := hex.DecodeString(strings.Join(strings.Fields(line), ""))
			if err != nil || len(b) == 0 {
				return nil, fmt.Errorf("hidsim: line %d: bad report %q", i+1, line)
			}
			steps = append(steps, Step{Report: b})
		}
	}
	return steps, nil
}

// KeyPress returns the boot keyboard reports of pressing and releasing one
// key with these modifiers.
func KeyPress(mods, usage byte) [][]byte {
	return [][]byte{hid.KeyboardReport(mods, usage), hid.KeyboardReport(0)}
}

// PadPress returns the reports of pressing and releasing the first key m
// binds to level: boot keyboard reports for a keyboard map, for a report
// map an 8-byte report (longer if the key's byte needs it) with m's report
// ID first.
func PadPress(m hid.KeyMap, level int) ([][]byte, error) {
	for _, k := range m.Keys {
		if k.Level != level {
			continue
		}
		if m.Mode == hid.KeyMapKeyboard {
			press := KeyPress(0, k.Value)
			if m.ReportID != 0 {
				for i, r := range press {
					press[i] = append([]byte{m.ReportID}, r...)
				}
			}
			return press, nil
		}
		n := max(8, k.Index+1)
		down, up := make([]byte, n), make([]byte, n)
		down[0], up[0] = m.ReportID, m.ReportID
		down[k.Index] = k.Value
		return [][]byte{down, up}, nil
	}
	return nil, fmt.Errorf("hidsim: key map %q has no key for level %d", m.Name, level)
}

// KeyboardScan returns the boot keyboard reports a reader in keyboard mode
// sends for data: each character pressed (with Shift where the US layout
// needs it) and released, then Enter. data must be printable ASCII.
func KeyboardScan(data string) ([][]byte, error) {
	var reports [][]byte
	for i := 0; i < len(data); i++ {
		u, shift, ok := hid.KeyFor(data[i])
		if !ok {
			return nil, fmt.Errorf("hidsim: %q at %d has no key on a US layout", data[i], i)
		}
		var mods byte
		if shift {
			mods = hid.ModLeftShift
		}
		reports = append(reports, KeyPress(mods, u)...)
	}
	return append(reports, KeyPress(0, hid.UsageEnter)...), nil
}

// POSScan returns the HID-POS scanned-data reports a reader sends for data
// in format f: MaxData bytes a report, the continuation flag on all but
// the last, each report long enough to hold the flag (64 bytes in the
// default format).
func POSScan(f hid.POSFormat, data []byte) [][]byte {
	size := max(f.DataIndex+f.MaxData, f.LengthIndex+1, f.MoreIndex+1)
	var reports [][]byte
	for first := true; first || len(data) > 0; first = false {
		n := min(len(data), f.MaxData)
		r := make([]byte, size)
		r[0] = f.ReportID
		r[f.LengthIndex] = byte(n)
		copy(r[f.DataIndex:], data[:n])
		data = data[n:]
		if len(data) > 0 && f.MoreIndex >= 0 {
			r[f.MoreIndex] |= f.MoreMask
		}
		reports = append(reports, r)
	}
	return reports
}
