// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"context"
	"encoding/csv"
	"encoding/xml"
	"image"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	fitz "github.com/gen2brain/go-fitz"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"yichuang/devices"
)

// slipPrinter is a window's receipt printer: it records tickets and slips.
type slipPrinter struct {
	mu    sync.Mutex
	slips []devices.CaseSlip
}

func (p *slipPrinter) PrintTicket(ctx context.Context, t devices.Ticket) error { return nil }

func (p *slipPrinter) PrintCaseSlip(ctx context.Context, s devices.CaseSlip) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.slips = append(p.slips, s)
	return nil
}

func (p *slipPrinter) last() devices.CaseSlip {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.slips[len(p.slips)-1]
}

// fixedNow is Friday 2026-11-27 10:15 in the hall's timezone.
func fixedNow() time.Time {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return time.Date(2026, 11, 27, 10, 15, 0, 0, loc)
}

// newSlipEnv is a hall on a fixed clock whose window 1 has a receipt printer.
func newSlipEnv(t *testing.T) (*env, *slipPrinter) {
	t.Helper()
	p := &slipPrinter{}
	e := startEnv(t, limitsOff, fixedNow, func(o *Options) { o.Printers = map[string]Printer{"window-1": p} })
	return e, p
}

const mailSubmission = `{"matter":"HJ-SJ-0001","submission":{"applicant":{"id_number":"11010519491231002X","name":"张三丰"},"materials":[],` +
	`"delivery":{"mode":"mail","recipient":"李四光","phone":"13800135678","address":"涵江区涵华西路1号","postcode":"351100"}}}`

// acceptMailCase has window 1 accept an HJ-SJ-0001 case for mail with one
// material received and one to be supplied; it returns the case number and
// the ticket's id.
func acceptMailCase(t *testing.T, e *env) (string, string) {
	t.Helper()
	tk := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, mailSubmission), 201)
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	m, _ := e.hall.Catalog().Matter("HJ-SJ-0001")
	e.want(e.do("POST", "/api/v1/windows/1/checklist", tokWin1, `{"material":"`+m.Materials[0]+`","state":"accepted"}`), 200)
	e.want(e.do("POST", "/api/v1/windows/1/checklist", tokWin1, `{"material":"`+m.Materials[1]+`","state":"correction","note":"缺少股东签字"}`), 200)
	f := e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"accepted"}`), 200)
	return f.body["cases"].([]any)[0].(map[string]any)["number"].(string), str(tk.body, "id")
}

// getPDF fetches a PDF and returns its first page's text (spaces dropped)
// and the QR code on it.
func getPDF(t *testing.T, e *env, path, token string) (string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET %s: %d %s: %.200s", path, res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	d, err := fitz.NewFromMemory(b)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	text, err := d.Text(0)
	if err != nil {
		t.Fatal(err)
	}
	img, err := d.ImageDPI(0, 150)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(text), ""), qrOf(t, img)
}

func qrOf(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code: %v", err)
	}
	return res.GetText()
}

func TestCaseSlips(t *testing.T) {
	e, p := newSlipEnv(t)
	number, _ := acceptMailCase(t, e)
	m, _ := e.hall.Catalog().Matter("HJ-SJ-0001")
	cfg := e.hall.Config()

	// the receipt, printed at the window the moment it is accepted
	r := e.want(e.do("POST", "/api/v1/cases/"+number+"/receipt/print", tokWin1, ""), 200)
	if r.body["printed"] != true || r.body["slip"] != "receipt" {
		t.Fatalf("print: %s", r.raw)
	}
	s := p.last()
	wantURL := cfg.PublicURL + "/c/" + number + "?token=" + e.hall.CaseKey(number)
	if s.Kind != devices.SlipReceipt || s.Number != number || s.Matter != "企业设立登记" || s.Department != "市场监管局" ||
		s.ApplicantMasked != "张*丰" || s.PromiseDays != 1 || s.Window != 1 || s.Delivery != "mail" || s.CollectAt != "李*光 138****5678" ||
		len(s.Materials) != 1 || s.Materials[0] != m.Materials[0] ||
		len(s.Corrections) != 1 || s.Corrections[0] != m.Materials[1]+"（注：缺少股东签字）" || s.ProgressURL != wantURL {
		t.Fatalf("printed slip = %+v", s)
	}
	e.want(e.do("POST", "/api/v1/cases/"+number+"/receipt/print", tokWin2, ""), 409) // no printer there
	e.want(e.do("POST", "/api/v1/cases/"+number+"/leaflet/print", tokWin1, ""), 404)
	e.want(e.do("POST", "/api/v1/cases/"+number+"/receipt/print", tokWin1, `{"copies":2}`), 400)
	e.want(e.do("POST", "/api/v1/cases/nope/receipt/print", tokWin1, ""), 404)
	e.want(e.do("POST", "/api/v1/cases/"+number+"/notice/print", tokWin1, ""), 409) // not ready yet

	// the same as A4 PDF, for the back office of its department
	text, qr := getPDF(t, e, "/api/v1/cases/"+number+"/receipt.pdf", tokDeptSJ)
	for _, w := range []string{"受理回执", "办件编号：" + number, "申请人：张*丰", "承诺时限：1个工作日", "已收材料：1." + m.Materials[0],
		"需补正材料：", "缺少股东签字", "取件方式：免费邮寄", "邮寄至：李*光138****5678"} {
		if !strings.Contains(text, w) {
			t.Errorf("receipt PDF lacks %q: %s", w, text)
		}
	}
	for _, personal := range []string{"张三丰", "李四光", "13800135678", "1101", "涵华西路"} {
		if strings.Contains(text, personal) {
			t.Errorf("receipt PDF shows %q", personal)
		}
	}
	if qr != wantURL {
		t.Errorf("PDF QR = %q, want %q", qr, wantURL)
	}
	e.want(e.do("GET", "/api/v1/cases/"+number+"/receipt.pdf", tokDeptRS, ""), 403)
	e.want(e.do("GET", "/api/v1/cases/"+number+"/notice.pdf", tokAdmin, ""), 409)
	e.want(e.do("GET", "/api/v1/cases/nope/receipt.pdf", tokAdmin, ""), 404)

	// the public progress page behind the QR code: state and due date only
	u, _ := url.Parse(wantURL)
	key := u.Query().Get("token")
	pr := e.want(e.do("GET", "/api/v1/progress/"+number+"?token="+key, "", ""), 200)
	if pr.body["number"] != number || pr.body["state"] != "accepted" || pr.body["due"] != "2026-11-30" || len(pr.body) != 3 {
		t.Fatalf("progress = %s", pr.raw)
	}
	e.want(e.do("GET", "/api/v1/progress/"+number+"?token="+strings.Repeat("0", 24), "", ""), 404)
	e.want(e.do("GET", "/api/v1/progress/"+number, tokAdmin, ""), 404) // a terminal token is not the link's key
	page := e.want(e.do("GET", u.Path, "", ""), 200)
	if !strings.Contains(page.raw, `lang="zh-CN"`) || !strings.Contains(page.raw, "progress") {
		t.Fatal("progress page")
	}

	// ready: the result notice, at any window or as PDF
	e.want(e.do("POST", "/api/v1/cases/"+number+"/route", tokWin1, ""), 200)
	e.want(e.do("POST", "/api/v1/cases/"+number+"/approve", tokDeptSJ, ""), 200)
	e.want(e.do("POST", "/api/v1/cases/"+number+"/ready", tokDeptSJ, ""), 200)
	text, _ = getPDF(t, e, "/api/v1/cases/"+number+"/notice.pdf", tokWin2)
	for _, w := range []string{"结果通知", "办理结果：准予许可", "邮寄至：李*光138****5678"} {
		if !strings.Contains(text, w) {
			t.Errorf("notice PDF lacks %q: %s", w, text)
		}
	}
	e.want(e.do("POST", "/api/v1/cases/"+number+"/notice/print", tokWin1, ""), 200)
	if n := p.last(); n.Kind != devices.SlipNotice || n.Outcome != devices.OutcomeApproved || len(n.Materials) != 1 {
		t.Fatalf("notice slip = %+v", n)
	}
	pr = e.want(e.do("GET", "/api/v1/progress/"+number+"?token="+key, "", ""), 200)
	if pr.body["state"] != "ready" {
		t.Fatalf("progress after ready = %s", pr.raw)
	}
}

func TestFollowUpEndpoints(t *testing.T) {
	e, _ := newSlipEnv(t)
	tk := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	id := str(tk.body, "id")
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"consulted"}`), 200)
	rt := e.want(e.rateAsCitizen(id, `{"level":1,"comment":"等太久"}`), 201)
	if rt.body["follow_up"] != true || rt.body["follow_up_due"] != "2026-12-04" {
		t.Fatalf("rating: %s", rt.raw)
	}
	open := e.want(e.do("GET", "/api/v1/followups?open=1", tokAdmin, ""), 200)
	fs := open.body["followups"].([]any)
	if len(fs) != 1 {
		t.Fatalf("open follow-ups: %s", open.raw)
	}
	f := fs[0].(map[string]any)
	if f["number"] != "A001" || f["level"] != float64(1) || f["follow_up_due"] != "2026-12-04" || f["overdue"] != false ||
		f["closed"] != false || f["window"] != float64(1) || f["comment"] != "等太久" || !strings.HasSuffix(str(f, "at"), "+08:00") {
		t.Fatalf("follow-up = %v", f)
	}
	path := "/api/v1/followups/" + id + "/close"
	if r := e.want(e.do("POST", path, tokAdmin, `{"note":"已回访","by":"me"}`), 400); r.body["field"] != "by" {
		t.Fatalf("unknown field: %s", r.raw)
	}
	if r := e.want(e.do("POST", path, tokAdmin, `{}`), 400); r.body["field"] != "note" {
		t.Fatalf("no note: %s", r.raw)
	}
	c := e.want(e.do("POST", path, tokAdmin, `{"note":"已回访，调整排班"}`), 200)
	if cf := c.body["follow_up"].(map[string]any); cf["closed"] != true || cf["note"] != "已回访，调整排班" || cf["closed_by"] != "admin" {
		t.Fatalf("closed: %s", c.raw)
	}
	e.want(e.do("POST", path, tokAdmin, `{"note":"again"}`), 409)
	e.want(e.do("POST", "/api/v1/followups/nope/close", tokAdmin, `{"note":"n"}`), 404)
	if open = e.want(e.do("GET", "/api/v1/followups?open=1", tokAdmin, ""), 200); len(open.body["followups"].([]any)) != 0 {
		t.Fatalf("still open: %s", open.raw)
	}
	all := e.want(e.do("GET", "/api/v1/followups", tokAdmin, ""), 200)
	if fs := all.body["followups"].([]any); len(fs) != 1 || fs[0].(map[string]any)["note"] != "已回访，调整排班" {
		t.Fatalf("all: %s", all.raw)
	}
	au := e.want(e.do("GET", "/api/v1/audit?ticket="+id, tokAdmin, ""), 200)
	if !strings.Contains(au.raw, "rating.follow_up.close") || !strings.Contains(au.raw, "已回访，调整排班") {
		t.Fatalf("closure not audited: %s", au.raw)
	}
	e.want(e.do("GET", "/api/v1/followups?from=yesterday", tokAdmin, ""), 400)
}

// seedRated: window 1 accepts a case for mail (rated 5) and answers a
// consultation (rated 2) on the fixed day.
func seedRated(t *testing.T, e *env) {
	t.Helper()
	_, id := acceptMailCase(t, e)
	e.want(e.rateAsCitizen(id, `{"level":5}`), 201)
	tk := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"consulted"}`), 200)
	e.want(e.rateAsCitizen(str(tk.body, "id"), `{"level":2}`), 201)
}

// TestStatsRatesAndCases: the new figures in the JSON and the CSV.
func TestStatsRatesAndCases(t *testing.T) {
	e, _ := newSlipEnv(t)
	seedRated(t, e)
	st := e.want(e.do("GET", "/api/v1/stats?date=2026-11-27", tokAdmin, ""), 200)
	tot := st.body["total"].(map[string]any)
	want := map[string]float64{"issued": 2, "rated": 2, "satisfaction_rate": 0.5, "cases_accepted": 1, "cases_mail": 1, "cases_pickup": 0,
		"cases_closed": 0, "cases_on_time": 0, "on_time_rate": 0, "cases_overdue": 0}
	for k, v := range want {
		if tot[k] != v {
			t.Errorf("total %s = %v, want %v", k, tot[k], v)
		}
	}
	if w := st.body["windows"].(map[string]any)["1"].(map[string]any); w["satisfaction_rate"] != 0.5 || w["cases_mail"] != float64(1) {
		t.Errorf("window 1 = %v", w)
	}
	if hours := st.body["issued_by_hour"].([]any); len(hours) != 24 || hours[10] != float64(2) {
		t.Errorf("issued_by_hour = %v", hours)
	}
	c := e.want(e.do("GET", "/api/v1/stats?date=2026-11-27&format=csv", tokAdmin, ""), 200)
	rows, err := csv.NewReader(strings.NewReader(c.raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if col["rating_5"] != 16 || col["rated"] != 17 { // the old columns stay where they were
		t.Fatalf("header %v", rows[0])
	}
	for k, v := range map[string]string{"rated": "2", "satisfaction_rate": "0.500", "cases_accepted": "1", "cases_mail": "1", "cases_pickup": "0", "on_time_rate": "0.000"} {
		if got := rows[1][col[k]]; got != v {
			t.Errorf("csv total %s = %q, want %q", k, got, v)
		}
	}
}

// svgDoc is what the chart tests read of an SVG.
type svgDoc struct {
	Title string `xml:"title"`
	Desc  string `xml:"desc"`
	Rects []struct {
		Class string `xml:"class,attr"`
		Title string `xml:"title"`
	} `xml:"rect"`
	Texts []string `xml:"text"`
}

func TestStatsCharts(t *testing.T) {
	e, _ := newSlipEnv(t)
	seedRated(t, e)
	zones := len(e.hall.Config().Zones)
	tests := []struct {
		kind  string
		bars  int
		title string
		desc  []string
	}{
		{"hourly", 10, "每小时取号量", []string{"10时：2 张", "9时：0 张", "17时：0 张"}},
		{"waits", 2 * (zones + 1), "各区等候时间", []string{"商事登记区：平均等候 0.0 分钟，90% 等候不超过 0.0 分钟"}},
		{"satisfaction", zones + 1, "满意率", []string{"商事登记区：50%（2 条）", "医保人社区：—", "合计：50%（2 条）"}},
		{"ontime", zones + 1, "按时办结率", []string{"商事登记区：—", "合计：—"}},
	}
	for _, tt := range tests {
		r := e.do("GET", "/api/v1/stats/chart.svg?kind="+tt.kind+"&date=2026-11-27", tokAdmin, "")
		if r.status != 200 {
			t.Fatalf("%s: %d %s", tt.kind, r.status, r.raw)
		}
		var d svgDoc
		if err := xml.Unmarshal([]byte(r.raw), &d); err != nil {
			t.Fatalf("%s: not XML: %v", tt.kind, err)
		}
		bars := 0
		for _, rc := range d.Rects {
			if strings.HasPrefix(rc.Class, "bar") {
				bars++
			}
		}
		if bars != tt.bars {
			t.Errorf("%s: %d bars, want %d", tt.kind, bars, tt.bars)
		}
		if !strings.HasPrefix(d.Title, tt.title) || !strings.HasSuffix(d.Title, "（2026-11-27）") {
			t.Errorf("%s: title %q", tt.kind, d.Title)
		}
		for _, w := range tt.desc {
			if !strings.Contains(d.Desc, w) {
				t.Errorf("%s: description lacks %q: %s", tt.kind, w, d.Desc)
			}
		}
	}
	e.want(e.do("GET", "/api/v1/stats/chart.svg?kind=pie", tokAdmin, ""), 400)
	e.want(e.do("GET", "/api/v1/stats/chart.svg?kind=hourly&date=27-11", tokAdmin, ""), 400)
	r := e.want(e.do("GET", "/api/v1/stats/chart.svg?kind=hourly&from=2026-11-20&to=2026-11-27", tokAdmin, ""), 200)
	if !strings.Contains(r.raw, "2026-11-20 至 2026-11-27") {
		t.Error("a range's chart does not say its range")
	}
}

func TestNiceCeil(t *testing.T) {
	for _, tt := range []struct{ x, want float64 }{{0, 1}, {0.4, 1}, {1, 1}, {1.5, 2}, {3, 5}, {7, 10}, {10, 10}, {11, 20}, {240, 500}} {
		if got := niceCeil(tt.x); got != tt.want {
			t.Errorf("niceCeil(%v) = %v, want %v", tt.x, got, tt.want)
		}
	}
}

func TestLabelLines(t *testing.T) {
	for _, tt := range []struct {
		label string
		want  string
	}{{"合计", "合计"}, {"8时", "8时"}, {"公安专区", "公安专区"}, {"商事登记区", "商事登|记区"}, {"不动产登记区", "不动产|登记区"}} {
		if got := strings.Join(labelLines(tt.label), "|"); got != tt.want {
			t.Errorf("labelLines(%q) = %q, want %q", tt.label, got, tt.want)
		}
	}
}
