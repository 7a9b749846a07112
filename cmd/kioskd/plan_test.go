// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"yichuang/kiosk"
	"yichuang/kiosk/store"
)

// planHall writes a config whose data_dir is dir and returns its path.
func planHall(t *testing.T, dir string) string {
	t.Helper()
	t.Setenv("KIOSKD_DATA_KEY", "")
	path := filepath.Join(dir, "kioskd.toml")
	text := fmt.Sprintf("data_dir = %q\nlog_level = \"warn\"\n\n[hall]\nopening = \"08:30\"\nclosing = \"17:30\"\n", dir)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// planStore makes data_dir/kioskd.db with its data.key and commits the
// tickets of Mon 2026-11-23 .. Fri 11-27: each day zone A gets 20 tickets
// in 09:00–10:00 and 5 in 10:00–11:00, served 8, 12 or 16 minutes in turn;
// zone D gets one at 14:00, served 10 minutes.
func planStore(t *testing.T, dir string, withTickets bool) {
	t.Helper()
	ctx := context.Background()
	key := bytes.Repeat([]byte{0x5a}, 32)
	if err := os.WriteFile(filepath.Join(dir, "data.key"), []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "kioskd.db"), key)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !withTickets {
		return
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	n := 0
	for day := 23; day <= 27; day++ {
		date := fmt.Sprintf("2026-11-%02d", day)
		var ch kiosk.Change
		seq := map[string]int{}
		add := func(zone string, h, m int, service time.Duration) {
			seq[zone]++
			at := time.Date(2026, 11, day, h, m, 0, 0, loc)
			ch.Tickets = append(ch.Tickets, &kiosk.Ticket{ID: fmt.Sprintf("%s-%s%d", date, zone, seq[zone]), Day: date,
				Zone: zone, Seq: seq[zone], Number: fmt.Sprintf("%s%03d", zone, seq[zone]), Status: kiosk.StatusDone,
				IssuedAt: at, CalledAt: at.Add(time.Minute), FinishedAt: at.Add(time.Minute + service), Window: 1,
				Terminal: "kiosk-1", StatusKey: "k", IDHash: fmt.Sprintf("h%d", n),
				Submission: &kiosk.Submission{Applicant: kiosk.Applicant{IDNumber: "11010519491231002X", Name: "张三丰"}}})
			n++
		}
		for i := range 20 {
			add("A", 9, 3*i, time.Duration(8+4*(n%3))*time.Minute)
		}
		for i := range 5 {
			add("A", 10, 10*i, time.Duration(8+4*(n%3))*time.Minute)
		}
		add("D", 14, 0, 10*time.Minute)
		if err := db.Commit(ctx, []*kiosk.Change{&ch}); err != nil {
			t.Fatal(err)
		}
	}
}

func planRun(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := cmdPlan(context.Background(), args, &out, &errb)
	return out.String() + errb.String(), err
}

var planZoneNames = []string{"商事登记区", "医保人社区", "不动产登记区", "社会民生区", "建设交通区", "投资项目区", "经济综合区"}

func TestPlanFromTickets(t *testing.T) {
	dir := t.TempDir()
	cfg := planHall(t, dir)
	planStore(t, dir, true)
	out, err := planRun(t, "--config", cfg, "--from", "2026-11-21", "--to", "2026-11-29", "--format", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var r planReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.Source != "tickets" || r.Days != 5 || r.Tickets != 5*26 || r.From != "2026-11-21" || r.To != "2026-11-29" || len(r.Zones) != 9 {
		t.Fatalf("source %s, %d days, %d tickets, %s..%s, %d zones", r.Source, r.Days, r.Tickets, r.From, r.To, len(r.Zones))
	}
	a, d := r.Zones[0], r.Zones[3]
	if a.Zone != "A" || a.ServiceSource != "measured" || a.Samples != 125 || a.ServiceMin < 11.9 || a.ServiceMin > 12.1 || a.PerYear != 25*250 {
		t.Fatalf("A: %s %d samples, %.2f min, %v a year", a.ServiceSource, a.Samples, a.ServiceMin, a.PerYear)
	}
	want := map[string]int{"08:30–09:00": 1, "09:00–10:00": 5, "10:00–11:00": 2, "11:00–12:00": 1}
	for _, s := range a.Days[0].Slots {
		if w, ok := want[s.Label]; ok && s.Windows != w {
			t.Errorf("A %s: %d windows, want %d", s.Label, s.Windows, w)
		}
	}
	if a.Peak != 5 || a.Windows != 3 {
		t.Errorf("A peak %d, windows now %d", a.Peak, a.Windows)
	}
	// 5 services are too few to trust: D keeps the assumed time
	if d.Zone != "D" || d.ServiceSource != "assumed" || d.Samples != 5 || d.Days[0].Slots[6].Arrivals != 1 {
		t.Errorf("D: %+v", d)
	}
	if len(r.Yearly.Zones) != 7 || r.Yearly.Cases != 89809 || r.Yearly.Zones[0].ServiceMin != a.ServiceMin {
		t.Errorf("yearly: %+v", r.Yearly)
	}

	text, err := planRun(t, "--config", cfg, "--from", "2026-11-21", "--to", "2026-11-29", "--by-weekday")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"5 个办公日 open days, 130 张票", "实测 measured, n=125", "周一 Monday", "周五 Friday",
		"高峰 peak 5 窗口 windows at 09:00–10:00", "现有 now 3, 缺 under by 2", "12.0m"} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q:\n%s", s, text)
		}
	}
	if strings.Contains(text, "周六") || strings.Contains(text, "张三丰") {
		t.Errorf("a Saturday or a name in:\n%s", text)
	}
}

func TestPlanFallback(t *testing.T) {
	for _, withDB := range []bool{false, true} {
		t.Run(fmt.Sprintf("database=%v", withDB), func(t *testing.T) {
			dir := t.TempDir()
			cfg := planHall(t, dir)
			if withDB {
				planStore(t, dir, false)
			}
			out, err := planRun(t, "--config", cfg, "--from", "2026-11-01", "--to", "2026-11-30")
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			for _, s := range append([]string{"无票据 no tickets", "假定 assumed", "年度测算", "合计 total       89,809    23   3,905     19",
				"6,000 件/人/年", "规划 plan 23 人 = 1,490,400 元", "6000 标准 at target 19 人 = 1,231,200 元",
				"C 不动产登记区   30,000     4   7,500      5    16.0", "缺 under by 3", "无到达 no arrivals"}, planZoneNames...) {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
			if !withDB {
				for _, f := range []string{"kioskd.db", "data.key"} {
					if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
						t.Errorf("plan made %s", f)
					}
				}
			}
		})
	}
}

func TestPlanCSV(t *testing.T) {
	dir := t.TempDir()
	cfg := planHall(t, dir)
	out, err := planRun(t, "--config", cfg, "--format", "csv", "--target-minutes", "10", "--service-level", "0.9")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	hours, years := 0, 0
	for _, r := range rows[1:] {
		switch r[0] {
		case "hour":
			hours++
		case "year":
			years++
		}
	}
	// 9 zones × 10 opening hours; 7 zones with a volume and the total
	if rows[0][0] != "section" || hours != 90 || years != 8 || rows[len(rows)-1][1] != "total" || rows[len(rows)-1][12] != "89809" {
		t.Fatalf("%d hour rows, %d year rows, last %v", hours, years, rows[len(rows)-1])
	}
	// the simulation's service level of each hour, last, beside Erlang C's
	if rows[0][17] != "simulated_service_level" {
		t.Fatalf("header %v", rows[0])
	}
	for _, r := range rows[1:] {
		if r[0] != "hour" {
			continue
		}
		erl, err1 := strconv.ParseFloat(r[9], 64)
		sim, err2 := strconv.ParseFloat(r[17], 64)
		if err1 != nil || err2 != nil || sim < 0 || sim > 1 || (r[5] != "0.00" && math.Abs(sim-erl) > 0.15) {
			t.Errorf("%s %s: Erlang C %s, simulated %s", r[1], r[4], r[9], r[17])
		}
	}
}

func TestPlanErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := planHall(t, dir)
	for _, args := range [][]string{
		{"--format", "xml"},
		{"--from", "2026-11-30", "--to", "2026-11-01"},
		{"--from", "30/11/2026"},
		{"--from", "2024-01-01", "--to", "2026-01-01"},
		{"--service-level", "1"},
		{"--service-level", "0"},
		{"--peak-factor", "0"},
		{"extra"},
		{"--sim-days", "0"},
		{"--sim-dist", "gamma"},
		{"--svg", filepath.Join(dir, "no-such-dir", "plan.svg")},
	} {
		if out, err := planRun(t, append([]string{"--config", cfg}, args...)...); err == nil {
			t.Errorf("%v accepted:\n%s", args, out)
		}
	}
	// a database without its key: refused, and no new key made
	planStore(t, dir, true)
	os.Remove(filepath.Join(dir, "data.key"))
	if _, err := planRun(t, "--config", cfg); err == nil || !strings.Contains(err.Error(), "data key") {
		t.Errorf("no key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data.key")); err == nil {
		t.Error("plan made a new data key")
	}
}

func TestPlanJSONSummary(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "k.toml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("data_dir = %q\n", filepath.Join(dir, "data"))), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb strings.Builder
	if err := cmdPlan(context.Background(), []string{"--config", cfg, "--json"}, &out, &errb); err != nil {
		t.Fatal(err, errb.String())
	}
	var zs []map[string]any
	if err := json.Unmarshal([]byte(out.String()), &zs); err != nil || len(zs) == 0 {
		t.Fatalf("%v: %s", err, out.String())
	}
	for _, k := range []string{"zone", "arrivals_per_hour", "mean_service_minutes", "windows_planned", "windows_needed", "service_level", "target_wait_minutes", "target_share"} {
		if _, ok := zs[0][k]; !ok {
			t.Errorf("no %s in %v", k, zs[0])
		}
	}
	for _, z := range zs {
		if z["zone"] == "C" && (z["windows_planned"] != float64(4) || z["windows_needed"].(float64) <= 4 || z["service_level"].(float64) < 0.8) {
			t.Errorf("不动产 zone: %v", z)
		}
	}
}

// The --json summary's simulation and pooling fields, on the embedded
// hall with no tickets (the plan's volumes). The hall's default windows
// 20 and 21 (投资项目区 F) help E and G: one pool of E, F and G.
func TestPlanJSONSimulationAndPooling(t *testing.T) {
	dir := t.TempDir()
	cfg := planHall(t, dir)
	out, err := planRun(t, "--config", cfg, "--json")
	if err != nil {
		t.Fatal(err, out)
	}
	var zs []zoneSummary
	if err := json.Unmarshal([]byte(out), &zs); err != nil || len(zs) != 9 {
		t.Fatalf("%v: %s", err, out)
	}
	by := map[string]zoneSummary{}
	for _, z := range zs {
		by[z.Zone] = z
		if z.ArrivalsPerHour == 0 {
			if z.SimulatedServiceLevel != 1 || z.SimulatedDayServiceLevel != 1 {
				t.Errorf("%s, no arrivals: %+v", z.Zone, z)
			}
			continue
		}
		// the busiest hour, and the whole day (each hour on the windows it
		// needs). The small zones' busiest hour has few citizens even over
		// 400 days (F: about 160, a standard error of 0.02), and the empty
		// hall at 08:30 still helps at 09:00: a wider tolerance there.
		tol := 0.05
		if z.ArrivalsPerHour < 5 {
			tol = 0.08
		}
		if math.Abs(z.SimulatedServiceLevel-z.ServiceLevel) > tol || math.Abs(z.SimulatedDayServiceLevel-z.ErlangDayServiceLevel) > 0.04 ||
			z.ErlangDayServiceLevel < 0.8 {
			t.Errorf("%s: busiest hour Erlang C %.4f, DES %.4f; day %.4f, %.4f", z.Zone, z.ServiceLevel, z.SimulatedServiceLevel,
				z.ErlangDayServiceLevel, z.SimulatedDayServiceLevel)
		}
	}
	for _, id := range []string{"E", "F", "G"} {
		p := by[id].Pooling
		if !slices.Equal(p.Zones, []string{"E", "F", "G"}) || p.GroupWindowsPlanned != 6 || p.PeakWindowsSeparate != 4 || p.PeakWindowsPooled != 2 {
			t.Errorf("%s pooling: %+v", id, p)
		}
	}
	e, f, a, c := by["E"].Pooling, by["F"].Pooling, by["A"].Pooling, by["C"].Pooling
	// E's citizens, helped by F's windows, fare better; F's windows are the helpers, nobody helps F
	if e.SimulatedHelping <= e.SimulatedSeparate || e.HelpedShare <= 0 || e.HelpedShare > 0.1 || f.HelpedShare != 0 {
		t.Errorf("E %+v, F %+v", e, f)
	}
	if !slices.Equal(a.Zones, []string{"A"}) || a.SimulatedHelping != a.SimulatedSeparate || a.GroupWindowsPlanned != 3 || a.PeakWindowsPooled != 3 {
		t.Errorf("A pooling: %+v", a)
	}
	// 不动产 C: its 4 windows cannot keep up in its busiest hours (Erlang C counts those hours as 0),
	// while the simulated day carries its queue and serves a bit over half within 15 minutes
	if c.ErlangServiceLevel > 0.4 || c.SimulatedSeparate < c.ErlangServiceLevel || c.SimulatedSeparate > 0.75 {
		t.Errorf("C on its planned windows: %+v", c)
	}
}

// The simulation is seeded: the same seed, the same report.
func TestPlanSimulationSeed(t *testing.T) {
	dir := t.TempDir()
	cfg := planHall(t, dir)
	run := func(seed string) string {
		out, err := planRun(t, "--config", cfg, "--json", "--seed", seed, "--sim-days", "60", "--sim-dist", "exp")
		if err != nil {
			t.Fatal(err, out)
		}
		return out
	}
	first, again, other := run("7"), run("7"), run("8")
	if first != again {
		t.Error("seed 7 twice gave two reports")
	}
	if first == other {
		t.Error("seeds 7 and 8 gave the same report")
	}
	full, err := planRun(t, "--config", cfg, "--format", "json", "--seed", "7", "--sim-days", "60")
	if err != nil {
		t.Fatal(err)
	}
	var r planReport
	if err := json.Unmarshal([]byte(full), &r); err != nil {
		t.Fatal(err)
	}
	if r.Simulation != (planSimulation{Seed: 7, Days: 60, Dist: "auto"}) || len(r.Pooling.Groups) != 1 || len(r.Pooling.Zones) != 9 ||
		len(r.Zones[2].Simulated) != 1 || len(r.Zones[2].Simulated[0].Slots) != 10 || r.Zones[2].Simulated[0].SimTickets == 0 {
		t.Errorf("report: simulation %+v, %d pool groups, C %+v", r.Simulation, len(r.Pooling.Groups), r.Zones[2].Simulated)
	}
}

func TestPlanTextPooling(t *testing.T) {
	dir := t.TempDir()
	cfg := planHall(t, dir)
	out, err := planRun(t, "--config", cfg, "--sim-days", "100")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"模拟 simulation: 100 天 days, seed 1", "模拟\n", "DES\n", "全天达标率 whole day ≤15m: Erlang C 93.3%",
		"互助窗口 windows that help other zones", "组 group E+F+G — 现有 windows 6; 窗口 window 20 (F) 帮 helps E,G; 21 (F) 帮 helps G",
		"高峰需 peak windows: 分开 separate 4, 合并 pooled 2; 窗口工时 window-hours: 分开 29.0, 合并 15.5", "E 建设交通区       2    99.2%"} {
		if !strings.Contains(out, s) {
			t.Errorf("text lacks %q:\n%s", s, out)
		}
	}
}

// svgElement is one element of a chart: its class, attributes and text.
type svgElement struct {
	name  string
	attrs map[string]string
	text  string
}

func planParseXML(t *testing.T, path string) []*svgElement {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	var all, stack []*svgElement
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s is not XML: %v", path, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &svgElement{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			all, stack = append(all, e), append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	return all
}

// --svg and --html write the charts: for the embedded hall with no
// tickets, zone C (不动产) needs 5, 7, 7, 5, 3, 3, 5, 6, 5, 3 windows hour
// by hour against the 4 it has, as the JSON report says.
func TestPlanSVG(t *testing.T) {
	dir := t.TempDir()
	cfg := planHall(t, dir)
	svg, html := filepath.Join(dir, "plan.svg"), filepath.Join(dir, "plan.html")
	out, err := planRun(t, "--config", cfg, "--format", "json", "--sim-days", "100", "--svg", svg, "--html", html)
	if err != nil {
		t.Fatal(err, out)
	}
	var r planReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var wantC []string
	for _, s := range r.Zones[2].Days[0].Slots {
		wantC = append(wantC, strconv.Itoa(s.Windows))
	}
	if strings.Join(wantC, ",") != "5,7,7,5,3,3,5,6,5,3" {
		t.Fatalf("C needs %v", wantC)
	}
	for _, path := range []string{svg, html} {
		es := planParseXML(t, path)
		var needC, simC, pooled []string
		var words strings.Builder
		planned := ""
		for _, e := range es {
			words.WriteString(e.text)
			switch {
			case e.attrs["class"] == "need" && e.attrs["data-zone"] == "C":
				needC = append(needC, e.attrs["data-value"])
			case e.attrs["class"] == "sl-sim" && e.attrs["data-zone"] == "C":
				simC = append(simC, e.attrs["data-value"])
			case e.attrs["class"] == "pool-pooled":
				pooled = append(pooled, e.attrs["data-zones"]+":"+e.attrs["data-value"])
			case e.attrs["class"] == "planned" && e.attrs["data-zone"] == "C":
				planned = e.attrs["data-value"]
			}
		}
		if !slices.Equal(needC, wantC) || planned != "4" || len(simC) != 10 {
			t.Errorf("%s: C needs %v, has %q, %d simulated bars", path, needC, planned, len(simC))
		}
		if sim := r.Zones[2].Simulated[0].Slots[1].SimServiceLevel; len(simC) > 1 && simC[1] != strconv.FormatFloat(sim, 'f', 4, 64) {
			t.Errorf("%s: C at 09:00 simulated %s, the report says %.4f", path, simC[1], sim)
		}
		if len(pooled) != 10 || pooled[1] != "E+F+G:2" {
			t.Errorf("%s: pooled bars %v", path, pooled)
		}
		for _, s := range []string{"窗口测算 staffing plan", "C 不动产登记区 — 现有 4 窗口 windows planned, 高峰需 peak needs 7",
			"H 便民服务区 — 无到达 no arrivals", "合并 pooled E 建设交通区, F 投资项目区, G 经济综合区"} {
			if !strings.Contains(words.String(), s) {
				t.Errorf("%s lacks %q", path, s)
			}
		}
		if es[0].name != map[string]string{svg: "svg", html: "html"}[path] {
			t.Errorf("%s: root <%s>", path, es[0].name)
		}
	}
}
