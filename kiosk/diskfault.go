// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"errors"
	"syscall"
)

// DiskFault is what an error says about the disk a write went to.
type DiskFault int

// Disk faults.
const (
	DiskOK      DiskFault = iota // the error is not the disk's
	DiskFull                     // no space (ENOSPC, EDQUOT, SQLITE_FULL) → 507
	DiskFailing                  // the disk could not do the I/O (EIO, SQLITE_IOERR) → 503
)

// SQLite's primary result codes for a full database disk and an I/O error.
const (
	sqliteIOErr = 10
	sqliteFull  = 13
)

// DiskFaultOf classifies err, from the store, the materials' files or the
// upload spool: a full disk, a failing one, or neither.
func DiskFaultOf(err error) DiskFault {
	if err == nil {
		return DiskOK
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return DiskFull
	case errors.Is(err, syscall.EIO), errors.Is(err, syscall.EROFS):
		return DiskFailing
	}
	// the SQLite driver's errors carry the result code
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff {
		case sqliteFull:
			return DiskFull
		case sqliteIOErr:
			return DiskFailing
		}
	}
	return DiskOK
}
