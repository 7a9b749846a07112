// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/devices/idcard"
	"yichuang/devices/sim/idcardsim"
	"yichuang/kiosk"
)

// emitter is what the card reader needs of the hall: a numbered event,
// limited to one terminal, with a private part for that terminal alone.
type emitter interface {
	Emit(ctx context.Context, typ string, data any, terminal string, private map[string]any) error
}

// cardReader runs the configured ID card reader and turns what it reads
// into card.read and card.removed events for the terminal that owns it.
type cardReader struct {
	cfg      *config.Config
	hall     emitter
	health   *devices.Health
	log      *slog.Logger
	terminal string
	sim      *idcardsim.Sim // set when the reader is the built-in simulator
}

// startCardReader starts the reader's loop; "sim" starts the simulator on a
// pseudo-terminal in this process and reads it through the real driver.
func startCardReader(ctx context.Context, cfg *config.Config, hall emitter, health *devices.Health, log *slog.Logger) (*cardReader, error) {
	port := cfg.Devices.IDCard.Port
	if port == "" {
		return nil, nil
	}
	r := &cardReader{cfg: cfg, hall: hall, health: health, log: log, terminal: cfg.DeviceTerminal()}
	if port == "sim" {
		sim, err := idcardsim.New(&idcardsim.Opts{})
		if err != nil {
			return nil, fmt.Errorf("idcard: simulator: %w", err)
		}
		go func() { _ = sim.Run(ctx) }()
		context.AfterFunc(ctx, func() { sim.Close() })
		r.sim = sim
		port = sim.Path()
		log.Info("ID card reader simulator", "port", port)
	}
	opts := idcard.DefaultOpts()
	opts.Fingerprint = cfg.Devices.IDCard.Fingerprint
	go func() {
		err := idcard.Run(ctx, idcard.SerialOpener(port, cfg.Devices.IDCard.Baud), &opts, r.handle)
		if err != nil && !errors.Is(err, context.Canceled) {
			log.Error("ID card reader stopped", "err", err)
		}
	}()
	return r, nil
}

// handle turns one reader event into hall events. A card's personal data
// reaches only the terminal that read it; logs carry no ID number.
func (r *cardReader) handle(e idcard.Event) {
	ctx := context.Background()
	if st, ok := e.Status(); ok {
		r.health.Set(st)
		return
	}
	switch e.Kind {
	case idcard.EventRead:
		c := e.Card
		data := map[string]any{
			"name": kiosk.MaskName(c.Name), "id_number_masked": kiosk.MaskID(c.IDNumber),
			"card_type": c.Type, "valid_until": c.ValidUntil, "valid": true,
		}
		private := map[string]any{"id_number": c.IDNumber, "name_full": c.Name}
		if err := idcard.Check(c, time.Now().In(r.cfg.Location)); err != nil {
			data["valid"] = false
			data["problem"] = err.Error()
			var ce *idcard.CheckError
			if errors.As(err, &ce) {
				data["problem_en"] = ce.English()
			}
			private = nil
		}
		r.emit(ctx, "card.read", data, private)
	case idcard.EventUnreadable:
		r.emit(ctx, "card.read", map[string]any{"valid": false, "problem": "无法识别该证件，请换一张证件或到导办台咨询", "problem_en": "the card could not be read"}, nil)
	case idcard.EventRemoved:
		r.emit(ctx, "card.removed", map[string]any{}, nil)
	}
}

func (r *cardReader) emit(ctx context.Context, typ string, data map[string]any, private map[string]any) {
	if err := r.hall.Emit(ctx, typ, data, r.terminal, private); err != nil {
		r.log.Error("card event", "type", typ, "err", err)
	}
}

// SimPlace puts a sample card on the simulated reader (kind: resident,
// resident2, foreign15 (or foreign), foreign18 (or foreign2023), permit) or
// lifts it (kind "").
func (r *cardReader) SimPlace(kind string) error {
	if r == nil || r.sim == nil {
		return errors.New("no simulated ID card reader")
	}
	if kind == "" {
		r.sim.Remove()
		return nil
	}
	samples := map[string]func() devices.Card{
		"resident": idcardsim.SampleResident, "resident2": idcardsim.SampleResidentSupplementary,
		"foreign": idcardsim.SampleForeign, "foreign2023": idcardsim.SampleForeign2023, "permit": idcardsim.SampleResidencePermit,
		"foreign15": idcardsim.SampleForeign, "foreign18": idcardsim.SampleForeign2023,
	}
	f, ok := samples[kind]
	if !ok {
		return fmt.Errorf("unknown sample card %q", kind)
	}
	return r.sim.Place(f())
}
