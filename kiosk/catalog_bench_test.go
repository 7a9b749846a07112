// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"encoding/json"
	"fmt"
	"testing"

	"yichuang/config"
)

// benchCatalog grows the shipped catalog to n matters by joining the first
// half of one shipped name to the second half of another, as cmd/loadgen
// does, so a search hits about as many matters as it would in a province's
// catalog.
func benchCatalog(b testing.TB, n int) *Catalog {
	b.Helper()
	var f catalogFile
	if err := json.Unmarshal(config.DefaultCatalog(), &f); err != nil {
		b.Fatal(err)
	}
	base := f.Matters
	seen := map[string]bool{}
	for _, m := range base {
		seen[m.Name] = true
	}
	for i := 0; len(f.Matters) < n; i++ {
		a, c := base[i%len(base)], base[(i*7919+i/len(base))%len(base)]
		ra, rc := []rune(a.Name), []rune(c.Name)
		name := string(ra[:max(2, len(ra)/2)]) + string(rc[len(rc)/2:])
		if seen[name] {
			name = fmt.Sprintf("%s（第%d类）", a.Name, i)
		}
		seen[name] = true
		m := a
		m.Code, m.Name = fmt.Sprintf("LG-%s-%05d", a.Zone, len(f.Matters)), name
		f.Matters = append(f.Matters, m)
	}
	data, err := json.Marshal(f)
	if err != nil {
		b.Fatal(err)
	}
	cat, err := ParseCatalog(data, []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return cat
}

// BenchmarkCatalogSearch searches 10,000 matters the ways a citizen types
// at a kiosk; "hits" is how many matters the query finds.
func BenchmarkCatalogSearch(b *testing.B) {
	cat := benchCatalog(b, 10000)
	for _, q := range []struct{ name, q string }{
		{"initials", "sfz"},
		{"pinyin", "shebao"},
		{"hanzi", "营业执照"},
		{"code", "HJ-SJ-0001"},
		{"nothing", "zzzzzz"},
		{"broad", "dj"},
	} {
		b.Run(q.name, func(b *testing.B) {
			var hits int
			for b.Loop() {
				ms, _ := cat.Search(q.q)
				hits = len(ms)
			}
			b.ReportMetric(float64(hits), "hits")
		})
	}
}

// BenchmarkCatalogParse builds the catalog's search keys (pinyin of every
// name), which kioskd does once at start.
func BenchmarkCatalogParse(b *testing.B) {
	cat := benchCatalog(b, 10000)
	data, err := json.Marshal(catalogFile{Matters: func() []Matter {
		out := make([]Matter, 0, len(cat.Matters()))
		for _, m := range cat.Matters() {
			out = append(out, *m)
		}
		return out
	}()})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ParseCatalog(data, []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
