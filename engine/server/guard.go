package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/dbscim/dbscim/engine/scim"
	"github.com/dbscim/dbscim/engine/store"
)

// answerGrace is how long past a request's deadline its handler has to answer for
// itself (the engine answers 503 as soon as a database call or a loop over the
// request's values sees the expired context) before the server answers 503 in its
// place.
const answerGrace = time.Second

// WriteAnswerGrace is how long past its request_timeout a write may still be
// answered, the longest of any request; a graceful shutdown waits that long.
// It is answerGrace for a write: a write whose COMMIT was on its way
// at the deadline spends up to store.SettleTimeout finding out whether it was
// stored, and its answer (stored, not stored, or unknown) is truer than any the
// server could give in its place. Once the deadline has passed no transaction
// commits (database/sql refuses to commit on a done context), so only a COMMIT
// already sent can still take effect; the server's own answer says so.
const WriteAnswerGrace = store.SettleTimeout + answerGrace

// guardAfter is how long the server leaves a request's handler to answer before
// it answers in its place.
func guardAfter(method string, timeout time.Duration) time.Duration {
	if method == http.MethodGet || method == http.MethodHead {
		return timeout + answerGrace
	}
	return timeout + WriteAnswerGrace
}

// guardedWriter stands between a target's handler and the connection, so that the
// server can answer in the handler's place when the handler does not answer by the
// request's deadline (work that does not watch the deadline). Every use
// of the connection goes through its lock; once the server has answered, the
// handler's writes are dropped, and once the handler is done, the server no longer
// answers for it.
type guardedWriter struct {
	w      http.ResponseWriter
	header http.Header // the handler's, copied to the connection's when it answers

	mu       sync.Mutex
	answered bool // a status line went out, the handler's or the server's
	expired  bool // the server answered in the handler's place
	done     bool // the handler returned
	// late is the status the handler reached after the server had answered in
	// its place (a write whose COMMIT landed after all): the client was told 503,
	// the audit trail records both.
	late int
}

// init readies a zero guardedWriter to stand in front of w.
func (g *guardedWriter) init(w http.ResponseWriter) {
	g.w, g.header = w, w.Header().Clone()
}

// Header is the handler's header map. It is the connection's only once the handler
// answers, so that the server can answer meanwhile without sharing a map.
func (g *guardedWriter) Header() http.Header { return g.header }

func (g *guardedWriter) WriteHeader(code int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.writeHeader(code)
}

func (g *guardedWriter) writeHeader(code int) {
	if g.answered {
		if g.expired && g.late == 0 {
			g.late = code
		}
		return
	}
	g.answered = true
	h := g.w.Header()
	for k := range h {
		delete(h, k)
	}
	for k, v := range g.header {
		h[k] = v
	}
	g.w.WriteHeader(code)
}

func (g *guardedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.expired || g.done {
		if g.expired && g.late == 0 {
			g.late = http.StatusOK
		}
		return 0, http.ErrHandlerTimeout
	}
	g.writeHeader(http.StatusOK)
	return g.w.Write(p)
}

// Flush implements http.Flusher.
func (g *guardedWriter) Flush() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.expired && !g.done {
		http.NewResponseController(g.w).Flush()
	}
}

// expire answers e in the handler's place, unless the handler has answered or
// returned; it reports whether it did. The connection is closed after the answer:
// the handler still runs on it.
func (g *guardedWriter) expire(e *scim.Error) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.answered || g.done {
		return false
	}
	g.answered, g.expired = true, true
	g.w.Header().Set("Connection", "close")
	writeError(g.w, e)
	http.NewResponseController(g.w).Flush()
	return true
}

// lateStatus is the status the handler answered after the server had answered
// in its place, or 0.
func (g *guardedWriter) lateStatus() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.late
}

// finish marks the handler as returned: from then on the connection is the
// server's again.
func (g *guardedWriter) finish() {
	g.mu.Lock()
	g.done = true
	g.mu.Unlock()
}
