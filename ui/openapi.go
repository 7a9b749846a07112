// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"net/http"

	"yichuang/docs"
)

// routeTable registers routes on the server's mux and keeps their
// patterns, so the published API description can be checked against
// every route the server has (ui/openapi_test.go).
type routeTable struct {
	mux      *http.ServeMux
	patterns *[]string
}

func (t routeTable) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	*t.patterns = append(*t.patterns, pattern)
	t.mux.HandleFunc(pattern, h)
}

func (t routeTable) Handle(pattern string, h http.Handler) {
	*t.patterns = append(*t.patterns, pattern)
	t.mux.Handle(pattern, h)
}

// openAPI serves docs/openapi.json as the repository holds it (no token:
// the description holds no secret).
func (s *Server) openAPI() http.HandlerFunc {
	doc := docs.OpenAPI()
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(doc)
	}
}
