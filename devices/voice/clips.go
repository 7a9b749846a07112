// SPDX-License-Identifier: AGPL-3.0-or-later

package voice

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrMissingClip: the text has a word no clip says.
var ErrMissingClip = errors.New("voice: no clip for a word")

// ClipsOpts configures Clips. Zero fields take the values of
// DefaultClipsOpts; negative durations mean none.
type ClipsOpts struct {
	// Gap is the silence put between two clips.
	Gap time.Duration
	// Pause is the silence a comma, full stop or space makes.
	Pause time.Duration
	// MaxClip bounds one clip file, in bytes.
	MaxClip int
}

// DefaultClipsOpts returns no gap (recorded clips carry their own
// silence), a 300 ms pause, clips of at most 4 MiB.
func DefaultClipsOpts() ClipsOpts {
	return ClipsOpts{Pause: 300 * time.Millisecond, MaxClip: 4 << 20}
}

// Clips is a Synth that joins recorded clips, one per token.
type Clips struct {
	o      ClipsOpts
	f      Format
	clips  map[string]WAV
	maxLen int // the longest token, in bytes
}

var _ Synth = (*Clips)(nil)

// NewClips loads every "<token>.wav" file at the root of fsys (os.DirFS of
// the hall's clip folder). All must be integer PCM of one format; the error
// names the first that is not. Folders and other files are ignored.
func NewClips(fsys fs.FS, o *ClipsOpts) (*Clips, error) {
	opts := DefaultClipsOpts()
	if o != nil {
		d := opts
		opts = *o
		switch {
		case opts.Gap < 0:
			opts.Gap = 0
		}
		switch {
		case opts.Pause == 0:
			opts.Pause = d.Pause
		case opts.Pause < 0:
			opts.Pause = 0
		}
		if opts.MaxClip <= 0 {
			opts.MaxClip = d.MaxClip
		}
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("voice: clips: %w", err)
	}
	c := &Clips{o: opts, clips: map[string]WAV{}}
	var first string
	for _, e := range entries {
		name := e.Name()
		token, ok := strings.CutSuffix(name, ".wav")
		if !ok || token == "" || e.IsDir() {
			continue
		}
		if info, err := e.Info(); err == nil && info.Size() > int64(opts.MaxClip) {
			return nil, fmt.Errorf("voice: clip %s: %d bytes, at most %d", name, info.Size(), opts.MaxClip)
		}
		b, err := fs.ReadFile(fsys, path.Clean(name))
		if err != nil {
			return nil, fmt.Errorf("voice: clip %s: %w", name, err)
		}
		w, err := ParseWAV(b)
		if err != nil {
			return nil, fmt.Errorf("voice: clip %s: %w", name, err)
		}
		if first == "" {
			first, c.f = name, w.Format
		} else if w.Format != c.f {
			return nil, fmt.Errorf("voice: clip %s is %v, %s %v: %w", name, w.Format, first, c.f, ErrFormatMismatch)
		}
		c.clips[token] = w
		c.maxLen = max(c.maxLen, len(token))
	}
	if len(c.clips) == 0 {
		return nil, fmt.Errorf("%w: the folder has no .wav clip", ErrMissingClip)
	}
	return c, nil
}

// Format returns the clips' format.
func (c *Clips) Format() Format { return c.f }

// Missing returns the tokens that have no clip, sorted, once each.
func (c *Clips) Missing(tokens []string) []string {
	seen := map[string]bool{}
	var m []string
	for _, t := range tokens {
		if _, ok := c.clips[t]; !ok && t != TokenPause && !seen[t] {
			seen[t] = true
			m = append(m, t)
		}
	}
	sort.Strings(m)
	return m
}

// digitToken maps the word of a digit back to its token ("" for none).
func digitToken(word string) string {
	for d, w := range digitWords {
		if w == word {
			return string(rune('0' + d))
		}
	}
	return ""
}

// Tokens splits text into the tokens Speak joins: at each place the longest
// clip name that matches; else a digit's word (零..九) or a lower-case letter
// read as its digit or capital's clip; commas, full stops and spaces make
// TokenPause. A character no clip covers is an error wrapping
// ErrMissingClip.
func (c *Clips) Tokens(text string) ([]string, error) {
	var t []string
	for i := 0; i < len(text); {
		if tok, n := c.match(text[i:]); n > 0 {
			t = append(t, tok)
			i += n
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case strings.ContainsRune("，,。.、；;！!？? \t\r\n\u3000", r):
			if len(t) > 0 && t[len(t)-1] != TokenPause {
				t = append(t, TokenPause)
			}
		case digitToken(string(r)) != "" && c.has(digitToken(string(r))):
			t = append(t, digitToken(string(r)))
		case r >= 'a' && r <= 'z' && c.has(string(r-'a'+'A')):
			t = append(t, string(r-'a'+'A'))
		default:
			return nil, fmt.Errorf("%w: %q (at byte %d of %q)", ErrMissingClip, string(r), i, text)
		}
		i += n
	}
	for len(t) > 0 && t[len(t)-1] == TokenPause {
		t = t[:len(t)-1]
	}
	return t, nil
}

func (c *Clips) has(token string) bool { _, ok := c.clips[token]; return ok }

// match returns the longest clip name text starts with.
func (c *Clips) match(text string) (string, int) {
	for n := min(c.maxLen, len(text)); n > 0; n-- {
		if _, ok := c.clips[text[:n]]; ok {
			return text[:n], n
		}
	}
	return "", 0
}

// Speak joins the clips of text's tokens (see Tokens) into one WAV.
func (c *Clips) Speak(ctx context.Context, text string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tokens, err := c.Tokens(text)
	if err != nil {
		return nil, err
	}
	if len(tokens) == 0 {
		return nil, ErrEmpty
	}
	parts := make([]WAV, 0, len(tokens))
	pause := WAV{Format: c.f, Data: Silence(c.f, c.o.Pause)}
	for _, t := range tokens {
		if t == TokenPause {
			parts = append(parts, pause)
			continue
		}
		parts = append(parts, c.clips[t])
	}
	w, err := Concat(c.o.Gap, parts...)
	if err != nil {
		return nil, err
	}
	return w.Bytes(), nil
}
