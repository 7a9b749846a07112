// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"testing"

	"yichuang/devices"
)

func withCheck(t *testing.T, first17 string) string {
	t.Helper()
	c, err := devices.IDCheckDigit(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

// flipCheck gives a number whose check character is wrong.
func flipCheck(n string) string {
	if n[17] == '0' {
		return n[:17] + "1"
	}
	return n[:17] + "0"
}

func TestCheckID(t *testing.T) {
	resident := withCheck(t, "11010519491231002")
	foreign18 := withCheck(t, "91241119850412003")
	permitHK := withCheck(t, "81000019880808123")
	permitTW := withCheck(t, "83000019900101456")
	tests := []struct {
		name, idType, number string
		want                 string // the type, or the error code
	}{
		{"resident", "", resident, IDResident},
		{"resident named", IDResident, resident, IDResident},
		{"resident wrong check", "", flipCheck(resident), CodeIDNumberInvalid},
		{"resident bad birth date", "", withCheck(t, "11010519491331002"), CodeIDNumberInvalid},
		{"old 15-digit resident", "", "110105491231002", CodeIDNumberInvalid},
		{"foreign 15", "", "USA350386021408", IDForeign},
		{"foreign 15 named", IDForeign, "USA350386021408", IDForeign},
		{"foreign 15 with a digit in the letters", "", "US1350386021408", CodeIDNumberInvalid},
		{"foreign 15 lower case", "", "usa350386021408", CodeIDNumberInvalid},
		{"foreign 15 letter in the digits", "", "USA35038602140X", CodeIDNumberInvalid},
		{"foreign 2023", "", foreign18, IDForeign},
		{"foreign 2023 wrong check", "", flipCheck(foreign18), CodeIDNumberInvalid},
		{"HK/Macau permit", "", permitHK, IDResidencePermit},
		{"Taiwan permit", IDResidencePermit, permitTW, IDResidencePermit},
		{"permit wrong check", "", flipCheck(permitHK), CodeIDNumberInvalid},
		{"permit named resident", IDResident, permitHK, CodeIDTypeMismatch},
		{"resident named foreign", IDForeign, resident, CodeIDTypeMismatch},
		{"passport", IDPassport, "E12345678", IDPassport},
		{"passport shortest", IDPassport, "G1234", IDPassport},
		{"passport too short", IDPassport, "G123", CodePassportInvalid},
		{"passport too long", IDPassport, "E1234567890123456X", CodePassportInvalid},
		{"passport with a dash", IDPassport, "E1234-678", CodePassportInvalid},
		{"passport unnamed", "", "E12345678", CodeIDNumberInvalid},
		{"unknown type", "martian", resident, CodeIDTypeInvalid},
		{"empty", "", "", CodeIDNumberInvalid},
		{"chinese", "", "一二三四五六七八九十一二三四五六七八", CodeIDNumberInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckID("id_number", tt.idType, tt.number)
			if err != nil {
				var de *Error
				if !asError(err, &de) || de.Code != tt.want || de.Kind != KindInvalid {
					t.Fatalf("CheckID(%q, %q) = %v, want %s", tt.idType, tt.number, err, tt.want)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("CheckID(%q, %q) = %s, want %s", tt.idType, tt.number, got, tt.want)
			}
		})
	}
}

func TestMaskID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"35030319800101123X", "3503**********123X"},
		{"810000198808081234", "8100**********1234"},
		{"USA350386021408", "USA********1408"},
		{"E12345678", "E1*****78"},
		{"G1234", "G***4"},
		{"1234", "****"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskID(tt.in); got != tt.want {
			t.Errorf("MaskID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
