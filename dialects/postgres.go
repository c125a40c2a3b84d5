package dialects

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// Postgres is PostgreSQL, through pgx's database/sql driver (github.com/jackc/pgx/v5/stdlib).
type Postgres struct{}

var postgresSyntax = &syntax{
	spans: []spanRule{
		quoted('\'', '\'', false, true, "string literal"),
		quoted('"', '"', false, true, `"quoted identifier"`),
		lineComment("--", false),
		blockComment(true),
		dollarQuoted,
	},
	prefixes: map[string]spanRule{
		// E'..' strings take backslash escapes (and doubled quotes).
		"e": quoted('\'', '\'', true, true, "E'' string literal"),
	},
	identQuotes:    []spanRule{quoted('"', '"', false, true, `"quoted identifier"`)},
	identChar:      identCharDollar,
	native:         numbered("$", postgresSpec.MaxParams),
	questionEscape: true,
}

// postgresSpec are PostgreSQL's facts.
var postgresSpec = Spec{
	Name:        "postgres",
	Aliases:     []string{"postgresql"},
	Driver:      "pgx", // the name pgx's stdlib package registers
	Networked:   true,
	DefaultPort: 5432,
	Required:    []Requirement{{Key: "name"}, {Key: "host"}, {Key: "user"}},
	Forbidden:   []string{"instance", "service", "sid"},
	Placeholder: Placeholders{Sigil: "$", Numbered: true},
	// The protocol numbers parameters with 16 bits.
	MaxParams: 65535,
	Routines:  true,
	// CALL for a procedure, SELECT * FROM for a function: PostgreSQL refuses the
	// other (SQLSTATE 42809), so the configuration says which one it calls.
	Functions:         true,
	OutParams:         true, // a procedure's INOUT/OUT, returned as one row
	CorrelatedDerived: true,
	MultiRowInsert:    true,
	// An unquoted name in a call folds to lower case, so the name is compared as
	// PostgreSQL would resolve it; a schema-qualified name must match its schema,
	// an unqualified one any schema on the search path.
	RoutineQuery: `SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, p.pronargs,
		COALESCE(array_to_string(p.proargnames[1:p.pronargs], ', '), ''),
		COALESCE((SELECT string_agg(format_type(a.t, NULL), ', ' ORDER BY a.i)
		          FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, i)), '')
		FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE p.proname = lower($2) AND (($1 = '' AND n.nspname = ANY (current_schemas(false))) OR n.nspname = lower($1))`,
	RoutineNamesQuery: `SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE ($1 = '' AND n.nspname = ANY (current_schemas(false))) OR n.nspname = lower($1)`,
	UserErrors:  "`RAISE EXCEPTION '…'` (SQLSTATE P0001)",
	UserMessage: postgresUserMessage,
	ColumnsQuery: `SELECT c.column_name, c.data_type, c.is_nullable,
		COALESCE((SELECT CASE tc.constraint_type WHEN 'PRIMARY KEY' THEN 'P' ELSE 'U' END
		          FROM information_schema.table_constraints tc
		          JOIN information_schema.key_column_usage k
		            ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema AND k.table_name = tc.table_name
		          WHERE tc.table_schema = c.table_schema AND tc.table_name = c.table_name AND k.column_name = c.column_name
		            AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE')
		            AND (SELECT COUNT(*) FROM information_schema.key_column_usage k2
		                 WHERE k2.constraint_name = tc.constraint_name AND k2.table_schema = tc.table_schema) = 1
		          ORDER BY tc.constraint_type LIMIT 1), '')
		FROM information_schema.columns c
		WHERE c.table_schema = COALESCE(NULLIF($1, ''), current_schema()) AND c.table_name = $2
		ORDER BY c.ordinal_position`,
	ColumnsArgs: "st",
	TablesQuery: `SELECT table_name, CASE table_type WHEN 'VIEW' THEN 'V' ELSE 'T' END
		FROM information_schema.tables WHERE table_schema = COALESCE(NULLIF($1, ''), current_schema())`,
	// 42P01: relation "userz" does not exist.
	MissingTable: regexp.MustCompile(`relation "([^"]+)" does not exist`),
	// A key part is case-blind when it is citext, has a nondeterministic
	// collation, or holds no text; expressions over lower()/upper() are
	// recognised from pg_get_indexdef's text.
	IndexesQuery: `SELECT ic.relname, COALESCE(a.attname, ''),
		CASE WHEN i.indkey[k.n - 1] = 0 THEN pg_get_indexdef(i.indexrelid, k.n::int, true) ELSE '' END,
		CASE WHEN ty.typname = 'citext' THEN 'Y'
		     WHEN co.collisdeterministic = false THEN 'Y'
		     WHEN ty.typcategory IS NOT NULL AND ty.typcategory <> 'S' THEN 'Y'
		     ELSE 'N' END,
		CASE WHEN i.indisprimary THEN 'Y' ELSE 'N' END
		FROM pg_index i
		JOIN pg_class ic ON ic.oid = i.indexrelid
		JOIN pg_class tc ON tc.oid = i.indrelid
		JOIN pg_namespace ns ON ns.oid = tc.relnamespace
		CROSS JOIN LATERAL generate_series(1, i.indnkeyatts) k(n)
		LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n - 1] AND a.attnum > 0
		LEFT JOIN pg_type ty ON ty.oid = a.atttypid
		LEFT JOIN pg_collation co ON co.oid = i.indcollation[k.n - 1]
		WHERE i.indisunique AND ns.nspname = COALESCE(NULLIF($1, ''), current_schema()) AND tc.relname = $2
		ORDER BY ic.relname, k.n`,
	IndexesArgs:    "st",
	CaseBlindIndex: "CREATE UNIQUE INDEX %[3]s ON %[1]s (lower(%[2]s))",
	// conkey and confkey pair each column with the one it references, in order.
	ForeignKeysQuery: `SELECT c.conname, a.attname, rt.relname, ra.attname
		FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		JOIN pg_class rt ON rt.oid = c.confrelid
		CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(col, refcol, pos)
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
		JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refcol
		WHERE c.contype = 'f' AND n.nspname = COALESCE(NULLIF($1, ''), current_schema()) AND t.relname = $2
		ORDER BY c.conname, k.pos`,
	ForeignKeysArgs: "st",
}

// Spec returns PostgreSQL's facts.
func (Postgres) Spec() Spec { return postgresSpec }

// Name returns "postgres"; "postgresql" is an alias (see Lookup).
func (Postgres) Name() string { return postgresSpec.Name }

// Driver returns "pgx", the name pgx's stdlib package registers.
func (Postgres) Driver() string { return postgresSpec.Driver }

// postgresProperties maps pgJDBC property names, which an admin copying a JDBC URL
// brings along, onto libpq/pgx connection parameters.
var postgresProperties = map[string]string{
	"currentSchema":   "search_path",
	"ApplicationName": "application_name",
	"connectTimeout":  "connect_timeout", // seconds in both
}

// postgresIgnored are pgJDBC-only tuning properties, dropped: passed on, PostgreSQL
// would refuse the connection ("unrecognized configuration parameter").
var postgresIgnored = map[string]bool{
	"socketTimeout": true, "loginTimeout": true, "tcpKeepAlive": true,
	"prepareThreshold": true, "preparedStatementCacheQueries": true, "reWriteBatchedInserts": true,
	"stringtype": true, "sslfactory": true,
}

// DSN builds a postgres:// URL with net/url, so that a user name, password or
// database name with special characters is escaped. It pins timezone=UTC (sent to
// the server as the session's TimeZone), so that timestamptz values are rendered and
// timestamp values are interpreted in UTC.
//
// Properties become URL query parameters: libpq names (sslmode, sslrootcert,
// connect_timeout, ...) configure pgx, any other name is sent as a session parameter
// (search_path, application_name, statement_timeout, ...). pgJDBC names are mapped:
// ssl=true becomes sslmode=verify-full (as in pgJDBC), ssl=false sslmode=disable,
// currentSchema search_path, ApplicationName application_name, connectTimeout
// connect_timeout; pgJDBC-only tuning (socketTimeout, prepareThreshold, ...) is
// dropped. Without sslmode, pgx uses libpq's default, "prefer": TLS when the server
// offers it, without verifying the certificate, else plain text. Set sslmode=disable
// for a local server without TLS, verify-full for one across a network.
//
// A Host starting with "/" is a Unix socket directory. A full Connection.DSN (URL or
// keyword=value form) is used as given with timezone=UTC added.
func (Postgres) DSN(c Connection) (string, error) {
	if c.DSN != "" {
		return postgresPinDSN(c.DSN)
	}
	q := url.Values{}
	for k, v := range c.Properties {
		switch {
		case postgresIgnored[k], strings.EqualFold(k, "timezone"), k == "ssl":
		case postgresProperties[k] != "":
			q.Set(postgresProperties[k], v)
		default:
			q.Set(k, v)
		}
	}
	if s, ok := c.Properties["ssl"]; ok && q.Get("sslmode") == "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return "", fmt.Errorf("postgres: property ssl: %q is not true or false", s)
		}
		if b {
			q.Set("sslmode", "verify-full")
		} else {
			q.Set("sslmode", "disable")
		}
	}
	q.Set("timezone", "UTC")
	u := url.URL{Scheme: "postgres", Path: "/" + c.Name, RawQuery: q.Encode()}
	host := c.Host
	if strings.HasPrefix(host, "/") {
		q.Set("host", host)
		if c.Port != 0 {
			q.Set("port", strconv.Itoa(c.Port))
		}
		u.RawQuery = q.Encode()
	} else {
		if host == "" {
			host = "127.0.0.1"
		}
		port := c.Port
		if port == 0 {
			port = postgresSpec.DefaultPort
		}
		u.Host = net.JoinHostPort(host, strconv.Itoa(port))
	}
	// Let pgx check the parameters (sslmode values, numbers) before the first
	// connection, with the user only: its error then cannot quote the password.
	if c.User != "" {
		u.User = url.User(c.User)
	}
	if _, err := pgconn.ParseConfig(u.String()); err != nil {
		var pe *pgconn.ParseConfigError
		if errors.As(err, &pe) && errors.Unwrap(pe) != nil {
			err = errors.Unwrap(pe)
		}
		return "", fmt.Errorf("postgres: invalid connection properties: %v", err)
	}
	if c.Password != "" {
		u.User = url.UserPassword(c.User, c.Password)
	}
	return u.String(), nil
}

// postgresPinDSN adds timezone=UTC to a DSN given in full.
func postgresPinDSN(dsn string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			// url's message quotes the URL, password included.
			return "", errors.New("postgres: the DSN is not a valid URL; escape special characters in the user name and password with %XX")
		}
		q := u.Query()
		for k := range q {
			if strings.EqualFold(k, "timezone") {
				q.Del(k)
			}
		}
		q.Set("timezone", "UTC")
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	// keyword=value form: a later keyword overrides an earlier one.
	return dsn + " timezone=UTC", nil
}

// Rewrite turns each "?" into $1, $2, ... in order, and accepts native $n (the
// count is then the highest n). It skips '..' strings (doubled quotes), E'..'
// strings (backslash escapes), "..", $tag$..$tag$ bodies, -- comments and nested
// /* */ comments; "::" casts are plain text. As in JDBC, "??" stands for a literal
// "?", so the jsonb operators ?, ?| and ?& are written ??, ??| and ??&.
func (Postgres) Rewrite(sqlText string) (string, int, error) {
	return postgresSyntax.rewrite(sqlText, Postgres{}.Placeholder)
}

func (Postgres) syntax() *syntax { return postgresSyntax }

// Placeholder returns "$n".
func (Postgres) Placeholder(n int) string { return postgresSpec.Placeholder.Nth(n) }

// Quote returns "ident", with embedded double quotes doubled. A quoted identifier
// is case-sensitive in PostgreSQL: "Users" is not users.
func (Postgres) Quote(ident string) string { return quoteWith(ident, '"') }

// Call returns "CALL name($1, ...)" for a Procedure and "SELECT * FROM name($1, ...)"
// for a Function: PostgreSQL refuses CALL on a function and SELECT on a procedure
// (SQLSTATE 42809), so the configuration says which one it is.
//
// Out is allowed for a procedure: an INOUT or OUT parameter is passed NULL in its
// position, and PostgreSQL returns all of them as one result row (see Query and
// Exec). A function's OUT parameters are its result columns and are not passed, so
// Out is refused for a Function, and Cursor (refcursor) is refused for both.
func (Postgres) Call(name string, modes []ParamMode, routine Routine) (string, error) {
	if err := postgresSyntax.checkName(name); err != nil {
		return "", err
	}
	for i, m := range modes {
		switch {
		case m == Cursor:
			return "", unsupported(fmt.Sprintf("parameter %d: cursor parameters are not supported for postgres; return a set (RETURNS TABLE or SETOF) from a function instead", i+1))
		case m == Out && routine == Function:
			return "", unsupported(fmt.Sprintf("parameter %d: a postgres function's OUT parameters are its result columns; leave them out of the call", i+1))
		case m != In && m != Out:
			return "", fmt.Errorf("parameter %d: unknown parameter mode %d", i+1, m)
		}
	}
	list := placeholderList(Postgres{}, len(modes))
	if routine == Function {
		return "SELECT * FROM " + name + "(" + list + ")", nil
	}
	return "CALL " + name + "(" + list + ")", nil
}

// postgresArgs binds In values and passes NULL for Out; it reports whether there
// are Out parameters.
func postgresArgs(args []Arg) ([]any, bool, error) {
	out := make([]any, len(args))
	hasOut := false
	for i, a := range args {
		switch a.Mode {
		case In:
			out[i] = inValue(a.Value)
		case Out:
			out[i], hasOut = nil, true
		case Cursor:
			return nil, false, unsupported(fmt.Sprintf("parameter %d: cursor parameters are not supported for postgres; return a set (RETURNS TABLE or SETOF) from a function instead", i+1))
		default:
			return nil, false, fmt.Errorf("parameter %d: unknown parameter mode %d", i+1, a.Mode)
		}
	}
	return out, hasOut, nil
}

// Query runs a statement and returns its rows. For a CALL with Out parameters the
// rows are the single row of INOUT/OUT values, and the Dest fields are not written:
// read the row instead (or use Exec). A CALL without them returns no rows.
func (Postgres) Query(ctx context.Context, q Querier, text string, args []Arg) (*sql.Rows, error) {
	a, _, err := postgresArgs(args)
	if err != nil {
		return nil, err
	}
	return q.QueryContext(ctx, text, a...)
}

// Exec runs a statement that returns no rows. For a CALL with Out parameters it
// reads the row of INOUT/OUT values the procedure returns and scans its columns, in
// order, into the Out parameters' Dest (a nil Dest skips the column); the column
// count must match the number of Out parameters. The result then reports 0 rows
// affected, like any CALL.
func (Postgres) Exec(ctx context.Context, q Querier, text string, args []Arg) (sql.Result, error) {
	a, hasOut, err := postgresArgs(args)
	if err != nil {
		return nil, err
	}
	if !hasOut {
		return q.ExecContext(ctx, text, a...)
	}
	rows, err := q.QueryContext(ctx, text, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var dests []any
	for _, arg := range args {
		if arg.Mode == Out {
			if arg.Dest == nil {
				dests = append(dests, new(any))
			} else {
				dests = append(dests, arg.Dest)
			}
		}
	}
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	if len(cols) != len(dests) {
		return nil, fmt.Errorf("postgres: the call returned %d columns for %d OUT parameters", len(cols), len(dests))
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, errors.New("postgres: the call returned no row of OUT parameters")
	}
	if err := rows.Scan(dests...); err != nil {
		return nil, err
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	return driver.RowsAffected(0), nil
}

// LastInsertID returns false: pgx has no LastInsertId; use INSERT ... RETURNING.
func (Postgres) LastInsertID() bool { return postgresSpec.LastInsertID }

// Classify reads the SQLSTATE of a *pgconn.PgError, then pgx's own timeout and
// connection errors.
func (Postgres) Classify(err error) ErrorKind {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch code := pe.Code; {
		case code == "23505", code == "23P01": // unique, exclusion
			return UniqueViolation
		case code == "23503":
			return ForeignKeyViolation
		case code == "23502":
			return NotNullViolation
		case code == "23514":
			return CheckViolation
		case strings.HasPrefix(code, "22"): // data exception: bad syntax, too long, out of range
			return InvalidValue
		case code == "40001", code == "40P01", code == "55P03": // serialization, deadlock, lock not available
			return Conflict
		case code == "57014": // query_canceled: statement_timeout or a cancel request
			return Timeout
		case strings.HasPrefix(code, "08"), // connection exception
			strings.HasPrefix(code, "28"),                     // invalid authorization: fix the config
			code == "57P01", code == "57P02", code == "57P03", // shutdown, cannot connect now
			code == "53300", code == "3D000": // too many connections, database does not exist
			return Unavailable
		}
	}
	if pgconn.Timeout(err) {
		return Timeout
	}
	if k := classifyCommon(err); k != Unknown {
		return k
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || errors.Is(err, pgconn.ErrConnClosed) {
		return Unavailable
	}
	return Unknown
}

// DerivedTable returns "(inner) AS alias".
func (Postgres) DerivedTable(inner, alias string) string {
	return "(" + nested(inner) + ") AS " + alias
}

// Fold returns LOWER(expr), which folds letters by the database's locale.
func (Postgres) Fold(expr string) string { return "LOWER(" + expr + ")" }

// Text returns CAST(expr AS TEXT) COLLATE "C": the value as text, compared byte for
// byte. COLLATE "C" keeps the comparison exact on a column with a nondeterministic
// (case-insensitive ICU) collation.
func (Postgres) Text(expr string) string { return "CAST(" + expr + ` AS TEXT) COLLATE "C"` }

// Like returns expr LIKE pattern ESCAPE '\'. It relies on
// standard_conforming_strings=on (the default since PostgreSQL 9.1), where '\' is a
// one-character string. LIKE is case-sensitive; Fold both sides to ignore case.
func (Postgres) Like(expr, pattern string) string {
	return expr + " LIKE " + pattern + ` ESCAPE '\'`
}

// Limit returns "LIMIT limit OFFSET offset"; either may be empty.
func (Postgres) Limit(limit, offset string) string { return limitOffset(limit, offset, "") }

// postgresUserMessage recognises RAISE EXCEPTION (SQLSTATE P0001, raise_exception).
func postgresUserMessage(err error) (string, bool) {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "P0001" {
		return pg.Message, true
	}
	return "", false
}
