package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

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

// notReady answers 503 for a target that is not ready: its database refuses its
// connection settings (tried again at most every recheckEvery), or its
// configuration fails the checks against its database. It reports whether it did.
func (t *served) notReady(w http.ResponseWriter, r *http.Request, log *slog.Logger) bool {
	ref := t.refused.Load()
	if ref == nil {
		return t.failedChecks(w)
	}
	if time.Since(ref.checked) >= recheckEvery && t.recheck.CompareAndSwap(false, true) {
		refused, _ := t.check(r.Context(), log)
		t.recheck.Store(false)
		if !refused {
			return t.failedChecks(w)
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

// A target can also be not ready because its configuration fails the checks
// `dbscim validate` runs against its database (store.Check): a procedure that
// does not exist, a list that does not return a mapped column. Serving it would
// answer 500 on the first request that runs the broken operation; instead its
// requests answer 503 naming the problem, and /readyz lists the problems.
//
// The checks of a target run in the background, each target on its own, so that a
// slow database holds back only its own target. Until a target's first check has
// finished it serves as it did before checks existed: the checks are a guard
// against configuration mistakes, not a gate every start must pass. Open waits a
// few seconds for the first checks, which is almost always long enough.
//
// A check that cannot run because the database is down is not a configuration
// problem: the target rides out the outage as before (its requests answer 503
// because the database is unavailable), and the check runs again once the
// database answers. A target whose checks failed is checked again every
// recheckFailed, so that creating a missing procedure in the database is enough
// to make it ready; fixing the configuration and reloading works too.

const (
	// checkTimeout bounds one run of a target's checks. Checks that do not finish
	// in time (a huge catalog, a slow database) leave the target serving
	// unchecked, with a warning in the log.
	checkTimeout = 30 * time.Second
	// startWait is how long Open waits for the first checks of the targets
	// before it returns and the server starts serving.
	startWait = 5 * time.Second
	// maxShown is how many problems /readyz lists per target.
	maxShown = 10
)

// recheckFailed is how often the checks of a target that failed them run again
// (30 s). A run prepares every statement and reads the catalog, so it is cheap,
// but not free enough for every readiness probe. A variable for the tests, whose
// servers' check loops may still be ending when the next test changes it.
var recheckFailed atomic.Int64

func init() { recheckFailed.Store(int64(30 * time.Second)) }

// checkState says where a target's checks stand.
type checkState int

const (
	checkPending   checkState = iota // could not run: the database did not answer
	checkPassed                      // ran, and found no problem that holds the target back
	checkFailed                      // ran, and found problems: the target is not ready
	checkUnchecked                   // turned off, or did not finish in time: served unchecked
)

// vetting is the outcome of one run of a target's checks.
type vetting struct {
	state    checkState
	problems []string // checkFailed: the problems, "file:line:col: message"
	brief    string   // checkFailed: the first problem as clients are told it
	warnings []string // risks reported but not held against the target
	why      string   // checkPending and checkUnchecked: why the checks did not run
}

// checksState is the part of served that tracks its configuration checks.
type checksState struct {
	vetted     atomic.Pointer[vetting] // nil until the first run has finished
	first      chan struct{}           // closed once the first run has finished
	kick       chan struct{}           // asks a waiting check loop to run now
	stopChecks context.CancelFunc      // ends the check loop
	// reloadRefused holds the problems of the configuration a reload offered this
	// target, refused because they failed the checks; the target kept serving
	// the configuration it had.
	reloadRefused atomic.Pointer[[]string]
}

// Options tune how Open serves the configuration.
type Options struct {
	// SkipChecks turns off the checks of the targets against their databases at
	// start and on reload (for catalogs so large that the checks are slow).
	SkipChecks bool
}

// startChecks starts every target's check loop. With skip, every target is
// marked unchecked instead. On a reload (reloading), a failing first run is not
// announced as the target not being ready: the reload decides that.
func (g *generation) startChecks(skip, reloading bool, log *slog.Logger) {
	for _, name := range g.order {
		t := g.targets[name]
		if skip {
			t.vetted.Store(&vetting{state: checkUnchecked, why: "checks turned off (--skip-checks)"})
			close(t.first)
			log.Info("target served unchecked: checks turned off (--skip-checks)", "target", name)
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		t.stopChecks = cancel
		go t.checkLoop(ctx, log, !reloading)
	}
}

// waitChecks waits until every target's first check has finished, or for at most
// d, or until ctx ends.
func (g *generation) waitChecks(ctx context.Context, d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for _, name := range g.order {
		select {
		case <-g.targets[name].first:
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// checkLoop runs the target's checks until they have run (passed, or turned
// out unchecked), again every recheckEvery while the database does not answer
// and every recheckFailed while they fail, until ctx ends.
func (t *served) checkLoop(ctx context.Context, log *slog.Logger, announce bool) {
	firstDone := false
	for {
		v := t.vet(ctx)
		if ctx.Err() != nil {
			return // the generation is closing; its pools are going away
		}
		t.record(v, log, announce || firstDone)
		if !firstDone {
			firstDone = true
			close(t.first)
		}
		wait := recheckEvery
		switch v.state {
		case checkFailed:
			wait = time.Duration(recheckFailed.Load())
		case checkPassed, checkUnchecked:
			return
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-t.kick:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// vet runs the target's checks once. A database that does not answer before or
// after them makes the run pending, whatever the checks reported: their errors
// are then the outage's, not the configuration's.
func (t *served) vet(ctx context.Context) *vetting {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	reachable := func() error {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readyTimeout)
		defer cancel()
		return t.ping(pctx)
	}
	if err := reachable(); err != nil {
		return &vetting{state: checkPending, why: "the database does not answer"}
	}
	found := t.target.Check(ctx)
	if ctx.Err() != nil || len(found) > 0 {
		if err := reachable(); err != nil {
			return &vetting{state: checkPending, why: "the database stopped answering during the checks"}
		}
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &vetting{state: checkUnchecked, why: fmt.Sprintf("the checks did not finish within %s", checkTimeout)}
	}
	v := &vetting{state: checkPassed}
	conn := t.target.Config.Database.Connection
	for _, p := range found {
		if p.Warning {
			v.warnings = append(v.warnings, redact(p.String(), conn))
			continue
		}
		v.problems = append(v.problems, redact(p.String(), conn))
		if v.brief == "" {
			// A client is told the file's name, not where it lives on the server.
			p.Pos.File = filepath.Base(p.Pos.File)
			v.brief = redact(p.String(), conn)
		}
	}
	if len(v.problems) > 0 {
		v.state = checkFailed
		v.brief = summary(v.brief, len(v.problems)-1)
	}
	return v
}

// record stores a run's outcome and logs what changed; with announce, that a
// failing target is not ready.
func (t *served) record(v *vetting, log *slog.Logger, announce bool) {
	old := t.vetted.Swap(v)
	name := t.target.Name
	switch v.state {
	case checkFailed:
		if old != nil && old.state == checkFailed && slices.Equal(old.problems, v.problems) {
			return
		}
		for _, p := range v.problems {
			log.Error("configuration check failed", "target", name, "problem", p)
		}
		if announce {
			t.announceNotReady(log, len(v.problems))
		}
	case checkPassed:
		if old != nil && old.state == checkFailed {
			log.Info("target ready: its configuration now passes the checks against its database", "target", name)
		}
	case checkUnchecked:
		log.Warn("target served unchecked: "+v.why, "target", name)
	case checkPending:
		if old == nil {
			log.Warn("configuration checks wait for the database: "+v.why+"; they run when it answers", "target", name)
		}
	}
	if old == nil || old.state != checkPassed || !slices.Equal(old.warnings, v.warnings) {
		for _, w := range v.warnings {
			log.Warn("configuration check warning", "target", name, "problem", w)
		}
	}
}

func (t *served) announceNotReady(log *slog.Logger, problems int) {
	log.Error("target not ready: its configuration fails the checks against its database; fix the configuration and reload, or the database (checked again every 30s)",
		"target", t.target.Name, "problems", problems)
}

// checking returns the target's check outcome, and asks a loop waiting for the
// database to run now if the database answers again (a readiness probe found it
// up).
func (t *served) checking(up bool) *vetting {
	v := t.vetted.Load()
	if up && v != nil && v.state == checkPending {
		select {
		case t.kick <- struct{}{}:
		default:
		}
	}
	return v
}

// failedChecks answers 503 for a target whose configuration fails its checks and
// reports whether it did.
func (t *served) failedChecks(w http.ResponseWriter) bool {
	v := t.vetted.Load()
	if v == nil || v.state != checkFailed {
		return false
	}
	writeError(w, &scim.Error{Status: http.StatusServiceUnavailable, RetryAfter: max(1, int(time.Duration(recheckFailed.Load())/time.Second)),
		Detail: fmt.Sprintf("target %s is not ready: its configuration fails the checks against its database: %s", t.target.Name, v.brief)})
	return true
}

// serving reports whether the target serves its configuration: its database
// accepts the connection settings and its checks have not failed.
func (t *served) serving() bool {
	if t.refused.Load() != nil {
		return false
	}
	v := t.vetted.Load()
	return v == nil || v.state != checkFailed
}

// summary is a problem, shortened, and how many others there are.
func summary(first string, others int) string {
	s := shorten(first, 300)
	if others > 0 {
		s += fmt.Sprintf(" (and %d more: GET /readyz and the server log list them)", others)
	}
	return s
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// shown is the list of problems /readyz shows: at most maxShown, each shortened.
func shown(problems []string) []string {
	out := make([]string, 0, min(len(problems), maxShown+1))
	for i, p := range problems {
		if i == maxShown {
			out = append(out, fmt.Sprintf("… and %d more in the server log", len(problems)-maxShown))
			break
		}
		out = append(out, shorten(p, 300))
	}
	return out
}

// redact removes the database password and DSN from a problem's text, should a
// driver's message carry them.
func redact(s string, c dialects.Connection) string {
	for _, secret := range []string{c.DSN, c.Password} {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}
