// SPDX-License-Identifier: AGPL-3.0-or-later

package voice_test

import (
	"reflect"
	"strings"
	"testing"

	"yichuang/devices/voice"
)

func TestText(t *testing.T) {
	tests := []struct {
		number string
		window int
		want   string
	}{
		{"A012", 3, "请A零一二号到三号窗口办理"},
		{"A001", 1, "请A零零一号到一号窗口办理"},
		{"A111", 2, "请A一一一号到二号窗口办理"}, // 一 as 一, not 幺; 二号, not 两号
		{"B105", 10, "请B一零五号到十号窗口办理"},
		{"C020", 12, "请C零二零号到十二号窗口办理"},
		{"D999", 20, "请D九九九号到二十号窗口办理"},
		{"E007", 105, "请E零零七号到一百零五号窗口办理"},
		{"F300", 110, "请F三零零号到一百一十号窗口办理"},
		{"G001", 21, "请G零零一号到二十一号窗口办理"},
		{"H001", 1005, "请H零零一号到一千零五号窗口办理"},
		{"J001", 1050, "请J零零一号到一千零五十号窗口办理"},
		{"K001", 2000, "请K零零一号到二千号窗口办理"},
		{"L001", 12345, "请L零零一号到一二三四五号窗口办理"}, // past 9999: digit by digit
		{"a-012", 3, "请A零一二号到三号窗口办理"},        // lower case, punctuation skipped
		{"A012", 0, "请A零一二号办理"},              // no window
		{"综合A012", 3, "请A零一二号到三号窗口办理"},       // non-ASCII skipped
		{"", 3, ""},
		{"--", 3, ""},
	}
	for _, tt := range tests {
		if got := voice.Text(tt.number, tt.window); got != tt.want {
			t.Errorf("Text(%q, %d) = %q, want %q", tt.number, tt.window, got, tt.want)
		}
		a := voice.Announcement{Number: tt.number, Window: tt.window}
		if a.Text() != tt.want {
			t.Errorf("Announcement.Text() = %q", a.Text())
		}
	}
}

func TestTokens(t *testing.T) {
	got := voice.Tokens("A012", 12)
	want := []string{"请", "A", "0", "1", "2", "号", "到", "十", "2", "号", "窗口", "办理"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Tokens = %q, want %q", got, want)
	}
	if voice.Tokens("??", 1) != nil {
		t.Error("tokens for a number with nothing to read")
	}
	// Every token of every call is in the vocabulary a hall records.
	vocab := map[string]bool{}
	for _, v := range voice.Vocabulary() {
		vocab[v] = true
	}
	for w := 1; w <= 9999; w += 7 {
		for _, tok := range voice.Tokens("Z"+strings.Repeat("9", w%4), w) {
			if !vocab[tok] {
				t.Fatalf("token %q of window %d is not in the vocabulary", tok, w)
			}
		}
	}
	if len(voice.Vocabulary()) != 8+10+26 {
		t.Errorf("%d tokens in the vocabulary", len(voice.Vocabulary()))
	}
}

func TestCountTokensReadsBack(t *testing.T) {
	// Read the words back as a number: every window from 1 to 9999 says
	// its own value.
	val := map[string]int{"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
	unit := map[string]int{"十": 10, "百": 100, "千": 1000}
	for n := 1; n <= 9999; n++ {
		words := voice.Words(voice.CountTokens(n))
		total, digit := 0, -1
		for _, r := range words {
			s := string(r)
			if v, ok := val[s]; ok {
				digit = v
				continue
			}
			u := unit[s]
			if digit < 0 {
				digit = 1 // 十二
			}
			total += digit * u
			digit = -1
		}
		if digit > 0 {
			total += digit
		}
		if total != n {
			t.Fatalf("%d reads %q = %d", n, words, total)
		}
		if strings.Contains(words, "零零") || strings.HasSuffix(words, "零") || strings.HasPrefix(words, "一十") {
			t.Fatalf("%d reads %q", n, words)
		}
	}
}
