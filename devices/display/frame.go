// SPDX-License-Identifier: AGPL-3.0-or-later

package display

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// Frame bytes of FormatFramed.
const (
	SOH = 0x01 // starts a frame
	BEL = 0x07 // ends it
)

// MaxPayload is the longest text a frame carries, in bytes: far more than a
// strip screen shows, short enough that a lost BEL costs little.
const MaxPayload = 255

// Command is a frame's command byte.
type Command byte

// Commands of FormatFramed.
const (
	CmdShow  Command = 'T' // show the text that follows
	CmdClear Command = 'C' // blank the screen; no text
)

func (c Command) String() string {
	switch c {
	case CmdShow:
		return "show"
	case CmdClear:
		return "clear"
	}
	return fmt.Sprintf("command 0x%02X", byte(c))
}

// Sentinel errors.
var (
	// ErrIncomplete: the bytes end inside a frame; more are needed.
	ErrIncomplete = errors.New("display: incomplete frame")
	// ErrBadFrame is wrapped by every error about bytes ParseFrames skipped.
	ErrBadFrame = errors.New("display: bad frame")
	// ErrAddress: an address the format cannot carry.
	ErrAddress = errors.New("display: bad address")
	// ErrFormat: an unknown Format.
	ErrFormat = errors.New("display: unknown format")
	// ErrCharset: an unknown Charset.
	ErrCharset = errors.New("display: unknown charset")
	// ErrTooLong: a text too long for one frame.
	ErrTooLong = errors.New("display: text too long for a frame")
	// ErrClosed: the bus was closed.
	ErrClosed = errors.New("display: bus closed")
)

// FrameError says why ParseFrames skipped some bytes; it wraps ErrBadFrame.
type FrameError struct {
	Offset int    // where the skipped bytes start, in the buffer given
	Reason string // noise, broken, unknown command, too long, text after clear
}

func (e *FrameError) Error() string {
	return fmt.Sprintf("display: bad frame at byte %d: %s", e.Offset, e.Reason)
}

func (e *FrameError) Unwrap() error { return ErrBadFrame }

// Frame is one command of FormatFramed.
type Frame struct {
	Addr    byte
	Cmd     Command
	Payload []byte // the text in GB18030; never holds SOH or BEL
}

// Text returns the frame's text decoded from GB18030.
func (f Frame) Text() string { return Decode(f.Payload) }

// AppendFrame appends f's bytes to dst: SOH, address, command, payload, BEL.
func AppendFrame(dst []byte, f Frame) ([]byte, error) {
	if f.Cmd != CmdShow && f.Cmd != CmdClear {
		return dst, fmt.Errorf("display: %v: %w", f.Cmd, ErrBadFrame)
	}
	if f.Cmd == CmdClear && len(f.Payload) > 0 {
		return dst, fmt.Errorf("display: clear with text: %w", ErrBadFrame)
	}
	if len(f.Payload) > MaxPayload {
		return dst, fmt.Errorf("display: %d bytes, at most %d: %w", len(f.Payload), MaxPayload, ErrTooLong)
	}
	if bytes.IndexByte(f.Payload, SOH) >= 0 || bytes.IndexByte(f.Payload, BEL) >= 0 {
		return dst, fmt.Errorf("display: SOH or BEL in the text: %w", ErrBadFrame)
	}
	dst = append(dst, SOH, f.Addr, byte(f.Cmd))
	dst = append(dst, f.Payload...)
	return append(dst, BEL), nil
}

// ScanFrame reads the frame at the start of b. It returns the frame and the
// bytes it took; or 0 and ErrIncomplete when b ends inside a frame; or a
// *FrameError with n > 0 bytes to skip: noise before an SOH, or a frame that
// cannot be one (cut short by the next SOH, an unknown command, no BEL within
// MaxPayload bytes). After a bad frame it skips only its SOH (or up to the SOH
// that cut it short), so a frame whose address byte happens to be SOH is
// still found.
func ScanFrame(b []byte) (f Frame, n int, err error) {
	if len(b) == 0 {
		return Frame{}, 0, ErrIncomplete
	}
	if b[0] != SOH {
		i := bytes.IndexByte(b, SOH)
		if i < 0 {
			i = len(b)
		}
		return Frame{}, i, &FrameError{Offset: 0, Reason: fmt.Sprintf("%d bytes of noise", i)}
	}
	if len(b) < 3 {
		return Frame{}, 0, ErrIncomplete
	}
	bad := func(reason string) (Frame, int, error) {
		return Frame{}, 1, &FrameError{Offset: 0, Reason: reason}
	}
	cmd := Command(b[2])
	if cmd == SOH || cmd == BEL {
		return bad("frame cut short")
	}
	end := -1
	for i := 3; i < len(b) && i <= 3+MaxPayload; i++ {
		if b[i] == BEL {
			end = i
			break
		}
		if b[i] == SOH {
			// No frame starts before i: one at the address byte would run
			// into the same SOH.
			return Frame{}, i, &FrameError{Offset: 0, Reason: "frame cut short by the next SOH"}
		}
	}
	if end < 0 {
		if len(b) > 3+MaxPayload {
			return bad(fmt.Sprintf("no BEL within %d bytes", MaxPayload))
		}
		return Frame{}, 0, ErrIncomplete
	}
	payload := b[3:end]
	switch {
	case cmd != CmdShow && cmd != CmdClear:
		return bad(cmd.String() + " unknown")
	case cmd == CmdClear && len(payload) > 0:
		return bad("clear with text")
	}
	return Frame{Addr: b[1], Cmd: cmd, Payload: payload}, end + 1, nil
}

// maxErrors bounds the errors ParseFrames keeps for one call.
const maxErrors = 16

// ParseFrames reads every complete frame in b, in order. n is how many bytes
// it consumed: b[n:] is the start of a frame that more bytes may complete
// (keep it and append to it). err is nil when nothing was skipped; otherwise
// it joins a *FrameError (wrapping ErrBadFrame) for each run of bytes
// skipped, up to 16. The frames' payloads alias b.
func ParseFrames(b []byte) (frames []Frame, n int, err error) {
	var errs []error
	skipped := 0
	for n < len(b) {
		f, k, e := ScanFrame(b[n:])
		if errors.Is(e, ErrIncomplete) {
			break
		}
		if e != nil {
			var fe *FrameError
			if errors.As(e, &fe) {
				fe.Offset += n
			}
			if len(errs) < maxErrors {
				errs = append(errs, e)
			}
			skipped++
		} else {
			frames = append(frames, f)
		}
		n += k
	}
	if skipped > maxErrors {
		errs = append(errs, fmt.Errorf("display: %d more bad frames: %w", skipped-maxErrors, ErrBadFrame))
	}
	return frames, n, errors.Join(errs...)
}

// MaxAddress is the highest address either format carries.
const MaxAddress = 255

// AppendLine appends one command of FormatLine: "addr:" when addr is not
// 0, the payload, CR LF. An empty payload clears the screen.
func AppendLine(dst []byte, addr int, payload []byte) ([]byte, error) {
	if addr < 0 || addr > MaxAddress {
		return dst, fmt.Errorf("display: line address %d: %w", addr, ErrAddress)
	}
	if bytes.ContainsAny(payload, "\r\n") {
		return dst, fmt.Errorf("display: CR or LF in the text: %w", ErrBadFrame)
	}
	if addr != 0 {
		dst = strconv.AppendInt(dst, int64(addr), 10)
		dst = append(dst, ':')
	}
	dst = append(dst, payload...)
	return append(dst, '\r', '\n'), nil
}

// ParseLine splits one line of FormatLine (without its CR LF) into its
// address (0 when it has none) and its GB18030 payload. A line counts as
// addressed when it starts with one to three decimal digits, a value of 1 to
// 255, and a colon.
func ParseLine(line []byte) (addr int, payload []byte) {
	i := 0
	for i < len(line) && i < 4 && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i == 0 || i > 3 || i >= len(line) || line[i] != ':' {
		return 0, line
	}
	a, err := strconv.Atoi(string(line[:i]))
	if err != nil || a < 1 || a > MaxAddress {
		return 0, line
	}
	return a, line[i+1:]
}
