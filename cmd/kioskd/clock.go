// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"fmt"
	"time"

	"yichuang/config"
	"yichuang/kiosk"
)

// clockEnv names the start time of a chosen clock.
const clockEnv = "KIOSKD_CLOCK"

// chosenClock is the clock kioskd runs on: the machine's (nil), or, when
// KIOSKD_CLOCK names a start time ("2026-12-08T23:59:30+08:00"), one that
// reads that time at start and runs forward in real time, for drills and
// tests of midnight, closing time or a holiday. A production node refuses
// it: only mode = "drill" runs on a chosen clock.
func chosenClock(cfg *config.Config, getenv func(string) string) (func() time.Time, error) {
	v := getenv(clockEnv)
	if v == "" {
		return nil, nil
	}
	if cfg.Mode != config.ModeDrill {
		return nil, fmt.Errorf("%s: a chosen clock is refused in %s mode (set mode = \"drill\" in the config for a drill or a test)", clockEnv, cfg.Mode)
	}
	start, err := kiosk.ParseClock(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", clockEnv, err)
	}
	return kiosk.ClockFrom(start), nil
}
