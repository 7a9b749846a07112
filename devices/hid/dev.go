// SPDX-License-Identifier: AGPL-3.0-or-later

package hid

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"yichuang/devices"
)

// Opts configures a Dev and the Run loops. Zero fields take the values of
// DefaultOpts.
type Opts struct {
	// Name is the device's name in status reports ("rating_pad",
	// "qr_reader"); RunPad and RunScanner give those when it is empty, Run
	// gives "hid".
	Name string
	// ReportSize is the read buffer: the longest input report, report ID
	// included (64 for full-speed devices).
	ReportSize int
	// MinBackoff and MaxBackoff bound the wait before Run looks for the
	// device again; it doubles from MinBackoff after each failure, and
	// starts again from MinBackoff after a connection that lasted longer
	// than MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// Errors, when not nil, receives the problems a watch survives: a
	// malformed report, an ambiguous press, a dropped half scan. It runs on
	// the watch's goroutine.
	Errors func(error)
	// Now stamps reports; time.Now when nil.
	Now func() time.Time
	// After waits (the backoff, a half scan's timeout); time.After when nil.
	After func(time.Duration) <-chan time.Time
}

// DefaultOpts returns 64-byte reports and a backoff from 250 ms to 5 s.
func DefaultOpts() Opts {
	return Opts{
		Name:       "hid",
		ReportSize: 64,
		MinBackoff: 250 * time.Millisecond,
		MaxBackoff: 5 * time.Second,
		Now:        time.Now,
		After:      time.After,
	}
}

func (o *Opts) withDefaults() Opts {
	d := DefaultOpts()
	if o == nil {
		return d
	}
	r := *o
	if r.Name == "" {
		r.Name = d.Name
	}
	if r.ReportSize <= 0 {
		r.ReportSize = d.ReportSize
	}
	if r.MinBackoff <= 0 {
		r.MinBackoff = d.MinBackoff
	}
	if r.MaxBackoff < r.MinBackoff {
		r.MaxBackoff = max(d.MaxBackoff, r.MinBackoff)
	}
	if r.Now == nil {
		r.Now = d.Now
	}
	if r.After == nil {
		r.After = d.After
	}
	return r
}

func (o *Opts) survived(err error) {
	if err != nil && o.Errors != nil {
		o.Errors(err)
	}
}

// closeWait bounds how long Close waits for the read goroutine after
// closing a device whose Close should have woken it.
const closeWait = 2 * time.Second

// report is one input report, stamped when it was read.
type report struct {
	b  []byte
	at time.Time
}

// Dev is one open HID device. A goroutine, started by the first read,
// reads its reports into a queue, so a read can give up when its context
// ends; it exits when the device fails or is closed. Methods may be called
// from several goroutines.
type Dev struct {
	dev Device
	o   Opts

	start     sync.Once
	reports   chan report   // closed by the read goroutine when it exits
	err       error         // why the read goroutine exited; set before reports is closed
	done      chan struct{} // closed by Close
	exited    chan struct{} // closed when the read goroutine has exited
	started   bool          // under mu
	closed    bool          // under mu
	mu        sync.Mutex
	closeErr  error
	closeOnce sync.Once
}

// New returns a Dev reading d. It reads nothing yet.
func New(d Device, o *Opts) (*Dev, error) {
	if d == nil {
		return nil, errors.New("hid: nil device")
	}
	return &Dev{
		dev:     d,
		o:       o.withDefaults(),
		reports: make(chan report, 32),
		done:    make(chan struct{}),
		exited:  make(chan struct{}),
	}, nil
}

func (d *Dev) String() string { return "hid(" + d.o.Name + ")" }

// Close closes the device, which ends the read goroutine, and waits (a
// bounded time) for it to exit. Reads then fail with ErrClosed.
func (d *Dev) Close() error {
	d.closeOnce.Do(func() {
		d.mu.Lock()
		d.closed = true
		started := d.started
		d.mu.Unlock()
		close(d.done)
		if err := d.dev.Close(); err != nil {
			d.closeErr = fmt.Errorf("hid: close: %w", err)
		}
		if started {
			t := time.NewTimer(closeWait)
			defer t.Stop()
			select {
			case <-d.exited:
			case <-t.C: // a Device whose Close does not wake Read: leave it
			}
		}
	})
	return d.closeErr
}

func (d *Dev) startReading() {
	d.start.Do(func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.closed {
			d.err = ErrClosed
			close(d.reports)
			close(d.exited)
			return
		}
		d.started = true
		go d.readLoop()
	})
}

func (d *Dev) readLoop() {
	defer close(d.exited)
	defer close(d.reports)
	for {
		buf := make([]byte, d.o.ReportSize)
		n, err := d.dev.Read(buf)
		if n > 0 {
			select {
			case d.reports <- report{b: buf[:n], at: d.o.Now()}:
			case <-d.done:
				d.err = ErrClosed
				return
			}
		}
		if err != nil {
			select {
			case <-d.done:
				d.err = ErrClosed
			default:
				d.err = fmt.Errorf("hid: read: %w", err)
			}
			return
		}
		if n == 0 {
			// A device that answers at once with nothing must not make
			// this loop spin.
			select {
			case <-d.done:
				d.err = ErrClosed
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
}

// ReadReport returns the next input report and when it was read. It
// returns ctx.Err() when ctx ends first, ErrClosed after Close, and the
// read error, wrapped, once the device failed (unplugged).
func (d *Dev) ReadReport(ctx context.Context) ([]byte, time.Time, error) {
	r, err := d.next(ctx, nil)
	return r.b, r.at, err
}

var errExpired = errors.New("hid: deadline")

func (d *Dev) next(ctx context.Context, expire <-chan time.Time) (report, error) {
	if err := ctx.Err(); err != nil {
		return report{}, err
	}
	d.startReading()
	// Reports already read go first, even if the device failed after them.
	select {
	case r, ok := <-d.reports:
		if !ok {
			return report{}, d.err
		}
		return r, nil
	default:
	}
	select {
	case r, ok := <-d.reports:
		if !ok {
			return report{}, d.err
		}
		return r, nil
	case <-ctx.Done():
		return report{}, ctx.Err()
	case <-expire:
		return report{}, errExpired
	}
}

// WatchKeys reads a rating pad and calls emit once per key press, as k
// decodes them, until ctx ends (ctx.Err()) or the device fails (its
// error). emit runs on WatchKeys' goroutine.
func (d *Dev) WatchKeys(ctx context.Context, k *KeyDecoder, emit func(Key)) error {
	for {
		r, err := d.next(ctx, nil)
		if err != nil {
			return err
		}
		key, ok, err := k.Decode(r.b, r.at)
		d.o.survived(err)
		if ok {
			emit(key)
		}
	}
}

// WatchScans reads a QR reader and calls emit once per complete scan, as
// dec assembles them, until ctx ends (ctx.Err()) or the device fails (its
// error). A half scan is dropped when its deadline passes, even if no
// report follows. emit runs on WatchScans' goroutine.
func (d *Dev) WatchScans(ctx context.Context, dec ScanDecoder, emit func(Scan)) error {
	for {
		var expire <-chan time.Time
		if dl, ok := dec.Deadline(); ok {
			expire = d.o.After(max(dl.Sub(d.o.Now()), 0))
		}
		r, err := d.next(ctx, expire)
		if errors.Is(err, errExpired) {
			d.o.survived(dec.Expire(d.o.Now()))
			continue
		}
		if err != nil {
			return err
		}
		scans, err := dec.Decode(r.b, r.at)
		d.o.survived(err)
		for _, s := range scans {
			emit(Scan{Data: s, At: r.at})
		}
	}
}

// Run finds and opens the device with open, calls watch with it until
// watch returns, closes it, and does it again, until ctx ends; then it
// returns ctx.Err(). status gets the device's state once per change:
// StateOK when it was opened, StateOffline (Detail: why) when it could not
// be found or opened or it failed (unplugged). Between attempts it waits a
// backoff that doubles from Opts.MinBackoff to Opts.MaxBackoff. status may
// be nil.
func Run(ctx context.Context, open Opener, o *Opts, watch func(context.Context, *Dev) error, status func(devices.Status)) error {
	opts := o.withDefaults()
	if status == nil {
		status = func(devices.Status) {}
	}
	var last devices.State
	setState := func(s devices.State, err error) {
		if s == last {
			return
		}
		last = s
		st := devices.Status{Device: opts.Name, State: s, At: opts.Now()}
		if err != nil {
			st.Detail = err.Error()
		}
		status(st)
	}
	backoff := opts.MinBackoff
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		dev, _, err := open(ctx)
		if err == nil {
			var d *Dev
			if d, err = New(dev, &opts); err == nil {
				setState(devices.StateOK, nil)
				began := opts.Now()
				err = watch(ctx, d)
				_ = d.Close() // given up on: its close error adds nothing
				if opts.Now().Sub(began) > opts.MaxBackoff {
					backoff = opts.MinBackoff
				}
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			err = errors.New("hid: watch ended")
		}
		setState(devices.StateOffline, err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-opts.After(backoff):
		}
		backoff = min(2*backoff, opts.MaxBackoff)
	}
}

// RunPad runs a rating pad: Run with WatchKeys, k reset at each
// connection. Opts.Name defaults to "rating_pad".
func RunPad(ctx context.Context, open Opener, o *Opts, k *KeyDecoder, emit func(Key), status func(devices.Status)) error {
	opts := named(o, "rating_pad")
	return Run(ctx, open, &opts, func(ctx context.Context, d *Dev) error {
		k.Reset()
		return d.WatchKeys(ctx, k, emit)
	}, status)
}

// RunScanner runs a QR reader: Run with WatchScans, dec reset at each
// connection. Opts.Name defaults to "qr_reader".
func RunScanner(ctx context.Context, open Opener, o *Opts, dec ScanDecoder, emit func(Scan), status func(devices.Status)) error {
	opts := named(o, "qr_reader")
	return Run(ctx, open, &opts, func(ctx context.Context, d *Dev) error {
		dec.Reset()
		return d.WatchScans(ctx, dec, emit)
	}, status)
}

func named(o *Opts, name string) Opts {
	var r Opts
	if o != nil {
		r = *o
	}
	if r.Name == "" {
		r.Name = name
	}
	return r
}
