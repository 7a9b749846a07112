// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"errors"
	"fmt"

	"yichuang/devices"
	"yichuang/devices/escpos"
	"yichuang/ui"
)

// the window's printer prints case slips too
var _ ui.SlipPrinter = (*printer)(nil)

// PrintCaseSlip prints a case's acceptance receipt or result notice on the
// terminal's receipt printer (ui.SlipPrinter), as PrintTicket prints a
// ticket: a transport failure closes the transport so the next job reopens it.
func (p *printer) PrintCaseSlip(ctx context.Context, s devices.CaseSlip) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	err := p.openLocked(ctx)
	if err == nil {
		err = p.dev.PrintCaseSlip(ctx, s)
	}
	p.report(err)
	if err != nil && !errors.Is(err, escpos.ErrPaperOut) && !errors.Is(err, escpos.ErrCoverOpen) {
		p.closeLocked()
	}
	if err != nil {
		return fmt.Errorf("printer: case slip %s: %w", s.Number, err)
	}
	return nil
}
