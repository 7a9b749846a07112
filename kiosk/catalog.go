// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"

	"yichuang/config"
)

// Matter is one standardised matter (事项).
type Matter struct {
	Code          string   `json:"code"`
	Name          string   `json:"name"`
	Department    string   `json:"department"`
	Zone          string   `json:"zone"`
	PromiseDays   int      `json:"promise_days"`
	StatutoryDays int      `json:"statutory_days"`
	Materials     []string `json:"materials"`
	MailOK        bool     `json:"mail_ok"`
	NameEN        string   `json:"name_en,omitempty"` // the English name, from the catalog or config/synonyms.json

	aliases  []string // search keys from the synonyms (kiosk/synonyms.go)
	initials string   // pinyin initials of Name, lower case
	full     string   // full pinyin of Name, lower case, no spaces
	code     string   // Code, lower case
}

// Package is a 一件事 bundle of matters across departments.
type Package struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Matters     []string `json:"matters"`
	LeadZone    string   `json:"lead_zone,omitempty"`
	Departments []string `json:"departments"`
	Materials   []string `json:"materials"` // merged, each once
	// MaterialUse says, for each merged material, which of the package's
	// matters ask for it: captured once, attached to every one of them.
	MaterialUse map[string][]string `json:"material_use"`

	initials, full, code string
}

// Catalog is the hall's list of matters and packages.
type Catalog struct {
	matters   []*Matter
	byCode    map[string]*Matter
	packages  []*Package
	pkgByCode map[string]*Package
	// the search index: every matter's (then every package's) initials,
	// name, code and full pinyin in one text, fields and entries apart by
	// NUL, and where each entry starts; and each one's JSON, encoded once
	index  string
	starts []int // len(matters)+len(packages)+1 offsets into index
	jsonOf map[any][]byte
}

// catalogFile is the JSON form of a catalog.
type catalogFile struct {
	Note     string    `json:"note,omitempty"`
	Matters  []Matter  `json:"matters"`
	Packages []Package `json:"packages"`
}

// ParseCatalog reads a catalog in JSON (an object with "matters" and
// "packages") or CSV (a header row naming the columns code, name,
// department, zone, promise_days, statutory_days, materials, mail_ok;
// materials separated by "；" or ";"). zones is the set of zone ids the
// hall has; excluded lists departments whose results are never mailed free.
func ParseCatalog(data []byte, zones []string, excluded []string) (*Catalog, error) {
	return ParseCatalogWithPackages(data, nil, zones, excluded)
}

// ParseCatalogWithPackages is ParseCatalog whose packages, when packagesCSV
// is given, come from a CSV with the columns code, name, matters (codes
// separated by ";") and, optionally, lead_zone.
func ParseCatalogWithPackages(data, packagesCSV []byte, zones []string, excluded []string) (*Catalog, error) {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	var f catalogFile
	if len(trimmed) > 0 && trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("catalog: json: %w", err)
		}
	} else {
		ms, err := parseMattersCSV(trimmed)
		if err != nil {
			return nil, err
		}
		f.Matters = ms
	}
	if packagesCSV != nil {
		ps, err := parsePackagesCSV(packagesCSV)
		if err != nil {
			return nil, err
		}
		f.Packages = ps
	}
	return newCatalog(f, zones, excluded)
}

// readCSV reads a CSV with a header row; need names the columns it must have.
func readCSV(data []byte, what string, need ...string) (col map[string]int, rows [][]string, err error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("catalog: %s csv header: %w", what, err)
	}
	col = map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.ToLower(h))] = i
	}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return nil, nil, fmt.Errorf("catalog: %s csv: no %q column", what, n)
		}
	}
	rows, err = r.ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("catalog: %s csv: %w", what, err)
	}
	return col, rows, nil
}

func parsePackagesCSV(data []byte) ([]Package, error) {
	col, rows, err := readCSV(data, "packages", "code", "name", "matters")
	if err != nil {
		return nil, err
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	out := make([]Package, 0, len(rows))
	for _, rec := range rows {
		p := Package{Code: get(rec, "code"), Name: get(rec, "name"), LeadZone: get(rec, "lead_zone")}
		for _, code := range strings.FieldsFunc(get(rec, "matters"), func(r rune) bool { return r == ';' || r == '；' || r == '|' }) {
			if code = strings.TrimSpace(code); code != "" {
				p.Matters = append(p.Matters, code)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

func parseMattersCSV(data []byte) ([]Matter, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("catalog: csv header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.ToLower(h))] = i
	}
	for _, need := range []string{"code", "name", "department", "zone", "promise_days"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("catalog: csv: no %q column", need)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []Matter
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("catalog: csv: %w", err)
		}
		m := Matter{Code: get(rec, "code"), Name: get(rec, "name"), Department: get(rec, "department"), Zone: get(rec, "zone")}
		if m.PromiseDays, err = strconv.Atoi(get(rec, "promise_days")); err != nil {
			return nil, fmt.Errorf("catalog: csv line %d: promise_days %q is not a number", line, get(rec, "promise_days"))
		}
		if s := get(rec, "statutory_days"); s != "" {
			if m.StatutoryDays, err = strconv.Atoi(s); err != nil {
				return nil, fmt.Errorf("catalog: csv line %d: statutory_days %q is not a number", line, s)
			}
		}
		for _, mat := range strings.FieldsFunc(get(rec, "materials"), func(r rune) bool { return r == ';' || r == '；' || r == '|' }) {
			if mat = strings.TrimSpace(mat); mat != "" {
				m.Materials = append(m.Materials, mat)
			}
		}
		switch strings.ToLower(get(rec, "mail_ok")) {
		case "", "true", "1", "yes", "是":
			m.MailOK = get(rec, "mail_ok") != ""
		case "false", "0", "no", "否":
		default:
			return nil, fmt.Errorf("catalog: csv line %d: mail_ok %q is not true or false", line, get(rec, "mail_ok"))
		}
		out = append(out, m)
	}
	return out, nil
}

func newCatalog(f catalogFile, zones []string, excluded []string) (*Catalog, error) {
	c := &Catalog{byCode: map[string]*Matter{}, pkgByCode: map[string]*Package{}}
	args := pinyin.NewArgs()
	for i := range f.Matters {
		m := f.Matters[i]
		where := fmt.Sprintf("catalog: matter %d (%s)", i+1, m.Code)
		switch {
		case strings.TrimSpace(m.Code) == "":
			return nil, fmt.Errorf("%s: no code", where)
		case strings.TrimSpace(m.Name) == "":
			return nil, fmt.Errorf("%s: no name", where)
		case strings.TrimSpace(m.Department) == "":
			return nil, fmt.Errorf("%s: no department", where)
		case !slices.Contains(zones, m.Zone):
			return nil, fmt.Errorf("%s: zone %q is not a zone of the hall", where, m.Zone)
		case m.PromiseDays < 0 || m.StatutoryDays < 0:
			return nil, fmt.Errorf("%s: negative time limit", where)
		case m.StatutoryDays > 0 && m.PromiseDays > m.StatutoryDays:
			return nil, fmt.Errorf("%s: promise_days %d exceeds statutory_days %d", where, m.PromiseDays, m.StatutoryDays)
		}
		if _, dup := c.byCode[m.Code]; dup {
			return nil, fmt.Errorf("%s: code given twice", where)
		}
		if slices.Contains(excluded, m.Department) {
			m.MailOK = false
		}
		m.initials, m.full = pinyinKeys(m.Name, args)
		m.code = strings.ToLower(m.Code)
		c.matters = append(c.matters, &m)
		c.byCode[m.Code] = &m
	}
	for i := range f.Packages {
		p := f.Packages[i]
		where := fmt.Sprintf("catalog: package %d (%s)", i+1, p.Code)
		if strings.TrimSpace(p.Code) == "" || strings.TrimSpace(p.Name) == "" {
			return nil, fmt.Errorf("%s: needs a code and a name", where)
		}
		if _, dup := c.pkgByCode[p.Code]; dup {
			return nil, fmt.Errorf("%s: code given twice", where)
		}
		if len(p.Matters) == 0 {
			return nil, fmt.Errorf("%s: no matters", where)
		}
		p.Departments, p.Materials, p.MaterialUse = nil, nil, map[string][]string{}
		for _, code := range p.Matters {
			m, ok := c.byCode[code]
			if !ok {
				return nil, fmt.Errorf("%s: unknown matter %q", where, code)
			}
			if !slices.Contains(p.Departments, m.Department) {
				p.Departments = append(p.Departments, m.Department)
			}
			for _, mat := range m.Materials {
				if !slices.Contains(p.Materials, mat) {
					p.Materials = append(p.Materials, mat)
				}
				if !slices.Contains(p.MaterialUse[mat], m.Code) {
					p.MaterialUse[mat] = append(p.MaterialUse[mat], m.Code)
				}
			}
		}
		if p.LeadZone == "" {
			p.LeadZone = c.byCode[p.Matters[0]].Zone
		}
		if !slices.Contains(zones, p.LeadZone) {
			return nil, fmt.Errorf("%s: lead_zone %q is not a zone of the hall", where, p.LeadZone)
		}
		p.initials, p.full = pinyinKeys(p.Name, args)
		p.code = strings.ToLower(p.Code)
		c.packages = append(c.packages, &p)
		c.pkgByCode[p.Code] = &p
	}
	if err := c.applySynonyms(config.DefaultSynonyms(), args); err != nil {
		return nil, err
	}
	if err := c.buildIndex(); err != nil {
		return nil, err
	}
	return c, nil
}

// buildIndex makes the search index and encodes each entry's JSON once.
func (c *Catalog) buildIndex() error {
	var b strings.Builder
	c.jsonOf = make(map[any][]byte, len(c.matters)+len(c.packages))
	add := func(v any, fields ...string) error {
		c.starts = append(c.starts, b.Len())
		for _, f := range fields {
			b.WriteString(f)
			b.WriteByte(0)
		}
		j, err := encodeJSON(v)
		if err != nil {
			return fmt.Errorf("catalog: encode: %w", err)
		}
		c.jsonOf[v] = j
		return nil
	}
	for _, m := range c.matters {
		if err := add(m, append([]string{m.initials, m.Name, m.code, m.full}, m.aliases...)...); err != nil {
			return err
		}
	}
	for _, p := range c.packages {
		if err := add(p, p.initials, p.Name, p.code, p.full); err != nil {
			return err
		}
	}
	c.starts = append(c.starts, b.Len())
	c.index = b.String()
	return nil
}

// pinyinKeys returns the lower-case pinyin initials and full pinyin of s;
// letters and digits that are not Han characters are kept as they are.
func pinyinKeys(s string, args pinyin.Args) (initials, full string) {
	var ini, all strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			py := pinyin.SinglePinyin(r, args)
			if len(py) > 0 && py[0] != "" {
				ini.WriteByte(py[0][0])
				all.WriteString(py[0])
			}
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			lr := unicode.ToLower(r)
			ini.WriteRune(lr)
			all.WriteRune(lr)
		}
	}
	return ini.String(), all.String()
}

// Matter returns the matter with the given code.
func (c *Catalog) Matter(code string) (*Matter, bool) {
	m, ok := c.byCode[code]
	return m, ok
}

// Package returns the package with the given code.
func (c *Catalog) Package(code string) (*Package, bool) {
	p, ok := c.pkgByCode[code]
	return p, ok
}

// Matters returns every matter, in catalog order.
func (c *Catalog) Matters() []*Matter { return c.matters }

// Packages returns every package, in catalog order.
func (c *Catalog) Packages() []*Package { return c.packages }

// Search returns the matters and packages whose name, code, pinyin initials
// or full pinyin contain q (case-insensitive). An empty q matches everything.
func (c *Catalog) Search(q string) ([]*Matter, []*Package) {
	q = strings.ToLower(strings.Join(strings.Fields(q), ""))
	if q == "" {
		return c.matters, c.packages
	}
	if strings.IndexByte(q, 0) >= 0 {
		return nil, nil // the index's separator matches nothing
	}
	// one pass over the index text: each hit names the entry it falls in,
	// and the search goes on at the next entry (a hit cannot span fields,
	// which NULs part)
	var ms []*Matter
	var ps []*Package
	for off := 0; off < len(c.index); {
		i := strings.Index(c.index[off:], q)
		if i < 0 {
			break
		}
		k := sort.SearchInts(c.starts, off+i+1) - 1
		if k < len(c.matters) {
			ms = append(ms, c.matters[k])
		} else {
			ps = append(ps, c.packages[k-len(c.matters)])
		}
		off = c.starts[k+1]
	}
	return ms, ps
}

// AppendJSON appends the JSON of a matter or a package of the catalog,
// encoded once when the catalog was made (as a json.Encoder without HTML
// escaping writes it, less the newline).
func (c *Catalog) AppendJSON(dst []byte, v any) []byte {
	j, ok := c.jsonOf[v]
	if !ok {
		j, _ = encodeJSON(v)
	}
	return append(dst, j...)
}

func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
