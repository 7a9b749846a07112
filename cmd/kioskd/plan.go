// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"yichuang/config"
	"yichuang/kiosk"
	"yichuang/kiosk/plan"
	"yichuang/kiosk/store"
)

// planMinSamples is the served tickets a zone needs before its measured
// service time replaces the assumed one.
const planMinSamples = 10

// planDefaultDays is the range read without --from: four weeks to yesterday.
const planDefaultDays = 28

// planReport is what `kioskd plan` prints, in any format.
type planReport struct {
	Hall    string             `json:"hall"`
	From    string             `json:"from"`
	To      string             `json:"to"`
	Source  string             `json:"source"` // tickets | fallback
	Days    int                `json:"open_days"`
	Tickets int                `json:"tickets"`
	Hours   string             `json:"hours"`
	Target  plan.Target        `json:"target"`
	Zones   []planZone         `json:"zones"`
	Yearly  plan.YearlySummary `json:"yearly"`
	// Simulation is how the discrete-event simulation that cross-checks
	// Erlang C ran; Pooling is the effect of the windows that help other
	// zones (the hall's windows, all open all day).
	Simulation planSimulation  `json:"simulation"`
	Pooling    plan.PoolReport `json:"pooling"`
}

// planSimulation is the simulation's settings, to run it again.
type planSimulation struct {
	Seed uint64 `json:"seed"`
	Days int    `json:"days"`
	Dist string `json:"service_distribution"` // auto | exp | lognormal
}

// planZone is one zone's hourly plan and where its figures come from.
type planZone struct {
	plan.ZonePlan
	ServiceSource string  `json:"service_source"` // measured | assumed
	Samples       int     `json:"service_samples"`
	Tickets       int     `json:"tickets"`
	PerYear       float64 `json:"per_year"` // an average day's arrivals × working days
	Note          string  `json:"note,omitempty"`
	// Simulated is the simulation of each kind of day in Days, hour by
	// hour with the windows the plan needs.
	Simulated []plan.DayCheck `json:"simulated"`
}

// cmdPlan sizes the hall's windows zone by zone and hour by hour from the
// tickets of a date range (Erlang C), or, for a hall with no tickets yet,
// from the 2019 plan's yearly volumes; then the plan's yearly staffing
// view against the target of 6000 cases per intake staff.
func cmdPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "config file (TOML); default: the embedded hall")
	from := fs.String("from", "", "first day of tickets, YYYY-MM-DD (default: four weeks before --to)")
	to := fs.String("to", "", "last day of tickets, YYYY-MM-DD (default: yesterday)")
	waitMin := fs.Float64("target-minutes", 15, "service target: called within this many minutes ...")
	level := fs.Float64("service-level", 0.8, "... for this share of citizens (0: no such target)")
	meanWait := fs.Float64("mean-wait", 0, "service target: mean wait at most this many minutes (0: none)")
	minWin := fs.Int("min-windows", 1, "windows kept open in each zone even with nobody to serve")
	byWeekday := fs.Bool("by-weekday", false, "plan each day of the week apart (with tickets only)")
	peak := fs.Float64("peak-factor", plan.DefaultYearly().PeakFactor, "yearly view: peak hour's arrivals ÷ the mean hour's")
	days := fs.Float64("working-days", plan.WorkingDays, "yearly view: working days a year")
	hoursPerDay := fs.Float64("hours-per-day", plan.DefaultYearly().HoursPerDay, "yearly view: hours of arrivals a day")
	format := fs.String("format", "text", "text | csv | json")
	summary := fs.Bool("json", false, "print one JSON line per zone: the busiest hour's arrivals, windows planned and needed, service level")
	seed := fs.Uint64("seed", plan.DefaultSimOptions().Seed, "simulation: the random seed (the same seed, the same days)")
	simDays := fs.Int("sim-days", plan.DefaultSimOptions().Days, "simulation: days simulated")
	simDist := fs.String("sim-dist", "auto", "simulation: service times auto (exponential, or log-normal with a measured spread) | exp | lognormal")
	svgPath := fs.String("svg", "", "also write the charts to this file as SVG")
	htmlPath := fs.String("html", "", "also write the charts to this file as an HTML page")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("plan: unexpected argument %q", fs.Arg(0))
	}
	switch *format {
	case "text", "csv", "json":
	default:
		return fmt.Errorf("plan: --format %q: want text, csv or json", *format)
	}
	target := plan.Target{WaitMinutes: *waitMin, Level: *level, MaxMeanWait: *meanWait, MinWindows: *minWin}
	if err := target.Validate(); err != nil {
		return err
	}
	sim := plan.SimOptions{Seed: *seed, Days: *simDays}
	var err error
	if sim.Dist, err = plan.ParseDist(*simDist); err != nil {
		return err
	}
	if err := sim.Validate(); err != nil {
		return err
	}
	yearly := plan.DefaultYearly()
	yearly.PeakFactor, yearly.WorkingDays, yearly.HoursPerDay, yearly.Target = *peak, *days, *hoursPerDay, target

	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	hours, err := plan.ParseHours(cfg.Hall.Opening, cfg.Hall.Closing)
	if err != nil {
		return err
	}
	first, last, err := planRange(*from, *to, time.Now().In(cfg.Location))
	if err != nil {
		return err
	}
	tickets, err := planTickets(ctx, cfg, first, last)
	if err != nil {
		return err
	}
	r, err := planBuild(cfg, hours, tickets, target, yearly, *byWeekday, sim)
	if err != nil {
		return err
	}
	r.From, r.To = first.Format(time.DateOnly), last.Format(time.DateOnly)
	if err := writePlanCharts(cfg, r, *svgPath, *htmlPath); err != nil {
		return err
	}
	if *summary {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(planSummary(r, target))
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "csv":
		return writePlanCSV(stdout, r)
	}
	return writePlanText(stdout, r)
}

// planRange resolves --from and --to (hall days) against now in the hall's timezone.
func planRange(from, to string, now time.Time) (time.Time, time.Time, error) {
	var first, last time.Time
	var err error
	if to == "" {
		y := now.AddDate(0, 0, -1)
		last = time.Date(y.Year(), y.Month(), y.Day(), 0, 0, 0, 0, time.UTC)
	} else if last, err = time.Parse(time.DateOnly, to); err != nil {
		return first, last, fmt.Errorf("plan: --to %q is not YYYY-MM-DD", to)
	}
	if from == "" {
		first = last.AddDate(0, 0, -(planDefaultDays - 1))
	} else if first, err = time.Parse(time.DateOnly, from); err != nil {
		return first, last, fmt.Errorf("plan: --from %q is not YYYY-MM-DD", from)
	}
	switch {
	case first.After(last):
		return first, last, fmt.Errorf("plan: --from %s is after --to %s", first.Format(time.DateOnly), last.Format(time.DateOnly))
	case last.Sub(first) > 366*24*time.Hour:
		return first, last, errors.New("plan: a range of at most a year, please")
	}
	return first, last, nil
}

// planTickets reads the range's tickets from data_dir/kioskd.db; a hall
// with no database has none (and gets no database or key made for it).
func planTickets(ctx context.Context, cfg *config.Config, first, last time.Time) ([]*kiosk.Ticket, error) {
	path := filepath.Join(cfg.DataDir, "kioskd.db")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	if os.Getenv("KIOSKD_DATA_KEY") == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "data.key")); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("plan: %s exists but its data key does not: set KIOSKD_DATA_KEY or restore %s",
				path, filepath.Join(cfg.DataDir, "data.key"))
		}
	}
	key, err := dataKey(cfg)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, path, key)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var out []*kiosk.Ticket
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ts, err := db.Tickets(ctx, d.Format(time.DateOnly))
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			t.Submission = nil // personal data: not needed here
		}
		out = append(out, ts...)
	}
	return out, nil
}

// planBuild turns the tickets (or, with none, the plan's volumes) into the
// report, then simulates it (planSimulate).
func planBuild(cfg *config.Config, hours plan.Hours, tickets []*kiosk.Ticket, target plan.Target,
	yearly plan.YearlyAssumptions, byWeekday bool, sim plan.SimOptions) (*planReport, error) {
	m := plan.Measure(tickets, cfg.Location, hours)
	r := &planReport{Hall: cfg.Hall.Name, Source: "tickets", Days: m.Days, Hours: hours.String(), Target: target,
		Simulation: planSimulation{Seed: sim.Seed, Days: sim.Days, Dist: sim.Dist.String()}}
	if m.Days == 0 {
		r.Source = "fallback"
	}
	var demands []plan.Demand
	var metas []planZone
	measured := map[string]float64{}
	for _, z := range cfg.Zones {
		pz, known := plan.HanjiangZone(z.ID, z.Name)
		d := plan.Demand{Zone: z.ID, Name: z.Name, Windows: len(z.Windows), ServiceMin: 10}
		if known && pz.ServiceMin > 0 {
			d.ServiceMin = pz.ServiceMin
		}
		meta := planZone{ServiceSource: "assumed"}
		if r.Source == "tickets" {
			zm := m.Zones[z.ID]
			if byWeekday {
				d.Weekdays = m.Weekdays()
			}
			if zm != nil {
				d.Profile = zm.Profile
				if byWeekday {
					d.Weekdays = zm.Weekdays
				}
				meta.Tickets, meta.Samples = zm.Tickets, zm.Served
				r.Tickets += zm.Tickets
				if zm.Served >= planMinSamples {
					d.ServiceMin, d.ServiceCV, meta.ServiceSource = zm.ServiceMin, zm.ServiceCV, "measured"
					measured[z.ID] = zm.ServiceMin
				}
			}
			meta.PerYear = d.Profile.PerDay(hours) * yearly.WorkingDays
		} else if known && pz.CasesPerYear > 0 {
			d.Profile = plan.Spread(pz.CasesPerYear/yearly.WorkingDays, hours, plan.DefaultShape())
			meta.PerYear = pz.CasesPerYear
		} else {
			meta.Note = "规划无年办件量 no volume in the plan"
		}
		demands = append(demands, d)
		metas = append(metas, meta)
	}
	zps, err := plan.Plan(demands, hours, target)
	if err != nil {
		return nil, err
	}
	for i, zp := range zps {
		metas[i].ZonePlan = zp
	}
	r.Zones = metas
	if r.Yearly, err = plan.Yearly(plan.Hanjiang(), measured, yearly); err != nil {
		return nil, err
	}
	if err := planSimulate(r, zps, planWindows(cfg), hours, target, sim); err != nil {
		return nil, err
	}
	return r, nil
}

// planWindows are the hall's windows, zone by zone, with the zones each helps.
func planWindows(cfg *config.Config) []plan.PoolWindow {
	var out []plan.PoolWindow
	for _, z := range cfg.Zones {
		for _, w := range z.Windows {
			out = append(out, plan.PoolWindow{Number: w, Zone: z.ID, Helps: cfg.Helps(w)})
		}
	}
	return out
}

// planSimulate cross-checks the hourly plans with the simulation and
// works out the effect of the helping windows.
func planSimulate(r *planReport, zps []plan.ZonePlan, windows []plan.PoolWindow, hours plan.Hours,
	target plan.Target, sim plan.SimOptions) error {
	start := time.Now()
	checks, err := plan.CrossCheck(zps, hours, target, sim)
	if err != nil {
		return err
	}
	for i := range r.Zones {
		r.Zones[i].Simulated = checks[i].Days
	}
	if r.Pooling, err = plan.Pooling(zps, windows, hours, target, sim); err != nil {
		return err
	}
	slog.Debug("plan: simulated", "days", sim.Days, "seed", sim.Seed, "dist", sim.Dist.String(),
		"zones", len(zps), "pool_groups", len(r.Pooling.Groups), "took", time.Since(start))
	return nil
}

// writePlanCharts writes the charts to the files asked for, if any.
func writePlanCharts(cfg *config.Config, r *planReport, svgPath, htmlPath string) error {
	if svgPath == "" && htmlPath == "" {
		return nil
	}
	c := planChart(cfg, r)
	for _, out := range []struct {
		path  string
		write func(io.Writer, plan.Chart) error
	}{{svgPath, plan.WriteSVG}, {htmlPath, plan.WriteHTML}} {
		if out.path == "" {
			continue
		}
		var b strings.Builder
		if err := out.write(&b, c); err != nil {
			return err
		}
		if err := os.WriteFile(out.path, []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("plan: writing the charts: %w", err)
		}
	}
	return nil
}

// planChart is the report as the chart draws it.
func planChart(cfg *config.Config, r *planReport) plan.Chart {
	c := plan.Chart{Title: fmt.Sprintf("%s 窗口测算 staffing plan, %s – %s", r.Hall, r.From, r.To), Target: r.Target,
		Pools: r.Pooling, Zones: map[string]string{}}
	for _, z := range cfg.Zones {
		c.Zones[z.ID] = z.Name
	}
	for _, z := range r.Zones {
		c.Plans = append(c.Plans, z.ZonePlan)
		c.Checks = append(c.Checks, plan.ZoneCheck{Zone: z.Zone, Days: z.Simulated})
	}
	return c
}

// weekdayZH names a weekday (time.Weekday's English name) in Chinese.
func weekdayZH(en string) string {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if d.String() == en {
			return "周" + []string{"日", "一", "二", "三", "四", "五", "六"}[d]
		}
	}
	return en
}

func writePlanText(w io.Writer, r *planReport) error {
	p := &planPrinter{w: w}
	p.f("%s 窗口测算 staffing plan (Erlang C)\n", r.Hall)
	if r.Source == "tickets" {
		p.f("数据 data: %s 至 %s, %d 个办公日 open days, %d 张票 tickets\n", r.From, r.To, r.Days, r.Tickets)
	} else {
		p.f("数据 data: %s 至 %s 无票据 no tickets — 按规划年办件量 ÷ %g 天, 假定的时段分布与办理时长\n", r.From, r.To, r.Yearly.Assumptions.WorkingDays)
		p.f("  (fallback: the plan's yearly volumes, an assumed daily profile, assumed service times)\n")
	}
	p.f("目标 target: %s; 营业 hours %s\n", planTargetText(r.Target), r.Hours)
	p.f("模拟 simulation: %d 天 days, seed %d, 办理时长分布 service times %s — 与 Erlang C 互相校验 cross-checks Erlang C\n",
		r.Simulation.Days, r.Simulation.Seed, r.Simulation.Dist)
	slHead := fmt.Sprintf("≤%gm", r.Target.WaitMinutes)
	for _, z := range r.Zones {
		p.f("\n%s %s — 平均办理 service %.1f min", z.Zone, z.Name, z.ServiceMin)
		if z.ServiceSource == "measured" {
			p.f(" (实测 measured, n=%d, cv %.2f)", z.Samples, z.ServiceCV)
		} else {
			p.f(" (假定 assumed)")
		}
		perYear := "—"
		if z.PerYear > 0 {
			perYear = "≈ " + planThousands(z.PerYear)
		}
		p.f(", 现有窗口 windows now %d, 折合年量 per year %s\n", z.Windows, perYear)
		if z.Note != "" {
			p.f("  %s\n", z.Note)
		}
		for di, d := range z.Days {
			if d.Weekday != "" {
				p.f("  %s %s\n", weekdayZH(d.Weekday), d.Weekday)
			}
			if d.Arrivals == 0 {
				p.f("  无到达 no arrivals: 每时段 %d 窗口 windows each hour (--min-windows)\n", r.Target.MinWindows)
				continue
			}
			check := planDayCheck(z, di)
			p.f("  %-13s %8s %6s %6s %9s %7s %6s %7s\n", "时段 hour", "到达/时", "负荷", "需窗口", "平均等待", "达标率", "占用", "模拟")
			p.f("  %-13s %8s %6s %6s %9s %7s %6s %7s\n", "", "arr/h", "Erl", "need", "wait min", "SL"+slHead, "occ", "DES")
			for j, s := range d.Slots {
				p.f("  %-13s %8.1f %6.2f %6d %9.1f %6.1f%% %5.0f%% %6.1f%%\n", s.Label, s.Arrivals, s.Load, s.Windows,
					s.MeanWait, 100*s.ServiceLevel, 100*s.Occupancy, 100*check.Slots[j].SimServiceLevel)
			}
			p.f("  日到达 per day %.1f, 高峰 peak %d 窗口 windows at %s, 窗口工时 window-hours %.1f",
				d.Arrivals, d.Peak, d.PeakHour, d.WindowHours)
			if z.Windows > 0 {
				p.f(" — %s", planVerdict(z.Windows, d.Peak, "现有 now"))
			}
			p.f("\n  全天达标率 whole day %s: Erlang C %.1f%%, 模拟 simulated %.1f%% (平均等待 mean wait %.1f min)\n",
				slHead, 100*check.ErlangServiceLevel, 100*check.SimServiceLevel, check.SimMeanWait)
		}
	}
	writePlanPooling(p, r)

	y := r.Yearly
	a := y.Assumptions
	p.f("\n年度测算 yearly view: %g 工作日 working days × %g h, 高峰系数 peak factor %g, 目标 target %s 件/人/年, %s 元/人/年\n",
		a.WorkingDays, a.HoursPerDay, a.PeakFactor, planThousands(a.CasesPerStaff), planThousands(a.CostPerStaffYear))
	p.f("(规划年办件量 volumes and windows from the 2019 plan; 每张票记一件 one ticket = one case)\n")
	p.f("%-14s %8s %5s %7s %6s %7s %7s %7s %5s  %s\n", "区 zone", "年办件", "窗口", "人均", "6000", "饱和", "办理", "高峰/时", "排队", "结论")
	p.f("%-14s %8s %5s %7s %6s %7s %7s %7s %5s  %s\n", "", "cases", "plan", "/staff", "staff", "sat.min", "svc", "peak/h", "need", "verdict (plan vs queue)")
	for _, z := range y.Zones {
		svc := fmt.Sprintf("%.1f", z.ServiceMin)
		if _, ok := planMeasuredIn(r, z.ID); ok {
			svc += "m"
		} else {
			svc += "a"
		}
		p.f("%-14s %8s %5d %7s %6d %7.1f %7s %7.1f %5d  %s\n", z.ID+" "+z.Name, planThousands(z.CasesPerYear), z.Windows,
			planThousands(z.CasesPerStaff), z.StaffAtTarget, z.SaturationMin, svc, z.PeakArrivals, z.QueueWindows,
			planVerdict(z.Windows, z.QueueWindows, "规划 plan"))
	}
	p.f("%-14s %8s %5d %7s %6d %7s %7s %7s %5d\n", "合计 total", planThousands(y.Cases), y.PlanWindows, planThousands(y.CasesPerStaff),
		y.StaffAtTarget, "", "", "", y.QueueWindows)
	p.f("svc: m 实测 measured, a 假定 assumed; sat.min: 规划窗口全天满负荷时的办理时长 the service time at which the plan's windows are busy all day\n")
	p.f("合并一窗 pooled (every window takes every matter): 6000 标准 %d 人 staff, 高峰排队 %d 窗口 windows at peak\n",
		y.PooledAtTarget, y.PooledQueueWindows)
	p.f("成本 cost/yr: 规划 plan %d 人 = %s 元; 6000 标准 at target %d 人 = %s 元; 排队模型 queueing %d 人 = %s 元\n",
		y.PlanStaff, planThousands(y.CostPlan), y.StaffAtTarget, planThousands(y.CostAtTarget), y.QueueWindows, planThousands(y.CostQueue))
	for _, z := range y.Zones {
		if z.PlanMeanWait < 0 {
			p.f("注 note: %s %s 的 %d 个窗口在高峰 %.1f 人/时 × %.1f 分钟下排队无限增长 — the plan's windows cannot keep up at peak\n",
				z.ID, z.Name, z.Windows, z.PeakArrivals, z.ServiceMin)
		}
	}
	return p.err
}

// planDayCheck is zone z's simulation of its day kind d (an empty one when there is none).
func planDayCheck(z planZone, d int) plan.DayCheck {
	if d < len(z.Simulated) && len(z.Simulated[d].Slots) == len(z.Days[d].Slots) {
		return z.Simulated[d]
	}
	return plan.DayCheck{Slots: make([]plan.SlotCheck, len(z.Days[d].Slots))}
}

// writePlanPooling prints the effect of the windows that help other zones.
func writePlanPooling(p *planPrinter, r *planReport) {
	slHead := fmt.Sprintf("≤%gm", r.Target.WaitMinutes)
	p.f("\n互助窗口 windows that help other zones (合并 pooling)\n")
	if len(r.Pooling.Groups) == 0 {
		p.f("  无 none: 没有窗口帮其他区 no window helps another zone (config [[windows]] helps)\n")
		return
	}
	p.f("  现有窗口全天开; 分开 separate: 各区自成一队 each zone its own queue; 合并 pooled: 组内一队 the group as one queue;\n")
	p.f("  模拟 DES: 不互助 no help / 按配置互助 helping as configured (本区优先 own zone first), 同一批市民 the same citizens\n")
	for _, g := range r.Pooling.Groups {
		var helpers []string
		for _, w := range g.Helpers {
			helpers = append(helpers, fmt.Sprintf("%d (%s) 帮 helps %s", w.Number, w.Zone, strings.Join(w.Helps, ",")))
		}
		p.f("\n  组 group %s — 现有 windows %d; 窗口 window %s\n", strings.Join(g.Zones, "+"), g.WindowsPlanned, strings.Join(helpers, "; "))
		for _, d := range g.Days {
			writePoolDay(p, d, slHead)
		}
		p.f("  %-14s %5s %8s %8s %8s %13s %8s\n", "区 zone", "现有", "EC分开", "模拟分开", "模拟互助", "平均等待", "他区叫号")
		p.f("  %-14s %5s %8s %8s %8s %13s %8s\n", "", "plan", "EC sep", "DES sep", "DES help", "wait sep→help", "helped")
		for _, z := range r.Pooling.Zones {
			if z.Group < 0 || !slices.Equal(r.Pooling.Groups[z.Group].Zones, g.Zones) {
				continue
			}
			p.f("  %-14s %5d %7.1f%% %7.1f%% %7.1f%% %5.1f → %5.1f %7.1f%%\n", z.Zone+" "+planZoneName(r, z.Zone), z.WindowsPlanned,
				100*z.ErlangServiceLevel, 100*z.SimSeparate, 100*z.SimHelping, z.SimWaitSeparate, z.SimWaitHelping, 100*z.HelpedShare)
		}
	}
}

func writePoolDay(p *planPrinter, d plan.PoolDay, slHead string) {
	if d.Weekday != "" {
		p.f("  %s %s\n", weekdayZH(d.Weekday), d.Weekday)
	}
	p.f("  %-13s %8s %6s %6s %8s %8s %8s %8s\n", "时段 hour", "到达/时", "分开需", "合并需", "EC分开", "EC合并", "模拟分开", "模拟互助")
	p.f("  %-13s %8s %6s %6s %8s %8s %8s %8s\n", "", "arr/h", "sep.", "pooled", "sep"+slHead, "pooled", "DES sep", "DES help")
	for _, s := range d.Slots {
		p.f("  %-13s %8.1f %6d %6d %7.1f%% %7.1f%% %7.1f%% %7.1f%%\n", s.Label, s.Arrivals, s.NeededSeparate, s.NeededPooled,
			100*s.ErlangSeparate, 100*s.ErlangPooled, 100*s.SimSeparate, 100*s.SimHelping)
	}
	p.f("  高峰需 peak windows: 分开 separate %d, 合并 pooled %d; 窗口工时 window-hours: 分开 %.1f, 合并 %.1f\n",
		d.PeakSeparate, d.PeakPooled, d.WindowHoursSeparate, d.WindowHoursPooled)
	p.f("  全天 whole day: Erlang C 分开 %.1f%% 合并 %.1f%%; 模拟 DES 不互助 %.1f%% 互助 %.1f%%\n",
		100*d.ErlangSeparate, 100*d.ErlangPooled, 100*d.SimSeparate, 100*d.SimHelping)
}

func planZoneName(r *planReport, zone string) string {
	for _, z := range r.Zones {
		if z.Zone == zone {
			return z.Name
		}
	}
	return ""
}

func planMeasuredIn(r *planReport, zone string) (float64, bool) {
	for _, z := range r.Zones {
		if z.Zone == zone && z.ServiceSource == "measured" {
			return z.ServiceMin, true
		}
	}
	return 0, false
}

func planTargetText(t plan.Target) string {
	var parts []string
	if t.Level > 0 {
		parts = append(parts, fmt.Sprintf("%g%% 在 %g 分钟内叫号 called within %g min", 100*t.Level, t.WaitMinutes, t.WaitMinutes))
	}
	if t.MaxMeanWait > 0 {
		parts = append(parts, fmt.Sprintf("平均等待 ≤ %g 分钟 mean wait ≤ %g min", t.MaxMeanWait, t.MaxMeanWait))
	}
	return strings.Join(parts, ", ")
}

// planVerdict compares windows one has (or plans) with those needed.
func planVerdict(have, need int, who string) string {
	switch {
	case have > need:
		return fmt.Sprintf("%s %d, 多 over by %d", who, have, have-need)
	case have < need:
		return fmt.Sprintf("%s %d, 缺 under by %d", who, have, need-have)
	}
	return fmt.Sprintf("%s %d, 持平 ok", who, have)
}

// planThousands formats a rounded number with planThousands separators: 1,490,400.
func planThousands(x float64) string {
	s := strconv.FormatInt(int64(math.Round(math.Abs(x))), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if x < 0 && s != "0" {
		s = "-" + s
	}
	return s
}

// planPrinter pads Chinese cells by display width (a CJK character takes two columns).
type planPrinter struct {
	w   io.Writer
	err error
}

func (p *planPrinter) f(format string, args ...any) {
	if p.err != nil {
		return
	}
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = planCJK(s)
		}
	}
	_, p.err = fmt.Fprintf(p.w, format, args...)
}

// planCJK is a string whose %-Ns and %Ns pad by display width.
type planCJK string

func (s planCJK) Format(f fmt.State, verb rune) {
	str := string(s)
	w, ok := f.Width()
	pad := ""
	if ok {
		if n := w - planDisplayWidth(str); n > 0 {
			pad = strings.Repeat(" ", n)
		}
	}
	if f.Flag('-') {
		io.WriteString(f, str+pad) //nolint:errcheck // fmt reports through the writer
	} else {
		io.WriteString(f, pad+str) //nolint:errcheck // fmt reports through the writer
	}
}

func planDisplayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
			(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6)):
			n += 2
		default:
			n++
		}
	}
	return n
}

// writePlanCSV writes one table: "hour" rows, a zone's hour (windows
// needed, and the wait and service level with them), and "year" rows, a
// zone's yearly view (windows: the peak hour's need by the queueing model;
// mean wait and service level: with the plan's windows, −1 when they
// cannot keep up), then the totals. The last column is the simulation's
// service level of the hour, beside Erlang C's.
func writePlanCSV(w io.Writer, r *planReport) error {
	cw := csv.NewWriter(w)
	f := func(x float64, prec int) string { return strconv.FormatFloat(x, 'f', prec, 64) }
	rows := [][]string{{"section", "zone", "name", "weekday", "hour", "arrivals_per_h", "load_erlang", "windows",
		"mean_wait_min", "service_level", "occupancy", "service_min", "cases_per_year", "plan_windows", "cases_per_staff",
		"staff_at_target", "verdict", "simulated_service_level"}}
	for _, z := range r.Zones {
		for di, d := range z.Days {
			check := planDayCheck(z, di)
			for j, s := range d.Slots {
				rows = append(rows, []string{"hour", z.Zone, z.Name, d.Weekday, s.Label, f(s.Arrivals, 2), f(s.Load, 3),
					strconv.Itoa(s.Windows), f(s.MeanWait, 2), f(s.ServiceLevel, 4), f(s.Occupancy, 3), f(z.ServiceMin, 2),
					"", strconv.Itoa(z.Windows), "", "", "", f(check.Slots[j].SimServiceLevel, 4)})
			}
		}
	}
	for _, z := range r.Yearly.Zones {
		rows = append(rows, []string{"year", z.ID, z.Name, "", "peak", f(z.PeakArrivals, 2), f(z.PeakLoad, 3),
			strconv.Itoa(z.QueueWindows), f(z.PlanMeanWait, 2), f(z.PlanServiceLevel, 4), "", f(z.ServiceMin, 2),
			f(z.CasesPerYear, 0), strconv.Itoa(z.Windows), f(z.CasesPerStaff, 1), strconv.Itoa(z.StaffAtTarget), z.Verdict, ""})
	}
	y := r.Yearly
	rows = append(rows, []string{"year", "total", "合计", "", "peak", "", "", strconv.Itoa(y.QueueWindows), "", "", "", "",
		f(y.Cases, 0), strconv.Itoa(y.PlanWindows), f(y.CasesPerStaff, 1), strconv.Itoa(y.StaffAtTarget), "", ""})
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

// zoneSummary is one zone's plan in the shape the manager's tools read
// (`kioskd plan --json`): at the zone's busiest hour.
type zoneSummary struct {
	Zone              string  `json:"zone"`
	ArrivalsPerHour   float64 `json:"arrivals_per_hour"`
	MeanServiceMin    float64 `json:"mean_service_minutes"`
	WindowsPlanned    int     `json:"windows_planned"`
	WindowsNeeded     int     `json:"windows_needed"`
	ServiceLevel      float64 `json:"service_level"` // the share called within the target wait with windows_needed
	TargetWaitMinutes float64 `json:"target_wait_minutes"`
	TargetShare       float64 `json:"target_share"`
	// SimulatedServiceLevel is the simulation's share in the same hour
	// with the same windows; the day figures are over that hour's kind of
	// day, every hour with the windows it needs.
	SimulatedServiceLevel    float64     `json:"simulated_service_level"`
	ErlangDayServiceLevel    float64     `json:"erlang_day_service_level"`
	SimulatedDayServiceLevel float64     `json:"simulated_day_service_level"`
	Pooling                  zonePooling `json:"pooling"`
}

// zonePooling is a zone's part in the pooling: its planned windows open
// all day, alone and with the hall's helping windows (simulated over every
// kind of day), and its group's windows needed separately and pooled.
type zonePooling struct {
	Zones               []string `json:"zones"` // the zones pooled with it by helping windows, itself included
	GroupWindowsPlanned int      `json:"group_windows_planned"`
	PeakWindowsSeparate int      `json:"peak_windows_needed_separate"` // the group's zones each alone, summed
	PeakWindowsPooled   int      `json:"peak_windows_needed_pooled"`   // the group as one queue
	ErlangServiceLevel  float64  `json:"erlang_service_level"`         // alone on its planned windows
	SimulatedSeparate   float64  `json:"simulated_service_level_separate"`
	SimulatedHelping    float64  `json:"simulated_service_level_helping"`
	HelpedShare         float64  `json:"helped_share"` // its citizens called by another zone's window
}

func planSummary(r *planReport, t plan.Target) []zoneSummary {
	out := make([]zoneSummary, 0, len(r.Zones))
	for i, z := range r.Zones {
		s := zoneSummary{Zone: z.Zone, MeanServiceMin: z.ServiceMin, WindowsPlanned: z.Windows, WindowsNeeded: z.Peak,
			TargetWaitMinutes: t.WaitMinutes, TargetShare: t.Level}
		// the busiest hour of any day kind
		bd, bj := 0, -1
		for d, day := range z.Days {
			for j, sl := range day.Slots {
				if sl.Arrivals > s.ArrivalsPerHour {
					s.ArrivalsPerHour, s.ServiceLevel = sl.Arrivals, sl.ServiceLevel
					bd, bj = d, j
				}
			}
		}
		s.SimulatedServiceLevel, s.ErlangDayServiceLevel, s.SimulatedDayServiceLevel = 1, 1, 1
		if len(z.Days) > 0 {
			check := planDayCheck(z, bd)
			s.ErlangDayServiceLevel, s.SimulatedDayServiceLevel = check.ErlangServiceLevel, check.SimServiceLevel
			if bj >= 0 {
				s.SimulatedServiceLevel = check.Slots[bj].SimServiceLevel
			}
		}
		if i < len(r.Pooling.Zones) {
			s.Pooling = planZonePooling(r, z, r.Pooling.Zones[i])
		}
		out = append(out, s)
	}
	return out
}

// planZonePooling is zone z's pooling figures; a zone no helping window
// touches is a group of its own.
func planZonePooling(r *planReport, z planZone, pz plan.PoolZone) zonePooling {
	zp := zonePooling{Zones: []string{z.Zone}, GroupWindowsPlanned: pz.WindowsPlanned, PeakWindowsSeparate: z.Peak,
		PeakWindowsPooled: z.Peak, ErlangServiceLevel: pz.ErlangServiceLevel, SimulatedSeparate: pz.SimSeparate,
		SimulatedHelping: pz.SimHelping, HelpedShare: pz.HelpedShare}
	if pz.Group < 0 || pz.Group >= len(r.Pooling.Groups) {
		return zp
	}
	g := r.Pooling.Groups[pz.Group]
	zp.Zones, zp.GroupWindowsPlanned, zp.PeakWindowsSeparate, zp.PeakWindowsPooled = g.Zones, g.WindowsPlanned, 0, 0
	for _, d := range g.Days {
		zp.PeakWindowsSeparate = max(zp.PeakWindowsSeparate, d.PeakSeparate)
		zp.PeakWindowsPooled = max(zp.PeakWindowsPooled, d.PeakPooled)
	}
	return zp
}
