// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"net/http"
	"strconv"
	"strings"

	"yichuang/kiosk"
)

// The admin page's charts, drawn here as SVG from the same statistics as
// GET /api/v1/stats: GET /api/v1/stats/chart.svg?kind=hourly|waits|satisfaction|ontime
// with ?date= or ?from=&to=. Each chart says its numbers twice: on the
// bars, and in its <desc> for screen readers; bars of a second series are
// hatched, so no series is told by colour alone.

// chartGroup is one category on the x axis: a value per series, and the
// words printed over each bar.
type chartGroup struct {
	label  string
	values []float64
	texts  []string
}

// chart is a bar chart: groups of bars, one bar per series.
type chart struct {
	id     string // unique on a page: the ids of its title and description
	title  string
	unit   string   // said after the axis values
	series []string // names, shown in a legend when more than one
	groups []chartGroup
	max    float64 // the axis top; 0: from the values
	counts bool    // whole numbers: the axis steps by whole numbers too
}

// statsFor computes the statistics a request names: ?date=, or ?from=&to=.
func (s *Server) statsFor(r *http.Request) (*kiosk.Stats, error) {
	q := r.URL.Query()
	if q.Get("from") != "" || q.Get("to") != "" {
		return s.hall.StatsRange(r.Context(), q.Get("from"), q.Get("to"))
	}
	return s.hall.Stats(r.Context(), q.Get("date"))
}

func (s *Server) statsChart(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("kind")
	build := map[string]func(*kiosk.Stats) chart{
		"hourly": hourlyChart, "waits": s.waitsChart, "satisfaction": s.satisfactionChart, "ontime": s.onTimeChart,
	}[kind]
	if build == nil {
		writeError(w, http.StatusBadRequest, "kind", "hourly, waits, satisfaction or ontime")
		return
	}
	st, err := s.statsFor(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := build(st)
	c.title += "（" + statsPeriod(st) + "）"
	w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(c.svg())
}

func statsPeriod(st *kiosk.Stats) string {
	if st.From != "" && st.To != "" && st.From != st.To {
		return st.From + " 至 " + st.To
	}
	return st.Date
}

// hourlyChart: tickets issued in each hour, over the opening hours at least
// (8 to 17) and every hour with tickets.
func hourlyChart(st *kiosk.Stats) chart {
	first, last := 8, 17
	for h, n := range st.IssuedByHour {
		if n > 0 {
			first, last = min(first, h), max(last, h)
		}
	}
	c := chart{id: "chart-hourly", title: "每小时取号量 Tickets per hour", unit: "张", series: []string{"取号"}, counts: true}
	for h := first; h <= last; h++ {
		n := 0
		if h < len(st.IssuedByHour) {
			n = st.IssuedByHour[h]
		}
		c.groups = append(c.groups, chartGroup{label: strconv.Itoa(h) + "时", values: []float64{float64(n)}, texts: []string{strconv.Itoa(n)}})
	}
	return c
}

// zoneFigures returns each zone's figures in the config's order, then the total.
func (s *Server) zoneFigures(st *kiosk.Stats) ([]string, []*kiosk.Figures) {
	var labels []string
	var figs []*kiosk.Figures
	for _, z := range s.cfg.Zones {
		if f := st.Zones[z.ID]; f != nil {
			labels, figs = append(labels, z.Name), append(figs, f)
		}
	}
	return append(labels, "合计"), append(figs, st.Total)
}

func (s *Server) waitsChart(st *kiosk.Stats) chart {
	c := chart{id: "chart-waits", title: "各区等候时间 Waits per zone", unit: "分钟", series: []string{"平均等候", "90% 等候不超过"}}
	labels, figs := s.zoneFigures(st)
	for i, f := range figs {
		mean, p90 := f.MeanWaitSec/60, f.P90WaitSec/60
		c.groups = append(c.groups, chartGroup{label: labels[i], values: []float64{mean, p90},
			texts: []string{strconv.FormatFloat(mean, 'f', 1, 64), strconv.FormatFloat(p90, 'f', 1, 64)}})
	}
	return c
}

// rateGroup is a percentage bar, or a dash where nothing was counted.
func rateGroup(label string, rate float64, of int, what string) chartGroup {
	if of == 0 {
		return chartGroup{label: label, values: []float64{0}, texts: []string{"—"}}
	}
	return chartGroup{label: label, values: []float64{rate * 100},
		texts: []string{strconv.FormatFloat(rate*100, 'f', 0, 64) + "%（" + strconv.Itoa(of) + " " + what + "）"}}
}

func (s *Server) satisfactionChart(st *kiosk.Stats) chart {
	c := chart{id: "chart-satisfaction", title: "满意率 Satisfaction (4–5 of all ratings)", unit: "%", series: []string{"满意率"}, max: 100}
	labels, figs := s.zoneFigures(st)
	for i, f := range figs {
		c.groups = append(c.groups, rateGroup(labels[i], f.SatisfactionRate, f.Rated, "条"))
	}
	return c
}

func (s *Server) onTimeChart(st *kiosk.Stats) chart {
	c := chart{id: "chart-ontime", title: "按时办结率 Cases closed on time", unit: "%", series: []string{"按时办结率"}, max: 100}
	labels, figs := s.zoneFigures(st)
	for i, f := range figs {
		c.groups = append(c.groups, rateGroup(labels[i], f.OnTimeRate, f.CasesClosed, "件"))
	}
	return c
}

// niceCeil rounds x up to 1, 2 or 5 times a power of ten (at least 1).
func niceCeil(x float64) float64 {
	if x <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// Chart geometry in pixels.
const (
	chartW, chartH = 720, 300
	plotL, plotR   = 56, 12
	plotT, plotB   = 40, 64 // room for the title; for the labels (two lines) and the legend
	gridSteps      = 5      // 1, 2, 5 × 10ⁿ split in five: round steps
)

// svg draws the chart.
func (c chart) svg() []byte {
	top := c.max
	if top == 0 {
		for _, g := range c.groups {
			for _, v := range g.values {
				top = math.Max(top, v)
			}
		}
		top = niceCeil(top)
		if c.counts {
			top = max(top, gridSteps)
		}
	}
	var b bytes.Buffer
	esc := html.EscapeString
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-title %s-desc">`,
		chartW, chartH, chartW, chartH, c.id, c.id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, c.id, esc(c.title), c.id, esc(c.describe()))
	fmt.Fprintf(&b, `<defs><pattern id="%s-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`+
		`<rect width="6" height="6" fill="#e08a00"/><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/></pattern></defs>`, c.id)
	b.WriteString(`<style>text{font-family:sans-serif;font-size:12px;fill:#222}.t{font-size:15px;font-weight:bold}.grid{stroke:#ccc}.axis{stroke:#444}</style>`)
	fmt.Fprintf(&b, `<text class="t" x="%d" y="22">%s</text>`, plotL, esc(c.title))
	plotH := float64(chartH - plotT - plotB)
	plotW := float64(chartW - plotL - plotR)
	for i := 0; i <= gridSteps; i++ {
		v := top * float64(i) / gridSteps
		y := float64(plotT) + plotH - plotH*float64(i)/gridSteps
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, plotL, y, chartW-plotR, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, plotL-6, y+4, esc(trimFloat(v)+" "+c.unit))
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, plotL, float64(plotT)+plotH, chartW-plotR, float64(plotT)+plotH)
	if len(c.groups) > 0 {
		c.bars(&b, top, plotW, plotH)
	}
	if len(c.series) > 1 {
		c.legend(&b)
	}
	b.WriteString(`</svg>`)
	return b.Bytes()
}

// bars draws each group's bars, their words and the group's label.
func (c chart) bars(b *bytes.Buffer, top, plotW, plotH float64) {
	esc := html.EscapeString
	gw := plotW / float64(len(c.groups))
	n := float64(max(1, len(c.series)))
	bw := math.Min(48, gw*0.8/n)
	for i, g := range c.groups {
		x0 := float64(plotL) + gw*float64(i) + (gw-bw*n)/2
		for j, v := range g.values {
			h := 0.0
			if top > 0 {
				h = plotH * math.Min(v, top) / top
			}
			x, y := x0+bw*float64(j), float64(plotT)+plotH-h
			fill := "#1f5fa8"
			if j == 1 {
				fill = "url(#" + c.id + "-hatch)"
			}
			fmt.Fprintf(b, `<rect class="bar s%d" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
				j, x, y, bw-2, h, fill, esc(g.label+" "+c.series[min(j, len(c.series)-1)]+"："+g.texts[j]))
			fmt.Fprintf(b, `<text class="v" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x+(bw-2)/2, y-4, esc(shortText(g.texts[j])))
		}
		x := float64(plotL) + gw*(float64(i)+0.5)
		fmt.Fprintf(b, `<text class="label" x="%.1f" y="%.1f" text-anchor="middle">`, x, float64(plotT)+plotH+16)
		for j, line := range labelLines(g.label) {
			fmt.Fprintf(b, `<tspan x="%.1f" dy="%d">%s</tspan>`, x, 14*min(j, 1), esc(line))
		}
		b.WriteString(`</text>`)
	}
}

// labelLines breaks a label of more than four characters into two lines,
// so the names of nine zones fit under their bars.
func labelLines(label string) []string {
	r := []rune(label)
	if len(r) <= 4 {
		return []string{label}
	}
	half := (len(r) + 1) / 2
	return []string{string(r[:half]), string(r[half:])}
}

func (c chart) legend(b *bytes.Buffer) {
	x := plotL
	y := chartH - 8
	for j, name := range c.series {
		fill := "#1f5fa8"
		if j == 1 {
			fill = "url(#" + c.id + "-hatch)"
		}
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="14" height="14" fill="%s"/><text x="%d" y="%d">%s</text>`, x, y-11, fill, x+20, y, html.EscapeString(name))
		x += 40 + 14*len([]rune(name))
	}
}

// describe says every bar in words, for screen readers.
func (c chart) describe() string {
	parts := make([]string, 0, len(c.groups))
	for _, g := range c.groups {
		var vs []string
		for j, t := range g.texts {
			name := ""
			if len(c.series) > 1 {
				name = c.series[j] + " "
			}
			unit := ""
			if t != "—" && c.unit != "%" {
				unit = " " + c.unit
			}
			vs = append(vs, name+t+unit)
		}
		parts = append(parts, g.label+"："+strings.Join(vs, "，"))
	}
	return strings.Join(parts, "；")
}

// shortText is a bar's words without the count in brackets.
func shortText(s string) string {
	if i := strings.Index(s, "（"); i > 0 {
		return s[:i]
	}
	return s
}

func trimFloat(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
