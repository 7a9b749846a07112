// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
)

//go:embed web
var webFS embed.FS

// pages serves the embedded web app: one HTML page per screen, the shared
// assets under /static/, and /config.js with the hall's runtime settings.
func (s *Server) pages(m routeTable) {
	static, err := fs.Sub(webFS, "web")
	if err != nil {
		panic(err) // the embedded tree is part of the binary: a build error, not input
	}
	page := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, err := fs.ReadFile(static, name)
			if err != nil {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
			w.Header().Set("Referrer-Policy", "no-referrer")
			_, _ = w.Write(b)
		}
	}
	for _, p := range []string{"kiosk", "guide", "window", "display", "admin", "backoffice", "agent", "counter"} {
		m.HandleFunc("GET /"+p, page(p+".html"))
	}
	m.HandleFunc("GET /s/{id}", page("status.html"))
	m.HandleFunc("GET /c/{number}", page("progress.html")) // a case's public progress page
	m.HandleFunc("GET /{$}", page("index.html"))
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.FS(static))))
	m.HandleFunc("GET /config.js", s.configJS)
}

// configJS carries the settings the web app needs, so one build serves every hall.
func (s *Server) configJS(w http.ResponseWriter, r *http.Request) {
	b, _ := json.Marshal(map[string]any{
		"hall":             s.cfg.Hall.Name,
		"timezone":         s.cfg.Timezone,
		"zones":            s.zoneViews(),
		"priority_reasons": s.cfg.Queue.PriorityReasons,
		"scanner":          len(s.scanners) > 0,
		"voice":            s.voice != nil,
		"speak":            s.speak != nil,
		"terminal_node":    s.up != nil,
	})
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write([]byte("window.KIOSKD = " + string(b) + ";\n"))
}
