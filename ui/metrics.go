// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"yichuang/config"
	"yichuang/kiosk"
)

// metrics holds the Prometheus registry of one server (no global state).
type metrics struct {
	reg           *prometheus.Registry
	duration      *prometheus.HistogramVec
	printFailures prometheus.Counter
	wait          *prometheus.HistogramVec
	service       *prometheus.HistogramVec
	tickets       *prometheus.CounterVec
}

// BuildInfo names the running build for kioskd_build_info.
type BuildInfo struct {
	Version, Commit string
}

// hallCollector reads the hall's figures at scrape time.
type hallCollector struct {
	s       *Server
	waiting *prometheus.Desc
	today   *prometheus.Desc
	clients *prometheus.Desc
	seq     *prometheus.Desc
	device  *prometheus.Desc
	outbox  *prometheus.Desc // terminal node only
	online  *prometheus.Desc
	offline *prometheus.Desc
}

func (c *hallCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.waiting, c.today, c.clients, c.seq, c.device, c.outbox, c.online, c.offline} {
		ch <- d
	}
}

func (c *hallCollector) Collect(ch chan<- prometheus.Metric) {
	for zone, n := range c.s.hall.Waiting() {
		ch <- prometheus.MustNewConstMetric(c.waiting, prometheus.GaugeValue, float64(n), zone)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if st, err := c.s.hall.Stats(ctx, ""); err == nil {
		for zone, f := range st.Zones {
			for status, n := range map[string]int{"issued": f.Issued, "served": f.Served, "no_show": f.NoShow, "expired": f.Expired, "voided": f.Voided} {
				ch <- prometheus.MustNewConstMetric(c.today, prometheus.GaugeValue, float64(n), zone, status)
			}
		}
	}
	if c.s.health != nil {
		for name, st := range c.s.health.Snapshot() {
			ch <- prometheus.MustNewConstMetric(c.device, prometheus.GaugeValue, 1, name, string(st.State))
		}
	}
	ch <- prometheus.MustNewConstMetric(c.clients, prometheus.GaugeValue, float64(c.s.hub.Clients()))
	ch <- prometheus.MustNewConstMetric(c.seq, prometheus.CounterValue, float64(c.s.hall.LastSeq()))
	if c.s.up != nil {
		st := c.s.up.Status(context.Background())
		ch <- prometheus.MustNewConstMetric(c.outbox, prometheus.GaugeValue, float64(st.Pending), "pending")
		ch <- prometheus.MustNewConstMetric(c.outbox, prometheus.GaugeValue, float64(st.Failed), "failed")
		online := 0.0
		if st.Online {
			online = 1
		}
		ch <- prometheus.MustNewConstMetric(c.online, prometheus.GaugeValue, online)
		for zone, n := range st.OfflineLeft {
			ch <- prometheus.MustNewConstMetric(c.offline, prometheus.GaugeValue, float64(n), zone)
		}
	}
}

func newMetrics(s *Server, build BuildInfo) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kioskd_http_request_duration_seconds",
		Help:    "HTTP request latency by route pattern, method and status code.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route", "method", "code"})
	m.printFailures = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kioskd_print_failures_total", Help: "Tickets that could not be printed (voided or held for reprint).",
	})
	m.wait = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kioskd_ticket_wait_seconds",
		Help:    "Wait from issue to first call, observed when a ticket is called, by zone.",
		Buckets: []float64{30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200},
	}, []string{"zone"})
	m.service = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kioskd_ticket_service_seconds",
		Help:    "Service from call to finish, observed when a window finishes a ticket, by zone.",
		Buckets: []float64{30, 60, 120, 180, 300, 450, 600, 900, 1200, 1800, 3600},
	}, []string{"zone"})
	m.tickets = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kioskd_ticket_events_total",
		Help: "Ticket events of the hall since this process started, by zone and type (issued, called, finished, no_show, voided, expired, transferred).",
	}, []string{"zone", "event"})
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "kioskd_build_info", Help: "The running build: always 1.",
	}, []string{"version", "commit", "goversion"})
	buildInfo.WithLabelValues(cmp.Or(build.Version, "dev"), cmp.Or(build.Commit, "unknown"), runtime.Version()).Set(1)
	m.reg.MustRegister(
		m.printFailures,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.duration, m.wait, m.service, m.tickets, buildInfo,
		&hallCollector{
			s:       s,
			waiting: prometheus.NewDesc("kioskd_queue_waiting", "Tickets waiting now, by zone.", []string{"zone"}, nil),
			today:   prometheus.NewDesc("kioskd_tickets_today", "Tickets of the current hall day by zone and outcome.", []string{"zone", "status"}, nil),
			clients: prometheus.NewDesc("kioskd_websocket_clients", "Connected WebSocket clients.", nil, nil),
			seq:     prometheus.NewDesc("kioskd_events_total", "Events of the hall (the last seq).", nil, nil),
			device:  prometheus.NewDesc("kioskd_device_state", "This terminal's devices: 1 for each device's current state (ok, offline, paper_out, error).", []string{"device", "state"}, nil),
			outbox:  prometheus.NewDesc("kioskd_outbox_entries", "Terminal node: requests for the hall node, pending or refused.", []string{"state"}, nil),
			online:  prometheus.NewDesc("kioskd_upstream_online", "Terminal node: 1 while the hall node answers.", nil, nil),
			offline: prometheus.NewDesc("kioskd_offline_numbers_left", "Terminal node: offline ticket numbers left today, by zone.", []string{"zone"}, nil),
		},
	)
	return m
}

// ticketEvent is what the metrics read of a ticket event.
type ticketEvent struct {
	Zone           string   `json:"zone"`
	Recall         bool     `json:"recall"`
	WaitSeconds    *float64 `json:"wait_seconds"`
	ServiceSeconds *float64 `json:"service_seconds"`
}

// observe counts a hall event; a ticket's first call gives its wait, its
// finish its service time. It runs in the hub's Publish and never blocks.
func (m *metrics) observe(e kiosk.Event) {
	kind, ok := strings.CutPrefix(e.Type, "ticket.")
	if !ok {
		return
	}
	var te ticketEvent
	if err := json.Unmarshal(e.Data, &te); err != nil || te.Zone == "" {
		return
	}
	if te.Recall {
		return // the same call again: neither a new call nor a new wait
	}
	m.tickets.WithLabelValues(te.Zone, kind).Inc()
	switch {
	case kind == "called" && te.WaitSeconds != nil:
		m.wait.WithLabelValues(te.Zone).Observe(*te.WaitSeconds)
	case kind == "finished" && te.ServiceSeconds != nil:
		m.service.WithLabelValues(te.Zone).Observe(*te.ServiceSeconds)
	}
}

// instrument records each request's latency under the pattern of the
// route that served it (r.Pattern, set by the ServeMux); requests no route
// matched share the route "unmatched", so the label set stays bounded.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if _, path, ok := strings.Cut(route, " "); ok {
			route = path // the method has its own label
		}
		if route == "" {
			route = "unmatched"
		}
		method := r.Method
		switch method {
		case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		default:
			method = "other"
		}
		m.duration.WithLabelValues(route, method, strconv.Itoa(sw.code)).Observe(time.Since(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) { w.code = code; w.ResponseWriter.WriteHeader(code) }

// Hijack hands the connection to the WebSocket upgrader.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("ui: the connection cannot be hijacked")
	}
	w.code = http.StatusSwitchingProtocols
	return h.Hijack()
}

// Unwrap lets http.ResponseController (and the WebSocket upgrader) reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// metricsHandler serves /metrics: open on loopback, admin elsewhere.
func (s *Server) metricsHandler() http.HandlerFunc {
	h := promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
	admin := s.auth(roles(config.RoleAdmin), h.ServeHTTP)
	return func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); err == nil && ip != nil && ip.IsLoopback() {
			h.ServeHTTP(w, r)
			return
		}
		admin(w, r)
	}
}
