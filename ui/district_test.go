// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"context"
	"errors"
	"time"

	"yichuang/district"
	"yichuang/kiosk"
)

// hubDouble answers the district endpoints as a hub would, for the
// contract walk (the real hub and centres are driven across processes in
// cmd/kioskd's TestDistrictCatalog).
type hubDouble struct{ version uint64 }

func (h *hubDouble) IsHub() bool { return true }

func (h *hubDouble) Centres(context.Context) ([]district.CentreStatus, error) {
	at := time.Date(2026, 3, 2, 9, 59, 58, 0, time.UTC)
	return []district.CentreStatus{
		{Centre: "350303-00", Name: "涵江区行政服务中心", Online: true, LastSeen: &at, CatalogVersion: h.version},
		{Centre: "350303-01", Name: "江口镇便民服务中心", CatalogVersion: h.version, Behind: 3},
	}, nil
}

func (h *hubDouble) PublishCatalog(_ context.Context, data []byte) (uint64, error) {
	if len(data) < 2 || data[0] != '{' {
		return 0, &kiosk.Error{Kind: kiosk.KindInvalid, Msg: "标准事项目录有误 (the catalog does not parse)"}
	}
	h.version++
	return h.version, nil
}

func (h *hubDouble) Figures(_ context.Context, from, to string) (*district.DistrictFigures, error) {
	if from > to {
		return nil, errors.New("from after to")
	}
	c := district.CentreFigures{Centre: "350303-01", Name: "江口镇便民服务中心"}
	c.Issued, c.Served, c.Ratings = 3, 2, map[string]int{"5": 1}
	return &district.DistrictFigures{From: from, To: to, Centres: []district.CentreFigures{c}, Sum: c.Totals}, nil
}
