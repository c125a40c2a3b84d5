package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/engine/enginetest"
	"github.com/dbscim/dbscim/engine/server"
)

// A configuration mistake each engine's checks catch: a list that selects a
// column the table does not have, and (where the engine has procedures) a delete
// that calls a procedure under a wrong name.
const (
	missingColumn = "nickname"
	wrongRoutine  = "delete_usr"
)

// position matches a problem's place in the configuration file.
var position = regexp.MustCompile(`dbscim\.yaml:\d+:\d+: `)

// opsFor returns the operations of a target over the scenario's table: with
// procedures the routines of procedureOps (created in b by the caller), and with
// broken one mistake in them.
func opsFor(b *db, procedures, broken bool) string {
	if !procedures {
		if broken {
			return strings.Replace(statementOps, "SELECT id, user_name, external_id", "SELECT id, user_name, "+missingColumn+", external_id", 1)
		}
		return statementOps
	}
	kind := "call"
	if b.name == "postgres" {
		kind = "function"
	}
	ops := fmt.Sprintf(procedureOps, kind)
	if broken {
		ops = strings.Replace(ops, "delete_user(?)", wrongRoutine+"(?)", 1)
	}
	return ops
}

// checkedTarget is targetYAML with the given operations.
func checkedTarget(name, auth string, b *db, ops string) string {
	return strings.Replace(targetYAML(name, auth, b, "", ""), statementOps, ops, 1)
}

// withProcedures creates procedureOps' routines in b.
func withProcedures(t *testing.T, b *db) {
	t.Helper()
	for _, stmt := range procedures[b.name] {
		if _, err := b.sql.Exec(stmt); err != nil {
			t.Fatalf("procedures: %v", err)
		}
	}
}

// readiness is /readyz decoded.
type readiness struct {
	status  int
	raw     string
	Ready   bool `json:"ready"`
	Targets map[string]struct {
		Ready         bool     `json:"ready"`
		Error         string   `json:"error"`
		Checks        string   `json:"checks"`
		Problems      []string `json:"problems"`
		ReloadRefused []string `json:"reload_refused"`
	} `json:"targets"`
}

// readiness reads /readyz as a caller with token ("" for a probe without
// credentials): the problems of a target are shown only with its credentials.
func (r *running) readiness(token string) readiness {
	r.t.Helper()
	var hdr []string
	if token != "" {
		hdr = []string{"Authorization", "Bearer " + token}
	}
	status, body := r.get("/readyz", hdr...)
	out := readiness{status: status, raw: body}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		r.t.Fatalf("/readyz: %v: %s", err, body)
	}
	return out
}

// expectFailedChecks asserts that a request to the target answers 503 with a
// SCIM error naming the problem at its place in the file.
func expectFailedChecks(t *testing.T, c *client, target, problem string) {
	t.Helper()
	for _, req := range [][2]string{{"GET", "/Users"}, {"POST", "/Users"}, {"GET", "/Users/x"}} {
		body := ""
		if req[0] == "POST" {
			body = oktaUser("new@example.com", "New", "User")
		}
		r := c.do(req[0], req[1], body)
		c.expectError(r, 503, "", "a target whose configuration fails its checks: "+req[0]+" "+req[1])
		detail, _ := r.body["detail"].(string)
		if !strings.Contains(detail, "target "+target+" is not ready: its configuration fails the checks against its database") ||
			!strings.Contains(detail, problem) || !position.MatchString(detail) || r.header.Get("Retry-After") == "" {
			t.Fatalf("%s %s: the 503 does not name the problem %q at its place: %v %s", req[0], req[1], problem, r.header, r.raw)
		}
	}
}

// TestChecksAtStart serves two targets, one whose configuration fails the checks
// against its database: that target is not ready (its requests answer 503 naming
// the problem, /readyz lists it and answers 503) while the other serves; fixing
// the configuration and reloading makes it ready.
func TestChecksAtStart(t *testing.T) {
	for _, tc := range []struct {
		dialect    string
		procedures bool
		problem    string
	}{
		{"sqlite", false, missingColumn},
		{"mysql", false, missingColumn},
		{"postgres", false, missingColumn},
		{"mysql", true, wrongRoutine},
		{"postgres", true, wrongRoutine},
	} {
		name := tc.dialect
		if tc.procedures {
			name += "/procedures"
		}
		t.Run(name, func(t *testing.T) {
			b := newDB(t, tc.dialect, false)
			if tc.procedures {
				withProcedures(t, b)
			}
			bad, good := opsFor(b, tc.procedures, true), opsFor(b, tc.procedures, false)
			r := start(t, configYAML("",
				checkedTarget("bad", bearer(testToken), b, bad),
				checkedTarget("hr", bearer(otherToken), b, good)))
			c := r.env("bad", testToken, b)
			expectFailedChecks(t, c, "bad", tc.problem)
			c.expectError(r.env("bad", "wrong-token-0123456789abcdef", nil).do("GET", "/Users", ""), 401, "", "without credentials")
			// SCIM 1.1 (the Okta agent's default) is told the same, in its shape.
			v1 := r.env("bad", testToken, b)
			v1.url = r.ts.URL + server.V1BasePath + "/bad"
			if resp := v1.do("GET", "/Users", ""); resp.status != 503 || !strings.Contains(resp.raw, `"Errors"`) ||
				!strings.Contains(resp.raw, "fails the checks against its database") || !strings.Contains(resp.raw, tc.problem) {
				t.Fatalf("SCIM 1.1: %d %s", resp.status, resp.raw)
			}
			hr := r.env("hr", otherToken, b)
			hr.expect(hr.do("POST", "/Users", oktaUser("ann@example.com", "Ann", "Lee")), 201, "the healthy target")
			hr.expect(hr.do("GET", "/Users", ""), 200, "the healthy target")

			if probe := r.readiness("").Targets["bad"]; probe.Ready || probe.Checks != "failed" || len(probe.Problems) != 0 {
				t.Fatalf("/readyz without credentials: the state without the problems: %+v", probe)
			}
			ready := r.readiness(testToken)
			bt := ready.Targets["bad"]
			if ready.status != 503 || ready.Ready || bt.Ready || bt.Checks != "failed" || len(bt.Problems) == 0 ||
				!strings.Contains(bt.Problems[0], tc.problem) || !position.MatchString(bt.Problems[0]) {
				t.Fatalf("/readyz does not say why the target is not ready: %d %s", ready.status, ready.raw)
			}
			if !strings.Contains(ready.raw, `"hr":{"ready":true}`) {
				t.Fatalf("/readyz: the healthy target: %s", ready.raw)
			}
			if status, body := r.get("/readyz?target=hr"); status != 200 {
				t.Fatalf("/readyz?target=hr: %d %s", status, body)
			}
			logs := r.logs.String()
			if !strings.Contains(logs, `"msg":"configuration check failed","target":"bad"`) || !strings.Contains(logs, tc.problem) ||
				!strings.Contains(logs, `"msg":"target not ready: its configuration fails the checks against its database`) {
				t.Fatalf("the failed checks are not logged:\n%s", logs)
			}
			if strings.Contains(logs, `"target":"hr","problem"`) {
				t.Fatalf("the healthy target is reported:\n%s", logs)
			}

			// Fixing the configuration and reloading makes the target ready.
			r.rewrite(configYAML("", checkedTarget("bad", bearer(testToken), b, good), checkedTarget("hr", bearer(otherToken), b, good)))
			if err := r.srv.Reload(context.Background(), r.file); err != nil {
				t.Fatal(err)
			}
			c.expect(c.do("GET", "/Users", ""), 200, "the target once its configuration is fixed")
			if ready := r.readiness(""); ready.status != 200 || !ready.Ready {
				t.Fatalf("/readyz once fixed: %d %s", ready.status, ready.raw)
			}
		})
	}
}

// TestReloadFailingChecks reloads a configuration that breaks a healthy target
// and adds a broken one: the healthy target keeps serving the configuration it
// had (the reload says so, as do /readyz and the log), the new target is not
// ready, and a later good reload applies to both.
func TestReloadFailingChecks(t *testing.T) {
	for _, tc := range []struct {
		dialect    string
		procedures bool
		problem    string
	}{
		{"sqlite", false, missingColumn},
		{"mysql", true, wrongRoutine},
		{"postgres", false, missingColumn},
	} {
		t.Run(tc.dialect, func(t *testing.T) {
			b := newDB(t, tc.dialect, false)
			if tc.procedures {
				withProcedures(t, b)
			}
			bad, good := opsFor(b, tc.procedures, true), opsFor(b, tc.procedures, false)
			r := start(t, configYAML("", checkedTarget("hr", bearer(testToken), b, good)))
			hr := r.env("hr", testToken, b)
			hr.expect(hr.do("GET", "/Users", ""), 200, "before the reload")

			r.rewrite(configYAML("",
				checkedTarget("hr", bearer(nextToken), b, bad),
				checkedTarget("extra", bearer(otherToken), b, bad)))
			err := r.srv.Reload(context.Background(), r.file)
			if err == nil || !strings.Contains(err.Error(), "target hr: the new configuration fails the checks against its database, so the target keeps serving the one it had") ||
				!strings.Contains(err.Error(), tc.problem) {
				t.Fatalf("a reload that breaks a healthy target: %v", err)
			}
			// The old configuration serves: its token, and its operations.
			created := hr.do("POST", "/Users", oktaUser("kept@example.com", "Kept", "On"))
			hr.expect(created, 201, "create on the configuration kept")
			hr.expect(hr.do("GET", "/Users/"+created.body["id"].(string), ""), 200, "read on the configuration kept")
			hr.expect(hr.do("DELETE", "/Users/"+created.body["id"].(string), ""), 204, "delete on the configuration kept")
			r.env("hr", nextToken, b).expectError(r.env("hr", nextToken, b).do("GET", "/Users", ""), 401, "", "the refused configuration's token")
			expectFailedChecks(t, r.env("extra", otherToken, b), "extra", tc.problem)

			ready := r.readiness(testToken)
			ht, et := ready.Targets["hr"], r.readiness(otherToken).Targets["extra"]
			if ready.status != 503 || !ht.Ready || len(ht.ReloadRefused) == 0 || !strings.Contains(ht.ReloadRefused[0], tc.problem) ||
				et.Ready || len(et.Problems) == 0 || !strings.Contains(et.Problems[0], tc.problem) {
				t.Fatalf("/readyz after the reload: %d %s", ready.status, ready.raw)
			}
			logs := r.logs.String()
			if !strings.Contains(logs, `"msg":"reload of target refused: its new configuration fails the checks against its database; it keeps serving the configuration it had","target":"hr"`) ||
				!strings.Contains(logs, `"msg":"target not ready: its configuration fails the checks against its database; fix the configuration and reload, or the database (checked again every 30s)","target":"extra"`) {
				t.Fatalf("the refused reload is not logged:\n%s", logs)
			}
			if strings.Contains(logs, `"msg":"target not ready: its configuration fails the checks against its database; fix the configuration and reload, or the database (checked again every 30s)","target":"hr"`) {
				t.Fatalf("the target kept serving is logged as not ready:\n%s", logs)
			}

			// A good reload applies to both (the new token proves it), and the
			// note of the refused reload is gone.
			r.rewrite(configYAML("",
				checkedTarget("hr", bearer(nextToken), b, good),
				checkedTarget("extra", bearer(otherToken), b, good)))
			if err := r.srv.Reload(context.Background(), r.file); err != nil {
				t.Fatal(err)
			}
			next := r.env("hr", nextToken, b)
			next.expect(next.do("GET", "/Users", ""), 200, "the new configuration")
			extra := r.env("extra", otherToken, b)
			extra.expect(extra.do("GET", "/Users", ""), 200, "the fixed new target")
			if ready := r.readiness(""); ready.status != 200 || strings.Contains(ready.raw, "reload_refused") {
				t.Fatalf("/readyz after the good reload: %d %s", ready.status, ready.raw)
			}
		})
	}
}

// TestChecksWaitForDatabase starts while the database is down: the targets are
// not taken for misconfigured (their requests answer 503 for the outage, /readyz
// says the database is unavailable), and once the database is back the checks
// run by themselves: the good target serves, the broken one is found out.
func TestChecksWaitForDatabase(t *testing.T) {
	for _, dialect := range []string{"mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			b := newDB(t, dialect, true)
			b.px.cut()
			r := start(t, configYAML("",
				checkedTarget("down", bearer(testToken), b, opsFor(b, false, false)),
				checkedTarget("broken", bearer(otherToken), b, opsFor(b, false, true))))
			down, broken := r.env("down", testToken, b), r.env("broken", otherToken, b)
			for _, c := range []*client{down, broken} {
				resp := c.do("GET", "/Users", "")
				c.expectError(resp, 503, "", "during the outage")
				if strings.Contains(resp.raw, "fails the checks") || resp.header.Get("Retry-After") == "" {
					t.Fatalf("an outage answered as a configuration problem: %v %s", resp.header, resp.raw)
				}
			}
			ready := r.readiness("")
			if ready.status != 503 || ready.Targets["down"].Error != "database unavailable" || ready.Targets["down"].Checks != "waiting for the database" ||
				len(ready.Targets["broken"].Problems) != 0 {
				t.Fatalf("/readyz during the outage: %d %s", ready.status, ready.raw)
			}
			if logs := r.logs.String(); strings.Contains(logs, "configuration check failed") {
				t.Fatalf("an outage logged as a configuration problem:\n%s", logs)
			}

			b.px.restore()
			deadline := time.Now().Add(20 * time.Second)
			for {
				ready = r.readiness("")
				if ready.Targets["down"].Ready && ready.Targets["down"].Checks == "" && ready.Targets["broken"].Checks == "failed" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("/readyz after the outage: %d %s", ready.status, ready.raw)
				}
				time.Sleep(200 * time.Millisecond)
			}
			down.expect(down.do("GET", "/Users", ""), 200, "after the outage")
			expectFailedChecks(t, broken, "broken", missingColumn)
		})
	}
}

// TestChecksRunAgain fixes the database rather than the configuration: the
// checks of a target that failed them run again by themselves, and the target
// becomes ready without a reload.
func TestChecksRunAgain(t *testing.T) {
	defer server.SetRecheckFailed(200 * time.Millisecond)()
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			b := newDB(t, dialect, false)
			r := start(t, configYAML("", checkedTarget("hr", bearer(testToken), b, opsFor(b, false, true))))
			c := r.env("hr", testToken, b)
			expectFailedChecks(t, c, "hr", missingColumn)
			if _, err := b.sql.Exec("ALTER TABLE users ADD COLUMN " + missingColumn + " VARCHAR(64)"); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				resp := c.do("GET", "/Users", "")
				if resp.status == 200 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the fixed database is not noticed: %d %s", resp.status, resp.raw)
				}
				time.Sleep(100 * time.Millisecond)
			}
			if !strings.Contains(r.logs.String(), `"msg":"target ready: its configuration now passes the checks against its database","target":"hr"`) {
				t.Fatalf("recovery not logged:\n%s", r.logs.String())
			}
		})
	}
}

// TestSkipChecks turns the checks off: a broken target is served unchecked, and
// /readyz says the checks did not run.
func TestSkipChecks(t *testing.T) {
	b := newDB(t, "sqlite", false)
	yaml := configYAML("", checkedTarget("hr", bearer(testToken), b, opsFor(b, false, true)))
	r := &running{t: t, file: filepath.Join(t.TempDir(), "dbscim.yaml"), logs: &syncBuffer{}}
	r.rewrite(yaml)
	file := r.file
	cfg := enginetest.Load(t, file, nil)
	srv, err := server.OpenWith(context.Background(), cfg, slog.New(slog.NewJSONHandler(r.logs, nil)), server.Options{SkipChecks: true})
	if err != nil {
		t.Fatal(err)
	}
	r.srv, r.ts = srv, httptest.NewServer(srv)
	t.Cleanup(func() { r.ts.Close(); srv.Close() })
	c := r.env("hr", testToken, b)
	if resp := c.do("GET", "/Users", ""); strings.Contains(resp.raw, "fails the checks") {
		t.Fatalf("checks ran though turned off: %d %s", resp.status, resp.raw)
	}
	ready := r.readiness("")
	if ready.status != 200 || ready.Targets["hr"].Checks != "not run: checks turned off (--skip-checks)" {
		t.Fatalf("/readyz with checks off: %d %s", ready.status, ready.raw)
	}
	// A reload is not checked either.
	if err := srv.Reload(context.Background(), file); err != nil {
		t.Fatalf("reload with checks off: %v", err)
	}
}
