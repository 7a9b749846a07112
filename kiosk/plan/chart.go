// SPDX-License-Identifier: AGPL-3.0-or-later

package plan

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Chart is what the planner draws: for each zone and kind of day, the
// windows needed hour by hour against the windows the zone has, and the
// service level by Erlang C against the simulation's; then, for each
// group of zones joined by helping windows, the windows needed alone
// against pooled. The SVG is drawn here, on the server, with no script:
// every bar is a <rect> with its figures in data- attributes and a
// <title> a screen reader or a mouse-over shows.
type Chart struct {
	Title  string
	Target Target
	Plans  []ZonePlan
	Checks []ZoneCheck // in the order of Plans; nil: no simulation
	Pools  PoolReport
	// Zones names zones by id for the pool rows (optional).
	Zones map[string]string
}

// Chart geometry, in SVG user units.
const (
	chartWidth     = 1000
	chartMargin    = 20
	chartHeader    = 110
	chartRow       = 224 // a zone's row
	chartNoRow     = 34  // a row with nothing to draw
	chartPanelW    = 420
	chartPanelH    = 130
	chartLeftX     = 60  // the windows panel
	chartRightX    = 535 // the service-level panel
	chartPoolTextX = 530
	chartPanelY    = 50  // panels' top within a row
	chartBarFill   = 0.7 // a bar's share of its hour's width
	// chartHeadroom leaves room above a windows panel's tallest bar for its figure.
	chartHeadroom = 1.15
)

// Chart colours (Tableau 10).
const (
	colNeed    = "#4e79a7"
	colPlanned = "#e15759"
	colErlang  = "#a0cbe8"
	colSim     = "#f28e2b"
	colTarget  = "#59a14f"
	colPooled  = "#b07aa1"
	colAxis    = "#888888"
)

// WriteSVG writes c as one self-contained SVG document.
func WriteSVG(w io.Writer, c Chart) error {
	var b bytes.Buffer
	c.svg(&b)
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("plan: writing the chart: %w", err)
	}
	return nil
}

// WriteHTML writes c as a page (XHTML, so it parses as XML too) around the SVG.
func WriteHTML(w io.Writer, c Chart) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"zh-CN\" xml:lang=\"zh-CN\">\n"+
		"<head><meta charset=\"utf-8\"/><title>%s</title>\n"+
		"<style>body{font-family:\"Noto Sans CJK SC\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif;margin:1em}svg{max-width:100%%;height:auto}</style></head>\n"+
		"<body>\n<h1>%s</h1>\n", esc(c.Title), esc(c.Title))
	c.svg(&b)
	b.WriteString("</body>\n</html>\n")
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("plan: writing the chart page: %w", err)
	}
	return nil
}

// esc escapes text for XML content and attributes.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) //nolint:errcheck // a strings.Builder never fails
	return b.String()
}

func pct(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

func (c Chart) svg(out *bytes.Buffer) {
	var body bytes.Buffer
	y := chartHeader
	for i, zp := range c.Plans {
		for d, day := range zp.Days {
			var check *DayCheck
			if i < len(c.Checks) && d < len(c.Checks[i].Days) {
				check = &c.Checks[i].Days[d]
			}
			y += c.zoneRow(&body, zp, day, check, y)
		}
	}
	for _, g := range c.Pools.Groups {
		for _, day := range g.Days {
			y += c.poolRow(&body, g, day, y)
		}
	}
	h := y + chartMargin
	fmt.Fprintf(out, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title" font-family="'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif" font-size="12">`+"\n",
		chartWidth, h, chartWidth, h)
	fmt.Fprintf(out, `<title id="chart-title">%s</title>`+"\n", esc(c.Title))
	fmt.Fprintf(out, `<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", chartWidth, h)
	fmt.Fprintf(out, `<text class="heading" x="%d" y="32" font-size="20" font-weight="bold">%s</text>`+"\n", chartMargin, esc(c.Title))
	fmt.Fprintf(out, `<text class="target-text" x="%d" y="54">%s</text>`+"\n", chartMargin, esc(c.targetText()))
	c.legend(out, 74)
	out.Write(body.Bytes())
	out.WriteString("</svg>\n")
}

func (c Chart) targetText() string {
	t := c.Target
	s := fmt.Sprintf("目标 target: %s 在 %g 分钟内叫号 called within %g min", pct(t.Level), t.WaitMinutes, t.WaitMinutes)
	if t.Level == 0 {
		s = fmt.Sprintf("目标 target: 平均等待 mean wait ≤ %g min", t.MaxMeanWait)
	}
	return s
}

func (c Chart) legend(out *bytes.Buffer, y int) {
	items := []struct{ colour, label string }{
		{colNeed, "需要窗口 windows needed"}, {colPlanned, "现有窗口 windows planned"},
		{colErlang, "Erlang C 达标率 service level"}, {colSim, "模拟 simulated (DES)"},
		{colTarget, "目标 target"}, {colPooled, "合并后需要 needed pooled"},
	}
	x := chartMargin
	for _, it := range items {
		w := 16 + textWidth(it.label) + 24
		if x+w > chartWidth-chartMargin {
			x, y = chartMargin, y+18
		}
		fmt.Fprintf(out, `<rect class="legend" x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n",
			x, y-10, it.colour, x+16, y, esc(it.label))
		x += w
	}
}

// textWidth estimates a 12-unit label's width: CJK characters are square,
// others about half as wide.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x2e80 {
			w += 12
		} else {
			w += 7
		}
	}
	return w
}

// panel is a plot area: x, y its top left corner, w, h its size, yMax
// the value at its top.
type panel struct {
	x, y, w, h, yMax float64
}

func (p panel) slotX(j, n int) float64 { return p.x + p.w*float64(j)/float64(n) }
func (p panel) slotW(n int) float64    { return p.w / float64(n) }
func (p panel) yOf(v float64) float64  { return p.y + p.h - p.h*math.Min(v, p.yMax)/p.yMax }

// axes draws the frame, the ticks of the y axis and the hours below.
func (p panel) axes(out *bytes.Buffer, ticks []float64, tickLabel func(float64) string, hours []string) {
	fmt.Fprintf(out, `<line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`+"\n", p.x, p.y+p.h, p.x+p.w, p.y+p.h, colAxis)
	fmt.Fprintf(out, `<line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`+"\n", p.x, p.y, p.x, p.y+p.h, colAxis)
	for _, v := range ticks {
		y := p.yOf(v)
		fmt.Fprintf(out, `<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e0e0e0"/>`+"\n", p.x, y, p.x+p.w, y)
		fmt.Fprintf(out, `<text class="tick" x="%.1f" y="%.1f" text-anchor="end" font-size="10">%s</text>`+"\n", p.x-4, y+3, esc(tickLabel(v)))
	}
	for j, h := range hours {
		fmt.Fprintf(out, `<text class="hour" x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%s</text>`+"\n",
			p.slotX(j, len(hours))+p.slotW(len(hours))/2, p.y+p.h+13, esc(h))
	}
}

// bar draws one bar of value v in slot j of n, at sub-bar k of m.
func (p panel) bar(out *bytes.Buffer, j, n, k, m int, v float64, colour, class, attrs, title string) {
	full := p.slotW(n) * chartBarFill
	w := full / float64(m)
	x := p.slotX(j, n) + (p.slotW(n)-full)/2 + w*float64(k)
	y := p.yOf(v)
	fmt.Fprintf(out, `<rect class="%s" %s x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`+"\n",
		class, attrs, x, y, w, p.y+p.h-y, colour, esc(title))
}

// hline draws a dashed line across the panel at v.
func (p panel) hline(out *bytes.Buffer, v float64, colour, class, attrs, label string) {
	y := p.yOf(v)
	fmt.Fprintf(out, `<line class="%s" %s x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="6 4"/>`+"\n",
		class, attrs, p.x, y, p.x+p.w, y, colour)
	fmt.Fprintf(out, `<text class="%s-label" x="%.1f" y="%.1f" font-size="10" fill="%s">%s</text>`+"\n", class, p.x+p.w+4, y+3, colour, esc(label))
}

// hourLabel is a slot's hour as the axis shows it, "08".
func hourLabel(h int) string { return fmt.Sprintf("%02d", h) }

// windowTicks are the y ticks of a windows panel up to top.
func windowTicks(top int) []float64 {
	step := max(1, int(math.Ceil(float64(top)/5)))
	var out []float64
	for v := 0; v <= top; v += step {
		out = append(out, float64(v))
	}
	return out
}

func dayLabel(weekday string) string {
	if weekday == "" {
		return ""
	}
	return " · " + weekday
}

// zoneRow draws a zone's day at y and returns the row's height.
func (c Chart) zoneRow(out *bytes.Buffer, zp ZonePlan, day DayPlan, check *DayCheck, y int) int {
	head := fmt.Sprintf("%s %s%s — 现有 %d 窗口 windows planned, 高峰需 peak needs %d", zp.Zone, zp.Name, dayLabel(day.Weekday), zp.Windows, day.Peak)
	if day.Arrivals == 0 {
		fmt.Fprintf(out, `<text class="zone-title" data-zone="%s" x="%d" y="%d" font-weight="bold">%s — 无到达 no arrivals</text>`+"\n",
			esc(zp.Zone), chartMargin, y+20, esc(fmt.Sprintf("%s %s%s", zp.Zone, zp.Name, dayLabel(day.Weekday))))
		return chartNoRow
	}
	fmt.Fprintf(out, `<g class="zone" data-zone="%s" data-weekday="%s">`+"\n", esc(zp.Zone), esc(day.Weekday))
	fmt.Fprintf(out, `<text class="zone-title" x="%d" y="%d" font-weight="bold" font-size="14">%s</text>`+"\n", chartMargin, y+20, esc(head))
	c.windowsPanel(out, zp, day, float64(y+chartPanelY))
	c.levelPanel(out, zp, day, check, float64(y+chartPanelY))
	out.WriteString("</g>\n")
	return chartRow
}

func (c Chart) windowsPanel(out *bytes.Buffer, zp ZonePlan, day DayPlan, top float64) {
	most := max(day.Peak, zp.Windows, 1)
	p := panel{x: chartLeftX, y: top, w: chartPanelW, h: chartPanelH, yMax: float64(most) * chartHeadroom}
	var hours []string
	for _, s := range day.Slots {
		hours = append(hours, hourLabel(s.Hour))
	}
	fmt.Fprintf(out, `<text class="panel-title" x="%.1f" y="%.1f" font-size="11">%s</text>`+"\n", p.x, top-10, esc("每小时需要窗口 windows needed by hour"))
	p.axes(out, windowTicks(most), func(v float64) string { return fmt.Sprintf("%g", v) }, hours)
	n := len(day.Slots)
	for j, s := range day.Slots {
		attrs := fmt.Sprintf(`data-zone="%s" data-hour="%d" data-value="%d"`, esc(zp.Zone), s.Hour, s.Windows)
		title := fmt.Sprintf("%s %s: 需 %d 窗口 windows needed, 到达 %.1f/h", zp.Zone, s.Label, s.Windows, s.Arrivals)
		p.bar(out, j, n, 0, 1, float64(s.Windows), colNeed, "need", attrs, title)
		fmt.Fprintf(out, `<text class="need-value" x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%d</text>`+"\n",
			p.slotX(j, n)+p.slotW(n)/2, p.yOf(float64(s.Windows))-3, s.Windows)
	}
	if zp.Windows > 0 {
		p.hline(out, float64(zp.Windows), colPlanned, "planned", fmt.Sprintf(`data-zone="%s" data-value="%d"`, esc(zp.Zone), zp.Windows),
			fmt.Sprintf("现有 %d", zp.Windows))
	}
}

func (c Chart) levelPanel(out *bytes.Buffer, zp ZonePlan, day DayPlan, check *DayCheck, top float64) {
	p := panel{x: chartRightX, y: top, w: chartPanelW, h: chartPanelH, yMax: 1}
	var hours []string
	for _, s := range day.Slots {
		hours = append(hours, hourLabel(s.Hour))
	}
	title := fmt.Sprintf("≤%g 分钟达标率 share called within %g min", c.Target.WaitMinutes, c.Target.WaitMinutes)
	fmt.Fprintf(out, `<text class="panel-title" x="%.1f" y="%.1f" font-size="11">%s</text>`+"\n", p.x, top-10, esc(title))
	p.axes(out, []float64{0, 0.5, 1}, pct, hours)
	n, m := len(day.Slots), 1
	if check != nil {
		m = 2
	}
	for j, s := range day.Slots {
		attrs := fmt.Sprintf(`data-zone="%s" data-hour="%d" data-value="%.4f"`, esc(zp.Zone), s.Hour, s.ServiceLevel)
		p.bar(out, j, n, 0, m, s.ServiceLevel, colErlang, "sl-erlang", attrs,
			fmt.Sprintf("%s %s: Erlang C %s (%d 窗口 windows)", zp.Zone, s.Label, pct(s.ServiceLevel), s.Windows))
		if check != nil && j < len(check.Slots) {
			cs := check.Slots[j]
			attrs := fmt.Sprintf(`data-zone="%s" data-hour="%d" data-value="%.4f"`, esc(zp.Zone), cs.Hour, cs.SimServiceLevel)
			p.bar(out, j, n, 1, m, cs.SimServiceLevel, colSim, "sl-sim", attrs,
				fmt.Sprintf("%s %s: 模拟 simulated %s, 平均等待 mean wait %.1f min", zp.Zone, cs.Label, pct(cs.SimServiceLevel), cs.SimMeanWait))
		}
	}
	if c.Target.Level > 0 {
		p.hline(out, c.Target.Level, colTarget, "target", "", pct(c.Target.Level))
	}
	if check != nil {
		fmt.Fprintf(out, `<text class="day-level" x="%.1f" y="%.1f" font-size="11">%s</text>`+"\n", p.x, top+chartPanelH+28,
			esc(fmt.Sprintf("全天 whole day: Erlang C %s, 模拟 simulated %s", pct(check.ErlangServiceLevel), pct(check.SimServiceLevel))))
	}
}

// poolRow draws a pool group's day at y and returns the row's height.
func (c Chart) poolRow(out *bytes.Buffer, g PoolGroup, day PoolDay, y int) int {
	names := make([]string, len(g.Zones))
	for i, z := range g.Zones {
		names[i] = strings.TrimSpace(z + " " + c.Zones[z])
	}
	id := strings.Join(g.Zones, "+")
	head := fmt.Sprintf("合并 pooled %s%s — 现有 %d 窗口 windows planned; 高峰需 peak needs: 分开 separate %d, 合并 pooled %d",
		strings.Join(names, ", "), dayLabel(day.Weekday), g.WindowsPlanned, day.PeakSeparate, day.PeakPooled)
	fmt.Fprintf(out, `<g class="pool" data-zones="%s" data-weekday="%s">`+"\n", esc(id), esc(day.Weekday))
	fmt.Fprintf(out, `<text class="pool-title" x="%d" y="%d" font-weight="bold" font-size="14">%s</text>`+"\n", chartMargin, y+20, esc(head))
	top := float64(y + chartPanelY)
	most := max(day.PeakSeparate, g.WindowsPlanned, 1)
	p := panel{x: chartLeftX, y: top, w: chartPanelW, h: chartPanelH, yMax: float64(most) * chartHeadroom}
	var hours []string
	for _, s := range day.Slots {
		hours = append(hours, hourLabel(s.Hour))
	}
	fmt.Fprintf(out, `<text class="panel-title" x="%.1f" y="%.1f" font-size="11">%s</text>`+"\n", p.x, top-10, esc("需要窗口: 分开 vs 合并 windows needed: separate vs pooled"))
	p.axes(out, windowTicks(most), func(v float64) string { return fmt.Sprintf("%g", v) }, hours)
	n := len(day.Slots)
	for j, s := range day.Slots {
		p.bar(out, j, n, 0, 2, float64(s.NeededSeparate), colNeed, "pool-separate",
			fmt.Sprintf(`data-zones="%s" data-hour="%d" data-value="%d"`, esc(id), s.Hour, s.NeededSeparate),
			fmt.Sprintf("%s %s: 分开需 %d separate", id, s.Label, s.NeededSeparate))
		p.bar(out, j, n, 1, 2, float64(s.NeededPooled), colPooled, "pool-pooled",
			fmt.Sprintf(`data-zones="%s" data-hour="%d" data-value="%d"`, esc(id), s.Hour, s.NeededPooled),
			fmt.Sprintf("%s %s: 合并需 %d pooled", id, s.Label, s.NeededPooled))
	}
	p.hline(out, float64(g.WindowsPlanned), colPlanned, "planned", fmt.Sprintf(`data-zones="%s" data-value="%d"`, esc(id), g.WindowsPlanned),
		fmt.Sprintf("现有 %d", g.WindowsPlanned))
	lines := c.poolLines(g, day)
	for i, l := range lines {
		fmt.Fprintf(out, `<text class="pool-line" x="%d" y="%.1f" font-size="11">%s</text>`+"\n", chartPoolTextX, top+10+float64(i)*18, esc(l))
	}
	out.WriteString("</g>\n")
	return max(chartRow, chartPanelY+10+18*len(lines)+20)
}

// poolLines are the figures written beside a pool group's bars.
func (c Chart) poolLines(g PoolGroup, day PoolDay) []string {
	lines := []string{
		fmt.Sprintf("现有窗口全天开, ≤%g 分钟达标率 planned windows all day, share ≤%g min:", c.Target.WaitMinutes, c.Target.WaitMinutes),
		fmt.Sprintf("Erlang C: 各区分开 separate %s, 合为一队 one queue %s", pct(day.ErlangSeparate), pct(day.ErlangPooled)),
		fmt.Sprintf("模拟 simulated: 不互助 no help %s, 按配置互助 helping %s", pct(day.SimSeparate), pct(day.SimHelping)),
		fmt.Sprintf("窗口工时 window-hours needed: 分开 %.1f, 合并 pooled %.1f", day.WindowHoursSeparate, day.WindowHoursPooled),
	}
	over := ""
	if len(g.Days) > 1 {
		over = " (各类日合计 all days)"
	}
	for _, z := range c.Pools.Zones {
		if !slices.Contains(g.Zones, z.Zone) {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s%s: 不互助 %s → 互助 %s, 他区窗口叫号 by a helper %s",
			z.Zone, over, pct(z.SimSeparate), pct(z.SimHelping), pct(z.HelpedShare)))
	}
	return lines
}
