// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter keeps one token bucket per key (a terminal, or a client address
// for unauthenticated callers) and forgets keys idle for ten minutes.
type limiter struct {
	mu      sync.Mutex
	perSec  rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiter(perSec float64, burst int) *limiter {
	if perSec <= 0 {
		return nil
	}
	return &limiter{perSec: rate.Limit(perSec), burst: burst, buckets: map[string]*bucket{}}
}

// allow takes a token for key; a nil limiter allows everything.
func (l *limiter) allow(key string) bool { return l.allowN(key, 1) }

// allowN takes n tokens for key (a request that costs more than one).
func (l *limiter) allowN(key string, n int) bool {
	if l == nil {
		return true
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{l: rate.NewLimiter(l.perSec, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.l.AllowN(now, max(n, 1))
}

// costOf is what a request takes of its terminal's bucket: a request that
// issues a ticket costs [limits] issue_cost (a kiosk issues a few tickets
// a minute, a guide desk a few more; reads are cheap and frequent).
func (s *Server) costOf(r *http.Request) int {
	if r.Method != http.MethodPost {
		return 1
	}
	p := r.URL.Path
	if p == "/api/v1/tickets" || p == "/api/v1/agent/takeovers" ||
		(strings.HasPrefix(p, "/api/v1/appointments/") && strings.HasSuffix(p, "check-in")) {
		// never more than a whole burst, or it could never pass
		return max(1, min(s.cfg.Limits.IssueCost, s.cfg.Limits.TerminalBurst))
	}
	return 1
}

// clientAddr is the caller's IP address (no proxy headers are trusted).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func tooMany(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	writeError(w, http.StatusTooManyRequests, "", "too many requests; slow down (请求过于频繁，请稍后再试)")
}
