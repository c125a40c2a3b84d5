package server_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// metricValue finds one sample in Prometheus text output: name and its labels in
// any order. It returns -1 when the sample is absent.
func metricValue(t *testing.T, text, name string, labels ...string) float64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for i := 0; i+1 < len(labels); i += 2 {
			if !strings.Contains(line, labels[i]+`="`+labels[i+1]+`"`) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return v
	}
	return -1
}

// TestMetrics serves requests of every kind and reads /metrics without a token:
// requests by target, resource, method and status; operation latency by target and
// operation; pool statistics; errors by scimType; and no secret anywhere.
func TestMetrics(t *testing.T) {
	b := newDB(t, "sqlite", false)
	r := start(t, configYAML("", targetYAML("hr", bearer(testToken), b, "", "")))
	c := r.env("hr", testToken, b)
	created := c.do("POST", "/Users", oktaUser("ada@example.com", "Ada", "Lovelace"))
	c.expect(created, 201, "create")
	c.expectError(c.do("POST", "/Users", oktaUser("ada@example.com", "Ada", "Lovelace")), 409, "uniqueness", "duplicate")
	c.expect(c.do("GET", "/Users/"+created.body["id"].(string), ""), 200, "get")
	c.expect(c.do("GET", `/Users?filter=userName%20eq%20%22ada@example.com%22`, ""), 200, "filter")
	c.expectError(c.do("GET", `/Users?filter=userName%20zz%20%22x%22`, ""), 400, "invalidFilter", "bad filter")
	bad := r.env("hr", "wrong-token-0123456789abcdef", b)
	bad.expectError(bad.do("GET", "/Users", ""), 401, "", "bad token")
	c.expect(c.do("PATCH", "/Users/"+created.body["id"].(string),
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`), 200, "deactivate")

	status, text := r.get("/metrics")
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	for _, m := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"dbscim_requests_total", []string{"target", "hr", "resource", "Users", "method", "POST", "status", "201"}, 1},
		{"dbscim_requests_total", []string{"target", "hr", "resource", "Users", "method", "POST", "status", "409"}, 1},
		{"dbscim_requests_total", []string{"target", "hr", "resource", "Users", "method", "GET", "status", "200"}, 2},
		{"dbscim_requests_total", []string{"target", "hr", "resource", "Users", "method", "GET", "status", "401"}, 1},
		{"dbscim_scim_errors_total", []string{"target", "hr", "status", "409", "scim_type", "uniqueness"}, 1},
		{"dbscim_scim_errors_total", []string{"target", "hr", "status", "400", "scim_type", "invalidFilter"}, 1},
		{"dbscim_scim_errors_total", []string{"target", "hr", "status", "401", "scim_type", "none"}, 1},
		{"dbscim_operation_duration_seconds_count", []string{"target", "hr", "resource", "User", "operation", "create", "outcome", "ok"}, 1},
		{"dbscim_operation_duration_seconds_count", []string{"target", "hr", "resource", "User", "operation", "create", "outcome", "client_error"}, 1},
		{"dbscim_operation_duration_seconds_count", []string{"target", "hr", "operation", "get"}, 1},
		{"dbscim_operation_duration_seconds_count", []string{"target", "hr", "operation", "list"}, 1},
		{"dbscim_operation_duration_seconds_count", []string{"target", "hr", "operation", "deactivate"}, 1},
		{"dbscim_db_connections_max_open", []string{"target", "hr"}, 10},
		{"dbscim_requests_limit", []string{"target", "hr"}, 50},
		{"dbscim_requests_in_flight", []string{"target", "hr"}, 0},
		{"dbscim_audit_events_total", []string{"target", "hr", "operation", "create", "outcome", "done"}, 1},
		{"dbscim_audit_events_total", []string{"target", "hr", "operation", "create", "outcome", "refused"}, 1},
	} {
		if got := metricValue(t, text, m.name, m.labels...); got != m.want {
			t.Errorf("%s%v = %v, want %v", m.name, m.labels, got, m.want)
		}
	}
	for _, name := range []string{"dbscim_db_connections_open", "dbscim_db_connections_in_use", "dbscim_db_connections_idle",
		"dbscim_db_wait_total", "dbscim_db_wait_seconds_total", "dbscim_request_duration_seconds_bucket", "go_goroutines"} {
		if metricValue(t, text, name) < 0 {
			t.Errorf("/metrics has no %s", name)
		}
	}
	if strings.Contains(text, testToken) || strings.Contains(text, "ada@example.com") {
		t.Error("/metrics shows a token or a user name")
	}
	// Readiness and health need no token either.
	if status, body := r.get("/readyz"); status != 200 || !strings.Contains(body, `"hr":{"ready":true}`) {
		t.Errorf("/readyz: %d %s", status, body)
	}
	if status, _ := r.get("/healthz"); status != 200 {
		t.Errorf("/healthz: %d", status)
	}
	if status, _ := r.get("/readyz?target=nope"); status != 404 {
		t.Errorf("/readyz?target=nope: %d, want 404", status)
	}
}

// TestAudit makes every kind of change with two tokens and checks the audit file
// and the log: one event per change with who, what and the outcome, and no secret.
func TestAudit(t *testing.T) {
	b := newDB(t, "sqlite", false)
	dir := t.TempDir()
	auditFile := filepath.Join(dir, "audit.jsonl")
	r := start(t, configYAML("  audit_file: "+auditFile+"\n", targetYAML("hr", bearer(testToken, nextToken), b, "", "")))
	c1 := r.env("hr", testToken, b)
	c2 := r.env("hr", nextToken, b)
	created := c1.do("POST", "/Users", oktaUser("grace@example.com", "Grace", "Hopper"))
	c1.expect(created, 201, "create")
	id := created.body["id"].(string)
	c2.expectError(c2.do("POST", "/Users", oktaUser("GRACE@example.com", "Grace", "Hopper")), 409, "uniqueness", "duplicate")
	patch := func(v string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":` + v + `}]}`
	}
	c2.expect(c2.do("PATCH", "/Users/"+id, patch(`"False"`)), 200, "deactivate")
	c2.expect(c2.do("PATCH", "/Users/"+id, patch("true")), 200, "activate")
	c1.expect(c1.do("PATCH", "/Users/"+id,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"Rear Admiral"}]}`), 200, "patch")
	c1.expect(c1.do("PUT", "/Users/"+id, oktaUser("grace.hopper@example.com", "Grace", "Hopper")), 200, "replace")
	c1.expectError(c1.do("DELETE", "/Users/nope", ""), 404, "", "delete missing")
	c1.expect(c1.do("DELETE", "/Users/"+id, ""), 204, "delete")
	c1.expect(c1.do("GET", "/Users", ""), 200, "reads are not audited")
	c1.expectError(c1.do("POST", "/Users", `{"userName":`), 400, "invalidSyntax", "a body that is not JSON changes nothing")

	data, err := os.ReadFile(auditFile)
	if err != nil {
		t.Fatal(err)
	}
	type event struct {
		Time, Target, Resource, Operation, ID, UserName, ScimType, Caller, RequestID string
		Outcome                                                                      int
	}
	var got []event
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		if e.Time == "" || e.Target != "hr" || e.Resource != "User" || e.RequestID == "" {
			t.Errorf("incomplete event: %s", line)
		}
		got = append(got, e)
	}
	want := []event{
		{Operation: "create", ID: id, UserName: "grace@example.com", Outcome: 201, Caller: "bearer#1"},
		{Operation: "create", UserName: "GRACE@example.com", Outcome: 409, ScimType: "uniqueness", Caller: "bearer#2"},
		{Operation: "deactivate", ID: id, UserName: "grace@example.com", Outcome: 200, Caller: "bearer#2"},
		{Operation: "activate", ID: id, UserName: "grace@example.com", Outcome: 200, Caller: "bearer#2"},
		{Operation: "patch", ID: id, UserName: "grace@example.com", Outcome: 200, Caller: "bearer#1"},
		{Operation: "replace", ID: id, UserName: "grace.hopper@example.com", Outcome: 200, Caller: "bearer#1"},
		{Operation: "delete", ID: "nope", Outcome: 404, Caller: "bearer#1"},
		{Operation: "delete", ID: id, Outcome: 204, Caller: "bearer#1"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d audit events, want %d:\n%s", len(got), len(want), data)
	}
	for i, w := range want {
		g := got[i]
		if g.Operation != w.Operation || g.ID != w.ID || g.UserName != w.UserName || g.Outcome != w.Outcome ||
			g.ScimType != w.ScimType || g.Caller != w.Caller {
			t.Errorf("event %d = %+v, want %+v", i, g, w)
		}
	}
	logs := r.logs.String()
	if n := len(regexp.MustCompile(`"msg":"audit"`).FindAllString(logs, -1)); n != len(want) {
		t.Errorf("%d audit events in the log, want %d", n, len(want))
	}
	for _, secret := range []string{testToken, nextToken, "t1meMa$heen"} {
		if strings.Contains(logs, secret) || strings.Contains(string(data), secret) {
			t.Errorf("a secret (%.6s...) is in the log or the audit file", secret)
		}
	}
	if fi, err := os.Stat(auditFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("audit file mode: %v %v", fi.Mode(), err)
	}
}

// TestReadyUnderLoad takes every connection of a target's pool, as requests under
// load do: /readyz still reports the database up, at once, because it checks on a
// connection of its own.
func TestReadyUnderLoad(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			b := newDB(t, dialect, false)
			r := start(t, configYAML("", targetYAML("hr", bearer(testToken), b, "      max_open: 2\n", "")))
			pool := r.srv.TargetDB("hr")
			for i := 0; i < 2; i++ {
				conn, err := pool.Conn(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
			}
			if s := pool.Stats(); s.InUse != 2 {
				t.Fatalf("%d connections of the pool in use, want 2", s.InUse)
			}
			for i := 0; i < 3; i++ {
				if status, body := r.get("/readyz"); status != 200 || !strings.Contains(body, `"hr":{"ready":true}`) {
					t.Fatalf("/readyz with the target's pool busy: %d %s", status, body)
				}
			}
		})
	}
}
