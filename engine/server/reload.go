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
	old := s.gen.Load()
	if o, n := old.cfg.Server, cfg.Server; o.Listen != n.Listen || o.TLS.Mode != n.TLS.Mode || o.TLS.Cert != n.TLS.Cert ||
		o.TLS.Key != n.TLS.Key || o.DataDir != n.DataDir || !slices.Equal(o.Hostnames, n.Hostnames) {
		s.log.Warn("configuration reloaded, but listen, tls, data_dir and hostnames take effect only on a restart")
	}
	s.gen.Store(g)
	old.retire()
	s.metrics.reloads.WithLabelValues("ok").Inc()
	s.metrics.reloadedAt.SetToCurrentTime()
	s.log.Info("configuration reloaded", "targets", g.order)
	return nil
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
