// SPDX-License-Identifier: AGPL-3.0-or-later

package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"yichuang/kiosk"
)

// writeAppointment inserts or replaces an appointment; the applicant is
// sealed like a submission.
func (db *DB) writeAppointment(ctx context.Context, tx *stmts, a kiosk.Appointment) error {
	applicant, err := json.Marshal(a.Applicant)
	if err != nil {
		return fmt.Errorf("store: appointment %s: %w", a.Code, err)
	}
	plain := a
	plain.Applicant = kiosk.Applicant{}
	data, err := json.Marshal(plain)
	if err != nil {
		return fmt.Errorf("store: appointment %s: %w", a.Code, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO appointments(code, date, zone, matter, start, id_hash, status, ticket_id, data, sealed)
		VALUES(?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(code) DO UPDATE SET status=excluded.status, ticket_id=excluded.ticket_id, data=excluded.data`,
		a.Code, a.Date, a.Zone, a.Matter, a.Start, a.IDHash, a.Status, nullable(a.TicketID), data,
		db.seal.seal(applicant, []byte("appointment:"+a.Code)))
	if err != nil {
		return fmt.Errorf("store: appointment %s: %w", a.Code, err)
	}
	return nil
}

// Appointments returns the appointments matching q, by date and start.
func (db *DB) Appointments(ctx context.Context, q kiosk.AppointmentQuery) ([]kiosk.Appointment, error) {
	var where []string
	var args []any
	for _, f := range []struct{ col, val string }{
		{"code", q.Code}, {"date", q.Date}, {"zone", q.Zone}, {"matter", q.Matter}, {"id_hash", q.IDHash}, {"status", q.Status},
	} {
		if f.val != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.val)
		}
	}
	query := `SELECT data, id_hash, sealed FROM appointments`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY date, start, code LIMIT 10000"
	// read through the writer: callers check rules against what was just written
	rows, err := db.w.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: appointments: %w", err)
	}
	defer rows.Close()
	var out []kiosk.Appointment
	for rows.Next() {
		var data, sealed []byte
		var a kiosk.Appointment
		if err := rows.Scan(&data, &a.IDHash, &sealed); err != nil {
			return nil, fmt.Errorf("store: appointments: %w", err)
		}
		idHash := a.IDHash
		if err := json.Unmarshal(data, &a); err != nil {
			return nil, fmt.Errorf("store: appointments: %w", err)
		}
		a.IDHash = idHash
		plain, err := db.seal.open(sealed, []byte("appointment:"+a.Code))
		if err != nil {
			return nil, fmt.Errorf("store: appointment %s: %w", a.Code, err)
		}
		if err := json.Unmarshal(plain, &a.Applicant); err != nil {
			return nil, fmt.Errorf("store: appointment %s: %w", a.Code, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: appointments: %w", err)
	}
	return out, nil
}
