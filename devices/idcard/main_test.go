// SPDX-License-Identifier: AGPL-3.0-or-later

package idcard_test

import (
	"testing"

	"yichuang/devices/internal/leaktest"
)

// TestMain fails the run when a test leaves a goroutine of the driver or the
// simulator behind.
func TestMain(m *testing.M) { leaktest.Main(m) }
