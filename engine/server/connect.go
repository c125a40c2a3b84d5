package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/scim"
)

// recheckEvery is how often requests to a target whose database refused its
// connection settings try again, at most.
const recheckEvery = 5 * time.Second

// refusal is a target whose database refuses the connection the configuration
// describes: the driver rejects the DSN when it connects (SQLite's _txlock or
// _pragma values), or the server refuses a setting (MariaDB's unknown system
// variable). A restart does not fix it; the configuration does. Until then the
// target is not ready: its requests answer 503 and /readyz says why.
type refusal struct {
	err     error
	checked time.Time
}

// connectionRefused reports whether an error of the first connection is the
// database refusing its settings, rather than a database that is down or slow,
// which the target rides out by itself.
func connectionRefused(d dialects.Dialect, err error) bool {
	if err == nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	switch d.Classify(err) {
	case dialects.Unavailable, dialects.Timeout:
		return false
	}
	return true
}

// checkConnections connects to every target's database at once, each within
// readyTimeout, and marks the targets whose databases refuse their connection
// settings as not ready. It returns those targets' errors.
func (g *generation) checkConnections(ctx context.Context, log *slog.Logger) map[string]error {
	var mu sync.Mutex
	out := map[string]error{}
	var wg sync.WaitGroup
	for _, name := range g.order {
		t := g.targets[name]
		wg.Add(1)
		go func() {
			defer wg.Done()
			if refused, err := t.check(ctx, log); refused {
				mu.Lock()
				out[name] = err
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out
}

// check pings the target's database and records whether it refuses the
// connection settings. It returns whether the ping's error is a refusal, and the
// error.
// A ping that succeeds, or fails for a database that is down, clears a refusal.
func (t *served) check(ctx context.Context, log *slog.Logger) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	err := t.ping(ctx)
	if !connectionRefused(t.target.Config.Database.Dialect, err) {
		if old := t.refused.Swap(nil); old != nil {
			log.Info("target ready: its database accepts the connection settings", "target", t.target.Name)
		}
		return false, err
	}
	if old := t.refused.Swap(&refusal{err: err, checked: time.Now()}); old == nil {
		log.Error("target not ready: its database refuses the connection settings; fix the database block and reload",
			"target", t.target.Name, "error", err.Error())
	}
	return true, err
}

// notReady answers 503 for a target whose database refuses its connection
// settings, trying again at most every recheckEvery; it reports whether it did.
func (t *served) notReady(w http.ResponseWriter, r *http.Request, log *slog.Logger) bool {
	ref := t.refused.Load()
	if ref == nil {
		return false
	}
	if time.Since(ref.checked) >= recheckEvery && t.recheck.CompareAndSwap(false, true) {
		refused, _ := t.check(r.Context(), log)
		t.recheck.Store(false)
		if !refused {
			return false
		}
	}
	writeError(w, &scim.Error{Status: http.StatusServiceUnavailable, RetryAfter: int(recheckEvery / time.Second),
		Detail: fmt.Sprintf("target %s is not ready: its database refuses the configured connection settings (the server log has the database's message)", t.target.Name)})
	return true
}

// refusedState is the part of served that tracks a refusal.
type refusedState struct {
	refused atomic.Pointer[refusal]
	recheck atomic.Bool // a request is checking again
}
