// SPDX-License-Identifier: AGPL-3.0-or-later

package display

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Charset is the character set a screen's font covers.
type Charset int

// Character sets.
const (
	// GB18030 encodes every character; the screen draws what its font has.
	GB18030 Charset = iota
	// GB2312 is for older screens whose font has only GB2312's 6763
	// characters: any other character is sent as a full-width question mark
	// (？), so it takes the same two columns and garbles nothing after it.
	GB2312
)

func (c Charset) String() string {
	switch c {
	case GB18030:
		return "GB18030"
	case GB2312:
		return "GB2312"
	}
	return fmt.Sprintf("Charset(%d)", int(c))
}

// RuneWidth returns the columns r takes on a screen: 1 for ASCII, 2 for any
// other character, 0 for a control character (Fit turns those into spaces).
func RuneWidth(r rune) int {
	switch {
	case r < 0x20 || r == 0x7F:
		return 0
	case r < 0x80:
		return 1
	case unicode.IsControl(r):
		return 0
	}
	return 2
}

// Width returns the columns text takes on a screen once Fit has cleaned it.
func Width(text string) int {
	w := 0
	for _, r := range clean(text) {
		w += RuneWidth(r)
	}
	return w
}

// clean replaces control characters (CR, LF, TAB, SOH, BEL, C1 controls)
// and invalid UTF-8 by spaces and question marks: they would break the line
// or the frame, or draw garbage.
func clean(text string) string {
	ok := true
	for _, r := range text {
		if r == utf8.RuneError || RuneWidth(r) == 0 {
			ok = false
			break
		}
	}
	if ok {
		return text
	}
	b := make([]rune, 0, len(text))
	for _, r := range text {
		switch {
		case r == utf8.RuneError:
			b = append(b, '?')
		case RuneWidth(r) == 0:
			b = append(b, ' ')
		default:
			b = append(b, r)
		}
	}
	return string(b)
}

// Fit returns text cleaned of control characters and cut to at most width
// columns. A two-column character that would straddle the edge is left out
// whole. Nothing wraps: what does not fit is dropped.
func Fit(text string, width int) string {
	if width <= 0 {
		return ""
	}
	text = clean(text)
	w := 0
	for i, r := range text {
		rw := RuneWidth(r)
		if w+rw > width {
			return text[:i]
		}
		w += rw
	}
	return text
}

var (
	gb18030 encoding.Encoding = simplifiedchinese.GB18030
	gbk     encoding.Encoding = simplifiedchinese.GBK
)

// fullwidthQuestion is ？ (U+FF1F) in GB2312.
var fullwidthQuestion = []byte{0xA3, 0xBF}

// Encode appends text, cleaned as Fit cleans it (but not cut), to dst in cs.
func Encode(dst []byte, text string, cs Charset) ([]byte, error) {
	text = clean(text)
	switch cs {
	case GB18030:
		b, err := gb18030.NewEncoder().Bytes([]byte(text))
		if err != nil {
			return dst, fmt.Errorf("display: encode %q: %w", text, err)
		}
		return append(dst, b...), nil
	case GB2312:
		enc := gbk.NewEncoder()
		var buf [4]byte
		for _, r := range text {
			if r < 0x80 {
				dst = append(dst, byte(r))
				continue
			}
			n := utf8.EncodeRune(buf[:], r)
			b, err := enc.Bytes(buf[:n])
			if err != nil || !isGB2312(b) {
				dst = append(dst, fullwidthQuestion...)
				continue
			}
			dst = append(dst, b...)
		}
		return dst, nil
	}
	return dst, fmt.Errorf("display: %v: %w", cs, ErrCharset)
}

// isGB2312 reports whether b is one two-byte GB2312 (EUC-CN) character.
func isGB2312(b []byte) bool {
	return len(b) == 2 && b[0] >= 0xA1 && b[0] <= 0xF7 && b[1] >= 0xA1 && b[1] <= 0xFE
}

// Decode turns GB18030 bytes from a screen's line back into text; bytes that
// are not GB18030 become U+FFFD.
func Decode(b []byte) string {
	s, err := gb18030.NewDecoder().Bytes(b)
	if err != nil {
		return string([]rune{utf8.RuneError})
	}
	return string(s)
}
