package dialects

import (
	"context"
	"errors"
	"strings"
)

// ForeignKey is one foreign key of a table: its columns and the columns of the
// table they reference, pair by pair.
type ForeignKey struct {
	Name       string
	Columns    []string
	RefTable   string
	RefColumns []string
}

// ReadForeignKeys reads a table's foreign keys from the catalog (the dialect's
// Spec.ForeignKeysQuery), in the catalog's order. name may be schema-qualified.
// A referenced column the catalog leaves implicit (SQLite's REFERENCES t) is
// the referenced table's primary key, read with ReadColumns.
func ReadForeignKeys(ctx context.Context, d Dialect, q Querier, name string) ([]ForeignKey, error) {
	s := d.Spec()
	if s.ForeignKeysQuery == "" {
		return nil, errors.New(s.Name + ": reading foreign keys from the catalog is not supported")
	}
	schema, table := splitName(name)
	rows, err := q.QueryContext(ctx, s.ForeignKeysQuery, catalogArgs(s.ForeignKeysArgs, schema, table)...)
	if err != nil {
		return nil, err
	}
	var out []ForeignKey
	for rows.Next() {
		var fk, col, ref, refCol string
		if err := rows.Scan(&fk, &col, &ref, &refCol); err != nil {
			rows.Close()
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].Name != fk {
			out = append(out, ForeignKey{Name: fk, RefTable: ref})
		}
		k := &out[len(out)-1]
		k.Columns = append(k.Columns, col)
		k.RefColumns = append(k.RefColumns, strings.TrimSpace(refCol))
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	// Resolved after the rows are closed: a pool of one connection (SQLite in
	// memory) could not run the second query while the first is open.
	for i := range out {
		k := &out[i]
		if k.RefColumns[0] != "" {
			continue
		}
		refName := k.RefTable
		if schema != "" {
			refName = schema + "." + refName
		}
		cols, err := ReadColumns(ctx, d, q, refName)
		if err != nil {
			return nil, err
		}
		var pk []string
		for _, c := range cols {
			if c.Primary {
				pk = append(pk, c.Name)
			}
		}
		if len(pk) == len(k.Columns) {
			k.RefColumns = pk
		}
	}
	return out, nil
}
