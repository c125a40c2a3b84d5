package server

import (
	"crypto/tls"
	"database/sql"
	"net/http"

	"github.com/dbscim/dbscim/operations"
)

// SetHandler replaces a target's SCIM handler in the configuration in force and
// returns the previous one, so that tests can play a handler that blocks or panics
// behind the real routing, authentication and limits.
func (s *Server) SetHandler(target string, h http.Handler) http.Handler {
	t := s.gen.Load().targets[target]
	old := t.handler
	t.handler = h
	return old
}

// PoolsClosed returns a channel that is closed once the configuration in force now
// has been replaced and its database pools closed.
func (s *Server) PoolsClosed() <-chan struct{} { return s.gen.Load().closed }

// TargetDB returns the database pool of a target in the configuration in force.
func (s *Server) TargetDB(target string) *sql.DB { return s.gen.Load().targets[target].target.Pool.DB }

// TLSConfigFor is the TLS configuration of a server block, for tests that have
// no Server.
func TLSConfigFor(s operations.Server) (*tls.Config, error) { return tlsConfig(s, nil, nil) }

// Audit adds an event to the audit trail of the request, as the target's store
// does for each change it makes.
func Audit(r *http.Request, e AuditEvent) { trailOf(r.Context()).add(e) }
