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
)

// TestSlipPrinterAgainstSimulator prints an acceptance receipt through the
// real driver and TCP transport: the simulator gets a job whose QR code is
// the case's progress link; without paper nothing is sent.
func TestSlipPrinterAgainstSimulator(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim := startPrinterSim(t, ctx)
	health := devices.NewHealth(nil)
	p := &printer{uri: sim.URI(), opts: printerOpts(config.Printer{Width: 80}), health: health, log: slog.New(slog.DiscardHandler)}
	slip := devices.CaseSlip{Kind: devices.SlipReceipt, Hall: "涵江区行政服务中心", Number: "HJ-SJ-0001202611270001",
		Matter: "企业设立登记", Due: "2026-12-02", Delivery: "pickup", ProgressURL: "http://127.0.0.1:8080/c/HJ-SJ-0001202611270001?token=abc"}
	if err := p.PrintCaseSlip(ctx, slip); err != nil {
		t.Fatal(err)
	}
	want, err := escpos.LayoutCaseSlip(slip, &p.opts.Layout)
	if err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	if err := sim.WaitBytes(wctx, len(want)); err != nil {
		t.Fatal(err)
	}
	if got := sim.Bytes(); len(got) < len(want) || string(got[len(got)-len(want):]) != string(want) {
		t.Fatalf("the simulator got %d bytes, not the %d-byte slip", len(got), len(want))
	}
	sim.SetPaperOut(true)
	before := len(sim.Bytes())
	if err := p.PrintCaseSlip(ctx, slip); !errors.Is(err, escpos.ErrPaperOut) {
		t.Fatalf("paper out: %v", err)
	}
	if len(sim.Bytes()) != before {
		t.Fatal("a slip was sent to a printer without paper")
	}
}
