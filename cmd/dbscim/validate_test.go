package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/operations"
)

// TestValidate checks the DBA's command: a good file whose database answers, a file
// with several problems (all reported, each with file:line:col), and a database
// that cannot be reached.
func TestValidate(t *testing.T) {
	dir := t.TempDir()
	good := writeConfig(t, dir, config("  tls: off\n", "{bearer: "+token1+"}"))
	var out, errOut bytes.Buffer
	if code := run([]string{"validate", "--config", good}, &out, &errOut); code != 0 {
		t.Fatalf("valid file: exit %d: %s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "target t1: sqlite database reachable") || !strings.Contains(out.String(), ": ok") {
		t.Fatalf("valid file: %s", out.String())
	}

	bad := writeConfig(t, t.TempDir(), `version: 1
targets:
  t1:
    auth: {bearer: short}
    database: {dialect: nosuchdb, name: x}
    users:
      id: id
      attributes: {userName: user_name}
      operations:
        list: {sql: "SELECT id FROM users WHERE a = ? AND b = ?", params: [id]}
`)
	out.Reset()
	errOut.Reset()
	if code := run([]string{"validate", "--config", bad}, &out, &errOut); code != 1 {
		t.Fatalf("bad file: exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) < 3 || !strings.Contains(lines[len(lines)-1], "problem(s)") {
		t.Fatalf("bad file: want every problem and a count, got:\n%s", errOut.String())
	}
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, bad+":") {
			t.Errorf("problem without file:line:col: %q", l)
		}
	}

	// A MariaDB target on a port where nothing listens.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	down := writeConfig(t, t.TempDir(), strings.Replace(config("  tls: off\n", "{bearer: "+token1+"}"),
		"database: {dialect: sqlite, name: t1.db, init: schema.sql, max_open: 1}",
		"database: {dialect: mysql, host: 127.0.0.1, port: "+strconv.Itoa(port)+", name: x, user: u, password: secret-password}", 1))
	out.Reset()
	errOut.Reset()
	if code := run([]string{"validate", "--config", down}, &out, &errOut); code != 1 {
		t.Fatalf("unreachable database: exit %d: %s", code, out.String())
	}
	if !strings.Contains(errOut.String(), "database unreachable: cannot reach 127.0.0.1:"+strconv.Itoa(port)+": connection refused") || strings.Contains(errOut.String(), "secret-password") {
		t.Fatalf("unreachable database: %s", errOut.String())
	}
}

// TestValidateSaysWhy: a refused login and an unknown database are told apart
// from a server that cannot be reached, on MariaDB and PostgreSQL.
func TestValidateSaysWhy(t *testing.T) {
	for _, dialect := range []string{"mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, _, conn := dialecttest.NewDatabase(t, dialect)
			for _, tt := range []struct {
				user, password, name, want string
			}{
				{"nobody_here", "secret-password-x", conn.Name, `login refused for user "nobody_here"`},
				{conn.User, conn.Password, "no_such_database", `unknown database "no_such_database"`},
			} {
				dir := t.TempDir()
				file := writeConfig(t, dir, fmt.Sprintf(`version: 1
targets:
  t:
    auth: {bearer: %s}
    database: {dialect: %s, host: %q, port: %d, name: %q, user: %q, password: %q}
    users:
      id: id
      attributes: {userName: user_name}
      operations:
        list: {sql: "SELECT id, user_name FROM users"}
        get:  {sql: "SELECT id, user_name FROM users WHERE id = ?", params: [id]}
`, token1, d.Name(), conn.Host, conn.Port, tt.name, tt.user, tt.password))
				var out, errOut bytes.Buffer
				if code := run([]string{"validate", "--config", file}, &out, &errOut); code != 1 {
					t.Fatalf("exit %d: %s", code, out.String())
				}
				if !strings.Contains(errOut.String(), "database unreachable: "+tt.want) || strings.Contains(errOut.String(), "secret-password-x") {
					t.Errorf("validate said %q, want %q", errOut.String(), tt.want)
				}
			}
		})
	}
}

// TestValidateChecksColumns: a mapping that names a column the list statement
// does not return, and a statement over a table that does not exist, are
// reported at their place in the file, and counted apart from warnings.
func TestValidateChecksColumns(t *testing.T) {
	yaml := strings.Replace(config("  tls: off\n", "{bearer: "+token1+"}"),
		`list: {sql: "SELECT id, user_name, given_name, family_name, active FROM users"}`,
		`list: {sql: "SELECT id, user_name, given_name, active FROM users"}`, 1)
	yaml = strings.Replace(yaml, `INSERT INTO users (id,`, `INSERT INTO userz (id,`, 1)
	file := writeConfig(t, t.TempDir(), yaml)
	var out, errOut bytes.Buffer
	if code := run([]string{"validate", "--config", file}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	msg := errOut.String()
	if !strings.Contains(msg, "column family_name is not among the columns users.list returns") ||
		!strings.Contains(msg, "create: no table userz exists in the database (or this account cannot see it): did you mean users?") {
		t.Fatalf("validate said:\n%s", msg)
	}
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, file+":") {
			t.Errorf("problem without its position: %q", l)
		}
	}
	if last := lines[len(lines)-1]; !strings.HasSuffix(last, "2 problem(s), 1 warning(s)") {
		t.Errorf("summary: %q", last)
	}
}

// TestExplain prints every operation's native statement and its bindings, without
// a database.
func TestExplain(t *testing.T) {
	file := writeConfig(t, t.TempDir(), `version: 1
targets:
  pg:
    auth: {bearer: `+token1+`}
    database: {dialect: postgres, host: 127.0.0.1, port: 1, name: x, user: u, password: not-shown-secret}
    users:
      id: id
      attributes: {userName: user_name, active: active}
      operations:
        list: {sql: "SELECT id, user_name, active FROM users WHERE note <> '?'"}
        get: {function: "get_user(?)", params: [id]}
        deactivate: {call: "set_active(?, ?)", params: [id, {literal: false}]}
`)
	var out, errOut bytes.Buffer
	if code := run([]string{"explain", "--config", file}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"target pg (postgres)",
		"SELECT id, user_name, active FROM users WHERE note <> '?'",
		"SELECT * FROM get_user($1)",
		"CALL set_active($1, $2)",
		"1: column id of the record",
		"2: literal false",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("explain output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "not-shown-secret") {
		t.Error("explain printed the database password")
	}
	if code := run([]string{"explain", "--config", file, "--target", "nope"}, &out, &errOut); code != 1 {
		t.Errorf("unknown target: exit %d", code)
	}

	// The list as dbscim wraps it for a request: the filter pushed down, the page,
	// the count, and what each placeholder binds.
	out.Reset()
	if code := run([]string{"explain", "--config", file, "--filter", `userName eq "Ann"`, "--start", "11", "--count", "5"}, &out, &errOut); code != 0 {
		t.Fatalf("explain --filter: exit %d: %s", code, errOut.String())
	}
	got = out.String()
	for _, want := range []string{
		`users.list for filter userName eq "Ann", startIndex 11, count 5: page`,
		`SELECT * FROM (SELECT id, user_name, active FROM users WHERE note <> '?') AS t WHERE (t.user_name IS NOT NULL AND LOWER(t.user_name) = LOWER($1)) ORDER BY t.id LIMIT $2 OFFSET $3`,
		`1: "Ann"`, "2: 5", "3: 10",
		`SELECT COUNT(*) AS n FROM (SELECT id, user_name, active FROM users WHERE note <> '?') AS t WHERE`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("explain --filter output lacks %q:\n%s", want, got)
		}
	}
	if code := run([]string{"explain", "--config", file, "--filter", `userName zz "x"`}, &out, &errOut); code != 2 {
		t.Errorf("a bad --filter: exit %d, want 2", code)
	}
}

// TestValidateFileAndDatabaseInOneRun: with a problem in the file, the other
// operations of its target and every other target are still checked against
// their databases, and serve still refuses the file.
func TestValidateFileAndDatabaseInOneRun(t *testing.T) {
	yaml := config("  tls: off\n", "{bearer: "+token1+"}", "{bearer: "+token2+"}")
	// t1: get binds a column that is not mapped (a file problem), and create
	// names a table that does not exist (a database problem).
	yaml = strings.Replace(yaml, `FROM users WHERE id = ?", params: [id]}`, `FROM users WHERE id = ?", params: [idd]}`, 1)
	yaml = strings.Replace(yaml, `INSERT INTO users (id,`, `INSERT INTO user (id,`, 1)
	// t2: its list reads a column that does not exist.
	i := strings.LastIndex(yaml, `list: {sql: "SELECT id, user_name, given_name, family_name, active FROM users"}`)
	yaml = yaml[:i] + strings.Replace(yaml[i:], `family_name, active FROM users"}`, `family_nam, active FROM users"}`, 1)
	file := writeConfig(t, t.TempDir(), yaml)
	var out, errOut bytes.Buffer
	if code := run([]string{"validate", "--config", file}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	msg := errOut.String()
	for _, want := range []string{
		`:13:110: get: unknown column "idd" in params`,
		`:14:9: target t1: create: no table user exists in the database (or this account cannot see it): did you mean users?`,
		`:22:9: target t2: list: the database refuses the statement`,
		`: 3 problem(s), 1 warning(s)`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("validate did not say %q:\n%s", want, msg)
		}
	}
	if code := run([]string{"serve", "--config", file}, &out, &errOut); code != 1 {
		t.Errorf("serve accepted a file with problems: exit %d", code)
	}
}

// TestValidateScope: which parts of a target the file's problems concern.
func TestValidateScope(t *testing.T) {
	base := `version: 1
targets:
  t1:
    auth: {bearer: ` + token1 + `}
    database: {dialect: sqlite, name: t1.db}
    users:
      id: id
      attributes: {userName: user_name, title: title}
      operations:
        list: {sql: "SELECT id, user_name, title FROM users"}
        get: {sql: "SELECT id, user_name, title FROM users WHERE id = ?", params: [id]}
        update: {sql: "UPDATE users SET title = ? WHERE id = ?", params: [title, id]}
server:
  listen: 127.0.0.1:8443
`
	for _, tt := range []struct {
		name, old, new  string
		database, whole bool
		ops             string
	}{
		{"no problem", "", "", false, true, "list get update"},
		{"the server section after the targets", "listen: 127.0.0.1:8443", "listen: nowhere", false, true, "list get update"},
		{"a mapping", "title: title}", "title: {column: title, type: bogus}}", false, false, "list get update"},
		{"an operation", "params: [title, id]", "params: [titel, id]", false, false, "list get"},
		{"the database", "name: t1.db}", "name: t1.db, port: 5}", true, false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "dbscim.yaml")
			if err := os.WriteFile(file, []byte(strings.Replace(base, tt.old, tt.new, 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, problems, err := operations.LoadPartial(file)
			if err != nil || cfg == nil || (len(problems) == 0) != (tt.old == "") {
				t.Fatalf("LoadPartial: %v, %v, %v", cfg, problems, err)
			}
			s := scopeOf(cfg, cfg.Targets[0], problems)
			var ops []string
			for _, op := range s.ops {
				ops = append(ops, op.Name)
			}
			if s.database != tt.database || s.whole != tt.whole || strings.Join(ops, " ") != tt.ops {
				t.Errorf("scope: database %v, whole %v, ops %v (problems %v)", s.database, s.whole, ops, problems)
			}
		})
	}
}
