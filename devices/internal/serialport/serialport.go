// SPDX-License-Identifier: AGPL-3.0-or-later

// Package serialport opens the serial lines the drivers speak over.
package serialport

import (
	"time"

	"github.com/tarm/serial"
)

// Open opens path at baud, 8 data bits, no parity, 1 stop bit, with reads
// that return after readTimeout at the latest (so a reader never blocks
// for long).
func Open(path string, baud int, readTimeout time.Duration) (*serial.Port, error) {
	return serial.OpenPort(&serial.Config{
		Name:        path,
		Baud:        baud,
		Size:        8,
		Parity:      serial.ParityNone,
		StopBits:    serial.Stop1,
		ReadTimeout: readTimeout,
	})
}
