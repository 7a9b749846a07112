// SPDX-License-Identifier: AGPL-3.0-or-later

package store

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"

	"yichuang/kiosk"
)

// rawTicket is a ticket row as read, before it is decoded.
type rawTicket struct {
	data, sealed []byte
	idHash, key  string
	hasSub       bool // a submission is sealed on disk (sealed holds it for an active ticket)
	active       bool
}

// loadTickets reads the tickets a hall keeps in memory (every ticket of
// the days from since on, and every active one) for a start after a busy
// day: rows are read in order by one goroutine and decoded by the others.
// An ended ticket's submission stays sealed on disk (SubmissionOnDisk):
// nothing in memory needs it, and Hall.Ticket reads it when asked.
func (db *DB) loadTickets(ctx context.Context, since string) ([]*kiosk.Ticket, error) {
	// an ended ticket's sealed submission is not read, only whether it has one
	rows, err := db.w.QueryContext(ctx, `SELECT data, coalesce(id_hash, ''), status_key,
		CASE WHEN status IN ('waiting','called','serving') THEN sealed END, sealed IS NOT NULL, status IN ('waiting','called','serving')
		FROM tickets WHERE day >= ? OR status IN ('waiting','called','serving') ORDER BY issued_at`, since)
	if err != nil {
		return nil, fmt.Errorf("store: load tickets: %w", err)
	}
	defer rows.Close()

	const batchSize = 512
	type batch struct {
		at   int // the index of its first ticket
		raws []rawTicket
	}
	var (
		out  []*kiosk.Ticket
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	work := make(chan batch, 4)
	workers := max(1, runtime.GOMAXPROCS(0))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				ts := make([]*kiosk.Ticket, len(b.raws))
				for i, r := range b.raws {
					t, err := db.decodeTicket(r)
					if err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
						continue
					}
					ts[i] = t
				}
				mu.Lock()
				copy(out[b.at:], ts)
				mu.Unlock()
			}
		}()
	}
	cur := batch{}
	n := 0
	flush := func() {
		if len(cur.raws) == 0 {
			return
		}
		mu.Lock()
		if need := cur.at + len(cur.raws); need > len(out) {
			out = append(out, make([]*kiosk.Ticket, need-len(out))...)
		}
		mu.Unlock()
		work <- cur
		cur = batch{at: n}
	}
	for rows.Next() {
		var r rawTicket
		if err := rows.Scan(&r.data, &r.idHash, &r.key, &r.sealed, &r.hasSub, &r.active); err != nil {
			close(work)
			wg.Wait()
			return nil, fmt.Errorf("store: load tickets: %w", err)
		}
		cur.raws = append(cur.raws, r)
		n++
		if len(cur.raws) == batchSize {
			flush()
		}
	}
	flush()
	close(work)
	wg.Wait()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: load tickets: %w", err)
	}
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return out, nil
}

// decodeTicket decodes a row; an ended ticket's submission is left sealed.
func (db *DB) decodeTicket(r rawTicket) (*kiosk.Ticket, error) {
	t := new(kiosk.Ticket)
	if err := json.Unmarshal(r.data, t); err != nil {
		return nil, fmt.Errorf("store: tickets: %w", err)
	}
	t.IDHash, t.StatusKey = r.idHash, r.key
	if !r.hasSub {
		return t, nil
	}
	if !r.active {
		t.SubmissionOnDisk = true
		return t, nil
	}
	plain, err := db.seal.open(r.sealed, []byte(t.ID))
	if err != nil {
		return nil, fmt.Errorf("store: ticket %s: %w", t.Number, err)
	}
	t.Submission = new(kiosk.Submission)
	if err := json.Unmarshal(plain, t.Submission); err != nil {
		return nil, fmt.Errorf("store: ticket %s: submission: %w", t.Number, err)
	}
	return t, nil
}
