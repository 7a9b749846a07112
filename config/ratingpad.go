// SPDX-License-Identifier: AGPL-3.0-or-later

package config

import (
	"fmt"
	"math/bits"
	"slices"
	"strconv"
)

// A rating pad's own key map (devices.rating_pad.keys): each key of the pad
// sends one code, and keys maps the codes to rating levels:
//
//	keys = { "0x1e" = 5, "0x1f" = 4, "0x20" = 3, "0x21" = 2, "0x22" = 1 }
//
// key_format says what the codes are:
//
//   - keyboard (the default): the pad is a HID keyboard and a code is the
//     key's usage (0x04 "a" … 0x1e "1" … 0x59 keypad 1).
//   - code: the pad sends vendor reports whose byte key_byte (counting the
//     report ID, if any) holds the code of the key down, 0 when none is.
//   - bitmap: byte key_byte is a bitmap of the keys down; a key's code is
//     its bit (0x01, 0x02, 0x04, …).
//
// report_id, when not 0, is the first byte of the pad's key reports.

// Rating pad key formats.
const (
	KeyFormatKeyboard = "keyboard"
	KeyFormatCode     = "code"
	KeyFormatBitmap   = "bitmap"
)

// the first keyboard usage that is a key ("a"); below are error codes
const firstKeyUsage = 0x04

const ratingPadKey = "devices.rating_pad."

// Format returns the pad's key format, keyboard when none is given.
func (rp RatingPad) Format() string {
	if rp.KeyFormat == "" {
		return KeyFormatKeyboard
	}
	return rp.KeyFormat
}

// KeyCodes returns the pad's own key map, code → level, or nil when the
// config gives none (a named keymap is used). The error names the key.
func (rp RatingPad) KeyCodes() (map[byte]int, error) {
	if len(rp.Keys) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(rp.Keys))
	for k := range rp.Keys {
		names = append(names, k)
	}
	slices.Sort(names) // the first error is the same every time
	codes := map[byte]int{}
	spelled := map[byte]string{}
	for _, name := range names {
		code, err := rp.keyCode(name, rp.Keys[name])
		if err != nil {
			return nil, err
		}
		if other, ok := spelled[code]; ok {
			return nil, errf(keyField(name), "the same code as %q", other)
		}
		codes[code], spelled[code] = rp.Keys[name], name
	}
	return codes, nil
}

func keyField(name string) string { return fmt.Sprintf("%skeys.%q", ratingPadKey, name) }

// keyCode checks one entry of keys and returns its code.
func (rp RatingPad) keyCode(name string, level int) (byte, error) {
	field := keyField(name)
	n, err := strconv.ParseUint(name, 0, 8)
	if err != nil {
		return 0, errf(field, "%q is not a key code: write a byte 0..255, such as \"0x1e\"", name)
	}
	code := byte(n)
	if level < 1 || level > 5 {
		return 0, errf(field, "level %d is not 1..5 (5 = 非常满意 … 1 = 非常不满意)", level)
	}
	switch rp.Format() {
	case KeyFormatKeyboard:
		if code < firstKeyUsage {
			return 0, errf(field, "%#02x is not a keyboard key usage (0x04 and above)", code)
		}
	case KeyFormatCode:
		if code == 0 {
			return 0, errf(field, "0 is what the pad sends with no key down")
		}
	case KeyFormatBitmap:
		if bits.OnesCount8(code) != 1 {
			return 0, errf(field, "%#02x is not one bit of the bitmap (0x01, 0x02, 0x04 … 0x80)", code)
		}
	}
	return code, nil
}

// validateKeys checks keys and the settings that go with it.
func (rp RatingPad) validateKeys() error {
	if len(rp.Keys) == 0 {
		switch {
		case rp.KeyFormat != "":
			return errf(ratingPadKey+"key_format", "needs the pad's keys (keys = { \"0x1e\" = 5, … })")
		case rp.KeyByte != 0:
			return errf(ratingPadKey+"key_byte", "needs the pad's keys (keys = { \"0x01\" = 5, … })")
		case rp.ReportID != 0:
			return errf(ratingPadKey+"report_id", "needs the pad's keys (keys = { \"0x01\" = 5, … })")
		}
		return nil
	}
	if rp.KeyMap != "" {
		return errf(ratingPadKey+"keys", "give either keymap %q (a built-in map) or keys (the pad's own), not both", rp.KeyMap)
	}
	switch rp.Format() {
	case KeyFormatKeyboard:
		if rp.KeyByte != 0 {
			return errf(ratingPadKey+"key_byte", "a keyboard pad's keys are usages, in no set byte: key_byte is for key_format code or bitmap")
		}
	case KeyFormatCode, KeyFormatBitmap:
		if rp.KeyByte < 0 || rp.KeyByte > 255 {
			return errf(ratingPadKey+"key_byte", "%d is not a byte of a report (0..255)", rp.KeyByte)
		}
		if rp.KeyByte == 0 && rp.ReportID != 0 {
			return errf(ratingPadKey+"key_byte", "byte 0 is the report ID %#02x: count the keys' byte from it", rp.ReportID)
		}
	default:
		return errf(ratingPadKey+"key_format", "%q is not keyboard, code or bitmap", rp.KeyFormat)
	}
	if rp.ReportID < 0 || rp.ReportID > 255 {
		return errf(ratingPadKey+"report_id", "%d is not a byte (0..255)", rp.ReportID)
	}
	_, err := rp.KeyCodes()
	return err
}
