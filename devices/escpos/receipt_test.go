// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"yichuang/devices"
)

// sampleSlip is a typical acceptance receipt: two materials received, one
// to be supplied, two scans, pickup at the business registration area.
func sampleSlip() devices.CaseSlip {
	cst := time.FixedZone("CST", 8*3600)
	return devices.CaseSlip{
		Kind:            devices.SlipReceipt,
		Hall:            "韩江区政务服务中心",
		Number:          "HJ-SJ-0001202603140042",
		Matter:          "企业设立登记（有限责任公司）",
		Department:      "市场监管局",
		ApplicantMasked: "张*丰",
		AcceptedAt:      time.Date(2026, 3, 14, 9, 30, 5, 0, cst),
		Window:          2,
		PromiseDays:     3,
		Due:             "2026-03-19",
		Materials:       []string{"公司登记（备案）申请书", "公司章程"},
		Corrections:     []string{"法定代表人身份证明（注：复印件不清晰）"},
		Documents:       2,
		Delivery:        "pickup",
		CollectAt:       "韩江区政务服务中心 商事登记区（1–3号窗口）",
		ProgressURL:     "https://hall.example.gov.cn/c/HJ-SJ-0001202603140042?token=5c1f0e9a7b3d2c4e6f8a9b0c",
		PrintedAt:       time.Date(2026, 3, 14, 9, 31, 0, 0, cst),
		Notices:         []string{"请妥善保管本回执，凭回执领取办理结果。"},
	}
}

// sampleNotice is the same case's result notice, approved and mailed.
func sampleNotice() devices.CaseSlip {
	s := sampleSlip()
	s.Kind, s.Outcome = devices.SlipNotice, devices.OutcomeApproved
	s.Delivery, s.CollectAt, s.Waybill = "mail", "张* 138****5678", "SF1234567890"
	s.Materials, s.Corrections, s.Documents = nil, nil, 0
	return s
}

func TestCaseSlipGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		slip  devices.CaseSlip
		paper Paper
	}{
		{"caseslip-receipt-58mm", sampleSlip(), Paper58},
		{"caseslip-receipt-80mm", sampleSlip(), Paper80},
		{"caseslip-notice-80mm", sampleNotice(), Paper80},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultLayout(tc.paper)
			job, err := LayoutCaseSlip(tc.slip, &o)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".bin", job)
			img, err := Render(job, &RenderOpts{Paper: tc.paper})
			if err != nil {
				t.Fatal(err)
			}
			if w := img.Bounds().Dx(); w != tc.paper.Dots() {
				t.Errorf("rendered width %d, want %d", w, tc.paper.Dots())
			}
			goldenImage(t, tc.name+".png", img)
			if got := decodeQR(t, img); got != tc.slip.ProgressURL {
				t.Errorf("QR code decodes to %q, want %q", got, tc.slip.ProgressURL)
			}
		})
	}
}

// TestCaseSlipContents checks what each slip says, in order.
func TestCaseSlipContents(t *testing.T) {
	tests := []struct {
		name   string
		slip   devices.CaseSlip
		want   []string
		absent []string
	}{
		{"receipt", sampleSlip(), []string{
			"韩江区政务服务中心", "受理回执", "Acceptance receipt",
			"办件编号：HJ-SJ-0001202603140042", "办理事项：企业设立登记", "办理部门：市场监管局", "申请人：张*丰",
			"受理时间：2026-03-14 09:30（2号窗口）", "承诺时限：3 个工作日", "承诺办结日期：2026-03-19",
			"已收材料：电子材料 2 份", "1. 公司登记（备案）申请书", "2. 公司章程",
			"需补正材料：", "1. 法定代表人身份证明（注：复印件不清晰）",
			"取件方式：窗口领取", "领取地点：韩江区政务服务中心 商事登记区（1–3号窗口）",
			"打印时间：2026-03-14 09:31:00", devices.SlipQRCaption, "请妥善保管本回执",
		}, []string{"办理结果：", "运单号", "邮寄"}},
		{"notice", sampleNotice(), []string{
			"结果通知", "Result notice", "办件编号：HJ-SJ-0001202603140042", "申请人：张*丰",
			"办理结果：准予许可", "承诺办结日期：2026-03-19", "取件方式：免费邮寄", "邮寄至：张* 138****5678",
			"运单号：SF1234567890", devices.SlipQRCaption,
		}, []string{"已收材料", "需补正", "领取地点"}},
		{"package pickup notice", func() devices.CaseSlip {
			s := sampleSlip()
			s.Kind, s.Outcome, s.ApplicantMasked, s.PromiseDays = devices.SlipNotice, devices.OutcomeRejected, "", 0
			s.Parts = []devices.SlipPart{{Number: "A-1", Matter: "设立", Department: "市场监管局", Due: "2026-03-17"}, {Number: "B-1", Matter: "参保", Due: "2026-03-19"}}
			s.ProgressURL, s.Notices = "", nil
			return s
		}(), []string{
			"结果通知", "办理结果：不予许可", "包含事项：", "1. A-1 设立（市场监管局）", "2026-03-17", "2. B-1 参保", "2026-03-19",
			"领取地点：请携带本通知及本人身份证件到韩江区政务服务中心 商事登记区（1–3号窗口）领取",
		}, []string{"申请人", "承诺时限", "扫码"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			job, err := LayoutCaseSlip(tc.slip, nil)
			if err != nil {
				t.Fatal(err)
			}
			text := decodeText(t, job)
			pos := 0
			for _, w := range tc.want {
				i := strings.Index(text[pos:], w)
				if i < 0 {
					t.Fatalf("slip lacks %q after offset %d:\n%s", w, pos, text)
				}
				pos += i + len(w)
			}
			for _, a := range tc.absent {
				if strings.Contains(text, a) {
					t.Errorf("slip says %q:\n%s", a, text)
				}
			}
		})
	}
}

// TestCaseSlipCarriesNoIdentity guards the privacy rule for slips as
// TestTicketCarriesNoIdentity does for tickets: no field for a card's data,
// a phone number or an address; only masked forms.
func TestCaseSlipCarriesNoIdentity(t *testing.T) {
	forbidden := map[string]bool{"id": true, "idnumber": true, "phone": true, "address": true, "recipient": true, "applicant": true}
	card := reflect.TypeFor[devices.Card]()
	for i := range card.NumField() {
		forbidden[strings.ToLower(card.Field(i).Name)] = true
	}
	st := reflect.TypeFor[devices.CaseSlip]()
	for i := range st.NumField() {
		if name := st.Field(i).Name; forbidden[strings.ToLower(name)] {
			t.Errorf("devices.CaseSlip has a field %s: slips carry masked forms only (DESIGN.md, Privacy)", name)
		}
	}
	// the mail label is the one slip that carries its recipient in full
	// (MailTo, for the courier); no other slip prints it
	to := &devices.MailTo{Recipient: "李四光", Phone: "13812345678", Address: "涵江区涵华西路1号", Postcode: "351100"}
	for _, kind := range []string{devices.SlipReceipt, devices.SlipNotice, devices.SlipRejection, devices.SlipCorrection} {
		s := devices.CaseSlip{Kind: kind, Number: "HJ-SJ-0001202612080001", MailTo: to, CollectAt: "李*光 138****5678"}
		for _, r := range s.Rows() {
			text := r.Value + strings.Join(r.Items, "")
			for _, full := range []string{to.Recipient, to.Phone, to.Address} {
				if strings.Contains(text, full) {
					t.Errorf("a %s slip prints %q in full", kind, full)
				}
			}
		}
	}
	label := devices.CaseSlip{Kind: devices.SlipLabel, MailTo: to}
	var text string
	for _, r := range label.Rows() {
		text += r.Value
	}
	if !strings.Contains(text, to.Address) || !strings.Contains(text, to.Phone) {
		t.Errorf("the mail label does not carry its recipient: %q", text)
	}
}
