// SPDX-License-Identifier: AGPL-3.0-or-later

// Package devices holds the small contracts and value types shared by the
// hall's device drivers and the domain: what a card reader read, what a
// printer prints, what a scanner scanned, and how a device reports its health.
//
// Drivers live in sub-packages (idcard, escpos, scanner, display, hid) and
// never import the domain (kiosk) or the UI (ui); cmd/kioskd picks the
// concrete drivers and wires them.
package devices

import "time"

// State is a device's health as reported in device.status events.
type State string

// Device states (DESIGN.md, WebSocket: device.status).
const (
	StateOK       State = "ok"
	StateOffline  State = "offline"
	StatePaperOut State = "paper_out"
	StateError    State = "error"
)

// Status is one report of a device's health.
type Status struct {
	Device string    `json:"device"` // "idcard", "printer", "scanner", ...
	State  State     `json:"state"`
	Detail string    `json:"detail,omitempty"` // words a technician can act on
	At     time.Time `json:"at"`
}

// CardType says which layout a card's text block used (GA 467 byte 248).
type CardType string

// Card layouts.
const (
	CardResident        CardType = "resident"         // 居民身份证
	CardForeign         CardType = "foreign"          // 外国人永久居留身份证 (2017, 'I')
	CardForeign2023     CardType = "foreign_2023"     // 外国人永久居留身份证 (2023, 'Y')
	CardResidencePermit CardType = "residence_permit" // 港澳台居民居住证 ('J')
)

// Card is what an ID card reader read from one card. It is personal
// information: never log it whole (see Masked forms in the kiosk package).
type Card struct {
	Type        CardType `json:"card_type"`
	Name        string   `json:"name"`              // Chinese name (foreign cards: the Chinese name if any)
	NameEN      string   `json:"name_en,omitempty"` // foreign cards: the English name
	Gender      string   `json:"gender"`            // 男, 女, 未知, 未说明
	Nation      string   `json:"nation,omitempty"`  // resident cards: 汉, 回, ... (GB 3304 names)
	Nationality string   `json:"nationality,omitempty"`
	Birth       string   `json:"birth"` // YYYY-MM-DD
	Address     string   `json:"address,omitempty"`
	IDNumber    string   `json:"id_number"`
	Authority   string   `json:"authority"`
	ValidFrom   string   `json:"valid_from"`            // YYYY-MM-DD
	ValidUntil  string   `json:"valid_until"`           // YYYY-MM-DD, or 长期
	PassNumber  string   `json:"pass_number,omitempty"` // residence permits: 通行证号码
	IssueCount  string   `json:"issue_count,omitempty"` // residence permits: 签发次数
	Photo       []byte   `json:"-"`                     // the WLT-compressed photo, 1024 bytes; decoding needs the vendor library
	Fingerprint []byte   `json:"-"`
}

// Ticket is what a ticket printer prints: no full name, no ID number.
type Ticket struct {
	Hall         string    // the hall's name
	Zone         string    // zone id / prefix, e.g. "A"
	ZoneName     string    // 商事登记区
	Number       string    // A012
	Matter       string    // the matter's name, if the ticket is for one
	WaitingAhead int       // people waiting ahead
	IssuedAt     time.Time // in the hall's timezone
	StatusURL    string    // the public status link, printed as a QR code
	Priority     bool
	Notices      []string // notice lines from config
	// Offline: issued by a terminal node from its block of numbers while
	// the hall node could not be reached; how many wait ahead is unknown.
	Offline bool
}

// Page is one scanned or uploaded page image.
type Page struct {
	Data   []byte // encoded image
	Format string // "png", "jpeg", "pnm", "tiff"
}
