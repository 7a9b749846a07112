// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/devices/escpos"
	"yichuang/devices/sim/printersim"
)

// startPrinterSim runs an ESC/POS printer simulator on a loopback TCP
// port until ctx ends or the test does.
func startPrinterSim(t *testing.T, ctx context.Context) *printersim.Printer {
	t.Helper()
	sim, err := printersim.New(&printersim.Opts{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = sim.Run(ctx) }()
	t.Cleanup(func() { sim.Close() })
	return sim
}

// TestPrinterAgainstSimulator drives the terminal's printer through the real
// ESC/POS driver and TCP transport against the simulator.
func TestPrinterAgainstSimulator(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim := startPrinterSim(t, ctx)
	var states []devices.State
	health := devices.NewHealth(func(s devices.Status) { states = append(states, s.State) })
	p := &printer{uri: sim.URI(), opts: printerOpts(config.Printer{Width: 58}), health: health, log: slog.New(slog.DiscardHandler)}
	tk := devices.Ticket{Hall: "涵江区行政服务中心", Zone: "A", ZoneName: "商事登记区", Number: "A001", IssuedAt: time.Now(), StatusURL: "http://127.0.0.1:8080/s/x?token=y"}
	if err := p.PrintTicket(ctx, tk); err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	if err := sim.WaitBytes(wctx, 100); err != nil {
		t.Fatal(err)
	}
	// the whole job has arrived once the byte count stops growing
	for n := -1; n != len(sim.Bytes()); {
		n = len(sim.Bytes())
		time.Sleep(100 * time.Millisecond)
	}
	img, err := escpos.Render(sim.Bytes(), &escpos.RenderOpts{Paper: escpos.Paper58})
	if err != nil || img.Bounds().Dy() < 200 {
		t.Fatalf("rendered the printed job: %v", err)
	}
	sim.SetPaperOut(true)
	before := len(sim.Bytes())
	err = p.PrintTicket(ctx, tk)
	if !errors.Is(err, escpos.ErrPaperOut) {
		t.Fatalf("paper out: %v", err)
	}
	if len(sim.Bytes()) != before {
		t.Fatal("a job was sent to a printer without paper")
	}
	if s, _ := health.Get("printer"); s.State != devices.StatePaperOut {
		t.Fatalf("health %v", s)
	}
	sim.SetPaperOut(false)
	if err := p.PrintTicket(ctx, tk); err != nil {
		t.Fatal(err)
	}
	if len(states) != 3 || states[1] != devices.StatePaperOut || states[2] != devices.StateOK {
		t.Fatalf("states %v", states)
	}
}
