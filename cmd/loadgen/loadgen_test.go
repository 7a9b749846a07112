// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/kiosk"
)

func TestBigCatalog(t *testing.T) {
	b, ms, err := bigCatalog(config.DefaultCatalog(), 10000)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 10000 {
		t.Fatalf("%d matters", len(ms))
	}
	cat, err := kiosk.ParseCatalog(b, zoneIDs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Matters()) != 10000 || len(cat.Packages()) == 0 {
		t.Fatalf("%d matters, %d packages", len(cat.Matters()), len(cat.Packages()))
	}
	again, _, _ := bigCatalog(config.DefaultCatalog(), 10000)
	if string(again) != string(b) {
		t.Error("the generated catalog is not the same twice")
	}
	for _, q := range append(searchQueries, broadQuery) {
		ms, _ := cat.Search(q)
		if len(ms) == 0 {
			t.Errorf("search %q finds nothing", q)
		}
		t.Logf("%-12s %5d matters", q, len(ms))
	}
	t.Logf("samples: %s, %s, %s", ms[300].Name, ms[5000].Name, ms[9999].Name)
}

func TestIDNumbers(t *testing.T) {
	seen := map[string]bool{}
	for range 5000 {
		id := nextIDNumber()
		if _, err := devices.CheckIDNumber(id); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if seen[id] {
			t.Fatalf("%s twice", id)
		}
		seen[id] = true
	}
}

func TestPercentiles(t *testing.T) {
	var d durs
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	if d.pct(50) != 50*time.Millisecond || d.pct(99) != 99*time.Millisecond || d.pct(100) != 100*time.Millisecond || d.max() != 100*time.Millisecond {
		t.Errorf("p50 %v p99 %v p100 %v", d.pct(50), d.pct(99), d.pct(100))
	}
	if thousands(1234567) != "1,234,567" || thousands(12) != "12" {
		t.Error(thousands(1234567))
	}
}

func TestConfigAccepted(t *testing.T) {
	s := newHallSetup(200, 30, 1000, "one")
	names := map[string]string{}
	for _, z := range zoneIDs {
		names[z] = "区" + z
	}
	cfg, err := config.Parse([]byte(s.configTOML("127.0.0.1:1", t.TempDir(), "", names)))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Devices.IDCard.Port != "" || cfg.Devices.Printer.URI != "" || cfg.Devices.Scanner.Backend != "" {
		t.Errorf("devices not off: %+v", cfg.Devices)
	}
	if z, _ := cfg.ZoneOf(30); z.ID != "A" || len(cfg.Terminals) != 1231 {
		t.Errorf("window 30 in %q, %d terminals", z.ID, len(cfg.Terminals))
	}
}

// TestKeptPart: a new report keeps the hand-written part of the old one,
// from the marker on, and nothing else of it.
func TestKeptPart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "BENCHMARKS.md")
	if got := keptPart(path); got != "" {
		t.Fatalf("no file: %q", got)
	}
	if err := os.WriteFile(path, []byte("# old table\n| a | b |\n\n"+keptMarker+"\n## Before and after\nsearch: 2.07 ms → 0.9 ms\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "\n" + keptMarker + "\n## Before and after\nsearch: 2.07 ms → 0.9 ms\n"
	if got := keptPart(path); got != want {
		t.Fatalf("kept %q, want %q", got, want)
	}
	if err := os.WriteFile(path, []byte("# old table only\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := keptPart(path); got != "" {
		t.Fatalf("no marker: kept %q", got)
	}
}
