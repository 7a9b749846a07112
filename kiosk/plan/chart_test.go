// SPDX-License-Identifier: AGPL-3.0-or-later

package plan

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// element is one parsed element: its name, attributes and the text directly in it.
type element struct {
	name  xml.Name
	attrs map[string]string
	text  string
	kids  []string // names of child elements
}

// parseXML reads a document strictly and returns its elements in order.
func parseXML(t *testing.T, doc []byte) []*element {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	var all, stack []*element
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &element{name: tok.Name, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, tok.Name.Local)
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
	if len(stack) != 0 || len(all) == 0 {
		t.Fatalf("unbalanced document: %d open", len(stack))
	}
	return all
}

func byClass(es []*element, class string) []*element {
	var out []*element
	for _, e := range es {
		if e.attrs["class"] == class {
			out = append(out, e)
		}
	}
	return out
}

func texts(es []*element) string {
	var b strings.Builder
	for _, e := range es {
		if e.name.Local == "text" || e.name.Local == "title" || e.name.Local == "h1" {
			b.WriteString(e.text + "\n")
		}
	}
	return b.String()
}

func attrFloat(t *testing.T, e *element, name string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(e.attrs[name], 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, e.attrs[name], err)
	}
	return f
}

// sampleChart is a known input: zone A (a name to escape) has 2 windows
// and needs 3 at 9:00 and 1 at 10:00; zone B has no arrivals; A and B
// pool.
func sampleChart() Chart {
	a := ZonePlan{Demand: Demand{Zone: "A", Name: "商事<登记>&区", Windows: 2, ServiceMin: 10}, Peak: 3, Days: []DayPlan{{
		Arrivals: 15, Peak: 3, PeakHour: "09:00–10:00", Slots: []Slot{
			{Hour: 9, Label: "09:00–10:00", Arrivals: 12, Windows: 3, ServiceLevel: 0.9},
			{Hour: 10, Label: "10:00–11:00", Arrivals: 3, Windows: 1, ServiceLevel: 0.85},
		}}}}
	b := ZonePlan{Demand: Demand{Zone: "B", Name: "B区", Windows: 1, ServiceMin: 10}, Peak: 1, Days: []DayPlan{{
		Slots: []Slot{{Hour: 9, Label: "09:00–10:00", Windows: 1, ServiceLevel: 1}, {Hour: 10, Label: "10:00–11:00", Windows: 1, ServiceLevel: 1}}}}}
	checks := []ZoneCheck{
		{Zone: "A", Days: []DayCheck{{ErlangServiceLevel: 0.88, SimServiceLevel: 0.9, Slots: []SlotCheck{
			{Hour: 9, Label: "09:00–10:00", SimServiceLevel: 0.95}, {Hour: 10, Label: "10:00–11:00", SimServiceLevel: 0.8}}}}},
		{Zone: "B", Days: []DayCheck{{ErlangServiceLevel: 1, SimServiceLevel: 1, Slots: make([]SlotCheck, 2)}}},
	}
	pools := PoolReport{
		Zones: []PoolZone{{Zone: "A", Group: 0, SimSeparate: 0.9, SimHelping: 0.97, HelpedShare: 0.25}, {Zone: "B", Group: 0, SimSeparate: 1, SimHelping: 1}},
		Groups: []PoolGroup{{Zones: []string{"A", "B"}, WindowsPlanned: 3, Helpers: []PoolWindow{{Number: 3, Zone: "B", Helps: []string{"A"}}},
			Days: []PoolDay{{PeakSeparate: 4, PeakPooled: 3, ErlangSeparate: 0.88, ErlangPooled: 0.96, SimSeparate: 0.9, SimHelping: 0.97,
				WindowHoursSeparate: 6, WindowHoursPooled: 4, Slots: []PoolSlot{
					{Hour: 9, Label: "09:00–10:00", NeededSeparate: 4, NeededPooled: 3},
					{Hour: 10, Label: "10:00–11:00", NeededSeparate: 2, NeededPooled: 1}}}}}},
	}
	return Chart{Title: "测试 hall & <chart>", Target: Target{WaitMinutes: 10, Level: 0.8}, Plans: []ZonePlan{a, b},
		Checks: checks, Pools: pools, Zones: map[string]string{"A": "商事<登记>&区", "B": "B区"}}
}

func TestWriteSVG(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSVG(&buf, sampleChart()); err != nil {
		t.Fatal(err)
	}
	es := parseXML(t, buf.Bytes())
	if root := es[0]; root.name.Local != "svg" || root.name.Space != "http://www.w3.org/2000/svg" || root.attrs["role"] != "img" {
		t.Fatalf("root %+v", root.name)
	}
	type bar struct{ zone, hour, value string }
	wantBars := map[string][]bar{
		"need":          {{"A", "9", "3"}, {"A", "10", "1"}},
		"sl-erlang":     {{"A", "9", "0.9000"}, {"A", "10", "0.8500"}},
		"sl-sim":        {{"A", "9", "0.9500"}, {"A", "10", "0.8000"}},
		"pool-separate": {{"A+B", "9", "4"}, {"A+B", "10", "2"}},
		"pool-pooled":   {{"A+B", "9", "3"}, {"A+B", "10", "1"}},
	}
	for class, want := range wantBars {
		got := byClass(es, class)
		if len(got) != len(want) {
			t.Errorf("%d %s bars, want %d", len(got), class, len(want))
			continue
		}
		for i, e := range got {
			zone := e.attrs["data-zone"] + e.attrs["data-zones"]
			if (bar{zone, e.attrs["data-hour"], e.attrs["data-value"]}) != want[i] || e.name.Local != "rect" ||
				len(e.kids) != 1 || e.kids[0] != "title" {
				t.Errorf("%s bar %d: %v %v, want %v", class, i, e.attrs, e.kids, want[i])
			}
		}
	}
	// bars are drawn to scale: 3 windows three times as tall as 1; the
	// service levels against a 100% panel of 130 units
	need := byClass(es, "need")
	if h9, h10 := attrFloat(t, need[0], "height"), attrFloat(t, need[1], "height"); math.Abs(h9/h10-3) > 0.01 {
		t.Errorf("need bars %.1f and %.1f high", h9, h10)
	}
	if h := attrFloat(t, byClass(es, "sl-sim")[0], "height"); math.Abs(h-0.95*chartPanelH) > 0.06 {
		t.Errorf("95%% bar %.1f high, want %.1f", h, 0.95*chartPanelH)
	}
	planned := byClass(es, "planned")
	if len(planned) != 2 || planned[0].attrs["data-zone"] != "A" || planned[0].attrs["data-value"] != "2" ||
		planned[1].attrs["data-zones"] != "A+B" || planned[1].attrs["data-value"] != "3" {
		t.Errorf("planned lines: %d", len(planned))
	}
	if n := len(byClass(es, "target")); n != 1 {
		t.Errorf("%d target lines, want 1 (zone A's)", n)
	}
	words := texts(es)
	for _, s := range []string{"测试 hall & <chart>", "A 商事<登记>&区 — 现有 2 窗口 windows planned, 高峰需 peak needs 3",
		"B B区 — 无到达 no arrivals", "目标 target: 80.0% 在 10 分钟内叫号", "全天 whole day: Erlang C 88.0%, 模拟 simulated 90.0%",
		"合并 pooled A 商事<登记>&区, B B区 — 现有 3 窗口", "分开 separate 4, 合并 pooled 3", "A: 不互助 90.0% → 互助 97.0%, 他区窗口叫号 by a helper 25.0%",
		"A 09:00–10:00: 需 3 窗口 windows needed", "09\n", "10\n"} {
		if !strings.Contains(words, s) {
			t.Errorf("no %q in the chart's text:\n%s", s, words)
		}
	}
	if strings.Contains(buf.String(), "<登记>") || strings.Contains(buf.String(), "<script") {
		t.Error("unescaped text or a script in the SVG")
	}
}

func TestWriteSVGWithoutSimulation(t *testing.T) {
	c := sampleChart()
	c.Checks, c.Pools = nil, PoolReport{}
	var buf bytes.Buffer
	if err := WriteSVG(&buf, c); err != nil {
		t.Fatal(err)
	}
	es := parseXML(t, buf.Bytes())
	if len(byClass(es, "sl-sim")) != 0 || len(byClass(es, "sl-erlang")) != 2 || len(byClass(es, "pool-pooled")) != 0 {
		t.Errorf("%d sim bars, %d Erlang bars, %d pool bars", len(byClass(es, "sl-sim")), len(byClass(es, "sl-erlang")), len(byClass(es, "pool-pooled")))
	}
	// two zone rows and no pool row: the header, a full row and an empty one
	if h := attrFloat(t, es[0], "height"); h != chartHeader+chartRow+chartNoRow+chartMargin {
		t.Errorf("height %v", h)
	}
}

func TestWriteHTML(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, sampleChart()); err != nil {
		t.Fatal(err)
	}
	es := parseXML(t, buf.Bytes())
	if es[0].name.Local != "html" || es[0].attrs["lang"] != "zh-CN" || !strings.HasPrefix(buf.String(), "<!DOCTYPE html>") {
		t.Errorf("root %v %v", es[0].name, es[0].attrs)
	}
	var svgs int
	for _, e := range es {
		if e.name.Local == "svg" {
			svgs++
		}
	}
	if svgs != 1 || len(byClass(es, "need")) != 2 || !strings.Contains(texts(es), "测试 hall & <chart>\n") {
		t.Errorf("%d svg elements, %d need bars", svgs, len(byClass(es, "need")))
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteChartErrors(t *testing.T) {
	if err := WriteSVG(failWriter{}, sampleChart()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("SVG: %v", err)
	}
	if err := WriteHTML(failWriter{}, sampleChart()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("HTML: %v", err)
	}
}
