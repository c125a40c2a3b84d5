package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
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

// TestInitServesTheTable: dbscim init reads a live table, writes a configuration
// that validates as written, and that configuration serves Okta's sequence
// (lookup before create, create, get, deactivate by PATCH), checked by SQL. It
// also times the whole way from the table to a served target.
func TestInitServesTheTable(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, staffTables[dialect]...)
			dialecttest.MustExec(t, db, `INSERT INTO staff (login, first_name, last_name, email, status, dept) VALUES ('ann', 'Ann', 'Lee', 'ann@example.com', 'A', 'Ops')`,
				`INSERT INTO staff (login, first_name, last_name, email, status, dept) VALUES ('tom', 'Tom', 'Ray', 'tom@example.com', 'T', 'Ops')`)
			if dialect == "sqlite" {
				dialecttest.MustExec(t, db, `UPDATE staff SET staff_id = login`)
			}
			began := time.Now()
			file := filepath.Join(t.TempDir(), "dbscim.yaml")
			args := []string{"init", "--dialect", d.Name(), "--name", conn.Name, "--out", file, "--password-env", "STAFF_DB_PASSWORD"}
			if d.Spec().Networked {
				args = append(args, "--host", conn.Host, "--port", strconv.Itoa(conn.Port), "--user", conn.User)
			}
			t.Setenv("STAFF_DB_PASSWORD", conn.Password)
			var out, errOut bytes.Buffer
			if code := run(append(args, "staff"), &out, &errOut); code != 0 {
				t.Fatalf("init: exit %d: %s", code, errOut.String())
			}
			env := map[string]string{"STAFF_TOKEN": "0123456789abcdef0123456789", "STAFF_DB_PASSWORD": conn.Password}
			served := enginetest.ServeFile(t, file, enginetest.Options{Env: env, Validate: true})
			took := time.Since(began)
			base := served.URL("staff")
			do := func(method, path, body string) (int, map[string]any) {
				t.Helper()
				req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+env["STAFF_TOKEN"])
				req.Header.Set("Content-Type", "application/scim+json")
				resp, err := served.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				raw, _ := io.ReadAll(resp.Body)
				var m map[string]any
				json.Unmarshal(raw, &m)
				if resp.StatusCode >= 300 {
					t.Logf("%s %s: %d %s", method, path, resp.StatusCode, raw)
				}
				return resp.StatusCode, m
			}
			if status, m := do("GET", `/Users?filter=userName%20eq%20%22carol%22`, ""); status != 200 || m["totalResults"] != float64(0) {
				t.Fatalf("lookup before create: %d %v", status, m)
			}
			status, m := do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"carol",
				"name":{"givenName":"Carol","familyName":"Diaz"},"emails":[{"type":"work","value":"carol@example.com","primary":true}],"active":true}`)
			if status != 201 {
				t.Fatalf("create: %d %v", status, m)
			}
			id := fmt.Sprint(m["id"])
			if status, m := do("GET", "/Users/"+id, ""); status != 200 || m["userName"] != "carol" || m["active"] != true {
				t.Fatalf("get: %d %v", status, m)
			}
			if status, _ := do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
				"Operations":[{"op":"replace","value":{"active":false}}]}`); status != 200 && status != 204 {
				t.Fatalf("deactivate: %d", status)
			}
			var login, given, email, code string
			if err := db.QueryRow(`SELECT login, first_name, email, status FROM staff WHERE login = 'carol'`).Scan(&login, &given, &email, &code); err != nil {
				t.Fatal(err)
			}
			if given != "Carol" || email != "carol@example.com" || code != "T" {
				t.Errorf("row after create and deactivate: %s %s %s %s", login, given, email, code)
			}
			if status, m := do("GET", `/Users?filter=userName%20eq%20%22tom%22`, ""); status != 200 || m["totalResults"] != float64(1) {
				t.Errorf("a seeded user: %d %v", status, m)
			} else if r := m["Resources"].([]any)[0].(map[string]any); r["active"] != false {
				t.Errorf("tom's status T reads as %v, want inactive", r["active"])
			}
			t.Logf("from the table to a served, validated target in %v", took.Round(time.Millisecond))
		})
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
