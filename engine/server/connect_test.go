package server_test

import (
	"context"
	"maps"
	"strings"
	"testing"
)

// refusedSettings are connection properties each engine's driver or server refuses
// when it connects, though the configuration loads: SQLite's driver rejects the
// _txlock value, MariaDB refuses to set an unknown system variable.
var refusedSettings = map[string][2]string{
	"sqlite": {"_txlock", "bogus"},
	"mysql":  {"bogusvar", "1"},
}

// refusedTarget is the YAML of a target over b whose connection settings its
// database refuses.
func refusedTarget(name, auth string, b *db) string {
	setting := refusedSettings[b.name]
	if len(b.conn.Properties) == 0 { // the database block has no properties yet
		return targetYAML(name, auth, b, "      properties: {"+setting[0]+": \""+setting[1]+"\"}\n", "")
	}
	c := *b
	c.conn.Properties = maps.Clone(b.conn.Properties)
	c.conn.Properties[setting[0]] = setting[1]
	return targetYAML(name, auth, &c, "", "")
}

// TestRefusedConnectionSettings starts with a target whose database refuses its
// connection settings next to a healthy one: the refused target is not ready (its
// requests answer 503 with Retry-After rather than 500, /readyz says why, the log
// has the database's message) while the other serves, and callers without its
// credentials still get 401. A reload to settings the database refuses is refused,
// and the configuration in force keeps serving.
func TestRefusedConnectionSettings(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql"} {
		t.Run(dialect, func(t *testing.T) {
			bad := newDB(t, dialect, false)
			good := newDB(t, "sqlite", false)
			r := start(t, configYAML("",
				refusedTarget("bad", bearer(testToken), bad),
				targetYAML("hr", bearer(otherToken), good, "", "")))
			c := r.env("bad", testToken, bad)
			for _, req := range [][2]string{{"GET", "/Users"}, {"POST", "/Users"}, {"GET", "/Users/x"}} {
				body := ""
				if req[0] == "POST" {
					body = oktaUser("new@example.com", "New", "User")
				}
				resp := c.do(req[0], req[1], body)
				c.expectError(resp, 503, "", "a target whose database refuses its settings: "+req[0]+" "+req[1])
				if resp.header.Get("Retry-After") == "" || !strings.Contains(resp.raw, "not ready") {
					t.Errorf("%s %s: %v %s", req[0], req[1], resp.header, resp.raw)
				}
			}
			c.expectError(r.env("bad", "wrong-token-0123456789abcdef", nil).do("GET", "/Users", ""), 401, "", "without credentials")
			hr := r.env("hr", otherToken, good)
			hr.expect(hr.do("GET", "/Users", ""), 200, "the healthy target")
			status, body := r.get("/readyz")
			if status != 503 || !strings.Contains(body, `"bad":{"ready":false,"error":"connection settings refused"}`) || !strings.Contains(body, `"hr":{"ready":true}`) {
				t.Errorf("/readyz: %d %s", status, body)
			}
			if !strings.Contains(r.logs.String(), `"msg":"target not ready: its database refuses the connection settings`) {
				t.Errorf("the refusal is not logged:\n%s", r.logs.String())
			}

			// A reload that would make the healthy target refused is refused.
			r.rewrite(configYAML("", refusedTarget("bad", bearer(testToken), bad), refusedTarget("hr", bearer(otherToken), good)))
			if err := r.srv.Reload(context.Background(), r.file); err == nil || !strings.Contains(err.Error(), "target hr: the database refuses the connection settings") {
				t.Fatalf("reload to refused settings: %v", err)
			}
			hr.expect(hr.do("GET", "/Users", ""), 200, "the healthy target after the refused reload")

			// A reload that fixes the settings makes the target ready.
			r.rewrite(configYAML("", targetYAML("bad", bearer(testToken), bad, "", ""), targetYAML("hr", bearer(otherToken), good, "", "")))
			if err := r.srv.Reload(context.Background(), r.file); err != nil {
				t.Fatal(err)
			}
			c.expect(c.do("GET", "/Users", ""), 200, "the target once its settings are fixed")
		})
	}
}
