// SPDX-License-Identifier: AGPL-3.0-or-later

package config

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseErrors: whatever the text, Parse never panics, and a refused
// config says why in one line that names the key at fault (a *Error with
// its key) or, for text that is not TOML or a value of the wrong type,
// the line ("config: line N").
func FuzzParseErrors(f *testing.F) {
	for _, s := range []string{
		"listen = \"127.0.0.1:1\"\n",
		"listen = 8080\n",
		"colour = \"red\"\n",
		"[queue]\nmax_recalls = -1\n",
		"terminals = [{ id = \"k\", role = \"kiosk\", token = \"0123456789abcdef\" }]\n",
		"terminals = [{ id = \"k\", role = \"kiosk\", token_sha256 = \"" + HashToken("0123456789abcdef") + "\" }]\n",
		"terminals = [{ id = \"w\", role = \"window\", window = 99, token = \"0123456789abcdef\" }]\n",
		"[tls]\ncert = \"/nonexistent.crt\"\nkey = \"/nonexistent.key\"\n",
		"[tls]\ncert = \"/dev/null\"\nkey = \"/dev/null\"\n",
		"[upstream]\nurl = \"https://hall:8443\"\ntoken = \"t\"\nca_file = \"/nonexistent.pem\"\n",
		"[[zones]]\nid = \"A\"\nname = \"a\"\nwindows = [1]\n[[windows]]\nnumber = 2\n",
		"[hall]\nholidays = [\"2026-02-30\"]\n",
		"[[devices.led]]\nport = \"/dev/x\"\nwindow = 1\nformat = \"framed\"\naddress = 0\n",
		"x = [\n", "[a\n", "\"\\u",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err == nil {
			if c.Location == nil || len(c.Zones) == 0 || c.PublicURL == "" {
				t.Fatal("accepted a config without a location, zones or public_url")
			}
			return
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") {
			t.Fatalf("error is more than one line: %q", msg)
		}
		var ce *Error
		switch {
		case errors.As(err, &ce):
			if ce.Key == "" || !strings.HasPrefix(msg, "config: "+ce.Key+": ") {
				t.Fatalf("error names no key: %q", msg)
			}
		case strings.HasPrefix(msg, "config: line "):
		default:
			t.Fatalf("error names neither a key nor a line: %q", msg)
		}
	})
}
