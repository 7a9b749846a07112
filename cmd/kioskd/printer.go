// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/devices/escpos"
	"yichuang/devices/sim/printersim"
)

// printer is the terminal's ticket printer: it opens its transport when
// needed, reopens it after a failure, and reports its health.
type printer struct {
	device string // its name in the health report: "printer" unless set
	uri    string
	opts   escpos.Opts
	health *devices.Health
	log    *slog.Logger

	mu  sync.Mutex
	w   io.WriteCloser
	dev *escpos.Dev
}

func printerOpts(cfg config.Printer) escpos.Opts {
	o := escpos.DefaultOpts()
	o.Layout = escpos.PrinterLayout(cfg.Width, cfg.NativeQR) // the admin page's preview uses it too
	return o
}

// openPrinter sets up the configured printer; "sim" starts the simulator in
// this process on a loopback TCP port. It returns nil for no printer.
func openPrinter(ctx context.Context, cfg *config.Config, health *devices.Health, log *slog.Logger) (*printer, error) {
	uri := cfg.Devices.Printer.URI
	if uri == "" {
		return nil, nil
	}
	if uri == "sim" {
		sim, err := printersim.New(&printersim.Opts{Addr: "127.0.0.1:0"})
		if err != nil {
			return nil, fmt.Errorf("printer: simulator: %w", err)
		}
		go func() { _ = sim.Run(ctx) }()
		context.AfterFunc(ctx, func() { sim.Close() })
		uri = sim.URI()
		log.Info("printer simulator", "uri", uri)
	} else if _, err := escpos.ParseURI(uri); err != nil {
		return nil, fmt.Errorf("config: devices.printer.uri: %w", err)
	}
	return &printer{uri: uri, opts: printerOpts(cfg.Devices.Printer), health: health, log: log}, nil
}

// openLocked opens the transport if it is not open. p.mu is held.
func (p *printer) openLocked(ctx context.Context) error {
	if p.dev != nil {
		return nil
	}
	w, err := escpos.Open(ctx, p.uri)
	if err != nil {
		return err
	}
	dev, err := escpos.New(w, &p.opts)
	if err != nil {
		w.Close()
		return err
	}
	p.w, p.dev = w, dev
	return nil
}

func (p *printer) closeLocked() {
	if p.w != nil {
		p.w.Close()
	}
	p.w, p.dev = nil, nil
}

// report turns a print or status error into the printer's health.
func (p *printer) report(err error) {
	name := p.device
	if name == "" {
		name = "printer"
	}
	s := devices.Status{Device: name, State: devices.StateOK, At: time.Now()}
	switch {
	case err == nil:
	case errors.Is(err, escpos.ErrPaperOut):
		s.State, s.Detail = devices.StatePaperOut, "缺纸 paper out"
	case errors.Is(err, escpos.ErrCoverOpen):
		s.State, s.Detail = devices.StateError, "纸仓盖打开 cover open"
	case errors.Is(err, escpos.ErrOffline):
		s.State, s.Detail = devices.StateOffline, "打印机离线 offline"
	default:
		s.State, s.Detail = devices.StateError, err.Error()
	}
	p.health.Set(s)
}

// PrintTicket prints one ticket; a transport failure closes the transport
// so the next job reopens it.
func (p *printer) PrintTicket(ctx context.Context, t devices.Ticket) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	err := p.openLocked(ctx)
	if err == nil {
		err = p.dev.PrintTicket(ctx, t)
	}
	p.report(err)
	if err != nil && !errors.Is(err, escpos.ErrPaperOut) && !errors.Is(err, escpos.ErrCoverOpen) {
		p.closeLocked()
	}
	if err != nil {
		return fmt.Errorf("printer: %w", err)
	}
	return nil
}

// Watch asks the printer for its status every interval until ctx ends, so a
// kiosk knows it cannot print before a citizen asks.
func (p *printer) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		p.mu.Lock()
		err := p.openLocked(ctx)
		if err == nil && p.dev.CanStatus() {
			var st escpos.Status
			if st, err = p.dev.Status(ctx); err == nil {
				err = st.Err()
			}
		}
		p.report(err)
		if err != nil && !errors.Is(err, escpos.ErrPaperOut) && !errors.Is(err, escpos.ErrCoverOpen) {
			p.closeLocked()
		}
		p.mu.Unlock()
		select {
		case <-ctx.Done():
			p.mu.Lock()
			p.closeLocked()
			p.mu.Unlock()
			return
		case <-t.C:
		}
	}
}

// guidePrinter gives the hall's first guide desk a simulated ticket printer
// when the configured printer is the simulator (the default run) and the
// devices belong to another terminal, so the guide desk prints walk-in
// tickets. It returns the guide's terminal id and its printer, or nil.
func guidePrinter(ctx context.Context, cfg *config.Config, health *devices.Health, log *slog.Logger) (string, *printer, error) {
	if cfg.Devices.Printer.URI != "sim" {
		return "", nil, nil
	}
	for _, t := range cfg.Terminals {
		if t.Role != config.RoleGuide {
			continue
		}
		if t.ID == cfg.DeviceTerminal() {
			return "", nil, nil // the configured printer is the guide's already
		}
		sim, err := printersim.New(&printersim.Opts{Addr: "127.0.0.1:0"})
		if err != nil {
			return "", nil, fmt.Errorf("printer: the guide desk's simulator: %w", err)
		}
		go func() { _ = sim.Run(ctx) }()
		context.AfterFunc(ctx, func() { sim.Close() })
		log.Info("guide desk printer simulator", "terminal", t.ID, "uri", sim.URI())
		return t.ID, &printer{device: "printer:" + t.ID, uri: sim.URI(), opts: printerOpts(cfg.Devices.Printer), health: health, log: log}, nil
	}
	return "", nil, nil
}
