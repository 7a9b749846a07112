// SPDX-License-Identifier: AGPL-3.0-or-later

package hid_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"yichuang/devices/hid"
	"yichuang/devices/sim/hidsim"
)

// splitReports cuts fuzz input into timed reports: each starts with a
// length byte (mod 70) and a gap byte (milliseconds, times 2).
func splitReports(data []byte) (reports [][]byte, gaps []time.Duration) {
	for len(data) >= 2 {
		n, gap := int(data[0])%70, time.Duration(data[1])*2*time.Millisecond
		data = data[2:]
		n = min(n, len(data))
		reports, gaps = append(reports, data[:n]), append(gaps, gap)
		data = data[n:]
	}
	return reports, gaps
}

// joinReports is splitReports' inverse, for seeds.
func joinReports(reports [][]byte, gap byte) []byte {
	var out []byte
	for _, r := range reports {
		out = append(out, byte(len(r)), gap)
		out = append(out, r...)
	}
	return out
}

func seedFromGolden(f *testing.F, prefix string) {
	files, _ := filepath.Glob(filepath.Join(goldenDir, prefix+"*.hex"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		steps, err := hidsim.ParseHex(data)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(joinReports(hidsim.ReportsOf(steps), 2))
		f.Add(joinReports(hidsim.ReportsOf(steps), 200)) // every gap too long
	}
}

func checkScanErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if !errors.Is(err, hid.ErrReport) && !errors.Is(err, hid.ErrTimeout) && !errors.Is(err, hid.ErrTooLong) {
		t.Fatalf("unexpected error %v", err)
	}
}

func fuzzScans(t *testing.T, dec hid.ScanDecoder, data []byte, maxLen int, check func(string)) {
	reports, gaps := splitReports(data)
	at := t0
	for i, r := range reports {
		at = at.Add(gaps[i])
		if i%7 == 6 {
			checkScanErr(t, dec.Expire(at))
		}
		scans, err := dec.Decode(r, at)
		checkScanErr(t, err)
		for _, s := range scans {
			if s == "" || len(s) > maxLen {
				t.Fatalf("scan of %d bytes", len(s))
			}
			check(s)
		}
		if dl, ok := dec.Deadline(); ok && dl.Before(at) {
			t.Fatalf("deadline %v before the last report %v", dl, at)
		}
	}
}

func FuzzPOSDecoder(f *testing.F) {
	seedFromGolden(f, "qr_hidpos")
	f.Add(joinReports([][]byte{{0x02, 0xFF}, {0x02, 56}, {0x02}, {}}, 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxLen = 200
		dec, err := hid.NewPOSDecoder(&hid.ScanOpts{MaxLen: maxLen, Timeout: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		fuzzScans(t, dec, data, maxLen, func(s string) {
			if strings.HasSuffix(s, "\r") || strings.HasSuffix(s, "\n") {
				t.Fatalf("scan %q keeps its suffix", s)
			}
		})
	})
}

func FuzzKeyboardDecoder(f *testing.F) {
	seedFromGolden(f, "qr_keyboard")
	f.Add(joinReports([][]byte{kr(0, 1, 1, 1, 1, 1, 1), kr(0xFF, 0x28), {0}, kr(0x22, 0x04, 0x04, 0x28)}, 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxLen = 100
		dec := hid.NewKeyboardDecoder(&hid.ScanOpts{MaxLen: maxLen, Timeout: 100 * time.Millisecond})
		fuzzScans(t, dec, data, maxLen, func(s string) {
			for i := 0; i < len(s); i++ {
				if s[i] < 0x20 || s[i] > 0x7E {
					t.Fatalf("scan %q has a non-printable byte", s)
				}
			}
		})
	})
}

func FuzzKeyDecoder(f *testing.F) {
	seedFromGolden(f, "pad_")
	f.Fuzz(func(t *testing.T, data []byte) {
		reports, gaps := splitReports(data)
		for _, m := range hid.KeyMaps() {
			k, err := hid.NewKeyDecoder(m, 0)
			if err != nil {
				t.Fatal(err)
			}
			at := t0
			for i, r := range reports {
				at = at.Add(gaps[i])
				key, ok, err := k.Decode(r, at)
				if err != nil && !errors.Is(err, hid.ErrReport) && !errors.Is(err, hid.ErrAmbiguous) {
					t.Fatalf("%s: unexpected error %v", m.Name, err)
				}
				if ok && (key.Level < hid.LevelMin || key.Level > hid.LevelMax || err != nil) {
					t.Fatalf("%s: key %+v, %v", m.Name, key, err)
				}
			}
		}
	})
}

// What a reader sends decodes to what it read, in either mode.
func FuzzScanRoundTrip(f *testing.F) {
	f.Add(goldenURL)
	f.Add(goldenCheckIn)
	f.Add("预约 ☎ \x00\x01 tail")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1000 {
			return
		}
		pos, err := hid.NewPOSDecoder(nil)
		if err != nil {
			t.Fatal(err)
		}
		got, errs := feed(t, pos, hidsim.POSScan(hid.DefaultPOSFormat(), []byte(s)))
		want := strings.TrimRight(s, "\r\n")
		if errs != nil || (want == "") != (len(got) == 0) || (want != "" && (len(got) != 1 || got[0] != want)) {
			t.Fatalf("HID-POS: %q → %q, %v", s, got, errs)
		}
		reports, err := hidsim.KeyboardScan(s)
		if err != nil {
			return // not printable ASCII: keyboard mode cannot send it
		}
		got, errs = feed(t, hid.NewKeyboardDecoder(nil), reports)
		if errs != nil || (s == "") != (len(got) == 0) || (s != "" && (len(got) != 1 || got[0] != s)) {
			t.Fatalf("keyboard: %q → %q, %v", s, got, errs)
		}
	})
}
