package dialects_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
)

// TestReadForeignKeys reads a users table's reference to itself (a manager),
// a link table's two keys and an implicit reference to a primary key from each
// live catalog.
func TestReadForeignKeys(t *testing.T) {
	ddl := map[string][]string{
		"sqlite": {`CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, manager_id INTEGER REFERENCES users (id))`,
			`CREATE TABLE teams (team_id INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
			`CREATE TABLE team_members (team_id INTEGER NOT NULL REFERENCES teams, user_id INTEGER NOT NULL REFERENCES users (id), PRIMARY KEY (team_id, user_id))`},
		"mysql": {`CREATE TABLE users (id INT PRIMARY KEY, login VARCHAR(50) NOT NULL UNIQUE, manager_id INT, CONSTRAINT fk_manager FOREIGN KEY (manager_id) REFERENCES users (id))`,
			`CREATE TABLE teams (team_id INT PRIMARY KEY, name VARCHAR(50) NOT NULL)`,
			`CREATE TABLE team_members (team_id INT NOT NULL, user_id INT NOT NULL, PRIMARY KEY (team_id, user_id),
				CONSTRAINT fk_team FOREIGN KEY (team_id) REFERENCES teams (team_id), CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id))`},
		"postgres": {`CREATE TABLE users (id INT PRIMARY KEY, login VARCHAR(50) NOT NULL UNIQUE, manager_id INT, CONSTRAINT fk_manager FOREIGN KEY (manager_id) REFERENCES users (id))`,
			`CREATE TABLE teams (team_id INT PRIMARY KEY, name VARCHAR(50) NOT NULL)`,
			`CREATE TABLE team_members (team_id INT NOT NULL REFERENCES teams, user_id INT NOT NULL, PRIMARY KEY (team_id, user_id),
				CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id))`},
	}
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, _ := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, ddl[dialect]...)
			ctx := context.Background()
			keys, err := dialects.ReadForeignKeys(ctx, d, db, "users")
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) != 1 || !reflect.DeepEqual(keys[0].Columns, []string{"manager_id"}) || keys[0].RefTable != "users" ||
				!reflect.DeepEqual(keys[0].RefColumns, []string{"id"}) {
				t.Errorf("users: %+v", keys)
			}
			keys, err = dialects.ReadForeignKeys(ctx, d, db, "team_members")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, k := range keys {
				if len(k.Columns) != 1 || len(k.RefColumns) != 1 {
					t.Fatalf("team_members: %+v", keys)
				}
				got[k.Columns[0]] = k.RefTable + "." + k.RefColumns[0]
			}
			if want := map[string]string{"team_id": "teams.team_id", "user_id": "users.id"}; !reflect.DeepEqual(got, want) {
				t.Errorf("team_members: %v, want %v", got, want)
			}
			if keys, err := dialects.ReadForeignKeys(ctx, d, db, "teams"); err != nil || len(keys) != 0 {
				t.Errorf("teams: %v %v", keys, err)
			}
		})
	}
}

// TestForeignKeysQueries checks every dialect's foreign-key query, SQL Server's
// and Oracle's included (no server here): it binds as many values as it
// declares, in the dialect's own placeholder form, and reads the catalog views
// that hold foreign keys.
func TestForeignKeysQueries(t *testing.T) {
	reads := map[string][]string{
		"sqlite":    {"pragma_foreign_key_list"},
		"mysql":     {"KEY_COLUMN_USAGE", "REFERENCED_TABLE_NAME"},
		"postgres":  {"pg_constraint", "contype = 'f'", "confkey"},
		"sqlserver": {"sys.foreign_keys", "sys.foreign_key_columns", "referenced_column_id", "@p1", "@p2"},
		"oracle":    {"ALL_CONSTRAINTS", "CONSTRAINT_TYPE = 'R'", "R_CONSTRAINT_NAME", "rcc.POSITION = cc.POSITION", ":1", ":2"},
	}
	for _, name := range dialects.Names() {
		d, _ := dialects.Lookup(name)
		s := d.Spec()
		if s.ForeignKeysQuery == "" {
			t.Errorf("%s has no ForeignKeysQuery", name)
			continue
		}
		for _, a := range s.ForeignKeysArgs {
			if a != 's' && a != 't' {
				t.Errorf("%s: ForeignKeysArgs %q holds %q", name, s.ForeignKeysArgs, a)
			}
		}
		if _, n, err := d.Rewrite(s.ForeignKeysQuery); err != nil || n != len(s.ForeignKeysArgs) || n == 0 {
			t.Errorf("%s: ForeignKeysQuery has %d placeholders (%v), ForeignKeysArgs %d", name, n, err, len(s.ForeignKeysArgs))
		}
		for _, w := range reads[name] {
			if !strings.Contains(s.ForeignKeysQuery, w) {
				t.Errorf("%s: ForeignKeysQuery does not contain %q", name, w)
			}
		}
	}
}
