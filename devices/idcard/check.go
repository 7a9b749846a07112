// SPDX-License-Identifier: AGPL-3.0-or-later

package idcard

import (
	"fmt"
	"time"

	"yichuang/devices"
)

// CheckError is a card that fails a check. Its Error() is the Chinese
// sentence for the citizen in front of the kiosk (no package prefix: it is
// meant to be shown as it is); English() gives the words for staff and logs.
// It matches its sentinel (ErrExpired, ...) with errors.Is.
type CheckError struct {
	kind   string
	zh, en string
	// Detail says more, in English, e.g. the date the card expired. It never
	// holds the ID number.
	Detail string
}

func (e *CheckError) Error() string { return e.zh }

// Chinese returns the message for the citizen.
func (e *CheckError) Chinese() string { return e.zh }

// English returns the message in English, with the detail if any.
func (e *CheckError) English() string {
	if e.Detail != "" {
		return "idcard: " + e.en + ": " + e.Detail
	}
	return "idcard: " + e.en
}

// Is matches any *CheckError of the same kind, so a returned error with a
// Detail still matches its sentinel.
func (e *CheckError) Is(target error) bool {
	t, ok := target.(*CheckError)
	return ok && t.kind == e.kind
}

func (e *CheckError) with(format string, args ...any) *CheckError {
	c := *e
	c.Detail = fmt.Sprintf(format, args...)
	return &c
}

// Check failures. Compare with errors.Is; do not modify.
var (
	ErrExpired = &CheckError{kind: "expired",
		zh: "身份证已过有效期，请使用有效证件",
		en: "the card has expired"}
	ErrNotYetValid = &CheckError{kind: "not_yet_valid",
		zh: "证件尚未到有效期开始日期，请使用有效证件",
		en: "the card is not valid yet"}
	ErrIDNumber = &CheckError{kind: "id_number",
		zh: "证件号码格式不正确，请到人工窗口办理",
		en: "the ID number is malformed"}
	ErrCheckDigit = &CheckError{kind: "check_digit",
		zh: "证件号码校验不通过，请到人工窗口核验证件",
		en: "the ID number's check digit is wrong"}
	ErrBirthMismatch = &CheckError{kind: "birth_mismatch",
		zh: "证件出生日期与证件号码不一致，请到人工窗口核验证件",
		en: "the birth date does not match the ID number"}
	ErrBadDate = &CheckError{kind: "bad_date",
		zh: "证件日期无法识别，请到人工窗口办理",
		en: "a date on the card cannot be read"}
)

// CheckDigit computes the GB 11643 check character (ISO 7064 MOD 11-2) of
// the first 17 digits of an ID number: '0'…'9' or 'X'.
func CheckDigit(first17 string) (byte, error) {
	if len(first17) != 17 || !allDigits(first17) {
		return 0, ErrIDNumber.with("want 17 digits, got %d characters", len(first17))
	}
	c, err := devices.IDCheckDigit(first17)
	if err != nil {
		return 0, ErrIDNumber.with("%v", err)
	}
	return c, nil
}

// ValidateIDNumber checks an 18-character ID number (resident card, residence
// permit, 2023 foreign card): 17 digits and the right check character.
func ValidateIDNumber(id string) error {
	if len(id) != 18 {
		return ErrIDNumber.with("want 18 characters, got %d", len(id))
	}
	want, err := CheckDigit(id[:17])
	if err != nil {
		return err
	}
	got := id[17]
	if got == 'x' {
		got = 'X'
	}
	if got != want {
		return ErrCheckDigit.with("check character %q, want %q", got, want)
	}
	return nil
}

// CheckExpiry checks that now falls within the card's validity. A card is
// valid through the whole of its last day, in now's location (the hall's
// time zone); "长期" (long-term) never expires.
func CheckExpiry(c devices.Card, now time.Time) error {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	if c.ValidFrom != "" {
		from, err := parseDate(c.ValidFrom, now.Location())
		if err != nil {
			return ErrBadDate.with("valid from %q", c.ValidFrom)
		}
		if today.Before(from) {
			return ErrNotYetValid.with("valid from %s", c.ValidFrom)
		}
	}
	if c.ValidUntil == "长期" {
		return nil
	}
	until, err := parseDate(c.ValidUntil, now.Location())
	if err != nil {
		return ErrBadDate.with("valid until %q", c.ValidUntil)
	}
	if today.After(until) {
		return ErrExpired.with("expired after %s", c.ValidUntil)
	}
	return nil
}

// CheckBirth checks that the birth date matches the one the ID number
// carries (characters 7–14 of an 18-character number). The 2017 foreign
// card's 15-character permit number is not checked: sources disagree on how
// it encodes the birth date.
func CheckBirth(c devices.Card) error {
	if c.Type == devices.CardForeign {
		return nil
	}
	if len(c.IDNumber) != 18 {
		return ErrIDNumber.with("want 18 characters, got %d", len(c.IDNumber))
	}
	if compactDate(c.Birth) != c.IDNumber[6:14] {
		return ErrBirthMismatch.with("birth date and characters 7-14 of the number differ")
	}
	return nil
}

// Check runs every check that applies to the card's layout: the ID number's
// check character, the birth date against the number, the validity dates.
// It returns the first failure, a *CheckError.
func Check(c devices.Card, now time.Time) error {
	if c.Type != devices.CardForeign {
		if err := ValidateIDNumber(c.IDNumber); err != nil {
			return err
		}
		if err := CheckBirth(c); err != nil {
			return err
		}
	}
	return CheckExpiry(c, now)
}

func parseDate(s string, loc *time.Location) (time.Time, error) {
	return time.ParseInLocation("2006-01-02", s, loc)
}
