package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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

// TestUnknownTargetNeedsCredentials: without the credentials of some target, a name
// that is not a target answers exactly what a real target answers (401 with the
// same challenge and body), so that target names cannot be probed; with them, it is
// a 404 that says so.
func TestUnknownTargetNeedsCredentials(t *testing.T) {
	b := newDB(t, "sqlite", false)
	other := newDB(t, "sqlite", false)
	r := start(t, configYAML("", targetYAML("hr", bearer(testToken), b, "", ""), targetYAML("crm", bearer(otherToken), other, "", "")))
	answer := func(path, token string) (int, string, string) {
		req, _ := http.NewRequest("GET", r.ts.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := r.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(raw)
	}
	for _, token := range []string{"", "wrong-token-0123456789abcdef"} {
		status, challenge, body := answer("/scim/v2/hr/Users", token)
		if status != 401 {
			t.Fatalf("a real target with token %q: %d %s", token, status, body)
		}
		for _, path := range []string{"/scim/v2/payroll/Users", "/scim/v2/payroll", "/scim/v2/Users"} {
			s, c, b := answer(path, token)
			if s != status || c != challenge || b != body {
				t.Errorf("GET %s with token %q = %d %q %s; a real target answers %d %q %s", path, token, s, c, b, status, challenge, body)
			}
		}
	}
	for _, token := range []string{testToken, otherToken} {
		if s, _, b := answer("/scim/v2/payroll/Users", token); s != 404 || !strings.Contains(b, `no target named \"payroll\"`) {
			t.Errorf("an unknown target with a valid token: %d %s", s, b)
		}
	}
}

// TestUncleanPathsRedirected: a SCIM path the ServeMux would clean ("//", "/./",
// "/../") is still redirected to its clean form as the mux does, although clean
// SCIM paths skip the mux's matching; a clean one is served.
func TestUncleanPathsRedirected(t *testing.T) {
	d, db, conn := dialecttest.NewDatabase(t, "sqlite")
	dialecttest.MustExec(t, db, `CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT NOT NULL)`,
		`INSERT INTO users VALUES ('u1', 'bjensen')`)
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
`, testToken, enginetest.DatabaseYAML(d, conn))
	h := enginetest.ServeYAML(t, yaml, enginetest.Options{}).Server
	// The redirect a plain ServeMux answers (its status has changed between Go
	// releases).
	mux := http.NewServeMux()
	mux.HandleFunc("/scim/v2/", func(http.ResponseWriter, *http.Request) {})
	probe := httptest.NewRecorder()
	mux.ServeHTTP(probe, httptest.NewRequest("GET", "/scim/v2//x", nil))
	redirect := probe.Code
	if redirect != 301 && redirect != 307 && redirect != 308 {
		t.Fatalf("a plain ServeMux answers %d to an unclean path", redirect)
	}
	for _, tt := range []struct {
		path     string
		status   int // 0: the mux's redirect
		location string
	}{
		{"/scim/v2/hr/Users/u1", 200, ""},
		{"/scim/v1/hr/Users/u1", 200, ""},
		{"/scim/v2/hr//Users/u1", 0, "/scim/v2/hr/Users/u1"},
		{"/scim/v2/hr/./Users/u1", 0, "/scim/v2/hr/Users/u1"},
		{"/scim/v2/x/../hr/Users/u1", 0, "/scim/v2/hr/Users/u1"},
		{"/scim/v2/hr/Users/u1/.", 0, "/scim/v2/hr/Users/u1"},
	} {
		req := httptest.NewRequest("GET", tt.path, nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if tt.status == 0 {
			tt.status = redirect
		}
		if w.Code != tt.status || w.Header().Get("Location") != tt.location {
			t.Errorf("GET %s = %d Location %q, want %d %q: %s", tt.path, w.Code, w.Header().Get("Location"), tt.status, tt.location, w.Body)
		}
	}
}
