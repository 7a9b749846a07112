// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"errors"
	"fmt"
)

// Control bytes.
const (
	nul = 0x00
	eot = 0x04
	lf  = 0x0A
	cr  = 0x0D
	dle = 0x10
	esc = 0x1B
	fs  = 0x1C
	gs  = 0x1D
)

// maxCommand bounds the length a single command may declare (a raster image
// or a QR store). Anything larger is treated as malformed rather than
// waited for.
const maxCommand = 1 << 24

// ErrMalformed is wrapped by every *ParseError: the bytes are not a job this
// package understands.
var ErrMalformed = errors.New("escpos: malformed job")

// ParseError reports where a job could not be parsed.
type ParseError struct {
	Offset int    // byte offset of the command in the job
	Msg    string // what is wrong there
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("escpos: offset %d: %s", e.Offset, e.Msg)
}

// Unwrap returns ErrMalformed.
func (e *ParseError) Unwrap() error { return ErrMalformed }

// cmdError is what cmdLen reports; the caller adds the offset.
type cmdError struct{ msg string }

func (e *cmdError) Error() string { return "escpos: " + e.msg }
func (e *cmdError) Unwrap() error { return ErrMalformed }

func errf(format string, a ...any) error { return &cmdError{fmt.Sprintf(format, a...)} }

// needMore is returned by cmdLen when data ends inside a command.
type needMore struct{ want int }

func (needMore) Error() string { return "escpos: need more bytes" }

// cmdName names a command's first bytes for error messages.
func cmdName(b []byte) string {
	if len(b) == 0 {
		return "empty"
	}
	prefix := map[byte]string{dle: "DLE", esc: "ESC", fs: "FS", gs: "GS"}[b[0]]
	if prefix == "" {
		return fmt.Sprintf("byte 0x%02x", b[0])
	}
	if len(b) < 2 {
		return prefix
	}
	if b[1] >= 0x21 && b[1] <= 0x7E {
		return fmt.Sprintf("%s %q (0x%02x)", prefix, b[1], b[1])
	}
	return fmt.Sprintf("%s 0x%02x", prefix, b[1])
}

// cmdLen returns the length of the token at the start of data: a run of
// printable bytes (text), a single LF or CR, or one whole command. It returns
// needMore if data ends inside a command, and a *cmdError for an unknown
// command or bad parameters.
func cmdLen(data []byte) (int, error) {
	if len(data) == 0 {
		return 0, needMore{1}
	}
	c := data[0]
	if c >= 0x20 {
		n := 1
		for n < len(data) && data[n] >= 0x20 {
			n++
		}
		return n, nil
	}
	fixed := func(n int) (int, error) {
		if len(data) < n {
			return 0, needMore{n}
		}
		return n, nil
	}
	switch c {
	case lf, cr:
		return 1, nil
	case dle, esc, fs, gs:
	default:
		return 0, errf("unknown control byte 0x%02x", c)
	}
	if len(data) < 2 {
		return 0, needMore{2}
	}
	name := cmdName(data[:2])
	switch c {
	case dle:
		if data[1] != eot {
			return 0, errf("unknown command %s", name)
		}
		n, err := fixed(3)
		if err != nil {
			return 0, err
		}
		if data[2] < 1 || data[2] > 4 {
			return 0, errf("DLE EOT %d: n must be 1..4", data[2])
		}
		return n, nil
	case esc:
		switch data[1] {
		case '@', '2':
			return 2, nil
		case 'a', 'E', 'd', 'J', '3', '!', '-', 't':
			return fixed(3)
		}
	case fs:
		switch data[1] {
		case '&', '.':
			return 2, nil
		case 'C':
			return fixed(3)
		}
	case gs:
		switch data[1] {
		case '!':
			return fixed(3)
		case 'V':
			if len(data) < 3 {
				return 0, needMore{3}
			}
			switch data[2] {
			case 0, 1, 48, 49:
				return 3, nil
			case 65, 66:
				return fixed(4)
			}
			return 0, errf("GS V %d: unknown cut mode", data[2])
		case 'v':
			if len(data) < 8 {
				return 0, needMore{8}
			}
			if data[2] != '0' {
				return 0, errf("unknown command GS v 0x%02x", data[2])
			}
			if m := data[3]; m > 3 && (m < 48 || m > 51) {
				return 0, errf("GS v 0: unknown mode %d", m)
			}
			x := int(data[4]) | int(data[5])<<8
			y := int(data[6]) | int(data[7])<<8
			if x == 0 || y == 0 {
				return 0, errf("GS v 0: empty image %dx%d bytes", x, y)
			}
			n := 8 + x*y
			if n > maxCommand {
				return 0, errf("GS v 0: image of %d bytes is too large", x*y)
			}
			return fixed(n)
		case '(':
			if len(data) < 5 {
				return 0, needMore{5}
			}
			if data[2] != 'k' {
				return 0, errf("unknown command GS ( 0x%02x", data[2])
			}
			p := int(data[3]) | int(data[4])<<8
			if p < 2 {
				return 0, errf("GS ( k: parameter length %d too short", p)
			}
			return fixed(5 + p)
		}
	}
	return 0, errf("unknown command %s", name)
}

// ScanCommands is a bufio.SplitFunc that splits an ESC/POS stream into
// tokens: runs of text bytes, LF, CR and whole commands (a raster image with
// its data is one token). An unknown command or one with bad parameters
// yields an error wrapping ErrMalformed; a simulator that wants to carry on
// can skip one byte instead.
func ScanCommands(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if len(data) == 0 {
		return 0, nil, nil
	}
	n, err := cmdLen(data)
	var more needMore
	if errors.As(err, &more) {
		if atEOF {
			return 0, nil, errf("truncated %s: needs %d bytes, has %d", cmdName(data), more.want, len(data))
		}
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return n, data[:n], nil
}
