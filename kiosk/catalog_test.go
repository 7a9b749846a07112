// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"strings"
	"testing"

	"yichuang/config"
)

var hallZones = []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}

func TestShippedCatalog(t *testing.T) {
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCatalog(config.DefaultCatalog(), hallZones, cfg.Mail.ExcludedDepartments)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Matters()); n < 120 {
		t.Fatalf("%d matters, want at least 120", n)
	}
	depts := map[string]int{}
	for _, m := range c.Matters() {
		depts[m.Department]++
		for _, ex := range cfg.Mail.ExcludedDepartments {
			if m.Department == ex && m.MailOK {
				t.Errorf("%s (%s) offers free mail", m.Name, m.Department)
			}
		}
		if len(m.Materials) == 0 {
			t.Errorf("%s has no materials", m.Code)
		}
	}
	// every department the plan names has its matters
	for _, z := range cfg.Zones {
		for _, d := range z.Departments {
			if depts[d] < 2 {
				t.Errorf("department %s has %d matters", d, depts[d])
			}
		}
	}
	if n := len(c.Packages()); n < 8 {
		t.Fatalf("%d packages, want at least 8", n)
	}
	for _, p := range c.Packages() {
		if len(p.Departments) < 2 {
			t.Errorf("package %s spans %v", p.Name, p.Departments)
		}
	}
}

func TestSearch(t *testing.T) {
	c, err := ParseCatalog(config.DefaultCatalog(), hallZones, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q, mustContain string
	}{
		{"sfz", "身份证"},
		{"SFZ", "身份证"},
		{"身份证", "身份证"},
		{"shenfenzheng", "身份证"},
		{"yyzz", ""},  // 营业执照, and by its synonyms 企业设立登记 … (TestSearchSynonymsAndEnglish)
		{"hj-gA", ""}, // codes, case-insensitive
	}
	for _, tt := range tests {
		ms, _ := c.Search(tt.q)
		if len(ms) == 0 {
			t.Errorf("%q found nothing", tt.q)
			continue
		}
		for _, m := range ms {
			if tt.mustContain != "" && !strings.Contains(m.Name, tt.mustContain) {
				t.Errorf("%q found %s", tt.q, m.Name)
			}
		}
	}
	if ms, ps := c.Search("zzzzqqq"); len(ms)+len(ps) != 0 {
		t.Fatal("nonsense found something")
	}
	if _, ps := c.Search("kbqy"); len(ps) == 0 {
		t.Fatal("kbqy did not find 开办企业一件事")
	}
}

func TestImportCSV(t *testing.T) {
	csv := "\xef\xbb\xbfcode,name,department,zone,promise_days,statutory_days,materials,mail_ok\n" +
		"X-1,居民身份证换领,公安局,J,20,60,居民身份证;户口簿,true\n" +
		"X-2,\"食品经营许可证核发, 新办\",市场监管局,A,5,20,营业执照；食品安全管理制度,false\n"
	c, err := ParseCatalog([]byte(csv), hallZones, []string{"公安局"})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := c.Matter("X-1")
	if !ok || m.PromiseDays != 20 || m.StatutoryDays != 60 || len(m.Materials) != 2 || m.MailOK {
		t.Fatalf("X-1 = %+v (公安局 is excluded from free mail)", m)
	}
	m2, _ := c.Matter("X-2")
	if m2.Name != "食品经营许可证核发, 新办" || len(m2.Materials) != 2 {
		t.Fatalf("X-2 = %+v", m2)
	}
	if ms, _ := c.Search("sfz"); len(ms) != 1 {
		t.Fatal("imported matter not searchable")
	}
	bad := []struct{ name, data, want string }{
		{"no column", "code,name\nX,y\n", `no "department" column`},
		{"bad number", "code,name,department,zone,promise_days\nX,y,d,A,soon\n", "promise_days"},
		{"unknown zone", "code,name,department,zone,promise_days\nX,y,d,Q,1\n", `zone "Q"`},
		{"duplicate", "code,name,department,zone,promise_days\nX,y,d,A,1\nX,z,d,A,1\n", "code given twice"},
		{"promise over statute", "code,name,department,zone,promise_days,statutory_days\nX,y,d,A,30,20\n", "exceeds"},
		{"bad mail", "code,name,department,zone,promise_days,mail_ok\nX,y,d,A,1,maybe\n", "mail_ok"},
		{"json unknown field", `{"matters":[],"colour":1}`, "unknown field"},
		{"json package of unknown matter", `{"matters":[],"packages":[{"code":"P","name":"p","matters":["nope"]}]}`, "unknown matter"},
	}
	for _, b := range bad {
		if _, err := ParseCatalog([]byte(b.data), hallZones, nil); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: err = %v, want %q", b.name, err, b.want)
		}
	}
}

func FuzzParseCatalog(f *testing.F) {
	f.Add([]byte("code,name,department,zone,promise_days\nX,身份证,d,A,1\n"))
	f.Add([]byte(`{"matters":[{"code":"a","name":"b","department":"c","zone":"A","promise_days":1,"materials":[],"mail_ok":true}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCatalog(b, hallZones, nil)
		if err != nil {
			return
		}
		for _, m := range c.Matters() {
			if m.Code == "" || m.PromiseDays < 0 {
				t.Fatalf("accepted %+v", m)
			}
		}
		c.Search("a")
	})
}

func TestMasks(t *testing.T) {
	tests := []struct {
		f        func(string) string
		in, want string
	}{
		{MaskName, "张三丰", "张*丰"},
		{MaskName, "欧阳䶮", "欧*䶮"},
		{MaskName, "李四", "李*"},
		{MaskName, "王", "王"},
		{MaskID, "35030319900101123X", "3503**********123X"},
		{MaskPhone, "13812345678", "138****5678"},
	}
	for _, tt := range tests {
		if got := tt.f(tt.in); got != tt.want {
			t.Errorf("mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPackageMaterialsMerged(t *testing.T) {
	data := `{"matters":[
	 {"code":"M1","name":"企业设立登记","department":"市场监管局","zone":"A","promise_days":1,"materials":["居民身份证","公司章程"],"mail_ok":true},
	 {"code":"M2","name":"社保登记","department":"人社局","zone":"B","promise_days":2,"materials":["营业执照","居民身份证"],"mail_ok":true},
	 {"code":"M3","name":"公积金开户","department":"公积金中心","zone":"H","promise_days":3,"materials":["营业执照"],"mail_ok":false}
	],"packages":[{"code":"P","name":"开办企业一件事","matters":["M1","M2","M3"]}]}`
	c, err := ParseCatalog([]byte(data), hallZones, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := c.Package("P")
	if !ok {
		t.Fatal("package not imported")
	}
	if got := strings.Join(p.Materials, ","); got != "居民身份证,公司章程,营业执照" {
		t.Fatalf("merged materials %s: each once, in first-asked order", got)
	}
	if got := strings.Join(p.MaterialUse["居民身份证"], ","); got != "M1,M2" {
		t.Fatalf("居民身份证 used by %s", got)
	}
	if got := strings.Join(p.MaterialUse["营业执照"], ","); got != "M2,M3" {
		t.Fatalf("营业执照 used by %s", got)
	}
	if got := strings.Join(p.Departments, ","); got != "市场监管局,人社局,公积金中心" || p.LeadZone != "A" {
		t.Fatalf("departments %s, lead zone %s", got, p.LeadZone)
	}
	// a lead zone given in the import is kept
	c2, err := ParseCatalog([]byte(strings.Replace(data, `"matters":["M1","M2","M3"]`, `"matters":["M1","M2","M3"],"lead_zone":"B"`, 1)), hallZones, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p2, _ := c2.Package("P"); p2.LeadZone != "B" {
		t.Fatalf("lead zone %s", p2.LeadZone)
	}
}

func TestImportPackagesCSV(t *testing.T) {
	matters := `{"matters":[
	 {"code":"M1","name":"企业设立登记","department":"市场监管局","zone":"A","promise_days":1,"materials":["居民身份证"],"mail_ok":true},
	 {"code":"M2","name":"社保登记","department":"人社局","zone":"B","promise_days":2,"materials":["营业执照"],"mail_ok":true}]}`
	pkgs := "\xef\xbb\xbfcode,name,matters,lead_zone\nP1,开办企业一件事,M1;M2,\nP2,社保一件事,M2；M1,B\n"
	c, err := ParseCatalogWithPackages([]byte(matters), []byte(pkgs), hallZones, nil)
	if err != nil {
		t.Fatal(err)
	}
	p1, ok1 := c.Package("P1")
	p2, ok2 := c.Package("P2")
	if !ok1 || !ok2 || p1.LeadZone != "A" || p2.LeadZone != "B" || len(p2.Matters) != 2 || strings.Join(p1.Departments, ",") != "市场监管局,人社局" {
		t.Fatalf("packages %+v %+v", p1, p2)
	}
	for _, bad := range []struct{ csv, want string }{
		{"code,name\nP,p\n", `no "matters" column`},
		{"code,name,matters\nP,p,M9\n", `unknown matter "M9"`},
		{"code,name,matters\nP,p,\n", "no matters"},
	} {
		if _, err := ParseCatalogWithPackages([]byte(matters), []byte(bad.csv), hallZones, nil); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want %q", bad.csv, err, bad.want)
		}
	}
}
