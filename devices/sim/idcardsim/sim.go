// SPDX-License-Identifier: AGPL-3.0-or-later

// Package idcardsim simulates a second-generation ID card reader: a SAM
// module speaking GA 467 frames on the device side of a pseudo-terminal.
// The driver opens Path() as the serial port it is (through tarm/serial), so
// tests and `kioskd sim idcard` exercise the real serial stack.
//
// Knobs make the line and the reader misbehave the way real ones do: noise
// before frames, frames split into small pieces, corrupt check bytes or
// lengths, a reader that stops answering, and the two ways readers report a
// card that stays on them.
package idcardsim

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"

	"yichuang/devices"
	"yichuang/devices/idcard"
	"yichuang/devices/sim/internal/ptyfile"
)

// Card is what the simulated reader holds: the raw parts of a card.
type Card struct {
	Text        []byte  // the 256-byte text block
	Photo       []byte  // the 1024-byte WLT photo
	Fingerprint []byte  // 1024 bytes, or none
	Serial      [8]byte // what select (20 02) answers
}

// NewCard builds the raw parts of c: its text block in c.Type's layout
// (idcard.EncodeText), c.Photo when it has 1024 bytes or else a placeholder
// WLT, c.Fingerprint, and a serial derived from the text.
func NewCard(c devices.Card) (Card, error) {
	text, err := idcard.EncodeText(c)
	if err != nil {
		return Card{}, fmt.Errorf("idcardsim: %w", err)
	}
	photo := c.Photo
	if len(photo) != idcard.PhotoSize {
		photo = PlaceholderPhoto()
	}
	h := fnv.New64a()
	h.Write(text)
	var card Card
	card.Text = text
	card.Photo = append([]byte(nil), photo...)
	card.Fingerprint = append([]byte(nil), c.Fingerprint...)
	binary.BigEndian.PutUint64(card.Serial[:], h.Sum64())
	return card, nil
}

// PlaceholderPhoto returns 1024 bytes that start like a WLT file ("WLf") and
// carry a fixed pattern: the simulator cannot make a real WLT photo.
func PlaceholderPhoto() []byte {
	p := make([]byte, idcard.PhotoSize)
	copy(p, "WLf")
	for i := 3; i < len(p); i++ {
		p[i] = byte(i * 7)
	}
	return p
}

// ResponseFrame builds a reader's answer frame: SW1 SW2 = 00 00, SW3 and
// data. For golden files and tests.
func ResponseFrame(sw3 idcard.Status, data []byte) ([]byte, error) {
	return idcard.EncodeResponse(idcard.Response{SW3: sw3, Data: data})
}

// BaseFrame builds the answer to 30 01 (or 30 10 when withFingerprint) for c.
func BaseFrame(c Card, withFingerprint bool) ([]byte, error) {
	data, err := idcard.EncodeBase(c.Text, c.Photo, c.Fingerprint, withFingerprint)
	if err != nil {
		return nil, err
	}
	return ResponseFrame(idcard.StatusSuccess, data)
}

// Opts configures a simulator.
type Opts struct {
	// Sticky makes find (20 01) report the card on every poll while it lies
	// on the reader. Otherwise, as many readers do, find reports it until it
	// has been read once and then reports no card until it is placed again.
	Sticky bool
	// SAMID is what 12 FF answers (16 bytes); a fixed number when empty.
	SAMID []byte
	// Seed seeds the noise bytes.
	Seed uint64
}

// Sim is a simulated reader on a pseudo-terminal.
type Sim struct {
	line  *ptyfile.Line
	samID []byte

	mu         sync.Mutex
	sticky     bool
	card       *Card
	found      bool // a find reported the card placed (non-sticky bookkeeping)
	selected   bool
	readOnce   bool // the card was read since placed (non-sticky: find says no card)
	noise      int
	chunk      int
	chunkDelay time.Duration
	badSums    fault
	badLens    fault
	truncs     fault
	silent     bool
	rng        *rand.Rand
	counts     map[idcard.Command]int
}

// New opens a pseudo-terminal and returns a simulator on it, with no card.
// Serve it with Run; release it with Close.
func New(o *Opts) (*Sim, error) {
	if o == nil {
		o = &Opts{}
	}
	line, err := ptyfile.Open()
	if err != nil {
		return nil, fmt.Errorf("idcardsim: open pty: %w", err)
	}
	sam := o.SAMID
	if len(sam) != 16 {
		sam = []byte{0x05, 0x00, 0x01, 0x00, 0x4d, 0x6c, 0x34, 0x01, 0x39, 0x30, 0x00, 0x00, 0xd2, 0x02, 0x96, 0x49}
	}
	return &Sim{
		line:   line,
		samID:  append([]byte(nil), sam...),
		sticky: o.Sticky,
		rng:    rand.New(rand.NewPCG(o.Seed, 0x1d_ca_4d)),
		counts: map[idcard.Command]int{},
	}, nil
}

// Path returns the device path the driver opens, e.g. /dev/pts/3.
func (s *Sim) Path() string { return s.line.Path() }

// Place puts card c on the reader (replacing any other).
func (s *Sim) Place(c devices.Card) error {
	card, err := NewCard(c)
	if err != nil {
		return err
	}
	s.PlaceCard(card)
	return nil
}

// PlaceCard puts a card given by its raw parts on the reader.
func (s *Sim) PlaceCard(c Card) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.card = &c
	s.found, s.selected, s.readOnce = false, false, false
}

// Remove lifts the card off the reader.
func (s *Sim) Remove() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.card = nil
	s.found, s.selected, s.readOnce = false, false, false
}

// SetSticky switches between the two ways readers report a card that stays
// on them (see Opts.Sticky).
func (s *Sim) SetSticky(sticky bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sticky = sticky
}

// SetNoise makes every answer follow n stray bytes (0: none).
func (s *Sim) SetNoise(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noise = max(n, 0)
}

// SetSplit makes answers go out in pieces of chunk bytes with delay between
// them (chunk 0: whole).
func (s *Sim) SetSplit(chunk int, delay time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chunk, s.chunkDelay = max(chunk, 0), delay
}

// fault spoils the next n answers, to the commands in only (to any command
// when only is empty).
type fault struct {
	n    int
	only []idcard.Command
}

func newFault(n int, only []idcard.Command) fault {
	return fault{n: max(n, 0), only: append([]idcard.Command(nil), only...)}
}

// take reports whether the answer to c is to be spoiled, and counts it.
func (f *fault) take(c idcard.Command) bool {
	if f.n == 0 {
		return false
	}
	if len(f.only) > 0 && !slices.Contains(f.only, c) {
		return false
	}
	f.n--
	return true
}

// BadChecksums corrupts the check byte of the next n answers to the commands
// given (to any command when none is).
func (s *Sim) BadChecksums(n int, only ...idcard.Command) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.badSums = newFault(n, only)
}

// BadLengths gives the next n answers to the commands given (any when none
// is) an impossible length field.
func (s *Sim) BadLengths(n int, only ...idcard.Command) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.badLens = newFault(n, only)
}

// Truncate sends only the first half of the next n answers to the commands
// given (any when none is), as a reader reset mid-answer does.
func (s *Sim) Truncate(n int, only ...idcard.Command) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.truncs = newFault(n, only)
}

// SetSilent makes the reader stop answering (true) or answer again (false).
func (s *Sim) SetSilent(silent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.silent = silent
}

// Count returns how many times command c was received (answered or not).
func (s *Sim) Count(c idcard.Command) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[c]
}

// Close releases the pseudo-terminal: a driver holding it open sees its port
// fail, as when a USB bridge is unplugged. Close may be called more than once
// and while Run runs (Run then returns nil).
func (s *Sim) Close() error {
	if err := s.line.Close(); err != nil {
		return fmt.Errorf("idcardsim: close: %w", err)
	}
	return nil
}

func (s *Sim) isClosed() bool { return s.line.Closed() }

// Run serves the reader's side of the line until ctx ends (it returns
// ctx.Err()) or Close is called (nil).
func (s *Sim) Run(ctx context.Context) error {
	// Unblock the read below when ctx ends: the pty master is pollable on
	// Linux, so a deadline works; elsewhere closing it does.
	defer s.line.UnblockOn(ctx)()
	buf := make([]byte, 0, 4096)
	rb := make([]byte, 1024)
	for {
		n, err := s.line.Read(rb)
		buf = append(buf, rb[:n]...)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if s.isClosed() {
				return nil
			}
			// EIO: no process holds the tty side open. The simulator keeps
			// its own handle on it, so this is not expected; pause briefly
			// rather than spin.
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		for {
			body, n, err := idcard.Scan(buf)
			var answer []byte
			var ok bool
			switch {
			case err == nil:
				answer, ok = s.handle(body)
			case errors.Is(err, idcard.ErrChecksum):
				answer, ok = s.answer(0, idcard.StatusChecksum, nil)
			case errors.Is(err, idcard.ErrLength):
				answer, ok = s.answer(0, idcard.StatusLength, nil)
			}
			buf = buf[:copy(buf, buf[n:])]
			if ok {
				if err := s.send(ctx, answer); err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					if s.isClosed() {
						return nil
					}
					return fmt.Errorf("idcardsim: write: %w", err)
				}
			}
			if errors.Is(err, idcard.ErrIncomplete) {
				break
			}
		}
	}
}

// handle answers one command frame body. ok is false when the reader is
// silent.
func (s *Sim) handle(body []byte) (answer []byte, ok bool) {
	c, _, err := idcard.ParseCommand(body)
	if err != nil {
		return s.answer(0, idcard.StatusLength, nil)
	}
	s.mu.Lock()
	s.counts[c]++
	card, sticky := s.card, s.sticky
	s.mu.Unlock()
	switch c {
	case idcard.CmdReset, idcard.CmdSAMStatus:
		return s.answer(c, idcard.StatusSuccess, nil)
	case idcard.CmdSAMID:
		return s.answer(c, idcard.StatusSuccess, s.samID)
	case idcard.CmdFind:
		s.mu.Lock()
		present := card != nil && (sticky || !s.readOnce)
		if present {
			s.found = true
		}
		s.mu.Unlock()
		if !present {
			return s.answer(c, idcard.StatusNoCard, nil)
		}
		return s.answer(c, idcard.StatusFound, []byte{0, 0, 0, 0})
	case idcard.CmdSelect:
		s.mu.Lock()
		okSel := card != nil && s.found
		s.selected = okSel
		s.mu.Unlock()
		if !okSel {
			return s.answer(c, idcard.StatusSelectFailed, nil)
		}
		return s.answer(c, idcard.StatusSuccess, card.Serial[:])
	case idcard.CmdReadBase, idcard.CmdReadBaseFP:
		s.mu.Lock()
		okRead := card != nil && s.selected
		if okRead {
			s.readOnce = true
		}
		s.mu.Unlock()
		if !okRead {
			return s.answer(c, idcard.StatusReadFailed, nil)
		}
		data, err := idcard.EncodeBase(card.Text, card.Photo, card.Fingerprint, c == idcard.CmdReadBaseFP)
		if err != nil {
			return s.answer(c, idcard.StatusReadFailed, nil)
		}
		return s.answer(c, idcard.StatusSuccess, data)
	case idcard.CmdReadAppend:
		return s.answer(c, idcard.StatusNoContent, nil)
	}
	return s.answer(c, idcard.StatusCommand, nil)
}

// answer builds the answer to c and applies the knobs. ok is false when the
// reader is silent.
func (s *Sim) answer(c idcard.Command, sw3 idcard.Status, data []byte) ([]byte, bool) {
	f, err := ResponseFrame(sw3, data)
	if err != nil {
		f, _ = ResponseFrame(idcard.StatusUnknown, nil)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.silent {
		return nil, false
	}
	if s.badSums.take(c) {
		f[len(f)-1] ^= 0x5A
	}
	if s.badLens.take(c) {
		binary.BigEndian.PutUint16(f[len(idcard.Preamble):], 0xFFF0)
	}
	if s.truncs.take(c) {
		f = f[:len(f)/2]
	}
	if s.noise > 0 {
		noise := make([]byte, s.noise)
		for i := range noise {
			b := byte(s.rng.UintN(256))
			if b == 0x69 { // never complete a preamble by accident
				b = 0x68
			}
			noise[i] = b
		}
		f = append(noise, f...)
	}
	return f, true
}

// send writes an answer, split if so configured.
func (s *Sim) send(ctx context.Context, b []byte) error {
	s.mu.Lock()
	chunk, delay := s.chunk, s.chunkDelay
	s.mu.Unlock()
	if chunk <= 0 {
		_, err := s.line.Write(b)
		return err
	}
	for len(b) > 0 {
		n := min(chunk, len(b))
		if _, err := s.line.Write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
		if len(b) > 0 && delay > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(delay):
			}
		}
	}
	return nil
}
