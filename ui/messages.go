// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"net/http"
	"strings"

	"yichuang/kiosk"
)

// Error codes of the HTTP layer (the domain's are in kiosk/codes.go).
const (
	CodeBadRequest        = "bad_request"
	CodeUnauthorized      = "unauthorized"
	CodeForbidden         = "forbidden"
	CodeNotFound          = "not_found"
	CodeMethodNotAllowed  = "method_not_allowed"
	CodeConflict          = "conflict"
	CodeTooLarge          = "too_large"
	CodeUnsupportedMedia  = "unsupported_media"
	CodeUnprocessable     = "unprocessable"
	CodeTooManyRequests   = "too_many_requests"
	CodeInternal          = "internal"
	CodeUnavailable       = "unavailable"
	CodeTokenRequired     = "token_required"
	CodeRoleForbidden     = "role_forbidden" // {role}
	CodeStaffSessionEnded = "staff_session_ended"
	CodeStaffSignIn       = "staff_sign_in_required"
	CodeFieldType         = "field_type"     // {field}
	CodeMalformedJSON     = "malformed_json" //
	CodeUnknownField      = "unknown_field"  // {field}
	CodeBodyRequired      = "body_required"
	CodeBodyTooLarge      = "body_too_large"
	CodeNoEndpoint        = "no_endpoint"
	CodeWindowUnknown     = "window_unknown"   // {window}
	CodeWindowNotYours    = "window_not_yours" // {window}
	CodeNoPrinter         = "no_printer"
	CodePrintFailed       = "print_failed"
	CodeTicketPrintFailed = "ticket_print_failed"
	CodeSimCardUnknown    = "sim_card_unknown" // {kind}
	CodeSlipUnknown       = "slip_unknown"     // {doc}
	CodeWindowRequired    = "window_required"
)

// message is one code's words: Chinese and English, with {placeholders}
// filled from the error answer's params.
type message struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// messages is the one registry of error codes: GET /api/v1/messages serves
// it, and every error answer's code is one of its keys.
func messages() map[string]message {
	return map[string]message{
		CodeBadRequest:        {"请求有误，请检查后重试", "The request is not valid; check it and try again"},
		CodeUnauthorized:      {"需要有效的终端令牌", "A valid terminal token is needed"},
		CodeForbidden:         {"本终端无权进行此操作", "This terminal may not do this"},
		CodeNotFound:          {"未找到", "Not found"},
		CodeMethodNotAllowed:  {"不支持此操作", "This method is not allowed here"},
		CodeConflict:          {"当前状态不允许此操作", "The current state does not allow this"},
		CodeTooLarge:          {"内容过大", "The content is too large"},
		CodeUnsupportedMedia:  {"不支持的文件类型，请使用 PDF、JPEG 或 PNG", "This file type is not taken: use PDF, JPEG or PNG"},
		CodeUnprocessable:     {"文件已损坏或无法读取", "The file is broken or cannot be read"},
		CodeTooManyRequests:   {"请求过于频繁，请稍后再试", "Too many requests; please wait a moment"},
		CodeInternal:          {"系统内部错误，未做任何更改", "Internal error; nothing was changed"},
		CodeUnavailable:       {"设备或服务暂不可用，请稍后再试或到导办台求助", "A device or service is not available now; try again later or ask at the guide desk"},
		CodeTokenRequired:     {"需要有效的终端令牌", "A valid terminal token is needed"},
		CodeRoleForbidden:     {"{role} 终端无权进行此操作", "A {role} terminal may not do this"},
		CodeStaffSessionEnded: {"请重新登录", "The staff session ended: sign in again"},
		CodeStaffSignIn:       {"请先登录工号", "A member of staff must sign in on this terminal"},
		CodeFieldType:         {"{field} 的类型不对", "{field} has the wrong type"},
		CodeMalformedJSON:     {"请求内容格式错误", "The request body is not valid JSON"},
		CodeUnknownField:      {"未知字段 {field}", "Unknown field {field}"},
		CodeBodyRequired:      {"缺少请求内容", "A JSON body is needed"},
		CodeBodyTooLarge:      {"请求内容过大", "The request body is too large"},
		CodeNoEndpoint:        {"没有这个接口", "No such endpoint"},
		CodeWindowUnknown:     {"没有 {window} 号窗口", "There is no window {window}"},
		CodeWindowNotYours:    {"本终端是 {window} 号窗口", "This terminal is window {window}"},
		CodeNoPrinter:         {"本终端没有打印机", "This terminal has no printer"},
		CodePrintFailed:       {"打印失败，请检查打印机", "Printing failed; check the printer"},
		CodeTicketPrintFailed: {"取号凭条打印失败，请到导办台取号", "The ticket could not be printed; please go to the guide desk"},
		CodeSimCardUnknown:    {"没有这种模拟证件：{kind}", "No simulated card of kind {kind}"},
		CodeSlipUnknown:       {"没有这种单据：{doc}", "No such slip: {doc}"},
		CodeWindowRequired:    {"请给出窗口号", "Give a window number"},

		kiosk.CodeIDNumberInvalid:    {"证件号码有误，请核对", "The ID number is not valid; check it"},
		kiosk.CodePassportInvalid:    {"护照号码应为 5 到 17 位字母或数字", "A passport number is 5 to 17 letters and digits"},
		kiosk.CodeIDTypeMismatch:     {"证件号码与证件类型不符", "The number does not match the kind of document"},
		kiosk.CodeIDNumberMismatch:   {"取号证件号码与申请人不一致", "The ID number differs from the applicant's"},
		kiosk.CodeIDTypeInvalid:      {"不支持的证件类型：{id_type}", "Unknown ID document type: {id_type}"},
		kiosk.CodeMatterRequired:     {"{number} 号是按区取的号，请选择受理的事项", "Ticket {number} is for a zone: choose the matter accepted"},
		kiosk.CodeMatterUnknown:      {"没有这个事项：{matter}", "No such matter: {matter}"},
		kiosk.CodeZoneRequired:       {"请选择办事区、事项或一件事", "Choose a zone, a matter or a package"},
		kiosk.CodeZoneUnknown:        {"没有这个办事区：{zone}", "No such zone: {zone}"},
		kiosk.CodeReasonRequired:     {"请填写理由", "A reason is needed"},
		kiosk.CodeCorrectionRequired: {"请至少标记一项需补正的材料", "Mark at least one material to be corrected"},
		kiosk.CodeResultInvalid:      {"办理结果无效：{result}", "Not a valid result: {result}"},
		kiosk.CodeAlreadyRated:       {"{number} 号已经评价过了，每次服务只评价一次", "Ticket {number} has been rated already: one rating per service"},
		kiosk.CodeNotDone:            {"{number} 号尚未办结，办结后才能评价", "Ticket {number} is not finished yet: rate after the service"},
		kiosk.CodeRatingClosed:       {"{number} 号的评价时间已过", "The time to rate ticket {number} is over"},
		kiosk.CodeRatingForbidden:    {"评价只能由办事群众本人进行", "Only the citizen served may rate the service"},
		kiosk.CodeLevelInvalid:       {"请选择 1 到 5 级评价", "Choose a rating from 1 to 5"},
		kiosk.CodeNothingReady:       {"暂无可领取的办理结果", "Nothing is ready to collect yet"},
		kiosk.CodePickupInvalid:      {"请刷身份证、扫回执二维码或输入办件编号", "Place the ID card, scan the receipt's QR code or give the case number"},
		kiosk.CodeCaseUnknown:        {"没有找到办件 {number}", "No case {number}"},
		kiosk.CodeCaseState:          {"办件 {number} 当前状态为 {state}，不能执行此操作", "Case {number} is {state}: this step cannot be taken"},
		kiosk.CodeCaseNotYours:       {"办件 {number} 属于 {department}", "Case {number} belongs to {department}"},
		kiosk.CodeCaseMail:           {"办件 {number} 为邮寄送达", "Case {number} is to be mailed"},
		kiosk.CodeCasePickup:         {"办件 {number} 为窗口领取", "Case {number} is collected at the window"},
		kiosk.CodeWaybillRequired:    {"请填写邮件运单号", "A waybill number is needed"},
		kiosk.CodeVerifiedInvalid:    {"请先核验身份：刷身份证或查验回执", "Verify identity first: the ID card or the receipt"},
		kiosk.CodeNotServingPickup:   {"本窗口当前叫号不是领取办件 {number} 的号", "This window is not serving a pickup ticket for case {number}"},
		kiosk.CodeDepartmentUnknown:  {"本中心没有这个部门：{department}", "No such department in this hall: {department}"},
		kiosk.CodeTicketUnknown:      {"没有找到这张号", "No such ticket"},
		kiosk.CodeTicketNotWaiting:   {"{number} 号当前不在等候", "Ticket {number} is not waiting"},
		kiosk.CodeWindowEmpty:        {"{window} 号窗口当前没有在办的号", "Window {window} holds no ticket"},
		kiosk.CodeDailyCap:           {"今日取号已达 {cap} 次上限，请到导办台咨询", "Today's limit of {cap} tickets is reached; please ask at the guide desk"},
		kiosk.CodeAppointmentUnknown: {"没有找到预约", "No appointment found"},
		kiosk.CodeAppointmentVoid:    {"该预约已失效，请取普通号", "The appointment is void; please take an ordinary ticket"},
		kiosk.CodeAppointmentEarly:   {"预约时间为 {date} {start}–{end}，请在 {from} 后签到", "The appointment is {date} {start}–{end}: check in after {from}"},
		kiosk.CodeAppointmentLate:    {"预约已过时，请取普通号", "The appointment's time has passed; please take an ordinary ticket"},
		kiosk.CodeDeliveryNoMail:     {"{matter}（{department}）的结果不提供免费邮寄，请选择窗口领取", "The result of {matter} ({department}) is not mailed free: choose pickup at the window"},
	}
}

// statusCode is the code of an error answer that names none: its status's.
func statusCode(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return CodeUnauthorized
	case http.StatusForbidden:
		return CodeForbidden
	case http.StatusNotFound:
		return CodeNotFound
	case http.StatusMethodNotAllowed:
		return CodeMethodNotAllowed
	case http.StatusConflict:
		return CodeConflict
	case http.StatusRequestEntityTooLarge:
		return CodeTooLarge
	case http.StatusUnsupportedMediaType:
		return CodeUnsupportedMedia
	case http.StatusUnprocessableEntity:
		return CodeUnprocessable
	case http.StatusTooManyRequests:
		return CodeTooManyRequests
	case http.StatusServiceUnavailable:
		return CodeUnavailable
	}
	if status >= 500 {
		return CodeInternal
	}
	return CodeBadRequest
}

// render fills a message's {placeholders} from params.
func render(text string, params map[string]string) string {
	for k, v := range params {
		text = strings.ReplaceAll(text, "{"+k+"}", v)
	}
	return text
}

// messagesHandler serves the registry: GET /api/v1/messages (no token).
func (s *Server) messagesHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"messages": messages()})
}
