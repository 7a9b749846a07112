// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"time"
)

// Store is what the hall needs of persistence. kiosk/store implements it on
// SQLite; every Commit is one durable transaction.
type Store interface {
	// Load returns what the hall keeps in memory: every ticket still active
	// and every ticket of the days on or after since; counters of those days;
	// idempotency keys of those days; the last event seq.
	Load(ctx context.Context, since string) (*Snapshot, error)
	// Commit writes a batch of changes in one transaction, durably, in order.
	Commit(ctx context.Context, batch []*Change) error
	// Tickets returns the tickets issued on a hall day.
	Tickets(ctx context.Context, day string) ([]*Ticket, error)
	// Ticket returns one ticket by id, ok false when there is none.
	Ticket(ctx context.Context, id string) (*Ticket, bool, error)
	// Ratings returns the ratings given on a hall day.
	Ratings(ctx context.Context, day string) ([]Rating, error)
	// Cases returns the cases matching q, package cases before their parts.
	Cases(ctx context.Context, q CaseQuery) ([]Case, error)
	// EventsSince returns up to limit events with seq > since, in order.
	EventsSince(ctx context.Context, since int64, limit int) ([]Event, error)
	// Audit returns audit entries matching q, oldest first.
	Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
	// Appointments returns the appointments matching q.
	Appointments(ctx context.Context, q AppointmentQuery) ([]Appointment, error)
	// PurgePersonal deletes the applicant data of tickets that ended before
	// t and whose cases are closed, and of appointments dated before t,
	// with one audit entry; it returns how many records it cleared.
	PurgePersonal(ctx context.Context, before time.Time) (int, error)
	// PutMaterial stores a material's document durably (sealed at rest).
	PutMaterial(ctx context.Context, m Material, doc []byte) error
	// Material returns a material and its document; ok false when there is none.
	Material(ctx context.Context, id string) (m Material, doc []byte, ok bool, err error)
	// PurgeMaterials deletes the materials made before t that no ticket
	// still in the queue and no open case needs, with an audit entry each,
	// and returns their ids.
	PurgeMaterials(ctx context.Context, before time.Time) ([]string, error)
}

// Snapshot is the state the hall rebuilds its memory from.
type Snapshot struct {
	Tickets     []*Ticket
	Counters    []Counter // ticket numbers per day and zone
	CaseSeqs    []Counter // case numbers per day and key
	Idempotency []IdemKey
	Leases      []Lease // blocks of the days loaded
	LastSeq     int64
}

// Counter is the last sequence number handed out for a day and key.
type Counter struct {
	Day string
	Key string
	Seq int
}

// IdemKey binds a terminal's Idempotency-Key to the ticket it made.
type IdemKey struct {
	Terminal string
	Key      string
	TicketID string
	Day      string
}

// Change is everything one request changes; it is committed whole or not at all.
type Change struct {
	Tickets      []*Ticket // inserted or replaced whole
	Counters     []Counter
	CaseSeqs     []Counter
	Idempotency  []IdemKey
	Cases        []Case        // inserted, or replaced whole by number
	Appointments []Appointment // inserted, or replaced whole by code
	// MaterialLinks tie materials to the ticket whose submission lists
	// them, so retention keeps them while its cases are open.
	MaterialLinks []MaterialLink
	Ratings       []Rating
	Leases        []Lease // inserted, or replaced whole by day, zone and first number
	Audit         []AuditEntry
	Events        []Event
}

// CaseQuery selects cases; empty fields match everything.
type CaseQuery struct {
	TicketID   string
	TicketIDs  []string // any of these tickets' cases (at most 500)
	Number     string
	Parent     string
	Department string
	Agent      string // the agent (代办员) handling it, a staff id
	Window     int    // accepted (or not) at this window
	State      string // in this state
	Open       bool   // not yet closed
	Limit      int
}

// empty reports whether the change writes nothing.
func (ch *Change) empty() bool {
	return len(ch.Tickets)+len(ch.Counters)+len(ch.CaseSeqs)+len(ch.Idempotency)+len(ch.Cases)+
		len(ch.Appointments)+len(ch.MaterialLinks)+len(ch.Ratings)+len(ch.Audit)+len(ch.Events)+len(ch.Leases) == 0
}

// MaterialLink ties a material to a ticket.
type MaterialLink struct {
	MaterialID string
	TicketID   string
}

// AuditQuery selects audit entries.
type AuditQuery struct {
	From, To time.Time // zero: open
	TicketID string
	Actor    string
	Limit    int
}
