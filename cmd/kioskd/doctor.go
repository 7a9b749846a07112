// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"yichuang/config"
	"yichuang/devices/escpos"
	"yichuang/devices/idcard"
	"yichuang/devices/scanner/sane"
	"yichuang/devices/voice"
	"yichuang/kiosk/store"
)

// check is one line of the doctor's report.
type check struct {
	what string
	err  error
	info string
}

// cmdDoctor checks the config, the data directory, the clock, the upstream
// hall node and every configured device, and says in words what is wrong.
// It exits non-zero when anything is.
func cmdDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "config file (TOML)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintf(stdout, "✗ config: %v\n", err)
		return fmt.Errorf("doctor: the config is wrong")
	}
	checks := []check{{what: "config", info: "valid"}}
	if _, err := loadCatalog(cfg); err != nil {
		checks = append(checks, check{what: "catalog", err: err})
	} else {
		checks = append(checks, check{what: "catalog", info: "loads"})
	}
	checks = append(checks, doctorDataDir(cfg), doctorClock(time.Now()))
	if cfg.Upstream.URL != "" {
		checks = append(checks, doctorUpstream(ctx, cfg), doctorSameCatalog(ctx, cfg), doctorOutbox(ctx, cfg))
	}
	checks = append(checks, doctorDevices(ctx, cfg)...)
	bad := 0
	for _, c := range checks {
		if c.err != nil {
			bad++
			fmt.Fprintf(stdout, "✗ %-10s %v\n", c.what, c.err)
		} else {
			fmt.Fprintf(stdout, "✓ %-10s %s\n", c.what, c.info)
		}
	}
	if bad > 0 {
		return fmt.Errorf("doctor: %d problem(s)", bad)
	}
	return nil
}

func doctorDataDir(cfg *config.Config) check {
	c := check{what: "data_dir"}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		c.err = fmt.Errorf("%s cannot be made: %w (check the path and the kioskd user's rights)", cfg.DataDir, err)
		return c
	}
	probe := filepath.Join(cfg.DataDir, ".doctor")
	if err := os.WriteFile(probe, []byte("ok"), 0o600); err != nil {
		c.err = fmt.Errorf("%s is not writable: %w", cfg.DataDir, err)
		return c
	}
	os.Remove(probe)
	var st syscall.Statfs_t
	if err := syscall.Statfs(cfg.DataDir, &st); err == nil {
		free := st.Bavail * uint64(st.Bsize)
		c.info = fmt.Sprintf("%s writable, %d MiB free", cfg.DataDir, free>>20)
		if free < 200<<20 {
			c.err = fmt.Errorf("only %d MiB free on %s: scans and the database need room", free>>20, cfg.DataDir)
		}
	}
	return c
}

// doctorClock flags a clock that never got set (a box without a real-time
// clock boots in 1970): tickets and deadlines would be stamped wrong.
func doctorClock(now time.Time) check {
	if now.Year() < 2024 {
		return check{what: "clock", err: fmt.Errorf("the clock says %s: set it (NTP or the BIOS clock) before serving", now.Format(time.RFC3339))}
	}
	return check{what: "clock", info: now.Format(time.RFC3339)}
}

func doctorUpstream(ctx context.Context, cfg *config.Config) check {
	c := check{what: "upstream"}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(cfg.Upstream.URL, "/")+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+cfg.Upstream.Token)
	tc, err := cfg.Upstream.TLSConfig() // upstream.ca_file, for an https:// hall node
	if err != nil {
		c.err = err
		return c
	}
	res, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: tc}}).Do(req)
	switch {
	case err != nil:
		c.err = fmt.Errorf("the hall node at %s cannot be reached: %w (network cable, address, firewall)", cfg.Upstream.URL, err)
	case res.StatusCode == http.StatusUnauthorized:
		c.err = fmt.Errorf("the hall node does not know this terminal's token (upstream.token)")
	case res.StatusCode != http.StatusOK:
		c.err = fmt.Errorf("the hall node answered %s", res.Status)
	default:
		c.info = "reached " + cfg.Upstream.URL
	}
	if res != nil {
		res.Body.Close()
	}
	return c
}

// doctorSameCatalog compares this terminal node's zones and matters with
// its hall node's: the kiosk numbers and checks offline tickets by its own
// (the hall node queues them anyway, in the number's zone, without a
// matter it does not know).
func doctorSameCatalog(ctx context.Context, cfg *config.Config) check {
	c := check{what: "catalog"}
	cat, err := loadCatalog(cfg)
	if err != nil {
		c.err = err
		return c
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(cfg.Upstream.URL, "/")+"/api/v1/catalog", nil)
	req.Header.Set("Authorization", "Bearer "+cfg.Upstream.Token)
	tc, err := cfg.Upstream.TLSConfig()
	if err != nil {
		c.err = err
		return c
	}
	res, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: tc}}).Do(req)
	if err != nil {
		c.err = fmt.Errorf("the hall node's catalog cannot be read: %w", err)
		return c
	}
	defer res.Body.Close()
	var hall struct {
		Zones   []struct{ ID, Prefix string } `json:"zones"`
		Matters []struct{ Code, Zone string } `json:"matters"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 64<<20)).Decode(&hall); err != nil || res.StatusCode != http.StatusOK {
		c.err = fmt.Errorf("the hall node's catalog cannot be read: %s %v", res.Status, err)
		return c
	}
	var diffs []string
	zones := map[string]string{}
	for _, z := range hall.Zones {
		zones[z.ID] = z.Prefix
	}
	for _, z := range cfg.Zones {
		if p, ok := zones[z.ID]; !ok || p != z.Prefix {
			diffs = append(diffs, fmt.Sprintf("zone %s (%s) is not the hall node's", z.ID, z.Prefix))
		}
	}
	there := map[string]string{}
	for _, m := range hall.Matters {
		there[m.Code] = m.Zone
	}
	onlyHere, moved := 0, 0
	for _, m := range cat.Matters() {
		z, ok := there[m.Code]
		switch {
		case !ok:
			onlyHere++
		case z != m.Zone:
			moved++
		}
		delete(there, m.Code)
	}
	if onlyHere+moved+len(there) > 0 {
		diffs = append(diffs, fmt.Sprintf("%d matters only here, %d only on the hall node, %d in another zone", onlyHere, len(there), moved))
	}
	if len(diffs) > 0 {
		c.err = fmt.Errorf("differs from the hall node's: %s (give this node the hall's [[zones]] and catalog.file)", strings.Join(diffs, "; "))
		return c
	}
	c.info = fmt.Sprintf("the same %d zones and %d matters as the hall node", len(cfg.Zones), len(cat.Matters()))
	return c
}

// doctorOutbox says what a terminal node holds for its hall node: requests
// waiting, requests the hall node refused, offline numbers left today.
func doctorOutbox(ctx context.Context, cfg *config.Config) check {
	c := check{what: "outbox"}
	path := filepath.Join(cfg.DataDir, "outbox.db")
	if _, err := os.Stat(path); err != nil {
		c.info = "empty (this terminal node has not run yet)"
		return c
	}
	key, err := dataKey(cfg)
	if err != nil {
		c.err = err
		return c
	}
	box, err := store.OpenOutbox(ctx, path, key)
	if err != nil {
		c.err = fmt.Errorf("%s cannot be read: %w", path, err)
		return c
	}
	defer box.Close()
	pending, failed, err := box.Counts(ctx)
	if err != nil {
		c.err = err
		return c
	}
	blocks, err := box.Blocks(ctx)
	if err != nil {
		c.err = err
		return c
	}
	today, now := time.Now().In(cfg.Location).Format(time.DateOnly), time.Now()
	left := 0
	for _, b := range blocks {
		if b.Day == today && b.Expires.After(now) {
			left += b.Left()
		}
	}
	c.info = fmt.Sprintf("%d requests waiting for the hall node, %d offline ticket numbers left today", pending, left)
	if failed > 0 {
		es, _ := box.Failed(ctx, 3)
		var what []string
		for _, e := range es {
			what = append(what, fmt.Sprintf("%s %s (%s)", e.Kind, e.Key, e.LastError))
		}
		c.err = fmt.Errorf("%d requests were refused by the hall node (kioskd's log says why; newest: %s)", failed, strings.Join(what, "; "))
	}
	return c
}

func doctorDevices(ctx context.Context, cfg *config.Config) []check {
	var out []check
	if p := cfg.Devices.IDCard.Port; p != "" && p != "sim" {
		c := check{what: "idcard"}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		port, err := idcard.Open(ctx, p, cfg.Devices.IDCard.Baud)
		if err != nil {
			c.err = fmt.Errorf("%s cannot be opened: %w (is the reader plugged in? is kioskd in the dialout group?)", p, err)
		} else {
			dev, err := idcard.New(port, nil)
			if err == nil {
				var id string
				if id, err = dev.SAMID(ctx); err == nil {
					c.info = "SAM " + id + " on " + p
				}
				dev.Close()
			}
			if err != nil {
				c.err = fmt.Errorf("%s does not answer as a GA 467 reader: %w", p, err)
			}
		}
		cancel()
		out = append(out, c)
	}
	if u := cfg.Devices.Printer.URI; u != "" && u != "sim" {
		c := check{what: "printer"}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		w, err := escpos.Open(ctx, u)
		if err != nil {
			c.err = fmt.Errorf("%s cannot be opened: %w", u, err)
		} else {
			dev, err := escpos.New(w, nil)
			if err == nil && dev.CanStatus() {
				var st escpos.Status
				if st, err = dev.Status(ctx); err == nil {
					err = st.Err()
					c.info = u + ": " + st.Detail()
				}
			} else if err == nil {
				c.info = u + " (no status on this transport)"
			}
			if err != nil {
				c.err = fmt.Errorf("%s: %w", u, err)
			}
			w.Close()
		}
		cancel()
		out = append(out, c)
	}
	if cfg.Devices.Scanner.Backend == "sane" {
		c := check{what: "scanner"}
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		devs, err := sane.List(ctx, &sane.Opts{Device: cfg.Devices.Scanner.Device})
		cancel()
		switch {
		case err != nil:
			c.err = fmt.Errorf("SANE: %w (is sane-utils installed?)", err)
		case len(devs) == 0:
			c.err = fmt.Errorf("SANE finds no scanner (plugged in? the kioskd user in the scanner group?)")
		default:
			names := make([]string, 0, len(devs))
			for _, d := range devs {
				names = append(names, d.Name)
			}
			c.info = "SANE sees " + strings.Join(names, ", ")
		}
		out = append(out, c)
	}
	if cfg.Devices.Voice.Engine == "espeak" {
		c := check{what: "voice"}
		o := voice.DefaultEspeakOpts()
		if cfg.Devices.Voice.Voice != "" {
			o.Voice = cfg.Devices.Voice.Voice
		}
		e, err := voice.NewEspeak(&o)
		if err == nil {
			err = e.Check(ctx)
		}
		if err != nil {
			c.err = fmt.Errorf("espeak-ng: %w (apt-get install espeak-ng)", err)
		} else {
			c.info = "espeak-ng speaks " + o.Voice
		}
		out = append(out, c)
	}
	return out
}
