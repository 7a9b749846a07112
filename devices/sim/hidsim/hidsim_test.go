// SPDX-License-Identifier: AGPL-3.0-or-later

package hidsim_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"yichuang/devices/hid"
	"yichuang/devices/sim/hidsim"
)

func TestDevice(t *testing.T) {
	d := hidsim.NewDevice(hidsim.PadInfo())
	h, err := d.Open()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Open(); !errors.Is(err, hidsim.ErrBusy) {
		t.Fatalf("second open: %v", err)
	}
	d.Send([]byte{1, 2, 3})
	buf := make([]byte, 2)
	if n, err := h.Read(buf); n != 2 || err != nil || !bytes.Equal(buf, []byte{1, 2}) {
		t.Fatalf("short read: %d %v", n, err)
	}
	// Close wakes a blocked Read.
	got := make(chan error, 1)
	go func() {
		_, err := h.Read(make([]byte, 8))
		got <- err
	}()
	time.Sleep(10 * time.Millisecond)
	h.Close()
	if err := <-got; !errors.Is(err, hidsim.ErrClosed) {
		t.Fatalf("Read after Close: %v", err)
	}
	// Reopened, then unplugged: reads fail, opens fail.
	h, err = d.Open()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		_, err := h.Read(make([]byte, 8))
		got <- err
	}()
	time.Sleep(10 * time.Millisecond)
	d.Unplug()
	if err := <-got; !errors.Is(err, hidsim.ErrUnplugged) {
		t.Fatalf("Read after Unplug: %v", err)
	}
	if _, err := d.Open(); !errors.Is(err, hidsim.ErrUnplugged) {
		t.Fatalf("Open after Unplug: %v", err)
	}
	if d.Opens() != 2 {
		t.Errorf("opens %d", d.Opens())
	}
}

func TestBus(t *testing.T) {
	b := hidsim.NewBus()
	pad := b.Plug(hidsim.PadInfo())
	b.Plug(hidsim.ReaderInfo())
	all, _ := b.Enumerate(0, 0)
	pads, _ := b.Enumerate(hidsim.VendorID, hidsim.PadProductID)
	if len(all) != 2 || len(pads) != 1 || pads[0] != pad.Info() {
		t.Fatalf("enumerate: %v / %v", all, pads)
	}
	// Plugging at a taken path replaces the device.
	pad2 := b.Plug(hidsim.PadInfo())
	if _, err := pad.Open(); !errors.Is(err, hidsim.ErrUnplugged) {
		t.Fatal("the replaced device still opens")
	}
	if b.Device(hidsim.PadInfo().Path) != pad2 {
		t.Fatal("not replaced")
	}
	b.Unplug(hidsim.PadInfo().Path)
	if pads, _ := b.Enumerate(hidsim.VendorID, hidsim.PadProductID); len(pads) != 0 {
		t.Fatalf("unplugged pad listed: %v", pads)
	}
	if _, err := b.Open(hidsim.PadInfo()); !errors.Is(err, hidsim.ErrUnplugged) {
		t.Fatalf("open unplugged: %v", err)
	}
	if b.Enumerations() != 3 {
		t.Errorf("enumerations %d", b.Enumerations())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := b.WaitEnumerations(ctx, 10); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitEnumerations = %v", err)
	}
}

func TestPlay(t *testing.T) {
	d := hidsim.NewDevice(hidsim.PadInfo())
	h, _ := d.Open()
	defer h.Close()
	steps := []hidsim.Step{{Report: []byte{1}}, {Pause: time.Millisecond}, {Report: []byte{2}}}
	if err := d.Play(context.Background(), steps); err != nil {
		t.Fatal(err)
	}
	if d.Pending() != 2 {
		t.Fatalf("pending %d", d.Pending())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Play(ctx, []hidsim.Step{{Pause: time.Hour}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Play = %v", err)
	}
}

func TestGenerators(t *testing.T) {
	if _, err := hidsim.KeyboardScan("caf\u00e9"); err == nil {
		t.Error("non-ASCII typed")
	}
	r, err := hidsim.KeyboardScan("A")
	if err != nil || len(r) != 4 || r[0][0] != hid.ModLeftShift || r[0][2] != hid.UsageA || r[2][2] != hid.UsageEnter {
		t.Errorf("KeyboardScan(A) = % X, %v", r, err)
	}
	empty := hidsim.POSScan(hid.DefaultPOSFormat(), nil)
	if len(empty) != 1 || len(empty[0]) != 64 || empty[0][0] != 0x02 || empty[0][1] != 0 {
		t.Errorf("POSScan(nil) = % X", empty)
	}
	m := hid.KeyMap{Name: "far", Mode: hid.KeyMapReport, ReportID: 7, Keys: []hid.KeyBinding{{Index: 11, Value: 0x40, Level: 2}}}
	p, err := hidsim.PadPress(m, 2)
	if err != nil || len(p) != 2 || len(p[0]) != 12 || p[0][0] != 7 || p[0][11] != 0x40 || p[1][11] != 0 {
		t.Errorf("PadPress = % X, %v", p, err)
	}
	if _, err := hidsim.PadPress(m, 3); err == nil {
		t.Error("a press of an unbound level")
	}
	kb := hid.KeyMap{Name: "kb", Mode: hid.KeyMapKeyboard, ReportID: 1, Keys: []hid.KeyBinding{{Value: 0x1E, Level: 1}}}
	p, err = hidsim.PadPress(kb, 1)
	if err != nil || len(p[0]) != 9 || p[0][0] != 1 || p[0][3] != 0x1E {
		t.Errorf("PadPress keyboard with ID = % X, %v", p, err)
	}
}
