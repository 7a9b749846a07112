// SPDX-License-Identifier: AGPL-3.0-or-later

package hid

import (
	"fmt"
	"time"
)

// Rating levels (DESIGN.md: 5 = 非常满意 … 1 = 非常不满意).
const (
	LevelMin = 1
	LevelMax = 5
)

// Key is one press of a rating pad key.
type Key struct {
	Level int // 1..5: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意
	At    time.Time
}

// KeyMapMode says how a pad's reports carry its keys.
type KeyMapMode string

// Key map modes.
const (
	// KeyMapKeyboard: the pad is a HID keyboard sending boot keyboard
	// reports; a binding's Value is a keyboard usage code.
	KeyMapKeyboard KeyMapMode = "keyboard"
	// KeyMapReport: the pad sends vendor reports; a binding matches one
	// byte of them.
	KeyMapReport KeyMapMode = "report"
)

// KeyMap says which report contents are which rating key, for one pad
// model. It comes from config (TOML tags below) or from KeyMaps.
type KeyMap struct {
	Name string     `toml:"name"`
	Mode KeyMapMode `toml:"mode"`
	// ReportID, when not 0, is the first byte of the pad's key reports;
	// reports with another first byte are ignored.
	ReportID byte         `toml:"report_id"`
	Keys     []KeyBinding `toml:"keys"`
}

// KeyBinding is one key of a pad. Several bindings may share a level.
type KeyBinding struct {
	// Index (report mode) is the byte of the report that holds the key,
	// counting from the report's first byte (the report ID, if any).
	Index int `toml:"index"`
	// Mask (report mode) selects the bits of that byte the key owns; 0
	// means the whole byte.
	Mask byte `toml:"mask"`
	// Value is, in report mode, what the masked byte holds while the key
	// is down (not 0: that is what a pad sends with no key down); in
	// keyboard mode, the key's usage code (0x1E is 1, 0x59 keypad 1).
	Value byte `toml:"value"`
	// Level is the rating the key gives, 1..5.
	Level int `toml:"level"`
}

// Validate says what makes m unusable: an unknown mode, no keys, a level
// outside 1..5, a report binding whose value is 0 or outside its mask, two
// bindings for the same report contents.
func (m KeyMap) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w %q: %s", ErrKeyMap, m.Name, fmt.Sprintf(format, a...))
	}
	if m.Mode != KeyMapKeyboard && m.Mode != KeyMapReport {
		return bad("mode %q is not %q or %q", m.Mode, KeyMapKeyboard, KeyMapReport)
	}
	if len(m.Keys) == 0 {
		return bad("no keys")
	}
	type what struct {
		index      int
		mask, val  byte
		isKeyboard bool
	}
	seen := map[what]bool{}
	for i, k := range m.Keys {
		if k.Level < LevelMin || k.Level > LevelMax {
			return bad("key %d: level %d is not %d..%d", i+1, k.Level, LevelMin, LevelMax)
		}
		w := what{val: k.Value, isKeyboard: true}
		if m.Mode == KeyMapReport {
			mask := k.Mask
			if mask == 0 {
				mask = 0xFF
			}
			if k.Index < 0 || k.Index > 255 {
				return bad("key %d: byte index %d outside a report", i+1, k.Index)
			}
			if m.ReportID != 0 && k.Index == 0 {
				return bad("key %d: byte 0 is the report ID", i+1)
			}
			if k.Value == 0 || k.Value&^mask != 0 {
				return bad("key %d: value %#02x is 0 or outside mask %#02x", i+1, k.Value, mask)
			}
			w = what{index: k.Index, mask: mask, val: k.Value}
		} else if k.Value < UsageA {
			return bad("key %d: %#02x is not a key usage", i+1, k.Value)
		}
		if seen[w] {
			return bad("key %d: bound twice", i+1)
		}
		seen[w] = true
	}
	return nil
}

// KeyMaps returns the key maps this package knows, by name:
//
//   - "keyboard": the generic map of a pad that enumerates as a HID
//     keyboard (a cheap 5-key USB keypad) and types 1..5: usages 0x1E..0x22
//     on the main row or 0x59..0x5D on the keypad; digit n is level n.
//   - "example-code" and "example-bitmap": EXAMPLES of vendor pads, written
//     from the common shapes of vendor reports, not from a datasheet. Check a
//     pad's real reports (hidsim's hex format, `kioskd doctor`) before
//     using them, and write its own map in config otherwise.
//
// Each call returns fresh values: changing them changes nothing here.
func KeyMaps() []KeyMap {
	keyboard := KeyMap{Name: "keyboard", Mode: KeyMapKeyboard}
	for l := LevelMin; l <= LevelMax; l++ {
		off := byte(l - LevelMin)
		keyboard.Keys = append(keyboard.Keys,
			KeyBinding{Value: Usage1 + off, Level: l},
			KeyBinding{Value: UsageKeypad1 + off, Level: l})
	}
	// Example: an 8-byte report with report ID 0x01 and the number of the
	// key down in byte 1, keys numbered 1..5 from the left, where the left
	// key is 非常满意; byte 1 is 0 when the key is released.
	code := KeyMap{Name: "example-code", Mode: KeyMapReport, ReportID: 0x01}
	for n := 1; n <= 5; n++ {
		code.Keys = append(code.Keys, KeyBinding{Index: 1, Value: byte(n), Level: LevelMax + 1 - n})
	}
	// Example: a report without report ID whose byte 2 is a bitmap of the
	// keys down, bit 0 for 非常不满意 up to bit 4 for 非常满意.
	bitmap := KeyMap{Name: "example-bitmap", Mode: KeyMapReport}
	for l := LevelMin; l <= LevelMax; l++ {
		bit := byte(1) << (l - LevelMin)
		bitmap.Keys = append(bitmap.Keys, KeyBinding{Index: 2, Mask: bit, Value: bit, Level: l})
	}
	return []KeyMap{keyboard, code, bitmap}
}

// LookupKeyMap returns the key map of KeyMaps with this name.
func LookupKeyMap(name string) (KeyMap, error) {
	for _, m := range KeyMaps() {
		if m.Name == name {
			return m, nil
		}
	}
	return KeyMap{}, fmt.Errorf("%w: no key map named %q (known: keyboard, example-code, example-bitmap)", ErrKeyMap, name)
}

// DefaultDebounce is how long a second press of the same key is taken for
// the first one bouncing.
const DefaultDebounce = 300 * time.Millisecond

// KeyDecoder turns a rating pad's reports into key presses through a
// KeyMap: one Key per press, none while a key is held, none for a second
// press of the same key within the debounce time, none for a report that
// presses keys of two levels at once.
type KeyDecoder struct {
	m        KeyMap
	debounce time.Duration

	kb        BootKeyboard
	held      uint8 // report mode: bit l-1 set while a key of level l is down
	lastLevel int
	lastAt    time.Time
}

// NewKeyDecoder returns a decoder for m; debounce 0 means DefaultDebounce,
// negative none.
func NewKeyDecoder(m KeyMap, debounce time.Duration) (*KeyDecoder, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if debounce == 0 {
		debounce = DefaultDebounce
	}
	m.Keys = append([]KeyBinding(nil), m.Keys...)
	return &KeyDecoder{m: m, debounce: max(debounce, 0), kb: BootKeyboard{ReportID: m.ReportID}}, nil
}

// KeyMap returns the decoder's key map.
func (k *KeyDecoder) KeyMap() KeyMap {
	m := k.m
	m.Keys = append([]KeyBinding(nil), m.Keys...)
	return m
}

// Decode takes one input report received at at and returns the key it
// pressed, if any. Errors wrap ErrReport or ErrAmbiguous; the decoder
// stays usable after them.
func (k *KeyDecoder) Decode(report []byte, at time.Time) (Key, bool, error) {
	var levels uint8
	if k.m.Mode == KeyMapKeyboard {
		down, err := k.kb.Decode(report)
		if err != nil {
			return Key{}, false, err
		}
		for _, s := range down {
			for _, b := range k.m.Keys {
				if b.Value == s.Usage {
					levels |= 1 << (b.Level - 1)
				}
			}
		}
	} else {
		if k.m.ReportID != 0 && (len(report) == 0 || report[0] != k.m.ReportID) {
			return Key{}, false, nil
		}
		var now uint8
		for _, b := range k.m.Keys {
			mask := b.Mask
			if mask == 0 {
				mask = 0xFF
			}
			if b.Index < len(report) && report[b.Index]&mask == b.Value {
				now |= 1 << (b.Level - 1)
			}
		}
		levels = now &^ k.held
		k.held = now
	}
	if levels == 0 {
		return Key{}, false, nil
	}
	if levels&(levels-1) != 0 {
		return Key{}, false, fmt.Errorf("%w: levels %s", ErrAmbiguous, levelList(levels))
	}
	level := 1
	for levels>>level != 0 {
		level++
	}
	if level == k.lastLevel && !k.lastAt.IsZero() && at.Sub(k.lastAt) < k.debounce {
		return Key{}, false, nil
	}
	k.lastLevel, k.lastAt = level, at
	return Key{Level: level, At: at}, true, nil
}

// Reset forgets the keys held and the last press, as after reconnecting.
func (k *KeyDecoder) Reset() {
	k.kb.Reset()
	k.held, k.lastLevel, k.lastAt = 0, 0, time.Time{}
}

func levelList(levels uint8) string {
	s := ""
	for l := LevelMin; l <= LevelMax; l++ {
		if levels&(1<<(l-1)) != 0 {
			if s != "" {
				s += ","
			}
			s += fmt.Sprint(l)
		}
	}
	return s
}
