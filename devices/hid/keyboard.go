// SPDX-License-Identifier: AGPL-3.0-or-later

package hid

import (
	"fmt"
	"slices"
)

// Modifier bits of a boot keyboard report's first byte.
const (
	ModLeftCtrl   byte = 0x01
	ModLeftShift  byte = 0x02
	ModLeftAlt    byte = 0x04
	ModLeftGUI    byte = 0x08
	ModRightCtrl  byte = 0x10
	ModRightShift byte = 0x20
	ModRightAlt   byte = 0x40
	ModRightGUI   byte = 0x80

	ModShift = ModLeftShift | ModRightShift
	// ModCommand: Ctrl, Alt or GUI; a key pressed with one of them is a
	// command, not a character.
	ModCommand = ModLeftCtrl | ModLeftAlt | ModLeftGUI | ModRightCtrl | ModRightAlt | ModRightGUI
)

// Keyboard page usages (HID Usage Tables, page 0x07) this package names.
const (
	UsageRollOver    byte = 0x01 // ErrorRollOver: too many keys down
	UsagePOSTFail    byte = 0x02
	UsageUndefined   byte = 0x03 // ErrorUndefined
	UsageA           byte = 0x04
	Usage1           byte = 0x1E // 1 and !; 0x1F..0x26 are 2..9, 0x27 is 0
	Usage0           byte = 0x27
	UsageEnter       byte = 0x28
	UsageKeypad1     byte = 0x59 // keypad 1 (End); 0x5A..0x61 are 2..9, 0x62 is 0
	UsageKeypadEnter byte = 0x58
)

// BootKeyboardSize is the size of a boot keyboard input report: modifiers,
// a reserved byte and six key codes.
const BootKeyboardSize = 8

// Keystroke is one key going down.
type Keystroke struct {
	Usage     byte // the key's usage on the keyboard page
	Modifiers byte // the modifier byte of the report it went down in
}

// Shift reports whether either Shift key was held.
func (k Keystroke) Shift() bool { return k.Modifiers&ModShift != 0 }

// Command reports whether Ctrl, Alt or GUI was held.
func (k Keystroke) Command() bool { return k.Modifiers&ModCommand != 0 }

// Char returns the ASCII character the key types on a US layout, with
// Shift; false for keys that type none (Enter, arrows, function keys) and
// for keys pressed with Ctrl, Alt or GUI.
func (k Keystroke) Char() (byte, bool) {
	if k.Command() {
		return 0, false
	}
	return ASCII(k.Usage, k.Shift())
}

// The US layout, by usage.
const (
	digits        = "1234567890" // 0x1E..0x27
	digitsShifted = "!@#$%^&*()"
	punct         = "-=[]\\\\;'`,./" // 0x2D..0x38 (0x32, non-US #, types \ on a US layout)
	punctShifted  = "_+{}||:\"~<>?"
	keypad        = "/*-+"        // 0x54..0x57
	keypadDigits  = "1234567890." // 0x59..0x63
)

// ASCII returns the printable ASCII character a key types on a US layout,
// Shift held or not. Keypad keys type digits (Num Lock on) whatever Shift
// says. Enter, Tab, Backspace and the like type nothing here.
func ASCII(usage byte, shift bool) (byte, bool) {
	pick := func(plain, shifted string, i byte) (byte, bool) {
		if shift {
			return shifted[i], true
		}
		return plain[i], true
	}
	switch {
	case usage >= UsageA && usage <= 0x1D:
		c := 'a' + usage - UsageA
		if shift {
			c -= 'a' - 'A'
		}
		return c, true
	case usage >= Usage1 && usage <= Usage0:
		return pick(digits, digitsShifted, usage-Usage1)
	case usage == 0x2C:
		return ' ', true
	case usage >= 0x2D && usage <= 0x38:
		return pick(punct, punctShifted, usage-0x2D)
	case usage >= 0x54 && usage <= 0x57:
		return keypad[usage-0x54], true
	case usage >= UsageKeypad1 && usage <= 0x63:
		return keypadDigits[usage-UsageKeypad1], true
	}
	return 0, false
}

// KeyFor returns the key and Shift state that type c on a US layout (main
// keys, not the keypad): the inverse of ASCII, for simulators.
func KeyFor(c byte) (usage byte, shift bool, ok bool) {
	for u := UsageA; u <= 0x38; u++ {
		for _, s := range []bool{false, true} {
			if a, ok := ASCII(u, s); ok && a == c {
				return u, s, true
			}
		}
	}
	return 0, false, false
}

// BootKeyboard turns boot keyboard reports into key-down edges. It keeps
// the keys held in the last report, so a key goes down once however many
// reports repeat it while it is held (devices repeat reports; hosts, not
// keyboards, make auto-repeat). The zero value decodes reports without a
// report ID.
type BootKeyboard struct {
	// ReportID, when not 0, is the report ID the device puts before each
	// keyboard report (a composite device); reports with another ID are
	// not keyboard reports and are skipped.
	ReportID byte

	held []byte
}

// Decode takes one input report and returns the keys that went down in it,
// in the report's order, each with the report's modifiers. A rollover
// report (every slot ErrorRollOver: more keys down than a report holds)
// changes nothing. A report shorter than BootKeyboardSize is an error
// wrapping ErrReport; bytes past it are ignored.
func (k *BootKeyboard) Decode(report []byte) ([]Keystroke, error) {
	if k.ReportID != 0 {
		if len(report) == 0 || report[0] != k.ReportID {
			return nil, nil
		}
		report = report[1:]
	}
	if len(report) < BootKeyboardSize {
		return nil, fmt.Errorf("%w: keyboard report of %d bytes, want %d", ErrReport, len(report), BootKeyboardSize)
	}
	mods, slots := report[0], report[2:BootKeyboardSize]
	for _, u := range slots {
		if u == UsageRollOver || u == UsagePOSTFail || u == UsageUndefined {
			// Error state: the keys down are unknown. Keep the last known
			// set so nothing goes down twice when it clears.
			return nil, nil
		}
	}
	var down []Keystroke
	held := make([]byte, 0, len(slots))
	for _, u := range slots {
		if u == 0 || slices.Contains(held, u) {
			continue
		}
		held = append(held, u)
		if !slices.Contains(k.held, u) {
			down = append(down, Keystroke{Usage: u, Modifiers: mods})
		}
	}
	k.held = held
	return down, nil
}

// Reset forgets the keys held, as after reconnecting.
func (k *BootKeyboard) Reset() { k.held = nil }

// KeyboardReport builds a boot keyboard report with these modifiers and
// keys (at most six), for simulators and tests.
func KeyboardReport(mods byte, keys ...byte) []byte {
	r := make([]byte, BootKeyboardSize)
	r[0] = mods
	copy(r[2:], keys)
	return r
}
