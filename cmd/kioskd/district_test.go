// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const tokDistrict = "district-leaf-token-0123456789"

// writeDistrictConfig writes a hall node's config in a district: the hub
// (the district hall, the default nine zones) or a town centre (the town
// template: one comprehensive zone, three windows).
func writeDistrictConfig(t *testing.T, dir, listen, centre string, hub bool, leaf string) string {
	t.Helper()
	path := filepath.Join(dir, "kioskd.toml")
	cfg := fmt.Sprintf(`listen = %q
data_dir = %q
log_level = "warn"
terminals = [
  { id = "kiosk-1", role = "kiosk", token = %q },
  { id = "admin", role = "admin", token = %q },
]
`, listen, filepath.Join(dir, "data"), tokKiosk, tokAdmin)
	if hub {
		cfg += "[hall]\nissue_outside_hours = true\n"
		cfg += fmt.Sprintf("[district]\ncentre = %q\nhub = true\nleaf_listen = %q\ntoken = %q\nfigures_seconds = 1\n", centre, leaf, tokDistrict)
	} else {
		cfg += fmt.Sprintf(`windows = []
[hall]
name = "江口镇便民服务中心"
issue_outside_hours = true
[[zones]]
id = "A"
name = "综合受理区"
name_en = "Comprehensive intake"
windows = [1, 2, 3]
departments = []
[district]
centre = %q
url = ["nats-leaf://%s"]
token = %q
figures_seconds = 1
`, centre, leaf, tokDistrict)
	}
	cfg += "[queue]\nanonymous_per_minute = 0\n[limits]\nterminal_per_second = 0\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func getJSON(t *testing.T, addr, path, token string, v any) int {
	t.Helper()
	code, _, body := get(t, addr, path, token)
	if code == http.StatusOK {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v: %s", path, err, body)
		}
	}
	return code
}

func put(t *testing.T, addr, path, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, "http://"+addr+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

type catalogAnswer struct {
	Version uint64 `json:"version"`
	Matters []struct {
		Code, Name, Zone string
	} `json:"matters"`
}

func (c catalogAnswer) matter(code string) (name, zone string) {
	for _, m := range c.Matters {
		if m.Code == code {
			return m.Name, m.Zone
		}
	}
	return "", ""
}

func waitSaying(t *testing.T, what string, d time.Duration, ok func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	last := ""
	for time.Now().Before(deadline) {
		var done bool
		if done, last = ok(); done {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s (last: %s)", what, d, last)
}

// The district's standard catalog, across real processes: published at the
// hub, it reaches a town centre (its matters in the centre's one zone); a
// version published while the centre is killed reaches it when it is back;
// the hub lists the centre with the version it runs; bad catalogs and the
// wrong callers change nothing.
func TestDistrictCatalog(t *testing.T) {
	leaf := freeAddr(t)
	hubAddr, townAddr := freeAddr(t), freeAddr(t)
	hubDir, townDir := t.TempDir(), t.TempDir()
	start(t, writeDistrictConfig(t, hubDir, hubAddr, "350303-00", true, leaf), hubAddr)
	townCfg := writeDistrictConfig(t, townDir, townAddr, "350303-01", false, leaf)
	town := start(t, townCfg, townAddr)

	var hubCat catalogAnswer
	if code := getJSON(t, hubAddr, "/api/v1/catalog", tokAdmin, &hubCat); code != 200 || hubCat.Version != 0 || len(hubCat.Matters) == 0 {
		t.Fatalf("hub catalog before any version: %d %+v", code, hubCat.Version)
	}
	// the standard catalog: the hub's own, with one matter renamed
	_, _, raw := get(t, hubAddr, "/api/v1/catalog", tokAdmin)
	code0 := hubCat.Matters[0].Code
	name0 := hubCat.Matters[0].Name
	var farZone string // a matter of a zone the town does not have
	for _, m := range hubCat.Matters {
		if m.Zone != "A" {
			farZone = m.Code
			break
		}
	}
	v1Body := strings.Replace(string(raw), `"name":"`+name0+`"`, `"name":"`+name0+`（第一版）"`, 1)
	if code, body := put(t, hubAddr, "/api/v1/catalog", tokAdmin, v1Body); code != 200 || !strings.Contains(body, `"version":1`) {
		t.Fatalf("PUT catalog at the hub: %d %s", code, body)
	}
	waitSaying(t, "version 1 at the town centre", 30*time.Second, func() (bool, string) {
		var c catalogAnswer
		getJSON(t, townAddr, "/api/v1/catalog", tokAdmin, &c)
		name, _ := c.matter(code0)
		_, zone := c.matter(farZone)
		return c.Version == 1 && name == name0+"（第一版）" && zone == "A", fmt.Sprintf("v%d %q zone %q", c.Version, name, zone)
	})

	// refused: a catalog that does not parse, a centre publishing, a kiosk
	for _, tc := range []struct {
		addr, token, body string
		want              int
	}{
		{hubAddr, tokAdmin, `{"matters":[{"code":"X"}]}`, 400},
		{hubAddr, tokAdmin, `not json`, 400},
		{townAddr, tokAdmin, v1Body, 409},
		{hubAddr, tokKiosk, v1Body, 403},
	} {
		if code, body := put(t, tc.addr, "/api/v1/catalog", tc.token, tc.body); code != tc.want || !strings.Contains(body, `"error"`) {
			t.Errorf("PUT catalog %.30q at %s: %d %s, want %d", tc.body, tc.addr, code, body, tc.want)
		}
	}

	// the centre is killed; version 2 is published meanwhile; it gets it on its return
	town.stop(t, syscall.SIGKILL)
	v2Body := strings.Replace(string(raw), `"name":"`+name0+`"`, `"name":"`+name0+`（第二版）"`, 1)
	if code, body := put(t, hubAddr, "/api/v1/catalog", tokAdmin, v2Body); code != 200 || !strings.Contains(body, `"version":2`) {
		t.Fatalf("PUT catalog v2: %d %s", code, body)
	}
	start(t, townCfg, townAddr) // stopped by the test's cleanup
	waitSaying(t, "version 2 at the town centre after its restart", 30*time.Second, func() (bool, string) {
		var c catalogAnswer
		getJSON(t, townAddr, "/api/v1/catalog", tokAdmin, &c)
		name, _ := c.matter(code0)
		return c.Version == 2 && name == name0+"（第二版）", fmt.Sprintf("v%d %q", c.Version, name)
	})
	waitSaying(t, "the hub lists both centres on version 2", 30*time.Second, func() (bool, string) {
		var ans struct {
			Centres []struct {
				Centre         string `json:"centre"`
				Name           string `json:"name"`
				Online         bool   `json:"online"`
				CatalogVersion uint64 `json:"catalog_version"`
			} `json:"centres"`
		}
		getJSON(t, hubAddr, "/api/v1/district/centres", tokAdmin, &ans)
		ok := len(ans.Centres) == 2
		for _, c := range ans.Centres {
			ok = ok && c.Online && c.CatalogVersion == 2
		}
		return ok && ans.Centres[1].Name == "江口镇便民服务中心", fmt.Sprintf("%+v", ans.Centres)
	})
	// the hub's own hall runs the standard catalog too
	var after catalogAnswer
	getJSON(t, hubAddr, "/api/v1/catalog", tokAdmin, &after)
	if name, _ := after.matter(code0); after.Version != 2 || name != name0+"（第二版）" {
		t.Fatalf("hub catalog: v%d %q", after.Version, name)
	}
	if code := getJSON(t, townAddr, "/api/v1/district/centres", tokKiosk, &struct{}{}); code != 403 {
		t.Fatalf("a kiosk asking for the centres: %d", code)
	}

	// the district's figures: tickets at both centres; the hub's figures of
	// each centre are that centre's own, and the sum theirs
	for i, addr := range []string{townAddr, townAddr, townAddr, hubAddr, hubAddr} {
		code, ans, err := request(addr, "POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`)
		if err != nil || code != 201 {
			t.Fatalf("ticket %d at %s: %d %v %v", i, addr, code, ans, err)
		}
	}
	type totals struct {
		Issued int `json:"issued"`
	}
	own := func(addr string) int {
		var st struct {
			Total totals `json:"total"`
		}
		if code := getJSON(t, addr, "/api/v1/stats", tokAdmin, &st); code != 200 {
			t.Fatalf("stats at %s: %d", addr, code)
		}
		return st.Total.Issued
	}
	waitSaying(t, "the hub's figures are the centres' own", 30*time.Second, func() (bool, string) {
		var ans struct {
			Centres []struct {
				Centre string `json:"centre"`
				totals
			} `json:"centres"`
			Sum totals `json:"sum"`
		}
		getJSON(t, hubAddr, "/api/v1/district/stats", tokAdmin, &ans)
		hubOwn, townOwn := own(hubAddr), own(townAddr)
		got := map[string]int{}
		for _, c := range ans.Centres {
			got[c.Centre] = c.Issued
		}
		return townOwn == 3 && hubOwn == 2 && got["350303-00"] == hubOwn && got["350303-01"] == townOwn && ans.Sum.Issued == hubOwn+townOwn,
			fmt.Sprintf("hub %d town %d: %+v", hubOwn, townOwn, ans)
	})
	if code := getJSON(t, townAddr, "/api/v1/district/stats", tokAdmin, &struct{}{}); code != 409 {
		t.Fatalf("district stats at a centre: %d, want 409", code)
	}
	if code := getJSON(t, hubAddr, "/api/v1/district/stats?from=2026-13-01", tokAdmin, &struct{}{}); code != 400 {
		t.Fatalf("district stats with a bad date: %d, want 400", code)
	}
}
