// SPDX-License-Identifier: AGPL-3.0-or-later

package display_test

import (
	"bytes"
	"errors"
	"testing"

	"yichuang/devices/display"
)

func TestFit(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width int
		want  string
		cols  int // Width(want)
	}{
		{"call fits exactly", "A012 请到3号窗口", 16, "A012 请到3号窗口", 16},
		{"ascii cut", "A012 PLEASE GO TO WINDOW 3", 10, "A012 PLEAS", 10},
		{"cjk cut on a character", "请A012号到3号窗口办理", 12, "请A012号到3", 11},
		{"cjk never split in half", "请到三号窗口", 5, "请到", 4},
		{"width 1 and a cjk first", "请", 1, "", 0},
		{"empty", "", 16, "", 0},
		{"zero width", "A012", 0, "", 0},
		{"negative width", "A012", -3, "", 0},
		{"newline becomes space", "A012\n请到3号窗口", 16, "A012 请到3号窗口", 16},
		{"CR, TAB, SOH, BEL become spaces", "A\r\t\x01\x07B", 16, "A    B", 6},
		{"C1 control becomes space", "A\u0085B", 16, "A B", 3},
		{"full-width digits are wide", "Ａ０１２", 6, "Ａ０１", 6},
		{"supplementary CJK is two columns", "𠮷野家", 4, "𠮷野", 4},
		{"invalid UTF-8 becomes ?", "A\xffB", 16, "A?B", 3},
		{"long text is cut, not wrapped", "请A012号到3号窗口办理，如已过号请到综合窗口重新取号", 16, "请A012号到3号窗", 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := display.Fit(tt.text, tt.width)
			if got != tt.want {
				t.Errorf("Fit(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
			}
			if w := display.Width(got); w != tt.cols || w > max(tt.width, 0) {
				t.Errorf("Width(%q) = %d, want %d (≤ %d)", got, w, tt.cols, tt.width)
			}
		})
	}
}

func TestRuneWidth(t *testing.T) {
	for r, want := range map[rune]int{'A': 1, ' ': 1, '~': 1, '请': 2, '：': 2, '①': 2, '—': 2, '\n': 0, 0x7F: 0, 0x85: 0} {
		if got := display.RuneWidth(r); got != want {
			t.Errorf("RuneWidth(%U) = %d, want %d", r, got, want)
		}
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		text string
		cs   display.Charset
		want []byte
	}{
		{"A012 请", display.GB18030, []byte("A012 \xc7\xeb")},
		{"A012 请", display.GB2312, []byte("A012 \xc7\xeb")},
		// 䶮 (U+4DAE) is in GB18030 (FE 9F, its 2005 code) but not GB2312; 镕
		// is in GBK but not GB2312; both become ？ for a GB2312 font.
		{"䶮", display.GB18030, []byte{0xFE, 0x9F}},
		{"𠮷", display.GB18030, []byte{0x95, 0x34, 0xB2, 0x35}},
		{"刘䶮", display.GB2312, []byte("\xc1\xf5\xa3\xbf")},
		{"朱镕基", display.GB2312, []byte("\xd6\xec\xa3\xbf\xbb\xf9")},
		{"a\nb", display.GB18030, []byte("a b")},
	}
	for _, tt := range tests {
		got, err := display.Encode(nil, tt.text, tt.cs)
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("Encode(%q, %v) = % X, %v; want % X", tt.text, tt.cs, got, err, tt.want)
		}
		if tt.cs == display.GB18030 {
			if back := display.Decode(got); back != display.Fit(tt.text, 100) {
				t.Errorf("Decode = %q", back)
			}
		}
	}
	if _, err := display.Encode(nil, "x", display.Charset(9)); !errors.Is(err, display.ErrCharset) {
		t.Errorf("unknown charset: %v", err)
	}
}
