// SPDX-License-Identifier: AGPL-3.0-or-later

package hid_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"yichuang/devices/hid"
	"yichuang/devices/sim/hidsim"
)

func keyMap(t *testing.T, name string) hid.KeyMap {
	t.Helper()
	m, err := hid.LookupKeyMap(name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestKeyMapsValid(t *testing.T) {
	maps := hid.KeyMaps()
	if len(maps) != 3 {
		t.Fatalf("%d key maps", len(maps))
	}
	for _, m := range maps {
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", m.Name, err)
		}
		// Every level has a key.
		for l := hid.LevelMin; l <= hid.LevelMax; l++ {
			if _, err := hidsim.PadPress(m, l); err != nil {
				t.Errorf("%s: %v", m.Name, err)
			}
		}
	}
	// Fresh values each call.
	maps[0].Keys[0].Level = 9
	if hid.KeyMaps()[0].Keys[0].Level == 9 {
		t.Error("KeyMaps shares its values")
	}
	if _, err := hid.LookupKeyMap("nope"); !errors.Is(err, hid.ErrKeyMap) {
		t.Errorf("LookupKeyMap(nope) = %v", err)
	}
}

// decodeKeys feeds reports dt apart and returns the levels pressed.
func decodeKeys(t *testing.T, k *hid.KeyDecoder, reports [][]byte, dt time.Duration) ([]int, []error) {
	t.Helper()
	var levels []int
	var errs []error
	for i, r := range reports {
		key, ok, err := k.Decode(r, t0.Add(time.Duration(i)*dt))
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			levels = append(levels, key.Level)
		}
	}
	return levels, errs
}

func TestKeyDecoder(t *testing.T) {
	kbd := func(keys ...byte) []byte { return kr(0, keys...) }
	code := func(n byte) []byte { return []byte{0x01, n, 0, 0, 0, 0, 0, 0} }
	bits := func(b byte) []byte { return []byte{0, 0, b, 0} }
	tests := []struct {
		name    string
		keyMap  string
		reports [][]byte
		want    []int
		errs    []error
	}{
		{"keyboard: digits 1..5 are levels 1..5", "keyboard", [][]byte{
			kbd(0x1E), kbd(), kbd(0x1F), kbd(), kbd(0x20), kbd(), kbd(0x21), kbd(), kbd(0x22), kbd(),
		}, []int{1, 2, 3, 4, 5}, nil},
		{"keyboard: keypad digits", "keyboard", [][]byte{kbd(0x5D), kbd(), kbd(0x59), kbd()}, []int{5, 1}, nil},
		{"keyboard: held key is one press", "keyboard", [][]byte{kbd(0x22), kbd(0x22), kbd(0x22), kbd()}, []int{5}, nil},
		{"keyboard: other keys ignored", "keyboard", [][]byte{kbd(0x23), kbd(), kbd(hid.UsageEnter), kbd(), kbd(hid.UsageA), kbd()}, nil, nil},
		{"keyboard: NumLock with a key", "keyboard", [][]byte{kbd(0x53, 0x5B), kbd()}, []int{3}, nil},
		{"keyboard: second key while first held", "keyboard", [][]byte{kbd(0x1E), kbd(0x1E, 0x1F), kbd()}, []int{1, 2}, nil},
		{"keyboard: two levels at once", "keyboard", [][]byte{kbd(0x1E, 0x1F), kbd()}, nil, []error{hid.ErrAmbiguous}},
		{"keyboard: same level twice at once is one", "keyboard", [][]byte{kbd(0x1E, 0x59), kbd()}, []int{1}, nil},
		{"keyboard: rollover", "keyboard", [][]byte{kbd(0x1E), kbd(1, 1, 1, 1, 1, 1), kbd(0x1E), kbd()}, []int{1}, nil},
		{"keyboard: short report", "keyboard", [][]byte{{0, 0, 0x1E}, kbd(0x1E)}, []int{1}, []error{hid.ErrReport}},
		{"code: left key is 非常满意", "example-code", [][]byte{code(1), code(0), code(5), code(0), code(3), code(0)}, []int{5, 1, 3}, nil},
		{"code: held and repeated", "example-code", [][]byte{code(2), code(2), code(2), code(0)}, []int{4}, nil},
		{"code: key change without release", "example-code", [][]byte{code(2), code(4), code(0)}, []int{4, 2}, nil},
		{"code: other report ID ignored", "example-code", [][]byte{{0x02, 1, 0, 0}, {}, code(0)}, nil, nil},
		{"code: unknown value ignored", "example-code", [][]byte{code(9), code(0)}, nil, nil},
		{"code: short report releases", "example-code", [][]byte{code(1), {0x01}, code(1)}, []int{5, 5}, nil},
		{"bitmap: bits 0..4 are levels 1..5", "example-bitmap", [][]byte{bits(0x10), bits(0), bits(0x01), bits(0)}, []int{5, 1}, nil},
		{"bitmap: other bits ignored", "example-bitmap", [][]byte{bits(0xE0), bits(0x04 | 0x80), bits(0)}, []int{3}, nil},
		{"bitmap: second key added", "example-bitmap", [][]byte{bits(0x01), bits(0x03), bits(0x02), bits(0)}, []int{1, 2}, nil},
		{"bitmap: two at once", "example-bitmap", [][]byte{bits(0x03), bits(0)}, nil, []error{hid.ErrAmbiguous}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := hid.NewKeyDecoder(keyMap(t, tt.keyMap), -1)
			if err != nil {
				t.Fatal(err)
			}
			got, errs := decodeKeys(t, k, tt.reports, 100*time.Millisecond)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("levels %v, want %v", got, tt.want)
			}
			checkErrs(t, errs, tt.errs)
		})
	}
}

func TestKeyDecoderDebounce(t *testing.T) {
	k, err := hid.NewKeyDecoder(keyMap(t, "keyboard"), 0) // DefaultDebounce
	if err != nil {
		t.Fatal(err)
	}
	five := []byte{0, 0, 0x22, 0, 0, 0, 0, 0}
	up := kr(0)
	press := func(r []byte, at time.Duration) (hid.Key, bool) {
		key, ok, err := k.Decode(r, t0.Add(at))
		if err != nil {
			t.Fatal(err)
		}
		return key, ok
	}
	if key, ok := press(five, 0); !ok || key.Level != 5 || !key.At.Equal(t0) {
		t.Fatalf("first press: %+v %v", key, ok)
	}
	press(up, 20*time.Millisecond)
	if _, ok := press(five, 40*time.Millisecond); ok {
		t.Fatal("a bounce 40 ms later counted")
	}
	press(up, 60*time.Millisecond)
	// Another level is not a bounce.
	if key, ok := press(kr(0, 0x21), 80*time.Millisecond); !ok || key.Level != 4 {
		t.Fatal("another key within the debounce time was lost")
	}
	press(up, 100*time.Millisecond)
	if key, ok := press(five, 100*time.Millisecond+hid.DefaultDebounce); !ok || key.Level != 5 {
		t.Fatal("a press after the debounce time was lost")
	}
	// Reset forgets everything, including a key held.
	k.Reset()
	if _, ok := press(five, 100*time.Millisecond+hid.DefaultDebounce+time.Millisecond); !ok {
		t.Fatal("after Reset, a press within the debounce time was lost")
	}
}

func TestKeyMapValidate(t *testing.T) {
	good := hid.KeyBinding{Index: 1, Value: 1, Level: 5}
	tests := []struct {
		name string
		m    hid.KeyMap
	}{
		{"no mode", hid.KeyMap{Keys: []hid.KeyBinding{good}}},
		{"unknown mode", hid.KeyMap{Mode: "midi", Keys: []hid.KeyBinding{good}}},
		{"no keys", hid.KeyMap{Mode: hid.KeyMapReport}},
		{"level 0", hid.KeyMap{Mode: hid.KeyMapReport, Keys: []hid.KeyBinding{{Index: 1, Value: 1, Level: 0}}}},
		{"level 6", hid.KeyMap{Mode: hid.KeyMapReport, Keys: []hid.KeyBinding{{Index: 1, Value: 1, Level: 6}}}},
		{"value 0", hid.KeyMap{Mode: hid.KeyMapReport, Keys: []hid.KeyBinding{{Index: 1, Value: 0, Level: 1}}}},
		{"value outside mask", hid.KeyMap{Mode: hid.KeyMapReport, Keys: []hid.KeyBinding{{Index: 1, Mask: 0x0F, Value: 0x10, Level: 1}}}},
		{"negative index", hid.KeyMap{Mode: hid.KeyMapReport, Keys: []hid.KeyBinding{{Index: -1, Value: 1, Level: 1}}}},
		{"index of the report ID", hid.KeyMap{Mode: hid.KeyMapReport, ReportID: 1, Keys: []hid.KeyBinding{{Index: 0, Value: 1, Level: 1}}}},
		{"bound twice", hid.KeyMap{Mode: hid.KeyMapReport, Keys: []hid.KeyBinding{good, {Index: 1, Value: 1, Level: 4}}}},
		{"keyboard: not a key", hid.KeyMap{Mode: hid.KeyMapKeyboard, Keys: []hid.KeyBinding{{Value: 0x01, Level: 1}}}},
		{"keyboard: bound twice", hid.KeyMap{Mode: hid.KeyMapKeyboard, Keys: []hid.KeyBinding{{Value: 0x1E, Level: 1}, {Value: 0x1E, Level: 2}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.m.Validate(); !errors.Is(err, hid.ErrKeyMap) {
				t.Errorf("Validate = %v", err)
			}
			if _, err := hid.NewKeyDecoder(tt.m, 0); !errors.Is(err, hid.ErrKeyMap) {
				t.Errorf("NewKeyDecoder = %v", err)
			}
		})
	}
}
