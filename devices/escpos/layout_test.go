// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/text/encoding/simplifiedchinese"

	"yichuang/devices"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/escpos")

const goldenDir = "../../testdata/escpos"

// sampleTicket is a typical ticket: priority, a matter, two notices.
func sampleTicket() devices.Ticket {
	return devices.Ticket{
		Hall:         "韩江区政务服务中心",
		Zone:         "A",
		ZoneName:     "商事登记区",
		Number:       "A012",
		Matter:       "企业设立登记（有限责任公司）",
		WaitingAhead: 7,
		IssuedAt:     time.Date(2025, 3, 14, 9, 30, 5, 0, time.FixedZone("CST", 8*3600)),
		StatusURL:    "https://hall.example.gov.cn/q/A012?k=7f3a9c21",
		Priority:     true,
		Notices:      []string{"请留意叫号屏幕和语音提示，过号请重新取号。", "Please wait for your number to be called."},
	}
}

// golden compares got with the named file, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: got %d bytes, golden has %d; first difference at byte %d (run go test -update if the change is intended)",
			name, len(got), len(want), firstDiff(got, want))
	}
}

// goldenImage compares img with the named PNG dot for dot (not byte for
// byte: PNG compression may change with Go), rewriting it under -update.
func goldenImage(t *testing.T, name string, img *image.Paletted) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		golden(t, name, buf.Bytes())
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if want.Bounds() != img.Bounds() {
		t.Fatalf("%s: rendered %v, golden %v (run go test -update if the change is intended)", name, img.Bounds(), want.Bounds())
	}
	diff := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			wr, _, _, _ := want.At(x, y).RGBA()
			if (img.ColorIndexAt(x, y) == 1) != (wr < 0x8000) {
				diff++
			}
		}
	}
	if diff > 0 {
		t.Errorf("%s: %d dots differ (run go test -update if the change is intended)", name, diff)
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// decodeQR finds and decodes the QR code in img.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code decoded from the rendered ticket: %v", err)
	}
	return res.GetText()
}

func TestTicketGolden(t *testing.T) {
	tk := sampleTicket()
	for _, tc := range []struct {
		name     string
		paper    Paper
		nativeQR bool
	}{
		{"ticket-58mm", Paper58, false},
		{"ticket-80mm", Paper80, false},
		{"ticket-58mm-nativeqr", Paper58, true},
		{"ticket-80mm-nativeqr", Paper80, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultLayout(tc.paper)
			o.NativeQR = tc.nativeQR
			job, err := LayoutTicket(tk, &o)
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

			if got := decodeQR(t, img); got != tk.StatusURL {
				t.Errorf("QR code decodes to %q, want %q", got, tk.StatusURL)
			}

			wire := time.Duration(len(job)) * 10 * time.Second / 9600 // 8N1: 10 bits a byte
			t.Logf("%s: %d bytes, %v at 9600 baud", tc.name, len(job), wire.Round(time.Millisecond))
			if tc.nativeQR && len(job) > 512 {
				t.Errorf("native-QR ticket is %d bytes, want ≤ 512", len(job))
			}
		})
	}
}

func TestReceiptGolden(t *testing.T) {
	r := Receipt{
		Head: []Line{
			{Text: "受理回执", Align: AlignCenter, W: 2, H: 2, Bold: true},
			{Rule: true},
			{Text: "申请人：张*丰"},
			{Text: "证件号码：3503**********123X"},
			{Text: "事项：个体工商户设立登记"},
			{Text: "受理编号：HJ-20250314-0042"},
			{Text: "承诺时限：3 个工作日", Align: AlignRight},
			{Blank: true},
		},
		QR:   "https://hall.example.gov.cn/c/HJ-20250314-0042",
		Tail: []Line{{Text: "扫码查询办理进度", Align: AlignCenter}},
	}
	o := DefaultLayout(Paper80)
	o.Cut = CutNow
	o.Feed = 4
	job, err := LayoutReceipt(r, &o)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "receipt-80mm.bin", job)
	img, err := Render(job, &RenderOpts{Paper: Paper80})
	if err != nil {
		t.Fatal(err)
	}
	goldenImage(t, "receipt-80mm.png", img)
	if got := decodeQR(t, img); got != r.QR {
		t.Errorf("QR code decodes to %q, want %q", got, r.QR)
	}
}

// TestTicketContents checks what a ticket says, in the order it says it,
// and that it holds nothing but the ticket's fields.
func TestTicketContents(t *testing.T) {
	tk := sampleTicket()
	job, err := LayoutTicket(tk, nil)
	if err != nil {
		t.Fatal(err)
	}
	text := decodeText(t, job)
	want := []string{tk.Hall, tk.ZoneName, "优先", "A012", "前方等待 7 人", "企业设立", "2025-03-14 09:30:05", "扫码查看排队进度", "过号请重新取号", "Please wait"}
	pos := 0
	for _, w := range want {
		i := strings.Index(text[pos:], w)
		if i < 0 {
			t.Fatalf("ticket text lacks %q after offset %d:\n%s", w, pos, text)
		}
		pos += i + len(w)
	}

	// No priority mark, matter, time, QR or notices when the ticket has none.
	plain := devices.Ticket{Hall: "H", ZoneName: "Z", Number: "B001"}
	job, err = LayoutTicket(plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	text = decodeText(t, job)
	for _, absent := range []string{"优先", "办理事项", "取号时间", "扫码"} {
		if strings.Contains(text, absent) {
			t.Errorf("plain ticket says %q:\n%s", absent, text)
		}
	}
	if bytes.Contains(job, []byte{gs, 'v', '0'}) || bytes.Contains(job, []byte{gs, '(', 'k'}) {
		t.Error("plain ticket has a QR code")
	}
}

// decodeText returns the text bytes of a job, decoded from GB18030, with
// commands dropped and LF kept.
func decodeText(t *testing.T, job []byte) string {
	t.Helper()
	var raw []byte
	for off := 0; off < len(job); {
		n, tok, err := ScanCommands(job[off:], true)
		if err != nil {
			t.Fatalf("offset %d: %v", off, err)
		}
		switch {
		case tok[0] >= 0x20:
			raw = append(raw, tok...)
		case tok[0] == lf:
			raw = append(raw, '\n')
		}
		off += n
	}
	s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(s), "\n", "")
}

func TestWrap(t *testing.T) {
	enc := simplifiedchinese.GB18030.NewEncoder()
	for _, tc := range []struct {
		text string
		cols int
		want []string
	}{
		{"", 10, []string{""}},
		{"short", 10, []string{"short"}},
		{"Please wait for your number", 10, []string{"Please", "wait for", "your", "number"}},
		{"请留意叫号屏幕", 6, []string{"请留意", "叫号屏", "幕"}},
		{"号码A012号", 5, []string{"号码A", "012号"}},
		{"a\nb", 5, []string{"a", "b"}},
		{"abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"ab  cd", 3, []string{"ab", "cd"}},
	} {
		got := wrap(enc, tc.text, tc.cols)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.text, tc.cols, got, tc.want)
		}
		for _, l := range got {
			if c := textCols(enc, l); c > tc.cols {
				t.Errorf("wrap(%q, %d): line %q is %d columns", tc.text, tc.cols, l, c)
			}
		}
	}
}

// TestLayoutFits renders tickets with long fields on both papers and
// checks no line wrapped by the printer itself (the layout wraps first) and
// the big lines shrank to fit.
func TestLayoutFits(t *testing.T) {
	tk := sampleTicket()
	tk.Number = "A12345"
	tk.ZoneName = "不动产登记与税务综合服务区域"
	tk.WaitingAhead = 12345
	tk.Hall = strings.Repeat("政务", 30)
	for _, p := range []Paper{Paper58, Paper80} {
		o := DefaultLayout(p)
		job, err := LayoutTicket(tk, &o)
		if err != nil {
			t.Fatal(err)
		}
		r := &renderer{w: p.Dots(), maxH: defaultMaxH}
		r.reset()
		for off := 0; off < len(job); {
			n, tok, err := ScanCommands(job[off:], true)
			if err != nil {
				t.Fatal(err)
			}
			if tok[0] >= 0x20 {
				// Everything between two LFs must fit one printed line.
				before := r.y
				if err := r.exec(tok); err != nil {
					t.Fatal(err)
				}
				if r.y != before {
					t.Errorf("%v: the printer had to wrap at offset %d", p, off)
				}
			} else if err := r.exec(tok); err != nil {
				t.Fatal(err)
			}
			off += n
		}
	}
}

func TestLayoutErrors(t *testing.T) {
	if _, err := LayoutTicket(sampleTicket(), &LayoutOpts{Paper: 76}); err == nil {
		t.Error("76 mm paper: no error")
	}
	if _, err := LayoutReceipt(Receipt{QR: strings.Repeat("x", 8000)}, nil); err == nil {
		t.Error("8000-byte QR code: no error")
	}
	if _, err := LayoutReceipt(Receipt{}, &LayoutOpts{Paper: Paper58, Cut: 9}); err == nil {
		t.Error("cut mode 9: no error")
	}
}

// TestTicketCarriesNoIdentity guards the privacy rule: a ticket prints
// what devices.Ticket holds, so the type must never grow a field for a name,
// an ID number or any other part of a card.
func TestTicketCarriesNoIdentity(t *testing.T) {
	forbidden := map[string]bool{}
	card := reflect.TypeFor[devices.Card]()
	for i := range card.NumField() {
		forbidden[strings.ToLower(card.Field(i).Name)] = true
	}
	forbidden["id"], forbidden["idnumber"], forbidden["citizen"], forbidden["phone"] = true, true, true, true
	tt := reflect.TypeFor[devices.Ticket]()
	for i := range tt.NumField() {
		if name := tt.Field(i).Name; forbidden[strings.ToLower(name)] {
			t.Errorf("devices.Ticket has a field %s: tickets must not carry identity (DESIGN.md, Privacy)", name)
		}
	}
}
