// Package enginetest serves dbscim configurations in tests: it loads a
// configuration as `dbscim serve` does, opens its targets, serves them from an
// httptest server and closes everything when the test ends. Every test that needs a
// running dbscim builds it here, so that they all run the same server.
package enginetest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine"
	"github.com/dbscim/dbscim/engine/scim"
	"github.com/dbscim/dbscim/engine/server"
	"github.com/dbscim/dbscim/engine/store"
	"github.com/dbscim/dbscim/operations"
)

// Options tune how a configuration is loaded and served.
type Options struct {
	// Env resolves the configuration's ${VAR} references; nil means the process
	// environment.
	Env map[string]string
	// Logger receives the server's log; nil discards it.
	Logger *slog.Logger
	// Validate checks every target against its live database first, as
	// `dbscim validate` does, and fails the test on any problem.
	Validate bool
}

// Served is a configuration being served.
type Served struct {
	// Config is the configuration in force when the server started.
	Config *operations.Config
	// Server is the dbscim server; HTTP serves it.
	Server *server.Server
	HTTP   *httptest.Server
	// File is the configuration file; empty when Serve was given a configuration
	// loaded by the test.
	File string
}

// URL returns a target's SCIM base URL: resources are at URL(target)+"/Users".
func (s *Served) URL(target string) string {
	return s.HTTP.URL + server.BasePath + "/" + target
}

// Client returns an HTTP client for the server.
func (s *Served) Client() *http.Client { return s.HTTP.Client() }

// ResourceTypes returns the resource types a target of the configuration serves,
// with the methods its declared operations allow.
func (s *Served) ResourceTypes(t testing.TB, target string) []scim.ResourceType {
	t.Helper()
	for _, tc := range s.Config.Targets {
		if tc.Name != target {
			continue
		}
		// Open connects lazily: this reads the declaration, not the database.
		tg, err := engine.Open(context.Background(), tc, engine.Options{MaxResults: s.Config.Server.MaxResults})
		if err != nil {
			t.Fatalf("enginetest: open %s: %v", target, err)
		}
		defer tg.Close()
		return tg.ResourceTypes()
	}
	t.Fatalf("enginetest: no target %s", target)
	return nil
}

// ServeYAML writes a configuration to a file of its own and serves it. A
// configuration that does not load fails the test, quoting it.
func ServeYAML(t testing.TB, yaml string, o Options) *Served {
	t.Helper()
	file := filepath.Join(t.TempDir(), "dbscim.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := operations.Parse(file, []byte(yaml), lookup(o.Env))
	if err != nil {
		t.Fatalf("enginetest: the configuration does not load:\n%v\n%s", err, yaml)
	}
	s := Serve(t, cfg, o)
	s.File = file
	return s
}

// lookup resolves ${VAR} from env, or from the process environment when env is
// nil.
func lookup(env map[string]string) func(string) (string, bool) {
	if env == nil {
		return nil
	}
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

// ServeFile loads a configuration file where it is (relative paths in it resolve
// against its folder) and serves it.
func ServeFile(t testing.TB, file string, o Options) *Served {
	t.Helper()
	cfg := Load(t, file, o.Env)
	s := Serve(t, cfg, o)
	s.File = file
	return s
}

// Load loads a configuration file; env resolves its ${VAR} references (nil: the
// process environment). A configuration that does not load fails the test.
func Load(t testing.TB, file string, env map[string]string) *operations.Config {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := operations.Parse(file, data, lookup(env))
	if err != nil {
		t.Fatalf("enginetest: %s does not load:\n%v", file, err)
	}
	return cfg
}

// Serve opens every target of a loaded configuration and serves them, as
// `dbscim serve` does (audit file included). The server and its targets close when
// the test ends.
func Serve(t testing.TB, cfg *operations.Config, o Options) *Served {
	t.Helper()
	ctx := context.Background()
	if o.Validate {
		for _, tc := range cfg.Targets {
			tg, err := engine.Open(ctx, tc, engine.Options{MaxResults: cfg.Server.MaxResults})
			if err != nil {
				t.Fatalf("enginetest: open %s: %v", tc.Name, err)
			}
			problems := store.Errors(tg.Check(ctx))
			tg.Close()
			if len(problems) != 0 {
				t.Fatalf("enginetest: target %s does not validate against its database: %v", tc.Name, problems)
			}
		}
	}
	srv, err := server.Open(ctx, cfg, o.Logger)
	if err != nil {
		t.Fatalf("enginetest: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return &Served{Config: cfg, Server: srv, HTTP: ts}
}

// DatabaseYAML is the database block of a target (its keys at 6 spaces) for a
// dialect and connection, such as dialecttest.NewDatabase returns.
func DatabaseYAML(d dialects.Dialect, c dialects.Connection) string {
	var b strings.Builder
	fmt.Fprintf(&b, "      dialect: %s\n", d.Name())
	if d.Name() == "sqlite" {
		fmt.Fprintf(&b, "      name: %q\n", c.Name)
		return b.String()
	}
	fmt.Fprintf(&b, "      host: %q\n      port: %d\n      name: %q\n      user: %q\n", c.Host, c.Port, c.Name, c.User)
	if c.Password != "" {
		fmt.Fprintf(&b, "      password: %q\n", c.Password)
	}
	if len(c.Properties) > 0 {
		b.WriteString("      properties:\n")
		keys := make([]string, 0, len(c.Properties))
		for k := range c.Properties {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "        %s: %q\n", k, c.Properties[k])
		}
	}
	return b.String()
}

// Mapped returns the user attribute paths a target of the configuration maps, as
// the configuration writes them (`emails[type eq "work"].value`).
func (s *Served) Mapped(target string) []string {
	var out []string
	for _, tc := range s.Config.Targets {
		if tc.Name == target && tc.Users != nil {
			for _, m := range tc.Users.Attributes {
				out = append(out, m.Path)
			}
		}
	}
	return out
}

// Again serves the same configuration a second time, changed by edit (which gets
// a copy of it: the targets are shared, the server block is not), over the same
// databases: for a test that needs another max_results, say.
func (s *Served) Again(t testing.TB, edit func(*operations.Config)) *Served {
	t.Helper()
	cfg := *s.Config
	if edit != nil {
		edit(&cfg)
	}
	again := Serve(t, &cfg, Options{})
	again.File = s.File
	return again
}
