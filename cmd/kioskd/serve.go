// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/devices/hid"
	"yichuang/kiosk"
	"yichuang/kiosk/staff"
	"yichuang/kiosk/store"
	"yichuang/platform"
	"yichuang/ui"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "config file (TOML); default: the embedded hall")
	check := fs.Bool("check", false, "validate the config and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	if _, err := chosenClock(cfg, os.Getenv); err != nil {
		return err
	}
	cat, err := loadCatalog(cfg)
	if err != nil {
		return err
	}
	if *check {
		fmt.Fprintln(stdout, "config ok")
		return nil
	}
	return serve(ctx, cfg, cat, *cfgPath, stdout, stderr)
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

func loadCatalog(cfg *config.Config) (*kiosk.Catalog, error) {
	data := config.DefaultCatalog()
	if cfg.Catalog.File != "" {
		b, err := os.ReadFile(cfg.Catalog.File)
		if err != nil {
			return nil, fmt.Errorf("config: catalog.file: %w", err)
		}
		data = b
	}
	var packages []byte
	if cfg.Catalog.PackagesFile != "" {
		b, err := os.ReadFile(cfg.Catalog.PackagesFile)
		if err != nil {
			return nil, fmt.Errorf("config: catalog.packages_file: %w", err)
		}
		packages = b
	}
	if cfg.District.Enabled() && packages == nil && bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		// a centre of a district serves the district's matters from its
		// own zones until the first standard catalog version arrives
		cat, err := hallCatalog(cfg, data)
		if err != nil {
			return nil, fmt.Errorf("config: catalog: %w", err)
		}
		return cat, nil
	}
	zones := make([]string, 0, len(cfg.Zones))
	for _, z := range cfg.Zones {
		zones = append(zones, z.ID)
	}
	cat, err := kiosk.ParseCatalogWithPackages(data, packages, zones, cfg.Mail.ExcludedDepartments)
	if err != nil {
		return nil, fmt.Errorf("config: catalog: %w", err)
	}
	return cat, nil
}

// secretFile returns the bytes of a secret kept in the data directory,
// making a random one the first time.
func secretFile(path string, n int) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key, derr := hex.DecodeString(strings.TrimSpace(string(b)))
		if derr != nil || len(key) < n {
			return nil, fmt.Errorf("%s is not a %d-byte hex key", path, n)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, n)
	_, _ = rand.Read(key)
	if err := writeFileSync(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, err
	}
	return key, nil
}

// dataKey returns the key that seals personal data at rest: KIOSKD_DATA_KEY
// (64 hex digits) from the environment, or data_dir/data.key, made the first
// time. Keep a copy of it apart from database backups: without it the
// submissions in a backup cannot be read.
func dataKey(cfg *config.Config) ([]byte, error) {
	if v := os.Getenv("KIOSKD_DATA_KEY"); v != "" {
		key, err := hex.DecodeString(strings.TrimSpace(v))
		if err != nil || len(key) != 32 {
			return nil, errors.New("KIOSKD_DATA_KEY: need 64 hex digits (32 bytes)")
		}
		return key, nil
	}
	key, err := secretFile(filepath.Join(cfg.DataDir, "data.key"), 32)
	if err != nil {
		return nil, fmt.Errorf("data key: %w", err)
	}
	return key[:32], nil
}

// writeFileSync writes a file and syncs it and its folder before returning.
func writeFileSync(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// devTokens gives a hall without configured terminals one development
// token per terminal, kept in data_dir so a restarted kioskd keeps them.
func devTokens(cfg *config.Config) error {
	if len(cfg.Terminals) > 0 {
		return nil
	}
	path := filepath.Join(cfg.DataDir, "dev-tokens.toml")
	var f struct {
		Terminals []config.Terminal `toml:"terminals"`
	}
	if _, err := toml.DecodeFile(path, &f); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("dev tokens: %w", err)
	}
	have := map[string]bool{}
	for _, t := range f.Terminals {
		have[t.ID] = true
	}
	add := func(id, role string, window int) {
		if have[id] {
			return
		}
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		f.Terminals = append(f.Terminals, config.Terminal{ID: id, Role: role, Window: window, Token: hex.EncodeToString(b)})
	}
	add("kiosk-1", config.RoleKiosk, 0)
	add("guide-1", config.RoleGuide, 0)
	add("display-1", config.RoleDisplay, 0)
	add("admin", config.RoleAdmin, 0)
	for _, z := range cfg.Zones {
		for _, w := range z.Windows {
			add(fmt.Sprintf("window-%d", w), config.RoleWindow, w)
		}
	}
	// each window's citizen-facing screen (rates the service)
	for _, z := range cfg.Zones {
		for _, w := range z.Windows {
			add(fmt.Sprintf("counter-%d", w), config.RoleCounter, w)
		}
	}
	// a back office (/backoffice) for every department of the hall
	var deps []string
	for _, z := range cfg.Zones {
		for _, d := range z.Departments {
			if !slices.Contains(deps, d) {
				deps = append(deps, d)
			}
		}
	}
	for i, d := range deps {
		id := fmt.Sprintf("department-%d", i+1)
		if have[id] {
			continue
		}
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		f.Terminals = append(f.Terminals, config.Terminal{ID: id, Role: config.RoleDepartment, Department: d, Token: hex.EncodeToString(b)})
	}
	var sb strings.Builder
	sb.WriteString("# Development tokens made by kioskd for a hall with no [[terminals]] configured.\n")
	if err := toml.NewEncoder(&sb).Encode(f); err != nil {
		return fmt.Errorf("dev tokens: %w", err)
	}
	if err := writeFileSync(path, []byte(sb.String()), 0o600); err != nil {
		return fmt.Errorf("dev tokens: %w", err)
	}
	cfg.Terminals = f.Terminals
	cfg.DevTokens = true
	// a development run (make run) is tried at any hour: it issues outside
	// the hall's hours too (a configured hall follows issue_outside_hours)
	cfg.Hall.IssueOutsideHours = true
	return cfg.Validate()
}

func serve(ctx context.Context, cfg *config.Config, cat *kiosk.Catalog, cfgPath string, stdout, stderr io.Writer) error {
	log := newLogger(cfg, stderr)
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("data_dir: %w", err)
	}
	if err := devTokens(cfg); err != nil {
		return err
	}
	// listen first: a port in use is a one-line error before anything starts
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("listen: %s is already in use", cfg.Listen)
		}
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	ln, selfTLS, err := listenTLS(ln, cfg)
	if err != nil {
		return err
	}

	idKey, err := secretFile(filepath.Join(cfg.DataDir, "id-hash.key"), 32)
	if err != nil {
		return fmt.Errorf("id hash key: %w", err)
	}
	dataKey, err := dataKey(cfg)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "kioskd.db"), dataKey)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.PruneEvents(ctx, 200_000); err != nil {
		return err
	}
	hub := ui.NewHub(log, cfg.Location)
	var calls *caller // set below, once the hall it emits through exists
	var callsMu sync.Mutex
	publish := func(e kiosk.Event) {
		hub.Publish(e)
		callsMu.Lock()
		c := calls
		callsMu.Unlock()
		if c != nil {
			c.Publish(e)
		}
	}
	now, err := chosenClock(cfg, os.Getenv)
	if err != nil {
		return err
	}
	if now != nil {
		log.Warn("drill: running on a chosen clock", "start", os.Getenv(clockEnv))
	}
	hall, err := kiosk.Open(ctx, kiosk.Options{
		Config: cfg, Catalog: cat, Store: db, Publish: publish, IDKey: idKey, Logger: log, Now: now,
	})
	if err != nil {
		return err
	}
	defer hall.Close()

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	health := devices.NewHealth(func(st devices.Status) {
		log.Info("device status", "device", st.Device, "state", st.State, "detail", st.Detail)
		if err := hall.Emit(runCtx, "device.status", st, "", nil); err != nil {
			log.Error("device status event", "err", err)
		}
	})
	printers := map[string]ui.Printer{}
	if p, err := openPrinter(runCtx, cfg, health, log); err != nil {
		return err
	} else if p != nil {
		printers[cfg.DeviceTerminal()] = p
		go p.Watch(runCtx, 15*time.Second)
	}
	if id, p, err := guidePrinter(runCtx, cfg, health, log); err != nil {
		return err
	} else if p != nil {
		printers[id] = p
		go p.Watch(runCtx, 15*time.Second)
	}

	reader, err := startCardReader(runCtx, cfg, hall, health, log)
	if err != nil {
		return err
	}
	if err := startRatingPad(runCtx, cfg, hall, health, log, hid.USB()); err != nil {
		return err
	}
	if err := startQRReader(runCtx, cfg, hall, health, log, hid.USB()); err != nil {
		return err
	}
	c, err := newCaller(runCtx, cfg, hall, health, log)
	if err != nil {
		return err
	}
	callsMu.Lock()
	calls = c
	callsMu.Unlock()
	docs, err := newDocuments(cfg)
	if err != nil {
		return err
	}
	scanners := map[string]ui.Scanner{}
	if sc, err := openScanner(cfg); err != nil {
		return err
	} else if sc != nil {
		scanners[cfg.DeviceTerminal()] = sc
	}
	go purgeLoop(runCtx, hall, log)
	if sink := platformSink(cfg); sink != nil && cfg.Upstream.URL == "" { // a terminal node's hall node hands over
		fw := &platform.Forwarder{
			Hall: cfg.Hall.Code, Source: hall, Sink: sink, Cursor: filepath.Join(cfg.DataDir, "platform.cursor"),
			Start:  hall.LastSeq,
			Errors: func(err error) { log.Warn("platform hand-off retried", "err", err) },
		}
		go func() {
			if err := fw.Run(runCtx); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("platform hand-off stopped", "err", err)
			}
		}()
	}
	members := make([]staff.Member, 0, len(cfg.Staff.Members))
	for _, m := range cfg.Staff.Members {
		if err := staff.CheckHash(m.PINHash); err != nil {
			return fmt.Errorf("config: staff.members (%s).pin_hash: %w", m.ID, err)
		}
		members = append(members, staff.Member{ID: m.ID, Name: m.Name, PINHash: m.PINHash})
	}
	desk := staff.NewDesk(members, time.Duration(cfg.Staff.IdleMinutes)*time.Minute, nil)
	// upload bodies arrive in the spool; one left by a stop was never answered
	spool := filepath.Join(cfg.DataDir, "spool")
	_ = os.RemoveAll(spool)
	opts := ui.Options{Hall: hall, Hub: hub, Logger: log, Health: health, Printers: printers, Documents: docs, Scanners: scanners, Staff: desk,
		SpoolDir: spool, DataDir: cfg.DataDir, Build: ui.BuildInfo{Version: version, Commit: commit}}
	if c.queue != nil {
		opts.Voice = c.WAV
		opts.Speak = c.synth.Speak
	}
	if reader != nil && reader.sim != nil {
		opts.SimCard = reader.SimPlace
	}
	dist, err := startDistrict(runCtx, cfg, hall, log)
	if err != nil {
		return err
	}
	if dist != nil {
		defer dist.Close()
		opts.District = dist
	}
	up, stopUp, err := startUpstream(runCtx, cfg, hall, dataKey, log)
	if err != nil {
		return err
	}
	defer stopUp()
	opts.Upstream = up
	handler := ui.NewServer(opts)
	watchTerminals(runCtx, cfgPath, cfg, handler.SetTerminals, log) // SIGHUP or a changed file: new tokens at once
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go hall.Run(runCtx)

	if cfg.DevTokens {
		printTokens(stdout, cfg)
	}
	log.Info("kioskd serving", "listen", ln.Addr().String(), "data_dir", cfg.DataDir, "hall", cfg.Hall.Name, "matters", len(cat.Matters()))
	errc := make(chan error, 1)
	// what start-up parsed and built and no longer needs goes back to the
	// system before the first request: an idle kioskd holds what it uses
	debug.FreeOSMemory()
	go func() { errc <- srv.Serve(ln) }()
	_ = sdNotify("READY=1\nSTATUS=serving on " + ln.Addr().String())
	go sdWatchdog(runCtx, ln.Addr().String(), selfTLS)
	select {
	case err := <-errc:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	_ = sdNotify("STOPPING=1")
	log.Info("shutting down: finishing requests in flight")
	shCtx, shCancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer shCancel()
	if err := srv.Shutdown(shCtx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	return nil
}

func printTokens(w io.Writer, cfg *config.Config) {
	base := "http://" + cfg.Listen
	if cfg.TLS.Enabled() {
		base = "https://" + cfg.Listen
	}
	fmt.Fprintf(w, "kioskd: development tokens (kept in %s):\n", filepath.Join(cfg.DataDir, "dev-tokens.toml"))
	for _, t := range cfg.Terminals {
		page := t.Role
		switch page {
		case config.RoleDisplay:
			page = "display"
		case config.RoleDepartment:
			page = "backoffice"
		}
		fmt.Fprintf(w, "  %-13s %-10s %s  %s/%s?token=%s  %s\n", t.ID, t.Role, t.Token, base, page, t.Token, t.Department)
	}
}

// platformSink returns where cases and ratings are handed over, or nil.
func platformSink(cfg *config.Config) platform.Sink {
	switch {
	case cfg.Platform.URL != "":
		return &platform.Webhook{URL: cfg.Platform.URL, Secret: []byte(cfg.Platform.Secret)}
	case cfg.Platform.Dir != "":
		return &platform.Folder{Dir: cfg.Platform.Dir}
	}
	return nil
}

// purgeLoop deletes materials and applicants' data past their retention
// periods, hourly.
func purgeLoop(ctx context.Context, hall *kiosk.Hall, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		ids, err := hall.PurgeMaterials(ctx)
		if err != nil {
			log.Error("purge materials", "err", err)
		} else if len(ids) > 0 {
			log.Info("materials purged", "count", len(ids))
		}
		if n, err := hall.PurgePersonal(ctx); err != nil {
			log.Error("purge personal data", "err", err)
		} else if n > 0 {
			log.Info("personal data purged", "records", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
