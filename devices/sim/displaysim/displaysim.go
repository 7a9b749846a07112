// SPDX-License-Identifier: AGPL-3.0-or-later

// Package displaysim simulates window LED screens sharing one serial line:
// it reads the screens' side of a pseudo-terminal, parses both formats of
// package display (text lines and SOH/BEL frames, mixed on one line if need
// be) and records what each address shows. The driver opens Path() as the
// serial port it is (through tarm/serial), so tests exercise the real serial
// stack.
//
// Like real screens, the simulator can be made to drop bytes that arrive
// while it is still drawing the previous command (Opts.Busy): a driver that
// sends commands back to back then loses some of them, which shows why
// display.BusOpts.Pause matters.
package displaysim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"yichuang/devices/display"
	"yichuang/devices/sim/internal/ptyfile"
)

// Opts configures a simulator.
type Opts struct {
	// Busy is how long a screen is busy drawing after each command: bytes
	// arriving in that time are dropped. 0: never busy.
	Busy time.Duration
	// Now stamps events; time.Now when nil.
	Now func() time.Time
}

// Event is one command the screens received.
type Event struct {
	Format display.Format
	// Addr is the address the command went to; 0 for a line without an
	// address prefix.
	Addr  int
	Clear bool   // the command blanked the screen
	Text  string // what it shows, decoded from GB18030
	Raw   []byte // the command's bytes as received
	// Start and End are when the command's first and last bytes were read.
	Start, End time.Time
}

// maxLine bounds a text line: longer ones are noise.
const maxLine = 1024

// Sim is a set of simulated screens on one pseudo-terminal.
type Sim struct {
	line *ptyfile.Line
	now  func() time.Time

	mu        sync.Mutex
	busy      time.Duration
	busyUntil time.Time
	buf       []byte    // bytes of the command being received
	bufStart  time.Time // when buf's first byte came
	events    []Event
	shown     map[int]string
	dropped   int
	bad       int
	changed   chan struct{} // closed and replaced on every event
}

// New opens a pseudo-terminal and returns a simulator on it. Serve it with
// Run; release it with Close.
func New(o *Opts) (*Sim, error) {
	if o == nil {
		o = &Opts{}
	}
	line, err := ptyfile.Open()
	if err != nil {
		return nil, fmt.Errorf("displaysim: open pty: %w", err)
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &Sim{
		line:    line,
		now:     now,
		busy:    max(o.Busy, 0),
		shown:   map[int]string{},
		changed: make(chan struct{}),
	}, nil
}

// Path returns the device path the driver opens, e.g. /dev/pts/3.
func (s *Sim) Path() string { return s.line.Path() }

// SetBusy changes Opts.Busy.
func (s *Sim) SetBusy(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy = max(d, 0)
}

// Shown returns what the screen at addr shows, and whether it was ever sent
// a command. Address 0 is where lines without an address go.
func (s *Sim) Shown(addr int) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	text, ok := s.shown[addr]
	return text, ok
}

// Events returns every command received, in order.
func (s *Sim) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}

// Dropped returns how many bytes arrived while a screen was busy.
func (s *Sim) Dropped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Bad returns how many runs of bytes could not be parsed: noise, broken
// frames, lines too long.
func (s *Sim) Bad() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bad
}

// Reset forgets the events and counters, not what the screens show.
func (s *Sim) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events, s.dropped, s.bad = nil, 0, 0
}

// Wait waits until at least n events were recorded since the last Reset,
// or ctx ends.
func (s *Sim) Wait(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		got, ch := len(s.events), s.changed
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("displaysim: %d of %d commands: %w", got, n, ctx.Err())
		case <-ch:
		}
	}
}

// Close releases the pseudo-terminal. It may be called more than once and
// while Run runs (Run then returns nil).
func (s *Sim) Close() error {
	if err := s.line.Close(); err != nil {
		return fmt.Errorf("displaysim: close: %w", err)
	}
	return nil
}

func (s *Sim) isClosed() bool { return s.line.Closed() }

// Run reads the line until ctx ends (it returns ctx.Err()) or Close is
// called (nil).
func (s *Sim) Run(ctx context.Context) error {
	defer s.line.UnblockOn(ctx)()
	rb := make([]byte, 4096)
	for {
		n, err := s.line.Read(rb)
		if n > 0 {
			s.Feed(rb[:n], s.now())
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if s.isClosed() {
				return nil
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			// EIO while no one holds the tty open: pause rather than spin.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
}

// Feed hands the simulator bytes that arrived at time at, as Run does with
// what it reads; tests may call it directly.
func (s *Sim) Feed(b []byte, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at.Before(s.busyUntil) {
		s.dropped += len(b)
		return
	}
	if len(s.buf) == 0 {
		s.bufStart = at
	}
	s.buf = append(s.buf, b...)
	for len(s.buf) > 0 {
		n, ev, ok := s.parse()
		if n == 0 {
			return // incomplete
		}
		if ok {
			ev.Start, ev.End = s.bufStart, at
			ev.Raw = bytes.Clone(s.buf[:n])
			s.record(ev)
		}
		s.buf = s.buf[:copy(s.buf, s.buf[n:])]
		s.bufStart = at
		if ok && s.busy > 0 {
			// The rest of this read arrived back to back with the command:
			// the screen was drawing.
			s.dropped += len(s.buf)
			s.buf = s.buf[:0]
			s.busyUntil = at.Add(s.busy)
			return
		}
	}
}

// parse reads one command at the start of s.buf. n is the bytes it took
// (0: incomplete); ok says whether they made a command.
func (s *Sim) parse() (n int, ev Event, ok bool) {
	b := s.buf
	if b[0] == display.SOH {
		f, n, err := display.ScanFrame(b)
		switch {
		case errors.Is(err, display.ErrIncomplete):
			return 0, Event{}, false
		case err != nil:
			s.bad++
			return n, Event{}, false
		}
		return n, Event{Format: display.FormatFramed, Addr: int(f.Addr), Clear: f.Cmd == display.CmdClear, Text: f.Text()}, true
	}
	// A line: an empty one (CR LF alone) clears the unaddressed screen.
	i := bytes.IndexAny(b, "\n\x01\x07")
	if i < 0 {
		if len(b) > maxLine {
			s.bad++
			return len(b), Event{}, false
		}
		return 0, Event{}, false
	}
	switch b[i] {
	case display.SOH:
		s.bad++ // a line cut short by a frame
		return i, Event{}, false
	case display.BEL:
		s.bad++ // the tail of a frame whose head was lost
		return i + 1, Event{}, false
	}
	line := bytes.TrimSuffix(b[:i], []byte{'\r'})
	addr, payload := display.ParseLine(line)
	return i + 1, Event{Format: display.FormatLine, Addr: addr, Clear: len(payload) == 0, Text: display.Decode(payload)}, true
}

func (s *Sim) record(ev Event) {
	s.events = append(s.events, ev)
	if ev.Clear {
		s.shown[ev.Addr] = ""
	} else {
		s.shown[ev.Addr] = ev.Text
	}
	close(s.changed)
	s.changed = make(chan struct{})
}
