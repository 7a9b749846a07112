// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"context"
	"strconv"

	"yichuang/devices"
)

// CaseSlipReceipt lays a case slip out as a Receipt: the hall, the title
// (受理回执 or 结果通知), the slip's rows (the case number, the matter, the
// materials received, the promised date, pickup or mail, where to collect),
// a QR code of the case's public progress page and the notices. A CaseSlip
// holds masked forms only, so the receipt shows no full name and no number
// of anyone.
func CaseSlipReceipt(s devices.CaseSlip) Receipt {
	var r Receipt
	add := func(l Line) { r.Head = append(r.Head, l) }
	if s.Hall != "" {
		add(Line{Text: s.Hall, Align: AlignCenter, Bold: true})
	}
	add(Line{Text: s.Title(), Align: AlignCenter, W: 2, H: 2, Bold: true, Fit: true})
	add(Line{Text: s.TitleEN(), Align: AlignCenter})
	add(Line{Rule: true})
	for _, row := range s.Rows() {
		for _, l := range slipRowLines(row) {
			add(l)
		}
	}
	if !s.PrintedAt.IsZero() {
		add(Line{Text: "打印时间：" + s.PrintedAt.Format("2006-01-02 15:04:05")})
	}
	if s.ProgressURL != "" {
		add(Line{Blank: true})
		r.QR = s.ProgressURL
		r.Tail = append(r.Tail, Line{Text: devices.SlipQRCaption, Align: AlignCenter})
	}
	if len(s.Notices) > 0 {
		r.Tail = append(r.Tail, Line{Rule: true})
		for _, n := range s.Notices {
			r.Tail = append(r.Tail, Line{Text: n})
		}
	}
	return r
}

// slipRowLines prints a row as "标签：值" and its items numbered, one a line.
func slipRowLines(row devices.SlipRow) []Line {
	var out []Line
	if row.Value != "" || len(row.Items) == 0 {
		out = append(out, Line{Text: row.Label + "：" + row.Value, Bold: row.Strong})
	} else {
		out = append(out, Line{Text: row.Label + "：", Bold: row.Strong})
	}
	for i, it := range row.Items {
		out = append(out, Line{Text: "  " + strconv.Itoa(i+1) + ". " + it})
	}
	return out
}

// LayoutCaseSlip returns the job that prints s; o nil means
// DefaultLayout(Paper58).
func LayoutCaseSlip(s devices.CaseSlip, o *LayoutOpts) ([]byte, error) {
	return LayoutReceipt(CaseSlipReceipt(s), o)
}

// PrintCaseSlip lays s out with the Dev's layout options and prints it.
func (d *Dev) PrintCaseSlip(ctx context.Context, s devices.CaseSlip) error {
	return d.PrintReceipt(ctx, CaseSlipReceipt(s))
}
