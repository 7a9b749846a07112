// SPDX-License-Identifier: AGPL-3.0-or-later

package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// relayLoop carries the hall node's events to this node's screens: it
// follows the hall node's event stream from the last event it relayed
// (?since=), so nothing is missed across reconnects and restarts, and
// emits each as an event of this node.
func (n *Node) relayLoop(ctx context.Context) {
	backoff := 250 * time.Millisecond
	for ctx.Err() == nil {
		got, err := n.relay(ctx)
		if ctx.Err() != nil {
			return
		}
		if got > 0 {
			backoff = 250 * time.Millisecond
		}
		n.log.Debug("hall node events: reconnecting", "err", err)
		sleep(ctx, backoff)
		backoff = min(backoff*2, 5*time.Second)
	}
}

// relay follows the stream once, until it breaks; it returns how many
// events it relayed.
func (n *Node) relay(ctx context.Context) (int, error) {
	since, err := n.relayCursor(ctx)
	if err != nil {
		return 0, err
	}
	u := *n.base
	u.Scheme = strings.Replace(u.Scheme, "http", "ws", 1)
	u.Path = strings.TrimRight(u.Path, "/") + "/api/v1/events"
	u.RawQuery = "since=" + strconv.FormatInt(since, 10)
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	if tr, ok := n.client.Transport.(*http.Transport); ok {
		d.TLSClientConfig = tr.TLSClientConfig
	}
	conn, res, err := d.DialContext(ctx, u.String(), http.Header{"Authorization": {"Bearer " + n.token}})
	if err != nil {
		if res != nil {
			return 0, fmt.Errorf("upstream: events: %d: %w", res.StatusCode, err)
		}
		// the stream is the first to notice: the pages say so at once
		err = fmt.Errorf("upstream: events: %w", err)
		if ctx.Err() == nil {
			n.setOnline(false, err)
		}
		return 0, err
	}
	n.setOnline(true, nil)
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	conn.SetReadLimit(1 << 20)
	conn.SetPingHandler(func(data string) error {
		_ = conn.SetReadDeadline(time.Now().Add(90 * time.Second))
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(5*time.Second))
	})
	got := 0
	saved := since
	save := func() {
		if since != saved {
			if err := n.box.SetSetting(context.WithoutCancel(ctx), "hall_seq", strconv.FormatInt(since, 10)); err == nil {
				saved = since
			}
		}
	}
	defer save()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		_ = conn.SetReadDeadline(time.Now().Add(90 * time.Second))
		_, b, err := conn.ReadMessage()
		if err != nil {
			return got, fmt.Errorf("upstream: events: %w", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return got, fmt.Errorf("upstream: events: %w", err)
		}
		seq, _ := m["seq"].(float64)
		typ, _ := m["type"].(string)
		if typ == "" || int64(seq) <= since {
			continue
		}
		delete(m, "type")
		delete(m, "seq")
		delete(m, "at")
		m["hall_seq"] = int64(seq)
		if err := n.local.Emit(ctx, typ, m, "", nil); err != nil {
			return got, err
		}
		since = int64(seq)
		got++
		select { // the cursor on disk at most once a second: each relayed event carries it too
		case <-tick.C:
			save()
		default:
		}
	}
}

// relayCursor is the hall node's last event relayed: the stored cursor, or
// a later hall_seq among this node's own newest events (the cursor is
// written once a second; the events, each with its hall_seq, at once).
func (n *Node) relayCursor(ctx context.Context) (int64, error) {
	since, err := n.box.SettingInt(ctx, "hall_seq")
	if err != nil {
		return 0, err
	}
	evs, err := n.local.EventsSince(ctx, max(0, n.local.LastSeq()-1000), 1000)
	if err != nil {
		return 0, fmt.Errorf("upstream: events: %w", err)
	}
	for _, e := range evs {
		var m struct {
			HallSeq int64 `json:"hall_seq"`
		}
		if json.Unmarshal(e.Data, &m) == nil && m.HallSeq > since {
			since = m.HallSeq
		}
	}
	return since, nil
}
