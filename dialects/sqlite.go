package dialects

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"regexp"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite is the embedded database, through modernc.org/sqlite: pure Go, so dbscim
// builds statically with CGO_ENABLED=0. It has no stored routines, so every
// operation of a SQLite target is a SQL statement.
type SQLite struct{}

var sqliteSyntax = &syntax{
	spans: []spanRule{
		quoted('\'', '\'', false, true, "string literal"),
		quoted('"', '"', false, true, `"quoted identifier"`),
		quoted('`', '`', false, true, "`quoted identifier`"),
		quoted('[', ']', false, false, "[quoted identifier]"),
		lineComment("--", false),
		blockComment(false),
	},
	identQuotes: []spanRule{
		quoted('"', '"', false, true, `"quoted identifier"`),
		quoted('`', '`', false, true, "`quoted identifier`"),
		quoted('[', ']', false, false, "[quoted identifier]"),
	},
	identChar: identCharDollar,
	// ?NNN and $NNN are bound by position by modernc.org/sqlite; SQLite allows
	// numbers up to SQLITE_MAX_VARIABLE_NUMBER (32766).
	native: anyNative(numbered("?", sqliteSpec.MaxParams), numbered("$", sqliteSpec.MaxParams), namedUnsupported(":@$")),
}

// sqliteSpec are SQLite's facts.
var sqliteSpec = Spec{
	Name:   "sqlite",
	Driver: "sqlite", // the name modernc.org/sqlite registers
	// An embedded database: name is the file.
	Networked: false,
	Required:  []Requirement{{Key: "name", Hint: "the database file, relative to the config file's folder, or :memory:"}},
	Forbidden: []string{"host", "port", "instance", "service", "sid", "user", "password"},
	// ?NNN and $NNN are accepted too; "?" is what dbscim writes.
	Placeholder:       Placeholders{Sigil: "?"},
	MaxParams:         32766, // SQLITE_MAX_VARIABLE_NUMBER since 3.32
	Init:              true,
	LastInsertID:      true,
	CorrelatedDerived: true,
	MultiRowInsert:    true,
	ColumnsQuery: `SELECT c.name, c.type, CASE WHEN c."notnull" = 1 OR c.pk > 0 THEN 'NO' ELSE 'YES' END,
		CASE WHEN c.pk > 0 THEN 'P'
		     WHEN EXISTS (SELECT 1 FROM pragma_index_list(?) il JOIN pragma_index_info(il.name) ii
		                  WHERE il."unique" = 1 AND ii.name = c.name
		                    AND (SELECT COUNT(*) FROM pragma_index_info(il.name)) = 1) THEN 'U'
		     ELSE '' END
		FROM pragma_table_info(?) c ORDER BY c.cid`,
	ColumnsArgs: "tt",
	TablesQuery: `SELECT name, CASE type WHEN 'view' THEN 'V' ELSE 'T' END FROM sqlite_master
		WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND ? IN ('', 'main')`,
	// no such table: userz
	MissingTable: regexp.MustCompile(`no such table: ([^\s]+)`),
	// NOCASE collation, or a column of INTEGER affinity, is case-blind; the
	// catalog keeps an expression index only as its CREATE INDEX text.
	IndexesQuery: `SELECT il.name, COALESCE(ii.name, ''),
		CASE WHEN ii.cid = -2 THEN COALESCE((SELECT m.sql FROM sqlite_master m WHERE m.type = 'index' AND m.name = il.name), '') ELSE '' END,
		CASE WHEN upper(ii.coll) = 'NOCASE' THEN 'Y'
		     WHEN ii.cid >= 0 AND (SELECT upper(ti.type) FROM pragma_table_info(?) ti WHERE ti.cid = ii.cid) LIKE '%INT%' THEN 'Y'
		     ELSE 'N' END,
		CASE il.origin WHEN 'pk' THEN 'Y' ELSE 'N' END
		FROM pragma_index_list(?) il JOIN pragma_index_xinfo(il.name) ii
		WHERE il."unique" = 1 AND ii.key = 1
		ORDER BY il.name, ii.seqno`,
	IndexesArgs:    "tt",
	CaseBlindIndex: "CREATE UNIQUE INDEX %[3]s ON %[1]s (%[2]s COLLATE NOCASE)",
	// "to" is NULL when the key names only the table: its primary key.
	ForeignKeysQuery: `SELECT 'fk' || f.id, f."from", f."table", COALESCE(f."to", '')
		FROM pragma_foreign_key_list(?) f ORDER BY f.id, f.seq`,
	ForeignKeysArgs: "t",
}

// Spec returns SQLite's facts.
func (SQLite) Spec() Spec { return sqliteSpec }

// Name returns "sqlite".
func (SQLite) Name() string { return sqliteSpec.Name }

// Driver returns "sqlite", the name modernc.org/sqlite registers.
func (SQLite) Driver() string { return sqliteSpec.Driver }

// DSN returns the database file path (Connection.Name) with the connection options
// dbscim relies on:
//   - busy_timeout(5000): a writer waits up to 5 s for another connection's lock
//     instead of failing at once with SQLITE_BUSY;
//   - foreign_keys(1): SQLite does not enforce foreign keys unless asked, per connection;
//   - journal_mode(WAL): readers do not block the writer (not for ":memory:");
//   - _txlock=immediate: a transaction takes the write lock when it begins, so
//     concurrent writers queue on busy_timeout instead of failing with SQLITE_BUSY
//     when a deferred transaction tries to upgrade its lock (dbscim runs every
//     write, and only writes, in a transaction). A property may override it.
//   - _time_format=sqlite and _timezone=UTC: a time.Time is written as
//     "2006-01-02 15:04:05.999999999+00:00" in UTC, so stored times compare as text
//     in time order, and read back in UTC.
//
// Properties are added as DSN query parameters (e.g. _txlock=immediate); the time
// parameters are pinned whatever they say. A full Connection.DSN is used as given,
// with the time parameters pinned too.
//
// A ":memory:" database exists per connection: use it with one open connection
// (sql.DB.SetMaxOpenConns(1)), or each pooled connection sees its own empty database.
func (SQLite) DSN(c Connection) (string, error) {
	var path string
	q := url.Values{}
	if c.DSN != "" {
		p, query, _ := strings.Cut(c.DSN, "?")
		v, err := url.ParseQuery(query)
		if err != nil {
			return "", errors.New("sqlite: the DSN's query parameters cannot be parsed")
		}
		path, q = p, v
	} else {
		if c.Name == "" {
			return "", errors.New("sqlite: the database file path (name) is required")
		}
		if strings.ContainsRune(c.Name, '?') {
			return "", errors.New(`sqlite: the database file path must not contain "?"`)
		}
		path = c.Name
		q["_pragma"] = []string{"busy_timeout(5000)", "foreign_keys(1)"}
		if !sqliteInMemory(path) {
			q["_pragma"] = append(q["_pragma"], "journal_mode(WAL)")
		}
		q.Set("_txlock", "immediate")
		for k, v := range c.Properties {
			if k == "_pragma" {
				q.Add(k, v)
				continue
			}
			q.Set(k, v)
		}
	}
	q.Set("_time_format", "sqlite")
	q.Set("_timezone", "UTC")
	return path + "?" + q.Encode(), nil
}

func sqliteInMemory(path string) bool {
	return path == ":memory:" || strings.HasPrefix(path, "file::memory:") || strings.Contains(path, "mode=memory")
}

// Rewrite keeps "?" as it is (SQLite's own form) and accepts the native ?NNN and
// $NNN; it skips '..' strings, "..", `..` and [..] identifiers, -- and /* */ comments.
// Named parameters (:name, @name, $name) are rejected: dbscim binds by position.
func (SQLite) Rewrite(sqlText string) (string, int, error) {
	return sqliteSyntax.rewrite(sqlText, SQLite{}.Placeholder)
}

func (SQLite) syntax() *syntax { return sqliteSyntax }

// Placeholder returns "?": SQLite numbers an anonymous "?" one past the highest
// number used before it, so appending "?" after n parameters binds the (n+1)-th.
func (SQLite) Placeholder(n int) string { return sqliteSpec.Placeholder.Nth(n) }

// Quote returns "ident", with embedded double quotes doubled.
func (SQLite) Quote(ident string) string { return quoteWith(ident, '"') }

// Call fails: SQLite has no stored procedures or functions.
func (SQLite) Call(name string, _ []ParamMode, _ Routine) (string, error) {
	return "", unsupported("sqlite has no stored procedures or functions; write the operation as a SQL statement (sql:) instead of a call")
}

// Query runs a statement and returns its rows. Only In parameters exist.
func (SQLite) Query(ctx context.Context, q Querier, text string, args []Arg) (*sql.Rows, error) {
	a, err := inArgs(sqliteSpec, args)
	if err != nil {
		return nil, err
	}
	return q.QueryContext(ctx, text, a...)
}

// Exec runs a statement that returns no rows. Only In parameters exist.
func (SQLite) Exec(ctx context.Context, q Querier, text string, args []Arg) (sql.Result, error) {
	a, err := inArgs(sqliteSpec, args)
	if err != nil {
		return nil, err
	}
	return q.ExecContext(ctx, text, a...)
}

// LastInsertID returns true: sql.Result.LastInsertId is the inserted rowid.
func (SQLite) LastInsertID() bool { return sqliteSpec.LastInsertID }

// Classify reads the extended result code of a *sqlite.Error (modernc.org/sqlite
// turns extended codes on): constraint kinds, SQLITE_BUSY and SQLITE_LOCKED as
// Conflict (another connection holds the lock beyond busy_timeout; retrying may
// succeed), SQLITE_INTERRUPT as Timeout (the driver interrupts a statement whose
// context ends), type and size errors as InvalidValue.
func (SQLite) Classify(err error) ErrorKind {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch code := se.Code(); code {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return UniqueViolation
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return ForeignKeyViolation
		case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return NotNullViolation
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return CheckViolation
		case sqlite3.SQLITE_CONSTRAINT_DATATYPE:
			return InvalidValue
		}
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return Conflict
		case sqlite3.SQLITE_INTERRUPT:
			return Timeout
		case sqlite3.SQLITE_TOOBIG, sqlite3.SQLITE_MISMATCH, sqlite3.SQLITE_RANGE:
			return InvalidValue
		case sqlite3.SQLITE_CANTOPEN:
			return Unavailable
		}
	}
	return classifyCommon(err)
}

// DerivedTable returns "(inner) AS alias".
func (SQLite) DerivedTable(inner, alias string) string { return "(" + nested(inner) + ") AS " + alias }

// Fold returns expr COLLATE NOCASE. NOCASE folds ASCII letters only, as SQLite's
// LOWER and LIKE do without ICU; unlike LOWER(expr) it lets SQLite use an index
// declared on a COLLATE NOCASE column, so a userName lookup stays a point lookup.
func (SQLite) Fold(expr string) string { return expr + " COLLATE NOCASE" }

// Text returns CAST(expr AS TEXT) COLLATE BINARY. COLLATE BINARY matters: a cast
// keeps the column's collation, so a NOCASE id column would otherwise compare
// case-insensitively.
func (SQLite) Text(expr string) string { return "CAST(" + expr + " AS TEXT) COLLATE BINARY" }

// Like returns expr LIKE pattern ESCAPE '\'. SQLite's LIKE ignores ASCII case;
// compare Fold(expr) with a folded pattern for the same result on every dialect.
func (SQLite) Like(expr, pattern string) string {
	return expr + " LIKE " + pattern + ` ESCAPE '\'`
}

// Limit returns "LIMIT limit OFFSET offset". An empty offset is left out; an empty
// limit becomes LIMIT -1 (no limit), which SQLite needs before OFFSET.
func (SQLite) Limit(limit, offset string) string {
	return limitOffset(limit, offset, "-1")
}

// limitOffset writes the LIMIT/OFFSET clause of MySQL, PostgreSQL and SQLite;
// noLimit is what the dialect writes for "no limit" when only an offset is given
// ("" if OFFSET may stand alone).
func limitOffset(limit, offset, noLimit string) string {
	switch {
	case limit == "" && offset == "":
		return ""
	case offset == "":
		return "LIMIT " + limit
	case limit == "" && noLimit == "":
		return "OFFSET " + offset
	case limit == "":
		return "LIMIT " + noLimit + " OFFSET " + offset
	}
	return "LIMIT " + limit + " OFFSET " + offset
}

// quoteWith quotes an identifier with q, doubling any q inside it.
func quoteWith(ident string, q byte) string {
	return string(q) + strings.ReplaceAll(ident, string(q), string(q)+string(q)) + string(q)
}
