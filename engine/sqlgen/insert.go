package sqlgen

import (
	"strings"

	"github.com/dbscim/dbscim/dialects"
)

// Insert is a declared single-row INSERT ... VALUES (?, ?) that can be written for
// many rows at once, so that adding 5,000 members to a group is a handful of
// round trips rather than 5,000.
type Insert struct {
	d      dialects.Dialect
	prefix string // the statement up to and including VALUES
	tuple  string // "(?, ?)"
	// Rows is the most rows one statement may carry on this dialect.
	Rows int
}

// NewInsert reads a declared statement's source (JDBC-style ? placeholders) with
// params parameters. It applies only to an INSERT whose VALUES tuple is its last
// clause and holds every parameter; for anything else (an upsert clause, native
// placeholders, a database without multi-row VALUES) it returns nil, and the
// caller runs the statement row by row.
func NewInsert(d dialects.Dialect, source string, params int) *Insert {
	rows := dialects.InsertRows(d, params)
	if rows < 2 {
		return nil
	}
	src := strings.TrimSuffix(strings.TrimSpace(source), ";")
	upper := strings.ToUpper(src)
	if !strings.HasPrefix(upper, "INSERT") {
		return nil
	}
	i := strings.LastIndex(upper, "VALUES")
	if i < 0 {
		return nil
	}
	prefix, tuple := src[:i+len("VALUES")], strings.TrimSpace(src[i+len("VALUES"):])
	if strings.Contains(prefix, "?") || !isOneGroup(tuple) || strings.ContainsAny(tuple, "$@:'\"`") {
		return nil
	}
	if strings.Count(tuple, "?") != params {
		return nil
	}
	return &Insert{d: d, prefix: prefix, tuple: tuple, Rows: rows}
}

// Text returns the native statement that inserts n rows (at most Rows).
func (in *Insert) Text(n int) (string, error) {
	var sb strings.Builder
	sb.WriteString(in.prefix)
	sb.WriteByte(' ')
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(in.tuple)
	}
	text, _, err := in.d.Rewrite(sb.String())
	return text, err
}

// isOneGroup reports whether s is exactly one parenthesised group.
func isOneGroup(s string) bool {
	if !strings.HasPrefix(s, "(") || !strings.HasSuffix(s, ")") {
		return false
	}
	depth := 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 && i != len(s)-1 {
				return false
			}
		}
	}
	return depth == 0
}
