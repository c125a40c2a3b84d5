// Package quickstart_test drives the quickstart example end to end. On SQLite the
// database is created from schema.sql on first start, as `make run` does; on
// MariaDB and PostgreSQL schema.mariadb.sql or schema.postgres.sql is loaded into a
// fresh database and the same dbscim.yaml is served with only its database block
// replaced. Then a newcomer's tour runs over SCIM with the rows checked by SQL, and
// the conformance suite (RFC 7644, Okta's 2.0 and 1.1 sequences, Entra's
// validator, the /Schemas round trip) runs on each engine.
package quickstart_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/conformance"
	"github.com/dbscim/dbscim/engine/enginetest"
	"github.com/dbscim/dbscim/operations"
)

const (
	token      = "quickstart-test-token-0123456789"
	userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
	grpSchema  = "urn:ietf:params:scim:schemas:core:2.0:Group"
	enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	qsSchema   = "urn:example:params:scim:schemas:extension:quickstart:2.0:User"
	patchOp    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

	// Seeded rows of the schema files.
	bjensen     = "2819c223-7f76-453a-919d-413861904646"
	jsmith      = "6e3b5c5a-1f0e-4a3e-9a57-0f0e4a2b7c11"
	mchen       = "a1b2c3d4-0000-4000-8000-000000000003"
	akumar      = "a1b2c3d4-0000-4000-8000-000000000004"
	lgarcia     = "a1b2c3d4-0000-4000-8000-000000000005"
	tourGuides  = "e9e30dba-f08f-4109-8486-d5c6a331660a"
	engineering = "b7c8d9e0-0000-4000-9000-000000000002"
)

// engines are the databases the quickstart is served from, with their schema
// files: SQLite always; MariaDB and PostgreSQL through DBSCIM_TEST_MYSQL_DSN and
// DBSCIM_TEST_POSTGRES_DSN (skipped when unset, failing under CI=true).
var engines = []struct{ dialect, schema string }{
	{"sqlite", "schema.sql"},
	{"mysql", "schema.mariadb.sql"},
	{"postgres", "schema.postgres.sql"},
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// example is the quickstart served from one engine, with a connection of the
// test's own to read the rows.
type example struct {
	t      *testing.T
	db     *sql.DB
	d      dialects.Dialect
	served *enginetest.Served
}

// serve serves the quickstart from a fresh database of the dialect.
func serve(t *testing.T, dialect, schema string) *example {
	t.Helper()
	if dialect == "sqlite" {
		return serveAsWritten(t)
	}
	d, db, conn := dialecttest.NewDatabase(t, dialect)
	dialecttest.LoadScripts(t, d, conn, schema)
	data, err := os.ReadFile("dbscim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	yaml := replaceDatabase(t, string(data), enginetest.DatabaseYAML(d, conn))
	cfg, err := operations.Parse("dbscim.yaml", []byte(yaml), func(k string) (string, bool) {
		if k == "DBSCIM_TOKEN" {
			return token, true
		}
		return "", false
	})
	if err != nil {
		t.Fatalf("dbscim.yaml on %s: %v", dialect, err)
	}
	s := enginetest.Serve(t, cfg, enginetest.Options{Validate: true})
	return &example{t: t, db: db, d: d, served: s}
}

// serveAsWritten serves the quickstart as `make run` does: dbscim.yaml and
// schema.sql in a folder, the SQLite database created from schema.sql on first
// start.
func serveAsWritten(t *testing.T) *example {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, "dbscim.yaml", filepath.Join(dir, "dbscim.yaml"))
	copyFile(t, "schema.sql", filepath.Join(dir, "schema.sql"))
	s := enginetest.ServeFile(t, filepath.Join(dir, "dbscim.yaml"), enginetest.Options{Env: map[string]string{"DBSCIM_TOKEN": token}, Validate: true})
	d := s.Config.Targets[0].Database
	dsn, err := d.Dialect.DSN(d.Connection)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open(d.Dialect.Driver(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &example{t: t, db: db, d: d.Dialect, served: s}
}

// replaceDatabase swaps the target's database block (the lines from "    database:"
// to the next key of the target) for another: every operation is served as
// written.
func replaceDatabase(t *testing.T, yaml, block string) string {
	t.Helper()
	var out []string
	skipping, swapped := false, false
	for _, l := range strings.Split(yaml, "\n") {
		switch {
		case strings.HasPrefix(l, "    database:"):
			out = append(out, "    database:", strings.TrimRight(block, "\n"))
			skipping, swapped = true, true
		case skipping && strings.HasPrefix(l, "      "):
		default:
			skipping = false
			out = append(out, l)
		}
	}
	if !swapped {
		t.Fatal("dbscim.yaml has no database block")
	}
	return strings.Join(out, "\n")
}

func (e *example) call(method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		r = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, e.served.URL("quickstart")+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := e.served.Client().Do(req)
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

// patch sends a PATCH, which succeeds with 200 and the resource or, as groups
// answer, 204 and no body (RFC 7644 §3.5.2).
func (e *example) patch(path string, ops ...map[string]any) {
	e.t.Helper()
	status, out := e.call("PATCH", path, map[string]any{"schemas": []string{patchOp}, "Operations": ops})
	if status != 200 && status != 204 {
		e.t.Fatalf("PATCH %s: %d: %v", path, status, out)
	}
}

// ids lists the ids a filter finds, sorted.
func (e *example) ids(endpoint, filter string) string {
	e.t.Helper()
	out := e.must(200, "GET", "/"+endpoint+"?count=100&filter="+url.QueryEscape(filter), nil)
	var ids []string
	for _, r := range out["Resources"].([]any) {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

// rows reads a query's rows as "a=b" pairs (one column: "a"), sorted and joined
// by spaces; the query's placeholders are written ? and take args.
func (e *example) rows(query string, args ...any) string {
	e.t.Helper()
	n := 0
	var q strings.Builder
	for _, c := range query {
		if c == '?' {
			n++
			q.WriteString(e.d.Placeholder(n))
			continue
		}
		q.WriteRune(c)
	}
	r, err := e.db.Query(q.String(), args...)
	if err != nil {
		e.t.Fatal(err)
	}
	defer r.Close()
	cols, _ := r.Columns()
	var out []string
	for r.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			e.t.Fatal(err)
		}
		var parts []string
		for _, v := range vals {
			if v.Valid {
				parts = append(parts, strings.TrimRight(v.String, " "))
			} else {
				parts = append(parts, "-")
			}
		}
		out = append(out, strings.Join(parts, "="))
	}
	if err := r.Err(); err != nil {
		e.t.Fatal(err)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func joined(ids ...string) string {
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

// TestQuickstart serves the quickstart as `make run` does and tries what the
// README shows: the lone target at /scim/v2, the seeded users and teams, a case-
// insensitive userName lookup, a create and a delete.
func TestQuickstart(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, "dbscim.yaml", filepath.Join(dir, "dbscim.yaml"))
	copyFile(t, "schema.sql", filepath.Join(dir, "schema.sql"))
	cfg := enginetest.Load(t, filepath.Join(dir, "dbscim.yaml"), map[string]string{"DBSCIM_TOKEN": token})
	if cfg.Server.TLS.Mode != "off" || cfg.Server.Listen != "127.0.0.1:8080" {
		t.Fatalf("quickstart serves %s with tls %s", cfg.Server.Listen, cfg.Server.TLS.Mode)
	}
	ts := enginetest.Serve(t, cfg, enginetest.Options{}).HTTP
	if _, err := os.Stat(filepath.Join(dir, "data", "quickstart.db")); err != nil {
		t.Fatalf("the database was not created next to the config: %v", err)
	}

	do := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+"/scim/v2"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		json.Unmarshal(raw, &out)
		return resp.StatusCode, out
	}
	// The README's curls: the lone target at /scim/v2 lists the five users and
	// the three teams.
	status, list := do("GET", "/Users", "")
	if status != 200 || list["totalResults"] != float64(5) {
		t.Fatalf("GET /Users: %d %v", status, list)
	}
	status, list = do("GET", "/Groups", "")
	if status != 200 || list["totalResults"] != float64(3) {
		t.Fatalf("GET /Groups: %d %v", status, list)
	}
	status, list = do("GET", `/Users?filter=userName%20eq%20%22BJENSEN@example.com%22`, "")
	if status != 200 || list["totalResults"] != float64(1) {
		t.Fatalf("filter: %d %v", status, list)
	}
	babs := list["Resources"].([]any)[0].(map[string]any)
	if len(babs["phoneNumbers"].([]any)) != 2 || len(babs["groups"].([]any)) != 1 {
		t.Errorf("bjensen's phone numbers and groups: %v", babs)
	}
	// active eq true finds those on leave too: four of the five.
	status, list = do("GET", `/Users?filter=active%20eq%20true`, "")
	if status != 200 || list["totalResults"] != float64(4) {
		t.Fatalf("active eq true: %d %v", status, list)
	}
	// /Schemas declares the custom extension, and phone numbers as writable.
	status, ext := do("GET", "/Schemas/"+qsSchema, "")
	if status != 200 || !strings.Contains(fmt.Sprint(ext["attributes"]), "name:costCode") {
		t.Errorf("/Schemas/%s: %d %v", qsSchema, status, ext)
	}
	status, core := do("GET", "/Schemas/"+userSchema, "")
	phones := ""
	for _, a := range core["attributes"].([]any) {
		if a := a.(map[string]any); a["name"] == "phoneNumbers" {
			phones = fmt.Sprint(a["mutability"])
		}
	}
	if status != 200 || phones != "readWrite" {
		t.Errorf("/Schemas/%s: phoneNumbers %q", userSchema, phones)
	}
	status, user := do("POST", "/quickstart/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new@example.com","name":{"givenName":"New","familyName":"User"},"active":false}`)
	if status != 201 || user["active"] != false {
		t.Fatalf("create: %d %v", status, user)
	}
	status, _ = do("DELETE", "/quickstart/Users/"+user["id"].(string), "")
	if status != 204 {
		t.Fatalf("delete: %d", status)
	}
	if status, list := do("GET", "/Users", ""); status != 200 || list["totalResults"] != float64(5) {
		t.Fatalf("after delete: %d %v", status, list)
	}
}

// TestQuickstartEngines takes the same tour on SQLite, MariaDB and PostgreSQL,
// checking the rows by SQL: the coded status read, filtered and written, the
// manager and the custom extension, phone numbers in their child table, team
// members in their link table, and deletes that take the child rows with them.
func TestQuickstartEngines(t *testing.T) {
	for _, c := range engines {
		t.Run(c.dialect, func(t *testing.T) {
			e := serve(t, c.dialect, c.schema)

			// The seeded status codes: L (on leave) is active, T is not, and the
			// filters find them by their codes.
			if got, want := e.ids("Users", "active eq true"), joined(bjensen, jsmith, mchen, akumar); got != want {
				t.Errorf("active eq true: %s, want %s", got, want)
			}
			if got := e.ids("Users", "active eq false"); got != lgarcia {
				t.Errorf("active eq false: %s", got)
			}
			babs := e.must(200, "GET", "/Users/"+bjensen, nil)
			ent, _ := babs[enterprise].(map[string]any)
			mgr, _ := ent["manager"].(map[string]any)
			ext, _ := babs[qsSchema].(map[string]any)
			if mgr["value"] != mchen || ext["costCode"] != "CC-200" || len(babs["phoneNumbers"].([]any)) != 2 {
				t.Errorf("bjensen: %v", babs)
			}
			if got := e.ids("Users", enterprise+`:manager.value eq "`+akumar+`"`); got != joined(jsmith, lgarcia) {
				t.Errorf("akumar's reports: %s", got)
			}

			// A hire with a manager, a cost code and two phone numbers.
			created := e.must(201, "POST", "/Users", map[string]any{
				"schemas":  []string{userSchema, enterprise, qsSchema},
				"userName": "pnovak@example.com", "externalId": "00u-pnovak",
				"name":   map[string]any{"givenName": "Petra", "familyName": "Novak"},
				"emails": []any{map[string]any{"type": "work", "value": "pnovak@example.com", "primary": true}},
				"phoneNumbers": []any{map[string]any{"type": "work", "value": "+1 555 0120"},
					map[string]any{"type": "mobile", "value": "+1 555 0121"}},
				enterprise: map[string]any{"department": "Engineering", "manager": map[string]any{"value": akumar}},
				qsSchema:   map[string]any{"costCode": "CC-300"},
			})
			id := created["id"].(string)
			if got := e.rows("SELECT user_name, external_id, status, manager_id, cost_code FROM users WHERE id = ?", id); got != "pnovak@example.com=00u-pnovak=A="+akumar+"=CC-300" {
				t.Errorf("the new row: %s", got)
			}
			if got := e.rows("SELECT phone_type, phone_number FROM phones WHERE user_id = ?", id); got != "mobile=+1 555 0121 work=+1 555 0120" {
				t.Errorf("the new phone numbers: %s", got)
			}

			// A new mobile number, and a work number removed.
			e.patch("/Users/"+id, map[string]any{"op": "replace", "path": `phoneNumbers[type eq "mobile"].value`, "value": "+1 555 0142"},
				map[string]any{"op": "remove", "path": `phoneNumbers[type eq "work"]`})
			if got := e.rows("SELECT phone_type, phone_number FROM phones WHERE user_id = ?", id); got != "mobile=+1 555 0142" {
				t.Errorf("phone numbers after the PATCH: %s", got)
			}

			// Okta's group push: the new user joins Engineering.
			e.patch("/Groups/"+engineering, map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": id}}})
			if got := e.rows("SELECT user_id FROM team_members WHERE team_id = ?", engineering); got != strings.ReplaceAll(joined(akumar, jsmith, id), ",", " ") {
				t.Errorf("Engineering's members: %s", got)
			}
			if g := e.must(200, "GET", "/Users/"+id, nil)["groups"]; len(g.([]any)) != 1 {
				t.Errorf("the new user's groups: %v", g)
			}

			// A new team with two members, one removed, then the team deleted.
			team := e.must(201, "POST", "/Groups", map[string]any{"schemas": []string{grpSchema}, "displayName": "On Call",
				"members": []any{map[string]any{"value": id}, map[string]any{"value": bjensen}}})
			tid := team["id"].(string)
			if got := e.rows("SELECT user_id FROM team_members WHERE team_id = ?", tid); got != strings.ReplaceAll(joined(bjensen, id), ",", " ") {
				t.Errorf("On Call's members: %s", got)
			}
			e.patch("/Groups/"+tid, map[string]any{"op": "remove", "path": `members[value eq "` + bjensen + `"]`})
			if got := e.rows("SELECT user_id FROM team_members WHERE team_id = ?", tid); got != id {
				t.Errorf("On Call's members after the removal: %s", got)
			}
			e.must(204, "DELETE", "/Groups/"+tid, nil)
			if got := e.rows("SELECT team_id FROM team_members WHERE team_id = ?", tid); got != "" {
				t.Errorf("the deleted team's members: %s", got)
			}

			// Deactivation writes T, activation A; the filters follow.
			e.patch("/Users/"+id, map[string]any{"op": "Replace", "value": map[string]any{"active": "False"}})
			if got := e.rows("SELECT status FROM users WHERE id = ?", id); got != "T" {
				t.Errorf("status after the deactivation: %s", got)
			}
			if got := e.ids("Users", "active eq false"); got != joined(lgarcia, id) {
				t.Errorf("active eq false after the deactivation: %s", got)
			}
			e.patch("/Users/"+id, map[string]any{"op": "replace", "path": "active", "value": true})
			if got := e.rows("SELECT status FROM users WHERE id = ?", id); got != "A" {
				t.Errorf("status after the activation: %s", got)
			}

			// The user deleted: its phone numbers and memberships go with it.
			e.must(204, "DELETE", "/Users/"+id, nil)
			if got := e.rows("SELECT id FROM users WHERE id = ?", id) + e.rows("SELECT phone_number FROM phones WHERE user_id = ?", id) +
				e.rows("SELECT team_id FROM team_members WHERE user_id = ?", id); got != "" {
				t.Errorf("rows left after the delete: %s", got)
			}
			e.must(404, "GET", "/Users/"+id, nil)
		})
	}
}

// TestQuickstartConformance runs the conformance suite on the quickstart as
// written, on SQLite, MariaDB and PostgreSQL, its sample rows removed first (the
// suite starts from no data): RFC 7644, Okta's 2.0 sequence and its provisioning
// agent's SCIM 1.1 one at /scim/v1, Entra's validator, and the round trip of
// every attribute /Schemas lists as writable.
func TestQuickstartConformance(t *testing.T) {
	for _, c := range engines {
		t.Run(c.dialect, func(t *testing.T) {
			conformance.RunTests(t, func(t *testing.T) conformance.Target {
				e := serve(t, c.dialect, c.schema)
				for _, st := range []string{"DELETE FROM team_members", "DELETE FROM teams", "DELETE FROM phones", "DELETE FROM users"} {
					if _, err := e.db.Exec(st); err != nil {
						t.Fatal(err)
					}
				}
				s := e.served
				return conformance.Target{
					URL: s.URL("quickstart"), Client: s.Client(), Authorization: "Bearer " + token,
					WithMaxResults: func(t testing.TB, n int) conformance.Target {
						again := s.Again(t, func(c *operations.Config) { c.Server.MaxResults = n })
						return conformance.Target{URL: again.URL("quickstart"), Client: again.Client()}
					},
					Declares: conformance.Declared(s.ResourceTypes(t, "quickstart"), s.Mapped("quickstart"),
						conformance.Sort, conformance.ListsInactiveUsers, conformance.OptionalProfile, conformance.MemberIntegrity,
						conformance.UniqueGroupNames, conformance.StableModify, conformance.ContentETags),
					Backend: &conformance.SQLBackend{DB: e.db, Dialect: e.d,
						Users: conformance.UserTable{Table: "users", ID: "id", Active: "status", True: "A", False: "T",
							Columns: map[string]string{"userName": "user_name", "externalId": "external_id", "givenName": "given_name",
								"familyName": "family_name", "email": "email", "title": "title", "department": "department",
								"manager": "manager_id", "lastModified": "updated_at"}},
						Groups: &conformance.GroupTable{Table: "teams", ID: "id", DisplayName: "display_name",
							Links: "team_members", LinkGroup: "team_id", LinkUser: "user_id"}},
				}
			})
		})
	}
}
