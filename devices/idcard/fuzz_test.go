// SPDX-License-Identifier: AGPL-3.0-or-later

package idcard

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"

	"yichuang/devices"
)

func scanSeeds(f *testing.F) {
	good, _ := EncodeResponse(Response{SW3: StatusFound, Data: []byte{0, 0, 0, 0}})
	cmd, _ := EncodeCommand(CmdReadBase, nil)
	text, _ := EncodeText(devices.Card{Name: "刘䶮", IDNumber: "11010519491231002X"})
	data, _ := EncodeBase(text, make([]byte, PhotoSize), nil, false)
	base, _ := EncodeResponse(Response{SW3: StatusSuccess, Data: data})
	bad := append([]byte(nil), good...)
	bad[len(bad)-1] ^= 0xFF
	f.Add(good)
	f.Add(cmd)
	f.Add(base)
	f.Add(bad)
	f.Add(append([]byte("\x00\xAA\xAA\x96"), good...))
	f.Add(append(good[:9:9], cmd...))
	f.Add([]byte("\xAA\xAA\xAA\x96\x69\xFF\xFF"))
	f.Add([]byte("\xAA\xAA\xAA\x96\x69\x00\x02\x00\x02"))
	f.Add([]byte{})
}

// FuzzScan: Scan never panics, always stays within the buffer, makes
// progress on every error but ErrIncomplete, and what it accepts is a frame
// that encodes back to exactly the bytes it consumed.
func FuzzScan(f *testing.F) {
	scanSeeds(f)
	f.Fuzz(func(t *testing.T, buf []byte) {
		for len(buf) > 0 {
			body, n, err := Scan(buf)
			if n < 0 || n > len(buf) {
				t.Fatalf("n = %d of %d", n, len(buf))
			}
			switch {
			case err == nil:
				frame, ferr := AppendFrame(nil, body)
				if ferr != nil {
					t.Fatalf("accepted a body AppendFrame refuses: %v", ferr)
				}
				if !bytes.Equal(frame, buf[n-len(frame):n]) {
					t.Fatalf("frame % X is not the consumed bytes % X", frame, buf[:n])
				}
			case errors.Is(err, ErrIncomplete):
				if n == len(buf) && len(buf) > 0 && bytes.Contains(buf, []byte(Preamble)) {
					t.Fatalf("dropped a preamble as noise")
				}
				return
			case errors.Is(err, ErrChecksum), errors.Is(err, ErrLength):
				if n < 1 {
					t.Fatalf("no progress on %v", err)
				}
			default:
				t.Fatalf("unexpected error %v", err)
			}
			buf = buf[n:]
		}
	})
}

// FuzzScanChunks: bytes arriving in pieces of any size give the same frames
// and errors as arriving at once.
func FuzzScanChunks(f *testing.F) {
	scanSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		once, onceErrs := scanAll(in)
		for _, chunk := range []int{1, 2, 3, 5, 7, 64} {
			var got [][]byte
			var gotErrs []error
			var buf []byte
			for i := 0; i < len(in); i += chunk {
				buf = append(buf, in[i:min(i+chunk, len(in))]...)
				for {
					body, n, err := Scan(buf)
					if err == nil {
						got = append(got, append([]byte(nil), body...))
					} else if !errors.Is(err, ErrIncomplete) {
						gotErrs = append(gotErrs, err)
					}
					buf = buf[n:]
					if errors.Is(err, ErrIncomplete) {
						break
					}
				}
			}
			if !reflect.DeepEqual(got, once) || len(gotErrs) != len(onceErrs) {
				t.Fatalf("chunk %d: frames % X errors %v; at once: % X %v", chunk, got, gotErrs, once, onceErrs)
			}
		}
	})
}

func textSeeds(f *testing.F) {
	for _, c := range []devices.Card{
		{Type: devices.CardResident, Name: "刘䶮", Gender: "男", Nation: "汉", Birth: "1968-03-07", IDNumber: "44010419680307123X", ValidUntil: "长期"},
		{Type: devices.CardResident, Name: "吉𠮷", Gender: "女", Nation: "基诺"},
		{Type: devices.CardForeign, NameEN: "SMITH JOHN", Nationality: "美国", Name: "史密斯"},
		{Type: devices.CardForeign2023, NameEN: "MONTGOMERY-WILLIAMSON ALEXANDRA CATHERINE", Nationality: "CAN"},
		{Type: devices.CardResidencePermit, Name: "陈大文", PassNumber: "H60123456", IssueCount: "01"},
	} {
		b, err := EncodeText(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(make([]byte, TextSize))
	f.Add([]byte{0x00, 0xD8, 0x00, 0xDC})
}

// FuzzDecodeText: any 256 bytes decode without panic to valid UTF-8, or to a
// layout error; what decodes encodes back to a block that decodes the same.
func FuzzDecodeText(f *testing.F) {
	textSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < TextSize {
			b = append(b, make([]byte, TextSize-len(b))...)
		}
		c, err := DecodeText(b)
		if err != nil {
			if !errors.Is(err, ErrLayout) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		v := reflect.ValueOf(c)
		for i := 0; i < v.NumField(); i++ {
			if s, ok := v.Field(i).Interface().(string); ok && !utf8.ValidString(s) {
				t.Fatalf("field %s not UTF-8: %q", v.Type().Field(i).Name, s)
			}
		}
		again, err := EncodeText(c)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", c, err)
		}
		c2, err := DecodeText(again)
		if err != nil || !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip:\n%+v\n%+v\n%v", c, c2, err)
		}
	})
}

// FuzzDecodeBase: any base message data decodes or fails cleanly.
func FuzzDecodeBase(f *testing.F) {
	text, _ := EncodeText(devices.Card{Name: "刘䶮"})
	d1, _ := EncodeBase(text, make([]byte, PhotoSize), nil, false)
	d2, _ := EncodeBase(text, make([]byte, PhotoSize), make([]byte, FingerprintSize), true)
	f.Add(d1, false)
	f.Add(d2, true)
	f.Add([]byte{0x01, 0x00, 0x04, 0x00}, false)
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, true)
	f.Fuzz(func(t *testing.T, data []byte, fp bool) {
		c, err := DecodeBase(data, fp)
		if err != nil {
			if !errors.Is(err, ErrText) && !errors.Is(err, ErrLayout) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(c.Photo)+len(c.Fingerprint)+TextSize > len(data) {
			t.Fatalf("parts longer than the data")
		}
	})
}

// FuzzEncodeText: any strings either encode, or fail with ErrFieldTooLong;
// what encodes decodes to the same values, padding trimmed.
func FuzzEncodeText(f *testing.F) {
	f.Add("resident", "刘䶮", "广东省广州市", "44010419680307123X", "1968-03-07")
	f.Add("foreign_2023", "蒙哥马利", "MONTGOMERY-WILLIAMSON ALEXANDRA CATHERINE", "912411198504120035", "长期")
	f.Add("residence_permit", "𠮷𠮷", "", "H60123456", "")
	f.Add("foreign", "史密斯", "SMITH JOHN", "USA110079030101", "2029-06-15")
	f.Fuzz(func(t *testing.T, typ, name, other, number, date string) {
		if !utf8.ValidString(name + other + number + date) {
			return // cards come from UTF-16; invalid UTF-8 is not a card value
		}
		c := devices.Card{Type: devices.CardType(typ), Name: name, IDNumber: number, ValidUntil: date}
		switch c.Type {
		case devices.CardResident, devices.CardResidencePermit:
			c.Address = other
		case devices.CardForeign, devices.CardForeign2023:
			c.NameEN = other
		}
		b, err := EncodeText(c)
		if err != nil {
			if !errors.Is(err, ErrFieldTooLong) && !errors.Is(err, ErrLayout) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(b) != TextSize {
			t.Fatalf("%d bytes", len(b))
		}
		if _, err := DecodeText(b); err != nil {
			t.Fatalf("decoding what we encoded: %v", err)
		}
	})
}
