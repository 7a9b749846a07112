// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"slices"
	"strings"
	"testing"

	"yichuang/config"
)

// TestSearchSynonymsAndEnglish: the shipped catalog is found by full
// pinyin, initials, common short names and synonyms, and English.
func TestSearchSynonymsAndEnglish(t *testing.T) {
	cat, err := ParseCatalog(config.DefaultCatalog(), []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	codes := func(q string) []string {
		ms, _ := cat.Search(q)
		var out []string
		for _, m := range ms {
			out = append(out, m.Code)
		}
		return out
	}
	tests := []struct {
		q    string
		want []string // each must be found
		not  []string // none of these
	}{
		{"社保卡", []string{"HJ-RS-0001", "HJ-RS-0002"}, []string{"HJ-MZ-0001"}},
		{"shebaoka", []string{"HJ-RS-0001", "HJ-RS-0002"}, nil},
		{"sbk", []string{"HJ-RS-0001"}, nil},
		{"shebao", []string{"HJ-RS-0001", "HJ-RS-0007"}, nil},
		{"SheBao Ka", []string{"HJ-RS-0001"}, nil},
		{"social security card", []string{"HJ-RS-0001", "HJ-RS-0002"}, []string{"HJ-SJ-0001"}},
		{"Marriage", []string{"HJ-MZ-0001", "HJ-MZ-0003"}, []string{"HJ-RS-0001"}},
		{"company registration", []string{"HJ-SJ-0001"}, nil},
		{"营业执照", []string{"HJ-SJ-0001", "HJ-SJ-0005", "HJ-SJ-0008"}, []string{"HJ-MZ-0001"}},
		{"yyzz", []string{"HJ-SJ-0001"}, nil},
		{"社会保障卡申领", []string{"HJ-RS-0001"}, nil},
		{"sfz", nil, nil},
		{"xyzzyq", nil, []string{"HJ-RS-0001"}},
	}
	for _, tt := range tests {
		got := codes(tt.q)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: %v lacks %s", tt.q, got, w)
			}
		}
		for _, n := range tt.not {
			if slices.Contains(got, n) {
				t.Errorf("%q: %v has %s", tt.q, got, n)
			}
		}
	}
	m, _ := cat.Matter("HJ-RS-0001")
	if j := string(cat.AppendJSON(nil, m)); !strings.Contains(j, `"name_en":"Social security card application"`) {
		t.Fatal(j)
	}
}
