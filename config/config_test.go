// SPDX-License-Identifier: AGPL-3.0-or-later

package config

import (
	"strings"
	"testing"
)

func TestDefault(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8080" || c.DataDir != "./data" || c.PublicURL != "http://127.0.0.1:8080" {
		t.Fatalf("default = %s %s %s", c.Listen, c.DataDir, c.PublicURL)
	}
	if len(c.Zones) != 9 {
		t.Fatalf("%d zones, want the plan's 9", len(c.Zones))
	}
	// the plan's window counts for the seven comprehensive areas
	want := map[string]int{"A": 3, "B": 4, "C": 4, "D": 6, "E": 2, "F": 2, "G": 2}
	for _, z := range c.Zones {
		if n, ok := want[z.ID]; ok && len(z.Windows) != n {
			t.Errorf("zone %s %s has %d windows, want %d", z.ID, z.Name, len(z.Windows), n)
		}
		if z.Prefix != z.ID {
			t.Errorf("zone %s prefix %q", z.ID, z.Prefix)
		}
	}
	if z, ok := c.ZoneOf(26); !ok || z.Name != "公安专区" {
		t.Fatalf("window 26 in %+v", z)
	}
	if c.Location.String() != "Asia/Shanghai" {
		t.Fatal(c.Location)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, toml, want string
	}{
		{"unknown key", "listne = \"x\"", "config: listne: unknown key"},
		{"unknown nested key", "[queue]\npriority = 1", "config: queue.priority: unknown key"},
		{"syntax", "listen = ", "config: line 1"},
		{"bad listen", `listen = "8080"`, "config: listen:"},
		{"bad timezone", `timezone = "Mars/Base"`, "config: timezone:"},
		{"bad public url", `public_url = "ftp://x"`, "config: public_url:"},
		{"wrong type", `listen = 8080`, "config: line 1"},
		{"negative ratio", "[queue]\npriority_ratio = -1", "config: queue.priority_ratio:"},
		{"closing before opening", "[hall]\nopening = \"18:00\"", "config: hall.closing:"},
		{"unknown mode", "mode = \"test\"", "config: mode:"},
		{"negative issue cost", "[limits]\nissue_cost = -1", "config: limits.issue_cost:"},
		{"bad holiday", "[hall]\nholidays = [\"2026-13-01\"]", "config: hall.holidays[0]:"},
		{"window in two zones", "[[zones]]\nid = \"A\"\nname = \"a\"\nwindows = [1, 2]\n[[zones]]\nid = \"B\"\nname = \"b\"\nwindows = [2]\n",
			"config: zones[1].windows: window 2 is in zone A and zone B"},
		{"zone twice", "[[zones]]\nid = \"A\"\nname = \"a\"\n[[zones]]\nid = \"A\"\nname = \"b\"\n", "config: zones[1].id:"},
		{"lower-case zone", "[[zones]]\nid = \"a\"\nname = \"a\"\n", "config: zones[0].id:"},
		{"help unknown zone", "[[windows]]\nnumber = 20\nhelps = [\"Z\"]\n", "config: windows[0].helps:"},
		{"window of no zone", "[[windows]]\nnumber = 99\n", "config: windows[0].number:"},
		{"bad role", `terminals = [{ id = "k", role = "boss", token = "0123456789abcdef" }]`, "config: terminals[0].role:"},
		{"short token", `terminals = [{ id = "k", role = "kiosk", token = "short" }]`, "config: terminals[0].token:"},
		{"window terminal without window", `terminals = [{ id = "w", role = "window", token = "0123456789abcdef" }]`, "config: terminals[0].window:"},
		{"same token twice", `terminals = [{ id = "a", role = "kiosk", token = "0123456789abcdef" }, { id = "b", role = "guide", token = "0123456789abcdef" }]`, "config: terminals[1].token:"},
		{"bad printer width", "[devices.printer]\nwidth_mm = 70", "config: devices.printer.width_mm:"},
		{"bad scanner", "[devices.scanner]\nbackend = \"fax\"", "config: devices.scanner.backend:"},
		{"district without centre", "[district]\nhub = true\nleaf_listen = \"127.0.0.1:7422\"", "config: district.centre:"},
		{"district bad centre", "[district]\ncentre = \"a b\"\ntoken = \"0123456789abcdef\"", "config: district.centre:"},
		{"district short token", "[district]\ncentre = \"350303-01\"\ntoken = \"short\"\nurl = [\"nats-leaf://h:7422\"]", "config: district.token:"},
		{"district hub without listen", "[district]\ncentre = \"350303-00\"\nhub = true\ntoken = \"0123456789abcdef\"", "config: district.leaf_listen:"},
		{"district hub with url", "[district]\ncentre = \"350303-00\"\nhub = true\nleaf_listen = \"127.0.0.1:7422\"\ntoken = \"0123456789abcdef\"\nurl = [\"nats-leaf://h:7422\"]", "config: district.url:"},
		{"district centre without url", "[district]\ncentre = \"350303-01\"\ntoken = \"0123456789abcdef\"", "config: district.url:"},
		{"district bad url", "[district]\ncentre = \"350303-01\"\ntoken = \"0123456789abcdef\"\nurl = [\"http://h:7422\"]", "config: district.url[0]:"},
		{"district hub cert without key", "[district]\ncentre = \"350303-00\"\nhub = true\nleaf_listen = \"127.0.0.1:7422\"\ntoken = \"0123456789abcdef\"\ncert = \"x.pem\"", "config: district.cert:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.toml))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v, want prefix %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is more than one line: %q", err)
			}
		})
	}
}

func TestOverride(t *testing.T) {
	c, err := Parse([]byte(`
listen = "0.0.0.0:9000"
public_url = "http://192.168.1.10:9000/"
terminals = [{ id = "window-3", role = "window", window = 3, token = "0123456789abcdef" }]
[[zones]]
id = "A"
name = "综合受理区"
windows = [1, 2, 3]
[queue]
priority_ratio = 3
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Zones) != 1 || c.Windows != nil || c.Queue.PriorityRatio != 3 || c.Queue.MaxRecalls != 2 {
		t.Fatalf("override: zones %d windows %v queue %+v", len(c.Zones), c.Windows, c.Queue)
	}
	if c.PublicURL != "http://192.168.1.10:9000" {
		t.Fatal(c.PublicURL)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("listen = \"127.0.0.1:1\"\n"))
	f.Add([]byte("[[zones]]\nid = \"A\"\nname = \"a\"\nwindows = [1]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err == nil && (c.Location == nil || len(c.Zones) == 0) {
			t.Fatal("accepted a config without a location or zones")
		}
	})
}
