package engine

import (
	"database/sql"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Record is one row, keyed by lower-cased column name. Column names are compared
// case-insensitively because databases fold unquoted identifiers differently
// (PostgreSQL to lower case, Oracle to upper case) while the configuration keeps the
// DBA's spelling.
type Record map[string]any

// key is the Record key of a column name.
func key(column string) string { return strings.ToLower(column) }

// Get returns a column's value.
func (r Record) Get(column string) (any, bool) {
	v, ok := r[key(column)]
	return v, ok
}

// Set sets a column's value.
func (r Record) Set(column string, v any) { r[key(column)] = v }

// scanRecord reads the current row into a new Record, with driver values normalised:
// []byte becomes string, and times are UTC.
func scanRecord(rows *sql.Rows) (Record, error) {
	raw := make(map[string]any)
	if err := sqlx.MapScan(rows, raw); err != nil {
		return nil, err
	}
	rec := make(Record, len(raw))
	for k, v := range raw {
		rec[key(k)] = normalise(v)
	}
	return rec, nil
}

func normalise(v any) any {
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

// text renders a column value as a SCIM string. Ids are opaque strings, so a number
// renders in its shortest exact form.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// parseBool reads the boolean forms databases store: real booleans, 0/1, 'Y'/'N',
// 'T'/'F', 'true'/'false', 'yes'/'no', 'on'/'off'.
func parseBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case int64:
		return x != 0, true
	case int:
		return x != 0, true
	case int32:
		return x != 0, true
	case float64:
		return x != 0, true
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "1", "y", "t", "true", "yes", "on":
			return true, true
		case "0", "n", "f", "false", "no", "off":
			return false, true
		}
	}
	return false, false
}

// sameValue reports whether two column values are equal for change detection.
func sameValue(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return text(a) == text(b)
}
