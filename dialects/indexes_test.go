package dialects_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
)

// TestUniqueIndexes reads unique indexes and their case-sensitivity from each
// live catalog: a case-blind one (a *_ci collation, lower(), COLLATE NOCASE),
// a case-sensitive one, one over two columns, and the primary key.
func TestUniqueIndexes(t *testing.T) {
	ddl := map[string][]string{
		"sqlite": {
			`CREATE TABLE staff (staff_id VARCHAR(20) PRIMARY KEY, login VARCHAR(100) NOT NULL, email VARCHAR(100), code VARCHAR(10), org INT, nick VARCHAR(20))`,
			`CREATE UNIQUE INDEX staff_login ON staff (login COLLATE NOCASE)`,
			`CREATE UNIQUE INDEX staff_email ON staff (email)`,
			`CREATE UNIQUE INDEX staff_code ON staff (code, org)`,
			`CREATE UNIQUE INDEX staff_nick ON staff (lower(nick))`,
			`CREATE VIEW staff_view AS SELECT * FROM staff`,
		},
		"mysql": {
			`CREATE TABLE staff (staff_id VARCHAR(20) PRIMARY KEY, login VARCHAR(100) NOT NULL, email VARCHAR(100) COLLATE utf8mb4_bin, code VARCHAR(10), org INT, nick VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_unicode_ci`,
			`CREATE UNIQUE INDEX staff_login ON staff (login)`,
			`CREATE UNIQUE INDEX staff_email ON staff (email)`,
			`CREATE UNIQUE INDEX staff_code ON staff (code, org)`,
			`CREATE UNIQUE INDEX staff_nick ON staff (nick)`,
			`CREATE VIEW staff_view AS SELECT * FROM staff`,
		},
		"postgres": {
			`CREATE TABLE staff (staff_id VARCHAR(20) PRIMARY KEY, login VARCHAR(100) NOT NULL, email VARCHAR(100), code VARCHAR(10), org INT, nick VARCHAR(20))`,
			`CREATE UNIQUE INDEX staff_login ON staff (lower(login))`,
			`CREATE UNIQUE INDEX staff_email ON staff (email)`,
			`CREATE UNIQUE INDEX staff_code ON staff (code, org)`,
			`CREATE UNIQUE INDEX staff_nick ON staff (upper(nick))`,
			`CREATE VIEW staff_view AS SELECT * FROM staff`,
		},
	}
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, _ := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, ddl[dialect]...)
			ctx := context.Background()
			indexes, err := dialects.UniqueIndexes(ctx, d, db, "staff")
			if err != nil {
				t.Fatal(err)
			}
			on := func(col string) []dialects.UniqueIndex {
				var out []dialects.UniqueIndex
				for _, u := range indexes {
					if u.On(col) {
						out = append(out, u)
					}
				}
				return out
			}
			for col, blind := range map[string]bool{"login": true, "email": false, "nick": true} {
				got := on(col)
				if len(got) != 1 || got[0].CaseBlind() != blind || got[0].Primary {
					t.Errorf("%s: unique indexes on it %+v, want one with CaseBlind %v", col, got, blind)
				}
			}
			if got := on("code"); len(got) != 0 {
				t.Errorf("an index over (code, org) makes code unique: %+v", got)
			}
			if got := on("staff_id"); len(got) != 1 || !got[0].Primary {
				t.Errorf("primary key: %+v (all: %+v)", got, indexes)
			}
			if none, err := dialects.UniqueIndexes(ctx, d, db, "staff_view"); err != nil || len(none) != 0 {
				t.Errorf("a view: %+v, %v", none, err)
			}
			tables, err := dialects.Tables(ctx, d, db, "")
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]bool{}
			for _, tb := range tables {
				kinds[tb.Name] = tb.View
			}
			if view, ok := kinds["staff"]; !ok || view {
				t.Errorf("tables: %+v", tables)
			}
			if view, ok := kinds["staff_view"]; !ok || !view {
				t.Errorf("views: %+v", tables)
			}
			_, err = db.PrepareContext(ctx, "SELECT staff_id FROM staf")
			if name, ok := dialects.MissingTable(d, err); !ok || name != "staf" {
				t.Errorf("missing table in %v: %q, %v", err, name, ok)
			}
		})
	}
}

// TestIndexQueries checks, for every dialect, that its catalog queries for
// tables and indexes bind as many values as they declare, and that the DDL
// proposed for a case-blind unique index names the table and column.
func TestIndexQueries(t *testing.T) {
	for _, name := range dialects.Names() {
		d, _ := dialects.Lookup(name)
		s := d.Spec()
		if s.IndexesQuery == "" || s.TablesQuery == "" || s.CaseBlindIndex == "" || s.RoutineQuery == "" && s.Routines {
			t.Errorf("%s: a catalog query is missing", name)
			continue
		}
		if _, n, err := d.Rewrite(s.IndexesQuery); err != nil || n != len(s.IndexesArgs) {
			t.Errorf("%s: IndexesQuery has %d placeholders (%v), IndexesArgs %d", name, n, err, len(s.IndexesArgs))
		}
		if _, n, err := d.Rewrite(s.TablesQuery); err != nil || n != 1 {
			t.Errorf("%s: TablesQuery has %d placeholders (%v), want 1", name, n, err)
		}
		if s.RoutineQuery != "" {
			if _, n, err := d.Rewrite(s.RoutineQuery); err != nil || n != 2 {
				t.Errorf("%s: RoutineQuery has %d placeholders (%v), want 2", name, n, err)
			}
		}
		ddl := dialects.CaseBlindUniqueIndex(d, "hr.people", "login")
		if !strings.Contains(ddl, "hr.people") || !strings.Contains(ddl, "people_login_ci") || strings.Contains(ddl, "%!") {
			t.Errorf("%s: %s", name, ddl)
		}
	}
	for _, tt := range []struct {
		dialect, err, table string
	}{
		{"sqlserver", "mssql: Invalid object name 'dbo.userz'.", "userz"},
		{"mysql", "Error 1146 (42S02): Table 'hr.userz' doesn't exist", "userz"},
		{"oracle", "ORA-00942: table or view does not exist", ""},
	} {
		d, _ := dialects.Lookup(tt.dialect)
		if got, _ := dialects.MissingTable(d, errors.New(tt.err)); got != tt.table {
			t.Errorf("%s: %q gives %q, want %q", tt.dialect, tt.err, got, tt.table)
		}
	}
}

// TestIndexKeys: what a key part's expression says about letter case.
func TestIndexKeys(t *testing.T) {
	for _, tt := range []struct {
		expr  string
		on    string
		blind bool
	}{
		{"lower((login)::text)", "login", true},
		{`(UPPER("LOGIN"))`, "login", true},
		{"LOWER([login])", "login", true},
		{"substr(login, 1, 3)", "login", false},
		{"lower(login_name)", "login", false},
	} {
		u := dialects.UniqueIndex{Keys: []dialects.IndexKey{{Expression: tt.expr, CaseBlind: strings.Contains(strings.ToLower(tt.expr), "lower(") || strings.Contains(strings.ToLower(tt.expr), "upper(")}}}
		if got := u.On(tt.on) && u.CaseBlind(); got != tt.blind {
			t.Errorf("%s on %s: %v", tt.expr, tt.on, got)
		}
	}
}
