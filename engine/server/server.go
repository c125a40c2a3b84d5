// Package server is dbscim's transport: the HTTP server with its timeouts and body
// limit, TLS, per-target authentication and request limits, health and metrics
// endpoints, request logs and audit events, configuration reload, and the routing of
// /scim/v2/<target>/ to each target's SCIM handler.
package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dbscim/dbscim/engine"
	"github.com/dbscim/dbscim/engine/scim"
	"github.com/dbscim/dbscim/engine/scim11"
	"github.com/dbscim/dbscim/operations"
)

// BasePath is where SCIM is served: /scim/v2/<target>.
const BasePath = "/scim/v2"

// V1BasePath is where the same targets are served in SCIM 1.1 (engine/scim11).
const V1BasePath = "/scim/v1"

// readyTimeout bounds each database ping of /readyz.
const readyTimeout = 2 * time.Second

// Server routes requests to the targets of the configuration in force, which
// Reload replaces without a restart.
type Server struct {
	gen      atomic.Pointer[generation]
	log      *slog.Logger
	metrics  *metrics
	audit    *auditSink
	mux      *http.ServeMux
	reloadMu sync.Mutex
	opts     Options
	// loaded is the configuration file's stamp when it was last read, for Watch.
	loaded atomic.Pointer[stamp]
}

// New builds the handler for a configuration whose targets are open. The server
// takes the targets over: it closes them when a reload replaces them or on Close.
// Audit events go to the log; Open also opens the configured audit file.
func New(cfg *operations.Config, targets []*engine.Target, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{log: log, mux: http.NewServeMux()}
	s.metrics = newMetrics(newPoolStats(func() []*served {
		g := s.acquire()
		defer g.leave()
		return g.list()
	}))
	s.audit = &auditSink{log: log, m: s.metrics}
	s.gen.Store(newGeneration(cfg, targets, s.metrics, log))
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", s.metrics.handler())
	s.mux.HandleFunc(BasePath+"/", s.scim)
	s.mux.HandleFunc(V1BasePath+"/", s.scim)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.metrics.unrouted.WithLabelValues(statusLabel(http.StatusNotFound)).Inc()
		writeError(w, &scim.Error{Status: http.StatusNotFound, Detail: "not found; SCIM is served under " + BasePath + "/<target>"})
	})
	return s
}

// Open opens every target of the configuration and its audit file, and returns the
// server for them, with every target's configuration checked against its database
// (OpenWith tells more).
func Open(ctx context.Context, cfg *operations.Config, log *slog.Logger) (*Server, error) {
	return OpenWith(ctx, cfg, log, Options{})
}

// OpenWith is Open with options. Unless they are turned off, the targets'
// configurations are checked against their databases as `dbscim validate` checks
// them, every target on its own in the background: a target that fails the checks
// is not ready (503, and /readyz says why) while the others serve. OpenWith waits
// a few seconds at most for these checks; a target whose checks are still running
// then serves unchecked until they finish.
func OpenWith(ctx context.Context, cfg *operations.Config, log *slog.Logger, opt Options) (*Server, error) {
	targets, err := OpenTargets(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	s := New(cfg, targets, log)
	s.opts = opt
	if err := s.audit.open(cfg.Server.AuditFile); err != nil {
		s.Close()
		return nil, err
	}
	// A database that refuses a target's connection settings makes that target
	// not ready (503) rather than failing each request with 500; the others serve.
	g := s.gen.Load()
	g.checkConnections(ctx, s.log)
	g.startChecks(opt.SkipChecks, false, s.log)
	g.waitChecks(ctx, startWait)
	return s, nil
}

// OpenTargets opens the targets of a configuration; on error none stays open.
func OpenTargets(ctx context.Context, cfg *operations.Config, log *slog.Logger) ([]*engine.Target, error) {
	var targets []*engine.Target
	for _, tc := range cfg.Targets {
		t, err := engine.Open(ctx, tc, engine.Options{Logger: log, MaxResults: cfg.Server.MaxResults})
		if err != nil {
			for _, o := range targets {
				o.Close()
			}
			return nil, err
		}
		targets = append(targets, t)
	}
	return targets, nil
}

// Close closes the targets once the requests in flight are done, and the audit
// file. Call it after http.Server.Shutdown.
func (s *Server) Close() error {
	// An empty configuration takes the place of the closed one, so that a late
	// request is answered 404 rather than waiting for a generation that will never
	// be replaced.
	old := s.gen.Swap(newGeneration(s.gen.Load().cfg, nil, s.metrics, s.log))
	old.retire()
	s.audit.close()
	return nil
}

// Config returns the configuration in force.
func (s *Server) Config() *operations.Config { return s.gen.Load().cfg }

// acquire returns the generation in force with the caller counted in; the caller
// must call leave. A reload may retire the generation between the load and the
// count, in which case the new one is taken.
func (s *Server) acquire() *generation {
	for {
		g := s.gen.Load()
		if g.enter() {
			return g
		}
	}
}

// exchange is the server's state of one request, made in one allocation: the
// writers that record its status (ServeHTTP's, and the target's with its error body)
// and the guard of its deadline. What the request's context carries is apart
// (requestInfo), so that a driver keeping a context does not keep the writers.
type exchange struct {
	outer recorder
	rec   recorder
	gw    guardedWriter
	info  *requestInfo
}

// ServeHTTP logs the request, gives it an id and recovers from panics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 || !printable(id) {
		id = newRequestID()
	}
	w.Header().Set("X-Request-Id", id)
	x := &exchange{info: &requestInfo{id: id}}
	x.outer = recorder{ResponseWriter: w, status: http.StatusOK, x: x}
	rec := &x.outer
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			// A bug costs this request a 500, not the process or other requests.
			s.metrics.panics.Inc()
			s.log.Error("panic serving request", "request_id", id, "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !rec.wrote {
				writeError(rec, &scim.Error{Status: http.StatusInternalServerError, Detail: "internal error"})
			}
		}
		// Typed attributes: every request logs this line, and boxing its values
		// cost each request an allocation per value.
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("request_id", id), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", rec.status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000), slog.String("remote", r.RemoteAddr))
	}()
	r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, x.info))
	if p := r.URL.Path; r.Method != http.MethodConnect && (strings.HasPrefix(p, BasePath+"/") || strings.HasPrefix(p, V1BasePath+"/")) && clean(p) {
		// The mux would route a clean path under the SCIM bases to s.scim: going
		// there directly spares its matching on every request. Anything else, an
		// unclean path that it redirects included, goes through it.
		s.scim(rec, r)
		return
	}
	s.mux.ServeHTTP(rec, r)
}

// clean reports whether a path is its own cleaned form, as http.ServeMux cleans it
// (path.Clean, a trailing slash kept): without empty, "." or ".." segments.
func clean(p string) bool {
	return !strings.Contains(p, "//") && !strings.Contains(p, "/./") && !strings.Contains(p, "/../") &&
		!strings.HasSuffix(p, "/.") && !strings.HasSuffix(p, "/..")
}

// newRequestID is a random id for a request that came without a usable one. It
// needs to be unique, not secret: the runtime's generator, seeded from the
// system's, costs no system call.
func newRequestID() string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], mrand.Uint64())
	var out [16]byte
	hex.Encode(out[:], b[:])
	return string(out[:])
}

type requestInfoKey struct{}

// requestInfo is what a request's context carries for the server: the request's
// id, for its log lines and audit events, and its audit trail.
type requestInfo struct {
	id    string
	trail auditTrail
}

func requestInfoOf(ctx context.Context) *requestInfo {
	i, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return i
}

// printable reports whether a client's request id is safe to echo and log.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// scim routes /scim/v2/<target>/... to the target, and /scim/v2/... straight to a
// lone target, then authenticates, limits and times the request, and writes the
// audit events of the changes it made.
func (s *Server) scim(w http.ResponseWriter, r *http.Request) {
	g := s.acquire()
	defer g.leave()
	x := exchangeOf(w, r)
	base := BasePath
	if strings.HasPrefix(r.URL.Path, V1BasePath+"/") {
		base = V1BasePath
		ew := scim11.ErrorWriter(w)
		defer ew.Close()
		w = ew
	}
	// Routing reads the escaped path, so that an id holding "/" (sent as %2F) stays
	// one segment all the way to the SCIM handler, which splits the escaped path too.
	rest := strings.TrimLeft(strings.TrimPrefix(r.URL.EscapedPath(), base), "/")
	rawName, tail, _ := strings.Cut(rest, "/")
	name, err := url.PathUnescape(rawName)
	if err != nil {
		name = rawName
	}
	t, ok := g.targets[name]
	// The target's base URL is base + "/" + name, or base for a lone target
	// served there (mounted "").
	mounted := name
	if !ok {
		// A lone target is also served at the base path: a segment that names
		// one of its endpoints, or that no target could be called, is a path
		// under it.
		var lone *served
		if len(g.order) == 1 {
			lone = g.targets[g.order[0]]
		}
		if _, isEndpoint := lone.endpoint(name); lone == nil || isTargetName(name) && !isEndpoint {
			// Only a caller with the credentials of some target learns that a name
			// is not one: anyone else gets the 401 a real target would answer, so
			// that target names cannot be probed without credentials.
			if !g.anyCredentials(r) {
				s.metrics.unrouted.WithLabelValues(statusLabel(http.StatusUnauthorized)).Inc()
				w.Header().Set("WWW-Authenticate", `Bearer realm="dbscim"`)
				writeError(w, &scim.Error{Status: http.StatusUnauthorized, Detail: "missing or invalid credentials"})
				return
			}
			s.metrics.unrouted.WithLabelValues(statusLabel(http.StatusNotFound)).Inc()
			writeError(w, &scim.Error{Status: http.StatusNotFound, Detail: "no target named " + quote(name)})
			return
		}
		t = lone
		mounted, tail = "", rest
	}
	seg, _, _ := strings.Cut(tail, "/")
	if u, err := url.PathUnescape(seg); err == nil {
		seg = u
	}
	target, resource, method := t.target.Name, t.resource(seg), methodLabel(r.Method)
	start := time.Now()
	x.rec = recorder{ResponseWriter: w, status: http.StatusOK}
	rec := &x.rec
	t.series.inFlight.Inc()
	returned := false
	defer func() {
		t.series.inFlight.Dec()
		status := rec.status
		if !returned && !rec.wrote {
			status = http.StatusInternalServerError // a panic on its way to ServeHTTP
		}
		t.series.requests.get(routeKey{resource, method, status}).Inc()
		t.series.duration.get(routeKey{resource, method, 0}).Observe(time.Since(start).Seconds())
		if status >= 400 {
			s.metrics.errors.WithLabelValues(target, statusLabel(status), scimTypeOf(rec.errBody)).Inc()
		}
	}()

	caller, ok := t.auth.identify(r)
	if !ok {
		rec.Header().Set("WWW-Authenticate", t.auth.challenge())
		writeError(rec, &scim.Error{Status: http.StatusUnauthorized, Detail: "missing or invalid credentials"})
		returned = true
		return
	}
	if t.notReady(rec, r, s.log) {
		returned = true
		return
	}
	// The body is read whole before the request takes a slot: a client that sends
	// it slowly holds its own connection, never a slot the target's other clients
	// need.
	body, e := readBody(rec, r, g.cfg.Server.MaxBodyBytes, g.cfg.Server.BodyTimeout, start)
	if e != nil {
		writeError(rec, e)
		returned = true
		return
	}
	// A PATCH's work grows with its operations: one over the bound is refused
	// before any database work.
	if limit := g.cfg.Server.MaxPatchOperations; r.Method == http.MethodPatch && limit > 0 && patchOperations(body, limit) > limit {
		writeError(rec, &scim.Error{Status: http.StatusRequestEntityTooLarge, Detail: fmt.Sprintf(
			"the PATCH carries more than %d operations (server.max_patch_operations); send them in several PATCHes", limit)})
		returned = true
		return
	}
	select {
	case t.slots <- struct{}{}:
		defer func() { <-t.slots }()
	default:
		s.metrics.rejected.WithLabelValues(target).Inc()
		writeError(rec, &scim.Error{Status: http.StatusTooManyRequests, RetryAfter: 1,
			Detail: "target " + target + " is serving as many requests as its database pool and queue allow; retry"})
		returned = true
		return
	}
	// The write deadline follows the target's timeout, which a reload may raise
	// above the one the http.Server was started with.
	http.NewResponseController(rec).SetWriteDeadline(time.Now().Add(t.timeout + 30*time.Second))
	ctx, cancel := context.WithTimeout(r.Context(), t.timeout)
	defer cancel()
	trail := &x.info.trail
	trail.caller = caller
	ctx = scim.WithBaseURL(ctx, baseURL(r, base, mounted))
	// A shallow copy: the handler reads the request's headers and replaces its
	// URL and body, never changes them in place (the SCIM 1.1 layer clones the
	// request it rewrites), so the headers need no copy of their own.
	r2 := r.WithContext(ctx)
	u := *r.URL
	r2.URL = &u
	// The handler gets the path under the target in both forms: RawPath keeps the
	// escapes (an id's %2F), Path is its decoded form.
	r2.URL.RawPath = "/" + tail
	r2.URL.Path = r2.URL.RawPath
	if p, err := url.PathUnescape(r2.URL.RawPath); err == nil {
		r2.URL.Path = p
	}
	if body != nil {
		r2.Body, r2.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	// Should the handler not answer shortly after the deadline (work that does
	// not watch it: a driver call that ignores its context), the server answers
	// 503 in its place, long before the connection's write deadline, and the
	// handler's answer is dropped. A write gets longer, to settle a commit whose
	// outcome is unknown.
	gw := &x.gw
	gw.init(rec)
	timer := time.AfterFunc(guardAfter(r.Method, t.timeout), func() {
		detail := "the request did not finish within the target's request_timeout (" + t.timeout.String() + ")"
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			detail += "; a change it was making may still complete: read the resource before retrying"
		}
		if gw.expire(&scim.Error{Status: http.StatusServiceUnavailable, RetryAfter: 5, Detail: detail}) {
			s.log.Warn("request answered 503 at its deadline while its handler still runs", "target", target,
				"method", r.Method, "path", r.URL.Path, "request_id", x.info.id)
		}
	})
	defer func() {
		timer.Stop()
		gw.finish()
	}()
	h := t.handler
	if base == V1BasePath {
		h = t.v1
	}
	h.ServeHTTP(gw, r2)
	returned = true
	s.writeAudit(r, x.info, rec, gw.lateStatus())
}

// exchangeOf is the request's exchange, made by ServeHTTP; a request that reaches
// the routing without it (a test calling the mux's handler) gets its own.
func exchangeOf(w http.ResponseWriter, r *http.Request) *exchange {
	if rec, ok := w.(*recorder); ok && rec.x != nil {
		return rec.x
	}
	info := requestInfoOf(r.Context())
	if info == nil {
		info = &requestInfo{}
	}
	return &exchange{info: info}
}

// writeAudit writes the request's events with the status answered, and late, the
// status its handler reached after the server had answered 503 in its place (0
// when it had not).
func (s *Server) writeAudit(r *http.Request, info *requestInfo, rec *recorder, late int) {
	trail := &info.trail
	// The trail lives in the request's context, which a database driver may keep
	// until its connection's next use (pgx does): emptied once written, it does
	// not keep a request's member ids alive after the request.
	trail.mu.Lock()
	events := trail.events
	trail.events = nil
	trail.mu.Unlock()
	if len(events) == 0 {
		return
	}
	scimType := ""
	if rec.status >= 400 {
		if st := scimTypeOf(rec.errBody); st != "none" {
			scimType = st
		}
	}
	id := info.id
	now := time.Now().UTC()
	for _, e := range events {
		e.Time, e.Outcome, e.ScimType, e.Caller, e.RequestID, e.Remote = now, rec.status, scimType, trail.caller, id, r.RemoteAddr
		e.LateOutcome = late
		s.audit.write(e)
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// readyz pings every target's database (or the one named by ?target=) at once,
// each within a deadline and through the target's readiness pool, and reports each
// with where its configuration checks stand. It answers 503 when a target is not
// ready: its database is down (the driver's text goes to the log, never here), it
// refuses the connection settings, or the configuration fails its checks (whose
// problems are listed, at their place in the file).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	type result struct {
		Ready  bool   `json:"ready"`
		Error  string `json:"error,omitempty"`
		Checks string `json:"checks,omitempty"` // absent when they passed
		// Problems are the configuration's problems, when it fails its checks.
		Problems []string `json:"problems,omitempty"`
		// ReloadRefused are the problems of a configuration a reload offered the
		// target; the target kept serving the one it had.
		ReloadRefused []string `json:"reload_refused,omitempty"`
	}
	g := s.acquire()
	defer g.leave()
	names := g.order
	if only := r.URL.Query().Get("target"); only != "" {
		if _, ok := g.targets[only]; !ok {
			writeError(w, &scim.Error{Status: http.StatusNotFound, Detail: "no target named " + quote(only)})
			return
		}
		names = []string{only}
	}
	out := make(map[string]result, len(names))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := g.targets[name]
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			refused, err := t.check(ctx, s.log)
			cancel()
			res := result{Ready: true}
			switch {
			case refused:
				res = result{Error: "connection settings refused"}
			case err != nil:
				res = result{Error: "database unavailable"}
				s.log.Warn("readiness check failed", "target", name, "error", err.Error())
			}
			if v := t.checking(!refused && err == nil); refused {
				// The connection is the problem; checks wait for it.
			} else if v == nil {
				res.Checks = "running"
			} else {
				switch v.state {
				case checkFailed:
					res.Ready, res.Error = false, "configuration fails the checks against the database"
					res.Checks, res.Problems = "failed", shown(v.problems)
				case checkPending:
					res.Checks = "waiting for the database"
				case checkUnchecked:
					res.Checks = "not run: " + v.why
				}
			}
			if p := t.reloadRefused.Load(); p != nil {
				res.ReloadRefused = shown(*p)
			}
			if _, ok := t.auth.identify(r); !ok {
				// The problems name tables, routines and columns: only a caller
				// with the target's credentials reads them. Probes see the state.
				res.Problems, res.ReloadRefused = nil, nil
			}
			mu.Lock()
			out[name] = res
			mu.Unlock()
		}()
	}
	wg.Wait()
	ready := true
	for _, res := range out {
		ready = ready && res.Ready
	}
	w.Header().Set("Content-Type", "application/json")
	if !ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(map[string]any{"ready": ready, "targets": out})
}

// baseURL is the URL of a target as the client reached it: the scheme and host it
// used, base, and "/" + name unless name is "" (one concatenation, one allocation).
func baseURL(r *http.Request, base, name string) string {
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	if name == "" {
		return scheme + r.Host + base
	}
	return scheme + r.Host + base + "/" + name
}

func isTargetName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// writeError writes a SCIM error outside a target's handler (routing, auth, limits).
func writeError(w http.ResponseWriter, e *scim.Error) {
	w.Header().Set("Content-Type", "application/scim+json")
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", itoa(e.RetryAfter))
	}
	body := map[string]any{"schemas": []string{scim.ErrorURN}, "status": itoa(e.Status), "detail": e.Detail}
	if e.ScimType != "" {
		body["scimType"] = e.ScimType
	}
	var buf bytes.Buffer
	json.NewEncoder(&buf).Encode(body)
	// With its length the answer is complete once written, also when the
	// connection stays busy after it (an answer given in a late handler's place).
	w.Header().Set("Content-Length", itoa(buf.Len()))
	w.WriteHeader(e.Status)
	w.Write(buf.Bytes())
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
