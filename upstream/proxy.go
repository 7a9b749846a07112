// SPDX-License-Identifier: AGPL-3.0-or-later

package upstream

import (
	"context"
	"net/http"
	"net/http/httputil"
	"time"
)

// Forward passes a request on to the hall node as this terminal: this
// node's token (header or ?token=) is replaced by the terminal's token on
// the hall node; a staff session and an idempotency key go as they came.
func (n *Node) Forward(w http.ResponseWriter, r *http.Request) {
	n.forward(w, r, true)
}

// ForwardPublic passes a request on without any terminal's credentials
// (no Authorization; the query, with a status link's key, as it came).
func (n *Node) ForwardPublic(w http.ResponseWriter, r *http.Request) {
	n.forward(w, r, false)
}

func (n *Node) forward(w http.ResponseWriter, r *http.Request, asTerminal bool) {
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	p := &httputil.ReverseProxy{
		Transport: n.client.Transport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(n.base)
			pr.Out.Header.Del("Authorization")
			pr.Out.Header.Del("X-Staff-Session")
			if asTerminal {
				q := pr.Out.URL.Query()
				q.Del("token")
				pr.Out.URL.RawQuery = q.Encode()
				pr.Out.Header.Set("Authorization", "Bearer "+n.token)
				if s := pr.In.Header.Get("X-Staff-Session"); s != "" {
					pr.Out.Header.Set("X-Staff-Session", s)
				}
			}
			pr.SetXForwarded()
		},
		ModifyResponse: func(res *http.Response) error {
			if res.StatusCode < 500 {
				n.setOnline(true, nil)
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			n.setOnline(false, err)
			n.log.Warn("forward to the hall node", "path", r.URL.Path, "err", err)
			ue := away("请稍后再试 (try again shortly)")
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(ue.Status)
			_, _ = w.Write(ue.Body)
		},
	}
	p.ServeHTTP(w, r.WithContext(ctx))
}
