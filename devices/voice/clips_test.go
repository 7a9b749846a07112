// SPDX-License-Identifier: AGPL-3.0-or-later

package voice_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
	"time"

	"yichuang/devices/voice"
)

var update = flag.Bool("update", false, "rewrite the generated clips in testdata/voice")

const clipDir = "../../testdata/voice"

// clipTokens are the clips in testdata/voice: enough for calls of zones A to
// C to any window. Clip i holds 10 ms (80 frames at 8 kHz, 16-bit mono) of
// the constant sample value 100*(i+1), so a joined call shows which clips
// it is made of, in which order.
var clipTokens = []string{"请", "号", "到", "窗口", "办理", "十", "百", "千", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C"}

func clipValue(token string) int16 {
	for i, t := range clipTokens {
		if t == token {
			return int16(100 * (i + 1))
		}
	}
	return 0
}

func clipPCM(f voice.Format, v int16, frames int) []byte {
	var b []byte
	for range frames * f.Channels {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

// genClips returns the files of testdata/voice. 窗口.wav has an extensible
// fmt chunk and 办理.wav a LIST chunk of odd size and a fact chunk, as
// recorded clips often do; mismatch/ holds a clip at another rate.
func genClips() map[string][]byte {
	files := map[string][]byte{}
	for _, tok := range clipTokens {
		pcm := clipPCM(mono16, clipValue(tok), 80)
		var b []byte
		switch tok {
		case "窗口":
			b = riff(chunk("fmt ", extensibleBody(mono16)), chunk("data", pcm))
		case "办理":
			b = riff(chunk("LIST", []byte("INFOISFT\x03\x00\x00\x00yc\x00")), chunk("fmt ", fmtBody(mono16)), chunk("fact", []byte{80, 0, 0, 0}), chunk("data", pcm))
		default:
			b = voice.WAV{Format: mono16, Data: pcm}.Bytes()
		}
		files[tok+".wav"] = b
	}
	f16k := voice.Format{Channels: 1, SampleRate: 16000, Bits: 16}
	files["mismatch/请.wav"] = voice.WAV{Format: mono16, Data: clipPCM(mono16, 1, 80)}.Bytes()
	files["mismatch/号.wav"] = voice.WAV{Format: f16k, Data: clipPCM(f16k, 2, 160)}.Bytes()
	files["broken/请.wav"] = voice.WAV{Format: mono16, Data: clipPCM(mono16, 1, 80)}.Bytes()[:60]
	return files
}

func TestClipFiles(t *testing.T) {
	for name, want := range genClips() {
		path := filepath.Join(clipDir, filepath.FromSlash(name))
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what the generator makes (run with -update)", name)
		}
	}
}

func loadClips(t *testing.T, o *voice.ClipsOpts) *voice.Clips {
	t.Helper()
	c, err := voice.NewClips(os.DirFS(clipDir), o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// values returns the sample values of a mono 16-bit WAV, one per run of
// equal samples, with the run lengths.
func runs(t *testing.T, b []byte) (vals []int16, lens []int) {
	t.Helper()
	w, err := voice.ParseWAV(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(w.Data); i += 2 {
		v := int16(binary.LittleEndian.Uint16(w.Data[i:]))
		if n := len(vals); n > 0 && vals[n-1] == v {
			lens[n-1]++
			continue
		}
		vals = append(vals, v)
		lens = append(lens, 1)
	}
	return vals, lens
}

func TestClipsSpeak(t *testing.T) {
	c := loadClips(t, nil)
	if c.Format() != mono16 {
		t.Fatalf("format %v", c.Format())
	}
	for _, call := range []struct {
		number string
		window int
	}{{"A012", 3}, {"B105", 12}, {"C020", 105}, {"A001", 0}} {
		text := voice.Text(call.number, call.window)
		want := voice.Tokens(call.number, call.window)
		got, err := c.Tokens(text)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Tokens(%q) = %q, %v; want %q", text, got, err, want)
		}
		wav, err := c.Speak(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		w, err := voice.ParseWAV(wav)
		if err != nil {
			t.Fatal(err)
		}
		var pcm []byte
		for _, tok := range want {
			pcm = append(pcm, clipPCM(mono16, clipValue(tok), 80)...)
		}
		if !bytes.Equal(w.Data, pcm) {
			vals, lens := runs(t, wav)
			t.Errorf("%q: samples %v × %v, want the clips of %q in order", text, vals, lens, want)
		}
	}
}

func TestClipsPauseAndGap(t *testing.T) {
	c := loadClips(t, &voice.ClipsOpts{Gap: 5 * time.Millisecond, Pause: 20 * time.Millisecond})
	wav, err := c.Speak(context.Background(), "请A零一号，号 ")
	if err != nil {
		t.Fatal(err)
	}
	vals, lens := runs(t, wav)
	// 请 gap A gap 0 gap 1 gap 号 gap pause gap 号: gaps 40 frames, the
	// pause 160 frames with its two gaps merged into one run of 240.
	wantVals := []int16{100, 0, 1900, 0, 900, 0, 1000, 0, 200, 0, 200}
	wantLens := []int{80, 40, 80, 40, 80, 40, 80, 40, 80, 240, 80}
	if !reflect.DeepEqual(vals, wantVals) || !reflect.DeepEqual(lens, wantLens) {
		t.Errorf("runs %v × %v\nwant %v × %v", vals, lens, wantVals, wantLens)
	}
	w, _ := voice.ParseWAV(wav)
	if d := w.Duration(); d != 110*time.Millisecond {
		t.Errorf("duration %v", d)
	}
}

func TestClipsErrors(t *testing.T) {
	c := loadClips(t, nil)
	if _, err := c.Speak(context.Background(), "请D零一号"); !errors.Is(err, voice.ErrMissingClip) {
		t.Errorf("no clip for D: %v", err)
	} else {
		t.Logf("%v", err)
	}
	if _, err := c.Speak(context.Background(), " ，"); !errors.Is(err, voice.ErrEmpty) {
		t.Errorf("nothing to say: %v", err)
	}
	if m := c.Missing(voice.Vocabulary()); len(m) != 23 || m[0] != "D" {
		t.Errorf("missing %q", m)
	}
	if _, err := voice.NewClips(os.DirFS(filepath.Join(clipDir, "mismatch")), nil); !errors.Is(err, voice.ErrFormatMismatch) {
		t.Errorf("mismatched clips: %v", err)
	} else {
		t.Logf("%v", err)
	}
	if _, err := voice.NewClips(os.DirFS(filepath.Join(clipDir, "broken")), nil); !errors.Is(err, voice.ErrNotWAV) {
		t.Errorf("broken clip: %v", err)
	} else {
		t.Logf("%v", err)
	}
	if _, err := voice.NewClips(fstest.MapFS{"readme.txt": {Data: []byte("x")}}, nil); !errors.Is(err, voice.ErrMissingClip) {
		t.Errorf("no clips: %v", err)
	}
	big := fstest.MapFS{"请.wav": {Data: make([]byte, 100)}}
	if _, err := voice.NewClips(big, &voice.ClipsOpts{MaxClip: 50}); err == nil {
		t.Error("a clip over MaxClip accepted")
	}
}
