// SPDX-License-Identifier: AGPL-3.0-or-later

package hid_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"yichuang/devices"
	"yichuang/devices/hid"
	"yichuang/devices/sim/hidsim"
)

var update = flag.Bool("update", false, "rewrite the golden report sequences in testdata/hid")

const goldenDir = "../../testdata/hid"

const (
	goldenURL     = "https://zwfw.example.gov.cn/hall/check-in?code=YY20240601A007&window=3&lang=zh-CN&sig=9f86d081884c7d659a2feaa0c55ad015"
	goldenCheckIn = "YY20240601A007"
)

type golden struct {
	name, desc string
	steps      func(t *testing.T) []hidsim.Step
	keyMap     string       // a pad sequence: decoded with this key map ...
	levels     []int        // ... to these levels
	mode       hid.ScanMode // a reader sequence: decoded in this mode ...
	scans      []string     // ... to these scans
}

func goldenSequences() []golden {
	pad := func(name string, levels ...int) func(t *testing.T) []hidsim.Step {
		return func(t *testing.T) []hidsim.Step {
			var steps []hidsim.Step
			for _, l := range levels {
				r, err := hidsim.PadPress(keyMap(t, name), l)
				if err != nil {
					t.Fatal(err)
				}
				// Hold the key for three reports, as pads repeat them.
				steps = append(steps, hidsim.Reports(r[0], r[0], r[0], r[1])...)
			}
			return steps
		}
	}
	pos := func(s string) func(t *testing.T) []hidsim.Step {
		return func(t *testing.T) []hidsim.Step {
			return hidsim.Reports(hidsim.POSScan(hid.DefaultPOSFormat(), []byte(s))...)
		}
	}
	kbd := func(s string) func(t *testing.T) []hidsim.Step {
		return func(t *testing.T) []hidsim.Step { return hidsim.Reports(mustKeyboardScan(t, s)...) }
	}
	return []golden{
		{name: "pad_keyboard", desc: "rating pad, generic keyboard map: keys 5 4 3 2 1 (usages 0x22..0x1E), each held for 3 reports",
			steps: pad("keyboard", 5, 4, 3, 2, 1), keyMap: "keyboard", levels: []int{5, 4, 3, 2, 1}},
		{name: "pad_example_code", desc: "rating pad, example-code map: report ID 1, key number in byte 1; levels 5 3 1",
			steps: pad("example-code", 5, 3, 1), keyMap: "example-code", levels: []int{5, 3, 1}},
		{name: "pad_example_bitmap", desc: "rating pad, example-bitmap map: byte 2 bit l-1 for level l; levels 1 5 4",
			steps: pad("example-bitmap", 1, 5, 4), keyMap: "example-bitmap", levels: []int{1, 5, 4}},
		{name: "pad_unplug", desc: "rating pad, keyboard map: key 5, then the pad is unplugged",
			steps: func(t *testing.T) []hidsim.Step {
				return append(pad("keyboard", 5)(t), hidsim.Step{Pause: 10 * time.Millisecond}, hidsim.Step{Unplug: true})
			}, keyMap: "keyboard", levels: []int{5}},
		{name: "qr_hidpos_url", desc: "QR reader, HID-POS: a " + strconv.Itoa(len(goldenURL)) + "-byte URL in 64-byte reports (ID 0x02, length, 56 data bytes, byte 63 bit 0 = more)",
			steps: pos(goldenURL), mode: hid.ModePOS, scans: []string{goldenURL}},
		{name: "qr_hidpos_checkin", desc: "QR reader, HID-POS: an appointment check-in code with a CR suffix",
			steps: pos(goldenCheckIn + "\r"), mode: hid.ModePOS, scans: []string{goldenCheckIn}},
		{name: "qr_keyboard_url", desc: "QR reader, keyboard emulation: the URL typed on a US layout (Shift for capitals, ':', '?'), then Enter",
			steps: kbd(goldenURL), mode: hid.ModeKeyboard, scans: []string{goldenURL}},
		{name: "qr_keyboard_checkin", desc: "QR reader, keyboard emulation: a check-in code, then Enter",
			steps: kbd(goldenCheckIn), mode: hid.ModeKeyboard, scans: []string{goldenCheckIn}},
	}
}

func TestGolden(t *testing.T) {
	for _, g := range goldenSequences() {
		t.Run(g.name, func(t *testing.T) {
			path := filepath.Join(goldenDir, g.name+".hex")
			steps := g.steps(t)
			if *update {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				desc := g.desc + "\none input report a line, in hex; regenerate with: go test ./devices/hid -run TestGolden -update"
				if err := os.WriteFile(path, hidsim.FormatHex(desc, steps), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			recorded, err := hidsim.ParseHex(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(recorded, steps) {
				t.Fatalf("generator and golden file differ:\n%s\nwant\n%s", hidsim.FormatHex("", steps), data)
			}
			// Decode the recorded reports, as read from the file.
			reports := hidsim.ReportsOf(recorded)
			if g.keyMap != "" {
				k, err := hid.NewKeyDecoder(keyMap(t, g.keyMap), 0)
				if err != nil {
					t.Fatal(err)
				}
				got, errs := decodeKeys(t, k, reports, time.Second)
				if !reflect.DeepEqual(got, g.levels) || errs != nil {
					t.Errorf("levels %v, %v; want %v", got, errs, g.levels)
				}
				return
			}
			dec, err := hid.NewScanDecoder(&hid.ScanOpts{Mode: g.mode})
			if err != nil {
				t.Fatal(err)
			}
			got, errs := feed(t, dec, reports)
			if !reflect.DeepEqual(got, g.scans) || errs != nil {
				t.Errorf("scans %q, %v; want %q", got, errs, g.scans)
			}
		})
	}
}

// A recorded sequence played on a simulated bus through the real driver:
// the key, the unplug, and the pad found again after the replug.
func TestGoldenPlayUnplug(t *testing.T) {
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	data, err := os.ReadFile(filepath.Join(goldenDir, "pad_unplug.hex"))
	if err != nil {
		t.Fatal(err)
	}
	steps, err := hidsim.ParseHex(data)
	if err != nil {
		t.Fatal(err)
	}
	bus := hidsim.NewBus()
	pad := bus.Plug(hidsim.PadInfo())
	dec, err := hid.NewKeyDecoder(keyMap(t, "keyboard"), 0)
	if err != nil {
		t.Fatal(err)
	}
	r := newRecorder()
	done := make(chan error, 1)
	go func() { done <- hid.RunPad(ctx, hid.Find(bus, padSelector()), fastOpts(r), dec, r.key, r.status) }()
	if err := pad.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pad.Play(ctx, steps); err != nil {
		t.Fatal(err)
	}
	r.waitFor(t, "offline", func() bool { return len(r.states()) == 2 })
	pad = bus.Plug(hidsim.PadInfo())
	if err := pad.Play(ctx, steps); err != nil {
		t.Fatal(err)
	}
	r.waitFor(t, "offline again", func() bool { return len(r.states()) == 4 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if got := r.levels(); !reflect.DeepEqual(got, []int{5, 5}) {
		t.Errorf("levels %v", got)
	}
	want := []devices.State{devices.StateOK, devices.StateOffline, devices.StateOK, devices.StateOffline}
	if got := r.states(); !reflect.DeepEqual(got, want) {
		t.Errorf("states %v", got)
	}
}

func TestParseHex(t *testing.T) {
	steps, err := hidsim.ParseHex([]byte("# c\n\n00 01\n0203\npause 5ms\nunplug\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []hidsim.Step{{Report: []byte{0, 1}}, {Report: []byte{2, 3}}, {Pause: 5 * time.Millisecond}, {Unplug: true}}
	if !reflect.DeepEqual(steps, want) {
		t.Fatalf("%+v", steps)
	}
	if again, _ := hidsim.ParseHex(hidsim.FormatHex("x", steps)); !reflect.DeepEqual(again, steps) {
		t.Fatalf("round trip %+v", again)
	}
	for _, bad := range []string{"0g", "0", "pause x", "pause -1s"} {
		if _, err := hidsim.ParseHex([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
