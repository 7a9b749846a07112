// SPDX-License-Identifier: AGPL-3.0-or-later

// Package platform hands the hall's cases and ratings to the city's
// government-service platform: every case.accepted, case.updated and
// rating.recorded event, in order, at least once, to an HTTP webhook signed
// with HMAC-SHA256 or as one JSON file per event in a folder. The hall's
// stored event stream is the outbox; a cursor file remembers the last event
// handed over, so a crash or a platform outage loses nothing (a receiver
// drops repeats by the event's seq).
package platform

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"yichuang/kiosk"
)

// handedOver says whether an event type goes to the platform.
func handedOver(typ string) bool {
	switch typ {
	case "case.accepted", "case.updated", "rating.recorded":
		return true
	}
	return false
}

// Source is where the events come from (the hall).
type Source interface {
	EventsSince(ctx context.Context, seq int64, limit int) ([]kiosk.Event, error)
}

// Sink takes one event document; an error means "try again later".
type Sink interface {
	Deliver(ctx context.Context, seq int64, doc []byte) error
}

// Doc is what the platform receives for one event.
type Doc struct {
	Hall string          `json:"hall"` // the hall's division code
	Seq  int64           `json:"seq"`
	Type string          `json:"type"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// Webhook posts each event to a URL with an HMAC-SHA256 signature of the
// body in X-Kioskd-Signature ("sha256=" + hex) and the seq in
// X-Kioskd-Event; any 2xx answer counts as received.
type Webhook struct {
	URL    string
	Secret []byte
	Client *http.Client
}

// Sign returns the signature header value of body.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Deliver implements Sink.
func (w *Webhook) Deliver(ctx context.Context, seq int64, doc []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("platform: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Kioskd-Event", strconv.FormatInt(seq, 10))
	req.Header.Set("X-Kioskd-Signature", Sign(w.Secret, doc))
	c := w.Client
	if c == nil {
		c = &http.Client{Timeout: 15 * time.Second}
	}
	res, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("platform: post event %d: %w", seq, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("platform: post event %d: %s", seq, res.Status)
	}
	return nil
}

// Folder writes each event as DIR/<seq>.json, synced, whole or not at all.
type Folder struct {
	Dir string
}

// Deliver implements Sink.
func (f *Folder) Deliver(ctx context.Context, seq int64, doc []byte) error {
	if err := os.MkdirAll(f.Dir, 0o750); err != nil {
		return fmt.Errorf("platform: %w", err)
	}
	path := filepath.Join(f.Dir, fmt.Sprintf("%012d.json", seq))
	if err := writeSynced(path, doc); err != nil {
		return fmt.Errorf("platform: event %d: %w", seq, err)
	}
	return nil
}

func writeSynced(path string, data []byte) error {
	tmp := path + ".tmp"
	fh, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	_, err = fh.Write(data)
	if err == nil {
		err = fh.Sync()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Forwarder moves events from a Source to a Sink.
type Forwarder struct {
	Hall   string
	Source Source
	Sink   Sink
	Cursor string // the file holding the last seq handed over
	// Start is where a forwarder with no cursor file begins (the hall's
	// seq when hand-off was first configured: history is not replayed).
	Start      func() int64
	MinBackoff time.Duration
	MaxBackoff time.Duration
	Poll       time.Duration
	// Errors, if set, is told of each failed delivery (it is retried).
	Errors func(error)
}

func (f *Forwarder) cursor() (int64, error) {
	b, err := os.ReadFile(f.Cursor)
	if errors.Is(err, os.ErrNotExist) {
		start := int64(0)
		if f.Start != nil {
			start = f.Start()
		}
		return start, f.save(start)
	}
	if err != nil {
		return 0, fmt.Errorf("platform: cursor: %w", err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("platform: cursor %s is not a seq", f.Cursor)
	}
	return n, nil
}

func (f *Forwarder) save(seq int64) error {
	return writeSynced(f.Cursor, []byte(strconv.FormatInt(seq, 10)+"\n"))
}

// Run forwards until ctx ends; one event at a time, in order, retrying a
// failed delivery with backoff before going on.
func (f *Forwarder) Run(ctx context.Context) error {
	minB, maxB, poll := f.MinBackoff, f.MaxBackoff, f.Poll
	if minB <= 0 {
		minB = time.Second
	}
	if maxB <= 0 {
		maxB = time.Minute
	}
	if poll <= 0 {
		poll = 2 * time.Second
	}
	last, err := f.cursor()
	if err != nil {
		return err
	}
	sleep := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	for {
		evs, err := f.Source.EventsSince(ctx, last, 200)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if f.Errors != nil {
				f.Errors(err)
			}
			if !sleep(poll) {
				return ctx.Err()
			}
			continue
		}
		for _, e := range evs {
			if handedOver(e.Type) && e.Terminal == "" {
				doc, _ := json.Marshal(Doc{Hall: f.Hall, Seq: e.Seq, Type: e.Type, At: e.At, Data: e.Data})
				backoff := minB
				for {
					err := f.Sink.Deliver(ctx, e.Seq, doc)
					if err == nil {
						break
					}
					if f.Errors != nil {
						f.Errors(err)
					}
					if !sleep(backoff) {
						return ctx.Err()
					}
					backoff = min(backoff*2, maxB)
				}
			}
			last = e.Seq
		}
		// the cursor moves once a batch is handed over; after a crash the
		// batch is handed over again and the receiver drops the repeats
		if len(evs) > 0 {
			if err := f.save(last); err != nil {
				return fmt.Errorf("platform: cursor: %w", err)
			}
		}
		if len(evs) < 200 && !sleep(poll) {
			return ctx.Err()
		}
	}
}
