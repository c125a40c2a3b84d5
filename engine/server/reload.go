package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/dbscim/dbscim/operations"
)

// stamp identifies a version of the configuration file cheaply, for the watch.
type stamp struct {
	mod  time.Time
	size int64
}

func stampOf(path string) (stamp, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return stamp{}, false
	}
	return stamp{fi.ModTime(), fi.Size()}, true
}

// Reload re-reads the configuration file, validates it fully, opens its targets and
// swaps them in atomically. Requests already running finish on the configuration
// they started with, whose database pools are closed when the last of them is
// done. A configuration that does not load or whose targets do not open is refused:
// its errors are logged and returned, and the configuration in force keeps serving.
//
// The new configuration's targets are checked against their databases (unless
// checks are turned off) before it is swapped in, each within checkTimeout. A
// target whose new configuration fails the checks keeps serving the configuration
// it had, if it was serving it: the rest of the reload is applied, and the error
// returned, the log and /readyz say which target's reload was refused and why. A
// new target that fails them is not ready. A target whose checks cannot run
// because its database does not answer takes the new configuration; it is checked
// when the database answers.
//
// listen, tls, data_dir and hostnames take effect only on a restart (the listener
// and its certificate are already set up); a change to them is logged as such. A
// TLS certificate given as files is reloaded by itself when the files change.
func (s *Server) Reload(ctx context.Context, path string) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	st, _ := stampOf(path)
	s.loaded.Store(&st)
	cfg, err := operations.Load(path)
	if err != nil {
		s.refuse(path, err)
		return err
	}
	return s.apply(ctx, cfg)
}

// Apply swaps in a configuration already loaded, as Reload does after loading.
func (s *Server) Apply(ctx context.Context, cfg *operations.Config) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	return s.apply(ctx, cfg)
}

func (s *Server) apply(ctx context.Context, cfg *operations.Config) error {
	targets, err := OpenTargets(ctx, cfg, s.log)
	if err != nil {
		s.refuse("", err)
		return err
	}
	g := newGeneration(cfg, targets, s.metrics, s.log)
	// A database that refuses a target's new connection settings refuses the
	// configuration: the one in force keeps serving.
	if refused := g.checkConnections(ctx, slog.New(slog.DiscardHandler)); len(refused) > 0 {
		g.retire()
		var errs []error
		for _, name := range g.order {
			if e, ok := refused[name]; ok {
				errs = append(errs, fmt.Errorf("target %s: the database refuses the connection settings: %w", name, e))
			}
		}
		err := errors.Join(errs...)
		s.refuse("", err)
		return err
	}
	// Reopened even when unchanged, so that logrotate can move the file away and
	// send SIGHUP.
	if err := s.audit.open(cfg.Server.AuditFile); err != nil {
		g.retire()
		s.refuse("", err)
		return err
	}
	g.startChecks(s.opts.SkipChecks, true, s.log)
	g.waitChecks(ctx, checkTimeout+2*readyTimeout)
	old := s.gen.Load()
	kept, keptErr := g.keepServing(old, s.log)
	if o, n := old.cfg.Server, cfg.Server; o.Listen != n.Listen || o.TLS.Mode != n.TLS.Mode || o.TLS.Cert != n.TLS.Cert ||
		o.TLS.Key != n.TLS.Key || o.DataDir != n.DataDir || !slices.Equal(o.Hostnames, n.Hostnames) {
		s.log.Warn("configuration reloaded, but listen, tls, data_dir and hostnames take effect only on a restart")
	}
	s.gen.Store(g)
	old.handOver(kept)
	old.retire()
	s.metrics.reloadedAt.SetToCurrentTime()
	if keptErr != nil {
		s.metrics.reloads.WithLabelValues("error").Inc()
		s.log.Warn("configuration reloaded, except for targets whose new configuration fails the checks against their databases",
			"targets", g.order, "refused", kept)
		return keptErr
	}
	s.metrics.reloads.WithLabelValues("ok").Inc()
	s.log.Info("configuration reloaded", "targets", g.order)
	return nil
}

// keepServing settles, target by target, a reload whose new configuration fails
// the checks against the database. A target that serves its configuration in
// force keeps it: the new one is closed, and the log and /readyz say that its
// reload was refused and why. A new target, or one that was not serving anyway,
// takes the new configuration and is not ready. The generation in force must not
// be published yet; the names returned are the targets it hands over.
func (g *generation) keepServing(old *generation, log *slog.Logger) ([]string, error) {
	var kept []string
	var errs []error
	for _, name := range g.order {
		nt := g.targets[name]
		v := nt.vetted.Load()
		if v == nil || v.state != checkFailed {
			continue
		}
		ot, ok := old.targets[name]
		if !ok || !ot.serving() {
			nt.announceNotReady(log, len(v.problems))
			continue
		}
		nt.close()
		g.targets[name] = ot
		ot.reloadRefused.Store(&v.problems)
		kept = append(kept, name)
		log.Error("reload of target refused: its new configuration fails the checks against its database; it keeps serving the configuration it had",
			"target", name, "problems", len(v.problems))
		errs = append(errs, fmt.Errorf("target %s: the new configuration fails the checks against its database, so the target keeps serving the one it had: %s",
			name, summary(v.problems[0], len(v.problems)-1)))
	}
	return kept, errors.Join(errs...)
}

// refuse logs why a configuration was refused, one line per problem with its
// position, as `dbscim validate` prints them.
func (s *Server) refuse(path string, err error) {
	s.metrics.reloads.WithLabelValues("error").Inc()
	var list operations.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			s.log.Error("configuration refused", "problem", e.Error())
		}
		s.log.Error("configuration refused; the one in force keeps serving", "file", path, "problems", len(list))
		return
	}
	s.log.Error("configuration refused; the one in force keeps serving", "file", path, "error", err.Error())
}

// Watch reloads the configuration file when it changes, polling its modification
// time and size every interval until ctx ends: a stat every few seconds costs
// nothing, works on every file system (inotify does not see through some volume
// mounts) and follows the rename an editor or a Kubernetes ConfigMap update makes. A
// change is reloaded once the file has stayed the same for one interval, so that a
// file caught half-written is not reported as broken.
func (s *Server) Watch(ctx context.Context, path string, interval time.Duration) {
	if interval <= 0 {
		return
	}
	if p := s.loaded.Load(); p == nil {
		st, _ := stampOf(path)
		s.loaded.CompareAndSwap(nil, &st)
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var pending *stamp
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		st, ok := stampOf(path)
		if !ok {
			continue // being replaced, or gone: keep serving what is loaded
		}
		if st == *s.loaded.Load() {
			pending = nil
			continue
		}
		if pending == nil || *pending != st {
			pending = &st
			continue
		}
		pending = nil
		s.log.Info("configuration file changed; reloading", "file", path)
		s.Reload(ctx, path)
	}
}
