// SPDX-License-Identifier: AGPL-3.0-or-later

package display

import (
	"context"
	"fmt"
)

// Screen is what the hall needs of a window screen.
type Screen interface {
	// Show replaces what the screen shows with text, cut to its width.
	Show(ctx context.Context, text string) error
	// Clear blanks the screen.
	Clear(ctx context.Context) error
}

// Format is a screen's wire format (see the package documentation).
type Format int

// Formats.
const (
	FormatLine   Format = iota // [addr ":"] text CR LF
	FormatFramed               // SOH addr cmd text BEL
)

func (f Format) String() string {
	switch f {
	case FormatLine:
		return "line"
	case FormatFramed:
		return "framed"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// DefaultWidth is the columns of the common 128×16 window screen: eight
// Chinese characters, "A012 请到3号窗口" exactly.
const DefaultWidth = 16

// Opts configures one screen.
type Opts struct {
	Format Format
	// Addr is the screen's address on the bus: 1 to 255. With FormatLine, 0
	// means a screen alone on its line (no prefix); FormatFramed needs one.
	Addr    int
	Width   int // columns; 0 means DefaultWidth
	Charset Charset
}

// DefaultOpts returns a plain text-line screen alone on its line,
// DefaultWidth columns, GB18030.
func DefaultOpts() Opts {
	return Opts{Format: FormatLine, Width: DefaultWidth, Charset: GB18030}
}

// Dev is one screen on a Bus. It implements Screen; its methods are safe for
// concurrent use.
type Dev struct {
	bus *Bus
	o   Opts
}

var _ Screen = (*Dev)(nil)

// New returns the screen o describes on bus b. It sends nothing. o nil means
// DefaultOpts().
func New(b *Bus, o *Opts) (*Dev, error) {
	if b == nil {
		return nil, fmt.Errorf("display: nil bus")
	}
	opts := DefaultOpts()
	if o != nil {
		opts = *o
	}
	if opts.Width <= 0 {
		opts.Width = DefaultWidth
	}
	if opts.Width > MaxPayload/2 {
		return nil, fmt.Errorf("display: width %d, at most %d: %w", opts.Width, MaxPayload/2, ErrTooLong)
	}
	if opts.Charset != GB18030 && opts.Charset != GB2312 {
		return nil, fmt.Errorf("display: %v: %w", opts.Charset, ErrCharset)
	}
	switch opts.Format {
	case FormatLine:
		if opts.Addr < 0 || opts.Addr > MaxAddress {
			return nil, fmt.Errorf("display: line address %d, want 0 to %d: %w", opts.Addr, MaxAddress, ErrAddress)
		}
	case FormatFramed:
		if opts.Addr < 1 || opts.Addr > MaxAddress {
			return nil, fmt.Errorf("display: framed address %d, want 1 to %d: %w", opts.Addr, MaxAddress, ErrAddress)
		}
	default:
		return nil, fmt.Errorf("display: %v: %w", opts.Format, ErrFormat)
	}
	return &Dev{bus: b, o: opts}, nil
}

func (d *Dev) String() string {
	return fmt.Sprintf("display(%s@%d)", d.o.Format, d.o.Addr)
}

// Opts returns the options the Dev uses.
func (d *Dev) Opts() Opts { return d.o }

// EncodeShow returns the bytes Show sends for text.
func (d *Dev) EncodeShow(text string) ([]byte, error) {
	payload, err := Encode(nil, Fit(text, d.o.Width), d.o.Charset)
	if err != nil {
		return nil, err
	}
	if d.o.Format == FormatLine {
		return AppendLine(nil, d.o.Addr, payload)
	}
	return AppendFrame(nil, Frame{Addr: byte(d.o.Addr), Cmd: CmdShow, Payload: payload})
}

// EncodeClear returns the bytes Clear sends.
func (d *Dev) EncodeClear() ([]byte, error) {
	if d.o.Format == FormatLine {
		return AppendLine(nil, d.o.Addr, nil)
	}
	return AppendFrame(nil, Frame{Addr: byte(d.o.Addr), Cmd: CmdClear})
}

// Show shows text, cut to the screen's width.
func (d *Dev) Show(ctx context.Context, text string) error {
	cmd, err := d.EncodeShow(text)
	if err != nil {
		return err
	}
	if err := d.bus.send(ctx, cmd); err != nil {
		return fmt.Errorf("display: screen %d: show: %w", d.o.Addr, err)
	}
	return nil
}

// Clear blanks the screen.
func (d *Dev) Clear(ctx context.Context) error {
	cmd, err := d.EncodeClear()
	if err != nil {
		return err
	}
	if err := d.bus.send(ctx, cmd); err != nil {
		return fmt.Errorf("display: screen %d: clear: %w", d.o.Addr, err)
	}
	return nil
}
