package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are a Server's Prometheus metrics, in a registry of its own rather than
// the global default, so that several servers (tests, reloads) never collide. Label
// values come only from the configuration (target names) and from small fixed sets
// (resource, method, status, operation, scimType): nothing a client sends becomes a
// label, so the number of series stays bounded, and no label carries a secret.
type metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	inFlight   *prometheus.GaugeVec
	unrouted   *prometheus.CounterVec
	operations *prometheus.HistogramVec
	errors     *prometheus.CounterVec
	rejected   *prometheus.CounterVec
	audit      *prometheus.CounterVec
	auditFail  prometheus.Counter
	reloads    *prometheus.CounterVec
	reloadedAt prometheus.Gauge
	certExpiry prometheus.Gauge
	panics     prometheus.Counter
}

// latencyBuckets span a primary-key lookup on a local database (a millisecond) to
// an import page or a stalled database near the request timeout (30 s).
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

func newMetrics(pool prometheus.Collector) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dbscim_requests_total",
		Help: "SCIM requests routed to a target, by target, resource, method and HTTP status.",
	}, []string{"target", "resource", "method", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "dbscim_request_duration_seconds",
		Help:    "Time to answer a SCIM request routed to a target.",
		Buckets: latencyBuckets,
	}, []string{"target", "resource", "method"})
	m.inFlight = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "dbscim_requests_in_flight",
		Help: "SCIM requests being served, by target.",
	}, []string{"target"})
	m.unrouted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dbscim_unrouted_requests_total",
		Help: "Requests outside any target (unknown target or path), by HTTP status.",
	}, []string{"status"})
	m.operations = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "dbscim_operation_duration_seconds",
		Help:    "Time a target's store took for one SCIM operation, all of its database statements included.",
		Buckets: latencyBuckets,
	}, []string{"target", "resource", "operation", "outcome"})
	m.errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dbscim_scim_errors_total",
		Help: "SCIM error responses, by target, HTTP status and scimType (none when the error has no scimType).",
	}, []string{"target", "status", "scim_type"})
	m.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dbscim_queue_rejected_total",
		Help: "Requests refused with 429 because max_open + max_queue requests were already in flight on the target.",
	}, []string{"target"})
	m.audit = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dbscim_audit_events_total",
		Help: "Audit events (attempted changes), by target, operation and whether the change was made.",
	}, []string{"target", "operation", "outcome"})
	m.auditFail = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "dbscim_audit_write_errors_total",
		Help: "Audit events that could not be written to the audit file (they are still in the log).",
	})
	m.reloads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dbscim_config_reloads_total",
		Help: "Configuration reloads, by result (ok, error).",
	}, []string{"result"})
	m.reloadedAt = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "dbscim_config_last_reload_success_timestamp_seconds",
		Help: "When the configuration in force was loaded, as a Unix time.",
	})
	m.certExpiry = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "dbscim_tls_certificate_expiry_timestamp_seconds",
		Help: "When the served TLS certificate expires, as a Unix time (absent without TLS).",
	})
	m.panics = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "dbscim_panics_total",
		Help: "Requests whose handler panicked (answered 500, logged with a stack).",
	})
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, m.unrouted, m.operations, m.errors, m.rejected,
		m.audit, m.auditFail, m.reloads, m.reloadedAt, m.panics, pool,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reloadedAt.SetToCurrentTime()
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// setCertExpiry publishes the certificate's expiry; the gauge is registered only
// once there is a certificate, so that a plain-HTTP server does not report 0.
func (m *metrics) setCertExpiry(t time.Time) {
	if err := m.reg.Register(m.certExpiry); err != nil {
		if _, ok := err.(prometheus.AlreadyRegisteredError); !ok {
			return
		}
	}
	m.certExpiry.Set(float64(t.Unix()))
}

// poolStats reports database/sql pool statistics of the targets in force. It reads
// DB.Stats at scrape time, so that the numbers follow reloads without bookkeeping.
type poolStats struct {
	targets func() []*served
	open    *prometheus.Desc
	inUse   *prometheus.Desc
	idle    *prometheus.Desc
	max     *prometheus.Desc
	waits   *prometheus.Desc
	waited  *prometheus.Desc
	limit   *prometheus.Desc
}

func newPoolStats(targets func() []*served) *poolStats {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, []string{"target"}, nil)
	}
	return &poolStats{
		targets: targets,
		open:    d("dbscim_db_connections_open", "Connections open to the target's database, in use or idle."),
		inUse:   d("dbscim_db_connections_in_use", "Connections serving a statement or transaction."),
		idle:    d("dbscim_db_connections_idle", "Connections open and idle."),
		max:     d("dbscim_db_connections_max_open", "The pool's max_open."),
		waits:   d("dbscim_db_wait_total", "Times a request waited for a connection because max_open were in use."),
		waited:  d("dbscim_db_wait_seconds_total", "Total time requests waited for a connection."),
		limit:   d("dbscim_requests_limit", "Requests a target serves at once before answering 429: max_open + max_queue."),
	}
}

// Describe implements prometheus.Collector.
func (p *poolStats) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{p.open, p.inUse, p.idle, p.max, p.waits, p.waited, p.limit} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (p *poolStats) Collect(ch chan<- prometheus.Metric) {
	for _, t := range p.targets() {
		s := t.target.Pool.DB.Stats()
		name := t.target.Name
		ch <- prometheus.MustNewConstMetric(p.open, prometheus.GaugeValue, float64(s.OpenConnections), name)
		ch <- prometheus.MustNewConstMetric(p.inUse, prometheus.GaugeValue, float64(s.InUse), name)
		ch <- prometheus.MustNewConstMetric(p.idle, prometheus.GaugeValue, float64(s.Idle), name)
		ch <- prometheus.MustNewConstMetric(p.max, prometheus.GaugeValue, float64(s.MaxOpenConnections), name)
		ch <- prometheus.MustNewConstMetric(p.waits, prometheus.CounterValue, float64(s.WaitCount), name)
		ch <- prometheus.MustNewConstMetric(p.waited, prometheus.CounterValue, s.WaitDuration.Seconds(), name)
		ch <- prometheus.MustNewConstMetric(p.limit, prometheus.GaugeValue, float64(cap(t.slots)), name)
	}
}

func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// knownScimTypes are the scimType values of RFC 7644 §3.12; anything else is
// counted as "other" so that a label cannot grow without bound.
var knownScimTypes = map[string]bool{"invalidFilter": true, "tooMany": true, "uniqueness": true, "mutability": true,
	"invalidSyntax": true, "invalidPath": true, "noTarget": true, "invalidValue": true, "invalidVers": true,
	"sensitive": true}

// scimTypeOf reads scimType from a SCIM error body.
func scimTypeOf(body []byte) string {
	var e struct {
		ScimType string `json:"scimType"`
	}
	if json.Unmarshal(bytes.TrimSpace(body), &e) != nil || e.ScimType == "" {
		return "none"
	}
	if knownScimTypes[e.ScimType] {
		return e.ScimType
	}
	return "other"
}

// recorder remembers a response's status and keeps the start of an error body, to
// read its scimType for the errors metric and audit events.
type recorder struct {
	http.ResponseWriter
	status  int
	wrote   bool
	errBody []byte
	// x is the request's exchange, on the recorder ServeHTTP hands the routing.
	x *exchange
}

// maxErrBody bounds what is kept of an error body: SCIM errors are small.
const maxErrBody = 4 << 10

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
		// Okta and Entra back off as Retry-After says: every 503 and 429 carries
		// one, including those made without the engine's hint (a deadline seen
		// first by the SCIM handler).
		if (code == http.StatusServiceUnavailable || code == http.StatusTooManyRequests) && r.Header().Get("Retry-After") == "" {
			r.Header().Set("Retry-After", "5")
		}
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.status, r.wrote = http.StatusOK, true
	}
	if r.status >= 400 && len(r.errBody) < maxErrBody {
		n := min(len(b), maxErrBody-len(r.errBody))
		r.errBody = append(r.errBody, b[:n]...)
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flush, deadlines).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// statusLabels are the labels of the statuses dbscim answers, made once: strconv
// allocates every number above 99.
var statusLabels = func() map[int]string {
	m := map[int]string{}
	for code := 100; code < 600; code++ {
		if http.StatusText(code) != "" {
			m[code] = strconv.Itoa(code)
		}
	}
	return m
}()

func statusLabel(code int) string {
	if l, ok := statusLabels[code]; ok {
		return l
	}
	return strconv.Itoa(code)
}

// series keeps the series of one metric vector that a target's requests use, by
// their label values. WithLabelValues hashes and checks every label value on each
// call; a lookup here is one map read. The label values come from the bounded sets
// the metrics allow, so the map stays small, and a vector never drops a series, so
// a kept one is the one scraped.
type series[K comparable, M any] struct {
	mu    sync.RWMutex
	m     map[K]M
	build func(K) M
}

func newSeries[K comparable, M any](build func(K) M) *series[K, M] {
	return &series[K, M]{m: map[K]M{}, build: build}
}

func (s *series[K, M]) get(k K) M {
	s.mu.RLock()
	v, ok := s.m[k]
	s.mu.RUnlock()
	if ok {
		return v
	}
	v = s.build(k)
	s.mu.Lock()
	s.m[k] = v
	s.mu.Unlock()
	return v
}

// routeKey labels a request's series beside its target.
type routeKey struct {
	resource, method string
	status           int
}

// targetSeries are the request metrics' series of one target.
type targetSeries struct {
	inFlight prometheus.Gauge
	requests *series[routeKey, prometheus.Counter]
	duration *series[routeKey, prometheus.Observer] // status 0
}

func (m *metrics) forTarget(target string) *targetSeries {
	return &targetSeries{
		inFlight: m.inFlight.WithLabelValues(target),
		requests: newSeries(func(k routeKey) prometheus.Counter {
			return m.requests.WithLabelValues(target, k.resource, k.method, statusLabel(k.status))
		}),
		duration: newSeries(func(k routeKey) prometheus.Observer {
			return m.duration.WithLabelValues(target, k.resource, k.method)
		}),
	}
}

// operationKey labels a store operation's series beside its target and resource.
type operationKey struct{ op, outcome string }
