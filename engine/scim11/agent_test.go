package scim11_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

const token = "scim11-token-0123456789abcdef0123"

// agentDDL is a users table with a password and an Okta custom attribute, a
// tombstone table filled by the application when it deletes a user, groups and
// their members, in each engine's own dialect.
var agentDDL = map[string][]string{
	"sqlite": {
		`CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT NOT NULL COLLATE NOCASE UNIQUE, given_name TEXT, family_name TEXT,
			email TEXT, password TEXT, employee_number TEXT, active INTEGER NOT NULL DEFAULT 1, modified_at TIMESTAMP)`,
		`CREATE TABLE grp (id TEXT PRIMARY KEY, display_name TEXT NOT NULL UNIQUE)`,
		`CREATE TABLE grp_member (group_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (group_id, user_id))`,
	},
	"mysql": {
		`CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, user_name VARCHAR(255) NOT NULL UNIQUE, given_name VARCHAR(255), family_name VARCHAR(255),
			email VARCHAR(255), password VARCHAR(255), employee_number VARCHAR(32), active TINYINT(1) NOT NULL DEFAULT 1, modified_at DATETIME(6))`,
		`CREATE TABLE grp (id VARCHAR(64) PRIMARY KEY, display_name VARCHAR(255) NOT NULL UNIQUE)`,
		`CREATE TABLE grp_member (group_id VARCHAR(64) NOT NULL, user_id VARCHAR(64) NOT NULL, PRIMARY KEY (group_id, user_id))`,
	},
	"postgres": {
		`CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, user_name TEXT NOT NULL UNIQUE, given_name TEXT, family_name TEXT,
			email TEXT, password TEXT, employee_number TEXT, active BOOLEAN NOT NULL DEFAULT TRUE, modified_at TIMESTAMPTZ)`,
		`CREATE TABLE grp (id VARCHAR(64) PRIMARY KEY, display_name TEXT NOT NULL UNIQUE)`,
		`CREATE TABLE grp_member (group_id VARCHAR(64) NOT NULL, user_id VARCHAR(64) NOT NULL, PRIMARY KEY (group_id, user_id))`,
	},
}

const agentConfig = `version: 1
server:
  listen: 127.0.0.1:0
  tls: "off"
targets:
  agent:
    auth:
      bearer: ` + token + `
    database:
%s
    users:
      id: id
      attributes:
        userName: user_name
        name.givenName: given_name
        name.familyName: family_name
        emails[type eq "work"].value: email
        password: password
        active: active
        meta.lastModified: modified_at
        urn:okta:onprem_app:1.0:user:custom:employeeNumber: employee_number
      operations:
        list: {sql: "SELECT id, user_name, given_name, family_name, email, employee_number, active, modified_at FROM users"}
        get:  {sql: "SELECT id, user_name, given_name, family_name, email, employee_number, active, modified_at FROM users WHERE id = ?", params: [id]}
        create:
          sql: "INSERT INTO users (id, user_name, given_name, family_name, email, password, employee_number, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
          params: [id, user_name, given_name, family_name, email, password, employee_number, {generate: now}]
        update:
          sql: "UPDATE users SET user_name = ?, given_name = ?, family_name = ?, email = ?, password = COALESCE(?, password), employee_number = ?, modified_at = ? WHERE id = ?"
          params: [user_name, given_name, family_name, email, password, employee_number, {generate: now}, id]
        activate:   {sql: "UPDATE users SET active = ?, modified_at = ? WHERE id = ?", params: [{literal: true}, {generate: now}, id]}
        deactivate: {sql: "UPDATE users SET active = ?, modified_at = ? WHERE id = ?", params: [{literal: false}, {generate: now}, id]}
%s    groups:
      id: id
      attributes: {displayName: display_name}
      member_id: user_id
      member_display: user_name
      operations:
        list:   {sql: "SELECT id, display_name FROM grp"}
        get:    {sql: "SELECT id, display_name FROM grp WHERE id = ?", params: [id]}
        create: {sql: "INSERT INTO grp (id, display_name) VALUES (?, ?)", params: [id, display_name]}
        update: {sql: "UPDATE grp SET display_name = ? WHERE id = ?", params: [display_name, id]}
        delete: {sql: "DELETE FROM grp WHERE id = ?", params: [id]}
        members: {sql: "SELECT m.user_id, u.user_name FROM grp_member m JOIN users u ON u.id = m.user_id WHERE m.group_id = ?", params: [id]}
        add_member:    {sql: "INSERT INTO grp_member (group_id, user_id) VALUES (?, ?)", params: [id, member]}
        remove_member: {sql: "DELETE FROM grp_member WHERE group_id = ? AND user_id = ?", params: [id, member]}
        clear_members: {sql: "DELETE FROM grp_member WHERE group_id = ?", params: [id]}
`

// agent is a served target and the test's own connection to its database.
type agent struct {
	t    *testing.T
	db   *sql.DB
	d    dialects.Dialect
	s    *enginetest.Served
	v1   string // the 1.1 base URL
	v2   string
	step string
}

func newAgent(t *testing.T, dialect string, extraOps string, extraDDL ...string) *agent {
	d, db, conn := dialecttest.NewDatabase(t, dialect)
	dialecttest.MustExec(t, db, agentDDL[dialect]...)
	dialecttest.MustExec(t, db, extraDDL...)
	s := enginetest.ServeYAML(t, fmt.Sprintf(agentConfig, enginetest.DatabaseYAML(d, conn), extraOps), enginetest.Options{})
	return &agent{t: t, db: db, d: d, s: s, v1: s.HTTP.URL + "/scim/v1/agent", v2: s.URL("agent")}
}

// do sends a request and decodes the JSON answer (nil for none).
func (a *agent) do(method, url string, body any) (int, map[string]any, http.Header) {
	a.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		r = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, url, r)
	req.Header.Set("Authorization", "Bearer "+token)
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.s.Client().Do(req)
	if err != nil {
		a.t.Fatalf("%s: %s %s: %v", a.step, method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			a.t.Fatalf("%s: %s %s answered %d with a body that is not JSON: %s", a.step, method, url, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out, resp.Header
}

// want checks a status, and that a 1.1 answer is in 1.1 shape.
func (a *agent) want(status, wantStatus int, body map[string]any) {
	a.t.Helper()
	if status != wantStatus {
		b, _ := json.Marshal(body)
		a.t.Fatalf("%s: status %d, want %d: %s", a.step, status, wantStatus, b)
	}
}

// row reads one users row by userName: given name, active, password, employee number.
func (a *agent) row(userName string) (id, given string, active bool, password, employee sql.NullString) {
	a.t.Helper()
	q := "SELECT id, given_name, active, password, employee_number FROM users WHERE user_name = " + a.d.Placeholder(1)
	var g sql.NullString
	if err := a.db.QueryRow(q, userName).Scan(&id, &g, &active, &password, &employee); err != nil {
		a.t.Fatalf("%s: read row %s: %v", a.step, userName, err)
	}
	return id, g.String, active, password, employee
}

func (a *agent) members(groupID string) []string {
	a.t.Helper()
	rows, err := a.db.Query("SELECT u.user_name FROM grp_member m JOIN users u ON u.id = m.user_id WHERE m.group_id = "+a.d.Placeholder(1)+" ORDER BY u.user_name", groupID)
	if err != nil {
		a.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

func (a *agent) seed(id, userName, given string, modified time.Time) {
	a.t.Helper()
	p := a.d.Placeholder
	dialecttest.MustExec(a.t, a.db)
	if _, err := a.db.Exec(fmt.Sprintf("INSERT INTO users (id, user_name, given_name, family_name, email, modified_at) VALUES (%s, %s, %s, %s, %s, %s)",
		p(1), p(2), p(3), p(4), p(5), p(6)), id, userName, given, "Seed", userName, modified.UTC()); err != nil {
		a.t.Fatal(err)
	}
}

func schemasOf(res map[string]any) []string {
	var out []string
	l, _ := res["schemas"].([]any)
	for _, s := range l {
		out = append(out, fmt.Sprint(s))
	}
	return out
}

func hasString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func resources(body map[string]any) []map[string]any {
	var out []map[string]any
	l, _ := body["Resources"].([]any)
	for _, x := range l {
		m, _ := x.(map[string]any)
		out = append(out, m)
	}
	return out
}

var engines = []string{"sqlite", "mysql", "postgres"}

// TestAgentSequences runs the Okta provisioning agent's SCIM 1.1 messages, in
// the order and shapes of Okta's "SCIM messages for on-premises provisioning",
// on each engine, and checks the rows after every step.
func TestAgentSequences(t *testing.T) {
	for _, dialect := range engines {
		t.Run(dialect, func(t *testing.T) {
			a := newAgent(t, dialect, "")
			a.sequences()
		})
	}
}

func (a *agent) sequences() {
	t := a.t
	const core = "urn:scim:schemas:core:1.0"
	const custom = "urn:okta:onprem_app:1.0:user:custom"
	seeded := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	a.seed("u-alice", "alice@example.com", "Alice", seeded)
	a.seed("u-bob", "bob@example.com", "Bob", seeded)

	a.step = "capabilities"
	st, body, hdr := a.do("GET", a.v1+"/ServiceProviderConfigs", nil)
	a.want(st, 200, body)
	if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q", a.step, ct)
	}
	ext, _ := body["urn:okta:schemas:scim:providerconfig:1.0"].(map[string]any)
	caps := fmt.Sprint(ext["userManagementCapabilities"])
	for _, c := range []string{"GROUP_PUSH", "IMPORT_NEW_USERS", "IMPORT_PROFILE_UPDATES", "PUSH_NEW_USERS", "PUSH_PASSWORD_UPDATES",
		"PUSH_PENDING_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS"} {
		if !strings.Contains(caps, c) {
			t.Errorf("%s: userManagementCapabilities %s lacks %s", a.step, caps, c)
		}
	}

	a.step = "import"
	st, body, _ = a.do("GET", a.v1+"/Users?startIndex=1&count=100", nil)
	a.want(st, 200, body)
	if s := schemasOf(body); len(s) != 1 || s[0] != core {
		t.Errorf("%s: list schemas %v, want [%s]", a.step, s, core)
	}
	if body["totalResults"] != float64(2) || len(resources(body)) != 2 {
		t.Fatalf("%s: %v", a.step, body)
	}
	for _, r := range resources(body) {
		if s := schemasOf(r); s[0] != core || hasString(s, "urn:ietf:params:scim:schemas:core:2.0:User") {
			t.Errorf("%s: resource schemas %v", a.step, s)
		}
	}

	a.step = "create: pre-create lookup"
	st, body, _ = a.do("GET", a.v1+`/Users?filter=userName%20eq%20%22carol%40example.com%22&startIndex=1&count=100`, nil)
	a.want(st, 200, body)
	if body["totalResults"] != float64(0) {
		t.Fatalf("%s: %v", a.step, body)
	}

	a.step = "create"
	carol := map[string]any{
		"schemas":  []string{core, custom},
		"userName": "carol@example.com",
		"name":     map[string]any{"givenName": "Carol", "familyName": "Doe"},
		"emails":   []any{map[string]any{"value": "carol@example.com", "type": "work", "primary": true}},
		"password": "Secret-1",
		"active":   true,
		custom:     map[string]any{"employeeNumber": "E-1001"},
	}
	st, body, _ = a.do("POST", a.v1+"/Users/", carol)
	a.want(st, 201, body)
	carolID, _ := body["id"].(string)
	if s := schemasOf(body); s[0] != core || !hasString(s, custom) {
		t.Errorf("%s: schemas %v", a.step, s)
	}
	if e, _ := body[custom].(map[string]any); e["employeeNumber"] != "E-1001" {
		t.Errorf("%s: custom extension %v", a.step, body[custom])
	}
	if _, ok := body["password"]; ok {
		t.Errorf("%s: the answer returns the password", a.step)
	}
	id, given, active, pw, emp := a.row("carol@example.com")
	if id != carolID || given != "Carol" || !active || pw.String != "Secret-1" || emp.String != "E-1001" {
		t.Errorf("%s: row %s %s %v %v %v", a.step, id, given, active, pw, emp)
	}

	a.step = "create pending user"
	dave := map[string]any{"schemas": []string{core}, "userName": "dave@example.com", "name": map[string]any{"givenName": "Dave", "familyName": "Roe"}, "active": false}
	st, body, _ = a.do("POST", a.v1+"/Users", dave)
	a.want(st, 201, body)
	if body["active"] != false {
		t.Errorf("%s: answer active %v", a.step, body["active"])
	}
	if _, _, active, _, _ := a.row("dave@example.com"); active {
		t.Errorf("%s: the pending user's row is active", a.step)
	}

	a.step = "import a user profile"
	st, body, _ = a.do("GET", a.v1+"/Users/"+carolID, nil)
	a.want(st, 200, body)
	full := body

	a.step = "push profile update"
	full["name"] = map[string]any{"givenName": "Caroline", "familyName": "Doe"}
	full[custom] = map[string]any{"employeeNumber": "E-2002"}
	st, body, _ = a.do("PUT", a.v1+"/Users/"+carolID, full)
	a.want(st, 200, body)
	if _, given, active, _, emp := a.row("carol@example.com"); given != "Caroline" || !active || emp.String != "E-2002" {
		t.Errorf("%s: row %s %v %v", a.step, given, active, emp)
	}

	a.step = "deactivate"
	full = body
	full["active"] = false
	st, body, _ = a.do("PUT", a.v1+"/Users/"+carolID, full)
	a.want(st, 200, body)
	if _, given, active, _, _ := a.row("carol@example.com"); active || given != "Caroline" {
		t.Errorf("%s: row active %v given %s", a.step, active, given)
	}

	a.step = "reactivate"
	full = body
	full["active"] = true
	st, body, _ = a.do("PUT", a.v1+"/Users/"+carolID, full)
	a.want(st, 200, body)
	if _, _, active, _, _ := a.row("carol@example.com"); !active {
		t.Errorf("%s: row still inactive", a.step)
	}

	a.step = "push password update"
	full = body
	full["password"] = "Secret-2"
	st, body, _ = a.do("PUT", a.v1+"/Users/"+carolID, full)
	a.want(st, 200, body)
	if _, _, _, pw, _ := a.row("carol@example.com"); pw.String != "Secret-2" {
		t.Errorf("%s: row password %v", a.step, pw)
	}

	a.step = "2.0 sees the 1.1 writes"
	st, body, _ = a.do("GET", a.v2+"/Users/"+carolID, nil)
	a.want(st, 200, body)
	if n, _ := body["name"].(map[string]any); n["givenName"] != "Caroline" || body["active"] != true {
		t.Errorf("%s: %v", a.step, body)
	}
	a.step = "1.1 sees a 2.0 write"
	st, body, _ = a.do("PATCH", a.v2+"/Users/"+carolID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"name.givenName":"Carrie"}}]}`)
	a.want(st, 200, body)
	st, body, _ = a.do("GET", a.v1+"/Users?filter=userName%20eq%20%22carol%40example.com%22", nil)
	a.want(st, 200, body)
	if r := resources(body); len(r) != 1 || fmt.Sprint(r[0]["name"]) != "map[familyName:Doe givenName:Carrie]" {
		t.Errorf("%s: %v", a.step, body)
	}

	a.step = "1.1 PATCH"
	st, body, _ = a.do("PATCH", a.v1+"/Users/"+carolID, map[string]any{"schemas": []string{core}, "name": map[string]any{"givenName": "Carol"}, "meta": map[string]any{"attributes": []string{custom + ":employeeNumber"}}})
	a.want(st, 200, body)
	if _, given, _, _, emp := a.row("carol@example.com"); given != "Carol" || emp.Valid {
		t.Errorf("%s: row %s %v", a.step, given, emp)
	}

	a.step = "incremental import"
	since := time.Now().Add(-30 * time.Minute).UTC().Format(time.RFC3339)
	st, body, _ = a.do("GET", a.v1+"/Users?filter=meta.lastModified%20gt%20%22"+since+"%22&startIndex=1&count=100", nil)
	a.want(st, 200, body)
	var names []string
	for _, r := range resources(body) {
		names = append(names, fmt.Sprint(r["userName"]))
	}
	if fmt.Sprint(names) != "[carol@example.com dave@example.com]" && fmt.Sprint(names) != "[dave@example.com carol@example.com]" {
		t.Errorf("%s: changed users %v, want carol and dave", a.step, names)
	}

	a.step = "download groups"
	st, body, _ = a.do("GET", a.v1+"/Groups?startIndex=1&count=100", nil)
	a.want(st, 200, body)
	if body["totalResults"] != float64(0) {
		t.Errorf("%s: %v", a.step, body)
	}

	a.step = "create a group"
	st, body, _ = a.do("POST", a.v1+"/Groups", map[string]any{"schemas": []string{core}, "displayName": "Engineering",
		"members": []any{map[string]any{"value": "u-alice", "display": "alice@example.com"}, map[string]any{"value": carolID}}})
	a.want(st, 201, body)
	gid, _ := body["id"].(string)
	if s := schemasOf(body); len(s) != 1 || s[0] != core {
		t.Errorf("%s: schemas %v", a.step, s)
	}
	if m := a.members(gid); fmt.Sprint(m) != "[alice@example.com carol@example.com]" {
		t.Errorf("%s: members %v", a.step, m)
	}

	a.step = "update a group"
	st, body, _ = a.do("PUT", a.v1+"/Groups/"+gid, map[string]any{"schemas": []string{core}, "id": gid, "displayName": "Engineering EU",
		"members": []any{map[string]any{"value": "u-bob"}, map[string]any{"value": carolID}}})
	a.want(st, 200, body)
	var name string
	a.db.QueryRow("SELECT display_name FROM grp WHERE id = "+a.d.Placeholder(1), gid).Scan(&name)
	if m := a.members(gid); fmt.Sprint(m) != "[bob@example.com carol@example.com]" || name != "Engineering EU" {
		t.Errorf("%s: %s members %v", a.step, name, m)
	}

	a.step = "PATCH a group's members"
	st, body, _ = a.do("PATCH", a.v1+"/Groups/"+gid, map[string]any{"schemas": []string{core},
		"members": []any{map[string]any{"value": "u-alice"}, map[string]any{"value": "u-bob", "operation": "delete"}}})
	if st != 200 && st != 204 {
		a.want(st, 200, body)
	}
	if m := a.members(gid); fmt.Sprint(m) != "[alice@example.com carol@example.com]" {
		t.Errorf("%s: members %v", a.step, m)
	}

	a.step = "2.0 sees the group"
	st, body, _ = a.do("GET", a.v2+"/Groups/"+gid, nil)
	a.want(st, 200, body)
	if body["displayName"] != "Engineering EU" || len(body["members"].([]any)) != 2 {
		t.Errorf("%s: %v", a.step, body)
	}

	a.step = "delete a group"
	st, body, _ = a.do("DELETE", a.v1+"/Groups/"+gid, nil)
	a.want(st, 204, body)
	var n int
	a.db.QueryRow("SELECT COUNT(*) FROM grp WHERE id = "+a.d.Placeholder(1), gid).Scan(&n)
	if n != 0 {
		t.Errorf("%s: the group row is still there", a.step)
	}
}

func (a *agent) now() time.Time { return time.Now().UTC().Truncate(time.Second) }
