package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

const phonesConfig = `version: 1
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
            read:   {sql: "SELECT kind, num FROM phones WHERE emp_id = ?", params: [id]}
            add:    {sql: "INSERT INTO phones (emp_id, kind, num) VALUES (?, ?, ?)", params: [id, kind, num]}
            remove: {sql: "DELETE FROM phones WHERE emp_id = ? AND kind = ? AND num = ?", params: [id, kind, num]}
      operations:
        list:   {sql: "SELECT id, login FROM emp"}
        get:    {sql: "SELECT id, login FROM emp WHERE id = ?", params: [id]}
        create: {sql: "INSERT INTO emp (id, login) VALUES (?, ?)", params: [id, login]}
        update: {sql: "UPDATE emp SET login = ? WHERE id = ?", params: [login, id]}
`

// TestChildTable serves phone numbers kept in a child table on every engine:
// create, PATCH by value filter, PATCH remove and PUT turn into the table's add
// and remove operations, checked by SQL after each step.
func TestChildTable(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, `CREATE TABLE emp (id VARCHAR(64) PRIMARY KEY, login VARCHAR(100) NOT NULL)`,
				`CREATE TABLE phones (emp_id VARCHAR(64) NOT NULL, kind VARCHAR(20) NOT NULL, num VARCHAR(40) NOT NULL)`)
			s := enginetest.ServeYAML(t, fmt.Sprintf(phonesConfig, enginetest.DatabaseYAML(d, conn)), enginetest.Options{Validate: true})
			call := func(method, path string, body any) (int, map[string]any) {
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
				var out map[string]any
				_ = json.NewDecoder(resp.Body).Decode(&out)
				return resp.StatusCode, out
			}
			rows := func(id string) string {
				t.Helper()
				r, err := db.Query("SELECT kind, num FROM phones WHERE emp_id = "+d.Placeholder(1), id)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				var out []string
				for r.Next() {
					var k, n string
					if err := r.Scan(&k, &n); err != nil {
						t.Fatal(err)
					}
					out = append(out, k+"="+n)
				}
				sort.Strings(out)
				return strings.Join(out, " ")
			}
			patch := func(id string, ops ...any) {
				t.Helper()
				status, body := call("PATCH", "/Users/"+id, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": ops})
				if status != 200 {
					t.Fatalf("PATCH %v: %d %v", ops, status, body)
				}
			}
			status, created := call("POST", "/Users", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "ann",
				"phoneNumbers": []any{map[string]any{"type": "work", "value": "+1 555 0100"}, map[string]any{"type": "mobile", "value": "+1 555 0199"}}})
			if status != 201 {
				t.Fatalf("POST: %d %v", status, created)
			}
			id := created["id"].(string)
			if got := rows(id); got != "mobile=+1 555 0199 work=+1 555 0100" {
				t.Errorf("after create: %s", got)
			}
			if b, _ := json.Marshal(created["phoneNumbers"]); !strings.Contains(string(b), "+1 555 0199") {
				t.Errorf("answer: %s", b)
			}
			patch(id, map[string]any{"op": "replace", "path": `phoneNumbers[type eq "mobile"].value`, "value": "+1 555 0142"})
			if got := rows(id); got != "mobile=+1 555 0142 work=+1 555 0100" {
				t.Errorf("after replacing the mobile: %s", got)
			}
			patch(id, map[string]any{"op": "remove", "path": `phoneNumbers[type eq "work"]`})
			if got := rows(id); got != "mobile=+1 555 0142" {
				t.Errorf("after removing the work number: %s", got)
			}
			patch(id, map[string]any{"op": "add", "path": "phoneNumbers", "value": []any{map[string]any{"type": "home", "value": "7"}}})
			if got := rows(id); got != "home=7 mobile=+1 555 0142" {
				t.Errorf("after adding a home number: %s", got)
			}
			_, got := call("GET", "/Users/"+id, nil)
			if l, _ := got["phoneNumbers"].([]any); len(l) != 2 {
				t.Errorf("GET: %v", got)
			}
			status, _ = call("PUT", "/Users/"+id, map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "ann", "phoneNumbers": []any{}})
			if status != 200 || rows(id) != "" {
				t.Errorf("PUT with no numbers: %d, rows %q", status, rows(id))
			}
			patch(id, map[string]any{"op": "add", "path": "phoneNumbers", "value": []any{map[string]any{"type": "mobile", "value": "+44 7700 900123"}}})
			for f, want := range map[string]float64{`phoneNumbers.value eq "7"`: 0, `phoneNumbers[type eq "mobile" and value sw "+44"]`: 1} {
				status, body := call("GET", "/Users?filter="+url.QueryEscape(f), nil)
				if status != 200 || body["totalResults"] != want {
					t.Errorf("filter %s on a child table: %d %v, want %v found", f, status, body, want)
				}
			}
			_, sch := call("GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", nil)
			if b, _ := json.Marshal(sch); !strings.Contains(string(b), `"name":"phoneNumbers"`) || strings.Contains(string(b), `"name":"primary"`) {
				t.Errorf("/Schemas: %s", b)
			}
		})
	}
}
