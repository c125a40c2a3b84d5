package server_test

import (
	"fmt"
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
