// SPDX-License-Identifier: AGPL-3.0-or-later

package display_test

import (
	"bytes"
	"errors"
	"testing"
	"unicode"
	"unicode/utf8"

	"yichuang/devices/display"
)

// FuzzParseFrames: bytes from the line never make ParseFrames panic or run
// past the buffer; every frame it returns encodes back to bytes found in the
// input; what it leaves is an SOH-led tail shorter than a frame can be; and
// parsing in two pieces finds the same frames as parsing at once.
func FuzzParseFrames(f *testing.F) {
	good, _ := display.AppendFrame(nil, display.Frame{Addr: 3, Cmd: display.CmdShow, Payload: []byte("A012 \xc7\xeb")})
	clear, _ := display.AppendFrame(nil, display.Frame{Addr: 1, Cmd: display.CmdClear})
	f.Add(good, 3)
	f.Add(append(append([]byte(nil), good...), clear...), 5)
	f.Add(append([]byte("noise\x01"), good...), 0)
	f.Add([]byte("\x01\x01\x01T\x07"), 2)
	f.Add([]byte("\x01\x07C\x07"), 1)
	f.Add([]byte("\x01"), 1)
	f.Add(bytes.Repeat([]byte{display.SOH, 1, 'T'}, 100), 7)
	f.Fuzz(func(t *testing.T, b []byte, split int) {
		frames, n, err := display.ParseFrames(b)
		if n < 0 || n > len(b) {
			t.Fatalf("consumed %d of %d", n, len(b))
		}
		if err != nil && !errors.Is(err, display.ErrBadFrame) {
			t.Fatalf("error %v does not wrap ErrBadFrame", err)
		}
		for _, fr := range frames {
			enc, err := display.AppendFrame(nil, fr)
			if err != nil {
				t.Fatalf("returned a frame AppendFrame refuses: %v", err)
			}
			if !bytes.Contains(b[:n], enc) {
				t.Fatalf("frame % X is not in the input", enc)
			}
			if !utf8.ValidString(fr.Text()) {
				t.Fatalf("text %q is not UTF-8", fr.Text())
			}
		}
		if rest := b[n:]; len(rest) > 0 && (rest[0] != display.SOH || len(rest) > 3+display.MaxPayload) {
			t.Fatalf("left % X unconsumed", rest)
		}
		// Streaming: the same bytes in two reads give the same frames.
		if len(b) == 0 {
			return
		}
		split = ((split % len(b)) + len(b)) % len(b)
		f1, n1, _ := display.ParseFrames(b[:split])
		buf := append(append([]byte(nil), b[n1:split]...), b[split:]...)
		f2, n2, _ := display.ParseFrames(buf)
		if n1+n2 != n {
			t.Fatalf("consumed %d+%d in two reads, %d at once", n1, n2, n)
		}
		all := append(f1, f2...)
		if len(all) != len(frames) {
			t.Fatalf("%d frames in two reads, %d at once", len(all), len(frames))
		}
		for i := range all {
			if all[i].Addr != frames[i].Addr || all[i].Cmd != frames[i].Cmd || !bytes.Equal(all[i].Payload, frames[i].Payload) {
				t.Fatalf("frame %d differs: %+v vs %+v", i, all[i], frames[i])
			}
		}
	})
}

// FuzzFit: whatever the text, the fitted text is valid UTF-8, no wider than
// asked, free of control characters, and a prefix of the cleaned text; it
// encodes in both charsets without error or control byte, and the GB18030
// bytes decode back to it (private-use characters aside).
func FuzzFit(f *testing.F) {
	f.Add("A012 请到3号窗口", 16)
	f.Add("请\x01\x07\r\n到", 3)
	f.Add("\xff\xfe𠮷", 2)
	f.Fuzz(func(t *testing.T, text string, width int) {
		width %= 300
		got := display.Fit(text, width)
		if !utf8.ValidString(got) {
			t.Fatalf("Fit gave invalid UTF-8 %q", got)
		}
		if w := display.Width(got); w > max(width, 0) {
			t.Fatalf("Width %d > %d", w, width)
		}
		for _, r := range got {
			if display.RuneWidth(r) == 0 {
				t.Fatalf("control %U left in %q", r, got)
			}
		}
		whole := display.Fit(text, 1<<30)
		if len(got) > len(whole) || whole[:len(got)] != got {
			t.Fatalf("%q is not a prefix of %q", got, whole)
		}
		for _, cs := range []display.Charset{display.GB18030, display.GB2312} {
			b, err := display.Encode(nil, got, cs)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.ContainsAny(b, "\x01\x07\r\n") {
				t.Fatalf("%v bytes % X hold a control byte", cs, b)
			}
			// x/text maps a few private-use code points onto others.
			if cs == display.GB18030 && !hasPrivateUse(got) && display.Decode(b) != got {
				t.Fatalf("GB18030 round trip %q -> %q", got, display.Decode(b))
			}
		}
	})
}

func hasPrivateUse(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Co, r) {
			return true
		}
	}
	return false
}
