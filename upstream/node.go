// SPDX-License-Identifier: AGPL-3.0-or-later

// Package upstream is the terminal node's side of the link to the hall
// node (DESIGN.md, Topology): every ticket request, submission and
// material goes through a durable outbox, sent in order and acknowledged
// by idempotency key; while the hall node cannot be reached, tickets are
// issued from blocks of numbers the hall node granted in advance; the hall
// node's events are relayed to this node's screens.
package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"yichuang/config"
	"yichuang/kiosk"
	"yichuang/kiosk/store"
	"yichuang/ui"
)

// Options configure a Node.
type Options struct {
	Config *config.Config
	// Local is this node's own hall: its events stream, its materials.
	Local  *kiosk.Hall
	Outbox *store.Outbox
	Logger *slog.Logger
	// Client talks to the hall node; nil: one built from the config.
	Client *http.Client
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Node forwards a terminal node's work to its hall node.
type Node struct {
	cfg     *config.Config
	log     *slog.Logger
	local   *kiosk.Hall
	box     *store.Outbox
	client  *http.Client
	base    *url.URL
	token   string
	timeout time.Duration
	now     func() time.Time
	kick    chan struct{}

	mu      sync.Mutex // orders the sender's and the handlers' decisions on an entry
	waiters map[string][]chan struct{}

	smu     sync.Mutex
	online  bool
	since   time.Time
	lastErr string
}

var _ ui.Upstream = (*Node)(nil)

// New makes a Node; Run starts its work.
func New(o Options) (*Node, error) {
	base, err := url.Parse(strings.TrimRight(o.Config.Upstream.URL, "/"))
	if err != nil {
		return nil, fmt.Errorf("upstream: url: %w", err)
	}
	n := &Node{
		cfg: o.Config, log: o.Logger, local: o.Local, box: o.Outbox, client: o.Client, base: base,
		token: o.Config.Upstream.Token, timeout: time.Duration(o.Config.Upstream.TimeoutMS) * time.Millisecond,
		now: o.Now, kick: make(chan struct{}, 1), waiters: map[string][]chan struct{}{},
	}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.now == nil {
		n.now = time.Now
	}
	if n.client == nil {
		tlsc, err := o.Config.Upstream.TLSConfig()
		if err != nil {
			return nil, err
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = tlsc
		tr.ResponseHeaderTimeout = 10 * time.Second
		n.client = &http.Client{Transport: tr}
	}
	n.since = n.now()
	return n, nil
}

// Run sends the outbox, keeps the offline blocks topped up and relays the
// hall node's events until ctx ends.
func (n *Node) Run(ctx context.Context) {
	if err := n.withdrawUnanswered(ctx); err != nil {
		n.log.Error("outbox: withdraw unanswered requests", "err", err)
	}
	var wg sync.WaitGroup
	for _, f := range []func(context.Context){n.sendLoop, n.blockLoop, n.relayLoop, n.pruneLoop} {
		wg.Add(1)
		go func() { defer wg.Done(); f(ctx) }()
	}
	wg.Wait()
}

// Status describes the link to the hall node.
func (n *Node) Status(ctx context.Context) ui.UpstreamStatus {
	n.smu.Lock()
	st := ui.UpstreamStatus{URL: n.base.String(), Online: n.online, Since: n.since.In(n.cfg.Location), LastError: n.lastErr}
	n.smu.Unlock()
	var err error
	if st.Pending, st.Failed, err = n.box.Counts(ctx); err != nil {
		st.LastError = err.Error()
	}
	st.OfflineLeft, _ = n.offlineLeft(ctx)
	return st
}

// setOnline records whether the hall node answers, and tells this node's
// screens when that changes.
func (n *Node) setOnline(ok bool, err error) {
	n.smu.Lock()
	changed := n.online != ok
	n.online = ok
	if changed {
		n.since = n.now()
	}
	if err != nil {
		n.lastErr = err.Error()
	} else if ok {
		n.lastErr = ""
	}
	n.smu.Unlock()
	if !changed {
		return
	}
	if ok {
		n.log.Info("hall node reachable again", "url", n.base.String())
	} else {
		n.log.Warn("hall node cannot be reached", "url", n.base.String(), "err", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	left, _ := n.offlineLeft(ctx)
	if eerr := n.local.Emit(ctx, "upstream.status", map[string]any{"online": ok, "offline_left": left}, "", nil); eerr != nil {
		n.log.Error("upstream status event", "err", eerr)
	}
}

func (n *Node) isOnline() bool {
	n.smu.Lock()
	defer n.smu.Unlock()
	return n.online
}

// errTransient marks a failure worth retrying: the hall node did not
// answer, or answered that it could not take the request now.
var errTransient = errors.New("upstream: the hall node did not take the request")

// call sends one request to the hall node as this terminal. A network
// failure, a timeout, 5xx, 408 and 429 are errTransient; any other answer
// is returned as it came.
func (n *Node) call(ctx context.Context, method, path, contentType, key string, body []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, n.base.String()+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("upstream: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+n.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := n.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %s %s: %v", errTransient, method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %s %s: read the answer: %v", errTransient, method, path, err)
	}
	if res.StatusCode >= 500 || res.StatusCode == http.StatusRequestTimeout || res.StatusCode == http.StatusTooManyRequests {
		return res.StatusCode, b, fmt.Errorf("%w: %s %s: %d %s", errTransient, method, path, res.StatusCode, bytes.TrimSpace(b))
	}
	return res.StatusCode, b, nil
}

// away is the answer when the hall node cannot be reached for a request
// that has no offline way.
func away(what string) *ui.UpstreamError {
	b, _ := json.Marshal(map[string]string{"error": "大厅服务器暂时无法连接，" + what + " (the hall node cannot be reached)"})
	return &ui.UpstreamError{Status: http.StatusServiceUnavailable, Body: b}
}

// waiter returns a channel closed when the entry under key is finished.
// n.mu is held.
func (n *Node) waiter(key string) chan struct{} {
	ch := make(chan struct{})
	n.waiters[key] = append(n.waiters[key], ch)
	return ch
}

// notify wakes the waiters of key. n.mu is held.
func (n *Node) notify(key string) {
	for _, ch := range n.waiters[key] {
		close(ch)
	}
	delete(n.waiters, key)
}

func (n *Node) kickSender() {
	select {
	case n.kick <- struct{}{}:
	default:
	}
}

// day is the hall day of t.
func (n *Node) day(t time.Time) string { return t.In(n.cfg.Location).Format(time.DateOnly) }

// keepDone is how long the outbox keeps what it has sent: a week of
// answers to replayed requests; the hall node has the rest.
const keepDone = 7 * 24 * time.Hour

// pruneLoop deletes what the outbox has sent more than keepDone ago, at
// start and every six hours.
func (n *Node) pruneLoop(ctx context.Context) {
	t := time.NewTicker(6 * time.Hour)
	defer t.Stop()
	for {
		before := n.now().Add(-keepDone)
		if k, err := n.box.Prune(ctx, before, n.day(before)); err != nil {
			n.log.Error("outbox prune", "err", err)
		} else if k > 0 {
			n.log.Info("outbox pruned", "entries", k)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
