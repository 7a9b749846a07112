// SPDX-License-Identifier: AGPL-3.0-or-later

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Outbox is a terminal node's durable queue of requests to the hall node,
// in its own SQLite file: an entry is on disk before the citizen is
// answered, is sent in order, and is acknowledged by its idempotency key.
// It also holds the terminal's blocks of offline ticket numbers, which of
// its materials the hall node has and under what id, and a few settings.
// Request bodies (submissions: ID numbers, phones, addresses) are sealed.
type Outbox struct {
	db   *sql.DB
	path string
	seal *sealer
}

// Entry states.
const (
	EntryPending  = "pending"  // to be sent
	EntryDone     = "done"     // the hall node answered 2xx
	EntryFailed   = "failed"   // the hall node refused it (4xx): kept for the technician
	EntryCanceled = "canceled" // withdrawn before it was sent (a ticket that did not print)
)

// Entry is one request to the hall node.
type Entry struct {
	ID          int64
	Key         string // the Idempotency-Key
	Kind        string // ticket, material, attach, void, …
	Method      string
	Path        string
	ContentType string
	Body        []byte // plain; sealed on disk
	// Offline is the JSON offline claim of a ticket issued from a block
	// while the hall node could not be reached; sent with the request.
	Offline   []byte
	Ref       string // what it refers to: a material's local id, a ticket id
	State     string
	Attempts  int
	LastError string
	Status    int    // the hall node's answer's status
	Answer    []byte // and body
	CreatedAt time.Time
}

// Block is a range of ticket numbers the hall node granted this terminal.
type Block struct {
	Day      string
	Zone     string
	Prefix   string
	From, To int
	Next     int // the next number to issue; To+1 when used up
	Expires  time.Time
	Returned bool
}

// Left is how many numbers of the block are unused.
func (b Block) Left() int { return b.To - b.Next + 1 }

var outboxSchema = `
CREATE TABLE IF NOT EXISTS entries (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	key          TEXT NOT NULL UNIQUE,
	kind         TEXT NOT NULL,
	method       TEXT NOT NULL,
	path         TEXT NOT NULL,
	content_type TEXT NOT NULL,
	body         BLOB,
	offline      BLOB,
	ref          TEXT NOT NULL DEFAULT '',
	state        TEXT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	status       INTEGER NOT NULL DEFAULT 0,
	answer       BLOB,
	created_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_pending ON entries(id) WHERE state = 'pending';
CREATE TABLE IF NOT EXISTS blocks (
	day      TEXT NOT NULL,
	zone     TEXT NOT NULL,
	prefix   TEXT NOT NULL,
	from_n   INTEGER NOT NULL,
	to_n     INTEGER NOT NULL,
	next_n   INTEGER NOT NULL,
	expires  INTEGER NOT NULL,
	returned INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY(day, zone, from_n)
);
CREATE TABLE IF NOT EXISTS material_ids (local_id TEXT PRIMARY KEY, hall_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS settings (k TEXT PRIMARY KEY, v TEXT NOT NULL);
`

// OpenOutbox opens (creating if needed) a terminal node's outbox at path;
// key (32 bytes) seals the request bodies.
func OpenOutbox(ctx context.Context, path string, key []byte) (*Outbox, error) {
	seal, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("outbox: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
		db.Close()
		return nil, fmt.Errorf("outbox: open %s: %w", path, err)
	}
	if _, err := db.ExecContext(ctx, outboxSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("outbox: schema: %w", err)
	}
	return &Outbox{db: db, path: path, seal: seal}, nil
}

// Close closes the outbox.
func (o *Outbox) Close() error { return o.db.Close() }

const entryCols = `id, key, kind, method, path, content_type, body, offline, ref, state, attempts, last_error, status, answer, created_at`

func (o *Outbox) scanEntry(row interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var body, offline, answer []byte
	var created int64
	if err := row.Scan(&e.ID, &e.Key, &e.Kind, &e.Method, &e.Path, &e.ContentType, &body, &offline, &e.Ref, &e.State,
		&e.Attempts, &e.LastError, &e.Status, &answer, &created); err != nil {
		return Entry{}, err
	}
	ad := []byte(e.Key)
	var err error
	if len(body) > 0 {
		if e.Body, err = o.seal.open(body, ad); err != nil {
			return Entry{}, fmt.Errorf("outbox: entry %d: %w", e.ID, err)
		}
	}
	if len(offline) > 0 {
		e.Offline = offline
	}
	if len(answer) > 0 {
		if e.Answer, err = o.seal.open(answer, ad); err != nil {
			return Entry{}, fmt.Errorf("outbox: entry %d answer: %w", e.ID, err)
		}
	}
	e.CreatedAt = time.UnixMilli(created)
	return e, nil
}

func (o *Outbox) sealed(b, ad []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return o.seal.seal(b, ad)
}

// Add stores e as pending unless an entry with its key exists; it returns
// the entry stored under the key and whether it was there already.
func (o *Outbox) Add(ctx context.Context, e Entry) (Entry, bool, error) {
	if old, ok, err := o.Get(ctx, e.Key); err != nil || ok {
		return old, ok, err
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now()
	}
	e.State = EntryPending
	res, err := o.db.ExecContext(ctx, `INSERT INTO entries(key, kind, method, path, content_type, body, ref, state, created_at)
		VALUES(?,?,?,?,?,?,?,?,?)`, e.Key, e.Kind, e.Method, e.Path, e.ContentType, o.sealed(e.Body, []byte(e.Key)), e.Ref, e.State, e.CreatedAt.UnixMilli())
	if err != nil {
		return Entry{}, false, fmt.Errorf("outbox: add %s: %w", e.Kind, err)
	}
	e.ID, _ = res.LastInsertId()
	return e, false, nil
}

// Get returns the entry stored under key.
func (o *Outbox) Get(ctx context.Context, key string) (Entry, bool, error) {
	e, err := o.scanEntry(o.db.QueryRowContext(ctx, `SELECT `+entryCols+` FROM entries WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("outbox: get: %w", err)
	}
	return e, true, nil
}

// Next returns the oldest pending entry.
func (o *Outbox) Next(ctx context.Context) (Entry, bool, error) {
	e, err := o.scanEntry(o.db.QueryRowContext(ctx, `SELECT `+entryCols+` FROM entries WHERE state = 'pending' ORDER BY id LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("outbox: next: %w", err)
	}
	return e, true, nil
}

// Finish records the hall node's final answer to an entry (or its
// cancellation): state done, failed or canceled.
func (o *Outbox) Finish(ctx context.Context, id int64, key, state string, status int, answer []byte, lastErr string) error {
	_, err := o.db.ExecContext(ctx, `UPDATE entries SET state = ?, status = ?, answer = ?, last_error = ? WHERE id = ?`,
		state, status, o.sealed(answer, []byte(key)), lastErr, id)
	if err != nil {
		return fmt.Errorf("outbox: finish %d: %w", id, err)
	}
	return nil
}

// Attempted counts a failed attempt to send an entry.
func (o *Outbox) Attempted(ctx context.Context, id int64, lastErr string) error {
	if _, err := o.db.ExecContext(ctx, `UPDATE entries SET attempts = attempts + 1, last_error = ? WHERE id = ?`, lastErr, id); err != nil {
		return fmt.Errorf("outbox: attempted %d: %w", id, err)
	}
	return nil
}

// Counts returns how many entries are pending and how many failed.
func (o *Outbox) Counts(ctx context.Context) (pending, failed int, err error) {
	err = o.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'failed') FROM entries`).Scan(&pending, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("outbox: counts: %w", err)
	}
	return pending, failed, nil
}

// Failed returns the entries the hall node refused, newest first.
func (o *Outbox) Failed(ctx context.Context, limit int) ([]Entry, error) {
	rows, err := o.db.QueryContext(ctx, `SELECT `+entryCols+` FROM entries WHERE state = 'failed' ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: failed: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := o.scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("outbox: failed: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// TakeNumber issues the next number of an unexpired block of day and zone
// to a pending entry, in one transaction: the entry gets its offline claim
// (made by claim from the number) and the block moves on. ok is false when
// no block has a number left.
func (o *Outbox) TakeNumber(ctx context.Context, entryID int64, day, zone string, now time.Time, claim func(b Block, n int) ([]byte, error)) (b Block, n int, ok bool, err error) {
	tx, err := o.db.BeginTx(ctx, nil)
	if err != nil {
		return Block{}, 0, false, fmt.Errorf("outbox: take number: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck
	err = tx.QueryRowContext(ctx, `SELECT day, zone, prefix, from_n, to_n, next_n, expires, returned FROM blocks
		WHERE day = ? AND zone = ? AND next_n <= to_n AND expires > ? AND returned = 0 ORDER BY from_n LIMIT 1`,
		day, zone, now.UnixMilli()).Scan(&b.Day, &b.Zone, &b.Prefix, &b.From, &b.To, &b.Next, new(int64), &b.Returned)
	if errors.Is(err, sql.ErrNoRows) {
		return Block{}, 0, false, nil
	}
	if err != nil {
		return Block{}, 0, false, fmt.Errorf("outbox: take number: %w", err)
	}
	n = b.Next
	c, err := claim(b, n)
	if err != nil {
		return Block{}, 0, false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE blocks SET next_n = next_n + 1 WHERE day = ? AND zone = ? AND from_n = ?`, b.Day, b.Zone, b.From); err != nil {
		return Block{}, 0, false, fmt.Errorf("outbox: take number: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE entries SET offline = ? WHERE id = ? AND state = 'pending' AND offline IS NULL`, c, entryID)
	if err != nil {
		return Block{}, 0, false, fmt.Errorf("outbox: take number: %w", err)
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return Block{}, 0, false, fmt.Errorf("outbox: take number: entry %d is no longer waiting", entryID)
	}
	if err := tx.Commit(); err != nil {
		return Block{}, 0, false, fmt.Errorf("outbox: take number: %w", err)
	}
	b.Next++
	return b, n, true, nil
}

// AddBlocks stores blocks the hall node granted (a block already stored is
// left as it is).
func (o *Outbox) AddBlocks(ctx context.Context, bs []Block) error {
	tx, err := o.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("outbox: add blocks: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck
	for _, b := range bs {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO blocks(day, zone, prefix, from_n, to_n, next_n, expires) VALUES(?,?,?,?,?,?,?)`,
			b.Day, b.Zone, b.Prefix, b.From, b.To, b.From, b.Expires.UnixMilli()); err != nil {
			return fmt.Errorf("outbox: add block: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("outbox: add blocks: %w", err)
	}
	return nil
}

// Blocks returns the stored blocks not yet returned.
func (o *Outbox) Blocks(ctx context.Context) ([]Block, error) {
	rows, err := o.db.QueryContext(ctx, `SELECT day, zone, prefix, from_n, to_n, next_n, expires, returned FROM blocks WHERE returned = 0 ORDER BY day, zone, from_n`)
	if err != nil {
		return nil, fmt.Errorf("outbox: blocks: %w", err)
	}
	defer rows.Close()
	var out []Block
	for rows.Next() {
		var b Block
		var exp int64
		if err := rows.Scan(&b.Day, &b.Zone, &b.Prefix, &b.From, &b.To, &b.Next, &exp, &b.Returned); err != nil {
			return nil, fmt.Errorf("outbox: blocks: %w", err)
		}
		b.Expires = time.UnixMilli(exp)
		out = append(out, b)
	}
	return out, rows.Err()
}

// MarkReturned records that a block's unused tail was given back.
func (o *Outbox) MarkReturned(ctx context.Context, b Block) error {
	if _, err := o.db.ExecContext(ctx, `UPDATE blocks SET returned = 1 WHERE day = ? AND zone = ? AND from_n = ?`, b.Day, b.Zone, b.From); err != nil {
		return fmt.Errorf("outbox: return block: %w", err)
	}
	return nil
}

// MapMaterial records the hall node's id of a local material.
func (o *Outbox) MapMaterial(ctx context.Context, local, hall string) error {
	if _, err := o.db.ExecContext(ctx, `INSERT OR REPLACE INTO material_ids(local_id, hall_id) VALUES(?,?)`, local, hall); err != nil {
		return fmt.Errorf("outbox: map material: %w", err)
	}
	return nil
}

// HallMaterial returns the hall node's id of a local material, if sent.
func (o *Outbox) HallMaterial(ctx context.Context, local string) (string, bool, error) {
	var id string
	err := o.db.QueryRowContext(ctx, `SELECT hall_id FROM material_ids WHERE local_id = ?`, local).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("outbox: material id: %w", err)
	}
	return id, true, nil
}

// Setting returns a stored setting ("" when unset).
func (o *Outbox) Setting(ctx context.Context, k string) (string, error) {
	var v string
	err := o.db.QueryRowContext(ctx, `SELECT v FROM settings WHERE k = ?`, k).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("outbox: setting %s: %w", k, err)
	}
	return v, nil
}

// SetSetting stores a setting.
func (o *Outbox) SetSetting(ctx context.Context, k, v string) error {
	if _, err := o.db.ExecContext(ctx, `INSERT OR REPLACE INTO settings(k, v) VALUES(?,?)`, k, v); err != nil {
		return fmt.Errorf("outbox: setting %s: %w", k, err)
	}
	return nil
}

// SettingInt returns a stored number setting (0 when unset).
func (o *Outbox) SettingInt(ctx context.Context, k string) (int64, error) {
	v, err := o.Setting(ctx, k)
	if err != nil || v == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("outbox: setting %s: %w", k, err)
	}
	return n, nil
}

// PendingOf returns the pending entries of a kind, oldest first.
func (o *Outbox) PendingOf(ctx context.Context, kind string) ([]Entry, error) {
	rows, err := o.db.QueryContext(ctx, `SELECT `+entryCols+` FROM entries WHERE state = 'pending' AND kind = ? ORDER BY id`, kind)
	if err != nil {
		return nil, fmt.Errorf("outbox: pending: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := o.scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("outbox: pending: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Prune deletes what the outbox no longer needs: entries sent (or
// withdrawn) before `before`, and blocks of days before beforeDay that
// were given back. Waiting entries and entries the hall node refused stay
// (the technician's to see). It returns how many entries it deleted.
func (o *Outbox) Prune(ctx context.Context, before time.Time, beforeDay string) (int64, error) {
	res, err := o.db.ExecContext(ctx, `DELETE FROM entries WHERE state IN ('done', 'canceled') AND created_at < ?`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("outbox: prune: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := o.db.ExecContext(ctx, `DELETE FROM blocks WHERE returned = 1 AND day < ?`, beforeDay); err != nil {
		return n, fmt.Errorf("outbox: prune blocks: %w", err)
	}
	return n, nil
}
