// SPDX-License-Identifier: AGPL-3.0-or-later

package idcard_test

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"yichuang/devices"
	"yichuang/devices/idcard"
	"yichuang/devices/sim/idcardsim"
)

var update = flag.Bool("update", false, "rewrite the golden frames in testdata/idcard")

const goldenDir = "../../testdata/idcard"

// writeHex renders a frame as commented hex, 16 bytes a line.
func writeHex(desc string, b []byte) []byte {
	var w bytes.Buffer
	fmt.Fprintf(&w, "# %s\n# %d bytes; regenerate with: go test ./devices/idcard -run TestGolden -update\n", desc, len(b))
	for i := 0; i < len(b); i += 16 {
		line := b[i:min(i+16, len(b))]
		fmt.Fprintf(&w, "% X\n", line)
	}
	return w.Bytes()
}

// readHex parses writeHex's format: '#' lines are comments.
func readHex(t *testing.T, data []byte) []byte {
	t.Helper()
	var out []byte
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(line), " ", ""))
		if err != nil {
			t.Fatalf("bad hex line %q: %v", line, err)
		}
		out = append(out, b...)
	}
	return out
}

type golden struct {
	name, desc string
	frame      []byte
	card       *devices.Card // for base messages: what the frame decodes to
	fp         bool
}

func goldenFrames(t *testing.T) []golden {
	t.Helper()
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cmd := func(c idcard.Command) []byte { return must(idcard.EncodeCommand(c, nil)) }
	ans := func(s idcard.Status, data []byte) []byte { return must(idcardsim.ResponseFrame(s, data)) }
	resident, err := idcardsim.NewCard(idcardsim.SampleResident())
	if err != nil {
		t.Fatal(err)
	}
	g := []golden{
		{name: "cmd_find", desc: "host: find card (20 01)", frame: cmd(idcard.CmdFind)},
		{name: "cmd_select", desc: "host: select card (20 02)", frame: cmd(idcard.CmdSelect)},
		{name: "cmd_read_base", desc: "host: read base message (30 01)", frame: cmd(idcard.CmdReadBase)},
		{name: "cmd_read_base_fp", desc: "host: read base message with fingerprint (30 10)", frame: cmd(idcard.CmdReadBaseFP)},
		{name: "cmd_sam_id", desc: "host: read SAM ID (12 FF)", frame: cmd(idcard.CmdSAMID)},
		{name: "cmd_sam_status", desc: "host: SAM status check (11 FF)", frame: cmd(idcard.CmdSAMStatus)},
		{name: "cmd_reset", desc: "host: reset SAM (10 FF)", frame: cmd(idcard.CmdReset)},
		{name: "ans_found", desc: "reader: card found (9F)", frame: ans(idcard.StatusFound, []byte{0, 0, 0, 0})},
		{name: "ans_no_card", desc: "reader: no card (80)", frame: ans(idcard.StatusNoCard, nil)},
		{name: "ans_selected", desc: "reader: card selected (90) with its serial", frame: ans(idcard.StatusSuccess, resident.Serial[:])},
		{name: "ans_select_failed", desc: "reader: select failed (81)", frame: ans(idcard.StatusSelectFailed, nil)},
		{name: "ans_read_failed", desc: "reader: read failed (41)", frame: ans(idcard.StatusReadFailed, nil)},
		{name: "ans_sam_id", desc: "reader: SAM ID 05.01-20212813-0000012345-1234567890",
			frame: ans(idcard.StatusSuccess, []byte{0x05, 0x00, 0x01, 0x00, 0x4d, 0x6c, 0x34, 0x01, 0x39, 0x30, 0x00, 0x00, 0xd2, 0x02, 0x96, 0x49})},
	}
	base := []struct {
		name, desc string
		card       devices.Card
		fp         bool
	}{
		{"ans_base_resident", "reader: base message (30 01), resident card with 䶮 (U+4DAE)", idcardsim.SampleResident(), false},
		{"ans_base_resident_supplementary", "reader: base message (30 01), resident card with 𠮷 (U+20BB7, a surrogate pair)", idcardsim.SampleResidentSupplementary(), false},
		{"ans_base_foreign", "reader: base message (30 01), foreign permanent resident card 2017 ('I')", idcardsim.SampleForeign(), false},
		{"ans_base_foreign_2023", "reader: base message (30 01), foreign permanent resident card 2023 ('Y')", idcardsim.SampleForeign2023(), false},
		{"ans_base_residence_permit", "reader: base message (30 01), Hong Kong/Macau/Taiwan residence permit ('J')", idcardsim.SampleResidencePermit(), false},
		{"ans_base_resident_fp", "reader: base message with fingerprint (30 10), resident card", idcardsim.SampleResident(), true},
	}
	for _, b := range base {
		c := b.card
		if b.fp {
			c.Fingerprint = bytes.Repeat([]byte{0x43, 0x01}, idcard.FingerprintSize/2)
		}
		raw, err := idcardsim.NewCard(c)
		if err != nil {
			t.Fatal(err)
		}
		want := c
		want.Photo = raw.Photo
		g = append(g, golden{name: b.name, desc: b.desc, frame: must(idcardsim.BaseFrame(raw, b.fp)), card: &want, fp: b.fp})
	}
	return g
}

func TestGolden(t *testing.T) {
	for _, g := range goldenFrames(t) {
		t.Run(g.name, func(t *testing.T) {
			path := filepath.Join(goldenDir, g.name+".hex")
			if *update {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, writeHex(g.desc, g.frame), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			frame := readHex(t, data)
			if !bytes.Equal(frame, g.frame) {
				t.Fatalf("encoder and golden file differ:\ngot  % X\nwant % X", g.frame, frame)
			}
			// Decode the golden file independently of how it was made.
			body, n, err := idcard.Scan(frame)
			if err != nil || n != len(frame) {
				t.Fatalf("Scan = %d, %v", n, err)
			}
			if strings.HasPrefix(g.name, "cmd_") {
				if _, _, err := idcard.ParseCommand(body); err != nil {
					t.Fatal(err)
				}
				return
			}
			r, err := idcard.ParseResponse(body)
			if err != nil {
				t.Fatal(err)
			}
			if g.card == nil {
				return
			}
			if r.SW3 != idcard.StatusSuccess {
				t.Fatalf("SW3 %v", r.SW3)
			}
			got, err := idcard.DecodeBase(r.Data, g.fp)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, *g.card) {
				t.Errorf("decoded\n%+v\nwant\n%+v", got, *g.card)
			}
		})
	}
}
