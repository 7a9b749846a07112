//go:build !unix

package idcardsim

import "os"

// pollable returns f: pseudo-terminals are a Unix thing, and pty.Open fails
// before this is reached elsewhere.
func pollable(f *os.File) (*os.File, error) { return f, nil }
