package run

import (
	"database/sql"
	"math/big"
	"strings"
	"time"
)

// Record is one row, keyed by lower-cased column name. Column names are compared
// case-insensitively because databases fold unquoted identifiers differently
// (PostgreSQL to lower case, Oracle to upper case) while the configuration keeps the
// DBA's spelling.
type Record map[string]any

// Key is the Record key of a column name.
func Key(column string) string { return strings.ToLower(column) }

// Get returns a column's value.
func (r Record) Get(column string) (any, bool) {
	v, ok := r[Key(column)]
	return v, ok
}

// Set sets a column's value.
func (r Record) Set(column string, v any) { r[Key(column)] = v }

// scanner reads the rows of one result set into Records. It learns the column
// names once per result set, not once per row, and scans through cells that
// normalise the driver's value as they receive it: a []byte is copied once, into
// the string the Record keeps.
type scanner struct {
	keys  []string
	cells []cell
	dest  []any
}

// cell is a column's value for one row, normalised.
type cell struct{ v any }

// Scan implements sql.Scanner.
func (c *cell) Scan(src any) error {
	c.v = Normalise(src)
	return nil
}

func newScanner(rows *sql.Rows) (*scanner, error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	s := &scanner{keys: make([]string, len(cols)), cells: make([]cell, len(cols)), dest: make([]any, len(cols))}
	for i, c := range cols {
		s.keys[i] = Key(c)
		s.dest[i] = &s.cells[i]
	}
	return s, nil
}

// scan reads the current row into a new Record (a later column of the same name
// wins).
func (s *scanner) scan(rows *sql.Rows) (Record, error) {
	if err := rows.Scan(s.dest...); err != nil {
		return nil, err
	}
	rec := make(Record, len(s.keys))
	for i, k := range s.keys {
		rec[k] = s.cells[i].v
		s.cells[i].v = nil
	}
	return rec, nil
}

// Normalise turns a driver value into the form a Record holds: []byte as
// string, times in UTC, big integers as decimal text.
func Normalise(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC()
	case *big.Int:
		return x.String()
	}
	return v
}
