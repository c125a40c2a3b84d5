package dialects_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
)

// TestReadColumns reads a table's columns, primary key and single-column unique
// keys from each live catalog.
func TestReadColumns(t *testing.T) {
	ddl := map[string]string{
		"sqlite":   `CREATE TABLE staff (staff_id INTEGER PRIMARY KEY, login VARCHAR(100) NOT NULL UNIQUE, first_name VARCHAR(50), status CHAR(1) NOT NULL, hired TIMESTAMP)`,
		"mysql":    `CREATE TABLE staff (staff_id INT PRIMARY KEY, login VARCHAR(100) NOT NULL UNIQUE, first_name VARCHAR(50), status CHAR(1) NOT NULL, hired TIMESTAMP NULL)`,
		"postgres": `CREATE TABLE staff (staff_id INT PRIMARY KEY, login VARCHAR(100) NOT NULL UNIQUE, first_name VARCHAR(50), status CHAR(1) NOT NULL, hired TIMESTAMP)`,
	}
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, _ := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, ddl[dialect])
			cols, err := dialects.ReadColumns(context.Background(), d, db, "staff")
			if err != nil {
				t.Fatal(err)
			}
			want := []struct {
				name            string
				primary, unique bool
				nullable        bool
			}{{"staff_id", true, false, false}, {"login", false, true, false}, {"first_name", false, false, true}, {"status", false, false, false}, {"hired", false, false, true}}
			if len(cols) != len(want) {
				t.Fatalf("%d columns: %+v", len(cols), cols)
			}
			for i, w := range want {
				c := cols[i]
				if c.Name != w.name || c.Primary != w.primary || c.Unique != w.unique || c.Nullable != w.nullable || c.Type == "" {
					t.Errorf("column %d = %+v, want %+v", i, c, w)
				}
			}
			if _, err := dialects.ReadColumns(context.Background(), d, db, "nothing_here"); !errors.Is(err, dialects.ErrNoTable) {
				t.Errorf("a missing table: %v", err)
			}
		})
	}
}

// TestColumnsQueries checks, for every dialect, that its catalog query binds as
// many values as it declares, in the dialect's own placeholder form.
func TestColumnsQueries(t *testing.T) {
	for _, name := range dialects.Names() {
		d, _ := dialects.Lookup(name)
		s := d.Spec()
		if s.ColumnsQuery == "" {
			t.Errorf("%s has no ColumnsQuery", name)
			continue
		}
		if len(s.ColumnsArgs) == 0 {
			t.Errorf("%s: ColumnsArgs is empty", name)
		}
		for _, a := range s.ColumnsArgs {
			if a != 's' && a != 't' {
				t.Errorf("%s: ColumnsArgs %q holds %q", name, s.ColumnsArgs, a)
			}
		}
		// The query is written in the dialect's native form already: rewriting it
		// must find exactly as many placeholders as it binds.
		if _, n, err := d.Rewrite(s.ColumnsQuery); err != nil || n != len(s.ColumnsArgs) {
			t.Errorf("%s: ColumnsQuery has %d placeholders (%v), ColumnsArgs %d", name, n, err, len(s.ColumnsArgs))
		}
	}
}
