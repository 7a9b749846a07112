// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

// Stable error codes a domain error may carry (Error.Code). Pages translate
// them with GET /api/v1/messages; ui/messages.go holds every code's words
// in Chinese and English. A code is never renamed once released.
const (
	CodeIDNumberInvalid    = "id_number_invalid"   // {type}: the document's rule it breaks
	CodePassportInvalid    = "passport_invalid"    // 5 to 17 letters and digits
	CodeIDTypeMismatch     = "id_type_mismatch"    // the number is of another document than id_type says
	CodeIDNumberMismatch   = "id_number_mismatch"  // the ticket's id_number is not the applicant's
	CodeIDTypeInvalid      = "id_type_invalid"     // {id_type}
	CodeMatterRequired     = "matter_required"     // {number}: a zone ticket accepted without a matter
	CodeMatterUnknown      = "matter_unknown"      // {matter}
	CodeZoneRequired       = "zone_required"       // give a zone, a matter or a package
	CodeZoneUnknown        = "zone_unknown"        // {zone}
	CodeReasonRequired     = "reason_required"     // a rejection (不予受理) or out-of-order call without a reason
	CodeCorrectionRequired = "correction_required" // 补正 with no material marked to correct
	CodeResultInvalid      = "result_invalid"      // {result}
	CodeAlreadyRated       = "already_rated"       // {number}
	CodeNotDone            = "not_done"            // {number}: only a finished service is rated
	CodeRatingClosed       = "rating_closed"       // {number}: the rating's time is over
	CodeRatingForbidden    = "rating_forbidden"    // only the citizen's own paths rate
	CodeLevelInvalid       = "level_invalid"       // 1 to 5
	CodeNothingReady       = "nothing_ready"       // no ready case to collect
	CodePickupInvalid      = "pickup_invalid"      // give one of case, id_number, code
	CodeCaseUnknown        = "case_unknown"        // {number}
	CodeCaseState          = "case_state"          // {number} {state} {action}
	CodeCaseNotYours       = "case_not_yours"      // {number} {department}
	CodeCaseMail           = "case_is_mail"        // {number}: to be mailed, not handed out
	CodeCasePickup         = "case_is_pickup"      // {number}: to be handed out, not mailed
	CodeWaybillRequired    = "waybill_required"    //
	CodeVerifiedInvalid    = "verified_invalid"    // hand-out needs verified card or receipt
	CodeNotServingPickup   = "not_serving_pickup"  // {number}: the window serves no pickup ticket listing it
	CodeDepartmentUnknown  = "department_unknown"  // {department}
	CodeTicketUnknown      = "ticket_unknown"      // {id}
	CodeTicketNotWaiting   = "ticket_not_waiting"  // {number} {status}
	CodeWindowEmpty        = "window_empty"        // {window}: holds no ticket
	CodeDailyCap           = "daily_cap"           // {cap}
	CodeAppointmentUnknown = "appointment_unknown" //
	CodeAppointmentVoid    = "appointment_void"    //
	CodeAppointmentEarly   = "appointment_early"   // {date} {start} {end} {from}
	CodeAppointmentLate    = "appointment_late"    //
	CodeDeliveryNoMail     = "delivery_no_mail"    // {matter} {department}
)
