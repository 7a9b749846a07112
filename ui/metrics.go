package ui

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"yichuang/config"
)

// metrics holds the Prometheus registry of one server (no global state).
type metrics struct {
	reg           *prometheus.Registry
	duration      *prometheus.HistogramVec
	printFailures prometheus.Counter
}

// hallCollector reads the hall's figures at scrape time.
type hallCollector struct {
	s       *Server
	waiting *prometheus.Desc
	today   *prometheus.Desc
	wait    *prometheus.Desc
	clients *prometheus.Desc
	seq     *prometheus.Desc
	device  *prometheus.Desc
	outbox  *prometheus.Desc // terminal node only
	online  *prometheus.Desc
	offline *prometheus.Desc
}

func (c *hallCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.waiting, c.today, c.wait, c.clients, c.seq, c.device, c.outbox, c.online, c.offline} {
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
			ch <- prometheus.MustNewConstMetric(c.wait, prometheus.GaugeValue, f.MeanWaitSec, zone, "mean")
			ch <- prometheus.MustNewConstMetric(c.wait, prometheus.GaugeValue, f.P90WaitSec, zone, "p90")
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

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kioskd_http_request_duration_seconds",
		Help:    "HTTP request latency by route and status.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route", "code"})
	m.printFailures = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kioskd_print_failures_total", Help: "Tickets that could not be printed (voided or held for reprint).",
	})
	m.reg.MustRegister(
		m.printFailures,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.duration,
		&hallCollector{
			s:       s,
			waiting: prometheus.NewDesc("kioskd_queue_waiting", "Tickets waiting now, by zone.", []string{"zone"}, nil),
			today:   prometheus.NewDesc("kioskd_tickets_today", "Tickets of the current hall day by zone and outcome.", []string{"zone", "status"}, nil),
			wait:    prometheus.NewDesc("kioskd_wait_seconds_today", "Wait from issue to call today, by zone (mean, p90).", []string{"zone", "stat"}, nil),
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

// instrument records the latency of a route.
func (m *metrics) instrument(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		m.duration.WithLabelValues(route, strconv.Itoa(sw.code)).Observe(time.Since(start).Seconds())
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
