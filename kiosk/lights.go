// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"fmt"
	"time"
)

// SweepLights announces the open cases whose supervision light (督办) turned
// yellow or red since they were last looked at: a case.light event for the
// manager's page and the case's department, and an audit entry. The light
// announced is kept on the case, so each change is announced once; a case
// that turns green again (a resumed suspension moves its due date) is
// noted quietly.
func (h *Hall) SweepLights(ctx context.Context) (int, error) {
	h.caseMu.Lock() // case actions read what the last one committed; so does this
	defer h.caseMu.Unlock()
	cs, err := h.store.Cases(ctx, CaseQuery{Open: true})
	if err != nil {
		return 0, fmt.Errorf("kiosk: lights: %w", err)
	}
	var changed []Case
	for _, c := range cs {
		if l := h.Light(c); l != "" && l != c.LightSeen {
			c.LightSeen = l
			changed = append(changed, c)
		}
	}
	if len(changed) == 0 {
		return 0, nil
	}
	announced := 0
	a := Actor{Terminal: "kioskd", Role: "system"}
	err = h.apply(func(now time.Time, ch *Change) error {
		for _, c := range changed {
			ch.Cases = append(ch.Cases, c)
			if c.LightSeen == "green" {
				continue
			}
			announced++
			h.audit(ch, now, a, "case.light", nil, fmt.Sprintf("%s %s, due %s", c.Number, c.LightSeen, c.Due))
			h.event(ch, now, "case.light", map[string]any{
				"number": c.Number, "matter": c.Matter, "matter_name": c.MatterName, "department": c.Department,
				"due": c.Due, "light": c.LightSeen, "state": c.State, "parent": c.Parent,
			})
		}
		return nil
	})
	return announced, err
}
