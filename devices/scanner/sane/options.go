// SPDX-License-Identifier: AGPL-3.0-or-later

package sane

import (
	"bufio"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"yichuang/devices/scanner"
)

// option is one backend option as `scanimage -A` prints it:
//
//	--source Flatbed|Automatic Document Feeder [Flatbed]
//	--resolution 50..600dpi (in steps of 1) [600]
type option struct {
	name     string   // "--source", "-x"
	values   []string // a list constraint, units stripped from numbers
	min, max float64  // a range constraint, when values is empty
	isRange  bool
	current  string // the value in brackets; "inactive" for an inactive option
}

var optionLine = regexp.MustCompile(`^\s{2,6}(--?[A-Za-z0-9][\w-]*)(?:\[=\(([^)]*)\)\])?(?:\s+(.*?))?\s+\[(.*)\]\s*$`)

// parseOptions reads `scanimage -d DEVICE -A` output.
func parseOptions(text string) map[string]option {
	opts := make(map[string]option)
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		m := optionLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		o := option{name: m[1], current: m[4]}
		c := m[3]
		if m[2] != "" {
			c = m[2] // a boolean: [=(yes|no)]
		}
		c, _, _ = strings.Cut(c, " (in steps of")
		c, _, _ = strings.Cut(c, ",...") // an array: take its element constraint
		if lo, hi, ok := strings.Cut(c, ".."); ok && !strings.Contains(c, "|") {
			min, err1 := strconv.ParseFloat(lo, 64)
			max, err2 := strconv.ParseFloat(trimUnit(hi), 64)
			if err1 == nil && err2 == nil {
				o.min, o.max, o.isRange = min, max, true
			}
		} else if c != "" && !strings.HasPrefix(c, "<") {
			o.values = strings.Split(c, "|")
			if last := len(o.values) - 1; isNumber(trimUnit(o.values[last])) {
				o.values[last] = trimUnit(o.values[last])
			}
		}
		opts[o.name] = o
	}
	return opts
}

// trimUnit drops a trailing unit: "600dpi" → "600", "215.9mm" → "215.9".
func trimUnit(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool {
		return r == '%' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	})
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// Words the backends use for their sources and modes (sane-backends'
// fujitsu, epson2, epsonds, canon_dr, avision, pixma, genesys, hpaio,
// brother, airscan, test, ...).
var (
	flatbedWords = []string{"flatbed", "platen", "normal", "document table"}
	adfWords     = []string{"adf", "feeder", "automatic document", "document feeder"}
	duplexWords  = []string{"duplex"}
	notADFWords  = []string{"duplex", "back", "rear"}
	colorWords   = []string{"color", "colour", "24bit", "rgb"}
	grayWords    = []string{"true gray", "gray", "grey", "8bit"}
	lineartWords = []string{"lineart", "line art", "binary", "black & white", "black and white", "1bit", "monochrome", "halftone"}
)

func hasAny(s string, words []string) bool {
	s = strings.ToLower(s)
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// pick returns a value containing one of words and none of but; earlier
// words win ("True Gray" over "Gray[Error Diffusion]").
func pick(values []string, words, but []string) (string, bool) {
	for _, w := range words {
		for _, v := range values {
			if hasAny(v, []string{w}) && !hasAny(v, but) {
				return v, true
			}
		}
	}
	return "", false
}

// plan is how one Request becomes scanimage arguments.
type plan struct {
	args    []string // source, mode, resolution and page count options
	flatbed bool     // the source is a flatbed: "until empty" means one page
	dpi     int      // the resolution asked of the device, 0 if left alone
}

// makePlan maps r onto the device's options.
func makePlan(opts map[string]option, r scanner.Request) (plan, error) {
	var p plan
	src, hasSrc := opts["--source"]
	switch r.Source {
	case scanner.SourceDefault:
		p.flatbed = !hasSrc || !hasAny(src.current, adfWords)
	case scanner.SourceFlatbed:
		p.flatbed = true
		if hasSrc {
			v, ok := pick(src.values, flatbedWords, nil)
			if !ok {
				return p, fmt.Errorf("no flatbed among sources %q: %w", src.values, scanner.ErrUnsupported)
			}
			p.args = append(p.args, "--source="+v)
		}
	case scanner.SourceADF:
		v, ok := pick(src.values, adfWords, notADFWords)
		if !ok {
			return p, fmt.Errorf("no document feeder among sources %q: %w", src.values, scanner.ErrUnsupported)
		}
		p.args = append(p.args, "--source="+v)
	case scanner.SourceDuplex:
		if v, ok := pick(src.values, duplexWords, nil); ok {
			p.args = append(p.args, "--source="+v)
			break
		}
		adf, ok := pick(src.values, adfWords, notADFWords)
		mode, hasMode := opts["--adf-mode"] // epson2, epsonds: --source ADF --adf-mode Duplex
		dup, hasDup := pick(mode.values, duplexWords, nil)
		if !ok || !hasMode || !hasDup {
			return p, fmt.Errorf("no duplex feeder among sources %q: %w", src.values, scanner.ErrUnsupported)
		}
		p.args = append(p.args, "--source="+adf, "--adf-mode="+dup)
	default:
		return p, fmt.Errorf("source %q: %w", r.Source, scanner.ErrUnsupported)
	}

	if r.Mode != scanner.ModeDefault {
		var words []string
		switch r.Mode {
		case scanner.ModeColor:
			words = colorWords
		case scanner.ModeGray:
			words = grayWords
		case scanner.ModeLineart:
			words = lineartWords
		default:
			return p, fmt.Errorf("mode %q: %w", r.Mode, scanner.ErrUnsupported)
		}
		// A device without a mode option has only the one it has.
		if mode, ok := opts["--mode"]; ok {
			v, ok := pick(mode.values, words, nil)
			if !ok {
				return p, fmt.Errorf("no %s mode among %q: %w", r.Mode, mode.values, scanner.ErrUnsupported)
			}
			p.args = append(p.args, "--mode="+v)
		}
	}

	if r.Resolution < 0 {
		return p, fmt.Errorf("resolution %d: %w", r.Resolution, scanner.ErrUnsupported)
	}
	if res, ok := opts["--resolution"]; ok && r.Resolution > 0 {
		dpi := nearest(res, r.Resolution)
		p.dpi = dpi
		p.args = append(p.args, "--resolution="+strconv.Itoa(dpi))
	}

	switch {
	case r.Pages < 0:
		return p, fmt.Errorf("%d pages: %w", r.Pages, scanner.ErrUnsupported)
	case r.Pages > 0:
		p.args = append(p.args, "--batch-count="+strconv.Itoa(r.Pages))
	case p.flatbed:
		p.args = append(p.args, "--batch-count=1")
	}
	return p, nil
}

// nearest returns the value of the resolution option closest to want.
func nearest(o option, want int) int {
	if o.isRange {
		return int(math.Round(math.Min(math.Max(float64(want), o.min), o.max)))
	}
	best, bestDiff := want, math.Inf(1)
	for _, v := range o.values {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			continue
		}
		if d := math.Abs(f - float64(want)); d < bestDiff {
			best, bestDiff = int(math.Round(f)), d
		}
	}
	return best
}

// Capabilities summarise what a device offers, for an admin page or the
// doctor command.
type Capabilities struct {
	Sources     []string // the device's own names, e.g. "Flatbed", "ADF Duplex"
	Modes       []string // e.g. "Color", "Gray", "Lineart"
	Resolutions []int    // a list of resolutions, or
	MinDPI      int      // a range
	MaxDPI      int
	Flatbed     bool
	ADF         bool
	Duplex      bool
}

func capabilities(opts map[string]option) Capabilities {
	var c Capabilities
	src, hasSrc := opts["--source"]
	c.Sources = src.values
	c.Flatbed = !hasSrc
	if _, ok := pick(src.values, flatbedWords, nil); ok {
		c.Flatbed = true
	}
	_, c.ADF = pick(src.values, adfWords, notADFWords)
	if _, ok := pick(src.values, duplexWords, nil); ok {
		c.Duplex = true
	} else if _, ok := pick(opts["--adf-mode"].values, duplexWords, nil); ok && c.ADF {
		c.Duplex = true
	}
	c.Modes = opts["--mode"].values
	if res, ok := opts["--resolution"]; ok {
		if res.isRange {
			c.MinDPI, c.MaxDPI = int(res.min), int(res.max)
		} else {
			for _, v := range res.values {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					c.Resolutions = append(c.Resolutions, int(f))
				}
			}
		}
	}
	return c
}
