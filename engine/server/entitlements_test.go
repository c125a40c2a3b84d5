package server_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

var grantSchemas = map[string][]string{
	"sqlite": {
		`CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT NOT NULL COLLATE NOCASE UNIQUE, active INTEGER NOT NULL DEFAULT 1)`,
		`CREATE TABLE ents (ent_id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL)`,
		`CREATE TABLE user_ents (user_id TEXT NOT NULL REFERENCES users(id), ent_id INTEGER NOT NULL REFERENCES ents(ent_id), UNIQUE (user_id, ent_id))`,
	},
	"mysql": {
		`CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, user_name VARCHAR(255) NOT NULL UNIQUE, active TINYINT(1) NOT NULL DEFAULT 1)`,
		`CREATE TABLE ents (ent_id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, kind VARCHAR(10) NOT NULL)`,
		`CREATE TABLE user_ents (user_id VARCHAR(64) NOT NULL, ent_id INT NOT NULL, UNIQUE (user_id, ent_id),
			FOREIGN KEY (user_id) REFERENCES users(id), FOREIGN KEY (ent_id) REFERENCES ents(ent_id))`,
	},
	"postgres": {
		`CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, user_name TEXT NOT NULL UNIQUE, active BOOLEAN NOT NULL DEFAULT TRUE)`,
		`CREATE TABLE ents (ent_id INT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL)`,
		`CREATE TABLE user_ents (user_id VARCHAR(64) NOT NULL REFERENCES users(id), ent_id INT NOT NULL REFERENCES ents(ent_id), UNIQUE (user_id, ent_id))`,
	},
}

const grantConfig = `version: 1
server: {listen: "127.0.0.1:0", tls: "off"}
targets:
  grants:
    auth: {bearer: ` + testToken + `}
    database:
%s
    users:
      id: id
      attributes:
        userName: user_name
        active: active
      operations:
        list:   {sql: "SELECT id, user_name, active FROM users"}
        get:    {sql: "SELECT id, user_name, active FROM users WHERE id = ?", params: [id]}
        create: {sql: "INSERT INTO users (id, user_name) VALUES (?, ?)", params: [id, user_name]}
        update: {sql: "UPDATE users SET user_name = ? WHERE id = ?", params: [user_name, id]}
    entitlements:
      Entitlement:
        id: ent_id
        display: name
        operations:
          list:    {sql: "SELECT ent_id, name FROM ents WHERE kind = 'ent' ORDER BY ent_id"}
          of_user: {sql: "SELECT e.ent_id, e.name FROM user_ents ue JOIN ents e ON e.ent_id = ue.ent_id WHERE ue.user_id = ? AND e.kind = 'ent'", params: [user]}
          grant:   {sql: "INSERT INTO user_ents (user_id, ent_id) VALUES (?, ?)", params: [user, ent_id]}
          revoke:  {sql: "DELETE FROM user_ents WHERE user_id = ? AND ent_id = ?", params: [user, ent_id]}
      Role:
        kind: role
        id: ent_id
        display: name
        operations:
          list:    {sql: "SELECT ent_id, name FROM ents WHERE kind = 'role' ORDER BY ent_id"}
          of_user: {sql: "SELECT e.ent_id, e.name FROM user_ents ue JOIN ents e ON e.ent_id = ue.ent_id WHERE ue.user_id = ? AND e.kind = 'role'", params: [user]}
          grant:   {sql: "INSERT INTO user_ents (user_id, ent_id) VALUES (?, ?)", params: [user, ent_id]}
          revoke:  {sql: "DELETE FROM user_ents WHERE user_id = ? AND ent_id = ?", params: [user, ent_id]}
`

// TestGrants drives entitlements and roles on every engine: the catalogue
// endpoints, grants on create (all or nothing), PUT and PATCH differences, checked
// against the link table.
func TestGrants(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, grantSchemas[dialect]...)
			dialecttest.MustExec(t, db, `INSERT INTO ents (ent_id, name, kind) VALUES (1, 'VPN Access', 'ent'), (2, 'GitHub Admin', 'ent'),
				(3, 'AWS Console', 'ent'), (10, 'Auditor', 'role'), (11, 'Approver', 'role')`)
			e := serveYAML(t, d, db, fmt.Sprintf(grantConfig, enginetest.DatabaseYAML(d, conn)), "grants")
			links := func(user string) string {
				rows, err := db.Query("SELECT ent_id FROM user_ents WHERE user_id = "+d.Placeholder(1)+" ORDER BY ent_id", user)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var ids []string
				for rows.Next() {
					var id string
					rows.Scan(&id)
					ids = append(ids, id)
				}
				return strings.Join(ids, ",")
			}
			grants := func(r response, attr string) string {
				var ids []string
				for _, g := range asList(r.body[attr]) {
					m := g.(map[string]any)
					ids = append(ids, fmt.Sprint(m["value"]))
				}
				sort.Strings(ids)
				return strings.Join(ids, ",")
			}

			// The catalogues.
			r := e.do("GET", "/Entitlements", "")
			e.expect(r, 200, "list entitlements")
			if r.body["totalResults"] != float64(3) {
				t.Fatalf("entitlements: %s", r.raw)
			}
			first := asList(r.body["Resources"])[0].(map[string]any)
			if first["id"] != "1" || first["displayName"] != "VPN Access" || first["type"] != "Entitlement" {
				t.Fatalf("entitlement: %v", first)
			}
			r = e.do("GET", "/Roles/10", "")
			e.expect(r, 200, "get role")
			if r.body["displayName"] != "Auditor" {
				t.Fatalf("role: %s", r.raw)
			}
			e.expectError(e.do("GET", "/Entitlements/10", ""), 404, "", "a role is not an entitlement")
			e.expectError(e.do("POST", "/Entitlements", `{"displayName":"x"}`), 405, "", "entitlements are read-only")
			r = e.do("GET", "/ResourceTypes", "")
			if !strings.Contains(r.raw, "urn:okta:scim:schemas:core:1.0:Entitlement") || !strings.Contains(r.raw, "urn:okta:scim:schemas:core:1.0:Role") {
				t.Fatalf("resource types: %s", r.raw)
			}

			// Create with grants of both types.
			r = e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"luke@galaxy.local",
				"entitlements":[{"value":"1","type":"Entitlement"},{"value":"2","type":"Entitlement"}],"roles":[{"value":"10","type":"Role"}]}`)
			e.expect(r, 201, "create with grants")
			id := r.body["id"].(string)
			if links(id) != "1,10,2" && links(id) != "1,2,10" {
				t.Fatalf("links after create: %s", links(id))
			}
			if grants(r, "entitlements") != "1,2" || grants(r, "roles") != "10" {
				t.Fatalf("create answered %s", r.raw)
			}

			// A grant that fails undoes the whole create.
			r = e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"vader@galaxy.local",
				"entitlements":[{"value":"1","type":"Entitlement"},{"value":"99","type":"Entitlement"}]}`)
			if r.status != 400 {
				t.Fatalf("create with unknown entitlement: %d %s", r.status, r.raw)
			}
			if n := e.count("WHERE user_name = "+d.Placeholder(1), "vader@galaxy.local"); n != 0 {
				t.Fatal("a user whose grant failed was kept")
			}

			// PUT with a changed array grants and revokes exactly the difference.
			r = e.do("PUT", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"luke@galaxy.local",
				"entitlements":[{"value":"2","type":"Entitlement"},{"value":"3","type":"Entitlement"}]}`)
			e.expect(r, 200, "put grants")
			if got := links(id); got != "2,3,10" {
				t.Fatalf("links after PUT: %s", got)
			}

			// Only the catalogue's exact ids are granted: "02" is not entitlement 2.
			r = e.do("PUT", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"luke@galaxy.local",
				"entitlements":[{"value":"2","type":"Entitlement"},{"value":"03","type":"Entitlement"}]}`)
			e.expectError(r, 400, "invalidValue", "grant of a non-catalogue id")
			if got := links(id); got != "2,3,10" {
				t.Fatalf("links after a refused PUT: %s", got)
			}

			// PATCH add, remove with a value filter, replace.
			patch := func(ops string) {
				t.Helper()
				r := e.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+ops+`}`)
				if r.status != 200 && r.status != 204 {
					t.Fatalf("patch %s: %d %s", ops, r.status, r.raw)
				}
			}
			patch(`[{"op":"add","path":"entitlements","value":[{"value":"1","type":"Entitlement"}]}]`)
			if got := links(id); got != "1,2,3,10" {
				t.Fatalf("links after PATCH add: %s", got)
			}
			patch(`[{"op":"remove","path":"entitlements[value eq \"3\"]"}]`)
			if got := links(id); got != "1,2,10" {
				t.Fatalf("links after PATCH remove: %s", got)
			}
			patch(`[{"op":"Replace","path":"roles","value":[{"value":"11","type":"Role"}]}]`)
			if got := links(id); got != "1,2,11" {
				t.Fatalf("links after PATCH replace roles: %s", got)
			}
			patch(`[{"op":"remove","path":"entitlements"}]`)
			if got := links(id); got != "11" {
				t.Fatalf("links after PATCH remove all: %s", got)
			}

			// Reads carry the grants; excludedAttributes skips them.
			r = e.do("GET", "/Users/"+id, "")
			if grants(r, "roles") != "11" || r.body["entitlements"] != nil {
				t.Fatalf("get: %s", r.raw)
			}
			r = e.do("GET", "/Users?excludedAttributes=roles", "")
			if strings.Contains(r.raw, `"roles"`) {
				t.Fatalf("excludedAttributes=roles: %s", r.raw)
			}
		})
	}
}
