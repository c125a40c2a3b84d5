package dialects

import (
	"context"
	"regexp"
	"strconv"
)

// Spec is one database's facts as plain values: what the configuration loader checks
// a database section against, what the engine builds statements with, and what
// docs/dialects.md lists. Each dialect file returns its own, so that a fact about a
// database is written once, there, and nothing else in dbscim compares dialect names.
//
// A Spec is shared: its slices must not be modified.
type Spec struct {
	// Name is the configuration name ("mysql"); Aliases are other names the
	// configuration accepts for the same dialect ("mariadb").
	Name    string
	Aliases []string
	// Driver is the database/sql driver name to open.
	Driver string

	// Networked is true for a database server reached over the network, false for
	// an embedded database kept in a file (SQLite), whose name is a file path.
	Networked bool
	// DefaultPort is the server's standard TCP port, which the loader fills in when
	// the configuration gives none; 0 for an embedded database.
	DefaultPort int
	// Required are the connection keys of the configuration's database section
	// that must be given, in the order they are reported missing.
	Required []Requirement
	// Exclusive are connection keys of which at most one may be given.
	Exclusive []string
	// Forbidden are the connection keys the database does not use.
	Forbidden []string

	// Placeholder is how a statement's parameters are written natively.
	Placeholder Placeholders
	// MaxParams is the most parameters one statement may bind.
	MaxParams int

	// Routines is true when the database has stored procedures (call:).
	Routines bool
	// Functions is true when the configuration may declare function: (a
	// set-returning function, called as SELECT * FROM name(...)); elsewhere the DBA
	// calls a function from a sql: statement.
	Functions bool
	// OutParams is true when a routine's scalar OUT parameters can be bound.
	OutParams bool
	// CursorParams is true when a routine's cursor OUT parameter can be read as
	// the result set (Oracle SYS_REFCURSOR).
	CursorParams bool
	// Init is true when the configuration may give an init script, run when the
	// database file is created.
	Init bool
	// LastInsertID is true when sql.Result.LastInsertId is meaningful.
	LastInsertID bool

	// CorrelatedDerived is true when a derived table inside a subquery may name
	// the outer query's columns, as EXISTS (SELECT 1 FROM (SELECT ... WHERE k =
	// t.id) c WHERE ...) does: that is how a filter on an attribute kept in a
	// child table is written in SQL. MariaDB refuses it (error 1054).
	CorrelatedDerived bool

	// MultiRowInsert is true when one INSERT may carry several VALUES rows.
	MultiRowInsert bool
	// MaxInsertRows caps the rows of one VALUES list; 0 means the database sets no
	// cap of its own (MaxParams still applies).
	MaxInsertRows int

	// RoutineQuery reads a routine's kind ('PROCEDURE' or 'FUNCTION'), number of
	// parameters, their names and their data types (each comma-separated, in
	// parameter order) from the catalog, one row per routine of that name, with the
	// schema ("" for the current one) and the name as its two parameters. It is ""
	// when dbscim does not read the database's catalog.
	RoutineQuery string
	// RoutineNamesQuery lists the routines of a schema ("" for the current one),
	// to suggest the name a misspelt call meant.
	RoutineNamesQuery string

	// ColumnsQuery reads a table's or view's columns from the catalog, in their
	// order: name, data type, 'YES' or 'NO' for nullable, and 'P' (primary key),
	// 'U' (unique on its own) or ''. Its parameters are the schema ("" for the
	// current one) and the table name, each given as often as the query has
	// placeholders for them (see ColumnsArgs).
	ColumnsQuery string
	// ColumnsArgs lists, for each placeholder of ColumnsQuery, whether it takes
	// the schema ('s') or the table name ('t').
	ColumnsArgs string

	// TablesQuery lists the tables and views of a schema (its one parameter, ""
	// for the current one): name, and 'V' for a view or 'T' for a table.
	TablesQuery string
	// MissingTable finds, in the database's error for a statement over a table
	// that does not exist, the table's name (its first group); nil where the
	// error names no table (Oracle's ORA-00942).
	MissingTable *regexp.Regexp
	// IndexesQuery reads a table's unique indexes and constraints, one row per
	// key part in index order: index name, column, expression (or NULL/'' for a
	// plain column), 'Y' when the key part compares regardless of letter case
	// (the query's judgement for plain columns; an expression over lower() or
	// upper() is recognised in Go), and 'Y' for the primary key. Its parameters
	// are the schema and the table, as IndexesArgs orders them.
	IndexesQuery string
	// IndexesArgs lists, for each placeholder of IndexesQuery, whether it takes
	// the schema ('s') or the table name ('t').
	IndexesArgs string
	// CaseBlindIndex is the DDL that makes a column unique in any letter case,
	// with %[1]s the table, %[2]s the column and %[3]s a name for the index.
	CaseBlindIndex string

	// ForeignKeysQuery reads a table's foreign keys from the catalog, one row per
	// column of each: the constraint's name, the column, the referenced table and
	// the referenced column ("" where the catalog leaves it implicit: the
	// referenced table's primary key), ordered by constraint and position. Its
	// parameters are given as ForeignKeysArgs says, as for ColumnsArgs.
	ForeignKeysQuery string
	ForeignKeysArgs  string

	// UserErrors says, for the DBA, how a routine raises an error whose message is
	// meant for the caller; "" when the database has no routines.
	UserErrors string
	// UserMessage returns the message of such an error, and whether err is one.
	// Nil when the database has no routines.
	UserMessage func(err error) (msg string, ok bool)
}

// Requirement is a connection key the configuration must give, or one of its
// alternatives.
type Requirement struct {
	// Key is the key reported missing.
	Key string
	// Or are keys that satisfy the requirement in Key's place.
	Or []string
	// Hint says what to write, when the loader's own words for Key do not fit.
	Hint string
}

// ConnectionKeys are the names of the structured connection keys of the
// configuration's database section (the fields of Connection), which a Spec's
// Required, Exclusive and Forbidden name.
var ConnectionKeys = []string{"host", "port", "instance", "name", "service", "sid", "user", "password"}

// Placeholders is a native placeholder style: "?" for every parameter, or a sigil
// followed by the parameter's number ("$1", "@p1", ":1").
type Placeholders struct {
	Sigil    string
	Numbered bool
}

// Nth returns the placeholder of the n-th parameter (1-based).
func (p Placeholders) Nth(n int) string {
	if p.Numbered {
		return p.Sigil + strconv.Itoa(n)
	}
	return p.Sigil
}

// String shows the style: "?" or "$1, $2, …".
func (p Placeholders) String() string {
	if p.Numbered {
		return p.Nth(1) + ", " + p.Nth(2) + ", …"
	}
	return p.Sigil
}

// all are the dialects, in the order Names lists them.
var all = []Dialect{SQLite{}, MySQL{}, Postgres{}, SQLServer{}, Oracle{}}

// Specs returns the Spec of every dialect, in the order of Names.
func Specs() []Spec {
	out := make([]Spec, len(all))
	for i, d := range all {
		out[i] = d.Spec()
	}
	return out
}

// insertValues is how many values dbscim binds in one multi-row INSERT at most, so
// that a statement stays well under every database's parameter limit.
const insertValues = 2000

// InsertRows is how many rows one multi-row INSERT ... VALUES (...), (...) may
// carry for a statement of params parameters per row, or 0 where the database has
// no multi-row VALUES (Oracle). It keeps every statement under 2,000 bound values
// and the database's own MaxParams and MaxInsertRows (SQL Server: 1,000 rows per
// VALUES list).
func InsertRows(d Dialect, params int) int {
	s := d.Spec()
	if params <= 0 || !s.MultiRowInsert {
		return 0
	}
	rows := min(insertValues, s.MaxParams) / params
	if s.MaxInsertRows > 0 {
		rows = min(rows, s.MaxInsertRows)
	}
	return rows
}

// UserMessage returns the message of an error a stored routine raised on purpose
// to refuse a request (each Spec's UserErrors says how: MySQL/MariaDB SIGNAL
// SQLSTATE '45000', PostgreSQL RAISE EXCEPTION, SQL Server THROW/RAISERROR from
// 50000, Oracle RAISE_APPLICATION_ERROR). The DBA wrote that text for the caller
// ("CREATE_USER: FIRSTNAME is required"), so unlike other driver errors it may be
// shown to the client. ok is false for any other error.
func UserMessage(err error) (msg string, ok bool) {
	for _, d := range all {
		if f := d.Spec().UserMessage; f != nil {
			if msg, ok := f(err); ok {
				return msg, true
			}
		}
	}
	return "", false
}

// readRoutine runs a Spec's RoutineQuery for a routine name as written in the
// configuration (optionally schema-qualified).
func readRoutine(ctx context.Context, s Spec, q Querier, name string) (RoutineInfo, error) {
	schema, routine := splitName(name)
	return readRoutines(ctx, q, s.RoutineQuery, schema, routine)
}
