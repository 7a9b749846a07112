// SPDX-License-Identifier: AGPL-3.0-or-later

// Package idcard drives a second-generation resident ID card reader (二代身份证
// 阅读器): the public-security SAM module behind a USB-serial bridge, speaking
// the GA 467 frame protocol. It finds, selects and reads cards, decodes every
// text layout (resident card, foreign permanent resident card 2017 and 2023,
// Hong Kong/Macau/Taiwan residence permit), checks ID numbers and validity,
// and runs the reader loop that turns a card placed on the reader into one
// Read event and its removal into one Removed event, surviving a noisy line,
// a silent reader and an unplugged bridge.
//
// The driver takes its transport (a Port) and never logs; Open gives a real
// serial port through github.com/tarm/serial.
package idcard

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"yichuang/devices"
	"yichuang/devices/internal/serialport"
)

// DefaultBaud is the SAM module's factory baud rate (8N1).
const DefaultBaud = 115200

// Port is the transport: a serial line to the reader. Read must return
// within a bounded time when no byte arrives (a serial read timeout, as Open
// sets); it may then return (0, nil) or (0, io.EOF), which mean "nothing
// yet". Any other error is a broken port.
type Port interface {
	io.ReadWriteCloser
}

// flusher is implemented by ports that can drop unread input (tarm/serial).
type flusher interface {
	Flush() error
}

// Open opens a real serial port at path (e.g. /dev/ttyUSB0) for a reader:
// baud (DefaultBaud when 0), 8 data bits, no parity, 1 stop bit, and a read
// timeout of 100 ms so that reads never block for long.
func Open(ctx context.Context, path string, baud int) (Port, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if baud == 0 {
		baud = DefaultBaud
	}
	p, err := serialport.Open(path, baud, 100*time.Millisecond)
	if err != nil {
		return nil, fmt.Errorf("idcard: open %s: %w", path, err)
	}
	return p, nil
}

// Opener opens the reader's port; Run calls it again after the port failed.
type Opener func(ctx context.Context) (Port, error)

// SerialOpener returns an Opener for a serial port, through Open.
func SerialOpener(path string, baud int) Opener {
	return func(ctx context.Context) (Port, error) { return Open(ctx, path, baud) }
}

// Opts configures a Dev and its reader loop. Zero fields take the values of
// DefaultOpts.
type Opts struct {
	// Fingerprint reads the base message with fingerprints (30 10) instead of
	// without (30 01).
	Fingerprint bool
	// Timeout is how long to wait for one answer before resending.
	Timeout time.Duration
	// Retries is how many times a command is resent after a missing or
	// corrupt answer (or a reader that got our frame corrupt) before the
	// command fails with ErrTimeout, ErrChecksum or ErrLength. Negative means
	// no retry.
	Retries int
	// PollInterval is the pause between two polls of the reader loop.
	PollInterval time.Duration
	// RemoveAfter is how many polls in a row must find no card (or fail to
	// select it) before a card that was read counts as removed.
	RemoveAfter int
	// MinBackoff and MaxBackoff bound the wait before Run reopens a port
	// that failed; it doubles from MinBackoff after each failure.
	MinBackoff, MaxBackoff time.Duration
	// Now stamps events; time.Now when nil.
	Now func() time.Time
	// After waits; time.After when nil. The reader loop, the backoff and the
	// answer timeouts all wait through it.
	After func(time.Duration) <-chan time.Time
}

// DefaultOpts returns the defaults: 30 01, answers within 1.5 s (a SAM takes
// up to about a second to read a card), 2 retries, a poll every 300 ms, a
// card removed after 3 empty polls, backoff 250 ms to 5 s.
func DefaultOpts() Opts {
	return Opts{
		Timeout:      1500 * time.Millisecond,
		Retries:      2,
		PollInterval: 300 * time.Millisecond,
		RemoveAfter:  3,
		MinBackoff:   250 * time.Millisecond,
		MaxBackoff:   5 * time.Second,
		Now:          time.Now,
		After:        time.After,
	}
}

func (o *Opts) withDefaults() Opts {
	d := DefaultOpts()
	if o == nil {
		return d
	}
	r := *o
	if r.Timeout <= 0 {
		r.Timeout = d.Timeout
	}
	if r.Retries == 0 {
		r.Retries = d.Retries
	} else if r.Retries < 0 {
		r.Retries = 0
	}
	if r.PollInterval <= 0 {
		r.PollInterval = d.PollInterval
	}
	if r.RemoveAfter <= 0 {
		r.RemoveAfter = d.RemoveAfter
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

// Dev is one reader on one port. Its methods may be called from several
// goroutines; exchanges with the reader are serialised.
type Dev struct {
	port Port
	o    Opts

	mu   sync.Mutex
	buf  []byte // bytes received and not yet parsed
	rbuf []byte // read buffer
}

// New returns a Dev talking over p. It sends nothing: the first command does.
func New(p Port, o *Opts) (*Dev, error) {
	if p == nil {
		return nil, errors.New("idcard: nil port")
	}
	return &Dev{port: p, o: o.withDefaults(), rbuf: make([]byte, 512)}, nil
}

func (d *Dev) String() string { return "idcard" }

// Close closes the port.
func (d *Dev) Close() error {
	if err := d.port.Close(); err != nil {
		return fmt.Errorf("idcard: close: %w", err)
	}
	return nil
}

// Transact sends command c with data and returns the reader's answer,
// whatever its SW3. A missing answer, a corrupt one (bad check byte,
// impossible length) or an answer saying our frame arrived corrupt (SW3 0x10,
// 0x11) makes it resend the command, up to Opts.Retries times; the error
// then wraps ErrTimeout, ErrChecksum, ErrLength, ErrRejectedSum or
// ErrRejectedLen. A port error ends it at once.
func (d *Dev) Transact(ctx context.Context, c Command, data []byte) (Response, error) {
	frame, err := EncodeCommand(c, data)
	if err != nil {
		return Response{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var last error
	attempts := d.o.Retries + 1
	for range attempts {
		if err := ctx.Err(); err != nil {
			return Response{}, err
		}
		// Whatever came before this command is stale: a late answer to an
		// attempt we gave up on, or line noise.
		d.buf = d.buf[:0]
		if f, ok := d.port.(flusher); ok {
			_ = f.Flush() // best effort: stale bytes are also skipped below
		}
		if _, err := d.port.Write(frame); err != nil {
			return Response{}, fmt.Errorf("idcard: %s: write: %w", c, err)
		}
		r, err := d.readAnswer(ctx, c)
		switch {
		case err == nil && (r.SW3 == StatusChecksum || r.SW3 == StatusLength):
			last = r.Err(c)
		case err == nil:
			return r, nil
		case errors.Is(err, ErrTimeout), errors.Is(err, ErrChecksum), errors.Is(err, ErrLength):
			last = err
		default:
			return Response{}, err
		}
	}
	return Response{}, fmt.Errorf("idcard: %s: no good answer in %d attempts, last: %w", c, attempts, last)
}

// readAnswer reads until one answer to c is complete, a corrupt frame is
// seen, or Opts.Timeout passes.
func (d *Dev) readAnswer(ctx context.Context, c Command) (Response, error) {
	timeout := d.o.After(d.o.Timeout)
	for {
		for {
			body, n, err := Scan(d.buf)
			var r Response
			if err == nil {
				r, err = ParseResponse(body)
				r.Data = append([]byte(nil), r.Data...) // body aliases d.buf
			}
			d.buf = d.buf[:copy(d.buf, d.buf[n:])]
			if errors.Is(err, ErrIncomplete) {
				break
			}
			if err != nil {
				return Response{}, err
			}
			if r.SW3 == StatusFound && c != CmdFind {
				continue // a late answer to an earlier find
			}
			return r, nil
		}
		select {
		case <-ctx.Done():
			return Response{}, ctx.Err()
		case <-timeout:
			return Response{}, fmt.Errorf("waited %v: %w", d.o.Timeout, ErrTimeout)
		default:
		}
		n, err := d.port.Read(d.rbuf)
		d.buf = append(d.buf, d.rbuf[:n]...)
		if err != nil && !errors.Is(err, io.EOF) {
			return Response{}, fmt.Errorf("idcard: %s: read: %w", c, err)
		}
		if n == 0 {
			// The port's own read timeout normally paces this loop; a port
			// that returns at once must not make it spin.
			select {
			case <-ctx.Done():
				return Response{}, ctx.Err()
			case <-timeout:
				return Response{}, fmt.Errorf("waited %v: %w", d.o.Timeout, ErrTimeout)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
}

// command sends c and turns a failure SW3 into a *StatusError.
func (d *Dev) command(ctx context.Context, c Command, data []byte) (Response, error) {
	r, err := d.Transact(ctx, c, data)
	if err != nil {
		return r, err
	}
	return r, r.Err(c)
}

// Find asks the reader for a card (20 01). It returns nil when one is found,
// an error matching ErrNoCard when none is.
func (d *Dev) Find(ctx context.Context) error {
	_, err := d.command(ctx, CmdFind, nil)
	return err
}

// Select selects the card found (20 02) and returns what the reader answers,
// the card's serial data (8 bytes on the readers we know).
func (d *Dev) Select(ctx context.Context) ([]byte, error) {
	r, err := d.command(ctx, CmdSelect, nil)
	if err != nil {
		return nil, err
	}
	return r.Data, nil
}

// ReadBase reads the selected card's base message (30 01, or 30 10 when
// Opts.Fingerprint) and decodes it. A reader that does not know 30 10 (SW3
// 0x21) is asked 30 01 instead.
func (d *Dev) ReadBase(ctx context.Context) (devices.Card, error) {
	if d.o.Fingerprint {
		r, err := d.command(ctx, CmdReadBaseFP, nil)
		if err == nil {
			return decodeBase(r.Data, true)
		}
		if !errors.Is(err, ErrBadCommand) {
			return devices.Card{}, err
		}
	}
	r, err := d.command(ctx, CmdReadBase, nil)
	if err != nil {
		return devices.Card{}, err
	}
	return decodeBase(r.Data, false)
}

func decodeBase(data []byte, fp bool) (devices.Card, error) {
	c, err := DecodeBase(data, fp)
	if err != nil {
		return devices.Card{}, fmt.Errorf("idcard: read base message: %w", err)
	}
	return c, nil
}

// ReadCard finds, selects and reads a card in one go.
func (d *Dev) ReadCard(ctx context.Context) (devices.Card, error) {
	if err := d.Find(ctx); err != nil {
		return devices.Card{}, err
	}
	if _, err := d.Select(ctx); err != nil {
		return devices.Card{}, err
	}
	return d.ReadBase(ctx)
}

// SAMID reads the SAM module's number (12 FF) for the doctor command, in the
// form vendors print: "05.01-20200101-0000012345-1234567890".
func (d *Dev) SAMID(ctx context.Context) (string, error) {
	r, err := d.command(ctx, CmdSAMID, nil)
	if err != nil {
		return "", err
	}
	return FormatSAMID(r.Data)
}

// FormatSAMID formats the 16 bytes a SAM answers to 12 FF: two little-endian
// 16-bit numbers and three little-endian 32-bit numbers. Some vendor SDKs
// print only the first two 32-bit numbers; we print all three.
func FormatSAMID(b []byte) (string, error) {
	if len(b) < 16 {
		return "", fmt.Errorf("idcard: SAM ID of %d bytes, want 16: %w", len(b), ErrLength)
	}
	le := binary.LittleEndian
	return fmt.Sprintf("%02d.%02d-%08d-%010d-%010d",
		le.Uint16(b[0:]), le.Uint16(b[2:]), le.Uint32(b[4:]), le.Uint32(b[8:]), le.Uint32(b[12:])), nil
}

// SAMStatus asks the SAM to check itself (11 FF).
func (d *Dev) SAMStatus(ctx context.Context) error {
	_, err := d.command(ctx, CmdSAMStatus, nil)
	return err
}

// Reset resets the SAM module (10 FF).
func (d *Dev) Reset(ctx context.Context) error {
	_, err := d.command(ctx, CmdReset, nil)
	return err
}
