package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim"
	"github.com/dbscim/dbscim/operations"
)

// refusingGet declares a get routine that refuses one id on purpose, as a DBA
// does to keep a locked account out of reach.
var refusingGet = map[string][]string{
	"mysql": {
		`CREATE TABLE users (id VARCHAR(20) PRIMARY KEY, user_name VARCHAR(100) NOT NULL)`,
		`INSERT INTO users VALUES ('1', 'ann'), ('locked', 'bob')`,
		`CREATE PROCEDURE list_users() SELECT id, user_name FROM users`,
		`CREATE PROCEDURE get_user(IN p_id VARCHAR(20))
		 BEGIN
		   IF p_id = 'locked' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'GET_USER: this account is locked'; END IF;
		   SELECT id, user_name FROM users WHERE id = p_id;
		 END`,
	},
	"postgres": {
		`CREATE TABLE users (id VARCHAR(20) PRIMARY KEY, user_name TEXT NOT NULL)`,
		`INSERT INTO users VALUES ('1', 'ann'), ('locked', 'bob')`,
		`CREATE FUNCTION list_users() RETURNS SETOF users LANGUAGE sql AS $$ SELECT * FROM users $$`,
		`CREATE FUNCTION get_user(p_id TEXT) RETURNS SETOF users LANGUAGE plpgsql AS $$
		 BEGIN
		   IF p_id = 'locked' THEN RAISE EXCEPTION 'GET_USER: this account is locked'; END IF;
		   RETURN QUERY SELECT * FROM users WHERE id = p_id;
		 END $$`,
	},
}

// TestRefusalInGetIsNotNotFound: a routine's deliberate error inside a get is the
// DBA's answer to the client, not "no such user".
func TestRefusalInGetIsNotNotFound(t *testing.T) {
	for _, dialect := range []string{"mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, refusingGet[dialect]...)
			read := "call"
			if dialect == "postgres" {
				read = "function"
			}
			yaml := fmt.Sprintf(`version: 1
targets:
  t:
    auth: {none: true}
    database: {dialect: %s, host: %q, port: %d, name: %q, user: %q, password: %q}
    users:
      id: id
      attributes: {userName: user_name}
      operations:
        list: {%s: "list_users()"}
        get: {%s: "get_user(?)", params: [id]}
`, d.Name(), conn.Host, conn.Port, conn.Name, conn.User, conn.Password, read, read)
			cfg, err := operations.Parse("refusal.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
			if err != nil {
				t.Fatal(err)
			}
			target, err := Open(context.Background(), cfg.Targets[0], Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer target.Close()
			ctx := context.Background()
			if _, err := target.Users.Get(ctx, "1", resource.Projection{}); err != nil {
				t.Fatalf("Get(1): %v", err)
			}
			_, err = target.Users.Get(ctx, "locked", resource.Projection{})
			if !fault.Is(err, fault.Refused) {
				t.Fatalf("Get(locked) = %v, want the routine's refusal", err)
			}
			e, _ := scim.AsError(err)
			if e == nil || e.Status != 400 || e.Detail != "get: GET_USER: this account is locked" {
				t.Errorf("answered as %+v, want 400 with the routine's message", e)
			}
			if _, err := target.Users.Get(ctx, "nobody", resource.Projection{}); !fault.Is(err, fault.NotFound) {
				t.Errorf("Get(nobody) = %v, want not found", err)
			}
		})
	}
}
