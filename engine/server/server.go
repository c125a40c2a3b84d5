// Package server is dbscim's transport: the HTTP server with its timeouts and body
// limit, TLS, per-target authentication, health endpoints, request logging and the
// routing of /scim/v2/<target>/ to each target's SCIM handler.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/dbscim/dbscim/engine"
	"github.com/dbscim/dbscim/engine/scim"
	"github.com/dbscim/dbscim/operations"
)

// BasePath is where SCIM is served: /scim/v2/<target>.
const BasePath = "/scim/v2"

// Server routes requests to the targets of one configuration.
type Server struct {
	cfg     *operations.Config
	targets map[string]*served
	order   []string
	log     *slog.Logger
	mux     *http.ServeMux
}

type served struct {
	target  *engine.Target
	auth    authenticator
	handler http.Handler
}

// New builds the handler for a configuration whose targets are open.
func New(cfg *operations.Config, targets []*engine.Target, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, targets: map[string]*served{}, log: log, mux: http.NewServeMux()}
	for _, t := range targets {
		auth := newAuthenticator(t.Config.Auth)
		h := scim.NewHandler(scim.Config{
			ResourceTypes:         t.ResourceTypes(),
			MaxResults:            cfg.Server.MaxResults,
			Sort:                  true,
			Logger:                log.With("target", t.Name),
			AuthenticationSchemes: auth.schemes(),
		})
		s.targets[t.Name] = &served{target: t, auth: auth, handler: h}
		s.order = append(s.order, t.Name)
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.HandleFunc(BasePath+"/", s.scim)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &scim.Error{Status: http.StatusNotFound, Detail: "not found; SCIM is served under " + BasePath + "/<target>"})
	})
	return s
}

// ServeHTTP logs the request, gives it an id and recovers from panics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 {
		var b [8]byte
		rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	w.Header().Set("X-Request-Id", id)
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic serving request", "request_id", id, "panic", p, "stack", string(debug.Stack()))
			if !rec.wrote {
				writeError(rec, &scim.Error{Status: http.StatusInternalServerError, Detail: "internal error"})
			}
		}
		s.log.Info("request", "request_id", id, "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "duration_ms", float64(time.Since(start).Microseconds())/1000, "remote", r.RemoteAddr)
	}()
	if max := s.cfg.Server.MaxBodyBytes; max > 0 && r.Body != nil {
		if r.ContentLength > max {
			writeError(rec, &scim.Error{Status: http.StatusRequestEntityTooLarge, Detail: "request body too large"})
			return
		}
		r.Body = http.MaxBytesReader(rec, r.Body, max)
	}
	s.mux.ServeHTTP(rec, r)
}

// scim routes /scim/v2/<target>/... to the target, and /scim/v2/... straight to a
// lone target.
func (s *Server) scim(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimLeft(strings.TrimPrefix(r.URL.Path, BasePath), "/")
	name, tail, _ := strings.Cut(rest, "/")
	t, ok := s.targets[name]
	prefix := BasePath + "/" + name
	if !ok {
		if len(s.targets) != 1 || isTargetName(name) && !isEndpoint(name) {
			writeError(w, &scim.Error{Status: http.StatusNotFound, Detail: "no target named " + quote(name)})
			return
		}
		t = s.targets[s.order[0]]
		prefix, tail = BasePath, rest
	}
	if !t.auth.allow(r) {
		w.Header().Set("WWW-Authenticate", t.auth.challenge())
		writeError(w, &scim.Error{Status: http.StatusUnauthorized, Detail: "missing or invalid credentials"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.requestTimeout())
	defer cancel()
	ctx = scim.WithBaseURL(ctx, baseURL(r)+prefix)
	r2 := r.Clone(ctx)
	r2.URL.Path = "/" + tail
	r2.URL.RawPath = ""
	t.handler.ServeHTTP(w, r2)
}

func (s *Server) requestTimeout() time.Duration {
	if s.cfg.Server.RequestTimeout > 0 {
		return s.cfg.Server.RequestTimeout
	}
	return 30 * time.Second
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// readyz pings every target's database within a deadline and reports each.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	type result struct {
		Ready bool   `json:"ready"`
		Error string `json:"error,omitempty"`
	}
	out := map[string]result{}
	ready := true
	for _, name := range s.order {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		err := s.targets[name].target.Ping(ctx)
		cancel()
		if err != nil {
			ready = false
			out[name] = result{Error: "database unavailable"}
			s.log.Warn("readiness check failed", "target", name, "error", err.Error())
			continue
		}
		out[name] = result{Ready: true}
	}
	w.Header().Set("Content-Type", "application/json")
	if !ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(map[string]any{"ready": ready, "targets": out})
}

// baseURL is the scheme and host the client used.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
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

// isEndpoint reports whether a path segment is a SCIM endpoint rather than a
// target name, for the lone-target routes.
func isEndpoint(seg string) bool {
	switch strings.ToLower(seg) {
	case "users", "groups", "serviceproviderconfig", "resourcetypes", "schemas", ".search", "bulk", "me", "entitlements", "roles":
		return true
	}
	return false
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// writeError writes a SCIM error outside a target's handler (routing and auth).
func writeError(w http.ResponseWriter, e *scim.Error) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(e.Status)
	body := map[string]any{"schemas": []string{scim.ErrorURN}, "status": itoa(e.Status), "detail": e.Detail}
	if e.ScimType != "" {
		body["scimType"] = e.ScimType
	}
	json.NewEncoder(w).Encode(body)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}
