// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"
)

type codedErr int

func (c codedErr) Error() string { return fmt.Sprintf("sqlite error (%d)", int(c)) }
func (c codedErr) Code() int     { return int(c) }

func TestDiskFaultOf(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want DiskFault
	}{
		{"none", nil, DiskOK},
		{"a rule broken", invalid("zone", "no such zone"), DiskOK},
		{"a plain error", errors.New("boom"), DiskOK},
		{"ENOSPC writing a file", fmt.Errorf("store: material: %w", &fs.PathError{Op: "write", Path: "/d/m", Err: syscall.ENOSPC}), DiskFull},
		{"quota", &fs.PathError{Op: "write", Path: "/d/m", Err: syscall.EDQUOT}, DiskFull},
		{"EIO", fmt.Errorf("x: %w", &fs.PathError{Op: "fsync", Path: "/d/m", Err: syscall.EIO}), DiskFailing},
		{"SQLITE_FULL", fmt.Errorf("kiosk: commit: %w", codedErr(13)), DiskFull},
		{"SQLITE_IOERR_WRITE", fmt.Errorf("kiosk: commit: %w", codedErr(10|3<<8)), DiskFailing},
		{"SQLITE_BUSY", codedErr(5), DiskOK},
	} {
		if got := DiskFaultOf(tt.err); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
