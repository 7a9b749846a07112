// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"bytes"
	"context"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// stepClock is a hall clock a test moves by hand.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *stepClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func scrape(t *testing.T, e *env) (string, map[string]*dto.MetricFamily) {
	t.Helper()
	r := e.want(e.do("GET", "/metrics", "", ""), 200)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(r.raw))
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text: %v", err)
	}
	return r.raw, fams
}

// series returns the metrics of a family whose labels include want.
func series(f *dto.MetricFamily, want map[string]string) []*dto.Metric {
	var out []*dto.Metric
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

func TestMetricsPerRouteAndHistograms(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	e := startEnv(t, limitsOff, clock.now, func(o *Options) { o.Build = BuildInfo{Version: "v9.8.7", Commit: "abc1234"} })
	tk := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`, "Idempotency-Key", "second"), 201)
	e.want(e.do("GET", "/api/v1/tickets/"+str(tk.body, "id"), tokAdmin, ""), 200)
	e.want(e.do("GET", "/api/v1/tickets/no-such-ticket", tokAdmin, ""), 404)
	e.want(e.do("GET", "/no/such/page", "", ""), 404)
	clock.add(5 * time.Minute)
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	e.want(e.do("POST", "/api/v1/windows/1/recall", tokWin1, ""), 200) // the same call: no second wait
	clock.add(3 * time.Minute)
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"consulted"}`), 200)

	_, fams := scrape(t, e)
	dur := fams["kioskd_http_request_duration_seconds"]
	if dur == nil {
		t.Fatal("no kioskd_http_request_duration_seconds")
	}
	if got := series(dur, map[string]string{"route": "all"}); len(got) != 0 {
		t.Errorf("requests still labelled route=all: %v", got)
	}
	for _, c := range []struct {
		route, method, code string
		count               uint64
	}{
		{"/api/v1/tickets", "POST", "201", 2},
		{"/api/v1/tickets/{id}", "GET", "200", 1},
		{"/api/v1/tickets/{id}", "GET", "404", 1},
		{"/api/v1/windows/{n}/call", "POST", "200", 1},
		{"/api/v1/windows/{n}/finish", "POST", "200", 1},
		{"unmatched", "GET", "404", 1},
	} {
		got := series(dur, map[string]string{"route": c.route, "method": c.method, "code": c.code})
		if len(got) != 1 || got[0].GetHistogram().GetSampleCount() != c.count {
			t.Errorf("%s %s %s: %d series %v, want one with %d requests", c.method, c.route, c.code, len(got), got, c.count)
		}
	}
	hist := func(name string) *dto.Histogram {
		f := fams[name]
		if f == nil || f.GetType() != dto.MetricType_HISTOGRAM {
			t.Fatalf("%s is not a histogram: %v", name, f)
		}
		got := series(f, map[string]string{"zone": "A"})
		if len(got) != 1 {
			t.Fatalf("%s{zone=A}: %d series", name, len(got))
		}
		return got[0].GetHistogram()
	}
	if h := hist("kioskd_ticket_wait_seconds"); h.GetSampleCount() != 1 || h.GetSampleSum() != 300 {
		t.Errorf("wait: %d observations, sum %v; want 1 of 300 s", h.GetSampleCount(), h.GetSampleSum())
	}
	if h := hist("kioskd_ticket_service_seconds"); h.GetSampleCount() != 1 || h.GetSampleSum() != 180 {
		t.Errorf("service: %d observations, sum %v; want 1 of 180 s", h.GetSampleCount(), h.GetSampleSum())
	}
	ev := fams["kioskd_ticket_events_total"]
	for event, want := range map[string]float64{"issued": 2, "called": 1, "finished": 1} {
		got := series(ev, map[string]string{"zone": "A", "event": event})
		if len(got) != 1 || got[0].GetCounter().GetValue() != want {
			t.Errorf("kioskd_ticket_events_total{zone=A,event=%s} = %v, want %v", event, got, want)
		}
	}
	bi := series(fams["kioskd_build_info"], map[string]string{"version": "v9.8.7", "commit": "abc1234", "goversion": runtime.Version()})
	if len(bi) != 1 || bi[0].GetGauge().GetValue() != 1 {
		t.Errorf("kioskd_build_info: %v", fams["kioskd_build_info"])
	}
	for name, f := range fams {
		if f.GetType() == dto.MetricType_COUNTER && !strings.HasSuffix(name, "_total") {
			t.Errorf("counter %s does not end in _total", name)
		}
	}
}

// TestMetricsPromtool has Prometheus's own checker lint a live answer.
func TestMetricsPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (Debian package prometheus; make deps installs it)")
	}
	e := newEnv(t)
	e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	e.want(e.do("POST", "/api/v1/windows/1/call", tokWin1, ""), 200)
	e.want(e.do("POST", "/api/v1/windows/1/finish", tokWin1, `{"result":"consulted"}`), 200)
	raw, _ := scrape(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(raw)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out.String())
	}
	if !strings.Contains(raw, "kioskd_ticket_wait_seconds_bucket") {
		t.Error("the checked answer has no wait histogram")
	}
}
