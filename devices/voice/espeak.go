// SPDX-License-Identifier: AGPL-3.0-or-later

package voice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Synth turns text into speech: the bytes of a WAV file.
type Synth interface {
	Speak(ctx context.Context, text string) ([]byte, error)
}

// Sentinel errors of the synthesizers.
var (
	// ErrNoEngine: espeak-ng is not installed (Debian: apt-get install
	// espeak-ng).
	ErrNoEngine = errors.New("voice: speech engine not found")
	// ErrEngine: the engine ran and failed, or gave no audio.
	ErrEngine = errors.New("voice: speech engine failed")
	// ErrEmpty: nothing to say.
	ErrEmpty = errors.New("voice: empty text")
)

// EspeakOpts configures Espeak. Zero fields take the values of
// DefaultEspeakOpts.
type EspeakOpts struct {
	Command string // the program: a name looked up in PATH, or a path
	Voice   string // an espeak-ng voice
	Speed   int    // words a minute, 80 to 450
	Pitch   int    // 0 to 99; 0 leaves espeak-ng's own (50)
	// MaxBytes bounds the WAV a call may produce.
	MaxBytes int
	// WaitDelay is how long a killed engine may take to let go of its
	// output before Speak gives up on it.
	WaitDelay time.Duration
}

// DefaultEspeakOpts returns espeak-ng, voice cmn-latn-pinyin (see the
// package documentation for why not cmn), 150 words a minute, at most
// 16 MiB of audio (six minutes at espeak-ng's 22050 Hz).
func DefaultEspeakOpts() EspeakOpts {
	return EspeakOpts{
		Command:   "espeak-ng",
		Voice:     "cmn-latn-pinyin",
		Speed:     150,
		MaxBytes:  16 << 20,
		WaitDelay: time.Second,
	}
}

// Espeak is a Synth running espeak-ng for each text.
type Espeak struct {
	path string
	o    EspeakOpts
}

var _ Synth = (*Espeak)(nil)

// NewEspeak finds the engine and returns an Espeak. It returns an error
// wrapping ErrNoEngine when the program is not there.
func NewEspeak(o *EspeakOpts) (*Espeak, error) {
	d := DefaultEspeakOpts()
	opts := d
	if o != nil {
		opts = *o
		if opts.Command == "" {
			opts.Command = d.Command
		}
		if opts.Voice == "" {
			opts.Voice = d.Voice
		}
		if opts.Speed == 0 {
			opts.Speed = d.Speed
		}
		if opts.MaxBytes <= 0 {
			opts.MaxBytes = d.MaxBytes
		}
		if opts.WaitDelay <= 0 {
			opts.WaitDelay = d.WaitDelay
		}
	}
	if opts.Speed < 80 || opts.Speed > 450 {
		return nil, fmt.Errorf("voice: espeak speed %d, want 80 to 450", opts.Speed)
	}
	if opts.Pitch < 0 || opts.Pitch > 99 {
		return nil, fmt.Errorf("voice: espeak pitch %d, want 0 to 99", opts.Pitch)
	}
	if strings.HasPrefix(opts.Voice, "-") {
		return nil, fmt.Errorf("voice: espeak voice %q", opts.Voice)
	}
	path, err := exec.LookPath(opts.Command)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNoEngine, opts.Command, err)
	}
	return &Espeak{path: path, o: opts}, nil
}

func (e *Espeak) String() string { return "espeak-ng(" + e.o.Voice + ")" }

// Args returns the engine's arguments. The text goes on standard input, so
// no text can pass for an option.
func (e *Espeak) Args() []string {
	a := []string{"-v", e.o.Voice, "-s", strconv.Itoa(e.o.Speed)}
	if e.o.Pitch > 0 {
		a = append(a, "-p", strconv.Itoa(e.o.Pitch))
	}
	return append(a, "-b", "1", "--stdout", "--stdin")
}

// capped is a buffer that stops taking bytes past max.
type capped struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > c.max {
		c.over = true
		p = p[:max(c.max-c.buf.Len(), 0)]
	}
	c.buf.Write(p)
	return len(p), nil
}

// Speak runs espeak-ng on text and returns the WAV it produced, its header
// rewritten with the real sizes (espeak-ng writes "unknown" sizes to a
// pipe). ctx ends the engine.
func (e *Espeak) Speak(ctx context.Context, text string) ([]byte, error) {
	text = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F {
			return ' '
		}
		return r
	}, text))
	if text == "" {
		return nil, ErrEmpty
	}
	cmd := exec.CommandContext(ctx, e.path, e.Args()...)
	cmd.Stdin = strings.NewReader(text)
	out := &capped{max: e.o.MaxBytes}
	errOut := &capped{max: 4096}
	cmd.Stdout, cmd.Stderr = out, errOut
	cmd.WaitDelay = e.o.WaitDelay
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("voice: espeak-ng: %w", ctx.Err())
	}
	if err != nil {
		msg := strings.TrimSpace(errOut.buf.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		return nil, fmt.Errorf("%w: espeak-ng: %v: %s", ErrEngine, err, msg)
	}
	if out.over {
		return nil, fmt.Errorf("%w: espeak-ng: more than %d bytes of audio", ErrEngine, e.o.MaxBytes)
	}
	w, err := ParseWAV(out.buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%w: espeak-ng gave no usable WAV: %v", ErrEngine, err)
	}
	if len(w.Data) == 0 {
		return nil, fmt.Errorf("%w: espeak-ng gave no audio for %q", ErrEngine, text)
	}
	return w.Bytes(), nil
}

// Check asks the engine how it reads a call, without making audio, and
// returns an error wrapping ErrEngine if it cannot, or if it would read part
// of it in English, as espeak-ng 1.51's cmn voice does (see the package
// documentation). For the doctor command.
func (e *Espeak) Check(ctx context.Context) error {
	args := []string{"-v", e.o.Voice, "-q", "-x", "-b", "1", "--stdin"}
	cmd := exec.CommandContext(ctx, e.path, args...)
	cmd.Stdin = strings.NewReader(Text("A012", 3))
	out := &capped{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = e.o.WaitDelay
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w: espeak-ng -x: %v: %s", ErrEngine, err, strings.TrimSpace(out.buf.String()))
	}
	ph := strings.TrimSpace(out.buf.String())
	if ph == "" {
		return fmt.Errorf("%w: espeak-ng voice %s reads nothing", ErrEngine, e.o.Voice)
	}
	if strings.Contains(ph, "(en)") {
		return fmt.Errorf("%w: espeak-ng voice %s reads Chinese partly in English (%s); use cmn-latn-pinyin", ErrEngine, e.o.Voice, ph)
	}
	return nil
}
