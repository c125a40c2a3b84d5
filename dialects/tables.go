package dialects

import (
	"context"
	"errors"
	"strings"
)

// TableColumn is one column of a table or view, as the catalog describes it.
type TableColumn struct {
	Name string
	// Type is the catalog's data type name ("varchar", "INTEGER", "timestamp").
	Type     string
	Nullable bool
	// Primary says the column is the primary key on its own; Unique that a
	// unique constraint or index covers it on its own.
	Primary, Unique bool
}

// ErrNoTable says the catalog knows no table or view of that name.
var ErrNoTable = errors.New("no such table or view")

// ReadColumns reads a table's or view's columns from the catalog (the dialect's
// Spec.ColumnsQuery). name may be schema-qualified ("hr.users"). It returns
// ErrNoTable when the catalog has no such table.
func ReadColumns(ctx context.Context, d Dialect, q Querier, name string) ([]TableColumn, error) {
	s := d.Spec()
	if s.ColumnsQuery == "" {
		return nil, errors.New(s.Name + ": reading tables from the catalog is not supported")
	}
	schema, table := splitName(name)
	var args []any
	for _, a := range s.ColumnsArgs {
		if a == 's' {
			args = append(args, schema)
		} else {
			args = append(args, table)
		}
	}
	rows, err := q.QueryContext(ctx, s.ColumnsQuery, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TableColumn
	for rows.Next() {
		var c TableColumn
		var nullable, key string
		if err := rows.Scan(&c.Name, &c.Type, &nullable, &key); err != nil {
			return nil, err
		}
		c.Nullable = strings.EqualFold(nullable, "YES")
		key = strings.TrimSpace(key)
		c.Primary, c.Unique = key == "P", key == "U"
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrNoTable
	}
	return out, nil
}
