// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"fmt"

	"yichuang/config"
	"yichuang/devices/hid"
)

// ratingKeyMap returns the rating pad's key map: its own keys when the
// config gives them, else the named built-in map (keyboard by default).
func ratingKeyMap(rp config.RatingPad) (hid.KeyMap, error) {
	codes, err := rp.KeyCodes()
	if err != nil {
		return hid.KeyMap{}, err
	}
	if codes == nil {
		name := rp.KeyMap
		if name == "" {
			name = "keyboard"
		}
		km, err := hid.LookupKeyMap(name)
		if err != nil {
			return hid.KeyMap{}, fmt.Errorf("config: devices.rating_pad.keymap: %w", err)
		}
		return km, nil
	}
	km, err := hid.CodeKeys{
		Name: "config", Format: hid.CodeFormat(rp.Format()), ReportID: byte(rp.ReportID), Byte: rp.KeyByte, Codes: codes,
	}.KeyMap()
	if err != nil {
		return hid.KeyMap{}, fmt.Errorf("config: devices.rating_pad.keys: %w", err)
	}
	return km, nil
}
