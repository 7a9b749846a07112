// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/devices/a4"
	"yichuang/kiosk"
)

// SlipPrinter is a printer that also prints case slips (受理回执, 结果通知):
// a window's receipt printer. A Printer without it prints tickets only.
type SlipPrinter interface {
	PrintCaseSlip(ctx context.Context, s devices.CaseSlip) error
}

// slipReaders may have a case's slip as PDF: admins, windows, back offices
// (their own department's cases).
var slipReaders = roles(config.RoleAdmin, config.RoleWindow, config.RoleDepartment)

// progressURL is the public link of a case's progress page: state and due
// date only, behind a key only the hall can make.
func (s *Server) progressURL(number string) string {
	return s.cfg.PublicURL + "/c/" + url.PathEscape(number) + "?token=" + s.hall.CaseKey(number)
}

// slipKind maps the path's word to a slip kind.
func slipKind(doc string) (string, bool) {
	switch doc {
	case "receipt":
		return devices.SlipReceipt, true
	case "notice":
		return devices.SlipNotice, true
	case "rejection":
		return devices.SlipRejection, true
	case "correction":
		return devices.SlipCorrection, true
	case "label":
		return devices.SlipLabel, true
	}
	return "", false
}

// slipCase finds the case a slip request names and checks the caller may
// have its slip: admins and windows any case, a back office its own
// department's; a result notice only once the result is ready.
func (s *Server) slipCase(ctx context.Context, c caller, number, kind string) (kiosk.Case, []kiosk.Case, error) {
	cs, err := s.hall.Cases(ctx, kiosk.CaseQuery{Number: number})
	if err != nil {
		return kiosk.Case{}, nil, err
	}
	if len(cs) == 0 {
		return kiosk.Case{}, nil, &kiosk.Error{Kind: kiosk.KindNotFound, Msg: "no case " + number}
	}
	k := cs[0]
	if c.Role == config.RoleDepartment && k.Department != c.Department {
		return kiosk.Case{}, nil, &kiosk.Error{Kind: kiosk.KindForbidden, Msg: "case " + k.Number + " belongs to " + k.Department}
	}
	var parts []kiosk.Case
	if k.Package != "" && k.Parent == "" {
		if parts, err = s.hall.Cases(ctx, kiosk.CaseQuery{Parent: k.Number}); err != nil {
			return kiosk.Case{}, nil, err
		}
	}
	if kind == devices.SlipLabel {
		// the address in full: the window that mails it, or an admin
		if c.Role == config.RoleDepartment {
			return kiosk.Case{}, nil, &kiosk.Error{Kind: kiosk.KindForbidden, Msg: "a back office prints no mail labels"}
		}
		if k.Delivery != "mail" || k.Waybill == "" {
			return kiosk.Case{}, nil, &kiosk.Error{Kind: kiosk.KindConflict, Code: kiosk.CodeCaseState,
				Params: map[string]string{"number": k.Number, "state": k.State, "action": kind},
				Msg:    "办件 " + k.Number + " 尚未登记邮件运单号 (case " + k.Number + " has no waybill: record the mailing first)"}
		}
		return k, nil, nil
	}
	// a window's notice of a matter it did not accept goes with that record
	// only; receipts and result notices with accepted cases only
	switch wantState := map[string]string{devices.SlipRejection: kiosk.CaseRejected, devices.SlipCorrection: kiosk.CaseCorrection}[kind]; {
	case wantState != "" && (!k.AtIntake || k.State != wantState):
		return kiosk.Case{}, nil, &kiosk.Error{Kind: kiosk.KindConflict, Code: kiosk.CodeCaseState,
			Params: map[string]string{"number": k.Number, "state": k.State, "action": kind},
			Msg:    "办件 " + k.Number + " 没有这种告知书 (case " + k.Number + " is " + k.State + ": no " + kind + " notice)"}
	case wantState == "" && k.AtIntake:
		return kiosk.Case{}, nil, &kiosk.Error{Kind: kiosk.KindConflict, Code: kiosk.CodeCaseState,
			Params: map[string]string{"number": k.Number, "state": k.State, "action": kind},
			Msg:    "办件 " + k.Number + " 未予受理 (case " + k.Number + " was not accepted: no " + kind + ")"}
	}
	if kind == devices.SlipNotice {
		for _, p := range append([]kiosk.Case{k}, parts...) {
			if p.Package != "" && p.Parent == "" {
				continue // a package case is done when its parts are
			}
			if !resultReady(p.State) {
				return kiosk.Case{}, nil, &kiosk.Error{Kind: kiosk.KindConflict,
					Msg: "办件 " + p.Number + " 尚未办结，不能出具结果通知 (case " + p.Number + " is " + p.State + ": its result is not ready)"}
			}
		}
	}
	return k, parts, nil
}

func resultReady(state string) bool {
	return slices.Contains([]string{kiosk.CaseReady, kiosk.CaseHandedOut, kiosk.CaseMailed, kiosk.CaseClosed}, state)
}

// caseSlip gathers what a slip says of a case: the materials from the
// window's checklist, masked forms of the applicant, where to collect.
func (s *Server) caseSlip(ctx context.Context, k kiosk.Case, parts []kiosk.Case, kind string) devices.CaseSlip {
	loc := s.cfg.Location
	sl := devices.CaseSlip{
		Kind: kind, Hall: s.cfg.Hall.Name, Number: k.Number, Matter: k.MatterName, Department: k.Department,
		AcceptedAt: k.AcceptedAt.In(loc), Window: k.Window, Due: k.Due, Documents: len(k.Materials),
		Delivery: k.Delivery, Outcome: k.Outcome, Waybill: k.Waybill, ProgressURL: s.progressURL(k.Number),
		PrintedAt: time.Now().In(loc),
	}
	if m, ok := s.hall.Catalog().Matter(k.Matter); ok { // not for a package case: its parts have their own
		sl.PromiseDays = m.PromiseDays
	}
	outcomes := map[string]bool{}
	for _, p := range parts {
		sl.Parts = append(sl.Parts, devices.SlipPart{Number: p.Number, Matter: p.MatterName, Department: p.Department, Due: p.Due})
		outcomes[p.Outcome] = true
		if sl.Waybill == "" {
			sl.Waybill = p.Waybill
		}
	}
	if len(parts) > 0 {
		sl.Outcome = ""
		if len(outcomes) == 1 {
			for o := range outcomes {
				sl.Outcome = o
			}
		}
	}
	if k.AtIntake {
		sl.Reason, sl.Due, sl.PromiseDays = k.Reason, "", 0
	}
	t, _, err := s.hall.Ticket(ctx, k.TicketID)
	if err == nil {
		sl.Materials, sl.Corrections = s.checklist(&t, k)
		if kind == devices.SlipCorrection && len(k.Corrections) > 0 {
			sl.Corrections = k.Corrections // as told when the window decided
		}
		if sub := t.Submission; sub != nil && kind == devices.SlipLabel {
			d := sub.Delivery
			sl.MailTo = &devices.MailTo{Recipient: d.Recipient, Phone: d.Phone, Address: d.Address, Postcode: d.Postcode}
		}
		if sub := t.Submission; sub != nil {
			sl.ApplicantMasked = kiosk.MaskName(sub.Applicant.Name)
			if k.Delivery == "mail" {
				sl.CollectAt = strings.TrimSpace(kiosk.MaskName(sub.Delivery.Recipient) + " " + kiosk.MaskPhone(sub.Delivery.Phone))
			}
		}
	}
	if k.Delivery != "mail" {
		sl.CollectAt = s.collectAt(k.Window)
	}
	sl.Notices = slipNotices(kind, len(sl.Corrections) > 0)
	if kind == devices.SlipLabel {
		sl.Notices, sl.ProgressURL, sl.Materials, sl.Corrections = nil, "", nil, nil
	}
	return sl
}

// checklist splits the window's verdicts into the materials received and
// those to be supplied, in the catalog's order.
func (s *Server) checklist(t *kiosk.Ticket, k kiosk.Case) (received, corrections []string) {
	var order []string
	if p, ok := s.hall.Catalog().Package(k.Package); ok && k.Parent == "" {
		order = p.Materials
	} else if m, ok := s.hall.Catalog().Matter(k.Matter); ok {
		order = m.Materials
	}
	var rest []string
	for name := range t.Checklist {
		if !slices.Contains(order, name) {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range append(slices.Clone(order), rest...) {
		mark, ok := t.Checklist[name]
		switch {
		case !ok:
		case mark.State == "accepted":
			received = append(received, name)
		case mark.Note != "":
			corrections = append(corrections, name+"（注："+mark.Note+"）")
		default:
			corrections = append(corrections, name)
		}
	}
	return received, corrections
}

// collectAt says where a result is collected: the hall, the zone of the
// window that accepted the case and that zone's windows.
func (s *Server) collectAt(window int) string {
	z, ok := s.cfg.ZoneOf(window)
	if !ok {
		return s.cfg.Hall.Name
	}
	nums := make([]string, 0, len(z.Windows))
	for _, w := range z.Windows {
		nums = append(nums, strconv.Itoa(w))
	}
	return strings.TrimSpace(s.cfg.Hall.Name + " " + z.Name + "（" + strings.Join(nums, "、") + "号窗口）")
}

func slipNotices(kind string, corrections bool) []string {
	switch kind {
	case devices.SlipRejection:
		return []string{"如对本决定不服，可在收到本告知书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。"}
	case devices.SlipCorrection:
		return []string{"以上为需补正的全部材料，请一次性补齐后凭本告知书再次办理。"}
	}
	if kind == devices.SlipNotice {
		return []string{"办理结果可委托他人领取，受托人须携带委托书及双方身份证件。"}
	}
	out := []string{"请妥善保管本回执，凭回执及本人身份证件领取办理结果。"}
	if corrections {
		out = append(out, "请在承诺期限内补齐需补正的材料，逾期将影响办理时限。")
	}
	return out
}

// casePDF answers a case's slip as an A4 PDF:
// GET /api/v1/cases/{number}/receipt.pdf and …/notice.pdf.
func (s *Server) casePDF(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, _ := callerOf(r)
		k, parts, err := s.slipCase(r.Context(), c, r.PathValue("number"), kind)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		font, err := a4.LoadFont()
		if err != nil {
			s.log.Error("case slip PDF", "err", err)
			writeError(w, http.StatusServiceUnavailable, "", "PDF 暂不可用：未安装中文字体 (no Chinese font: install fonts-arphic-gbsn00lp)")
			return
		}
		doc, err := a4.CaseSlip(s.caseSlip(r.Context(), k, parts, kind), font)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Disposition", `inline; filename="`+kind+"-"+fileSafe(k.Number)+`.pdf"`)
		_, _ = w.Write(doc)
	}
}

// fileSafe keeps the letters, digits, '-' and '_' of a name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x80 && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') {
			return r
		}
		return -1
	}, s)
}

// printSlip prints a case's slip on the caller's receipt printer:
// POST /api/v1/cases/{number}/receipt/print and …/notice/print.
func (s *Server) printSlip(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	kind, ok := slipKind(r.PathValue("doc"))
	if !ok {
		writeCoded(w, http.StatusNotFound, "", CodeSlipUnknown, map[string]string{"doc": r.PathValue("doc")}, "no slip "+r.PathValue("doc")+": receipt, notice, rejection or correction")
		return
	}
	if !decode(w, r, &struct{}{}, true) {
		return
	}
	p, ok := s.printers[c.ID].(SlipPrinter)
	if !ok {
		writeCoded(w, http.StatusConflict, "", CodeNoPrinter, nil, "本终端没有回执打印机，请打印 PDF (this terminal has no receipt printer: print the PDF)")
		return
	}
	var slip devices.CaseSlip
	if s.up != nil {
		// a terminal node: the case lives on the hall node, the printer here
		if slip, ok = s.fetchSlip(w, r, r.PathValue("number"), r.PathValue("doc")); !ok {
			return
		}
	} else {
		k, parts, err := s.slipCase(r.Context(), c, r.PathValue("number"), kind)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		slip = s.caseSlip(r.Context(), k, parts, kind)
	}
	if err := p.PrintCaseSlip(r.Context(), slip); err != nil {
		s.metrics.printFailures.Inc()
		s.log.Warn("case slip not printed", "terminal", c.ID, "case", slip.Number, "err", err)
		writeError(w, http.StatusServiceUnavailable, "", "打印失败 (printing failed): "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"number": slip.Number, "slip": kind, "printed": true})
}

// slipData answers a case slip's data (masked, as printed), for a terminal
// node's printer: GET /api/v1/cases/{number}/slip/{doc}.
func (s *Server) slipData(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	kind, ok := slipKind(r.PathValue("doc"))
	if !ok {
		writeCoded(w, http.StatusNotFound, "", CodeSlipUnknown, map[string]string{"doc": r.PathValue("doc")}, "no slip "+r.PathValue("doc")+": receipt, notice, rejection or correction")
		return
	}
	k, parts, err := s.slipCase(r.Context(), c, r.PathValue("number"), kind)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.caseSlip(r.Context(), k, parts, kind))
}

// fetchSlip asks the hall node for a case slip's data; on failure it has
// answered with the hall node's words.
func (s *Server) fetchSlip(w http.ResponseWriter, r *http.Request, number, doc string) (devices.CaseSlip, bool) {
	rec := s.askHall(r, "/api/v1/cases/"+url.PathEscape(number)+"/slip/"+url.PathEscape(doc))
	var slip devices.CaseSlip
	if rec.status == http.StatusOK && json.Unmarshal(rec.body.Bytes(), &slip) == nil {
		return slip, true
	}
	rec.passOn(w)
	return devices.CaseSlip{}, false
}

// progress answers a case's public progress page's data: state and due
// date, no personal data; GET /api/v1/progress/{number}?token=KEY.
func (s *Server) progress(w http.ResponseWriter, r *http.Request) {
	if !s.publicLimit.allow(clientAddr(r)) {
		tooMany(w)
		return
	}
	p, err := s.hall.CaseProgress(r.Context(), r.PathValue("number"), r.URL.Query().Get("token"))
	if kiosk.KindOf(err) == kiosk.KindNotFound {
		writeError(w, http.StatusNotFound, "", "no case progress at this link (链接无效)")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// followUps lists the 差评 follow-ups: GET /api/v1/followups[?open=1][&from=&to=].
func (s *Server) followUps(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fs, err := s.hall.FollowUps(r.Context(), kiosk.FollowUpQuery{From: q.Get("from"), To: q.Get("to"), Open: q.Get("open") == "1" || q.Get("open") == "true"})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i := range fs {
		s.localFollowUp(&fs[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"followups": fs})
}

func (s *Server) localFollowUp(f *kiosk.FollowUp) {
	f.At = f.At.In(s.cfg.Location)
	if !f.ClosedAt.IsZero() {
		f.ClosedAt = f.ClosedAt.In(s.cfg.Location)
	}
}

// closeFollowUp closes one: POST /api/v1/followups/{ticket}/close {"note"}.
func (s *Server) closeFollowUp(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	var req struct {
		Note string `json:"note"`
	}
	if !decode(w, r, &req, false) {
		return
	}
	f, err := s.hall.CloseFollowUp(r.Context(), c.actor(), r.PathValue("ticket"), req.Note)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.localFollowUp(&f)
	writeJSON(w, http.StatusOK, map[string]any{"follow_up": f})
}

// departments lists the hall's departments, for routing a case (转办):
// GET /api/v1/departments.
func (s *Server) departments(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"departments": s.hall.Departments()})
}

// windowCase is a case as its window follows it: with the ticket's number
// and the applicant masked.
type windowCase struct {
	caseView
	TicketNumber string           `json:"ticket_number,omitempty"`
	Applicant    *maskedApplicant `json:"applicant,omitempty"`
}

// windowCases lists the cases of a window's tickets, newest first (at most
// 200): GET /api/v1/cases?window=N (window N, admin).
func (s *Server) windowCases(w http.ResponseWriter, r *http.Request, q kiosk.CaseQuery) {
	q.Limit = 10000
	cs, err := s.hall.Cases(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	slices.SortStableFunc(cs, func(a, b kiosk.Case) int { return b.AcceptedAt.Compare(a.AcceptedAt) })
	if len(cs) > 200 {
		cs = cs[:200]
	}
	views := s.caseViews(cs)
	out := make([]windowCase, 0, len(cs))
	tickets := map[string]*kiosk.Ticket{}
	for i, k := range cs {
		wc := windowCase{caseView: views[i]}
		t, ok := tickets[k.TicketID]
		if !ok {
			if tk, _, err := s.hall.Ticket(r.Context(), k.TicketID); err == nil {
				t = &tk
			}
			tickets[k.TicketID] = t
		}
		if t != nil {
			wc.TicketNumber = t.Number
			if sub := t.Submission; sub != nil {
				wc.Applicant = &maskedApplicant{Name: kiosk.MaskName(sub.Applicant.Name), IDNumberMasked: kiosk.MaskID(sub.Applicant.IDNumber)}
			}
		}
		out = append(out, wc)
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": out})
}
