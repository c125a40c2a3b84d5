// Package run runs statements on one target's database: it opens the pool, binds
// declared parameters (values are always bound, never written into SQL text),
// keeps the pool's reads prepared, runs writes in transactions, scans rows into
// Records, pins cursor operations to one connection, and turns driver errors into
// engine errors (engine/fault). It knows what a statement is, not what a resource
// is.
package run

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/operations"
)

// Pool is one target's open database.
type Pool struct {
	// Name is the target's name, for messages and logs.
	Name    string
	DB      *sql.DB
	Dialect dialects.Dialect
	log     *slog.Logger
	// stmts keeps the pool's reads prepared.
	stmts *statements
}

// Log returns the pool's logger.
func (p *Pool) Log() *slog.Logger { return p.log }

// Open opens a target's database pool. It does not fail when the database is
// down: the pool connects lazily, requests answer 503 until the database answers,
// and the pool recovers by itself. It fails only for what a restart would not fix,
// such as a DSN the driver rejects or an init script that does not run.
func Open(ctx context.Context, t *operations.Target, log *slog.Logger) (*Pool, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := t.Database.Dialect
	dsn, err := d.DSN(t.Database.Connection)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", t.Name, err)
	}
	fresh := false
	if t.Database.Init != "" { // the loader allows init only where the dialect's Spec does
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
	// Loading applied the pool's defaults (operations/defaults.go), once.
	db.SetMaxOpenConns(t.Database.MaxOpen)
	db.SetMaxIdleConns(t.Database.MaxIdle)
	db.SetConnMaxLifetime(t.Database.ConnMaxLifetime)
	if fresh {
		if err := runScript(ctx, db, t.Database.Init); err != nil {
			db.Close()
			os.Remove(t.Database.Connection.Name)
			return nil, fmt.Errorf("target %s: init script %s: %w", t.Name, t.Database.Init, err)
		}
		log.Info("created database from init script", "target", t.Name, "script", t.Database.Init)
	}
	return &Pool{Name: t.Name, DB: db, Dialect: d, log: log, stmts: newStatements(db)}, nil
}

// Close closes the prepared statements and the pool.
func (p *Pool) Close() error {
	p.stmts.close()
	return p.DB.Close()
}

// Ping checks that the database answers.
func (p *Pool) Ping(ctx context.Context) error { return p.DB.PingContext(ctx) }

// runScript runs an SQL script through the driver in one call: SQLite's driver
// executes every statement of a multi-statement text, triggers and their
// BEGIN ... END bodies included, which a splitter on semicolons cannot do.
func runScript(ctx context.Context, db *sql.DB, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, string(data)); err != nil {
		return err
	}
	return nil
}
