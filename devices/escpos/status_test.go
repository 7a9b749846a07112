// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"errors"
	"strings"
	"testing"
	"time"

	"yichuang/devices"
)

func TestDecodeStatus(t *testing.T) {
	ok := [4]byte{0x12, 0x12, 0x12, 0x12}
	with := func(i int, bits byte) [4]byte {
		b := ok
		b[i] |= bits
		return b
	}
	for _, tc := range []struct {
		name   string
		raw    [4]byte
		want   Status
		err    error // Status.Err
		state  devices.State
		detail string
	}{
		{"all clear", ok, Status{}, nil, devices.StateOK, ""},
		{"offline", with(0, 0x08), Status{Offline: true}, ErrOffline, devices.StateOffline, "offline"},
		{"drawer pin and feed button are not conditions", with(0, 0x44), Status{}, nil, devices.StateOK, ""},
		{"cover open", [4]byte{0x1A, 0x16, 0x12, 0x12}, Status{Offline: true, CoverOpen: true}, ErrCoverOpen, devices.StateError, "cover open, offline"},
		{"paper end stop", [4]byte{0x1A, 0x32, 0x12, 0x72}, Status{Offline: true, PaperOut: true}, ErrPaperOut, devices.StatePaperOut, "paper out, offline"},
		{"roll sensor only", with(3, 0x60), Status{PaperOut: true}, ErrPaperOut, devices.StatePaperOut, "paper out"},
		{"near end", with(3, 0x0C), Status{PaperNearEnd: true}, nil, devices.StateOK, "paper near end"},
		{"near end one sensor bit", with(3, 0x04), Status{PaperNearEnd: true}, nil, devices.StateOK, "paper near end"},
		{"error occurred", with(1, 0x40), Status{Error: true}, ErrFault, devices.StateError, "error"},
		{"cutter", with(2, 0x08), Status{CutterError: true}, ErrFault, devices.StateError, "cutter error"},
		{"unrecoverable", with(2, 0x20), Status{Unrecoverable: true}, ErrFault, devices.StateError, "unrecoverable error"},
		{"head hot", with(2, 0x40), Status{AutoRecoverable: true}, ErrFault, devices.StateError, "auto-recoverable error (head temperature?)"},
		{"cover open and paper out", [4]byte{0x1A, 0x36, 0x12, 0x72}, Status{Offline: true, CoverOpen: true, PaperOut: true}, ErrCoverOpen, devices.StateError, "cover open, paper out, offline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeStatus(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Raw = tc.raw
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if err := got.Err(); err != tc.err {
				t.Errorf("Err() = %v, want %v", err, tc.err)
			}
			if s := got.State(); s != tc.state {
				t.Errorf("State() = %q, want %q", s, tc.state)
			}
			if d := got.Detail(); d != tc.detail {
				t.Errorf("Detail() = %q, want %q", d, tc.detail)
			}
			at := time.Unix(1700000000, 0)
			if r := got.Report("printer", at); r.Device != "printer" || r.State != tc.state || !r.At.Equal(at) {
				t.Errorf("Report = %+v", r)
			}
		})
	}
}

func TestDecodeStatusBad(t *testing.T) {
	for _, raw := range [][4]byte{
		{0x00, 0x12, 0x12, 0x12}, // not an answer
		{0x12, 0x13, 0x12, 0x12}, // bit 0 set
		{0x12, 0x12, 0x92, 0x12}, // bit 7 set
		{0x12, 0x12, 0x12, 0x02}, // bit 4 clear
		{0x10, 0x12, 0x12, 0x12}, // an ASB byte
	} {
		if _, err := DecodeStatus(raw); !errors.Is(err, ErrBadStatus) {
			t.Errorf("% x: error %v, want ErrBadStatus", raw, err)
		}
	}
}

func FuzzDecodeStatus(f *testing.F) {
	f.Add(byte(0x12), byte(0x12), byte(0x12), byte(0x12))
	f.Add(byte(0x1A), byte(0x36), byte(0x7A), byte(0x7E))
	f.Add(byte(0xFF), byte(0x00), byte(0x12), byte(0x10))
	f.Fuzz(func(t *testing.T, a, b, c, d byte) {
		raw := [4]byte{a, b, c, d}
		s, err := DecodeStatus(raw)
		valid := validStatusByte(a) && validStatusByte(b) && validStatusByte(c) && validStatusByte(d)
		if (err == nil) != valid {
			t.Fatalf("% x: err %v, valid %v", raw, err, valid)
		}
		if err != nil {
			if !errors.Is(err, ErrBadStatus) {
				t.Fatalf("error %v does not wrap ErrBadStatus", err)
			}
			return
		}
		if s.Raw != raw {
			t.Fatal("Raw not kept")
		}
		// Err and State agree on whether the printer can print.
		e := s.Err()
		if (e == nil) != (s.State() == devices.StateOK) {
			t.Fatalf("%+v: Err %v but State %q", s, e, s.State())
		}
		if s.PaperOut && !s.CoverOpen && !errors.Is(e, ErrPaperOut) {
			t.Fatalf("%+v: paper out but Err %v", s, e)
		}
		if (s.Detail() == "") != (s == Status{Raw: raw}) {
			t.Fatalf("%+v: detail %q", s, s.Detail())
		}
		if e != nil && !strings.HasPrefix(e.Error(), "escpos: ") {
			t.Fatalf("error %q lacks the prefix", e)
		}
	})
}
