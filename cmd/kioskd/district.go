// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"yichuang/config"
	"yichuang/district"
	"yichuang/kiosk"
)

// districtLink is this hall node's place in the district: the embedded NATS
// server and the standard catalog it applies. It is what the HTTP API's
// district endpoints ask (ui.District).
type districtLink struct {
	*district.Node
	cfg *config.Config
}

// startDistrict joins the district when [district] names this centre, and
// puts every standard catalog version in force as it arrives (the last one
// the node holds at once, even with the link down). nil: a hall alone.
func startDistrict(ctx context.Context, cfg *config.Config, hall *kiosk.Hall, log *slog.Logger) (*districtLink, error) {
	d := cfg.District
	if !d.Enabled() {
		return nil, nil
	}
	dc := district.Config{Centre: d.Centre, Name: d.Name, Hub: d.Hub, LeafListen: d.LeafListen, URLs: d.URL, Token: d.Token, StoreDir: d.Store}
	tc, err := districtTLS(d)
	if err != nil {
		return nil, err
	}
	dc.TLS = tc
	n, err := district.Start(ctx, dc, log.With("part", "district"))
	if err != nil {
		return nil, err
	}
	l := &districtLink{Node: n, cfg: cfg}
	if err := n.WatchCatalog(ctx, func(v uint64, data []byte) error {
		cat, err := hallCatalog(cfg, data)
		if err != nil {
			return err
		}
		hall.SetCatalog(cat, v)
		return nil
	}); err != nil {
		n.Close()
		return nil, err
	}
	every := time.Duration(d.FiguresSeconds) * time.Second
	go tellFigures(ctx, l, hall, cfg, every, log.With("part", "district"))
	return l, nil
}

// PublishCatalog checks a catalog as every centre will parse it, then
// publishes it as the district's next version (hub only).
func (l *districtLink) PublishCatalog(ctx context.Context, data []byte) (uint64, error) {
	if !l.IsHub() {
		return 0, &kiosk.Error{Kind: kiosk.KindConflict, Msg: "只有区级枢纽可以发布标准事项目录 (only the district hub publishes the standard catalog)"}
	}
	if _, err := hallCatalog(l.cfg, data); err != nil {
		return 0, &kiosk.Error{Kind: kiosk.KindInvalid, Msg: "标准事项目录有误 (the catalog does not parse): " + err.Error()}
	}
	return l.Node.PublishCatalog(ctx, data)
}

// hallCatalog reads a district catalog (the shape of GET /api/v1/catalog:
// its zones and version are ignored) for this hall: a matter of a zone this
// hall does not have goes to its first zone (a town centre's one
// comprehensive zone takes in every matter).
func hallCatalog(cfg *config.Config, data []byte) (*kiosk.Catalog, error) {
	var doc struct {
		Note     string            `json:"note,omitempty"`
		Matters  []json.RawMessage `json:"matters"`
		Packages []json.RawMessage `json:"packages"`
		Zones    json.RawMessage   `json:"zones,omitempty"`
		Version  json.RawMessage   `json:"version,omitempty"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("catalog JSON: %w", err)
	}
	zones := make([]string, 0, len(cfg.Zones))
	for _, z := range cfg.Zones {
		zones = append(zones, z.ID)
	}
	// a zone this hall lacks → its first zone
	rezone := func(list []json.RawMessage, what, key string) error {
		for i, raw := range list {
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				return fmt.Errorf("%s[%d]: %w", what, i, err)
			}
			if z, ok := m[key].(string); ok && z != "" && !slices.Contains(zones, z) && len(zones) > 0 {
				m[key] = zones[0]
			}
			b, err := json.Marshal(m)
			if err != nil {
				return fmt.Errorf("%s[%d]: %w", what, i, err)
			}
			list[i] = b
		}
		return nil
	}
	if err := rezone(doc.Matters, "matters", "zone"); err != nil {
		return nil, err
	}
	if doc.Packages == nil {
		doc.Packages = []json.RawMessage{}
	}
	if err := rezone(doc.Packages, "packages", "lead_zone"); err != nil {
		return nil, err
	}
	out, err := json.Marshal(struct {
		Note     string            `json:"note,omitempty"`
		Matters  []json.RawMessage `json:"matters"`
		Packages []json.RawMessage `json:"packages"`
	}{doc.Note, doc.Matters, doc.Packages})
	if err != nil {
		return nil, err
	}
	return kiosk.ParseCatalog(out, zones, cfg.Mail.ExcludedDepartments)
}

// districtTLS is the leaf link's TLS: the hub's key pair, or the CAs a
// centre trusts; nil: plain TCP.
func districtTLS(d config.District) (*tls.Config, error) {
	switch {
	case d.Hub && d.Cert != "":
		pair, err := tls.LoadX509KeyPair(d.Cert, d.Key)
		if err != nil {
			return nil, fmt.Errorf("config: district.cert: %w", err)
		}
		return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}, nil
	case !d.Hub && d.CAFile != "":
		b, err := os.ReadFile(d.CAFile)
		if err != nil {
			return nil, fmt.Errorf("config: district.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("config: district.ca_file: %s holds no PEM certificate", d.CAFile)
		}
		return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}, nil
	}
	return nil, nil
}

// Figures are the district's figures over the days from..to (hub only).
func (l *districtLink) Figures(ctx context.Context, from, to string) (*district.DistrictFigures, error) {
	if !l.IsHub() {
		return nil, &kiosk.Error{Kind: kiosk.KindConflict, Msg: "全区数据只在区级枢纽 (the district's figures are at the hub)"}
	}
	return l.Node.Figures(ctx, from, to)
}

// tellFigures tells the district this hall's figures: the last week's at
// start (a day the hub missed while the link was down), then today's every
// interval, and a day's last figures when the hall's day changes.
func tellFigures(ctx context.Context, l *districtLink, hall *kiosk.Hall, cfg *config.Config, every time.Duration, log *slog.Logger) {
	staff := 0
	for _, z := range cfg.Zones {
		staff += len(z.Windows)
	}
	tell := func(date string) {
		st, err := hall.Stats(ctx, date)
		if err != nil {
			log.Warn("district: figures", "date", date, "err", err)
			return
		}
		t := st.Total
		f := district.DayFigures{
			Date: date, Issued: t.Issued, Served: t.Served, NoShow: t.NoShow, Waited: t.Called,
			WaitSumSec: t.MeanWaitSec * float64(t.Called), CasesAccepted: t.CasesAccepted, CasesOverdue: t.CasesOverdue,
			Ratings: t.Ratings, Rated: t.Rated, IntakeStaff: staff,
		}
		if err := l.PublishFigures(ctx, f); err != nil && ctx.Err() == nil {
			log.Warn("district: figures", "date", date, "err", err)
		}
	}
	day := func() string { return hall.Now().In(cfg.Location).Format(time.DateOnly) }
	today := day()
	for i := 7; i >= 0; i-- {
		tell(hall.Now().In(cfg.Location).AddDate(0, 0, -i).Format(time.DateOnly))
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if d := day(); d != today {
			tell(today) // the day that ended, whole
			today = d
		}
		tell(today)
	}
}
