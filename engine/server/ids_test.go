package server_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

// generatedIDs are tables whose id the database generates, and the create statement
// each engine reads it back with: the driver's last insert id (SQLite, MariaDB) or
// RETURNING (PostgreSQL, whose driver has no LastInsertId).
var generatedIDs = map[string]struct{ ddl, create string }{
	"sqlite":   {`CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, user_name TEXT NOT NULL UNIQUE, enabled TEXT NOT NULL DEFAULT 'Y')`, `INSERT INTO users (user_name) VALUES (?)`},
	"mysql":    {`CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, user_name VARCHAR(255) NOT NULL UNIQUE, enabled CHAR(1) NOT NULL DEFAULT 'Y')`, `INSERT INTO users (user_name) VALUES (?)`},
	"postgres": {`CREATE TABLE users (id SERIAL PRIMARY KEY, user_name TEXT NOT NULL UNIQUE, enabled CHAR(1) NOT NULL DEFAULT 'Y')`, `INSERT INTO users (user_name) VALUES (?) RETURNING id`},
}

const generatedConfig = `version: 1
server: {listen: "127.0.0.1:0", tls: "off"}
targets:
  ids:
    auth: {bearer: ` + testToken + `}
    database:
%s
    users:
      id: id
      attributes:
        userName: user_name
        active: {column: enabled, type: boolean, "true": "Y", "false": "N"}
      operations:
        list:   {sql: "SELECT id, user_name, enabled FROM users"}
        get:    {sql: "SELECT id, user_name, enabled FROM users WHERE id = ?", params: [id]}
        create: {sql: "%s", params: [user_name]}
        update: {sql: "UPDATE users SET user_name = ?, enabled = ? WHERE id = ?", params: [user_name, enabled, id]}
`

// TestGeneratedIDs creates users whose ids the database generates, reads them back
// as the stored resource, keeps numeric ids opaque ('01' is not user 1), and
// stores a boolean as 'Y'/'N'.
func TestGeneratedIDs(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			g := generatedIDs[dialect]
			dialecttest.MustExec(t, db, g.ddl)
			e := serveYAML(t, d, db, fmt.Sprintf(generatedConfig, enginetest.DatabaseYAML(d, conn), g.create), "ids")

			r := e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"first@example.com"}`)
			e.expect(r, 201, "create 1")
			r = e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"second@example.com","active":true}`)
			e.expect(r, 201, "create 2")
			if r.body["id"] != "2" || r.body["userName"] != "second@example.com" || r.body["active"] != true {
				t.Fatalf("second create answered %s", r.raw)
			}
			e.expect(e.do("GET", "/Users/2", ""), 200, "get 2")
			for _, id := range []string{"02", "2abc", "2.0", " 2", "abc"} {
				e.expectError(e.do("GET", "/Users/"+urlEncode(id), ""), 404, "", "opaque id "+id)
			}
			r = e.do("GET", "/Users?filter="+urlEncode(`id eq "02"`), "")
			if r.body["totalResults"] != float64(0) {
				t.Fatalf("id eq \"02\": %s", r.raw)
			}
			r = e.do("PATCH", "/Users/2", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`)
			if r.status != 200 && r.status != 204 {
				t.Fatalf("deactivate: %d %s", r.status, r.raw)
			}
			var enabled string
			db.QueryRow("SELECT enabled FROM users WHERE id = 2").Scan(&enabled)
			if enabled != "N" {
				t.Fatalf("enabled = %q after deactivation, want N", enabled)
			}
			r = e.do("GET", "/Users?filter="+urlEncode(`active eq false`), "")
			if r.body["totalResults"] != float64(1) {
				t.Fatalf("active eq false: %s", r.raw)
			}
		})
	}
}

// loginIDConfig binds a new user's id from its userName, as the Okta lab does (its
// USER_ID is the login), so that an id holds whatever an e-mail address may hold.
const loginIDConfig = `version: 1
server: {listen: "127.0.0.1:0", tls: "off"}
targets:
  logins:
    auth: {bearer: ` + testToken + `}
    database:
%s
    users:
      id: id
      attributes:
        userName: user_name
        title: title
        active: active
      operations:
        list:   {sql: "SELECT id, user_name, title, active FROM users"}
        get:    {sql: "SELECT id, user_name, title, active FROM users WHERE id = ?", params: [id]}
        create: {sql: "INSERT INTO users (id, user_name, title) VALUES (?, ?, ?)", params: [user_name, user_name, title]}
        update: {sql: "UPDATE users SET title = ? WHERE id = ?", params: [title, id]}
        activate:   {sql: "UPDATE users SET active = ? WHERE id = ?", params: [{literal: true}, id]}
        deactivate: {sql: "UPDATE users SET active = ? WHERE id = ?", params: [{literal: false}, id]}
        delete: {sql: "DELETE FROM users WHERE id = ?", params: [id]}
`

// awkwardIDs hold every character that means something in a URL path or query, a
// percent sign that looks like an escape, spaces, quotes and non-ASCII letters.
var awkwardIDs = []string{
	"a/b@example.com",
	"/lead@example.com",
	"trail/@example.com",
	"x//y@example.com",
	"100%@example.com",
	"a%2Fb@example.com",
	"what?@example.com",
	"hash#tag@example.com",
	"space y@example.com",
	`quote"d@example.com`,
	"o'brien@example.com",
	"zoë.ñandú@example.com",
	"plus+semi;colon=amp&@example.com",
	"back\\slash@example.com",
	"中文@example.com",
}

// TestEveryIDReachable creates users whose ids hold awkward characters and follows
// each through the Location dbscim returned: GET, PUT, PATCH (deactivate) and
// DELETE reach the same row, under the target's path and under the lone target's
// base path, on every engine.
func TestEveryIDReachable(t *testing.T) {
	schema := map[string]string{
		// WITHOUT ROWID: the engine takes SQLite's last insert rowid for the id of a
		// create that does not bind the id column itself, which a rowid table has
		// even when its key is text.
		"sqlite":   `CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT NOT NULL UNIQUE, title TEXT, active INTEGER NOT NULL DEFAULT 1) WITHOUT ROWID`,
		"mysql":    `CREATE TABLE users (id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PRIMARY KEY, user_name VARCHAR(255) CHARACTER SET utf8mb4 NOT NULL UNIQUE, title VARCHAR(255), active TINYINT(1) NOT NULL DEFAULT 1)`,
		"postgres": `CREATE TABLE users (id VARCHAR(255) PRIMARY KEY, user_name TEXT NOT NULL UNIQUE, title TEXT, active BOOLEAN NOT NULL DEFAULT TRUE)`,
	}
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, schema[dialect])
			e := serveYAML(t, d, db, fmt.Sprintf(loginIDConfig, enginetest.DatabaseYAML(d, conn)), "logins")
			lone := strings.TrimSuffix(e.url, "/logins")
			for i, id := range awkwardIDs {
				body, _ := json.Marshal(map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
					"userName": id, "title": "t0"})
				r := e.do("POST", "/Users", string(body))
				e.expect(r, 201, "create "+id)
				if r.body["id"] != id {
					t.Fatalf("create %q answered id %v", id, r.body["id"])
				}
				loc := r.header.Get("Location")
				if want := e.url + "/Users/" + url.PathEscape(id); loc != want {
					t.Fatalf("create %q: Location %q, want %q", id, loc, want)
				}
				if meta, _ := r.body["meta"].(map[string]any); meta["location"] != loc {
					t.Fatalf("create %q: meta.location %v, Location %q", id, meta["location"], loc)
				}
				// Every other user goes through the lone target's base path.
				at := loc
				if i%2 == 1 {
					at = lone + strings.TrimPrefix(loc, e.url)
				}
				r = e.do("GET", at, "")
				e.expect(r, 200, "get "+id+" at its Location")
				if r.body["id"] != id || r.body["userName"] != id {
					t.Fatalf("get %q: %s", id, r.raw)
				}
				// And through SCIM 1.1, at the same path under /scim/v1.
				v1 := strings.Replace(at, "/scim/v2", "/scim/v1", 1)
				r = e.do("GET", v1, "")
				if r.status != 200 || r.body["id"] != id {
					t.Fatalf("get %q over SCIM 1.1: %s", id, r.raw)
				}
				put, _ := json.Marshal(map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
					"id": id, "userName": id, "title": "t1"})
				e.expect(e.do("PUT", at, string(put)), 200, "put "+id)
				r = e.do("PATCH", at, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`)
				if r.status != 200 && r.status != 204 {
					t.Fatalf("deactivate %q: %d %s", id, r.status, r.raw)
				}
				var title string
				var active bool
				if err := db.QueryRow("SELECT title, active FROM users WHERE id = "+d.Placeholder(1), id).Scan(&title, &active); err != nil {
					t.Fatalf("row %q: %v", id, err)
				}
				if title != "t1" || active {
					t.Fatalf("row %q after PUT and PATCH: title %q, active %v", id, title, active)
				}
				// The id is reachable by filter too, and the page links to it.
				r = e.do("GET", "/Users?filter="+url.QueryEscape(`id eq "`+strings.ReplaceAll(strings.ReplaceAll(id, `\`, `\\`), `"`, `\"`)+`"`), "")
				e.expect(r, 200, "filter by id "+id)
				if r.body["totalResults"] != float64(1) {
					t.Fatalf("filter by id %q: %s", id, r.raw)
				}
				e.expect(e.do("DELETE", at, ""), 204, "delete "+id)
				e.expectError(e.do("GET", loc, ""), 404, "", "get "+id+" after delete")
			}
			var n int
			db.QueryRow("SELECT COUNT(*) FROM users").Scan(&n)
			if n != 0 {
				t.Fatalf("%d rows left after deleting every user", n)
			}
		})
	}
}
