// SPDX-License-Identifier: AGPL-3.0-or-later

package a4

import (
	"errors"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fitz "github.com/gen2brain/go-fitz"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"yichuang/devices"
)

// font loads the Chinese font the tests need; make deps installs it.
func font(t *testing.T) []byte {
	t.Helper()
	b, err := LoadFont()
	if err != nil {
		t.Fatalf("%v: run make deps", err)
	}
	return b
}

func sample() devices.CaseSlip {
	cst := time.FixedZone("CST", 8*3600)
	return devices.CaseSlip{
		Kind: devices.SlipReceipt, Hall: "韩江区政务服务中心", Number: "HJ-SJ-0001202603140042",
		Matter: "企业设立登记（有限责任公司）", Department: "市场监管局", ApplicantMasked: "张*丰",
		AcceptedAt: time.Date(2026, 3, 14, 9, 30, 5, 0, cst), Window: 2, PromiseDays: 3, Due: "2026-03-19",
		Materials: []string{"公司登记（备案）申请书", "公司章程"}, Corrections: []string{"法定代表人身份证明（注：复印件不清晰）"},
		Documents: 2, Delivery: "pickup", CollectAt: "韩江区政务服务中心 商事登记区（1、2、3号窗口）",
		ProgressURL: "https://hall.example.gov.cn/c/HJ-SJ-0001202603140042?token=5c1f0e9a7b3d2c4e6f8a9b0c",
		PrintedAt:   time.Date(2026, 3, 14, 9, 31, 0, 0, cst),
		Notices:     []string{"请妥善保管本回执，凭回执领取办理结果。"},
	}
}

// open parses a PDF with MuPDF, as a viewer would.
func open(t *testing.T, b []byte) *fitz.Document {
	t.Helper()
	d, err := fitz.NewFromMemory(b)
	if err != nil {
		t.Fatalf("MuPDF cannot open the PDF: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// squash drops the spaces and line breaks text extraction puts in.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code decoded from the rendered page: %v", err)
	}
	return res.GetText()
}

// TestCaseSlipPDF renders each slip with MuPDF: one A4 page whose text,
// extracted back, says the slip's rows in order (so the Chinese is real
// glyphs with a Unicode map, not boxes), and whose QR code decodes to the
// progress page.
func TestCaseSlipPDF(t *testing.T) {
	f := font(t)
	notice := sample()
	notice.Kind, notice.Outcome, notice.Delivery, notice.CollectAt, notice.Waybill = devices.SlipNotice, devices.OutcomeApproved, "mail", "张* 138****5678", "SF1234567890"
	tests := []struct {
		name string
		slip devices.CaseSlip
		want []string
	}{
		{"receipt", sample(), []string{"韩江区政务服务中心", "受理回执", "Acceptancereceipt", "办件编号：HJ-SJ-0001202603140042",
			"办理事项：企业设立登记（有限责任公司）", "申请人：张*丰", "承诺时限：3个工作日", "承诺办结日期：2026-03-19",
			"已收材料：电子材料2份", "1.公司登记（备案）申请书", "2.公司章程", "需补正材料：1.法定代表人身份证明",
			"取件方式：窗口领取", "领取地点：韩江区政务服务中心商事登记区", "扫码查询办理进度", "请妥善保管本回执", "打印时间：2026-03-1409:31:00"}},
		{"notice", notice, []string{"结果通知", "Resultnotice", "办理结果：准予许可", "取件方式：免费邮寄", "邮寄至：张*138****5678", "运单号：SF1234567890"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := CaseSlip(tc.slip, f)
			if err != nil {
				t.Fatal(err)
			}
			if dir := os.Getenv("A4_OUT"); dir != "" { // to look at: A4_OUT=/tmp go test
				_ = os.WriteFile(filepath.Join(dir, "caseslip-"+tc.name+".pdf"), b, 0o644)
			}
			d := open(t, b)
			if n := d.NumPage(); n != 1 {
				t.Fatalf("%d pages, want 1", n)
			}
			text, err := d.Text(0)
			if err != nil {
				t.Fatal(err)
			}
			flat := squash(text)
			pos := 0
			for _, w := range tc.want {
				i := strings.Index(flat[pos:], w)
				if i < 0 {
					t.Fatalf("the PDF's text lacks %q after offset %d:\n%s", w, pos, flat)
				}
				pos += i + len(w)
			}
			bounds, err := d.Bound(0)
			if err != nil {
				t.Fatal(err)
			}
			// A4 in points: 595 × 842
			if bounds.Dx() != 595 || bounds.Dy() != 842 {
				t.Errorf("page is %v points, want A4 595×842", bounds)
			}
			img, err := d.ImageDPI(0, 150)
			if err != nil {
				t.Fatal(err)
			}
			if got := decodeQR(t, img); got != tc.slip.ProgressURL {
				t.Errorf("QR code decodes to %q, want %q", got, tc.slip.ProgressURL)
			}
		})
	}
}

// TestCaseSlipPDFLong has a slip too long for one page go on to a second.
func TestCaseSlipPDFLong(t *testing.T) {
	s := sample()
	for i := range 60 {
		s.Materials = append(s.Materials, "材料 "+strings.Repeat("很长的名称", i%4+1))
	}
	b, err := CaseSlip(s, font(t))
	if err != nil {
		t.Fatal(err)
	}
	d := open(t, b)
	if d.NumPage() < 2 {
		t.Fatalf("%d pages for 62 materials", d.NumPage())
	}
	last, err := d.Text(d.NumPage() - 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(squash(last), "打印时间") {
		t.Errorf("the last page does not end the slip: %s", last)
	}
}

func TestCaseSlipPDFErrors(t *testing.T) {
	if _, err := CaseSlip(sample(), []byte("not a font")); err == nil || !strings.HasPrefix(err.Error(), "a4: ") {
		t.Errorf("a broken font: %v", err)
	}
	if _, err := FindFont([]string{filepath.Join(t.TempDir(), "none.ttf"), t.TempDir()}); !errors.Is(err, ErrNoFont) {
		t.Errorf("no font: %v", err)
	}
	p := filepath.Join(t.TempDir(), "f.ttf")
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := FindFont([]string{"/nonexistent.ttf", p}); err != nil || got != p {
		t.Errorf("FindFont = %q, %v; want %q", got, err, p)
	}
}
