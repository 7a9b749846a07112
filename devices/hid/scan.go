// SPDX-License-Identifier: AGPL-3.0-or-later

package hid

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Scan is one code read by a QR reader: a URL, a check-in code.
type Scan struct {
	Data string // the code's bytes as the reader sent them (HID-POS: any bytes; keyboard mode: ASCII)
	At   time.Time
}

// ScanDecoder assembles complete scans from a QR reader's input reports.
// POSDecoder and KeyboardDecoder implement it.
type ScanDecoder interface {
	// Decode takes one input report received at at and returns the scans
	// it completed (usually none or one). A non-nil error reports what was
	// lost on the way (a half scan dropped: ErrTimeout, ErrTooLong; a
	// malformed report: ErrReport) and may come with scans; the decoder
	// stays usable.
	Decode(report []byte, at time.Time) ([]string, error)
	// Deadline is when a half-received scan, if there is one, expires.
	Deadline() (time.Time, bool)
	// Expire drops a half-received scan whose deadline is not after now,
	// and then returns an error wrapping ErrTimeout.
	Expire(now time.Time) error
	// Reset drops everything, as after reconnecting.
	Reset()
}

// ScanMode says how a QR reader sends its scans.
type ScanMode string

// Scan modes.
const (
	// ModePOS: HID-POS (a "HID POS" or "USB HID" setting of the reader):
	// vendor scanned-data reports, see POSFormat.
	ModePOS ScanMode = "hidpos"
	// ModeKeyboard: keyboard emulation ("USB KBW"): boot keyboard reports
	// typing the code on a US layout, then Enter.
	ModeKeyboard ScanMode = "keyboard"
)

// POSFormat says where a HID-POS scanned-data report keeps its parts. The
// default is the layout Honeywell and Newland readers use in 64-byte
// reports: byte 0 report ID 0x02, byte 1 the number of data bytes in this
// report, bytes 2..57 up to 56 data bytes, 58..62 symbology identifiers
// (not used here), and bit 0 of byte 63 set when more reports of the same
// scan follow.
type POSFormat struct {
	ReportID    byte // the scanned-data report's ID; other reports are ignored
	LengthIndex int  // the byte holding the data length
	DataIndex   int  // the first data byte
	MaxData     int  // the most data bytes one report holds
	// MoreIndex is the byte whose MoreMask bits, when set, say that more
	// reports follow; a report too short to have it is the last. Negative:
	// every report is a whole scan.
	MoreIndex int
	MoreMask  byte
}

// DefaultPOSFormat returns the Honeywell/Newland layout described at
// POSFormat.
func DefaultPOSFormat() POSFormat {
	return POSFormat{ReportID: 0x02, LengthIndex: 1, DataIndex: 2, MaxData: 56, MoreIndex: 63, MoreMask: 0x01}
}

func (f POSFormat) validate() error {
	if f.LengthIndex < 1 || f.DataIndex < 1 || f.DataIndex == f.LengthIndex || f.MaxData < 1 ||
		f.LengthIndex > 255 || f.DataIndex+f.MaxData > 1024 ||
		(f.MoreIndex >= 0 && (f.MoreMask == 0 || f.MoreIndex == f.LengthIndex)) {
		return fmt.Errorf("hid: impossible HID-POS format %+v", f)
	}
	return nil
}

// ScanOpts configures a scan decoder. Zero fields take the values of
// DefaultScanOpts.
type ScanOpts struct {
	Mode ScanMode
	// Timeout is the longest gap between two reports of one scan; a half
	// scan older than that is dropped. A reader sends a scan's reports a
	// few milliseconds apart.
	Timeout time.Duration
	// MaxLen is the longest scan kept; a longer one is dropped whole.
	MaxLen int
	// KeyboardReportID is the report ID before each keyboard report of a
	// composite reader (ModeKeyboard); 0 for none.
	KeyboardReportID byte
	// POS is the scanned-data report layout (ModePOS).
	POS POSFormat
}

// DefaultScanOpts returns HID-POS in the default format, a 300 ms timeout
// and scans of up to 4096 bytes.
func DefaultScanOpts() ScanOpts {
	return ScanOpts{Mode: ModePOS, Timeout: 300 * time.Millisecond, MaxLen: 4096, POS: DefaultPOSFormat()}
}

func (o *ScanOpts) withDefaults() ScanOpts {
	d := DefaultScanOpts()
	if o == nil {
		return d
	}
	r := *o
	if r.Mode == "" {
		r.Mode = d.Mode
	}
	if r.Timeout <= 0 {
		r.Timeout = d.Timeout
	}
	if r.MaxLen <= 0 {
		r.MaxLen = d.MaxLen
	}
	if r.POS == (POSFormat{}) {
		r.POS = d.POS
	}
	return r
}

// NewScanDecoder returns the decoder for o.Mode; o nil means
// DefaultScanOpts.
func NewScanDecoder(o *ScanOpts) (ScanDecoder, error) {
	opts := o.withDefaults()
	switch opts.Mode {
	case ModePOS:
		return NewPOSDecoder(&opts)
	case ModeKeyboard:
		return NewKeyboardDecoder(&opts), nil
	}
	return nil, fmt.Errorf("hid: scan mode %q is not %q or %q", opts.Mode, ModePOS, ModeKeyboard)
}

// assembly is what both decoders keep of a scan on its way.
type assembly struct {
	timeout time.Duration
	maxLen  int
	buf     []byte
	started bool // a scan is on its way (buf may be empty: discarding)
	discard bool // the scan on its way is too long: drop the rest of it
	last    time.Time
}

func (a *assembly) Deadline() (time.Time, bool) {
	if !a.started {
		return time.Time{}, false
	}
	return a.last.Add(a.timeout), true
}

func (a *assembly) Expire(now time.Time) error {
	if dl, ok := a.Deadline(); !ok || now.Before(dl) {
		return nil
	}
	return a.drop()
}

func (a *assembly) drop() error {
	n, discarding := len(a.buf), a.discard
	a.Reset()
	if discarding {
		return nil // already reported as ErrTooLong
	}
	return fmt.Errorf("%w: dropped %d bytes after %v without the rest", ErrTimeout, n, a.timeout)
}

func (a *assembly) Reset() {
	a.buf, a.started, a.discard, a.last = a.buf[:0], false, false, time.Time{}
}

// add appends data to the scan on its way, or starts discarding it when it
// gets too long.
func (a *assembly) add(data []byte, at time.Time) error {
	a.started, a.last = true, at
	if a.discard {
		return nil
	}
	if len(a.buf)+len(data) > a.maxLen {
		a.buf, a.discard = a.buf[:0], true
		return fmt.Errorf("%w: more than %d bytes", ErrTooLong, a.maxLen)
	}
	a.buf = append(a.buf, data...)
	return nil
}

// finish ends the scan on its way and returns it, if any.
func (a *assembly) finish() (string, bool) {
	s, ok := string(a.buf), !a.discard && len(a.buf) > 0
	a.Reset()
	return s, ok
}

// POSDecoder assembles scans from HID-POS scanned-data reports: the data
// bytes of each report until one without the continuation flag; a CR/LF
// suffix the reader may be set to add is trimmed.
type POSDecoder struct {
	f POSFormat
	assembly
}

// NewPOSDecoder returns a HID-POS decoder; o nil means DefaultScanOpts (its
// Mode is not looked at).
func NewPOSDecoder(o *ScanOpts) (*POSDecoder, error) {
	opts := o.withDefaults()
	if err := opts.POS.validate(); err != nil {
		return nil, err
	}
	return &POSDecoder{f: opts.POS, assembly: assembly{timeout: opts.Timeout, maxLen: opts.MaxLen}}, nil
}

// Decode implements ScanDecoder.
func (p *POSDecoder) Decode(report []byte, at time.Time) ([]string, error) {
	var errs []error
	if err := p.Expire(at); err != nil {
		errs = append(errs, err)
	}
	f := p.f
	if len(report) == 0 || report[0] != f.ReportID {
		return nil, errors.Join(errs...) // another report: not scanned data
	}
	if len(report) <= f.LengthIndex {
		return nil, errors.Join(append(errs, p.malformed(fmt.Sprintf("%d bytes, no length byte", len(report))))...)
	}
	n := int(report[f.LengthIndex])
	if n > f.MaxData || f.DataIndex+n > len(report) {
		return nil, errors.Join(append(errs, p.malformed(fmt.Sprintf("length %d in a report of %d bytes", n, len(report))))...)
	}
	more := f.MoreIndex >= 0 && f.MoreIndex < len(report) && report[f.MoreIndex]&f.MoreMask != 0
	if err := p.add(report[f.DataIndex:f.DataIndex+n], at); err != nil {
		errs = append(errs, err)
	}
	if more {
		return nil, errors.Join(errs...)
	}
	var scans []string
	if s, ok := p.finish(); ok {
		if s = strings.TrimRight(s, "\r\n"); s != "" {
			scans = append(scans, s)
		}
	}
	return scans, errors.Join(errs...)
}

// malformed drops the scan on its way: a part of it is lost.
func (p *POSDecoder) malformed(why string) error {
	p.Reset()
	return fmt.Errorf("%w: HID-POS report: %s", ErrReport, why)
}

// KeyboardDecoder assembles scans from a reader in keyboard emulation: the
// characters its keys type on a US layout (Shift for capitals and ':' '/'
// '?' '=' '&' and the like), ending at Enter. Keys pressed with Ctrl, Alt
// or GUI, and keys that type nothing (Tab, arrows), are skipped. A reader
// set to end scans with something other than Enter loses every scan to
// the timeout: set it to add Enter (CR).
type KeyboardDecoder struct {
	kb BootKeyboard
	assembly
}

// NewKeyboardDecoder returns a keyboard-mode decoder; o nil means
// DefaultScanOpts (its Mode is not looked at).
func NewKeyboardDecoder(o *ScanOpts) *KeyboardDecoder {
	opts := o.withDefaults()
	return &KeyboardDecoder{
		kb:       BootKeyboard{ReportID: opts.KeyboardReportID},
		assembly: assembly{timeout: opts.Timeout, maxLen: opts.MaxLen},
	}
}

// Decode implements ScanDecoder.
func (k *KeyboardDecoder) Decode(report []byte, at time.Time) ([]string, error) {
	var errs []error
	if err := k.Expire(at); err != nil {
		errs = append(errs, fmt.Errorf("%w (is the reader set to end scans with Enter?)", err))
	}
	down, err := k.kb.Decode(report)
	if err != nil {
		return nil, errors.Join(append(errs, err)...)
	}
	if k.started {
		k.last = at // key releases count: the scan is still coming
	}
	var scans []string
	for _, s := range down {
		if s.Usage == UsageEnter || s.Usage == UsageKeypadEnter {
			if scan, ok := k.finish(); ok {
				scans = append(scans, scan)
			}
			continue
		}
		c, ok := s.Char()
		if !ok {
			continue
		}
		if err := k.add([]byte{c}, at); err != nil {
			errs = append(errs, err)
		}
	}
	return scans, errors.Join(errs...)
}

// Reset implements ScanDecoder.
func (k *KeyboardDecoder) Reset() {
	k.kb.Reset()
	k.assembly.Reset()
}
