package dialects

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// This file reads what a check of a configuration needs from the catalog beyond
// routines and columns: the tables a schema holds (to suggest the one a misspelt
// statement meant) and a table's unique indexes with their case-sensitivity (a
// userName must be unique in any letter case, or concurrent creates on two
// replicas can store "Ann" and "ann" as two users).

// IndexKey is one key part of an index: a column, or an expression over columns.
type IndexKey struct {
	// Column is the indexed column; "" when the key is an expression the catalog
	// does not name a column for (Oracle's function-based and PostgreSQL's
	// expression indexes). SQL Server names the computed column.
	Column string
	// Expression is the key's expression ("lower(user_name)"), "" for a plain
	// column.
	Expression string
	// CaseBlind says the key compares text regardless of letter case: a case-
	// insensitive collation (MySQL/MariaDB *_ci, SQL Server _CI_, SQLite
	// COLLATE NOCASE, PostgreSQL nondeterministic), a citext column, an
	// expression over lower() or upper(), or a column that holds no text.
	CaseBlind bool
}

// UniqueIndex is a unique index or constraint of a table, primary keys included.
type UniqueIndex struct {
	Name    string
	Primary bool
	// Keys are the key parts, in index order (included columns are not keys).
	Keys []IndexKey
}

// CaseBlind reports whether every key part compares regardless of letter case,
// so that "Ann" and "ann" are one value to the index.
func (u UniqueIndex) CaseBlind() bool {
	for _, k := range u.Keys {
		if !k.CaseBlind {
			return false
		}
	}
	return len(u.Keys) > 0
}

// On reports whether the index makes column unique on its own: one key part that
// is the column, or an expression over that column alone ("lower(user_name)").
// An index over several columns does not: ("ann", 1) and ("ann", 2) both fit it.
func (u UniqueIndex) On(column string) bool {
	if len(u.Keys) != 1 {
		return false
	}
	k := u.Keys[0]
	if k.Expression == "" {
		return strings.EqualFold(k.Column, column)
	}
	return mentions(k.Expression, column)
}

// mentions reports whether an expression refers to column (as a whole word,
// in any quoting).
func mentions(expr, column string) bool {
	re, err := regexp.Compile(`(?i)(^|[^A-Za-z0-9_$])` + regexp.QuoteMeta(column) + `($|[^A-Za-z0-9_$])`)
	return err == nil && re.MatchString(expr)
}

// foldExpression matches an index expression that folds letter case.
var foldExpression = regexp.MustCompile(`(?i)^[\s(]*(lower|upper|lcase|ucase)\s*\(`)

// UniqueIndexes reads a table's unique indexes and constraints from the catalog
// (the dialect's Spec.IndexesQuery). table may be schema-qualified ("hr.users").
// A table without unique indexes, and a name the catalog does not know as a
// table (a view, say), give none and no error: tell them apart with Tables.
func UniqueIndexes(ctx context.Context, d Dialect, q Querier, table string) ([]UniqueIndex, error) {
	s := d.Spec()
	if s.IndexesQuery == "" {
		return nil, errors.New(s.Name + ": reading indexes from the catalog is not supported")
	}
	schema, name := splitName(table)
	rows, err := q.QueryContext(ctx, s.IndexesQuery, catalogArgs(s.IndexesArgs, schema, name)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UniqueIndex
	for rows.Next() {
		var index, column, expr sql.NullString
		var blind, primary string
		if err := rows.Scan(&index, &column, &expr, &blind, &primary); err != nil {
			return nil, err
		}
		k := IndexKey{Column: column.String, Expression: strings.TrimSpace(expr.String), CaseBlind: strings.TrimSpace(blind) == "Y"}
		if k.Expression != "" {
			k.Expression = keyExpression(k.Expression)
			k.CaseBlind = k.CaseBlind || foldExpression.MatchString(k.Expression)
			if strings.HasPrefix(k.Column, "SYS_NC") { // Oracle's hidden column
				k.Column = ""
			}
		}
		if n := len(out); n == 0 || out[n-1].Name != index.String {
			out = append(out, UniqueIndex{Name: index.String, Primary: strings.TrimSpace(primary) == "Y"})
		}
		out[len(out)-1].Keys = append(out[len(out)-1].Keys, k)
	}
	return out, rows.Err()
}

// keyExpression takes the key list out of a whole CREATE INDEX statement, which
// is what SQLite's catalog keeps for an index on an expression.
func keyExpression(s string) string {
	if !strings.HasPrefix(strings.ToUpper(s), "CREATE") {
		return s
	}
	on := strings.Index(strings.ToUpper(s), " ON ")
	if on < 0 {
		return s
	}
	open, end := strings.IndexByte(s[on:], '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < on+open {
		return s
	}
	return strings.TrimSpace(s[on+open+1 : end])
}

// catalogArgs orders the schema ('s') and table ('t') as a catalog query's
// placeholders take them.
func catalogArgs(order, schema, table string) []any {
	var args []any
	for _, a := range order {
		if a == 's' {
			args = append(args, schema)
		} else {
			args = append(args, table)
		}
	}
	return args
}

// Table is a table or view the catalog lists.
type Table struct {
	Name string
	// View is true for a view (whose indexes, if any, are its tables').
	View bool
}

// Tables lists the tables and views of a schema ("" for the current one) from the
// catalog (Spec.TablesQuery).
func Tables(ctx context.Context, d Dialect, q Querier, schema string) ([]Table, error) {
	s := d.Spec()
	if s.TablesQuery == "" {
		return nil, errors.New(s.Name + ": reading tables from the catalog is not supported")
	}
	rows, err := q.QueryContext(ctx, s.TablesQuery, schema)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Table
	for rows.Next() {
		var t Table
		var kind string
		if err := rows.Scan(&t.Name, &kind); err != nil {
			return nil, err
		}
		t.View = strings.TrimSpace(kind) == "V"
		out = append(out, t)
	}
	return out, rows.Err()
}

// MissingTable returns the table a database error says does not exist, as the
// database wrote it (possibly schema-qualified), and whether err says that.
// Oracle's ORA-00942 names no table, so it never does there.
func MissingTable(d Dialect, err error) (string, bool) {
	s := d.Spec()
	if err == nil || s.MissingTable == nil {
		return "", false
	}
	m := s.MissingTable.FindStringSubmatch(err.Error())
	if m == nil {
		return "", false
	}
	return m[1], true
}

// CaseBlindUniqueIndex is the DDL that gives table a unique index on column that
// ignores letter case, in the dialect's own form (Spec.CaseBlindIndex).
func CaseBlindUniqueIndex(d Dialect, table, column string) string {
	_, name := splitName(table)
	index := strings.ToLower(strings.Trim(name, "`\"[]")) + "_" + strings.ToLower(strings.Trim(column, "`\"[]")) + "_ci"
	return fmt.Sprintf(d.Spec().CaseBlindIndex, table, column, index)
}
