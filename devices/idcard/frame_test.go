// SPDX-License-Identifier: AGPL-3.0-or-later

package idcard

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// unhex turns "AA AA 96" into bytes.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Frames as published in vendor documents and SDK code, checked byte for
// byte against our encoder.
func TestEncodeKnownFrames(t *testing.T) {
	tests := []struct {
		name string
		got  func() ([]byte, error)
		want string
	}{
		{"find", func() ([]byte, error) { return EncodeCommand(CmdFind, nil) }, "AA AA AA 96 69 00 03 20 01 22"},
		{"select", func() ([]byte, error) { return EncodeCommand(CmdSelect, nil) }, "AA AA AA 96 69 00 03 20 02 21"},
		{"read base", func() ([]byte, error) { return EncodeCommand(CmdReadBase, nil) }, "AA AA AA 96 69 00 03 30 01 32"},
		{"read base fp", func() ([]byte, error) { return EncodeCommand(CmdReadBaseFP, nil) }, "AA AA AA 96 69 00 03 30 10 23"},
		{"SAM ID", func() ([]byte, error) { return EncodeCommand(CmdSAMID, nil) }, "AA AA AA 96 69 00 03 12 FF EE"},
		{"reset", func() ([]byte, error) { return EncodeCommand(CmdReset, nil) }, "AA AA AA 96 69 00 03 10 FF EC"},
		{"found", func() ([]byte, error) {
			return EncodeResponse(Response{SW3: StatusFound, Data: []byte{0, 0, 0, 0}})
		}, "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"},
		{"selected", func() ([]byte, error) {
			return EncodeResponse(Response{SW3: StatusSuccess, Data: make([]byte, 8)})
		}, "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C"},
		{"read failed", func() ([]byte, error) {
			return EncodeResponse(Response{SW3: StatusReadFailed})
		}, "AA AA AA 96 69 00 04 00 00 41 45"},
		{"no card", func() ([]byte, error) {
			return EncodeResponse(Response{SW3: StatusNoCard})
		}, "AA AA AA 96 69 00 04 00 00 80 84"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.got()
			if err != nil {
				t.Fatal(err)
			}
			if want := unhex(t, tt.want); !bytes.Equal(got, want) {
				t.Errorf("got % X\nwant % X", got, want)
			}
			body, n, err := Scan(got)
			if err != nil || n != len(got) {
				t.Fatalf("Scan = n %d, %v", n, err)
			}
			again, err := AppendFrame(nil, body)
			if err != nil || !bytes.Equal(again, got) {
				t.Errorf("re-encoded % X, %v", again, err)
			}
		})
	}
}

func TestParse(t *testing.T) {
	c, data, err := ParseCommand([]byte{0x30, 0x10, 7})
	if err != nil || c != CmdReadBaseFP || !bytes.Equal(data, []byte{7}) {
		t.Errorf("ParseCommand = %v %v %v", c, data, err)
	}
	if _, _, err := ParseCommand([]byte{0x30}); !errors.Is(err, ErrLength) {
		t.Errorf("short command: %v", err)
	}
	r, err := ParseResponse([]byte{1, 2, 0x9F, 9})
	if err != nil || r.SW1 != 1 || r.SW2 != 2 || r.SW3 != StatusFound || !bytes.Equal(r.Data, []byte{9}) {
		t.Errorf("ParseResponse = %+v %v", r, err)
	}
	if _, err := ParseResponse([]byte{0, 0}); !errors.Is(err, ErrLength) {
		t.Errorf("short answer: %v", err)
	}
	if _, err := AppendFrame(nil, []byte{1}); !errors.Is(err, ErrLength) {
		t.Errorf("AppendFrame of 1 byte: %v", err)
	}
	if _, err := AppendFrame(nil, make([]byte, 0x10000)); !errors.Is(err, ErrLength) {
		t.Errorf("AppendFrame of 64 KiB: %v", err)
	}
}

// scanAll runs Scan over buf the way a reader does, and returns the good
// bodies and the errors seen, in order.
func scanAll(buf []byte) (bodies [][]byte, errs []error) {
	for {
		body, n, err := Scan(buf)
		if n < 0 || n > len(buf) {
			panic("Scan consumed out of range")
		}
		if errors.Is(err, ErrIncomplete) {
			return bodies, errs
		}
		if err != nil {
			errs = append(errs, err)
		} else {
			bodies = append(bodies, append([]byte(nil), body...))
		}
		buf = buf[n:]
	}
}

func TestScanResync(t *testing.T) {
	good := unhex(t, "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
	good2 := unhex(t, "AA AA AA 96 69 00 04 00 00 80 84")
	badSum := unhex(t, "AA AA AA 96 69 00 04 00 00 80 85")
	badLen := unhex(t, "AA AA AA 96 69 FF F0 00 00 80 84")
	tooShort := unhex(t, "AA AA AA 96 69 00 02 00 02")
	body := []byte{0, 0, 0x9F, 0, 0, 0, 0}
	body2 := []byte{0, 0, 0x80}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name   string
		in     []byte
		bodies [][]byte
		errs   []error
	}{
		{"one frame", good, [][]byte{body}, nil},
		{"two frames", cat(good, good2), [][]byte{body, body2}, nil},
		{"noise before", cat([]byte("garbage\x00\xff"), good), [][]byte{body}, nil},
		{"partial preamble noise", cat([]byte{0xAA, 0xAA, 0x96, 0xAA}, good), [][]byte{body}, nil},
		{"extra AA before preamble", cat([]byte{0xAA}, good), [][]byte{body}, nil},
		{"bad checksum then good", cat(badSum, good), [][]byte{body}, []error{ErrChecksum}},
		{"impossible length then good", cat(badLen, good), [][]byte{body}, []error{ErrLength}},
		{"length too short then good", cat(tooShort, good), [][]byte{body}, []error{ErrLength}},
		{"truncated then good", cat(good[:9], good2), [][]byte{body2}, []error{ErrChecksum}},
		{"truncated at end", good[:len(good)-1], nil, nil},
		{"preamble only", []byte(Preamble), nil, nil},
		{"empty", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bodies, errs := scanAll(tt.in)
			if len(bodies) != len(tt.bodies) {
				t.Fatalf("bodies % X, want % X", bodies, tt.bodies)
			}
			for i := range bodies {
				if !bytes.Equal(bodies[i], tt.bodies[i]) {
					t.Errorf("body %d = % X, want % X", i, bodies[i], tt.bodies[i])
				}
			}
			if len(errs) != len(tt.errs) {
				t.Fatalf("errors %v, want %v", errs, tt.errs)
			}
			for i := range errs {
				if !errors.Is(errs[i], tt.errs[i]) {
					t.Errorf("error %d = %v, want %v", i, errs[i], tt.errs[i])
				}
			}
		})
	}
}

// Feeding the bytes one at a time, as a slow line does, finds the same
// frames as feeding them at once.
func TestScanSplit(t *testing.T) {
	good := unhex(t, "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
	in := bytes.Join([][]byte{[]byte("\x01\xAA\xAA"), good, []byte{0xAA, 0x96}, good}, nil)
	for chunk := 1; chunk <= len(in); chunk++ {
		var buf []byte
		found := 0
		for i := 0; i < len(in); i += chunk {
			buf = append(buf, in[i:min(i+chunk, len(in))]...)
			for {
				_, n, err := Scan(buf)
				buf = buf[n:]
				if errors.Is(err, ErrIncomplete) {
					break
				}
				if err != nil {
					t.Fatalf("chunk %d: %v", chunk, err)
				}
				found++
			}
		}
		if found != 2 {
			t.Errorf("chunk %d: found %d frames, want 2", chunk, found)
		}
	}
}

func TestStatus(t *testing.T) {
	sentinels := map[Status]error{
		StatusNoContent: ErrNoContent, StatusChecksum: ErrRejectedSum, StatusLength: ErrRejectedLen,
		StatusCommand: ErrBadCommand, StatusUnauthorised: ErrUnauthorised, StatusUnknown: ErrReaderUnknown,
		StatusCardAuthSAM: ErrCardAuthSAM, StatusSAMAuthCard: ErrSAMAuthCard, StatusVerify: ErrVerify,
		StatusCardType: ErrCardType, StatusReadFailed: ErrReadFailed, StatusRandom: ErrRandom,
		StatusSelfTest: ErrSelfTest, StatusNotAuthorised: ErrNotAuthorised, StatusNoCard: ErrNoCard,
		StatusSelectFailed: ErrSelectFailed,
	}
	seen := map[string]bool{}
	for _, s := range Statuses() {
		if strings.Contains(s.String(), "unknown status") || strings.HasPrefix(s.Chinese(), "未知") {
			t.Errorf("%02X has no name: %q %q", byte(s), s, s.Chinese())
		}
		if seen[s.Chinese()] {
			t.Errorf("%02X: duplicate name %q", byte(s), s.Chinese())
		}
		seen[s.Chinese()] = true
		if s.OK() {
			if s.Err() != nil {
				t.Errorf("%v.Err() = %v", s, s.Err())
			}
			continue
		}
		want, ok := sentinels[s]
		if !ok {
			t.Errorf("%v: no sentinel in the test table", s)
			continue
		}
		err := Response{SW3: s}.Err(CmdFind)
		if !errors.Is(err, want) {
			t.Errorf("%v: error %v does not match %v", s, err, want)
		}
		for other, e := range sentinels {
			if other != s && errors.Is(err, e) {
				t.Errorf("%v: error also matches %v", s, e)
			}
		}
		var se *StatusError
		if !errors.As(err, &se) || se.Status != s || se.Cmd != CmdFind {
			t.Errorf("%v: not a *StatusError: %#v", s, err)
		}
		if !strings.HasPrefix(err.Error(), "idcard: ") || !strings.Contains(err.Error(), s.Chinese()) {
			t.Errorf("%v: message %q", s, err)
		}
	}
	if len(Statuses()) != 18 {
		t.Errorf("%d statuses, want 18", len(Statuses()))
	}
	odd := Status(0x55)
	if !errors.Is(odd.Err(), ErrStatus) || !strings.Contains(odd.String(), "0x55") {
		t.Errorf("unknown status: %v %q", odd.Err(), odd)
	}
	if got := StatusNoCard.String(); got != "0x80 no card" {
		t.Errorf("String() = %q", got)
	}
	if got := StatusNoCard.Chinese(); got != "寻找证/卡失败" {
		t.Errorf("Chinese() = %q", got)
	}
}

func TestCommandString(t *testing.T) {
	if got := CmdFind.String(); got != "find card (20 01)" {
		t.Errorf("got %q", got)
	}
	if got := Command(0x7702).String(); got != "command 77 02" {
		t.Errorf("got %q", got)
	}
}
