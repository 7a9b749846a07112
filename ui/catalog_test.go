// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"yichuang/kiosk"
)

// TestCatalogAnswerBytes: the catalog answer, assembled from JSON encoded
// once per matter, is byte for byte what encoding the search result whole
// gives.
func TestCatalogAnswerBytes(t *testing.T) {
	e := newEnv(t)
	for _, q := range []string{"", "sfz", "yyzz", "营业执照", "HJ-SJ-0001", "nothing-matches-this", "dj", "<&>"} {
		got := e.do("GET", "/api/v1/catalog?q="+url.QueryEscape(q), tokKiosk, "")
		if got.status != 200 {
			t.Fatalf("q %q: %d", q, got.status)
		}
		ms, ps := e.hall.Catalog().Search(q)
		if ms == nil {
			ms = []*kiosk.Matter{}
		}
		if ps == nil {
			ps = []*kiosk.Package{}
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(map[string]any{"zones": (&Server{cfg: e.hall.Config()}).zoneViews(), "matters": ms, "packages": ps, "version": e.hall.CatalogVersion()}); err != nil {
			t.Fatal(err)
		}
		if got.raw != want.String() {
			i := 0
			for i < len(got.raw) && i < want.Len() && got.raw[i] == want.String()[i] {
				i++
			}
			t.Fatalf("q %q: answer differs at byte %d\n got …%.200s\nwant …%.200s", q, i, got.raw[max(0, i-100):], want.String()[max(0, i-100):])
		}
		if q == "sfz" && len(ms) == 0 {
			t.Fatal("sfz finds nothing")
		}
	}
}

// TestCatalogSearchAliases: GET /api/v1/catalog?q= finds 社会保障卡申领 by
// its short name, its pinyin and initials, and English; matters carry name_en.
func TestCatalogSearchAliases(t *testing.T) {
	e := newEnv(t)
	for _, q := range []string{"sbk", "shebaoka", "%E7%A4%BE%E4%BF%9D%E5%8D%A1", "shebao", "social+security+card"} {
		r := e.want(e.do("GET", "/api/v1/catalog?q="+q, tokKiosk, ""), 200)
		if !strings.Contains(r.raw, `"code":"HJ-RS-0001"`) || !strings.Contains(r.raw, `"name_en":"Social security card application"`) {
			t.Errorf("q=%s: %.300s", q, r.raw)
		}
	}
}
