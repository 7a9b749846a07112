// SPDX-License-Identifier: AGPL-3.0-or-later

//go:build unix

// Package ptyfile helps the simulators serve a pseudo-terminal's side.
package ptyfile

import (
	"fmt"
	"os"
	"syscall"
)

// Pollable returns a copy of f that the runtime poller serves, so that
// SetReadDeadline and Close interrupt a blocked Read. (pty.Open hands out
// files it has called Fd on, which puts them in blocking mode for good.)
// f is closed.
func Pollable(f *os.File) (*os.File, error) {
	defer f.Close()
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		return nil, fmt.Errorf("dup %s: %w", f.Name(), err)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		_ = syscall.Close(fd)
		return nil, fmt.Errorf("set %s non-blocking: %w", f.Name(), err)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}
