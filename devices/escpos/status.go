// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"yichuang/devices"
)

// Sentinel errors, wrapped by the errors this package returns.
var (
	ErrPaperOut  = errors.New("escpos: paper out")
	ErrCoverOpen = errors.New("escpos: cover open")
	ErrOffline   = errors.New("escpos: printer offline")
	ErrFault     = errors.New("escpos: printer error") // cutter jam, head overheated, unrecoverable error
	ErrNoAnswer  = errors.New("escpos: no answer to status request")
	ErrNoStatus  = errors.New("escpos: transport cannot read status")
	ErrBadStatus = errors.New("escpos: malformed status byte")
)

// Status is a printer's real-time status, decoded from its answers to
// DLE EOT 1 to 4.
type Status struct {
	Offline         bool // DLE EOT 1 bit 3
	CoverOpen       bool // DLE EOT 2 bit 2
	PaperOut        bool // DLE EOT 2 bit 5 or DLE EOT 4 bits 5-6
	Error           bool // DLE EOT 2 bit 6: an error occurred
	CutterError     bool // DLE EOT 3 bit 3
	Unrecoverable   bool // DLE EOT 3 bit 5
	AutoRecoverable bool // DLE EOT 3 bit 6: e.g. the head is too hot
	PaperNearEnd    bool // DLE EOT 4 bits 2-3
	Raw             [4]byte
}

// statusFixed masks the bits that are fixed in every DLE EOT answer: bits 1
// and 4 set, bits 0 and 7 clear. It tells a status byte from stray input
// (an automatic status back block has bit 1 clear).
const (
	statusMask  = 0x93
	statusFixed = 0x12
)

func validStatusByte(b byte) bool { return b&statusMask == statusFixed }

// DecodeStatus decodes raw, the answers to DLE EOT 1, 2, 3 and 4 in order.
// It returns ErrBadStatus if a byte's fixed bits are wrong.
func DecodeStatus(raw [4]byte) (Status, error) {
	for i, b := range raw {
		if !validStatusByte(b) {
			return Status{Raw: raw}, fmt.Errorf("%w: DLE EOT %d answered 0x%02x", ErrBadStatus, i+1, b)
		}
	}
	return Status{
		Offline:         raw[0]&0x08 != 0,
		CoverOpen:       raw[1]&0x04 != 0,
		PaperOut:        raw[1]&0x20 != 0 || raw[3]&0x60 != 0,
		Error:           raw[1]&0x40 != 0,
		CutterError:     raw[2]&0x08 != 0,
		Unrecoverable:   raw[2]&0x20 != 0,
		AutoRecoverable: raw[2]&0x40 != 0,
		PaperNearEnd:    raw[3]&0x0C != 0,
		Raw:             raw,
	}, nil
}

// Fault reports whether the printer reports an error condition.
func (s Status) Fault() bool {
	return s.Error || s.CutterError || s.Unrecoverable || s.AutoRecoverable
}

// Err returns the sentinel error for the condition that stops printing, most
// specific first (cover open, paper out, fault, offline), or nil if the
// printer can print. Paper near end does not stop printing.
func (s Status) Err() error {
	switch {
	case s.CoverOpen:
		return ErrCoverOpen
	case s.PaperOut:
		return ErrPaperOut
	case s.Fault():
		return ErrFault
	case s.Offline:
		return ErrOffline
	}
	return nil
}

// State maps s to a device.status state.
func (s Status) State() devices.State {
	switch {
	case s.PaperOut && !s.CoverOpen:
		return devices.StatePaperOut
	case s.CoverOpen || s.Fault():
		return devices.StateError
	case s.Offline:
		return devices.StateOffline
	}
	return devices.StateOK
}

// Detail lists the conditions set in s in words a technician can act on, or
// "" if none is.
func (s Status) Detail() string {
	var w []string
	for _, c := range []struct {
		on   bool
		text string
	}{
		{s.CoverOpen, "cover open"},
		{s.PaperOut, "paper out"},
		{s.PaperNearEnd, "paper near end"},
		{s.CutterError, "cutter error"},
		{s.Unrecoverable, "unrecoverable error"},
		{s.AutoRecoverable, "auto-recoverable error (head temperature?)"},
		{s.Error && !s.CutterError && !s.Unrecoverable && !s.AutoRecoverable, "error"},
		{s.Offline, "offline"},
	} {
		if c.on {
			w = append(w, c.text)
		}
	}
	return strings.Join(w, ", ")
}

// Report returns s as a device.status report.
func (s Status) Report(device string, at time.Time) devices.Status {
	return devices.Status{Device: device, State: s.State(), Detail: s.Detail(), At: at}
}

func (s Status) String() string {
	if d := s.Detail(); d != "" {
		return d
	}
	return "ok"
}
