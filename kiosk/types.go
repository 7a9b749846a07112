// SPDX-License-Identifier: AGPL-3.0-or-later

// Package kiosk is the hall's domain: the catalog, the comprehensive window
// queue, tickets, submissions, cases, ratings, the audit log and statistics.
// It does no HTTP and no device I/O; persistence sits behind Store.
package kiosk

import (
	"encoding/json"
	"time"
)

// Ticket statuses.
const (
	StatusWaiting = "waiting"
	StatusCalled  = "called"
	StatusServing = "serving"
	StatusDone    = "done"
	StatusNoShow  = "no_show"
	StatusExpired = "expired"
	StatusVoid    = "void" // a ticket whose print failed, voided
)

// Finish results.
const (
	ResultAccepted  = "accepted"
	ResultRejected  = "rejected"
	ResultConsulted = "consulted"
	ResultServed    = "served" // implicitly finished when the window called the next ticket
	// ResultCorrection: materials are to be corrected (补正) before the
	// matter can be accepted; a one-time notice (一次性告知书) lists them.
	ResultCorrection = "correction"
)

// Ticket is one queue ticket.
type Ticket struct {
	ID             string      `json:"id"`
	Day            string      `json:"day"` // the hall day it was issued on, YYYY-MM-DD
	Zone           string      `json:"zone"`
	Seq            int         `json:"seq"`
	Number         string      `json:"number"`
	Priority       bool        `json:"priority"`
	PriorityReason string      `json:"priority_reason,omitempty"`
	Matter         string      `json:"matter,omitempty"`
	Package        string      `json:"package,omitempty"`
	Status         string      `json:"status"`
	Window         int         `json:"window,omitempty"`        // the window that called it
	PinnedWindow   int         `json:"pinned_window,omitempty"` // transferred to one window
	Transferred    bool        `json:"transferred,omitempty"`
	Recalls        int         `json:"recalls"`
	IssuedAt       time.Time   `json:"issued_at"`
	CalledAt       time.Time   `json:"called_at,omitzero"`
	ServingAt      time.Time   `json:"serving_at,omitzero"`
	FinishedAt     time.Time   `json:"finished_at,omitzero"`
	Result         string      `json:"result,omitempty"`
	Terminal       string      `json:"terminal"`        // the terminal that issued it
	Staff          string      `json:"staff,omitempty"` // who served it
	IDHash         string      `json:"-"`               // keyed hash of the applicant's ID number
	StatusKey      string      `json:"-"`               // the secret in the public status link
	Submission     *Submission `json:"submission,omitempty"`
	// SubmissionOnDisk: the ticket has a submission that was not read into
	// memory (an ended ticket's, at start); Hall.Ticket reads it.
	SubmissionOnDisk bool   `json:"-"`
	Rated            bool   `json:"rated,omitempty"`
	Appointment      string `json:"appointment,omitempty"` // the appointment checked in, called ahead of walk-ins
	Offline          bool   `json:"offline,omitempty"`     // issued by a terminal node from its block while the hall node was away
	// PlacedAt, when set, is the ticket's place in the queue where it is
	// not its issue time: an offline ticket dated before the hall last knew
	// its terminal online is placed after that moment (see Hall.checkClaim).
	PlacedAt time.Time `json:"placed_at,omitzero"`
	// Superseded: voided because the terminal handed in an offline ticket
	// under the same Idempotency-Key (its answer never reached the terminal).
	Superseded bool `json:"superseded,omitempty"`
	// IdemHash is the keyed hash of the request that made the ticket under
	// an Idempotency-Key: the same key with another request is refused.
	IdemHash string `json:"idem_hash,omitempty"`
	// Agent, when set, is the agent (代办员) handling the ticket on the
	// citizen's behalf (the citizen: IDHash), with the consent recorded.
	Agent *Agency `json:"agent,omitempty"`
	// Checklist is the window's verdict on each required material (by its
	// name in the catalog): accepted, or correction (补正) with a note.
	Checklist map[string]Mark `json:"checklist,omitempty"`
	// Purpose is PurposePickup for a ticket that collects results (出件):
	// Cases lists the ready cases it collects.
	Purpose string   `json:"purpose,omitempty"`
	Cases   []string `json:"cases,omitempty"`
}

// Mark is the window's verdict on one required material.
type Mark struct {
	State string `json:"state"` // accepted | correction
	Note  string `json:"note,omitempty"`
}

// place is where the ticket stands in the queue: its issue time, or the
// place the hall gave it (PlacedAt).
func (t *Ticket) place() time.Time {
	if !t.PlacedAt.IsZero() {
		return t.PlacedAt
	}
	return t.IssuedAt
}

// Active reports whether the ticket still holds a place in the queue or a window.
func (t *Ticket) Active() bool {
	return t.Status == StatusWaiting || t.Status == StatusCalled || t.Status == StatusServing
}

// Submission is what a citizen hands in with a ticket (一窗受理).
type Submission struct {
	Applicant Applicant `json:"applicant"`
	Matter    string    `json:"matter,omitempty"`
	Materials []string  `json:"materials,omitempty"`
	Delivery  Delivery  `json:"delivery"`
}

// Applicant is the person a submission is for.
type Applicant struct {
	IDNumber string `json:"id_number"`
	// IDType names the document (IDResident, IDForeign, IDResidencePermit,
	// IDPassport); empty: the number's form says it (a passport must say).
	IDType string `json:"id_type,omitempty"`
	Name   string `json:"name"`
	Phone  string `json:"phone,omitempty"`
}

// Delivery is how the result reaches the applicant.
type Delivery struct {
	Mode      string `json:"mode"` // pickup | mail
	Recipient string `json:"recipient,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Address   string `json:"address,omitempty"`
	Postcode  string `json:"postcode,omitempty"`
	Remarks   string `json:"remarks,omitempty"`
}

// Case states: accepted → routed (按责转办) → approved or rejected → ready →
// handed_out (at the window) or mailed → closed.
const (
	CaseAccepted  = "accepted"
	CaseRouted    = "routed"
	CaseApproved  = "approved"
	CaseRejected  = "rejected"
	CaseReady     = "ready"
	CaseHandedOut = "handed_out"
	CaseMailed    = "mailed"
	CaseClosed    = "closed"
	// CaseCorrection: the window asked for materials to be corrected (补正)
	// before accepting; like a rejection at the window (CaseRejected with
	// AtIntake) it is a record, no back office acts on it.
	CaseCorrection = "correction"
)

// CaseStep is one step of a case's history: routed to a department, and by whom.
type CaseStep struct {
	At         time.Time `json:"at"`
	Action     string    `json:"action"`
	Department string    `json:"department,omitempty"`
	Terminal   string    `json:"terminal,omitempty"`
	Staff      string    `json:"staff,omitempty"`
	Note       string    `json:"note,omitempty"`
}

// Case is an accepted submission (办件).
type Case struct {
	Number     string    `json:"number"`
	TicketID   string    `json:"ticket_id"`
	Matter     string    `json:"matter"`
	MatterName string    `json:"matter_name"`
	Department string    `json:"department"`
	AcceptedAt time.Time `json:"accepted_at"`
	Due        string    `json:"due"` // YYYY-MM-DD, promised completion
	State      string    `json:"state"`
	Parent     string    `json:"parent,omitempty"` // the package case for package parts
	Package    string    `json:"package,omitempty"`
	Window     int       `json:"window"`
	Staff      string    `json:"staff,omitempty"`
	Delivery   string    `json:"delivery"`
	Materials  []string  `json:"materials,omitempty"` // material ids handed in, shared by a package's parts
	Waybill    string    `json:"waybill,omitempty"`
	Suspended  string    `json:"suspended,omitempty"`  // the day a suspension (挂起) began
	Outcome    string    `json:"outcome,omitempty"`    // the back office's decision: approved | rejected
	DoneAt     time.Time `json:"done_at,omitzero"`     // closed
	LightSeen  string    `json:"light_seen,omitempty"` // the supervision light last announced (case.light)
	Agent      string    `json:"agent,omitempty"`      // the agent (代办员) handling it for the citizen: a staff id
	// AtIntake: the window did not accept it (不予受理, or 补正 asked): a
	// record of the decision, with its Reason or the Corrections asked.
	AtIntake    bool       `json:"at_intake,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	Corrections []string   `json:"corrections,omitempty"`
	History     []CaseStep `json:"history,omitempty"`
}

// Rating is one 好差评 rating.
type Rating struct {
	TicketID    string    `json:"ticket_id"`
	Number      string    `json:"number"`
	Zone        string    `json:"zone"`
	Matter      string    `json:"matter,omitempty"`
	Window      int       `json:"window"`
	Staff       string    `json:"staff,omitempty"`
	Channel     string    `json:"channel"` // counter | kiosk
	Level       int       `json:"level"`
	Comment     string    `json:"comment,omitempty"`
	At          time.Time `json:"at"`
	Day         string    `json:"day"`
	FollowUp    bool      `json:"follow_up"` // 差评: verified, rectified and answered
	FollowUpDue string    `json:"follow_up_due,omitempty"`
}

// RatingName returns a rating level's words (5 非常满意 … 1 非常不满意).
func RatingName(level int) string {
	switch level {
	case 5:
		return "非常满意"
	case 4:
		return "满意"
	case 3:
		return "基本满意"
	case 2:
		return "不满意"
	case 1:
		return "非常不满意"
	}
	return ""
}

// Event is one message of the hall's event stream.
type Event struct {
	Seq  int64           `json:"seq"`
	Type string          `json:"type"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
	// Terminal, when set, limits the event to that terminal (and admins).
	Terminal string `json:"-"`
	// Private is added to Data for Terminal alone, live only, never stored.
	Private map[string]any `json:"-"`
}

// AuditEntry records one state change: who, what, when.
type AuditEntry struct {
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"` // terminal id
	Role     string    `json:"role"`
	Staff    string    `json:"staff,omitempty"`
	Action   string    `json:"action"`
	TicketID string    `json:"ticket_id,omitempty"`
	Number   string    `json:"number,omitempty"`
	Detail   string    `json:"detail,omitempty"`
	// Agent and Citizen, on an agent-handled ticket's entries: the agent's
	// staff id and the citizen's keyed ID hash (never the ID number).
	Agent   string `json:"agent,omitempty"`
	Citizen string `json:"citizen,omitempty"`
}

// Actor is who asks for a change.
type Actor struct {
	Terminal string
	Role     string
	Window   int
	Staff    string
}
