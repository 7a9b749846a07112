// SPDX-License-Identifier: AGPL-3.0-or-later

package hid_test

import (
	"errors"
	"reflect"
	"testing"

	"yichuang/devices/hid"
)

var kr = hid.KeyboardReport

func TestBootKeyboard(t *testing.T) {
	const (
		a     = hid.UsageA
		b     = hid.UsageA + 1
		c     = hid.UsageA + 2
		shift = hid.ModLeftShift
	)
	type step struct {
		report []byte
		down   []hid.Keystroke
		err    error
	}
	ks := func(mods byte, us ...byte) []hid.Keystroke {
		var out []hid.Keystroke
		for _, u := range us {
			out = append(out, hid.Keystroke{Usage: u, Modifiers: mods})
		}
		return out
	}
	tests := []struct {
		name     string
		reportID byte
		steps    []step
	}{
		{"press and release", 0, []step{
			{kr(0, a), ks(0, a), nil},
			{kr(0), nil, nil},
			{kr(0, a), ks(0, a), nil},
		}},
		{"held key repeated goes down once", 0, []step{
			{kr(0, a), ks(0, a), nil},
			{kr(0, a), nil, nil},
			{kr(0, a), nil, nil},
			{kr(0), nil, nil},
		}},
		{"second key while first held", 0, []step{
			{kr(0, a), ks(0, a), nil},
			{kr(0, a, b), ks(0, b), nil},
			{kr(0, b), nil, nil}, // a released, b still held
			{kr(0, b, a), ks(0, a), nil},
		}},
		{"two keys in one report, in report order", 0, []step{
			{kr(0, c, a), ks(0, c, a), nil},
		}},
		{"slot order changes are not presses", 0, []step{
			{kr(0, a, b), ks(0, a, b), nil},
			{kr(0, b, a), nil, nil},
		}},
		{"duplicate slots count once", 0, []step{
			{kr(0, a, a), ks(0, a), nil},
		}},
		{"modifiers go with the key", 0, []step{
			{kr(shift, a), ks(shift, a), nil},
			{kr(0), nil, nil},
			{kr(hid.ModRightShift|hid.ModLeftCtrl, b), ks(hid.ModRightShift|hid.ModLeftCtrl, b), nil},
		}},
		{"modifier alone is no key", 0, []step{
			{kr(shift), nil, nil},
			{kr(shift, a), ks(shift, a), nil},
			{kr(0, a), nil, nil}, // shift released while a held: no new press
		}},
		{"rollover keeps the keys held", 0, []step{
			{kr(0, a, b), ks(0, a, b), nil},
			{kr(0, 1, 1, 1, 1, 1, 1), nil, nil},
			{kr(0, a, b, c), ks(0, c), nil},
		}},
		{"post fail and undefined are error states", 0, []step{
			{kr(0, 2, 2, 2, 2, 2, 2), nil, nil},
			{kr(0, 3, 3, 3, 3, 3, 3), nil, nil},
			{kr(0, a), ks(0, a), nil},
		}},
		{"short report", 0, []step{
			{[]byte{0, 0, a}, nil, hid.ErrReport},
			{kr(0, a), ks(0, a), nil},
		}},
		{"longer report: the rest ignored", 0, []step{
			{append(kr(0, a), 0xFF, 0xFF), ks(0, a), nil},
		}},
		{"report ID stripped, other IDs skipped", 1, []step{
			{append([]byte{1}, kr(0, a)...), ks(0, a), nil},
			{append([]byte{2}, kr(0, b)...), nil, nil},
			{append([]byte{1}, kr(0)...), nil, nil},
			{nil, nil, nil},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := hid.BootKeyboard{ReportID: tt.reportID}
			for i, s := range tt.steps {
				got, err := k.Decode(s.report)
				if !errors.Is(err, s.err) || (err == nil) != (s.err == nil) {
					t.Fatalf("step %d: err %v, want %v", i, err, s.err)
				}
				if !reflect.DeepEqual(got, s.down) {
					t.Fatalf("step %d: % X: down %v, want %v", i, s.report, got, s.down)
				}
			}
		})
	}
}

func TestBootKeyboardReset(t *testing.T) {
	var k hid.BootKeyboard
	k.Decode(kr(0, hid.UsageA))
	k.Reset()
	if got, _ := k.Decode(kr(0, hid.UsageA)); len(got) != 1 {
		t.Fatalf("after Reset a held key goes down again, got %v", got)
	}
}

func TestASCII(t *testing.T) {
	tests := []struct {
		usage byte
		shift bool
		want  byte
		ok    bool
	}{
		{0x04, false, 'a', true}, {0x04, true, 'A', true}, {0x1D, true, 'Z', true},
		{0x1E, false, '1', true}, {0x1E, true, '!', true}, {0x27, false, '0', true}, {0x27, true, ')', true},
		{0x2C, false, ' ', true},
		{0x33, true, ':', true}, {0x38, false, '/', true}, {0x38, true, '?', true}, {0x2E, false, '=', true},
		{0x24, true, '&', true}, {0x2D, true, '_', true}, {0x34, true, '"', true}, {0x35, true, '~', true},
		{0x32, false, '\\', true},
		{0x59, false, '1', true}, {0x59, true, '1', true}, {0x62, false, '0', true}, {0x63, false, '.', true}, {0x54, false, '/', true},
		{hid.UsageEnter, false, 0, false}, {0x2B, false, 0, false}, {0x3A, false, 0, false}, {0, false, 0, false}, {0xE1, false, 0, false},
	}
	for _, tt := range tests {
		got, ok := hid.ASCII(tt.usage, tt.shift)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ASCII(%#02x, %v) = %q, %v; want %q, %v", tt.usage, tt.shift, got, ok, tt.want, tt.ok)
		}
	}
}

// Every printable ASCII character has a key, and that key types it.
func TestKeyForRoundTrip(t *testing.T) {
	for c := byte(0x20); c < 0x7F; c++ {
		u, shift, ok := hid.KeyFor(c)
		if !ok {
			t.Errorf("no key for %q", c)
			continue
		}
		if got, ok := hid.ASCII(u, shift); !ok || got != c {
			t.Errorf("KeyFor(%q) = %#02x, %v: types %q", c, u, shift, got)
		}
	}
	if _, _, ok := hid.KeyFor('\n'); ok {
		t.Error("a key for newline")
	}
	if _, _, ok := hid.KeyFor(0xE4); ok {
		t.Error("a key for a non-ASCII byte")
	}
}

func TestKeystrokeChar(t *testing.T) {
	if c, ok := (hid.Keystroke{Usage: hid.UsageA, Modifiers: hid.ModRightShift}).Char(); !ok || c != 'A' {
		t.Errorf("right shift a = %q, %v", c, ok)
	}
	if _, ok := (hid.Keystroke{Usage: hid.UsageA, Modifiers: hid.ModLeftCtrl}).Char(); ok {
		t.Error("ctrl-a typed a character")
	}
}
