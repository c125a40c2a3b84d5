package run_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/operations"
)

// TestInitScriptWithTrigger: a SQLite init script runs through the driver's own
// multi-statement execution, so a trigger whose body holds semicolons on several
// lines is created whole.
func TestInitScriptWithTrigger(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "schema.sql")
	if err := os.WriteFile(script, []byte(`-- users and their history
CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT NOT NULL, updated TEXT);
CREATE TABLE history (id TEXT, what TEXT);

CREATE TRIGGER users_touch AFTER UPDATE ON users
BEGIN
  UPDATE users SET updated = 'touched' WHERE id = NEW.id;
  INSERT INTO history (id, what) VALUES (NEW.id, 'updated; twice');
END;
INSERT INTO users (id, user_name) VALUES ('1', 'ann');
`), 0o600); err != nil {
		t.Fatal(err)
	}
	yaml := fmt.Sprintf(`version: 1
targets:
  t:
    auth: {none: true}
    database: {dialect: sqlite, name: %q, init: %q}
    users:
      id: id
      attributes: {userName: user_name}
      operations:
        list: {sql: "SELECT id, user_name FROM users"}
        get:  {sql: "SELECT id, user_name FROM users WHERE id = ?", params: [id]}
`, filepath.Join(dir, "data", "t.db"), script)
	cfg, err := operations.Parse(filepath.Join(dir, "dbscim.yaml"), []byte(yaml), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	pool, err := run.Open(context.Background(), cfg.Targets[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.DB.Exec(`UPDATE users SET user_name = 'anne' WHERE id = '1'`); err != nil {
		t.Fatal(err)
	}
	var updated, what string
	if err := pool.DB.QueryRow(`SELECT u.updated, h.what FROM users u JOIN history h ON h.id = u.id`).Scan(&updated, &what); err != nil {
		t.Fatalf("the trigger did not run: %v", err)
	}
	if updated != "touched" || what != "updated; twice" {
		t.Errorf("trigger wrote %q, %q", updated, what)
	}
}

// TestStatementDebugLog: at debug level every statement is logged with its
// operation, duration and row count, and never with the values it binds.
func TestStatementDebugLog(t *testing.T) {
	dir := t.TempDir()
	yaml := fmt.Sprintf(`version: 1
targets:
  t:
    auth: {none: true}
    database: {dialect: sqlite, name: %q}
    users:
      id: id
      attributes: {userName: user_name}
      operations:
        list: {sql: "SELECT id, user_name FROM users"}
        get:  {sql: "SELECT id, user_name FROM users WHERE user_name = ?", params: [user_name]}
`, filepath.Join(dir, "t.db"))
	cfg, err := operations.Parse(filepath.Join(dir, "dbscim.yaml"), []byte(yaml), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	pool, err := run.Open(context.Background(), cfg.Targets[0], log)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.DB.Exec(`CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT); INSERT INTO users VALUES ('1', 'secret-login')`); err != nil {
		t.Fatal(err)
	}
	rec := run.Record{}
	rec.Set("user_name", "secret-login")
	found := 0
	if err := pool.Query(context.Background(), pool.DB, cfg.Targets[0].Users.Operations[operations.Get], rec, func(run.Record) (bool, error) {
		found++
		return true, nil
	}); err != nil || found != 1 {
		t.Fatalf("query: %d rows, %v", found, err)
	}
	got := logs.String()
	if !strings.Contains(got, `"msg":"statement"`) || !strings.Contains(got, `"operation":"get"`) || !strings.Contains(got, `"rows":1`) || !strings.Contains(got, `"duration_ms":`) {
		t.Errorf("no statement line with operation, duration and rows:\n%s", got)
	}
	if strings.Contains(got, "secret-login") {
		t.Errorf("a bound value reached the log:\n%s", got)
	}
}
