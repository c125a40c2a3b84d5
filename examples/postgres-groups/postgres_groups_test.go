// Package postgresgroups_test drives the postgres-groups example end to end: seed
// 001's users/groups/link schema is loaded into a fresh database, dbscim.yaml is
// loaded with an environment pointing at it and served over HTTP, and Okta's user
// provisioning and group push and Entra ID's group provisioning run against it, with
// the rows checked by SQL after every step. It runs on PostgreSQL (schema.sql) and on
// SQLite (schema.sqlite.sql, with the same operations).
package postgresgroups_test

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
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
	token       = "postgres-groups-test-token-0123456789"
	userSchema  = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
	patchOp     = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

func TestPostgresGroups(t *testing.T) {
	for _, c := range []struct{ dialect, schema string }{
		{"postgres", "schema.sql"},
		{"sqlite", "schema.sqlite.sql"},
	} {
		t.Run(c.dialect, func(t *testing.T) {
			e := newExample(t, c.dialect, c.schema)
			users := e.oktaUsers()
			e.oktaGroupPush(users)
			e.entraGroups(users)
		})
	}
}

// example is dbscim.yaml serving a fresh database loaded with the example's schema.
type example struct {
	t      *testing.T
	url    string // .../scim/v2/okta
	db     *sql.DB
	d      dialects.Dialect
	served *enginetest.Served
}

func newExample(t *testing.T, dialect, schema string) *example {
	d, db, conn := dialecttest.NewDatabase(t, dialect)
	script, err := os.ReadFile(schema)
	if err != nil {
		t.Fatal(err)
	}
	// The whole file in one Exec, as psql -f (or sqlite3 <) runs it: pgx sends a
	// statement without arguments over the simple protocol, which takes several.
	if _, err := db.Exec(string(script)); err != nil {
		t.Fatalf("%s: %v", schema, err)
	}

	const config = "dbscim.yaml"
	data, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DBSCIM_TOKEN": token}
	switch dialect {
	case "postgres":
		env["DBSCIM_DB_HOST"] = conn.Host
		env["DBSCIM_DB_PORT"] = strconv.Itoa(conn.Port)
		env["DBSCIM_DB_NAME"] = conn.Name
		env["DBSCIM_DB_USER"] = conn.User
		env["DBSCIM_DB_PASSWORD"] = conn.Password // empty (trust) leaves the default, which trust ignores
		if mode := conn.Properties["sslmode"]; mode != "" {
			env["DBSCIM_DB_SSLMODE"] = mode
		}
	case "sqlite":
		data = sqliteDatabase(t, data, conn.Name)
	}
	cfg, err := operations.Parse(filepath.Join(".", config), data, func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
	if err != nil {
		t.Fatalf("%s: %v", config, err)
	}
	if len(cfg.Targets) != 1 || cfg.Targets[0].Name != "okta" {
		t.Fatalf("%s: expected the one target okta", config)
	}
	if cfg.Server.Listen != "127.0.0.1:8080" || cfg.Server.TLS.Mode != "off" {
		t.Fatalf("%s: serves %s with tls %s by default", config, cfg.Server.Listen, cfg.Server.TLS.Mode)
	}
	s := enginetest.Serve(t, cfg, enginetest.Options{})
	return &example{t: t, url: s.URL("okta"), db: db, d: d, served: s}
}

// TestPostgresGroupsConformance runs the conformance suite on the example as
// written, on PostgreSQL and on SQLite: users without a delete, title, department,
// manager or modification time, and groups with members.
func TestPostgresGroupsConformance(t *testing.T) {
	for _, c := range []struct{ dialect, schema string }{
		{"postgres", "schema.sql"},
		{"sqlite", "schema.sqlite.sql"},
	} {
		t.Run(c.dialect, func(t *testing.T) {
			conformance.RunTests(t, func(t *testing.T) conformance.Target {
				e := newExample(t, c.dialect, c.schema)
				s := e.served
				return conformance.Target{
					URL: s.URL("okta"), Client: s.Client(), Authorization: "Bearer " + token,
					WithMaxResults: func(t testing.TB, n int) conformance.Target {
						again := s.Again(t, func(c *operations.Config) { c.Server.MaxResults = n })
						return conformance.Target{URL: again.URL("okta"), Client: again.Client()}
					},
					Declares: conformance.Declared(s.ResourceTypes(t, "okta"), s.Mapped("okta"),
						conformance.Sort, conformance.ListsInactiveUsers, conformance.OptionalProfile, conformance.MemberIntegrity,
						conformance.UniqueGroupNames, conformance.StableModify, conformance.ContentETags),
					Backend: &conformance.SQLBackend{DB: e.db, Dialect: e.d,
						Users: conformance.UserTable{Table: "users", ID: "id", Active: "active", Columns: map[string]string{
							"userName": "userName", "externalId": "externalId", "givenName": "givenName", "familyName": "familyName",
							"email": "email"}},
						Groups: &conformance.GroupTable{Table: "groups", ID: "id", DisplayName: "displayName",
							Links: "link", LinkGroup: "group_id", LinkUser: "user_id"}},
				}
			})
		})
	}
}

// sqliteDatabase swaps the PostgreSQL database block of dbscim.yaml for a SQLite
// file: everything else, every operation included, is served as written.
func sqliteDatabase(t *testing.T, yaml []byte, file string) []byte {
	t.Helper()
	lines := strings.Split(string(yaml), "\n")
	var out []string
	skipping, swapped := false, false
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "    database:"):
			out = append(out, "    database:", "      dialect: sqlite", "      name: "+strconv.Quote(file))
			skipping, swapped = true, true
		case skipping && strings.HasPrefix(l, "      "):
		default:
			skipping = false
			out = append(out, l)
		}
	}
	if !swapped {
		t.Fatal("dbscim.yaml: no database block to replace")
	}
	return []byte(strings.Join(out, "\n"))
}

type response struct {
	status int
	body   map[string]any
	raw    string
}

func (e *example) do(method, path, body string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			e.t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, raw)
		}
	}
	return r
}

// must sends a request and fails the test unless the status is one of want.
func (e *example) must(method, path, body string, want ...int) response {
	e.t.Helper()
	r := e.do(method, path, body)
	for _, w := range want {
		if r.status == w {
			return r
		}
	}
	e.t.Fatalf("%s %s %s\n=> %d %s (want %v)", method, path, body, r.status, r.raw, want)
	return r
}

func (e *example) patch(path, ops string) response {
	e.t.Helper()
	return e.must("PATCH", path, `{"schemas":["`+patchOp+`"],"Operations":`+ops+`}`, 200, 204)
}

// rows runs a query, its ? written in the dialect's placeholders, and returns its
// rows, columns joined by "|", in order.
func (e *example) rows(query string, args ...any) []string {
	e.t.Helper()
	for i := range args {
		query = strings.Replace(query, "?", e.d.Placeholder(i+1), 1)
	}
	rows, err := e.db.Query(query, args...)
	if err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			e.t.Fatal(err)
		}
		var s []string
		for _, v := range vals {
			if v.Valid {
				s = append(s, v.String)
			} else {
				s = append(s, "NULL")
			}
		}
		out = append(out, strings.Join(s, "|"))
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// links returns the user ids the link table holds for a group, sorted.
func (e *example) links(group string) []string {
	e.t.Helper()
	return e.rows("SELECT user_id FROM link WHERE group_id = ? ORDER BY user_id", group)
}

func (e *example) expectLinks(step, group string, want ...string) {
	e.t.Helper()
	sort.Strings(want)
	if got := e.links(group); strings.Join(got, ",") != strings.Join(want, ",") {
		e.t.Fatalf("%s: link rows of group %s are %v, want %v", step, group, got, want)
	}
}

func (e *example) expectGroupRow(step, group, want string) {
	e.t.Helper()
	got := e.rows("SELECT displayName, externalId FROM groups WHERE id = ?", group)
	if want == "" && len(got) != 0 || want != "" && (len(got) != 1 || got[0] != want) {
		e.t.Fatalf("%s: groups row %s is %v, want %q", step, group, got, want)
	}
}

// active reads a user's active column as a boolean, whatever the engine stores.
func (e *example) active(user string) bool {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow("SELECT CASE WHEN active THEN 1 ELSE 0 END FROM users WHERE id = "+e.d.Placeholder(1), user).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n == 1
}

func list(v any) []map[string]any {
	a, _ := v.([]any)
	out := make([]map[string]any, 0, len(a))
	for _, x := range a {
		m, _ := x.(map[string]any)
		out = append(out, m)
	}
	return out
}

func filter(f string) string { return "filter=" + url.QueryEscape(f) }

// oktaUsers runs Okta's user creation (filter by userName, then POST) for three
// users, a duplicate, and a deactivation; it returns the users' ids by userName.
func (e *example) oktaUsers() map[string]string {
	t := e.t
	ids := map[string]string{}
	for _, u := range []struct{ user, given, middle, family string }{
		{"alice@example.com", "Alice", "M", "Liddell"},
		{"bob@example.com", "Bob", "", "Dylan"},
		{"carol@example.com", "Carol", "", "King"},
	} {
		r := e.must("GET", "/Users?"+filter(`userName eq "`+u.user+`"`)+"&startIndex=1&count=100", "", 200)
		if r.body["totalResults"] != float64(0) {
			t.Fatalf("filter before creating %s: %s", u.user, r.raw)
		}
		middle := ""
		if u.middle != "" {
			middle = `,"middleName":"` + u.middle + `"`
		}
		r = e.must("POST", "/Users", `{"schemas":["`+userSchema+`"],"userName":"`+u.user+`",
			"name":{"givenName":"`+u.given+`"`+middle+`,"familyName":"`+u.family+`"},
			"emails":[{"primary":true,"value":"`+u.user+`","type":"work"}],
			"displayName":"`+u.given+` `+u.family+`","locale":"en-US","externalId":"00u`+u.given+`","groups":[],"active":true}`, 201)
		id, _ := r.body["id"].(string)
		if id == "" || r.body["active"] != true {
			t.Fatalf("create %s: %s", u.user, r.raw)
		}
		ids[u.user] = id
		m := "NULL"
		if u.middle != "" {
			m = u.middle
		}
		want := strings.Join([]string{u.user, u.given, m, u.family, u.user, u.given + " " + u.family, "en-US", "00u" + u.given}, "|")
		got := e.rows("SELECT userName, givenName, middleName, familyName, email, displayName, locale, externalId FROM users WHERE id = ?", id)
		if len(got) != 1 || got[0] != want || !e.active(id) {
			t.Fatalf("create %s: users row %v, want %q and active", u.user, got, want)
		}
	}
	// Okta's lookup is case-insensitive, and so is the uniqueness of userName.
	r := e.must("GET", "/Users?"+filter(`userName eq "ALICE@example.com"`), "", 200)
	if r.body["totalResults"] != float64(1) || list(r.body["Resources"])[0]["id"] != ids["alice@example.com"] {
		t.Fatalf("case-insensitive userName filter: %s", r.raw)
	}
	r = e.must("POST", "/Users", `{"schemas":["`+userSchema+`"],"userName":"Bob@Example.com","active":true}`, 409)
	if r.body["scimType"] != "uniqueness" {
		t.Fatalf("duplicate userName: %s", r.raw)
	}
	if n := e.rows("SELECT COUNT(*) FROM users"); n[0] != "3" {
		t.Fatalf("users after a refused duplicate: %v", n)
	}
	// A user who is in no group has an empty (absent) groups attribute.
	r = e.must("GET", "/Users/"+ids["carol@example.com"], "", 200)
	if g := list(r.body["groups"]); len(g) != 0 {
		t.Fatalf("groups of a user in no group: %s", r.raw)
	}
	// Okta deactivates with a PATCH of active, and reactivates the same way.
	carol := ids["carol@example.com"]
	e.patch("/Users/"+carol, `[{"op":"replace","value":{"active":false}}]`)
	if e.active(carol) {
		t.Fatal("deactivate: the users row is still active")
	}
	e.patch("/Users/"+carol, `[{"op":"replace","value":{"active":true}}]`)
	if !e.active(carol) {
		t.Fatal("reactivate: the users row is still inactive")
	}
	// A profile update (Okta's PUT) writes the columns of the update statement.
	e.must("PUT", "/Users/"+carol, `{"schemas":["`+userSchema+`"],"id":"`+carol+`","userName":"carol@example.com",
		"name":{"givenName":"Carole","familyName":"King"},"emails":[{"primary":true,"value":"carole@example.com","type":"work"}],
		"displayName":"Carole King","locale":"en-US","externalId":"00uCarol","active":true}`, 200)
	if got := e.rows("SELECT givenName, email, displayName FROM users WHERE id = ?", carol); len(got) != 1 || got[0] != "Carole|carole@example.com|Carole King" {
		t.Fatalf("PUT user: users row %v", got)
	}
	return ids
}

// oktaGroupPush runs Okta's group push: look the group up by displayName, create
// it, add members, rename it, remove a member, delete it.
func (e *example) oktaGroupPush(users map[string]string) {
	t := e.t
	alice, bob := users["alice@example.com"], users["bob@example.com"]

	r := e.must("GET", "/Groups?"+filter(`displayName eq "Engineering"`)+"&startIndex=1&count=100", "", 200)
	if r.body["totalResults"] != float64(0) {
		t.Fatalf("filter before push: %s", r.raw)
	}
	r = e.must("POST", "/Groups", `{"schemas":["`+groupSchema+`"],"displayName":"Engineering","members":[]}`, 201)
	group, _ := r.body["id"].(string)
	if group == "" || r.body["displayName"] != "Engineering" {
		t.Fatalf("push group: %s", r.raw)
	}
	e.expectGroupRow("push group", group, "Engineering|NULL")
	e.expectLinks("push group", group)
	r = e.must("GET", "/Groups?"+filter(`displayName eq "Engineering"`), "", 200)
	if r.body["totalResults"] != float64(1) || list(r.body["Resources"])[0]["id"] != group {
		t.Fatalf("filter after push: %s", r.raw)
	}
	r = e.must("POST", "/Groups", `{"schemas":["`+groupSchema+`"],"displayName":"engineering"}`, 409)
	if r.body["scimType"] != "uniqueness" {
		t.Fatalf("duplicate displayName: %s", r.raw)
	}

	e.patch("/Groups/"+group, `[{"op":"add","path":"members","value":[
		{"value":"`+alice+`","display":"alice@example.com"},{"value":"`+bob+`","display":"bob@example.com"}]}]`)
	e.expectLinks("add members", group, alice, bob)

	e.patch("/Groups/"+group, `[{"op":"replace","value":{"id":"`+group+`","displayName":"Engineering Team"}}]`)
	e.expectGroupRow("rename", group, "Engineering Team|NULL")
	e.expectLinks("rename", group, alice, bob)

	e.patch("/Groups/"+group, `[{"op":"remove","path":"members[value eq \"`+alice+`\"]"}]`)
	e.expectLinks("remove member by filter", group, bob)

	r = e.must("GET", "/Groups/"+group, "", 200)
	ms := list(r.body["members"])
	if r.body["displayName"] != "Engineering Team" || len(ms) != 1 || ms[0]["value"] != bob || ms[0]["display"] != "bob@example.com" {
		t.Fatalf("get group: %s", r.raw)
	}
	// The users' groups attribute comes from groups_of_user, and is read-only.
	r = e.must("GET", "/Users/"+bob, "", 200)
	if gs := list(r.body["groups"]); len(gs) != 1 || gs[0]["value"] != group || gs[0]["display"] != "Engineering Team" {
		t.Fatalf("bob's groups: %s", r.raw)
	}
	if gs := list(e.must("GET", "/Users/"+alice, "", 200).body["groups"]); len(gs) != 0 {
		t.Fatalf("alice's groups after her removal: %v", gs)
	}
	r = e.must("GET", "/Users?"+filter(`userName eq "bob@example.com"`)+"&attributes=groups", "", 200)
	if rs := list(r.body["Resources"]); len(rs) != 1 || len(list(rs[0]["groups"])) != 1 {
		t.Fatalf("bob's groups in a list with attributes=groups: %s", r.raw)
	}
	r = e.do("PATCH", "/Users/"+alice, `{"schemas":["`+patchOp+`"],"Operations":[{"op":"add","path":"groups","value":[{"value":"`+group+`"}]}]}`)
	if r.status != 400 {
		t.Fatalf("PATCH of the read-only groups attribute: %d %s", r.status, r.raw)
	}
	e.expectLinks("PATCH of a user's groups", group, bob)

	e.must("DELETE", "/Groups/"+group, "", 204)
	e.expectGroupRow("delete", group, "")
	e.expectLinks("delete", group)
	e.must("GET", "/Groups/"+group, "", 404)
	if n := e.rows("SELECT COUNT(*) FROM users"); n[0] != "3" {
		t.Fatalf("users after deleting a group: %v", n)
	}
}

// entraGroups runs Entra ID's group provisioning: POST without members, PATCH Add
// members, PATCH Remove with a value array, PATCH Replace displayName, and reads
// without members.
func (e *example) entraGroups(users map[string]string) {
	t := e.t
	alice, bob, carol := users["alice@example.com"], users["bob@example.com"], users["carol@example.com"]
	const externalID = "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"

	r := e.must("GET", "/Groups?"+filter(`displayName eq "Group1DisplayName"`)+"&excludedAttributes=members", "", 200)
	if r.body["totalResults"] != float64(0) {
		t.Fatalf("Entra lookup before create: %s", r.raw)
	}
	r = e.must("POST", "/Groups", `{"schemas":["`+groupSchema+`"],"externalId":"`+externalID+`","displayName":"Group1DisplayName","meta":{"resourceType":"Group"}}`, 201)
	group, _ := r.body["id"].(string)
	if group == "" || r.body["externalId"] != externalID {
		t.Fatalf("Entra create: %s", r.raw)
	}
	e.expectGroupRow("Entra create", group, "Group1DisplayName|"+externalID)
	e.expectLinks("Entra create", group)

	e.patch("/Groups/"+group, `[{"op":"Add","path":"members","value":[{"value":"`+alice+`"},{"value":"`+bob+`"},{"value":"`+carol+`"}]}]`)
	e.expectLinks("Entra Add members", group, alice, bob, carol)

	e.patch("/Groups/"+group, `[{"op":"Remove","path":"members","value":[{"value":"`+alice+`"},{"value":"`+carol+`"}]}]`)
	e.expectLinks("Entra Remove members", group, bob)

	e.patch("/Groups/"+group, `[{"op":"Replace","path":"displayName","value":"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}]`)
	e.expectGroupRow("Entra Replace displayName", group, "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName|"+externalID)
	e.expectLinks("Entra Replace displayName", group, bob)

	r = e.must("GET", "/Groups/"+group+"?excludedAttributes=members", "", 200)
	if _, ok := r.body["members"]; ok || r.body["displayName"] != "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName" || r.body["id"] != group {
		t.Fatalf("GET with excludedAttributes=members: %s", r.raw)
	}
	r = e.must("GET", "/Groups?"+filter(`externalId eq "`+externalID+`"`)+"&excludedAttributes=members", "", 200)
	rs := list(r.body["Resources"])
	if r.body["totalResults"] != float64(1) || len(rs) != 1 || rs[0]["id"] != group {
		t.Fatalf("externalId filter: %s", r.raw)
	}
	if _, ok := rs[0]["members"]; ok {
		t.Fatalf("list with excludedAttributes=members: %s", r.raw)
	}
	r = e.must("GET", "/Groups/"+group, "", 200)
	if ms := list(r.body["members"]); len(ms) != 1 || ms[0]["value"] != bob {
		t.Fatalf("members after Entra's changes: %s", r.raw)
	}
	r = e.must("GET", "/Users/"+bob, "", 200)
	if gs := list(r.body["groups"]); len(gs) != 1 || gs[0]["value"] != group {
		t.Fatalf("bob's groups after Entra's changes: %s", r.raw)
	}
	// An unknown user is refused, and the membership stays as it was.
	r = e.do("PATCH", "/Groups/"+group, `{"schemas":["`+patchOp+`"],"Operations":[{"op":"Add","path":"members","value":[{"value":"`+alice+`"},{"value":"no-such-user"}]}]}`)
	if r.status != 400 && r.status != 404 {
		t.Fatalf("Add of an unknown user: %d %s", r.status, r.raw)
	}
	e.expectLinks("refused Add", group, bob)
}
