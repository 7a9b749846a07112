// SPDX-License-Identifier: AGPL-3.0-or-later

package devices

import (
	"maps"
	"sync"
)

// Health keeps the latest status of each device of a terminal and reports
// every change of state (not every repeat) to onChange.
type Health struct {
	mu       sync.Mutex
	states   map[string]Status
	onChange func(Status)
}

// NewHealth returns an empty Health; onChange may be nil.
func NewHealth(onChange func(Status)) *Health {
	if onChange == nil {
		onChange = func(Status) {}
	}
	return &Health{states: map[string]Status{}, onChange: onChange}
}

// Set records a device's status; a change of state or detail is reported.
func (h *Health) Set(s Status) {
	h.mu.Lock()
	old, had := h.states[s.Device]
	h.states[s.Device] = s
	h.mu.Unlock()
	if !had || old.State != s.State || old.Detail != s.Detail {
		h.onChange(s)
	}
}

// Get returns a device's last status.
func (h *Health) Get(device string) (Status, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.states[device]
	return s, ok
}

// Snapshot returns every device's last status.
func (h *Health) Snapshot() map[string]Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.states)
}
