package server

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dbscim/dbscim/engine"
	"github.com/dbscim/dbscim/engine/scim"
	"github.com/dbscim/dbscim/engine/scim11"
	"github.com/dbscim/dbscim/operations"
)

// generation is one configuration in force: its targets, their handlers and
// limits. A reload builds a new generation and swaps it in atomically; requests that
// started on the old one finish on it, and its database pools are closed when the
// last of them is done. The count of requests is kept under a mutex rather than in
// a WaitGroup so that "retired" and "count" change together: a request can never
// enter a generation whose pools are being closed.
type generation struct {
	cfg     *operations.Config
	targets map[string]*served
	order   []string

	mu      sync.Mutex
	active  int
	retired bool
	closed  chan struct{} // closed once the pools are closed
	// handedOver are targets a reload moved on to the next generation (their
	// new configuration failed its checks): that generation closes them.
	handedOver map[string]bool
}

// served is one target as served: its engine target, authentication, SCIM handler
// and request limits.
type served struct {
	target  *engine.Target
	auth    authenticator
	handler http.Handler
	v1      http.Handler // the same types in SCIM 1.1, at V1BasePath
	// slots bounds the requests in flight on the target to max_open + max_queue:
	// max_open of them hold a connection, the others wait for one in database/sql's
	// queue (up to their deadline). Beyond that a request is refused at once with
	// 429, so that a stalled database cannot pile up goroutines and memory.
	slots chan struct{}
	// ready is a pool of its own, of one connection, for /readyz: a ping through
	// the target's pool would wait behind the requests for a connection, and
	// report a healthy database as down under load. Nil when it cannot be opened;
	// the target's pool serves then.
	ready *sql.DB
	refusedState
	checksState
	timeout time.Duration
	// endpoints are the resource endpoints the target serves ("Entitlements",
	// "Roles" or others the configuration names), by lower-case name, for the
	// resource label of metrics.
	endpoints map[string]string
	// series are the target's request metrics, looked up once per label set.
	series *targetSeries
}

// resource is the metrics label of a path's first segment under the target.
func (t *served) resource(seg string) string {
	if seg == "" {
		return "root"
	}
	if name, ok := t.endpoint(seg); ok {
		return name
	}
	return "other"
}

// endpoint reports whether a path segment names an endpoint of the target, one of
// its resource types' or one the protocol defines, whatever its letter case, and
// returns the endpoint's canonical name.
func (t *served) endpoint(seg string) (string, bool) {
	if t == nil {
		return "", false
	}
	if name, ok := scim.ProtocolEndpoint(seg); ok {
		return name, true
	}
	return scim.LookupLower(t.endpoints, seg)
}

func newGeneration(cfg *operations.Config, targets []*engine.Target, m *metrics, log *slog.Logger) *generation {
	g := &generation{cfg: cfg, targets: map[string]*served{}, closed: make(chan struct{})}
	for _, t := range targets {
		auth := newAuthenticator(t.Config.Auth)
		types := t.ResourceTypes()
		for i := range types {
			if types[i].Store != nil {
				types[i].Store = newObservedStore(types[i].Store, t.Name, types[i].Name, m)
			}
		}
		hc := scim.Config{
			ResourceTypes:         types,
			MaxResults:            cfg.Server.MaxResults,
			Sort:                  true,
			Logger:                log.With("target", t.Name),
			AuthenticationSchemes: auth.schemes(),
		}
		h := scim.NewHandler(hc)
		maxOpen := t.Config.Database.MaxOpen
		if maxOpen <= 0 {
			maxOpen = operations.DefaultMaxOpen
		}
		timeout := t.Config.RequestTimeout
		if timeout <= 0 {
			timeout = cfg.Server.RequestTimeout
		}
		if timeout <= 0 {
			timeout = operations.DefaultRequestTimeout
		}
		endpoints := map[string]string{}
		for _, rt := range types {
			endpoints[strings.ToLower(rt.Endpoint)] = rt.Endpoint
		}
		g.targets[t.Name] = &served{target: t, auth: auth, handler: h, v1: scim11.NewHandler(hc), timeout: timeout, endpoints: endpoints, series: m.forTarget(t.Name),
			slots: make(chan struct{}, maxOpen+max(t.Config.Database.MaxQueue, 0)), ready: readinessPool(t),
			checksState: checksState{first: make(chan struct{}), kick: make(chan struct{}, 1)}}
		g.order = append(g.order, t.Name)
	}
	return g
}

// enter counts a request in, unless the generation has been retired.
func (g *generation) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.retired {
		return false
	}
	g.active++
	return true
}

// leave counts a request out and closes a retired generation's pools after its last
// request.
func (g *generation) leave() {
	g.mu.Lock()
	g.active--
	last := g.retired && g.active == 0
	g.mu.Unlock()
	if last {
		g.close()
	}
}

// retire stops new requests from entering and closes the pools once the requests in
// flight are done.
func (g *generation) retire() {
	g.mu.Lock()
	already := g.retired
	g.retired = true
	idle := g.active == 0
	g.mu.Unlock()
	if !already && idle {
		g.close()
	}
}

func (g *generation) close() {
	g.mu.Lock()
	handedOver := g.handedOver
	g.mu.Unlock()
	for _, name := range g.order {
		if !handedOver[name] {
			g.targets[name].close()
		}
	}
	close(g.closed)
}

// close ends the target's checks and closes its pools.
func (t *served) close() {
	if t.stopChecks != nil {
		t.stopChecks()
	}
	t.target.Close()
	if t.ready != nil {
		t.ready.Close()
	}
}

// handOver marks targets the next generation has taken over: closing this
// generation leaves them open.
func (g *generation) handOver(names []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.handedOver == nil {
		g.handedOver = map[string]bool{}
	}
	for _, n := range names {
		g.handedOver[n] = true
	}
}

// anyCredentials reports whether a request carries the credentials of one of the
// targets. Every target is checked, so that the time taken does not tell which.
func (g *generation) anyCredentials(r *http.Request) bool {
	ok := false
	for _, name := range g.order {
		if _, match := g.targets[name].auth.identify(r); match {
			ok = true
		}
	}
	return ok
}

// readinessPool opens the one-connection pool of a target's readiness checks, with
// the target's own driver and DSN. The connection is kept while checks come (a
// probe every few seconds) and closed after a minute without one.
func readinessPool(t *engine.Target) *sql.DB {
	d := t.Config.Database.Dialect
	dsn, err := d.DSN(t.Config.Database.Connection)
	if err != nil {
		return nil
	}
	db, err := sql.Open(d.Driver(), dsn)
	if err != nil {
		return nil
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(time.Minute)
	db.SetConnMaxLifetime(operations.DefaultConnMaxLifetime)
	return db
}

// ping checks the target's database through the readiness pool.
func (t *served) ping(ctx context.Context) error {
	if t.ready == nil {
		return t.target.Ping(ctx)
	}
	return t.ready.PingContext(ctx)
}

// list returns the served targets in configuration order.
func (g *generation) list() []*served {
	out := make([]*served, 0, len(g.order))
	for _, name := range g.order {
		out = append(out, g.targets[name])
	}
	return out
}
