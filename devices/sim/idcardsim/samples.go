// SPDX-License-Identifier: AGPL-3.0-or-later

package idcardsim

import (
	"yichuang/devices"
	"yichuang/devices/idcard"
)

// The sample cards are made up: their numbers carry valid check characters
// and matching birth dates but belong to nobody.

// withCheckDigit completes a 17-digit number with its check character.
func withCheckDigit(first17 string) string {
	c, err := idcard.CheckDigit(first17)
	if err != nil {
		return first17 + "?"
	}
	return first17 + string(c)
}

// SampleResident returns a resident card (居民身份证), valid long-term. Its
// name has 䶮 (U+4DAE), a rare character readers must carry intact.
func SampleResident() devices.Card {
	return devices.Card{
		Type:       devices.CardResident,
		Name:       "刘䶮",
		Gender:     "男",
		Nation:     "汉",
		Birth:      "1968-03-07",
		Address:    "广东省广州市越秀区中山四路1号",
		IDNumber:   withCheckDigit("44010419680307123"),
		Authority:  "广州市公安局越秀分局",
		ValidFrom:  "2016-05-01",
		ValidUntil: "长期",
	}
}

// SampleResidentSupplementary returns a resident card whose name has a
// character outside the BMP (𠮷, U+20BB7: a UTF-16 surrogate pair), of a
// minority nation, valid for 20 years.
func SampleResidentSupplementary() devices.Card {
	return devices.Card{
		Type:       devices.CardResident,
		Name:       "吉𠮷",
		Gender:     "女",
		Nation:     "基诺",
		Birth:      "1995-12-31",
		Address:    "云南省西双版纳傣族自治州景洪市基诺山乡",
		IDNumber:   withCheckDigit("53280119951231002"),
		Authority:  "景洪市公安局",
		ValidFrom:  "2020-01-15",
		ValidUntil: "2040-01-15",
	}
}

// SampleForeign returns a foreign permanent resident card, 2017 edition ('I').
func SampleForeign() devices.Card {
	return devices.Card{
		Type:        devices.CardForeign,
		Name:        "史密斯",
		NameEN:      "SMITH JOHN",
		Gender:      "男",
		Nationality: "美国",
		Birth:       "1979-03-01",
		IDNumber:    "USA110079030101",
		Authority:   "1100",
		ValidFrom:   "2019-06-16",
		ValidUntil:  "2029-06-15",
	}
}

// SampleForeign2023 returns a foreign permanent resident card, 2023 edition
// ('Y'), with an English name longer than the first name field (35
// characters), so it continues into the second.
func SampleForeign2023() devices.Card {
	return devices.Card{
		Type:        devices.CardForeign2023,
		Name:        "蒙哥马利",
		NameEN:      "MONTGOMERY-WILLIAMSON ALEXANDRA CATHERINE",
		Gender:      "女",
		Nationality: "加拿大",
		Birth:       "1985-04-12",
		IDNumber:    withCheckDigit("91241119850412003"),
		Authority:   "国家移民管理局",
		ValidFrom:   "2024-01-10",
		ValidUntil:  "2034-01-09",
		IssueCount:  "00",
	}
}

// SampleResidencePermit returns a Hong Kong/Macau/Taiwan residence permit
// ('J').
func SampleResidencePermit() devices.Card {
	return devices.Card{
		Type:       devices.CardResidencePermit,
		Name:       "陈大文",
		Gender:     "男",
		Birth:      "1988-08-08",
		Address:    "广东省深圳市福田区福华一路1号",
		IDNumber:   withCheckDigit("81000019880808123"),
		Authority:  "深圳市公安局福田分局",
		ValidFrom:  "2024-06-01",
		ValidUntil: "2029-06-01",
		PassNumber: "H60123456",
		IssueCount: "01",
	}
}

// Samples returns one sample card of each layout.
func Samples() []devices.Card {
	return []devices.Card{
		SampleResident(), SampleResidentSupplementary(), SampleForeign(),
		SampleForeign2023(), SampleResidencePermit(),
	}
}
