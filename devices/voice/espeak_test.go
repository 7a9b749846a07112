// SPDX-License-Identifier: AGPL-3.0-or-later

package voice_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"yichuang/devices/voice"
)

func espeak(t *testing.T, o *voice.EspeakOpts) *voice.Espeak {
	t.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng is not installed (Debian: apt-get install espeak-ng): ", err)
	}
	e, err := voice.NewEspeak(o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// espeak-ng speaks a call: a valid WAV of more than half a second, with its
// header's sizes made right.
func TestEspeakSpeaks(t *testing.T) {
	e := espeak(t, nil)
	ctx := context.Background()
	text := voice.Text("A012", 3)
	const calls = 5
	var total time.Duration
	var wav []byte
	for range calls {
		start := time.Now()
		var err error
		wav, err = e.Speak(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		total += time.Since(start)
	}
	w, err := voice.ParseWAV(wav)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%q: %v, %v of audio, %d bytes; espeak-ng took %v a call (mean of %d)",
		text, w.Format, w.Duration().Round(time.Millisecond), len(wav), (total / calls).Round(100*time.Microsecond), calls)
	if w.Duration() < 500*time.Millisecond {
		t.Errorf("only %v of audio", w.Duration())
	}
	if string(wav[0:4]) != "RIFF" || string(wav[8:12]) != "WAVE" || string(wav[36:40]) != "data" {
		t.Errorf("header % X", wav[:44])
	}
	if riff := int(le32(wav[4:])); riff != len(wav)-8 {
		t.Errorf("RIFF size %d, file %d bytes", riff, len(wav))
	}
	if data := int(le32(wav[40:])); data != len(w.Data) {
		t.Errorf("data size %d, %d bytes of data", data, len(w.Data))
	}
	// The audio is not silence.
	loud := 0
	for i := 0; i+1 < len(w.Data); i += 2 {
		if v := int16(uint16(w.Data[i]) | uint16(w.Data[i+1])<<8); v > 1000 || v < -1000 {
			loud++
		}
	}
	if loud < len(w.Data)/20 {
		t.Errorf("only %d loud samples of %d", loud, len(w.Data)/2)
	}
	if _, err := e.Speak(ctx, " \n "); !errors.Is(err, voice.ErrEmpty) {
		t.Errorf("empty text: %v", err)
	}
	// Text that looks like an option is read, not obeyed.
	if _, err := e.Speak(ctx, "--version"); err != nil {
		t.Errorf("text --version: %v", err)
	}
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func TestEspeakCanceled(t *testing.T) {
	e := espeak(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Speak(ctx, "请A零一二号到三号窗口办理"); !errors.Is(err, context.Canceled) {
		t.Errorf("Speak with a canceled context = %v", err)
	}
}

func TestEspeakFailures(t *testing.T) {
	if _, err := voice.NewEspeak(&voice.EspeakOpts{Command: "no-such-espeak-here"}); !errors.Is(err, voice.ErrNoEngine) {
		t.Errorf("missing engine: %v", err)
	}
	for _, o := range []voice.EspeakOpts{{Speed: 10}, {Pitch: 100}, {Voice: "-x"}} {
		if _, err := voice.NewEspeak(&o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	// An engine that fails, and one that prints no WAV.
	dir := t.TempDir()
	for name, script := range map[string]string{
		"fails":  "#!/bin/sh\necho 'cannot load voice' >&2\nexit 1\n",
		"babble": "#!/bin/sh\necho not a wav\n",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		e, err := voice.NewEspeak(&voice.EspeakOpts{Command: path})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Speak(context.Background(), "请")
		if !errors.Is(err, voice.ErrEngine) {
			t.Errorf("%s: %v", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
}

// The default voice reads the call in Mandarin throughout; the plain cmn
// voice of espeak-ng 1.51 does not, which is why it is not the default.
func TestEspeakCheck(t *testing.T) {
	e := espeak(t, nil)
	if err := e.Check(context.Background()); err != nil {
		t.Errorf("default voice: %v", err)
	}
	cmn := espeak(t, &voice.EspeakOpts{Voice: "cmn"})
	t.Logf("voice cmn: %v", cmn.Check(context.Background()))
	bad := espeak(t, &voice.EspeakOpts{Voice: "no-such-voice"})
	if err := bad.Check(context.Background()); !errors.Is(err, voice.ErrEngine) {
		t.Errorf("unknown voice: %v", err)
	}
}
