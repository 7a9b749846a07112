// SPDX-License-Identifier: AGPL-3.0-or-later

package district

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

const (
	// districtStream, in the hub's domain, sources every centre's stream.
	districtStream = "DISTRICT"
	// centresBucket, in the hub's domain, lists the centres that registered.
	centresBucket = "CENTRES"

	eventPrefix      = "district.centre."
	registerSubject  = "district.ctl.register"
	heartbeatSubject = "district.ctl.heartbeat."
)

// eventSubject is the subject of a centre's event of a kind ("case.accepted", or ">" for all).
func eventSubject(centre, kind string) string { return eventPrefix + centre + "." + kind }

// Heartbeat is what a centre says of itself every few seconds (core NATS:
// one lost while the link is down is simply not seen).
type Heartbeat struct {
	Centre         string    `json:"centre"`
	Name           string    `json:"name"`
	CatalogVersion uint64    `json:"catalog_version"`
	At             time.Time `json:"at"`
}

// registration asks the hub to source a centre's stream.
type registration struct {
	Centre string `json:"centre"`
	Name   string `json:"name"`
	Domain string `json:"domain"`
	Stream string `json:"stream"`
}

// CentreStatus is the hub's view of one centre.
type CentreStatus struct {
	Centre         string     `json:"centre"`
	Name           string     `json:"name"`
	Online         bool       `json:"online"`
	LastSeen       *time.Time `json:"last_seen"`
	CatalogVersion uint64     `json:"catalog_version"`
	// Behind is how many of the centre's messages the hub has yet to source.
	Behind uint64 `json:"behind"`
}

// Publish writes one of this centre's events into its own stream, in its
// own domain (reachable whether or not the link is up). id is the event's
// message id: publishing the same id again (a retry after a crash) is a
// duplicate the stream drops.
func (n *Node) Publish(ctx context.Context, kind, id string, data []byte) (uint64, error) {
	ack, err := n.js.Publish(ctx, eventSubject(n.cfg.Centre, kind), data, jetstream.WithMsgID(n.cfg.Centre+":"+id))
	if err != nil {
		return 0, fmt.Errorf("district: publish %s %s: %w", kind, id, err)
	}
	return ack.Sequence, nil
}

// announce is a centre's loop: a heartbeat every interval, and its
// registration until the hub answers it (again every minute, in case the
// hub lost it).
func (n *Node) announce(ctx context.Context) {
	reg, _ := json.Marshal(registration{Centre: n.cfg.Centre, Name: n.cfg.Name, Domain: n.domain, Stream: streamName(n.cfg.Centre)})
	t := time.NewTicker(n.cfg.Heartbeat)
	defer t.Stop()
	var registered time.Time
	for {
		n.mu.Lock()
		hb := n.local
		n.mu.Unlock()
		hb.Centre, hb.Name, hb.At = n.cfg.Centre, n.cfg.Name, time.Now()
		b, _ := json.Marshal(hb)
		_ = n.nc.Publish(heartbeatSubject+n.cfg.Centre, b)
		if time.Since(registered) > time.Minute {
			rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			msg, err := n.nc.RequestWithContext(rctx, registerSubject, reg)
			cancel()
			switch {
			case err == nil && string(msg.Data) == "ok":
				registered = time.Now()
			case err == nil:
				n.log.Warn("district: the hub refused this centre", "answer", string(msg.Data))
			case !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrNoResponders) && !errors.Is(err, context.Canceled):
				n.log.Warn("district: register with the hub", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// serveHub answers centres' registrations and heartbeats.
func (n *Node) serveHub(ctx context.Context) error {
	if _, err := n.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: centresBucket, Storage: jetstream.FileStorage, Description: "the district's centres",
	}); err != nil {
		return fmt.Errorf("district: centres bucket: %w", err)
	}
	// the hub is a hall too: its own events join the district's
	if err := n.addSource(ctx, registration{Centre: n.cfg.Centre, Name: n.cfg.Name, Domain: HubDomain, Stream: streamName(n.cfg.Centre)}); err != nil {
		return err
	}
	n.mu.Lock()
	n.seen[n.cfg.Centre] = Heartbeat{Centre: n.cfg.Centre, Name: n.cfg.Name}
	n.mu.Unlock()
	if _, err := n.nc.Subscribe(registerSubject, func(m *nats.Msg) {
		var r registration
		if err := json.Unmarshal(m.Data, &r); err != nil || !centreCode.MatchString(r.Centre) ||
			r.Domain != Domain(r.Centre) || r.Stream != streamName(r.Centre) {
			_ = m.Respond([]byte("bad registration"))
			return
		}
		if err := n.addSource(n.ctx, r); err != nil {
			n.log.Error("district: register a centre", "centre", r.Centre, "err", err)
			_ = m.Respond([]byte("error"))
			return
		}
		_ = m.Respond([]byte("ok"))
	}); err != nil {
		return fmt.Errorf("district: subscribe %s: %w", registerSubject, err)
	}
	if _, err := n.nc.Subscribe(heartbeatSubject+"*", func(m *nats.Msg) {
		var hb Heartbeat
		if json.Unmarshal(m.Data, &hb) != nil || m.Subject != heartbeatSubject+hb.Centre {
			return
		}
		hb.At = time.Now() // the hub's clock says when it was seen
		n.mu.Lock()
		n.seen[hb.Centre] = hb
		n.mu.Unlock()
		select {
		case n.kickQ <- hb.Centre:
		default: // the kicker is busy; the next heartbeat asks again
		}
	}); err != nil {
		return fmt.Errorf("district: subscribe heartbeats: %w", err)
	}
	n.wg.Add(1)
	go func() { defer n.wg.Done(); n.kicker(ctx) }()
	return n.nc.Flush()
}

// kicker restarts the sourcing of a centre that is linked (its heartbeat
// came) while the hub holds no consumer on its stream. The server retries a
// source that failed with a growing back-off (after a hub restart its first
// tries go out before the leaf link is back, and the next comes tens of
// seconds later); taking the source out and putting it back starts it at
// once, from where the DISTRICT stream's own messages say it stopped.
func (n *Node) kicker(ctx context.Context) {
	last := map[string]time.Time{}
	for {
		var centre string
		select {
		case <-ctx.Done():
			return
		case centre = <-n.kickQ:
		}
		if time.Since(last[centre]) < 5*time.Second {
			continue
		}
		for _, k := range [][2]string{{districtStream, streamName(centre)}, {figuresStream, figuresStreamName(centre)}} {
			if err := n.kick(ctx, k[0], k[1]); err != nil {
				n.log.Warn("district: restart sourcing", "centre", centre, "stream", k[1], "err", err)
			}
		}
		last[centre] = time.Now()
	}
}

func (n *Node) kick(ctx context.Context, into, stream string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.js.Stream(ctx, into)
	if err != nil {
		return err
	}
	info, err := st.Info(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(info.Sources, func(s *jetstream.StreamSourceInfo) bool { return s.Name == stream })
	if i < 0 || info.Sources[i].Active >= 0 {
		return nil // not registered yet, or its consumer is there
	}
	cfg := info.Config
	j := slices.IndexFunc(cfg.Sources, func(s *jetstream.StreamSource) bool { return s.Name == stream })
	if j < 0 {
		return nil
	}
	src := cfg.Sources[j]
	cfg.Sources = slices.Delete(slices.Clone(cfg.Sources), j, j+1)
	if _, err := n.js.UpdateStream(ctx, cfg); err != nil {
		return err
	}
	cfg.Sources = append(cfg.Sources, src)
	if _, err := n.js.UpdateStream(ctx, cfg); err != nil {
		return err
	}
	n.log.Info("district: sourcing restarted", "stream", stream)
	return nil
}

// addSource makes the DISTRICT stream source a centre's stream (once) and
// records the centre.
func (n *Node) addSource(ctx context.Context, r registration) error {
	n.mu.Lock() // one change of the stream's config at a time
	defer n.mu.Unlock()
	kv, err := n.js.KeyValue(ctx, centresBucket)
	if err != nil {
		return fmt.Errorf("district: centres bucket: %w", err)
	}
	b, _ := json.Marshal(r)
	if _, err := kv.Put(ctx, r.Domain, b); err != nil {
		return fmt.Errorf("district: record centre %s: %w", r.Centre, err)
	}
	st, err := n.js.Stream(ctx, districtStream)
	if err != nil {
		return fmt.Errorf("district: %s stream: %w", districtStream, err)
	}
	added, err := n.source(ctx, st, r.Stream, r.Domain)
	if err != nil {
		return fmt.Errorf("district: source centre %s: %w", r.Centre, err)
	}
	fst, err := n.js.Stream(ctx, figuresStream)
	if err != nil {
		return fmt.Errorf("district: %s stream: %w", figuresStream, err)
	}
	if _, err := n.source(ctx, fst, figuresStreamName(r.Centre), r.Domain); err != nil {
		return fmt.Errorf("district: source centre %s's figures: %w", r.Centre, err)
	}
	if added {
		n.log.Info("district: centre joined", "centre", r.Centre, "name", r.Name)
	}
	return nil
}

// source makes st source a stream of a domain, once.
func (n *Node) source(ctx context.Context, st jetstream.Stream, name, domain string) (bool, error) {
	cfg := st.CachedInfo().Config
	if slices.ContainsFunc(cfg.Sources, func(s *jetstream.StreamSource) bool { return s.Name == name }) {
		return false, nil
	}
	src := &jetstream.StreamSource{Name: name}
	if domain != HubDomain {
		src.External = &jetstream.ExternalStream{APIPrefix: "$JS." + domain + ".API"}
	}
	cfg.Sources = append(cfg.Sources, src)
	if _, err := n.js.UpdateStream(ctx, cfg); err != nil {
		return false, err
	}
	return true, nil
}

// Centres is the hub's view of every registered centre: online when its
// heartbeat came within three intervals, behind by the messages not yet
// sourced. On a centre, its own entry.
func (n *Node) Centres(ctx context.Context) ([]CentreStatus, error) {
	now := time.Now()
	online := func(hb Heartbeat) bool { return !hb.At.IsZero() && now.Sub(hb.At) < 3*n.cfg.Heartbeat }
	if !n.cfg.Hub {
		n.mu.Lock()
		v := n.local.CatalogVersion
		n.mu.Unlock()
		return []CentreStatus{{Centre: n.cfg.Centre, Name: n.cfg.Name, Online: n.Linked(), CatalogVersion: v}}, nil
	}
	kv, err := n.js.KeyValue(ctx, centresBucket)
	if err != nil {
		return nil, fmt.Errorf("district: centres bucket: %w", err)
	}
	st, err := n.js.Stream(ctx, districtStream)
	if err != nil {
		return nil, fmt.Errorf("district: %s stream: %w", districtStream, err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("district: %s stream info: %w", districtStream, err)
	}
	lag := map[string]uint64{}
	for _, s := range info.Sources {
		lag[s.Name] = s.Lag
	}
	keys, err := kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("district: list centres: %w", err)
	}
	var out []CentreStatus
	for k := range keys.Keys() {
		e, err := kv.Get(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("district: centre %s: %w", k, err)
		}
		var r registration
		if err := json.Unmarshal(e.Value(), &r); err != nil {
			return nil, fmt.Errorf("district: centre %s: %w", k, err)
		}
		n.mu.Lock()
		hb := n.seen[r.Centre]
		if r.Centre == n.cfg.Centre {
			hb = n.local
			hb.At = now
		}
		n.mu.Unlock()
		c := CentreStatus{Centre: r.Centre, Name: r.Name, Online: online(hb), CatalogVersion: hb.CatalogVersion, Behind: lag[r.Stream]}
		if !hb.At.IsZero() {
			at := hb.At
			c.LastSeen = &at
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b CentreStatus) int {
		switch {
		case a.Centre < b.Centre:
			return -1
		case a.Centre > b.Centre:
			return 1
		}
		return 0
	})
	return out, nil
}

// Events reads the DISTRICT stream (hub only) from sequence from, up to limit
// messages: each with its subject and data, in the order the hub holds them.
func (n *Node) Events(ctx context.Context, from uint64, limit int) ([]*jetstream.RawStreamMsg, error) {
	st, err := n.js.Stream(ctx, districtStream)
	if err != nil {
		return nil, fmt.Errorf("district: %s stream: %w", districtStream, err)
	}
	var out []*jetstream.RawStreamMsg
	for seq := max(from, 1); len(out) < limit; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("district: read %s %d: %w", districtStream, seq, err)
		}
		out = append(out, m)
	}
	return out, nil
}
