package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/operations"
)

// hireConfig creates users with a statement that binds only the id and the
// login, as a legacy hire routine takes fewer arguments than the attributes
// mapped: the rest is written by update. %[2]s is the users block's extra keys.
const hireConfig = `version: 1
targets:
  t:
    auth: {none: true}
    database:
%[1]s
    users:
      id: id
%[2]s      attributes:
        userName: login
        externalId: ext
        name.givenName: given
        active: {column: status, true: [A], false: [T]}
      operations:
        list:   {sql: "SELECT id, login, ext, given, status FROM staff"}
        get:    {sql: "SELECT id, login, ext, given, status FROM staff WHERE id = ?", params: [id]}
        create: {sql: "INSERT INTO staff (id, login, status) VALUES (?, ?, 'A')", params: [id, login]}
        update: {sql: "UPDATE staff SET login = ?, ext = ?, given = ? WHERE id = ?", params: [login, ext, given, id]}
        deactivate: {sql: "UPDATE staff SET status = 'T' WHERE id = ?", params: [id]}
`

func hireTarget(t *testing.T, dialect, extra string) (*Stores, func(id string) string) {
	d, db, conn := dialecttest.NewDatabase(t, dialect)
	dialecttest.MustExec(t, db, `CREATE TABLE staff (id VARCHAR(64) PRIMARY KEY, login VARCHAR(100) NOT NULL, ext VARCHAR(100), given VARCHAR(100), status CHAR(1))`)
	var block strings.Builder
	fmt.Fprintf(&block, "      dialect: %s\n      name: %q\n", d.Name(), conn.Name)
	if d.Name() != "sqlite" {
		fmt.Fprintf(&block, "      host: %q\n      port: %d\n      user: %q\n", conn.Host, conn.Port, conn.User)
		if conn.Password != "" {
			fmt.Fprintf(&block, "      password: %q\n", conn.Password)
		}
	}
	file := filepath.Join(t.TempDir(), "dbscim.yaml")
	if err := os.WriteFile(file, []byte(fmt.Sprintf(hireConfig, block.String(), extra)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := operations.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	row := func(id string) string {
		t.Helper()
		var login, ext, given, status any
		err := db.QueryRow("SELECT login, ext, given, status FROM staff WHERE id = "+d.Placeholder(1), id).Scan(&login, &ext, &given, &status)
		if err != nil {
			return err.Error()
		}
		out := []string{}
		for _, v := range []any{login, ext, given, status} {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			out = append(out, fmt.Sprint(v))
		}
		return strings.Join(out, " ")
	}
	return openStores(t, cfg.Targets[0]), row
}

// TestCreateCompletion: a create carrying attributes the create operation does
// not bind writes them with update (and deactivate) in the same transaction, on
// every engine; with create_completion: false it is refused, and nothing is
// stored.
func TestCreateCompletion(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			s, row := hireTarget(t, dialect, "")
			ctx := context.Background()
			out, err := s.Users.Create(ctx, resource.Change{Resource: resource.Resource{
				"userName": "ann", "externalId": "e-1", "name": map[string]any{"givenName": "Ann"}, "active": false}})
			if err != nil {
				t.Fatal(err)
			}
			id := out["id"].(string)
			if got := row(id); got != "ann e-1 Ann T" {
				t.Errorf("row %q, want ann e-1 Ann T", got)
			}
			if out["externalId"] != "e-1" || out["active"] != false {
				t.Errorf("answer %v", out)
			}
			// A create with only what create binds runs no update.
			out, err = s.Users.Create(ctx, resource.Change{Resource: resource.Resource{"userName": "ben"}})
			if err != nil || row(out["id"].(string)) != "ben <nil> <nil> A" {
				t.Errorf("plain create: %v %v", out, err)
			}

			off, row2 := hireTarget(t, dialect, "      create_completion: false\n")
			_, err = off.Users.Create(ctx, resource.Change{Resource: resource.Resource{"userName": "cat", "externalId": "e-3"}})
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "externalId") {
				t.Errorf("create with completion off: %v", err)
			}
			page, _ := off.Users.List(ctx, resource.Query{StartIndex: 1, Count: 10})
			if page == nil || page.Total != 0 {
				t.Errorf("a refused create stored something: %+v", page)
			}
			_ = row2
		})
	}
}

// TestCreateIDFromBoundValue: a create that binds the id column from the
// userName (the Okta lab's USER_ID = USERNAME) answers with that id, not with
// SQLite's rowid.
func TestCreateIDFromBoundValue(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, `CREATE TABLE people (user_id VARCHAR(100) PRIMARY KEY, user_name VARCHAR(100) NOT NULL)`,
				`INSERT INTO people VALUES ('x1', 'x1'), ('x2', 'x2')`)
			var block strings.Builder
			fmt.Fprintf(&block, "      dialect: %s\n      name: %q\n", d.Name(), conn.Name)
			if d.Name() != "sqlite" {
				fmt.Fprintf(&block, "      host: %q\n      port: %d\n      user: %q\n", conn.Host, conn.Port, conn.User)
				if conn.Password != "" {
					fmt.Fprintf(&block, "      password: %q\n", conn.Password)
				}
			}
			cfg, err := operations.Parse("lab.yaml", []byte(fmt.Sprintf(`version: 1
targets:
  t:
    auth: {none: true}
    database:
%s
    users:
      id: user_id
      attributes: {userName: user_name}
      operations:
        list:   {sql: "SELECT user_id, user_name FROM people"}
        get:    {sql: "SELECT user_id, user_name FROM people WHERE user_id = ?", params: [user_id]}
        create: {sql: "INSERT INTO people (user_id, user_name) VALUES (?, ?)", params: [user_name, user_name]}
`, block.String())), func(string) (string, bool) { return "", false })
			if err != nil {
				t.Fatal(err)
			}
			s := openStores(t, cfg.Targets[0])
			out, err := s.Users.Create(context.Background(), resource.Change{Resource: resource.Resource{"userName": "zoe"}})
			if err != nil || out["id"] != "zoe" {
				t.Fatalf("create: %v %v", out, err)
			}
		})
	}
}
