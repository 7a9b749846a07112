// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// synonymsFile is config/synonyms.json: aliases (short names, common words,
// English phrases) and the words of matter names they stand for, and
// English names of matters.
type synonymsFile struct {
	Comment  string              `json:"_comment"`
	Synonyms map[string][]string `json:"synonyms"`
	NamesEN  map[string]string   `json:"names_en"`
}

// searchKey is how the index holds a word: lower case, letters and digits
// only (a query is folded alike, its spaces dropped).
func searchKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// applySynonyms gives every matter the search keys of the aliases whose
// words its name holds (the alias, its pinyin, its pinyin initials) and of
// its English name, so "社保卡", "shebaoka", "sbk", "shebao" and "social
// security card" all find 社会保障卡申领.
func (c *Catalog) applySynonyms(data []byte, args pinyin.Args) error {
	var f synonymsFile
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("catalog: synonyms: %w", err)
	}
	for code, en := range f.NamesEN {
		if m, ok := c.byCode[code]; ok && m.NameEN == "" {
			m.NameEN = en
		}
	}
	aliases := make([]string, 0, len(f.Synonyms))
	for a := range f.Synonyms {
		aliases = append(aliases, a)
	}
	slices.Sort(aliases)
	for _, m := range c.matters {
		var keys []string
		if m.NameEN != "" {
			keys = append(keys, searchKey(m.NameEN))
		}
		for _, alias := range aliases {
			for _, w := range f.Synonyms[alias] {
				if w != "" && strings.Contains(m.Name, w) {
					ini, full := pinyinKeys(alias, args)
					keys = append(keys, searchKey(alias), ini, full)
					break
				}
			}
		}
		m.aliases = keys
	}
	return nil
}
