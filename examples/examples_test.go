// Package examples_test loads and validates the SQL Server and Oracle examples
// (examples/sqlserver-import, examples/oracle) and drives them over SCIM.
//
// No SQL Server or Oracle runs where CI does, so the tests that need one are gated
// on DBSCIM_TEST_SQLSERVER_DSN / DBSCIM_TEST_ORACLE_DSN and skip, CI or not, when
// those are unset. The rest runs everywhere: the YAML loads with operations.Parse,
// the statements dbscim will send are the ones checked here, and everything a
// target answers without reaching its database (discovery, the 405 of an
// undeclared operation, 503 for a database that does not answer) is served.
package examples_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/conformance"
	"github.com/dbscim/dbscim/engine/enginetest"
	"github.com/dbscim/dbscim/operations"
)

// load parses an example's dbscim.yaml in place with the given environment only.
func load(t *testing.T, path string, env map[string]string) (*operations.Config, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return operations.Parse(path, data, func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
}

// mustLoad parses an example that must load, and returns its configuration and
// its one target (a pointer into the configuration).
func mustLoad(t *testing.T, path string, env map[string]string) (*operations.Config, *operations.Target) {
	t.Helper()
	cfg, err := load(t, path, env)
	if err != nil {
		t.Fatalf("%s does not load:\n%v", path, err)
	}
	if len(cfg.Targets) != 1 {
		t.Fatalf("%s: %d targets, want 1", path, len(cfg.Targets))
	}
	return cfg, cfg.Targets[0]
}

// wantOp checks an operation's kind, the exact statement dbscim sends and the bind
// modes of its parameters.
func wantOp(t *testing.T, op *operations.Operation, name string, kind operations.StatementKind, text string, modes ...dialects.ParamMode) {
	t.Helper()
	if op == nil {
		t.Errorf("%s: not declared", name)
		return
	}
	if op.Kind != kind {
		t.Errorf("%s: kind %d, want %d", name, op.Kind, kind)
	}
	if op.Text != text {
		t.Errorf("%s: text\n %q\nwant\n %q", name, op.Text, text)
	}
	if got := op.Modes(); !(len(got) == 0 && len(modes) == 0) && !reflect.DeepEqual(got, modes) {
		t.Errorf("%s: modes %v, want %v", name, got, modes)
	}
}

// wantFields checks that the params bind these columns (CURSOR for a cursor).
func wantFields(t *testing.T, op *operations.Operation, name string, cols ...string) {
	t.Helper()
	if op == nil {
		return
	}
	var got []string
	for _, p := range op.Params {
		switch p.Kind {
		case operations.Field:
			got = append(got, p.Name)
		case operations.CursorParam:
			got = append(got, "CURSOR")
		default:
			got = append(got, fmt.Sprintf("kind %d", p.Kind))
		}
	}
	if !reflect.DeepEqual(got, cols) {
		t.Errorf("%s: params %v, want %v", name, got, cols)
	}
}

// closedPort is a local TCP port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
}

// client talks SCIM to one served example.
type client struct {
	t    *testing.T
	base string // .../scim/v2
	auth func(*http.Request)
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
}

func (c *client) do(method, path, body string) reply {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	c.auth(req)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			c.t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, raw)
		}
	}
	return r
}

// want checks the status of a request and returns its body.
func (c *client) want(status int, method, path, body string) map[string]any {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.status != status {
		c.t.Fatalf("%s %s: %d %v, want %d", method, path, r.status, r.body, status)
	}
	return r.body
}

// serve serves the configuration through enginetest, as `dbscim serve` would (the
// pool connects lazily, so no database is needed yet).
func serve(t *testing.T, cfg *operations.Config, auth func(*http.Request)) *client {
	t.Helper()
	s := enginetest.Serve(t, cfg, enginetest.Options{})
	return &client{t: t, base: s.HTTP.URL + "/scim/v2", auth: auth}
}

// str reads a string at a dotted path of a JSON object ("name.givenName").
func str(m map[string]any, path string) string {
	var v any = m
	for _, p := range strings.Split(path, ".") {
		o, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = o[p]
	}
	s, _ := v.(string)
	return s
}

func resources(body map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := body["Resources"].([]any)
	for _, r := range list {
		if m, ok := r.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// grantValues lists the values of a user's entitlements attribute.
func grantValues(user map[string]any) []string {
	var out []string
	list, _ := user["entitlements"].([]any)
	for _, g := range list {
		if m, ok := g.(map[string]any); ok {
			s, _ := m["value"].(string)
			out = append(out, s)
		}
	}
	return out
}

const enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// ---------------------------------------------------------------- SQL Server import

var sqlserverYAML = filepath.Join("sqlserver-import", "dbscim.yaml")

func TestSQLServerImportLoads(t *testing.T) {
	secrets := map[string]string{"SCIM_PASSWORD": "scim-secret", "MSSQL_PASSWORD": "db-secret"}
	_, tg := mustLoad(t, sqlserverYAML, secrets)

	if tg.Name != "hr" || tg.Auth.BasicUser != "okta_import" || tg.Auth.BasicPassword != "scim-secret" {
		t.Errorf("target %s auth = %s/%s, want hr with okta_import/scim-secret", tg.Name, tg.Auth.BasicUser, tg.Auth.BasicPassword)
	}
	db := tg.Database
	if db.Dialect.Name() != "sqlserver" {
		t.Fatalf("dialect %s", db.Dialect.Name())
	}
	c := db.Connection
	wantConn := dialects.Connection{Host: "127.0.0.1", Port: 1433, Name: "hr", User: "scim_reader", Password: "db-secret",
		Properties: map[string]string{"encrypt": "true", "TrustServerCertificate": "false"}}
	if !reflect.DeepEqual(c, wantConn) {
		t.Errorf("defaults: connection %+v\nwant %+v", c, wantConn)
	}
	if dsn, err := db.Dialect.DSN(c); err != nil || !strings.HasPrefix(dsn, "sqlserver://scim_reader:db-secret@127.0.0.1:1433?") ||
		!strings.Contains(dsn, "database=hr") || !strings.Contains(dsn, "encrypt=true") {
		t.Errorf("DSN = %q, %v", dsn, err)
	}

	// Every connection setting comes from the environment.
	env := map[string]string{"SCIM_USERNAME": "opp", "MSSQL_HOST": "sql.corp.example", "MSSQL_PORT": "14330",
		"MSSQL_DATABASE": "People", "MSSQL_USER": "svc_scim", "MSSQL_ENCRYPT": "strict", "MSSQL_TRUST_SERVER_CERTIFICATE": "true"}
	for k, v := range secrets {
		env[k] = v
	}
	_, tg = mustLoad(t, sqlserverYAML, env)
	c = tg.Database.Connection
	if c.Host != "sql.corp.example" || c.Port != 14330 || c.Name != "People" || c.User != "svc_scim" ||
		c.Properties["encrypt"] != "strict" || c.Properties["TrustServerCertificate"] != "true" {
		t.Errorf("from the environment: connection %+v", c)
	}

	// The secrets have no default: an unset one is named, never invented.
	for _, v := range []string{"SCIM_PASSWORD", "MSSQL_PASSWORD"} {
		partial := map[string]string{}
		for k, val := range secrets {
			if k != v {
				partial[k] = val
			}
		}
		if _, err := load(t, sqlserverYAML, partial); err == nil || !strings.Contains(err.Error(), v) {
			t.Errorf("without %s: %v, want an error naming it", v, err)
		}
	}

	u := tg.Users
	if u.ID != "user_id" {
		t.Errorf("users.id = %s", u.ID)
	}
	mapped := map[string]string{}
	for _, m := range u.Attributes {
		mapped[m.Path] = m.Column
	}
	for path, col := range map[string]string{"userName": "email", "externalId": "employee_id", "name.givenName": "first_name",
		"name.familyName": "last_name", "displayName": "display_name", `emails[type eq "work"].value`: "email",
		"title": "job_title", "active": "is_active", enterpriseURN + ":department": "department"} {
		if mapped[path] != col {
			t.Errorf("attribute %s <- %q, want %s (mapped: %v)", path, mapped[path], col, mapped)
		}
	}

	ops := u.Operations
	wantOp(t, ops[operations.List], "list", operations.SQL,
		"SELECT user_id, employee_id, email, first_name, last_name, display_name, job_title, department, is_active FROM dbo.users")
	wantOp(t, ops[operations.Get], "get", operations.Call, "EXEC dbo.scim_get_user @p1", dialects.In)
	wantFields(t, ops[operations.Get], "get", "user_id")
	// Read-only: nothing that writes is declared.
	for name, op := range map[string]*operations.Operation{"create": ops[operations.Create], "update": ops[operations.Update],
		"activate": ops[operations.Activate], "deactivate": ops[operations.Deactivate], "delete": ops[operations.Delete]} {
		if op != nil {
			t.Errorf("%s is declared in a read-only import", name)
		}
	}
	if tg.Groups != nil || len(tg.Entitlements) != 0 {
		t.Errorf("groups or entitlements declared")
	}
}

func sqlserverBasic(req *http.Request) { req.SetBasicAuth("okta_import", "scim-secret") }

// TestSQLServerImportServedReadOnly serves the example with its database out of
// reach: what needs no database answers, and a list answers 503.
func TestSQLServerImportServedReadOnly(t *testing.T) {
	cfg, _ := mustLoad(t, sqlserverYAML, map[string]string{"SCIM_PASSWORD": "scim-secret", "MSSQL_PASSWORD": "db-secret",
		"MSSQL_PORT": closedPort(t), "MSSQL_ENCRYPT": "disable"})
	c := serve(t, cfg, sqlserverBasic)

	spc := c.want(200, "GET", "/ServiceProviderConfig", "")
	if patch, _ := spc["patch"].(map[string]any); patch["supported"] != false {
		t.Errorf("ServiceProviderConfig patch = %v, want supported false", spc["patch"])
	}
	if filter, _ := spc["filter"].(map[string]any); filter["supported"] != true {
		t.Errorf("ServiceProviderConfig filter = %v, want supported true", spc["filter"])
	}
	c.want(200, "GET", "/ResourceTypes/User", "")
	for _, r := range []struct{ method, path string }{
		{"POST", "/Users"}, {"PUT", "/Users/1001"}, {"PATCH", "/Users/1001"}, {"DELETE", "/Users/1001"},
	} {
		body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x@example.com"}`
		if r.method == "PATCH" {
			body = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
		}
		if r.method == "DELETE" {
			body = ""
		}
		c.want(405, r.method, r.path, body)
	}
	if r := c.do("GET", "/Users", ""); r.status != 503 || r.header.Get("Retry-After") == "" {
		t.Errorf("GET /Users with the database down: %d (Retry-After %q) %v, want 503 with Retry-After", r.status, r.header.Get("Retry-After"), r.body)
	}
	wrong := &client{t: t, base: c.base, auth: func(req *http.Request) { req.SetBasicAuth("okta_import", "wrong") }}
	wrong.want(401, "GET", "/Users", "")
}

// TestSQLServerImportConformance runs the conformance suite on the example, over
// its schema and procedure with the sample users deleted. The example is
// read-only (list and get) and its ids are an IDENTITY column, so the suite gets
// no Backend: what seeds or writes skips, and every write must answer 405. It
// needs DBSCIM_TEST_SQLSERVER_DSN.
func TestSQLServerImportConformance(t *testing.T) {
	conformance.RunTests(t, func(t *testing.T) conformance.Target {
		_, db, conn := dialecttest.NewDatabase(t, "sqlserver")
		script, err := os.ReadFile(filepath.Join("sqlserver-import", "schema.sql"))
		if err != nil {
			t.Fatal(err)
		}
		for _, batch := range sqlserverBatches(string(script)) {
			dialecttest.MustExec(t, db, batch)
		}
		dialecttest.MustExec(t, db, "DELETE FROM dbo.users")
		cfg, tg := mustLoad(t, sqlserverYAML, map[string]string{"SCIM_PASSWORD": "scim-secret", "MSSQL_PASSWORD": "unused"})
		tg.Database.Connection = conn // the test's own database and admin login
		s := enginetest.Serve(t, cfg, enginetest.Options{})
		req, _ := http.NewRequest("GET", "/", nil)
		sqlserverBasic(req)
		return conformance.Target{
			URL: s.URL(tg.Name), Client: s.Client(), Authorization: req.Header.Get("Authorization"),
			Declares: conformance.Declared(s.ResourceTypes(t, tg.Name), s.Mapped(tg.Name),
				conformance.Sort, conformance.ListsInactiveUsers, conformance.OptionalProfile, conformance.ContentETags),
		}
	})
}

// sqlserverBatches splits a T-SQL script at its GO lines, as sqlcmd does.
func sqlserverBatches(script string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for _, line := range strings.Split(script, "\n") {
		if strings.EqualFold(strings.TrimSpace(line), "GO") {
			flush()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	flush()
	return out
}

// TestSQLServerImportEndToEnd loads schema.sql into a new database and imports its
// users over SCIM, as the OPP agent does. It needs DBSCIM_TEST_SQLSERVER_DSN.
func TestSQLServerImportEndToEnd(t *testing.T) {
	_, db, conn := dialecttest.NewDatabase(t, "sqlserver")
	script, err := os.ReadFile(filepath.Join("sqlserver-import", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range sqlserverBatches(string(script)) {
		dialecttest.MustExec(t, db, batch)
	}
	cfg, tg := mustLoad(t, sqlserverYAML, map[string]string{"SCIM_PASSWORD": "scim-secret", "MSSQL_PASSWORD": "unused"})
	tg.Database.Connection = conn // the test's own database and admin login
	c := serve(t, cfg, sqlserverBasic)

	// The import: every user, in pages.
	list := c.want(200, "GET", "/Users?startIndex=1&count=100", "")
	if list["totalResults"] != float64(5) || len(resources(list)) != 5 {
		t.Fatalf("GET /Users: %v", list)
	}
	page := c.want(200, "GET", "/Users?startIndex=2&count=2", "")
	if got := resources(page); page["totalResults"] != float64(5) || len(got) != 2 || got[0]["id"] != "1002" || got[1]["id"] != "1003" {
		t.Errorf("page 2 of 2: %v", page)
	}
	// Okta's lookup before a create, in another letter case.
	found := c.want(200, "GET", `/Users?filter=userName%20eq%20%22GRACE.HOPPER@example.com%22`, "")
	if got := resources(found); len(got) != 1 || got[0]["id"] != "1002" {
		t.Errorf("userName eq: %v", found)
	}

	// get, through EXEC dbo.scim_get_user @p1.
	user := c.want(200, "GET", "/Users/1002", "")
	for path, want := range map[string]string{"userName": "grace.hopper@example.com", "externalId": "E-0002",
		"name.givenName": "Grace", "name.familyName": "Hopper", "displayName": "Grace Hopper", "title": "Rear Admiral"} {
		if got := str(user, path); got != want {
			t.Errorf("GET /Users/1002 %s = %q, want %q", path, got, want)
		}
	}
	if user["active"] != true || str(user, enterpriseURN+".department") != "Engineering" {
		t.Errorf("GET /Users/1002: %v", user)
	}
	if emails, _ := user["emails"].([]any); len(emails) != 1 {
		t.Errorf("emails = %v", user["emails"])
	}
	if u := c.want(200, "GET", "/Users/1004", ""); u["active"] != false {
		t.Errorf("user 1004 active = %v, want false", u["active"])
	}
	if u := c.want(200, "GET", "/Users/1005", ""); str(u, "name.givenName") != "Zoë" {
		t.Errorf("user 1005 givenName = %q, want Zoë", str(u, "name.givenName"))
	}
	// Ids are opaque strings: no numeric coercion, and text finds nobody.
	for _, id := range []string{"01002", "abc", "9999"} {
		c.want(404, "GET", "/Users/"+id, "")
	}
	c.want(405, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x@example.com"}`)
}

// ---------------------------------------------------------------- Oracle

var oracleYAML = filepath.Join("oracle", "dbscim.yaml")

const oracleToken = "oracle-example-token-0123456789"

func oracleBearer(req *http.Request) { req.Header.Set("Authorization", "Bearer "+oracleToken) }

func TestOracleLoads(t *testing.T) {
	secrets := map[string]string{"DBSCIM_TOKEN": oracleToken, "ORACLE_PASSWORD": "db-secret"}
	_, tg := mustLoad(t, oracleYAML, secrets)
	if tg.Name != "erp" || !reflect.DeepEqual(tg.Auth.Bearer, []string{oracleToken}) {
		t.Errorf("target %s bearer %q", tg.Name, tg.Auth.Bearer)
	}
	db := tg.Database
	if db.Dialect.Name() != "oracle" {
		t.Fatalf("dialect %s", db.Dialect.Name())
	}
	wantConn := dialects.Connection{Host: "127.0.0.1", Port: 1521, Service: "FREEPDB1", User: "SCIM_OWNER", Password: "db-secret"}
	if c := db.Connection; !reflect.DeepEqual(c, wantConn) {
		t.Errorf("defaults: connection %+v\nwant %+v", c, wantConn)
	}
	if dsn, err := db.Dialect.DSN(db.Connection); err != nil || dsn != "oracle://SCIM_OWNER:db-secret@127.0.0.1:1521/FREEPDB1" {
		t.Errorf("DSN = %q, %v", dsn, err)
	}
	env := map[string]string{"ORACLE_HOST": "ora.corp.example", "ORACLE_PORT": "1522", "ORACLE_SERVICE": "ERPPDB", "ORACLE_USER": "SCIM_APP"}
	for k, v := range secrets {
		env[k] = v
	}
	_, tg = mustLoad(t, oracleYAML, env)
	if c := tg.Database.Connection; c.Host != "ora.corp.example" || c.Port != 1522 ||
		c.Service != "ERPPDB" || c.User != "SCIM_APP" {
		t.Errorf("from the environment: connection %+v", c)
	}
	for _, v := range []string{"DBSCIM_TOKEN", "ORACLE_PASSWORD"} {
		partial := map[string]string{}
		for k, val := range secrets {
			if k != v {
				partial[k] = val
			}
		}
		if _, err := load(t, oracleYAML, partial); err == nil || !strings.Contains(err.Error(), v) {
			t.Errorf("without %s: %v, want an error naming it", v, err)
		}
	}

	u := tg.Users
	if u.ID != "USER_ID" {
		t.Errorf("users.id = %s", u.ID)
	}
	var active *operations.Mapping
	for i := range u.Attributes {
		if u.Attributes[i].Path == "active" {
			active = &u.Attributes[i]
		}
	}
	if active == nil || active.Column != "IS_ACTIVE" || active.Type != "boolean" || len(active.Values) != 2 ||
		active.Values[0].Write != "Y" || active.Values[1].Write != "N" {
		t.Errorf("active mapping = %+v, want IS_ACTIVE boolean Y/N", active)
	}

	in, cur := dialects.In, dialects.Cursor
	ops := u.Operations
	wantOp(t, ops[operations.List], "list", operations.Call, "BEGIN DBSCIM_USERS.GET_USERS(:1); END;", cur)
	wantFields(t, ops[operations.List], "list", "CURSOR")
	wantOp(t, ops[operations.Get], "get", operations.Call, "BEGIN DBSCIM_USERS.GET_USER(:1, :2); END;", in, cur)
	wantFields(t, ops[operations.Get], "get", "USER_ID", "CURSOR")
	profile := []string{"USER_ID", "USERNAME", "FIRSTNAME", "LASTNAME", "EMAIL", "TITLE", "DEPARTMENT"}
	seven := []dialects.ParamMode{in, in, in, in, in, in, in}
	wantOp(t, ops[operations.Create], "create", operations.Call, "BEGIN DBSCIM_USERS.CREATE_USER(:1, :2, :3, :4, :5, :6, :7); END;", seven...)
	wantFields(t, ops[operations.Create], "create", profile...)
	wantOp(t, ops[operations.Update], "update", operations.Call, "BEGIN DBSCIM_USERS.UPDATE_USER(:1, :2, :3, :4, :5, :6, :7); END;", seven...)
	wantFields(t, ops[operations.Update], "update", profile...)
	wantOp(t, ops[operations.Activate], "activate", operations.Call, "BEGIN DBSCIM_USERS.ACTIVATE_USER(:1); END;", in)
	wantOp(t, ops[operations.Deactivate], "deactivate", operations.Call, "BEGIN DBSCIM_USERS.DEACTIVATE_USER(:1); END;", in)
	if ops[operations.Delete] != nil {
		t.Errorf("delete is declared; the example deactivates")
	}

	if len(tg.Entitlements) != 1 {
		t.Fatalf("%d entitlement types, want 1", len(tg.Entitlements))
	}
	e := tg.Entitlements[0]
	if e.Name != "Entitlement" || e.Kind != operations.EntitlementKind || e.Endpoint != "Entitlements" ||
		e.ID != "ENT_ID" || e.Display != "ENT_NAME" || e.Description != "ENT_DESCRIPTION" {
		t.Errorf("entitlement type %+v", e)
	}
	eo := e.Operations
	wantOp(t, eo[operations.List], "entitlements list", operations.Call, "BEGIN DBSCIM_USERS.GET_ENTITLEMENTS(:1); END;", cur)
	wantOp(t, eo[operations.OfUser], "of_user", operations.Call, "BEGIN DBSCIM_USERS.GET_USER_ENTITLEMENTS(:1, :2); END;", in, cur)
	wantOp(t, eo[operations.Grant], "grant", operations.Call, "BEGIN DBSCIM_USERS.GRANT_ENTITLEMENT(:1, :2); END;", in, in)
	wantOp(t, eo[operations.Revoke], "revoke", operations.Call, "BEGIN DBSCIM_USERS.REVOKE_ENTITLEMENT(:1, :2); END;", in, in)
	if eo[operations.Get] != nil {
		t.Errorf("entitlements get is declared")
	}
}

// TestOracleServedWithoutDatabase serves the example with its database out of
// reach: discovery answers from the configuration alone.
func TestOracleServedWithoutDatabase(t *testing.T) {
	cfg, _ := mustLoad(t, oracleYAML, map[string]string{"DBSCIM_TOKEN": oracleToken, "ORACLE_PASSWORD": "db-secret",
		"ORACLE_PORT": closedPort(t)})
	c := serve(t, cfg, oracleBearer)
	spc := c.want(200, "GET", "/ServiceProviderConfig", "")
	if patch, _ := spc["patch"].(map[string]any); patch["supported"] != true {
		t.Errorf("ServiceProviderConfig patch = %v, want supported true", spc["patch"])
	}
	types := c.want(200, "GET", "/ResourceTypes", "")
	var endpoints []string
	for _, r := range resources(types) {
		endpoints = append(endpoints, str(r, "endpoint"))
	}
	if !reflect.DeepEqual(endpoints, []string{"/Users", "/Entitlements"}) {
		t.Errorf("resource type endpoints %v, want /Users and /Entitlements", endpoints)
	}
	c.want(405, "DELETE", "/Users/1001", "")
}

// TestOracleReadsReachTheDatabase: with the database out of reach, reads through
// the package's ref cursors must answer 503 with Retry-After, as writes already do.
func TestOracleReadsReachTheDatabase(t *testing.T) {
	cfg, _ := mustLoad(t, oracleYAML, map[string]string{"DBSCIM_TOKEN": oracleToken, "ORACLE_PASSWORD": "db-secret",
		"ORACLE_PORT": closedPort(t)})
	c := serve(t, cfg, oracleBearer)
	for _, path := range []string{"/Users", "/Users/1001", "/Entitlements"} {
		if r := c.do("GET", path, ""); r.status != 503 || r.header.Get("Retry-After") == "" {
			t.Errorf("GET %s with the database down: %d %v, want 503 with Retry-After", path, r.status, r.body)
		}
	}
}

// oracleStatements splits an SQL*Plus script into what a driver runs: a PL/SQL
// unit (CREATE ... PACKAGE/PROCEDURE/FUNCTION/TRIGGER/TYPE, BEGIN, DECLARE) ends at
// a line holding only "/" and keeps its final ";"; any other statement ends at a
// ";" that ends a line, which is dropped (Oracle refuses it in a statement's text).
func oracleStatements(script string) []string {
	var out []string
	var cur strings.Builder
	plsql := false
	for _, line := range strings.Split(script, "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 {
			if trimmed == "" || strings.HasPrefix(trimmed, "--") {
				continue
			}
			u := strings.ToUpper(trimmed)
			plsql = strings.HasPrefix(u, "BEGIN") || strings.HasPrefix(u, "DECLARE")
			for _, kind := range []string{"PACKAGE", "PROCEDURE", "FUNCTION", "TRIGGER", "TYPE"} {
				if strings.HasPrefix(u, "CREATE "+kind) || strings.HasPrefix(u, "CREATE OR REPLACE "+kind) {
					plsql = true
				}
			}
		}
		if plsql && trimmed == "/" {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if !plsql && strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

func TestOracleStatements(t *testing.T) {
	for _, f := range []string{"schema.sql", "package.sql"} {
		script, err := os.ReadFile(filepath.Join("oracle", f))
		if err != nil {
			t.Fatal(err)
		}
		stmts := oracleStatements(string(script))
		for _, s := range stmts {
			plsql := strings.HasPrefix(s, "CREATE OR REPLACE PACKAGE")
			if plsql != strings.HasSuffix(s, ";") || strings.Contains(s, "\n/\n") {
				t.Errorf("%s: badly split statement:\n%s", f, s)
			}
		}
		switch f {
		case "schema.sql":
			if len(stmts) != 14 || stmts[len(stmts)-1] != "COMMIT" {
				t.Errorf("schema.sql: %d statements, last %q; want 14 ending with COMMIT", len(stmts), stmts[len(stmts)-1])
			}
		case "package.sql":
			if len(stmts) != 2 || !strings.HasPrefix(stmts[1], "CREATE OR REPLACE PACKAGE BODY dbscim_users") {
				t.Errorf("package.sql: %d statements, want the package and its body", len(stmts))
			}
		}
	}
}

// TestOracleConformance runs the conformance suite on the example, over its schema
// and package with the sample users deleted. It needs DBSCIM_TEST_ORACLE_DSN.
func TestOracleConformance(t *testing.T) {
	conformance.RunTests(t, func(t *testing.T) conformance.Target {
		d, db, conn := dialecttest.NewDatabase(t, "oracle")
		for _, f := range []string{"schema.sql", "package.sql"} {
			script, err := os.ReadFile(filepath.Join("oracle", f))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range oracleStatements(string(script)) {
				dialecttest.MustExec(t, db, s)
			}
		}
		dialecttest.MustExec(t, db, "DELETE FROM user_entitlements", "DELETE FROM users")
		cfg, tg := mustLoad(t, oracleYAML, map[string]string{"DBSCIM_TOKEN": oracleToken, "ORACLE_PASSWORD": "unused"})
		tg.Database.Connection = conn // the test's own schema
		s := enginetest.Serve(t, cfg, enginetest.Options{})
		return conformance.Target{
			URL: s.URL(tg.Name), Client: s.Client(), Authorization: "Bearer " + oracleToken,
			Declares: conformance.Declared(s.ResourceTypes(t, tg.Name), s.Mapped(tg.Name),
				conformance.Sort, conformance.ListsInactiveUsers, conformance.OptionalProfile, conformance.ContentETags),
			Backend: &conformance.SQLBackend{DB: db, Dialect: d, Users: conformance.UserTable{
				Table: "users", ID: "user_id", Active: "is_active", True: "Y", False: "N",
				Columns: map[string]string{"userName": "username", "givenName": "firstname", "familyName": "lastname",
					"email": "email", "title": "title", "department": "department"}}},
		}
	})
}

// TestOracleEndToEnd loads schema.sql and package.sql into a new schema and serves
// users and entitlements through the package's ref cursors. It needs
// DBSCIM_TEST_ORACLE_DSN.
func TestOracleEndToEnd(t *testing.T) {
	_, db, conn := dialecttest.NewDatabase(t, "oracle")
	for _, f := range []string{"schema.sql", "package.sql"} {
		script, err := os.ReadFile(filepath.Join("oracle", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range oracleStatements(string(script)) {
			dialecttest.MustExec(t, db, s)
		}
	}
	// A package that compiles with errors is created anyway: ask the dictionary.
	var problems []string
	rows, err := db.Query("SELECT name || ' ' || type || ' line ' || line || ': ' || text FROM user_errors ORDER BY name, type, sequence")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		problems = append(problems, s)
	}
	rows.Close()
	if len(problems) > 0 {
		t.Fatalf("package.sql does not compile:\n%s", strings.Join(problems, "\n"))
	}

	cfg, tg := mustLoad(t, oracleYAML, map[string]string{"DBSCIM_TOKEN": oracleToken, "ORACLE_PASSWORD": "unused"})
	tg.Database.Connection = conn // the test's own schema
	c := serve(t, cfg, oracleBearer)

	// Reads through DBSCIM_USERS.GET_USERS / GET_USER and the grants through
	// GET_USER_ENTITLEMENTS, each a SYS_REFCURSOR.
	list := c.want(200, "GET", "/Users", "")
	if list["totalResults"] != float64(3) {
		t.Fatalf("GET /Users: %v", list)
	}
	found := c.want(200, "GET", `/Users?filter=userName%20eq%20%22ADA.LOVELACE@example.com%22`, "")
	if got := resources(found); len(got) != 1 || got[0]["id"] != "1001" {
		t.Errorf("userName eq: %v", found)
	}
	ada := c.want(200, "GET", "/Users/1001", "")
	if str(ada, "userName") != "ada.lovelace@example.com" || str(ada, "name.familyName") != "Lovelace" ||
		ada["active"] != true || str(ada, enterpriseURN+".department") != "Research" {
		t.Errorf("GET /Users/1001: %v", ada)
	}
	if got := grantValues(ada); !reflect.DeepEqual(got, []string{"GL_POST", "GL_READ"}) && !reflect.DeepEqual(got, []string{"GL_READ", "GL_POST"}) {
		t.Errorf("user 1001 entitlements %v, want GL_READ and GL_POST", got)
	}
	if u := c.want(200, "GET", "/Users/1003", ""); u["active"] != false {
		t.Errorf("user 1003 (IS_ACTIVE 'N') active = %v", u["active"])
	}
	c.want(404, "GET", "/Users/nobody", "")
	ents := c.want(200, "GET", "/Entitlements", "")
	if ents["totalResults"] != float64(3) {
		t.Errorf("GET /Entitlements: %v", ents)
	}

	// Writes: create (disabled, with a grant), then activate and revoke by PATCH.
	created := c.want(201, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName":"edsger.dijkstra@example.com","name":{"givenName":"Edsger","familyName":"Dijkstra"},
		"emails":[{"type":"work","value":"edsger.dijkstra@example.com","primary":true}],"active":false,
		"entitlements":[{"value":"AP_APPROVE"}]}`)
	id := str(created, "id")
	if id == "" || created["active"] != false || !reflect.DeepEqual(grantValues(created), []string{"AP_APPROVE"}) {
		t.Fatalf("POST /Users: %v", created)
	}
	row := func() (active string, grants int) {
		t.Helper()
		if err := db.QueryRow("SELECT is_active FROM users WHERE user_id = :1", id).Scan(&active); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("SELECT COUNT(*) FROM user_entitlements WHERE user_id = :1", id).Scan(&grants); err != nil {
			t.Fatal(err)
		}
		return active, grants
	}
	if a, g := row(); a != "N" || g != 1 {
		t.Errorf("after create: IS_ACTIVE %q, %d grants; want 'N' and 1", a, g)
	}
	c.want(409, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Edsger.Dijkstra@example.com"}`)
	patched := c.want(200, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
		{"op":"Replace","path":"active","value":"True"},
		{"op":"replace","path":"title","value":"Programmer"},
		{"op":"remove","path":"entitlements[value eq \"AP_APPROVE\"]"}]}`)
	if patched["active"] != true || str(patched, "title") != "Programmer" || len(grantValues(patched)) != 0 {
		t.Errorf("PATCH: %v", patched)
	}
	if a, g := row(); a != "Y" || g != 0 {
		t.Errorf("after PATCH: IS_ACTIVE %q, %d grants; want 'Y' and 0", a, g)
	}
}
