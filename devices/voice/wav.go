// SPDX-License-Identifier: AGPL-3.0-or-later

package voice

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// WAV handling is done here with encoding/binary: a call's audio only needs
// the RIFF header read and written and PCM bytes appended, and
// github.com/go-audio/wav (the best-known Go WAV package) decodes every
// sample to an int and back, needs an io.WriteSeeker to encode, returns no
// error from FwdToPCM when the header is bad, and rejects nothing that
// would make concatenation wrong.

// Sentinel errors of WAV parsing.
var (
	// ErrNotWAV: not a RIFF WAVE file, or one cut short.
	ErrNotWAV = errors.New("voice: not a WAV file")
	// ErrCodec: a WAV file that is not uncompressed integer PCM.
	ErrCodec = errors.New("voice: WAV is not integer PCM")
	// ErrFormatMismatch: clips of different sample formats.
	ErrFormatMismatch = errors.New("voice: clips differ in format")
)

// Format is a PCM sample format.
type Format struct {
	Channels   int // 1 to 8
	SampleRate int // frames a second, 1000 to 384000
	Bits       int // bits a sample: 8 (unsigned), 16, 24 or 32 (signed)
}

func (f Format) String() string {
	return fmt.Sprintf("%d Hz, %d bit, %d channel(s)", f.SampleRate, f.Bits, f.Channels)
}

// FrameSize returns the bytes of one frame (a sample of every channel).
func (f Format) FrameSize() int { return f.Channels * f.Bits / 8 }

func (f Format) valid() error {
	switch {
	case f.Channels < 1 || f.Channels > 8:
		return fmt.Errorf("%w: %d channels", ErrCodec, f.Channels)
	case f.SampleRate < 1000 || f.SampleRate > 384000:
		return fmt.Errorf("%w: %d Hz", ErrCodec, f.SampleRate)
	case f.Bits != 8 && f.Bits != 16 && f.Bits != 24 && f.Bits != 32:
		return fmt.Errorf("%w: %d bits a sample", ErrCodec, f.Bits)
	}
	return nil
}

// WAV is PCM audio: its format and its sample bytes (little-endian frames,
// as in a WAV file's data chunk).
type WAV struct {
	Format Format
	Data   []byte
}

// Duration returns how long the audio plays.
func (w WAV) Duration() time.Duration {
	fs := w.Format.FrameSize()
	if fs == 0 || w.Format.SampleRate == 0 {
		return 0
	}
	frames := int64(len(w.Data) / fs)
	return time.Duration(frames * int64(time.Second) / int64(w.Format.SampleRate))
}

// Bytes returns w as a canonical WAV file: RIFF header, a 16-byte PCM fmt
// chunk, the data chunk (padded to an even length as RIFF wants).
func (w WAV) Bytes() []byte {
	n := len(w.Data)
	pad := n & 1
	b := make([]byte, 44, 44+n+pad)
	le := binary.LittleEndian
	copy(b[0:], "RIFF")
	le.PutUint32(b[4:], uint32(36+n+pad))
	copy(b[8:], "WAVEfmt ")
	le.PutUint32(b[16:], 16)
	le.PutUint16(b[20:], 1) // PCM
	le.PutUint16(b[22:], uint16(w.Format.Channels))
	le.PutUint32(b[24:], uint32(w.Format.SampleRate))
	le.PutUint32(b[28:], uint32(w.Format.SampleRate*w.Format.FrameSize()))
	le.PutUint16(b[32:], uint16(w.Format.FrameSize()))
	le.PutUint16(b[34:], uint16(w.Format.Bits))
	copy(b[36:], "data")
	le.PutUint32(b[40:], uint32(n))
	b = append(b, w.Data...)
	if pad == 1 {
		b = append(b, 0)
	}
	return b
}

// streamSize is the smallest chunk size taken to mean "unknown length": a
// program writing WAV to a pipe (espeak-ng --stdout writes 0x7FFFF000)
// cannot seek back to fill it in.
const streamSize = 0x7FFF0000

// ksdataformatPCM is the tail of KSDATAFORMAT_SUBTYPE_PCM
// (00000001-0000-0010-8000-00AA00389B71) after its first two bytes.
var ksdataformatPCM = []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// ParseWAV reads a WAV file of integer PCM (format 1, or an extensible
// format whose subformat is PCM). It walks the RIFF chunks in any order,
// skipping those it does not need (LIST, fact, cue...), honours RIFF's pad
// bytes, and takes the first data chunk. A data chunk longer than the file
// is an error unless its size says "unknown" (0x7FFF0000 and up, as
// programs streaming to a pipe write); then the rest of the file is the
// data. Data is cut to whole frames. The returned Data aliases b.
func ParseWAV(b []byte) (WAV, error) {
	le := binary.LittleEndian
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return WAV{}, fmt.Errorf("%w: no RIFF WAVE header", ErrNotWAV)
	}
	end := len(b)
	if sz := int64(le.Uint32(b[4:])) + 8; sz < int64(end) && sz >= 12 {
		end = int(sz) // trailing bytes after the RIFF chunk are not ours
	}
	var (
		f             Format
		haveFmt       bool
		data          []byte
		haveData      bool
		blockAlignSet int
	)
	for off := 12; off+8 <= end; {
		id := string(b[off : off+4])
		size := int64(le.Uint32(b[off+4:]))
		body := int64(off + 8)
		if body+size > int64(end) {
			if id == "data" && size >= streamSize {
				size = int64(end) - body
			} else {
				return WAV{}, fmt.Errorf("%w: %q chunk of %d bytes at %d runs past the end (%d)", ErrNotWAV, id, size, off, end)
			}
		}
		c := b[body : body+size]
		switch id {
		case "fmt ":
			if haveFmt {
				break
			}
			if len(c) < 16 {
				return WAV{}, fmt.Errorf("%w: fmt chunk of %d bytes", ErrNotWAV, len(c))
			}
			tag := le.Uint16(c[0:])
			if tag == 0xFFFE {
				if len(c) < 40 || !bytes.Equal(c[26:40], ksdataformatPCM) {
					return WAV{}, fmt.Errorf("%w: extensible format of another subformat", ErrCodec)
				}
				tag = le.Uint16(c[24:])
			}
			if tag != 1 {
				return WAV{}, fmt.Errorf("%w: format tag 0x%04X", ErrCodec, tag)
			}
			f = Format{Channels: int(le.Uint16(c[2:])), SampleRate: int(le.Uint32(c[4:])), Bits: int(le.Uint16(c[14:]))}
			if err := f.valid(); err != nil {
				return WAV{}, err
			}
			blockAlignSet = int(le.Uint16(c[12:]))
			haveFmt = true
		case "data":
			if !haveData {
				data, haveData = c, true
			}
		}
		off = int(body + size + size&1)
	}
	if !haveFmt {
		return WAV{}, fmt.Errorf("%w: no fmt chunk", ErrNotWAV)
	}
	if !haveData {
		return WAV{}, fmt.Errorf("%w: no data chunk", ErrNotWAV)
	}
	if blockAlignSet != f.FrameSize() {
		return WAV{}, fmt.Errorf("%w: block align %d for %v", ErrNotWAV, blockAlignSet, f)
	}
	data = data[:len(data)/f.FrameSize()*f.FrameSize()]
	return WAV{Format: f, Data: data}, nil
}

// Silence returns d of silence in f.
func Silence(f Format, d time.Duration) []byte {
	fs := f.FrameSize()
	if d <= 0 || fs == 0 {
		return nil
	}
	frames := int(int64(d) * int64(f.SampleRate) / int64(time.Second))
	b := make([]byte, frames*fs)
	if f.Bits == 8 {
		for i := range b {
			b[i] = 0x80 // 8-bit PCM is unsigned: silence is the middle
		}
	}
	return b
}

// Concat joins clips of one format into one, with gap of silence between
// two clips. It returns an error wrapping ErrFormatMismatch if the formats
// differ.
func Concat(gap time.Duration, clips ...WAV) (WAV, error) {
	if len(clips) == 0 {
		return WAV{}, fmt.Errorf("%w: nothing to join", ErrNotWAV)
	}
	f := clips[0].Format
	sil := Silence(f, gap)
	n := 0
	for i, c := range clips {
		if c.Format != f {
			return WAV{}, fmt.Errorf("%w: clip %d is %v, clip 0 %v", ErrFormatMismatch, i, c.Format, f)
		}
		n += len(c.Data) + len(sil)
	}
	out := make([]byte, 0, n)
	for i, c := range clips {
		if i > 0 {
			out = append(out, sil...)
		}
		out = append(out, c.Data...)
	}
	return WAV{Format: f, Data: out}, nil
}
