// SPDX-License-Identifier: AGPL-3.0-or-later

package district

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

const (
	// figuresStream, in the hub's domain, holds every centre's figures of
	// each day (the last word of each centre on each day), sourced from the
	// centres' own figures streams.
	figuresStream = "FIGURES"
	figuresPrefix = "district.figures."
)

func figuresStreamName(centre string) string {
	return "FIGURES_" + strings.NewReplacer("-", "_").Replace(centre)
}

// DayFigures are one centre's figures of one hall day, as it last told them.
type DayFigures struct {
	Centre        string         `json:"centre"`
	Date          string         `json:"date"`
	Issued        int            `json:"issued"`
	Served        int            `json:"served"`
	NoShow        int            `json:"no_show"`
	Waited        int            `json:"waited"` // tickets called, whose waits the sum holds
	WaitSumSec    float64        `json:"wait_sum_s"`
	CasesAccepted int            `json:"cases_accepted"`
	CasesOverdue  int            `json:"cases_overdue"`
	Ratings       map[string]int `json:"ratings"` // "1".."5" → count
	Rated         int            `json:"rated"`
	IntakeStaff   int            `json:"intake_staff"` // the centre's intake windows
}

// Totals add days' figures up (a centre's over a period, or the district's).
type Totals struct {
	Issued        int            `json:"issued"`
	Served        int            `json:"served"`
	NoShow        int            `json:"no_show"`
	MeanWaitSec   float64        `json:"mean_wait_s"`
	CasesAccepted int            `json:"cases_accepted"`
	CasesOverdue  int            `json:"cases_overdue"`
	Ratings       map[string]int `json:"ratings"`
	Rated         int            `json:"rated"`
	IntakeStaff   int            `json:"intake_staff"`
	// CasesPerStaff is cases accepted per intake member of staff over the period.
	CasesPerStaff float64 `json:"cases_per_intake_staff"`
	Days          int     `json:"days"` // days with figures

	waited  int
	waitSum float64
}

func (t *Totals) add(d DayFigures) {
	if t.Ratings == nil {
		t.Ratings = map[string]int{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}
	}
	t.Issued += d.Issued
	t.Served += d.Served
	t.NoShow += d.NoShow
	t.CasesAccepted += d.CasesAccepted
	t.CasesOverdue += d.CasesOverdue
	t.Rated += d.Rated
	for k, v := range d.Ratings {
		t.Ratings[k] += v
	}
	t.waited += d.Waited
	t.waitSum += d.WaitSumSec
	t.Days++
}

func (t *Totals) finish(staff int) {
	if t.Ratings == nil {
		t.Ratings = map[string]int{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}
	}
	t.IntakeStaff = staff
	if t.waited > 0 {
		t.MeanWaitSec = t.waitSum / float64(t.waited)
	}
	if staff > 0 {
		t.CasesPerStaff = float64(t.CasesAccepted) / float64(staff)
	}
}

// CentreFigures are a centre's totals over a period.
type CentreFigures struct {
	Centre string `json:"centre"`
	Name   string `json:"name"`
	Totals
}

// DistrictFigures are every centre's totals over a period, and their sum.
type DistrictFigures struct {
	From    string          `json:"from"`
	To      string          `json:"to"`
	Centres []CentreFigures `json:"centres"`
	Sum     Totals          `json:"sum"`
}

// PublishFigures tells the district this centre's figures of a day. The
// same figures again are a duplicate the stream drops; newer ones of the
// same day replace them at the hub.
func (n *Node) PublishFigures(ctx context.Context, f DayFigures) error {
	f.Centre = n.cfg.Centre
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	id := n.cfg.Centre + ":figures:" + f.Date + ":" + hex.EncodeToString(sum[:8])
	if _, err := n.js.Publish(ctx, figuresPrefix+n.cfg.Centre+"."+f.Date, b, jetstream.WithMsgID(id)); err != nil {
		return fmt.Errorf("district: publish figures of %s: %w", f.Date, err)
	}
	return nil
}

// setUpFigures creates this node's figures stream (its own domain; the
// last figures of each day) and, at the hub, the district's.
func (n *Node) setUpFigures(ctx context.Context) error {
	if _, err := n.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: figuresStreamName(n.cfg.Centre), Subjects: []string{figuresPrefix + n.cfg.Centre + ".*"},
		Storage: jetstream.FileStorage, MaxMsgsPerSubject: 1, Duplicates: time.Hour,
		Description: "centre " + n.cfg.Centre + "'s figures, the last of each day",
	}); err != nil {
		return fmt.Errorf("district: own figures stream: %w", err)
	}
	if !n.cfg.Hub {
		return nil
	}
	if _, err := n.js.Stream(ctx, figuresStream); errors.Is(err, jetstream.ErrStreamNotFound) {
		if _, err := n.js.CreateStream(ctx, jetstream.StreamConfig{
			Name: figuresStream, Storage: jetstream.FileStorage, MaxMsgsPerSubject: 1,
			Description: "every centre's figures, the last of each day",
		}); err != nil {
			return fmt.Errorf("district: %s stream: %w", figuresStream, err)
		}
	} else if err != nil {
		return fmt.Errorf("district: %s stream: %w", figuresStream, err)
	}
	return nil
}

// Figures adds up every centre's figures of the days from..to (hub only).
// staff is each centre's intake staff as it last told it.
func (n *Node) Figures(ctx context.Context, from, to string) (*DistrictFigures, error) {
	if !n.cfg.Hub {
		return nil, errors.New("district: only the hub holds the district's figures")
	}
	st, err := n.js.Stream(ctx, figuresStream)
	if err != nil {
		return nil, fmt.Errorf("district: %s stream: %w", figuresStream, err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("district: %s stream info: %w", figuresStream, err)
	}
	byCentre := map[string]*CentreFigures{}
	staff := map[string]int{}
	lastDate := map[string]string{}
	centres, err := n.Centres(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range centres {
		byCentre[c.Centre] = &CentreFigures{Centre: c.Centre, Name: c.Name}
	}
	if left := info.State.Msgs; left > 0 {
		cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
		if err != nil {
			return nil, fmt.Errorf("district: read figures: %w", err)
		}
		for left > 0 {
			batch, err := cons.FetchNoWait(int(min(left, 1000)))
			if err != nil {
				return nil, fmt.Errorf("district: read figures: %w", err)
			}
			got := 0
			for m := range batch.Messages() {
				got++
				var d DayFigures
				if err := json.Unmarshal(m.Data(), &d); err != nil {
					n.log.Warn("district: figures that do not parse", "subject", m.Subject(), "err", err)
					continue
				}
				if d.Date > lastDate[d.Centre] {
					lastDate[d.Centre], staff[d.Centre] = d.Date, d.IntakeStaff
				}
				if d.Date < from || d.Date > to {
					continue
				}
				c := byCentre[d.Centre]
				if c == nil {
					c = &CentreFigures{Centre: d.Centre}
					byCentre[d.Centre] = c
				}
				c.add(d)
			}
			if err := batch.Error(); err != nil {
				return nil, fmt.Errorf("district: read figures: %w", err)
			}
			if got == 0 {
				break // nothing more right now
			}
			left -= uint64(got)
		}
	}
	out := &DistrictFigures{From: from, To: to, Centres: []CentreFigures{}}
	var sumStaff int
	for _, c := range byCentre {
		c.finish(staff[c.Centre])
		sumStaff += staff[c.Centre]
		out.Centres = append(out.Centres, *c)
	}
	sort.Slice(out.Centres, func(i, j int) bool { return out.Centres[i].Centre < out.Centres[j].Centre })
	for _, c := range out.Centres {
		out.Sum.Issued += c.Issued
		out.Sum.Served += c.Served
		out.Sum.NoShow += c.NoShow
		out.Sum.CasesAccepted += c.CasesAccepted
		out.Sum.CasesOverdue += c.CasesOverdue
		out.Sum.Rated += c.Rated
		out.Sum.Days += c.Days
		out.Sum.waited += c.waited
		out.Sum.waitSum += c.waitSum
		if out.Sum.Ratings == nil {
			out.Sum.Ratings = map[string]int{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}
		}
		for k, v := range c.Ratings {
			out.Sum.Ratings[k] += v
		}
	}
	out.Sum.finish(sumStaff)
	return out, nil
}
