package server_test

import (
	"fmt"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

// TestLoneTargetEndpointsAnyCase: a lone target is served at the base path too,
// and its own endpoints (an entitlement type's custom endpoint among them) are found
// there whatever their letter case, as under the target's name.
func TestLoneTargetEndpointsAnyCase(t *testing.T) {
	d, db, conn := dialecttest.NewDatabase(t, "sqlite")
	dialecttest.MustExec(t, db,
		`CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT NOT NULL)`,
		`CREATE TABLE licences (lic_id TEXT PRIMARY KEY, name TEXT NOT NULL)`,
		`INSERT INTO licences VALUES ('e3', 'Office E3')`)
	yaml := fmt.Sprintf(`version: 1
server: {listen: "127.0.0.1:0", tls: "off"}
targets:
  hr:
    auth: {bearer: %s}
    database:
%s
    users:
      id: id
      attributes: {userName: user_name}
      operations:
        list: {sql: "SELECT id, user_name FROM users"}
        get:  {sql: "SELECT id, user_name FROM users WHERE id = ?", params: [id]}
    entitlements:
      Licence:
        endpoint: Licences
        id: lic_id
        display: name
        operations:
          list: {sql: "SELECT lic_id, name FROM licences"}
          of_user: {sql: "SELECT lic_id, name FROM licences WHERE lic_id = ?", params: [user]}
`, testToken, enginetest.DatabaseYAML(d, conn))
	e := serveYAML(t, d, db, yaml, "")
	for _, tt := range []struct {
		path   string
		status int
	}{
		{"Licences", 200}, {"licences", 200}, {"LICENCES", 200}, {"licences/e3", 200},
		{"users", 200}, {"Users", 200}, {"resourcetypes", 200}, {"serviceproviderconfig", 200},
		{"hr/licences", 200}, {"hr/Licences/e3", 200},
		{"payroll", 404}, {"payroll/Users", 404},
	} {
		if r := e.do("GET", tt.path, ""); r.status != tt.status {
			t.Errorf("GET /scim/v2/%s = %d, want %d: %s", tt.path, r.status, tt.status, r.raw)
		}
	}
}
