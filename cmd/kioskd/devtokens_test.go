// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"log/slog"
	"testing"

	"yichuang/config"
	"yichuang/devices"
)

// TestDevTokensEveryRole: the default hall's development tokens include a
// counter for every window and a back office for every department, kept
// across restarts; the guide desk gets a simulated printer.
func TestDevTokensEveryRole(t *testing.T) {
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	if err := devTokens(cfg); err != nil {
		t.Fatal(err)
	}
	counters, departments := map[int]bool{}, map[string]bool{}
	tokens := map[string]string{}
	for _, term := range cfg.Terminals {
		tokens[term.ID] = term.Token
		switch term.Role {
		case config.RoleCounter:
			counters[term.Window] = true
		case config.RoleDepartment:
			departments[term.Department] = true
		}
	}
	for _, z := range cfg.Zones {
		for _, w := range z.Windows {
			if !counters[w] {
				t.Errorf("no counter for window %d", w)
			}
		}
		for _, d := range z.Departments {
			if !departments[d] {
				t.Errorf("no department terminal for %s", d)
			}
		}
	}
	if len(counters) == 0 || len(departments) < 10 {
		t.Fatalf("%d counters, %d departments", len(counters), len(departments))
	}
	// a restart keeps every token
	again, _ := config.Default()
	again.DataDir = cfg.DataDir
	if err := devTokens(again); err != nil {
		t.Fatal(err)
	}
	if len(again.Terminals) != len(cfg.Terminals) {
		t.Fatalf("%d terminals after a restart, %d before", len(again.Terminals), len(cfg.Terminals))
	}
	for _, term := range again.Terminals {
		if tokens[term.ID] != term.Token {
			t.Errorf("%s's token changed", term.ID)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	health := devices.NewHealth(nil)
	id, p, err := guidePrinter(ctx, cfg, health, slog.New(slog.DiscardHandler))
	if err != nil || p == nil || id != "guide-1" || id == cfg.DeviceTerminal() {
		t.Fatalf("guide printer: %q %v %v (devices: %s)", id, p, err, cfg.DeviceTerminal())
	}
	if err := p.PrintTicket(ctx, devices.Ticket{Hall: "h", Zone: "A", Number: "A001"}); err != nil {
		t.Fatalf("the guide's simulated printer does not print: %v", err)
	}
	if st, ok := health.Get("printer:guide-1"); !ok || st.State != devices.StateOK {
		t.Errorf("health of printer:guide-1: %+v %v", st, ok)
	}
	cfg.Devices.Printer.URI = "file://" + t.TempDir() + "/p.bin"
	if _, p, _ := guidePrinter(ctx, cfg, health, slog.New(slog.DiscardHandler)); p != nil {
		t.Fatal("a configured (real) printer made the guide a simulated one")
	}
}
