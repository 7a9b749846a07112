// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// TestWebSocketOrigin: a page of another site cannot open the event stream
// with a terminal's token (the browser sends its Origin); the hall's own
// pages and non-browser clients (no Origin) can.
func TestWebSocketOrigin(t *testing.T) {
	e := newEnv(t)
	u := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/events?token=" + tokDisplay
	tests := []struct {
		origin string
		want   int
	}{
		{"http://evil.example", http.StatusForbidden},
		{"http://" + strings.TrimPrefix(e.srv.URL, "http://") + ".evil.example", http.StatusForbidden},
		{e.srv.URL, http.StatusSwitchingProtocols},
		{"", http.StatusSwitchingProtocols},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.origin != "" {
			h.Set("Origin", tt.origin)
		}
		c, res, err := websocket.DefaultDialer.Dial(u, h)
		if res == nil {
			t.Fatalf("origin %q: no answer: %v", tt.origin, err)
		}
		if res.StatusCode != tt.want {
			t.Errorf("origin %q: %d, want %d", tt.origin, res.StatusCode, tt.want)
		}
		if c != nil {
			c.Close()
		}
	}
}
