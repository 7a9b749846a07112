// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"fmt"
	"slices"
	"time"
)

// durs is a set of latency samples.
type durs []time.Duration

// pct returns the p-th percentile (0..100) by the nearest-rank method.
func (d durs) pct(p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	rank := int(p/100*float64(len(s))+0.999999) - 1
	rank = max(0, min(rank, len(s)-1))
	return s[rank]
}

func (d durs) max() time.Duration {
	if len(d) == 0 {
		return 0
	}
	return slices.Max(d)
}

// ms formats a duration in milliseconds with a precision that suits it.
func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	switch {
	case f >= 100:
		return fmt.Sprintf("%.0f ms", f)
	case f >= 10:
		return fmt.Sprintf("%.1f ms", f)
	case f >= 1:
		return fmt.Sprintf("%.2f ms", f)
	default:
		return fmt.Sprintf("%.3f ms", f)
	}
}

// rate formats a count per second.
func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%s/s", thousands(int(float64(n)/d.Seconds()+0.5)))
}

func perSec(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// thousands writes n with a comma every three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// mb formats a size given in KiB (as /proc says kB) in megabytes (10^6 bytes).
func mb(kib int) string { return fmt.Sprintf("%.1f MB", float64(kib)*1024/1e6) }

// underMB says whether kib KiB is at most n megabytes (10^6 bytes).
func underMB(kib, n int) bool { return float64(kib)*1024 <= float64(n)*1e6 }
