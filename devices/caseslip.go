// SPDX-License-Identifier: AGPL-3.0-or-later

package devices

import (
	"strconv"
	"time"
)

// Case slip kinds.
const (
	SlipReceipt = "receipt" // 受理回执: handed over when a case is accepted
	SlipNotice  = "notice"  // 结果通知: handed over when its result is ready
	// SlipRejection is the 不予受理告知书: the window did not accept the
	// matter, and says why in writing.
	SlipRejection = "rejection"
	// SlipCorrection is the 一次性告知书: every material to correct (补正),
	// told once.
	SlipCorrection = "correction"
	// SlipLabel is a mailed result's address label (邮寄地址标签): the one
	// slip that carries the recipient's name, phone and address in full, as
	// the envelope needs them.
	SlipLabel = "label"
)

// Case outcomes a result notice states.
const (
	OutcomeApproved = "approved" // 准予许可
	OutcomeRejected = "rejected" // 不予许可
)

// CaseSlip is what a window prints for a case (办件): its acceptance receipt
// (受理回执) or its result notice (结果通知), on the receipt printer or as an
// A4 PDF. Like a Ticket it carries no full name, no ID number, no phone
// number and no address: only the masked forms the applicant may be shown.
type CaseSlip struct {
	Kind            string    // SlipReceipt, SlipNotice, SlipRejection or SlipCorrection
	Reason          string    // rejection: why the matter is not accepted; correction: the window's note
	Hall            string    // the hall's name
	Number          string    // the case number (办件编号)
	Matter          string    // the matter's name, or the 一件事 package's
	Department      string    // the department that decides it
	ApplicantMasked string    // 张*丰, or "" when the case no longer holds it
	AcceptedAt      time.Time // in the hall's timezone
	Window          int       // the window that accepted it
	PromiseDays     int       // promised working days (承诺时限); 0: not known
	Due             string    // YYYY-MM-DD: the promised completion date
	Materials       []string  // materials received, from the window's checklist
	Corrections     []string  // materials still to be supplied (补正), each with the window's note
	Documents       int       // electronic documents handed in (scans, uploads)
	Parts           []SlipPart
	Delivery        string // pickup | mail
	// CollectAt says where the result is collected (pickup) or, for mail,
	// to whom it goes, masked (张* 138****5678).
	CollectAt   string
	Outcome     string // notice: OutcomeApproved or OutcomeRejected ("": not known)
	Waybill     string // notice: the mail's waybill number, once mailed
	ProgressURL string // the case's public progress page, printed as a QR code
	PrintedAt   time.Time
	Notices     []string // closing lines
	// MailTo is the mail label's recipient (SlipLabel only): the one
	// document that carries a name, phone and address in full, for the
	// courier; every other slip ignores it and shows CollectAt, masked.
	MailTo *MailTo
}

// MailTo is where a mailed result goes, in full.
type MailTo struct {
	Recipient, Phone, Address, Postcode string
}

// SlipPart is one matter of a 一件事 package case.
type SlipPart struct {
	Number     string
	Matter     string
	Department string
	Due        string
}

// Title is the slip's heading: 受理回执 or 结果通知.
func (s CaseSlip) Title() string {
	switch s.Kind {
	case SlipNotice:
		return "结果通知"
	case SlipRejection:
		return "不予受理告知书"
	case SlipCorrection:
		return "一次性告知书"
	case SlipLabel:
		return "邮寄地址标签"
	}
	return "受理回执"
}

// TitleEN is the heading's English words.
func (s CaseSlip) TitleEN() string {
	switch s.Kind {
	case SlipNotice:
		return "Result notice"
	case SlipRejection:
		return "Notice of non-acceptance"
	case SlipCorrection:
		return "One-time notice of materials to correct"
	case SlipLabel:
		return "Mail address label"
	}
	return "Acceptance receipt"
}

// SlipQRCaption is printed under the progress page's QR code.
const SlipQRCaption = "扫码查询办理进度（页面不显示个人信息）"

// SlipRow is one labelled entry of a slip: a value, a list, or both.
type SlipRow struct {
	Label  string
	Value  string
	Items  []string
	Strong bool // printed emphasised: the case number, the due date
}

// Rows returns what the slip says, in order, for every layout (receipt
// paper, A4) to print alike. Empty entries are left out.
func (s CaseSlip) Rows() []SlipRow {
	var rows []SlipRow
	add := func(r SlipRow) {
		if r.Value != "" || len(r.Items) > 0 {
			rows = append(rows, r)
		}
	}
	if s.Kind == SlipLabel {
		to := s.MailTo
		if to == nil {
			to = &MailTo{}
		}
		add(SlipRow{Label: "收件人", Value: to.Recipient, Strong: true})
		add(SlipRow{Label: "电话", Value: to.Phone, Strong: true})
		add(SlipRow{Label: "地址", Value: to.Address, Strong: true})
		add(SlipRow{Label: "邮编", Value: to.Postcode})
		add(SlipRow{Label: "运单号", Value: s.Waybill, Strong: true})
		add(SlipRow{Label: "办件编号", Value: s.Number})
		add(SlipRow{Label: "寄件人", Value: s.Hall})
		return rows
	}
	add(SlipRow{Label: "办件编号", Value: s.Number, Strong: true})
	add(SlipRow{Label: "办理事项", Value: s.Matter})
	add(SlipRow{Label: "办理部门", Value: s.Department})
	add(SlipRow{Label: "申请人", Value: s.ApplicantMasked})
	if s.Kind == SlipRejection || s.Kind == SlipCorrection {
		s.intakeRows(add)
		return rows
	}
	if s.Kind == SlipNotice {
		add(SlipRow{Label: "办理结果", Value: outcomeWords(s.Outcome), Strong: true})
	}
	accepted := ""
	if !s.AcceptedAt.IsZero() {
		accepted = s.AcceptedAt.Format("2006-01-02 15:04")
		if s.Window > 0 {
			accepted += "（" + strconv.Itoa(s.Window) + "号窗口）"
		}
	}
	add(SlipRow{Label: "受理时间", Value: accepted})
	if s.PromiseDays > 0 {
		add(SlipRow{Label: "承诺时限", Value: strconv.Itoa(s.PromiseDays) + " 个工作日"})
	}
	add(SlipRow{Label: "承诺办结日期", Value: s.Due, Strong: s.Kind == SlipReceipt})
	if s.Kind == SlipReceipt {
		docs := ""
		if s.Documents > 0 {
			docs = "电子材料 " + strconv.Itoa(s.Documents) + " 份"
		}
		add(SlipRow{Label: "已收材料", Value: docs, Items: s.Materials})
		add(SlipRow{Label: "需补正材料", Items: s.Corrections})
	}
	var parts []string
	for _, p := range s.Parts {
		line := p.Number + " " + p.Matter
		if p.Department != "" {
			line += "（" + p.Department + "）"
		}
		if p.Due != "" {
			line += " 承诺 " + p.Due
		}
		parts = append(parts, line)
	}
	add(SlipRow{Label: "包含事项", Items: parts})
	s.addDelivery(add)
	return rows
}

// intakeRows finish a window's notice of a matter it did not accept: the
// reason (不予受理), or every material to correct (补正), and when.
func (s CaseSlip) intakeRows(add func(SlipRow)) {
	when := ""
	if !s.AcceptedAt.IsZero() {
		when = s.AcceptedAt.Format("2006-01-02 15:04")
		if s.Window > 0 {
			when += "（" + strconv.Itoa(s.Window) + "号窗口）"
		}
	}
	add(SlipRow{Label: "告知时间", Value: when})
	if s.Kind == SlipRejection {
		add(SlipRow{Label: "不予受理理由", Value: s.Reason, Strong: true})
		return
	}
	add(SlipRow{Label: "需补正材料", Items: s.Corrections, Strong: true})
	add(SlipRow{Label: "已收材料", Items: s.Materials})
	add(SlipRow{Label: "补正说明", Value: s.Reason})
}

// addDelivery adds how the result reaches the applicant.
func (s CaseSlip) addDelivery(add func(SlipRow)) {
	if s.Delivery == "mail" {
		add(SlipRow{Label: "取件方式", Value: "免费邮寄"})
		add(SlipRow{Label: "邮寄至", Value: s.CollectAt})
		add(SlipRow{Label: "运单号", Value: s.Waybill})
		return
	}
	add(SlipRow{Label: "取件方式", Value: "窗口领取"})
	where := s.CollectAt
	if where != "" && s.Kind == SlipNotice {
		where = "请携带本通知及本人身份证件到" + where + "领取"
	}
	add(SlipRow{Label: "领取地点", Value: where})
}

func outcomeWords(o string) string {
	switch o {
	case OutcomeApproved:
		return "准予许可（已办结，可领取）"
	case OutcomeRejected:
		return "不予许可（决定书可领取）"
	}
	return "已办结，可领取"
}
