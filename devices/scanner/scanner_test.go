// SPDX-License-Identifier: AGPL-3.0-or-later

package scanner

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"yichuang/devices"
)

func TestState(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want devices.State
	}{
		{nil, devices.StateOK},
		{fmt.Errorf("sane: test: %w", ErrFeederEmpty), devices.StateOK},
		{fmt.Errorf("x: %w", context.Canceled), devices.StateOK},
		{ErrBusy, devices.StateOK},
		{ErrUnsupported, devices.StateOK},
		{fmt.Errorf("sane: %w", ErrNotFound), devices.StateOffline},
		{ErrJam, devices.StateError},
		{ErrCoverOpen, devices.StateError},
		{ErrFailed, devices.StateError},
		{errors.New("anything else"), devices.StateError},
	} {
		if got := State(tc.err); got != tc.want {
			t.Errorf("State(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
