// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// setTokensHelp is what `kioskd-set-tokens --help` prints: the script's
// header comment (lines 2 up to `set -eu`, without "# ").
func setTokensHelp(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../deploy/kioskd-set-tokens.sh")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n")[1:] {
		if strings.HasPrefix(l, "set -eu") {
			break
		}
		l = strings.TrimPrefix(l, "#")
		out = append(out, strings.TrimPrefix(l, " "))
	}
	return strings.Join(out, "\n")
}

func TestManPageFromUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"man", "--date", "2026-12-08", "--see-also", "kioskd-set-tokens(8)"}, &stdout, &stderr); code != 0 {
		t.Fatalf("kioskd man: exit %d: %s", code, stderr.String())
	}
	page := stdout.String()
	for _, want := range []string{
		`.TH "KIOSKD" 1 "2026\-12\-08" "kioskd ` + strings.ReplaceAll(version, "-", `\-`) + `" "yichuang"` + "\n",
		".SH NAME\nkioskd \\- the hall's terminals and queue (一窗)\n.SH SYNOPSIS\n",
		".SH SEE ALSO\nkioskd\\-set\\-tokens(8)\n",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
	// every command of the usage is an item, with its text
	items := 0
	for _, l := range strings.Split(usage, "\n") {
		m := regexp.MustCompile(`^  (kioskd \S.*?)\s{2,}(\S.*)$`).FindStringSubmatch(l)
		if m == nil {
			continue
		}
		items++
		want := ".TP\n\\fB" + manEscape(m[1]) + "\\fR\n" + manEscape(m[2]) + "\n"
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks the item %q", want)
		}
	}
	if items < 8 || strings.Count(page, ".TP\n") != items {
		t.Errorf("%d commands in the usage, %d items in the page", items, strings.Count(page, ".TP\n"))
	}
	// a line that goes on under an item stays with that item
	if !regexp.MustCompile(`(?s)\\fBkioskd token [^\n]*\n[^\n]*\n\(\\\-\\\-hash: the token_sha256 line of a token you have\)\n\.TP\n`).MatchString(page) {
		t.Errorf("the --hash line is not under kioskd token:\n%s", page)
	}
}

func TestManPageFromStdin(t *testing.T) {
	var stdout, stderr bytes.Buffer
	help := setTokensHelp(t)
	err := cmdMan([]string{"--name", "kioskd-set-tokens", "--section", "8", "--stdin"}, strings.NewReader(help), &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	page := stdout.String()
	for _, want := range []string{
		`.TH "KIOSKD\-SET\-TOKENS" 8 `,
		".SH NAME\nkioskd\\-set\\-tokens \\- give every terminal a random token in place of the example's REPLACE\\-ME placeholders",
		".SH SYNOPSIS\n.TP\n\\fBkioskd\\-set\\-tokens [CONFIG [TERMINAL_ENV]]\\fR\ndefault /etc/kioskd/kioskd.toml and /etc/kioskd/terminal.env\n",
		"\n.SH DESCRIPTION\n.PP\nOne placeholder gets the same token in both files",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
}

func TestManPageRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, help, section, want string
	}{
		{"no NAME line", "usage:\n  kioskd serve   run\n", "1", "does not start with"},
		{"another program's help", "other: does things\n", "1", "does not start with"},
		{"an empty summary", "kioskd:\n\nusage:\n", "1", "does not start with"},
		{"a section that is not one", "kioskd: x\n", "1; rm -rf", "not a manual section"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := manPage(manInfo{name: "kioskd", section: tc.section}, tc.help)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"man", "extra"}, &stdout, &stderr); code == 0 || stdout.Len() != 0 {
		t.Errorf("kioskd man extra: exit %d, wrote %q", code, stdout.String())
	}
}

// text that roff would read as requests or escapes is escaped
func TestManPageEscapes(t *testing.T) {
	page, err := manPage(manInfo{name: "x", section: "1"}, "x: a \\fBbold\\fR claim\n\n.so /etc/passwd\n'br\n  .ex --flag   sets \\n\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(page, "\n") {
		if (strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'")) && !regexp.MustCompile(`^\.(TH|SH|PP|TP) ?`).MatchString(l) {
			t.Errorf("line %q is a roff request", l)
		}
	}
	for _, want := range []string{"x \\- a \\efBbold\\efR claim\n", "\\&.so /etc/passwd\n", "\\&'br\n", "\\fB\\&.ex \\-\\-flag\\fR\nsets \\en\n"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
}

// man(1) reads both pages without a warning (what lintian checks)
func TestManPagesFormat(t *testing.T) {
	if _, err := exec.LookPath("man"); err != nil {
		t.Skip("man not installed")
	}
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := cmdMan([]string{"--date", "2026-12-08"}, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	kioskd := filepath.Join(dir, "kioskd.1")
	os.WriteFile(kioskd, stdout.Bytes(), 0o644)
	stdout.Reset()
	if err := cmdMan([]string{"--name", "kioskd-set-tokens", "--section", "8", "--stdin"}, strings.NewReader(setTokensHelp(t)), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	tokens := filepath.Join(dir, "kioskd-set-tokens.8")
	os.WriteFile(tokens, stdout.Bytes(), 0o644)
	for _, f := range []string{kioskd, tokens} {
		cmd := exec.Command("man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", f)
		cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "MANROFFSEQ=", "MANWIDTH=80")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		out, err := cmd.Output()
		if err != nil || errb.Len() > 0 || len(out) == 0 {
			t.Errorf("man %s: %v, %d bytes out, warnings:\n%s", filepath.Base(f), err, len(out), errb.String())
		}
	}
}
