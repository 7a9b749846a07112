// SPDX-License-Identifier: AGPL-3.0-or-later

//go:build !unix

// Package ptyfile helps the simulators serve a pseudo-terminal's side.
package ptyfile

import "os"

// Pollable returns f: pseudo-terminals are a Unix thing, and pty.Open fails
// before this is reached elsewhere.
func Pollable(f *os.File) (*os.File, error) { return f, nil }
