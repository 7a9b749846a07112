//go:build unix

package displaysim

import (
	"fmt"
	"os"
	"syscall"
)

// pollable returns a non-blocking duplicate of f that the runtime poller
// serves, so SetReadDeadline and Close interrupt a blocked Read (pty.Open
// returns files that were put in blocking mode). f is closed.
func pollable(f *os.File) (*os.File, error) {
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
