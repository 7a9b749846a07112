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

// MaskID hides an ID number's middle, keeping the first four and the last
// four characters (3503**********123X).
func MaskID(id string) string {
	r := []rune(strings.TrimSpace(id))
	if len(r) <= 8 {
		return strings.Repeat("*", len(r))
	}
	for i := 4; i < len(r)-4; i++ {
		r[i] = '*'
	}
	return string(r)
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
