// SPDX-License-Identifier: AGPL-3.0-or-later

package display_test

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"yichuang/devices/display"
)

var update = flag.Bool("update", false, "rewrite the golden commands in testdata/display")

const goldenDir = "../../testdata/display"

// writeHex renders a command as commented hex, 16 bytes a line.
func writeHex(desc string, b []byte) []byte {
	var w bytes.Buffer
	fmt.Fprintf(&w, "# %s\n# %d bytes; regenerate with: go test ./devices/display -run TestGolden -update\n", desc, len(b))
	for i := 0; i < len(b); i += 16 {
		fmt.Fprintf(&w, "% X\n", b[i:min(i+16, len(b))])
	}
	return w.Bytes()
}

// readHex parses writeHex's format; '#' lines are comments.
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

func TestGolden(t *testing.T) {
	bus, err := display.NewBus(&bytes.Buffer{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const call = "A012 请到3号窗口"
	long := "请A012号到3号窗口办理" // 21 columns
	tests := []struct {
		name, desc string
		o          display.Opts
		clear      bool
		text       string
		// what the command says, read back independently of the encoder
		addr int
		want string
	}{
		{name: "line_show", desc: "text line, no address: " + call, o: display.DefaultOpts(), text: call, want: call},
		{name: "line_show_addr3", desc: "text line, address 3: " + call,
			o: display.Opts{Format: display.FormatLine, Addr: 3}, text: call, addr: 3, want: call},
		{name: "line_clear_addr3", desc: "text line, address 3: clear (empty line)",
			o: display.Opts{Format: display.FormatLine, Addr: 3}, clear: true, addr: 3},
		{name: "framed_show_addr1", desc: "framed, address 1, show: " + call,
			o: display.Opts{Format: display.FormatFramed, Addr: 1}, text: call, addr: 1, want: call},
		{name: "framed_clear_addr1", desc: "framed, address 1, clear",
			o: display.Opts{Format: display.FormatFramed, Addr: 1}, clear: true, addr: 1},
		{name: "framed_show_addr2_cut", desc: "framed, address 2, 16 columns: " + long + " cut to 请A012号到3号窗",
			o: display.Opts{Format: display.FormatFramed, Addr: 2}, text: long, addr: 2, want: "请A012号到3号窗"},
		{name: "framed_show_addr2_gb2312", desc: "framed, address 2, GB2312 font: 朱镕基 with 镕 as ？",
			o: display.Opts{Format: display.FormatFramed, Addr: 2, Charset: display.GB2312}, text: "朱镕基", addr: 2, want: "朱？基"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := display.New(bus, &tt.o)
			if err != nil {
				t.Fatal(err)
			}
			var cmd []byte
			if tt.clear {
				cmd, err = d.EncodeClear()
			} else {
				cmd, err = d.EncodeShow(tt.text)
			}
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(goldenDir, tt.name+".hex")
			if *update {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, writeHex(tt.desc, cmd), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			golden := readHex(t, data)
			if !bytes.Equal(cmd, golden) {
				t.Fatalf("encoder and golden file differ:\ngot  % X\nwant % X", cmd, golden)
			}
			// Read the golden bytes back.
			var addr int
			var text string
			if tt.o.Format == display.FormatFramed {
				fs, n, err := display.ParseFrames(golden)
				if err != nil || n != len(golden) || len(fs) != 1 {
					t.Fatalf("ParseFrames = %v, %d, %v", fs, n, err)
				}
				if (fs[0].Cmd == display.CmdClear) != tt.clear {
					t.Errorf("command %v", fs[0].Cmd)
				}
				addr, text = int(fs[0].Addr), fs[0].Text()
			} else {
				line, ok := bytes.CutSuffix(golden, []byte("\r\n"))
				if !ok {
					t.Fatalf("no CR LF at the end")
				}
				var p []byte
				addr, p = display.ParseLine(line)
				text = display.Decode(p)
			}
			if addr != tt.addr || text != tt.want {
				t.Errorf("golden says %q to address %d, want %q to %d", text, addr, tt.want, tt.addr)
			}
		})
	}
}
