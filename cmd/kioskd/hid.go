// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/devices/hid"
	"yichuang/kiosk"
)

// rater is what the rating pad needs of the hall.
type rater interface {
	RateLast(ctx context.Context, a kiosk.Actor, window, level int) (kiosk.Rating, error)
}

// startRatingPad runs the window's rating pad: a key press rates the
// window's last finished service, once.
func startRatingPad(ctx context.Context, cfg *config.Config, hall rater, health *devices.Health, log *slog.Logger, bus hid.Bus) error {
	rp := cfg.Devices.RatingPad
	if rp.Device == "" {
		return nil
	}
	sel, err := hid.ParseSelector(rp.Device)
	if err != nil {
		return fmt.Errorf("config: devices.rating_pad.device: %w", err)
	}
	km, err := ratingKeyMap(rp)
	if err != nil {
		return err
	}
	dec, err := hid.NewKeyDecoder(km, hid.DefaultDebounce)
	if err != nil {
		return fmt.Errorf("config: devices.rating_pad.keymap: %w", err)
	}
	actor := kiosk.Actor{Terminal: fmt.Sprintf("rating-pad-%d", rp.Window), Role: config.RoleWindow, Window: rp.Window}
	go func() {
		err := hid.RunPad(ctx, hid.Find(bus, sel), nil, dec, func(k hid.Key) {
			if _, err := hall.RateLast(ctx, actor, rp.Window, k.Level); err != nil {
				log.Info("rating pad key not taken", "window", rp.Window, "level", k.Level, "err", err)
			}
		}, health.Set)
		if err != nil && !errors.Is(err, context.Canceled) {
			log.Error("rating pad stopped", "err", err)
		}
	}()
	return nil
}

// startQRReader runs the QR reader: each scan goes to the terminal's page
// as a qr.scanned event (the kiosk checks an appointment in with it, a
// window calls the ticket whose status link it is).
func startQRReader(ctx context.Context, cfg *config.Config, hall emitter, health *devices.Health, log *slog.Logger, bus hid.Bus) error {
	q := cfg.Devices.QR
	if q.Device == "" {
		return nil
	}
	sel, err := hid.ParseSelector(q.Device)
	if err != nil {
		return fmt.Errorf("config: devices.qr.device: %w", err)
	}
	mode := hid.ModePOS
	if q.Mode == "keyboard" {
		mode = hid.ModeKeyboard
	}
	dec, err := hid.NewScanDecoder(&hid.ScanOpts{Mode: mode})
	if err != nil {
		return fmt.Errorf("config: devices.qr: %w", err)
	}
	terminal := cfg.DeviceTerminal()
	go func() {
		err := hid.RunScanner(ctx, hid.Find(bus, sel), nil, dec, func(s hid.Scan) {
			data := strings.TrimSpace(s.Data)
			if err := hall.Emit(ctx, "qr.scanned", map[string]any{"data": data}, terminal, nil); err != nil {
				log.Error("qr event", "err", err)
			}
		}, health.Set)
		if err != nil && !errors.Is(err, context.Canceled) {
			log.Error("QR reader stopped", "err", err)
		}
	}()
	return nil
}
