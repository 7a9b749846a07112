// SPDX-License-Identifier: AGPL-3.0-or-later

package voice

import (
	"strings"
)

// The words of a call. A token is the name of a recorded clip (Clips looks
// for "<token>.wav"); its word is what the text says.
const (
	TokenPlease   = "请"
	TokenNumber   = "号"
	TokenTo       = "到"
	TokenWindow   = "窗口"
	TokenServe    = "办理"
	TokenTen      = "十"
	TokenHundred  = "百"
	TokenThousand = "千"
	// TokenPause is a short silence: Clips turns commas, full stops and
	// spaces into it.
	TokenPause = ","
)

// digitWords are how digits are read: 一 is 一, not 幺 (the hall's calls are
// read the way a clerk reads a ticket aloud, not the way a phone number is
// read on the radio).
var digitWords = [10]string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}

// Word returns what a token says: a digit token "0".."9" says 零..九, any
// other token says itself ("," says "，").
func Word(token string) string {
	if len(token) == 1 && token[0] >= '0' && token[0] <= '9' {
		return digitWords[token[0]-'0']
	}
	if token == TokenPause {
		return "，"
	}
	return token
}

// NumberTokens returns the tokens of a ticket number, read one character at
// a time as halls do: "A012" is A 零 一 二. Letters are upper-cased; anything
// but ASCII letters and digits is skipped. Nil when nothing is left.
func NumberTokens(number string) []string {
	var t []string
	for _, r := range number {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			t = append(t, string(r))
		case r >= 'a' && r <= 'z':
			t = append(t, string(r-'a'+'A'))
		}
	}
	return t
}

// CountTokens returns the tokens of n read as a number, the way a window
// number is: 3 三, 10 十, 12 十二, 20 二十, 105 一百零五, 110 一百一十, 1005
// 一千零五. n from 1 to 9999; other values are read digit by digit (0 is 零).
func CountTokens(n int) []string {
	if n < 1 || n > 9999 {
		if n < 0 {
			n = -n
		}
		return NumberTokens(itoa(n))
	}
	units := [4]string{TokenThousand, TokenHundred, TokenTen, ""}
	digits := [4]int{n / 1000, n / 100 % 10, n / 10 % 10, n % 10}
	var t []string
	zero := false // a zero waits to be read before the next non-zero digit
	for i, d := range digits {
		if d == 0 {
			zero = len(t) > 0
			continue
		}
		if zero {
			t = append(t, "0")
			zero = false
		}
		// 十二, not 一十二, when the number starts with its tens.
		if !(i == 2 && d == 1 && len(t) == 0) {
			t = append(t, itoa(d))
		}
		if units[i] != "" {
			t = append(t, units[i])
		}
	}
	return t
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// Tokens returns the tokens of the call of ticket number to window:
// 请 A 0 1 2 号 到 3 号 窗口 办理. With no window (window < 1) it is
// 请 A 0 1 2 号 办理. Nil when number has no letter or digit.
func Tokens(number string, window int) []string {
	num := NumberTokens(number)
	if len(num) == 0 {
		return nil
	}
	t := append([]string{TokenPlease}, num...)
	t = append(t, TokenNumber)
	if window >= 1 {
		t = append(t, TokenTo)
		t = append(t, CountTokens(window)...)
		t = append(t, TokenNumber, TokenWindow)
	}
	return append(t, TokenServe)
}

// Words joins the words of tokens.
func Words(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteString(Word(t))
	}
	return b.String()
}

// Text returns the words of the call of ticket number to window, as spoken
// and as shown: Text("A012", 3) is "请A零一二号到三号窗口办理", Text("B105",
// 12) is "请B一零五号到十二号窗口办理". Empty when number has no letter or
// digit.
func Text(number string, window int) string { return Words(Tokens(number, window)) }

// Vocabulary returns every token a call can use: the clips a hall records
// for Clips.
func Vocabulary() []string {
	v := []string{TokenPlease, TokenNumber, TokenTo, TokenWindow, TokenServe, TokenTen, TokenHundred, TokenThousand}
	for d := '0'; d <= '9'; d++ {
		v = append(v, string(d))
	}
	for l := 'A'; l <= 'Z'; l++ {
		v = append(v, string(l))
	}
	return v
}
