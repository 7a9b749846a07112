// SPDX-License-Identifier: AGPL-3.0-or-later

package hid

import (
	"fmt"
	"slices"
)

// CodeFormat says what the codes of a CodeKeys map are.
type CodeFormat string

// Code formats.
const (
	// CodeKeyboard: the pad is a HID keyboard; a code is a key's usage.
	CodeKeyboard CodeFormat = "keyboard"
	// CodeReport: byte Byte of the pad's vendor reports holds the code of
	// the key down (0 when none is).
	CodeReport CodeFormat = "code"
	// CodeBitmap: byte Byte of the pad's vendor reports is a bitmap of the
	// keys down; a key's code is its bit.
	CodeBitmap CodeFormat = "bitmap"
)

// CodeKeys is a pad model's own key map in the short form config gives
// (devices.rating_pad.keys): every key sends one code, and Codes maps
// each code to its rating level.
type CodeKeys struct {
	Name     string
	Format   CodeFormat // "" is CodeKeyboard
	ReportID byte       // the first byte of the pad's key reports; 0: none
	Byte     int        // CodeReport, CodeBitmap: the report byte of the keys, counting the report ID
	Codes    map[byte]int
}

// KeyMap returns the key map c describes, validated, its keys in code
// order. Errors wrap ErrKeyMap.
func (c CodeKeys) KeyMap() (KeyMap, error) {
	m := KeyMap{Name: c.Name, ReportID: c.ReportID}
	switch c.Format {
	case "", CodeKeyboard:
		m.Mode = KeyMapKeyboard
	case CodeReport, CodeBitmap:
		m.Mode = KeyMapReport
	default:
		return KeyMap{}, fmt.Errorf("%w %q: code format %q is not %q, %q or %q", ErrKeyMap, c.Name, c.Format, CodeKeyboard, CodeReport, CodeBitmap)
	}
	codes := make([]byte, 0, len(c.Codes))
	for code := range c.Codes {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		k := KeyBinding{Value: code, Level: c.Codes[code]}
		if m.Mode == KeyMapReport {
			k.Index = c.Byte
		}
		if c.Format == CodeBitmap {
			k.Mask = code
		}
		m.Keys = append(m.Keys, k)
	}
	if err := m.Validate(); err != nil {
		return KeyMap{}, err
	}
	return m, nil
}
