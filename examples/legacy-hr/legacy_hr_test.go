// Package legacyhr_test drives the legacy-hr example end to end on MariaDB and
// PostgreSQL: the schema is loaded into a fresh database, dbscim.yaml is served
// unmodified (only its environment differs), and a hire, a profile change, a
// leave, a termination and a rehire, phone numbers and roles run over SCIM, with
// the rows checked by SQL after every step.
package legacyhr_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/conformance"
	"github.com/dbscim/dbscim/engine/enginetest"
	"github.com/dbscim/dbscim/operations"
)

const (
	token      = "legacy-hr-test-token-0123456789abcdef"
	userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
	enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	hrSchema   = "urn:example:params:scim:schemas:extension:hr:2.0:User"
	patchOp    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

type example struct {
	t      *testing.T
	url    string
	db     *sql.DB
	d      dialects.Dialect
	c      *http.Client
	served *enginetest.Served
}

func newExample(t *testing.T, dialect string) *example {
	d, db, conn := dialecttest.NewDatabase(t, dialect)
	schema := map[string]string{"mysql": "schema.mariadb.sql", "postgres": "schema.postgres.sql"}[dialect]
	dialecttest.LoadScripts(t, d, conn, schema)
	data, err := os.ReadFile("dbscim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DBSCIM_TOKEN": token, "DBSCIM_DB_DIALECT": dialect, "DBSCIM_DB_HOST": conn.Host,
		"DBSCIM_DB_PORT": strconv.Itoa(conn.Port), "DBSCIM_DB_NAME": conn.Name, "DBSCIM_DB_USER": conn.User, "DBSCIM_DB_PASSWORD": conn.Password}
	cfg, err := operations.Parse("dbscim.yaml", data, func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok && v != ""
	})
	if err != nil {
		t.Fatalf("dbscim.yaml: %v", err)
	}
	// An empty password (trust) would take the file's default.
	cfg.Targets[0].Database.Connection.Password = conn.Password
	if len(conn.Properties) > 0 {
		cfg.Targets[0].Database.Connection.Properties = conn.Properties
	}
	s := enginetest.Serve(t, cfg, enginetest.Options{Validate: true})
	return &example{t: t, url: s.URL("hr"), db: db, d: d, c: s.Client(), served: s}
}

func (e *example) call(method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.url+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := e.c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (e *example) must(status int, method, path string, body any) map[string]any {
	e.t.Helper()
	got, out := e.call(method, path, body)
	if got != status {
		e.t.Fatalf("%s %s: %d, want %d: %v", method, path, got, status, out)
	}
	return out
}

// row reads an employee's columns as text, NULL as "-".
func (e *example) row(id string) string {
	e.t.Helper()
	vals := make([]sql.NullString, 8)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	err := e.db.QueryRow("SELECT login, first_name, email, emp_kind, status, ext_ref, manager_no, cost_code FROM employees WHERE emp_no = "+e.d.Placeholder(1), id).Scan(ptrs...)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, v := range vals {
		if v.Valid {
			out = append(out, strings.TrimRight(v.String, " "))
		} else {
			out = append(out, "-")
		}
	}
	return strings.Join(out, " ")
}

// list reads the rows of a child table of an employee, sorted.
func (e *example) list(query, id string) string {
	e.t.Helper()
	r, err := e.db.Query(query+" = "+e.d.Placeholder(1), id)
	if err != nil {
		e.t.Fatal(err)
	}
	defer r.Close()
	var out []string
	for r.Next() {
		var a, b string
		if err := r.Scan(&a, &b); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, a+"="+b)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func (e *example) phones(id string) string {
	return e.list("SELECT kind, num FROM phones WHERE emp_no", id)
}

func (e *example) roles(id string) string {
	return e.list("SELECT emp_no, role_code FROM employee_roles WHERE emp_no", id)
}

func (e *example) patch(id string, ops ...map[string]any) map[string]any {
	e.t.Helper()
	return e.must(200, "PATCH", "/Users/"+id, map[string]any{"schemas": []string{patchOp}, "Operations": ops})
}

func (e *example) ids(filter string) string {
	e.t.Helper()
	out := e.must(200, "GET", "/Users?filter="+url.QueryEscape(filter), nil)
	var ids []string
	for _, r := range out["Resources"].([]any) {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

func TestLegacyHR(t *testing.T) {
	for _, dialect := range []string{"mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			e := newExample(t, dialect)

			// The seeded codes read as SCIM values: L (on leave) is active.
			if got := e.ids(`active eq true`); got != "E-0001,E-0002" {
				t.Errorf("active eq true: %s", got)
			}
			if got := e.ids(`active eq false`); got != "E-0003" {
				t.Errorf("active eq false: %s", got)
			}
			if got := e.ids(`userType eq "contractor"`); got != "E-0002" {
				t.Errorf("userType eq contractor: %s", got)
			}
			seeded := e.must(200, "GET", "/Users/E-0001", nil)
			if fmt.Sprint(seeded["roles"]) == "" || seeded["phoneNumbers"] == nil {
				t.Errorf("seeded E-0001: %v", seeded)
			}

			// A hire with every writable attribute: the procedure takes six, the
			// rest is written by update in the same transaction.
			hire := map[string]any{"schemas": []string{userSchema, enterprise, hrSchema},
				"userName": "akim", "externalId": "00u-akim", "name": map[string]any{"givenName": "Ahn", "familyName": "Kim"},
				"emails":   []any{map[string]any{"type": "work", "value": "akim@example.com", "primary": true}},
				"userType": "Contractor", "active": true,
				enterprise:     map[string]any{"manager": map[string]any{"value": "E-0001"}},
				hrSchema:       map[string]any{"costCode": "CC-42"},
				"phoneNumbers": []any{map[string]any{"type": "work", "value": "+1 555 0101"}, map[string]any{"type": "mobile", "value": "+1 555 0199"}},
				"roles":        []any{map[string]any{"value": "PAYROLL"}},
				"password":     "ignored: this target does not serve it", "locale": "en-US", "groups": []any{},
			}
			created := e.must(201, "POST", "/Users", hire)
			id := created["id"].(string)
			if got := e.row(id); got != "akim Ahn akim@example.com C A 00u-akim E-0001 CC-42" {
				t.Errorf("after the hire: %s", got)
			}
			if got := e.phones(id); got != "mobile=+1 555 0199 work=+1 555 0101" {
				t.Errorf("phones after the hire: %s", got)
			}
			if got := e.roles(id); got != id+"=PAYROLL" {
				t.Errorf("roles after the hire: %s", got)
			}
			// Everything accepted reads back.
			got := e.must(200, "GET", "/Users/"+id, nil)
			ext, _ := got[hrSchema].(map[string]any)
			ent, _ := got[enterprise].(map[string]any)
			mgr, _ := ent["manager"].(map[string]any)
			if got["externalId"] != "00u-akim" || got["userType"] != "Contractor" || got["active"] != true || ext["costCode"] != "CC-42" ||
				mgr["value"] != "E-0001" || len(got["phoneNumbers"].([]any)) != 2 || len(got["roles"].([]any)) != 1 {
				t.Errorf("read back: %v", got)
			}

			// A profile change, a new mobile number and a second role.
			e.patch(id, map[string]any{"op": "replace", "path": "userType", "value": "Employee"},
				map[string]any{"op": "replace", "path": `phoneNumbers[type eq "mobile"].value`, "value": "+1 555 0142"},
				map[string]any{"op": "add", "path": "roles", "value": []any{map[string]any{"value": "AUDIT"}}})
			if got := e.row(id); got != "akim Ahn akim@example.com E A 00u-akim E-0001 CC-42" {
				t.Errorf("after the profile change: %s", got)
			}
			if got := e.phones(id); got != "mobile=+1 555 0142 work=+1 555 0101" {
				t.Errorf("phones after the change: %s", got)
			}
			if got := e.roles(id); got != id+"=AUDIT "+id+"=PAYROLL" {
				t.Errorf("roles after the grant: %s", got)
			}

			// Termination (Okta's and Entra's deactivation), then a rehire.
			e.patch(id, map[string]any{"op": "Replace", "value": map[string]any{"active": "False"}})
			if got := e.row(id); !strings.Contains(got, " E T ") {
				t.Errorf("after the termination: %s", got)
			}
			if got, want := e.ids(`active eq false`), strings.Join(sorted("E-0003", id), ","); got != want {
				t.Errorf("active eq false after the termination: %s", got)
			}
			e.patch(id, map[string]any{"op": "replace", "path": "active", "value": true})
			if got := e.row(id); !strings.Contains(got, " E A ") {
				t.Errorf("after the rehire: %s", got)
			}

			// A coded value outside the map is refused, and nothing changes.
			if status, body := e.call("PATCH", "/Users/"+id, map[string]any{"schemas": []string{patchOp},
				"Operations": []any{map[string]any{"op": "replace", "path": "userType", "value": "Intern"}}}); status != 400 {
				t.Errorf("userType Intern: %d %v", status, body)
			}

			// A PUT without the work number and the PAYROLL role.
			put := map[string]any{"schemas": []string{userSchema}, "userName": "akim", "externalId": "00u-akim",
				"name": map[string]any{"givenName": "Ahn", "familyName": "Kim"}, "userType": "Employee", "active": true,
				"emails":       []any{map[string]any{"type": "work", "value": "ahn.kim@example.com"}},
				"phoneNumbers": []any{map[string]any{"type": "mobile", "value": "+1 555 0142"}},
				"roles":        []any{map[string]any{"value": "AUDIT"}}}
			e.must(200, "PUT", "/Users/"+id, put)
			if got := e.row(id); got != "akim Ahn ahn.kim@example.com E A 00u-akim - -" {
				t.Errorf("after the PUT: %s", got)
			}
			if got := e.phones(id); got != "mobile=+1 555 0142" {
				t.Errorf("phones after the PUT: %s", got)
			}
			if got := e.roles(id); got != id+"=AUDIT" {
				t.Errorf("roles after the PUT: %s", got)
			}
			// No delete is declared: the legacy system never deletes people.
			if status, _ := e.call("DELETE", "/Users/"+id, nil); status != 405 && status != 501 {
				t.Errorf("DELETE: %d", status)
			}
		})
	}
}

func sorted(s ...string) []string {
	sort.Strings(s)
	return s
}

// TestLegacyHRConformance runs the conformance suite on the example as written,
// on MariaDB and PostgreSQL, its sample rows removed first (the suite starts from
// no data).
func TestLegacyHRConformance(t *testing.T) {
	for _, dialect := range []string{"mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			conformance.RunTests(t, func(t *testing.T) conformance.Target {
				e := newExample(t, dialect)
				for _, st := range []string{"DELETE FROM employee_roles", "DELETE FROM phones", "DELETE FROM employees"} {
					if _, err := e.db.Exec(st); err != nil {
						t.Fatal(err)
					}
				}
				s := e.served
				return conformance.Target{
					URL: s.URL("hr"), Client: s.Client(), Authorization: "Bearer " + token,
					Declares: conformance.Declared(s.ResourceTypes(t, "hr"), s.Mapped("hr"),
						conformance.Sort, conformance.ListsInactiveUsers, conformance.OptionalProfile, conformance.StableModify),
					Backend: &conformance.SQLBackend{DB: e.db, Dialect: e.d, Users: conformance.UserTable{
						Table: "employees", ID: "emp_no", Active: "status", True: "A", False: "T",
						Columns: map[string]string{"userName": "login", "externalId": "ext_ref", "givenName": "first_name",
							"familyName": "last_name", "email": "email", "manager": "manager_no", "lastModified": "updated_at"}}},
				}
			})
		})
	}
}
