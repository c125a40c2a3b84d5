// Package dialects holds what differs between the databases dbscim serves: how to
// connect, how placeholders and procedure calls are written, how a procedure's result
// set is read, how driver errors are classified and how a page is asked for.
//
// A Dialect does not translate arbitrary SQL. The statements in the configuration are
// the DBA's, written in the database's own language; a dialect only rewrites their
// placeholders, writes procedure calls, and supplies the few fragments the engine
// wraps around a list statement (derived table, case folding, paging).
//
// Each dialect file holds one database: its Spec (the plain facts: default port,
// connection keys, placeholder style, what routines it has, insert limits, catalog
// query, how routines raise user errors) and the methods that need code.
package dialects

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Connection is the structured description of a database to connect to. A non-empty
// DSN is passed to the driver as it is and the other fields are ignored.
type Connection struct {
	Host     string
	Port     int
	Instance string // SQL Server named instance
	Name     string // database name; for SQLite the file path (":memory:" allowed)
	Service  string // Oracle service name (Name is used when empty)
	SID      string // Oracle SID, instead of a service name
	User     string
	Password string
	// Properties are driver options added to the DSN (e.g. allowMultiQueries, sslmode,
	// encrypt). A property the dialect itself must control (time zone handling) is
	// overridden and documented as such.
	Properties map[string]string
	DSN        string
}

// ParamMode says how a parameter is bound.
type ParamMode int

const (
	// In is an ordinary input value.
	In ParamMode = iota
	// Out is a scalar OUT parameter (SQL Server OUTPUT, Oracle OUT); its value is
	// read back after the statement runs.
	Out
	// Cursor is an OUT parameter holding a result set (Oracle SYS_REFCURSOR);
	// Query returns its rows.
	Cursor
)

// Arg is one bound parameter of a statement, in placeholder order.
type Arg struct {
	Value any       // the value for In; ignored for Out and Cursor
	Mode  ParamMode // In, Out or Cursor
	// Dest receives an Out parameter's value after Exec or Query (a pointer, as for
	// sql.Out). Nil for In and Cursor.
	Dest any
}

// Routine says what kind of stored routine a call names. Only PostgreSQL needs the
// distinction (CALL for procedures, SELECT * FROM for functions); other dialects
// treat both alike.
type Routine int

const (
	// Procedure is a stored procedure.
	Procedure Routine = iota
	// Function is a set-returning (or scalar) function.
	Function
)

// ErrorKind is the class of a database error, as far as dbscim cares.
type ErrorKind int

const (
	// Unknown is any error not classified below.
	Unknown ErrorKind = iota
	// UniqueViolation is a duplicate key.
	UniqueViolation
	// ForeignKeyViolation is a reference to a missing row, or a delete of a referenced one.
	ForeignKeyViolation
	// NotNullViolation is a missing required value.
	NotNullViolation
	// CheckViolation is a CHECK constraint failure.
	CheckViolation
	// InvalidValue is a value the column cannot hold: bad number or date syntax,
	// string too long, out of range.
	InvalidValue
	// Conflict is a deadlock or serialization failure: retrying may succeed.
	Conflict
	// Unavailable is a database that cannot be reached or dropped the connection.
	Unavailable
	// Timeout is a statement cancelled by a deadline or the server's own timeout.
	Timeout
)

var kindNames = [...]string{"unknown", "unique violation", "foreign key violation",
	"not-null violation", "check violation", "invalid value", "conflict", "unavailable", "timeout"}

// String returns the kind in words ("unique violation"), for logs and messages.
func (k ErrorKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// Querier is what a statement runs on: *sql.DB, *sql.Tx and *sql.Conn all qualify.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Dialect is everything dbscim needs to know about one kind of database.
// Implementations are stateless values, safe for concurrent use.
type Dialect interface {
	// Spec returns the database's facts.
	Spec() Spec
	// Name is the configuration name, Spec().Name.
	Name() string
	// Driver is the database/sql driver name to open, Spec().Driver.
	Driver() string
	// DSN builds the driver's data source name. It pins what dbscim relies on
	// (UTC times, parsed timestamps) whatever the properties say.
	DSN(c Connection) (string, error)

	// Rewrite turns a statement written with JDBC-style "?" placeholders, or with the
	// dialect's native ones, into the native form, and returns the number of
	// parameters it takes. Placeholders inside string literals, quoted identifiers and
	// comments are left alone. Mixing "?" with native placeholders is an error.
	Rewrite(sqlText string) (text string, params int, err error)
	// Placeholder is the native placeholder for the n-th parameter (1-based), as
	// Spec().Placeholder writes it.
	Placeholder(n int) string
	// Quote quotes an identifier that comes from the configuration.
	Quote(ident string) string

	// Call writes the statement that invokes a stored routine with len(modes)
	// parameters, in native placeholder form. It fails for a dialect without stored
	// routines (SQLite) or a mode it cannot bind.
	Call(name string, modes []ParamMode, routine Routine) (string, error)
	// Query runs a statement (native text) and returns the result set it produces:
	// the rows of a SELECT, the first result set of a procedure, or the rows of a
	// Cursor parameter. Out parameters are written to their Dest.
	Query(ctx context.Context, q Querier, text string, args []Arg) (*sql.Rows, error)
	// Exec runs a statement that returns no rows.
	Exec(ctx context.Context, q Querier, text string, args []Arg) (sql.Result, error)
	// LastInsertID reports whether sql.Result.LastInsertId is meaningful,
	// Spec().LastInsertID.
	LastInsertID() bool

	// Classify sorts a driver error into an ErrorKind. Context cancellation and
	// deadline errors are Timeout; network errors are Unavailable.
	Classify(err error) ErrorKind

	// DerivedTable wraps a SELECT (or a SELECT-like statement) so that an outer query
	// can filter and page it: "(inner) t" or "(inner) AS t".
	DerivedTable(inner, alias string) string
	// Fold returns an expression comparing case-insensitively: it wraps a column or
	// placeholder expression so that Fold(a) = Fold(b) ignores letter case.
	Fold(expr string) string
	// Text returns an expression that reads a column as text, so that an opaque SCIM
	// id compares as a string ('010007' must not match 10007).
	Text(expr string) string
	// Like returns a LIKE comparison of expr against a pattern placeholder, with the
	// escape character given by LikeEscape.
	Like(expr, pattern string) string
	// Limit returns the paging clause that follows ORDER BY, for the given limit and
	// offset placeholders: "LIMIT $1 OFFSET $2" or "OFFSET @p2 ROWS FETCH NEXT @p1 ROWS ONLY".
	Limit(limit, offset string) string
}

// LikeEscape is the escape character dbscim uses in LIKE patterns for every dialect.
const LikeEscape = `\`

// EscapeLike escapes the LIKE wildcards in a literal so that it matches only itself.
func EscapeLike(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%', '_', '\\':
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// Lookup returns the dialect with the given configuration name or one of its
// aliases (Spec.Aliases): "mariadb" is an alias of "mysql", "postgresql" of
// "postgres" and "mssql" of "sqlserver".
func Lookup(name string) (Dialect, bool) {
	for _, d := range all {
		s := d.Spec()
		if s.Name == name {
			return d, true
		}
		for _, a := range s.Aliases {
			if a == name {
				return d, true
			}
		}
	}
	return nil, false
}

// Names lists the dialect names the configuration accepts, aliases aside.
func Names() []string {
	out := make([]string, len(all))
	for i, d := range all {
		out[i] = d.Spec().Name
	}
	return out
}

// nested is a statement as it goes inside parentheses: one that ends in a line
// comment (-- ...) gets a line break, so that the comment does not swallow the
// closing parenthesis.
func nested(inner string) string {
	if strings.Contains(inner, "--") {
		return inner + "\n"
	}
	return inner
}
