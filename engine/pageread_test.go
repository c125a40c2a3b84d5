package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

const pageReadConfig = `version: 1
targets:
  t:
    auth: {none: true}
    database:
%s
    users:
      id: id
      attributes:
        userName: login
        phoneNumbers:
          table:
            columns: {type: kind, value: num}
            read: {sql: "SELECT kind, num FROM phones WHERE emp_id = ?", params: [id]}
      operations:
        list: {sql: "SELECT id, login FROM emp"}
        get:  {sql: "SELECT id, login FROM emp WHERE id = ?", params: [id]}
    groups:
      id: id
      attributes: {displayName: display_name}
      member_id: emp_id
      operations:
        list:    {sql: "SELECT id, display_name FROM grp"}
        get:     {sql: "SELECT id, display_name FROM grp WHERE id = ?", params: [id]}
        members: {sql: "SELECT emp_id FROM link WHERE grp_id = ?", params: [id]}
        groups_of_user: {sql: "SELECT g.id, g.display_name FROM link l JOIN grp g ON g.id = l.grp_id WHERE l.emp_id = ?", params: [member]}
    entitlements:
      Entitlement:
        id: ent_id
        display: name
        operations:
          list:    {sql: "SELECT ent_id, name FROM ents WHERE kind = 'ent'"}
          of_user: {sql: "SELECT e.ent_id, e.name FROM grants g JOIN ents e ON e.ent_id = g.ent_id WHERE g.emp_id = ? AND e.kind = 'ent'", params: [user]}
      Role:
        kind: role
        id: ent_id
        display: name
        operations:
          list:    {sql: "SELECT ent_id, name FROM ents WHERE kind = 'role'"}
          of_user: {call: "%s", params: [user]}
`

// pageReadSchema is the tables of pageReadConfig: users, their phones, groups
// and their members, entitlements and roles and their grants.
var pageReadSchema = []string{
	`CREATE TABLE emp (id VARCHAR(64) PRIMARY KEY, login VARCHAR(100) NOT NULL)`,
	`CREATE TABLE phones (emp_id VARCHAR(64) NOT NULL, kind VARCHAR(20) NOT NULL, num VARCHAR(40) NOT NULL)`,
	`CREATE TABLE grp (id VARCHAR(64) PRIMARY KEY, display_name VARCHAR(100) NOT NULL)`,
	`CREATE TABLE link (grp_id VARCHAR(64) NOT NULL, emp_id VARCHAR(64) NOT NULL)`,
	`CREATE TABLE ents (ent_id VARCHAR(64) PRIMARY KEY, name VARCHAR(100) NOT NULL, kind VARCHAR(10) NOT NULL)`,
	`CREATE TABLE grants (emp_id VARCHAR(64) NOT NULL, ent_id VARCHAR(64) NOT NULL)`,
	`INSERT INTO grp (id, display_name) VALUES ('g1', 'Staff'), ('g2', 'Admins')`,
	`INSERT INTO ents (ent_id, name, kind) VALUES ('e1', 'VPN', 'ent'), ('e2', 'Mail', 'ent'), ('r1', 'Auditor', 'role')`,
}

// servePageReads serves cfg's target t with the pool's statements logged, and
// returns the log and a GET that decodes a 200 answer (failing the test on any
// other).
func servePageReads(t *testing.T, cfg string) (*statementLog, func(path string) map[string]any) {
	logs := &statementLog{}
	s := enginetest.ServeYAML(t, cfg, enginetest.Options{
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	return logs, func(path string) map[string]any {
		t.Helper()
		resp, err := s.Client().Get(s.URL("t") + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v %v", path, resp.StatusCode, err, out)
		}
		return out
	}
}

// statementLog counts the statements a target runs, from the pool's debug log.
type statementLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *statementLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// take returns the operations of the statements logged since the last call.
func (l *statementLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ops []string
	for _, line := range strings.Split(l.buf.String(), "\n") {
		var e struct{ Msg, Operation string }
		if json.Unmarshal([]byte(line), &e) == nil && e.Msg == "statement" {
			ops = append(ops, e.Operation)
		}
	}
	l.buf.Reset()
	return ops
}

// TestListPageReadsOncePerRead checks that a list page reads grants, groups and
// child-table values with one statement per declared read, whatever the number
// of users on it, on every engine, and that what it reads is what reading each
// user alone returns. The roles' of_user is a stored routine where the engine has
// one, which runs once per user as before.
func TestListPageReadsOncePerRead(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, pageReadSchema...)
			const users = 30
			for i := 1; i <= users; i++ {
				id := fmt.Sprintf("u%02d", i)
				dialecttest.MustExec(t, db, fmt.Sprintf("INSERT INTO emp (id, login) VALUES ('%s', 'user%02d')", id, i))
				for k := 0; k < i%3; k++ {
					dialecttest.MustExec(t, db, fmt.Sprintf("INSERT INTO phones (emp_id, kind, num) VALUES ('%s', '%s', '+1 555 %04d')",
						id, []string{"work", "mobile"}[k], i*10+k))
				}
				if i%2 == 0 {
					dialecttest.MustExec(t, db, fmt.Sprintf("INSERT INTO link (grp_id, emp_id) VALUES ('g1', '%s')", id))
				}
				if i%5 == 0 {
					dialecttest.MustExec(t, db, fmt.Sprintf("INSERT INTO link (grp_id, emp_id) VALUES ('g2', '%s')", id))
				}
				if i%3 == 0 {
					dialecttest.MustExec(t, db, fmt.Sprintf("INSERT INTO grants (emp_id, ent_id) VALUES ('%s', 'e1'), ('%s', 'e2')", id, id))
				}
				if i%4 == 0 {
					dialecttest.MustExec(t, db, fmt.Sprintf("INSERT INTO grants (emp_id, ent_id) VALUES ('%s', 'r1')", id))
				}
			}
			// The roles' of_user is a routine where the engine has them, so that
			// the test also shows a call still reads once per user.
			roles := "SELECT e.ent_id, e.name FROM grants g JOIN ents e ON e.ent_id = g.ent_id WHERE g.emp_id = ? AND e.kind = 'role'"
			perUserRoles := false
			switch dialect {
			case "mysql":
				dialecttest.MustExec(t, db, `CREATE PROCEDURE roles_of(IN u VARCHAR(64)) SELECT e.ent_id, e.name FROM grants g
					JOIN ents e ON e.ent_id = g.ent_id WHERE g.emp_id = u AND e.kind = 'role'`)
				roles, perUserRoles = "roles_of(?)", true
			case "postgres":
				dialecttest.MustExec(t, db, `CREATE FUNCTION roles_of(u VARCHAR) RETURNS TABLE (ent_id VARCHAR, name VARCHAR) AS $$
					SELECT e.ent_id, e.name FROM grants g JOIN ents e ON e.ent_id = g.ent_id WHERE g.emp_id = u AND e.kind = 'role' $$ LANGUAGE SQL`)
				roles, perUserRoles = "roles_of(?)", true
			}
			cfg := fmt.Sprintf(pageReadConfig, enginetest.DatabaseYAML(d, conn), roles)
			if !perUserRoles {
				cfg = strings.Replace(cfg, `of_user: {call: "`+roles+`"`, `of_user: {sql: "`+roles+`"`, 1)
			} else if dialect == "postgres" {
				cfg = strings.Replace(cfg, `of_user: {call: "`, `of_user: {function: "`, 1)
			}
			logs, get := servePageReads(t, cfg)
			get("/Users?count=1") // learn the list statement's columns
			logs.take()
			statements := map[int]int{}
			for _, count := range []int{10, users} {
				page := get(fmt.Sprintf("/Users?startIndex=1&count=%d", count))
				ops := logs.take()
				statements[count] = len(ops)
				list, _ := page["Resources"].([]any)
				if len(list) != count {
					t.Fatalf("a page of %d holds %d users", count, len(list))
				}
				for _, r := range list {
					u := r.(map[string]any)
					alone := get("/Users/" + u["id"].(string))
					logs.take()
					for _, attr := range []string{"phoneNumbers", "groups", "entitlements", "roles", "meta"} {
						if a, b := canonical(u[attr]), canonical(alone[attr]); a != b {
							t.Errorf("user %s: %s in the page %s, alone %s", u["id"], attr, a, b)
						}
					}
				}
			}
			// The page, its COUNT, phones, groups and entitlements: one each; the
			// roles once per user when they come from a routine.
			want := 5 + 1
			if perUserRoles {
				want = 5 + users
			}
			if statements[users] != want {
				t.Errorf("a page of %d users ran %d statements, want %d", users, statements[users], want)
			}
			if !perUserRoles && statements[10] != statements[users] {
				t.Errorf("a page of 10 ran %d statements, a page of %d %d: the reads grow with the page", statements[10], users, statements[users])
			}
		})
	}
}

// canonical is a JSON value with the elements of its lists in a fixed order.
func canonical(v any) string {
	switch x := v.(type) {
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = canonical(e)
		}
		sort.Strings(parts)
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		delete(x, "location")
		b, _ := json.Marshal(x)
		return string(b)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// TestListPageReadFallsBack checks the reads that cannot run for a whole page: a
// child-table read written with SQLite's native ?1 runs once per user, with a
// warning logged once, and still answers what a GET of each user does, while the
// other reads are combined. (TestPageReadText covers a read that ends with a line
// comment.)
func TestListPageReadFallsBack(t *testing.T) {
	d, db, conn := dialecttest.NewDatabase(t, "sqlite")
	dialecttest.MustExec(t, db,
		`CREATE TABLE emp (id VARCHAR(64) PRIMARY KEY, login VARCHAR(100) NOT NULL)`,
		`CREATE TABLE phones (emp_id VARCHAR(64) NOT NULL, kind VARCHAR(20) NOT NULL, num VARCHAR(40) NOT NULL)`,
		`CREATE TABLE grp (id VARCHAR(64) PRIMARY KEY, display_name VARCHAR(100) NOT NULL)`,
		`CREATE TABLE link (grp_id VARCHAR(64) NOT NULL, emp_id VARCHAR(64) NOT NULL)`,
		`CREATE TABLE ents (ent_id VARCHAR(64) PRIMARY KEY, name VARCHAR(100) NOT NULL, kind VARCHAR(10) NOT NULL)`,
		`CREATE TABLE grants (emp_id VARCHAR(64) NOT NULL, ent_id VARCHAR(64) NOT NULL)`,
		`INSERT INTO ents (ent_id, name, kind) VALUES ('e1', 'VPN', 'ent'), ('r1', 'Auditor', 'role')`)
	const users = 12
	for i := 1; i <= users; i++ {
		dialecttest.MustExec(t, db, fmt.Sprintf("INSERT INTO emp (id, login) VALUES ('u%02d', 'user%02d')", i, i),
			fmt.Sprintf("INSERT INTO phones (emp_id, kind, num) VALUES ('u%02d', 'work', '+1 555 %04d')", i, i),
			fmt.Sprintf("INSERT INTO grants (emp_id, ent_id) VALUES ('u%02d', 'e1')", i))
	}
	cfg := fmt.Sprintf(pageReadConfig, enginetest.DatabaseYAML(d, conn), "x")
	cfg = strings.Replace(cfg, `WHERE emp_id = ?", params: [id]}`, `WHERE emp_id = ?1", params: [id]}`, 1)
	cfg = strings.Replace(cfg, `of_user: {call: "x", params: [user]}`,
		`of_user: {sql: "SELECT e.ent_id, e.name FROM grants g JOIN ents e ON e.ent_id = g.ent_id WHERE g.emp_id = ? AND e.kind = 'role'", params: [user]}`, 1)
	if !strings.Contains(cfg, "?1") {
		t.Fatalf("the configuration was not rewritten:\n%s", cfg)
	}
	logs, get := servePageReads(t, cfg)
	get("/Users?count=1")
	logs.take()
	for round := range 2 {
		page := get(fmt.Sprintf("/Users?startIndex=1&count=%d", users))
		logs.mu.Lock()
		warnings := strings.Count(logs.buf.String(), "cannot run for a whole page")
		logs.mu.Unlock()
		ops := logs.take()
		// The page, its COUNT, groups, entitlements and roles once each; the
		// phones once per user: their combined form is not even tried, its
		// placeholders being numbered.
		want := 5 + users
		if len(ops) != want {
			t.Errorf("round %d: %d statements, want %d: %v", round, len(ops), want, ops)
		}
		if wantWarnings := 1 - round; warnings != wantWarnings {
			t.Errorf("round %d: %d warnings, want %d", round, warnings, wantWarnings)
		}
		for _, r := range page["Resources"].([]any) {
			u := r.(map[string]any)
			alone := get("/Users/" + u["id"].(string))
			logs.take()
			for _, attr := range []string{"phoneNumbers", "entitlements", "meta"} {
				if a, b := canonical(u[attr]), canonical(alone[attr]); a != b || u[attr] == nil {
					t.Errorf("user %s: %s in the page %s, alone %s", u["id"], attr, a, b)
				}
			}
		}
	}
}
