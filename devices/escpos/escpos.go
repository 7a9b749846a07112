// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"yichuang/devices"
)

// Opts configures a Dev.
type Opts struct {
	Layout LayoutOpts // paper width, native QR, cut: used by PrintTicket and PrintReceipt
	// NoStatus never asks for status, for one-way links; Print then writes
	// blindly.
	NoStatus bool
	// StatusTimeout bounds the wait for each DLE EOT answer; 0 means 500 ms.
	StatusTimeout time.Duration
}

// DefaultOpts returns the options for a 58 mm printer without native QR
// codes that answers status requests.
func DefaultOpts() Opts {
	return Opts{Layout: DefaultLayout(Paper58), StatusTimeout: 500 * time.Millisecond}
}

// ReadDeadliner is what a transport needs for status: reads that a deadline
// can bound. net.Conn, the serial and USB transports of Open, and pollable
// *os.File values have it.
type ReadDeadliner interface {
	io.Reader
	SetReadDeadline(t time.Time) error
}

// writeDeadliner is a transport whose writes a deadline can bound.
type writeDeadliner interface {
	SetWriteDeadline(t time.Time) error
}

// writeChunk is how much Print writes at once between context checks: about
// one second at 9600 baud.
const writeChunk = 1024

// Dev is an ESC/POS printer on a transport. Its methods are safe for
// concurrent use; one operation runs at a time.
type Dev struct {
	mu    sync.Mutex
	w     io.Writer
	rd    ReadDeadliner // nil: no status
	opts  Opts
	stale bool // a status answer may still be on its way: drain first
}

// New returns a Dev printing through t. If t is a ReadDeadliner whose
// deadline can be set, Print asks for the printer's status first. o nil
// means DefaultOpts().
func New(t io.Writer, o *Opts) (*Dev, error) {
	if t == nil {
		return nil, errors.New("escpos: nil transport")
	}
	opts := DefaultOpts()
	if o != nil {
		opts = *o
	}
	if opts.Layout.Paper.Dots() == 0 {
		return nil, fmt.Errorf("escpos: unknown paper width %d mm", int(opts.Layout.Paper))
	}
	if opts.StatusTimeout <= 0 {
		opts.StatusTimeout = 500 * time.Millisecond
	}
	d := &Dev{w: t, opts: opts}
	if rd, ok := t.(ReadDeadliner); ok && !opts.NoStatus {
		// A file that cannot take deadlines (a regular file, a blocking fd)
		// would block forever on a silent printer.
		if err := rd.SetReadDeadline(time.Time{}); err == nil {
			d.rd = rd
		}
	}
	return d, nil
}

func (d *Dev) String() string { return fmt.Sprintf("escpos(%s)", d.opts.Layout.Paper) }

// CanStatus reports whether the transport reads back, so Status can work.
func (d *Dev) CanStatus() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rd != nil
}

// Opts returns the options the Dev uses.
func (d *Dev) Opts() Opts { return d.opts }

// Close closes the transport if it is an io.Closer.
func (d *Dev) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.w.(io.Closer); ok {
		if err := c.Close(); err != nil {
			return fmt.Errorf("escpos: close: %w", err)
		}
	}
	return nil
}

// Status asks the printer for its real-time status (DLE EOT 1..4). It
// returns ErrNoStatus if the transport cannot read back and an error
// wrapping ErrOffline and ErrNoAnswer if the printer does not answer in
// time. Conditions such as paper out are reported in the Status, not as an
// error: see Status.Err.
func (d *Dev) Status(ctx context.Context) (Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.status(ctx)
}

// Print checks the printer's status where the transport reads back and,
// unless it stops printing (an error wrapping ErrPaperOut, ErrCoverOpen,
// ErrFault or ErrOffline), writes job. Paper near end does not stop it.
func (d *Dev) Print(ctx context.Context, job []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.rd != nil {
		st, err := d.status(ctx)
		switch {
		case errors.Is(err, ErrNoStatus):
			d.rd = nil // a one-way link after all: print blindly from now on
		case err != nil:
			return err
		}
		if err := st.Err(); err != nil {
			return fmt.Errorf("%w (status: %s); nothing printed", err, st)
		}
	}
	if err := d.write(ctx, job); err != nil {
		return fmt.Errorf("escpos: print: %w", err)
	}
	return nil
}

// PrintTicket lays t out with the Dev's layout options and prints it.
func (d *Dev) PrintTicket(ctx context.Context, t devices.Ticket) error {
	job, err := LayoutTicket(t, &d.opts.Layout)
	if err != nil {
		return err
	}
	return d.Print(ctx, job)
}

// PrintReceipt lays r out with the Dev's layout options and prints it.
func (d *Dev) PrintReceipt(ctx context.Context, r Receipt) error {
	job, err := LayoutReceipt(r, &d.opts.Layout)
	if err != nil {
		return err
	}
	return d.Print(ctx, job)
}

func (d *Dev) status(ctx context.Context) (Status, error) {
	if d.rd == nil {
		return Status{}, ErrNoStatus
	}
	if d.stale {
		if err := d.drain(ctx); err != nil {
			return Status{}, err
		}
	}
	var raw [4]byte
	for n := byte(1); n <= 4; n++ {
		if err := d.write(ctx, []byte{dle, eot, n}); err != nil {
			return Status{}, fmt.Errorf("escpos: status request: %w", err)
		}
		b, err := d.readStatusByte(ctx)
		if err != nil {
			return Status{}, fmt.Errorf("%w (DLE EOT %d)", err, n)
		}
		raw[n-1] = b
	}
	return DecodeStatus(raw)
}

// readStatusByte returns the next byte that looks like a DLE EOT answer,
// skipping any other input.
func (d *Dev) readStatusByte(ctx context.Context) (byte, error) {
	var got byte
	err := d.withReadDeadline(ctx, time.Now().Add(d.opts.StatusTimeout), func() error {
		var buf [1]byte
		for {
			n, err := d.rd.Read(buf[:])
			if n == 1 {
				if validStatusByte(buf[0]) {
					got = buf[0]
					return nil
				}
				continue
			}
			if err != nil {
				return err
			}
		}
	})
	if err == nil {
		return got, nil
	}
	if errors.Is(err, ErrNoStatus) {
		return 0, err
	}
	d.stale = true
	if err := ctxErr(ctx); err != nil {
		return 0, err
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return 0, fmt.Errorf("%w in %v: %w", ErrNoAnswer, d.opts.StatusTimeout, ErrOffline)
	}
	return 0, fmt.Errorf("%w: status read: %w", ErrOffline, err)
}

// drain discards input left from an earlier request the printer answered
// late.
func (d *Dev) drain(ctx context.Context) error {
	err := d.withReadDeadline(ctx, time.Now().Add(20*time.Millisecond), func() error {
		var buf [64]byte
		for {
			if _, err := d.rd.Read(buf[:]); err != nil {
				return err
			}
		}
	})
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("%w: status read: %w", ErrOffline, err)
	}
	d.stale = false
	return nil
}

// ctxErr is ctx.Err(), but also reports a deadline that has passed while
// the context's own timer has not fired yet: a transport deadline set from
// it may expire first.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

// withReadDeadline runs f with the read deadline set to the earlier of dl
// and ctx's deadline; cancelling ctx makes a blocked read return.
func (d *Dev) withReadDeadline(ctx context.Context, dl time.Time, f func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if cdl, ok := ctx.Deadline(); ok && cdl.Before(dl) {
		dl = cdl
	}
	if err := d.rd.SetReadDeadline(dl); err != nil {
		return err
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(fired)
		_ = d.rd.SetReadDeadline(time.Unix(1, 0)) // in the past: a blocked read returns
	})
	err := f()
	if !stop() {
		<-fired
	}
	_ = d.rd.SetReadDeadline(time.Time{})
	return err
}

// write writes p in chunks, giving up when ctx is done.
func (d *Dev) write(ctx context.Context, p []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if wd, ok := d.w.(writeDeadliner); ok {
		dl, _ := ctx.Deadline()
		if err := wd.SetWriteDeadline(dl); err == nil {
			fired := make(chan struct{})
			stop := context.AfterFunc(ctx, func() {
				defer close(fired)
				_ = wd.SetWriteDeadline(time.Unix(1, 0))
			})
			defer func() {
				if !stop() {
					<-fired
				}
				_ = wd.SetWriteDeadline(time.Time{})
			}()
		}
	}
	for len(p) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := d.w.Write(p[:min(len(p), writeChunk)])
		p = p[n:]
		if err != nil {
			if cerr := ctxErr(ctx); cerr != nil {
				return cerr
			}
			return err
		}
	}
	return nil
}
