// SPDX-License-Identifier: AGPL-3.0-or-later

package config

import (
	"errors"
	"maps"
	"testing"
)

const padHead = "[devices.rating_pad]\ndevice = \"1a86:e025\"\nwindow = 1\n"

func TestRatingPadKeys(t *testing.T) {
	for _, tc := range []struct {
		name string
		toml string
		want map[byte]int
		fmt  string
	}{
		{"named map", "keymap = \"example-code\"", nil, "keyboard"},
		{"keyboard usages, quoted and bare", `keys = { "0x1e" = 5, "0x1F" = 4, 0x20 = 3, "33" = 2, "0x59" = 1 }`,
			map[byte]int{0x1E: 5, 0x1F: 4, 0x20: 3, 0x21: 2, 0x59: 1}, "keyboard"},
		{"vendor codes", "keys = { \"0x01\" = 5, \"0x02\" = 4, \"0x05\" = 1 }\nkey_format = \"code\"\nreport_id = 2\nkey_byte = 1",
			map[byte]int{1: 5, 2: 4, 5: 1}, "code"},
		{"vendor bitmap without report ID", "keys = { \"0x10\" = 5, \"0x01\" = 1 }\nkey_format = \"bitmap\"\nkey_byte = 0",
			map[byte]int{0x10: 5, 0x01: 1}, "bitmap"},
		{"a pad with three keys", `keys = { "0x1e" = 5, "0x20" = 3, "0x22" = 1 }`, map[byte]int{0x1E: 5, 0x20: 3, 0x22: 1}, "keyboard"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(padHead + tc.toml + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			rp := c.Devices.RatingPad
			got, err := rp.KeyCodes()
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
				t.Errorf("KeyCodes = %v, want %v", got, tc.want)
			}
			if rp.Format() != tc.fmt {
				t.Errorf("Format = %q, want %q", rp.Format(), tc.fmt)
			}
		})
	}
}

func TestRatingPadKeysErrors(t *testing.T) {
	for _, tc := range []struct {
		name, toml, key, msg string
	}{
		{"level 6", `keys = { "0x1e" = 6 }`, `devices.rating_pad.keys."0x1e"`, "level 6 is not 1..5 (5 = 非常满意 … 1 = 非常不满意)"},
		{"level 0", `keys = { "0x1e" = 5, "0x1f" = 0 }`, `devices.rating_pad.keys."0x1f"`, "level 0 is not 1..5 (5 = 非常满意 … 1 = 非常不满意)"},
		{"not a byte", `keys = { "0x1ff" = 5 }`, `devices.rating_pad.keys."0x1ff"`, `"0x1ff" is not a key code: write a byte 0..255, such as "0x1e"`},
		{"not a number", `keys = { "F1" = 5 }`, `devices.rating_pad.keys."F1"`, `"F1" is not a key code: write a byte 0..255, such as "0x1e"`},
		{"negative", `keys = { "-1" = 5 }`, `devices.rating_pad.keys."-1"`, `"-1" is not a key code: write a byte 0..255, such as "0x1e"`},
		{"the same code twice", `keys = { "0x1e" = 5, "30" = 4 }`, `devices.rating_pad.keys."30"`, `the same code as "0x1e"`},
		{"both keymap and keys", "keymap = \"keyboard\"\nkeys = { \"0x1e\" = 5 }", "devices.rating_pad.keys",
			`give either keymap "keyboard" (a built-in map) or keys (the pad's own), not both`},
		{"keyboard error code", `keys = { "0x01" = 5 }`, `devices.rating_pad.keys."0x01"`, "0x01 is not a keyboard key usage (0x04 and above)"},
		{"code 0", "keys = { \"0\" = 5 }\nkey_format = \"code\"\nkey_byte = 1", `devices.rating_pad.keys."0"`, "0 is what the pad sends with no key down"},
		{"bitmap of two bits", "keys = { \"0x03\" = 5 }\nkey_format = \"bitmap\"\nkey_byte = 1", `devices.rating_pad.keys."0x03"`,
			"0x03 is not one bit of the bitmap (0x01, 0x02, 0x04 … 0x80)"},
		{"unknown format", "keys = { \"1\" = 5 }\nkey_format = \"midi\"", "devices.rating_pad.key_format", `"midi" is not keyboard, code or bitmap`},
		{"key byte of the report ID", "keys = { \"1\" = 5 }\nkey_format = \"code\"\nreport_id = 2", "devices.rating_pad.key_byte",
			"byte 0 is the report ID 0x02: count the keys' byte from it"},
		{"key byte past a report", "keys = { \"1\" = 5 }\nkey_format = \"code\"\nkey_byte = 300", "devices.rating_pad.key_byte", "300 is not a byte of a report (0..255)"},
		{"key byte of a keyboard", "keys = { \"0x1e\" = 5 }\nkey_byte = 1", "devices.rating_pad.key_byte",
			"a keyboard pad's keys are usages, in no set byte: key_byte is for key_format code or bitmap"},
		{"report ID not a byte", "keys = { \"0x1e\" = 5 }\nreport_id = 256", "devices.rating_pad.report_id", "256 is not a byte (0..255)"},
		{"format without keys", "key_format = \"code\"", "devices.rating_pad.key_format", `needs the pad's keys (keys = { "0x1e" = 5, … })`},
		{"report ID without keys", "report_id = 1", "devices.rating_pad.report_id", `needs the pad's keys (keys = { "0x01" = 5, … })`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(padHead + tc.toml + "\n"))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *config.Error", err)
			}
			if ce.Key != tc.key || ce.Msg != tc.msg {
				t.Errorf("err = %q %q, want %q %q", ce.Key, ce.Msg, tc.key, tc.msg)
			}
		})
	}
}
