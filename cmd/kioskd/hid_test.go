// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/devices/hid"
	"yichuang/devices/sim/hidsim"
	"yichuang/kiosk"
)

type fakeRater struct {
	mu    sync.Mutex
	rated []string
}

func (f *fakeRater) RateLast(ctx context.Context, a kiosk.Actor, window, level int) (kiosk.Rating, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rated = append(f.rated, fmt.Sprintf("%s w%d l%d", a.Role, window, level))
	return kiosk.Rating{}, nil
}

type fakeEmitter struct {
	mu     sync.Mutex
	events []string
}

func (f *fakeEmitter) Emit(ctx context.Context, typ string, data any, terminal string, private map[string]any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, fmt.Sprintf("%s %v %s", typ, data, terminal))
	return nil
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHIDDevicesWired: a key on the simulated rating pad rates window 3's
// last service; a QR scan reaches the terminal's page as qr.scanned.
func TestHIDDevicesWired(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pad, reader := hidsim.PadInfo(), hidsim.ReaderInfo()
	cfg, err := config.Parse([]byte(fmt.Sprintf(`terminals = [{ id = "kiosk-1", role = "kiosk", token = "kiosk-token-0123456789" }]
[devices.rating_pad]
device = "%04x:%04x"
window = 3
[devices.qr]
device = "%04x:%04x"
mode = "hidpos"
`, pad.VendorID, pad.ProductID, reader.VendorID, reader.ProductID)))
	if err != nil {
		t.Fatal(err)
	}
	bus := hidsim.NewBus()
	padDev := bus.Plug(pad)
	readerDev := bus.Plug(reader)
	health := devices.NewHealth(nil)
	r, e := &fakeRater{}, &fakeEmitter{}
	log := slog.New(slog.DiscardHandler)
	if err := startRatingPad(ctx, cfg, r, health, log, bus); err != nil {
		t.Fatal(err)
	}
	if err := startQRReader(ctx, cfg, e, health, log, bus); err != nil {
		t.Fatal(err)
	}
	km, _ := hid.LookupKeyMap("keyboard")
	press, err := hidsim.PadPress(km, 5)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the pad to open", func() bool { s, ok := health.Get("rating_pad"); return ok && s.State == devices.StateOK })
	padDev.Send(press...)
	waitFor(t, "the rating", func() bool { r.mu.Lock(); defer r.mu.Unlock(); return len(r.rated) == 1 })
	if r.rated[0] != "window w3 l5" {
		t.Fatalf("rated %v", r.rated)
	}
	waitFor(t, "the reader to open", func() bool { s, ok := health.Get("qr_reader"); return ok && s.State == devices.StateOK })
	readerDev.Send(hidsim.POSScan(hid.DefaultPOSFormat(), []byte("HJ-APPT-1\r\n"))...)
	waitFor(t, "the scan", func() bool { e.mu.Lock(); defer e.mu.Unlock(); return len(e.events) == 1 })
	if e.events[0] != "qr.scanned map[data:HJ-APPT-1] kiosk-1" {
		t.Fatalf("events %v", e.events)
	}
	bad, _ := config.Parse([]byte("[devices.rating_pad]\ndevice = \"zz\"\nwindow = 3\n"))
	if err := startRatingPad(ctx, bad, r, health, log, bus); err == nil {
		t.Fatal("a bad selector was taken")
	}
}
