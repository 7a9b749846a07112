// SPDX-License-Identifier: AGPL-3.0-or-later

// Command copyright writes the Debian (DEP-5) copyright file of the kioskd
// package from what a kioskd binary actually links: the Go modules its build
// information lists (each module's licence read from its LICENSE file in the
// module cache and identified with github.com/google/licensecheck), the Go
// standard library, and the C libraries that the cgo packages bundle (a
// hand-kept file, c-libraries, since a static archive does not name its
// licence).
//
//	go run . -bin ../../bin/kioskd -license ../../LICENSE -c-libraries c-libraries > copyright
//
// It fails when a module's licence cannot be found or identified, so that no
// linked module goes unlisted.
package main

import (
	"debug/buildinfo"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/google/licensecheck"
)

func main() {
	bin := flag.String("bin", "", "the kioskd binary")
	license := flag.String("license", "LICENSE", "the project's licence text (AGPL-3.0)")
	clibs := flag.String("c-libraries", "", "DEP-5 paragraphs of the bundled C libraries")
	modcache := flag.String("modcache", "", "the Go module cache (default: go env GOMODCACHE)")
	goroot := flag.String("goroot", "", "GOROOT of the toolchain that built -bin (default: go env GOROOT)")
	flag.Parse()
	if err := run(*bin, *license, *clibs, *modcache, *goroot, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "copyright: %v\n", err)
		os.Exit(1)
	}
}

// spdxToDebian maps the licensecheck (SPDX) names to DEP-5 short names.
var spdxToDebian = map[string]string{
	"MIT":          "Expat",
	"BSD-2-Clause": "BSD-2-clause",
	"BSD-3-Clause": "BSD-3-clause",
	"ISC":          "ISC",
	"Zlib":         "Zlib",
	"Apache-2.0":   "Apache-2.0",
	"MPL-2.0":      "MPL-2.0",
	"LGPL-2.1":     "LGPL-2.1",
	"LGPL-3.0":     "LGPL-3",
	"GPL-2.0":      "GPL-2",
	"GPL-3.0":      "GPL-3",
	"AGPL-3.0":     "AGPL-3",
	"CC0-1.0":      "CC0-1.0",
}

// commonLicense names the licences a Debian system ships in
// /usr/share/common-licenses: those paragraphs point there instead of
// repeating the text.
var commonLicense = map[string]string{
	"Apache-2.0": "Apache-2.0",
	"MPL-2.0":    "MPL-2.0",
	"LGPL-2.1":   "LGPL-2.1",
	"LGPL-2.1+":  "LGPL-2.1",
	"LGPL-3":     "LGPL-3",
	"GPL-2":      "GPL-2",
	"GPL-2+":     "GPL-2",
	"GPL-3":      "GPL-3",
	"CC0-1.0":    "CC0-1.0",
}

type module struct {
	path, version, dir string
	license            string // DEP-5 short name
	copyright          []string
	text               string // the licence file, for licences without a common-licenses file
}

func run(bin, license, clibs, modcache, goroot string, w io.Writer) error {
	if bin == "" {
		return errors.New("-bin is required")
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return fmt.Errorf("read build info of %s: %w", bin, err)
	}
	if modcache == "" {
		if modcache, err = goEnv("GOMODCACHE"); err != nil {
			return err
		}
	}
	if goroot == "" {
		if goroot, err = goEnv("GOROOT"); err != nil {
			return err
		}
	}
	agpl, err := os.ReadFile(license)
	if err != nil {
		return fmt.Errorf("read the project licence: %w", err)
	}
	if id, _, err := identify(string(agpl)); err != nil || id != "AGPL-3.0" {
		return fmt.Errorf("%s is not the GNU AGPL v3 text (%s, %v)", license, id, err)
	}

	var mods []module
	std, err := readModule("std", info.GoVersion, goroot)
	if err != nil {
		return fmt.Errorf("the Go standard library: %w", err)
	}
	mods = append(mods, std)
	for _, d := range info.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		dir, err := moduleDir(modcache, m)
		if err != nil {
			return err
		}
		mod, err := readModule(d.Path, m.Version, dir)
		if err != nil {
			return fmt.Errorf("module %s@%s: %w", d.Path, m.Version, err)
		}
		mods = append(mods, mod)
	}

	var c []byte
	if clibs != "" {
		if c, err = os.ReadFile(clibs); err != nil {
			return fmt.Errorf("read the C libraries' paragraphs: %w", err)
		}
	}

	var b strings.Builder
	b.WriteString(`Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: yichuang (kioskd)
Source: https://github.com/yichuang-hall/yichuang
Comment: kioskd is one statically linked program. This file lists what the
 binary of this package links: the project's own code, the Go standard
 library, every Go module in its build information (` + "`go version -m /usr/bin/kioskd`" + `),
 and the C libraries bundled by the Go packages that use cgo (MuPDF and the
 libraries MuPDF bundles, through github.com/gen2brain/go-fitz; libusb and
 hidapi, through github.com/karalabe/usb). Paths under vendor/ name each
 module as ` + "`go mod vendor`" + ` would place it. Because go-fitz (AGPL-3) and
 karalabe/usb (LGPL-3) are linked in, the binary as a whole is distributed
 under the GNU Affero General Public License version 3.

Files: *
Copyright: 2025-2026 The yichuang authors
License: AGPL-3+
`)
	used := map[string]bool{"AGPL-3+": true}
	for _, m := range mods {
		b.WriteString("\nFiles: vendor/" + m.path + "/*\n")
		if m.path == "std" {
			b.WriteString("Comment: the Go standard library and runtime, " + m.version + "\n")
		} else {
			b.WriteString("Comment: Go module " + m.path + " " + m.version + "\n")
		}
		b.WriteString("Copyright: " + strings.Join(m.copyright, "\n           ") + "\n")
		b.WriteString("License: " + m.license + "\n")
		inline := false
		for _, n := range strings.Split(m.license, " and ") {
			if _, ok := commonLicense[n]; ok || n == "AGPL-3" {
				used[n] = true
			} else {
				inline = true
			}
		}
		if inline {
			text, cut := withoutApache2(m.text)
			if cut {
				used["Apache-2.0"] = true
			}
			b.WriteString(indent(text))
		}
	}
	if len(c) > 0 {
		b.WriteString("\n")
		b.Write(c)
		for _, l := range regexp.MustCompile(`(?m)^License: (.+)$`).FindAllStringSubmatch(string(c), -1) {
			for _, name := range regexp.MustCompile(` (or|and) `).Split(l[1], -1) {
				used[strings.TrimSpace(name)] = true
			}
		}
	}
	var names []string
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		switch {
		case n == "AGPL-3+" || n == "AGPL-3":
			fmt.Fprintf(&b, "\nLicense: %s\n", n)
			if n == "AGPL-3+" {
				b.WriteString(indent("This program is free software: you can redistribute it and/or modify it under the terms of the GNU Affero General Public License as published by the Free Software Foundation, either version 3 of the License, or (at your option) any later version.\n\nThe full text of the GNU Affero General Public License version 3 follows.\n\n" + string(agpl)))
			} else {
				b.WriteString(indent("The GNU Affero General Public License version 3, as in the License: AGPL-3+ paragraph above, without the option of a later version."))
			}
		case commonLicense[n] != "":
			fmt.Fprintf(&b, "\nLicense: %s\n", n)
			later := ""
			if strings.HasSuffix(n, "+") {
				later = ", or (at your option) any later version"
			}
			b.WriteString(indent(fmt.Sprintf("This is licensed under the %s licence%s.\n\nOn Debian systems, the complete text of this licence can be found in\n/usr/share/common-licenses/%s.", strings.TrimSuffix(n, "+"), later, commonLicense[n])))
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

func goEnv(name string) (string, error) {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// moduleDir is where the module cache keeps m (upper-case letters are
// escaped as !lower-case).
func moduleDir(modcache string, m *debug.Module) (string, error) {
	if strings.HasPrefix(m.Path, ".") || strings.HasPrefix(m.Path, "/") {
		return m.Path, nil
	}
	var esc strings.Builder
	for _, r := range m.Path + "@" + m.Version {
		if 'A' <= r && r <= 'Z' {
			esc.WriteByte('!')
			r += 'a' - 'A'
		}
		esc.WriteRune(r)
	}
	dir := filepath.Join(modcache, esc.String())
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("module %s@%s is not in the module cache (go mod download): %w", m.Path, m.Version, err)
	}
	return dir, nil
}

var licenseFile = regexp.MustCompile(`(?i)^(LICEN[CS]E|COPYING)(\.(md|txt))?$`)

func readModule(path, version, dir string) (module, error) {
	m := module{path: path, version: version, dir: dir}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return m, fmt.Errorf("read %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.IsDir() || !licenseFile.MatchString(e.Name()) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return m, fmt.Errorf("read %s: %w", e.Name(), err)
		}
		id, cov, err := identify(string(data))
		if err != nil {
			return m, fmt.Errorf("%s: %w", e.Name(), err)
		}
		var names []string
		for _, id := range strings.Split(id, " and ") {
			name, ok := spdxToDebian[id]
			if !ok {
				return m, fmt.Errorf("%s: licence %s (%.0f%% of the file) has no DEP-5 name here: add it to spdxToDebian", e.Name(), id, cov)
			}
			names = append(names, name)
		}
		m.license, m.text = strings.Join(names, " and "), strings.TrimSpace(string(data))
		m.copyright = copyrightLines(string(data))
		break
	}
	if m.license == "" {
		return m, fmt.Errorf("no LICENSE or COPYING file in %s", dir)
	}
	if len(m.copyright) == 0 {
		owner := "The authors of " + path + " (its licence file names no holder)"
		if path == "std" {
			owner = "The Go Authors"
		}
		m.copyright = []string{owner}
	}
	return m, nil
}

// identify names the one licence that makes up most of text.
func identify(text string) (string, float64, error) {
	cov := licensecheck.Scan([]byte(text))
	if len(cov.Match) == 0 || cov.Percent < 75 {
		return "", cov.Percent, fmt.Errorf("no known licence (%.0f%% matched)", cov.Percent)
	}
	// a file with parts under different licences (go.yaml.in/yaml/v3:
	// MIT and Apache-2.0) gives "A and B"
	var ids []string
	for _, m := range cov.Match {
		if !slices.Contains(ids, m.ID) {
			ids = append(ids, m.ID)
		}
	}
	return strings.Join(ids, " and "), cov.Percent, nil
}

var copyrightLine = regexp.MustCompile(`(?m)^\s*Copyright\s+(?:\([cC]\)|©)?\s*(.*\d{4}.*)$`)

func copyrightLines(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range copyrightLine.FindAllStringSubmatch(text, -1) {
		l := strings.TrimSpace(m[1])
		if strings.Contains(l, "Free Software Foundation") {
			continue // the GNU licence's own notice, not the module's
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// indent turns text into a DEP-5 continuation: every line indented by one
// space, empty lines as " .".
// apache2Text is the full Apache License 2.0 as a module's licence file
// may carry it beside other licences: from its title to the end of its
// appendix (or of its terms, when the appendix is left out).
var apache2Text = regexp.MustCompile(`(?s)[^\n]*Apache License\s+Version 2\.0, January 2004.*?END OF TERMS AND CONDITIONS(.*?limitations under the License\.)?`)

// withoutApache2 replaces a full Apache-2.0 text inside a licence file with
// a pointer to the system's copy (Debian wants /usr/share/common-licenses
// referred to, not copied); it says whether it did.
func withoutApache2(text string) (string, bool) {
	if !apache2Text.MatchString(text) {
		return text, false
	}
	return apache2Text.ReplaceAllLiteralString(text, "The Apache License, version 2.0: see the License: Apache-2.0 paragraph\n(/usr/share/common-licenses/Apache-2.0 on Debian systems)."), true
}

func indent(text string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		l = strings.TrimRight(l, " \t\r\f")
		if l == "" {
			b.WriteString(" .\n")
		} else {
			b.WriteString(" " + l + "\n")
		}
	}
	return b.String()
}
