// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// memStore is an in-memory Store for the domain's tests; failNext makes
// the next Commit fail without writing anything.
type memStore struct {
	mu        sync.Mutex
	tickets   map[string][]byte
	keys      map[string][2]string // id → id hash, status key
	counters  map[string]Counter
	caseSeqs  map[string]Counter
	idem      []IdemKey
	cases     []Case
	ratings   []Rating
	audit     []AuditEntry
	events    []Event
	failNext  bool
	commits   int
	materials map[string]memMaterial
	appts     map[string]Appointment
	leases    map[string]Lease // day|zone|from
}

func newMemStore() *memStore {
	return &memStore{tickets: map[string][]byte{}, keys: map[string][2]string{}, counters: map[string]Counter{}, caseSeqs: map[string]Counter{}}
}

var errInjected = errors.New("injected commit failure")

func (m *memStore) Commit(ctx context.Context, batch []*Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failNext {
		m.failNext = false
		return errInjected
	}
	m.commits++
	for _, ch := range batch {
		for _, t := range ch.Tickets {
			b, _ := json.Marshal(t)
			m.tickets[t.ID] = b
			m.keys[t.ID] = [2]string{t.IDHash, t.StatusKey}
		}
		for _, c := range ch.Counters {
			m.counters[c.Day+"|"+c.Key] = c
		}
		for _, c := range ch.CaseSeqs {
			m.caseSeqs[c.Day+"|"+c.Key] = c
		}
		m.idem = append(m.idem, ch.Idempotency...)
		for _, l := range ch.Leases {
			if m.leases == nil {
				m.leases = map[string]Lease{}
			}
			m.leases[fmt.Sprintf("%s|%s|%d", l.Day, l.Zone, l.From)] = l
		}
		for _, a := range ch.Appointments {
			if m.appts == nil {
				m.appts = map[string]Appointment{}
			}
			m.appts[a.Code] = a
		}
		for _, c := range ch.Cases {
			replaced := false
			for i := range m.cases {
				if m.cases[i].Number == c.Number {
					m.cases[i], replaced = c, true
				}
			}
			if !replaced {
				m.cases = append(m.cases, c)
			}
		}
		m.ratings = append(m.ratings, ch.Ratings...)
		m.audit = append(m.audit, ch.Audit...)
		for _, e := range ch.Events {
			e.Private = nil
			m.events = append(m.events, e)
		}
	}
	return nil
}

func (m *memStore) ticket(id string) *Ticket {
	t := new(Ticket)
	_ = json.Unmarshal(m.tickets[id], t)
	t.IDHash, t.StatusKey = m.keys[id][0], m.keys[id][1]
	return t
}

func (m *memStore) Load(ctx context.Context, since string) (*Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := &Snapshot{}
	for id := range m.tickets {
		t := m.ticket(id)
		if t.Day >= since || t.Active() {
			s.Tickets = append(s.Tickets, t)
		}
	}
	for _, c := range m.counters {
		if c.Day >= since {
			s.Counters = append(s.Counters, c)
		}
	}
	for _, c := range m.caseSeqs {
		if c.Day >= since {
			s.CaseSeqs = append(s.CaseSeqs, c)
		}
	}
	s.Idempotency = slices.Clone(m.idem)
	for _, l := range m.leases {
		if l.Day >= since {
			s.Leases = append(s.Leases, l)
		}
	}
	if n := len(m.events); n > 0 {
		s.LastSeq = m.events[n-1].Seq
	}
	return s, nil
}

func (m *memStore) Tickets(ctx context.Context, day string) ([]*Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Ticket
	for id := range m.tickets {
		if t := m.ticket(id); t.Day == day {
			out = append(out, t)
		}
	}
	return out, nil
}

func (m *memStore) Ticket(ctx context.Context, id string) (*Ticket, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.tickets[id]; !ok {
		return nil, false, nil
	}
	return m.ticket(id), true, nil
}

func (m *memStore) Ratings(ctx context.Context, day string) ([]Rating, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Rating
	for _, r := range m.ratings {
		if r.Day == day {
			out = append(out, r)
		}
	}
	return out, nil
}

func (m *memStore) Cases(ctx context.Context, q CaseQuery) ([]Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Case
	for _, c := range m.cases {
		if (q.TicketID == "" || c.TicketID == q.TicketID) && (q.Number == "" || c.Number == q.Number) &&
			(q.Parent == "" || c.Parent == q.Parent) && (q.Department == "" || c.Department == q.Department) &&
			(q.Agent == "" || c.Agent == q.Agent) && (q.Window == 0 || c.Window == q.Window) && (q.State == "" || c.State == q.State) && (!q.Open || c.State != CaseClosed) &&
			(len(q.TicketIDs) == 0 || slices.Contains(q.TicketIDs, c.TicketID)) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (m *memStore) EventsSince(ctx context.Context, since int64, limit int) ([]Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Event
	for _, e := range m.events {
		if e.Seq > since && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memStore) Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []AuditEntry
	for _, a := range m.audit {
		if q.TicketID != "" && a.TicketID != q.TicketID {
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

func (m *memStore) PutMaterial(ctx context.Context, mat Material, doc []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.materials == nil {
		m.materials = map[string]memMaterial{}
	}
	m.materials[mat.ID] = memMaterial{mat, append([]byte(nil), doc...)}
	return nil
}

func (m *memStore) Material(ctx context.Context, id string) (Material, []byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mm, ok := m.materials[id]
	return mm.m, mm.doc, ok, nil
}

func (m *memStore) PurgeMaterials(ctx context.Context, before time.Time) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for id, mm := range m.materials {
		if mm.m.CreatedAt.Before(before) {
			ids = append(ids, id)
			delete(m.materials, id)
		}
	}
	return ids, nil
}

type memMaterial struct {
	m   Material
	doc []byte
}

func (m *memStore) Appointments(ctx context.Context, q AppointmentQuery) ([]Appointment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Appointment
	for _, a := range m.appts {
		if (q.Code == "" || a.Code == q.Code) && (q.Date == "" || a.Date == q.Date) && (q.Zone == "" || a.Zone == q.Zone) &&
			(q.Matter == "" || a.Matter == q.Matter) && (q.IDHash == "" || a.IDHash == q.IDHash) && (q.Status == "" || a.Status == q.Status) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (m *memStore) PurgePersonal(ctx context.Context, before time.Time) (int, error) { return 0, nil }
