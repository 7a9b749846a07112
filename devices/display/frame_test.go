// SPDX-License-Identifier: AGPL-3.0-or-later

package display_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"yichuang/devices/display"
)

func frame(t *testing.T, addr byte, cmd display.Command, text string) []byte {
	t.Helper()
	p, err := display.Encode(nil, text, display.GB18030)
	if err != nil {
		t.Fatal(err)
	}
	b, err := display.AppendFrame(nil, display.Frame{Addr: addr, Cmd: cmd, Payload: p})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type parsed struct {
	Addr byte
	Cmd  display.Command
	Text string
}

func parseAll(t *testing.T, b []byte) ([]parsed, int, error) {
	t.Helper()
	fs, n, err := display.ParseFrames(b)
	var out []parsed
	for _, f := range fs {
		out = append(out, parsed{f.Addr, f.Cmd, f.Text()})
	}
	return out, n, err
}

func TestParseFrames(t *testing.T) {
	show1 := frame(t, 1, display.CmdShow, "A012 请到3号窗口")
	show2 := frame(t, 2, display.CmdShow, "B003 请到5号窗口")
	clear3 := frame(t, 3, display.CmdClear, "")
	join := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	p1 := parsed{1, display.CmdShow, "A012 请到3号窗口"}
	p2 := parsed{2, display.CmdShow, "B003 请到5号窗口"}
	p3 := parsed{3, display.CmdClear, ""}
	tests := []struct {
		name    string
		in      []byte
		want    []parsed
		rest    int // bytes left unconsumed
		badRuns int
	}{
		{"one", show1, []parsed{p1}, 0, 0},
		{"three back to back", join(show1, clear3, show2), []parsed{p1, p3, p2}, 0, 0},
		{"noise between", join([]byte("\x00\xffzz"), show1, []byte("\r\n"), show2), []parsed{p1, p2}, 0, 2},
		{"incomplete tail kept", join(show1, show2[:7]), []parsed{p1}, 7, 0},
		{"just SOH", []byte{display.SOH}, nil, 1, 0},
		{"lost BEL: frame cut by the next", join(show1[:len(show1)-1], show2), []parsed{p2}, 0, 1},
		{"lost head: tail is noise", join(show1[5:], show2), []parsed{p2}, 0, 1},
		{"lost tail then a frame to address SOH", join([]byte{display.SOH}, frame(t, display.SOH, display.CmdShow, "X")), []parsed{{display.SOH, display.CmdShow, "X"}}, 0, 1},
		{"unknown command skipped", join([]byte("\x01\x05Zabc\x07"), show2), []parsed{p2}, 0, 2},
		{"clear with text skipped", join([]byte("\x01\x05Cabc\x07"), show2), []parsed{p2}, 0, 2},
		{"address 0 and BEL parse", join(frame(t, 0, display.CmdShow, "a"), frame(t, display.BEL, display.CmdClear, "")), []parsed{{0, display.CmdShow, "a"}, {display.BEL, display.CmdClear, ""}}, 0, 0},
		{"no BEL within MaxPayload", join([]byte("\x01\x01T"), bytes.Repeat([]byte("x"), display.MaxPayload+1), show1), []parsed{p1}, 0, 2},
		{"bytes not GB18030 decode to U+FFFD", []byte("\x01\x01T\x81\x07"), []parsed{{1, display.CmdShow, "\uFFFD"}}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n, err := parseAll(t, tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("frames %+v, want %+v", got, tt.want)
			}
			if len(tt.in)-n != tt.rest {
				t.Errorf("left %d bytes, want %d", len(tt.in)-n, tt.rest)
			}
			runs := 0
			if err != nil {
				if !errors.Is(err, display.ErrBadFrame) {
					t.Errorf("error %v does not wrap ErrBadFrame", err)
				}
				runs = len(err.(interface{ Unwrap() []error }).Unwrap())
			}
			if runs != tt.badRuns {
				t.Errorf("%d bad runs (%v), want %d", runs, err, tt.badRuns)
			}
		})
	}
}

func TestAppendFrameRefuses(t *testing.T) {
	for name, f := range map[string]display.Frame{
		"unknown command": {Addr: 1, Cmd: 'Z'},
		"clear with text": {Addr: 1, Cmd: display.CmdClear, Payload: []byte("x")},
		"SOH in text":     {Addr: 1, Cmd: display.CmdShow, Payload: []byte("a\x01")},
		"BEL in text":     {Addr: 1, Cmd: display.CmdShow, Payload: []byte("a\x07")},
		"too long":        {Addr: 1, Cmd: display.CmdShow, Payload: bytes.Repeat([]byte("x"), display.MaxPayload+1)},
	} {
		if b, err := display.AppendFrame(nil, f); err == nil {
			t.Errorf("%s: accepted as % X", name, b)
		}
	}
}

func TestLines(t *testing.T) {
	tests := []struct {
		addr    int
		payload string
		wire    string
	}{
		{0, "A012", "A012\r\n"},
		{3, "A012", "3:A012\r\n"},
		{255, "", "255:\r\n"},
		{0, "", "\r\n"},
	}
	for _, tt := range tests {
		b, err := display.AppendLine(nil, tt.addr, []byte(tt.payload))
		if err != nil || string(b) != tt.wire {
			t.Errorf("AppendLine(%d, %q) = %q, %v", tt.addr, tt.payload, b, err)
			continue
		}
		addr, p := display.ParseLine(b[:len(b)-2])
		if addr != tt.addr || string(p) != tt.payload {
			t.Errorf("ParseLine(%q) = %d, %q", b, addr, p)
		}
	}
	for _, a := range []int{-1, 256} {
		if _, err := display.AppendLine(nil, a, nil); !errors.Is(err, display.ErrAddress) {
			t.Errorf("address %d: %v", a, err)
		}
	}
	if _, err := display.AppendLine(nil, 1, []byte("a\nb")); err == nil {
		t.Error("LF in a line accepted")
	}
	for _, line := range []string{"0:x", "256:x", "1234:x", ":x", "12", "a1:x"} {
		if addr, p := display.ParseLine([]byte(line)); addr != 0 || string(p) != line {
			t.Errorf("ParseLine(%q) = %d, %q: want unaddressed", line, addr, p)
		}
	}
}
