package server_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

const testToken = "test-token-0123456789abcdef"

// schemas are the users table of the scenario in each engine's own DDL.
var schemas = map[string][]string{
	"sqlite": {`CREATE TABLE users (
		id TEXT PRIMARY KEY, user_name TEXT NOT NULL COLLATE NOCASE UNIQUE, external_id TEXT,
		given_name TEXT, family_name TEXT, email TEXT, title TEXT, department TEXT,
		active INTEGER NOT NULL DEFAULT 1)`},
	"mysql": {`CREATE TABLE users (
		id VARCHAR(64) PRIMARY KEY, user_name VARCHAR(255) NOT NULL UNIQUE, external_id VARCHAR(255),
		given_name VARCHAR(255), family_name VARCHAR(255), email VARCHAR(255), title VARCHAR(255), department VARCHAR(255),
		active TINYINT(1) NOT NULL DEFAULT 1)`},
	"postgres": {`CREATE TABLE users (
		id VARCHAR(64) PRIMARY KEY, user_name TEXT NOT NULL, external_id TEXT,
		given_name TEXT, family_name TEXT, email TEXT, title TEXT, department TEXT,
		active BOOLEAN NOT NULL DEFAULT TRUE)`,
		`CREATE UNIQUE INDEX users_user_name ON users (lower(user_name))`},
}

// scenarioConfig is the same declaration for every engine; only the database block
// and the operations differ.
const scenarioConfig = `version: 1
server:
  listen: 127.0.0.1:0
  tls: off
targets:
  scenario:
    auth:
      bearer: ` + testToken + `
    database:
%s
    users:
      id: id
      attributes:
        userName: user_name
        externalId: external_id
        name.givenName: given_name
        name.familyName: family_name
        emails[type eq "work"].value: email
        title: title
        active: active
        urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department: department
      operations:
%s`

// statementOps declares every operation as a SQL statement.
const statementOps = `        list:   {sql: "SELECT id, user_name, external_id, given_name, family_name, email, title, department, active FROM users"}
        get:    {sql: "SELECT id, user_name, external_id, given_name, family_name, email, title, department, active FROM users WHERE id = ?", params: [id]}
        create:
          sql: "INSERT INTO users (id, user_name, external_id, given_name, family_name, email, title, department) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
          params: [id, user_name, external_id, given_name, family_name, email, title, department]
        update:
          sql: "UPDATE users SET user_name = ?, external_id = ?, given_name = ?, family_name = ?, email = ?, title = ?, department = ? WHERE id = ?"
          params: [user_name, external_id, given_name, family_name, email, title, department, id]
        activate:   {sql: "UPDATE users SET active = ? WHERE id = ?", params: [{literal: true}, id]}
        deactivate: {sql: "UPDATE users SET active = ? WHERE id = ?", params: [{literal: false}, id]}
        delete:     {sql: "DELETE FROM users WHERE id = ?", params: [id]}
`

// procedureOps declares every operation as a stored routine; %s is "call" or, for
// PostgreSQL's set-returning functions, "function".
const procedureOps = `        list:   {%[1]s: list_users()}
        get:    {%[1]s: "get_user(?)", params: [id]}
        create: {call: "create_user(?, ?, ?, ?, ?, ?, ?, ?)", params: [id, user_name, external_id, given_name, family_name, email, title, department]}
        update: {call: "update_user(?, ?, ?, ?, ?, ?, ?, ?)", params: [id, user_name, external_id, given_name, family_name, email, title, department]}
        activate:   {call: "set_active(?, ?)", params: [id, {literal: true}]}
        deactivate: {call: "set_active(?, ?)", params: [id, {literal: false}]}
        delete:     {call: "delete_user(?)", params: [id]}
`

// procedures are the stored routines of procedureOps in each engine's language.
var procedures = map[string][]string{
	"mysql": {
		`CREATE PROCEDURE list_users() SELECT id, user_name, external_id, given_name, family_name, email, title, department, active FROM users`,
		`CREATE PROCEDURE get_user(IN p_id VARCHAR(64)) SELECT id, user_name, external_id, given_name, family_name, email, title, department, active FROM users WHERE id = p_id`,
		`CREATE PROCEDURE create_user(IN p_id VARCHAR(64), IN p_user_name VARCHAR(255), IN p_external_id VARCHAR(255), IN p_given VARCHAR(255), IN p_family VARCHAR(255), IN p_email VARCHAR(255), IN p_title VARCHAR(255), IN p_department VARCHAR(255))
			INSERT INTO users (id, user_name, external_id, given_name, family_name, email, title, department) VALUES (p_id, p_user_name, p_external_id, p_given, p_family, p_email, p_title, p_department)`,
		`CREATE PROCEDURE update_user(IN p_id VARCHAR(64), IN p_user_name VARCHAR(255), IN p_external_id VARCHAR(255), IN p_given VARCHAR(255), IN p_family VARCHAR(255), IN p_email VARCHAR(255), IN p_title VARCHAR(255), IN p_department VARCHAR(255))
			UPDATE users SET user_name = p_user_name, external_id = p_external_id, given_name = p_given, family_name = p_family, email = p_email, title = p_title, department = p_department WHERE id = p_id`,
		`CREATE PROCEDURE set_active(IN p_id VARCHAR(64), IN p_active BOOLEAN) UPDATE users SET active = p_active WHERE id = p_id`,
		`CREATE PROCEDURE delete_user(IN p_id VARCHAR(64)) DELETE FROM users WHERE id = p_id`,
	},
	"postgres": {
		`CREATE FUNCTION list_users() RETURNS TABLE (id VARCHAR, user_name TEXT, external_id TEXT, given_name TEXT, family_name TEXT, email TEXT, title TEXT, department TEXT, active BOOLEAN)
			LANGUAGE sql STABLE AS $$ SELECT id, user_name, external_id, given_name, family_name, email, title, department, active FROM users $$`,
		`CREATE FUNCTION get_user(p_id TEXT) RETURNS TABLE (id VARCHAR, user_name TEXT, external_id TEXT, given_name TEXT, family_name TEXT, email TEXT, title TEXT, department TEXT, active BOOLEAN)
			LANGUAGE sql STABLE AS $$ SELECT u.id, u.user_name, u.external_id, u.given_name, u.family_name, u.email, u.title, u.department, u.active FROM users u WHERE u.id = p_id $$`,
		`CREATE PROCEDURE create_user(p_id TEXT, p_user_name TEXT, p_external_id TEXT, p_given TEXT, p_family TEXT, p_email TEXT, p_title TEXT, p_department TEXT)
			LANGUAGE sql AS $$ INSERT INTO users (id, user_name, external_id, given_name, family_name, email, title, department) VALUES (p_id, p_user_name, p_external_id, p_given, p_family, p_email, p_title, p_department) $$`,
		`CREATE PROCEDURE update_user(p_id TEXT, p_user_name TEXT, p_external_id TEXT, p_given TEXT, p_family TEXT, p_email TEXT, p_title TEXT, p_department TEXT)
			LANGUAGE sql AS $$ UPDATE users SET user_name = p_user_name, external_id = p_external_id, given_name = p_given, family_name = p_family, email = p_email, title = p_title, department = p_department WHERE id = p_id $$`,
		`CREATE PROCEDURE set_active(p_id TEXT, p_active BOOLEAN) LANGUAGE sql AS $$ UPDATE users SET active = p_active WHERE id = p_id $$`,
		`CREATE PROCEDURE delete_user(p_id TEXT) LANGUAGE sql AS $$ DELETE FROM users WHERE id = p_id $$`,
	},
}

// env is one engine's running scenario: the server under test and a direct
// connection for checking rows.
type env struct {
	t    *testing.T
	url  string
	db   *sql.DB
	d    dialects.Dialect
	http *http.Client
}

func newEnv(t *testing.T, dialect string, withProcedures bool) *env {
	return newEnvVia(t, dialect, withProcedures, nil)
}

// newEnvVia is newEnv with a hook that may change how dbscim reaches the database
// (through a proxy that can cut the connection).
func newEnvVia(t *testing.T, dialect string, withProcedures bool, via func(*dialects.Connection)) *env {
	d, db, conn := dialecttest.NewDatabase(t, dialect)
	if via != nil {
		via(&conn)
	}
	ddl := schemas[dialect]
	ops := statementOps
	if withProcedures {
		ddl = append(append([]string{}, ddl...), procedures[dialect]...)
		kind := "call"
		if dialect == "postgres" {
			kind = "function"
		}
		ops = fmt.Sprintf(procedureOps, kind)
	}
	for _, stmt := range ddl {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("schema: %v", err)
		}
	}
	return serveYAML(t, d, db, fmt.Sprintf(scenarioConfig, enginetest.DatabaseYAML(d, conn), ops), "scenario")
}

// serveYAML serves a configuration of one target through enginetest; db is the
// test's own connection for checking rows.
func serveYAML(t *testing.T, d dialects.Dialect, db *sql.DB, yaml, target string) *env {
	t.Helper()
	s := enginetest.ServeYAML(t, yaml, enginetest.Options{})
	return &env{t: t, url: s.URL(target), db: db, d: d, http: s.Client()}
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (e *env) do(method, path, body string, hdr ...string) response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = e.url + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := e.http.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			e.t.Fatalf("%s %s: response is not JSON: %q", method, path, raw)
		}
	}
	return r
}

func (e *env) expect(r response, status int, what string) {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, r.raw)
	}
	if r.body != nil && !strings.HasPrefix(r.header.Get("Content-Type"), "application/scim+json") {
		e.t.Fatalf("%s: content type %q", what, r.header.Get("Content-Type"))
	}
}

func (e *env) expectError(r response, status int, scimType, what string) {
	e.t.Helper()
	e.expect(r, status, what)
	schemas, _ := r.body["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		e.t.Fatalf("%s: not a SCIM error: %s", what, r.raw)
	}
	if r.body["status"] != fmt.Sprint(status) {
		e.t.Fatalf("%s: error status %v, want %q", what, r.body["status"], fmt.Sprint(status))
	}
	if scimType != "" && r.body["scimType"] != scimType {
		e.t.Fatalf("%s: scimType %v, want %s", what, r.body["scimType"], scimType)
	}
}

// row reads one user's columns straight from the database.
func (e *env) row(id string) map[string]string {
	e.t.Helper()
	q := "SELECT user_name, COALESCE(external_id, ''), COALESCE(given_name, ''), COALESCE(family_name, ''), COALESCE(email, ''), COALESCE(title, ''), COALESCE(department, ''), CASE WHEN active THEN '1' ELSE '0' END FROM users WHERE id = " + e.d.Placeholder(1)
	var v [8]string
	err := e.db.QueryRow(q, id).Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7])
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return map[string]string{"user_name": v[0], "external_id": v[1], "given_name": v[2], "family_name": v[3],
		"email": v[4], "title": v[5], "department": v[6], "active": v[7]}
}

func (e *env) count(where string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow("SELECT COUNT(*) FROM users "+where, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) expectRow(id string, want map[string]string) {
	e.t.Helper()
	got := e.row(id)
	if got == nil {
		e.t.Fatalf("row %s missing", id)
	}
	for k, v := range want {
		if got[k] != v {
			e.t.Fatalf("row %s: %s = %q, want %q (row %v)", id, k, got[k], v, got)
		}
	}
}

func oktaUser(userName, given, family string) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName":%q,"name":{"givenName":%q,"familyName":%q},
		"emails":[{"primary":true,"value":%q,"type":"work"}],"displayName":"%s %s",
		"active":true,"password":"t1meMa$heen","groups":[]}`, userName, given, family, userName, given, family)
}

// TestScenario drives the SCIM API over HTTP on every reachable engine, with the
// operations declared as statements and (where the engine has them) as stored
// routines, and checks the rows with SQL after each step.
func TestScenario(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Run("statements", func(t *testing.T) { runScenario(t, newEnv(t, dialect, false)) })
			if procedures[dialect] != nil {
				t.Run("procedures", func(t *testing.T) { runScenario(t, newEnv(t, dialect, true)) })
			}
		})
	}
}

func runScenario(t *testing.T, e *env) {
	// Authentication.
	e.expectError(e.do("GET", "/Users", "", "Authorization", ""), 401, "", "no token")
	e.expectError(e.do("GET", "/Users", "", "Authorization", "Bearer wrong-token-0123456789"), 401, "", "wrong token")

	// Okta: lookup before create, then create.
	r := e.do("GET", `/Users?filter=userName%20eq%20%22bjensen@example.com%22&startIndex=1&count=100`, "")
	e.expect(r, 200, "lookup before create")
	if r.body["totalResults"] != float64(0) {
		t.Fatalf("lookup before create: %s", r.raw)
	}
	r = e.do("POST", "/Users", oktaUser("bjensen@example.com", "Barbara", "Jensen"))
	e.expect(r, 201, "create")
	id, _ := r.body["id"].(string)
	if id == "" || r.body["userName"] != "bjensen@example.com" || r.body["active"] != true {
		t.Fatalf("create answered %s", r.raw)
	}
	if loc := r.header.Get("Location"); !strings.HasSuffix(loc, "/Users/"+id) {
		t.Fatalf("Location %q", loc)
	}
	if _, ok := r.body["password"]; ok {
		t.Fatalf("password returned: %s", r.raw)
	}
	e.expectRow(id, map[string]string{"user_name": "bjensen@example.com", "given_name": "Barbara",
		"family_name": "Jensen", "email": "bjensen@example.com", "active": "1"})

	// Duplicates in any letter case are 409 and change nothing.
	e.expectError(e.do("POST", "/Users", oktaUser("BJensen@Example.com", "B", "J")), 409, "uniqueness", "duplicate")
	if n := e.count(""); n != 1 {
		t.Fatalf("after duplicate: %d rows", n)
	}

	// Get by id; unknown and differently cased ids are 404.
	r = e.do("GET", "/Users/"+id, "")
	e.expect(r, 200, "get")
	if name, _ := r.body["name"].(map[string]any); name["familyName"] != "Jensen" {
		t.Fatalf("get: %s", r.raw)
	}
	e.expectError(e.do("GET", "/Users/no-such-user", ""), 404, "", "unknown id")
	e.expectError(e.do("GET", "/Users/"+strings.ToUpper(id), ""), 404, "", "id in other case")

	// Filters: hit, other letter case, miss, externalId, id.
	for _, f := range []struct {
		filter string
		want   int
	}{
		{`userName eq "bjensen@example.com"`, 1},
		{`userName eq "BJENSEN@EXAMPLE.COM"`, 1},
		{`userName eq "nobody@example.com"`, 0},
		{`id eq "` + id + `"`, 1},
		{`id eq "` + strings.ToUpper(id) + `"`, 0},
	} {
		r = e.do("GET", "/Users?filter="+urlEncode(f.filter), "")
		e.expect(r, 200, f.filter)
		if r.body["totalResults"] != float64(f.want) {
			t.Fatalf("filter %s: %s", f.filter, r.raw)
		}
	}
	e.expectError(e.do("GET", "/Users?filter="+urlEncode(`userName eq`), ""), 400, "invalidFilter", "malformed filter")

	// Entra: create with externalId, filter by it.
	r = e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_ab6490ee@contoso.com","active":true,
		"emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@contoso.com"}],
		"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tours"}}`)
	e.expect(r, 201, "entra create")
	entraID := r.body["id"].(string)
	e.expectRow(entraID, map[string]string{"external_id": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", "department": "Tours"})
	r = e.do("GET", "/Users?filter="+urlEncode(`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`), "")
	e.expect(r, 200, "externalId filter")
	if r.body["totalResults"] != float64(1) {
		t.Fatalf("externalId filter: %s", r.raw)
	}

	// Pages that together return every user exactly once.
	ids := map[string]bool{id: true, entraID: true}
	for i := 0; i < 5; i++ {
		r = e.do("POST", "/Users", oktaUser(fmt.Sprintf("user%d@example.com", i), "User", fmt.Sprint(i)))
		e.expect(r, 201, "create for paging")
		ids[r.body["id"].(string)] = true
	}
	seen := map[string]int{}
	for start := 1; start <= len(ids); start += 3 {
		r = e.do("GET", fmt.Sprintf("/Users?startIndex=%d&count=3", start), "")
		e.expect(r, 200, "page")
		if r.body["totalResults"] != float64(len(ids)) || r.body["startIndex"] != float64(start) {
			t.Fatalf("page at %d: %s", start, r.raw)
		}
		for _, res := range r.body["Resources"].([]any) {
			seen[res.(map[string]any)["id"].(string)]++
		}
	}
	if len(seen) != len(ids) {
		t.Fatalf("pages returned %d distinct users, want %d", len(seen), len(ids))
	}
	for k, n := range seen {
		if n != 1 || !ids[k] {
			t.Fatalf("user %s seen %d times", k, n)
		}
	}
	r = e.do("GET", "/Users?count=0", "")
	e.expect(r, 200, "count=0")
	if r.body["totalResults"] != float64(len(ids)) || len(asList(r.body["Resources"])) != 0 {
		t.Fatalf("count=0: %s", r.raw)
	}
	e.expectError(e.do("GET", "/Users?startIndex=abc", ""), 400, "", "bad startIndex")

	// PUT: a full replace, with the read-only attributes Okta sends.
	put := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"` + id + `",
		"userName":"bjensen@example.com","name":{"givenName":"Barbara","familyName":"Jensen-Smith"},
		"emails":[{"primary":true,"value":"bjensen@example.com","type":"work"}],"title":"Tour Lead",
		"active":true,"groups":[],"meta":{"resourceType":"User"},"password":"secret"}`
	r = e.do("PUT", "/Users/"+id, put)
	e.expect(r, 200, "put")
	e.expectRow(id, map[string]string{"family_name": "Jensen-Smith", "title": "Tour Lead", "active": "1"})
	e.expectError(e.do("PUT", "/Users/no-such-user", put), 404, "", "put unknown")

	// Okta deactivation: PATCH replace with a value object.
	r = e.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"replace","value":{"active":false}}]}`)
	if r.status != 200 && r.status != 204 {
		t.Fatalf("okta deactivate: %d %s", r.status, r.raw)
	}
	e.expectRow(id, map[string]string{"active": "0", "family_name": "Jensen-Smith"})
	r = e.do("GET", "/Users/"+id, "")
	e.expect(r, 200, "inactive user readable")
	if r.body["active"] != false {
		t.Fatalf("inactive user: %s", r.raw)
	}
	r = e.do("GET", "/Users?filter="+urlEncode(`userName eq "bjensen@example.com"`), "")
	if r.body["totalResults"] != float64(1) {
		t.Fatalf("inactive user by filter: %s", r.raw)
	}

	// Entra: capitalised ops, string booleans, paths with value filters.
	r = e.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"Replace","path":"active","value":"True"},
		{"op":"Replace","path":"name.givenName","value":"Babs"},
		{"op":"Add","path":"emails[type eq \"work\"].value","value":"babs@example.com"},
		{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Field Ops"}]}`)
	if r.status != 200 && r.status != 204 {
		t.Fatalf("entra patch: %d %s", r.status, r.raw)
	}
	e.expectRow(id, map[string]string{"active": "1", "given_name": "Babs", "email": "babs@example.com", "department": "Field Ops"})
	r = e.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"Remove","path":"title"}]}`)
	if r.status != 200 && r.status != 204 {
		t.Fatalf("patch remove: %d %s", r.status, r.raw)
	}
	e.expectRow(id, map[string]string{"title": ""})
	e.expectError(e.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"remove"}]}`), 400, "noTarget", "remove without path")

	// Renaming onto another user's userName is a conflict.
	e.expectError(e.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"replace","path":"userName","value":"USER1@example.com"}]}`), 409, "uniqueness", "rename onto taken userName")
	e.expectRow(id, map[string]string{"user_name": "bjensen@example.com"})

	// Malformed input is 400, never 500.
	e.expectError(e.do("POST", "/Users", `{"userName": `), 400, "", "malformed JSON")
	e.expectError(e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`), 400, "", "missing userName")
	e.expectError(e.do("PATCH", "/Users/"+id, `{"Operations":"x"}`), 400, "", "malformed PATCH")

	// application/json is accepted.
	r = e.do("POST", "/Users", oktaUser("json@example.com", "Jay", "Son"), "Content-Type", "application/json")
	e.expect(r, 201, "application/json")

	// DELETE, then 404.
	r = e.do("DELETE", "/Users/"+entraID, "")
	e.expect(r, 204, "delete")
	if e.row(entraID) != nil {
		t.Fatal("deleted row still there")
	}
	e.expectError(e.do("GET", "/Users/"+entraID, ""), 404, "", "get after delete")

	// Discovery, and the routes the Okta agent uses.
	for _, p := range []string{"/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "//Users", "/Users/"} {
		e.expect(e.do("GET", p, ""), 200, p)
	}
	lone := strings.TrimSuffix(e.url, "/scenario")
	e.expect(e.do("GET", lone+"/Users?count=1", ""), 200, "lone target")
	e.expectError(e.do("GET", lone+"/nosuchtarget/Users", ""), 404, "", "unknown target")

	var names []string
	rows, err := e.db.Query("SELECT user_name FROM users ORDER BY user_name")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	sort.Strings(names)
	if len(names) != 7 {
		t.Fatalf("final rows: %v", names)
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func urlEncode(s string) string {
	r := strings.NewReplacer(" ", "%20", `"`, "%22", "#", "%23", "&", "%26", "+", "%2B")
	return r.Replace(s)
}
