// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"context"

	"yichuang/kiosk"
)

// pickupCaseViews are a pickup ticket's cases whole, for the window serving
// it: number, matter, state, delivery, due.
func (s *Server) pickupCaseViews(ctx context.Context, numbers []string) []caseView {
	var cs []kiosk.Case
	for _, n := range numbers {
		found, err := s.hall.Cases(ctx, kiosk.CaseQuery{Number: n})
		if err != nil {
			s.log.Warn("pickup ticket's case", "case", n, "err", err)
			continue
		}
		cs = append(cs, found...)
	}
	return s.caseViews(cs)
}
