// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"strings"

	"yichuang/devices"
)

// The ID documents a citizen may carry (applicant.id_type).
const (
	IDResident        = "resident"         // 居民身份证, GB 11643
	IDForeign         = "foreign"          // 外国人永久居留身份证: 15-character (2017) or 18-character (2023)
	IDResidencePermit = "residence_permit" // 港澳台居民居住证: 810000/820000/830000 and the GB 11643 check digit
	IDPassport        = "passport"         // a passport number typed at the guide desk
)

// IDTypeOf says which document an ID number is of by its form alone: an
// 18-character number starting 9 is a 2023 foreign card, 810000/820000/
// 830000 a residence permit, else a resident card; three capital letters
// and twelve digits the 2017 foreign card; "" for anything else (a passport
// is named by id_type: its number has no form of its own).
func IDTypeOf(number string) string {
	switch {
	case len(number) == 18 && number[0] == '9':
		return IDForeign
	case len(number) == 18 && (strings.HasPrefix(number, "810000") || strings.HasPrefix(number, "820000") || strings.HasPrefix(number, "830000")):
		return IDResidencePermit
	case len(number) == 18:
		return IDResident
	case isForeign15(number):
		return IDForeign
	}
	return ""
}

// isForeign15: three capital letters (ISO 3166 alpha-3 nationality) and
// twelve digits.
func isForeign15(n string) bool {
	if len(n) != 15 {
		return false
	}
	for i := 0; i < 15; i++ {
		c := n[i]
		if i < 3 && (c < 'A' || c > 'Z') || i >= 3 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func isPassport(n string) bool {
	if len(n) < 5 || len(n) > 17 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// CheckID validates an ID number (already trimmed and upper-cased) by its
// document's own rule and returns the document type. idType, when given,
// names the document; else the number's form says it. field names the
// number's field in an error.
func CheckID(field, idType, number string) (string, error) {
	bad := func(msg string, args ...any) (string, error) {
		return "", coded(KindInvalid, CodeIDNumberInvalid, field, nil, "证件号码有误 ("+msg+")", args...)
	}
	switch idType {
	case "", IDResident, IDForeign, IDResidencePermit, IDPassport:
	default:
		return "", coded(KindInvalid, CodeIDTypeInvalid, strings.TrimSuffix(field, "id_number")+"id_type", map[string]string{"id_type": idType},
			"不支持的证件类型 (%q is not resident, foreign, residence_permit or passport)", idType)
	}
	if idType == IDPassport {
		if !isPassport(number) {
			return "", coded(KindInvalid, CodePassportInvalid, field, nil, "护照号码应为 5 到 17 位字母或数字 (a passport number is 5 to 17 letters and digits)")
		}
		return IDPassport, nil
	}
	form := IDTypeOf(number)
	switch {
	case form == "" && len(number) == 15:
		return bad("a 15-character foreign permanent resident number is three capital letters and twelve digits")
	case form == "":
		return bad("need 18 characters, or 15 for the older foreign permanent resident card; have %d", len(number))
	case idType != "" && idType != form:
		return "", coded(KindInvalid, CodeIDTypeMismatch, field, nil, "证件号码与证件类型不符 (the number is of a %s document, not %s)", form, idType)
	}
	if len(number) == 18 {
		if _, err := devices.CheckIDNumber(number); err != nil {
			return bad("%v", err)
		}
	}
	return form, nil
}
