//go:build !unix

package displaysim

import "os"

// pollable returns f: pty.Open fails before this on systems without
// pseudo-terminals.
func pollable(f *os.File) (*os.File, error) { return f, nil }
