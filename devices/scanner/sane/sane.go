// SPDX-License-Identifier: AGPL-3.0-or-later

// Package sane scans through SANE by running its command-line frontend,
// scanimage (no cgo, no libsane binding): flatbeds, automatic document
// feeders and duplex feeders, at a resolution and colour mode, page by page
// in batch mode.
//
// Every page is a PNG (or Opts.Format) file scanimage writes into a private
// temporary directory; it is read and deleted as soon as scanimage reports it
// with --batch-print, and the directory is removed after the scan: scanned
// pages are personal information.
//
// Failures map to the sentinel errors of package scanner (ErrJam,
// ErrFeederEmpty, ErrCoverOpen, ErrNotFound, ErrBusy, ...).
package sane

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"yichuang/devices"
	"yichuang/devices/scanner"
)

// Opts configure a Dev.
type Opts struct {
	// Device is the SANE device name ("test", "test:0",
	// "fujitsu:fi-7160:12345", "airscan:e0:Canon ..."); "" takes the first
	// device SANE finds.
	Device string
	// Command is the scanimage binary (default "scanimage", looked up in
	// PATH).
	Command string
	// Env is added to scanimage's environment, e.g.
	// SANE_CONFIG_DIR=/etc/kioskd/sane.d to pick the backends.
	Env []string
	// Args are backend-specific options passed to scanimage before the
	// ones a Request sets, e.g. "--page-height=297" or, for SANE's test
	// backend, "--test-picture=Color pattern".
	Args []string
	// Format is the page file format: "png" (default), "jpeg" or "tiff".
	Format string
	// TempDir is where the temporary page files go (default os.TempDir()).
	TempDir string
	// Stop is how long scanimage has to cancel the scan after an interrupt
	// before it is killed (default 5 s).
	Stop time.Duration
	// PageTimeout is how long a page may take, warming up included, before
	// the scanner is deemed hung and the scan fails with ErrFailed
	// (default 2 min).
	PageTimeout time.Duration
}

// DefaultOpts returns the defaults New fills in.
func DefaultOpts() Opts {
	return Opts{Command: "scanimage", Format: "png", Stop: 5 * time.Second, PageTimeout: 2 * time.Minute}
}

// Dev is one SANE scanner. It is safe for concurrent use; one scan runs at a
// time.
type Dev struct {
	opts Opts
	busy chan struct{} // holds a token while a scan runs

	mu      sync.Mutex
	options map[string]option // the device's options, read once
}

var _ scanner.Scanner = (*Dev)(nil)

// New returns a Dev. It checks that scanimage is installed, not that the
// device is there: a scanner may be plugged in later.
func New(o *Opts) (*Dev, error) {
	opts := DefaultOpts()
	if o != nil {
		opts.Device, opts.Env, opts.Args, opts.TempDir = o.Device, o.Env, o.Args, o.TempDir
		if o.Command != "" {
			opts.Command = o.Command
		}
		if o.Format != "" {
			opts.Format = o.Format
		}
		if o.Stop > 0 {
			opts.Stop = o.Stop
		}
		if o.PageTimeout > 0 {
			opts.PageTimeout = o.PageTimeout
		}
	}
	switch opts.Format {
	case "png", "jpeg", "tiff":
	default:
		return nil, fmt.Errorf("sane: format %q, want png, jpeg or tiff: %w", opts.Format, scanner.ErrUnsupported)
	}
	path, err := exec.LookPath(opts.Command)
	if err != nil {
		return nil, fmt.Errorf("sane: %v (install sane-utils): %w", err, scanner.ErrNotFound)
	}
	opts.Command = path
	return &Dev{opts: opts, busy: make(chan struct{}, 1)}, nil
}

// String names the device: "sane:test".
func (d *Dev) String() string { return "sane:" + d.opts.Device }

// Scan implements scanner.Scanner.
func (d *Dev) Scan(ctx context.Context, r scanner.Request, progress func(scanner.Progress)) ([]devices.Page, error) {
	select {
	case d.busy <- struct{}{}:
		defer func() { <-d.busy }()
	default:
		return nil, fmt.Errorf("sane: %s: a scan is running: %w", d.opts.Device, scanner.ErrBusy)
	}
	opts, err := d.deviceOptions(ctx)
	if err != nil {
		return nil, fmt.Errorf("sane: %s: %w", d.opts.Device, err)
	}
	p, err := makePlan(opts, r)
	if err != nil {
		return nil, fmt.Errorf("sane: %s: %w", d.opts.Device, err)
	}
	pages, err := d.run(ctx, p, progress)
	if err != nil {
		if errors.Is(err, scanner.ErrNotFound) {
			d.forgetOptions() // another device may come back under the name
		}
		return pages, fmt.Errorf("sane: %s: %w", d.opts.Device, err)
	}
	return pages, nil
}

// Capabilities reads what the device offers (`scanimage -A`).
func (d *Dev) Capabilities(ctx context.Context) (Capabilities, error) {
	opts, err := d.deviceOptions(ctx)
	if err != nil {
		return Capabilities{}, fmt.Errorf("sane: %s: %w", d.opts.Device, err)
	}
	return capabilities(opts), nil
}

func (d *Dev) deviceOptions(ctx context.Context) (map[string]option, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.options != nil {
		return d.options, nil
	}
	tctx, cancel := context.WithTimeout(ctx, d.opts.PageTimeout)
	defer cancel()
	cmd := d.command(tctx, d.deviceArgs("--all-options")...)
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() == nil && tctx.Err() != nil {
			return nil, fmt.Errorf("scanimage --all-options took over %v: %w", d.opts.PageTimeout, scanner.ErrFailed)
		}
		return nil, commandError(ctx, cmd, err)
	}
	d.options = parseOptions(string(out))
	return d.options, nil
}

func (d *Dev) forgetOptions() {
	d.mu.Lock()
	d.options = nil
	d.mu.Unlock()
}

func (d *Dev) deviceArgs(args ...string) []string {
	if d.opts.Device == "" {
		return args
	}
	return append([]string{"--device-name=" + d.opts.Device}, args...)
}

// command prepares scanimage. On ctx's end it gets SIGTERM, on which it
// cancels the scan (sane_cancel) and stops the paper, and is killed if that
// takes longer than Opts.Stop. (SIGINT does the same but is ignored by
// processes started in the background of a shell, and so by their children.)
func (d *Dev) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, d.opts.Command, args...)
	cmd.Env = append(os.Environ(), d.opts.Env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = d.opts.Stop
	cmd.Stderr = &tail{max: 16 << 10}
	return cmd
}

// errStalled cancels a scan whose scanner stopped sending pages.
var errStalled = errors.New("stalled")

func (d *Dev) run(parent context.Context, p plan, progress func(scanner.Progress)) (pages []devices.Page, err error) {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	watchdog := time.AfterFunc(d.opts.PageTimeout, func() { cancel(errStalled) })
	defer watchdog.Stop()
	stopped := func() error {
		if err := parent.Err(); err != nil {
			return err
		}
		if context.Cause(ctx) == errStalled {
			return fmt.Errorf("no page in %v, the scanner stopped responding: %w", d.opts.PageTimeout, scanner.ErrFailed)
		}
		return nil
	}

	dir, err := os.MkdirTemp(d.opts.TempDir, "kioskd-scan-")
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, scanner.ErrFailed)
	}
	defer os.RemoveAll(dir)

	ext := map[string]string{"png": "png", "jpeg": "jpg", "tiff": "tif"}[d.opts.Format]
	args := d.deviceArgs("--format="+d.opts.Format, "--batch="+filepath.Join(dir, "page-%04d."+ext), "--batch-print")
	args = append(args, d.opts.Args...)
	args = append(args, p.args...)
	cmd := d.command(ctx, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, scanner.ErrFailed)
	}
	if err := cmd.Start(); err != nil {
		if err := stopped(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%v: %w", err, scanner.ErrNotFound)
	}

	// scanimage prints each page's file name once the file is complete.
	var readErr error
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		name := strings.TrimSpace(lines.Text())
		if filepath.Dir(name) != dir || readErr != nil || ctx.Err() != nil {
			continue
		}
		data, err := os.ReadFile(name)
		os.Remove(name)
		if err != nil {
			readErr = err
			continue
		}
		watchdog.Reset(d.opts.PageTimeout)
		page := devices.Page{Data: data, Format: d.opts.Format}
		pages = append(pages, page)
		if progress != nil {
			progress(scanner.Progress{Page: len(pages), Image: page})
		}
	}
	io.Copy(io.Discard, stdout)
	waitErr := cmd.Wait()
	if err := stopped(); err != nil {
		return pages, err
	}
	if readErr != nil {
		return pages, fmt.Errorf("reading a page: %v: %w", readErr, scanner.ErrFailed)
	}
	stderr := cmd.Stderr.(*tail).String()
	if err := scanError(stderr, waitErr, len(pages)); err != nil {
		return pages, err
	}
	return pages, nil
}

// commandError maps the failure of a scanimage run that does not scan.
func commandError(ctx context.Context, cmd *exec.Cmd, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	stderr := cmd.Stderr.(*tail).String()
	if err := openError(stderr); err != nil {
		return err
	}
	return fmt.Errorf("scanimage: %v: %s: %w", err, lastLine(stderr), scanner.ErrFailed)
}

// openError maps "scanimage: open of device X failed: REASON": "Invalid
// argument" (no such device), "Error during device I/O" (unplugged),
// "Device busy" (another program has it), "Access to resource has been
// denied" (the user is not in the scanner group).
func openError(stderr string) error {
	i := strings.Index(stderr, "open of device")
	if i < 0 {
		return nil
	}
	line, _, _ := strings.Cut(stderr[i:], "\n")
	if !strings.Contains(line, "failed") {
		return nil
	}
	if strings.Contains(line, "Device busy") {
		return fmt.Errorf("%s: %w", line, scanner.ErrBusy)
	}
	return fmt.Errorf("%s: %w", line, scanner.ErrNotFound)
}

// Messages of sane_strstatus (sanei/sanei_constrain_value.c, backend/dll.c,
// frontend/scanimage.c) and the SANE_Status numbers scanimage exits with.
var statusErrors = []struct {
	text   string
	status int
	err    error
}{
	{"Document feeder out of documents", 7, scanner.ErrFeederEmpty},
	{"Document feeder jammed", 6, scanner.ErrJam},
	{"Scanner cover is open", 8, scanner.ErrCoverOpen},
	{"Device busy", 3, scanner.ErrBusy},
	{"Operation was canceled", 2, scanner.ErrCancelled},
	{"Operation was cancelled", 2, scanner.ErrCancelled},
	{"no SANE devices found", -1, scanner.ErrNotFound},
}

// scanError reads scanimage's stderr and exit status after n pages. An
// empty feeder after at least one page is the normal end of a feeder scan;
// on a first page, ErrFeederEmpty.
func scanError(stderr string, waitErr error, n int) error {
	status := 0
	if waitErr != nil {
		status = -1
		var ee interface{ ExitCode() int } // *exec.ExitError
		if errors.As(waitErr, &ee) {
			status = ee.ExitCode() // -1 when killed by a signal
		}
	}
	detail := lastLine(stderr)
	if err := openError(stderr); err != nil {
		return err
	}
	for _, s := range statusErrors {
		if !strings.Contains(stderr, s.text) && (s.status < 0 || status != s.status) {
			continue
		}
		if s.err == scanner.ErrFeederEmpty {
			if n > 0 {
				// The feeder ran out: done, even short of --batch-count
				// (then scanimage exits with 7).
				return nil
			}
			return fmt.Errorf("%s: %w", detail, scanner.ErrFeederEmpty)
		}
		return fmt.Errorf("%s: %w", detail, s.err)
	}
	if status != 0 {
		return fmt.Errorf("scanimage: %v: %s: %w", waitErr, detail, scanner.ErrFailed)
	}
	if n == 0 {
		// A clean exit without a page: a feeder scan that found no paper
		// (some backends say so only through sane_read's NO_DOCS).
		return fmt.Errorf("no page scanned: %w", scanner.ErrFeederEmpty)
	}
	return nil
}

// lastLine returns the last line of stderr that says something, for error
// details.
func lastLine(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "scanimage:") {
			return l
		}
	}
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return l
	}
	return "scanimage"
}

// Device is one scanner SANE found.
type Device struct {
	Name   string // what Opts.Device takes
	Vendor string
	Model  string
	Type   string // "flatbed scanner", "sheetfed scanner", "virtual device"
}

// List asks SANE for its scanners (`scanimage --formatted-device-list`).
// Opts.Command and Opts.Env apply; o may be nil. Network backends can make
// this take seconds: give ctx a deadline.
func List(ctx context.Context, o *Opts) ([]Device, error) {
	d, err := New(o)
	if err != nil {
		return nil, err
	}
	const sep = "\x1f"
	cmd := d.command(ctx, "--formatted-device-list=%d"+sep+"%v"+sep+"%m"+sep+"%t%n")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("sane: list: %w", commandError(ctx, cmd, err))
	}
	var devs []Device
	for line := range strings.Lines(string(out)) {
		f := strings.Split(strings.TrimRight(line, "\r\n"), sep)
		if len(f) != 4 || f[0] == "" {
			continue
		}
		devs = append(devs, Device{Name: f[0], Vendor: f[1], Model: f[2], Type: f[3]})
	}
	return devs, nil
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = bytes.Clone(t.b[over:])
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
