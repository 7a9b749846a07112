// SPDX-License-Identifier: AGPL-3.0-or-later

// Package printersim simulates an ESC/POS printer from the printer's side of
// a TCP socket (raw port 9100 style, on 127.0.0.1:0) and of a
// pseudo-terminal (its slave path works as a serial port for
// github.com/tarm/serial). It records every print byte, splits them into
// jobs at each ESC @, answers real-time status requests (DLE EOT 1..4) as
// its knobs say, and can append the print bytes to a file.
//
// It is what tests of the escpos driver and `kioskd sim printer` run:
//
//	p, err := printersim.New(&printersim.Opts{PTY: true})
//	go p.Run(ctx)
//	dev, err := escpos.Open(ctx, p.URI())        // or p.SerialURI()
//	p.SetPaperOut(true)
package printersim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"yichuang/devices/escpos"
)

// Opts configures a Printer.
type Opts struct {
	Addr  string // TCP listen address; "" means 127.0.0.1:0
	NoTCP bool   // do not listen on TCP
	PTY   bool   // also serve on a pseudo-terminal
	File  string // also append every print byte to this file
}

// Printer is a simulated ESC/POS printer. Its methods are safe for
// concurrent use.
type Printer struct {
	ln      net.Listener
	ptm     *os.File // pty master, pollable so Close unblocks a read
	pts     *os.File // pty slave, kept open so the master never reads EIO
	ptsPath string
	file    *os.File

	mu         sync.Mutex
	paperOut   bool
	nearEnd    bool
	coverOpen  bool
	offline    bool
	fault      bool
	silent     bool
	jobs       [][]byte
	cur        []byte
	total      int
	queries    int
	changed    chan struct{} // closed and replaced on every change
	conns      map[io.Closer]struct{}
	closed     bool
	ran        bool
	fileErr    error
	closeFiles sync.Once
}

// New starts listening (and opens the pty) so Addr and Path are known; Run
// serves. o nil means TCP only.
func New(o *Opts) (*Printer, error) {
	var opts Opts
	if o != nil {
		opts = *o
	}
	p := &Printer{changed: make(chan struct{}), conns: map[io.Closer]struct{}{}}
	if err := p.open(opts); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Printer) open(opts Opts) error {
	var err error
	if !opts.NoTCP {
		addr := opts.Addr
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		if p.ln, err = net.Listen("tcp", addr); err != nil {
			return fmt.Errorf("printersim: %w", err)
		}
	}
	if opts.PTY {
		if err := p.openPTY(); err != nil {
			return err
		}
	}
	if opts.File != "" {
		if p.file, err = os.OpenFile(opts.File, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err != nil {
			return fmt.Errorf("printersim: %w", err)
		}
	}
	return nil
}

func (p *Printer) openPTY() error {
	m, s, err := pty.Open()
	if err != nil {
		return fmt.Errorf("printersim: pty: %w", err)
	}
	p.pts, p.ptsPath = s, s.Name()
	// Raw mode, as a serial port is: no echo, no line editing, no CR/LF
	// translation. The driver's tarm/serial sets the same when it opens.
	fd := int(s.Fd())
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err == nil {
		t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Cflag = t.Cflag&^(unix.CSIZE|unix.PARENB) | unix.CS8
		t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
		err = unix.IoctlSetTermios(fd, unix.TCSETS, t)
	}
	if err != nil {
		m.Close()
		return fmt.Errorf("printersim: pty raw mode: %w", err)
	}
	// pty.Open leaves the master in blocking mode (it called Fd), where
	// Close cannot interrupt a read: use a non-blocking duplicate, which the
	// runtime polls.
	dup, err := unix.Dup(int(m.Fd()))
	m.Close()
	if err == nil {
		err = unix.SetNonblock(dup, true)
		if err != nil {
			unix.Close(dup)
		}
	}
	if err != nil {
		return fmt.Errorf("printersim: pty: %w", err)
	}
	unix.CloseOnExec(dup)
	p.ptm = os.NewFile(uintptr(dup), "/dev/ptmx")
	return nil
}

// Addr returns the TCP address, host:port, or "" without TCP.
func (p *Printer) Addr() string {
	if p.ln == nil {
		return ""
	}
	return p.ln.Addr().String()
}

// URI returns the printer URI of the TCP side, or "".
func (p *Printer) URI() string {
	if p.ln == nil {
		return ""
	}
	return "tcp://" + p.Addr()
}

// Path returns the pty's slave path (/dev/pts/N), or "" without a pty.
func (p *Printer) Path() string { return p.ptsPath }

// SerialURI returns the printer URI of the pty side, or "".
func (p *Printer) SerialURI() string {
	if p.ptsPath == "" {
		return ""
	}
	return "serial://" + p.ptsPath + "?baud=9600"
}

// Run serves until ctx is done, then closes the printer and returns once
// every connection it served has ended. It may be called once.
func (p *Printer) Run(ctx context.Context) error {
	p.mu.Lock()
	if p.ran || p.closed {
		p.mu.Unlock()
		return errors.New("printersim: Run after Run or Close")
	}
	p.ran = true
	p.mu.Unlock()

	var wg sync.WaitGroup
	if p.ln != nil {
		wg.Go(func() {
			for {
				c, err := p.ln.Accept()
				if err != nil {
					return // closed
				}
				if !p.track(c) {
					c.Close()
					return
				}
				wg.Go(func() {
					defer p.untrack(c)
					p.serve(c, c)
				})
			}
		})
	}
	if p.ptm != nil {
		wg.Go(func() { p.serve(p.ptm, p.ptm) })
	}
	<-ctx.Done()
	err := p.Close()
	wg.Wait()
	p.closeFiles.Do(p.closeFile)
	return err
}

func (p *Printer) track(c io.Closer) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Printer) untrack(c io.Closer) {
	c.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
}

// Close stops listening and ends every connection and the pty. Run returns
// soon after.
func (p *Printer) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	conns := p.conns
	p.conns = nil
	ran := p.ran
	p.mu.Unlock()
	var errs []error
	if p.ln != nil {
		errs = append(errs, p.ln.Close())
	}
	for c := range conns {
		c.Close()
	}
	if p.ptm != nil {
		errs = append(errs, p.ptm.Close())
	}
	if p.pts != nil {
		errs = append(errs, p.pts.Close())
	}
	if !ran {
		p.closeFiles.Do(p.closeFile)
	}
	return errors.Join(errs...)
}

func (p *Printer) closeFile() {
	if p.file != nil {
		p.file.Close()
	}
}

// split tokenises like the escpos renderer, but skips a byte it does not
// understand, as a printer would, instead of stopping.
func split(data []byte, atEOF bool) (int, []byte, error) {
	adv, tok, err := escpos.ScanCommands(data, atEOF)
	if err != nil {
		return 1, data[:1], nil
	}
	return adv, tok, nil
}

func (p *Printer) serve(r io.Reader, w io.Writer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<25)
	sc.Split(split)
	for sc.Scan() {
		tok := sc.Bytes()
		if len(tok) == 3 && tok[0] == 0x10 && tok[1] == 0x04 {
			p.mu.Lock()
			p.queries++
			answer, silent := p.statusByteLocked(tok[2]), p.silent
			p.notifyLocked()
			p.mu.Unlock()
			if !silent {
				if _, err := w.Write([]byte{answer}); err != nil {
					return
				}
			}
			continue
		}
		p.record(tok)
	}
}

func (p *Printer) record(tok []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(tok) == 2 && tok[0] == 0x1B && tok[1] == '@' && len(p.cur) > 0 {
		p.jobs = append(p.jobs, p.cur)
		p.cur = nil
	}
	p.cur = append(p.cur, tok...)
	p.total += len(tok)
	if p.file != nil && p.fileErr == nil {
		_, p.fileErr = p.file.Write(tok)
	}
	p.notifyLocked()
}

func (p *Printer) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// statusByteLocked returns the answer to DLE EOT n.
func (p *Printer) statusByteLocked(n byte) byte {
	b := byte(0x12) // the fixed bits
	switch n {
	case 1:
		if p.offline || p.paperOut || p.coverOpen || p.fault {
			b |= 0x08
		}
	case 2:
		if p.coverOpen {
			b |= 0x04
		}
		if p.paperOut {
			b |= 0x20
		}
		if p.fault {
			b |= 0x40
		}
	case 3:
		if p.fault {
			b |= 0x08 // autocutter error
		}
	case 4:
		if p.nearEnd {
			b |= 0x0C
		}
		if p.paperOut {
			b |= 0x60
		}
	}
	return b
}

// StatusBytes returns the answers to DLE EOT 1..4 the knobs give now.
func (p *Printer) StatusBytes() [4]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b [4]byte
	for i := range b {
		b[i] = p.statusByteLocked(byte(i + 1))
	}
	return b
}

func (p *Printer) set(knob *bool, v bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	*knob = v
}

// SetPaperOut makes the printer report paper out (and offline).
func (p *Printer) SetPaperOut(v bool) { p.set(&p.paperOut, v) }

// SetPaperNearEnd makes the printer report its roll near its end.
func (p *Printer) SetPaperNearEnd(v bool) { p.set(&p.nearEnd, v) }

// SetCoverOpen makes the printer report its cover open (and offline).
func (p *Printer) SetCoverOpen(v bool) { p.set(&p.coverOpen, v) }

// SetOffline makes the printer report offline with no other cause.
func (p *Printer) SetOffline(v bool) { p.set(&p.offline, v) }

// SetFault makes the printer report an autocutter error (and offline).
func (p *Printer) SetFault(v bool) { p.set(&p.fault, v) }

// SetSilent makes the printer ignore status requests, as a printer that is
// switched off or not bidirectional does.
func (p *Printer) SetSilent(v bool) { p.set(&p.silent, v) }

// Jobs returns copies of the jobs received so far: the print bytes from each
// ESC @ to the next (status requests are not print bytes).
func (p *Printer) Jobs() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([][]byte, 0, len(p.jobs)+1)
	for _, j := range p.jobs {
		out = append(out, append([]byte(nil), j...))
	}
	if len(p.cur) > 0 {
		out = append(out, append([]byte(nil), p.cur...))
	}
	return out
}

// Bytes returns a copy of every print byte received so far.
func (p *Printer) Bytes() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []byte
	for _, j := range p.jobs {
		out = append(out, j...)
	}
	return append(out, p.cur...)
}

// Queries returns how many status requests (DLE EOT) arrived.
func (p *Printer) Queries() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.queries
}

// Reset forgets the jobs and the query count; the knobs stay.
func (p *Printer) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.jobs, p.cur, p.total, p.queries = nil, nil, 0, 0
	p.notifyLocked()
}

// FileErr returns the first error writing the file of Opts.File, if any.
func (p *Printer) FileErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fileErr
}

// WaitBytes waits until at least n print bytes have arrived in all.
func (p *Printer) WaitBytes(ctx context.Context, n int) error {
	for {
		p.mu.Lock()
		total, ch := p.total, p.changed
		p.mu.Unlock()
		if total >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("printersim: %d of %d bytes: %w", total, n, ctx.Err())
		case <-ch:
		}
	}
}
