// SPDX-License-Identifier: AGPL-3.0-or-later

package idcard

import (
	"errors"
	"strings"
	"testing"
	"time"

	"yichuang/devices"
)

func TestCheckDigit(t *testing.T) {
	tests := []struct {
		first17 string
		want    byte
	}{
		{"11010519491231002", 'X'}, // GB 11643-1999's own examples
		{"44052418800101001", '4'},
		{"44010419680307123", '3'},
		{"53280119951231002", '6'},
		{"91241119850412003", '5'}, // 2023 foreign permanent resident card
		{"81000019880808123", '5'}, // Hong Kong residence permit
		{"00000000000000000", '1'},
		{"99999999999999999", '3'},
		{"12345678901234567", '7'},
	}
	for _, tt := range tests {
		got, err := CheckDigit(tt.first17)
		if err != nil || got != tt.want {
			t.Errorf("CheckDigit(%s) = %q, %v; want %q", tt.first17, got, err, tt.want)
		}
		if err := ValidateIDNumber(tt.first17 + string(tt.want)); err != nil {
			t.Errorf("ValidateIDNumber(%s%c) = %v", tt.first17, tt.want, err)
		}
	}
	bad := []struct {
		id   string
		want error
	}{
		{"110105194912310021", ErrCheckDigit},
		{"440524188001010015", ErrCheckDigit},
		{"44052418800101001", ErrIDNumber},
		{"4405241880010100144", ErrIDNumber},
		{"44052418800101A014", ErrIDNumber},
		{"", ErrIDNumber},
	}
	for _, tt := range bad {
		if err := ValidateIDNumber(tt.id); !errors.Is(err, tt.want) {
			t.Errorf("ValidateIDNumber(%q) = %v, want %v", tt.id, err, tt.want)
		}
	}
	if err := ValidateIDNumber("11010519491231002x"); err != nil {
		t.Errorf("lower-case x: %v", err)
	}
}

func TestCheckExpiry(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	card := devices.Card{ValidFrom: "2016-05-01", ValidUntil: "2026-05-01"}
	tests := []struct {
		name string
		card devices.Card
		now  time.Time
		want error
	}{
		{"valid", card, at("2020-01-01 12:00"), nil},
		{"last day, late evening", card, at("2026-05-01 23:59"), nil},
		{"the day after", card, at("2026-05-02 00:00"), ErrExpired},
		{"first day", card, at("2016-05-01 00:00"), nil},
		{"before first day", card, at("2016-04-30 23:59"), ErrNotYetValid},
		{"long-term", devices.Card{ValidFrom: "2016-05-01", ValidUntil: "长期"}, at("2099-01-01 00:00"), nil},
		// 2026-05-01 16:30 UTC is already 2026-05-02 in the hall.
		{"hall's day, not UTC's", card, time.Date(2026, 5, 1, 16, 30, 0, 0, time.UTC).In(cst), ErrExpired},
		{"unreadable until", devices.Card{ValidUntil: "2026"}, at("2020-01-01 00:00"), ErrBadDate},
		{"unreadable from", devices.Card{ValidFrom: "x", ValidUntil: "长期"}, at("2020-01-01 00:00"), ErrBadDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckExpiry(tt.card, tt.now)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCheckBirth(t *testing.T) {
	tests := []struct {
		name string
		card devices.Card
		want error
	}{
		{"match", devices.Card{Birth: "1949-12-31", IDNumber: "11010519491231002X"}, nil},
		{"mismatch", devices.Card{Birth: "1949-12-30", IDNumber: "11010519491231002X"}, ErrBirthMismatch},
		{"permit", devices.Card{Type: devices.CardResidencePermit, Birth: "1988-08-08", IDNumber: "810000198808081235"}, nil},
		{"2023 foreign", devices.Card{Type: devices.CardForeign2023, Birth: "1985-04-12", IDNumber: "912411198504120035"}, nil},
		{"2017 foreign not checked", devices.Card{Type: devices.CardForeign, Birth: "1979-03-01", IDNumber: "USA110079030101"}, nil},
		{"short number", devices.Card{Birth: "1949-12-31", IDNumber: "110105"}, ErrIDNumber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckBirth(tt.card)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCheckMessages(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	card := devices.Card{Type: devices.CardResident, Birth: "1949-12-31", IDNumber: "11010519491231002X",
		ValidFrom: "2010-01-01", ValidUntil: "2020-01-01"}
	err := Check(card, now)
	if !errors.Is(err, ErrExpired) {
		t.Fatalf("Check = %v", err)
	}
	var ce *CheckError
	if !errors.As(err, &ce) {
		t.Fatalf("not a *CheckError: %T", err)
	}
	if err.Error() != "身份证已过有效期，请使用有效证件" || ce.Chinese() != err.Error() {
		t.Errorf("Chinese message %q", err.Error())
	}
	if got := ce.English(); got != "idcard: the card has expired: expired after 2020-01-01" {
		t.Errorf("English message %q", got)
	}
	if errors.Is(err, ErrCheckDigit) || errors.Is(err, ErrNotYetValid) {
		t.Error("matches other kinds")
	}
	for _, e := range []*CheckError{ErrExpired, ErrNotYetValid, ErrIDNumber, ErrCheckDigit, ErrBirthMismatch, ErrBadDate} {
		if strings.Contains(e.Error(), "idcard") || !strings.Contains(e.English(), "idcard: ") {
			t.Errorf("%q / %q", e.Error(), e.English())
		}
	}
	// The ID number's check comes first and the detail never holds it.
	card.IDNumber = "110105194912310021"
	err = Check(card, now)
	if !errors.Is(err, ErrCheckDigit) || strings.Contains(err.(*CheckError).English(), card.IDNumber) {
		t.Errorf("Check = %v", err)
	}
	card.IDNumber, card.Birth = "11010519491231002X", "1950-01-01"
	if err := Check(card, now); !errors.Is(err, ErrBirthMismatch) {
		t.Errorf("Check = %v", err)
	}
	foreign := devices.Card{Type: devices.CardForeign, IDNumber: "USA110079030101", ValidUntil: "2029-06-15"}
	if err := Check(foreign, time.Date(2029, 6, 15, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("foreign card: %v", err)
	}
}
