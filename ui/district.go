// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"yichuang/district"
)

// District is this hall node's place in the district (nil: a hall alone).
type District interface {
	IsHub() bool
	Centres(ctx context.Context) ([]district.CentreStatus, error)
	PublishCatalog(ctx context.Context, data []byte) (uint64, error)
	Figures(ctx context.Context, from, to string) (*district.DistrictFigures, error)
}

// maxCatalog bounds a PUT catalog body: the district's 1,100 matters fit
// in a few hundred kilobytes.
const maxCatalog = 16 << 20

// districtCentres answers GET /api/v1/district/centres: on the hub every
// centre, on a centre its own link.
func (s *Server) districtCentres(w http.ResponseWriter, r *http.Request) {
	if s.district == nil {
		writeError(w, http.StatusNotFound, "", "本中心未加入全区网络 (this hall node is not part of a district: [district] is not configured)")
		return
	}
	cs, err := s.district.Centres(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if cs == nil {
		cs = []district.CentreStatus{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"centres": cs})
}

// putCatalog answers PUT /api/v1/catalog on the hub: the district's next
// standard catalog version, which every centre receives.
func (s *Server) putCatalog(w http.ResponseWriter, r *http.Request) {
	if s.district == nil || !s.district.IsHub() {
		writeError(w, http.StatusConflict, "", "只有区级枢纽可以发布标准事项目录 (only the district hub publishes the standard catalog)")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCatalog))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("事项目录过大 (the catalog is over %d bytes)", maxCatalog))
			return
		}
		writeError(w, http.StatusBadRequest, "", "the body could not be read whole")
		return
	}
	v, err := s.district.PublishCatalog(r.Context(), body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("district catalog published", "version", v, "bytes", len(body))
	writeJSON(w, http.StatusOK, map[string]any{"version": v})
}

// districtStats answers GET /api/v1/district/stats?from=&to= on the hub:
// every centre's figures over the period and their sum (default: today).
func (s *Server) districtStats(w http.ResponseWriter, r *http.Request) {
	if s.district == nil {
		writeError(w, http.StatusNotFound, "", "本中心未加入全区网络 (this hall node is not part of a district: [district] is not configured)")
		return
	}
	today := s.hall.Now().In(s.cfg.Location).Format(time.DateOnly)
	from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
	if from == "" {
		from = today
	}
	if to == "" {
		to = from
	}
	a, err := time.Parse(time.DateOnly, from)
	if err != nil {
		writeError(w, http.StatusBadRequest, "from", fmt.Sprintf("%q is not YYYY-MM-DD", from))
		return
	}
	b, err := time.Parse(time.DateOnly, to)
	if err != nil {
		writeError(w, http.StatusBadRequest, "to", fmt.Sprintf("%q is not YYYY-MM-DD", to))
		return
	}
	if b.Before(a) || b.Sub(a) > 366*24*time.Hour {
		writeError(w, http.StatusBadRequest, "to", "a range of 1 to 366 days from "+from)
		return
	}
	f, err := s.district.Figures(r.Context(), from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}
