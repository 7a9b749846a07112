// SPDX-License-Identifier: AGPL-3.0-or-later

package store

import (
	"context"
	"fmt"
	"os"
)

// migrations are the schema's numbered steps; step i brings the schema to
// version i+1. Never edit a step that has shipped: add one.
var migrations = []string{
	// 1: the queue, cases, ratings, audit and events.
	`CREATE TABLE tickets (
		id          TEXT PRIMARY KEY,
		day         TEXT NOT NULL,
		zone        TEXT NOT NULL,
		number      TEXT NOT NULL,
		status      TEXT NOT NULL,
		win         INTEGER NOT NULL DEFAULT 0,
		issued_at   INTEGER NOT NULL,
		called_at   INTEGER,
		finished_at INTEGER,
		id_hash     TEXT,
		status_key  TEXT NOT NULL,
		data        BLOB NOT NULL
	);
	CREATE UNIQUE INDEX tickets_day_number ON tickets(day, number);
	CREATE INDEX tickets_active ON tickets(status) WHERE status IN ('waiting', 'called', 'serving');
	CREATE TABLE counters (day TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(day, key));
	CREATE TABLE case_seqs (day TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(day, key));
	CREATE TABLE idempotency (
		terminal  TEXT NOT NULL,
		key       TEXT NOT NULL,
		ticket_id TEXT NOT NULL REFERENCES tickets(id),
		day       TEXT NOT NULL,
		PRIMARY KEY(terminal, key)
	);
	CREATE TABLE cases (
		number      TEXT PRIMARY KEY,
		ticket_id   TEXT NOT NULL REFERENCES tickets(id),
		matter      TEXT NOT NULL,
		department  TEXT NOT NULL,
		due         TEXT NOT NULL,
		state       TEXT NOT NULL,
		parent      TEXT,
		accepted_at INTEGER NOT NULL,
		data        BLOB NOT NULL
	);
	CREATE INDEX cases_ticket ON cases(ticket_id);
	CREATE INDEX cases_due ON cases(state, due);
	CREATE TABLE ratings (
		ticket_id TEXT PRIMARY KEY REFERENCES tickets(id),
		day       TEXT NOT NULL,
		level     INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
		follow_up INTEGER NOT NULL,
		at        INTEGER NOT NULL,
		data      BLOB NOT NULL
	);
	CREATE INDEX ratings_day ON ratings(day);
	CREATE TABLE audit (
		id        INTEGER PRIMARY KEY AUTOINCREMENT,
		at        INTEGER NOT NULL,
		actor     TEXT NOT NULL,
		role      TEXT NOT NULL,
		staff     TEXT NOT NULL,
		action    TEXT NOT NULL,
		ticket_id TEXT,
		number    TEXT NOT NULL,
		detail    TEXT NOT NULL
	);
	CREATE INDEX audit_at ON audit(at);
	CREATE INDEX audit_ticket ON audit(ticket_id);
	CREATE TABLE events (
		seq      INTEGER PRIMARY KEY,
		type     TEXT NOT NULL,
		at       INTEGER NOT NULL,
		terminal TEXT,
		data     BLOB NOT NULL
	);`,
	// 2: submissions sealed apart from the ticket's plain data.
	`ALTER TABLE tickets ADD COLUMN sealed BLOB;`,
	// 3: materials (their documents are sealed files beside the database).
	`CREATE TABLE materials (
		id         TEXT PRIMARY KEY,
		terminal   TEXT NOT NULL,
		source     TEXT NOT NULL,
		kind       TEXT NOT NULL,
		pages      INTEGER NOT NULL,
		size       INTEGER NOT NULL,
		sha256     TEXT NOT NULL,
		created_at INTEGER NOT NULL
	);
	CREATE INDEX materials_created ON materials(created_at);`,
	// 4: appointments (the applicant sealed).
	`CREATE TABLE appointments (
		code      TEXT PRIMARY KEY,
		date      TEXT NOT NULL,
		zone      TEXT NOT NULL,
		matter    TEXT NOT NULL,
		start     TEXT NOT NULL,
		id_hash   TEXT NOT NULL,
		status    TEXT NOT NULL,
		ticket_id TEXT,
		data      BLOB NOT NULL,
		sealed    BLOB NOT NULL
	);
	CREATE INDEX appointments_day ON appointments(date, zone, start);
	CREATE INDEX appointments_person ON appointments(id_hash, date);
	CREATE INDEX appointments_open ON appointments(status) WHERE status = 'booked';`,
	// 5: which ticket's submission lists which material (for retention).
	`CREATE TABLE material_links (
		material_id TEXT NOT NULL,
		ticket_id   TEXT NOT NULL,
		PRIMARY KEY(material_id, ticket_id)
	);
	CREATE INDEX material_links_ticket ON material_links(ticket_id);`,
	// 6: blocks of ticket numbers granted to terminal nodes for offline issue.
	`CREATE TABLE leases (
		day           TEXT NOT NULL,
		zone          TEXT NOT NULL,
		from_n        INTEGER NOT NULL,
		to_n          INTEGER NOT NULL,
		terminal      TEXT NOT NULL,
		returned_from INTEGER NOT NULL DEFAULT 0,
		data          BLOB NOT NULL,
		PRIMARY KEY(day, zone, from_n)
	);`,
	// 7: agents (代办员): the agent handling a case, and the agent and the
	// citizen (keyed ID hash) an audit entry of an agent-handled ticket names.
	`ALTER TABLE cases ADD COLUMN agent TEXT;
	CREATE INDEX cases_agent ON cases(agent, state) WHERE agent IS NOT NULL;
	ALTER TABLE audit ADD COLUMN agent TEXT NOT NULL DEFAULT '';
	ALTER TABLE audit ADD COLUMN citizen TEXT NOT NULL DEFAULT '';`,
}

// Version is the schema version this build writes.
func Version() int { return len(migrations) }

// migrate brings the schema to Version, one transaction per step. A
// database that already has data is copied aside first (PATH.bak-vN) so an
// update can be rolled back; a database newer than this build is refused.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var v int
	if err := db.w.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("store: %s has schema version %d, newer than this kioskd (%d): run the newer kioskd or restore the backup", db.path, v, len(migrations))
	}
	if v == len(migrations) {
		return nil
	}
	if v > 0 {
		backup := fmt.Sprintf("%s.bak-v%d", db.path, v)
		_ = os.Remove(backup)
		if _, err := db.w.ExecContext(ctx, `VACUUM INTO ?`, backup); err != nil {
			return fmt.Errorf("store: back up before migrating: %w", err)
		}
	}
	for i := v; i < len(migrations); i++ {
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: migrate to %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback() //nolint:errcheck
			return fmt.Errorf("store: migrate to %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
			tx.Rollback() //nolint:errcheck
			return fmt.Errorf("store: migrate to %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version(version) VALUES(?)`, i+1); err != nil {
			tx.Rollback() //nolint:errcheck
			return fmt.Errorf("store: migrate to %d: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migrate to %d: %w", i+1, err)
		}
	}
	return nil
}
