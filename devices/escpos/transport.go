// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tarm/serial"
	"yichuang/devices/internal/serialport"
)

// URI schemes.
const (
	SchemeSerial = "serial"
	SchemeUSB    = "usb"
	SchemeTCP    = "tcp"
	SchemeFile   = "file"
	SchemeSim    = "sim"
)

// uriForms is shown in parse errors.
const uriForms = "serial:///dev/ttyS1?baud=9600, usb://0416:5011[?serial=S], tcp://10.0.0.9[:9100], file:///path or sim"

// DefaultBaud is a serial printer's speed when the URI does not say.
const DefaultBaud = 9600

// baudList names the serial speeds validBaud accepts.
const baudList = "1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600"

// URI is a parsed printer address from the config.
type URI struct {
	Scheme   string // SchemeSerial, SchemeUSB, SchemeTCP, SchemeFile or SchemeSim
	Path     string // serial: the tty; file: the file
	Baud     int    // serial
	Addr     string // tcp: host:port
	VID, PID uint16 // usb
	Serial   string // usb: the printer's serial number, to tell twins apart; "" for any
}

func (u URI) String() string {
	switch u.Scheme {
	case SchemeSerial:
		return fmt.Sprintf("serial://%s?baud=%d", u.Path, u.Baud)
	case SchemeUSB:
		s := fmt.Sprintf("usb://%04x:%04x", u.VID, u.PID)
		if u.Serial != "" {
			s += "?serial=" + url.QueryEscape(u.Serial)
		}
		return s
	case SchemeTCP:
		return "tcp://" + u.Addr
	case SchemeFile:
		return "file://" + u.Path
	case SchemeSim:
		return "sim"
	}
	return ""
}

// ParseURI parses a printer URI of the config: serial:///dev/ttyS1?baud=9600
// (baud defaults to 9600), usb://VID:PID in hex with an optional ?serial=,
// tcp://host[:port] (port defaults to 9100), file:///absolute/path (jobs are
// appended), or sim (the caller provides the simulator).
func ParseURI(s string) (URI, error) {
	bad := func(format string, a ...any) (URI, error) {
		return URI{}, fmt.Errorf("escpos: printer URI %q: %s (forms: %s)", s, fmt.Sprintf(format, a...), uriForms)
	}
	if s == "" {
		return bad("empty")
	}
	if s == SchemeSim {
		return URI{Scheme: SchemeSim}, nil
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return bad("no scheme")
	}
	rest, rawQuery, _ := strings.Cut(rest, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return bad("bad query: %v", err)
	}
	allow := func(keys ...string) error {
		for k := range q {
			found := false
			for _, a := range keys {
				found = found || k == a
			}
			if !found {
				return fmt.Errorf("unknown parameter %q", k)
			}
		}
		return nil
	}
	switch strings.ToLower(scheme) {
	case SchemeSerial:
		if err := allow("baud"); err != nil {
			return bad("%v", err)
		}
		if !strings.HasPrefix(rest, "/") {
			return bad("the device must be an absolute path, as in serial:///dev/ttyS1")
		}
		u := URI{Scheme: SchemeSerial, Path: filepath.Clean(rest), Baud: DefaultBaud}
		if b := q.Get("baud"); b != "" {
			n, err := strconv.Atoi(b)
			if err != nil || !validBaud(n) {
				return bad("unsupported baud %q (one of %s)", b, baudList)
			}
			u.Baud = n
		}
		return u, nil
	case SchemeUSB:
		if err := allow("serial"); err != nil {
			return bad("%v", err)
		}
		v, p, ok := strings.Cut(strings.TrimSuffix(rest, "/"), ":")
		if !ok {
			return bad("want usb://VID:PID in hex, as in usb://0416:5011")
		}
		vid, err1 := strconv.ParseUint(v, 16, 16)
		pid, err2 := strconv.ParseUint(p, 16, 16)
		if err1 != nil || err2 != nil || len(v) > 4 || len(p) > 4 {
			return bad("VID and PID must be hexadecimal numbers of up to 4 digits")
		}
		return URI{Scheme: SchemeUSB, VID: uint16(vid), PID: uint16(pid), Serial: q.Get("serial")}, nil
	case SchemeTCP:
		if err := allow(); err != nil {
			return bad("%v", err)
		}
		host := strings.TrimSuffix(rest, "/")
		if host == "" || strings.Contains(host, "/") {
			return bad("want tcp://host[:port]")
		}
		h, port, err := net.SplitHostPort(host)
		if err != nil {
			// No port (or an IPv6 literal in brackets without one).
			h, port = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), "9100"
			if strings.ContainsAny(h, "[]") || (strings.Contains(h, ":") && !strings.HasPrefix(host, "[")) {
				return bad("bad host:port")
			}
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return bad("bad port %q", port)
		}
		if h == "" {
			return bad("missing host")
		}
		return URI{Scheme: SchemeTCP, Addr: net.JoinHostPort(h, port)}, nil
	case SchemeFile:
		if err := allow(); err != nil {
			return bad("%v", err)
		}
		if !strings.HasPrefix(rest, "/") || rest == "/" {
			return bad("the file must be an absolute path, as in file:///var/spool/tickets.bin")
		}
		return URI{Scheme: SchemeFile, Path: filepath.Clean(rest)}, nil
	case SchemeSim:
		return bad("write just sim")
	}
	return bad("unknown scheme %q", scheme)
}

func validBaud(n int) bool {
	switch n {
	case 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600:
		return true
	}
	return false
}

// ErrSim is returned by Open for the sim URI: the caller wires a simulator.
var ErrSim = errors.New("escpos: the sim printer is provided by the caller")

// OpenOpts configures Open.
type OpenOpts struct {
	Sysfs       string        // sysfs root for USB discovery; "" means /sys
	DevRoot     string        // device node root; "" means /dev
	DialTimeout time.Duration // TCP; 0 means 5 s
}

// Open opens the transport that uri names, with default OpenOpts. The result
// reads back (for status) except for file URIs.
func Open(ctx context.Context, uri string) (io.WriteCloser, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	return OpenURI(ctx, u, nil)
}

// OpenURI opens the transport u names; o nil means the defaults. Serial
// ports come back as *Serial, USB printers as *USB (which finds its printer
// again after a replug), TCP as a net.Conn and files as an append-only
// writer.
func OpenURI(ctx context.Context, u URI, o *OpenOpts) (io.WriteCloser, error) {
	var opts OpenOpts
	if o != nil {
		opts = *o
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch u.Scheme {
	case SchemeSerial:
		return OpenSerial(u.Path, u.Baud)
	case SchemeUSB:
		return OpenUSB(u.VID, u.PID, u.Serial, &opts)
	case SchemeTCP:
		d := net.Dialer{Timeout: opts.DialTimeout}
		if d.Timeout == 0 {
			d.Timeout = 5 * time.Second
		}
		c, err := d.DialContext(ctx, "tcp", u.Addr)
		if err != nil {
			return nil, fmt.Errorf("escpos: %w", err)
		}
		return c, nil
	case SchemeFile:
		return OpenFile(u.Path)
	case SchemeSim:
		return nil, ErrSim
	}
	return nil, fmt.Errorf("escpos: cannot open URI scheme %q", u.Scheme)
}

// fileWriter appends jobs to a file. It is not a reader, so a Dev on it does
// not ask for status.
type fileWriter struct{ f *os.File }

func (w fileWriter) Write(p []byte) (int, error) { return w.f.Write(p) }
func (w fileWriter) Close() error                { return w.f.Close() }

// OpenFile opens path for appending jobs, creating it if needed.
func OpenFile(path string) (io.WriteCloser, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("escpos: %w", err)
	}
	return fileWriter{f}, nil
}

// serialPoll is how long one read of the serial port waits (VTIME); reads
// with a deadline loop on it.
const serialPoll = 100 * time.Millisecond

// Serial is a serial port opened with github.com/tarm/serial, with read
// deadlines so a silent printer cannot block a status request forever.
type Serial struct {
	p        *serial.Port
	path     string
	deadline atomic.Int64 // unix nanoseconds; 0: none
}

// OpenSerial opens the tty at path, 8N1 at baud.
func OpenSerial(path string, baud int) (*Serial, error) {
	if !validBaud(baud) {
		return nil, fmt.Errorf("escpos: unsupported baud %d", baud)
	}
	p, err := serialport.Open(path, baud, serialPoll)
	if err != nil {
		return nil, fmt.Errorf("escpos: serial %s: %w", path, err)
	}
	return &Serial{p: p, path: path}, nil
}

func (s *Serial) String() string { return "serial:" + s.path }

// Read reads what has arrived, waiting until the read deadline if one is
// set, forever otherwise. A hung-up port returns io.EOF.
func (s *Serial) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	quick := 0
	for {
		if dl := s.deadline.Load(); dl != 0 && time.Now().UnixNano() >= dl {
			return 0, os.ErrDeadlineExceeded
		}
		start := time.Now()
		n, err := s.p.Read(b)
		if n > 0 {
			return n, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		// An empty read is the VTIME poll running out; one that comes back
		// at once, again and again, is a port that hung up.
		if time.Since(start) < serialPoll/10 {
			if quick++; quick >= 3 {
				return 0, io.EOF
			}
		} else {
			quick = 0
		}
	}
}

// Write writes to the port.
func (s *Serial) Write(b []byte) (int, error) { return s.p.Write(b) }

// SetReadDeadline bounds Read; the zero time means no deadline.
func (s *Serial) SetReadDeadline(t time.Time) error {
	if t.IsZero() {
		s.deadline.Store(0)
	} else {
		s.deadline.Store(max(t.UnixNano(), 1))
	}
	return nil
}

// Close closes the port.
func (s *Serial) Close() error { return s.p.Close() }
