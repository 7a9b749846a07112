// SPDX-License-Identifier: AGPL-3.0-or-later

package sane

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"yichuang/devices/scanner"
)

func fixture(t *testing.T, name string) map[string]option {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../../testdata/scanner", name))
	if err != nil {
		t.Fatal(err)
	}
	return parseOptions(string(b))
}

func TestParseOptions(t *testing.T) {
	opts := fixture(t, "test-A.txt")
	src := opts["--source"]
	if !slices.Equal(src.values, []string{"Flatbed", "Automatic Document Feeder"}) || src.current != "Flatbed" {
		t.Errorf("--source = %+v", src)
	}
	if res := opts["--resolution"]; !res.isRange || res.min != 1 || res.max != 1200 {
		t.Errorf("--resolution = %+v", res)
	}
	if x := opts["-x"]; !x.isRange || x.max != 200 || x.current != "80" {
		t.Errorf("-x = %+v", x)
	}
	if b := opts["--hand-scanner"]; !slices.Equal(b.values, []string{"yes", "no"}) || b.current != "no" {
		t.Errorf("--hand-scanner = %+v", b)
	}
	if _, ok := opts["Selects"]; ok {
		t.Error("a description line was taken for an option")
	}
	res := fixture(t, "epson2-A.txt")["--resolution"]
	if !slices.Equal(res.values, []string{"75", "150", "300", "600", "1200"}) {
		t.Errorf("epson2 --resolution = %+v", res)
	}
	mode := fixture(t, "brother-A.txt")["--mode"]
	if len(mode.values) != 5 || mode.values[2] != "True Gray" || mode.current != "24bit Color[Fast]" {
		t.Errorf("brother --mode = %+v", mode)
	}
}

func TestMakePlan(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		req     scanner.Request
		want    string // the arguments, space-separated
		flatbed bool
		err     error
	}{
		{"test-A.txt", scanner.Request{}, "--batch-count=1", true, nil},
		{"test-A.txt", scanner.Request{Source: scanner.SourceADF}, "--source=Automatic Document Feeder", false, nil},
		{"test-A.txt", scanner.Request{Source: scanner.SourceADF, Pages: 3, Resolution: 150, Mode: scanner.ModeColor},
			"--source=Automatic Document Feeder --mode=Color --resolution=150 --batch-count=3", false, nil},
		{"test-A.txt", scanner.Request{Source: scanner.SourceFlatbed, Resolution: 5000}, "--source=Flatbed --resolution=1200 --batch-count=1", true, nil},
		{"test-A.txt", scanner.Request{Source: scanner.SourceDuplex}, "", false, scanner.ErrUnsupported},
		{"test-A.txt", scanner.Request{Mode: scanner.ModeLineart}, "", false, scanner.ErrUnsupported},
		{"test-A.txt", scanner.Request{Pages: -1}, "", false, scanner.ErrUnsupported},
		{"fujitsu-fi7160-A.txt", scanner.Request{}, "", false, nil},
		{"fujitsu-fi7160-A.txt", scanner.Request{Source: scanner.SourceADF}, "--source=ADF Front", false, nil},
		{"fujitsu-fi7160-A.txt", scanner.Request{Source: scanner.SourceDuplex, Mode: scanner.ModeGray}, "--source=ADF Duplex --mode=Gray", false, nil},
		{"fujitsu-fi7160-A.txt", scanner.Request{Source: scanner.SourceFlatbed}, "", false, scanner.ErrUnsupported},
		{"epson2-A.txt", scanner.Request{Source: scanner.SourceDuplex, Resolution: 200}, "--source=Automatic Document Feeder --adf-mode=Duplex --resolution=150", false, nil},
		{"epson2-A.txt", scanner.Request{Resolution: 250}, "--resolution=300 --batch-count=1", true, nil},
		{"brother-A.txt", scanner.Request{Source: scanner.SourceDuplex, Mode: scanner.ModeGray}, "--source=Automatic Document Feeder(left aligned,Duplex) --mode=True Gray", false, nil},
		{"brother-A.txt", scanner.Request{Source: scanner.SourceADF, Mode: scanner.ModeColor}, "--source=Automatic Document Feeder(left aligned) --mode=24bit Color[Fast]", false, nil},
		{"brother-A.txt", scanner.Request{Source: scanner.SourceFlatbed, Mode: scanner.ModeLineart}, "--source=FlatBed --mode=Black & White --batch-count=1", true, nil},
		{"genesys-lide220-A.txt", scanner.Request{Source: scanner.SourceFlatbed, Resolution: 200}, "--resolution=150 --batch-count=1", true, nil},
		{"genesys-lide220-A.txt", scanner.Request{Source: scanner.SourceADF}, "", false, scanner.ErrUnsupported},
	} {
		t.Run(tc.fixture+" "+strings.TrimSpace(tc.want), func(t *testing.T) {
			p, err := makePlan(fixture(t, tc.fixture), tc.req)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(p.args, " "); got != tc.want || p.flatbed != tc.flatbed {
				t.Errorf("plan = %q flatbed=%v, want %q flatbed=%v", got, p.flatbed, tc.want, tc.flatbed)
			}
		})
	}
}

func TestCapabilities(t *testing.T) {
	for _, tc := range []struct {
		fixture              string
		flatbed, adf, duplex bool
	}{
		{"test-A.txt", true, true, false},
		{"fujitsu-fi7160-A.txt", false, true, true},
		{"epson2-A.txt", true, true, true},
		{"brother-A.txt", true, true, true},
		{"genesys-lide220-A.txt", true, false, false},
	} {
		c := capabilities(fixture(t, tc.fixture))
		if c.Flatbed != tc.flatbed || c.ADF != tc.adf || c.Duplex != tc.duplex {
			t.Errorf("%s: %+v, want flatbed=%v adf=%v duplex=%v", tc.fixture, c, tc.flatbed, tc.adf, tc.duplex)
		}
	}
}

func TestScanError(t *testing.T) {
	exit := func(code int) error { return &exitCode{code} }
	for _, tc := range []struct {
		name   string
		stderr string
		err    error
		pages  int
		want   error // nil: no error
	}{
		{"clean", "Scanned page 1. (scanner status = 5)\n", nil, 1, nil},
		{"feeder ran out after pages", "scanimage: sane_start: Document feeder out of documents\nBatch terminated, 10 pages scanned\n", nil, 10, nil},
		{"feeder ran out short of --batch-count", "scanimage: sane_start: Document feeder out of documents\nBatch terminated, 10 pages scanned\n", exit(7), 10, nil},
		{"feeder empty at once", "scanimage: sane_start: Document feeder out of documents\n", exit(7), 0, scanner.ErrFeederEmpty},
		{"no docs through sane_read", "scanimage: sane_read: Document feeder out of documents\n", nil, 0, scanner.ErrFeederEmpty},
		{"jam", "scanimage: sane_read: Document feeder jammed\n", exit(6), 2, scanner.ErrJam},
		{"jam by status only", "", exit(6), 0, scanner.ErrJam},
		{"cover", "scanimage: sane_start: Scanner cover is open\n", exit(8), 0, scanner.ErrCoverOpen},
		{"busy", "scanimage: sane_start: Device busy\n", exit(3), 0, scanner.ErrBusy},
		{"open busy", "scanimage: open of device fujitsu:fi-7160:1 failed: Device busy\n", exit(1), 0, scanner.ErrBusy},
		{"no device", "scanimage: open of device nosuch failed: Invalid argument\n", exit(1), 0, scanner.ErrNotFound},
		{"unplugged", "scanimage: open of device x failed: Error during device I/O\n", exit(1), 0, scanner.ErrNotFound},
		{"none at all", "scanimage: no SANE devices found\n", exit(1), 0, scanner.ErrNotFound},
		{"cancelled on the device", "scanimage: sane_read: Operation was canceled\n", exit(2), 1, scanner.ErrCancelled},
		{"io", "scanimage: sane_read: Error during device I/O\n", exit(9), 0, scanner.ErrFailed},
		{"crash", "libpng error: No IDATs written into file\n", exit(-1), 0, scanner.ErrFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := scanError(tc.stderr, tc.err, tc.pages)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// exitCode fakes an *exec.ExitError's code for scanError.
type exitCode struct{ code int }

func (e *exitCode) Error() string { return "exit status" }
func (e *exitCode) ExitCode() int { return e.code }
