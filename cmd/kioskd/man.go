// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// cmdMan writes a manual page (roff) made from a --help text: kioskd's own
// usage, or with --stdin the --help of another program of the package
// (kioskd-set-tokens), so that the manual pages say what --help says.
// scripts/dist.sh runs it for the .deb; it is not in the usage.
//
//	kioskd man [--name kioskd] [--section 1] [--date 2026-12-08] [--see-also 'a(8),b(1)'] [--stdin]
func cmdMan(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("man", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "kioskd", "the program the page is for")
	section := fs.String("section", "1", "the manual section (1: commands, 8: administration)")
	date := fs.String("date", "", "the date in the page's header (e.g. the commit's)")
	seeAlso := fs.String("see-also", "", "comma-separated pages for SEE ALSO, e.g. kioskd-set-tokens(8)")
	fromStdin := fs.Bool("stdin", false, "read the --help text from stdin instead of kioskd's usage")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("man: unexpected argument %q", fs.Arg(0))
	}
	help := usage
	if *fromStdin {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return fmt.Errorf("man: read the help text: %w", err)
		}
		help = string(b)
	}
	page, err := manPage(manInfo{
		name: *name, section: *section, date: *date,
		source: "kioskd " + version, seeAlso: *seeAlso,
	}, help)
	if err != nil {
		return fmt.Errorf("man: %w", err)
	}
	_, err = io.WriteString(stdout, page)
	return err
}

type manInfo struct {
	name, section, date, source, seeAlso string
}

// an item line of a usage text: indent, term, two or more spaces, text
var manItem = regexp.MustCompile(`^(\s+)(\S(?:.*?\S)?)(?:\s{2,}(\S.*))?$`)

var manSection = regexp.MustCompile(`^[1-9][a-z]*$`)

// manPage turns a help text into a manual page. The help text's first
// paragraph is "NAME: what it does" (the NAME section); a line flush left
// that ends in a colon is a section ("usage:" becomes SYNOPSIS); indented
// lines are items ("  term   what it does", deeper lines continue the item
// above); other lines are paragraphs.
func manPage(info manInfo, help string) (string, error) {
	if !manSection.MatchString(info.section) {
		return "", fmt.Errorf("section %q is not a manual section", info.section)
	}
	help = strings.ReplaceAll(help, "\t", "    ")
	lines := strings.Split(strings.TrimSpace(help), "\n")
	// NAME: the first paragraph
	var first []string
	for len(lines) > 0 && strings.TrimSpace(lines[0]) != "" {
		first = append(first, strings.TrimSpace(lines[0]))
		lines = lines[1:]
	}
	summary, ok := strings.CutPrefix(strings.Join(first, " "), info.name+":")
	summary = strings.TrimSpace(summary)
	if !ok || summary == "" {
		return "", errors.New(`the help text does not start with "` + info.name + `: what it does"`)
	}

	var b strings.Builder
	fmt.Fprintf(&b, ".TH %s %s %s %s %s\n", manQuote(strings.ToUpper(info.name)), info.section,
		manQuote(info.date), manQuote(info.source), manQuote("yichuang"))
	b.WriteString(".SH NAME\n")
	fmt.Fprintf(&b, "%s \\- %s\n", manEscape(info.name), manEscape(summary))

	itemIndent := -1 // the indent of the item being written, -1: none
	para := false    // inside a paragraph of flush-left text
	sections := 0
	implicit := false // in the SYNOPSIS that items without a heading opened
	for _, l := range lines {
		l = strings.TrimRight(l, " \r")
		trimmed := strings.TrimSpace(l)
		indent := len(l) - len(strings.TrimLeft(l, " "))
		switch {
		case trimmed == "":
			itemIndent, para = -1, false
		case indent == 0 && strings.HasSuffix(trimmed, ":") && !strings.Contains(trimmed, " "):
			title := strings.ToUpper(strings.TrimSuffix(trimmed, ":"))
			if title == "USAGE" {
				title = "SYNOPSIS"
			}
			fmt.Fprintf(&b, ".SH %s\n", manEscape(title))
			itemIndent, para, implicit = -1, false, false
			sections++
		case indent == 0:
			if sections == 0 || implicit {
				b.WriteString(".SH DESCRIPTION\n")
				sections++
				implicit, para = false, false
			}
			if !para {
				b.WriteString(".PP\n")
				para = true
			}
			b.WriteString(manEscape(trimmed) + "\n")
			itemIndent = -1
		case itemIndent >= 0 && indent > itemIndent:
			// more of the item above
			b.WriteString(manEscape(trimmed) + "\n")
		default:
			if sections == 0 {
				b.WriteString(".SH SYNOPSIS\n")
				sections++
				implicit = true
			}
			m := manItem.FindStringSubmatch(l)
			b.WriteString(".TP\n")
			fmt.Fprintf(&b, "\\fB%s\\fR\n", manEscape(m[2]))
			if m[3] != "" {
				b.WriteString(manEscape(m[3]) + "\n")
			}
			itemIndent, para = indent, false
		}
	}
	if info.seeAlso != "" {
		b.WriteString(".SH SEE ALSO\n")
		var refs []string
		for _, s := range strings.Split(info.seeAlso, ",") {
			if s = strings.TrimSpace(s); s != "" {
				refs = append(refs, manEscape(s))
			}
		}
		b.WriteString(strings.Join(refs, ",\n") + "\n")
	}
	return b.String(), nil
}

// manEscape makes text safe in roff: backslashes, minus signs (a hyphen in
// an option is a minus: \-), and a leading dot or quote that would make the
// line a request.
func manEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// manQuote is a macro argument: quoted, with a doubled quote for a quote.
func manQuote(s string) string {
	return `"` + strings.ReplaceAll(manEscape(s), `"`, `""`) + `"`
}
