// Package engine runs the operations a configuration declares against a target's
// database: it binds parameters, executes statements and procedure calls (in a
// transaction when they write), scans rows into records, maps records to and from
// SCIM resources, and pushes filters and paging into SQL where it can. It serves the
// SCIM layer through resource.Store and knows nothing about HTTP.
package engine

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/scim"
	"github.com/dbscim/dbscim/operations"
)

// Target is one configured database, open and ready to serve.
type Target struct {
	Name    string
	Config  *operations.Target
	DB      *sql.DB
	Dialect dialects.Dialect
	// Users serves the SCIM User resource.
	Users *UserStore
	// Entitlements serve the declared entitlement types.
	Entitlements []*EntitlementStore
	// Groups serves the SCIM Group resource; nil when the target declares no groups.
	Groups *GroupStore
	log    *slog.Logger
	// stmts keeps the pool's reads prepared.
	stmts *statements
}

// Options tune how a target is opened.
type Options struct {
	Logger *slog.Logger
	// MaxResults is the largest page a list returns.
	MaxResults int
}

// Open opens a target's database pool and prepares its stores. It does not fail
// when the database is down: the pool connects lazily, requests answer 503 until the
// database answers, and the target recovers by itself. It fails only for what a
// restart would not fix, such as a DSN the driver rejects or an init script that
// does not run.
func Open(ctx context.Context, t *operations.Target, opt Options) (*Target, error) {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	d := t.Database.Dialect
	dsn, err := d.DSN(t.Database.Connection)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", t.Name, err)
	}
	fresh := false
	if t.Database.Init != "" { // the loader allows init for SQLite only
		if _, err := os.Stat(t.Database.Connection.Name); os.IsNotExist(err) {
			fresh = true
			if err := os.MkdirAll(filepath.Dir(t.Database.Connection.Name), 0o700); err != nil {
				return nil, fmt.Errorf("target %s: %w", t.Name, err)
			}
		}
	}
	db, err := sql.Open(d.Driver(), dsn)
	if err != nil {
		return nil, fmt.Errorf("target %s: open %s database: %w", t.Name, d.Name(), err)
	}
	maxOpen := t.Database.MaxOpen
	if maxOpen <= 0 {
		maxOpen = 10
	}
	maxIdle := t.Database.MaxIdle
	if maxIdle <= 0 {
		maxIdle = maxOpen
	}
	db.SetMaxOpenConns(maxOpen)
	db.SetMaxIdleConns(maxIdle)
	if t.Database.ConnMaxLifetime > 0 {
		db.SetConnMaxLifetime(t.Database.ConnMaxLifetime)
	} else {
		db.SetConnMaxLifetime(30 * time.Minute)
	}
	if fresh {
		if err := runScript(ctx, db, t.Database.Init); err != nil {
			db.Close()
			os.Remove(t.Database.Connection.Name)
			return nil, fmt.Errorf("target %s: init script %s: %w", t.Name, t.Database.Init, err)
		}
		opt.Logger.Info("created database from init script", "target", t.Name, "script", t.Database.Init)
	}
	target := &Target{Name: t.Name, Config: t, DB: db, Dialect: d, log: opt.Logger, stmts: newStatements(db)}
	usersID := ""
	if t.Users != nil {
		usersID = t.Users.ID
	}
	for _, e := range t.Entitlements {
		target.Entitlements = append(target.Entitlements, newEntitlementStore(target, e, usersID))
	}
	if t.Groups != nil {
		target.Groups = newGroupStore(target, t.Groups, opt.MaxResults)
	}
	if t.Users != nil {
		target.Users = newUserStore(target, t.Users, opt.MaxResults, target.Entitlements)
		target.Users.groups = target.Groups
	}
	return target, nil
}

// Close closes the database pool.
func (t *Target) Close() error {
	t.stmts.close()
	return t.DB.Close()
}

// Ping checks that the database answers.
func (t *Target) Ping(ctx context.Context) error { return t.DB.PingContext(ctx) }

// ResourceTypes are the SCIM resource types the target serves, with the methods its
// declared operations allow.
func (t *Target) ResourceTypes() []scim.ResourceType {
	var types []scim.ResourceType
	if t.Users != nil {
		types = append(types, t.Users.ResourceType())
	}
	if t.Groups != nil {
		types = append(types, t.Groups.ResourceType())
	}
	for _, e := range t.Entitlements {
		types = append(types, e.ResourceType())
	}
	return types
}

// runScript runs the statements of an SQL script one by one. Statements are split
// on semicolons that end a line, which is what the example scripts use.
func runScript(ctx context.Context, db *sql.DB, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, stmt := range splitScript(string(data)) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%w in statement %.60q", err, stmt)
		}
	}
	return nil
}

func splitScript(s string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(s, "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "--")) {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		out = append(out, rest)
	}
	return out
}
