// SPDX-License-Identifier: AGPL-3.0-or-later

package hid_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"yichuang/devices/hid"
	"yichuang/devices/sim/hidsim"
)

var t0 = time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)

// feed decodes reports 5 ms apart from t0 and returns the scans and the
// errors.
func feed(t *testing.T, dec hid.ScanDecoder, reports [][]byte) ([]string, []error) {
	t.Helper()
	var scans []string
	var errs []error
	for i, r := range reports {
		s, err := dec.Decode(r, t0.Add(time.Duration(i)*5*time.Millisecond))
		scans = append(scans, s...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return scans, errs
}

func mustKeyboardScan(t *testing.T, s string) [][]byte {
	t.Helper()
	r, err := hidsim.KeyboardScan(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func cat(parts ...[][]byte) [][]byte {
	var out [][]byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestKeyboardDecoder(t *testing.T) {
	const (
		shift = hid.ModLeftShift
		h     = hid.UsageA + 'h' - 'a'
		l     = hid.UsageA + 'l' - 'a'
		x     = hid.UsageA + 'x' - 'a'
		enter = hid.UsageEnter
	)
	url := "https://zwfw.example.gov.cn/Check-In?code=AB12_x&w=3#~"
	tests := []struct {
		name    string
		reports [][]byte
		want    []string
		errs    []error
	}{
		{"URL with capitals and : / ? = & _ # ~", mustKeyboardScan(t, url), []string{url}, nil},
		{"check-in code", mustKeyboardScan(t, "YY20240601A007"), []string{"YY20240601A007"}, nil},
		{"two scans", cat(mustKeyboardScan(t, "one"), mustKeyboardScan(t, "Two")), []string{"one", "Two"}, nil},
		{"shift pressed in its own report first", [][]byte{
			kr(shift), kr(shift, h), kr(shift), kr(0), kr(0, 0x0C), kr(0), kr(shift), kr(shift, 0x33), kr(0), kr(0, enter), kr(0),
		}, []string{"Hi:"}, nil},
		{"held key repeated types once", [][]byte{
			kr(0, h), kr(0, h), kr(0, h), kr(0), kr(0, enter), kr(0, enter), kr(0),
		}, []string{"h"}, nil},
		{"double letter needs a release", [][]byte{
			kr(0, h), kr(0), kr(0, l), kr(0), kr(0, l), kr(0), kr(0, enter), kr(0),
		}, []string{"hll"}, nil},
		{"fast reader: next key down before release", [][]byte{
			kr(0, h), kr(0, h, x), kr(0, x), kr(0, x, enter), kr(0),
		}, []string{"hx"}, nil},
		{"rollover while typing", [][]byte{
			kr(0, h), kr(0, 1, 1, 1, 1, 1, 1), kr(0, h, x), kr(0), kr(0, enter),
		}, []string{"hx"}, nil},
		{"ctrl, tab and arrows skipped", [][]byte{
			kr(hid.ModLeftCtrl, h), kr(0), kr(0, 0x2B), kr(0), kr(0, 0x4F), kr(0), kr(0, x), kr(0), kr(0, enter),
		}, []string{"x"}, nil},
		{"keypad digits and keypad Enter", [][]byte{
			kr(0, 0x59), kr(0), kr(0, 0x62), kr(0), kr(0, 0x63), kr(0), kr(0, hid.UsageKeypadEnter), kr(0),
		}, []string{"10."}, nil},
		{"Enter alone is no scan", [][]byte{kr(0, enter), kr(0), kr(0, enter), kr(0)}, nil, nil},
		{"short report", [][]byte{kr(0, x), {0, 0}, kr(0), kr(0, enter)}, []string{"x"}, []error{hid.ErrReport}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec, err := hid.NewScanDecoder(&hid.ScanOpts{Mode: hid.ModeKeyboard})
			if err != nil {
				t.Fatal(err)
			}
			got, errs := feed(t, dec, tt.reports)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("scans %q, want %q", got, tt.want)
			}
			checkErrs(t, errs, tt.errs)
			if _, pending := dec.Deadline(); pending {
				t.Error("a scan still pending")
			}
		})
	}
}

func checkErrs(t *testing.T, got, want []error) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("errors %v, want %v", got, want)
	}
	for i := range got {
		if !errors.Is(got[i], want[i]) {
			t.Errorf("error %d: %v, want %v", i, got[i], want[i])
		}
	}
}

func TestKeyboardDecoderReportID(t *testing.T) {
	dec := hid.NewKeyboardDecoder(&hid.ScanOpts{KeyboardReportID: 1})
	var reports [][]byte
	for _, r := range mustKeyboardScan(t, "Ok") {
		reports = append(reports, append([]byte{1}, r...), append([]byte{3}, 0x00, 0x10)) // interleaved consumer reports
	}
	got, errs := feed(t, dec, reports)
	if !reflect.DeepEqual(got, []string{"Ok"}) || errs != nil {
		t.Fatalf("%q, %v", got, errs)
	}
}

func TestKeyboardDecoderTimeout(t *testing.T) {
	dec := hid.NewKeyboardDecoder(&hid.ScanOpts{Timeout: 100 * time.Millisecond})
	half := mustKeyboardScan(t, "lost")
	half = half[:len(half)-2] // no Enter
	at := t0
	for _, r := range half {
		if s, err := dec.Decode(r, at); s != nil || err != nil {
			t.Fatalf("%q, %v", s, err)
		}
		at = at.Add(10 * time.Millisecond)
	}
	dl, ok := dec.Deadline()
	if !ok || !dl.Equal(at.Add(-10*time.Millisecond).Add(100*time.Millisecond)) {
		t.Fatalf("deadline %v, %v", dl, ok)
	}
	// The next scan comes after the gap: the half scan is dropped, the new
	// one is whole.
	at = dl.Add(time.Millisecond)
	var scans []string
	var errs []error
	for _, r := range mustKeyboardScan(t, "new") {
		s, err := dec.Decode(r, at)
		scans = append(scans, s...)
		if err != nil {
			errs = append(errs, err)
		}
		at = at.Add(10 * time.Millisecond)
	}
	if !reflect.DeepEqual(scans, []string{"new"}) {
		t.Fatalf("scans %q", scans)
	}
	checkErrs(t, errs, []error{hid.ErrTimeout})
	if !strings.Contains(errs[0].Error(), "Enter") {
		t.Errorf("the error should hint at the Enter suffix: %v", errs[0])
	}

	// Expire drops a half scan with no report after it.
	dec.Decode(kr(0, hid.UsageA), at)
	if err := dec.Expire(at.Add(50 * time.Millisecond)); err != nil {
		t.Fatalf("expired early: %v", err)
	}
	if err := dec.Expire(at.Add(100 * time.Millisecond)); !errors.Is(err, hid.ErrTimeout) {
		t.Fatalf("Expire = %v", err)
	}
	if _, ok := dec.Deadline(); ok {
		t.Fatal("still pending after Expire")
	}
}

func TestKeyboardDecoderTooLong(t *testing.T) {
	dec := hid.NewKeyboardDecoder(&hid.ScanOpts{MaxLen: 5})
	got, errs := feed(t, dec, cat(mustKeyboardScan(t, "abcdefgh"), mustKeyboardScan(t, "abcde")))
	if !reflect.DeepEqual(got, []string{"abcde"}) {
		t.Fatalf("scans %q", got)
	}
	checkErrs(t, errs, []error{hid.ErrTooLong})
}

func TestPOSDecoder(t *testing.T) {
	f := hid.DefaultPOSFormat()
	long := "https://zwfw.example.gov.cn/appointments/check-in?code=YY20240601A007&window=3&sig=0123456789abcdef0123456789abcdef"
	report := func(id, n byte, data string, more bool) []byte {
		r := make([]byte, 64)
		r[0], r[1] = id, n
		copy(r[2:], data)
		if more {
			r[63] = 1
		}
		return r
	}
	tests := []struct {
		name    string
		reports [][]byte
		want    []string
		errs    []error
	}{
		{"one report", hidsim.POSScan(f, []byte("YY20240601A007")), []string{"YY20240601A007"}, nil},
		{"exactly 56 bytes", hidsim.POSScan(f, bytes.Repeat([]byte("7"), 56)), []string{strings.Repeat("7", 56)}, nil},
		{"three reports", hidsim.POSScan(f, []byte(long)), []string{long}, nil},
		{"two scans back to back", cat(hidsim.POSScan(f, []byte(long)), hidsim.POSScan(f, []byte("A012"))), []string{long, "A012"}, nil},
		{"CR LF suffix trimmed", hidsim.POSScan(f, []byte("A012\r\n")), []string{"A012"}, nil},
		{"only a suffix is no scan", hidsim.POSScan(f, []byte("\r")), nil, nil},
		{"UTF-8 passes whole", hidsim.POSScan(f, []byte("预约:YY0007")), []string{"预约:YY0007"}, nil},
		{"symbology bytes ignored", [][]byte{func() []byte {
			r := report(0x02, 4, "A012", false)
			copy(r[58:], "]Q1s")
			return r
		}()}, []string{"A012"}, nil},
		{"other report IDs ignored", [][]byte{report(0x04, 3, "abc", false), {}, report(0x02, 3, "xyz", false)}, []string{"xyz"}, nil},
		{"a short report has no flag: last", [][]byte{report(0x02, 3, "abc", true)[:20]}, []string{"abc"}, nil},
		{"length over 56", [][]byte{report(0x02, 57, "abc", false)}, nil, []error{hid.ErrReport}},
		{"length past the report", [][]byte{report(0x02, 30, "abc", false)[:10]}, nil, []error{hid.ErrReport}},
		{"no length byte", [][]byte{{0x02}}, nil, []error{hid.ErrReport}},
		{"malformed report drops the half scan", [][]byte{
			report(0x02, 3, "abc", true), report(0x02, 60, "", false), report(0x02, 3, "def", false),
		}, []string{"def"}, []error{hid.ErrReport}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec, err := hid.NewScanDecoder(nil)
			if err != nil {
				t.Fatal(err)
			}
			got, errs := feed(t, dec, tt.reports)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("scans %q, want %q", got, tt.want)
			}
			checkErrs(t, errs, tt.errs)
		})
	}
}

func TestPOSDecoderAssemblyAndTimeout(t *testing.T) {
	f := hid.DefaultPOSFormat()
	dec, err := hid.NewPOSDecoder(&hid.ScanOpts{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	parts := hidsim.POSScan(f, bytes.Repeat([]byte("x"), 150))
	if len(parts) != 3 || parts[0][63] != 1 || parts[1][63] != 1 || parts[2][63] != 0 {
		t.Fatalf("generator: %d reports", len(parts))
	}
	// Parts 80 ms apart: within the timeout, one scan.
	var got []string
	for i, r := range parts {
		s, err := dec.Decode(r, t0.Add(time.Duration(i)*80*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s...)
	}
	if len(got) != 1 || len(got[0]) != 150 {
		t.Fatalf("scans %q", got)
	}
	// The second part 150 ms late: the first is dropped; the late parts
	// are taken for a new scan.
	s, err := dec.Decode(parts[0], t0)
	if s != nil || err != nil {
		t.Fatal(s, err)
	}
	if dl, ok := dec.Deadline(); !ok || !dl.Equal(t0.Add(100*time.Millisecond)) {
		t.Fatalf("deadline %v %v", dl, ok)
	}
	s, err = dec.Decode(parts[1], t0.Add(150*time.Millisecond))
	if !errors.Is(err, hid.ErrTimeout) || s != nil {
		t.Fatalf("%q, %v", s, err)
	}
	// A half scan that nothing follows expires.
	dec.Reset()
	dec.Decode(parts[0], t0)
	if err := dec.Expire(t0.Add(99 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if err := dec.Expire(t0.Add(100 * time.Millisecond)); !errors.Is(err, hid.ErrTimeout) {
		t.Fatalf("Expire = %v", err)
	}
	if err := dec.Expire(t0.Add(time.Hour)); err != nil {
		t.Fatalf("second Expire = %v", err)
	}
}

func TestPOSDecoderTooLong(t *testing.T) {
	f := hid.DefaultPOSFormat()
	dec, err := hid.NewPOSDecoder(&hid.ScanOpts{MaxLen: 100})
	if err != nil {
		t.Fatal(err)
	}
	got, errs := feed(t, dec, cat(hidsim.POSScan(f, bytes.Repeat([]byte("x"), 170)), hidsim.POSScan(f, []byte("ok"))))
	if !reflect.DeepEqual(got, []string{"ok"}) {
		t.Fatalf("scans %q", got)
	}
	checkErrs(t, errs, []error{hid.ErrTooLong})
}

func TestPOSFormats(t *testing.T) {
	// A reader without a continuation flag: every report a whole scan.
	f := hid.POSFormat{ReportID: 0x02, LengthIndex: 1, DataIndex: 2, MaxData: 62, MoreIndex: -1}
	dec, err := hid.NewPOSDecoder(&hid.ScanOpts{POS: f})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := feed(t, dec, cat(hidsim.POSScan(f, []byte("first")), hidsim.POSScan(f, []byte("second"))))
	if !reflect.DeepEqual(got, []string{"first", "second"}) {
		t.Fatalf("%q", got)
	}
	for _, bad := range []hid.POSFormat{
		{ReportID: 2, LengthIndex: 0, DataIndex: 2, MaxData: 56, MoreIndex: 63, MoreMask: 1},
		{ReportID: 2, LengthIndex: 1, DataIndex: 1, MaxData: 56, MoreIndex: 63, MoreMask: 1},
		{ReportID: 2, LengthIndex: 1, DataIndex: 2, MaxData: 0, MoreIndex: 63, MoreMask: 1},
		{ReportID: 2, LengthIndex: 1, DataIndex: 2, MaxData: 56, MoreIndex: 63, MoreMask: 0},
	} {
		if _, err := hid.NewPOSDecoder(&hid.ScanOpts{POS: bad}); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if _, err := hid.NewScanDecoder(&hid.ScanOpts{Mode: "wedge"}); err == nil {
		t.Error("unknown mode accepted")
	}
}
