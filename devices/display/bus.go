// SPDX-License-Identifier: AGPL-3.0-or-later

package display

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"yichuang/devices/internal/serialport"
)

// DefaultBaud is the baud rate window screens ship with (8N1).
const DefaultBaud = 9600

// Port is the transport: a serial line to the screens. They never answer,
// so only writes are used.
type Port interface {
	io.Writer
}

// Open opens a real serial port at path (e.g. /dev/ttyUSB0) for screens:
// baud (DefaultBaud when 0), 8 data bits, no parity, 1 stop bit. Give the
// same baud to BusOpts.Baud.
func Open(ctx context.Context, path string, baud int) (io.WriteCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if baud == 0 {
		baud = DefaultBaud
	}
	p, err := serialport.Open(path, baud, 100*time.Millisecond)
	if err != nil {
		return nil, fmt.Errorf("display: open %s: %w", path, err)
	}
	return p, nil
}

// BusOpts configures a Bus. Zero fields take the values of DefaultBusOpts.
type BusOpts struct {
	// Pause is the quiet time after each command before the next one starts,
	// so a screen has drawn the last command before bytes come again.
	// Negative means none.
	Pause time.Duration
	// Baud is the line's baud rate. A write returns once the bytes are in
	// the port's buffer, not on the wire; the pause is counted from when
	// they will have left it (10 bit times a byte). Negative means unknown:
	// the pause then counts from the write.
	Baud int
	// Now reads the clock; time.Now when nil.
	Now func() time.Time
	// After waits; time.After when nil.
	After func(time.Duration) <-chan time.Time
}

// DefaultBusOpts returns a 50 ms pause at DefaultBaud.
func DefaultBusOpts() BusOpts {
	return BusOpts{Pause: 50 * time.Millisecond, Baud: DefaultBaud, Now: time.Now, After: time.After}
}

func (o *BusOpts) withDefaults() BusOpts {
	d := DefaultBusOpts()
	if o == nil {
		return d
	}
	r := *o
	switch {
	case r.Pause == 0:
		r.Pause = d.Pause
	case r.Pause < 0:
		r.Pause = 0
	}
	switch {
	case r.Baud == 0:
		r.Baud = d.Baud
	case r.Baud < 0:
		r.Baud = 0
	}
	if r.Now == nil {
		r.Now = d.Now
	}
	if r.After == nil {
		r.After = d.After
	}
	return r
}

// Bus is one serial line shared by several screens. It writes one command
// at a time, in the order callers get its turn, and keeps the pause between
// them. Its methods are safe for concurrent use.
type Bus struct {
	w    Port
	o    BusOpts
	turn chan struct{} // holds a token while a command is being sent

	// guarded by turn
	next   time.Time // the earliest start of the next command
	closed bool
}

// NewBus returns a Bus writing to p. o nil means DefaultBusOpts().
func NewBus(p Port, o *BusOpts) (*Bus, error) {
	if p == nil {
		return nil, errors.New("display: nil port")
	}
	return &Bus{w: p, o: o.withDefaults(), turn: make(chan struct{}, 1)}, nil
}

// Opts returns the options the Bus uses.
func (b *Bus) Opts() BusOpts { return b.o }

// wire returns how long n bytes take on the line.
func (b *Bus) wire(n int) time.Duration {
	if b.o.Baud <= 0 {
		return 0
	}
	return time.Duration(n) * 10 * time.Second / time.Duration(b.o.Baud)
}

func (b *Bus) lock(ctx context.Context) error {
	select {
	case b.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *Bus) unlock() { <-b.turn }

// Send writes one command: it waits for its turn and for the pause after the
// previous command, then writes cmd whole. ctx bounds both waits; a write
// under way is not interrupted.
func (b *Bus) Send(ctx context.Context, cmd []byte) error {
	if err := b.send(ctx, cmd); err != nil {
		return fmt.Errorf("display: send: %w", err)
	}
	return nil
}

func (b *Bus) send(ctx context.Context, cmd []byte) error {
	if err := b.lock(ctx); err != nil {
		return err
	}
	defer b.unlock()
	if b.closed {
		return ErrClosed
	}
	if wait := b.next.Sub(b.o.Now()); wait > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.o.After(wait):
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	n, err := b.w.Write(cmd)
	// Even a failed write may have put bytes on the line.
	b.next = b.o.Now().Add(b.wire(n) + b.o.Pause)
	if err == nil && n < len(cmd) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// Close closes the port if it is an io.Closer, after the command being sent.
// Send then returns ErrClosed.
func (b *Bus) Close() error {
	b.turn <- struct{}{}
	defer b.unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	if c, ok := b.w.(io.Closer); ok {
		if err := c.Close(); err != nil {
			return fmt.Errorf("display: close: %w", err)
		}
	}
	return nil
}
