// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"
)

// bareSchema is the part of kioskd's schema a ticket issue writes to.
const bareSchema = `
CREATE TABLE tickets (
	id TEXT PRIMARY KEY, day TEXT NOT NULL, zone TEXT NOT NULL, number TEXT NOT NULL, status TEXT NOT NULL,
	win INTEGER NOT NULL DEFAULT 0, issued_at INTEGER NOT NULL, called_at INTEGER, finished_at INTEGER,
	id_hash TEXT, status_key TEXT NOT NULL, data BLOB NOT NULL, sealed BLOB);
CREATE UNIQUE INDEX tickets_day_number ON tickets(day, number);
CREATE INDEX tickets_active ON tickets(status) WHERE status IN ('waiting', 'called', 'serving');
CREATE TABLE counters (day TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(day, key));
CREATE TABLE idempotency (terminal TEXT NOT NULL, key TEXT NOT NULL, ticket_id TEXT NOT NULL REFERENCES tickets(id),
	day TEXT NOT NULL, PRIMARY KEY(terminal, key));
CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,
	staff TEXT NOT NULL, action TEXT NOT NULL, ticket_id TEXT, number TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX audit_at ON audit(at);
CREATE INDEX audit_ticket ON audit(ticket_id);
CREATE TABLE events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, at INTEGER NOT NULL, terminal TEXT, data BLOB NOT NULL);`

type bareResult struct {
	N       int
	Lat     durs
	Elapsed time.Duration
}

// bareLoop is the limit for ticket issue: one goroutine writing what a
// ticket issue writes (the ticket with its sealed submission, the counter,
// the idempotency key, the audit entry, the event) in one transaction per
// ticket, on modernc.org/sqlite in WAL mode with synchronous=FULL, the same
// pragmas as kioskd: every ticket is fsynced before the next starts.
func bareLoop(ctx context.Context, dir string, d time.Duration, maxN int) (*bareResult, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "bare.db")+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, bareSchema); err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	blk, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(blk)
	day := time.Now().Format(time.DateOnly)
	res := &bareResult{}
	start := time.Now()
	for i := 1; i <= maxN && time.Since(start) < d && ctx.Err() == nil; i++ {
		t0 := time.Now()
		id := randHex(16)
		number := fmt.Sprintf("A%03d", i)
		now := time.Now()
		data, _ := json.Marshal(map[string]any{"id": id, "day": day, "zone": "A", "seq": i, "number": number, "priority": false,
			"matter": "HJ-SJ-0001", "status": "waiting", "recalls": 0, "issued_at": now, "terminal": "kiosk-1"})
		sub, _ := json.Marshal(map[string]any{"applicant": map[string]any{"id_number": nextIDNumber(), "name": "王伟芳"},
			"matter": "HJ-SJ-0001", "delivery": map[string]any{"mode": "pickup"}})
		nonce := make([]byte, aead.NonceSize())
		_, _ = rand.Read(nonce)
		sealed := aead.Seal(nonce, nonce, sub, []byte(id))
		ev, _ := json.Marshal(map[string]any{"id": id, "number": number, "zone": "A", "priority": false, "waiting_ahead": i - 1, "waiting": i})
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		steps := []struct {
			q    string
			args []any
		}{
			{`INSERT INTO tickets(id, day, zone, number, status, win, issued_at, called_at, finished_at, id_hash, status_key, data, sealed)
				VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)
				ON CONFLICT(id) DO UPDATE SET zone=excluded.zone, status=excluded.status, win=excluded.win,
				called_at=excluded.called_at, finished_at=excluded.finished_at, data=excluded.data, sealed=excluded.sealed`,
				[]any{id, day, "A", number, "waiting", 0, now.UnixMilli(), nil, nil, randHex(16), randHex(12), data, sealed}},
			{`INSERT INTO counters(day, key, seq) VALUES(?,?,?) ON CONFLICT(day, key) DO UPDATE SET seq=excluded.seq`, []any{day, "A", i}},
			{`INSERT INTO idempotency(terminal, key, ticket_id, day) VALUES(?,?,?,?)`, []any{"kiosk-1", fmt.Sprintf("k%d", i), id, day}},
			{`INSERT INTO audit(at, actor, role, staff, action, ticket_id, number, detail) VALUES(?,?,?,?,?,?,?,?)`,
				[]any{now.UnixMilli(), "kiosk-1", "kiosk", "", "ticket.issue", id, number, ""}},
			{`INSERT INTO events(seq, type, at, terminal, data) VALUES(?,?,?,?,?)`, []any{i, "ticket.issued", now.UnixMilli(), nil, ev}},
		}
		for _, s := range steps {
			if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
				tx.Rollback() //nolint:errcheck
				return nil, fmt.Errorf("bare loop: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return nil, fmt.Errorf("bare loop: commit: %w", err)
		}
		res.Lat = append(res.Lat, time.Since(t0))
		res.N++
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
