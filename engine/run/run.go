package run

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/operations"
)

// Bind turns an operation's declared parameters into dialect arguments, taking Field
// values from the record. Values are always bound, never written into SQL text.
func Bind(op *operations.Operation, rec Record) []dialects.Arg {
	args := make([]dialects.Arg, len(op.Params))
	for i, p := range op.Params {
		switch p.Kind {
		case operations.Field:
			v, _ := rec.Get(p.Name)
			args[i] = dialects.Arg{Value: v}
		case operations.Literal:
			args[i] = dialects.Arg{Value: p.Value}
		case operations.Generated:
			switch p.Generator {
			case "uuid":
				args[i] = dialects.Arg{Value: uuid.NewString()}
			case "now":
				args[i] = dialects.Arg{Value: time.Now().UTC()}
			}
		case operations.OutParam:
			var dest any
			args[i] = dialects.Arg{Mode: dialects.Out, Dest: &dest}
		case operations.CursorParam:
			args[i] = dialects.Arg{Mode: dialects.Cursor}
		}
	}
	return args
}

// readOuts copies OUT parameter values back into the record.
func readOuts(op *operations.Operation, args []dialects.Arg, rec Record) {
	for i, p := range op.Params {
		if p.Kind == operations.OutParam {
			if d, ok := args[i].Dest.(*any); ok && *d != nil {
				rec.Set(p.Name, Normalise(*d))
			}
		}
	}
}

// Query runs a row-returning operation and calls fn for every row until fn returns
// false or an error.
func (p *Pool) Query(ctx context.Context, q dialects.Querier, op *operations.Operation, rec Record, fn func(Record) (bool, error)) error {
	q, release, err := p.session(ctx, q, op)
	if err != nil {
		return err
	}
	defer release()
	if PlainInputs(op) {
		// Reads on the pool run prepared: of_user and members run once per
		// resource of a page.
		var done func()
		if q, done, err = p.stmts.querier(ctx, q, op.Text); err != nil {
			return p.Error(op, err)
		}
		defer done()
	}
	args := Bind(op, rec)
	if err := p.Each(ctx, q, op, args, fn); err != nil {
		return err
	}
	readOuts(op, args, rec)
	return nil
}

// Each runs op's text with ready arguments and calls fn for every row, until fn
// returns false or an error. Driver errors are classified against op.
func (p *Pool) Each(ctx context.Context, q dialects.Querier, op *operations.Operation, args []dialects.Arg, fn func(Record) (bool, error)) (err error) {
	return p.each(ctx, q, op, args, func(sc *scanner, rows *sql.Rows) (bool, error) {
		r, err := sc.scan(rows)
		if err != nil {
			return false, p.Error(op, err)
		}
		return fn(r)
	})
}

// each runs op's text and calls fn with the result set's scanner for every row.
func (p *Pool) each(ctx context.Context, q dialects.Querier, op *operations.Operation, args []dialects.Arg, fn func(*scanner, *sql.Rows) (bool, error)) (err error) {
	start, n := time.Now(), 0
	defer func() { p.logStatement(ctx, op, start, n, err) }()
	rows, err := p.Dialect.Query(ctx, q, op.Text, args)
	if err != nil {
		return p.Error(op, err)
	}
	defer rows.Close()
	var sc *scanner
	for rows.Next() {
		if sc == nil {
			if sc, err = newScanner(rows); err != nil {
				return p.Error(op, err)
			}
		}
		n++
		more, err := fn(sc, rows)
		if err != nil || !more {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return p.Error(op, err)
	}
	return nil
}

// logStatement logs, at debug level, what a statement was run for, how long it took
// and how many rows it read: never its values.
func (p *Pool) logStatement(ctx context.Context, op *operations.Operation, start time.Time, rows int, err error) {
	if !p.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []any{"target", p.Name, "operation", op.Name, "duration_ms", float64(time.Since(start).Microseconds()) / 1000, "rows", rows}
	if err != nil {
		attrs = append(attrs, "kind", fault.KindOf(err).String())
	}
	p.log.DebugContext(ctx, "statement", attrs...)
}

// Exec runs an operation that writes. If the statement returns rows (RETURNING,
// OUTPUT INSERTED, a procedure's SELECT), the first row is returned so that a
// generated id can be read from it. When wantID is set and the dialect reports
// generated keys through sql.Result (MySQL, SQLite), a plain statement runs through
// Exec and the generated key is returned too.
func (p *Pool) Exec(ctx context.Context, q dialects.Querier, op *operations.Operation, rec Record, wantID bool) (first Record, lastID any, err error) {
	q, release, err := p.session(ctx, q, op)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	args := Bind(op, rec)
	if wantID && op.Kind == operations.SQL && p.Dialect.LastInsertID() && !returnsRows(op.Text) {
		start := time.Now()
		res, err := p.Dialect.Exec(ctx, q, op.Text, args)
		p.logStatement(ctx, op, start, 0, err)
		if err != nil {
			return nil, nil, p.Error(op, err)
		}
		readOuts(op, args, rec)
		if id, err := res.LastInsertId(); err == nil && id != 0 {
			return nil, id, nil
		}
		return nil, nil, nil
	}
	// Every row is read, so that a procedure's result set is drained before the
	// transaction's next statement.
	err = p.Each(ctx, q, op, args, func(r Record) (bool, error) {
		if first == nil {
			first = r
		}
		return true, nil
	})
	if err != nil {
		return nil, nil, err
	}
	readOuts(op, args, rec)
	return first, nil, nil
}

// returnsRows reports whether a statement has a RETURNING or OUTPUT clause, so that
// its generated key comes back as a row rather than through LastInsertId.
func returnsRows(text string) bool {
	u := strings.ToUpper(text)
	return strings.Contains(u, "RETURNING") || strings.Contains(u, "OUTPUT")
}

// PlainInputs reports whether every parameter of an operation is an input, so that
// it can run as a prepared statement.
func PlainInputs(op *operations.Operation) bool {
	for _, p := range op.Params {
		if p.Kind == operations.OutParam || p.Kind == operations.CursorParam {
			return false
		}
	}
	return true
}

// session pins an operation with a cursor parameter to one connection: a ref cursor
// is read in the session that opened it, which a pool does not promise.
func (p *Pool) session(ctx context.Context, q dialects.Querier, op *operations.Operation) (dialects.Querier, func(), error) {
	db, ok := q.(*sql.DB)
	if !ok {
		return q, func() {}, nil
	}
	for _, param := range op.Params {
		if param.Kind == operations.CursorParam {
			conn, err := db.Conn(ctx)
			if err != nil {
				return nil, nil, p.Error(op, err)
			}
			return conn, func() { conn.Close() }, nil
		}
	}
	return q, func() {}, nil
}

// InTx runs fn in a transaction, committing when it returns nil. Every write runs in
// one, because a procedure under autocommit is not atomic (MariaDB keeps the first
// insert of a CALL that fails on its second).
func (p *Pool) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := p.DB.BeginTx(ctx, nil)
	if err != nil {
		return p.Error(nil, err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return p.commitError(err)
	}
	return nil
}

// commitError classifies an error of COMMIT. A database that refused the commit
// (a deferred constraint, a serialization failure) rolled it back; but when the
// connection was lost or the request's time ran out while the commit was on its
// way, the database may have committed or not: that outcome is Indeterminate, and
// the caller must find out which before it answers.
func (p *Pool) commitError(err error) error {
	e := p.Error(nil, err)
	switch fault.KindOf(e) {
	case fault.Unavailable, fault.Timeout, fault.Canceled:
		p.log.Warn("commit outcome unknown", "target", p.Name, "error", err.Error())
		return fault.Wrap(fault.Indeterminate, err, "the connection to the database was lost while committing; the change may or may not have been stored")
	}
	return e
}

// Error turns a driver error met running op (nil: the transaction itself) into an
// engine error of the kind the client can act on. The driver's text can carry
// table names and personal data: it is the cause, which goes to the log, not to
// the IdP.
func (p *Pool) Error(op *operations.Operation, err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe
	}
	name := "transaction"
	if op != nil {
		name = op.Name
	}
	// A routine may refuse the request with a message written for the caller
	// (a database without routines has no UserMessage).
	if userMessage := p.Dialect.Spec().UserMessage; userMessage != nil {
		if msg, ok := userMessage(err); ok {
			p.log.Info("operation refused by the database", "target", p.Name, "operation", name, "message", msg)
			return fault.Wrap(fault.Refused, err, "%s: %s", name, msg)
		}
	}
	kind := p.Dialect.Classify(err)
	p.log.Warn("database error", "target", p.Name, "operation", name, "kind", kind.String(), "error", err.Error())
	switch kind {
	case dialects.UniqueViolation:
		return fault.Wrap(fault.Uniqueness, err, "%s: a resource with the same unique value already exists", name)
	case dialects.ForeignKeyViolation:
		return fault.Wrap(fault.Invalid, err, "%s: a referenced value does not exist, or the resource is still referenced", name)
	case dialects.NotNullViolation:
		return fault.Wrap(fault.Invalid, err, "%s: a required value is missing", name)
	case dialects.CheckViolation, dialects.InvalidValue:
		return fault.Wrap(fault.Invalid, err, "%s: a value is not valid for the database", name)
	case dialects.Conflict:
		return fault.Wrap(fault.Conflict, err, "%s: the database reported a conflict; retry", name)
	case dialects.Unavailable:
		return fault.Wrap(fault.Unavailable, err, "the database of target %s is unavailable", p.Name)
	case dialects.Timeout:
		if errors.Is(err, context.Canceled) {
			return fault.Wrap(fault.Canceled, err, "the request was cancelled")
		}
		return fault.Wrap(fault.Timeout, err, "%s: the database did not answer in time", name)
	}
	return fmt.Errorf("target %s: %s: %w", p.Name, name, err)
}

// Rows runs a statement the engine built from the configuration (a derived table,
// a count, a page) with ready arguments, prepared on the pool like the declared
// reads, and calls fn for every row.
func (p *Pool) Rows(ctx context.Context, q dialects.Querier, op *operations.Operation, args []dialects.Arg, fn func(Record) error) error {
	q, release, err := p.stmts.querier(ctx, q, op.Text)
	if err != nil {
		return p.Error(op, err)
	}
	defer release()
	return p.Each(ctx, q, op, args, func(r Record) (bool, error) { return true, fn(r) })
}

// Scan is Rows for a caller that reads each row's values by position: fn gets the
// result set's column names (as Key spells them; the same slice for every row) and
// the row's values, normalised as a Record holds them, in a slice reused for the
// next row. No Record is made: a list page's rows go straight to their resources.
func (p *Pool) Scan(ctx context.Context, q dialects.Querier, op *operations.Operation, args []dialects.Arg, fn func(columns []string, values []any) error) error {
	q, release, err := p.stmts.querier(ctx, q, op.Text)
	if err != nil {
		return p.Error(op, err)
	}
	defer release()
	var values []any
	return p.each(ctx, q, op, args, func(sc *scanner, rows *sql.Rows) (bool, error) {
		if err := rows.Scan(sc.dest...); err != nil {
			return false, p.Error(op, err)
		}
		if values == nil {
			values = make([]any, len(sc.cells))
		}
		for i := range sc.cells {
			values[i], sc.cells[i].v = sc.cells[i].v, nil
		}
		return true, fn(sc.keys, values)
	})
}
