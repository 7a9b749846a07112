// SPDX-License-Identifier: AGPL-3.0-or-later

// Package leaktest fails a driver package's test run when a test leaves a
// goroutine of the project's devices behind.
package leaktest

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Main runs the tests, then waits up to two seconds for every goroutine
// running code of yichuang/devices to end; one still running fails the run.
// Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leak := leaked(2 * time.Second); leak != "" {
			fmt.Fprintf(os.Stderr, "goroutines left running:\n%s\n", leak)
			code = 1
		}
	}
	os.Exit(code)
}

func leaked(wait time.Duration) string {
	deadline := time.Now().Add(wait)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		var found []string
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "yichuang/devices/") && !strings.Contains(g, "TestMain") && !strings.Contains(g, "leaktest.") {
				found = append(found, g)
			}
		}
		if len(found) == 0 || time.Now().After(deadline) {
			return strings.Join(found, "\n\n")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
