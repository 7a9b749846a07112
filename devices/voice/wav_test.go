// SPDX-License-Identifier: AGPL-3.0-or-later

package voice_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"yichuang/devices/voice"
)

// chunk returns a RIFF chunk, padded to an even length.
func chunk(id string, body []byte) []byte {
	b := []byte(id)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
	b = append(b, body...)
	if len(body)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func fmtBody(f voice.Format) []byte {
	le := binary.LittleEndian
	b := le.AppendUint16(nil, 1)
	b = le.AppendUint16(b, uint16(f.Channels))
	b = le.AppendUint32(b, uint32(f.SampleRate))
	b = le.AppendUint32(b, uint32(f.SampleRate*f.FrameSize()))
	b = le.AppendUint16(b, uint16(f.FrameSize()))
	return le.AppendUint16(b, uint16(f.Bits))
}

// extensibleBody is a WAVE_FORMAT_EXTENSIBLE fmt chunk with the PCM subformat.
func extensibleBody(f voice.Format) []byte {
	b := fmtBody(f)
	binary.LittleEndian.PutUint16(b, 0xFFFE)
	b = binary.LittleEndian.AppendUint16(b, 22)             // cbSize
	b = binary.LittleEndian.AppendUint16(b, uint16(f.Bits)) // valid bits
	b = binary.LittleEndian.AppendUint32(b, 0x4)            // channel mask: front centre
	return append(b, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71)
}

func riff(chunks ...[]byte) []byte {
	body := append([]byte("WAVE"), bytes.Join(chunks, nil)...)
	return chunk("RIFF", body)
}

var mono16 = voice.Format{Channels: 1, SampleRate: 8000, Bits: 16}

func TestParseWAV(t *testing.T) {
	pcm := bytes.Repeat([]byte{1, 2}, 800) // 800 frames: 100 ms
	streamed := riff(chunk("fmt ", fmtBody(mono16)), chunk("data", pcm))
	binary.LittleEndian.PutUint32(streamed[4:], 0x7FFFF024)
	binary.LittleEndian.PutUint32(streamed[40:], 0x7FFFF000)
	tests := []struct {
		name string
		in   []byte
		want voice.WAV
		err  error
	}{
		{"canonical", voice.WAV{Format: mono16, Data: pcm}.Bytes(), voice.WAV{Format: mono16, Data: pcm}, nil},
		{"LIST with odd size before fmt, fact before data",
			riff(chunk("LIST", []byte("INFOx")), chunk("fmt ", fmtBody(mono16)), chunk("fact", []byte{1, 0, 0, 0}), chunk("data", pcm)),
			voice.WAV{Format: mono16, Data: pcm}, nil},
		{"data before fmt", riff(chunk("data", pcm), chunk("fmt ", fmtBody(mono16))), voice.WAV{Format: mono16, Data: pcm}, nil},
		{"extensible PCM", riff(chunk("fmt ", extensibleBody(mono16)), chunk("data", pcm)), voice.WAV{Format: mono16, Data: pcm}, nil},
		{"streamed sizes (espeak-ng --stdout)", streamed, voice.WAV{Format: mono16, Data: pcm}, nil},
		{"half a frame at the end is cut", riff(chunk("fmt ", fmtBody(mono16)), chunk("data", append(pcm, 9))), voice.WAV{Format: mono16, Data: pcm}, nil},
		{"trailing bytes after RIFF", append(voice.WAV{Format: mono16, Data: pcm}.Bytes(), "junk"...), voice.WAV{Format: mono16, Data: pcm}, nil},
		{"empty", nil, voice.WAV{}, voice.ErrNotWAV},
		{"not RIFF", []byte("RIFX\x00\x00\x00\x00WAVE"), voice.WAV{}, voice.ErrNotWAV},
		{"truncated data", voice.WAV{Format: mono16, Data: pcm}.Bytes()[:100], voice.WAV{}, voice.ErrNotWAV},
		{"no data", riff(chunk("fmt ", fmtBody(mono16))), voice.WAV{}, voice.ErrNotWAV},
		{"no fmt", riff(chunk("data", pcm)), voice.WAV{}, voice.ErrNotWAV},
		{"short fmt", riff(chunk("fmt ", fmtBody(mono16)[:12]), chunk("data", pcm)), voice.WAV{}, voice.ErrNotWAV},
		{"float", riff(chunk("fmt ", append([]byte{3, 0}, fmtBody(voice.Format{Channels: 1, SampleRate: 8000, Bits: 32})[2:]...)), chunk("data", pcm)), voice.WAV{}, voice.ErrCodec},
		{"12 bits", riff(chunk("fmt ", fmtBody(voice.Format{Channels: 1, SampleRate: 8000, Bits: 12})), chunk("data", pcm)), voice.WAV{}, voice.ErrCodec},
		{"0 channels", riff(chunk("fmt ", fmtBody(voice.Format{Channels: 0, SampleRate: 8000, Bits: 16})), chunk("data", pcm)), voice.WAV{}, voice.ErrCodec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := voice.ParseWAV(tt.in)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				t.Logf("%v", err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Format != tt.want.Format || !bytes.Equal(got.Data, tt.want.Data) {
				t.Errorf("got %v, %d bytes; want %v, %d bytes", got.Format, len(got.Data), tt.want.Format, len(tt.want.Data))
			}
			if d := got.Duration(); d != 100*time.Millisecond {
				t.Errorf("duration %v", d)
			}
		})
	}
}

func TestConcatAndSilence(t *testing.T) {
	a := voice.WAV{Format: mono16, Data: []byte{1, 0, 2, 0}}
	b := voice.WAV{Format: mono16, Data: []byte{3, 0}}
	w, err := voice.Concat(time.Millisecond, a, b) // 8 frames of silence
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte{1, 0, 2, 0}, make([]byte, 16)...), 3, 0)
	if !bytes.Equal(w.Data, want) {
		t.Errorf("joined % X", w.Data)
	}
	if _, err := voice.Concat(0, a, voice.WAV{Format: voice.Format{Channels: 2, SampleRate: 8000, Bits: 16}}); !errors.Is(err, voice.ErrFormatMismatch) {
		t.Errorf("mixed formats: %v", err)
	}
	if s := voice.Silence(voice.Format{Channels: 1, SampleRate: 8000, Bits: 8}, time.Millisecond); len(s) != 8 || s[0] != 0x80 {
		t.Errorf("8-bit silence % X", s)
	}
	// An odd data length gets RIFF's pad byte, and parses back.
	odd := voice.WAV{Format: voice.Format{Channels: 1, SampleRate: 8000, Bits: 8}, Data: []byte{1, 2, 3}}
	b8 := odd.Bytes()
	if len(b8) != 48 {
		t.Errorf("%d bytes", len(b8))
	}
	back, err := voice.ParseWAV(b8)
	if err != nil || !bytes.Equal(back.Data, odd.Data) {
		t.Errorf("ParseWAV = % X, %v", back.Data, err)
	}
}

// FuzzParseWAV: clip files come from outside. ParseWAV never panics, stays
// within its input, and what it accepts writes out and parses back the
// same.
func FuzzParseWAV(f *testing.F) {
	pcm := bytes.Repeat([]byte{1, 2}, 8)
	f.Add(voice.WAV{Format: mono16, Data: pcm}.Bytes())
	f.Add(riff(chunk("LIST", []byte("INFOx")), chunk("fmt ", extensibleBody(mono16)), chunk("data", pcm)))
	f.Add(riff(chunk("data", pcm), chunk("fmt ", fmtBody(voice.Format{Channels: 2, SampleRate: 44100, Bits: 24}))))
	streamed := riff(chunk("fmt ", fmtBody(mono16)), chunk("data", pcm))
	binary.LittleEndian.PutUint32(streamed[40:], 0x7FFFF000)
	f.Add(streamed)
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEfmt \x10\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := voice.ParseWAV(b)
		if err != nil {
			if !errors.Is(err, voice.ErrNotWAV) && !errors.Is(err, voice.ErrCodec) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if len(w.Data)%w.Format.FrameSize() != 0 || len(w.Data) > len(b) {
			t.Fatalf("%d bytes of data for %v", len(w.Data), w.Format)
		}
		back, err := voice.ParseWAV(w.Bytes())
		if err != nil {
			t.Fatalf("own output does not parse: %v", err)
		}
		if back.Format != w.Format || !bytes.Equal(back.Data, w.Data) {
			t.Fatalf("round trip changed %v to %v", w.Format, back.Format)
		}
		if w.Duration() < 0 {
			t.Fatalf("duration %v", w.Duration())
		}
	})
}
