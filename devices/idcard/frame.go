// SPDX-License-Identifier: AGPL-3.0-or-later

package idcard

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// The GA 467 SAM frame, in both directions:
//
//	AA AA AA 96 69 | LEN1 LEN2 | CMD PARA  (host → reader) | DATA | CHK
//	               |           | SW1 SW2 SW3 (reader → host) |      |
//
// LEN is big-endian and counts everything after itself: CMD PARA (or SW1 SW2
// SW3), DATA and CHK. CHK is the XOR of every byte after the preamble, the
// length bytes included and the check byte itself excluded.
const (
	// Preamble starts every frame: three sync bytes AA AA AA, then 96 69.
	Preamble = "\xAA\xAA\xAA\x96\x69"
	// MinLength is the smallest LEN of any frame (CMD PARA CHK).
	MinLength = 3
	// MaxLength is the largest LEN this driver accepts. The largest answer of
	// the protocol is the base message with fingerprint: 3 status bytes, 6
	// length bytes, 256 text, 1024 photo, 1024 fingerprint and the check byte
	// (2314); anything past MaxLength is a corrupt length field.
	MaxLength = 0x0A00
	// headerLen is the preamble plus the length field.
	headerLen = len(Preamble) + 2
)

// Frame errors.
var (
	// ErrIncomplete means the buffer does not hold a complete frame yet.
	ErrIncomplete = errors.New("idcard: incomplete frame")
	// ErrChecksum means a frame's check byte does not match its content.
	ErrChecksum = errors.New("idcard: frame check byte mismatch")
	// ErrLength means a frame's length field is impossible.
	ErrLength = errors.New("idcard: impossible frame length")
	// ErrTimeout means the reader did not answer in time.
	ErrTimeout = errors.New("idcard: reader did not answer")
)

// Command is a command byte and its parameter byte, as 0xCCPP.
type Command uint16

// Commands of the protocol.
const (
	CmdReset         Command = 0x10FF // 复位 SAM
	CmdSAMStatus     Command = 0x11FF // SAM 状态检测
	CmdSAMID         Command = 0x12FF // 读 SAM 管理信息 (SAM 编号)
	CmdFind          Command = 0x2001 // 寻找证/卡
	CmdSelect        Command = 0x2002 // 选取证/卡
	CmdReadBase      Command = 0x3001 // 读固定信息: 文字 + 相片
	CmdReadAppend    Command = 0x3003 // 读最新住址 (追加) 信息
	CmdReadBaseFP    Command = 0x3010 // 读固定信息: 文字 + 相片 + 指纹
	CmdSetBaud115200 Command = 0x6000 // 设置 SAM 串口速率 115200
)

// Cmd returns the command byte.
func (c Command) Cmd() byte { return byte(c >> 8) }

// Para returns the parameter byte.
func (c Command) Para() byte { return byte(c) }

func (c Command) String() string {
	name := ""
	switch c {
	case CmdReset:
		name = "reset"
	case CmdSAMStatus:
		name = "SAM status"
	case CmdSAMID:
		name = "SAM ID"
	case CmdFind:
		name = "find card"
	case CmdSelect:
		name = "select card"
	case CmdReadBase:
		name = "read base message"
	case CmdReadAppend:
		name = "read appended address"
	case CmdReadBaseFP:
		name = "read base message with fingerprint"
	case CmdSetBaud115200:
		name = "set baud 115200"
	default:
		return fmt.Sprintf("command %02X %02X", c.Cmd(), c.Para())
	}
	return fmt.Sprintf("%s (%02X %02X)", name, c.Cmd(), c.Para())
}

// Response is one answer of the reader.
type Response struct {
	SW1, SW2 byte
	SW3      Status
	Data     []byte
}

// Err returns nil when SW3 is a success code, otherwise a *StatusError.
func (r Response) Err(c Command) error {
	if r.SW3.OK() {
		return nil
	}
	return &StatusError{Cmd: c, SW1: r.SW1, SW2: r.SW2, Status: r.SW3}
}

// Checksum is the XOR of b.
func Checksum(b []byte) byte {
	var x byte
	for _, c := range b {
		x ^= c
	}
	return x
}

// AppendFrame appends to dst a frame around body: the preamble, the length,
// body (CMD PARA DATA or SW1 SW2 SW3 DATA) and the check byte. It fails only
// when body is too long for a frame.
func AppendFrame(dst, body []byte) ([]byte, error) {
	n := len(body) + 1
	if n < MinLength || n > 0xFFFF {
		return dst, fmt.Errorf("idcard: frame body of %d bytes: %w", len(body), ErrLength)
	}
	dst = append(dst, Preamble...)
	start := len(dst)
	dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	dst = append(dst, body...)
	return append(dst, Checksum(dst[start:])), nil
}

// EncodeCommand returns the frame of command c with data.
func EncodeCommand(c Command, data []byte) ([]byte, error) {
	body := make([]byte, 0, 2+len(data))
	body = append(body, c.Cmd(), c.Para())
	body = append(body, data...)
	return AppendFrame(make([]byte, 0, headerLen+len(body)+1), body)
}

// EncodeResponse returns the frame of answer r (what a reader sends).
func EncodeResponse(r Response) ([]byte, error) {
	body := make([]byte, 0, 3+len(r.Data))
	body = append(body, r.SW1, r.SW2, byte(r.SW3))
	body = append(body, r.Data...)
	return AppendFrame(make([]byte, 0, headerLen+len(body)+1), body)
}

// ParseResponse splits a frame body (as Scan returns it) into an answer. Data
// aliases body.
func ParseResponse(body []byte) (Response, error) {
	if len(body) < 3 {
		return Response{}, fmt.Errorf("idcard: answer of %d bytes: %w", len(body), ErrLength)
	}
	return Response{SW1: body[0], SW2: body[1], SW3: Status(body[2]), Data: body[3:]}, nil
}

// ParseCommand splits a frame body (as Scan returns it) into a command and
// its data, which aliases body.
func ParseCommand(body []byte) (Command, []byte, error) {
	if len(body) < 2 {
		return 0, nil, fmt.Errorf("idcard: command of %d bytes: %w", len(body), ErrLength)
	}
	return Command(uint16(body[0])<<8 | uint16(body[1])), body[2:], nil
}

// Scan looks for the first frame in buf, as bytes come off a serial line:
// split anywhere, after stray bytes, possibly corrupt.
//
// It returns the frame's body (the bytes between the length field and the
// check byte, aliasing buf) and n, how many leading bytes of buf the caller
// is done with and should drop before calling again with more bytes. err is
//   - nil: a good frame; n covers it and any noise before it;
//   - ErrIncomplete: no complete frame yet; n covers only the noise, keeping
//     a partial preamble or a partial frame for the next call;
//   - ErrLength or ErrChecksum: a corrupt frame; n covers the noise and the
//     first preamble byte, so the next call resyncs on the next preamble.
//
// n never exceeds len(buf), and is at least 1 when err is neither nil nor
// ErrIncomplete, so a caller looping on Scan always makes progress.
func Scan(buf []byte) (body []byte, n int, err error) {
	i := bytes.Index(buf, []byte(Preamble))
	if i < 0 {
		return nil, len(buf) - partialPreamble(buf), ErrIncomplete
	}
	rest := buf[i+len(Preamble):]
	if len(rest) < 2 {
		return nil, i, ErrIncomplete
	}
	l := int(binary.BigEndian.Uint16(rest))
	if l < MinLength || l > MaxLength {
		return nil, i + 1, fmt.Errorf("idcard: length field %d: %w", l, ErrLength)
	}
	if len(rest) < 2+l {
		return nil, i, ErrIncomplete
	}
	frame := rest[:2+l]
	if sum := Checksum(frame[:len(frame)-1]); sum != frame[len(frame)-1] {
		return nil, i + 1, fmt.Errorf("idcard: check byte %02X, want %02X: %w", frame[len(frame)-1], sum, ErrChecksum)
	}
	return frame[2 : len(frame)-1], i + len(Preamble) + len(frame), nil
}

// partialPreamble returns the length of the longest proper prefix of the
// preamble that buf ends with.
func partialPreamble(buf []byte) int {
	for k := len(Preamble) - 1; k > 0; k-- {
		if len(buf) >= k && string(buf[len(buf)-k:]) == Preamble[:k] {
			return k
		}
	}
	return 0
}
