package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/operations"
)

var routineDDL = map[string][]string{
	"mysql": {
		`CREATE TABLE users (id VARCHAR(20) PRIMARY KEY, user_name VARCHAR(100) NOT NULL)`,
		`CREATE PROCEDURE list_users() SELECT id, user_name FROM users`,
		`CREATE PROCEDURE get_user(IN p_id VARCHAR(20)) SELECT id, user_name FROM users WHERE id = p_id`,
		`CREATE PROCEDURE create_user(IN p_id VARCHAR(20), IN p_name VARCHAR(100)) INSERT INTO users VALUES (p_id, p_name)`,
	},
	"postgres": {
		`CREATE TABLE users (id VARCHAR(20) PRIMARY KEY, user_name TEXT NOT NULL)`,
		`CREATE FUNCTION list_users() RETURNS SETOF users LANGUAGE sql AS $$ SELECT * FROM users $$`,
		`CREATE FUNCTION get_user(p_id TEXT) RETURNS SETOF users LANGUAGE sql AS $$ SELECT * FROM users WHERE id = p_id $$`,
		`CREATE PROCEDURE create_user(p_id TEXT, p_name TEXT) LANGUAGE sql AS $$ INSERT INTO users VALUES (p_id, p_name) $$`,
	},
}

// TestCheckRoutines checks declared calls against the catalog: a routine that
// does not exist, one called with the wrong number of parameters, and (on
// PostgreSQL) a function declared with call:.
func TestCheckRoutines(t *testing.T) {
	for _, dialect := range []string{"mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, routineDDL[dialect]...)
			read := "call"
			if dialect == "postgres" {
				read = "function"
			}
			ops := func(list, create string) string {
				return fmt.Sprintf(`version: 1
targets:
  t:
    auth: {none: true}
    database: {dialect: %s, host: %q, port: %d, name: %q, user: %q, password: %q}
    users:
      id: id
      attributes: {userName: user_name}
      operations:
        list: {%s}
        get: {%s: "get_user(?)", params: [id]}
        create: {%s}
`, d.Name(), conn.Host, conn.Port, conn.Name, conn.User, conn.Password, list, read, create)
			}
			check := func(yaml string) []Problem {
				t.Helper()
				cfg, err := operations.Parse("check.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
				if err != nil {
					t.Fatal(err)
				}
				target := openStores(t, cfg.Targets[0])
				return Errors(target.Check(context.Background()))
			}
			good := ops(read+": list_users()", `call: "create_user(?, ?)", params: [id, user_name]`)
			if p := check(good); len(p) != 0 {
				t.Fatalf("correct calls: %v", p)
			}
			p := check(ops(read+": list_users()", `call: "create_user(?)", params: [id]`))
			if len(p) != 1 || !strings.Contains(p[0].Msg, "create_user takes 2 parameters (p_id, p_name), but the call binds 1") {
				t.Fatalf("wrong count: %v", p)
			}
			p = check(ops(read+": list_users()", `call: "create_usr(?, ?)", params: [id, user_name]`))
			if len(p) != 1 || !strings.Contains(p[0].Msg, "no routine create_usr exists") || !strings.Contains(p[0].Msg, "did you mean create_user?") {
				t.Fatalf("missing routine: %v", p)
			}
			if dialect == "postgres" {
				p = check(ops("call: list_users()", `call: "create_user(?, ?)", params: [id, user_name]`))
				if len(p) == 0 || !strings.Contains(p[0].Msg, "list_users is a function, which call: cannot run") {
					t.Fatalf("function called with call: %v", p)
				}
			}
		})
	}
}

// TestCheckFindsMistakes: validate finds, against the live database, a get that
// returns fewer columns than the mapping reads, an active attribute over a status
// column whose values are not booleans, and a member insert that ignores errors.
func TestCheckFindsMistakes(t *testing.T) {
	ignore := map[string]string{"sqlite": "INSERT OR IGNORE", "mysql": "INSERT IGNORE", "postgres": "INSERT"}
	conflict := map[string]string{"sqlite": "", "mysql": "", "postgres": " ON CONFLICT (team_id, account_id) DO NOTHING"}
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, `CREATE TABLE people (id VARCHAR(20) PRIMARY KEY, login VARCHAR(50) NOT NULL, title VARCHAR(50), status CHAR(1) NOT NULL)`,
				`INSERT INTO people VALUES ('1', 'ann', 'Eng', 'A'), ('2', 'bob', NULL, 'L'), ('3', 'cy', NULL, 'T')`,
				`CREATE TABLE teams (id VARCHAR(20) PRIMARY KEY, name VARCHAR(50) NOT NULL)`,
				`CREATE TABLE members (team_id VARCHAR(20) NOT NULL, account_id VARCHAR(20) NOT NULL, PRIMARY KEY (team_id, account_id))`)
			server := ""
			if d.Spec().Networked {
				server = fmt.Sprintf(", host: %q, port: %d, user: %q, password: %q", conn.Host, conn.Port, conn.User, conn.Password)
			}
			yaml := fmt.Sprintf(`version: 1
targets:
  t:
    auth: {none: true}
    database: {dialect: %s, name: %q%s}
    users:
      id: id
      attributes: {userName: login, title: title, active: {column: status, type: boolean, true: "A", false: "T"}}
      operations:
        list: {sql: "SELECT id, login, title, status FROM people"}
        get:  {sql: "SELECT id, login, status FROM people WHERE id = ?", params: [id]}
    groups:
      id: id
      attributes: {displayName: name}
      member_id: account_id
      operations:
        list: {sql: "SELECT id, name FROM teams"}
        get:  {sql: "SELECT id, name FROM teams WHERE id = ?", params: [id]}
        members: {sql: "SELECT account_id FROM members WHERE team_id = ?", params: [id]}
        add_member: {sql: "%s INTO members (team_id, account_id) VALUES (?, ?)%s", params: [id, member]}
`, d.Name(), conn.Name, server, ignore[dialect], conflict[dialect])
			cfg, err := operations.Parse("mistakes.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range openStores(t, cfg.Targets[0]).Check(context.Background()) {
				got = append(got, p.String())
			}
			all := strings.Join(got, "\n")
			for _, want := range []string{
				`mistakes.yaml:8:37: title: column title is not among the columns users.get returns`,
				`mistakes.yaml:8:51: warning: active: column status holds values its value map does not list ("L"): they are read as no value at all; add each to true: or false:`,
				`mistakes.yaml:20:9: add_member: `,
				`hides the database's refusal`,
			} {
				if !strings.Contains(all, want) {
					t.Errorf("validate did not report %q; it reported:\n%s", want, all)
				}
			}
			// The three mistakes, and the two tables' missing unique indexes.
			if len(got) != 5 {
				t.Errorf("%d problems, want 5:\n%s", len(got), all)
			}
		})
	}
}

// TestCheckValueFilters checks that validate warns where a value filter tests
// what another mapping sets, at that mapping, and says nothing of filters on
// constants alone.
func TestCheckValueFilters(t *testing.T) {
	d, _, conn := dialecttest.NewDatabase(t, "sqlite")
	for _, c := range []struct {
		attributes string
		want       string
	}{
		{`{userName: login, 'phoneNumbers[primary eq true].value': phone, 'phoneNumbers[primary eq true].type': phone_kind, 'phoneNumbers[type eq "mobile"].value': mobile}`,
			`filters.yaml:8:133: warning: phoneNumbers[type eq "mobile"].value: its filter tests what phoneNumbers[primary eq true].type sets`},
		{`{userName: login, 'emails[type eq "work"].primary': flag, 'emails[primary eq true].value': mail}`,
			`filters.yaml:8:77: warning: emails[primary eq true].value: its filter tests what emails[type eq "work"].primary sets`},
		{`{userName: login, 'phoneNumbers[type eq "work"].value': phone, 'phoneNumbers[type eq "work"].primary': flag, 'phoneNumbers[type eq "mobile"].value': mobile}`, ``},
		// The same attribute spelled with the core schema's URN.
		{`{userName: login, 'phoneNumbers[primary eq true].type': phone_kind, 'urn:ietf:params:scim:schemas:core:2.0:User:phoneNumbers[type eq "mobile"].value': mobile}`,
			`filters.yaml:8:87: warning: urn:ietf:params:scim:schemas:core:2.0:User:phoneNumbers[type eq "mobile"].value: its filter tests what phoneNumbers[primary eq true].type sets`},
		// A setter after the filtered mapping: the element is chosen before it.
		{`{userName: login, 'phoneNumbers[type eq "mobile"].value': mobile, 'phoneNumbers[primary eq true].value': phone, 'phoneNumbers[primary eq true].type': phone_kind}`, ``},
	} {
		yaml := fmt.Sprintf(`version: 1
targets:
  t:
    auth: {none: true}
    database: {dialect: %s, name: %q}
    users:
      id: id
      attributes: %s
      operations:
        list: {sql: "SELECT 1 AS id"}
        get:  {sql: "SELECT 1 AS id WHERE 1 = ?", params: [id]}
`, d.Name(), conn.Name, c.attributes)
		cfg, err := operations.Parse("filters.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range openStores(t, cfg.Targets[0]).checkValueFilters() {
			got = append(got, p.String())
		}
		all := strings.Join(got, "\n")
		if c.want == "" && all != "" || c.want != "" && (len(got) != 1 || !strings.HasPrefix(all, c.want)) {
			t.Errorf("%s:\ngot  %s\nwant %s", c.attributes, all, c.want)
		}
	}
}
