// SPDX-License-Identifier: AGPL-3.0-or-later

package plan

import (
	"fmt"
	"math"
)

// PlanZone is one comprehensive intake area as the 2019 plan
// (涵政办〔2019〕38号, HALL.md) sizes it.
type PlanZone struct {
	ID           string  `json:"zone"`
	Name         string  `json:"name"`
	CasesPerYear float64 `json:"cases_per_year"` // 0: the plan gives none
	Windows      int     `json:"plan_windows"`
	Staff        int     `json:"plan_staff"`
	// ServiceMin is an ASSUMED mean service time at the intake window
	// (minutes per ticket: checking, scanning, entering, consulting). The
	// plan and HALL.md give no times; these are order-of-magnitude guesses,
	// longer for company registration and property transfer with tax,
	// shorter for social-security matters. Measured times replace them as
	// soon as the hall has tickets.
	ServiceMin float64 `json:"assumed_service_min"`
}

// Hanjiang() is the district hall's zones (zone ids as config/default.toml).
// Volumes, windows and staff are the plan's; 便民服务区 and 公安专区 have
// their own staff and no volume in the plan.
func Hanjiang() []PlanZone {
	return []PlanZone{
		{ID: "A", Name: "商事登记区", CasesPerYear: 9504, Windows: 3, Staff: 3, ServiceMin: 15},
		{ID: "B", Name: "医保人社区", CasesPerYear: 31000, Windows: 4, Staff: 4, ServiceMin: 8}, // 人社局 alone; 医保 staff are the city's
		{ID: "C", Name: "不动产登记区", CasesPerYear: 30000, Windows: 4, Staff: 4, ServiceMin: 15},
		{ID: "D", Name: "社会民生区", CasesPerYear: 14268, Windows: 6, Staff: 6, ServiceMin: 10},
		{ID: "E", Name: "建设交通区", CasesPerYear: 2403, Windows: 2, Staff: 2, ServiceMin: 15},
		{ID: "F", Name: "投资项目区", CasesPerYear: 651, Windows: 2, Staff: 2, ServiceMin: 20}, // 1 of the 2 hired by the fire brigade
		{ID: "G", Name: "经济综合区", CasesPerYear: 1983, Windows: 2, Staff: 2, ServiceMin: 15},
		{ID: "H", Name: "便民服务区", ServiceMin: 8},
		{ID: "J", Name: "公安专区", ServiceMin: 10},
	}
}

// HanjiangZone finds a zone of the plan by id, then by name.
func HanjiangZone(id, name string) (PlanZone, bool) {
	for _, z := range Hanjiang() {
		if z.ID == id {
			return z, true
		}
	}
	for _, z := range Hanjiang() {
		if z.Name == name {
			return z, true
		}
	}
	return PlanZone{}, false
}

// DefaultShape() is the ASSUMED profile of a day in the hall, in relative
// weights per clock hour, for a hall with no tickets yet: the usual two
// peaks of a Chinese service hall (mid-morning and mid-afternoon) and a
// trough at the lunch break. Its peak hour is about 1.5 times the mean
// hour for 08:30–17:30. It is not measured; the hall's own tickets
// replace it.
func DefaultShape() [24]float64 {
	return [24]float64{
		7: 0.5, 8: 1.0, 9: 1.6, 10: 1.6, 11: 1.1, 12: 0.4,
		13: 0.6, 14: 1.2, 15: 1.3, 16: 1.0, 17: 0.4, 18: 0.3,
	}
}

// Plan figures for the yearly view.
const (
	WorkingDays      = 250    // working days a year
	CasesPerStaff    = 6000   // the plan's target, cases per intake staff a year
	CostPerStaffYear = 64_800 // CNY: 5400 a month all-in
)

// YearlyAssumptions turn yearly volumes into a peak hour.
type YearlyAssumptions struct {
	WorkingDays float64 `json:"working_days"` // 250
	HoursPerDay float64 `json:"hours_per_day"`
	// PeakFactor is the peak hour's arrivals over the mean hour's.
	PeakFactor       float64 `json:"peak_factor"`
	CasesPerStaff    float64 `json:"cases_per_staff_target"`
	CostPerStaffYear float64 `json:"cost_per_staff_year"`
	Target           Target  `json:"target"`
}

// DefaultYearly() is 250 days of 8 hours, a peak hour 1.5 times the mean,
// 6000 cases per staff, 64,800 CNY per staff a year, 80% within 15 minutes.
func DefaultYearly() YearlyAssumptions {
	return YearlyAssumptions{WorkingDays: WorkingDays, HoursPerDay: 8, PeakFactor: 1.5,
		CasesPerStaff: CasesPerStaff, CostPerStaffYear: CostPerStaffYear, Target: DefaultTarget()}
}

// YearlyZone is one zone's yearly view. Each ticket is taken as one case
// (consultations and returns that are not cases would add load).
type YearlyZone struct {
	PlanZone
	ServiceMin    float64 `json:"service_min"`     // used: measured or assumed
	CasesPerStaff float64 `json:"cases_per_staff"` // volume ÷ the plan's staff
	StaffAtTarget int     `json:"staff_at_target"` // ceil(volume ÷ 6000)
	CostPlan      float64 `json:"cost_plan"`       // the plan's staff × cost a year
	CostAtTarget  float64 `json:"cost_at_target"`
	// SaturationMin is the mean service time at which the plan's windows
	// would be busy all the open time on an average day: above it they
	// cannot keep up whatever the peak. No assumption but the hours.
	SaturationMin float64 `json:"saturation_service_min"`
	MeanArrivals  float64 `json:"mean_arrivals"` // per hour
	PeakArrivals  float64 `json:"peak_arrivals"` // per hour
	PeakLoad      float64 `json:"peak_load"`     // Erlangs
	// QueueWindows is the windows the peak hour needs by Erlang C.
	QueueWindows int `json:"queue_windows"`
	// Delta is the plan's windows less QueueWindows: > 0 over, < 0 under.
	Delta   int    `json:"delta"`
	Verdict string `json:"verdict"` // over | under | ok | "" (no volume)
	// PlanServiceLevel is the peak hour's service level with the plan's windows.
	PlanServiceLevel float64 `json:"plan_service_level"`
	PlanMeanWait     float64 `json:"plan_mean_wait_min"` // +Inf is written as -1
}

// YearlySummary is the yearly view of every zone with a volume, and the totals.
type YearlySummary struct {
	Assumptions   YearlyAssumptions `json:"assumptions"`
	Zones         []YearlyZone      `json:"zones"`
	Cases         float64           `json:"cases"`
	PlanWindows   int               `json:"plan_windows"`
	PlanStaff     int               `json:"plan_staff"`
	CasesPerStaff float64           `json:"cases_per_staff"`
	// StaffAtTarget sums the zones' ceil(volume ÷ 6000); PooledAtTarget is
	// ceil(total ÷ 6000), as if every window took every matter (一窗).
	StaffAtTarget  int     `json:"staff_at_target"`
	PooledAtTarget int     `json:"pooled_at_target"`
	QueueWindows   int     `json:"queue_windows"`
	CostPlan       float64 `json:"cost_plan"`
	CostAtTarget   float64 `json:"cost_at_target"`
	CostQueue      float64 `json:"cost_queue"` // QueueWindows staffed
	// PooledQueueWindows is the peak hour's windows for all zones as one
	// queue, with the mixed service time (mean and cv of the mixture).
	PooledQueueWindows int `json:"pooled_queue_windows"`
}

// Yearly is the plan's yearly view: cases per intake staff against the
// target, staff and cost at the target, and the windows the peak hour
// needs by the queueing model, zone by zone. serviceMin, when it has a
// zone's id, overrides the assumed service time. Zones with no volume are
// left out.
func Yearly(zones []PlanZone, serviceMin map[string]float64, as YearlyAssumptions) (YearlySummary, error) {
	if err := as.Target.Validate(); err != nil {
		return YearlySummary{}, err
	}
	if !(as.WorkingDays > 0 && as.HoursPerDay > 0 && as.PeakFactor > 0 && as.CasesPerStaff > 0 && as.CostPerStaffYear >= 0) {
		return YearlySummary{}, fmt.Errorf("plan: yearly assumptions %+v: need days, hours, peak factor and cases per staff > 0", as)
	}
	sum := YearlySummary{Assumptions: as}
	var lamSum, m1, m2 float64 // pooled arrivals, service moments weighted by arrivals
	for _, z := range zones {
		if z.CasesPerYear <= 0 {
			continue
		}
		y := YearlyZone{PlanZone: z, ServiceMin: z.ServiceMin}
		if s, ok := serviceMin[z.ID]; ok && s > 0 {
			y.ServiceMin = s
		}
		if !(y.ServiceMin > 0) {
			return YearlySummary{}, fmt.Errorf("plan: zone %s: no service time", z.ID)
		}
		if z.Staff > 0 {
			y.CasesPerStaff = z.CasesPerYear / float64(z.Staff)
		}
		y.StaffAtTarget = int(math.Ceil(z.CasesPerYear / as.CasesPerStaff))
		y.CostPlan = float64(z.Staff) * as.CostPerStaffYear
		y.CostAtTarget = float64(y.StaffAtTarget) * as.CostPerStaffYear
		y.SaturationMin = float64(z.Windows) * as.WorkingDays * as.HoursPerDay * 60 / z.CasesPerYear
		y.MeanArrivals = z.CasesPerYear / (as.WorkingDays * as.HoursPerDay)
		y.PeakArrivals = y.MeanArrivals * as.PeakFactor
		q := Queue{Windows: z.Windows, Arrivals: y.PeakArrivals, ServiceMin: y.ServiceMin}
		y.PeakLoad = q.Load()
		y.QueueWindows = Windows(y.PeakArrivals, y.ServiceMin, 1, as.Target)
		y.Delta = z.Windows - y.QueueWindows
		switch {
		case y.Delta > 0:
			y.Verdict = "over"
		case y.Delta < 0:
			y.Verdict = "under"
		default:
			y.Verdict = "ok"
		}
		y.PlanServiceLevel = q.ServiceLevel(as.Target.WaitMinutes)
		y.PlanMeanWait = q.MeanWait()
		if math.IsInf(y.PlanMeanWait, 1) {
			y.PlanMeanWait = -1
		}
		sum.Zones = append(sum.Zones, y)
		sum.Cases += z.CasesPerYear
		sum.PlanWindows += z.Windows
		sum.PlanStaff += z.Staff
		sum.StaffAtTarget += y.StaffAtTarget
		sum.QueueWindows += y.QueueWindows
		sum.CostPlan += y.CostPlan
		sum.CostAtTarget += y.CostAtTarget
		lamSum += y.PeakArrivals
		m1 += y.PeakArrivals * y.ServiceMin
		m2 += y.PeakArrivals * 2 * y.ServiceMin * y.ServiceMin // E[S²] = 2s² for exponential service
	}
	if sum.PlanStaff > 0 {
		sum.CasesPerStaff = sum.Cases / float64(sum.PlanStaff)
	}
	sum.PooledAtTarget = int(math.Ceil(sum.Cases / as.CasesPerStaff))
	sum.CostQueue = float64(sum.QueueWindows) * as.CostPerStaffYear
	if lamSum > 0 {
		mean := m1 / lamSum
		cv := math.Sqrt(math.Max(0, (m2/lamSum)/(mean*mean)-1))
		sum.PooledQueueWindows = Windows(lamSum, mean, cv, as.Target)
	}
	return sum, nil
}
