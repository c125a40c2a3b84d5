package run

import (
	"database/sql"
	"math/big"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
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

// scanRecord reads the current row into a new Record, with driver values normalised:
// []byte becomes string, and times are UTC.
func scanRecord(rows *sql.Rows) (Record, error) {
	raw := make(map[string]any)
	if err := sqlx.MapScan(rows, raw); err != nil {
		return nil, err
	}
	rec := make(Record, len(raw))
	for k, v := range raw {
		rec[Key(k)] = Normalise(v)
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
