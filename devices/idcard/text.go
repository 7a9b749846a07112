// SPDX-License-Identifier: AGPL-3.0-or-later

package idcard

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"strings"

	"golang.org/x/text/encoding/unicode"

	"yichuang/devices"
)

// Sizes of the base message's parts (GA 467).
const (
	TextSize        = 256  // the text block, UCS-2 little-endian (UTF-16LE here)
	PhotoSize       = 1024 // the WLT-compressed photo
	FingerprintSize = 1024 // two 512-byte fingerprint templates, when present
)

// Text block errors.
var (
	// ErrText means a text block or base message is malformed.
	ErrText = errors.New("idcard: malformed card text")
	// ErrLayout means the text block's card type flag (byte 248) is unknown.
	ErrLayout = errors.New("idcard: unknown card layout")
	// ErrFieldTooLong means a value does not fit its field (EncodeText).
	ErrFieldTooLong = errors.New("idcard: value too long for its field")
)

// PhotoDecoder turns the 1024-byte WLT photo into an image. Decoding WLT
// needs the vendor's licensed library; cmd wires an implementation when one
// is installed. Nothing in this package implements it.
type PhotoDecoder interface {
	DecodePhoto(ctx context.Context, wlt []byte) (image.Image, error)
}

// field is a byte range of the 256-byte text block.
type field struct{ off, n int }

// The type flag sits at byte 248 in every layout: 'I' (foreign permanent
// resident card, 2017), 'Y' (its 2023 edition), 'J' (Hong Kong, Macau and
// Taiwan residence permit); a resident card has a space (or NULs) there.
const typeFlagOff = 248

// Layouts. Each table sums to 256 bytes.
//
// Resident card (居民身份证), GA 467:
//
//	name 30 | gender 2 | nation 4 | birth 16 | address 70 | id number 36 |
//	authority 30 | valid from 16 | valid until 16 | reserved 36
func residentLayout() (name, gender, nation, birth, address, id, authority, from, until field) {
	return field{0, 30}, field{30, 2}, field{32, 4}, field{36, 16}, field{52, 70},
		field{122, 36}, field{158, 30}, field{188, 16}, field{204, 16}
}

// Residence permit (港澳台居民居住证, 'J'): the resident layout, with the
// nation field reserved and the tail used:
//
//	name 30 | gender 2 | reserved 4 | birth 16 | address 70 | id number 36 |
//	authority 30 | valid from 16 | valid until 16 | pass number 18 |
//	issue count 4 | reserved 6 | type 'J' 2 | reserved 6
func permitLayout() (passNumber, issueCount field) {
	return field{220, 18}, field{238, 4}
}

// Foreign permanent resident card, 2017 edition ('I'), from the 外国人永久居留
// 身份证芯片机读数据项表 published with the card:
//
//	English name 120 | gender 2 | permit number 30 | nationality 6 |
//	Chinese name 30 | valid from 16 | valid until 16 | birth 16 |
//	version 4 | authority code 8 | type 'I' 2 | reserved 6
func foreignLayout() (nameEN, gender, number, nationality, name, from, until, birth, version, authority field) {
	return field{0, 120}, field{120, 2}, field{122, 30}, field{152, 6}, field{158, 30},
		field{188, 16}, field{204, 16}, field{220, 16}, field{236, 4}, field{240, 8}
}

// Foreign permanent resident card, 2023 edition ('Y'), from the 新版外国人永久
// 居留身份证机读信息规则 (2023) as vendors' headers transcribe it. It follows the
// resident layout:
//
//	Chinese name 30 | gender 2 | renewal count 4 | birth 16 |
//	English name 70 (characters 1–35) | id number 36 | reserved 30 |
//	valid from 16 | valid until 16 | English name 22 (characters 36–46) |
//	nationality 6 | type 'Y' 2 | link to the previous card's number 6
//
// Sources disagree on bytes 158–188: the rule's table marks them reserved,
// while the card face prints an issuing authority (国家移民管理局) and some
// vendor SDKs return one. We decode them into Authority when not blank.
func foreign2023Layout() (name, gender, renewals, birth, nameEN1, id, authority, from, until, nameEN2, nationality, oldLink field) {
	return field{0, 30}, field{30, 2}, field{32, 4}, field{36, 16}, field{52, 70},
		field{122, 36}, field{158, 30}, field{188, 16}, field{204, 16}, field{220, 22},
		field{242, 6}, field{250, 6}
}

// decodeField decodes a UTF-16LE field and trims the padding (spaces, NULs).
// Surrogate pairs decode to one rune; a lone surrogate becomes U+FFFD.
func decodeField(b []byte, f field) string {
	raw := b[f.off : f.off+f.n]
	s, err := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder().Bytes(raw)
	if err != nil {
		// The UTF-16 decoder replaces bad input rather than failing; keep the
		// fallback anyway so no input can make decoding fail.
		return ""
	}
	return strings.TrimRight(string(s), " \x00\u3000")
}

// TypeFlag returns the text block's card type flag (the character at byte
// 248): 'I', 'Y', 'J', or ' ' for a resident card.
func TypeFlag(text []byte) rune {
	if len(text) < TextSize {
		return 0
	}
	u := binary.LittleEndian.Uint16(text[typeFlagOff:])
	if u == 0 {
		return ' '
	}
	return rune(u)
}

// DecodeText decodes the 256-byte text block of any card layout. Codes become
// names (gender, nation, nationality), dates become YYYY-MM-DD, padding is
// trimmed. Photo and Fingerprint are left empty.
func DecodeText(text []byte) (devices.Card, error) {
	if len(text) < TextSize {
		return devices.Card{}, fmt.Errorf("idcard: text block of %d bytes, want %d: %w", len(text), TextSize, ErrText)
	}
	text = text[:TextSize]
	var c devices.Card
	switch flag := TypeFlag(text); flag {
	case ' ':
		name, gender, nation, birth, address, id, authority, from, until := residentLayout()
		c = devices.Card{
			Type:       devices.CardResident,
			Name:       decodeField(text, name),
			Gender:     GenderName(decodeField(text, gender)),
			Nation:     NationName(decodeField(text, nation)),
			Birth:      FormatDate(decodeField(text, birth)),
			Address:    decodeField(text, address),
			IDNumber:   decodeField(text, id),
			Authority:  decodeField(text, authority),
			ValidFrom:  FormatDate(decodeField(text, from)),
			ValidUntil: FormatDate(decodeField(text, until)),
		}
	case 'J':
		name, gender, _, birth, address, id, authority, from, until := residentLayout()
		pass, count := permitLayout()
		c = devices.Card{
			Type:       devices.CardResidencePermit,
			Name:       decodeField(text, name),
			Gender:     GenderName(decodeField(text, gender)),
			Birth:      FormatDate(decodeField(text, birth)),
			Address:    decodeField(text, address),
			IDNumber:   decodeField(text, id),
			Authority:  decodeField(text, authority),
			ValidFrom:  FormatDate(decodeField(text, from)),
			ValidUntil: FormatDate(decodeField(text, until)),
			PassNumber: decodeField(text, pass),
			IssueCount: decodeField(text, count),
		}
	case 'I':
		nameEN, gender, number, nationality, name, from, until, birth, _, authority := foreignLayout()
		c = devices.Card{
			Type:        devices.CardForeign,
			Name:        decodeField(text, name),
			NameEN:      decodeField(text, nameEN),
			Gender:      GenderName(decodeField(text, gender)),
			Nationality: NationalityName(decodeField(text, nationality)),
			Birth:       FormatDate(decodeField(text, birth)),
			IDNumber:    decodeField(text, number),
			Authority:   decodeField(text, authority),
			ValidFrom:   FormatDate(decodeField(text, from)),
			ValidUntil:  FormatDate(decodeField(text, until)),
		}
	case 'Y':
		name, gender, renewals, birth, en1, id, authority, from, until, en2, nationality, _ := foreign2023Layout()
		// The English name continues from one field into the other: join the
		// raw fields before trimming, so a space at character 35 survives.
		nameEN := strings.TrimRight(untrimmed(text, en1)+untrimmed(text, en2), " \x00")
		c = devices.Card{
			Type:        devices.CardForeign2023,
			Name:        decodeField(text, name),
			NameEN:      nameEN,
			Gender:      GenderName(decodeField(text, gender)),
			Nationality: NationalityName(decodeField(text, nationality)),
			Birth:       FormatDate(decodeField(text, birth)),
			IDNumber:    decodeField(text, id),
			Authority:   decodeField(text, authority),
			ValidFrom:   FormatDate(decodeField(text, from)),
			ValidUntil:  FormatDate(decodeField(text, until)),
			IssueCount:  decodeField(text, renewals),
		}
	default:
		return devices.Card{}, fmt.Errorf("idcard: type flag %q: %w", flag, ErrLayout)
	}
	return c, nil
}

// untrimmed decodes a field keeping its padding, NULs turned into spaces.
func untrimmed(b []byte, f field) string {
	raw := b[f.off : f.off+f.n]
	s, err := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder().Bytes(raw)
	if err != nil {
		return ""
	}
	return strings.ReplaceAll(string(s), "\x00", " ")
}

// DecodeBase decodes the data of a base message answer (30 01, or 30 10 when
// withFingerprint): the 2-byte big-endian lengths of text, photo [and
// fingerprint], then the parts. The photo and fingerprint are copied.
func DecodeBase(data []byte, withFingerprint bool) (devices.Card, error) {
	hdr := 4
	if withFingerprint {
		hdr = 6
	}
	if len(data) < hdr {
		return devices.Card{}, fmt.Errorf("idcard: base message of %d bytes: %w", len(data), ErrText)
	}
	tl := int(binary.BigEndian.Uint16(data[0:]))
	pl := int(binary.BigEndian.Uint16(data[2:]))
	fl := 0
	if withFingerprint {
		fl = int(binary.BigEndian.Uint16(data[4:]))
	}
	if tl < TextSize || hdr+tl+pl+fl > len(data) {
		return devices.Card{}, fmt.Errorf("idcard: base message lengths text %d photo %d fingerprint %d in %d bytes: %w",
			tl, pl, fl, len(data), ErrText)
	}
	rest := data[hdr:]
	c, err := DecodeText(rest[:tl])
	if err != nil {
		return devices.Card{}, err
	}
	rest = rest[tl:]
	if pl > 0 {
		c.Photo = append([]byte(nil), rest[:pl]...)
	}
	rest = rest[pl:]
	if fl > 0 {
		c.Fingerprint = append([]byte(nil), rest[:fl]...)
	}
	return c, nil
}

// EncodeBase builds the data of a base message answer: the inverse of
// DecodeBase (used by the simulator and the golden files).
func EncodeBase(text, photo, fingerprint []byte, withFingerprint bool) ([]byte, error) {
	if len(text) > 0xFFFF || len(photo) > 0xFFFF || len(fingerprint) > 0xFFFF {
		return nil, fmt.Errorf("idcard: base message part too long: %w", ErrLength)
	}
	out := binary.BigEndian.AppendUint16(nil, uint16(len(text)))
	out = binary.BigEndian.AppendUint16(out, uint16(len(photo)))
	if withFingerprint {
		out = binary.BigEndian.AppendUint16(out, uint16(len(fingerprint)))
	}
	out = append(out, text...)
	out = append(out, photo...)
	if withFingerprint {
		out = append(out, fingerprint...)
	}
	return out, nil
}

// EncodeText builds the 256-byte text block of c in the layout c.Type names
// (a resident card when empty): the inverse of DecodeText. Names become codes
// again, dates YYYYMMDD; fields are padded with spaces. Values that do not
// fit their field give ErrFieldTooLong. Fields the Card does not carry (the
// foreign card's version, the 2023 card's link to the previous number) are
// left blank.
func EncodeText(c devices.Card) ([]byte, error) {
	b := make([]byte, TextSize)
	for i := 0; i < TextSize; i += 2 {
		b[i] = ' '
	}
	w := textWriter{b: b}
	switch c.Type {
	case devices.CardResident, "":
		name, gender, nation, birth, address, id, authority, from, until := residentLayout()
		w.put("name", name, c.Name)
		w.put("gender", gender, GenderCode(c.Gender))
		w.put("nation", nation, NationCode(c.Nation))
		w.put("birth", birth, compactDate(c.Birth))
		w.put("address", address, c.Address)
		w.put("id number", id, c.IDNumber)
		w.put("authority", authority, c.Authority)
		w.put("valid from", from, compactDate(c.ValidFrom))
		w.put("valid until", until, compactDate(c.ValidUntil))
	case devices.CardResidencePermit:
		name, gender, _, birth, address, id, authority, from, until := residentLayout()
		pass, count := permitLayout()
		w.put("name", name, c.Name)
		w.put("gender", gender, GenderCode(c.Gender))
		w.put("birth", birth, compactDate(c.Birth))
		w.put("address", address, c.Address)
		w.put("id number", id, c.IDNumber)
		w.put("authority", authority, c.Authority)
		w.put("valid from", from, compactDate(c.ValidFrom))
		w.put("valid until", until, compactDate(c.ValidUntil))
		w.put("pass number", pass, c.PassNumber)
		w.put("issue count", count, c.IssueCount)
		w.put("type", field{typeFlagOff, 2}, "J")
	case devices.CardForeign:
		nameEN, gender, number, nationality, name, from, until, birth, _, authority := foreignLayout()
		w.put("English name", nameEN, c.NameEN)
		w.put("gender", gender, GenderCode(c.Gender))
		w.put("permit number", number, c.IDNumber)
		w.put("nationality", nationality, NationalityCode(c.Nationality))
		w.put("name", name, c.Name)
		w.put("valid from", from, compactDate(c.ValidFrom))
		w.put("valid until", until, compactDate(c.ValidUntil))
		w.put("birth", birth, compactDate(c.Birth))
		w.put("authority", authority, c.Authority)
		w.put("type", field{typeFlagOff, 2}, "I")
	case devices.CardForeign2023:
		name, gender, renewals, birth, en1, id, authority, from, until, en2, nationality, _ := foreign2023Layout()
		first, rest := splitUnits(c.NameEN, en1.n/2)
		w.put("name", name, c.Name)
		w.put("gender", gender, GenderCode(c.Gender))
		w.put("renewal count", renewals, c.IssueCount)
		w.put("birth", birth, compactDate(c.Birth))
		w.put("English name", en1, first)
		w.put("English name (continued)", en2, rest)
		w.put("id number", id, c.IDNumber)
		w.put("authority", authority, c.Authority)
		w.put("valid from", from, compactDate(c.ValidFrom))
		w.put("valid until", until, compactDate(c.ValidUntil))
		w.put("nationality", nationality, NationalityCode(c.Nationality))
		w.put("type", field{typeFlagOff, 2}, "Y")
	default:
		return nil, fmt.Errorf("idcard: card type %q: %w", c.Type, ErrLayout)
	}
	if w.err != nil {
		return nil, w.err
	}
	return b, nil
}

type textWriter struct {
	b   []byte
	err error
}

func (w *textWriter) put(what string, f field, s string) {
	if w.err != nil {
		return
	}
	enc, err := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		w.err = fmt.Errorf("idcard: %s %q: %w", what, s, err)
		return
	}
	if len(enc) > f.n {
		w.err = fmt.Errorf("idcard: %s %q needs %d bytes, field has %d: %w", what, s, len(enc), f.n, ErrFieldTooLong)
		return
	}
	copy(w.b[f.off:], enc)
}

// splitUnits splits s after at most n UTF-16 code units, never inside a
// surrogate pair.
func splitUnits(s string, n int) (string, string) {
	units := 0
	for i, r := range s {
		u := 1
		if r > 0xFFFF {
			u = 2
		}
		if units+u > n {
			return s[:i], s[i:]
		}
		units += u
	}
	return s, ""
}

// FormatDate turns YYYYMMDD into YYYY-MM-DD; anything else ("长期", blank, a
// malformed date) comes back unchanged.
func FormatDate(s string) string {
	if len(s) != 8 || !allDigits(s) {
		return s
	}
	return s[:4] + "-" + s[4:6] + "-" + s[6:]
}

// compactDate is FormatDate's inverse.
func compactDate(s string) string {
	if len(s) == 10 && s[4] == '-' && s[7] == '-' && allDigits(s[:4]+s[5:7]+s[8:]) {
		return s[:4] + s[5:7] + s[8:]
	}
	return s
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
