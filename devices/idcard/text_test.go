// SPDX-License-Identifier: AGPL-3.0-or-later

package idcard

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
	"unicode/utf16"

	"yichuang/devices"
)

// block builds a text block by hand, independently of EncodeText: spaces,
// then each value UTF-16LE at its byte offset.
func block(fields map[int]string) []byte {
	b := make([]byte, TextSize)
	for i := 0; i < len(b); i += 2 {
		b[i] = ' '
	}
	for off, s := range fields {
		for i, u := range utf16.Encode([]rune(s)) {
			binary.LittleEndian.PutUint16(b[off+2*i:], u)
		}
	}
	return b
}

func TestDecodeText(t *testing.T) {
	tests := []struct {
		name string
		text []byte
		want devices.Card
	}{
		{
			name: "resident card with 䶮",
			text: block(map[int]string{
				0: "刘䶮", 30: "1", 32: "01", 36: "19680307", 52: "广东省广州市越秀区中山四路1号",
				122: "440104196803071234", 158: "广州市公安局越秀分局", 188: "20160501", 204: "长期",
			}),
			want: devices.Card{
				Type: devices.CardResident, Name: "刘䶮", Gender: "男", Nation: "汉", Birth: "1968-03-07",
				Address: "广东省广州市越秀区中山四路1号", IDNumber: "440104196803071234",
				Authority: "广州市公安局越秀分局", ValidFrom: "2016-05-01", ValidUntil: "长期",
			},
		},
		{
			name: "resident card with a surrogate pair, NUL padding",
			text: func() []byte {
				b := block(map[int]string{
					30: "2", 32: "56", 36: "19951231", 52: "云南省景洪市",
					122: "532801199512310021", 158: "景洪市公安局", 188: "20200115", 204: "20400115",
				})
				copy(b[0:30], make([]byte, 30)) // NUL padding instead of spaces
				for i, u := range utf16.Encode([]rune("吉𠮷")) {
					binary.LittleEndian.PutUint16(b[2*i:], u)
				}
				return b
			}(),
			want: devices.Card{
				Type: devices.CardResident, Name: "吉𠮷", Gender: "女", Nation: "基诺", Birth: "1995-12-31",
				Address: "云南省景洪市", IDNumber: "532801199512310021", Authority: "景洪市公安局",
				ValidFrom: "2020-01-15", ValidUntil: "2040-01-15",
			},
		},
		{
			name: "resident card, unknown codes kept",
			text: block(map[int]string{0: "张三", 30: "9", 32: "98", 36: "2001", 122: "X"}),
			want: devices.Card{
				Type: devices.CardResident, Name: "张三", Gender: "未说明", Nation: "外国血统中国籍人士",
				Birth: "2001", IDNumber: "X",
			},
		},
		{
			name: "foreign permanent resident card 2017",
			text: block(map[int]string{
				0: "SMITH JOHN", 120: "1", 122: "USA110079030101", 152: "USA", 158: "史密斯",
				188: "20190616", 204: "20290615", 220: "19790301", 236: "01", 240: "1100", 248: "I",
			}),
			want: devices.Card{
				Type: devices.CardForeign, Name: "史密斯", NameEN: "SMITH JOHN", Gender: "男",
				Nationality: "美国", Birth: "1979-03-01", IDNumber: "USA110079030101", Authority: "1100",
				ValidFrom: "2019-06-16", ValidUntil: "2029-06-15",
			},
		},
		{
			name: "foreign card 2017, rare nationality kept as code",
			text: block(map[int]string{0: "DOE JANE", 120: "2", 152: "TUV", 248: "I"}),
			want: devices.Card{Type: devices.CardForeign, NameEN: "DOE JANE", Gender: "女", Nationality: "TUV"},
		},
		{
			name: "foreign permanent resident card 2023",
			text: block(map[int]string{
				0: "蒙哥马利", 30: "2", 32: "00", 36: "19850412",
				52:  "MONTGOMERY-WILLIAMSON ALEXANDRA CAT", // the first 35 characters
				122: "912411198504120031", 158: "国家移民管理局", 188: "20240110", 204: "20340109",
				220: "HERINE", 242: "CAN", 248: "Y", 250: "001",
			}),
			want: devices.Card{
				Type: devices.CardForeign2023, Name: "蒙哥马利",
				NameEN: "MONTGOMERY-WILLIAMSON ALEXANDRA CATHERINE", Gender: "女", Nationality: "加拿大",
				Birth: "1985-04-12", IDNumber: "912411198504120031", Authority: "国家移民管理局",
				ValidFrom: "2024-01-10", ValidUntil: "2034-01-09", IssueCount: "00",
			},
		},
		{
			name: "foreign card 2023, word break at the field boundary",
			text: block(map[int]string{
				52:  "ABCDEFGHIJ ABCDEFGHIJ ABCDEFGHIJ A ", // 35 characters, the last a space
				220: "CDEF", 248: "Y",
			}),
			want: devices.Card{Type: devices.CardForeign2023, NameEN: "ABCDEFGHIJ ABCDEFGHIJ ABCDEFGHIJ A CDEF"},
		},
		{
			name: "residence permit",
			text: block(map[int]string{
				0: "陈大文", 30: "1", 36: "19880808", 52: "广东省深圳市福田区福华一路1号",
				122: "810000198808081234", 158: "深圳市公安局福田分局", 188: "20240601", 204: "20290601",
				220: "H60123456", 238: "01", 248: "J",
			}),
			want: devices.Card{
				Type: devices.CardResidencePermit, Name: "陈大文", Gender: "男", Birth: "1988-08-08",
				Address: "广东省深圳市福田区福华一路1号", IDNumber: "810000198808081234",
				Authority: "深圳市公安局福田分局", ValidFrom: "2024-06-01", ValidUntil: "2029-06-01",
				PassNumber: "H60123456", IssueCount: "01",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeText(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if !equalCards(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			// And back: the encoder must give a block that decodes the same.
			text, err := EncodeText(got)
			if err != nil {
				t.Fatal(err)
			}
			again, err := DecodeText(text)
			if err != nil || !equalCards(again, got) {
				t.Errorf("round trip: %+v, %v", again, err)
			}
		})
	}
}

func equalCards(a, b devices.Card) bool {
	if !bytes.Equal(a.Photo, b.Photo) || !bytes.Equal(a.Fingerprint, b.Fingerprint) {
		return false
	}
	a.Photo, a.Fingerprint, b.Photo, b.Fingerprint = nil, nil, nil, nil
	return reflect.DeepEqual(a, b)
}

func TestDecodeTextErrors(t *testing.T) {
	if _, err := DecodeText(make([]byte, 255)); !errors.Is(err, ErrText) {
		t.Errorf("short block: %v", err)
	}
	if _, err := DecodeText(block(map[int]string{248: "Q"})); !errors.Is(err, ErrLayout) {
		t.Errorf("type Q: %v", err)
	}
	// A lone surrogate decodes to U+FFFD rather than failing.
	b := block(nil)
	binary.LittleEndian.PutUint16(b[0:], 0xD800)
	c, err := DecodeText(b)
	if err != nil || c.Name != "\uFFFD" {
		t.Errorf("lone surrogate: %q, %v", c.Name, err)
	}
	// All NULs is a resident card with nothing in it.
	c, err = DecodeText(make([]byte, TextSize))
	if err != nil || c.Type != devices.CardResident || c.Name != "" {
		t.Errorf("NUL block: %+v, %v", c, err)
	}
}

func TestEncodeTextErrors(t *testing.T) {
	tests := []struct {
		name string
		card devices.Card
		want error
	}{
		{"name too long", devices.Card{Name: "一二三四五六七八九十一二三四五六"}, ErrFieldTooLong},
		{"surrogate pairs count twice", devices.Card{Name: "𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷"}, ErrFieldTooLong},
		{"English name past 46 characters", devices.Card{Type: devices.CardForeign2023,
			NameEN: "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFG"}, ErrFieldTooLong},
		{"unknown type", devices.Card{Type: "passport"}, ErrLayout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := EncodeText(tt.card); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	// Fifteen characters fit the 30-byte name exactly.
	if _, err := EncodeText(devices.Card{Name: "一二三四五六七八九十一二三四五"}); err != nil {
		t.Errorf("15 characters: %v", err)
	}
}

func TestDecodeBase(t *testing.T) {
	text := block(map[int]string{0: "刘䶮", 248: " "})
	photo := bytes.Repeat([]byte{0x57}, PhotoSize)
	fp := bytes.Repeat([]byte{0x43}, FingerprintSize)
	tests := []struct {
		name    string
		data    func() []byte
		fp      bool
		wantErr error
		wantFP  int
	}{
		{"30 01", func() []byte { d, _ := EncodeBase(text, photo, nil, false); return d }, false, nil, 0},
		{"30 10", func() []byte { d, _ := EncodeBase(text, photo, fp, true); return d }, true, nil, FingerprintSize},
		{"30 10 without fingerprint", func() []byte { d, _ := EncodeBase(text, photo, nil, true); return d }, true, nil, 0},
		{"lengths past the data", func() []byte { d, _ := EncodeBase(text, photo, nil, false); return d[:len(d)-1] }, false, ErrText, 0},
		{"text too short", func() []byte { d, _ := EncodeBase(text[:200], photo, nil, false); return d }, false, ErrText, 0},
		{"header only", func() []byte { return []byte{1, 0} }, false, ErrText, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := DecodeBase(tt.data(), tt.fp)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if c.Name != "刘䶮" || !bytes.Equal(c.Photo, photo) || len(c.Fingerprint) != tt.wantFP {
				t.Errorf("got %q, photo %d bytes, fingerprint %d bytes", c.Name, len(c.Photo), len(c.Fingerprint))
			}
		})
	}
}

func TestCodes(t *testing.T) {
	want := map[string]string{"01": "汉", "02": "蒙古", "03": "回", "08": "壮", "43": "乌孜别克",
		"46": "德昂", "56": "基诺", "97": "其他", "98": "外国血统中国籍人士", "57": "57", "1": "1", "": ""}
	for code, name := range want {
		if got := NationName(code); got != name {
			t.Errorf("NationName(%q) = %q, want %q", code, got, name)
		}
	}
	for i := 1; i <= 56; i++ {
		code := string(rune('0'+i/10)) + string(rune('0'+i%10))
		if NationCode(NationName(code)) != code {
			t.Errorf("nation %s does not round-trip", code)
		}
	}
	for code, name := range map[string]string{"0": "未知", "1": "男", "2": "女", "9": "未说明", "3": "3"} {
		if GenderName(code) != name || GenderCode(name) != code {
			t.Errorf("gender %q/%q", code, name)
		}
	}
	if NationalityName("USA") != "美国" || NationalityCode("美国") != "USA" || NationalityName("XYZ") != "XYZ" {
		t.Error("nationality lookup")
	}
	for _, d := range [][2]string{{"20200101", "2020-01-01"}, {"长期", "长期"}, {"2020", "2020"}, {"2020010a", "2020010a"}} {
		if got := FormatDate(d[0]); got != d[1] {
			t.Errorf("FormatDate(%q) = %q", d[0], got)
		}
	}
}
