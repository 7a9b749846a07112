// SPDX-License-Identifier: AGPL-3.0-or-later

package devices

import (
	"errors"
	"fmt"
	"time"
)

// ErrIDNumber is returned for an ID number that is not a valid GB 11643 number.
var ErrIDNumber = errors.New("invalid ID number")

// IDCheckDigit returns the GB 11643 check character (ISO 7064 MOD 11-2) of
// the first 17 digits of an 18-character citizen ID number.
func IDCheckDigit(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("%w: need 17 digits, have %d characters", ErrIDNumber, len(first17))
	}
	sum := 0
	w := 1
	// weights are 2^(18-i) mod 11 for position i = 1..17 (left to right)
	weights := [17]int{}
	for i := 16; i >= 0; i-- {
		w = w * 2 % 11
		weights[i] = w
	}
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: character %d is not a digit", ErrIDNumber, i+1)
		}
		sum += int(c-'0') * weights[i]
	}
	return "10X98765432"[sum%11], nil
}

// CheckIDNumber checks an 18-character ID number: 17 digits, a valid birth
// date in positions 7–14, and the GB 11643 check character (digit or X).
// It returns the birth date.
func CheckIDNumber(id string) (time.Time, error) {
	if len(id) != 18 {
		return time.Time{}, fmt.Errorf("%w: need 18 characters, have %d", ErrIDNumber, len(id))
	}
	want, err := IDCheckDigit(id[:17])
	if err != nil {
		return time.Time{}, err
	}
	got := id[17]
	if got == 'x' {
		got = 'X'
	}
	if got != want {
		return time.Time{}, fmt.Errorf("%w: check digit is %c, should be %c", ErrIDNumber, id[17], want)
	}
	birth, err := time.Parse("20060102", id[6:14])
	if err != nil || birth.Year() < 1850 {
		return time.Time{}, fmt.Errorf("%w: %s is not a birth date", ErrIDNumber, id[6:14])
	}
	return birth, nil
}
