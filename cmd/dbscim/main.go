// Command dbscim serves SQL databases as SCIM 2.0 provisioning targets.
//
//	dbscim serve    --config dbscim.yaml   serve the configured targets
//	dbscim validate --config dbscim.yaml   check the file and reach every database
//	dbscim credentials --config dbscim.yaml [--target T]
//	                                        print URLs, tokens and the certificate
//	dbscim version                          print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/server"
	"github.com/dbscim/dbscim/operations"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if code, ok := runAsService(os.Args[1:]); ok {
		os.Exit(code)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "validate":
		return validate(args[1:], stdout, stderr)
	case "credentials":
		return credentials(args[1:], stdout, stderr)
	case "init":
		return initCommand(args[1:], stdout, stderr)
	case "explain":
		return explain(args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "dbscim", version)
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "dbscim: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: dbscim <command> [flags]

commands:
  serve     --config FILE   serve the configured targets over SCIM 2.0; each
                            target is checked against its database as validate
                            does, and is not ready while it fails (--skip-checks)
  validate  --config FILE   check the configuration against every live database
  init      --dialect D --name DB [...] USERS [TABLE...]
                            write a dbscim.yaml for a users table and the tables
                            related to it, read from the live database's catalog
  explain   --config FILE [--target NAME] [--filter F --start N --count M --sort A]
                            print the exact statement and bindings of every
                            operation, and of the list as wrapped for a request
  credentials --config FILE [--target NAME]
                            print each target's SCIM URL, token and the TLS
                            certificate, to paste into the identity provider
  version                   print the version
`)
}

func configFlag(name string, args []string, stderr io.Writer) (string, string, bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "dbscim.yaml", "the configuration file")
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return "", "", false
	}
	return *path, *level, true
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func load(path string, stderr io.Writer) (*operations.Config, bool) {
	cfg, err := operations.Load(path)
	if err != nil {
		var list operations.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				fmt.Fprintln(stderr, e.Error())
			}
			fmt.Fprintf(stderr, "%s: %d problem(s)\n", path, len(list))
		} else {
			fmt.Fprintln(stderr, err)
		}
		return nil, false
	}
	return cfg, true
}

func serve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "dbscim.yaml", "the configuration file")
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	watch := fs.Duration("watch", 5*time.Second, "how often to check the configuration file for changes and reload it; 0 turns the watch off (SIGHUP still reloads)")
	skipChecks := fs.Bool("skip-checks", false, "do not check the targets' configurations against their databases at start and on reload (the checks `validate` runs; for catalogs so large that they are slow)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, ok := load(*path, stderr)
	if !ok {
		return 1
	}
	log := newLogger(stderr, *level)
	// Before any pool is opened: the drivers read their logger then.
	dialects.SetDriverLogger(log)
	// SIGHUP is registered before anything else so that a reload sent while the
	// targets open is not taken for the default action, which ends the process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ctx, stop := signal.NotifyContext(stopContext, os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := server.OpenWith(ctx, cfg, log, server.Options{SkipChecks: *skipChecks})
	if err != nil {
		log.Error("cannot open targets", "error", err.Error())
		return 1
	}
	defer srv.Close()
	tlsConfig, err := srv.TLSConfig()
	if err != nil {
		log.Error("cannot set up TLS", "error", err.Error())
		return 1
	}
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		log.Error("cannot listen", "address", cfg.Server.Listen, "error", err.Error())
		return 1
	}
	httpSrv := server.HTTPServer(cfg.Server, srv, tlsConfig)
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	for _, t := range cfg.Targets {
		url := fmt.Sprintf("%s://%s%s/%s", scheme, ln.Addr(), server.BasePath, t.Name)
		fmt.Fprintf(stdout, "serving target %q at %s\n", t.Name, url)
		log.Info("serving target", "target", t.Name, "url", url, "dialect", t.Database.Dialect.Name())
	}
	if len(cfg.Targets) == 1 {
		fmt.Fprintf(stdout, "the lone target is also at %s://%s%s\n", scheme, ln.Addr(), server.BasePath)
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				log.Info("SIGHUP: reloading the configuration", "file", *path)
				srv.Reload(ctx, *path)
			}
		}
	}()
	go srv.Watch(ctx, *path, *watch)
	errc := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			errc <- httpSrv.ServeTLS(ln, "", "")
		} else {
			errc <- httpSrv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		log.Error("server stopped", "error", err.Error())
		return 1
	case <-ctx.Done():
	}
	// Requests in flight are bounded by their targets' timeouts: wait that long for
	// them, and a little more for their answers to be written.
	drain := drainTimeout(srv.Config())
	log.Info("shutting down: draining in-flight requests", "timeout", drain.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("shutdown", "error", err.Error())
		return 1
	}
	log.Info("shut down")
	return 0
}

// drainTimeout is the longest request timeout of the configuration, plus the
// time a write past it may still take to answer (finding out whether its COMMIT
// landed), plus a second for the answer to be written.
func drainTimeout(cfg *operations.Config) time.Duration {
	d := cfg.Server.RequestTimeout
	for _, t := range cfg.Targets {
		d = max(d, t.RequestTimeout)
	}
	return d + server.WriteAnswerGrace + time.Second
}
