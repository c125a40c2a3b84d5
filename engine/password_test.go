package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

const passwordConfig = `version: 1
targets:
  t:
    auth: {none: true}
    database:
%s
    users:
      id: id
      attributes:
        userName: login
        password: pwd
      operations:
        list:   {sql: "SELECT id, login FROM accounts"}
        get:    {sql: "SELECT id, login FROM accounts WHERE id = ?", params: [id]}
        create: {sql: "INSERT INTO accounts (id, login) VALUES (?, ?)", params: [id, login]}
        update: {sql: "UPDATE accounts SET login = ? WHERE id = ?", params: [login, id]}
        set_password: {sql: "UPDATE accounts SET pwd = ? WHERE id = ?", params: [pwd, id]}
`

// TestSetPassword: a password is written by its own set_password operation (Okta's
// password push) on create, PATCH and PUT, is writeOnly and returned never in
// /Schemas, and never appears in an answer, on every engine.
func TestSetPassword(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, `CREATE TABLE accounts (id VARCHAR(64) PRIMARY KEY, login VARCHAR(100) NOT NULL, pwd VARCHAR(100))`)
			s := enginetest.ServeYAML(t, fmt.Sprintf(passwordConfig, enginetest.DatabaseYAML(d, conn)), enginetest.Options{Validate: true})
			call := func(method, path string, body any) (int, string) {
				t.Helper()
				var r io.Reader
				if body != nil {
					b, _ := json.Marshal(body)
					r = bytes.NewReader(b)
				}
				req, _ := http.NewRequest(method, s.URL("t")+path, r)
				req.Header.Set("Content-Type", "application/scim+json")
				resp, err := s.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			pwd := func(id string) string {
				var p *string
				if err := db.QueryRow("SELECT pwd FROM accounts WHERE id = "+d.Placeholder(1), id).Scan(&p); err != nil || p == nil {
					return fmt.Sprint(err)
				}
				return *p
			}
			status, body := call("POST", "/Users", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "ann", "password": "s3cret-1"})
			if status != 201 || strings.Contains(body, "s3cret") {
				t.Fatalf("POST: %d %s", status, body)
			}
			var created map[string]any
			_ = json.Unmarshal([]byte(body), &created)
			id := created["id"].(string)
			if got := pwd(id); got != "s3cret-1" {
				t.Errorf("after create: pwd %q", got)
			}
			status, body = call("PATCH", "/Users/"+id, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
				"Operations": []any{map[string]any{"op": "replace", "path": "password", "value": "s3cret-2"}}})
			if status != 200 || strings.Contains(body, "s3cret") || pwd(id) != "s3cret-2" {
				t.Errorf("PATCH: %d %s, pwd %q", status, body, pwd(id))
			}
			status, body = call("PUT", "/Users/"+id, map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "ann", "password": "s3cret-3"})
			if status != 200 || strings.Contains(body, "s3cret") || pwd(id) != "s3cret-3" {
				t.Errorf("PUT: %d %s, pwd %q", status, body, pwd(id))
			}
			_, body = call("GET", "/Users/"+id, nil)
			if strings.Contains(body, "s3cret") || strings.Contains(body, "password") {
				t.Errorf("GET: %s", body)
			}
			_, body = call("GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", nil)
			if !strings.Contains(body, `"name":"password","type":"string","multiValued":false,"description":"The User's cleartext password.","required":false,"caseExact":false,"mutability":"writeOnly","returned":"never"`) {
				t.Errorf("/Schemas: %s", body)
			}
		})
	}
}
