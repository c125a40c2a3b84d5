package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects/dialecttest"
)

// staffTables are a legacy users table with a coded status column, on each live
// engine: a text key on SQLite, keys the database generates on MariaDB and
// PostgreSQL.
var staffTables = map[string][]string{
	"sqlite": {`CREATE TABLE staff (staff_id TEXT PRIMARY KEY, login TEXT NOT NULL UNIQUE, first_name TEXT, last_name TEXT,
		email TEXT, status CHAR(1) NOT NULL DEFAULT 'A', dept TEXT, shoe_size INT)`},
	"mysql": {`CREATE TABLE staff (staff_id INT AUTO_INCREMENT PRIMARY KEY, login VARCHAR(100) NOT NULL UNIQUE, first_name VARCHAR(50),
		last_name VARCHAR(50), email VARCHAR(100), status CHAR(1) NOT NULL DEFAULT 'A', dept VARCHAR(50), shoe_size INT)`},
	"postgres": {`CREATE TABLE staff (staff_id SERIAL PRIMARY KEY, login VARCHAR(100) NOT NULL UNIQUE, first_name VARCHAR(50),
		last_name VARCHAR(50), email VARCHAR(100), status CHAR(1) NOT NULL DEFAULT 'A', dept VARCHAR(50), shoe_size INT)`},
}

// TestInitServesTheTable: dbscim init reads a live table with a coded status
// column (A active; I and T inactive), proposes the codes as a many-to-one
// value map, writes a configuration that validates as written, and that
// configuration serves Okta's sequence (lookup before create, create, get,
// deactivate by PATCH), checked by SQL. It also times the whole way from the
// table to a served target.
func TestInitServesTheTable(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, staffTables[dialect]...)
			dialecttest.MustExec(t, db, `INSERT INTO staff (login, first_name, last_name, email, status, dept) VALUES ('ann', 'Ann', 'Lee', 'ann@example.com', 'A', 'Ops')`,
				`INSERT INTO staff (login, first_name, last_name, email, status, dept) VALUES ('tom', 'Tom', 'Ray', 'tom@example.com', 'T', 'Ops')`,
				`INSERT INTO staff (login, first_name, last_name, email, status, dept) VALUES ('ida', 'Ida', 'Orr', 'ida@example.com', 'I', 'Ops')`)
			if dialect == "sqlite" {
				dialecttest.MustExec(t, db, `UPDATE staff SET staff_id = login`)
			}
			began := time.Now()
			s := initAndServe(t, d, db, conn, "staff", "staff")
			took := time.Since(began)
			switch dialect {
			case "mysql": // the default collation ignores case
				s.contains("userName: login   # guessed from the column's name; unique in any letter case (index login), as SCIM's userName")
			case "postgres":
				s.contains("userName: login   # guessed from the column's name; unique, but its index staff_login_key tells Ann from ann",
					"#   CREATE UNIQUE INDEX staff_login_ci ON staff (lower(login))")
			}
			s.contains(`active: {column: status, true: ["A"], false: ["I", "T"]}   # deactivating writes I, activating A`,
				"# guessed from the values status holds (A read as active; I, T as inactive); check every code:")
			id := s.oktaSequence("carol", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"carol",
				"name":{"givenName":"Carol","familyName":"Diaz"},"emails":[{"type":"work","value":"carol@example.com","primary":true}],"active":true}`)
			var login, given, email, code string
			if err := s.row(`SELECT login, first_name, email, status FROM staff WHERE staff_id = ?`, []any{id}, &login, &given, &email, &code); err != nil {
				t.Fatal(err)
			}
			if login != "carol" || given != "Carol" || email != "carol@example.com" || code != "I" {
				t.Errorf("row after create and deactivate: %s %s %s %s", login, given, email, code)
			}
			for login, want := range map[string]any{"ann": true, "tom": false, "ida": false} {
				if status, m := s.do("GET", `/Users?filter=userName%20eq%20%22`+login+`%22`, ""); status != 200 || m["totalResults"] != float64(1) {
					t.Errorf("a seeded user: %d %v", status, m)
				} else if r := m["Resources"].([]any)[0].(map[string]any); r["active"] != want {
					t.Errorf("%s reads as active %v, want %v", login, r["active"], want)
				}
			}
			t.Logf("from the table to a served, validated target in %v", took.Round(time.Millisecond))
		})
	}
}

// TestInitLeavesUnknownCodesOut: a status code init cannot classify (L) is
// named in a comment and left out of the value map, and validate then warns of
// it, so that the DBA decides rather than init guessing.
func TestInitLeavesUnknownCodesOut(t *testing.T) {
	d, db, conn := dialecttest.NewDatabase(t, "sqlite")
	dialecttest.MustExec(t, db, staffTables["sqlite"]...)
	dialecttest.MustExec(t, db, `INSERT INTO staff (staff_id, login, status) VALUES ('ann', 'ann', 'A'), ('tom', 'tom', 'T'), ('lou', 'lou', 'L')`)
	file := filepath.Join(t.TempDir(), "dbscim.yaml")
	var out, errOut bytes.Buffer
	if code := run([]string{"init", "--dialect", d.Name(), "--name", conn.Name, "--out", file, "staff"}, &out, &errOut); code != 0 {
		t.Fatalf("init: exit %d: %s", code, errOut.String())
	}
	text, _ := os.ReadFile(file)
	for _, want := range []string{`active: {column: status, true: ["A"], false: ["T"]}`,
		// login's UNIQUE compares letter case: init says so and proposes the
		// index validate asks for.
		"#   CREATE UNIQUE INDEX staff_login_ci ON staff (login COLLATE NOCASE)",
		"# left out, not guessed: L (a user holding one is served without active, and validate warns of it): add each to true or false"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	t.Setenv("STAFF_TOKEN", "0123456789abcdef0123456789")
	out.Reset()
	errOut.Reset()
	run([]string{"validate", "--config", file}, &out, &errOut)
	if all := out.String() + errOut.String(); !strings.Contains(all, `warning: active: column status holds values its value map does not list ("L")`) {
		t.Errorf("validate does not report the code left out:\n%s", all)
	}
}

// TestProposeStatus sorts sampled status codes into active, inactive and
// unknown, many to one, and guesses none it does not know.
func TestProposeStatus(t *testing.T) {
	for _, tt := range []struct {
		values           []string
		yes, no, unknown string
		ok               bool
	}{
		{[]string{"A", "T"}, "A", "T", "", true},
		{[]string{"A", "I", "L", "T"}, "A", "I T", "L", true},
		{[]string{"N", "Y"}, "Y", "N", "", true},
		{[]string{"ACTIVE", "SUSPENDED", "TERMINATED"}, "ACTIVE", "SUSPENDED TERMINATED", "", true},
		{[]string{"E", "D"}, "E", "D", "", true},
		{[]string{"0", "1"}, "1", "0", "", true},
		{[]string{"F", "T"}, "T", "F", "", true}, // only T and F: true and false
		{[]string{"A", "F", "T"}, "A", "T", "F", true},
		{[]string{"A"}, "A", "", "", false},
		{[]string{"P", "Q"}, "", "", "P Q", false},
	} {
		s := proposeStatus(tt.values)
		j := func(v []string) string { return strings.Join(v, " ") }
		if j(s.yes) != tt.yes || j(s.no) != tt.no || j(s.unknown) != tt.unknown || s.ok() != tt.ok {
			t.Errorf("proposeStatus(%v) = %+v (ok %v); want %q %q %q %v", tt.values, s, s.ok(), tt.yes, tt.no, tt.unknown, tt.ok)
		}
	}
}

// TestInitUserNameWithoutIndex: a userName column no unique index covers gets
// a comment saying so and the DDL of an index that ignores letter case, the
// one validate then proposes too.
func TestInitUserNameWithoutIndex(t *testing.T) {
	d, db, conn := dialecttest.NewDatabase(t, "sqlite")
	dialecttest.MustExec(t, db, `CREATE TABLE accounts (account_id TEXT PRIMARY KEY, username TEXT NOT NULL, email TEXT)`)
	file := filepath.Join(t.TempDir(), "dbscim.yaml")
	var out, errOut bytes.Buffer
	if code := run([]string{"init", "--dialect", d.Name(), "--name", conn.Name, "--out", file, "accounts"}, &out, &errOut); code != 0 {
		t.Fatalf("init: exit %d: %s", code, errOut.String())
	}
	text, _ := os.ReadFile(file)
	ddl := "CREATE UNIQUE INDEX accounts_username_ci ON accounts (username COLLATE NOCASE)"
	for _, want := range []string{"# no unique index makes username unique: two creates at once can store one userName twice.",
		"#   " + ddl, "userName: username   # guessed from the column's name; no unique index"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	t.Setenv("ACCOUNTS_TOKEN", "0123456789abcdef0123456789")
	out.Reset()
	run([]string{"validate", "--config", file}, &out, &errOut)
	if all := out.String() + errOut.String(); !strings.Contains(all, ddl) {
		t.Errorf("validate does not propose the same index:\n%s", all)
	}
}
