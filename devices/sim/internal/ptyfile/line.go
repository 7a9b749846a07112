// SPDX-License-Identifier: AGPL-3.0-or-later

package ptyfile

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/creack/pty"
)

// Line is a pseudo-terminal a simulator serves: the driver opens Path (the
// tty side) as its serial port; the simulator reads and writes the master.
type Line struct {
	ptmx, tty *os.File
	path      string

	mu     sync.Mutex
	closed bool
}

// Open opens a pseudo-terminal whose master side the poller serves.
func Open() (*Line, error) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		return nil, err
	}
	if ptmx, err = Pollable(ptmx); err != nil {
		tty.Close()
		return nil, err
	}
	return &Line{ptmx: ptmx, tty: tty, path: tty.Name()}, nil
}

// Path returns the device path the driver opens, e.g. /dev/pts/3.
func (l *Line) Path() string { return l.path }

func (l *Line) Read(b []byte) (int, error)  { return l.ptmx.Read(b) }
func (l *Line) Write(b []byte) (int, error) { return l.ptmx.Write(b) }

// Close releases both sides; a driver holding the tty sees its port fail,
// as when a USB bridge is unplugged. It may be called more than once.
func (l *Line) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	return errors.Join(l.ptmx.Close(), l.tty.Close())
}

// Closed reports whether Close was called.
func (l *Line) Closed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// UnblockOn makes a Read blocked on the master return when ctx ends: by a
// read deadline where the master is pollable, else by closing the line.
// The returned func stops that.
func (l *Line) UnblockOn(ctx context.Context) (stop func() bool) {
	return context.AfterFunc(ctx, func() {
		if l.ptmx.SetReadDeadline(time.Now()) != nil {
			_ = l.Close()
		}
	})
}
