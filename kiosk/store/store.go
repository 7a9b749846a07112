// SPDX-License-Identifier: AGPL-3.0-or-later

// Package store keeps the hall's state in SQLite (modernc.org/sqlite, pure
// Go): WAL with synchronous=FULL, so a transaction is on disk before Commit
// returns, and a power cut at any instant loses nothing that was answered.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"yichuang/kiosk"
)

// DB is the hall's SQLite database. It implements kiosk.Store.
type DB struct {
	w    *sql.DB // the one writer connection
	r    *sql.DB // readers (WAL lets them run beside the writer)
	path string
	seal *sealer
}

var _ kiosk.Store = (*DB)(nil)

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and migrates it.
// A database written by a newer kioskd is refused. key (32 bytes) encrypts
// the personal data of submissions at rest.
func Open(ctx context.Context, path string, key []byte) (*DB, error) {
	seal, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if _, err := w.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db := &DB{w: w, path: path, seal: seal}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	db.r = r
	return db, nil
}

// Close closes the database (checkpointing the WAL).
func (db *DB) Close() error {
	return errors.Join(db.r.Close(), db.w.Close())
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// Commit writes a batch of changes in one transaction.
func (db *DB) Commit(ctx context.Context, batch []*kiosk.Change) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	st := &stmts{tx: tx, m: map[string]*sql.Stmt{}}
	defer st.close()
	for _, ch := range batch {
		if err := db.writeChange(ctx, st, ch); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// stmts prepares each statement once per transaction: a batch of many
// changes runs the same few statements over and over.
type stmts struct {
	tx *sql.Tx
	m  map[string]*sql.Stmt
}

func (s *stmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, ok := s.m[query]
	if !ok {
		var err error
		if st, err = s.tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		s.m[query] = st
	}
	return st.ExecContext(ctx, args...)
}

func (s *stmts) close() {
	for _, st := range s.m {
		st.Close()
	}
}

func (db *DB) writeChange(ctx context.Context, tx *stmts, ch *kiosk.Change) error {
	for _, t := range ch.Tickets {
		// the submission (applicant, phone, address) is sealed; the rest is plain
		plain := *t
		plain.Submission = nil
		data, err := json.Marshal(&plain)
		if err != nil {
			return fmt.Errorf("store: ticket %s: %w", t.ID, err)
		}
		var sealed []byte
		if t.Submission != nil {
			sub, err := json.Marshal(t.Submission)
			if err != nil {
				return fmt.Errorf("store: ticket %s: %w", t.ID, err)
			}
			sealed = db.seal.seal(sub, []byte(t.ID))
		}
		// a ticket whose submission was left on disk keeps it
		q := `INSERT INTO tickets(id, day, zone, number, status, win, issued_at, called_at, finished_at, id_hash, status_key, data, sealed)
			VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT(id) DO UPDATE SET zone=excluded.zone, status=excluded.status, win=excluded.win,
			called_at=excluded.called_at, finished_at=excluded.finished_at, data=excluded.data, sealed=excluded.sealed`
		if t.Submission == nil && t.SubmissionOnDisk {
			q = `INSERT INTO tickets(id, day, zone, number, status, win, issued_at, called_at, finished_at, id_hash, status_key, data, sealed)
			VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT(id) DO UPDATE SET zone=excluded.zone, status=excluded.status, win=excluded.win,
			called_at=excluded.called_at, finished_at=excluded.finished_at, data=excluded.data`
		}
		_, err = tx.ExecContext(ctx, q,
			t.ID, t.Day, t.Zone, t.Number, t.Status, t.Window, ms(t.IssuedAt), ms(t.CalledAt), ms(t.FinishedAt),
			nullable(t.IDHash), t.StatusKey, data, sealed)
		if err != nil {
			return fmt.Errorf("store: ticket %s: %w", t.Number, err)
		}
	}
	for _, c := range ch.Counters {
		if _, err := tx.ExecContext(ctx, `INSERT INTO counters(day, key, seq) VALUES(?,?,?)
			ON CONFLICT(day, key) DO UPDATE SET seq=excluded.seq`, c.Day, c.Key, c.Seq); err != nil {
			return fmt.Errorf("store: counter: %w", err)
		}
	}
	for _, c := range ch.CaseSeqs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_seqs(day, key, seq) VALUES(?,?,?)
			ON CONFLICT(day, key) DO UPDATE SET seq=excluded.seq`, c.Day, c.Key, c.Seq); err != nil {
			return fmt.Errorf("store: case counter: %w", err)
		}
	}
	for _, k := range ch.Idempotency {
		// a terminal's offline claim may take over its own key (kiosk.Hall.issueOffline)
		if _, err := tx.ExecContext(ctx, `INSERT INTO idempotency(terminal, key, ticket_id, day) VALUES(?,?,?,?)
			ON CONFLICT(terminal, key) DO UPDATE SET ticket_id=excluded.ticket_id, day=excluded.day`,
			k.Terminal, k.Key, k.TicketID, k.Day); err != nil {
			return fmt.Errorf("store: idempotency key: %w", err)
		}
	}
	for _, c := range ch.Cases {
		data, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("store: case %s: %w", c.Number, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cases(number, ticket_id, matter, department, due, state, parent, accepted_at, data, agent)
			VALUES(?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT(number) DO UPDATE SET department=excluded.department, due=excluded.due, state=excluded.state, data=excluded.data, agent=excluded.agent`, c.Number, c.TicketID, c.Matter, c.Department, c.Due, c.State, nullable(c.Parent), ms(c.AcceptedAt), data, nullable(c.Agent)); err != nil {
			return fmt.Errorf("store: case %s: %w", c.Number, err)
		}
	}
	for _, l := range ch.MaterialLinks {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO material_links(material_id, ticket_id) VALUES(?,?)`, l.MaterialID, l.TicketID); err != nil {
			return fmt.Errorf("store: material link: %w", err)
		}
	}
	for _, a := range ch.Appointments {
		if err := db.writeAppointment(ctx, tx, a); err != nil {
			return err
		}
	}
	for _, r := range ch.Ratings {
		data, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("store: rating: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ratings(ticket_id, day, level, follow_up, at, data) VALUES(?,?,?,?,?,?)`,
			r.TicketID, r.Day, r.Level, r.FollowUp, ms(r.At), data); err != nil {
			return fmt.Errorf("store: rating: %w", err)
		}
	}
	for _, l := range ch.Leases {
		data, err := json.Marshal(struct {
			kiosk.Lease
			Request string `json:"request,omitempty"`
		}{l, l.Request})
		if err != nil {
			return fmt.Errorf("store: lease: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO leases(day, zone, from_n, to_n, terminal, returned_from, data) VALUES(?,?,?,?,?,?,?)
			ON CONFLICT(day, zone, from_n) DO UPDATE SET returned_from=excluded.returned_from, data=excluded.data`,
			l.Day, l.Zone, l.From, l.To, l.Terminal, l.ReturnedFrom, data); err != nil {
			return fmt.Errorf("store: lease %s %s %d: %w", l.Day, l.Zone, l.From, err)
		}
	}
	for _, a := range ch.Audit {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit(at, actor, role, staff, action, ticket_id, number, detail, agent, citizen) VALUES(?,?,?,?,?,?,?,?,?,?)`,
			ms(a.At), a.Actor, a.Role, a.Staff, a.Action, nullable(a.TicketID), a.Number, a.Detail, a.Agent, a.Citizen); err != nil {
			return fmt.Errorf("store: audit: %w", err)
		}
	}
	for _, e := range ch.Events {
		if _, err := tx.ExecContext(ctx, `INSERT INTO events(seq, type, at, terminal, data) VALUES(?,?,?,?,?)`,
			e.Seq, e.Type, ms(e.At), nullable(e.Terminal), []byte(e.Data)); err != nil {
			return fmt.Errorf("store: event %d: %w", e.Seq, err)
		}
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

const ticketCols = `data, coalesce(id_hash, ''), status_key, sealed`

func (db *DB) scanTickets(rows *sql.Rows) ([]*kiosk.Ticket, error) {
	defer rows.Close()
	var out []*kiosk.Ticket
	for rows.Next() {
		var data, sealed []byte
		t := new(kiosk.Ticket)
		var idHash, key string
		if err := rows.Scan(&data, &idHash, &key, &sealed); err != nil {
			return nil, fmt.Errorf("store: tickets: %w", err)
		}
		if err := json.Unmarshal(data, t); err != nil {
			return nil, fmt.Errorf("store: tickets: %w", err)
		}
		if sealed != nil {
			plain, err := db.seal.open(sealed, []byte(t.ID))
			if err != nil {
				return nil, fmt.Errorf("store: ticket %s: %w", t.Number, err)
			}
			t.Submission = new(kiosk.Submission)
			if err := json.Unmarshal(plain, t.Submission); err != nil {
				return nil, fmt.Errorf("store: ticket %s: submission: %w", t.Number, err)
			}
		}
		t.IDHash, t.StatusKey = idHash, key
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: tickets: %w", err)
	}
	return out, nil
}

// Load returns the state the hall keeps in memory.
func (db *DB) Load(ctx context.Context, since string) (*kiosk.Snapshot, error) {
	s := &kiosk.Snapshot{}
	var err error
	if s.Tickets, err = db.loadTickets(ctx, since); err != nil {
		return nil, err
	}
	for _, q := range []struct {
		table string
		dst   *[]kiosk.Counter
	}{{"counters", &s.Counters}, {"case_seqs", &s.CaseSeqs}} {
		rows, err := db.w.QueryContext(ctx, `SELECT day, key, seq FROM `+q.table+` WHERE day >= ?`, since)
		if err != nil {
			return nil, fmt.Errorf("store: load %s: %w", q.table, err)
		}
		for rows.Next() {
			var c kiosk.Counter
			if err := rows.Scan(&c.Day, &c.Key, &c.Seq); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: load %s: %w", q.table, err)
			}
			*q.dst = append(*q.dst, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: load %s: %w", q.table, err)
		}
	}
	rows, err := db.w.QueryContext(ctx, `SELECT terminal, key, ticket_id, day FROM idempotency WHERE day >= ?`, since)
	if err != nil {
		return nil, fmt.Errorf("store: load idempotency: %w", err)
	}
	for rows.Next() {
		var k kiosk.IdemKey
		if err := rows.Scan(&k.Terminal, &k.Key, &k.TicketID, &k.Day); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: load idempotency: %w", err)
		}
		s.Idempotency = append(s.Idempotency, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: load idempotency: %w", err)
	}
	if s.Leases, err = db.leases(ctx, since); err != nil {
		return nil, err
	}
	if err := db.w.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM events`).Scan(&s.LastSeq); err != nil {
		return nil, fmt.Errorf("store: load seq: %w", err)
	}
	return s, nil
}

// Tickets returns the tickets of a hall day.
func (db *DB) Tickets(ctx context.Context, day string) ([]*kiosk.Ticket, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+ticketCols+` FROM tickets WHERE day = ? ORDER BY issued_at`, day)
	if err != nil {
		return nil, fmt.Errorf("store: tickets: %w", err)
	}
	return db.scanTickets(rows)
}

// Ticket returns one ticket.
func (db *DB) Ticket(ctx context.Context, id string) (*kiosk.Ticket, bool, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+ticketCols+` FROM tickets WHERE id = ?`, id)
	if err != nil {
		return nil, false, fmt.Errorf("store: ticket: %w", err)
	}
	ts, err := db.scanTickets(rows)
	if err != nil || len(ts) == 0 {
		return nil, false, err
	}
	return ts[0], true, nil
}

// Ratings returns the ratings of a hall day.
func (db *DB) Ratings(ctx context.Context, day string) ([]kiosk.Rating, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT data FROM ratings WHERE day = ? ORDER BY at`, day)
	if err != nil {
		return nil, fmt.Errorf("store: ratings: %w", err)
	}
	return scanJSON[kiosk.Rating](rows, "ratings")
}

// Cases returns the cases matching q, package cases before their parts.
func (db *DB) Cases(ctx context.Context, q kiosk.CaseQuery) ([]kiosk.Case, error) {
	var where []string
	var args []any
	for _, f := range []struct {
		col, val string
	}{{"ticket_id", q.TicketID}, {"number", q.Number}, {"parent", q.Parent}, {"department", q.Department}, {"agent", q.Agent}} {
		if f.val != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.val)
		}
	}
	if n := len(q.TicketIDs); n > 0 {
		if n > 500 {
			return nil, fmt.Errorf("store: cases of %d tickets: at most 500 at once", n)
		}
		where = append(where, "ticket_id IN (?"+strings.Repeat(",?", n-1)+")")
		for _, id := range q.TicketIDs {
			args = append(args, id)
		}
	}
	if q.State != "" {
		where = append(where, "state = ?")
		args = append(args, q.State)
	}
	if q.Window > 0 {
		where = append(where, "json_extract(data, '$.window') = ?")
		args = append(args, q.Window)
	}
	if q.Open {
		// a window's rejection or correction notice is a record, not open work
		where = append(where, "state <> 'closed' AND json_extract(data, '$.at_intake') IS NULL")
	}
	query := `SELECT data FROM cases`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	limit := q.Limit
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	query += " ORDER BY parent IS NOT NULL, accepted_at, rowid LIMIT ?"
	args = append(args, limit)
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: cases: %w", err)
	}
	return scanJSON[kiosk.Case](rows, "cases")
}

func scanJSON[T any](rows *sql.Rows, what string) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// EventsSince returns events after seq, oldest first.
func (db *DB) EventsSince(ctx context.Context, since int64, limit int) ([]kiosk.Event, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := db.r.QueryContext(ctx, `SELECT seq, type, at, coalesce(terminal, ''), data FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, since, limit)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	var out []kiosk.Event
	for rows.Next() {
		var e kiosk.Event
		var at int64
		var data []byte
		if err := rows.Scan(&e.Seq, &e.Type, &at, &e.Terminal, &data); err != nil {
			return nil, fmt.Errorf("store: events: %w", err)
		}
		e.At = time.UnixMilli(at)
		e.Data = data
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	return out, nil
}

// Audit returns the audit entries matching q, oldest first.
func (db *DB) Audit(ctx context.Context, q kiosk.AuditQuery) ([]kiosk.AuditEntry, error) {
	var where []string
	var args []any
	if !q.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, q.From.UnixMilli())
	}
	if !q.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, q.To.UnixMilli())
	}
	if q.TicketID != "" {
		where = append(where, "ticket_id = ?")
		args = append(args, q.TicketID)
	}
	if q.Actor != "" {
		where = append(where, "actor = ?")
		args = append(args, q.Actor)
	}
	query := `SELECT id, at, actor, role, staff, action, coalesce(ticket_id, '') AS ticket_id, number, detail, agent, citizen FROM audit`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	limit := q.Limit
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	// the newest entries, returned oldest first
	query = "SELECT * FROM (" + query + " ORDER BY id DESC LIMIT ?) ORDER BY id"
	args = append(args, limit)
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	defer rows.Close()
	var out []kiosk.AuditEntry
	for rows.Next() {
		var a kiosk.AuditEntry
		var id, at int64
		if err := rows.Scan(&id, &at, &a.Actor, &a.Role, &a.Staff, &a.Action, &a.TicketID, &a.Number, &a.Detail, &a.Agent, &a.Citizen); err != nil {
			return nil, fmt.Errorf("store: audit: %w", err)
		}
		a.At = time.UnixMilli(at)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	return out, nil
}

// PruneEvents deletes stored events beyond the newest keep (screens that
// were away longer than that start from the current state).
func (db *DB) PruneEvents(ctx context.Context, keep int64) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM events WHERE seq <= (SELECT coalesce(max(seq), 0) FROM events) - ?`, keep); err != nil {
		return fmt.Errorf("store: prune events: %w", err)
	}
	return nil
}

// leases returns the blocks granted on the days from since on.
func (db *DB) leases(ctx context.Context, since string) ([]kiosk.Lease, error) {
	rows, err := db.w.QueryContext(ctx, `SELECT data FROM leases WHERE day >= ? ORDER BY day, zone, from_n`, since)
	if err != nil {
		return nil, fmt.Errorf("store: load leases: %w", err)
	}
	defer rows.Close()
	var out []kiosk.Lease
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("store: load leases: %w", err)
		}
		var l struct {
			kiosk.Lease
			Request string `json:"request"`
		}
		if err := json.Unmarshal(b, &l); err != nil {
			return nil, fmt.Errorf("store: load leases: %w", err)
		}
		l.Lease.Request = l.Request
		out = append(out, l.Lease)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: load leases: %w", err)
	}
	return out, nil
}
