// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import "strings"

// MaskName hides a name's second character (张*丰, 欧*䶮, 李*); a one-character
// name is kept as it is.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	if len(r) < 2 {
		return string(r)
	}
	r[1] = '*'
	return string(r)
}

// MaskID hides an ID number by its document's rule: an 18-character number
// (resident card, residence permit, 2023 foreign card) keeps its first four
// and last four characters (3503**********123X); the 15-character foreign
// card its three letters of nationality and last four digits
// (USA********1408); any other (a passport) its first two and last two
// characters, one and one when shorter than eight (E1*****78).
func MaskID(id string) string {
	r := []rune(strings.TrimSpace(id))
	keep := func(head, tail int) string {
		for i := head; i < len(r)-tail; i++ {
			r[i] = '*'
		}
		return string(r)
	}
	switch {
	case len(r) == 18:
		return keep(4, 4)
	case isForeign15(string(r)):
		return keep(3, 4)
	case len(r) >= 8:
		return keep(2, 2)
	case len(r) >= 5:
		return keep(1, 1)
	}
	return strings.Repeat("*", len(r))
}

// MaskPhone hides a mobile number's middle four digits (138****5678).
func MaskPhone(p string) string {
	r := []rune(strings.TrimSpace(p))
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	for i := 3; i < len(r)-4; i++ {
		r[i] = '*'
	}
	return string(r)
}
