// SPDX-License-Identifier: AGPL-3.0-or-later

package hid_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"yichuang/devices/hid"
	"yichuang/devices/sim/hidsim"
)

func TestCodeKeysKeyMap(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   hid.CodeKeys
		want hid.KeyMap
	}{
		{"keyboard by default", hid.CodeKeys{Name: "a-e", Codes: map[byte]int{0x08: 1, 0x04: 5, 0x06: 3}},
			hid.KeyMap{Name: "a-e", Mode: hid.KeyMapKeyboard, Keys: []hid.KeyBinding{{Value: 0x04, Level: 5}, {Value: 0x06, Level: 3}, {Value: 0x08, Level: 1}}}},
		{"keyboard with a report ID", hid.CodeKeys{Format: hid.CodeKeyboard, ReportID: 1, Codes: map[byte]int{0x59: 1}},
			hid.KeyMap{Mode: hid.KeyMapKeyboard, ReportID: 1, Keys: []hid.KeyBinding{{Value: 0x59, Level: 1}}}},
		{"code", hid.CodeKeys{Format: hid.CodeReport, ReportID: 2, Byte: 3, Codes: map[byte]int{0x0B: 4, 0x0A: 5}},
			hid.KeyMap{Mode: hid.KeyMapReport, ReportID: 2, Keys: []hid.KeyBinding{{Index: 3, Value: 0x0A, Level: 5}, {Index: 3, Value: 0x0B, Level: 4}}}},
		{"bitmap", hid.CodeKeys{Format: hid.CodeBitmap, Byte: 1, Codes: map[byte]int{0x10: 5, 0x01: 1}},
			hid.KeyMap{Mode: hid.KeyMapReport, Keys: []hid.KeyBinding{{Index: 1, Mask: 0x01, Value: 0x01, Level: 1}, {Index: 1, Mask: 0x10, Value: 0x10, Level: 5}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.KeyMap()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("KeyMap() =\n%+v, want\n%+v", got, tc.want)
			}
		})
	}
}

func TestCodeKeysErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   hid.CodeKeys
		msg  string
	}{
		{"unknown format", hid.CodeKeys{Name: "p", Format: "midi", Codes: map[byte]int{4: 1}}, `hid: bad key map "p": code format "midi" is not "keyboard", "code" or "bitmap"`},
		{"no keys", hid.CodeKeys{Name: "p"}, `hid: bad key map "p": no keys`},
		{"level 6", hid.CodeKeys{Name: "p", Codes: map[byte]int{0x1E: 6}}, `hid: bad key map "p": key 1: level 6 is not 1..5`},
		{"keyboard code 1", hid.CodeKeys{Name: "p", Codes: map[byte]int{0x01: 2}}, `hid: bad key map "p": key 1: 0x01 is not a key usage`},
		{"code 0", hid.CodeKeys{Name: "p", Format: hid.CodeReport, Byte: 1, Codes: map[byte]int{0: 2}}, `hid: bad key map "p": key 1: value 0x00 is 0 or outside mask 0xff`},
		{"byte of the report ID", hid.CodeKeys{Name: "p", Format: hid.CodeReport, ReportID: 2, Codes: map[byte]int{1: 2}}, `hid: bad key map "p": key 1: byte 0 is the report ID`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.in.KeyMap()
			if !errors.Is(err, hid.ErrKeyMap) || err.Error() != tc.msg {
				t.Errorf("KeyMap() error %v, want %q", err, tc.msg)
			}
		})
	}
}

// TestCodeKeysThroughDriver plugs simulated pads of three models into a
// bus and presses their keys as each model reports them: the real driver
// (RunPad, KeyDecoder) turns them into the configured levels.
func TestCodeKeysThroughDriver(t *testing.T) {
	release := func(n int, first byte) []byte { b := make([]byte, n); b[0] = first; return b }
	report := func(n int, first byte, i int, v byte) []byte { b := release(n, first); b[i] = v; return b }
	for _, tc := range []struct {
		name    string
		keys    hid.CodeKeys
		reports [][]byte
		want    []int
	}{
		{"keypad typing a..e", hid.CodeKeys{Codes: map[byte]int{0x04: 5, 0x05: 4, 0x06: 3, 0x07: 2, 0x08: 1}},
			[][]byte{hid.KeyboardReport(0, 0x04), hid.KeyboardReport(0), hid.KeyboardReport(0, 0x1E), hid.KeyboardReport(0),
				hid.KeyboardReport(0, 0x08), hid.KeyboardReport(0), hid.KeyboardReport(0, 0x06), hid.KeyboardReport(0)},
			[]int{5, 1, 3}}, // 0x1E ("1") is no key of this pad
		{"vendor pad, report 0x02, code in byte 3", hid.CodeKeys{Format: hid.CodeReport, ReportID: 0x02, Byte: 3, Codes: map[byte]int{0x0A: 5, 0x0B: 4, 0x0C: 3, 0x0D: 2, 0x0E: 1}},
			[][]byte{report(8, 2, 3, 0x0B), release(8, 2), report(8, 3, 3, 0x0A), release(8, 3), report(8, 2, 3, 0x0E), release(8, 2),
				report(8, 2, 3, 0x0A), release(8, 2)},
			[]int{4, 1, 5}}, // report ID 3 is not the keys'
		{"bitmap pad, no report ID, byte 1", hid.CodeKeys{Format: hid.CodeBitmap, Byte: 1, Codes: map[byte]int{0x10: 5, 0x08: 4, 0x04: 3, 0x02: 2, 0x01: 1}},
			[][]byte{report(4, 0, 1, 0x10), release(4, 0), report(4, 0, 1, 0x04), release(4, 0), report(4, 0, 1, 0x02), release(4, 0)},
			[]int{5, 3, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			km, err := tc.keys.KeyMap()
			if err != nil {
				t.Fatal(err)
			}
			dec, err := hid.NewKeyDecoder(km, -1)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(testCtx(t))
			defer cancel()
			bus := hidsim.NewBus()
			pad := bus.Plug(hidsim.PadInfo())
			r := newRecorder()
			done := make(chan error, 1)
			go func() { done <- hid.RunPad(ctx, hid.Find(bus, padSelector()), fastOpts(r), dec, r.key, r.status) }()
			if err := pad.WaitOpen(ctx); err != nil {
				t.Fatal(err)
			}
			pad.Send(tc.reports...)
			r.waitFor(t, "the keys", func() bool { return len(r.levels()) >= len(tc.want) })
			if err := pad.WaitIdle(ctx); err != nil {
				t.Fatal(err)
			}
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("RunPad = %v", err)
			}
			if got := r.levels(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("levels %v, want %v", got, tc.want)
			}
		})
	}
}
