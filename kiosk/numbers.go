// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"fmt"
	"strconv"
	"strings"
)

// A ticket number has one canonical form: its zone's prefix (capital
// letters) and its sequence with at least three digits and no leading zero
// beyond them (A001, A911, A1000). Every number that comes from outside
// (an offline claim, a call by number, a takeover by number, a lookup) is
// read with ParseNumber and compared by zone prefix and sequence, never as
// the string it came as: A911, a911, Ａ９１１, " A911 ", A0911 and A00911
// are one number.

// maxNumberDigits bounds the digits a number may be written with (after
// leading zeros are dropped the sequence must still fit numberMaxSeq).
const (
	maxNumberDigits = 8
	numberMaxSeq    = 99999
)

// FormatNumber is the canonical number of prefix and seq.
func FormatNumber(prefix string, seq int) string { return fmt.Sprintf("%s%03d", prefix, seq) }

// ParseNumber reads a ticket number written by a person or a terminal: it
// trims spaces, folds full-width letters and digits and lower case, and
// drops leading zeros beyond three digits. It returns the prefix, the
// sequence and the canonical form; ok is false for anything that is not a
// number (no prefix, no digits, a sequence of 0, too long).
func ParseNumber(s string) (prefix string, seq int, canonical string, ok bool) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'Ａ' && r <= 'Ｚ':
			r = r - 'Ａ' + 'A'
		case r >= 'ａ' && r <= 'ｚ':
			r = r - 'ａ' + 'A'
		case r >= '０' && r <= '９':
			r = r - '０' + '0'
		case r >= 'a' && r <= 'z':
			r = r - 'a' + 'A'
		}
		b.WriteRune(r)
	}
	s = b.String()
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		i++
	}
	prefix, digits := s[:i], s[i:]
	if i == 0 || i > 3 || len(digits) < 3 || len(digits) > maxNumberDigits {
		return "", 0, "", false
	}
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return "", 0, "", false
		}
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || n > numberMaxSeq {
		return "", 0, "", false
	}
	return prefix, n, FormatNumber(prefix, n), true
}

// CanonicalNumber returns the canonical form of a number, or s trimmed
// when it is not one (so a lookup of it finds nothing, as it should).
func CanonicalNumber(s string) string {
	if _, _, c, ok := ParseNumber(s); ok {
		return c
	}
	return strings.TrimSpace(s)
}

// zoneOfPrefix returns the zone whose prefix is p.
func (h *Hall) zoneOfPrefix(p string) (zoneInfo, bool) {
	for _, z := range h.cfg.Zones {
		if z.Prefix == p {
			return zoneInfo{ID: z.ID, Prefix: z.Prefix, Name: z.Name}, true
		}
	}
	return zoneInfo{}, false
}
