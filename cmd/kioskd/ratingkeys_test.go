// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/devices/sim/hidsim"
)

// TestRatingPadOwnKeys: a pad model's own key map from config, pressed on
// the simulated pad as that model reports its keys (vendor reports, report
// ID 0x02, the key's code in byte 3), rates window 2's last service.
func TestRatingPadOwnKeys(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pad := hidsim.PadInfo()
	cfg, err := config.Parse(fmt.Appendf(nil, `[devices.rating_pad]
device = "%04x:%04x"
window = 2
keys = { "0x0a" = 5, "0x0b" = 4, "0x0c" = 3, "0x0d" = 2, "0x0e" = 1 }
key_format = "code"
key_byte = 3
report_id = 0x02
`, pad.VendorID, pad.ProductID))
	if err != nil {
		t.Fatal(err)
	}
	bus := hidsim.NewBus()
	dev := bus.Plug(pad)
	health := devices.NewHealth(nil)
	r := &fakeRater{}
	if err := startRatingPad(ctx, cfg, r, health, slog.New(slog.DiscardHandler), bus); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the pad to open", func() bool { s, ok := health.Get("rating_pad"); return ok && s.State == devices.StateOK })
	key := func(code byte) [][]byte {
		down, up := make([]byte, 8), make([]byte, 8)
		down[0], up[0], down[3] = 0x02, 0x02, code
		return [][]byte{down, up}
	}
	dev.Send(key(0x0b)...)
	dev.Send(key(0x0e)...)
	waitFor(t, "two ratings", func() bool { r.mu.Lock(); defer r.mu.Unlock(); return len(r.rated) == 2 })
	r.mu.Lock()
	defer r.mu.Unlock()
	if want := []string{"window w2 l4", "window w2 l1"}; !reflect.DeepEqual(r.rated, want) {
		t.Errorf("rated %v, want %v", r.rated, want)
	}
}

// TestRatingKeyMapChoice: the named map, the default, and the config's own.
func TestRatingKeyMapChoice(t *testing.T) {
	for _, tc := range []struct {
		name string
		rp   config.RatingPad
		want string // the map's name and first key
		err  string
	}{
		{"default", config.RatingPad{}, "keyboard keyboard 0x1e→1", ""},
		{"named", config.RatingPad{KeyMap: "example-bitmap"}, "example-bitmap report 2&0x01=0x01→1", ""},
		{"own", config.RatingPad{Keys: map[string]int{"0x22": 1, "0x04": 5}}, "config keyboard 0x04→5", ""},
		{"unknown name", config.RatingPad{KeyMap: "nope"}, "", "config: devices.rating_pad.keymap: hid: bad key map: no key map named \"nope\""},
		{"bad own key", config.RatingPad{Keys: map[string]int{"0x04": 9}}, "", `config: devices.rating_pad.keys."0x04": level 9 is not 1..5`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			km, err := ratingKeyMap(tc.rp)
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			k := km.Keys[0]
			got := fmt.Sprintf("%s %s %#02x→%d", km.Name, km.Mode, k.Value, k.Level)
			if km.Mode == "report" {
				got = fmt.Sprintf("%s %s %d&%#02x=%#02x→%d", km.Name, km.Mode, k.Index, k.Mask, k.Value, k.Level)
			}
			if got != tc.want {
				t.Errorf("map %q, want %q", got, tc.want)
			}
		})
	}
}
