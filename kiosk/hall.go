// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"yichuang/config"
)

// Options are what a Hall is made of.
type Options struct {
	Config  *config.Config
	Catalog *Catalog
	Store   Store
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// Publish receives every committed event, in seq order. It must not block.
	Publish func(Event)
	// IDKey keys the hash that finds an ID number's tickets without storing it.
	IDKey  []byte
	Logger *slog.Logger
}

// Hall is the hall node's queue and everything that hangs on it. Its state
// lives in memory and in the store; a change is applied to memory under one
// lock, committed durably (several changes share a transaction when they
// arrive together: group commit), and only then answered and published.
type Hall struct {
	cfg     *config.Config
	cat     atomic.Pointer[Catalog] // swapped whole by SetCatalog
	catVer  atomic.Uint64           // the district catalog version it is (0: the node's own file)
	store   Store
	now     func() time.Time
	publish func(Event)
	idKey   []byte
	log     *slog.Logger
	cal     *Calendar
	policy  Policy

	caseMu   sync.Mutex // one case action at a time
	apptMu   sync.Mutex // one appointment change at a time
	mu       sync.Mutex
	epoch    int
	tickets  map[string]*Ticket            // active tickets, and every ticket of today and yesterday
	counters map[string]int                // day|zone → last ticket seq
	caseSeqs map[string]int                // day|key → last case seq
	idem     map[string]string             // terminal|key → ticket id
	leases   map[string][]*Lease           // day|zone → blocks granted to terminal nodes
	held     map[int]*Ticket               // window → the ticket it holds
	waiting  map[string]map[string]*Ticket // zone → id → waiting ticket
	inZone   map[string]string             // id → the zone it is filed under in waiting
	classes  map[string]*classCount        // zone → waiting appointment and priority tickets
	filed    map[string]classKey           // id → the class it is counted under
	byIDHash map[string][]*Ticket          // ID hash → tickets in memory
	zc       map[string]zoneCounter
	seq      int64
	loadedOn string // the hall day memory was last trimmed for

	anon map[string][]time.Time // kiosk → when it issued its last tickets without an ID (anonymous_per_minute)

	queue     chan *pending
	stop      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

type pending struct {
	ch    *Change
	epoch int
	done  chan error
}

// ErrStale is returned for a change that was queued on state that a failed
// commit has since thrown away; nothing of it was written.
var ErrStale = errors.New("kiosk: change dropped after a failed commit")

// Open builds the hall from the store and starts its committer.
func Open(ctx context.Context, o Options) (*Hall, error) {
	if o.Config == nil || o.Catalog == nil || o.Store == nil {
		return nil, errors.New("kiosk: open: config, catalog and store are needed")
	}
	h := &Hall{
		cfg: o.Config, store: o.Store, now: o.Now, publish: o.Publish,
		idKey: o.IDKey, log: o.Logger,
		cal: NewCalendar(o.Config.Hall.Holidays, o.Config.Hall.Workdays),
		policy: Policy{
			PriorityRatio: o.Config.Queue.PriorityRatio,
			MaxWait:       time.Duration(o.Config.Queue.MaxWaitMinutes) * time.Minute,
		},
		queue: make(chan *pending, 4096),
		stop:  make(chan struct{}),
	}
	h.cat.Store(o.Catalog)
	if h.now == nil {
		h.now = time.Now
	}
	if h.publish == nil {
		h.publish = func(Event) {}
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if len(h.idKey) == 0 {
		return nil, errors.New("kiosk: open: an ID hash key is needed")
	}
	h.mu.Lock()
	err := h.reload(ctx)
	if err == nil {
		// a hall that was down over midnight starts on the new day whole
		if ch := h.endDays(h.now()); !ch.empty() {
			h.enqueue(ch)
		}
	}
	h.mu.Unlock()
	if err != nil {
		return nil, err
	}
	h.wg.Add(1)
	go h.committer()
	return h, nil
}

// Close stops the committer after the changes already queued are written.
func (h *Hall) Close() {
	h.closeOnce.Do(func() { close(h.stop) })
	h.wg.Wait()
}

// Config returns the hall's configuration.
func (h *Hall) Config() *config.Config { return h.cfg }

// Catalog returns the hall's catalog: the one in force now. A caller that
// looks at several matters of one request asks once and keeps the answer.
func (h *Hall) Catalog() *Catalog { return h.cat.Load() }

// CatalogVersion is the district catalog version the hall runs (0: its own
// catalog file, not the district's).
func (h *Hall) CatalogVersion() uint64 { return h.catVer.Load() }

// SetCatalog puts a new catalog in force at once (the district's standard
// catalog, version v): requests that already hold the old one finish with
// it; tickets and cases keep the matter codes they were made with.
func (h *Hall) SetCatalog(c *Catalog, v uint64) {
	h.cat.Store(c)
	h.catVer.Store(v)
}

// Calendar returns the hall's working-day calendar.
func (h *Hall) Calendar() *Calendar { return h.cal }

// day returns the hall day of t.
func (h *Hall) day(t time.Time) string { return t.In(h.cfg.Location).Format(time.DateOnly) }

func (h *Hall) yesterday(t time.Time) string {
	return t.In(h.cfg.Location).AddDate(0, 0, -1).Format(time.DateOnly)
}

// reload rebuilds memory from the store. h.mu must be held.
func (h *Hall) reload(ctx context.Context) error {
	now := h.now()
	since := h.yesterday(now)
	snap, err := h.store.Load(ctx, since)
	if err != nil {
		return fmt.Errorf("kiosk: load: %w", err)
	}
	h.tickets = make(map[string]*Ticket, len(snap.Tickets))
	h.held = map[int]*Ticket{}
	h.counters = map[string]int{}
	h.caseSeqs = map[string]int{}
	h.idem = map[string]string{}
	h.zc = map[string]zoneCounter{}
	for _, t := range snap.Tickets {
		h.tickets[t.ID] = t
		if (t.Status == StatusCalled || t.Status == StatusServing) && t.Window != 0 {
			if cur, ok := h.held[t.Window]; !ok || t.CalledAt.After(cur.CalledAt) {
				h.held[t.Window] = t
			}
		}
	}
	for _, c := range snap.Counters {
		h.counters[c.Day+"|"+c.Key] = c.Seq
	}
	for _, c := range snap.CaseSeqs {
		h.caseSeqs[c.Day+"|"+c.Key] = c.Seq
	}
	for _, k := range snap.Idempotency {
		h.idem[k.Terminal+"|"+k.Key] = k.TicketID
	}
	h.leases = map[string][]*Lease{}
	for _, l := range snap.Leases {
		l := l
		h.leases[l.Day+"|"+l.Zone] = append(h.leases[l.Day+"|"+l.Zone], &l)
	}
	h.seq = snap.LastSeq
	h.loadedOn = h.day(now)
	h.reindex()
	h.rebuildZoneCounters()
	return nil
}

// rebuildZoneCounters derives the ratio rule's memory from today's calls.
func (h *Hall) rebuildZoneCounters() {
	today := h.loadedOn
	var called []*Ticket
	for _, t := range h.tickets {
		if !t.CalledAt.IsZero() && h.day(t.CalledAt) == today {
			called = append(called, t)
		}
	}
	slices.SortFunc(called, func(a, b *Ticket) int { return a.CalledAt.Compare(b.CalledAt) })
	h.zc = map[string]zoneCounter{}
	for _, t := range called {
		h.noteCall(t)
	}
}

func (h *Hall) noteCall(t *Ticket) {
	zc := h.zc[t.Zone]
	if t.Priority {
		zc.normalsSincePriority = 0
		zc.anyPriorityCalled = true
	} else {
		zc.normalsSincePriority++
	}
	h.zc[t.Zone] = zc
}

// committer writes queued changes in batches, answers their callers and
// publishes their events in order.
func (h *Hall) committer() {
	defer h.wg.Done()
	for {
		var first *pending
		select {
		case first = <-h.queue:
		case <-h.stop:
			// write what is queued, then stop
			for {
				select {
				case p := <-h.queue:
					h.commitBatch([]*pending{p})
				default:
					return
				}
			}
		}
		batch := []*pending{first}
	drain:
		for len(batch) < 512 {
			select {
			case p := <-h.queue:
				batch = append(batch, p)
			default:
				break drain
			}
		}
		h.commitBatch(batch)
	}
}

func (h *Hall) commitBatch(batch []*pending) {
	h.mu.Lock()
	epoch := h.epoch
	h.mu.Unlock()
	var live []*pending
	for _, p := range batch {
		if p.epoch != epoch {
			p.done <- ErrStale
			continue
		}
		live = append(live, p)
	}
	if len(live) == 0 {
		return
	}
	changes := make([]*Change, len(live))
	for i, p := range live {
		changes[i] = p.ch
	}
	err := h.store.Commit(context.Background(), changes)
	if err != nil {
		h.log.Error("commit failed; reloading state from the store", "err", err, "changes", len(live))
		h.mu.Lock()
		h.epoch++
		if rerr := h.reload(context.Background()); rerr != nil {
			h.log.Error("reload after failed commit", "err", rerr)
		}
		h.mu.Unlock()
		for _, p := range live {
			p.done <- fmt.Errorf("kiosk: commit: %w", err)
		}
		return
	}
	for _, p := range live {
		for _, e := range p.ch.Events {
			h.publish(e)
		}
		p.done <- nil
	}
}

// enqueue hands a change applied to memory to the committer. h.mu is held.
func (h *Hall) enqueue(ch *Change) *pending {
	p := &pending{ch: ch, epoch: h.epoch, done: make(chan error, 1)}
	h.queue <- p
	return p
}

// apply runs fn under the lock; fn validates, then changes memory and
// records the change. The answer waits until the change is on disk.
func (h *Hall) apply(fn func(now time.Time, ch *Change) error) error {
	h.mu.Lock()
	now := h.now()
	var rolled *pending
	if rc := h.rollDay(now); rc != nil { // the hall's midnight: the day switches first
		rolled = h.enqueue(rc)
	}
	ch := &Change{}
	if err := fn(now, ch); err != nil {
		h.mu.Unlock()
		return err
	}
	if ch.empty() {
		h.mu.Unlock()
		if rolled != nil {
			return <-rolled.done
		}
		return nil
	}
	p := h.enqueue(ch)
	h.mu.Unlock()
	return <-p.done
}

// roll trims memory when the hall day changes (rollDay ends the day's
// waiting tickets first). h.mu is held.
func (h *Hall) roll(now time.Time) {
	today := h.day(now)
	if today == h.loadedOn {
		return
	}
	yesterday := h.yesterday(now)
	for id, t := range h.tickets {
		if !t.Active() && t.Day < yesterday {
			delete(h.tickets, id)
		}
	}
	for k := range h.counters {
		if k[:10] < yesterday {
			delete(h.counters, k)
		}
	}
	for k := range h.caseSeqs {
		if k[:10] < yesterday {
			delete(h.caseSeqs, k)
		}
	}
	for k := range h.leases {
		if k[:10] < yesterday {
			delete(h.leases, k)
		}
	}
	h.loadedOn = today
	h.reindex()
	h.rebuildZoneCounters()
}

// event records an event in ch with the next seq. h.mu is held.
func (h *Hall) event(ch *Change, now time.Time, typ string, data any) *Event {
	b, err := json.Marshal(data)
	if err != nil {
		b = []byte("{}")
	}
	h.seq++
	ch.Events = append(ch.Events, Event{Seq: h.seq, Type: typ, At: now, Data: b})
	return &ch.Events[len(ch.Events)-1]
}

func (h *Hall) audit(ch *Change, now time.Time, a Actor, action string, t *Ticket, detail string) {
	e := AuditEntry{At: now, Actor: a.Terminal, Role: a.Role, Staff: a.Staff, Action: action, Detail: detail}
	if t != nil {
		e.TicketID, e.Number = t.ID, t.Number
		if t.Agent != nil { // an agent-handled ticket: every entry names agent and citizen
			e.Agent, e.Citizen = t.Agent.Agent, t.IDHash
		}
	}
	ch.Audit = append(ch.Audit, e)
}

// save records a copy of t in ch and keeps the indexes in step with t's
// status and zone. Every change to a ticket goes through it. h.mu is held.
func (h *Hall) save(ch *Change, t *Ticket) {
	cp := *t
	ch.Tickets = append(ch.Tickets, &cp)
	h.index(t)
}

// index files t under its zone's waiting set while it waits, and under its
// ID hash. h.mu is held.
func (h *Hall) index(t *Ticket) {
	if z, ok := h.inZone[t.ID]; ok {
		h.classOf(z).add(h.filed[t.ID], -1)
		delete(h.waiting[z], t.ID)
		delete(h.inZone, t.ID)
		delete(h.filed, t.ID)
	}
	if t.Status == StatusWaiting {
		if h.waiting[t.Zone] == nil {
			h.waiting[t.Zone] = map[string]*Ticket{}
		}
		h.waiting[t.Zone][t.ID] = t
		h.inZone[t.ID] = t.Zone
		k := classKey{appt: t.Appointment != "", prio: t.Priority}
		h.filed[t.ID] = k
		h.classOf(t.Zone).add(k, 1)
	}
	if t.IDHash != "" && !slices.Contains(h.byIDHash[t.IDHash], t) {
		h.byIDHash[t.IDHash] = append(h.byIDHash[t.IDHash], t)
	}
}

// reindex rebuilds the indexes from h.tickets. h.mu is held.
func (h *Hall) reindex() {
	h.waiting = map[string]map[string]*Ticket{}
	h.inZone = map[string]string{}
	h.classes = map[string]*classCount{}
	h.filed = map[string]classKey{}
	h.byIDHash = map[string][]*Ticket{}
	for _, t := range h.tickets {
		h.index(t)
	}
}

// IDHash returns the keyed hash under which an ID number's tickets are found.
func (h *Hall) IDHash(idNumber string) string {
	m := hmac.New(sha256.New, h.idKey)
	m.Write([]byte(strings.ToUpper(strings.TrimSpace(idNumber))))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// Emit publishes a device event (card.read, device.status ...) through the
// hall's numbered, stored stream. terminal limits it to one terminal (and
// admins); private is added for that terminal alone and never stored.
func (h *Hall) Emit(ctx context.Context, typ string, data any, terminal string, private map[string]any) error {
	return h.apply(func(now time.Time, ch *Change) error {
		e := h.event(ch, now, typ, data)
		e.Terminal = terminal
		e.Private = private
		return nil
	})
}

// EventsSince returns stored events after seq, for a screen that reconnects.
func (h *Hall) EventsSince(ctx context.Context, seq int64, limit int) ([]Event, error) {
	return h.store.EventsSince(ctx, seq, limit)
}

// LastSeq returns the seq of the newest committed-or-queued event.
func (h *Hall) LastSeq() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seq
}

// Audit returns audit entries.
func (h *Hall) Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	return h.store.Audit(ctx, q)
}

// classKey is what a waiting ticket is counted as.
type classKey struct{ appt, prio bool }

// classCount counts a zone's waiting tickets that go before plain ones.
type classCount struct{ appt, prio int }

func (c *classCount) add(k classKey, n int) {
	switch {
	case k.appt:
		c.appt += n
	case k.prio:
		c.prio += n
	}
}

func (h *Hall) classOf(zone string) *classCount {
	c := h.classes[zone]
	if c == nil {
		c = &classCount{}
		h.classes[zone] = c
	}
	return c
}

// aheadOfNew counts the people before a ticket just issued: it is the last
// of its class, so it waits behind every ticket of its class and of the
// classes before it. O(1), where ahead scans the zone. h.mu is held.
func (h *Hall) aheadOfNew(t *Ticket) int {
	c := h.classOf(t.Zone)
	switch {
	case t.Appointment != "":
		return c.appt - 1
	case t.Priority:
		return c.appt + c.prio - 1
	default:
		return len(h.waiting[t.Zone]) - 1
	}
}
