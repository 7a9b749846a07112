// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestSearchIndexMatchesScan: the indexed search finds exactly what
// checking every matter's initials, name, code and full pinyin finds, over
// a catalog of 3,000 matters and queries cut from their own keys.
func TestSearchIndexMatchesScan(t *testing.T) {
	cat := benchCatalog(t, 3000)
	scan := func(q string) ([]*Matter, []*Package) {
		q = strings.ToLower(strings.Join(strings.Fields(q), ""))
		if q == "" {
			return cat.matters, cat.packages
		}
		hit := func(name, code, ini, full string) bool {
			return strings.Contains(ini, q) || strings.Contains(name, q) || strings.Contains(code, q) || strings.Contains(full, q)
		}
		var ms []*Matter
		for _, m := range cat.matters {
			if hit(m.Name, m.code, m.initials, m.full) || slices.ContainsFunc(m.aliases, func(a string) bool { return strings.Contains(a, q) }) {
				ms = append(ms, m)
			}
		}
		var ps []*Package
		for _, p := range cat.packages {
			if hit(p.Name, p.code, p.initials, p.full) {
				ps = append(ps, p)
			}
		}
		return ms, ps
	}
	r := rand.New(rand.NewPCG(1, 2))
	cut := func(s string) string {
		rs := []rune(s)
		if len(rs) == 0 {
			return ""
		}
		i := r.IntN(len(rs))
		return string(rs[i:min(len(rs), i+1+r.IntN(4))])
	}
	queries := []string{"", "sfz", "yyzz", "dj", "登记", "HJ-SJ-0001", "lg-a", "x\x00y", "zzzzzz", " s f z ", "0"}
	for range 400 {
		m := cat.matters[r.IntN(len(cat.matters))]
		queries = append(queries, cut(m.initials), cut(m.Name), cut(m.code), cut(m.full), cut(m.initials)+cut(m.full))
	}
	for _, p := range cat.packages {
		queries = append(queries, cut(p.Name), cut(p.full))
	}
	hits := 0
	for _, q := range queries {
		gm, gp := cat.Search(q)
		wm, wp := scan(q)
		if !slices.Equal(gm, wm) || !slices.Equal(gp, wp) {
			t.Fatalf("q %q: index found %d matters and %d packages, the scan %d and %d", q, len(gm), len(gp), len(wm), len(wp))
		}
		hits += len(gm) + len(gp)
	}
	if hits == 0 {
		t.Fatal("no query found anything")
	}
}
